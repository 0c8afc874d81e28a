/* gavgpool.h - the summation order every fast global-average-pool variant shares (internal to
 * kernels/f32-gavgpool): 16 running sums, element i of a plane into sum i % 16; the variants
 * accumulate whole blocks of 16 with their vectors and hand the sums and the tail here. */
#ifndef GY_KERNELS_F32_GAVGPOOL_H
#define GY_KERNELS_F32_GAVGPOOL_H

#include "kernels/kernels.h"

#define GY_GAP_LANES 16

/* Adds the last `rem` (< 16) elements to sums 0 .. rem-1, reduces the 16 sums pairwise (j + 8,
 * + 4, + 2, + 1) and returns the mean over n elements. */
static inline float gy_gap_finish(float *acc, const float *tail, size_t rem, size_t n)
{
    for (size_t j = 0; j < rem; j++)
        acc[j] += tail[j];
    for (int w = GY_GAP_LANES / 2; w >= 1; w /= 2)
        for (int j = 0; j < w; j++)
            acc[j] += acc[j + w];
    return acc[0] / (float)n;
}

#endif

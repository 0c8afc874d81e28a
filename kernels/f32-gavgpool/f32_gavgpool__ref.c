/* f32_gavgpool__ref.c - the reference global average pool: each plane summed in double. */
#include "kernels/kernels.h"

void gy_f32_gavgpool(const float *in, float *out, int c, size_t plane)
{
    for (int ch = 0; ch < c; ch++) {
        const float *x = in + (size_t)ch * plane;
        double s = 0.0;
        for (size_t i = 0; i < plane; i++)
            s += x[i];
        out[ch] = (float)(s / (double)plane);
    }
}

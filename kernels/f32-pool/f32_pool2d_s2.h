/* f32_pool2d_s2.h - stride-2 pooling (max with ceil_mode, average with counted padding) for the
 * vector variants (f32_pool2d_s2__avx512.c, __avx2.c; internal to kernels/f32-pool/).
 *
 * As the depthwise convolution does, a task copies each input row once into a ring of k padded
 * rows in its scratch, split into even and odd padded columns (x32_split2.h), so that tap kx of
 * output x reads phase kx & 1 at x + kx / 2: one contiguous run per tap. The padding holds the
 * fill (-inf for max, 0 for average), written once per task. An output is then the taps in the
 * reference's row-major order: max keeps the reference's ties and NaN (the last NaN wins); the
 * average adds in the reference's order (a padded 0 added leaves a sum unchanged) and divides by
 * the window's size clipped to the padded input, so both equal the portable task bit for bit.
 * Input rows outside the input are skipped. */
#ifndef GY_KERNELS_F32_POOL2D_S2_H
#define GY_KERNELS_F32_POOL2D_S2_H

#include <limits.h>

#include "kernels/kernels.h"

#define GY_POOL_MAX_K 8     /* larger windows take the portable task */
#define GY_POOL_SLACK 48    /* floats past a phase that vector loads may read */

typedef struct gy_pool_ring {
    int phase_len, row_floats, copy_cols;
    float *base;
    int holds[GY_POOL_MAX_K];
} gy_pool_ring;

static inline int gy_pool_s2_phase_len(const gy_pool_run *r)
{
    int n = ((r->ow - 1) * 2 + r->k + 1) / 2 + GY_POOL_SLACK;
    return (n + 15) / 16 * 16;
}

/* The ring's floats (the dispatcher's scratch size for stride-2 pools takes at least this). */
static inline size_t gy_pool_s2_ring_floats(const gy_pool_run *r)
{
    return (size_t)r->k * 2 * (size_t)gy_pool_s2_phase_len(r);
}

/* The vector variants take stride 2 (both ways) and windows up to GY_POOL_MAX_K. */
static inline int gy_pool_s2_eligible(const gy_pool_run *r)
{
    return r->stride == 2 && r->k >= 1 && r->k <= GY_POOL_MAX_K;
}

/* One ISA's even/odd split (x32_split2.h). */
typedef void (*gy_pool_split_fn)(const float *src, int n, float *even, float *odd);

static inline void gy_pool_ring_init(gy_pool_ring *g, const gy_pool_run *r, float fill,
                                     float *scratch)
{
    g->phase_len = gy_pool_s2_phase_len(r);
    g->row_floats = 2 * g->phase_len;
    g->base = scratch;
    int n = (r->ow - 1) * 2 + r->k - r->pad; /* input columns some window reads */
    g->copy_cols = n < 0 ? 0 : n < r->iw ? n : r->iw;
    size_t all = gy_pool_s2_ring_floats(r);
    for (size_t i = 0; i < all; i++)
        scratch[i] = fill;
}

static inline void gy_pool_ring_reset(gy_pool_ring *g, const gy_pool_run *r)
{
    for (int s = 0; s < r->k; s++)
        g->holds[s] = INT_MIN;
}

/* The padded, split input row iy (inside the input) in its slot (iy mod k). */
static inline const float *gy_pool_ring_row(gy_pool_ring *g, const gy_pool_run *r,
                                            const float *plane, int iy, gy_pool_split_fn split)
{
    int s = iy % r->k;
    float *slot = g->base + (size_t)s * g->row_floats;
    if (g->holds[s] != iy) {
        int p = r->pad;
        split(plane + (size_t)iy * r->iw, g->copy_cols, slot + (p & 1) * g->phase_len + (p >> 1),
              slot + ((p + 1) & 1) * g->phase_len + ((p + 1) >> 1));
        g->holds[s] = iy;
    }
    return slot;
}

#endif

/* f32_conv2d_s2_direct.h - the direct path of the fast convolution for dense stride-2 convs
 * (horizontal stride 2, any kernel, padding and vertical stride, groups 1; not 1x1 unpadded:
 * the packed GEMM runs those faster) on AVX-512
 * (f32_conv2d_s2_direct.c drives it, f32_conv2d_s2_direct__avx512.c holds the tile; internal to
 * kernels/). It needs no im2col: a tile of up to 12 output pixels of one row x 32 output
 * channels (16 x 16 for short filters; AVX2: 6 x 16 or 8 x 8) keeps the pixels in accumulators whose lanes
 * are the channels, and every step broadcasts one input value per pixel (at 2p + kx from the
 * row's start) against the vectors of packed weights. Weights are packed once as
 * [block of CB output channels][cin][kh][kw][CB]. */
#ifndef GY_KERNELS_F32_CONV2D_S2_DIRECT_H
#define GY_KERNELS_F32_CONV2D_S2_DIRECT_H

#include "kernels/kernels.h"

#define GY_S2_CB 32 /* AVX-512, GY_TUNE_FULL512: output channels per block (two zmm) */
#define GY_S2_CB48 48 /* ... or three (gy_s2_conv_block) */
#define GY_S2_P 16  /* AVX-512: most output pixels per tile */
#define GY_S2_CB256 16 /* AVX2: output channels per block (two ymm) */
#define GY_S2_P256 8   /* AVX2: most pixels per tile (6 x 16 channels in 12 of the 16 ymm;
                        * 8 x 8 for short filters) */

/* Output channels per packed block for `isa` and tuning `tune` (AVX-512: 32 or 16; AVX2: 16). */
static inline int gy_s2_block(int isa, int tune)
{
    return isa == GY_ISA_AVX512 ? (tune == GY_TUNE_FULL512 ? GY_S2_CB : 16) : GY_S2_CB256;
}
/* The block of conv c: gy_s2_block's, except on full-width AVX-512 with a filter of 64 taps or
 * more (the 32-channel tiles) where blocks of 48 leave fewer channels empty than blocks of 32
 * (48, 144, 40, ...: G-GhostNet's grouped convs have 48 per group): 48, three zmm per pixel. */
static inline int gy_s2_conv_block(const gy_conv *c, int isa, int tune)
{
    int cb = gy_s2_block(isa, tune);
    if (cb != GY_S2_CB || c->cin * c->kh * c->kw < 64)
        return cb;
    int waste32 = (c->cout + 31) / 32 * 32 - c->cout, waste48 = (c->cout + 47) / 48 * 48 - c->cout;
    return waste48 < waste32 ? GY_S2_CB48 : cb;
}
/* The conv takes this path once packed for `isa` (AVX-512 or AVX2). */
int gy_s2_direct_eligible(const gy_conv *c, int isa);
gy_status gy_s2_direct_pack(gy_conv *c, gy_isa isa, gy_error *err);
size_t gy_s2_direct_scratch_floats(const gy_conv *c, int oh, int ow);
size_t gy_s2_direct_tasks(const gy_conv_run *r);
void gy_s2_direct_task(const gy_conv_run *r, size_t task, float *scratch);

/* Output rows [oy0, oy1) x output channel blocks [cb0, cb1) with the AVX-512 or AVX2 tile; scratch holds
 * gy_s2_direct_scratch_floats floats (the zero-padded input window of tiles at the borders). */
void gy_f32_conv2d_s2_direct__avx512(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                     float *scratch);
void gy_f32_conv2d_s2_direct__avx2(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                   float *scratch);

#endif

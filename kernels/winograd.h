/* winograd.h - the Winograd F(4x4, 3x3) path of the fast convolution (f32_conv2d_winograd.c),
 * used by f32_conv2d.c for 3x3 stride-1 dense convs (internal to kernels/). */
#ifndef GY_KERNELS_WINOGRAD_H
#define GY_KERNELS_WINOGRAD_H

#include "kernels/kernels.h"

/* Fewer channels than this: the transforms cost more than the GEMM saves (measured). */
#define GY_WINOGRAD_MIN_CH 16

int gy_winograd_eligible(const gy_conv *c);
/* c->wpack = the transformed weights for `isa`'s register tile. */
gy_status gy_winograd_pack(gy_conv *c, gy_isa isa, gy_error *err);
size_t gy_winograd_scratch_floats(const gy_conv *c, int oh, int ow);
size_t gy_winograd_tasks(const gy_conv_run *r);
void gy_winograd_task(const gy_conv_run *r, size_t task, float *scratch);

/* V[xi * vstride + ci * 32 + q] = the transformed 6x6 input patch of tile t0 + q (q < 32; tiles
 * past ntiles are zero) of input channel ci, on a grid of tw tiles per row, with AVX-512
 * (f32_winograd_input__avx512.c; only where kernels/cpu.c says the CPU has it). */
void gy_f32_winograd_input__avx512(const gy_conv_run *r, int tw, int ntiles, int ci, int t0,
                                   float *V, size_t vstride);
/* Output channel o from row `row` of M[xi * mstride + row * 32 + q]: its 4x4 tiles t0 + q
 * (q < 32, those below ntiles) plus bias, then residual and activation, into r->out, with
 * AVX-512 (f32_winograd_output__avx512.c). */
void gy_f32_winograd_output__avx512(const gy_conv_run *r, int tw, int ntiles, const float *M,
                                    size_t mstride, int row, int o, int t0);

#endif

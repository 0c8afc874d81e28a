/* winograd.h - the Winograd F(4x4, 3x3) path of the fast convolution (f32_conv2d_winograd.c),
 * used by f32_conv2d.c for 3x3 stride-1 dense convs (internal to kernels/). */
#ifndef GY_KERNELS_WINOGRAD_H
#define GY_KERNELS_WINOGRAD_H

#include <string.h>

#include "kernels/kernels.h"

/* Fewer channels than this: the transforms cost more than the GEMM saves (measured). */
#define GY_WINOGRAD_MIN_CH 16
#define GY_WINOGRAD_WT 32 /* tiles per task: the lanes of V and M */

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

/* The epilogue of one output row segment: dst = act(acc + bias [+ res]) [+ res]. */
typedef void (*gy_winograd_epi_fn)(float *dst, const float *acc, int n, float bias,
                                   const float *res, int res_before_act, gy_act act);

/* Output row a (0..3) of the 4x4 tiles [t0, t0 + 32) below ntiles of output channel o, from seg
 * (tile q's four outputs at 4q, bias added), run by run of tiles on one tile row (tw tiles per
 * row): through epi when there is a residual or an activation, else copied. The output
 * transform of every instruction set ends with it. */
static inline __attribute__((always_inline)) void
gy_winograd_store_row(const gy_conv_run *r, int tw, int ntiles, int t0, int o, int a,
                      const float *seg, gy_winograd_epi_fn epi)
{
    float *out = r->out + (size_t)o * r->oh * r->ow;
    const float *res = r->res ? r->res + (size_t)o * r->oh * r->ow : NULL;
    int nt = ntiles - t0 < GY_WINOGRAD_WT ? ntiles - t0 : GY_WINOGRAD_WT;
    for (int j = 0; j < nt;) {
        int t = t0 + j, ty = t / tw, tx = t % tw;
        int run = tw - tx < nt - j ? tw - tx : nt - j;
        int oy = ty * 4 + a, ox = tx * 4;
        if (oy < r->oh) {
            int n = r->ow - ox < 4 * run ? r->ow - ox : 4 * run;
            size_t off = (size_t)oy * r->ow + (size_t)ox;
            if (res || r->act != GY_ACT_NONE)
                epi(out + off, seg + 4 * j, n, 0.0f, res ? res + off : NULL, r->res_before_act,
                    r->act);
            else
                memcpy(out + off, seg + 4 * j, sizeof(float) * (size_t)n);
        }
        j += run;
    }
}

#endif

/* f32_im2col_s2.h - the im2col B panels of stride-2 convolutions, one per instruction set
 * (internal to kernels/). Same contract as the packing in f32_conv2d.c: rows k in [k0, k0 + kc)
 * of the im2col matrix (k -> input channel, ky, kx of group grp) over output pixels [n0, n1),
 * written straight into panels of the ISA's tile width NR, dst[panel][kc][NR], the last panel's
 * columns past n1 - n0 zeroed. r->p->sw must be 2 (any kernel size, sh, padding, groups). Each
 * vector of outputs is gathered from the input row with two loads and a permute of the even
 * lanes; the padding is folded into the load masks (no element outside the input is touched).
 * The caller must only run a version the CPU has (kernels/cpu.c). */
#ifndef GY_KERNELS_F32_IM2COL_S2_H
#define GY_KERNELS_F32_IM2COL_S2_H

#include "kernels/kernels.h"

void gy_f32_im2col_s2__avx512(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1,
                              float *dst);
void gy_f32_im2col_s2__avx2(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1,
                            float *dst);

#endif

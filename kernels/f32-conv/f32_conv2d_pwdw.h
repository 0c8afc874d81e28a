/* f32_conv2d_pwdw.h - the pointwise rows of the fused pointwise + depthwise op (f32_conv2d_pwdw.c;
 * internal to kernels/f32-conv/). */
#ifndef GY_KERNELS_F32_CONV2D_PWDW_H
#define GY_KERNELS_F32_CONV2D_PWDW_H

#include "kernels/kernels.h"

/* dst[i][0, iw) = the pointwise conv's output row (one input line) of channel c0 + i, for c in
 * [c0, c1): the line's K input values per pixel are in[k * ld + x] (the caller copies the K input
 * rows of the line together: in the input's planes they lie a multiple of 4 KiB apart on 320- and
 * 160-wide maps, all in one L1 set), the weights pw->p->w ([cout][K]); K is summed in chunks of kc
 * as the packed GEMM sums them (f32_conv2d.c): per chunk a chain of multiply-adds from zero in k
 * order (fused on AVX2 / AVX-512, a product then a sum in the portable code), each chunk's sum
 * added to the chunks before it, then the bias and the activation, so the rows are the GEMM's
 * outputs bit for bit. dst[i] may be read back (a later chunk adds to it). */
typedef void (*gy_pw_rows_fn)(const gy_conv *pw, gy_act act, int kc, const float *in, size_t ld,
                              int iw, int c0, int c1, float *const *dst);
void gy_f32_pw_rows__generic(const gy_conv *pw, gy_act act, int kc, const float *in, size_t ld,
                             int iw, int c0, int c1, float *const *dst);
#if defined(__x86_64__) || defined(__i386__)
void gy_f32_pw_rows__avx2(const gy_conv *pw, gy_act act, int kc, const float *in, size_t ld,
                          int iw, int c0, int c1, float *const *dst);
void gy_f32_pw_rows__avx512(const gy_conv *pw, gy_act act, int kc, const float *in, size_t ld,
                            int iw, int c0, int c1, float *const *dst);
#endif

#endif

/* kernels.h - the kernels' interface, one op family per file in kernels/. Every kernel has a
 * plain reference version (tests compare the two); all take their thread count from the session. Tensors are float32
 * NCHW with batch 1, i.e. planes of h * w floats, one per channel. */
#ifndef GY_KERNELS_KERNELS_H
#define GY_KERNELS_KERNELS_H

#include <math.h>
#include <stddef.h>

#include "core/graph.h"

typedef struct gy_conv_run {
    const gy_conv *p;     /* geometry + folded weights [cout][cin/groups][kh][kw] and bias */
    const float *in;
    int ih, iw;
    float *out;
    int oh, ow;
    const float *res;     /* NULL or cout planes of oh * ow added per res_before_act */
    int res_before_act;
    gy_act act;
    float *scratch;       /* gy_conv2d_scratch_floats() floats */
    int nthreads;
} gy_conv_run;

/* Floats of scratch the fast conv needs for this output size. */
size_t gy_conv2d_scratch_floats(const gy_conv *c, int oh, int ow);

/* Reference: direct loops, double accumulation. */
void gy_f32_conv2d__ref(const gy_conv_run *r);
/* Fast: depthwise direct kernel, 1x1 GEMM, or im2col + GEMM. */
void gy_f32_conv2d(const gy_conv_run *r);
/* The depthwise kernel alone (groups == cin == cout), exposed for tests. */
void gy_f32_dwconv2d(const gy_conv_run *r);
/* C[m][n] = sum_k A[m][k] * B[k][n] for rows [0, M), then bias/residual/act per row (epilogue).
 * ldb / ldc: row strides of B and C. Dispatches at run time to the AVX2+FMA kernel or the
 * portable one; both are exposed for tests. */
void gy_f32_gemm_epilogue(int M, int N, int K, const float *A, const float *B, int ldb, float *C,
                          int ldc, const float *bias, const float *res, int ldres,
                          int res_before_act, gy_act act, int nthreads);
void gy_f32_gemm_epilogue__generic(int M, int N, int K, const float *A, const float *B, int ldb,
                                   float *C, int ldc, const float *bias, const float *res,
                                   int ldres, int res_before_act, gy_act act, int nthreads);
/* Only where gy_cpu_has_avx2_fma() (x86). */
void gy_f32_gemm_epilogue__avx2(int M, int N, int K, const float *A, const float *B, int ldb,
                                float *C, int ldc, const float *bias, const float *res, int ldres,
                                int res_before_act, gy_act act, int nthreads);
int gy_cpu_has_avx2_fma(void);
/* The GEMM epilogue for one row of n outputs: dst = act(acc + bias [+ res]) [+ res]. */
void gy_f32_gemm_store_row(float *dst, const float *acc, int n, float bias, const float *res,
                           int res_before_act, gy_act act);

/* The activations, as torch computes them in float32. */
static inline float gy_act_apply(gy_act act, float v)
{
    switch (act) {
    case GY_ACT_SILU: return v / (1.0f + expf(-v));
    case GY_ACT_RELU: return v > 0.0f ? v : 0.0f;
    case GY_ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
    case GY_ACT_NONE: break;
    }
    return v;
}

void gy_f32_maxpool2d(const float *in, float *out, int c, int ih, int iw, int oh, int ow, int k,
                      int stride, int pad, int nthreads);
/* avg_pool2d(k, stride), no padding (count is always k * k). */
void gy_f32_avgpool2d(const float *in, float *out, int c, int ih, int iw, int oh, int ow, int k,
                      int stride, int nthreads);
/* y = a * act(b) when mul, else a + act(b); n elements. */
void gy_f32_binary_act(int mul, const float *a, const float *b, gy_act act, float *y, size_t n,
                       int nthreads);
/* torch nearest: src = floor(dst * in / out). */
void gy_f32_upsample_nearest(const float *in, float *out, int c, int ih, int iw, int oh, int ow,
                             int nthreads);

#endif

/* kernels.h - the kernels' interface, one op family per file in kernels/. Every kernel has a
 * plain reference version (tests compare the two); all take their thread count from the session. Tensors are float32
 * NCHW with batch 1, i.e. planes of h * w floats, one per channel. */
#ifndef GY_KERNELS_KERNELS_H
#define GY_KERNELS_KERNELS_H

#include <math.h>
#include <stddef.h>

#include "core/graph.h"
#include "ghostyolo.h"

/* The instruction sets the kernels are built for, in increasing order (kernels/cpu.c). */
typedef enum gy_isa { GY_ISA_GENERIC = 0, GY_ISA_AVX2 = 1, GY_ISA_AVX512 = 2 } gy_isa;

/* The best instruction set this CPU runs (AVX-512 means F, DQ, BW and VL, plus AVX2 and FMA). */
gy_isa gy_cpu_best_isa(void);
const char *gy_isa_name(gy_isa isa);
/* The ISA for a request ("generic", "avx2", "avx512"; NULL or "" = the best): a request above
 * what the CPU has, or an unknown name, is an error naming it. Callers read GY_ISA once per
 * model load and pass it here. */
gy_status gy_isa_select(const char *request, gy_isa *isa, gy_error *err);

typedef struct gy_conv_run {
    const gy_conv *p;     /* geometry + folded weights [cout][cin/groups][kh][kw], bias, and
                           * the packed weights of gy_conv_pack (which also fix the ISA) */
    const float *in;
    int ih, iw;
    float *out;           /* cout planes of oh * ow (may be a channel slice of a larger buffer) */
    int oh, ow;
    const float *res;     /* NULL or cout planes of oh * ow added per res_before_act */
    int res_before_act;
    gy_act act;
} gy_conv_run;

/* Packs c->w for the fast kernels of `isa` (<= gy_cpu_best_isa()) into c->wpack (replacing an
 * earlier packing); call once after the weights are bound and folded. */
gy_status gy_conv_pack(gy_conv *c, gy_isa isa, gy_error *err);
/* Bytes of packed weights. */
size_t gy_conv_packed_bytes(const gy_conv *c);

/* The fast convolution as independent tasks (kernels/f32_conv2d.c): run every task in
 * [0, gy_f32_conv2d_tasks(r)) once, in any order, on any threads; each thread passes its own
 * scratch of gy_f32_conv2d_scratch_floats(conv, oh, ow) floats (64-byte aligned). Requires
 * gy_conv_pack. Depthwise convs go to the depthwise kernel (f32_dwconv2d.c), the others to a
 * packed GEMM whose B panels are built from the input (im2col) per task. */
size_t gy_f32_conv2d_scratch_floats(const gy_conv *c, int oh, int ow);
size_t gy_f32_conv2d_tasks(const gy_conv_run *r);
void gy_f32_conv2d_task(const gy_conv_run *r, size_t task, float *scratch);
/* All tasks in order on the calling thread (tests, tools). */
void gy_f32_conv2d_serial(const gy_conv_run *r, float *scratch);

/* Reference: direct loops, double accumulation. */
void gy_f32_conv2d__ref(const gy_conv_run *r);

/* The depthwise part (groups == cin == cout, stride <= GY_DW_MAX_STRIDE, at most GY_DW_MAX_TAPS
 * filter taps; other depthwise convs take the grouped GEMM), used through gy_f32_conv2d_*. */
#define GY_DW_MAX_STRIDE 4
#define GY_DW_MAX_TAPS 49
size_t gy_f32_dwconv2d_scratch_floats(const gy_conv *c, int oh, int ow);
size_t gy_f32_dwconv2d_tasks(const gy_conv_run *r);
void gy_f32_dwconv2d_task(const gy_conv_run *r, size_t task, float *scratch);

/* exp over n floats with the vector code of `isa` (generic: expf); for tests of the epilogue's
 * accuracy. */
void gy_f32_exp_isa(gy_isa isa, const float *x, float *y, size_t n);

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

/* kernels.h - the kernels' interface, one op family per file in kernels/. Every kernel has a
 * plain reference version (tests compare the two); the runtime calls the fast ones in task form
 * (below). Tensors are float32 NCHW with batch 1, i.e. planes of h * w floats, one per channel. */
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

/* The kernels' tuning variants for a kind of machine (kernels/cpu/cpu_kind.h chooses one per
 * model load from the CPU); a conv's packed layout and kernels depend on it (gy_conv.tune). */
typedef enum gy_tune {
    GY_TUNE_BASE = 0,   /* generic and AVX2; AVX-512 executed on 256-bit halves (Zen 4) */
    GY_TUNE_FULL512 = 1 /* AVX-512 on full 512-bit units (Zen 5 servers) */
} gy_tune;
const char *gy_tune_name(gy_tune t);

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
    int threads;          /* threads that share this run's tasks (0 or 1: one). Only how the
                           * work is cut into tasks follows it, never a value of the output */
    size_t in_cs;         /* the direct stride-2 kernel only (a fused op's row window): 0, or the
                           * floats between input channels ... */
    int in_y0;            /* ... and the input row at `in` (rows above it are not read) */
} gy_conv_run;

/* Packs c->w for the fast kernels of `isa` (<= gy_cpu_best_isa()) and tuning `tune` into
 * c->wpack (replacing an earlier packing); call once after the weights are bound and folded.
 * gy_conv_pack: the tuning of a full-width AVX-512 machine (tests pack every variant). */
gy_status gy_conv_pack_tuned(gy_conv *c, gy_isa isa, gy_tune tune, gy_error *err);
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
/* The K chunk of the packed GEMM (its sums restart every kc values of K). */
int gy_f32_conv2d_kc(const gy_conv *c);
/* out[co - m0][0, n) for output channels co in [m0, m1) (ldc floats from one to the next; m0 a
 * multiple of 12) = the packed 1x1 conv c (groups 1, packed by gy_conv_pack) of B[k][0, n) (ldb
 * floats from one input channel to the next, each row readable to n rounded up to 32), then bias,
 * residual (res: the output's layout, or NULL) and activation: the packed GEMM's tiles, so its
 * outputs bit for bit. */
void gy_f32_conv2d_pointwise_rows(const gy_conv *c, int m0, int m1, const float *b, size_t ldb,
                                  int n, float *out, const float *res, size_t ldc,
                                  int res_before_act, gy_act act);

/* A pointwise conv (1x1, stride 1, no padding, groups 1, no residual) whose output only a
 * depthwise conv reads, run as one op with it (kernels/f32-conv/f32_conv2d_pwdw.c): the pointwise
 * rows each task needs go straight into the depthwise kernel's row ring, never to memory; the
 * results are the two ops' bit for bit. pw.out is not written (NULL), dw.in not read. Task form
 * as gy_f32_conv2d_*; both convs packed for the same ISA. */
typedef struct gy_pwdw_run {
    gy_conv_run pw, dw;
} gy_pwdw_run;
int gy_f32_pwdw_fusable(const gy_conv *pw, const gy_conv *dw);
size_t gy_f32_pwdw_scratch_floats(const gy_pwdw_run *r);
size_t gy_f32_pwdw_tasks(const gy_pwdw_run *r);
void gy_f32_pwdw_task(const gy_pwdw_run *r, size_t task, float *scratch);

/* A pointwise conv (1x1, stride 1, no padding, groups 1, no residual) whose output only a
 * stride-2 conv on the direct kernel reads (dense, or grouped with each group on it), run as one
 * op with it (kernels/f32-conv/f32_conv2d_pws2.c): each task keeps a window of the pointwise rows
 * its output rows read in L2, never in memory; the results are the two ops' bit for bit. pw.out
 * is not written (NULL), cv.in not read. Task form as gy_f32_conv2d_*; both convs packed for the
 * same ISA (AVX2 or AVX-512). */
typedef struct gy_pws2_run {
    gy_conv_run pw, cv;
} gy_pws2_run;
int gy_f32_pws2_fusable(const gy_conv *pw, const gy_conv *cv);
size_t gy_f32_pws2_scratch_floats(const gy_pws2_run *r);
size_t gy_f32_pws2_tasks(const gy_pws2_run *r);
void gy_f32_pws2_task(const gy_pws2_run *r, size_t task, float *scratch);

/* The reverse pair: a depthwise conv (no residual) whose output only a pointwise conv (1x1, stride
 * 1, no padding, groups 1) reads (kernels/f32-conv/f32_conv2d_dwpw.c): each task computes a few
 * depthwise rows of every channel into a cache-resident band and runs the packed GEMM on it; the
 * results are the two ops' bit for bit. dw.out is not written (NULL), pw.in not read. Task form as
 * gy_f32_conv2d_*; both convs packed for the same ISA. */
typedef struct gy_dwpw_run {
    gy_conv_run dw, pw;
} gy_dwpw_run;
int gy_f32_dwpw_fusable(const gy_conv *dw, const gy_conv *pw);
size_t gy_f32_dwpw_scratch_floats(const gy_dwpw_run *r);
size_t gy_f32_dwpw_tasks(const gy_dwpw_run *r);
void gy_f32_dwpw_task(const gy_dwpw_run *r, size_t task, float *scratch);

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

int gy_cpu_has_avx2_fma(void);
/* The activations (gy_act_apply, and their vector versions for the conv epilogues) are in
 * kernels/f32-vmath/f32_vmath.h. */

void gy_f32_maxpool2d(const float *in, float *out, int c, int ih, int iw, int oh, int ow, int k,
                      int stride, int pad, int nthreads);
/* avg_pool2d(k, stride), no padding (count is always k * k). */
void gy_f32_avgpool2d(const float *in, float *out, int c, int ih, int iw, int oh, int ow, int k,
                      int stride, int nthreads);
/* avg_pool2d(k, stride, pad) with count_include_pad: zero padding counted, each window's float sum
 * (rows outer, columns inner) divided by its size clipped to the padded input (torch's divisor). */
void gy_f32_avgpool2d_pad(const float *in, float *out, int c, int ih, int iw, int oh, int ow,
                          int k, int stride, int pad, int nthreads);
/* One axis of that window: output o reads [*a, *b) of the input; *span is the divisor's factor. */
void gy_avgpool_window(int o, int k, int stride, int pad, int in, int *a, int *b, int *span);
/* y = a * act(b) when mul, else a + act(b); n elements. */
void gy_f32_binary_act(int mul, const float *a, const float *b, gy_act act, float *y, size_t n,
                       int nthreads);
/* torch nearest: src = floor(dst * in / out). */
void gy_f32_upsample_nearest(const float *in, float *out, int c, int ih, int iw, int oh, int ow,
                             int nthreads);

/* ---- Task form (see runtime/run.c) ------------------------------------------------------------
 * Every op's work is split into independent tasks that may run in any order on any thread:
 *   size_t gy_f32_<op>_tasks(const <run> *r);                 how many tasks (>= 1)
 *   void   gy_f32_<op>_task(const <run> *r, size_t task, float *scratch);
 *   size_t gy_f32_<op>_scratch_floats(const <run> *r);        per-thread scratch one task needs
 * Tasks never synchronise and never open OpenMP regions; scratch is the calling thread's own
 * (64-byte aligned). _scratch_floats and _tasks read only the shapes (data pointers may be NULL).
 * The functions without a suffix dispatch on r->isa; __generic / __avx2 (/ __avx512) are exposed
 * for tests.
 * The plain kernels above (gy_f32_maxpool2d, ...) are the references they are tested against;
 * the convolution's task functions are declared with gy_conv_run above. */

typedef struct gy_pool_run {
    const float *in;
    float *out;
    int c, ih, iw, oh, ow, k, stride, pad;
    gy_isa isa;
} gy_pool_run;
/* Max pooling with -inf padding; NaN propagates (as torch). Stride 1: separable row/column max. */
size_t gy_f32_maxpool2d_tasks(const gy_pool_run *r);
/* The channels [*c0, *c1) of pooling task `task` (the same blocks for every variant). */
void gy_pool_task_channels(const gy_pool_run *r, size_t task, int *c0, int *c1);
size_t gy_f32_maxpool2d_scratch_floats(const gy_pool_run *r);
void gy_f32_maxpool2d_task(const gy_pool_run *r, size_t task, float *scratch);
void gy_f32_maxpool2d_task__generic(const gy_pool_run *r, size_t task, float *scratch);
void gy_f32_maxpool2d_task__avx2(const gy_pool_run *r, size_t task, float *scratch);
void gy_f32_maxpool2d_task__avx512(const gy_pool_run *r, size_t task, float *scratch);
/* Average pooling with counted zero padding; sums in the reference kernel's order (bit-exact). */
size_t gy_f32_avgpool2d_tasks(const gy_pool_run *r);
size_t gy_f32_avgpool2d_scratch_floats(const gy_pool_run *r);
void gy_f32_avgpool2d_task(const gy_pool_run *r, size_t task, float *scratch);
void gy_f32_avgpool2d_task__generic(const gy_pool_run *r, size_t task, float *scratch);
/* Stride 2 (windows up to 8) with AVX2 / AVX-512 (f32_pool2d_s2__*.c): the portable task's
 * results bit for bit. */
void gy_f32_maxpool2d_s2_task__avx2(const gy_pool_run *r, size_t task, float *scratch);
void gy_f32_maxpool2d_s2_task__avx512(const gy_pool_run *r, size_t task, float *scratch);
void gy_f32_avgpool2d_s2_task__avx2(const gy_pool_run *r, size_t task, float *scratch);
void gy_f32_avgpool2d_s2_task__avx512(const gy_pool_run *r, size_t task, float *scratch);

typedef struct gy_upsample_run {
    const float *in;
    float *out;
    int c, ih, iw, oh, ow;
    gy_isa isa;
} gy_upsample_run;
size_t gy_f32_upsample_nearest_tasks(const gy_upsample_run *r);
void gy_f32_upsample_nearest_task(const gy_upsample_run *r, size_t task, float *scratch);
void gy_f32_upsample_nearest_task__generic(const gy_upsample_run *r, size_t task, float *scratch);
void gy_f32_upsample_nearest_task__avx2(const gy_upsample_run *r, size_t task, float *scratch);
/* The row loop the variants share: widen maps one source row to one output row. */
typedef void (*gy_upsample_widen_fn)(const float *src, float *dst, const gy_upsample_run *r);
void gy_f32_upsample_nearest_rows(const gy_upsample_run *r, size_t task,
                                  gy_upsample_widen_fn widen);

/* y = a * act(b) when mul, else a + act(b); also a plain copy (b == NULL, mul == 0: y = a). */
typedef struct gy_binary_run {
    int mul;
    const float *a, *b;
    gy_act act;
    float *y;
    size_t n;
    gy_isa isa;
} gy_binary_run;
size_t gy_f32_binary_act_tasks(const gy_binary_run *r);
void gy_f32_binary_act_task(const gy_binary_run *r, size_t task, float *scratch);
void gy_f32_binary_act_task__generic(const gy_binary_run *r, size_t task, float *scratch);
void gy_f32_binary_act_task__avx2(const gy_binary_run *r, size_t task, float *scratch);

/* Global average pooling (f32-gavgpool/): out[ch] = sum of plane ch / plane. Every fast variant
 * sums in the same order, so they agree bit for bit: 16 running float sums (element i goes to sum
 * i % 16, in order), then added pairwise (s[j] += s[j + 8], + 4, + 2, + 1) and divided by the
 * plane size; the reference sums in double (the fast ones stay within 1e-6 relative of it for
 * planes whose values have one sign, see tests/test_zoo_kernels.c). */
typedef struct gy_gap_run {
    const float *in;
    float *out;
    int c;
    size_t plane;
    gy_isa isa;
} gy_gap_run;
void gy_f32_gavgpool(const float *in, float *out, int c, size_t plane);
size_t gy_f32_gavgpool_tasks(const gy_gap_run *r);
void gy_f32_gavgpool_task(const gy_gap_run *r, size_t task, float *scratch);
void gy_f32_gavgpool_task__generic(const gy_gap_run *r, size_t task, float *scratch);
void gy_f32_gavgpool_task__avx2(const gy_gap_run *r, size_t task, float *scratch);
void gy_f32_gavgpool_task__avx512(const gy_gap_run *r, size_t task, float *scratch);
/* The channels [*c0, *c1) of task `task` (the same blocks for every variant). */
void gy_gap_task_channels(const gy_gap_run *r, size_t task, int *c0, int *c1);

/* Per-channel operations (f32-vchannel/): mul: y = x * act(p[ch]) (squeeze-and-excite's scale),
 * else y = act(x + p[ch]) (a broadcast add of a (c, 1, 1) tensor); planes of `plane` floats. The
 * variants agree bit for bit with the reference (the gate's act is the scalar gy_act_apply in all
 * of them; the add's act is elementwise, exact for ReLU / ReLU6 / hard-swish / hard-sigmoid). */
typedef struct gy_chan_run {
    int mul;
    const float *x, *p;
    gy_act act;
    float *y;
    int c;
    size_t plane;
    gy_isa isa;
} gy_chan_run;
void gy_f32_channel_op(int mul, const float *x, const float *p, gy_act act, float *y, int c,
                       size_t plane);
size_t gy_f32_channel_op_tasks(const gy_chan_run *r);
void gy_f32_channel_op_task(const gy_chan_run *r, size_t task, float *scratch);
void gy_f32_channel_op_task__generic(const gy_chan_run *r, size_t task, float *scratch);
void gy_f32_channel_op_task__avx2(const gy_chan_run *r, size_t task, float *scratch);
void gy_f32_channel_op_task__avx512(const gy_chan_run *r, size_t task, float *scratch);
void gy_chan_task_channels(const gy_chan_run *r, size_t task, int *c0, int *c1);

/* Channel shuffle (f32-shuffle/): X = the concatenation of nin inputs of c / nin channels each;
 * out[j * groups + i] = X[i * (c / groups) + j]: torchvision's channel_shuffle(X, groups) (Megvii's
 * order is the same with c / g groups). Each output plane is one input plane, copied. */
typedef struct gy_shuffle_run {
    const float *in[GY_OP_MAX_IN];
    int nin;
    float *out;
    int c, groups;
    size_t plane;
} gy_shuffle_run;
void gy_x32_shuffle(const gy_shuffle_run *r); /* reference: element by element */
size_t gy_x32_shuffle_tasks(const gy_shuffle_run *r);
void gy_x32_shuffle_task(const gy_shuffle_run *r, size_t task, float *scratch);
/* The input plane that output channel co copies. */
const float *gy_shuffle_source(const gy_shuffle_run *r, int co);

/* The FMA limit (kernels/fma_peak*.c): `iters` rounds of a register-only loop of independent
 * multiply-adds with the ISA's widest vectors (AVX-512: 16 zmm chains, AVX2: 12 ymm, generic: C
 * the compiler vectorises as it can), on the calling thread. Returns the floating-point operations
 * done (2 per lane per FMA); *sink gets a value that depends on every FMA. */
double gy_fma_peak_run(gy_isa isa, long iters, float *sink);
double gy_fma_peak_run__generic(long iters, float *sink);
double gy_fma_peak_run__avx2(long iters, float *sink);
double gy_fma_peak_run__avx512(long iters, float *sink);

#endif

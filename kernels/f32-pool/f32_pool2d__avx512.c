/* f32_pool2d__avx512.c - stride-1 max pooling with AVX-512, one channel at a time in two passes
 * through the task's scratch (L1 for SPPF's planes): the row pass takes the windowed max of each
 * input row, 16 outputs per vector, every vector of the row the same way (lanes whose input falls
 * in the padding, or past the row, are masked out of the loads and read as -inf, so there is no
 * border loop); the column pass then treats the plane as one flat array (output i is the max of
 * scratch i + ky * ow, the row pass's rows sitting between pad rows of -inf). Each max keeps the
 * earlier of equal values, in the reference's (row-major) order, so -0 / +0 come out as there. A
 * channel is checked for NaN first: without one the passes are a plain max chain; with one, a chain
 * that keeps the last NaN (the reference's result). Other strides never come
 * here (f32_pool2d.c sends them to the portable task). */
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <math.h>

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define INLINE512 T512 static inline __attribute__((always_inline))
#define MAX_K 32 /* the row pass's masks per vector; a larger window goes to the AVX2 task */

INLINE512 __mmask16 lanes16(int n) /* lanes [0, n) set, n clamped to [0, 16] */
{
    return n >= 16 ? (__mmask16)0xffff : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}

/* acc, then v (v later in the window): the reference's `if (v > m || isnan(v)) m = v`. maxps
 * returns its second operand on ties (-0 / +0) and when either is NaN; with nan, a NaN v is
 * blended in (an acc that is NaN already stays, as v > NaN is false). */
INLINE512 __m512 step(__m512 acc, __m512 v, int nan)
{
    __m512 m = _mm512_max_ps(v, acc);
    if (nan)
        m = _mm512_mask_mov_ps(m, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), v);
    return m;
}

T512 static int has_nan(const float *p, size_t n)
{
    __mmask16 m = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) /* unordered: either is NaN */
        m |= _mm512_cmp_ps_mask(_mm512_loadu_ps(p + i), _mm512_loadu_ps(p + i + 16), _CMP_UNORD_Q);
    for (; i < n; i += 16) {
        __m512 v = _mm512_maskz_loadu_ps(lanes16((int)(n - i)), p + i);
        m |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    }
    return m != 0;
}

/* dst row y (ow floats apart) = the windowed max of input row y, for the ih rows. */
INLINE512 void row_pass(const float *src, int ih, int iw, int ow, int k, int pad, float *dst,
                        int nan)
{
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    __mmask16 mk[MAX_K];
    for (int ox0 = 0; ox0 < ow; ox0 += 16) {
        __mmask16 out = lanes16(ow - ox0);
        for (int kx = 0; kx < k; kx++) /* lane l reads input ox0 + l - pad + kx: inside [0, iw) */
            mk[kx] = (__mmask16)(out & lanes16(iw + pad - kx - ox0) & ~lanes16(pad - kx - ox0));
        for (int y = 0; y < ih; y++) {
            const float *p = src + (size_t)y * iw + ox0 - pad;
            __m512 acc = _mm512_mask_loadu_ps(ninf, mk[0], p);
            for (int kx = 1; kx < k; kx++)
                acc = step(acc, _mm512_mask_loadu_ps(ninf, mk[kx], p + kx), nan);
            _mm512_mask_storeu_ps(dst + (size_t)y * ow + ox0, out, acc);
        }
    }
}

/* dst[i] = the max of s[i + ky * ow] over ky in [0, k), i in [0, n). */
INLINE512 void col_pass(const float *s, int n, int ow, int k, float *dst, int nan)
{
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        const float *p = s + i;
        __m512 acc = _mm512_loadu_ps(p);
        for (int ky = 1; ky < k; ky++)
            acc = step(acc, _mm512_loadu_ps(p + (size_t)ky * ow), nan);
        _mm512_storeu_ps(dst + i, acc);
    }
    if (i < n) {
        __mmask16 t = lanes16(n - i);
        const float *p = s + i;
        __m512 acc = _mm512_maskz_loadu_ps(t, p);
        for (int ky = 1; ky < k; ky++)
            acc = step(acc, _mm512_maskz_loadu_ps(t, p + (size_t)ky * ow), nan);
        _mm512_mask_storeu_ps(dst + i, t, acc);
    }
}

/* Channels [c0, c1) (scratch's -inf rows written); inlined, so a constant k unrolls the chains
 * and keeps the row pass's masks in mask registers. */
INLINE512 void channels(const gy_pool_run *r, int c0, int c1, int k, float *scratch)
{
    int ih = r->ih, iw = r->iw, ow = r->ow, pad = r->pad, plane = r->oh * r->ow;
    float *rows = scratch + (size_t)pad * ow;
    for (int ch = c0; ch < c1; ch++) {
        const float *src = r->in + (size_t)ch * ih * iw;
        float *dst = r->out + (size_t)ch * plane;
        if (has_nan(src, (size_t)ih * iw)) {
            row_pass(src, ih, iw, ow, k, pad, rows, 1);
            col_pass(scratch, plane, ow, k, dst, 1);
        } else {
            row_pass(src, ih, iw, ow, k, pad, rows, 0);
            col_pass(scratch, plane, ow, k, dst, 0);
        }
    }
}

T512 void gy_f32_maxpool2d_task__avx512(const gy_pool_run *r, size_t task, float *scratch)
{
    if (r->k > MAX_K) {
        gy_f32_maxpool2d_task__avx2(r, task, scratch);
        return;
    }
    int c0, c1;
    gy_pool_task_channels(r, task, &c0, &c1);
    int ih = r->ih, ow = r->ow, k = r->k, pad = r->pad;
    /* scratch: pad rows of -inf, the ih rows of the row pass, pad rows of -inf (oh + k - 1 rows) */
    float *rows = scratch + (size_t)pad * ow;
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    for (int i = 0; i < pad * ow; i += 16) {
        __mmask16 t = lanes16(pad * ow - i);
        _mm512_mask_storeu_ps(scratch + i, t, ninf);
        _mm512_mask_storeu_ps(rows + (size_t)ih * ow + i, t, ninf);
    }
    if (k == 5) /* SPPF: 0.021 instead of 0.026 ms for 128x20x20 on Zen 4 */
        channels(r, c0, c1, 5, scratch);
    else
        channels(r, c0, c1, k, scratch);
}

#endif

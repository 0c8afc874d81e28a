/* f32_pool2d__avx2.c - stride-1 max pooling with AVX2, one channel at a time in two passes
 * through the task's scratch: the row pass copies each input row between -inf margins (written
 * once per task) and takes its windowed max 8 outputs per vector with plain loads, the last
 * vector overlapping the one before when ow is not a multiple of 8 (so no border loop); the column
 * pass treats the plane as one flat array (output i is the max of scratch i + ky * ow, the row
 * pass's rows sitting between pad rows of -inf). Each max keeps the earlier of equal values, in the
 * reference's (row-major) order, so -0 / +0 come out as there. A channel is checked for NaN first:
 * without one the passes are a plain max chain; with one, a chain that keeps the last NaN (the
 * reference's result). Other strides never come here (f32_pool2d.c sends them to the portable task). */
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <math.h>
#include <string.h>

#define T256 __attribute__((target("avx2")))
#define INLINE256 T256 static inline __attribute__((always_inline))

/* acc, then v (v later in the window): the reference's `if (v > m || isnan(v)) m = v`. maxps
 * returns its second operand on ties (-0 / +0) and when either is NaN; with nan, a NaN v is
 * blended in (an acc that is NaN already stays, as v > NaN is false). */
INLINE256 __m256 step(__m256 acc, __m256 v, int nan)
{
    __m256 m = _mm256_max_ps(v, acc);
    if (nan)
        m = _mm256_blendv_ps(m, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    return m;
}

T256 static int has_nan(const float *p, size_t n)
{
    __m256 u = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) /* unordered: either is NaN */
        u = _mm256_or_ps(u, _mm256_cmp_ps(_mm256_loadu_ps(p + i), _mm256_loadu_ps(p + i + 8),
                                          _CMP_UNORD_Q));
    int any = _mm256_movemask_ps(u);
    for (; i < n; i++)
        any |= isnan(p[i]);
    return any != 0;
}

/* d[0, 8) = the max of b[x + kx] over kx in [0, k), x in [0, 8). */
INLINE256 void row_vec(const float *b, int k, float *d, int nan)
{
    __m256 acc = _mm256_loadu_ps(b);
    for (int kx = 1; kx < k; kx++)
        acc = step(acc, _mm256_loadu_ps(b + kx), nan);
    _mm256_storeu_ps(d, acc);
}

/* dst row y (ow floats apart) = the windowed max of input row y, for the ih rows; buf holds
 * pad, then iw floats of the row (copied here), then -inf up to ceil8(ow) + k - 1. */
INLINE256 void row_pass(const float *src, int ih, int iw, int ow, int k, int pad, float *buf,
                        float *dst, int nan)
{
    for (int y = 0; y < ih; y++) {
        memcpy(buf + pad, src + (size_t)y * iw, sizeof *buf * (size_t)iw);
        float *d = dst + (size_t)y * ow;
        if (ow < 8) {
            float tmp[8];
            row_vec(buf, k, tmp, nan);
            memcpy(d, tmp, sizeof *d * (size_t)ow);
            continue;
        }
        int ox = 0;
        for (; ox + 8 <= ow; ox += 8)
            row_vec(buf + ox, k, d + ox, nan);
        if (ox < ow) /* the last 8, overlapping: the same values again where they meet */
            row_vec(buf + ow - 8, k, d + ow - 8, nan);
    }
}

/* d[0, 8) = the max of s[x + ky * ow] over ky in [0, k). */
INLINE256 void col_vec(const float *s, int ow, int k, float *d, int nan)
{
    __m256 acc = _mm256_loadu_ps(s);
    for (int ky = 1; ky < k; ky++)
        acc = step(acc, _mm256_loadu_ps(s + (size_t)ky * ow), nan);
    _mm256_storeu_ps(d, acc);
}

/* dst[i] = the max of s[i + ky * ow] over ky in [0, k), i in [0, n). */
INLINE256 void col_pass(const float *s, int n, int ow, int k, float *dst, int nan)
{
    if (n < 8) {
        for (int i = 0; i < n; i++) {
            float m = s[i];
            for (int ky = 1; ky < k; ky++) {
                float v = s[i + (size_t)ky * ow];
                if (v > m || (nan && isnan(v)))
                    m = v;
            }
            dst[i] = m;
        }
        return;
    }
    int i = 0;
    for (; i + 8 <= n; i += 8)
        col_vec(s + i, ow, k, dst + i, nan);
    if (i < n)
        col_vec(s + n - 8, ow, k, dst + n - 8, nan);
}

T256 void gy_f32_maxpool2d_task__avx2(const gy_pool_run *r, size_t task, float *scratch)
{
    int c0, c1, plane = r->oh * r->ow;
    gy_pool_task_channels(r, task, &c0, &c1);
    int ih = r->ih, iw = r->iw, ow = r->ow, k = r->k, pad = r->pad;
    /* scratch: pad rows of -inf, the ih rows of the row pass, pad rows of -inf (oh + k - 1 rows),
     * then the row buffer */
    float *rows = scratch + (size_t)pad * ow, *buf = rows + (size_t)(ih + pad) * ow;
    int blen = ((ow + 7) & ~7) + k - 1;
    for (int i = 0; i < pad * ow; i++)
        scratch[i] = rows[(size_t)ih * ow + i] = -INFINITY;
    for (int i = 0; i < blen; i++)
        buf[i] = -INFINITY;
    for (int ch = c0; ch < c1; ch++) {
        const float *src = r->in + (size_t)ch * ih * iw;
        float *dst = r->out + (size_t)ch * plane;
        if (has_nan(src, (size_t)ih * iw)) {
            row_pass(src, ih, iw, ow, k, pad, buf, rows, 1);
            col_pass(scratch, plane, ow, k, dst, 1);
        } else {
            row_pass(src, ih, iw, ow, k, pad, buf, rows, 0);
            col_pass(scratch, plane, ow, k, dst, 0);
        }
    }
}

#endif

/* f32_pool2d__avx2.c - stride-1 max pooling with AVX2: 8 outputs per vector in the row pass
 * (windows fully inside the row; the borders go through the scalar loop) and in the column pass.
 * NaN propagates as in the reference. Other strides use the generic task. */
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <math.h>

#define POOL_PIXELS 8192

__attribute__((target("avx2"))) static inline __m256 nanmax8(__m256 m, __m256 v)
{
    __m256 r = _mm256_max_ps(v, m); /* m when either is NaN */
    return _mm256_blendv_ps(r, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

static inline float nanmax1(float m, float v)
{
    return v > m || isnan(v) ? v : m;
}

__attribute__((target("avx2"))) static void row_max(const float *row, int iw, int ow, int k,
                                                    int pad, float *dst)
{
    /* ox is interior when ox - pad >= 0 and ox - pad + k <= iw */
    int in0 = pad, in1 = iw - k + pad + 1; /* [in0, in1) interior */
    if (in1 > ow)
        in1 = ow;
    if (in0 > in1)
        in0 = in1;
    int ox = 0;
    for (;; ox++) {
        if (ox == in0)
            for (; ox + 8 <= in1; ox += 8) {
                const float *s = row + ox - pad;
                __m256 m = _mm256_loadu_ps(s);
                for (int kx = 1; kx < k; kx++)
                    m = nanmax8(m, _mm256_loadu_ps(s + kx));
                _mm256_storeu_ps(dst + ox, m);
            }
        if (ox >= ow)
            break;
        int lo = ox - pad, kx0 = lo < 0 ? -lo : 0, kx1 = iw - lo < k ? iw - lo : k;
        float m = -INFINITY;
        for (int kx = kx0; kx < kx1; kx++)
            m = nanmax1(m, row[lo + kx]);
        dst[ox] = m;
    }
}

__attribute__((target("avx2"))) void gy_f32_maxpool2d_task__avx2(const gy_pool_run *r,
                                                                  size_t task, float *scratch)
{
    if (r->stride != 1) {
        gy_f32_maxpool2d_task__generic(r, task, scratch);
        return;
    }
    int plane = r->oh * r->ow;
    int per = plane >= POOL_PIXELS ? 1 : (POOL_PIXELS + plane - 1) / plane;
    if (per > r->c)
        per = r->c > 0 ? r->c : 1;
    int c0 = (int)task * per, c1 = c0 + per < r->c ? c0 + per : r->c;
    int ow = r->ow;
    for (int ch = c0; ch < c1; ch++) {
        const float *src = r->in + (size_t)ch * r->ih * r->iw;
        float *dst = r->out + (size_t)ch * r->oh * ow;
        for (int y = 0; y < r->ih; y++)
            row_max(src + (size_t)y * r->iw, r->iw, ow, r->k, r->pad, scratch + (size_t)y * ow);
        for (int oy = 0; oy < r->oh; oy++) {
            int lo = oy - r->pad, ky0 = lo < 0 ? -lo : 0, ky1 = r->ih - lo < r->k ? r->ih - lo : r->k;
            float *d = dst + (size_t)oy * ow;
            int ox = 0;
            for (; ox + 8 <= ow; ox += 8) {
                __m256 m = _mm256_set1_ps(-INFINITY);
                for (int ky = ky0; ky < ky1; ky++)
                    m = nanmax8(m, _mm256_loadu_ps(scratch + (size_t)(lo + ky) * ow + ox));
                _mm256_storeu_ps(d + ox, m);
            }
            for (; ox < ow; ox++) {
                float m = -INFINITY;
                for (int ky = ky0; ky < ky1; ky++)
                    m = nanmax1(m, scratch[(size_t)(lo + ky) * ow + ox]);
                d[ox] = m;
            }
        }
    }
}

#endif

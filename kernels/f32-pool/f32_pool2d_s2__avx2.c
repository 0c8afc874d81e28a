/* f32_pool2d_s2__avx2.c - stride-2 max and average pooling with AVX2, 8 outputs per vector
 * on the row ring of f32_pool2d_s2.h (the same results as the portable task, bit for bit). */
#include "kernels/f32-pool/f32_pool2d_s2.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <math.h>

#include "kernels/x32-split2/x32_split2.h"

#define T256 __attribute__((target("avx2,fma")))
#define INLINE256 T256 static inline __attribute__((always_inline))

INLINE256 __m256i lanes8(int n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* acc, then v: the reference's `if (v > m || isnan(v)) m = v` (maxps returns its second operand
 * on ties and NaN; a NaN v is blended in). */
INLINE256 __m256 max_step(__m256 acc, __m256 v)
{
    __m256 m = _mm256_max_ps(v, acc);
    return _mm256_blendv_ps(m, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

/* One channel; AVG and K constant in the inlined copies. div: the divisor's column factors. */
INLINE256 void channel(const int AVG, const int K, const gy_pool_run *r, int ch, gy_pool_ring *g,
                       const float *divx)
{
    const float *plane = r->in + (size_t)ch * r->ih * r->iw;
    float *dst = r->out + (size_t)ch * r->oh * r->ow;
    int off[GY_POOL_MAX_K];
    for (int kx = 0; kx < K; kx++)
        off[kx] = (kx & 1) * g->phase_len + kx / 2;
    gy_pool_ring_reset(g, r);
    for (int oy = 0; oy < r->oh; oy++) {
        const float *rows[GY_POOL_MAX_K];
        int nr = 0, y0 = oy * 2 - r->pad;
        for (int ky = 0; ky < K; ky++)
            if (y0 + ky >= 0 && y0 + ky < r->ih)
                rows[nr++] = gy_pool_ring_row(g, r, plane, y0 + ky, gy_x32_split2__avx2);
        float *d = dst + (size_t)oy * r->ow;
        __m256 sy = _mm256_set1_ps(0.0f);
        if (AVG) {
            int a, b, span;
            gy_avgpool_window(oy, K, 2, r->pad, r->ih, &a, &b, &span);
            sy = _mm256_set1_ps((float)span);
        }
        for (int x = 0; x < r->ow; x += 8) {
            __m256 acc = AVG ? _mm256_setzero_ps() : _mm256_set1_ps(-INFINITY);
            for (int i = 0; i < nr; i++)
                for (int kx = 0; kx < K; kx++) {
                    __m256 v = _mm256_loadu_ps(rows[i] + off[kx] + x);
                    acc = AVG ? _mm256_add_ps(acc, v) : max_step(acc, v);
                }
            if (AVG) /* span_y * span_x, both small integers: exact in float */
                acc = _mm256_div_ps(acc, _mm256_mul_ps(sy, _mm256_loadu_ps(divx + x)));
            if (r->ow - x >= 8)
                _mm256_storeu_ps(d + x, acc);
            else
                _mm256_maskstore_ps(d + x, lanes8(r->ow - x), acc);
        }
    }
}

T256 static void task(const int AVG, const gy_pool_run *r, size_t t, float *scratch)
{
    int c0, c1;
    gy_pool_task_channels(r, t, &c0, &c1);
    gy_pool_ring g;
    gy_pool_ring_init(&g, r, AVG ? 0.0f : -INFINITY, scratch);
    /* the column factors of the average's divisors, after the ring (8 floats of slack) */
    float *divx = scratch + gy_pool_s2_ring_floats(r);
    if (AVG)
        for (int ox = 0; ox < r->ow + 8; ox++) {
            int a, b, span = 1;
            if (ox < r->ow)
                gy_avgpool_window(ox, r->k, 2, r->pad, r->iw, &a, &b, &span);
            divx[ox] = (float)span;
        }
    for (int ch = c0; ch < c1; ch++) {
        if (r->k == 3)
            AVG ? channel(1, 3, r, ch, &g, divx) : channel(0, 3, r, ch, &g, divx);
        else if (r->k == 2)
            AVG ? channel(1, 2, r, ch, &g, divx) : channel(0, 2, r, ch, &g, divx);
        else
            AVG ? channel(1, r->k, r, ch, &g, divx) : channel(0, r->k, r, ch, &g, divx);
    }
}

T256 void gy_f32_maxpool2d_s2_task__avx2(const gy_pool_run *r, size_t t, float *scratch)
{
    task(0, r, t, scratch);
}

T256 void gy_f32_avgpool2d_s2_task__avx2(const gy_pool_run *r, size_t t, float *scratch)
{
    task(1, r, t, scratch);
}

#endif

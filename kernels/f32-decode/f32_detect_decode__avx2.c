/* f32_detect_decode__avx2.c - the Detect decode for 8 anchors per vector: DFL softmax with the
 * max subtracted, expectation over the bins, dist2bbox, class sigmoids. exp is a polynomial
 * (Cephes' range reduction and degree-5 polynomial, about 1 ulp); inputs are clamped to
 * [-87, 88] so 2^n stays a normal float (no inf, no NaN): sigmoid still reaches 0 and 1. The last
 * count % 8 anchors of a block are decoded by the generic code. */
#include "kernels/f32-decode/detect_decode.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <math.h>

__attribute__((target("avx2,fma"))) static inline __m256 exp8(__m256 x)
{
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    __m256 fx = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(fx), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

__attribute__((target("avx2,fma"))) void gy_f32_detect_decode_task__avx2(const gy_decode_run *r,
                                                                         size_t task,
                                                                         float *scratch)
{
    (void)scratch;
    int l, pos0, count;
    int base = gy_f32_detect_decode_span(r, task, &l, &pos0, &count);
    int hw = r->hs[l] * r->ws[l], reg = r->reg_max, ws = r->ws[l];
    const float *map = r->levels[l];
    __m256 stride = _mm256_set1_ps((float)r->strides[l]), half = _mm256_set1_ps(0.5f);
    __m256 one = _mm256_set1_ps(1.0f);
    size_t A = (size_t)r->anchors;
    int pos = pos0, end = pos0 + count;
    for (; pos + 8 <= end; pos += 8) {
        __m256 dist[4];
        for (int side = 0; side < 4; side++) {
            __m256 v[64];
            __m256 m = _mm256_set1_ps(-INFINITY);
            for (int i = 0; i < reg; i++) {
                v[i] = _mm256_loadu_ps(map + (size_t)(side * reg + i) * hw + pos);
                m = _mm256_max_ps(m, v[i]);
            }
            __m256 sum = _mm256_setzero_ps(), wsum = _mm256_setzero_ps();
            for (int i = 0; i < reg; i++) {
                __m256 e = exp8(_mm256_sub_ps(v[i], m));
                sum = _mm256_add_ps(sum, e);
                wsum = _mm256_fmadd_ps(e, _mm256_set1_ps(r->bins[i]), wsum);
            }
            dist[side] = _mm256_div_ps(wsum, sum);
        }
        float axs[8], ays[8];
        for (int j = 0; j < 8; j++) {
            axs[j] = (float)((pos + j) % ws) + 0.5f;
            ays[j] = (float)((pos + j) / ws) + 0.5f;
        }
        __m256 ax = _mm256_loadu_ps(axs), ay = _mm256_loadu_ps(ays);
        __m256 x1 = _mm256_sub_ps(ax, dist[0]), y1 = _mm256_sub_ps(ay, dist[1]);
        __m256 x2 = _mm256_add_ps(ax, dist[2]), y2 = _mm256_add_ps(ay, dist[3]);
        float *o = r->out + (size_t)base + (size_t)pos;
        _mm256_storeu_ps(o, _mm256_mul_ps(_mm256_mul_ps(_mm256_add_ps(x1, x2), half), stride));
        _mm256_storeu_ps(o + A, _mm256_mul_ps(_mm256_mul_ps(_mm256_add_ps(y1, y2), half), stride));
        _mm256_storeu_ps(o + 2 * A, _mm256_mul_ps(_mm256_sub_ps(x2, x1), stride));
        _mm256_storeu_ps(o + 3 * A, _mm256_mul_ps(_mm256_sub_ps(y2, y1), stride));
        for (int c = 0; c < r->nc; c++) {
            __m256 v = _mm256_loadu_ps(map + (size_t)(4 * reg + c) * hw + pos);
            __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), v));
            _mm256_storeu_ps(o + (size_t)(4 + c) * A, _mm256_div_ps(one, _mm256_add_ps(one, e)));
        }
    }
    if (pos < end)
        gy_f32_detect_decode_range__generic(r, l, base, pos, end - pos);
}

#endif

/* fma_peak__avx2.c - the FMA limit with 256-bit vectors: 12 independent chains (enough to
 * cover the FMA latency on two pipes), all in registers. */
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) double gy_fma_peak_run__avx2(long iters, float *sink)
{
    __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
    __m256 c0 = _mm256_set1_ps(0.5f + 0.01f * 0);
    __m256 c1 = _mm256_set1_ps(0.5f + 0.01f * 1);
    __m256 c2 = _mm256_set1_ps(0.5f + 0.01f * 2);
    __m256 c3 = _mm256_set1_ps(0.5f + 0.01f * 3);
    __m256 c4 = _mm256_set1_ps(0.5f + 0.01f * 4);
    __m256 c5 = _mm256_set1_ps(0.5f + 0.01f * 5);
    __m256 c6 = _mm256_set1_ps(0.5f + 0.01f * 6);
    __m256 c7 = _mm256_set1_ps(0.5f + 0.01f * 7);
    __m256 c8 = _mm256_set1_ps(0.5f + 0.01f * 8);
    __m256 c9 = _mm256_set1_ps(0.5f + 0.01f * 9);
    __m256 c10 = _mm256_set1_ps(0.5f + 0.01f * 10);
    __m256 c11 = _mm256_set1_ps(0.5f + 0.01f * 11);
    for (long i = 0; i < iters; i++) {
        c0 = _mm256_fmadd_ps(c0, a, b);
        c1 = _mm256_fmadd_ps(c1, a, b);
        c2 = _mm256_fmadd_ps(c2, a, b);
        c3 = _mm256_fmadd_ps(c3, a, b);
        c4 = _mm256_fmadd_ps(c4, a, b);
        c5 = _mm256_fmadd_ps(c5, a, b);
        c6 = _mm256_fmadd_ps(c6, a, b);
        c7 = _mm256_fmadd_ps(c7, a, b);
        c8 = _mm256_fmadd_ps(c8, a, b);
        c9 = _mm256_fmadd_ps(c9, a, b);
        c10 = _mm256_fmadd_ps(c10, a, b);
        c11 = _mm256_fmadd_ps(c11, a, b);
    }
    __m256 s = _mm256_setzero_ps();
    s = _mm256_add_ps(s, c0);
    s = _mm256_add_ps(s, c1);
    s = _mm256_add_ps(s, c2);
    s = _mm256_add_ps(s, c3);
    s = _mm256_add_ps(s, c4);
    s = _mm256_add_ps(s, c5);
    s = _mm256_add_ps(s, c6);
    s = _mm256_add_ps(s, c7);
    s = _mm256_add_ps(s, c8);
    s = _mm256_add_ps(s, c9);
    s = _mm256_add_ps(s, c10);
    s = _mm256_add_ps(s, c11);
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
    *sink = _mm_cvtss_f32(q);
    return 2.0 * 12 * 8 * (double)iters;
}

#endif

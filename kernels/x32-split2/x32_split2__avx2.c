/* x32_split2__avx2.c - even / odd columns with AVX2 (x32_split2.h): 16 columns per step (shuffle
 * the pairs, then order the 64-bit halves), a scalar tail. */
#include "kernels/x32-split2/x32_split2.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) void gy_x32_split2__avx2(const float *src, int n, float *even,
                                                             float *odd)
{
    int x = 0;
    for (; x + 16 <= n; x += 16) {
        __m256 a = _mm256_loadu_ps(src + x), b = _mm256_loadu_ps(src + x + 8);
        __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
        __m256 o = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
        _mm256_storeu_ps(even + x / 2,
                         _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xd8)));
        _mm256_storeu_ps(odd + x / 2,
                         _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), 0xd8)));
    }
    gy_x32_split2__generic(src + x, n - x, even + x / 2, odd + x / 2);
}

#endif

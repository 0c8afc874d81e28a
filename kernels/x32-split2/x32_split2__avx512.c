/* x32_split2__avx512.c - even / odd columns with AVX-512 (x32_split2.h): 32 columns per step,
 * a masked tail. */
#include "kernels/x32-split2/x32_split2.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) void
gy_x32_split2__avx512(const float *src, int n, float *even, float *odd)
{
    const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    int x = 0;
    for (; x + 32 <= n; x += 32) { /* unmasked: masked loads are much slower on Zen */
        __m512 a = _mm512_loadu_ps(src + x), b = _mm512_loadu_ps(src + x + 16);
        _mm512_storeu_ps(even + x / 2, _mm512_permutex2var_ps(a, ev, b));
        _mm512_storeu_ps(odd + x / 2, _mm512_permutex2var_ps(a, od, b));
    }
    if (x < n) {
        int r = n - x, ne = (r + 1) / 2, no = r / 2;
        __mmask16 ma = r >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << r) - 1u);
        __mmask16 mb = r <= 16 ? (__mmask16)0 : (__mmask16)((1u << (r - 16)) - 1u);
        __m512 a = _mm512_maskz_loadu_ps(ma, src + x), b = _mm512_maskz_loadu_ps(mb, src + x + 16);
        _mm512_mask_storeu_ps(even + x / 2, (__mmask16)((1u << ne) - 1u),
                              _mm512_permutex2var_ps(a, ev, b));
        _mm512_mask_storeu_ps(odd + x / 2, (__mmask16)((1u << no) - 1u),
                              _mm512_permutex2var_ps(a, od, b));
    }
}

#endif

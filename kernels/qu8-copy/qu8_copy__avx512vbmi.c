/* qu8_copy__avx512vbmi.c - the requantizing table with AVX-512 VBMI: the 256 entries in four
 * registers, vpermi2b looks up the low 7 bits of 64 bytes in each half, the top bit picks the
 * half. */
#include "kernels/kernels_qu8.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void
gy_qu8_lut__avx512vbmi(const uint8_t *src, uint8_t *dst, size_t n, const uint8_t *lut)
{
    const __m512i t0 = _mm512_loadu_si512(lut), t1 = _mm512_loadu_si512(lut + 64);
    const __m512i t2 = _mm512_loadu_si512(lut + 128), t3 = _mm512_loadu_si512(lut + 192);
    for (size_t i = 0; i < n; i += 64) {
        const __mmask64 keep = n - i >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n - i)) - 1;
        __m512i x = _mm512_maskz_loadu_epi8(keep, src + i);
        __m512i lo = _mm512_permutex2var_epi8(t0, x, t1), hi = _mm512_permutex2var_epi8(t2, x, t3);
        _mm512_mask_storeu_epi8(dst + i, keep, _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), lo, hi));
    }
}

#endif

/* int8_peak__avx2.c - the int8 limit with AVX2 and no VNNI: 8 independent chains of
 * vpmaddubsw (32 u8 x s8 products, summed in pairs to int16) + vpmaddwd by ones (pairs to int32)
 * + vpaddd, the int8 kernels' inner step, all in registers. */
#include "kernels/kernels_qu8.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* each chain has its own weights, so no two products are the same expression (the compiler
 * would compute a shared one once) */
#define STEP(c, b) c = _mm256_add_epi32(c, _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), one))

__attribute__((target("avx2,fma"))) double gy_int8_peak_run__avx2(long iters, int *sink)
{
    __m256i a = _mm256_set1_epi8(3), one = _mm256_set1_epi16(1);
    __m256i b0 = _mm256_set1_epi8(-5), b1 = _mm256_set1_epi8(-4), b2 = _mm256_set1_epi8(-3);
    __m256i b3 = _mm256_set1_epi8(-2), b4 = _mm256_set1_epi8(2), b5 = _mm256_set1_epi8(3);
    __m256i b6 = _mm256_set1_epi8(4), b7 = _mm256_set1_epi8(5);
    __m256i c0 = _mm256_set1_epi32(0), c1 = _mm256_set1_epi32(1), c2 = _mm256_set1_epi32(2);
    __m256i c3 = _mm256_set1_epi32(3), c4 = _mm256_set1_epi32(4), c5 = _mm256_set1_epi32(5);
    __m256i c6 = _mm256_set1_epi32(6), c7 = _mm256_set1_epi32(7);
    for (long i = 0; i < iters; i++) {
        STEP(c0, b0); STEP(c1, b1); STEP(c2, b2); STEP(c3, b3);
        STEP(c4, b4); STEP(c5, b5); STEP(c6, b6); STEP(c7, b7);
        __asm__ volatile("" : "+x"(a));
    }
    c0 = _mm256_add_epi32(_mm256_add_epi32(c0, c1), _mm256_add_epi32(c2, c3));
    c4 = _mm256_add_epi32(_mm256_add_epi32(c4, c5), _mm256_add_epi32(c6, c7));
    c0 = _mm256_add_epi32(c0, c4);
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(c0), _mm256_extracti128_si256(c0, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    *sink = _mm_cvtsi128_si32(s);
    return 2.0 * 32 * 8 * (double)iters;
}

#endif

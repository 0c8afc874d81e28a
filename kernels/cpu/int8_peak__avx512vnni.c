/* int8_peak__avx512vnni.c - the int8 limit with AVX-512 VNNI: 12 independent vpdpbusd chains
 * (64 u8 x s8 multiply-adds each), all in registers. Twelve cover the instruction's latency on
 * two pipes (Zen 4/5: 2 per cycle; Ice Lake and later: 1). */
#include "kernels/kernels_qu8.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define STEP(c) c = _mm512_dpbusd_epi32(c, a, b)

__attribute__((target("avx512f,avx512bw,avx512vnni,avx2"))) double
gy_int8_peak_run__avx512vnni(long iters, int *sink)
{
    __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-5);
    __m512i c0 = _mm512_set1_epi32(0), c1 = _mm512_set1_epi32(1), c2 = _mm512_set1_epi32(2);
    __m512i c3 = _mm512_set1_epi32(3), c4 = _mm512_set1_epi32(4), c5 = _mm512_set1_epi32(5);
    __m512i c6 = _mm512_set1_epi32(6), c7 = _mm512_set1_epi32(7), c8 = _mm512_set1_epi32(8);
    __m512i c9 = _mm512_set1_epi32(9), c10 = _mm512_set1_epi32(10), c11 = _mm512_set1_epi32(11);
    for (long i = 0; i < iters; i++) {
        STEP(c0); STEP(c1); STEP(c2); STEP(c3); STEP(c4); STEP(c5);
        STEP(c6); STEP(c7); STEP(c8); STEP(c9); STEP(c10); STEP(c11);
        __asm__ volatile("" : "+v"(a)); /* a is "changed": the chains are not folded */
    }
    c0 = _mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3));
    c4 = _mm512_add_epi32(_mm512_add_epi32(c4, c5), _mm512_add_epi32(c6, c7));
    c8 = _mm512_add_epi32(_mm512_add_epi32(c8, c9), _mm512_add_epi32(c10, c11));
    /* the sums wrap (as the chains do): vector adds, not _mm512_reduce_add_epi32's C int adds */
    __m512i v = _mm512_add_epi32(c0, _mm512_add_epi32(c4, c8));
    __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    __m128i x = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0x4e));
    x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0xb1));
    *sink = _mm_cvtsi128_si32(x);
    return 2.0 * 64 * 12 * (double)iters;
}

#endif

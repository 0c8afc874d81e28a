/* fma_peak__avx512.c - the FMA limit with 512-bit vectors: 16 independent chains (enough to
 * cover the FMA latency on two pipes), all in registers. */
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx512f"))) double gy_fma_peak_run__avx512(long iters, float *sink)
{
    __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
    __m512 c0 = _mm512_set1_ps(0.5f + 0.01f * 0);
    __m512 c1 = _mm512_set1_ps(0.5f + 0.01f * 1);
    __m512 c2 = _mm512_set1_ps(0.5f + 0.01f * 2);
    __m512 c3 = _mm512_set1_ps(0.5f + 0.01f * 3);
    __m512 c4 = _mm512_set1_ps(0.5f + 0.01f * 4);
    __m512 c5 = _mm512_set1_ps(0.5f + 0.01f * 5);
    __m512 c6 = _mm512_set1_ps(0.5f + 0.01f * 6);
    __m512 c7 = _mm512_set1_ps(0.5f + 0.01f * 7);
    __m512 c8 = _mm512_set1_ps(0.5f + 0.01f * 8);
    __m512 c9 = _mm512_set1_ps(0.5f + 0.01f * 9);
    __m512 c10 = _mm512_set1_ps(0.5f + 0.01f * 10);
    __m512 c11 = _mm512_set1_ps(0.5f + 0.01f * 11);
    __m512 c12 = _mm512_set1_ps(0.5f + 0.01f * 12);
    __m512 c13 = _mm512_set1_ps(0.5f + 0.01f * 13);
    __m512 c14 = _mm512_set1_ps(0.5f + 0.01f * 14);
    __m512 c15 = _mm512_set1_ps(0.5f + 0.01f * 15);
    for (long i = 0; i < iters; i++) {
        c0 = _mm512_fmadd_ps(c0, a, b);
        c1 = _mm512_fmadd_ps(c1, a, b);
        c2 = _mm512_fmadd_ps(c2, a, b);
        c3 = _mm512_fmadd_ps(c3, a, b);
        c4 = _mm512_fmadd_ps(c4, a, b);
        c5 = _mm512_fmadd_ps(c5, a, b);
        c6 = _mm512_fmadd_ps(c6, a, b);
        c7 = _mm512_fmadd_ps(c7, a, b);
        c8 = _mm512_fmadd_ps(c8, a, b);
        c9 = _mm512_fmadd_ps(c9, a, b);
        c10 = _mm512_fmadd_ps(c10, a, b);
        c11 = _mm512_fmadd_ps(c11, a, b);
        c12 = _mm512_fmadd_ps(c12, a, b);
        c13 = _mm512_fmadd_ps(c13, a, b);
        c14 = _mm512_fmadd_ps(c14, a, b);
        c15 = _mm512_fmadd_ps(c15, a, b);
    }
    __m512 s = _mm512_setzero_ps();
    s = _mm512_add_ps(s, c0);
    s = _mm512_add_ps(s, c1);
    s = _mm512_add_ps(s, c2);
    s = _mm512_add_ps(s, c3);
    s = _mm512_add_ps(s, c4);
    s = _mm512_add_ps(s, c5);
    s = _mm512_add_ps(s, c6);
    s = _mm512_add_ps(s, c7);
    s = _mm512_add_ps(s, c8);
    s = _mm512_add_ps(s, c9);
    s = _mm512_add_ps(s, c10);
    s = _mm512_add_ps(s, c11);
    s = _mm512_add_ps(s, c12);
    s = _mm512_add_ps(s, c13);
    s = _mm512_add_ps(s, c14);
    s = _mm512_add_ps(s, c15);
    *sink = _mm512_reduce_add_ps(s);
    return 2.0 * 16 * 16 * (double)iters;
}

#endif

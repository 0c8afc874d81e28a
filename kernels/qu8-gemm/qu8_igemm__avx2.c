/* qu8_igemm__avx2.c - the int8 tile with AVX2 and no VNNI: vpmaddubsw multiplies the broadcast
 * pixel bytes (u8) by the weights (s8) and adds adjacent products into int16, vpmaddwd by ones
 * adds those pairs into int32, vpaddd accumulates.
 *
 * int16 saturation: vpmaddubsw saturates x0 w0 + x1 w1 to [-32768, 32767], and 255 * 127 * 2 =
 * 64770 does not fit. A pair cannot saturate when its two weights have opposite signs (|sum| <=
 * 255 * 128 = 32640) or when |w0| + |w1| <= 128 (same bound): weights quantized to 7 bits
 * ([-64, 63], `ghostyolo quantize --weight-bits 7`, what ONNX Runtime's reduce_range and
 * oneDNN's weight scaling do for CPUs without VNNI) always pass, and so do most pairs of 8-bit
 * weights. The packing (qu8_conv2d.c) checks every pair of every conv; when one could saturate,
 * the conv's weights are split w = a + b with a = clamp(w, -64, 63) and b = w - a (both halves
 * pass) and each step runs twice (`sets` = 2, twice the cost), so the result is always exact. */
#include <string.h>

#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TV __attribute__((target("avx2,fma")))
#define INLINEV TV static inline __attribute__((always_inline))

INLINEV __m256i bcast4(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

INLINEV __m256i dot(__m256i acc, __m256i b, __m256i w, __m256i one)
{
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(b, w), one));
}

INLINEV void tile(const gy_qu8_tile *t, const int MR, const int NV, const int SETS)
{
    __m256i acc[8][2];
#pragma GCC unroll 8
    for (int m = 0; m < MR; m++)
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++)
            acc[m][v] = _mm256_setzero_si256();
    const __m256i one = _mm256_set1_epi16(1);
    const uint8_t *a[8];
#pragma GCC unroll 8
    for (int m = 0; m < MR; m++)
        a[m] = t->a + (m < t->mr ? m : t->mr - 1) * t->pstep;
    const int8_t *w = t->w;
    const int kc = t->kc;
    for (int tap = 0; tap < t->ntaps; tap++) {
        const ptrdiff_t off = t->tapoff[tap];
        const uint8_t *p[8];
#pragma GCC unroll 8
        for (int m = 0; m < MR; m++)
            p[m] = a[m] + off;
        for (int k = 0; k < kc; k += 4) {
            __m256i wv[2];
#pragma GCC unroll 2
            for (int v = 0; v < NV; v++)
                wv[v] = _mm256_load_si256((const __m256i *)(const void *)(w + 32 * v));
#pragma GCC unroll 8
            for (int m = 0; m < MR; m++) {
                const __m256i b = bcast4(p[m] + k);
#pragma GCC unroll 2
                for (int v = 0; v < NV; v++) {
                    acc[m][v] = dot(acc[m][v], b, wv[v], one);
                    if (SETS == 2) /* the second half of split weights, read from memory */
                        acc[m][v] = dot(acc[m][v], b,
                                        _mm256_load_si256((const __m256i *)(const void *)(w + 32 * (NV + v))),
                                        one);
                }
            }
            w += 32 * NV * SETS;
        }
    }
#pragma GCC unroll 8
    for (int m = 0; m < MR; m++) {
        if (m >= t->mr)
            break;
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++)
            if (8 * v < t->nvalid)
                gy_qu8_epilogue256(t, acc[m][v], 8 * v, m,
                                   t->nvalid - 8 * v < 8 ? t->nvalid - 8 * v : 8);
    }
}

TV static void tile_5x2(const gy_qu8_tile *t) { tile(t, 5, 2, 1); }
TV static void tile_8x1(const gy_qu8_tile *t) { tile(t, 8, 1, 1); }
TV static void tile_5x2s(const gy_qu8_tile *t) { tile(t, 5, 2, 2); }
TV static void tile_8x1s(const gy_qu8_tile *t) { tile(t, 8, 1, 2); }

void gy_qu8_igemm_tile__avx2(const gy_qu8_tile *t)
{
    if (t->sets == 2) {
        if (t->nv == 2)
            tile_5x2s(t);
        else
            tile_8x1s(t);
    } else if (t->nv == 2) {
        tile_5x2(t);
    } else {
        tile_8x1(t);
    }
}

#endif

/* qu8_igemm__avx512vnni.c - the int8 tile with AVX-512 VNNI: for each tap and each 4 input
 * channels, one broadcast of each pixel's 4 bytes (u8) against nv weight vectors of 16 output
 * channels x 4 bytes (s8), one vpdpbusd per (pixel, vector): 64 exact multiply-adds into 16
 * int32 accumulators. The weights stay in registers for the tile's pixels; the accumulators
 * stay in registers for the whole K loop (tap by tap, input channels in steps of 4), then the
 * fused epilogue (qu8_epilogue.h) writes uint8 (or float) outputs. vpdpbusd (not the saturating
 * vpdpbusds) wraps, which never happens: |sum| <= K * 255 * 128 < 2^31 for K < 65793. */
#include <string.h>

#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TV __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512vnni,avx2,fma")))
#define INLINEV TV static inline __attribute__((always_inline))

INLINEV __m512i bcast4(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

INLINEV __mmask16 keep16(int n)
{
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u);
}

/* MR pixels x NV vectors; the pixels past t->mr repeat the last one (computed, not stored). */
INLINEV void tile(const gy_qu8_tile *t, const int MR, const int NV)
{
    __m512i acc[8][4];
#pragma GCC unroll 8
    for (int m = 0; m < MR; m++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            acc[m][v] = _mm512_setzero_si512();
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
            __m512i wv[4];
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++)
                wv[v] = _mm512_load_si512((const void *)(w + 64 * v));
            w += 64 * NV;
#pragma GCC unroll 8
            for (int m = 0; m < MR; m++) {
                const __m512i b = bcast4(p[m] + k);
#pragma GCC unroll 4
                for (int v = 0; v < NV; v++)
                    acc[m][v] = _mm512_dpbusd_epi32(acc[m][v], b, wv[v]);
            }
        }
    }
    if (t->out) {
#pragma GCC unroll 8
        for (int m = 0; m < MR; m++) {
            if (m >= t->mr)
                break;
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++)
                if (16 * v < t->nvalid) {
                    const __mmask16 keep = keep16(t->nvalid - 16 * v);
                    gy_qu8_store512(t, gy_qu8_value512(t, acc[m][v], 16 * v, m, keep), 16 * v, m, keep);
                }
        }
        return;
    }
    /* float output (planes): the tile's pixels of each channel are gathered in fb first, then
     * each channel's run of mr pixels is one masked store. Only the mr real pixels: a residual
     * is read per pixel, and the pixels past mr would read it past its last pixel */
    float fb[64 * 8];
    const __m512i rows = _mm512_setr_epi32(0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104,
                                           112, 120);
#pragma GCC unroll 8
    for (int m = 0; m < MR; m++) {
        if (m >= t->mr)
            break;
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            _mm512_i32scatter_ps(fb + 128 * v + m, rows,
                                 gy_qu8_value512(t, acc[m][v], 16 * v, m, keep16(t->nvalid - 16 * v)), 4);
    }
    const __mmask8 px = (__mmask8)((1u << t->mr) - 1u);
    for (int j = 0; j < t->nvalid; j++)
        _mm256_mask_storeu_ps(t->outf + (size_t)j * t->outf_plane, px, _mm256_loadu_ps(fb + 8 * j));
}

TV static void tile_6x4(const gy_qu8_tile *t) { tile(t, 6, 4); }
TV static void tile_8x3(const gy_qu8_tile *t) { tile(t, 8, 3); }
TV static void tile_8x2(const gy_qu8_tile *t) { tile(t, 8, 2); }
TV static void tile_8x1(const gy_qu8_tile *t) { tile(t, 8, 1); }

void gy_qu8_igemm_tile__avx512vnni(const gy_qu8_tile *t)
{
    switch (t->nv) {
    case 4: tile_6x4(t); break;
    case 3: tile_8x3(t); break;
    case 2: tile_8x2(t); break;
    default: tile_8x1(t); break;
    }
}

#endif

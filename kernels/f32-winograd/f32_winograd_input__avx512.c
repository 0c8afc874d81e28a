/* f32_winograd_input__avx512.c - the input transform of Winograd F(4x4, 3x3) with AVX-512
 * (f32_conv2d_winograd.c's contract: V[xi][ci][32 tiles] = B^T d B of each tile's 6x6 patch).
 * For each run of tiles on one tile row, the column transform (B^T over the 6 input rows) runs
 * first on whole row segments, 16 input columns per vector, into a small buffer; then, 16 tiles
 * at a time, the buffer's columns 4q + j (j = 0..5) are separated into six vectors (lanes = tiles)
 * with two rounds of permutes plus two lane shifts, and the row transform (B over j) gives the
 * six positions of that row. Input outside the map reads as zero (masked and expanding loads
 * that touch only elements inside the input row). */
#include "kernels/f32-winograd/winograd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define WT GY_WINOGRAD_WT
#define SEG (4 * WT + 16) /* buffer columns: 4 per tile, the 2 of the last tile's overlap, and
                           * the reach of the 16-column loads */

T512 static inline __mmask16 lanes_from(int lo, int hi) /* lanes [lo, hi) of [0, 16) */
{
    if (lo < 0)
        lo = 0;
    if (hi > 16)
        hi = 16;
    if (hi <= lo)
        return 0;
    return (__mmask16)(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

/* B^T applied to six values (the rows or the columns of a patch). */
#define BT(d0, d1, d2, d3, d4, d5, t0, t1, t2, t3, t4, t5)                                       \
    {                                                                                              \
        __m512 s12 = _mm512_add_ps(d1, d2), e34 = _mm512_add_ps(d3, d4);                          \
        __m512 n12 = _mm512_sub_ps(d1, d2), f43 = _mm512_sub_ps(d4, d3);                           \
        __m512 g42 = _mm512_sub_ps(d4, d2), n13 = _mm512_sub_ps(d1, d3);                           \
        t0 = _mm512_fmadd_ps(_mm512_set1_ps(4.0f), d0, _mm512_fmadd_ps(_mm512_set1_ps(-5.0f), d2, d4)); \
        t1 = _mm512_fmadd_ps(_mm512_set1_ps(-4.0f), s12, e34);                                    \
        t2 = _mm512_fmadd_ps(_mm512_set1_ps(4.0f), n12, f43);                                     \
        t3 = _mm512_fmadd_ps(_mm512_set1_ps(-2.0f), n13, g42);                                    \
        t4 = _mm512_fmadd_ps(_mm512_set1_ps(2.0f), n13, g42);                                     \
        t5 = _mm512_fmadd_ps(_mm512_set1_ps(4.0f), d1, _mm512_fmadd_ps(_mm512_set1_ps(-5.0f), d3, d5)); \
    }

/* 16 input columns [x, x + 16) of row `row` (NULL: outside the map), zero outside [0, iw). */
T512 static inline __m512 load_cols(const float *row, int x, int iw)
{
    if (!row || x >= iw || x + 16 <= 0)
        return _mm512_setzero_ps();
    if (x >= 0)
        return _mm512_maskz_loadu_ps(lanes_from(0, iw - x), row + x);
    /* lanes [-x, 16) hold row[0 ..]: an expanding load reads only elements inside the row */
    return _mm512_maskz_expandloadu_ps(lanes_from(-x, iw - x), row);
}

T512 void gy_f32_winograd_input__avx512(const gy_conv_run *r, int tw, int ntiles, int ci, int t0,
                                        float *V, size_t vstride)
{
    const gy_conv *c = r->p;
    const float *plane = r->in + (size_t)ci * r->ih * r->iw;
    float *v0 = V + (size_t)ci * WT;
    __attribute__((aligned(64))) float tb[6][SEG];
    /* tile q of a 16-tile group: its phase-j column is buffer column 4q + j */
    const __m512i ev = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 2, 6, 10, 14, 18, 22, 26, 30);
    const __m512i od = _mm512_setr_epi32(1, 5, 9, 13, 17, 21, 25, 29, 3, 7, 11, 15, 19, 23, 27, 31);
    int j = 0;
    while (j < WT) {
        int t = t0 + j;
        if (t >= ntiles) { /* past the grid: zero lanes [j, 32) */
            for (int xi = 0; xi < 36; xi++)
                for (int q = j; q < WT; q++)
                    v0[(size_t)xi * vstride + q] = 0.0f;
            break;
        }
        int ty = t / tw, tx = t % tw;
        int run = tw - tx < WT - j ? tw - tx : WT - j;
        int x0 = tx * 4 - c->pw, iy0 = ty * 4 - c->ph;
        const float *rows[6];
        int allrows = 1;
        for (int a = 0; a < 6; a++) {
            int iy = iy0 + a;
            rows[a] = iy >= 0 && iy < r->ih ? plane + (size_t)iy * r->iw : NULL;
            allrows &= rows[a] != NULL;
        }
        /* column transform over the rows, for the buffer columns the row transform reads */
        int ncol = 4 * ((run - 1) / 16 * 16) + 66;
        if (ci + 1 < c->cin) { /* the same rows of the next channel: planes apart, too many
                                * streams for the hardware prefetcher */
            size_t pl = (size_t)r->ih * r->iw;
            int xa = x0 < 0 ? 0 : x0, xb = x0 + ncol < r->iw ? x0 + ncol : r->iw;
            for (int a = 0; a < 6; a++)
                if (rows[a])
                    for (int x = xa; x < xb; x += 16)
                        _mm_prefetch((const char *)(rows[a] + pl + x), _MM_HINT_T0);
        }
        for (int x = 0; x < ncol; x += 16) {
            __m512 d0, d1, d2, d3, d4, d5;
            int xi = x0 + x;
            if (allrows && xi >= 0 && xi + 16 <= r->iw) { /* inside the map: plain loads */
                d0 = _mm512_loadu_ps(rows[0] + xi), d1 = _mm512_loadu_ps(rows[1] + xi);
                d2 = _mm512_loadu_ps(rows[2] + xi), d3 = _mm512_loadu_ps(rows[3] + xi);
                d4 = _mm512_loadu_ps(rows[4] + xi), d5 = _mm512_loadu_ps(rows[5] + xi);
            } else {
                d0 = load_cols(rows[0], xi, r->iw), d1 = load_cols(rows[1], xi, r->iw);
                d2 = load_cols(rows[2], xi, r->iw), d3 = load_cols(rows[3], xi, r->iw);
                d4 = load_cols(rows[4], xi, r->iw), d5 = load_cols(rows[5], xi, r->iw);
            }
            __m512 e0, e1, e2, e3, e4, e5;
            BT(d0, d1, d2, d3, d4, d5, e0, e1, e2, e3, e4, e5)
            _mm512_store_ps(tb[0] + x, e0);
            _mm512_store_ps(tb[1] + x, e1);
            _mm512_store_ps(tb[2] + x, e2);
            _mm512_store_ps(tb[3] + x, e3);
            _mm512_store_ps(tb[4] + x, e4);
            _mm512_store_ps(tb[5] + x, e5);
        }
        /* row transform, 16 tiles at a time */
        for (int g = 0; g < run; g += 16) {
            __mmask16 m = lanes_from(0, run - g);
            for (int a = 0; a < 6; a++) {
                const float *s = tb[a] + 4 * g;
                __m512 l0 = _mm512_load_ps(s), l1 = _mm512_load_ps(s + 16);
                __m512 l2 = _mm512_load_ps(s + 32), l3 = _mm512_load_ps(s + 48);
                __m512 A = _mm512_permutex2var_ps(l0, ev, l1), B = _mm512_permutex2var_ps(l0, od, l1);
                __m512 C = _mm512_permutex2var_ps(l2, ev, l3), D = _mm512_permutex2var_ps(l2, od, l3);
                __m512 p0 = _mm512_shuffle_f32x4(A, C, 0x44), p2 = _mm512_shuffle_f32x4(A, C, 0xee);
                __m512 p1 = _mm512_shuffle_f32x4(B, D, 0x44), p3 = _mm512_shuffle_f32x4(B, D, 0xee);
                /* columns 4q + 4 and 4q + 5: phases 0 and 1 of the next tile */
                __m512 p4 = _mm512_castsi512_ps(_mm512_alignr_epi32(
                    _mm512_castps_si512(_mm512_set1_ps(s[64])), _mm512_castps_si512(p0), 1));
                __m512 p5 = _mm512_castsi512_ps(_mm512_alignr_epi32(
                    _mm512_castps_si512(_mm512_set1_ps(s[65])), _mm512_castps_si512(p1), 1));
                __m512 o0, o1, o2, o3, o4, o5;
                BT(p0, p1, p2, p3, p4, p5, o0, o1, o2, o3, o4, o5)
                float *d = v0 + (size_t)(a * 6) * vstride + j + g;
                _mm512_mask_storeu_ps(d, m, o0);
                _mm512_mask_storeu_ps(d + vstride, m, o1);
                _mm512_mask_storeu_ps(d + 2 * vstride, m, o2);
                _mm512_mask_storeu_ps(d + 3 * vstride, m, o3);
                _mm512_mask_storeu_ps(d + 4 * vstride, m, o4);
                _mm512_mask_storeu_ps(d + 5 * vstride, m, o5);
            }
        }
        j += run;
    }
}

#else

void gy_f32_winograd_input__avx512(const gy_conv_run *r, int tw, int ntiles, int ci, int t0,
                                   float *V, size_t vstride)
{
    (void)r, (void)tw, (void)ntiles, (void)ci, (void)t0, (void)V, (void)vstride;
}

#endif

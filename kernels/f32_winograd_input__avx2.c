/* f32_winograd_input__avx2.c - the input transform of Winograd F(4x4, 3x3) with AVX2 + FMA, as
 * f32_winograd_input__avx512.c with 8-float vectors: per run of tiles on one tile row the column
 * transform on whole row segments into a buffer, then per 8 tiles the six stride-4 columns
 * 4q + j separated by unpacks of 128-bit halves (tile q in the low half, q + 4 in the high
 * half) and the row transform. The 32 lanes are gathered in a local V block and copied into the
 * two 16-lane B panels of the AVX2 tile at the end. */
#include <string.h>

#include "kernels/winograd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define T256 __attribute__((target("avx2,fma")))
#define WT 32
#define NR 16
#define SEG (4 * WT + 16) /* buffer columns the row transform may read */

T256 static inline __m256i lanes8(int lo, int hi) /* lanes [lo, hi) of [0, 8) */
{
    __m256i i = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(hi), i),
                            _mm256_cmpgt_epi32(_mm256_add_epi32(i, _mm256_set1_epi32(1)),
                                               _mm256_set1_epi32(lo)));
}

/* B^T applied to six values (the rows or the columns of a patch). */
#define BT(d0, d1, d2, d3, d4, d5, t0, t1, t2, t3, t4, t5)                                       \
    {                                                                                              \
        __m256 s12 = _mm256_add_ps(d1, d2), e34 = _mm256_add_ps(d3, d4);                           \
        __m256 n12 = _mm256_sub_ps(d1, d2), f43 = _mm256_sub_ps(d4, d3);                           \
        __m256 g42 = _mm256_sub_ps(d4, d2), n13 = _mm256_sub_ps(d1, d3);                           \
        t0 = _mm256_fmadd_ps(_mm256_set1_ps(4.0f), d0, _mm256_fmadd_ps(_mm256_set1_ps(-5.0f), d2, d4)); \
        t1 = _mm256_fmadd_ps(_mm256_set1_ps(-4.0f), s12, e34);                                    \
        t2 = _mm256_fmadd_ps(_mm256_set1_ps(4.0f), n12, f43);                                     \
        t3 = _mm256_fmadd_ps(_mm256_set1_ps(-2.0f), n13, g42);                                    \
        t4 = _mm256_fmadd_ps(_mm256_set1_ps(2.0f), n13, g42);                                     \
        t5 = _mm256_fmadd_ps(_mm256_set1_ps(4.0f), d1, _mm256_fmadd_ps(_mm256_set1_ps(-5.0f), d3, d5)); \
    }

/* 8 input columns [x, x + 8) of row `row` (NULL: outside the map), zero outside [0, iw): a
 * masked load over the columns inside, shifted into place when the run starts left of 0. */
T256 static inline __m256 load_cols(const float *row, int x, int iw)
{
    if (!row || x >= iw || x + 8 <= 0)
        return _mm256_setzero_ps();
    if (x >= 0)
        return _mm256_maskload_ps(row + x, lanes8(0, iw - x));
    int s = -x; /* lanes [s, 8) hold row[0, 8 - s) */
    __m256 v = _mm256_maskload_ps(row, lanes8(0, iw < 8 - s ? iw : 8 - s));
    __m256i idx = _mm256_sub_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(s));
    v = _mm256_permutevar8x32_ps(v, idx);
    return _mm256_and_ps(v, _mm256_castsi256_ps(lanes8(s, 8)));
}

/* [tile q | tile q + 4]: four columns each, from s + 4q and s + 4q + 16 */
T256 static inline __m256 halves(const float *s)
{
    return _mm256_loadu2_m128(s + 16, s);
}

T256 void gy_f32_winograd_input__avx2(const gy_conv_run *r, int tw, int ntiles, int ci, int t0,
                                      float *V, size_t vstride)
{
    const gy_conv *c = r->p;
    const float *plane = r->in + (size_t)ci * r->ih * r->iw;
    __attribute__((aligned(32))) float tb[6][SEG];
    __attribute__((aligned(32))) float vb[36][WT];
    int j = 0;
    while (j < WT) {
        int t = t0 + j;
        if (t >= ntiles) { /* past the grid: zero lanes [j, 32) */
            for (int xi = 0; xi < 36; xi++)
                memset(vb[xi] + j, 0, sizeof(float) * (size_t)(WT - j));
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
        int ncol = 4 * ((run - 1) / 8 * 8) + 36; /* the buffer columns the row transform reads */
        if (ci + 1 < c->cin) { /* the same rows of the next channel (planes apart) */
            size_t pl = (size_t)r->ih * r->iw;
            int xa = x0 < 0 ? 0 : x0, xb = x0 + ncol < r->iw ? x0 + ncol : r->iw;
            for (int a = 0; a < 6; a++)
                if (rows[a])
                    for (int x = xa; x < xb; x += 16)
                        _mm_prefetch((const char *)(rows[a] + pl + x), _MM_HINT_T0);
        }
        for (int x = 0; x < ncol; x += 8) {
            __m256 d0, d1, d2, d3, d4, d5;
            int xi = x0 + x;
            if (allrows && xi >= 0 && xi + 8 <= r->iw) {
                d0 = _mm256_loadu_ps(rows[0] + xi), d1 = _mm256_loadu_ps(rows[1] + xi);
                d2 = _mm256_loadu_ps(rows[2] + xi), d3 = _mm256_loadu_ps(rows[3] + xi);
                d4 = _mm256_loadu_ps(rows[4] + xi), d5 = _mm256_loadu_ps(rows[5] + xi);
            } else {
                d0 = load_cols(rows[0], xi, r->iw), d1 = load_cols(rows[1], xi, r->iw);
                d2 = load_cols(rows[2], xi, r->iw), d3 = load_cols(rows[3], xi, r->iw);
                d4 = load_cols(rows[4], xi, r->iw), d5 = load_cols(rows[5], xi, r->iw);
            }
            __m256 e0, e1, e2, e3, e4, e5;
            BT(d0, d1, d2, d3, d4, d5, e0, e1, e2, e3, e4, e5)
            _mm256_store_ps(tb[0] + x, e0);
            _mm256_store_ps(tb[1] + x, e1);
            _mm256_store_ps(tb[2] + x, e2);
            _mm256_store_ps(tb[3] + x, e3);
            _mm256_store_ps(tb[4] + x, e4);
            _mm256_store_ps(tb[5] + x, e5);
        }
        for (int g = 0; g < run; g += 8) {
            __m256i m = lanes8(0, run - g);
            for (int a = 0; a < 6; a++) {
                const float *s = tb[a] + 4 * g;
                __m256 l0 = halves(s), l1 = halves(s + 4), l2 = halves(s + 8);
                __m256 l3 = halves(s + 12), l4 = halves(s + 16);
                __m256 A = _mm256_unpacklo_ps(l0, l1), B = _mm256_unpacklo_ps(l2, l3);
                __m256 C = _mm256_unpackhi_ps(l0, l1), D = _mm256_unpackhi_ps(l2, l3);
                __m256 A4 = _mm256_unpacklo_ps(l1, l2), B4 = _mm256_unpacklo_ps(l3, l4);
                __m256d Ad = _mm256_castps_pd(A), Bd = _mm256_castps_pd(B);
                __m256d Cd = _mm256_castps_pd(C), Dd = _mm256_castps_pd(D);
                __m256d A4d = _mm256_castps_pd(A4), B4d = _mm256_castps_pd(B4);
                __m256 p0 = _mm256_castpd_ps(_mm256_unpacklo_pd(Ad, Bd));
                __m256 p1 = _mm256_castpd_ps(_mm256_unpackhi_pd(Ad, Bd));
                __m256 p2 = _mm256_castpd_ps(_mm256_unpacklo_pd(Cd, Dd));
                __m256 p3 = _mm256_castpd_ps(_mm256_unpackhi_pd(Cd, Dd));
                __m256 p4 = _mm256_castpd_ps(_mm256_unpacklo_pd(A4d, B4d));
                __m256 p5 = _mm256_castpd_ps(_mm256_unpackhi_pd(A4d, B4d));
                __m256 o0, o1, o2, o3, o4, o5;
                BT(p0, p1, p2, p3, p4, p5, o0, o1, o2, o3, o4, o5)
                float *d = vb[a * 6] + j + g;
                _mm256_maskstore_ps(d, m, o0);
                _mm256_maskstore_ps(d + WT, m, o1);
                _mm256_maskstore_ps(d + 2 * WT, m, o2);
                _mm256_maskstore_ps(d + 3 * WT, m, o3);
                _mm256_maskstore_ps(d + 4 * WT, m, o4);
                _mm256_maskstore_ps(d + 5 * WT, m, o5);
            }
        }
        j += run;
    }
    /* into the B panels: V[xi][panel][ci][16] */
    size_t cin = (size_t)c->cin;
    for (int xi = 0; xi < 36; xi++)
        for (int p = 0; p < WT / NR; p++) {
            float *d = V + (size_t)xi * vstride + ((size_t)p * cin + (size_t)ci) * NR;
            _mm256_storeu_ps(d, _mm256_load_ps(vb[xi] + p * NR));
            _mm256_storeu_ps(d + 8, _mm256_load_ps(vb[xi] + p * NR + 8));
        }
}

#else

void gy_f32_winograd_input__avx2(const gy_conv_run *r, int tw, int ntiles, int ci, int t0,
                                 float *V, size_t vstride)
{
    (void)r, (void)tw, (void)ntiles, (void)ci, (void)t0, (void)V, (void)vstride;
}

#endif

/* f32_winograd_output__avx512.c - the output transform of Winograd F(4x4, 3x3) with AVX-512
 * (f32_conv2d_winograd.c's contract: output channel o's 4x4 tiles = A^T m A of its 36 GEMM
 * results m[xi][32 tiles], plus bias, then residual and activation). 16 tiles at a time: the
 * row transform (A^T over the six rows) of each column, then per output row the column
 * transform, whose four results per tile are interleaved into 64 consecutive outputs by two
 * rounds of permutes; each run of tiles on one tile row then goes through the vector epilogue. */
#include "kernels/f32-winograd/winograd.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define WT GY_WINOGRAD_WT

/* A^T applied to six values: four results. */
#define AT(m0, m1, m2, m3, m4, m5, y0, y1, y2, y3)                                                \
    {                                                                                              \
        __m512 p12 = _mm512_add_ps(m1, m2), n12 = _mm512_sub_ps(m1, m2);                           \
        __m512 p34 = _mm512_add_ps(m3, m4), n34 = _mm512_sub_ps(m3, m4);                           \
        y0 = _mm512_add_ps(_mm512_add_ps(m0, p12), p34);                                           \
        y1 = _mm512_fmadd_ps(_mm512_set1_ps(2.0f), n34, n12);                                      \
        y2 = _mm512_fmadd_ps(_mm512_set1_ps(4.0f), p34, p12);                                      \
        y3 = _mm512_add_ps(_mm512_fmadd_ps(_mm512_set1_ps(8.0f), n34, n12), m5);                   \
    }

T512 static void epi512(float *dst, const float *acc, int n, float bias, const float *res, int rba,
                        gy_act act)
{
    gy_epilogue_row512(dst, acc, n, bias, res, rba, act);
}

T512 void gy_f32_winograd_output__avx512(const gy_conv_run *r, int tw, int ntiles, const float *M,
                                         size_t mstride, int row, int o, int t0)
{
    __attribute__((aligned(64))) float tr[4][6][16];
    __attribute__((aligned(64))) float seg[4][4 * WT];
    /* output position 4q + c of tile q (of 16) from y_c (lanes = tiles): first
     * [y0.lo y2.lo], [y1.lo y3.lo], [y0.hi y2.hi], [y1.hi y3.hi], then per 4 tiles */
    const __m512i il = _mm512_setr_epi32(0, 16, 8, 24, 1, 17, 9, 25, 2, 18, 10, 26, 3, 19, 11, 27);
    const __m512i ih = _mm512_setr_epi32(4, 20, 12, 28, 5, 21, 13, 29, 6, 22, 14, 30, 7, 23, 15, 31);
    const float *m = M + (size_t)row * WT;
    __m512 bias = _mm512_set1_ps(r->p->b ? r->p->b[o] : 0.0f);
    for (int h = 0; h < WT / 16; h++) {
        for (int b = 0; b < 6; b++) {
            const float *mb = m + (size_t)b * mstride + 16 * h;
            __m512 m0 = _mm512_loadu_ps(mb), m1 = _mm512_loadu_ps(mb + 6 * mstride);
            __m512 m2 = _mm512_loadu_ps(mb + 12 * mstride), m3 = _mm512_loadu_ps(mb + 18 * mstride);
            __m512 m4 = _mm512_loadu_ps(mb + 24 * mstride), m5 = _mm512_loadu_ps(mb + 30 * mstride);
            __m512 y0, y1, y2, y3;
            AT(m0, m1, m2, m3, m4, m5, y0, y1, y2, y3)
            _mm512_store_ps(tr[0][b], y0);
            _mm512_store_ps(tr[1][b], y1);
            _mm512_store_ps(tr[2][b], y2);
            _mm512_store_ps(tr[3][b], y3);
        }
        for (int a = 0; a < 4; a++) {
            __m512 y0, y1, y2, y3;
            AT(_mm512_load_ps(tr[a][0]), _mm512_load_ps(tr[a][1]), _mm512_load_ps(tr[a][2]),
               _mm512_load_ps(tr[a][3]), _mm512_load_ps(tr[a][4]), _mm512_load_ps(tr[a][5]), y0,
               y1, y2, y3)
            y0 = _mm512_add_ps(y0, bias), y1 = _mm512_add_ps(y1, bias);
            y2 = _mm512_add_ps(y2, bias), y3 = _mm512_add_ps(y3, bias);
            __m512 A = _mm512_shuffle_f32x4(y0, y2, 0x44), C = _mm512_shuffle_f32x4(y0, y2, 0xee);
            __m512 B = _mm512_shuffle_f32x4(y1, y3, 0x44), D = _mm512_shuffle_f32x4(y1, y3, 0xee);
            float *s = seg[a] + 64 * h;
            _mm512_store_ps(s, _mm512_permutex2var_ps(A, il, B));
            _mm512_store_ps(s + 16, _mm512_permutex2var_ps(A, ih, B));
            _mm512_store_ps(s + 32, _mm512_permutex2var_ps(C, il, D));
            _mm512_store_ps(s + 48, _mm512_permutex2var_ps(C, ih, D));
        }
    }
    for (int a = 0; a < 4; a++)
        gy_winograd_store_row(r, tw, ntiles, t0, o, a, seg[a], epi512);
}

#else

void gy_f32_winograd_output__avx512(const gy_conv_run *r, int tw, int ntiles, const float *M,
                                    size_t mstride, int row, int o, int t0)
{
    (void)r, (void)tw, (void)ntiles, (void)M, (void)mstride, (void)row, (void)o, (void)t0;
}

#endif

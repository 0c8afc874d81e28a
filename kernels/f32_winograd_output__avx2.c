/* f32_winograd_output__avx2.c - the output transform of Winograd F(4x4, 3x3) with AVX2 + FMA, as
 * f32_winograd_output__avx512.c with 8-float vectors: per 8 tiles the row transform (A^T over the
 * six rows) of each column, then per output row the column transform, whose four results per
 * tile are interleaved into 32 consecutive outputs by unpacks and 128-bit lane moves; each run
 * of tiles on one tile row then goes through the vector epilogue. */
#include <string.h>

#include "kernels/winograd.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32_vmath.h"

#define T256 __attribute__((target("avx2,fma")))
#define WT 32

/* A^T applied to six values: four results. */
#define AT(m0, m1, m2, m3, m4, m5, y0, y1, y2, y3)                                                \
    {                                                                                              \
        __m256 p12 = _mm256_add_ps(m1, m2), n12 = _mm256_sub_ps(m1, m2);                           \
        __m256 p34 = _mm256_add_ps(m3, m4), n34 = _mm256_sub_ps(m3, m4);                           \
        y0 = _mm256_add_ps(_mm256_add_ps(m0, p12), p34);                                           \
        y1 = _mm256_fmadd_ps(_mm256_set1_ps(2.0f), n34, n12);                                      \
        y2 = _mm256_fmadd_ps(_mm256_set1_ps(4.0f), p34, p12);                                      \
        y3 = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(8.0f), n34, n12), m5);                   \
    }

T256 void gy_f32_winograd_output__avx2(const gy_conv_run *r, int tw, int ntiles, const float *M,
                                       size_t mstride, int row, int o, int t0)
{
    __attribute__((aligned(32))) float tr[4][6][8];
    __attribute__((aligned(32))) float seg[4][4 * WT];
    const float *m = M + (size_t)row * WT;
    __m256 bias = _mm256_set1_ps(r->p->b ? r->p->b[o] : 0.0f);
    for (int h = 0; h < WT / 8; h++) {
        for (int b = 0; b < 6; b++) {
            const float *mb = m + (size_t)b * mstride + 8 * h;
            __m256 m0 = _mm256_loadu_ps(mb), m1 = _mm256_loadu_ps(mb + 6 * mstride);
            __m256 m2 = _mm256_loadu_ps(mb + 12 * mstride), m3 = _mm256_loadu_ps(mb + 18 * mstride);
            __m256 m4 = _mm256_loadu_ps(mb + 24 * mstride), m5 = _mm256_loadu_ps(mb + 30 * mstride);
            __m256 y0, y1, y2, y3;
            AT(m0, m1, m2, m3, m4, m5, y0, y1, y2, y3)
            _mm256_store_ps(tr[0][b], y0);
            _mm256_store_ps(tr[1][b], y1);
            _mm256_store_ps(tr[2][b], y2);
            _mm256_store_ps(tr[3][b], y3);
        }
        for (int a = 0; a < 4; a++) {
            __m256 y0, y1, y2, y3;
            AT(_mm256_load_ps(tr[a][0]), _mm256_load_ps(tr[a][1]), _mm256_load_ps(tr[a][2]),
               _mm256_load_ps(tr[a][3]), _mm256_load_ps(tr[a][4]), _mm256_load_ps(tr[a][5]), y0,
               y1, y2, y3)
            y0 = _mm256_add_ps(y0, bias), y1 = _mm256_add_ps(y1, bias);
            y2 = _mm256_add_ps(y2, bias), y3 = _mm256_add_ps(y3, bias);
            /* tile q's four outputs: [q c0 c1 | q+4 ...] pairs, then whole tiles per half */
            __m256d A = _mm256_castps_pd(_mm256_unpacklo_ps(y0, y1));
            __m256d B = _mm256_castps_pd(_mm256_unpacklo_ps(y2, y3));
            __m256d C = _mm256_castps_pd(_mm256_unpackhi_ps(y0, y1));
            __m256d D = _mm256_castps_pd(_mm256_unpackhi_ps(y2, y3));
            __m256 E = _mm256_castpd_ps(_mm256_unpacklo_pd(A, B)); /* tiles 0 | 4 */
            __m256 F = _mm256_castpd_ps(_mm256_unpackhi_pd(A, B)); /* tiles 1 | 5 */
            __m256 G = _mm256_castpd_ps(_mm256_unpacklo_pd(C, D)); /* tiles 2 | 6 */
            __m256 H = _mm256_castpd_ps(_mm256_unpackhi_pd(C, D)); /* tiles 3 | 7 */
            float *s = seg[a] + 32 * h;
            _mm256_store_ps(s, _mm256_permute2f128_ps(E, F, 0x20));
            _mm256_store_ps(s + 8, _mm256_permute2f128_ps(G, H, 0x20));
            _mm256_store_ps(s + 16, _mm256_permute2f128_ps(E, F, 0x31));
            _mm256_store_ps(s + 24, _mm256_permute2f128_ps(G, H, 0x31));
        }
    }
    float *out = r->out + (size_t)o * r->oh * r->ow;
    const float *res = r->res ? r->res + (size_t)o * r->oh * r->ow : NULL;
    int nt = ntiles - t0 < WT ? ntiles - t0 : WT;
    for (int a = 0; a < 4; a++)
        for (int j = 0; j < nt;) {
            int t = t0 + j, ty = t / tw, tx = t % tw;
            int run = tw - tx < nt - j ? tw - tx : nt - j;
            int oy = ty * 4 + a, ox = tx * 4;
            if (oy < r->oh) {
                int n = r->ow - ox < 4 * run ? r->ow - ox : 4 * run;
                size_t off = (size_t)oy * r->ow + (size_t)ox;
                if (res || r->act != GY_ACT_NONE)
                    gy_epilogue_row256(out + off, seg[a] + 4 * j, n, 0.0f, res ? res + off : NULL,
                                       r->res_before_act, r->act);
                else
                    memcpy(out + off, seg[a] + 4 * j, sizeof(float) * (size_t)n);
            }
            j += run;
        }
}

#else

void gy_f32_winograd_output__avx2(const gy_conv_run *r, int tw, int ntiles, const float *M,
                                  size_t mstride, int row, int o, int t0)
{
    (void)r, (void)tw, (void)ntiles, (void)M, (void)mstride, (void)row, (void)o, (void)t0;
}

#endif

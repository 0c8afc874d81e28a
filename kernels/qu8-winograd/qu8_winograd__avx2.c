/* qu8_winograd__avx2.c - integer Winograd F(2x2, 3x3) with AVX2 (the algebra and the layout are
 * at the top of qu8_winograd.c). Per task (one row of 2x2 output tiles), per group of 6 tiles:
 *   1. input transform, 16 input channels per vector: the 4x4 input pixels' bytes widened to
 *      int16 minus the zero point, B^T d B with adds, stored as channel pairs (int32 lanes);
 *   2. per block of 16 output channels, per transform position, a 6-tile x 16-channel GEMM:
 *      one broadcast channel pair of a tile against two weight vectors (8 channels x 2 int16),
 *      vpmaddwd + vpaddd, 12 accumulators, stored to M;
 *   3. output transform A^T M A (adds), shift by 2, plus z * sum(w): the int32 accumulator of the
 *      direct kernel; then the shared epilogue for each of the tile's 4 pixels inside the map.
 * The input's border (>= 1, zero points) supplies the padding; rows and columns past the border
 * (the last tile of an odd-sized map) are read from the border row / column instead: they only
 * feed the outputs past the map, which are dropped. */
#include <string.h>

#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define T GY_QU8_T256
#define WT GY_QU8_WINO_TILES

/* The input transform of tiles [tx0, tx0 + nt) of tile row ty into V[16][WT][kp] (int32 =
 * int16 channel pairs). */
T static void input_transform(const gy_qu8_conv_run *r, int ty, int tx0, int nt, int kp,
                              int32_t *V)
{
    const gy_qu8_map *in = &r->in;
    const __m256i zp = _mm256_set1_epi16((short)in->zp);
    const int cin = r->p->cin;
    for (int t = 0; t < nt; t++) {
        const uint8_t *px[4][4];
        for (int i = 0; i < 4; i++) {
            int iy = 2 * ty - 1 + i;
            iy = iy > in->h ? in->h : iy;
            for (int j = 0; j < 4; j++) {
                int ix = 2 * (tx0 + t) - 1 + j;
                ix = ix > in->w ? in->w : ix;
                px[i][j] = in->data + (ptrdiff_t)iy * (ptrdiff_t)in->rstride +
                           (ptrdiff_t)ix * (ptrdiff_t)in->pstride;
            }
        }
        for (int c0 = 0; c0 < cin; c0 += 16) {
            __m256i d[4][4], u[4][4];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) {
                    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(px[i][j] + c0));
                    d[i][j] = _mm256_sub_epi16(_mm256_cvtepu8_epi16(b), zp);
                }
            for (int j = 0; j < 4; j++) { /* B^T d: rows */
                u[0][j] = _mm256_sub_epi16(d[0][j], d[2][j]);
                u[1][j] = _mm256_add_epi16(d[1][j], d[2][j]);
                u[2][j] = _mm256_sub_epi16(d[2][j], d[1][j]);
                u[3][j] = _mm256_sub_epi16(d[1][j], d[3][j]);
            }
            for (int i = 0; i < 4; i++) { /* (B^T d) B: columns */
                __m256i v[4] = {_mm256_sub_epi16(u[i][0], u[i][2]), _mm256_add_epi16(u[i][1], u[i][2]),
                                _mm256_sub_epi16(u[i][2], u[i][1]), _mm256_sub_epi16(u[i][1], u[i][3])};
                for (int j = 0; j < 4; j++)
                    _mm256_storeu_si256((__m256i *)(void *)(V + ((size_t)(4 * i + j) * WT + (size_t)t) *
                                                                    (size_t)kp + (size_t)(c0 / 2)),
                                        v[j]);
            }
        }
        /* channels past cin read whatever follows the pixel: their weights are 0 */
    }
}

/* M[16][WT][16] for block b over the nt tiles. */
T static void gemm(const int32_t *V, const int16_t *wb, int kp, int nt, int32_t *M)
{
    for (int pos = 0; pos < 16; pos++) {
        const int16_t *w = wb + (size_t)pos * (size_t)kp * 32;
        const int32_t *v = V + (size_t)pos * WT * (size_t)kp;
        __m256i a00 = _mm256_setzero_si256(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
        __m256i a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
        for (int k = 0; k < kp; k++, w += 32) {
            const __m256i w0 = _mm256_load_si256((const __m256i *)(const void *)w);
            const __m256i w1 = _mm256_load_si256((const __m256i *)(const void *)(w + 16));
#define STEP(t, x0, x1)                                                                            \
    {                                                                                              \
        const __m256i b = _mm256_set1_epi32(v[(size_t)(t) * (size_t)kp + (size_t)k]);              \
        x0 = _mm256_add_epi32(x0, _mm256_madd_epi16(b, w0));                                       \
        x1 = _mm256_add_epi32(x1, _mm256_madd_epi16(b, w1));                                       \
    }
            STEP(0, a00, a01) STEP(1, a10, a11) STEP(2, a20, a21)
            STEP(3, a30, a31) STEP(4, a40, a41) STEP(5, a50, a51)
#undef STEP
        }
        int32_t *m = M + (size_t)pos * WT * 16;
        __m256i acc[WT][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}, {a40, a41}, {a50, a51}};
        for (int t = 0; t < nt; t++) {
            _mm256_storeu_si256((__m256i *)(void *)(m + 16 * t), acc[t][0]);
            _mm256_storeu_si256((__m256i *)(void *)(m + 16 * t + 8), acc[t][1]);
        }
    }
}

T void gy_qu8_winograd_task__avx2(const gy_qu8_conv_run *r, size_t task, void *scratch)
{
    const gy_qu8_conv *p = r->p;
    const int ty = (int)task, kp = (p->cin + 15) / 16 * 8, ntx = (r->ow + 1) / 2;
    const int blocks = (p->cout + 15) / 16;
    int32_t *V = (int32_t *)scratch;
    int32_t *M = V + (size_t)16 * WT * (size_t)kp;
    /* the epilogue's view of the two output rows (pixel m = output column) */
    gy_qu8_tile row[2];
    for (int a = 0; a < 2; a++) {
        gy_qu8_tile *t = &row[a];
        const int oy = 2 * ty + a < r->oh ? 2 * ty + a : r->oh - 1;
        memset(t, 0, sizeof *t);
        t->act = r->act;
        if (r->res) {
            t->res = r->res->data + (ptrdiff_t)oy * (ptrdiff_t)r->res->rstride;
            t->res_pstride = (ptrdiff_t)r->res->pstride;
            t->res_scale = r->res->scale;
            t->res_zp = r->res->zp;
            t->res_before_act = r->res_before_act;
        }
        if (r->out.data) {
            t->out = r->out.data + (ptrdiff_t)oy * (ptrdiff_t)r->out.rstride;
            t->out_pstride = (ptrdiff_t)r->out.pstride;
            t->out_inv_scale = 1.0f / r->out.scale;
            t->out_zp = (float)r->out.zp;
        } else {
            t->outf = r->outf + (size_t)oy * (size_t)r->ow;
            t->outf_plane = (size_t)r->oh * (size_t)r->ow;
        }
    }
    for (int tx0 = 0; tx0 < ntx; tx0 += WT) {
        const int nt = ntx - tx0 < WT ? ntx - tx0 : WT;
        input_transform(r, ty, tx0, nt, kp, V);
        for (int b = 0; b < blocks; b++) {
            const int16_t *wb = (const int16_t *)(const void *)p->pack + (size_t)b * 16 * (size_t)kp * 32;
            gemm(V, wb, kp, nt, M);
            for (int half = 0; half < 2; half++) {
                const int ch = 16 * b + 8 * half;
                if (ch >= p->cout)
                    break;
                const int n = p->cout - ch < 8 ? p->cout - ch : 8;
                int32_t zw[8];
                for (int k = 0; k < 8; k++)
                    zw[k] = k < n ? r->in.zp * p->wsum[ch + k] : 0;
                const __m256i zpw = _mm256_loadu_si256((const __m256i *)(const void *)zw);
                for (int a = 0; a < 2; a++) {
                    row[a].mul = r->mul;
                    row[a].add = r->add;
                }
                for (int t = 0; t < nt; t++) {
                    __m256i m[16];
                    for (int pos = 0; pos < 16; pos++)
                        m[pos] = _mm256_loadu_si256(
                            (const __m256i *)(const void *)(M + ((size_t)pos * WT + (size_t)t) * 16 + 8 * half));
                    __m256i s0[4], s1[4]; /* A^T M: rows */
                    for (int nu = 0; nu < 4; nu++) {
                        s0[nu] = _mm256_add_epi32(_mm256_add_epi32(m[nu], m[4 + nu]), m[8 + nu]);
                        s1[nu] = _mm256_sub_epi32(_mm256_sub_epi32(m[4 + nu], m[8 + nu]), m[12 + nu]);
                    }
                    __m256i y[2][2] = {
                        {_mm256_add_epi32(_mm256_add_epi32(s0[0], s0[1]), s0[2]),
                         _mm256_sub_epi32(_mm256_sub_epi32(s0[1], s0[2]), s0[3])},
                        {_mm256_add_epi32(_mm256_add_epi32(s1[0], s1[1]), s1[2]),
                         _mm256_sub_epi32(_mm256_sub_epi32(s1[1], s1[2]), s1[3])}};
                    const int ox = 2 * (tx0 + t);
                    for (int a = 0; a < 2 && 2 * ty + a < r->oh; a++)
                        for (int c = 0; c < 2 && ox + c < r->ow; c++) {
                            __m256i acc = _mm256_add_epi32(_mm256_srai_epi32(y[a][c], 2), zpw);
                            gy_qu8_epilogue256(&row[a], acc, ch, ox + c, n);
                        }
                }
            }
        }
    }
}

#endif

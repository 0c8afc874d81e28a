/* f32_conv2d_winograd.c - 3x3 stride-1 convolution by Winograd F(4x4, 3x3) (Lavin & Gray 2015,
 * interpolation points 0, +-1, +-2, infinity): each 4x4 output tile is A^T [(G g G^T) . (B^T d B)] A
 * over a 6x6 input patch d, so the 36 element-wise products of a tile replace 144 multiplies per
 * input channel (4x fewer), and summed over input channels they become 36 GEMMs.
 *
 * The weights are transformed once in double (gy_conv_pack) into U[36][cout][cin], packed per
 * position as the GEMM tile wants ([36][row panel][cin][MRP]). A task owns WT = 32 consecutive
 * output tiles (row-major over the tile grid) and a block of output channels: it transforms the
 * input patches of its tiles into V[36][cin][32] (the B panels, lanes = tiles), runs the register
 * tile of f32_conv2d_tile.h for each of the 36 positions into M[36][rows][32], and transforms M
 * back to 4x4 outputs, one output row segment at a time through the vector epilogue (bias,
 * residual, activation) into the output. The transforms loop over the 32 tiles innermost so that they
 * vectorise; they are compiled once per instruction set. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "kernels/f32-gemm/f32_conv2d_tile.h"
#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"
#include "kernels/f32-winograd/winograd.h"

#define WT GY_WINOGRAD_WT /* tiles per task */
#define XI 36      /* 6 x 6 transform positions */
#define WMC_MIN 32 /* smallest block of output channels when a map has few tiles */
#define WTASKS 4   /* tasks wanted per thread, when there are several */
#define SKEW 16    /* floats between positions' blocks beyond their size: one cache line */
#define GEN_MR 4
#define GEN_NR 16
#define WPACK_MR 16 /* at least every instruction set's row panel (wmr) */

#define AI static inline __attribute__((always_inline))

int gy_winograd_eligible(const gy_conv *c)
{
    return c->kh == 3 && c->kw == 3 && c->sh == 1 && c->sw == 1 && c->groups == 1 &&
           c->ph <= 2 && c->pw <= 2 && c->cin >= GY_WINOGRAD_MIN_CH &&
           c->cout >= GY_WINOGRAD_MIN_CH;
}

static int wmr(int isa)
{
    return isa == GY_ISA_AVX512 ? GY_TILE512_MR : isa == GY_ISA_AVX2 ? GY_TILE256_MR : GEN_MR;
}
_Static_assert(GY_TILE512_MR <= WPACK_MR && GY_TILE256_MR <= WPACK_MR && GEN_MR <= WPACK_MR,
               "gy_winograd_pack's lane arrays hold a row panel");

/* G (6x3) of F(4, 3). */
static const double G[6][3] = {{1.0 / 4, 0, 0},
                               {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                               {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                               {1.0 / 24, 1.0 / 12, 1.0 / 6},
                               {1.0 / 24, -1.0 / 12, 1.0 / 6},
                               {0, 0, 1}};

gy_status gy_winograd_pack(gy_conv *c, gy_isa isa, gy_error *err)
{
    int mr = wmr(isa), cin = c->cin, cout = c->cout;
    size_t panels = (size_t)(cout + mr - 1) / mr;
    size_t n = (size_t)XI * panels * (size_t)cin * (size_t)mr;
    float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    if (!p)
        return gy_fail(err, GY_ERR_NOMEM,
                       "packing the Winograd weights of %s: out of memory (%zu floats)", c->wname, n);
    memset(p, 0, n * sizeof(float));
    /* panel by panel, each input channel's lanes side by side (the same operations in the same
     * order for each lane; the lane loops vectorise): the 36 positions' stores of a (panel,
     * channel) fill one run of mr floats each */
    const size_t xstride = panels * (size_t)cin * (size_t)mr; /* floats between positions */
    for (size_t pn = 0; pn < panels; pn++) {
        const int lanes = cout - (int)pn * mr < mr ? cout - (int)pn * mr : mr;
        for (int ci = 0; ci < cin; ci++) {
            double g[9][WPACK_MR], t[6][3][WPACK_MR];
            for (int l = 0; l < lanes; l++)
                for (int j = 0; j < 9; j++)
                    g[j][l] = c->w[(((size_t)pn * mr + l) * cin + ci) * 9 + j];
            for (int a = 0; a < 6; a++)
                for (int k = 0; k < 3; k++)
                    for (int l = 0; l < lanes; l++)
                        t[a][k][l] = G[a][0] * g[0 * 3 + k][l] + G[a][1] * g[1 * 3 + k][l] +
                                     G[a][2] * g[2 * 3 + k][l];
            float *dst = p + (pn * (size_t)cin + (size_t)ci) * (size_t)mr;
            for (int a = 0; a < 6; a++)
                for (int b = 0; b < 6; b++) {
                    float *d = dst + (size_t)(a * 6 + b) * xstride;
                    for (int l = 0; l < lanes; l++)
                        d[l] = (float)(t[a][0][l] * G[b][0] + t[a][1][l] * G[b][1] +
                                       t[a][2][l] * G[b][2]);
                }
        }
    }
    c->wpack = p;
    c->wpack_floats = n;
    return GY_OK;
}

/* How the tiles and channels of one conv are cut into tasks. */
typedef struct wsplit {
    int th, tw, ntiles, nblocks; /* tile grid, blocks of WT tiles */
    int mb, mc;                  /* channel blocks */
} wsplit;

static void make_wsplit(const gy_conv *c, int oh, int ow, int threads, wsplit *s)
{
    s->th = (oh + 3) / 4;
    s->tw = (ow + 3) / 4;
    s->ntiles = s->th * s->tw;
    s->nblocks = (s->ntiles + WT - 1) / WT;
    /* One thread: one channel block (every channel block transforms the whole input of its
     * tiles again: 6-7 % more time for G-Ghost's 40x40 and 20x20 convs). Several: WTASKS tasks
     * per thread when the channels allow (blocks of >= WMC_MIN rows, multiples of 12), so that
     * a 20x20 map (one block of tiles) is not one thread's work and the short last block of a
     * 40x40 map (4 tiles of 100) does not leave a thread idle. */
    int want = threads > 1 ? threads : 1;
    int mb = s->nblocks >= want ? 1 : (want + s->nblocks - 1) / s->nblocks;
    int max_mb = c->cout / WMC_MIN;
    if (mb > max_mb)
        mb = max_mb;
    if (mb < 1)
        mb = 1;
    int units = (c->cout + 11) / 12;
    s->mc = (units + mb - 1) / mb * 12;
    s->mb = (c->cout + s->mc - 1) / s->mc;
}

size_t gy_winograd_tasks(const gy_conv_run *r)
{
    wsplit s;
    make_wsplit(r->p, r->oh, r->ow, r->threads, &s);
    return (size_t)s.nblocks * s.mb;
}

size_t gy_winograd_scratch_floats(const gy_conv *c, int oh, int ow)
{
    wsplit s; /* one thread's split: the widest channel block */
    make_wsplit(c, oh, ow, 1, &s);
    return (size_t)XI * (WT * ((size_t)c->cin + (size_t)s.mc) + 2 * SKEW) + 64;
}

/* V[xi] (B panels of nr lanes, vstride floats per position) for channel ci of tiles
 * [t0, t0 + WT) (tiles past the grid are zero). Consecutive tiles of one tile row read one
 * contiguous input row segment (zero-padded into prow), tile q at 4q: stride-4 loads. */
AI void input_transform(const gy_conv_run *r, const wsplit *s, int ci, int t0, float *V,
                        size_t vstride, const int nr)
{
    const gy_conv *c = r->p;
    const float *plane = r->in + (size_t)ci * r->ih * r->iw;
    float d[XI][WT], prow[4 * WT + 8];
    int j = 0;
    while (j < WT) {
        int t = t0 + j;
        if (t >= s->ntiles) {
            for (int e = 0; e < XI; e++)
                for (int q = j; q < WT; q++)
                    d[e][q] = 0.0f;
            break;
        }
        int ty = t / s->tw, tx = t % s->tw;
        int run = s->tw - tx < WT - j ? s->tw - tx : WT - j;
        int x0 = tx * 4 - c->pw, len = 4 * run + 2;
        int lo = x0 < 0 ? -x0 : 0, hi = r->iw - x0 < len ? r->iw - x0 : len;
        for (int a = 0; a < 6; a++) {
            int iy = ty * 4 - c->ph + a;
            if (iy < 0 || iy >= r->ih || hi <= lo) {
                memset(prow, 0, sizeof prow);
            } else {
                memset(prow, 0, sizeof(float) * (size_t)lo);
                memcpy(prow + lo, plane + (size_t)iy * r->iw + x0 + lo, sizeof(float) * (size_t)(hi - lo));
                memset(prow + hi, 0, sizeof(float) * (size_t)(len - hi));
            }
            for (int b = 0; b < 6; b++)
                for (int q = 0; q < run; q++)
                    d[a * 6 + b][j + q] = prow[4 * q + b];
        }
        j += run;
    }
    /* rows: t = B^T d, then columns: v = t B */
    float tmp[XI][WT];
    for (int b = 0; b < 6; b++)
        for (int q = 0; q < WT; q++) {
            float d0 = d[0 * 6 + b][q], d1 = d[1 * 6 + b][q], d2 = d[2 * 6 + b][q];
            float d3 = d[3 * 6 + b][q], d4 = d[4 * 6 + b][q], d5 = d[5 * 6 + b][q];
            tmp[0 * 6 + b][q] = 4.0f * d0 - 5.0f * d2 + d4;
            tmp[1 * 6 + b][q] = -4.0f * (d1 + d2) + d3 + d4;
            tmp[2 * 6 + b][q] = 4.0f * (d1 - d2) - d3 + d4;
            tmp[3 * 6 + b][q] = -2.0f * (d1 - d3) - d2 + d4;
            tmp[4 * 6 + b][q] = 2.0f * (d1 - d3) - d2 + d4;
            tmp[5 * 6 + b][q] = 4.0f * d1 - 5.0f * d3 + d5;
        }
    size_t cin = (size_t)c->cin;
    for (int a = 0; a < 6; a++) {
        float v[6][WT];
        for (int q = 0; q < WT; q++) {
            float d0 = tmp[a * 6 + 0][q], d1 = tmp[a * 6 + 1][q], d2 = tmp[a * 6 + 2][q];
            float d3 = tmp[a * 6 + 3][q], d4 = tmp[a * 6 + 4][q], d5 = tmp[a * 6 + 5][q];
            v[0][q] = 4.0f * d0 - 5.0f * d2 + d4;
            v[1][q] = -4.0f * (d1 + d2) + d3 + d4;
            v[2][q] = 4.0f * (d1 - d2) - d3 + d4;
            v[3][q] = -2.0f * (d1 - d3) - d2 + d4;
            v[4][q] = 2.0f * (d1 - d3) - d2 + d4;
            v[5][q] = 4.0f * d1 - 5.0f * d3 + d5;
        }
        for (int b = 0; b < 6; b++)
            for (int p = 0; p < WT / nr; p++)
                memcpy(V + (size_t)(a * 6 + b) * vstride + ((size_t)p * cin + (size_t)ci) * nr,
                       &v[b][p * nr], sizeof(float) * (size_t)nr);
    }
}

typedef gy_winograd_epi_fn epi_fn;

static void epi_generic(float *dst, const float *acc, int n, float bias, const float *res,
                        int rba, gy_act act)
{
    for (int x = 0; x < n; x++) {
        float v = acc[x] + bias;
        if (res && rba)
            v += res[x];
        v = gy_act_apply(act, v);
        if (res && !rba)
            v += res[x];
        dst[x] = v;
    }
}

/* Output channel o (row `row` of M): 4x4 tiles of [t0, t0 + WT) plus bias into the output; a
 * tile row's outputs are interleaved into one contiguous segment per output row. */
AI void output_transform(const gy_conv_run *r, const wsplit *s, const float *M, size_t mstride,
                         int row, int o, int t0, epi_fn epi)
{
    float tmp[4 * 6][WT];
    const float *m = M + (size_t)row * WT;
    /* rows: t = A^T m (4x6), then columns: y = t A (4x4) */
    for (int b = 0; b < 6; b++)
        for (int j = 0; j < WT; j++) {
            float m0 = m[(size_t)(0 * 6 + b) * mstride + j], m1 = m[(size_t)(1 * 6 + b) * mstride + j];
            float m2 = m[(size_t)(2 * 6 + b) * mstride + j], m3 = m[(size_t)(3 * 6 + b) * mstride + j];
            float m4 = m[(size_t)(4 * 6 + b) * mstride + j], m5 = m[(size_t)(5 * 6 + b) * mstride + j];
            float p12 = m1 + m2, n12 = m1 - m2, p34 = m3 + m4, n34 = m3 - m4;
            tmp[0 * 6 + b][j] = m0 + p12 + p34;
            tmp[1 * 6 + b][j] = n12 + 2.0f * n34;
            tmp[2 * 6 + b][j] = p12 + 4.0f * p34;
            tmp[3 * 6 + b][j] = n12 + 8.0f * n34 + m5;
        }
    float bias = r->p->b ? r->p->b[o] : 0.0f;
    for (int a = 0; a < 4; a++) {
        float seg[4 * WT];
        for (int j = 0; j < WT; j++) {
            float m0 = tmp[a * 6 + 0][j], m1 = tmp[a * 6 + 1][j], m2 = tmp[a * 6 + 2][j];
            float m3 = tmp[a * 6 + 3][j], m4 = tmp[a * 6 + 4][j], m5 = tmp[a * 6 + 5][j];
            float p12 = m1 + m2, n12 = m1 - m2, p34 = m3 + m4, n34 = m3 - m4;
            seg[4 * j + 0] = m0 + p12 + p34 + bias;
            seg[4 * j + 1] = n12 + 2.0f * n34 + bias;
            seg[4 * j + 2] = p12 + 4.0f * p34 + bias;
            seg[4 * j + 3] = n12 + 8.0f * n34 + m5 + bias;
        }
        gy_winograd_store_row(r, s->tw, s->ntiles, t0, o, a, seg, epi);
    }
}

typedef void (*tile_fn)(int, const float *, const float *, const gy_tile *);

static void tile_generic(int kc, const float *a, const float *b, const gy_tile *t)
{
    float acc[GEN_MR][GEN_NR];
    memset(acc, 0, sizeof acc);
    for (int k = 0; k < kc; k++) {
        for (int i = 0; i < GEN_MR; i++)
            for (int j = 0; j < GEN_NR; j++)
                acc[i][j] += a[i] * b[j];
        a += GEN_MR;
        b += GEN_NR;
    }
    for (int i = 0; i < t->rows; i++)
        memcpy(t->c + (size_t)i * t->ldc, acc[i], sizeof(float) * (size_t)t->cols);
}

AI void run_task(const gy_conv_run *r, size_t task, float *scratch, const int mr, const int nr,
                 tile_fn tile, epi_fn epi, const int avx512)
{
    const gy_conv *c = r->p;
    wsplit s;
    make_wsplit(c, r->oh, r->ow, r->threads, &s);
    int blk = (int)(task % (size_t)s.nblocks), mblk = (int)(task / (size_t)s.nblocks);
    int t0 = blk * WT, m0 = mblk * s.mc, m1 = m0 + s.mc < c->cout ? m0 + s.mc : c->cout;
    /* each position's block is skewed by one cache line (SKEW floats): V[xi] and M[xi] would
     * otherwise lie a multiple of 4 KiB apart (cin * 128 bytes), and the transforms, which touch
     * all 36 positions at once, would hit one L1 set (measured on Zen 5: 1.4-1.75x faster) */
    size_t vstride = (size_t)c->cin * WT + SKEW, mstride = (size_t)s.mc * WT + SKEW;
    float *V = scratch, *M = scratch + XI * vstride;
    for (int ci = 0; ci < c->cin; ci++) {
        if (avx512)
            gy_f32_winograd_input__avx512(r, s.tw, s.ntiles, ci, t0, V, vstride);
        else
            input_transform(r, &s, ci, t0, V, vstride, nr);
    }
    size_t panels = (size_t)(c->cout + mr - 1) / mr;
    for (int xi = 0; xi < XI; xi++) {
        const float *U = c->wpack + (size_t)xi * panels * c->cin * mr;
        for (int m = m0; m < m1; m += mr) {
            gy_tile t = {.ldc = WT, .rows = m1 - m < mr ? m1 - m : mr, .cols = nr, .first = 1,
                         .last = 1, .act = GY_ACT_NONE};
            for (int p = 0; p < WT / nr; p++) {
                t.c = M + (size_t)xi * mstride + (size_t)(m - m0) * WT + (size_t)p * nr;
                tile(c->cin, U + (size_t)(m / mr) * c->cin * mr,
                     V + (size_t)xi * vstride + (size_t)p * c->cin * nr, &t);
            }
        }
    }
    for (int o = m0; o < m1; o++) {
        if (avx512)
            gy_f32_winograd_output__avx512(r, s.tw, s.ntiles, M, mstride, o - m0, o, t0);
        else
            output_transform(r, &s, M, mstride, o - m0, o, t0, epi);
    }
}

static void task_generic(const gy_conv_run *r, size_t task, float *scratch)
{
    run_task(r, task, scratch, GEN_MR, GEN_NR, tile_generic, epi_generic, 0);
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) static void
epi_avx2(float *dst, const float *acc, int n, float bias, const float *res, int rba, gy_act act)
{
    gy_epilogue_row256(dst, acc, n, bias, res, rba, act);
}

__attribute__((target("avx2,fma"))) static void task_avx2(const gy_conv_run *r, size_t task,
                                                          float *scratch)
{
    run_task(r, task, scratch, GY_TILE256_MR, GY_TILE256_NR, gy_f32_conv_tile__avx2, epi_avx2, 0);
}

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) static void
task_avx512(const gy_conv_run *r, size_t task, float *scratch)
{
    /* the AVX-512 output transform applies its own epilogue */
    run_task(r, task, scratch, GY_TILE512_MR, GY_TILE512_NR, gy_f32_conv_tile__avx512, NULL, 1);
}
#endif

void gy_winograd_task(const gy_conv_run *r, size_t task, float *scratch)
{
#if defined(__x86_64__) || defined(__i386__)
    if (r->p->isa == GY_ISA_AVX512) {
        task_avx512(r, task, scratch);
        return;
    }
    if (r->p->isa == GY_ISA_AVX2) {
        task_avx2(r, task, scratch);
        return;
    }
#endif
    task_generic(r, task, scratch);
}

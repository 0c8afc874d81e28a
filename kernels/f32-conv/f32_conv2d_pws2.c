/* f32_conv2d_pws2.c - a pointwise conv whose output only a direct stride-2 conv reads (a dense
 * one, or a grouped one whose groups take the direct kernel: G-GhostNet's 1x1 expand then its
 * grouped 3x3 stride 2), run as one op. Each task owns a band of output rows and keeps a window
 * of input rows, all channels, in L2: for a few output rows at a time it computes the pointwise
 * rows the window lacks with the packed GEMM's tile (B a copy of each input line, the K chunks of
 * the GEMM), then runs the stride-2 kernel on the window (gy_conv_run.in_cs / in_y0),
 * and moves the kh - sh rows the next output row reads again to the window's top. The pointwise
 * output (39 MB for 32 -> 96 at 320x320) is never stored and read back, and the outputs are the
 * two ops' bit for bit: the pointwise rows are the GEMM tile's sums in its order, the stride-2
 * rows the direct kernel's. A band's first output row recomputes the kh - sh rows the band above
 * also computed. */
#include <string.h>

#include "kernels/f32-conv-s2/f32_conv2d_s2_direct.h"
#include "kernels/f32-conv/f32_conv2d_grouped.h"
#include "kernels/f32-gemm/f32_conv2d_tile.h"

#define PWS2_TASKS 8              /* tasks wanted: bands of output rows */
#define PWS2_MIN_BAND 4           /* output rows per band, at least */
#define PWS2_WINDOW (160u * 1024) /* window floats, at most (unless one output row needs more) */

static size_t up16(size_t n)
{
    return (n + 15) / 16 * 16;
}

int gy_f32_pws2_fusable(const gy_conv *pw, const gy_conv *cv)
{
    int pointwise = pw->kh == 1 && pw->kw == 1 && pw->sh == 1 && pw->sw == 1 && pw->ph == 0 &&
                    pw->pw == 0 && pw->groups == 1;
    int vector = cv->isa == GY_ISA_AVX512 || cv->isa == GY_ISA_AVX2;
    int s2 = cv->groups == 1 ? gy_s2_direct_eligible(cv, cv->isa) : gy_grouped_s2(cv, cv->isa);
    return pointwise && vector && s2 && pw->cout == cv->cin && pw->isa == cv->isa && pw->w &&
           cv->w;
}

/* Output rows per band. */
static int band_rows(const gy_pws2_run *r)
{
    int oh = r->cv.oh, rows = (oh + PWS2_TASKS - 1) / PWS2_TASKS;
    rows = rows < PWS2_MIN_BAND ? PWS2_MIN_BAND : rows;
    return rows < oh ? rows : oh;
}

/* Output rows per step (the window holds kh + sh * (step - 1) input rows of every channel). */
static int step_rows(const gy_pws2_run *r)
{
    const gy_conv *cv = r->cv.p;
    size_t row = (size_t)cv->cin * (size_t)r->cv.iw, fit = PWS2_WINDOW / (row ? row : 1);
    int step = fit > (size_t)cv->kh ? (int)((fit - (size_t)cv->kh) / (size_t)cv->sh) + 1 : 1;
    return step < band_rows(r) ? step : band_rows(r);
}

/* Input rows the window holds, at most. */
static int window_rows(const gy_pws2_run *r)
{
    return r->cv.p->kh + r->cv.p->sh * (step_rows(r) - 1);
}

size_t gy_f32_pws2_tasks(const gy_pws2_run *r)
{
    int rows = band_rows(r);
    return (size_t)((r->cv.oh + rows - 1) / rows);
}

static int tile_nr(int isa)
{
    return isa == GY_ISA_AVX512 ? GY_TILE512_NR : GY_TILE256_NR;
}

/* Floats from one input row to the next in a line's copy: the width rounded up to the tile's
 * columns (a last partial panel reads zeros), plus 16: rows one cache line off a multiple of
 * 4 KiB (in the input planes of a 320- or 160-wide map the K rows of a line are a multiple of
 * 4 KiB apart, all in one L1 set, which the tile reading B in place would thrash). */
static size_t line_stride(const gy_pws2_run *r)
{
    size_t nr = (size_t)tile_nr(r->pw.p->isa);
    return ((size_t)r->pw.iw + nr - 1) / nr * nr + 16;
}

size_t gy_f32_pws2_scratch_floats(const gy_pws2_run *r)
{
    const gy_conv *cv = r->cv.p;
    gy_conv v = *cv; /* the stride-2 kernel's scratch follows one group's input channels */
    v.cin = cv->cin / cv->groups;
    size_t window = (size_t)cv->cin * (size_t)window_rows(r) * (size_t)r->cv.iw;
    size_t line = (size_t)r->pw.p->cin * line_stride(r);
    return up16(window) + up16(line) + gy_s2_direct_scratch_floats(&v, r->cv.oh, r->cv.ow);
}

/* The pointwise output rows [y0, y1) of every channel into window rows y - wy0 (channels cs
 * floats apart), by the packed GEMM's tile on a copy of each input line (`line`, K rows of
 * line_stride floats, zero past the width). */
static void pointwise_rows(const gy_pws2_run *r, int y0, int y1, float *win, int wy0, size_t cs,
                           float *line)
{
    const gy_conv *pw = r->pw.p;
    int isa = pw->isa, nr = tile_nr(isa);
    int mr = isa == GY_ISA_AVX512 ? GY_TILE512_MR : GY_TILE256_MR;
    void (*tile)(int, const float *, const float *, const gy_tile *) =
        isa == GY_ISA_AVX512 ? gy_f32_conv_tile__avx512 : gy_f32_conv_tile__avx2;
    int K = pw->cin, M = pw->cout, iw = r->pw.iw, kc = gy_f32_conv2d_kc(pw);
    size_t plane = (size_t)r->pw.ih * (size_t)iw, ls = line_stride(r);
    for (int y = y0; y < y1; y++) {
        const float *row = r->pw.in + (size_t)y * (size_t)iw;
        for (int k = 0; k < K; k++) {
            float *d = line + (size_t)k * ls;
            memcpy(d, row + (size_t)k * plane, sizeof *d * (size_t)iw);
            memset(d + iw, 0, sizeof *d * (ls - (size_t)iw));
        }
        float *out = win + (size_t)(y - wy0) * (size_t)iw;
        for (int k0 = 0; k0 < K; k0 += kc) {
            int kn = K - k0 < kc ? K - k0 : kc;
            for (int m = 0; m < M; m += mr) {
                const float *a = pw->wpack + (size_t)(m / mr) * (size_t)K * mr + (size_t)k0 * mr;
                for (int p = 0; p * nr < iw; p++) {
                    gy_tile t = {.c = out + (size_t)m * cs + (size_t)p * nr, .ldc = cs,
                                 .rows = M - m < mr ? M - m : mr,
                                 .cols = iw - p * nr < nr ? iw - p * nr : nr,
                                 .first = k0 == 0, .last = k0 + kn >= K,
                                 .bias = pw->b ? pw->b + m : NULL, .act = r->pw.act, .ldb = ls};
                    tile(kn, a, line + (size_t)k0 * ls + (size_t)p * nr, &t);
                }
            }
        }
    }
}

/* The stride-2 conv's output rows [oy0, oy1), every group, from the window (input row wy0 at its
 * top, channels cs floats apart). */
static void conv_rows(const gy_pws2_run *r, int oy0, int oy1, const float *win, int wy0,
                      size_t cs, float *scratch)
{
    const gy_conv *cv = r->cv.p;
    int G = cv->groups, cin_g = cv->cin / G, cout_g = cv->cout / G;
    size_t out_plane = (size_t)r->cv.oh * (size_t)r->cv.ow;
    for (int g = 0; g < G; g++) {
        gy_conv v = *cv;
        if (G > 1)
            gy_grouped_view(cv, g, &v);
        gy_conv_run rv = r->cv;
        rv.p = &v;
        rv.in = win + (size_t)g * (size_t)cin_g * cs;
        rv.in_cs = cs;
        rv.in_y0 = wy0;
        rv.out = r->cv.out + (size_t)g * (size_t)cout_g * out_plane;
        rv.res = r->cv.res ? r->cv.res + (size_t)g * (size_t)cout_g * out_plane : NULL;
        int cb = gy_s2_conv_block(&v, v.isa, v.tune), nb = (v.cout + cb - 1) / cb;
        if (v.isa == GY_ISA_AVX512)
            gy_f32_conv2d_s2_direct__avx512(&rv, oy0, oy1, 0, nb, scratch);
        else
            gy_f32_conv2d_s2_direct__avx2(&rv, oy0, oy1, 0, nb, scratch);
    }
}

void gy_f32_pws2_task(const gy_pws2_run *r, size_t task, float *scratch)
{
    const gy_conv *cv = r->cv.p;
    int rows = band_rows(r), step = step_rows(r), ih = r->cv.ih, iw = r->cv.iw;
    int oy0 = (int)task * rows, oy1 = oy0 + rows < r->cv.oh ? oy0 + rows : r->cv.oh;
    size_t cs = (size_t)window_rows(r) * (size_t)iw;
    float *win = scratch, *line = win + up16((size_t)cv->cin * cs);
    float *s2 = line + up16((size_t)r->pw.p->cin * line_stride(r));
    int wy0 = 0, wy1 = 0; /* the window holds input rows [wy0, wy1) */
    for (int oy = oy0; oy < oy1; oy += step) {
        int oe = oy + step < oy1 ? oy + step : oy1;
        /* input rows [lo, hi) feed output rows [oy, oe) */
        int lo = oy * cv->sh - cv->ph, hi = (oe - 1) * cv->sh - cv->ph + cv->kh;
        lo = lo < 0 ? 0 : lo > ih ? ih : lo;
        hi = hi > ih ? ih : hi < lo ? lo : hi;
        /* rows [lo, lo + kept) are there already (lo and hi never fall below the last step's) */
        int kept = wy1 > lo ? wy1 - lo : 0;
        if (kept > 0 && lo > wy0)
            for (int c = 0; c < cv->cin; c++) {
                float *ch = win + (size_t)c * cs;
                memmove(ch, ch + (size_t)(lo - wy0) * iw, sizeof *ch * (size_t)kept * iw);
            }
        pointwise_rows(r, lo + kept, hi, win, lo, cs, line);
        wy0 = lo;
        wy1 = hi;
        conv_rows(r, oy, oe, win, wy0, cs, s2);
    }
}

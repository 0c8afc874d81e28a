/* f32_conv2d_dwpw.c - a depthwise conv whose output only a pointwise conv reads, run as one op
 * (MobileNetV2's depthwise then projection): each task owns a band of output rows and walks it a
 * few rows at a time; for each chunk it computes those depthwise rows of every channel into a
 * cache-resident block [C][rows x ow] (each channel's padded input rows copied into a small plane
 * first, as the depthwise kernel's ring does), then runs the packed GEMM of the pointwise conv on
 * that block (gy_f32_conv2d_pointwise_rows). The depthwise output, 13 MB for MobileNetV2's 32 x
 * 320 x 320 and 15 MB for its 144 x 160 x 160, is never stored and read back. The depthwise rows
 * are the depthwise kernel's row compute (f32-dwconv/f32_dwconv2d.h) and the pointwise outputs the
 * packed GEMM's tiles, so the pair gives what the two ops give, bit for bit. A chunk's first rows
 * copy again the kh - sh input rows the chunk before also read (from L2). */
#include <string.h>

#include "kernels/f32-dwconv/f32_dwconv2d.h"
#include "kernels/kernels.h"

#define DWPW_TASKS 8            /* row bands wanted */
#define DWPW_BLOCK_FLOATS 32768 /* the depthwise block of a chunk, at most (128 KiB in L2) ... */
#define DWPW_MAX_ROWS 8         /* ... and at most this many rows */

int gy_f32_dwpw_fusable(const gy_conv *dw, const gy_conv *pw)
{
    /* the depthwise kernel's convs (f32_conv2d.c sends these to f32_dwconv2d.c) */
    int depthwise = dw->groups > 1 && dw->groups == dw->cin && dw->cout == dw->cin &&
                    dw->sw <= GY_DW_MAX_STRIDE && dw->kh * dw->kw <= GY_DW_MAX_TAPS;
    /* the packed GEMM's pointwise convs (1x1 stride 1, not the 1x1-map GEMV) */
    int pointwise = pw->kh == 1 && pw->kw == 1 && pw->sh == 1 && pw->sw == 1 && pw->ph == 0 &&
                    pw->pw == 0 && pw->groups == 1;
    return depthwise && pointwise && pw->cin == dw->cout && pw->isa == dw->isa && dw->w &&
           pw->w && pw->wpack;
}

/* Depthwise output rows per chunk. */
static int chunk_rows(const gy_dwpw_run *r)
{
    int rows = DWPW_BLOCK_FLOATS / (r->dw.p->cout * r->dw.ow);
    return rows < 1 ? 1 : rows > DWPW_MAX_ROWS ? DWPW_MAX_ROWS : rows;
}

/* Output rows per band: about oh / DWPW_TASKS, a multiple of the chunk. */
static int band_rows(const gy_dwpw_run *r)
{
    int oh = r->dw.oh, R = chunk_rows(r);
    int rows = (oh + DWPW_TASKS - 1) / DWPW_TASKS;
    rows = (rows + R - 1) / R * R;
    return rows < oh ? rows : oh;
}

size_t gy_f32_dwpw_tasks(const gy_dwpw_run *r)
{
    int rows = band_rows(r);
    return (size_t)((r->dw.oh + rows - 1) / rows);
}

/* The padded input rows of one channel's chunk, and their floats. */
static int plane_rows(const gy_dwpw_run *r)
{
    return (chunk_rows(r) - 1) * r->dw.p->sh + r->dw.p->kh;
}

static size_t plane_floats(const gy_dwpw_run *r)
{
    const gy_conv *dw = r->dw.p;
    size_t n = (size_t)plane_rows(r) * (size_t)dw->sw * (size_t)gy_dw_phase_len(dw, r->dw.ow);
    return (n + 15) / 16 * 16;
}

/* The depthwise block, with 32 floats the GEMM's last column panel may read past it. */
static size_t block_floats(const gy_dwpw_run *r)
{
    size_t n = (size_t)r->dw.p->cout * (size_t)chunk_rows(r) * (size_t)r->dw.ow + 32;
    return (n + 15) / 16 * 16;
}

size_t gy_f32_dwpw_scratch_floats(const gy_dwpw_run *r)
{
    return plane_floats(r) + block_floats(r);
}

void gy_f32_dwpw_task(const gy_dwpw_run *r, size_t task, float *scratch)
{
    const gy_conv *dw = r->dw.p;
    int R = chunk_rows(r), rows = band_rows(r), C = dw->cout, ow = r->dw.ow;
    int oy0 = (int)task * rows, oy1 = oy0 + rows < r->dw.oh ? oy0 + rows : r->dw.oh;
    void (*dw_row)(const gy_conv_run *, const gy_dw_ring *, int, const float *const *, int) =
        gy_f32_dwconv2d_row__generic;
    gy_dw_row_fn copy = gy_dw_row_split;
#if defined(__x86_64__) || defined(__i386__)
    if (dw->isa == GY_ISA_AVX512) {
        dw_row = gy_f32_dwconv2d_row__avx512;
        copy = gy_f32_dwconv2d_copier__avx512(dw->sw);
    } else if (dw->isa == GY_ISA_AVX2) {
        dw_row = gy_f32_dwconv2d_row__avx2;
        copy = gy_f32_dwconv2d_copier__avx2(dw->sw);
    }
#endif
    float *plane = scratch, *blk = scratch + plane_floats(r);
    /* the small plane: padding zero once (rows write only their data columns); the block zeroed
     * so that the columns a short chunk leaves are defined */
    memset(scratch, 0, sizeof(float) * gy_f32_dwpw_scratch_floats(r));
    gy_dw_ring g;
    memset(&g, 0, sizeof g);
    g.phase_len = gy_dw_phase_len(dw, ow);
    g.row_floats = dw->sw * g.phase_len;
    g.base = plane;
    gy_dw_ring_reset(&g, &r->dw);
    /* the depthwise rows go to the block: channel ch's row j at blk + (ch * R + j) * ow */
    gy_conv_run d = r->dw;
    d.out = blk;
    d.oh = R;
    d.res = NULL;
    size_t in_plane = (size_t)r->dw.ih * r->dw.iw, out_plane = (size_t)r->pw.oh * r->pw.ow;
    int prows = plane_rows(r);
    for (int oy = oy0; oy < oy1; oy += R) {
        int n = oy1 - oy < R ? oy1 - oy : R;
        int iy0 = oy * dw->sh - dw->ph, used = (n - 1) * dw->sh + dw->kh;
        for (int ch = 0; ch < C; ch++) {
            const float *src = r->dw.in + (size_t)ch * in_plane;
            /* the rows the next chunk adds: C streams are too many for the hardware prefetcher */
            int py1 = iy0 + used + R * dw->sh;
            for (int iy = iy0 + used < 0 ? 0 : iy0 + used; iy < py1 && iy < r->dw.ih; iy++) {
                const char *p = (const char *)(src + (size_t)iy * r->dw.iw);
                for (int x = 0; x < r->dw.iw; x += 16)
                    __builtin_prefetch(p + 4 * x);
            }
            for (int j = 0; j < used && j < prows; j++) {
                int iy = iy0 + j;
                float *slot = plane + (size_t)j * g.row_floats;
                if (iy < 0 || iy >= r->dw.ih)
                    memset(slot, 0, sizeof(float) * (size_t)g.row_floats);
                else
                    copy(src + (size_t)iy * r->dw.iw, g.copy_cols, dw->pw, dw->sw, g.phase_len,
                         slot);
            }
#if defined(__x86_64__) || defined(__i386__)
            if (dw->isa == GY_ISA_AVX512) {
                gy_f32_dwconv2d_rows__avx512(&d, &g, ch, plane, n);
                continue;
            }
#endif
            for (int j = 0; j < n; j++) {
                const float *rp[GY_DW_MAX_TAPS];
                for (int ky = 0; ky < dw->kh; ky++)
                    rp[ky] = plane + (size_t)(j * dw->sh + ky) * g.row_floats;
                dw_row(&d, &g, ch, rp, j);
            }
        }
        size_t at = (size_t)oy * ow;
        gy_f32_conv2d_pointwise_rows(r->pw.p, 0, r->pw.p->cout, blk, (size_t)R * ow, n * ow,
                                     r->pw.out + at, r->pw.res ? r->pw.res + at : NULL, out_plane,
                                     r->pw.res_before_act, r->pw.act);
    }
}

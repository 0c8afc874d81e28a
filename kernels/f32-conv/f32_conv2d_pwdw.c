/* f32_conv2d_pwdw.c - a pointwise conv whose output only a depthwise conv reads, run as one op
 * (MobileNet's expand then depthwise, GhostNet's, ...): each task owns a block of channels and a
 * band of output rows, and computes the pointwise output rows its depthwise rows read straight
 * into the depthwise kernel's row ring (f32-dwconv/f32_dwconv2d.h), one ring per channel, so the
 * pointwise output, 39 MB for MobileNetV2's 16 -> 96 expand at 320x320, is never stored and read
 * back. The pointwise rows are the packed GEMM's outputs bit for bit (f32_conv2d_pwdw.h) and the
 * depthwise rows the depthwise kernel's, so the pair gives what the two ops give. A band's first
 * rows recompute the pointwise rows the band before also read (kh - sh rows per band). */
#include "kernels/f32-conv/f32_conv2d_pwdw.h"

#include <string.h>

#include "kernels/f32-dwconv/f32_dwconv2d.h"
#include "kernels/x32-split2/x32_split2.h"

#define PWDW_CB 128    /* channels per task: their rings stay in L2, and each input line is read
                        * once per block (with 16 the input came 6 times from memory) */
#define PWDW_TASKS 8   /* tasks wanted: channel blocks x row bands */
#define PWDW_MIN_BAND 8 /* output rows per band, at least */

int gy_f32_pwdw_fusable(const gy_conv *pw, const gy_conv *dw)
{
    int pointwise = pw->kh == 1 && pw->kw == 1 && pw->sh == 1 && pw->sw == 1 && pw->ph == 0 &&
                    pw->pw == 0 && pw->groups == 1;
    /* the depthwise kernel's convs (f32_conv2d.c sends these to f32_dwconv2d.c) */
    int depthwise = dw->groups > 1 && dw->groups == dw->cin && dw->cout == dw->cin &&
                    dw->sw <= GY_DW_MAX_STRIDE && dw->kh * dw->kw <= GY_DW_MAX_TAPS;
    return pointwise && depthwise && pw->cout == dw->cin && pw->isa == dw->isa && pw->w &&
           dw->w;
}

static int blocks(const gy_pwdw_run *r)
{
    return (r->dw.p->cout + PWDW_CB - 1) / PWDW_CB;
}

/* Output rows per band. */
static int band_rows(const gy_pwdw_run *r)
{
    int nb = blocks(r), oh = r->dw.oh;
    int bands = (PWDW_TASKS + nb - 1) / nb;
    int rows = (oh + bands - 1) / bands;
    rows = rows < PWDW_MIN_BAND ? PWDW_MIN_BAND : rows;
    return rows < oh ? rows : oh;
}

size_t gy_f32_pwdw_tasks(const gy_pwdw_run *r)
{
    int rows = band_rows(r);
    return (size_t)blocks(r) * (size_t)((r->dw.oh + rows - 1) / rows);
}

/* Floats of one input line's row in the task's copy, and of the pointwise row a block computes
 * before the depthwise copy splits it: the width rounded to 16, plus 16 (rows one cache line off
 * a multiple of 4 KiB). */
static size_t temp_stride(const gy_pwdw_run *r)
{
    return ((size_t)r->pw.iw + 15) / 16 * 16 + 16;
}

size_t gy_f32_pwdw_scratch_floats(const gy_pwdw_run *r)
{
    size_t ring = (gy_dw_ring_floats(r->dw.p, r->dw.ow) + 15) / 16 * 16;
    return PWDW_CB * (ring + temp_stride(r)) + (size_t)r->pw.p->cin * temp_stride(r);
}

void gy_f32_pwdw_task(const gy_pwdw_run *r, size_t task, float *scratch)
{
    const gy_conv *dw = r->dw.p;
    int rows = band_rows(r), nbands = (r->dw.oh + rows - 1) / rows;
    int c0 = (int)(task / (size_t)nbands) * PWDW_CB;
    int c1 = c0 + PWDW_CB < dw->cout ? c0 + PWDW_CB : dw->cout;
    int oy0 = (int)(task % (size_t)nbands) * rows;
    int oy1 = oy0 + rows < r->dw.oh ? oy0 + rows : r->dw.oh;
    int n = c1 - c0, sw = dw->sw;
    gy_pw_rows_fn pw_rows = gy_f32_pw_rows__generic;
    void (*dw_row)(const gy_conv_run *, const gy_dw_ring *, int, const float *const *, int) =
        gy_f32_dwconv2d_row__generic;
    gy_dw_row_fn copy = gy_dw_row_split;
    void (*split)(const float *, int, float *, float *) = gy_x32_split2__generic;
#if defined(__x86_64__) || defined(__i386__)
    if (dw->isa == GY_ISA_AVX512) {
        pw_rows = gy_f32_pw_rows__avx512;
        dw_row = gy_f32_dwconv2d_row__avx512;
        copy = gy_f32_dwconv2d_copier__avx512(sw);
        split = gy_x32_split2__avx512;
    } else if (dw->isa == GY_ISA_AVX2) {
        pw_rows = gy_f32_pw_rows__avx2;
        dw_row = gy_f32_dwconv2d_row__avx2;
        copy = gy_f32_dwconv2d_copier__avx2(sw);
        split = gy_x32_split2__avx2;
    }
#endif
    size_t ring = (gy_dw_ring_floats(dw, r->dw.ow) + 15) / 16 * 16, ts = temp_stride(r);
    float *temp = scratch + PWDW_CB * ring, *line = temp + PWDW_CB * ts;
    int K = r->pw.p->cin, iw = r->pw.iw;
    size_t plane = (size_t)r->pw.ih * iw;
    gy_dw_ring g[PWDW_CB];
    float *dst[PWDW_CB];
    for (int i = 0; i < n; i++) {
        gy_dw_ring_init(&g[i], dw, r->dw.ow, scratch + (size_t)i * ring);
        gy_dw_ring_reset(&g[i], &r->dw);
    }
    int kc = gy_f32_conv2d_kc(r->pw.p);
    int *holds = g[0].holds; /* the rings of a block hold the same rows */
    for (int oy = oy0; oy < oy1; oy++) {
        int iy0 = oy * dw->sh - dw->ph;
        for (int ky = 0; ky < dw->kh; ky++) {
            int iy = iy0 + ky;
            if (iy < 0 || iy >= r->dw.ih)
                continue;
            int s = iy % dw->kh;
            if (holds[s] == iy)
                continue;
            const float *src = r->pw.in + (size_t)iy * iw;
            int cols = g[0].copy_cols; /* the input columns some tap reads */
            if (iy + dw->sh < r->dw.ih) /* the line sh rows on: K streams from memory */
                for (int k = 0; k < K; k++) {
                    const char *pf = (const char *)(src + (size_t)k * plane + (size_t)dw->sh * iw);
                    for (int x = 0; x < cols; x += 16)
                        __builtin_prefetch(pf + 4 * x);
                }
            if (sw == 1) { /* straight into the slot, after its padding */
                for (int k = 0; k < K; k++) /* the line's K input rows together */
                    memcpy(line + (size_t)k * ts, src + (size_t)k * plane, sizeof(float) * (size_t)cols);
                for (int i = 0; i < n; i++)
                    dst[i] = g[i].base + (size_t)s * g[i].row_floats + dw->pw;
                pw_rows(r->pw.p, r->pw.act, kc, line, ts, cols, c0, c1, dst);
            } else if (sw == 2) {
                /* the input line split into even and odd columns once (pointwise outputs keep
                 * their columns), so each half goes straight into its phase of the slots */
                int ne = (cols + 1) / 2, no = cols / 2, pwd = dw->pw;
                size_t half = ts / 2;
                for (int k = 0; k < K; k++)
                    split(src + (size_t)k * plane, cols, line + (size_t)k * ts,
                          line + (size_t)k * ts + half);
                for (int i = 0; i < n; i++) /* even input columns: phase pw & 1 at pw >> 1 */
                    dst[i] = g[i].base + (size_t)s * g[i].row_floats +
                             (size_t)(pwd & 1) * g[i].phase_len + (size_t)(pwd >> 1);
                pw_rows(r->pw.p, r->pw.act, kc, line, ts, ne, c0, c1, dst);
                for (int i = 0; i < n; i++)
                    dst[i] = g[i].base + (size_t)s * g[i].row_floats +
                             (size_t)((pwd + 1) & 1) * g[i].phase_len + (size_t)((pwd + 1) >> 1);
                if (no > 0)
                    pw_rows(r->pw.p, r->pw.act, kc, line + half, ts, no, c0, c1, dst);
            } else {
                for (int k = 0; k < K; k++)
                    memcpy(line + (size_t)k * ts, src + (size_t)k * plane, sizeof(float) * (size_t)cols);
                for (int i = 0; i < n; i++)
                    dst[i] = temp + (size_t)i * ts;
                pw_rows(r->pw.p, r->pw.act, kc, line, ts, cols, c0, c1, dst);
                for (int i = 0; i < n; i++)
                    copy(dst[i], cols, dw->pw, sw, g[i].phase_len,
                         g[i].base + (size_t)s * g[i].row_floats);
            }
            holds[s] = iy;
        }
        for (int i = 0; i < n; i++) {
            const float *rp[GY_DW_MAX_TAPS];
            for (int ky = 0; ky < dw->kh; ky++) {
                int iy = iy0 + ky;
                rp[ky] = iy < 0 || iy >= r->dw.ih
                             ? g[i].zero
                             : g[i].base + (size_t)(iy % dw->kh) * g[i].row_floats;
            }
            dw_row(&r->dw, &g[i], c0 + i, rp, oy);
        }
    }
}

/* resize.c - uint8 resizing that reproduces OpenCV 4.x cv2.resize bit for bit (x86_64 build).
 *
 * The arithmetic mirrors OpenCV's imgproc resize for CV_8U:
 *   INTER_LINEAR  separable fixed point: 11-bit horizontal coefficients into int rows, then a
 *                 vertical blend of two rows done the way OpenCV's 8-bit path does it (each row
 *                 pre-shifted by 4, multiplied by the 16-bit coefficient keeping the high half,
 *                 summed, rounded by +2 >> 2). An exact 22-bit rounding would differ by one
 *                 grey level on some pixels.
 *   INTER_AREA    downscale by integer factors: block mean (2x2: (sum + 2) >> 2, otherwise the
 *                 float sum * (1/area) rounded half to even); other downscales: area-weighted float
 *                 coefficients; upscale (any axis < 1): bilinear with OpenCV's "area" coefficients.
 *   2x2 integer downscale with INTER_LINEAR is done as INTER_AREA, like OpenCV.
 * Coordinates follow OpenCV: scale = 1 / (dst / src) in double, sample at (d + 0.5) * scale - 0.5.
 *
 * Floating-point expressions here must not be contracted into fused multiply-adds: OpenCV's x86_64
 * build does not fuse them, and a fused result may round differently. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "preprocess/resize.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

enum { COEF_BITS = 11, COEF_ONE = 1 << COEF_BITS };

/* Largest side accepted: keeps every int index product (side * channels * 2) far from overflow. */
#define GY_RESIZE_MAX_SIDE (1 << 24)

/* cvRound for float/double: nearest, ties to even (the default floating-point environment). */
static int round_even_f(float v) { return (int)lrintf(v); }
static int round_even_d(double v) { return (int)lrint(v); }

static unsigned char sat_u8(int v) { return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v); }

static short sat_s16(int v)
{
    return (short)(v < SHRT_MIN ? SHRT_MIN : v > SHRT_MAX ? SHRT_MAX : v);
}

/* Allocates n elements of size sz, overflow-checked. */
static void *alloc_array(size_t n, size_t sz)
{
    size_t bytes;
    if (!gy_mul_size(n, sz, &bytes))
        return NULL;
    return malloc(bytes ? bytes : 1);
}

/* ------------------------------------------------------------------------------------------------ */
/* Bilinear (also INTER_AREA when enlarging)                                                        */

/* Per destination column or row: source index and the two 11-bit weights. */
typedef struct lin_tab {
    int *ofs;
    short *coef; /* 2 per entry */
    int first_clamped_high; /* entries from this one on use the last sample alone (OpenCV's xmax) */
} lin_tab;

/* Fills a table of n destination positions over a source of size ssize, OpenCV's way. */
static void lin_tab_fill(lin_tab *t, int n, int ssize, double scale, double inv_scale, int area_mode,
                         int clamp)
{
    t->first_clamped_high = n;
    for (int d = 0; d < n; d++) {
        int s;
        float f;
        if (!area_mode) {
            f = (float)((d + 0.5) * scale - 0.5);
            s = (int)floorf(f);
            f -= (float)s;
        } else {
            s = (int)floor(d * scale);
            f = (float)((d + 1) - (s + 1) * inv_scale);
            f = f <= 0 ? 0.f : f - (float)floor(f);
        }
        if (clamp) {
            if (s < 0) {
                f = 0.f;
                s = 0;
            }
            if (s + 1 >= ssize) {
                if (d < t->first_clamped_high)
                    t->first_clamped_high = d;
                if (s >= ssize - 1) {
                    f = 0.f;
                    s = ssize - 1;
                }
            }
        }
        t->ofs[d] = s;
        t->coef[2 * d] = sat_s16(round_even_f((1.f - f) * COEF_ONE));
        t->coef[2 * d + 1] = sat_s16(round_even_f(f * COEF_ONE));
    }
}

/* Horizontal pass of one source row into int sums (value * 2048 scale). The channel count is a
 * compile-time constant in each instantiation so the compiler can unroll the channel loop. */
static inline void lin_hrow_cn(const unsigned char *srow, int *drow, const lin_tab *xt, int dw,
                               const int cn)
{
    int lim = xt->first_clamped_high;
    for (int dx = 0; dx < lim; dx++) {
        const unsigned char *p = srow + (size_t)xt->ofs[dx] * (size_t)cn;
        int *o = drow + (size_t)dx * (size_t)cn;
        int a0 = xt->coef[2 * dx], a1 = xt->coef[2 * dx + 1];
        for (int c = 0; c < cn; c++)
            o[c] = p[c] * a0 + p[c + cn] * a1;
    }
    for (int dx = lim; dx < dw; dx++) {
        const unsigned char *p = srow + (size_t)xt->ofs[dx] * (size_t)cn;
        int *o = drow + (size_t)dx * (size_t)cn;
        for (int c = 0; c < cn; c++)
            o[c] = p[c] * COEF_ONE;
    }
}

static void lin_hrow(const unsigned char *srow, int *drow, const lin_tab *xt, int dw, int cn)
{
    switch (cn) {
    case 1: lin_hrow_cn(srow, drow, xt, dw, 1); break;
    case 2: lin_hrow_cn(srow, drow, xt, dw, 2); break;
    case 3: lin_hrow_cn(srow, drow, xt, dw, 3); break;
    default: lin_hrow_cn(srow, drow, xt, dw, 4); break;
    }
}

/* Vertical blend of two horizontal rows, the way OpenCV's 8-bit linear path rounds it. */
static void lin_vrow(const int *s0, const int *s1, unsigned char *d, size_t n, int b0, int b1)
{
    for (size_t i = 0; i < n; i++) {
        int v = (((b0 * (s0[i] >> 4)) >> 16) + ((b1 * (s1[i] >> 4)) >> 16) + 2) >> 2;
        d[i] = sat_u8(v);
    }
}

static int clip_row(int y, int h) { return y < 0 ? 0 : y >= h ? h - 1 : y; }

static gy_status resize_linear(const unsigned char *src, int sw, int sh, unsigned char *dst, int dw,
                               int dh, int cn, double scale_x, double scale_y, double inv_x,
                               double inv_y, int area_mode, gy_error *err)
{
    size_t row_elems = (size_t)dw * (size_t)cn; /* bounded by the side limit: no overflow */
    size_t src_row = (size_t)sw * (size_t)cn;
    lin_tab xt = { alloc_array((size_t)dw, sizeof(int)), alloc_array((size_t)dw * 2, sizeof(short)),
                   0 };
    lin_tab yt = { alloc_array((size_t)dh, sizeof(int)), alloc_array((size_t)dh * 2, sizeof(short)),
                   0 };
    int *rows = alloc_array(row_elems * 2, sizeof(int));
    gy_status st = GY_OK;
    if (!xt.ofs || !xt.coef || !yt.ofs || !yt.coef || !rows) {
        st = gy_fail(err, GY_ERR_NOMEM, "resize %dx%d -> %dx%d: cannot allocate scratch", sw, sh,
                     dw, dh);
        goto done;
    }
    lin_tab_fill(&xt, dw, sw, scale_x, inv_x, area_mode, 1);
    /* Rows keep their unclamped offset and coefficients; the row index is clipped at use. */
    lin_tab_fill(&yt, dh, sh, scale_y, inv_y, area_mode, 0);

    /* Two row buffers remember which source row they hold, so each source row is filtered
     * horizontally once while the destination walks down. */
    int *buf[2] = { rows, rows + row_elems };
    int have[2] = { -1, -1 };
    for (int dy = 0; dy < dh; dy++) {
        int y0 = clip_row(yt.ofs[dy], sh), y1 = clip_row(yt.ofs[dy] + 1, sh);
        int r0 = have[0] == y0 ? 0 : have[1] == y0 ? 1 : -1;
        int r1 = have[0] == y1 ? 0 : have[1] == y1 ? 1 : -1;
        if (y0 == y1) {
            if (r0 < 0) {
                r0 = 0;
                lin_hrow(src + (size_t)y0 * src_row, buf[0], &xt, dw, cn);
                have[0] = y0;
            }
            r1 = r0;
        } else {
            if (r0 < 0 && r1 < 0) {
                r0 = 0;
                r1 = 1;
            } else if (r0 < 0) {
                r0 = 1 - r1;
            } else if (r1 < 0) {
                r1 = 1 - r0;
            }
            if (have[r0] != y0) {
                lin_hrow(src + (size_t)y0 * src_row, buf[r0], &xt, dw, cn);
                have[r0] = y0;
            }
            if (have[r1] != y1) {
                lin_hrow(src + (size_t)y1 * src_row, buf[r1], &xt, dw, cn);
                have[r1] = y1;
            }
        }
        lin_vrow(buf[r0], buf[r1], dst + (size_t)dy * row_elems, row_elems, yt.coef[2 * dy],
                 yt.coef[2 * dy + 1]);
    }
done:
    free(xt.ofs);
    free(xt.coef);
    free(yt.ofs);
    free(yt.coef);
    free(rows);
    return st;
}

/* ------------------------------------------------------------------------------------------------ */
/* Area: integer factors                                                                            */

/* sw == fx * dw and sh == fy * dh exactly (the caller's integer_factors test: sh / dh within
 * DBL_EPSILON of an integer means it is one), so every block lies inside the source. */
static gy_status resize_area_int(const unsigned char *src, int sw, unsigned char *dst, int dw,
                                 int dh, int cn, int fx, int fy)
{
    size_t src_row = (size_t)sw * (size_t)cn;
    size_t dst_row = (size_t)dw * (size_t)cn;
    int area = fx * fy;
    float scale = 1.f / (float)area;
    int pairs = fx == 2 && fy == 2 && (cn == 1 || cn == 3 || cn == 4);

    for (int dy = 0; dy < dh; dy++) {
        unsigned char *d = dst + (size_t)dy * dst_row;
        const unsigned char *s = src + (size_t)dy * fy * src_row;
        for (int dx = 0; dx < dw; dx++) {
            const unsigned char *p = s + (size_t)dx * (size_t)fx * (size_t)cn;
            for (int c = 0; c < cn; c++) {
                if (pairs) {
                    int v = p[c] + p[c + cn] + p[src_row + c] + p[src_row + c + cn];
                    d[(size_t)dx * cn + c] = (unsigned char)((v + 2) >> 2);
                } else {
                    int sum = 0;
                    for (int j = 0; j < fy; j++)
                        for (int i = 0; i < fx; i++)
                            sum += p[(size_t)j * src_row + (size_t)i * cn + c];
                    d[(size_t)dx * cn + c] = sat_u8(round_even_f((float)sum * scale));
                }
            }
        }
    }
    return GY_OK;
}

/* ------------------------------------------------------------------------------------------------ */
/* Area: fractional factors                                                                         */

typedef struct area_entry {
    int di, si;
    float alpha;
} area_entry;

/* OpenCV's computeResizeAreaTab: the source cells each destination cell covers and their weights.
 * Returns the entry count (at most 2 * ssize). Indices are in pixels. */
static int area_tab_fill(int ssize, int dsize, double scale, area_entry *tab)
{
    int k = 0;
    for (int d = 0; d < dsize; d++) {
        double f1 = d * scale;
        double f2 = f1 + scale;
        double cell = scale < ssize - f1 ? scale : ssize - f1;
        int s1 = (int)ceil(f1), s2 = (int)floor(f2);
        if (s2 > ssize - 1)
            s2 = ssize - 1;
        if (s1 > s2)
            s1 = s2;
        if (s1 - f1 > 1e-3) {
            tab[k].di = d;
            tab[k].si = s1 - 1;
            tab[k++].alpha = (float)((s1 - f1) / cell);
        }
        for (int s = s1; s < s2; s++) {
            tab[k].di = d;
            tab[k].si = s;
            tab[k++].alpha = (float)(1.0 / cell);
        }
        if (f2 - s2 > 1e-3) {
            double part = f2 - s2 < 1. ? f2 - s2 : 1.;
            if (part > cell)
                part = cell;
            tab[k].di = d;
            tab[k].si = s2;
            tab[k++].alpha = (float)(part / cell);
        }
    }
    return k;
}

static gy_status resize_area_frac(const unsigned char *src, int sw, int sh, unsigned char *dst,
                                  int dw, int dh, int cn, double scale_x, double scale_y,
                                  gy_error *err)
{
    size_t src_row = (size_t)sw * (size_t)cn;
    size_t dst_row = (size_t)dw * (size_t)cn;
    /* Each destination cell has its whole source cells plus at most two partial ones. */
    area_entry *xt = alloc_array((size_t)sw + 2 * (size_t)dw + 2, sizeof(area_entry));
    area_entry *yt = alloc_array((size_t)sh + 2 * (size_t)dh + 2, sizeof(area_entry));
    float *hbuf = alloc_array(dst_row, sizeof(float));
    float *acc = alloc_array(dst_row, sizeof(float));
    gy_status st = GY_OK;
    if (!xt || !yt || !hbuf || !acc) {
        st = gy_fail(err, GY_ERR_NOMEM, "resize %dx%d -> %dx%d: cannot allocate scratch", sw, sh,
                     dw, dh);
        goto done;
    }
    int nx = area_tab_fill(sw, dw, scale_x, xt);
    int ny = area_tab_fill(sh, dh, scale_y, yt);

    int hbuf_row = -1;
    int cur_dy = ny > 0 ? yt[0].di : 0;
    for (size_t i = 0; i < dst_row; i++)
        acc[i] = 0.f;
    for (int j = 0; j < ny; j++) {
        float beta = yt[j].alpha;
        int dy = yt[j].di;
        int sy = yt[j].si;
        if (sy != hbuf_row) {
            /* Horizontal pass: accumulate the weighted source samples of each destination cell. */
            const unsigned char *s = src + (size_t)sy * src_row;
            for (size_t i = 0; i < dst_row; i++)
                hbuf[i] = 0.f;
            for (int k = 0; k < nx; k++) {
                const unsigned char *p = s + (size_t)xt[k].si * (size_t)cn;
                float *o = hbuf + (size_t)xt[k].di * (size_t)cn;
                float a = xt[k].alpha;
                for (int c = 0; c < cn; c++)
                    o[c] = o[c] + (float)p[c] * a;
            }
            hbuf_row = sy;
        }
        if (dy != cur_dy) {
            unsigned char *d = dst + (size_t)cur_dy * dst_row;
            for (size_t i = 0; i < dst_row; i++) {
                d[i] = sat_u8(round_even_f(acc[i]));
                acc[i] = beta * hbuf[i];
            }
            cur_dy = dy;
        } else {
            for (size_t i = 0; i < dst_row; i++)
                acc[i] = acc[i] + beta * hbuf[i];
        }
    }
    if (ny > 0) {
        unsigned char *d = dst + (size_t)cur_dy * dst_row;
        for (size_t i = 0; i < dst_row; i++)
            d[i] = sat_u8(round_even_f(acc[i]));
    }
done:
    free(xt);
    free(yt);
    free(hbuf);
    free(acc);
    return st;
}

/* ------------------------------------------------------------------------------------------------ */

gy_status gy_resize_u8(const unsigned char *src, int sw, int sh, unsigned char *dst, int dw, int dh,
                       int channels, gy_interp interp, gy_error *err)
{
    if (!src || !dst)
        return gy_fail(err, GY_ERR_ARGUMENT, "resize: NULL %s buffer", !src ? "source" : "destination");
    if (sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0)
        return gy_fail(err, GY_ERR_ARGUMENT, "resize: sizes must be positive (got %dx%d -> %dx%d)",
                       sw, sh, dw, dh);
    if (sw > GY_RESIZE_MAX_SIDE || sh > GY_RESIZE_MAX_SIDE || dw > GY_RESIZE_MAX_SIDE ||
        dh > GY_RESIZE_MAX_SIDE)
        return gy_fail(err, GY_ERR_ARGUMENT, "resize: a side above %d (got %dx%d -> %dx%d)",
                       GY_RESIZE_MAX_SIDE, sw, sh, dw, dh);
    if (channels < 1 || channels > 4)
        return gy_fail(err, GY_ERR_ARGUMENT, "resize: channels must be 1..4 (got %d)", channels);
    if (interp != GY_INTER_LINEAR && interp != GY_INTER_AREA)
        return gy_fail(err, GY_ERR_ARGUMENT, "resize: unknown interpolation %d", (int)interp);
    size_t src_bytes, dst_bytes;
    if (!gy_mul_size((size_t)sw * (size_t)sh, (size_t)channels, &src_bytes) ||
        !gy_mul_size((size_t)dw * (size_t)dh, (size_t)channels, &dst_bytes))
        return gy_fail(err, GY_ERR_NOMEM, "resize: %dx%d -> %dx%d overflows the address space", sw,
                       sh, dw, dh);

    if (sw == dw && sh == dh) {
        memmove(dst, src, src_bytes);
        return GY_OK;
    }

    double inv_x = (double)dw / sw, inv_y = (double)dh / sh;
    double scale_x = 1. / inv_x, scale_y = 1. / inv_y;
    int iscale_x = round_even_d(scale_x < INT_MAX ? scale_x : INT_MAX);
    int iscale_y = round_even_d(scale_y < INT_MAX ? scale_y : INT_MAX);
    int integer_factors = fabs(scale_x - iscale_x) < DBL_EPSILON && fabs(scale_y - iscale_y) < DBL_EPSILON;

    if (interp == GY_INTER_LINEAR && integer_factors && iscale_x == 2 && iscale_y == 2)
        interp = GY_INTER_AREA; /* OpenCV: identical result, faster */

    if (interp == GY_INTER_AREA && scale_x >= 1 && scale_y >= 1) {
        if (integer_factors)
            return resize_area_int(src, sw, dst, dw, dh, channels, iscale_x, iscale_y);
        return resize_area_frac(src, sw, sh, dst, dw, dh, channels, scale_x, scale_y, err);
    }
    return resize_linear(src, sw, sh, dst, dw, dh, channels, scale_x, scale_y, inv_x, inv_y,
                         interp == GY_INTER_AREA, err);
}

/* f32_conv2d_s2_direct_loop.h - the loop shared by the direct stride-2 convolution of every
 * instruction set (included by f32_conv2d_s2_direct__*.c; internal to kernels/). For each output
 * row of the task, its valid window rows ky in [ky0, ky1), then tiles of up to p output pixels
 * (the ISA's tile width for this conv): a tile whose window [xs, xs + len) lies inside the input
 * reads the input in place; so does a tile at the left edge of a 3-wide, pad-1 filter when the
 * ISA's tile can leave out pixel 0's first tap (`left_ok`: src then points at the row's start);
 * the others read a zero-padded copy of the window in the scratch ([ci][ky - ky0][len]). The
 * ISA's tile then runs every channel block of the task on np = np_for(n) >= n pixels and stores
 * the n pixels of the tile. */
#ifndef GY_KERNELS_F32_CONV2D_S2_DIRECT_LOOP_H
#define GY_KERNELS_F32_CONV2D_S2_DIRECT_LOOP_H

#include <string.h>

#include "kernels/kernels.h"

/* Computes and stores channel blocks [cb0, cb1) at pixels [ox0, ox0 + n) of row oy on np
 * pixels; pixel q of window row (ci, ky) reads src[ci * cs + (ky - ky0) * rs + 2q + kx], or
 * with `left` src[... + 2q + kx - 1] and nothing for q = 0, kx = 0. */
typedef void (*gy_s2_tile_fn)(const gy_conv_run *r, int np, int left, const float *src, size_t cs,
                              size_t rs, int ky0, int ky1, int cb0, int cb1, int oy, int ox0,
                              int n);

static inline __attribute__((always_inline)) void
gy_s2_direct_loop(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1, float *scratch,
                  const int p, int (*np_for)(int n), const int left_ok, gy_s2_tile_fn tile)
{
    const gy_conv *c = r->p;
    int ih = r->ih, iw = r->iw, ow = r->ow, kh = c->kh, kw = c->kw, cin = c->cin;
    /* input row y of channel ci at in + ci * plane + (y - y0) * iw (a fused op's window: r->in_cs,
     * r->in_y0; else the whole planes) */
    size_t plane = r->in_cs ? r->in_cs : (size_t)ih * iw;
    int y0 = r->in_y0;
    int left3 = left_ok && kw == 3 && c->pw == 1;
    for (int oy = oy0; oy < oy1; oy++) {
        int iy0 = oy * c->sh - c->ph;
        int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = ih - iy0 < kh ? ih - iy0 : kh;
        if (ky1 < ky0)
            ky1 = ky0;
        for (int ox0 = 0; ox0 < ow; ox0 += p) {
            int n = ow - ox0 < p ? ow - ox0 : p;
            int np = np_for(n);
            int xs = 2 * ox0 - c->pw, len = 2 * (np - 1) + kw; /* window: input xs .. xs + len */
            const float *src;
            size_t cs, rs;
            int left = 0;
            if (ky0 == ky1) {
                src = scratch, cs = rs = 0; /* no row of the window is inside the input */
            } else if (xs >= 0 && xs + len <= iw) {
                src = r->in + (size_t)(iy0 + ky0 - y0) * iw + (size_t)xs, cs = plane, rs = (size_t)iw;
            } else if (left3 && xs == -1 && xs + len <= iw) {
                src = r->in + (size_t)(iy0 + ky0 - y0) * iw, cs = plane, rs = (size_t)iw, left = 1;
            } else {
                int qlo = xs < 0 ? -xs : 0, qhi = iw - xs < len ? iw - xs : len;
                if (qhi < qlo)
                    qhi = qlo;
                float *d = scratch;
                for (int ci = 0; ci < cin; ci++)
                    for (int ky = ky0; ky < ky1; ky++, d += len) {
                        const float *row =
                            r->in + (size_t)ci * plane + (size_t)(iy0 + ky - y0) * iw;
                        memset(d, 0, sizeof *d * (size_t)qlo);
                        if (qhi > qlo)
                            memcpy(d + qlo, row + xs + qlo, sizeof *d * (size_t)(qhi - qlo));
                        memset(d + qhi, 0, sizeof *d * (size_t)(len - qhi));
                    }
                src = scratch, rs = (size_t)len, cs = (size_t)(ky1 - ky0) * len;
            }
            tile(r, np, left, src, cs, rs, ky0, ky1, cb0, cb1, oy, ox0, n);
        }
    }
}

#endif

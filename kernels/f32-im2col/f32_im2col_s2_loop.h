/* f32_im2col_s2_loop.h - the loop shared by the stride-2 im2col of every instruction set
 * (included by f32_im2col_s2__*.c; internal to kernels/). Panel-major: for each run of output
 * pixels (one output row, inside one panel of nr columns) the whole K chunk, so a panel is
 * written sequentially; an inner run (every kx reads inside the row) takes the ISA's `inner`
 * copy of nr outputs, a run at a row's edge its `edge` gather, a row in the padding `zero`; the
 * last panel's columns past the pixels are cleared by `clear`. Inlined into each ISA's
 * function with that ISA's pieces, so they inline too. */
#ifndef GY_KERNELS_F32_IM2COL_S2_LOOP_H
#define GY_KERNELS_F32_IM2COL_S2_LOOP_H

#include "kernels/f32-gemm/f32_conv2d_tile.h"
#include "kernels/kernels.h"

typedef struct gy_im2col_s2_isa {
    int nr;    /* panel width */
    int slack; /* inputs the inner copy reads past its last needed one (0 or 1) */
    void (*zero)(float *d, int len);
    void (*inner)(float *d, const float *p); /* d[0, nr) = p[2x], x < nr */
    /* d[0, len) = src[2x + off], x in [ox, ox + len), zero outside [xlo, xhi) */
    void (*edge)(float *d, const float *src, int ox, int len, int off, int xlo, int xhi);
    void (*clear)(float *z, int from); /* z[from, nr) = 0 */
} gy_im2col_s2_isa;

static inline __attribute__((always_inline)) void
gy_im2col_s2_loop(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1, float *dst,
                  const gy_im2col_s2_isa isa)
{
    const gy_conv *c = r->p;
    const int NR = isa.nr;
    int ow = r->ow, ih = r->ih, iw = r->iw, cols = n1 - n0, kw = c->kw, kh = c->kh, pw = c->pw;
    int kx0 = k0 % kw, ky0 = k0 / kw % kh, ci0 = k0 / (kw * kh);
    size_t plane = (size_t)ih * iw;
    const float *in = r->in + (size_t)grp * (size_t)(c->cin / c->groups) * plane;
    /* x in [xin_lo, xin_hi): input 2x + kx - pw inside the row for every kx */
    int xin_lo = (pw + 1) / 2, xin_hi = (iw - (kw - 1 - pw) + 1) / 2;
    int oy = n0 / ow, ox = n0 % ow;
    for (int col = 0; col < cols;) {
        int len = ow - ox, room = NR - col % NR;
        if (len > room)
            len = room;
        if (len > cols - col)
            len = cols - col;
        float *d = dst + (size_t)(col / NR) * gy_panel_stride(kc, NR) + col % NR;
        int inner = len == NR && ox >= xin_lo && ox + NR + isa.slack <= xin_hi;
        int iy0 = oy * c->sh - c->ph;
        int kx = kx0, ky = ky0, ci = ci0;
        for (int k = 0; k < kc; k++, d += NR) {
            int iy = iy0 + ky, off = kx - pw;
            if (iy < 0 || iy >= ih) {
                isa.zero(d, len);
            } else {
                const float *src = in + (size_t)ci * plane + (size_t)iy * iw;
                if (inner) {
                    isa.inner(d, src + 2 * ox + off);
                } else {
                    /* input 2x + off is inside [0, iw) for x in [xlo, xhi) */
                    int xlo = off >= 0 ? 0 : (1 - off) / 2;
                    int xhi = iw - off > 0 ? (iw - off + 1) / 2 : 0;
                    isa.edge(d, src, ox, len, off, xlo, xhi);
                }
            }
            if (++kx == kw) {
                kx = 0;
                if (++ky == kh) {
                    ky = 0;
                    ci++;
                }
            }
        }
        col += len;
        ox += len;
        if (ox == ow) {
            ox = 0;
            oy++;
        }
    }
    int tail = cols % NR; /* the columns the tile reads past the last pixel */
    if (tail) {
        float *z = dst + (size_t)(cols / NR) * gy_panel_stride(kc, NR);
        for (int k = 0; k < kc; k++, z += NR)
            isa.clear(z, tail);
    }
}

#endif

/* f32_im2col_s2_loop.h - the loop shared by the stride-2 im2col of every instruction set
 * (included by f32_im2col_s2__*.c; internal to kernels/). Panel-major: for each run of output
 * pixels (one output row, inside one panel of nr columns) the whole K chunk, so a panel is
 * written sequentially; an inner run (every kx reads inside the row) takes the ISA's `inner`
 * copy of nr outputs, a run at a row's edge its `edge` gather, a row in the padding `zero`; the
 * last panel's columns past the pixels are cleared by `clear`. 1x1 unpadded filters take a
 * channel-major loop instead (gy_im2col_s2_1x1). Inlined into each ISA's function with that
 * ISA's pieces, so they inline too. */
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

/* One run of output pixels of the 1x1 loop: its offset in the panels, its input row's offset in
 * a plane, its first output x and length, whether the inner copy takes it. */
typedef struct gy_s2_run {
    size_t d, row;
    int ox, len, inner;
} gy_s2_run;

#define GY_S2_RUNS 64 /* runs planned per batch */
#define GY_S2_PD 12   /* channels ahead the 1x1 copy prefetches its inputs */

/* 1x1 unpadded filters: input channel outer, runs inner, so that each channel's rows are read in
 * one pass (the runs are planned once per batch of GY_S2_RUNS, then replayed for every channel),
 * with the inputs of the channel GY_S2_PD ahead prefetched. The panel-major order below jumps
 * across every channel for each run of 32 pixels: with the input coming from memory that measured
 * 5-7 % slower on HS-ResNet's 1x1 stride-2 shortcuts (kernels/README.md). */
static inline __attribute__((always_inline)) void
gy_im2col_s2_1x1(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1, float *dst,
                 const gy_im2col_s2_isa isa)
{
    const gy_conv *c = r->p;
    const int NR = isa.nr;
    int ow = r->ow, iw = r->iw, cols = n1 - n0;
    size_t plane = (size_t)r->ih * iw, pstride = gy_panel_stride(kc, NR);
    const float *in = r->in + ((size_t)grp * (size_t)(c->cin / c->groups) + (size_t)k0) * plane;
    int xin_hi = (iw + 1) / 2; /* input 2x is inside the row for x < xin_hi */
    int oy = n0 / ow, ox = n0 % ow;
    for (int col = 0; col < cols;) {
        gy_s2_run runs[GY_S2_RUNS];
        int nrun = 0;
        for (; nrun < GY_S2_RUNS && col < cols; nrun++) {
            int len = ow - ox, room = NR - col % NR;
            if (len > room)
                len = room;
            if (len > cols - col)
                len = cols - col;
            gy_s2_run *u = &runs[nrun];
            u->d = (size_t)(col / NR) * pstride + (size_t)(col % NR);
            u->row = (size_t)oy * c->sh * iw;
            u->ox = ox;
            u->len = len;
            u->inner = len == NR && ox + NR + isa.slack <= xin_hi;
            col += len;
            ox += len;
            if (ox == ow) {
                ox = 0;
                oy++;
            }
        }
        for (int k = 0; k < kc; k++) {
            const float *src = in + (size_t)k * plane;
            float *d = dst + (size_t)k * NR;
            for (int i = 0; i < nrun; i++) {
                const gy_s2_run *u = &runs[i];
                const float *row = src + u->row;
                if (k + GY_S2_PD < kc) /* the run's inputs, a cache line apart */
                    for (int j = 0; j < 2 * u->len; j += 16)
                        __builtin_prefetch(row + GY_S2_PD * plane + 2 * u->ox + j);
                if (u->inner)
                    isa.inner(d + u->d, row + 2 * u->ox);
                else
                    isa.edge(d + u->d, row, u->ox, u->len, 0, 0, xin_hi);
            }
        }
    }
    int tail = cols % NR; /* the columns the tile reads past the last pixel */
    if (tail) {
        float *z = dst + (size_t)(cols / NR) * pstride;
        for (int k = 0; k < kc; k++, z += NR)
            isa.clear(z, tail);
    }
}

static inline __attribute__((always_inline)) void
gy_im2col_s2_loop(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1, float *dst,
                  const gy_im2col_s2_isa isa)
{
    const gy_conv *c = r->p;
    if (c->kh == 1 && c->kw == 1 && c->ph == 0 && c->pw == 0) {
        gy_im2col_s2_1x1(r, grp, k0, kc, n0, n1, dst, isa);
        return;
    }
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

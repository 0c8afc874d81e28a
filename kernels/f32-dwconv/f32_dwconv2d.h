/* f32_dwconv2d.h - the depthwise convolution's row ring, shared by its variants (internal to
 * kernels/f32-dwconv/).
 *
 * A task owns a run of channels. For each channel, output row oy reads the kh input rows
 * oy * sh - ph + ky; each is copied once into a slot of a ring of kh rows in the thread's scratch,
 * padded with zeros and, for horizontal stride sw, split into sw column phases (padded column px
 * goes to phase px % sw at px / sw), so that every filter tap reads one contiguous run: output x,
 * tap kx reads phase kx % sw at x + kx / sw. Rows above or below the input read a zero row. The
 * slots' padding is zeroed once per task and never written after (a row only ever writes its
 * data columns, or zeros past them), so a copy costs one pass over the row, in L1.
 *
 * Every output is bias, then the taps in row-major order, each one fused multiply-add, then the
 * epilogue: the AVX2 and AVX-512 variants compute the same operations in the same order and agree
 * bit for bit; the portable one multiplies and adds separately (within the reference's bound). */
#ifndef GY_KERNELS_F32_DWCONV2D_H
#define GY_KERNELS_F32_DWCONV2D_H

#include <limits.h>
#include <string.h>

#include "kernels/kernels.h"

#define GY_DW_SLACK 48 /* floats past a phase's last column that vector loads may read */

typedef struct gy_dw_ring {
    int phase_len;      /* floats per column phase (a multiple of 16) */
    int row_floats;     /* sw * phase_len: one slot */
    int slots;          /* kh */
    int copy_cols;      /* input columns copied: those the taps read (below pcols) */
    float *zero;        /* a zero row */
    float *base;        /* the slots */
    int holds[GY_DW_MAX_TAPS]; /* the input row in each slot, or INT_MIN */
} gy_dw_ring;

/* Padded columns the outputs read. */
static inline int gy_dw_pcols(const gy_conv *c, int ow)
{
    return (ow - 1) * c->sw + c->kw;
}

/* Floats per column phase: the padded columns split in sw phases, plus the slack, rounded to 16. */
static inline int gy_dw_phase_len(const gy_conv *c, int ow)
{
    int n = (gy_dw_pcols(c, ow) + c->sw - 1) / c->sw + GY_DW_SLACK;
    return (n + 15) / 16 * 16;
}

static inline size_t gy_dw_ring_floats(const gy_conv *c, int ow)
{
    return (size_t)(c->kh + 1) * (size_t)c->sw * (size_t)gy_dw_phase_len(c, ow);
}

/* Sets the ring up in scratch (64-byte aligned) and zeroes it: once per task. */
static inline void gy_dw_ring_init(gy_dw_ring *g, const gy_conv *c, int ow, float *scratch)
{
    g->phase_len = gy_dw_phase_len(c, ow);
    g->row_floats = c->sw * g->phase_len;
    g->slots = c->kh;
    g->zero = scratch;
    g->base = scratch + g->row_floats;
    g->copy_cols = 0;
    memset(scratch, 0, sizeof(float) * gy_dw_ring_floats(c, ow));
}

/* A new channel of a run: no slot holds a row of it. */
static inline void gy_dw_ring_reset(gy_dw_ring *g, const gy_conv_run *r)
{
    int n = gy_dw_pcols(r->p, r->ow) - r->p->pw;
    g->copy_cols = n < 0 ? 0 : n < r->iw ? n : r->iw;
    for (int s = 0; s < g->slots; s++)
        g->holds[s] = INT_MIN;
}

/* Copies n input columns (at src) into a slot, padded and phase-split. */
typedef void (*gy_dw_row_fn)(const float *src, int iw, int pw, int sw, int phase_len,
                             float *slot);

/* The kh padded rows output row oy reads, copied into the ring with `copy` where needed (input
 * row iy lives in slot iy mod kh: the kh rows of one output row are consecutive). */
static inline void gy_dw_ring_rows(gy_dw_ring *g, const gy_conv_run *r, const float *plane, int oy,
                                   gy_dw_row_fn copy, const float **rows)
{
    const gy_conv *c = r->p;
    int iy = oy * c->sh - c->ph;
    int s = iy >= 0 ? iy % g->slots : 0;
    for (int ky = 0; ky < c->kh; ky++, iy++) {
        if (iy < 0 || iy >= r->ih) {
            rows[ky] = g->zero;
            continue;
        }
        if (iy == 0)
            s = 0;
        float *slot = g->base + (size_t)s * g->row_floats;
        if (g->holds[s] != iy) {
            copy(plane + (size_t)iy * r->iw, g->copy_cols, c->pw, c->sw, g->phase_len, slot);
            g->holds[s] = iy;
        }
        rows[ky] = slot;
        if (++s == g->slots)
            s = 0;
    }
}

/* Where tap kx of output 0 reads inside a slot. */
static inline int gy_dw_tap_offset(const gy_conv *c, const gy_dw_ring *g, int kx)
{
    return (kx % c->sw) * g->phase_len + kx / c->sw;
}

/* The portable phase split (any stride), the variants' fallback for strides above 2. */
static inline void gy_dw_row_split(const float *src, int iw, int pw, int sw, int phase_len,
                                   float *slot)
{
    for (int ix = 0; ix < iw; ix++) {
        int px = ix + pw;
        slot[(px % sw) * phase_len + px / sw] = src[ix];
    }
}

/* Output row oy of channel ch from its kh padded rows (rows[ky]: a slot, or the zero row), with
 * each variant: the row compute of the channel functions below, for callers that fill the ring
 * themselves (kernels/f32-conv/f32_conv2d_pwdw.c). */
void gy_f32_dwconv2d_row__generic(const gy_conv_run *r, const gy_dw_ring *g, int ch,
                                  const float *const *rows, int oy);
void gy_f32_dwconv2d_row__avx2(const gy_conv_run *r, const gy_dw_ring *g, int ch,
                               const float *const *rows, int oy);
void gy_f32_dwconv2d_row__avx512(const gy_conv_run *r, const gy_dw_ring *g, int ch,
                                 const float *const *rows, int oy);
/* The row copy (padding and phase split) of stride sw with each vector variant. */
gy_dw_row_fn gy_f32_dwconv2d_copier__avx2(int sw);
gy_dw_row_fn gy_f32_dwconv2d_copier__avx512(int sw);

/* One channel of the depthwise conv with each variant (ring set up by the caller). */
void gy_f32_dwconv2d_channel__generic(const gy_conv_run *r, int ch, gy_dw_ring *g);
void gy_f32_dwconv2d_channel__avx2(const gy_conv_run *r, int ch, gy_dw_ring *g);
void gy_f32_dwconv2d_channel__avx512(const gy_conv_run *r, int ch, gy_dw_ring *g);

#endif

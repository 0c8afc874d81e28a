/* f32_dwconv2d.h - the depthwise convolution's row ring, shared by its variants (internal to
 * kernels/f32-dwconv/).
 *
 * A task owns a run of channels. For each channel, output row oy reads the kh input rows
 * oy * sh - ph + ky; each is copied once into a slot of a ring of kh + sh rows in the thread's
 * scratch (or, on planes whose padded copy fits GY_DW_WHOLE_MAX_FLOATS, into the channel's whole
 * padded plane, copied at its first row), padded with zeros and, for horizontal stride sw, split into sw column phases (padded column px
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
    int slots;          /* kh + sh: the inputs of two consecutive output rows */
    int copy_cols;      /* input columns copied: those the taps read (below pcols) */
    float *zero;        /* a zero row */
    float *base;        /* the slots */
    int holds[GY_DW_MAX_TAPS]; /* the input row in each slot, or INT_MIN */
    int whole;          /* base holds the channel's whole padded plane instead of a ring */
    int filled;         /* (whole) the plane holds the current channel */
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
    return (size_t)(c->kh + c->sh + 1) * (size_t)c->sw * (size_t)gy_dw_phase_len(c, ow);
}

/* Padded rows the outputs read, and the floats of the whole padded plane. */
static inline int gy_dw_plane_rows(const gy_conv *c, int oh)
{
    return (oh - 1) * c->sh + c->kh;
}

static inline size_t gy_dw_plane_floats(const gy_conv *c, int oh, int ow)
{
    return (size_t)gy_dw_plane_rows(c, oh) * (size_t)c->sw * (size_t)gy_dw_phase_len(c, ow);
}

/* Small planes (up to 64 KiB padded: the zoo's 80x80 maps and below) are copied whole, once per
 * channel, instead of row by row into the ring: the ring's bookkeeping per output row (which
 * slot holds which row, a branch per tap row) cost as much as the taps on 20x20 and 40x40 maps. */
#define GY_DW_WHOLE_MAX_FLOATS 16384

static inline int gy_dw_use_whole(const gy_conv *c, int oh, int ow)
{
    return gy_dw_plane_floats(c, oh, ow) <= GY_DW_WHOLE_MAX_FLOATS;
}

/* Sets the whole padded plane up in scratch (64-byte aligned) and zeroes it: once per task (a
 * channel writes only its data columns of its data rows, the same for every channel). */
static inline void gy_dw_whole_init(gy_dw_ring *g, const gy_conv *c, int oh, int ow,
                                    float *scratch)
{
    g->phase_len = gy_dw_phase_len(c, ow);
    g->row_floats = c->sw * g->phase_len;
    g->slots = 0;
    g->zero = NULL;
    g->base = scratch;
    g->copy_cols = 0;
    g->whole = 1;
    g->filled = 0;
    memset(scratch, 0, sizeof(float) * gy_dw_plane_floats(c, oh, ow));
}

/* Sets the ring up in scratch (64-byte aligned) and zeroes it: once per task. */
static inline void gy_dw_ring_init(gy_dw_ring *g, const gy_conv *c, int ow, float *scratch)
{
    g->phase_len = gy_dw_phase_len(c, ow);
    g->row_floats = c->sw * g->phase_len;
    g->slots = c->kh + c->sh; /* two output rows' inputs */
    g->whole = 0;
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
    g->filled = 0;
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
    if (g->whole) {
        if (!g->filled) { /* the channel's first row: copy every input row an output reads */
            int prows = gy_dw_plane_rows(c, r->oh);
            for (int y = 0; y < r->ih && y + c->ph < prows; y++)
                copy(plane + (size_t)y * r->iw, g->copy_cols, c->pw, c->sw, g->phase_len,
                     g->base + (size_t)(y + c->ph) * g->row_floats);
            g->filled = 1;
        }
        for (int ky = 0; ky < c->kh; ky++)
            rows[ky] = g->base + (size_t)(oy * c->sh + ky) * g->row_floats;
        return;
    }
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
/* Output rows [0, n) of channel ch (row j at r->out + (ch * r->oh + j) * r->ow; r->res unused)
 * from a small plane of padded rows in the slots' layout (row j at base + j * g->row_floats,
 * 64-byte aligned, zero padding, GY_DW_SLACK readable past each phase), with AVX-512: 3x3 and 5x5
 * at equal strides 1 or 2 four rows at a time from aligned loads, the others row by row; the same
 * bits as the row compute (kernels/f32-conv/f32_conv2d_dwpw.c). */
void gy_f32_dwconv2d_rows__avx512(const gy_conv_run *r, const gy_dw_ring *g, int ch,
                                  const float *base, int n);
/* The row copy (padding and phase split) of stride sw with each vector variant. */
gy_dw_row_fn gy_f32_dwconv2d_copier__avx2(int sw);
gy_dw_row_fn gy_f32_dwconv2d_copier__avx512(int sw);

/* One channel of the depthwise conv with each variant (ring set up by the caller). */
void gy_f32_dwconv2d_channel__generic(const gy_conv_run *r, int ch, gy_dw_ring *g);
void gy_f32_dwconv2d_channel__avx2(const gy_conv_run *r, int ch, gy_dw_ring *g);
void gy_f32_dwconv2d_channel__avx512(const gy_conv_run *r, int ch, gy_dw_ring *g);

#endif

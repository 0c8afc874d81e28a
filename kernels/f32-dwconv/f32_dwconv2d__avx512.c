/* f32_dwconv2d__avx512.c - one channel of the depthwise convolution with AVX-512 (the ring is
 * described in f32_dwconv2d.h). Rows are copied with 16-float vectors (stride 2: two loads and
 * two permutes split 32 inputs into their even and odd columns); an output row is computed 32
 * outputs at a time in two accumulators, the taps' weights broadcast once per channel and, for
 * the filters of the zoo (3x3, 5x5, 1x5, 5x1, 7x7), kept in registers by unrolled copies. */
#include "kernels/f32-dwconv/f32_dwconv2d.h"
#include "kernels/x32-split2/x32_split2.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

static inline __mmask16 tail_mask(int n)
{
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u);
}

T512 static void row_copy(const float *src, int iw, int pw, int sw, int phase_len, float *slot)
{
    (void)sw, (void)phase_len;
    float *d = slot + pw;
    int x = 0;
    for (; x + 16 <= iw; x += 16)
        _mm512_storeu_ps(d + x, _mm512_loadu_ps(src + x));
    for (; x < iw; x += 16) {
        __mmask16 m = tail_mask(iw - x);
        _mm512_mask_storeu_ps(d + x, m, _mm512_maskz_loadu_ps(m, src + x));
    }
}

/* Stride 2: input column ix is padded column ix + pw, phase (ix + pw) & 1 at (ix + pw) >> 1. */
T512 static void row_split2(const float *src, int iw, int pw, int sw, int phase_len, float *slot)
{
    (void)sw;
    gy_x32_split2__avx512(src, iw, slot + (pw & 1) * phase_len + (pw >> 1),
                         slot + ((pw + 1) & 1) * phase_len + ((pw + 1) >> 1));
}

/* Output row segment of KH x KW taps (constants in the unrolled copies). */
T512 static inline __attribute__((always_inline)) void
row(const int KH, const int KW, const gy_conv_run *r, const float *const *rows, const int *off,
    const __m512 *w, __m512 b, float *dst, const float *res)
{
    int ow = r->ow, x = 0;
    for (; x + 32 <= ow; x += 32) {
        __m512 a0 = b, a1 = b;
        for (int ky = 0; ky < KH; ky++)
            for (int kx = 0; kx < KW; kx++) {
                const float *s = rows[ky] + off[kx] + x;
                a0 = _mm512_fmadd_ps(w[ky * KW + kx], _mm512_loadu_ps(s), a0);
                a1 = _mm512_fmadd_ps(w[ky * KW + kx], _mm512_loadu_ps(s + 16), a1);
            }
        gy_store512(dst + x, a0, 0xffff, res ? res + x : NULL, r->res_before_act, r->act);
        gy_store512(dst + x + 16, a1, 0xffff, res ? res + x + 16 : NULL, r->res_before_act,
                    r->act);
    }
    for (; x < ow; x += 16) { /* the slack past each phase covers the last vector's reads */
        __m512 a0 = b;
        for (int ky = 0; ky < KH; ky++)
            for (int kx = 0; kx < KW; kx++)
                a0 = _mm512_fmadd_ps(w[ky * KW + kx], _mm512_loadu_ps(rows[ky] + off[kx] + x), a0);
        gy_store512(dst + x, a0, tail_mask(ow - x), res ? res + x : NULL, r->res_before_act,
                    r->act);
    }
}

gy_dw_row_fn gy_f32_dwconv2d_copier__avx512(int sw)
{
    return sw == 1 ? row_copy : sw == 2 ? row_split2 : gy_dw_row_split;
}

T512 static inline __attribute__((always_inline)) void
channel(const int KH, const int KW, const gy_conv_run *r, int ch, gy_dw_ring *g)
{
    const gy_conv *c = r->p;
    const float *wk = c->w + (size_t)ch * KH * KW;
    __m512 w[GY_DW_MAX_TAPS];
    for (int t = 0; t < KH * KW; t++)
        w[t] = _mm512_set1_ps(wk[t]);
    __m512 b = _mm512_set1_ps(c->b ? c->b[ch] : 0.0f);
    int off[GY_DW_MAX_TAPS];
    for (int kx = 0; kx < KW; kx++)
        off[kx] = gy_dw_tap_offset(c, g, kx);
    size_t out_plane = (size_t)r->oh * r->ow;
    const float *plane = r->in + (size_t)ch * r->ih * r->iw;
    float *dst = r->out + (size_t)ch * out_plane;
    const float *res = r->res ? r->res + (size_t)ch * out_plane : NULL;
    gy_dw_row_fn copy = c->sw == 1 ? row_copy : c->sw == 2 ? row_split2 : gy_dw_row_split;
    const float *rows[GY_DW_MAX_TAPS];
    for (int oy = 0; oy < r->oh; oy++) {
        gy_dw_ring_rows(g, r, plane, oy, copy, rows);
        row(KH, KW, r, rows, off, w, b, dst + (size_t)oy * r->ow,
            res ? res + (size_t)oy * r->ow : NULL);
    }
}

/* Output row oy of channel ch from its kh padded rows (the fused pointwise + depthwise op). */
T512 static inline __attribute__((always_inline)) void
one_row(const int KH, const int KW, const gy_conv_run *r, const gy_dw_ring *g, int ch,
        const float *const *rows, int oy)
{
    const gy_conv *c = r->p;
    const float *wk = c->w + (size_t)ch * KH * KW;
    __m512 w[GY_DW_MAX_TAPS];
    for (int t = 0; t < KH * KW; t++)
        w[t] = _mm512_set1_ps(wk[t]);
    int off[GY_DW_MAX_TAPS];
    for (int kx = 0; kx < KW; kx++)
        off[kx] = gy_dw_tap_offset(c, g, kx);
    size_t out_plane = (size_t)r->oh * r->ow, at = (size_t)ch * out_plane + (size_t)oy * r->ow;
    row(KH, KW, r, rows, off, w, _mm512_set1_ps(c->b ? c->b[ch] : 0.0f), r->out + at,
        r->res ? r->res + at : NULL);
}

T512 void gy_f32_dwconv2d_row__avx512(const gy_conv_run *r, const gy_dw_ring *g, int ch,
                                      const float *const *rows, int oy)
{
    const gy_conv *c = r->p;
    if (c->kh == 3 && c->kw == 3)
        one_row(3, 3, r, g, ch, rows, oy);
    else if (c->kh == 5 && c->kw == 5)
        one_row(5, 5, r, g, ch, rows, oy);
    else
        one_row(c->kh, c->kw, r, g, ch, rows, oy);
}

T512 void gy_f32_dwconv2d_channel__avx512(const gy_conv_run *r, int ch, gy_dw_ring *g)
{
    const gy_conv *c = r->p;
    if (c->kh == 3 && c->kw == 3)
        channel(3, 3, r, ch, g);
    else if (c->kh == 5 && c->kw == 5)
        channel(5, 5, r, ch, g);
    else if (c->kh == 1 && c->kw == 5)
        channel(1, 5, r, ch, g);
    else if (c->kh == 5 && c->kw == 1)
        channel(5, 1, r, ch, g);
    else if (c->kh == 7 && c->kw == 7)
        channel(7, 7, r, ch, g);
    else
        channel(c->kh, c->kw, r, ch, g);
}

#endif

/* f32_dwconv2d__avx2.c - one channel of the depthwise convolution with AVX2 + FMA (the ring is
 * described in f32_dwconv2d.h): the AVX-512 variant's operations on 8-float vectors, 16 outputs
 * at a time in two accumulators, weights broadcast from memory at each use (16 ymm registers do
 * not hold a 5x5 filter). Row tails are stored through a masked store. */
#include "kernels/f32-dwconv/f32_dwconv2d.h"
#include "kernels/x32-split2/x32_split2.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T256 __attribute__((target("avx2,fma")))

T256 static inline __m256i tail_mask(int n)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane);
}

T256 static void row_copy(const float *src, int iw, int pw, int sw, int phase_len, float *slot)
{
    (void)sw, (void)phase_len;
    float *d = slot + pw;
    int x = 0;
    for (; x + 8 <= iw; x += 8)
        _mm256_storeu_ps(d + x, _mm256_loadu_ps(src + x));
    for (; x < iw; x++)
        d[x] = src[x];
}

/* Stride 2: input column ix is padded column ix + pw, phase (ix + pw) & 1 at (ix + pw) >> 1. */
T256 static void row_split2(const float *src, int iw, int pw, int sw, int phase_len, float *slot)
{
    (void)sw;
    gy_x32_split2__avx2(src, iw, slot + (pw & 1) * phase_len + (pw >> 1),
                        slot + ((pw + 1) & 1) * phase_len + ((pw + 1) >> 1));
}

/* dst[0..n) = epilogue(v), n < 8: masked loads of the residual, a masked store. */
T256 static void store_tail(float *dst, __m256 v, int n, const float *res, int res_before_act,
                           gy_act act)
{
    __m256i m = tail_mask(n);
    if (res && res_before_act)
        v = _mm256_add_ps(v, _mm256_maskload_ps(res, m));
    v = gy_act256(v, act);
    if (res && !res_before_act)
        v = _mm256_add_ps(v, _mm256_maskload_ps(res, m));
    _mm256_maskstore_ps(dst, m, v);
}

T256 static inline __attribute__((always_inline)) void
row(const int KH, const int KW, const gy_conv_run *r, const float *const *rows, const int *off,
    const float *wk, __m256 b, float *dst, const float *res)
{
    int ow = r->ow, x = 0;
    for (; x + 16 <= ow; x += 16) {
        __m256 a0 = b, a1 = b;
        for (int ky = 0; ky < KH; ky++)
            for (int kx = 0; kx < KW; kx++) {
                const float *s = rows[ky] + off[kx] + x;
                __m256 w = _mm256_broadcast_ss(wk + ky * KW + kx);
                a0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s), a0);
                a1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + 8), a1);
            }
        gy_store256(dst + x, a0, res ? res + x : NULL, r->res_before_act, r->act);
        gy_store256(dst + x + 8, a1, res ? res + x + 8 : NULL, r->res_before_act, r->act);
    }
    for (; x < ow; x += 8) { /* the slack past each phase covers the last vector's reads */
        __m256 a0 = b;
        for (int ky = 0; ky < KH; ky++)
            for (int kx = 0; kx < KW; kx++)
                a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(wk + ky * KW + kx),
                                     _mm256_loadu_ps(rows[ky] + off[kx] + x), a0);
        if (ow - x >= 8)
            gy_store256(dst + x, a0, res ? res + x : NULL, r->res_before_act, r->act);
        else
            store_tail(dst + x, a0, ow - x, res ? res + x : NULL, r->res_before_act, r->act);
    }
}

gy_dw_row_fn gy_f32_dwconv2d_copier__avx2(int sw)
{
    return sw == 1 ? row_copy : sw == 2 ? row_split2 : gy_dw_row_split;
}

T256 static inline __attribute__((always_inline)) void
channel(const int KH, const int KW, const gy_conv_run *r, int ch, gy_dw_ring *g)
{
    const gy_conv *c = r->p;
    const float *wk = c->w + (size_t)ch * KH * KW;
    __m256 b = _mm256_set1_ps(c->b ? c->b[ch] : 0.0f);
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
        row(KH, KW, r, rows, off, wk, b, dst + (size_t)oy * r->ow,
            res ? res + (size_t)oy * r->ow : NULL);
    }
}

/* Output row oy of channel ch from its kh padded rows (the fused pointwise + depthwise op). */
T256 static inline __attribute__((always_inline)) void
one_row(const int KH, const int KW, const gy_conv_run *r, const gy_dw_ring *g, int ch,
        const float *const *rows, int oy)
{
    const gy_conv *c = r->p;
    int off[GY_DW_MAX_TAPS];
    for (int kx = 0; kx < KW; kx++)
        off[kx] = gy_dw_tap_offset(c, g, kx);
    size_t out_plane = (size_t)r->oh * r->ow, at = (size_t)ch * out_plane + (size_t)oy * r->ow;
    row(KH, KW, r, rows, off, c->w + (size_t)ch * KH * KW,
        _mm256_set1_ps(c->b ? c->b[ch] : 0.0f), r->out + at, r->res ? r->res + at : NULL);
}

T256 void gy_f32_dwconv2d_row__avx2(const gy_conv_run *r, const gy_dw_ring *g, int ch,
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

T256 void gy_f32_dwconv2d_channel__avx2(const gy_conv_run *r, int ch, gy_dw_ring *g)
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

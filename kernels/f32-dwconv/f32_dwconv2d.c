/* f32_dwconv2d.c - depthwise convolution (groups == channels): one kh x kw filter per plane.
 *
 * A task owns a run of channels. For each, the part of the input plane the outputs read is copied
 * once into the thread's scratch with its zero padding, and for stride sw its columns split into
 * sw phases (column px goes to phase px % sw at px / sw), so every filter tap reads a contiguous
 * run: output x, tap kx reads phase kx % sw at x + kx / sw. Each output row is then a sum of
 * kh * kw shifted rows times a weight, kept in registers over a 16- (AVX-512) or 8-float (AVX2)
 * block of the row with the taps' weights broadcast once per row; the 3x3, 5x5, 1x5 and 5x1
 * filters of the Ghost modules have unrolled copies. The epilogue (bias, residual, activation)
 * is applied as the block is stored. The portable version does the same with plain loops. */
#include <string.h>

#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"


typedef struct dw_geom {
    int ph_rows, pcols;   /* padded rows and columns the outputs read */
    int phase_off[GY_DW_MAX_STRIDE]; /* start of each column phase inside a padded row */
    int phases;
} dw_geom;

static void geom(const gy_conv *c, int oh, int ow, dw_geom *g)
{
    g->ph_rows = (oh - 1) * c->sh + c->kh;
    g->pcols = (ow - 1) * c->sw + c->kw;
    g->phases = c->sw;
    int off = 0;
    for (int q = 0; q < g->phases; q++) {
        g->phase_off[q] = off;
        off += g->pcols > q ? (g->pcols - q + c->sw - 1) / c->sw : 0;
    }
}

size_t gy_f32_dwconv2d_scratch_floats(const gy_conv *c, int oh, int ow)
{
    dw_geom g;
    geom(c, oh, ow, &g);
    return (size_t)g.ph_rows * (size_t)g.pcols + 64;
}

/* Channels per task: at least ~100 kFLOP each, and up to 64 tasks. */
static int chans_per_task(const gy_conv_run *r)
{
    const gy_conv *c = r->p;
    double per_ch = 2.0 * c->kh * c->kw * (double)r->oh * r->ow;
    int n = (int)(1e5 / (per_ch > 1.0 ? per_ch : 1.0)) + 1;
    int min_n = (c->cout + 63) / 64;
    return n > min_n ? n : min_n;
}

size_t gy_f32_dwconv2d_tasks(const gy_conv_run *r)
{
    int per = chans_per_task(r);
    return (size_t)((r->p->cout + per - 1) / per);
}

/* The padded, phase-split copy of one input plane. */
static void pad_plane(const gy_conv_run *r, const float *src, const dw_geom *g, float *dst)
{
    const gy_conv *c = r->p;
    int sw = c->sw, pw = c->pw;
    for (int py = 0; py < g->ph_rows; py++) {
        float *d = dst + (size_t)py * g->pcols;
        int iy = py - c->ph;
        if (iy < 0 || iy >= r->ih) {
            memset(d, 0, sizeof *d * (size_t)g->pcols);
            continue;
        }
        const float *s = src + (size_t)iy * r->iw;
        if (sw == 1) {
            int a = pw < g->pcols ? pw : g->pcols;
            int b = pw + r->iw < g->pcols ? pw + r->iw : g->pcols;
            memset(d, 0, sizeof *d * (size_t)a);
            if (b > a)
                memcpy(d + a, s, sizeof *d * (size_t)(b - a));
            for (int px = b > a ? b : a; px < g->pcols; px++)
                d[px] = 0.0f;
        } else if (sw == 2) {
            float *ev = d, *od = d + g->phase_off[1];
            int px = 0;
            for (; px < pw && px < g->pcols; px++)
                (px & 1 ? od : ev)[px >> 1] = 0.0f;
            int end = pw + r->iw < g->pcols ? pw + r->iw : g->pcols;
            for (; px < end && (px & 1); px++)
                od[px >> 1] = s[px - pw];
            for (; px + 1 < end; px += 2) {
                ev[px >> 1] = s[px - pw];
                od[px >> 1] = s[px + 1 - pw];
            }
            for (; px < g->pcols; px++)
                (px & 1 ? od : ev)[px >> 1] = px < end ? s[px - pw] : 0.0f;
        } else {
            for (int px = 0; px < g->pcols; px++) {
                int ix = px - pw;
                d[g->phase_off[px % sw] + px / sw] = ix >= 0 && ix < r->iw ? s[ix] : 0.0f;
            }
        }
    }
}

/* Output row oy of one channel, portable. */
static void row_generic(const gy_conv_run *r, const dw_geom *g, const float *pad, const float *wk,
                        int oy, float bias, float *dst, const float *res)
{
    const gy_conv *c = r->p;
    for (int x = 0; x < r->ow; x++)
        dst[x] = 0.0f;
    for (int ky = 0; ky < c->kh; ky++) {
        const float *prow = pad + (size_t)(oy * c->sh + ky) * g->pcols;
        for (int kx = 0; kx < c->kw; kx++) {
            const float *s = prow + g->phase_off[kx % c->sw] + kx / c->sw;
            float w = wk[ky * c->kw + kx];
            for (int x = 0; x < r->ow; x++)
                dst[x] += w * s[x];
        }
    }
    for (int x = 0; x < r->ow; x++) {
        float v = dst[x] + bias;
        if (res && r->res_before_act)
            v += res[x];
        v = gy_act_apply(r->act, v);
        if (res && !r->res_before_act)
            v += res[x];
        dst[x] = v;
    }
}

#if defined(__x86_64__) || defined(__i386__)

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define T256 __attribute__((target("avx2,fma")))

/* One output row with AVX-512; KH, KW constant in the unrolled copies. */
T512 static inline __attribute__((always_inline)) void
row512(const int KH, const int KW, const gy_conv_run *r, const dw_geom *g, const float *pad,
       const float *wk, int oy, float bias, float *dst, const float *res)
{
    const gy_conv *c = r->p;
    __m512 w[GY_DW_MAX_TAPS];
    const float *src[GY_DW_MAX_TAPS];
    for (int ky = 0; ky < KH; ky++)
        for (int kx = 0; kx < KW; kx++) {
            w[ky * KW + kx] = _mm512_set1_ps(wk[ky * KW + kx]);
            src[ky * KW + kx] = pad + (size_t)(oy * c->sh + ky) * g->pcols +
                                g->phase_off[kx % c->sw] + kx / c->sw;
        }
    __m512 b = _mm512_set1_ps(bias);
    int ow = r->ow;
    for (int x = 0; x < ow; x += 16) {
        __mmask16 m = ow - x >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (ow - x)) - 1u);
        __m512 acc0 = b, acc1 = _mm512_setzero_ps();
        for (int t = 0; t < KH * KW; t++) {
            __m512 v = _mm512_maskz_loadu_ps(m, src[t] + x);
            if (t & 1)
                acc1 = _mm512_fmadd_ps(w[t], v, acc1);
            else
                acc0 = _mm512_fmadd_ps(w[t], v, acc0);
        }
        gy_store512(dst + x, _mm512_add_ps(acc0, acc1), m, res ? res + x : NULL,
                    r->res_before_act, r->act);
    }
}

T512 static void channel512(const gy_conv_run *r, const dw_geom *g, const float *pad,
                            const float *wk, float bias, float *dst, const float *res)
{
    const gy_conv *c = r->p;
    size_t ow = (size_t)r->ow;
    for (int oy = 0; oy < r->oh; oy++) {
        float *d = dst + (size_t)oy * ow;
        const float *rs = res ? res + (size_t)oy * ow : NULL;
        if (c->kh == 3 && c->kw == 3)
            row512(3, 3, r, g, pad, wk, oy, bias, d, rs);
        else if (c->kh == 5 && c->kw == 5)
            row512(5, 5, r, g, pad, wk, oy, bias, d, rs);
        else if (c->kh == 1 && c->kw == 5)
            row512(1, 5, r, g, pad, wk, oy, bias, d, rs);
        else if (c->kh == 5 && c->kw == 1)
            row512(5, 1, r, g, pad, wk, oy, bias, d, rs);
        else
            row512(c->kh, c->kw, r, g, pad, wk, oy, bias, d, rs);
    }
}

T256 static inline __attribute__((always_inline)) void
row256(const int KH, const int KW, const gy_conv_run *r, const dw_geom *g, const float *pad,
       const float *wk, int oy, float bias, float *dst, const float *res)
{
    const gy_conv *c = r->p;
    const float *src[GY_DW_MAX_TAPS];
    for (int ky = 0; ky < KH; ky++)
        for (int kx = 0; kx < KW; kx++)
            src[ky * KW + kx] = pad + (size_t)(oy * c->sh + ky) * g->pcols +
                                g->phase_off[kx % c->sw] + kx / c->sw;
    __m256 b = _mm256_set1_ps(bias);
    int ow = r->ow, x = 0;
    for (; x + 8 <= ow; x += 8) {
        __m256 acc0 = b, acc1 = _mm256_setzero_ps();
        for (int t = 0; t < KH * KW; t++) {
            __m256 v = _mm256_loadu_ps(src[t] + x), w = _mm256_broadcast_ss(wk + t);
            if (t & 1)
                acc1 = _mm256_fmadd_ps(w, v, acc1);
            else
                acc0 = _mm256_fmadd_ps(w, v, acc0);
        }
        gy_store256(dst + x, _mm256_add_ps(acc0, acc1), res ? res + x : NULL, r->res_before_act,
                    r->act);
    }
    if (x < ow) {
        float acc[8];
        for (int j = 0; j < ow - x; j++) {
            float s = 0.0f;
            for (int t = 0; t < KH * KW; t++)
                s += wk[t] * src[t][x + j];
            acc[j] = s;
        }
        gy_epilogue_row256(dst + x, acc, ow - x, bias, res ? res + x : NULL, r->res_before_act,
                           r->act);
    }
}

T256 static void channel256(const gy_conv_run *r, const dw_geom *g, const float *pad,
                            const float *wk, float bias, float *dst, const float *res)
{
    const gy_conv *c = r->p;
    size_t ow = (size_t)r->ow;
    for (int oy = 0; oy < r->oh; oy++) {
        float *d = dst + (size_t)oy * ow;
        const float *rs = res ? res + (size_t)oy * ow : NULL;
        if (c->kh == 3 && c->kw == 3)
            row256(3, 3, r, g, pad, wk, oy, bias, d, rs);
        else if (c->kh == 5 && c->kw == 5)
            row256(5, 5, r, g, pad, wk, oy, bias, d, rs);
        else if (c->kh == 1 && c->kw == 5)
            row256(1, 5, r, g, pad, wk, oy, bias, d, rs);
        else if (c->kh == 5 && c->kw == 1)
            row256(5, 1, r, g, pad, wk, oy, bias, d, rs);
        else
            row256(c->kh, c->kw, r, g, pad, wk, oy, bias, d, rs);
    }
}

#endif

void gy_f32_dwconv2d_task(const gy_conv_run *r, size_t task, float *scratch)
{
    const gy_conv *c = r->p;
    dw_geom g;
    geom(c, r->oh, r->ow, &g);
    int per = chans_per_task(r);
    int ch0 = (int)task * per, ch1 = ch0 + per < c->cout ? ch0 + per : c->cout;
    size_t in_plane = (size_t)r->ih * r->iw, out_plane = (size_t)r->oh * r->ow;
    for (int ch = ch0; ch < ch1; ch++) {
        const float *wk = c->w + (size_t)ch * c->kh * c->kw;
        float bias = c->b ? c->b[ch] : 0.0f;
        float *dst = r->out + (size_t)ch * out_plane;
        const float *res = r->res ? r->res + (size_t)ch * out_plane : NULL;
        pad_plane(r, r->in + (size_t)ch * in_plane, &g, scratch);
#if defined(__x86_64__) || defined(__i386__)
        if (c->isa == GY_ISA_AVX512) {
            channel512(r, &g, scratch, wk, bias, dst, res);
            continue;
        }
        if (c->isa == GY_ISA_AVX2) {
            channel256(r, &g, scratch, wk, bias, dst, res);
            continue;
        }
#endif
        for (int oy = 0; oy < r->oh; oy++)
            row_generic(r, &g, scratch, wk, oy, bias, dst + (size_t)oy * r->ow,
                        res ? res + (size_t)oy * r->ow : NULL);
    }
}

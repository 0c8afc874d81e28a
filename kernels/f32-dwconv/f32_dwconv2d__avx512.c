/* f32_dwconv2d__avx512.c - one channel of the depthwise convolution with AVX-512 (the ring and
 * the whole padded plane are described in f32_dwconv2d.h). Rows are copied with 16-float vectors
 * (stride 2: two loads and two permutes split 32 inputs into their even and odd columns). 3x3 and
 * 5x5 filters with equal strides 1 or 2 (the zoo's) run `ablock`: 4 output rows at a time from the
 * whole plane (1 from the ring), each input row's vectors loaded once on 64-byte boundaries and
 * each tap's shifted vector made by one valignd; the other filters (1x5, 5x1, 7x7, unequal
 * strides) run `block`: 16-output vectors from unaligned loads, the weights in registers. Both
 * give every output the same operations in the same order. */
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

/* NR output rows (rows[r]: row r's kh padded rows) x V vectors of 16 outputs at x, the last vector
 * stored under mask m: NR * V independent accumulators, so that the taps' fused multiply-adds of
 * one vector (a dependency chain of KH * KW) overlap with the others' (one chain at a time ran at
 * the FMA's latency: ~27 GFLOP/s on 20x20 and 40x40 maps). Each output still takes the bias, then
 * the taps in row-major order, then the epilogue: the same bits as one output at a time. */
T512 static inline __attribute__((always_inline)) void
block(const int KH, const int KW, const int NR, const int V, const gy_conv_run *r,
      const float *const (*rows)[GY_DW_MAX_TAPS], const int *off, const __m512 *w, __m512 b,
      float *const *dst, const float *const *res, int x, __mmask16 m)
{
    __m512 acc[4][4];
    for (int i = 0; i < NR; i++)
        for (int v = 0; v < V; v++)
            acc[i][v] = b;
    for (int ky = 0; ky < KH; ky++)
        for (int kx = 0; kx < KW; kx++)
            for (int i = 0; i < NR; i++) {
                const float *s = rows[i][ky] + off[kx] + x;
                for (int v = 0; v < V; v++)
                    acc[i][v] = _mm512_fmadd_ps(w[ky * KW + kx], _mm512_loadu_ps(s + 16 * v),
                                                acc[i][v]);
            }
    for (int i = 0; i < NR; i++)
        for (int v = 0; v < V; v++)
            gy_store512(dst[i] + x + 16 * v, acc[i][v], v == V - 1 ? m : 0xffff,
                        res[i] ? res[i] + x + 16 * v : NULL, r->res_before_act, r->act);
}

/* NR output rows: blocks of VMAX vectors, then one block of the 1..VMAX vectors left (the slack
 * past each phase covers the last vector's reads). */
T512 static inline __attribute__((always_inline)) void
rows_nr(const int KH, const int KW, const int NR, const gy_conv_run *r,
        const float *const (*rows)[GY_DW_MAX_TAPS], const int *off, const __m512 *w, __m512 b,
        float *const *dst, const float *const *res)
{
    const int VMAX = KH * KW * NR > 18 ? 2 : 4; /* accumulators and weights in 32 registers */
    int ow = r->ow, x = 0;
    for (; x + 16 * VMAX <= ow; x += 16 * VMAX)
        block(KH, KW, NR, VMAX, r, rows, off, w, b, dst, res, x, 0xffff);
    int left = ow - x;
    if (left <= 0)
        return;
    __mmask16 m = tail_mask(left - (left - 1) / 16 * 16);
    switch ((left + 15) / 16) {
    case 1:
        block(KH, KW, NR, 1, r, rows, off, w, b, dst, res, x, m);
        break;
    case 2:
        block(KH, KW, NR, 2, r, rows, off, w, b, dst, res, x, m);
        break;
    case 3:
        if (VMAX >= 3)
            block(KH, KW, NR, 3, r, rows, off, w, b, dst, res, x, m);
        break;
    default:
        if (VMAX >= 4)
            block(KH, KW, NR, 4, r, rows, off, w, b, dst, res, x, m);
        break;
    }
}

gy_dw_row_fn gy_f32_dwconv2d_copier__avx512(int sw)
{
    return sw == 1 ? row_copy : sw == 2 ? row_split2 : gy_dw_row_split;
}

/* Loops of compile-time trip counts (after inlining) unrolled whole: the accumulators and input
 * vectors are arrays indexed by them, which must become registers. The fuzz build (clang, ASan +
 * UBSan) leaves them rolled: unrolled, this file alone took 13 minutes to compile there, and the
 * harnesses test the readers of untrusted input, not the kernels' speed. */
#ifdef GY_FUZZ_BUILD
#define GY_UNROLL
#else
#define GY_UNROLL _Pragma("GCC unroll 64")
#endif

/* The input vector of tap shift q (0..6): lanes q.. of lo, then hi's (one valignd). */
T512 static inline __attribute__((always_inline)) __m512 shifted(__m512 lo, __m512 hi, const int q)
{
    __m512i l = _mm512_castps_si512(lo), h = _mm512_castps_si512(hi);
    switch (q) {
    case 0:
        return lo;
    case 1:
        return _mm512_castsi512_ps(_mm512_alignr_epi32(h, l, 1));
    case 2:
        return _mm512_castsi512_ps(_mm512_alignr_epi32(h, l, 2));
    case 3:
        return _mm512_castsi512_ps(_mm512_alignr_epi32(h, l, 3));
    case 4:
        return _mm512_castsi512_ps(_mm512_alignr_epi32(h, l, 4));
    case 5:
        return _mm512_castsi512_ps(_mm512_alignr_epi32(h, l, 5));
    default:
        return _mm512_castsi512_ps(_mm512_alignr_epi32(h, l, 6));
    }
}

/* NR output rows (vertical stride SH, horizontal SW) x V vectors of 16 outputs at x, from the
 * (NR - 1) * SH + KH padded input rows in[j] (phase p at in[j] + p * phase_len): each input row's
 * vectors are loaded once, on 64-byte boundaries (x and the slots are multiples of 16 floats),
 * every tap's shifted vector built by one valignd and multiplied into each of the NR output rows
 * that read it. Per output the operations are those of `block` (bias, the taps in row-major
 * order, the epilogue), so the bits are the same; what changes is that no load splits across two
 * cache lines (4 of 5 taps' unaligned loads did, and each output row loaded them again). */
T512 static inline __attribute__((always_inline)) void
ablock(const int KH, const int KW, const int SH, const int SW, const int NR, const int V,
       const gy_conv_run *r, const float *in0, size_t rstride, const float *const *in,
       int phase_len, const float *wk, __m512 b, float *const *dst, const float *const *res, int x,
       __mmask16 m)
{
    __m512 acc[4][4];
    GY_UNROLL for (int i = 0; i < NR; i++)
        GY_UNROLL for (int v = 0; v < V; v++)
            acc[i][v] = b;
    GY_UNROLL for (int j = 0; j < (NR - 1) * SH + KH; j++) {
        __m512 a[2][5];
        const float *rj = in ? in[j] : in0 + (size_t)j * rstride;
        GY_UNROLL for (int p = 0; p < SW; p++)
            GY_UNROLL for (int v = 0; v <= V; v++)
                a[p][v] = _mm512_loadu_ps(rj + (size_t)p * phase_len + x + 16 * v);
        GY_UNROLL for (int kx = 0; kx < KW; kx++)
            GY_UNROLL for (int v = 0; v < V; v++) {
                __m512 sv = shifted(a[kx % SW][v], a[kx % SW][v + 1], kx / SW);
                GY_UNROLL for (int i = 0; i < NR; i++) {
                    int ky = j - i * SH;
                    if (ky >= 0 && ky < KH)
                        acc[i][v] = _mm512_fmadd_ps(_mm512_set1_ps(wk[ky * KW + kx]), sv,
                                                    acc[i][v]);
                }
            }
        /* every accumulator in a register here: gcc otherwise emits each accumulator's
         * KH * KW fused multiply-adds back to back, one dependency chain at a time */
        GY_UNROLL for (int i = 0; i < NR; i++)
            GY_UNROLL for (int v = 0; v < V; v++)
                __asm__("" : "+v"(acc[i][v]));
    }
    GY_UNROLL for (int i = 0; i < NR; i++)
        GY_UNROLL for (int v = 0; v < V; v++) {
            if (v < V - 1)
                _mm512_storeu_ps(dst[i] + x + 16 * v, acc[i][v]);
            else
                _mm512_mask_storeu_ps(dst[i] + x + 16 * v, m, acc[i][v]);
        }
    (void)r, (void)res;
}

/* n outputs of activation ACT (a constant after inlining: no branch per vector). */
T512 static inline __attribute__((always_inline)) void
epilogue_act(const gy_act ACT, float *dst, const float *res, int n, int res_before_act)
{
    int x = 0;
    for (; x + 16 <= n; x += 16)
        gy_store512(dst + x, _mm512_loadu_ps(dst + x), 0xffff, res ? res + x : NULL,
                    res_before_act, ACT);
    if (x < n) {
        __mmask16 m = tail_mask(n - x);
        gy_store512(dst + x, _mm512_maskz_loadu_ps(m, dst + x), m, res ? res + x : NULL,
                    res_before_act, ACT);
    }
}

/* The epilogue of n outputs stored as bare sums (reloading a stored float gives its bits back),
 * in place: one call per block of rows, the activation chosen once per call. */
T512 static __attribute__((noinline)) void epilogue(float *dst, const float *res, int n,
                                                    int res_before_act, gy_act act)
{
    switch (act) {
    case GY_ACT_NONE: epilogue_act(GY_ACT_NONE, dst, res, n, res_before_act); break;
    case GY_ACT_RELU: epilogue_act(GY_ACT_RELU, dst, res, n, res_before_act); break;
    case GY_ACT_RELU6: epilogue_act(GY_ACT_RELU6, dst, res, n, res_before_act); break;
    case GY_ACT_HARDSWISH: epilogue_act(GY_ACT_HARDSWISH, dst, res, n, res_before_act); break;
    case GY_ACT_SILU: epilogue_act(GY_ACT_SILU, dst, res, n, res_before_act); break;
    default: epilogue_act(act, dst, res, n, res_before_act); break;
    }
}

/* NR output rows with ablock: blocks of 4 vectors, then one of the 1..4 left. */
T512 static inline __attribute__((always_inline)) void
arows(const int KH, const int KW, const int SH, const int SW, const int NR, const gy_conv_run *r,
      const float *in0, size_t rstride, const float *const *in, int phase_len, const float *wk,
      __m512 b, float *const *dst, const float *const *res)
{
    int ow = r->ow, x = 0;
    for (; x + 64 < ow; x += 64)
        ablock(KH, KW, SH, SW, NR, 4, r, in0, rstride, in, phase_len, wk, b, dst, res, x, 0xffff);
    int left = ow - x;
    __mmask16 m = tail_mask(left - (left - 1) / 16 * 16);
    switch ((left + 15) / 16) {
    case 1:
        ablock(KH, KW, SH, SW, NR, 1, r, in0, rstride, in, phase_len, wk, b, dst, res, x, m);
        break;
    case 2:
        ablock(KH, KW, SH, SW, NR, 2, r, in0, rstride, in, phase_len, wk, b, dst, res, x, m);
        break;
    case 3:
        ablock(KH, KW, SH, SW, NR, 3, r, in0, rstride, in, phase_len, wk, b, dst, res, x, m);
        break;
    default:
        ablock(KH, KW, SH, SW, NR, 4, r, in0, rstride, in, phase_len, wk, b, dst, res, x, m);
        break;
    }
}

/* The channel's whole padded plane (g->whole) from its input plane, stride S = 1 or 2 (2: even
 * and odd columns to their phases, two permutes per 32 columns). Row tails load unmasked while
 * the 32 floats read stay inside the input plane (a masked load that misses L1 stalls on Zen 5;
 * the function-pointer copy per row with masked tails took half the time of a 40x40 layer). */
T512 static inline __attribute__((always_inline)) void
fill_plane(const int S, const gy_conv_run *r, gy_dw_ring *g, const float *plane)
{
    const gy_conv *c = r->p;
    const float *pend = plane + (size_t)r->ih * r->iw;
    int prows = gy_dw_plane_rows(c, r->oh), n = g->copy_cols, pw = c->pw;
    for (int y = 0; y < r->ih && y + c->ph < prows; y++) {
        const float *src = plane + (size_t)y * r->iw;
        float *slot = g->base + (size_t)(y + c->ph) * g->row_floats;
        int x = 0;
        if (S == 1) {
            float *d = slot + pw;
            for (; x + 16 <= n; x += 16)
                _mm512_storeu_ps(d + x, _mm512_loadu_ps(src + x));
            if (x < n) {
                __mmask16 m = tail_mask(n - x);
                __m512 v = src + x + 16 <= pend ? _mm512_loadu_ps(src + x)
                                                : _mm512_maskz_loadu_ps(m, src + x);
                _mm512_mask_storeu_ps(d + x, m, v);
            }
            continue;
        }
        const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        float *even = slot + (size_t)(pw & 1) * g->phase_len + (pw >> 1);
        float *odd = slot + (size_t)((pw + 1) & 1) * g->phase_len + ((pw + 1) >> 1);
        for (; x + 32 <= n; x += 32) {
            __m512 a = _mm512_loadu_ps(src + x), b = _mm512_loadu_ps(src + x + 16);
            _mm512_storeu_ps(even + x / 2, _mm512_permutex2var_ps(a, ev, b));
            _mm512_storeu_ps(odd + x / 2, _mm512_permutex2var_ps(a, od, b));
        }
        if (x < n) {
            int t = n - x, ne = (t + 1) / 2, no = t / 2;
            __m512 a, b;
            if (src + x + 32 <= pend) {
                a = _mm512_loadu_ps(src + x);
                b = _mm512_loadu_ps(src + x + 16);
            } else {
                __mmask16 ma = tail_mask(t), mb = t <= 16 ? (__mmask16)0 : tail_mask(t - 16);
                a = _mm512_maskz_loadu_ps(ma, src + x);
                b = _mm512_maskz_loadu_ps(mb, src + x + 16);
            }
            _mm512_mask_storeu_ps(even + x / 2, tail_mask(ne), _mm512_permutex2var_ps(a, ev, b));
            _mm512_mask_storeu_ps(odd + x / 2, tail_mask(no), _mm512_permutex2var_ps(a, od, b));
        }
    }
    g->filled = 1;
}

/* A channel of a 3x3 or 5x5 filter with equal strides 1 or 2 through ablock: from the whole
 * padded plane 4 output rows at a time (row j of a block at a fixed stride), from the ring one. */
T512 static inline __attribute__((always_inline)) void
achannel(const int KH, const int KW, const int S, const gy_conv_run *r, int ch, gy_dw_ring *g,
         gy_dw_row_fn copy)
{
    const gy_conv *c = r->p;
    const float *wk = c->w + (size_t)ch * KH * KW;
    __m512 b = _mm512_set1_ps(c->b ? c->b[ch] : 0.0f);
    size_t out_plane = (size_t)r->oh * r->ow, rf = (size_t)g->row_floats;
    const float *plane = r->in + (size_t)ch * r->ih * r->iw;
    float *dst = r->out + (size_t)ch * out_plane;
    const float *res = r->res ? r->res + (size_t)ch * out_plane : NULL;
    const float *rows[GY_DW_MAX_TAPS];
    int oy = 0, ow = r->ow, ph = g->phase_len;
    int epi = res || r->act != GY_ACT_NONE;
    if (g->whole) {
        fill_plane(S, r, g, plane);
        for (; oy + 4 <= r->oh; oy += 4) {
            float *d[4];
            const float *rs[4];
            for (int i = 0; i < 4; i++) {
                d[i] = dst + (size_t)(oy + i) * ow;
                rs[i] = res ? res + (size_t)(oy + i) * ow : NULL;
            }
            arows(KH, KW, S, S, 4, r, g->base + (size_t)oy * S * rf, rf, NULL, ph, wk, b, d, rs);
            if (epi) /* the 4 rows lie one after the other */
                epilogue(d[0], rs[0], 4 * ow, r->res_before_act, r->act);
        }
    }
    for (; oy < r->oh; oy++) {
        gy_dw_ring_rows(g, r, plane, oy, copy, rows);
        float *d[1] = {dst + (size_t)oy * ow};
        const float *rs[1] = {res ? res + (size_t)oy * ow : NULL};
        arows(KH, KW, S, S, 1, r, NULL, 0, rows, ph, wk, b, d, rs);
        if (epi)
            epilogue(d[0], rs[0], ow, r->res_before_act, r->act);
    }
}

/* One channel of any other filter through block: one output row at a time. */
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
    const float *rows[1][GY_DW_MAX_TAPS];
    for (int oy = 0; oy < r->oh; oy++) {
        gy_dw_ring_rows(g, r, plane, oy, copy, rows[0]);
        float *d[1] = {dst + (size_t)oy * r->ow};
        const float *rs[1] = {res ? res + (size_t)oy * r->ow : NULL};
        rows_nr(KH, KW, 1, r, (const float *const(*)[GY_DW_MAX_TAPS])rows, off, w, b, d, rs);
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
    float *d[1] = {r->out + at};
    const float *rs[1] = {r->res ? r->res + at : NULL};
    const float *rr[1][GY_DW_MAX_TAPS];
    for (int ky = 0; ky < KH; ky++)
        rr[0][ky] = rows[ky];
    rows_nr(KH, KW, 1, r, (const float *const(*)[GY_DW_MAX_TAPS])rr, off, w,
            _mm512_set1_ps(c->b ? c->b[ch] : 0.0f), d, rs);
}

/* The coverage build (GY_COVERAGE_BUILD) runs one copy of each template with the filter shape
 * and stride as run-time values: gcov counts every branch of every constant-shape copy, and a
 * copy's constant conditions (KH == 3 in the 5x5 copy) can never go the other way, so they would
 * count as untested branches that no test can reach. The arithmetic is the same either way. */
#ifdef GY_COVERAGE_BUILD
#define GY_DW_SPECIALISE 0
#else
#define GY_DW_SPECIALISE 1
#endif

T512 void gy_f32_dwconv2d_row__avx512(const gy_conv_run *r, const gy_dw_ring *g, int ch,
                                      const float *const *rows, int oy)
{
    const gy_conv *c = r->p;
#if !GY_DW_SPECIALISE
    one_row(c->kh, c->kw, r, g, ch, rows, oy);
#else
    if (c->kh == 3 && c->kw == 3)
        one_row(3, 3, r, g, ch, rows, oy);
    else if (c->kh == 5 && c->kw == 5)
        one_row(5, 5, r, g, ch, rows, oy);
    else
        one_row(c->kh, c->kw, r, g, ch, rows, oy);
#endif
}

/* Rows [0, n) of channel ch from a small padded plane (the fused depthwise + pointwise op). */
T512 static inline __attribute__((always_inline)) void
arun(const int KH, const int KW, const int S, const gy_conv_run *r, const gy_dw_ring *g, int ch,
     const float *base, int n)
{
    const gy_conv *c = r->p;
    const float *wk = c->w + (size_t)ch * KH * KW;
    __m512 b = _mm512_set1_ps(c->b ? c->b[ch] : 0.0f);
    size_t rf = (size_t)g->row_floats;
    int ow = r->ow, oy = 0;
    float *dst = r->out + (size_t)ch * r->oh * ow;
    const float *rs[4] = {NULL, NULL, NULL, NULL};
    for (; oy + 4 <= n; oy += 4) {
        float *d[4] = {dst + (size_t)oy * ow, dst + (size_t)(oy + 1) * ow,
                       dst + (size_t)(oy + 2) * ow, dst + (size_t)(oy + 3) * ow};
        arows(KH, KW, S, S, 4, r, base + (size_t)oy * S * rf, rf, NULL, g->phase_len, wk, b, d, rs);
    }
    for (; oy < n; oy++) {
        float *d[1] = {dst + (size_t)oy * ow};
        arows(KH, KW, S, S, 1, r, base + (size_t)oy * S * rf, rf, NULL, g->phase_len, wk, b, d, rs);
    }
    if (r->act != GY_ACT_NONE) /* the rows lie one after the other */
        epilogue(dst, NULL, n * ow, 0, r->act);
}

T512 void gy_f32_dwconv2d_rows__avx512(const gy_conv_run *r, const gy_dw_ring *g, int ch,
                                       const float *base, int n)
{
    const gy_conv *c = r->p;
    int sq = c->kh == c->kw && (c->kh == 3 || c->kh == 5) && c->sh == c->sw;
#if !GY_DW_SPECIALISE
    if (sq && c->sw <= 2)
        arun(c->kh, c->kw, c->sw, r, g, ch, base, n);
#else
    if (sq && c->sw == 1 && c->kh == 3)
        arun(3, 3, 1, r, g, ch, base, n);
    else if (sq && c->sw == 1 && c->kh == 5)
        arun(5, 5, 1, r, g, ch, base, n);
    else if (sq && c->sw == 2 && c->kh == 3)
        arun(3, 3, 2, r, g, ch, base, n);
    else if (sq && c->sw == 2 && c->kh == 5)
        arun(5, 5, 2, r, g, ch, base, n);
#endif
    else
        for (int oy = 0; oy < n; oy++) {
            const float *rows[GY_DW_MAX_TAPS];
            for (int ky = 0; ky < c->kh; ky++)
                rows[ky] = base + (size_t)(oy * c->sh + ky) * g->row_floats;
            gy_f32_dwconv2d_row__avx512(r, g, ch, rows, oy);
        }
}

T512 void gy_f32_dwconv2d_channel__avx512(const gy_conv_run *r, int ch, gy_dw_ring *g)
{
    const gy_conv *c = r->p;
    int sq = c->kh == c->kw && (c->kh == 3 || c->kh == 5) && c->sh == c->sw;
#if !GY_DW_SPECIALISE
    if (sq && c->sw <= 2)
        achannel(c->kh, c->kw, c->sw, r, ch, g, c->sw == 1 ? row_copy : row_split2);
    else
        channel(c->kh, c->kw, r, ch, g);
#else
    if (sq && c->sw == 1 && c->kh == 3)
        achannel(3, 3, 1, r, ch, g, row_copy);
    else if (sq && c->sw == 1 && c->kh == 5)
        achannel(5, 5, 1, r, ch, g, row_copy);
    else if (sq && c->sw == 2 && c->kh == 3)
        achannel(3, 3, 2, r, ch, g, row_split2);
    else if (sq && c->sw == 2 && c->kh == 5)
        achannel(5, 5, 2, r, ch, g, row_split2);
    else if (c->kh == 3 && c->kw == 3)
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
#endif
}

#endif

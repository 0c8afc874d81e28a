/* f32_conv2d_s2_direct__avx512.c - the AVX-512 tile of the direct stride-2 convolution
 * (f32_conv2d_s2_direct.h): 16 output pixels of one row (8 or 4 for a row's last pixels) x 16
 * output channels in 16 zmm accumulators, lanes = channels. Each step loads one vector of
 * packed weights (one tap, 16 channels) and FMAs it with one broadcast input value per pixel
 * (pixel p reads 2p + kx from the window's start), so no im2col copy is made. Rows of the
 * window outside the input are skipped (the tile's ky range); tiles whose window crosses the
 * left or right edge read a zero-padded copy of it in the scratch. The epilogue adds the bias
 * as a vector, transposes the 16 x 16 block (pixels x channels -> channels x pixels) and stores
 * each channel's pixels through the shared epilogue (residual, activation, masked tail). */
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct.h"
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct_loop.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define CB GY_S2_CB
#define P GY_S2_P

T512 static inline __mmask16 lanes16(int n) /* lanes [0, n) set, n in [0, 16] */
{
    return n >= 16 ? (__mmask16)0xffff : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}

#define STEP(i) a##i = _mm512_fmadd_ps(_mm512_set1_ps(s[2 * (i)]), wv, a##i);

/* t[p] = the 16 channels of block w (packed [cin][kh][kw][16]) at pixel p < NP, over the window
 * rows ky in [ky0, ky1): row ky of input channel ci starts at src + ci * cs + (ky - ky0) * rs. */
T512 static inline __attribute__((always_inline)) void
tile(const int NP, const int KW, const float *src, size_t cs, size_t rs, const gy_conv *c, int ky0,
     int ky1, const float *w, __m512 *t)
{
    __m512 z = _mm512_setzero_ps();
    __m512 a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
    __m512 a8 = z, a9 = z, a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z;
    int kh = c->kh, kw = KW ? KW : c->kw;
    for (int ci = 0; ci < c->cin; ci++) {
        const float *wc = w + ((size_t)ci * kh + ky0) * kw * CB, *row = src + ci * cs;
        for (int ky = ky0; ky < ky1; ky++, row += rs) {
            /* the window of the tile after next on this row: 2 of its lines per tile */
            _mm_prefetch((const char *)(row + 4 * P), _MM_HINT_T0);
            _mm_prefetch((const char *)(row + 5 * P), _MM_HINT_T0);
            for (int kx = 0; kx < kw; kx++, wc += CB) {
                __m512 wv = _mm512_load_ps(wc);
                const float *s = row + kx;
                /* hide that tap kx + 2 of pixel p reads what tap kx of pixel p + 1 read: reusing
                 * those broadcasts spills accumulators; each FMA takes its own from memory */
                __asm__("" : "+r"(s));
                STEP(0) STEP(1) STEP(2) STEP(3)
                if (NP > 4) {
                    STEP(4) STEP(5) STEP(6) STEP(7)
                }
                if (NP > 8) {
                    STEP(8) STEP(9) STEP(10) STEP(11) STEP(12) STEP(13) STEP(14) STEP(15)
                }
            }
        }
    }
    t[0] = a0, t[1] = a1, t[2] = a2, t[3] = a3, t[4] = a4, t[5] = a5, t[6] = a6, t[7] = a7;
    t[8] = a8, t[9] = a9, t[10] = a10, t[11] = a11, t[12] = a12, t[13] = a13, t[14] = a14;
    t[15] = a15;
}

/* In-place transpose of 16 rows of 16 floats: unpack ps, unpack pd, then two rounds of 128-bit
 * lane shuffles. */
T512 static void transpose16(__m512 *t)
{
    __m512 u[16], v[16];
    for (int k = 0; k < 8; k++) {
        u[2 * k] = _mm512_unpacklo_ps(t[2 * k], t[2 * k + 1]);
        u[2 * k + 1] = _mm512_unpackhi_ps(t[2 * k], t[2 * k + 1]);
    }
    for (int k = 0; k < 4; k++)
        for (int h = 0; h < 2; h++) {
            __m512d x = _mm512_castps_pd(u[4 * k + h]), y = _mm512_castps_pd(u[4 * k + h + 2]);
            v[4 * k + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(x, y));
            v[4 * k + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(x, y));
        }
    /* v[4k + e], 128-bit lane L: rows 4k..4k+3 of column 4L + e */
    for (int e = 0; e < 4; e++) {
        __m512 l0 = _mm512_shuffle_f32x4(v[e], v[4 + e], 0x44);
        __m512 h0 = _mm512_shuffle_f32x4(v[e], v[4 + e], 0xee);
        __m512 l1 = _mm512_shuffle_f32x4(v[8 + e], v[12 + e], 0x44);
        __m512 h1 = _mm512_shuffle_f32x4(v[8 + e], v[12 + e], 0xee);
        t[e] = _mm512_shuffle_f32x4(l0, l1, 0x88);
        t[4 + e] = _mm512_shuffle_f32x4(l0, l1, 0xdd);
        t[8 + e] = _mm512_shuffle_f32x4(h0, h1, 0x88);
        t[12 + e] = _mm512_shuffle_f32x4(h0, h1, 0xdd);
    }
}

/* Bias, transpose, and the epilogue into output channels [co0, co0 + 16) at row oy, pixels
 * [ox0, ox0 + n). */
T512 static void store_tile(const gy_conv_run *r, __m512 *t, int co0, int oy, int ox0, int n)
{
    const gy_conv *c = r->p;
    int nco = c->cout - co0 < CB ? c->cout - co0 : CB;
    if (c->b) {
        __m512 bv = _mm512_maskz_loadu_ps(lanes16(nco), c->b + co0);
        for (int p = 0; p < P; p++)
            t[p] = _mm512_add_ps(t[p], bv);
    }
    transpose16(t);
    size_t plane = (size_t)r->oh * r->ow, off = (size_t)oy * r->ow + (size_t)ox0;
    __mmask16 m = lanes16(n);
    for (int j = 0; j < nco; j++) {
        size_t at = (size_t)(co0 + j) * plane + off;
        gy_store512(r->out + at, t[j], m, r->res ? r->res + at : NULL, r->res_before_act, r->act);
    }
}

T512 static inline void run_tile(const gy_conv_run *r, int np, const float *src, size_t cs,
                                 size_t rs, int ky0, int ky1, int cb, int oy, int ox0, int n)
{
    const gy_conv *c = r->p;
    const float *w = c->wpack + (size_t)cb * c->cin * c->kh * c->kw * CB;
    __m512 t[P];
    int kw3 = c->kw == 3;
    if (np == 16)
        kw3 ? tile(16, 3, src, cs, rs, c, ky0, ky1, w, t) : tile(16, 0, src, cs, rs, c, ky0, ky1, w, t);
    else if (np == 8)
        kw3 ? tile(8, 3, src, cs, rs, c, ky0, ky1, w, t) : tile(8, 0, src, cs, rs, c, ky0, ky1, w, t);
    else
        kw3 ? tile(4, 3, src, cs, rs, c, ky0, ky1, w, t) : tile(4, 0, src, cs, rs, c, ky0, ky1, w, t);
    store_tile(r, t, cb * CB, oy, ox0, n);
}

T512 void gy_f32_conv2d_s2_direct__avx512(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                          float *scratch)
{
    gy_s2_direct_loop(r, oy0, oy1, cb0, cb1, scratch, P, 4, run_tile);
}

#else

void gy_f32_conv2d_s2_direct__avx512(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                     float *scratch)
{
    (void)r, (void)oy0, (void)oy1, (void)cb0, (void)cb1, (void)scratch;
}

#endif

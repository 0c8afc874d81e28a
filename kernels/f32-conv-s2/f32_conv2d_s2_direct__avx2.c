/* f32_conv2d_s2_direct__avx2.c - the AVX2 + FMA tile of the direct stride-2 convolution
 * (f32_conv2d_s2_direct.h): 8 output pixels of one row (4 for a row's last pixels) x 8 output
 * channels in 8 ymm accumulators, lanes = channels. Each step loads one vector of packed weights
 * (one tap, 8 channels) and FMAs it with one broadcast input value per pixel (pixel p reads
 * 2p + kx from the window's start): 8 FMAs per 9 loads, inside the 16 registers. The epilogue
 * adds the bias as a vector, transposes the 8 x 8 block and stores each channel's pixels through
 * the shared epilogue (residual, activation; a masked tail). The loop over rows, tiles and
 * windows is f32_conv2d_s2_direct_loop.h. */
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct.h"
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct_loop.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T256 __attribute__((target("avx2,fma")))
#define CB GY_S2_CB256
#define P GY_S2_P256

T256 static inline __m256i lanes8(int n) /* lanes [0, n) set */
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

#define STEP(i) a##i = _mm256_fmadd_ps(_mm256_broadcast_ss(s + 2 * (i)), wv, a##i);

/* t[p] = the 8 channels of block w (packed [cin][kh][kw][8]) at pixel p < NP over the window
 * rows [ky0, ky1); as the AVX-512 tile. */
T256 static inline __attribute__((always_inline)) void
tile(const int NP, const int KW, const float *src, size_t cs, size_t rs, const gy_conv *c, int ky0,
     int ky1, const float *w, __m256 *t)
{
    __m256 z = _mm256_setzero_ps();
    __m256 a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
    int kh = c->kh, kw = KW ? KW : c->kw;
    for (int ci = 0; ci < c->cin; ci++) {
        const float *wc = w + ((size_t)ci * kh + ky0) * kw * CB, *row = src + ci * cs;
        for (int ky = ky0; ky < ky1; ky++, row += rs) {
            _mm_prefetch((const char *)(row + 4 * P), _MM_HINT_T0); /* the tile after next */
            for (int kx = 0; kx < kw; kx++, wc += CB) {
                __m256 wv = _mm256_load_ps(wc);
                const float *s = row + kx;
                __asm__("" : "+r"(s)); /* no reuse of broadcasts across taps (as AVX-512) */
                STEP(0) STEP(1) STEP(2) STEP(3)
                if (NP > 4) {
                    STEP(4) STEP(5) STEP(6) STEP(7)
                }
            }
        }
    }
    t[0] = a0, t[1] = a1, t[2] = a2, t[3] = a3, t[4] = a4, t[5] = a5, t[6] = a6, t[7] = a7;
}

/* In-place transpose of 8 rows of 8 floats. */
T256 static inline void transpose8(__m256 *t)
{
    __m256 u0 = _mm256_unpacklo_ps(t[0], t[1]), u1 = _mm256_unpackhi_ps(t[0], t[1]);
    __m256 u2 = _mm256_unpacklo_ps(t[2], t[3]), u3 = _mm256_unpackhi_ps(t[2], t[3]);
    __m256 u4 = _mm256_unpacklo_ps(t[4], t[5]), u5 = _mm256_unpackhi_ps(t[4], t[5]);
    __m256 u6 = _mm256_unpacklo_ps(t[6], t[7]), u7 = _mm256_unpackhi_ps(t[6], t[7]);
    __m256 v0 = _mm256_shuffle_ps(u0, u2, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 v1 = _mm256_shuffle_ps(u0, u2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 v2 = _mm256_shuffle_ps(u1, u3, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 v3 = _mm256_shuffle_ps(u1, u3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 v4 = _mm256_shuffle_ps(u4, u6, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 v5 = _mm256_shuffle_ps(u4, u6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 v6 = _mm256_shuffle_ps(u5, u7, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 v7 = _mm256_shuffle_ps(u5, u7, _MM_SHUFFLE(3, 2, 3, 2));
    t[0] = _mm256_permute2f128_ps(v0, v4, 0x20);
    t[1] = _mm256_permute2f128_ps(v1, v5, 0x20);
    t[2] = _mm256_permute2f128_ps(v2, v6, 0x20);
    t[3] = _mm256_permute2f128_ps(v3, v7, 0x20);
    t[4] = _mm256_permute2f128_ps(v0, v4, 0x31);
    t[5] = _mm256_permute2f128_ps(v1, v5, 0x31);
    t[6] = _mm256_permute2f128_ps(v2, v6, 0x31);
    t[7] = _mm256_permute2f128_ps(v3, v7, 0x31);
}

/* Bias, transpose, and the epilogue into output channels [co0, co0 + 8) at row oy, pixels
 * [ox0, ox0 + n). */
T256 static void store_tile(const gy_conv_run *r, __m256 *t, int co0, int oy, int ox0, int n)
{
    const gy_conv *c = r->p;
    int nco = c->cout - co0 < CB ? c->cout - co0 : CB;
    if (c->b) {
        __m256 bv = _mm256_maskload_ps(c->b + co0, lanes8(nco));
        for (int p = 0; p < P; p++)
            t[p] = _mm256_add_ps(t[p], bv);
    }
    transpose8(t);
    size_t plane = (size_t)r->oh * r->ow, off = (size_t)oy * r->ow + (size_t)ox0;
    __m256i m = lanes8(n);
    for (int j = 0; j < nco; j++) {
        size_t at = (size_t)(co0 + j) * plane + off;
        const float *res = r->res ? r->res + at : NULL;
        if (n == P) {
            gy_store256(r->out + at, t[j], res, r->res_before_act, r->act);
            continue;
        }
        __m256 v = t[j];
        if (res && r->res_before_act)
            v = _mm256_add_ps(v, _mm256_maskload_ps(res, m));
        v = gy_act256(v, r->act);
        if (res && !r->res_before_act)
            v = _mm256_add_ps(v, _mm256_maskload_ps(res, m));
        _mm256_maskstore_ps(r->out + at, m, v);
    }
}

static int np_for(int n) /* 8 pixels, or 4 for a row's last few */
{
    return n <= 4 ? 4 : P;
}

T256 static void run_tile(const gy_conv_run *r, int np, int left, const float *src, size_t cs,
                          size_t rs, int ky0, int ky1, int cb0, int cb1, int oy, int ox0, int n)
{
    const gy_conv *c = r->p;
    int kw3 = c->kw == 3;
    (void)left; /* never set: this loop is run with left_ok 0 */
    for (int cb = cb0; cb < cb1; cb++) {
        const float *w = c->wpack + (size_t)cb * c->cin * c->kh * c->kw * CB;
        __m256 t[P];
        if (np == 8)
            kw3 ? tile(8, 3, src, cs, rs, c, ky0, ky1, w, t) : tile(8, 0, src, cs, rs, c, ky0, ky1, w, t);
        else
            kw3 ? tile(4, 3, src, cs, rs, c, ky0, ky1, w, t) : tile(4, 0, src, cs, rs, c, ky0, ky1, w, t);
        store_tile(r, t, cb * CB, oy, ox0, n);
    }
}

T256 void gy_f32_conv2d_s2_direct__avx2(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                        float *scratch)
{
    gy_s2_direct_loop(r, oy0, oy1, cb0, cb1, scratch, P, np_for, 0, run_tile);
}

#else

void gy_f32_conv2d_s2_direct__avx2(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                   float *scratch)
{
    (void)r, (void)oy0, (void)oy1, (void)cb0, (void)cb1, (void)scratch;
}

#endif

/* f32_conv2d_s2_direct__avx2.c - the AVX2 + FMA tile of the direct stride-2 convolution
 * (f32_conv2d_s2_direct.h): up to 6 output pixels of one row x 16 output channels in 12 ymm
 * accumulators, lanes = channels. Each step loads two vectors of packed weights (one tap, 16
 * channels) and FMAs each broadcast input value (pixel p reads 2p + kx from the window's start)
 * with both: 12 FMAs per 8 loads, inside the 16 registers (an 8 x 8 tile needed 9 loads for 8).
 * A row is cut into tiles of 6, 5 or 4 pixels (whichever divides it: 5 for the rows of a 640
 * input), its last pixels into a shorter one; at the left edge of a 3-wide, pad-1 filter pixel 0
 * leaves out its first tap, so the tile reads the input in place (as the AVX-512 tile). The
 * epilogue adds the bias as a vector, transposes each 8-channel half and stores each channel's
 * pixels through the shared epilogue (residual, activation; a masked tail). The loop over rows,
 * tiles and windows is f32_conv2d_s2_direct_loop.h. */
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

/* pixel i: one broadcast, two FMAs */
#define STEP(i, src, o)                                                                            \
    {                                                                                              \
        __m256 x = _mm256_broadcast_ss((src) + 2 * (i) + (o));                                     \
        a##i##0 = _mm256_fmadd_ps(x, w0, a##i##0);                                                 \
        if (NV > 1)                                                                                \
            a##i##1 = _mm256_fmadd_ps(x, w1, a##i##1);                                             \
    }
#define STEPS(first, s, o)                                                                         \
    {                                                                                              \
        if (first)                                                                                 \
            STEP(0, s, o)                                                                          \
        STEP(1, s, o) STEP(2, s, o) STEP(3, s, o)                                                  \
        if (NP > 4)                                                                                \
            STEP(4, s, o)                                                                          \
        if (NP > 5)                                                                                \
            STEP(5, s, o)                                                                          \
        if (NP > 6) {                                                                              \
            STEP(6, s, o) STEP(7, s, o)                                                            \
        }                                                                                          \
    }
#define STORE_ACC(i)                                                                               \
    if (NP > (i)) {                                                                                \
        t[0][i] = a##i##0;                                                                         \
        t[1][i] = a##i##1;                                                                         \
    }

/* t[h][p] = channels [8h, 8h + 8) (h < NV) of block w (packed [cin][kh][kw][16]; NV = 1: w
 * points at the 8 channels wanted) at pixel p < NP over the window rows [ky0, ky1); pixel p reads
 * 2p + kx - LEFT of each row (as the AVX-512 tile). NV 2: NP <= 6; NV 1: NP <= 8. */
T256 static inline __attribute__((always_inline)) void
tile(const int NP, const int NV, const int KW, const int LEFT, const float *src, size_t cs,
     size_t rs, const gy_conv *c, int ky0, int ky1, const float *w, __m256 t[2][8])
{
    __m256 z = _mm256_setzero_ps();
    __m256 a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
    __m256 a40 = z, a41 = z, a50 = z, a51 = z, a60 = z, a61 = z, a70 = z, a71 = z;
    int kh = c->kh, kw = KW ? KW : c->kw;
    for (int ci = 0; ci < c->cin; ci++) {
        const float *wc = w + ((size_t)ci * kh + ky0) * kw * CB, *row = src + ci * cs;
        for (int ky = ky0; ky < ky1; ky++, row += rs) {
            _mm_prefetch((const char *)(row + 4 * NP), _MM_HINT_T0); /* the tile after next */
            for (int kx = 0; kx < kw; kx++, wc += CB) {
                __m256 w0 = _mm256_load_ps(wc), w1 = NV > 1 ? _mm256_load_ps(wc + 8) : z;
                if (LEFT && kx == 0) {
                    const float *s1 = row + 1; /* pixel p >= 1 reads 2p - 1 = s1[2p - 2] */
                    __asm__("" : "+r"(s1));
                    STEPS(0, s1, -2)
                } else {
                    const float *s = row + kx - LEFT;
                    __asm__("" : "+r"(s)); /* no reuse of broadcasts across taps (as AVX-512) */
                    STEPS(1, s, 0)
                }
            }
        }
    }
    STORE_ACC(0) STORE_ACC(1) STORE_ACC(2) STORE_ACC(3) STORE_ACC(4) STORE_ACC(5)
    STORE_ACC(6) STORE_ACC(7)
    for (int p = NP; p < 8; p++)
        t[0][p] = t[1][p] = z;
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

/* Bias, transpose, and the epilogue into output channels [co0 + 8h, co0 + 8h + 8) from t[h]
 * (h < nv) at row oy, pixels [ox0, ox0 + n). */
T256 static void store_tile(const gy_conv_run *r, __m256 t[2][8], int nv, int co0, int oy, int ox0,
                            int n)
{
    const gy_conv *c = r->p;
    size_t plane = (size_t)r->oh * r->ow, off = (size_t)oy * r->ow + (size_t)ox0;
    __m256i m = lanes8(n);
    for (int h = 0; h < nv; h++) {
        int c0 = co0 + 8 * h, nco = c->cout - c0 < 8 ? c->cout - c0 : 8;
        if (nco <= 0)
            break;
        __m256 *v = t[h];
        if (c->b) {
            __m256 bv = _mm256_maskload_ps(c->b + c0, lanes8(nco));
            for (int p = 0; p < n; p++)
                v[p] = _mm256_add_ps(v[p], bv);
        }
        transpose8(v);
        for (int j = 0; j < nco; j++) {
            size_t at = (size_t)(c0 + j) * plane + off;
            const float *res = r->res ? r->res + at : NULL;
            if (n == 8) { /* vmaskmov stores are slow on AMD: full vectors store plainly */
                gy_store256(r->out + at, v[j], res, r->res_before_act, r->act);
                continue;
            }
            __m256 x = v[j];
            if (res && r->res_before_act)
                x = _mm256_add_ps(x, _mm256_maskload_ps(res, m));
            x = gy_act256(x, r->act);
            if (res && !r->res_before_act)
                x = _mm256_add_ps(x, _mm256_maskload_ps(res, m));
            _mm256_maskstore_ps(r->out + at, m, x);
        }
    }
}

/* Tiles: 16 channels x up to 6 pixels; 8 channels x up to 8 pixels when the filter is short
 * (K < 64: the first conv, whose transposes and activations cost more than its FMAs). */
static int wide(const gy_conv *c)
{
    return c->cin * c->kh * c->kw >= 64;
}

static int np_for(int n) /* the smallest 16-channel instance that holds n pixels */
{
    return n <= 4 ? 4 : n <= 5 ? 5 : 6;
}

static int np_for8(int n)
{
    return n <= 4 ? 4 : 8;
}

#define TILE(NP, NV, W)                                                                            \
    (kw3 ? (left ? tile(NP, NV, 3, 1, src, cs, rs, c, ky0, ky1, W, t)                              \
                 : tile(NP, NV, 3, 0, src, cs, rs, c, ky0, ky1, W, t))                             \
         : tile(NP, NV, 0, 0, src, cs, rs, c, ky0, ky1, W, t))

T256 static void run_tile(const gy_conv_run *r, int np, int left, const float *src, size_t cs,
                          size_t rs, int ky0, int ky1, int cb0, int cb1, int oy, int ox0, int n)
{
    const gy_conv *c = r->p;
    int kw3 = c->kw == 3;
    for (int cb = cb0; cb < cb1; cb++) {
        const float *w = c->wpack + (size_t)cb * c->cin * c->kh * c->kw * CB;
        __m256 t[2][8];
        if (wide(c)) {
            if (np == 6)
                TILE(6, 2, w);
            else if (np == 5)
                TILE(5, 2, w);
            else
                TILE(4, 2, w);
            store_tile(r, t, 2, cb * CB, oy, ox0, n);
            continue;
        }
        for (int h = 0; h < 2 && c->cout - cb * CB - 8 * h > 0; h++) {
            if (np == 8)
                TILE(8, 1, w + 8 * h);
            else
                TILE(4, 1, w + 8 * h);
            store_tile(r, t, 1, cb * CB + 8 * h, oy, ox0, n);
        }
    }
}

T256 void gy_f32_conv2d_s2_direct__avx2(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                        float *scratch)
{
    /* the widest tile that divides the row, else 6 and a shorter last one */
    int ow = r->ow, p = ow % 6 == 0 ? 6 : ow % 5 == 0 ? 5 : ow % 4 == 0 ? 4 : 6;
    if (wide(r->p))
        gy_s2_direct_loop(r, oy0, oy1, cb0, cb1, scratch, p, np_for, 1, run_tile);
    else
        gy_s2_direct_loop(r, oy0, oy1, cb0, cb1, scratch, 8, np_for8, 1, run_tile);
}

#else

void gy_f32_conv2d_s2_direct__avx2(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                   float *scratch)
{
    (void)r, (void)oy0, (void)oy1, (void)cb0, (void)cb1, (void)scratch;
}

#endif

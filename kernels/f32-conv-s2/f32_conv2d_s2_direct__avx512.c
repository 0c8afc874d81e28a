/* f32_conv2d_s2_direct__avx512.c - the AVX-512 tile of the direct stride-2 convolution
 * (f32_conv2d_s2_direct.h): up to 12 output pixels of one row x 32 output channels in 24 zmm
 * accumulators, lanes = channels. Each step loads two vectors of packed weights (one tap, 32
 * channels) and FMAs each broadcast input value (pixel p reads 2p + kx from the window's start)
 * with both: 2 FMAs per broadcast, 24 FMAs per 14 loads (a 16 x 16 tile needs 17 loads for 16),
 * so the two FMA pipes of a full-width AVX-512 core stay fed; no im2col copy is made. A row is
 * cut into tiles of 12, 10 or 8 pixels (whichever divides it; 10 for the 20 / 40 / 80 / 160 /
 * 320-pixel rows of a 640 input), its last pixels into a tile of 4 or 8. Rows of the window
 * outside the input are skipped (the tile's ky range); at the left edge of a 3-wide, pad-1
 * filter pixel 0 leaves out its first tap, so the tile still reads the input in place; other
 * windows that cross an edge read a zero-padded copy in the scratch. The epilogue adds the bias
 * as a vector, transposes each 16-channel half (pixels x channels -> channels x pixels) and
 * stores each channel's pixels through the shared epilogue (residual, activation, masked tail). */
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct.h"
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct_loop.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

T512 static inline __mmask16 lanes16(int n) /* lanes [0, n) set, n in [0, 16] */
{
    return n >= 16 ? (__mmask16)0xffff : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}

/* pixel i: one broadcast, two FMAs */
#define STEP(i, src, o)                                                                            \
    {                                                                                              \
        __m512 x = _mm512_set1_ps((src)[2 * (i) + (o)]);                                           \
        a##i##0 = _mm512_fmadd_ps(x, w0, a##i##0);                                                 \
        if (NV > 1)                                                                                \
            a##i##1 = _mm512_fmadd_ps(x, w1, a##i##1);                                             \
        if (NV > 2)                                                                                \
            a##i##2 = _mm512_fmadd_ps(x, w2, a##i##2);                                             \
    }
#define STEPS(first, s, o)                                                                         \
    {                                                                                              \
        if (first)                                                                                 \
            STEP(0, s, o)                                                                          \
        STEP(1, s, o) STEP(2, s, o) STEP(3, s, o)                                                  \
        if (NP > 4) {                                                                              \
            STEP(4, s, o) STEP(5, s, o) STEP(6, s, o) STEP(7, s, o)                                \
        }                                                                                          \
        if (NP > 8) {                                                                              \
            STEP(8, s, o) STEP(9, s, o)                                                            \
        }                                                                                          \
        if (NP > 10) {                                                                             \
            STEP(10, s, o) STEP(11, s, o)                                                          \
        }                                                                                          \
        if (NP > 12) {                                                                             \
            STEP(12, s, o) STEP(13, s, o) STEP(14, s, o) STEP(15, s, o)                            \
        }                                                                                          \
    }
#define STORE_ACC(i)                                                                               \
    if (NP > (i)) {                                                                                \
        t[0][i] = a##i##0;                                                                         \
        t[1][i] = a##i##1;                                                                         \
        t[2][i] = a##i##2;                                                                         \
    }

/* t[h][p] = channels [16h, 16h + 16) (h < NV) of block w (packed [cin][kh][kw][CB]; NV = 1:
 * w points at the 16 channels wanted) at pixel p < NP, over the window rows ky in [ky0, ky1):
 * row ky of input channel ci starts at src + ci * cs + (ky - ky0) * rs, and pixel p reads
 * 2p + kx - LEFT of it (LEFT: pixel 0 has no tap kx = 0, which would read left of the row). */
T512 static inline __attribute__((always_inline)) void
tile(const int NP, const int NV, const int CB, const int KW, const int LEFT, const float *src,
     size_t cs, size_t rs, const gy_conv *c, int ky0, int ky1, const float *w, __m512 t[3][16])
{
    __m512 z = _mm512_setzero_ps();
    __m512 a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
    __m512 a40 = z, a41 = z, a50 = z, a51 = z, a60 = z, a61 = z, a70 = z, a71 = z;
    __m512 a80 = z, a81 = z, a90 = z, a91 = z, a100 = z, a101 = z, a110 = z, a111 = z;
    __m512 a120 = z, a121 = z, a130 = z, a131 = z, a140 = z, a141 = z, a150 = z, a151 = z;
    __m512 a02 = z, a12 = z, a22 = z, a32 = z, a42 = z, a52 = z, a62 = z, a72 = z; /* NV = 3 */
    __m512 a82 = z, a92 = z, a102 = z, a112 = z, a122 = z, a132 = z, a142 = z, a152 = z;
    int kh = c->kh, kw = KW ? KW : c->kw;
    for (int ci = 0; ci < c->cin; ci++) {
        const float *wc = w + ((size_t)ci * kh + ky0) * kw * CB, *row = src + ci * cs;
        for (int ky = ky0; ky < ky1; ky++, row += rs) {
            /* the window of the tile after next on this row */
            _mm_prefetch((const char *)(row + 4 * NP), _MM_HINT_T0);
            _mm_prefetch((const char *)(row + 4 * NP + 16), _MM_HINT_T0);
            for (int kx = 0; kx < kw; kx++, wc += CB) {
                __m512 w0 = _mm512_load_ps(wc), w1 = NV > 1 ? _mm512_load_ps(wc + 16) : z;
                __m512 w2 = NV > 2 ? _mm512_load_ps(wc + 32) : z;
                if (LEFT && kx == 0) {
                    /* pixel p >= 1 reads 2p - 1 = s1[2p - 2] */
                    const float *s1 = row + 1;
                    __asm__("" : "+r"(s1));
                    STEPS(0, s1, -2)
                } else {
                    const float *s = row + kx - LEFT;
                    /* hide that tap kx + 2 of pixel p reads what tap kx of pixel p + 1 read:
                     * reusing those broadcasts spills accumulators */
                    __asm__("" : "+r"(s));
                    STEPS(1, s, 0)
                }
            }
        }
    }
    STORE_ACC(0) STORE_ACC(1) STORE_ACC(2) STORE_ACC(3) STORE_ACC(4) STORE_ACC(5)
    STORE_ACC(6) STORE_ACC(7) STORE_ACC(8) STORE_ACC(9) STORE_ACC(10) STORE_ACC(11)
    STORE_ACC(12) STORE_ACC(13) STORE_ACC(14) STORE_ACC(15)
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

/* Bias, transpose, and the epilogue into output channels [co0 + 16h, co0 + 16h + 16) from t[h]
 * (h < nv) at row oy, pixels [ox0, ox0 + n). */
T512 static void store_tile(const gy_conv_run *r, __m512 t[3][16], int nv, int co0, int oy,
                            int ox0, int n)
{
    const gy_conv *c = r->p;
    size_t plane = (size_t)r->oh * r->ow, off = (size_t)oy * r->ow + (size_t)ox0;
    __mmask16 m = lanes16(n);
    for (int h = 0; h < nv; h++) {
        int c0 = co0 + 16 * h, nco = c->cout - c0 < 16 ? c->cout - c0 : 16;
        if (nco <= 0)
            break;
        __m512 v[16];
        __m512 bv = c->b ? _mm512_maskz_loadu_ps(lanes16(nco), c->b + c0) : _mm512_setzero_ps();
        for (int p = 0; p < 16; p++)
            v[p] = p < n ? _mm512_add_ps(t[h][p], bv) : _mm512_setzero_ps();
        transpose16(v);
        for (int j = 0; j < nco; j++) {
            size_t at = (size_t)(c0 + j) * plane + off;
            gy_store512(r->out + at, v[j], m, r->res ? r->res + at : NULL, r->res_before_act,
                        r->act);
        }
    }
}

/* Tile widths (GY_TUNE_FULL512, blocks of 32 channels): 32 channels x up to 12 pixels; 16
 * channels x up to 16 pixels when the filter is short (the epilogue's transpose and activation
 * then cost more than the FMAs: the first conv, K = 27) or for a last block of at most 16
 * channels. GY_TUNE_BASE (blocks of 16): 16 x 16 tiles, the shape measured on Zen 4, whose
 * 256-bit halves do one 512-bit FMA per cycle whatever the loads. */
static int wide(const gy_conv *c)
{
    return c->tune == GY_TUNE_FULL512 && c->cin * c->kh * c->kw >= 64;
}

static int np_for(int n) /* the smallest 32-channel instance that holds n pixels */
{
    return n <= 4 ? 4 : n <= 8 ? 8 : n <= 10 ? 10 : 12;
}

static int np_for48(int n)
{
    return n <= 4 ? 4 : 8;
}

static int np_for16(int n)
{
    return n <= 4 ? 4 : n <= 8 ? 8 : 16;
}

#define TILE(NP, NV, CB, W)                                                                        \
    (kw3 ? (left ? tile(NP, NV, CB, 3, 1, src, cs, rs, c, ky0, ky1, W, t)                          \
                 : tile(NP, NV, CB, 3, 0, src, cs, rs, c, ky0, ky1, W, t))                         \
         : tile(NP, NV, CB, 0, 0, src, cs, rs, c, ky0, ky1, W, t))

/* 16-channel tiles of np pixels on the halves of a block of cb channels */
#define TILE16(CB)                                                                                 \
    for (int h = 0; h < CB / 16 && c->cout - co0 - 16 * h > 0; h++) {                            \
        if (np == 16)                                                                              \
            TILE(16, 1, CB, w + 16 * h);                                                           \
        else if (np == 12)                                                                         \
            TILE(12, 1, CB, w + 16 * h);                                                           \
        else if (np == 10)                                                                         \
            TILE(10, 1, CB, w + 16 * h);                                                           \
        else if (np == 8)                                                                          \
            TILE(8, 1, CB, w + 16 * h);                                                            \
        else                                                                                       \
            TILE(4, 1, CB, w + 16 * h);                                                            \
        store_tile(r, t, 1, co0 + 16 * h, oy, ox0, n);                                             \
    }

T512 static void run_tile(const gy_conv_run *r, int np, int left, const float *src, size_t cs,
                          size_t rs, int ky0, int ky1, int cb0, int cb1, int oy, int ox0, int n)
{
    const gy_conv *c = r->p;
    int kw3 = c->kw == 3, cbw = gy_s2_conv_block(c, c->isa, c->tune);
    for (int cb = cb0; cb < cb1; cb++) {
        const float *w = c->wpack + (size_t)cb * c->cin * c->kh * c->kw * (size_t)cbw;
        int co0 = cb * cbw;
        __m512 t[3][16];
        if (cbw == 16) {
            TILE16(16)
        } else if (cbw == GY_S2_CB48) {
            if (np == 8)
                TILE(8, 3, 48, w);
            else
                TILE(4, 3, 48, w);
            store_tile(r, t, 3, co0, oy, ox0, n);
        } else if (wide(c) && c->cout - co0 > 16) {
            if (np == 12)
                TILE(12, 2, 32, w);
            else if (np == 10)
                TILE(10, 2, 32, w);
            else if (np == 8)
                TILE(8, 2, 32, w);
            else
                TILE(4, 2, 32, w);
            store_tile(r, t, 2, co0, oy, ox0, n);
        } else {
            TILE16(32)
        }
    }
}

T512 void gy_f32_conv2d_s2_direct__avx512(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                          float *scratch)
{
    /* 32 channels: the widest tile that divides the row, else 12 and a shorter last one */
    int ow = r->ow, p = ow % 12 == 0 ? 12 : ow % 10 == 0 ? 10 : ow % 8 == 0 ? 8 : 12;
    if (gy_s2_conv_block(r->p, r->p->isa, r->p->tune) == GY_S2_CB48) /* 48 channels x 8 pixels */
        gy_s2_direct_loop(r, oy0, oy1, cb0, cb1, scratch, 8, np_for48, 1, run_tile);
    else if (wide(r->p))
        gy_s2_direct_loop(r, oy0, oy1, cb0, cb1, scratch, p, np_for, 1, run_tile);
    else
        gy_s2_direct_loop(r, oy0, oy1, cb0, cb1, scratch, 16, np_for16, 1, run_tile);
}

#else

void gy_f32_conv2d_s2_direct__avx512(const gy_conv_run *r, int oy0, int oy1, int cb0, int cb1,
                                     float *scratch)
{
    (void)r, (void)oy0, (void)oy1, (void)cb0, (void)cb1, (void)scratch;
}

#endif

/* f32_conv2d_pwdw__avx512.c - the pointwise rows of the fused op with AVX-512: 4 channels x 32
 * pixels in 8 accumulators (12 x 32 in 24 was 1.5x slower), the weights broadcast from memory, the input rows read from L1 (K
 * rows of one input line); the AVX-512 GEMM tile's operations in its order (f32_conv2d_pwdw.h). */
#include "kernels/f32-conv/f32_conv2d_pwdw.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

static inline __mmask16 lanes(int n)
{
    return n >= 16 ? (__mmask16)0xffff : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}

/* Channels [ch, ch + CH) at pixels [x, x + 32) (n of them valid). */
T512 static inline __attribute__((always_inline)) void
block(const int CH, const gy_conv *c, gy_act act, int kc, const float *in, size_t plane, int ch,
      int c0, int x, int n, float *const *dst)
{
    int K = c->cin;
    __mmask16 m0 = lanes(n), m1 = lanes(n - 16);
    const int full = n >= 32;
    for (int k0 = 0; k0 < K; k0 += kc) {
        int k1 = k0 + kc < K ? k0 + kc : K;
        __m512 a[4][2];
        for (int i = 0; i < CH; i++)
            a[i][0] = a[i][1] = _mm512_setzero_ps();
        const float *p = in + (size_t)k0 * plane + x;
        for (int k = k0; k < k1; k++, p += plane) {
            __m512 x0 = full ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m0, p);
            __m512 x1 = full ? _mm512_loadu_ps(p + 16) : _mm512_maskz_loadu_ps(m1, p + 16);
            for (int i = 0; i < CH; i++) {
                __m512 w = _mm512_set1_ps(c->w[(size_t)(ch + i) * K + k]);
                a[i][0] = _mm512_fmadd_ps(w, x0, a[i][0]);
                a[i][1] = _mm512_fmadd_ps(w, x1, a[i][1]);
            }
        }
        int last = k1 == K;
        for (int i = 0; i < CH; i++) {
            float *d = dst[ch + i - c0] + x;
            __m512 v0 = a[i][0], v1 = a[i][1];
            if (k0) { /* the chunks before, as the tile adds them */
                v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, d));
                v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, d + 16));
            }
            if (last) {
                if (c->b) {
                    __m512 b = _mm512_set1_ps(c->b[ch + i]);
                    v0 = _mm512_add_ps(v0, b);
                    v1 = _mm512_add_ps(v1, b);
                }
                v0 = gy_act512(v0, act);
                v1 = gy_act512(v1, act);
            }
            if (full) {
                _mm512_storeu_ps(d, v0);
                _mm512_storeu_ps(d + 16, v1);
            } else {
                _mm512_mask_storeu_ps(d, m0, v0);
                _mm512_mask_storeu_ps(d + 16, m1, v1);
            }
        }
    }
}

T512 void gy_f32_pw_rows__avx512(const gy_conv *c, gy_act act, int kc, const float *in,
                                 size_t ld, int iw, int c0, int c1, float *const *dst)
{
    for (int x = 0; x < iw; x += 32) {
        int n = iw - x, ch = c0;
        for (; ch + 4 <= c1; ch += 4)
            block(4, c, act, kc, in, ld, ch, c0, x, n, dst);
        for (; ch < c1; ch++)
            block(1, c, act, kc, in, ld, ch, c0, x, n, dst);
    }
}

#endif

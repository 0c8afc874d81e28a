/* f32_conv2d_pwdw__avx2.c - the pointwise rows of the fused op with AVX2 + FMA: 3 channels x 16
 * pixels in 6 accumulators; the AVX2 GEMM tile's operations in its order (f32_conv2d_pwdw.h). */
#include "kernels/f32-conv/f32_conv2d_pwdw.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T256 __attribute__((target("avx2,fma")))

T256 static inline __m256i lanes(int n) /* lanes [0, n) set */
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Channels [ch, ch + CH) at pixels [x, x + 16) (n of them valid). */
T256 static inline __attribute__((always_inline)) void
block(const int CH, const gy_conv *c, gy_act act, int kc, const float *in, size_t plane, int ch,
      int c0, int x, int n, float *const *dst)
{
    int K = c->cin;
    const int full = n >= 16;
    __m256i m0 = lanes(n), m1 = lanes(n - 8);
    for (int k0 = 0; k0 < K; k0 += kc) {
        int k1 = k0 + kc < K ? k0 + kc : K;
        __m256 a[3][2];
        for (int i = 0; i < CH; i++)
            a[i][0] = a[i][1] = _mm256_setzero_ps();
        const float *p = in + (size_t)k0 * plane + x;
        for (int k = k0; k < k1; k++, p += plane) {
            __m256 x0 = full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m0);
            __m256 x1 = full ? _mm256_loadu_ps(p + 8) : _mm256_maskload_ps(p + 8, m1);
            for (int i = 0; i < CH; i++) {
                __m256 w = _mm256_broadcast_ss(c->w + (size_t)(ch + i) * K + k);
                a[i][0] = _mm256_fmadd_ps(w, x0, a[i][0]);
                a[i][1] = _mm256_fmadd_ps(w, x1, a[i][1]);
            }
        }
        int last = k1 == K;
        for (int i = 0; i < CH; i++) {
            float *d = dst[ch + i - c0] + x;
            __m256 v0 = a[i][0], v1 = a[i][1];
            if (k0) { /* the chunks before, as the tile adds them */
                v0 = _mm256_add_ps(v0, _mm256_maskload_ps(d, m0));
                v1 = _mm256_add_ps(v1, _mm256_maskload_ps(d + 8, m1));
            }
            if (last) {
                if (c->b) {
                    __m256 b = _mm256_set1_ps(c->b[ch + i]);
                    v0 = _mm256_add_ps(v0, b);
                    v1 = _mm256_add_ps(v1, b);
                }
                v0 = gy_act256(v0, act);
                v1 = gy_act256(v1, act);
            }
            if (full) {
                _mm256_storeu_ps(d, v0);
                _mm256_storeu_ps(d + 8, v1);
            } else {
                _mm256_maskstore_ps(d, m0, v0);
                _mm256_maskstore_ps(d + 8, m1, v1);
            }
        }
    }
}

T256 void gy_f32_pw_rows__avx2(const gy_conv *c, gy_act act, int kc, const float *in,
                                 size_t ld, int iw, int c0, int c1, float *const *dst)
{
    for (int x = 0; x < iw; x += 16) {
        int n = iw - x, ch = c0;
        for (; ch + 3 <= c1; ch += 3)
            block(3, c, act, kc, in, ld, ch, c0, x, n, dst);
        for (; ch < c1; ch++)
            block(1, c, act, kc, in, ld, ch, c0, x, n, dst);
    }
}

#endif

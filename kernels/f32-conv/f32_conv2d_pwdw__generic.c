/* f32_conv2d_pwdw__generic.c - the pointwise rows of the fused op, portable (the portable GEMM
 * tile's operations: products added in k order to a sum from zero, the previous chunks' sum added
 * to it, then the bias, 0 without one, and the activation). */
#include "kernels/f32-conv/f32_conv2d_pwdw.h"
#include "kernels/f32-vmath/f32_vmath.h"

void gy_f32_pw_rows__generic(const gy_conv *c, gy_act act, int kc, const float *in, size_t ld,
                             int iw, int c0, int c1, float *const *dst)
{
    int K = c->cin;
    for (int ch = c0; ch < c1; ch++) {
        float *d = dst[ch - c0];
        const float *w = c->w + (size_t)ch * K;
        float bias = c->b ? c->b[ch] : 0.0f;
        for (int x = 0; x < iw; x++) {
            float v = 0.0f;
            for (int k0 = 0; k0 < K; k0 += kc) {
                int k1 = k0 + kc < K ? k0 + kc : K;
                float acc = 0.0f;
                for (int k = k0; k < k1; k++)
                    acc += w[k] * in[(size_t)k * ld + x];
                v = acc + (k0 == 0 ? 0.0f : v);
            }
            v += bias;
            d[x] = gy_act_apply(act, v);
        }
    }
}

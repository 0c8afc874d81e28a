/* f32_pool2d__ref.c - the reference kernels: max pooling (-inf padding) and average pooling (no
 * padding). */
#include <math.h>

#include "kernels/kernels.h"

void gy_f32_maxpool2d(const float *in, float *out, int c, int ih, int iw, int oh, int ow, int k,
                      int stride, int pad, int nthreads)
{
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (int ch = 0; ch < c; ch++) {
        const float *src = in + (size_t)ch * ih * iw;
        float *dst = out + (size_t)ch * oh * ow;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                float m = -INFINITY;
                for (int ky = 0; ky < k; ky++) {
                    int iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= ih)
                        continue;
                    for (int kx = 0; kx < k; kx++) {
                        int ix = ox * stride - pad + kx;
                        if (ix >= 0 && ix < iw) {
                            float v = src[(size_t)iy * iw + ix];
                            if (v > m || isnan(v))
                                m = v;
                        }
                    }
                }
                dst[(size_t)oy * ow + ox] = m;
            }
    }
}

void gy_f32_avgpool2d(const float *in, float *out, int c, int ih, int iw, int oh, int ow, int k,
                      int stride, int nthreads)
{
    (void)ih;
    float inv = 1.0f / (float)(k * k);
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (int ch = 0; ch < c; ch++) {
        const float *src = in + (size_t)ch * ih * iw;
        float *dst = out + (size_t)ch * oh * ow;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                float s = 0.0f;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        s += src[(size_t)(oy * stride + ky) * iw + ox * stride + kx];
                dst[(size_t)oy * ow + ox] = s * inv;
            }
    }
}

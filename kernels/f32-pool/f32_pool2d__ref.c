/* f32_pool2d__ref.c - the reference kernels: max pooling (-inf padding) and average pooling
 * (zero padding counted, as torch's count_include_pad; the sum divided by the window size). */
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

/* The window of output o along one axis: [*a, *b) inside the input, and the divisor torch uses
 * (the window clipped to the input plus its padding, so count_include_pad counts the padding). */
void gy_avgpool_window(int o, int k, int stride, int pad, int in, int *a, int *b, int *span)
{
    int lo = o * stride - pad, hi = lo + k;
    if (hi > in + pad)
        hi = in + pad;
    *span = hi - lo;
    *a = lo < 0 ? 0 : lo;
    *b = hi < in ? hi : in;
}

void gy_f32_avgpool2d_pad(const float *in, float *out, int c, int ih, int iw, int oh, int ow,
                          int k, int stride, int pad, int nthreads)
{
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (int ch = 0; ch < c; ch++) {
        const float *src = in + (size_t)ch * ih * iw;
        float *dst = out + (size_t)ch * oh * ow;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                int y0, y1, x0, x1, sy, sx;
                gy_avgpool_window(oy, k, stride, pad, ih, &y0, &y1, &sy);
                gy_avgpool_window(ox, k, stride, pad, iw, &x0, &x1, &sx);
                float s = 0.0f;
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++)
                        s += src[(size_t)y * iw + x];
                dst[(size_t)oy * ow + ox] = s / (float)(sy * sx);
            }
    }
}

void gy_f32_avgpool2d(const float *in, float *out, int c, int ih, int iw, int oh, int ow, int k,
                      int stride, int nthreads)
{
    gy_f32_avgpool2d_pad(in, out, c, ih, iw, oh, ow, k, stride, 0, nthreads);
}

/* f32_upsample_nearest__ref.c - the reference kernel: nearest-neighbour upsampling as torch
 * computes it: src = floor(dst * (in / out)) in float32. */
#include <math.h>
#include <stddef.h>

#include "kernels/kernels.h"

void gy_f32_upsample_nearest(const float *in, float *out, int c, int ih, int iw, int oh, int ow,
                             int nthreads)
{
    float sy = (float)ih / (float)oh, sx = (float)iw / (float)ow;
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (int ch = 0; ch < c; ch++) {
        const float *src = in + (size_t)ch * ih * iw;
        float *dst = out + (size_t)ch * oh * ow;
        for (int oy = 0; oy < oh; oy++) {
            int iy = (int)floorf((float)oy * sy);
            if (iy > ih - 1)
                iy = ih - 1;
            for (int ox = 0; ox < ow; ox++) {
                int ix = (int)floorf((float)ox * sx);
                if (ix > iw - 1)
                    ix = iw - 1;
                dst[(size_t)oy * ow + ox] = src[(size_t)iy * iw + ix];
            }
        }
    }
}

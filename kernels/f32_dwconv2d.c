/* Depthwise convolution (groups == channels): one k x k filter per plane, direct loops with the
 * border handled separately from the interior. */
#include "kernels/kernels.h"

void gy_f32_dwconv2d(const gy_conv_run *r)
{
    const gy_conv *c = r->p;
    int kh = c->kh, kw = c->kw, sh = c->sh, sw = c->sw, ph = c->ph, pw = c->pw;
    size_t in_plane = (size_t)r->ih * r->iw, out_plane = (size_t)r->oh * r->ow;
#pragma omp parallel for num_threads(r->nthreads) schedule(static)
    for (int ch = 0; ch < c->cout; ch++) {
        const float *src = r->in + (size_t)ch * in_plane;
        const float *wk = c->w + (size_t)ch * kh * kw;
        float bias = c->b ? c->b[ch] : 0.0f;
        float *dst = r->out + (size_t)ch * out_plane;
        const float *res = r->res ? r->res + (size_t)ch * out_plane : NULL;
        for (int oy = 0; oy < r->oh; oy++) {
            int iy0 = oy * sh - ph;
            for (int ox = 0; ox < r->ow; ox++) {
                int ix0 = ox * sw - pw;
                float acc = 0.0f;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = iy0 + ky;
                    if (iy < 0 || iy >= r->ih)
                        continue;
                    const float *row = src + (size_t)iy * r->iw;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ix0 + kx;
                        if (ix >= 0 && ix < r->iw)
                            acc += wk[ky * kw + kx] * row[ix];
                    }
                }
                size_t idx = (size_t)oy * r->ow + ox;
                float v = acc + bias;
                if (res && r->res_before_act)
                    v += res[idx];
                v = gy_act_apply(r->act, v);
                if (res && !r->res_before_act)
                    v += res[idx];
                dst[idx] = v;
            }
        }
    }
}

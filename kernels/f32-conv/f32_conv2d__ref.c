/* Reference convolution: the plain definition, used by tests to check the fast kernels. */
#include <math.h>

#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"

void gy_f32_conv2d__ref(const gy_conv_run *r)
{
    const gy_conv *c = r->p;
    int cin_g = c->cin / c->groups, cout_g = c->cout / c->groups;
    for (int o = 0; o < c->cout; o++) {
        int grp = o / cout_g;
        for (int y = 0; y < r->oh; y++)
            for (int x = 0; x < r->ow; x++) {
                double acc = c->b ? c->b[o] : 0.0;
                for (int i = 0; i < cin_g; i++) {
                    const float *plane = r->in + (size_t)(grp * cin_g + i) * r->ih * r->iw;
                    const float *wk = c->w + ((size_t)o * cin_g + i) * c->kh * c->kw;
                    for (int ky = 0; ky < c->kh; ky++) {
                        int iy = y * c->sh - c->ph + ky;
                        if (iy < 0 || iy >= r->ih)
                            continue;
                        for (int kx = 0; kx < c->kw; kx++) {
                            int ix = x * c->sw - c->pw + kx;
                            if (ix < 0 || ix >= r->iw)
                                continue;
                            acc += (double)wk[ky * c->kw + kx] * plane[(size_t)iy * r->iw + ix];
                        }
                    }
                }
                size_t idx = ((size_t)o * r->oh + y) * r->ow + x;
                float v = (float)acc;
                if (r->res && r->res_before_act)
                    v += r->res[idx];
                v = gy_act_apply(r->act, v);
                if (r->res && !r->res_before_act)
                    v += r->res[idx];
                r->out[idx] = v;
            }
    }
}

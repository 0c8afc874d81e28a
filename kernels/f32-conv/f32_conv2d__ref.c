/* Reference convolution: the plain definition, used by tests to check the fast kernels.
 * Each output is a double sum of bias + w * x over (input channel, ky, kx) in that order; a run of
 * REF_RUN outputs of a row is summed side by side (the same terms in the same order for each, so
 * the same bits as one output at a time, without waiting on one long chain of additions). */
#include <math.h>

#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"

#define REF_RUN 64

void gy_f32_conv2d__ref(const gy_conv_run *r)
{
    const gy_conv *c = r->p;
    int cin_g = c->cin / c->groups, cout_g = c->cout / c->groups;
    for (int o = 0; o < c->cout; o++) {
        int grp = o / cout_g;
        for (int y = 0; y < r->oh; y++)
            for (int x0 = 0; x0 < r->ow; x0 += REF_RUN) {
                int n = r->ow - x0 < REF_RUN ? r->ow - x0 : REF_RUN;
                double acc[REF_RUN];
                for (int j = 0; j < n; j++)
                    acc[j] = c->b ? c->b[o] : 0.0;
                for (int i = 0; i < cin_g; i++) {
                    const float *plane = r->in + (size_t)(grp * cin_g + i) * r->ih * r->iw;
                    const float *wk = c->w + ((size_t)o * cin_g + i) * c->kh * c->kw;
                    for (int ky = 0; ky < c->kh; ky++) {
                        int iy = y * c->sh - c->ph + ky;
                        if (iy < 0 || iy >= r->ih)
                            continue;
                        const float *row = plane + (size_t)iy * r->iw;
                        for (int kx = 0; kx < c->kw; kx++) {
                            double wv = wk[ky * c->kw + kx];
                            for (int j = 0; j < n; j++) {
                                int ix = (x0 + j) * c->sw - c->pw + kx;
                                if (ix >= 0 && ix < r->iw)
                                    acc[j] += wv * row[ix];
                            }
                        }
                    }
                }
                for (int j = 0; j < n; j++) {
                    size_t idx = ((size_t)o * r->oh + y) * r->ow + x0 + j;
                    float v = (float)acc[j];
                    if (r->res && r->res_before_act)
                        v += r->res[idx];
                    v = gy_act_apply(r->act, v);
                    if (r->res && !r->res_before_act)
                        v += r->res[idx];
                    r->out[idx] = v;
                }
            }
    }
}

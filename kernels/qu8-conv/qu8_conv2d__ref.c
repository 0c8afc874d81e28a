/* qu8_conv2d__ref.c - the int8 convolution by its definition: for every output, the int32 sum
 * over the window of x * w with padding read as the input's zero point (bounds checked, the
 * border is never read), summed tap by tap over the group's input channels (an integer sum: any
 * order gives the same value), then the epilogue of qu8_epilogue.h. The tests hold every fast
 * kernel to this one, byte for byte. */
#include <string.h>

#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

void gy_qu8_conv2d__ref(const gy_qu8_conv_run *r)
{
    const gy_qu8_conv *p = r->p;
    const int cin_g = p->cin / p->groups, cout_g = p->cout / p->groups;
    gy_qu8_tile t;
    memset(&t, 0, sizeof t);
    t.mul = r->mul;
    t.add = r->add;
    t.act = r->act;
    if (r->res) {
        t.res_scale = r->res->scale;
        t.res_zp = r->res->zp;
        t.res_before_act = r->res_before_act;
    }
    if (r->out.data) {
        t.out_inv_scale = 1.0f / r->out.scale;
        t.out_zp = (float)r->out.zp;
    }
    t.outf_plane = (size_t)r->oh * (size_t)r->ow;
    for (int oc = 0; oc < p->cout; oc++) {
        const int g = oc / cout_g;
        for (int oy = 0; oy < r->oh; oy++)
            for (int ox = 0; ox < r->ow; ox++) {
                int32_t acc = 0;
                for (int ky = 0; ky < p->kh; ky++)
                    for (int kx = 0; kx < p->kw; kx++) {
                        /* the tap's input channels of the group, or none (padding) */
                        int iy = oy * p->sh - p->ph + ky, ix = ox * p->sw - p->pw + kx;
                        const uint8_t *xin = NULL;
                        if (iy >= 0 && iy < r->in.h && ix >= 0 && ix < r->in.w)
                            xin = r->in.data + (size_t)iy * r->in.rstride +
                                  (size_t)ix * r->in.pstride + (size_t)g * cin_g;
                        const int8_t *wk = r->w + ((size_t)oc * cin_g * p->kh + ky) * p->kw + kx;
                        const size_t wstep = (size_t)p->kh * p->kw;
                        for (int ci = 0; ci < cin_g; ci++)
                            acc += (xin ? xin[ci] : r->in.zp) * wk[ci * wstep];
                    }
                if (r->res)
                    t.res = r->res->data + (size_t)oy * r->res->rstride + (size_t)ox * r->res->pstride;
                if (r->out.data)
                    t.out = r->out.data + (size_t)oy * r->out.rstride + (size_t)ox * r->out.pstride;
                else
                    t.outf = r->outf + (size_t)oy * (size_t)r->ow + (size_t)ox;
                gy_qu8_store1(&t, gy_qu8_epilogue1(&t, acc, oc, 0), oc, 0);
            }
    }
}

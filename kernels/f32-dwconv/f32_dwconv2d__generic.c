/* f32_dwconv2d__generic.c - one channel of the depthwise convolution with plain loops (the
 * portable variant; the ring is described in f32_dwconv2d.h). */
#include "kernels/f32-dwconv/f32_dwconv2d.h"
#include "kernels/f32-vmath/f32_vmath.h"

void gy_f32_dwconv2d_channel__generic(const gy_conv_run *r, int ch, gy_dw_ring *g)
{
    const gy_conv *c = r->p;
    const float *wk = c->w + (size_t)ch * c->kh * c->kw;
    float bias = c->b ? c->b[ch] : 0.0f;
    size_t out_plane = (size_t)r->oh * r->ow;
    const float *plane = r->in + (size_t)ch * r->ih * r->iw;
    float *dst = r->out + (size_t)ch * out_plane;
    const float *res = r->res ? r->res + (size_t)ch * out_plane : NULL;
    const float *rows[GY_DW_MAX_TAPS];
    int off[GY_DW_MAX_TAPS];
    for (int kx = 0; kx < c->kw; kx++)
        off[kx] = gy_dw_tap_offset(c, g, kx);
    for (int oy = 0; oy < r->oh; oy++) {
        gy_dw_ring_rows(g, r, plane, oy, gy_dw_row_split, rows);
        float *d = dst + (size_t)oy * r->ow;
        const float *rs = res ? res + (size_t)oy * r->ow : NULL;
        for (int x = 0; x < r->ow; x++)
            d[x] = bias;
        for (int ky = 0; ky < c->kh; ky++)
            for (int kx = 0; kx < c->kw; kx++) {
                const float *s = rows[ky] + off[kx];
                float w = wk[ky * c->kw + kx];
                for (int x = 0; x < r->ow; x++)
                    d[x] += w * s[x];
            }
        for (int x = 0; x < r->ow; x++) {
            float v = d[x];
            if (rs && r->res_before_act)
                v += rs[x];
            v = gy_act_apply(r->act, v);
            if (rs && !r->res_before_act)
                v += rs[x];
            d[x] = v;
        }
    }
}

/* f32_dwconv2d__generic.c - one channel of the depthwise convolution with plain loops (the
 * portable variant; the ring is described in f32_dwconv2d.h). */
#include "kernels/f32-dwconv/f32_dwconv2d.h"
#include "kernels/f32-vmath/f32_vmath.h"

/* Output row oy of channel ch from its kh padded rows. */
void gy_f32_dwconv2d_row__generic(const gy_conv_run *r, const gy_dw_ring *g, int ch,
                                  const float *const *rows, int oy)
{
    const gy_conv *c = r->p;
    const float *wk = c->w + (size_t)ch * c->kh * c->kw;
    float bias = c->b ? c->b[ch] : 0.0f;
    size_t out_plane = (size_t)r->oh * r->ow, at = (size_t)ch * out_plane + (size_t)oy * r->ow;
    float *d = r->out + at;
    const float *rs = r->res ? r->res + at : NULL;
    for (int x = 0; x < r->ow; x++)
        d[x] = bias;
    for (int ky = 0; ky < c->kh; ky++)
        for (int kx = 0; kx < c->kw; kx++) {
            const float *s = rows[ky] + gy_dw_tap_offset(c, g, kx);
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

void gy_f32_dwconv2d_channel__generic(const gy_conv_run *r, int ch, gy_dw_ring *g)
{
    const float *plane = r->in + (size_t)ch * r->ih * r->iw;
    const float *rows[GY_DW_MAX_TAPS];
    for (int oy = 0; oy < r->oh; oy++) {
        gy_dw_ring_rows(g, r, plane, oy, gy_dw_row_split, rows);
        gy_f32_dwconv2d_row__generic(r, g, ch, rows, oy);
    }
}

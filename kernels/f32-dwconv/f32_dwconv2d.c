/* f32_dwconv2d.c - depthwise convolution (groups == channels): one kh x kw filter per plane; the
 * dispatcher. A task owns a run of channels, sets the row ring of f32_dwconv2d.h up in its
 * thread's scratch and runs each channel with the variant of the conv's instruction set
 * (f32_dwconv2d__avx512.c, __avx2.c, __generic.c; the epilogue, bias, residual and activation,
 * is applied as each output vector is stored). */
#include "kernels/f32-dwconv/f32_dwconv2d.h"

size_t gy_f32_dwconv2d_scratch_floats(const gy_conv *c, int oh, int ow)
{
    size_t ring = gy_dw_ring_floats(c, ow);
    if (gy_dw_use_whole(c, oh, ow) && gy_dw_plane_floats(c, oh, ow) > ring)
        return gy_dw_plane_floats(c, oh, ow);
    return ring;
}

/* Channels per task: at least ~100 kFLOP each, and up to 64 tasks. */
static int chans_per_task(const gy_conv_run *r)
{
    const gy_conv *c = r->p;
    double per_ch = 2.0 * c->kh * c->kw * (double)r->oh * r->ow;
    int n = (int)(1e5 / (per_ch > 1.0 ? per_ch : 1.0)) + 1;
    int min_n = (c->cout + 63) / 64;
    return n > min_n ? n : min_n;
}

size_t gy_f32_dwconv2d_tasks(const gy_conv_run *r)
{
    int per = chans_per_task(r);
    return (size_t)((r->p->cout + per - 1) / per);
}

void gy_f32_dwconv2d_task(const gy_conv_run *r, size_t task, float *scratch)
{
    const gy_conv *c = r->p;
    int per = chans_per_task(r);
    int ch0 = (int)task * per, ch1 = ch0 + per < c->cout ? ch0 + per : c->cout;
    void (*channel)(const gy_conv_run *, int, gy_dw_ring *) = gy_f32_dwconv2d_channel__generic;
#if defined(__x86_64__) || defined(__i386__)
    if (c->isa == GY_ISA_AVX512)
        channel = gy_f32_dwconv2d_channel__avx512;
    else if (c->isa == GY_ISA_AVX2)
        channel = gy_f32_dwconv2d_channel__avx2;
#endif
    gy_dw_ring g;
    if (gy_dw_use_whole(c, r->oh, r->ow))
        gy_dw_whole_init(&g, c, r->oh, r->ow, scratch);
    else
        gy_dw_ring_init(&g, c, r->ow, scratch);
    for (int ch = ch0; ch < ch1; ch++) {
        gy_dw_ring_reset(&g, r);
        channel(r, ch, &g);
    }
}

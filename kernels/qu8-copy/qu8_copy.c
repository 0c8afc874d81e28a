/* qu8_copy.c - uint8 data movement: nearest upsampling (torch's rule, src = floor(dst * (in /
 * out)) in float32) and plain copies into a concat slice (the same rule with equal sizes),
 * requantized through a 256-entry table when the destination's scale or zero point differ; the
 * requantizing table and one value's quantization; the border fill. */
#include <math.h>
#include <string.h>

#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

uint8_t gy_qu8_quantize1(float v, float inv_scale, float zp)
{
    return gy_qu8_quant1(v, inv_scale, zp);
}

void gy_qu8_requant_lut(float s_in, int z_in, float s_out, int z_out, uint8_t lut[256])
{
    const float inv = 1.0f / s_out;
    for (int q = 0; q < 256; q++)
        lut[q] = gy_qu8_quant1((float)(q - z_in) * s_in, inv, (float)z_out);
}

size_t gy_qu8_copy_tasks(const gy_qu8_copy_run *r)
{
    return (size_t)r->out.h;
}

static int src_index(int dst, int in, int out)
{
    int i = (int)floorf((float)dst * ((float)in / (float)out));
    return i > in - 1 ? in - 1 : i;
}

void gy_qu8_lut__generic(const uint8_t *src, uint8_t *dst, size_t n, const uint8_t *lut)
{
    for (size_t j = 0; j < n; j++)
        dst[j] = lut[src[j]];
}

gy_qu8_lut_fn gy_qu8_lut_select(gy_qisa qisa, int has_vbmi)
{
#if defined(__x86_64__) || defined(__i386__)
    if (qisa == GY_QISA_AVX512VNNI && has_vbmi)
        return gy_qu8_lut__avx512vbmi;
#else
    (void)qisa;
    (void)has_vbmi;
#endif
    return gy_qu8_lut__generic;
}

void gy_qu8_copy_task(const gy_qu8_copy_run *r, size_t task)
{
    const gy_qu8_lut_fn lut = gy_qu8_lut_select(r->qisa, gy_cpu_has_avx512_vbmi());
    const int oy = (int)task, c = r->out.c;
    const int iy = src_index(oy, r->in.h, r->out.h);
    const uint8_t *srow = r->in.data + (size_t)iy * r->in.rstride;
    uint8_t *drow = r->out.data + (size_t)oy * r->out.rstride;
    for (int ox = 0; ox < r->out.w; ox++) {
        const uint8_t *src = srow + (size_t)src_index(ox, r->in.w, r->out.w) * r->in.pstride;
        uint8_t *dst = drow + (size_t)ox * r->out.pstride;
        if (r->lut)
            lut(src, dst, (size_t)c, r->lut);
        else
            memcpy(dst, src, (size_t)c);
    }
}

void gy_qu8_copy__ref(const gy_qu8_copy_run *r)
{
    for (int oy = 0; oy < r->out.h; oy++)
        for (int ox = 0; ox < r->out.w; ox++)
            for (int j = 0; j < r->out.c; j++) {
                int iy = (int)floorf((float)oy * ((float)r->in.h / (float)r->out.h));
                int ix = (int)floorf((float)ox * ((float)r->in.w / (float)r->out.w));
                iy = iy > r->in.h - 1 ? r->in.h - 1 : iy;
                ix = ix > r->in.w - 1 ? r->in.w - 1 : ix;
                uint8_t v = r->in.data[(size_t)iy * r->in.rstride + (size_t)ix * r->in.pstride + (size_t)j];
                r->out.data[(size_t)oy * r->out.rstride + (size_t)ox * r->out.pstride + (size_t)j] =
                    r->lut ? r->lut[v] : v;
            }
}

size_t gy_qu8_add_tasks(const gy_qu8_add_run *r)
{
    return (size_t)r->out.h;
}

void gy_qu8_add_task(const gy_qu8_add_run *r, size_t task)
{
    const int y = (int)task;
    const float inv = 1.0f / r->out.scale, zo = (float)r->out.zp;
    for (int x = 0; x < r->out.w; x++) {
        const uint8_t *a = r->a.data + (size_t)y * r->a.rstride + (size_t)x * r->a.pstride;
        const uint8_t *b = r->b.data + (size_t)y * r->b.rstride + (size_t)x * r->b.pstride;
        uint8_t *o = r->out.data + (size_t)y * r->out.rstride + (size_t)x * r->out.pstride;
        for (int j = 0; j < r->out.c; j++) {
            float v = fmaf((float)(b[j] - r->b.zp), r->b.scale, (float)(a[j] - r->a.zp) * r->a.scale);
            o[j] = gy_qu8_quant1(v, inv, zo);
        }
    }
}

/* Border rows (top and bottom) are one task each; the left and right borders of every row are
 * the last task. */
size_t gy_qu8_border_tasks(const gy_qu8_map *m)
{
    return m->border > 0 ? (size_t)(2 * m->border + 1) : 0;
}

void gy_qu8_border_task(const gy_qu8_map *m, size_t task)
{
    const int b = m->border;
    const size_t row = (size_t)(m->w + 2 * b) * m->pstride;
    uint8_t *origin = m->data - (ptrdiff_t)b * (ptrdiff_t)m->rstride - (ptrdiff_t)b * (ptrdiff_t)m->pstride;
    if (task < (size_t)(2 * b)) {
        int y = task < (size_t)b ? (int)task : m->h + b + (int)task - b;
        memset(origin + (size_t)y * m->rstride, m->zp, row);
        return;
    }
    for (int y = b; y < m->h + b; y++) {
        uint8_t *r = origin + (size_t)y * m->rstride;
        memset(r, m->zp, (size_t)b * m->pstride);
        memset(r + (size_t)(m->w + b) * m->pstride, m->zp, (size_t)b * m->pstride);
    }
}

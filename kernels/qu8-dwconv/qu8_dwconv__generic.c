/* qu8_dwconv__generic.c - portable depthwise int8 convolution: one output row segment, a range
 * of channels; weights packed [taps][cout rounded up to 16] as int32 holding the int16 weight in
 * the low half (the layout the vector kernels feed to vpmaddwd). */
#include "kernels/kernels_qu8.h"
#include "kernels/qu8-dwconv/qu8_dwconv.h"

void gy_qu8_dwconv_row__generic(const gy_qu8_dw_row *d)
{
    const gy_qu8_conv_run *r = d->r;
    const gy_qu8_conv *p = r->p;
    const int32_t *w = (const int32_t *)(const void *)p->pack;
    const int cpad = (p->cout + 15) / 16 * 16;
    gy_qu8_tile t;
    gy_qu8_dw_row_tile(d, &t);
    for (int n = 0; n < d->n; n++) {
        const int ox = d->ox0 + n;
        const uint8_t *base = r->in.data + (ptrdiff_t)(d->oy * p->sh - p->ph) * (ptrdiff_t)r->in.rstride +
                              (ptrdiff_t)(ox * p->sw - p->pw) * (ptrdiff_t)r->in.pstride;
        for (int c = d->c0; c < d->c1; c++) {
            int32_t acc = 0;
            for (int ky = 0; ky < p->kh; ky++)
                for (int kx = 0; kx < p->kw; kx++) {
                    const uint8_t *x = base + (ptrdiff_t)ky * (ptrdiff_t)r->in.rstride +
                                       (ptrdiff_t)kx * (ptrdiff_t)r->in.pstride;
                    acc += x[c] * (int16_t)(uint16_t)(w[(ky * p->kw + kx) * cpad + c] & 0xffff);
                }
            gy_qu8_store1(&t, gy_qu8_epilogue1(&t, acc, c, n), c, n);
        }
    }
}


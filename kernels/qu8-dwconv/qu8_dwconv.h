/* qu8_dwconv.h - what the depthwise variants share: the epilogue's view of a row segment. */
#ifndef GY_KERNELS_QU8_DWCONV_H
#define GY_KERNELS_QU8_DWCONV_H

#include <string.h>

#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

/* The epilogue's view of a depthwise row: channel j, pixel m of the segment. */
static inline void gy_qu8_dw_row_tile(const gy_qu8_dw_row *d, gy_qu8_tile *t)
{
    const gy_qu8_conv_run *r = d->r;
    memset(t, 0, sizeof *t);
    t->mul = r->mul;
    t->add = r->add;
    t->act = r->act;
    if (r->res) {
        t->res = r->res->data + (ptrdiff_t)d->oy * (ptrdiff_t)r->res->rstride +
                 (ptrdiff_t)d->ox0 * (ptrdiff_t)r->res->pstride;
        t->res_pstride = (ptrdiff_t)r->res->pstride;
        t->res_scale = r->res->scale;
        t->res_zp = r->res->zp;
        t->res_before_act = r->res_before_act;
    }
    if (r->out.data) {
        t->out = r->out.data + (ptrdiff_t)d->oy * (ptrdiff_t)r->out.rstride +
                 (ptrdiff_t)d->ox0 * (ptrdiff_t)r->out.pstride;
        t->out_pstride = (ptrdiff_t)r->out.pstride;
        t->out_inv_scale = 1.0f / r->out.scale;
        t->out_zp = (float)r->out.zp;
    } else {
        t->outf = r->outf + (size_t)d->oy * (size_t)r->ow + (size_t)d->ox0;
        t->outf_plane = (size_t)r->oh * (size_t)r->ow;
    }
}

#endif

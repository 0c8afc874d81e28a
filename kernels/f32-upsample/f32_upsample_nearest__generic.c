/* f32_upsample_nearest__generic.c - nearest upsampling in task form (blocks of channels), with the
 * reference's index rule src = floor(dst * (in / out)) in float32, portable C, and the row loop
 * the AVX2 variant shares. Repeated source rows are copied from the output row before. The
 * dispatcher is f32_upsample_nearest.c. */
#include <math.h>
#include <string.h>

#include "kernels/kernels.h"

#define UP_PIXELS 16384 /* output pixels per task, at least one channel */

static int chans_per_task(const gy_upsample_run *r)
{
    int plane = r->oh * r->ow;
    int per = plane >= UP_PIXELS ? 1 : (UP_PIXELS + plane - 1) / plane;
    return per > r->c ? (r->c > 0 ? r->c : 1) : per;
}

size_t gy_f32_upsample_nearest_tasks(const gy_upsample_run *r)
{
    int per = chans_per_task(r);
    size_t n = (size_t)(r->c + per - 1) / (size_t)per;
    return n ? n : 1;
}

static void widen_generic(const float *src, float *dst, const gy_upsample_run *r)
{
    float sx = (float)r->iw / (float)r->ow;
    for (int ox = 0; ox < r->ow; ox++) {
        int ix = (int)floorf((float)ox * sx);
        if (ix > r->iw - 1)
            ix = r->iw - 1;
        dst[ox] = src[ix];
    }
}

void gy_f32_upsample_nearest_rows(const gy_upsample_run *r, size_t task,
                                  gy_upsample_widen_fn widen)
{
    int per = chans_per_task(r), c0 = (int)task * per;
    int c1 = c0 + per < r->c ? c0 + per : r->c;
    float sy = (float)r->ih / (float)r->oh;
    for (int ch = c0; ch < c1; ch++) {
        const float *src = r->in + (size_t)ch * r->ih * r->iw;
        float *dst = r->out + (size_t)ch * r->oh * r->ow;
        int prev = -1;
        for (int oy = 0; oy < r->oh; oy++) {
            int iy = (int)floorf((float)oy * sy);
            if (iy > r->ih - 1)
                iy = r->ih - 1;
            float *d = dst + (size_t)oy * r->ow;
            if (iy == prev)
                memcpy(d, d - r->ow, sizeof *d * (size_t)r->ow);
            else
                widen(src + (size_t)iy * r->iw, d, r);
            prev = iy;
        }
    }
}

void gy_f32_upsample_nearest_task__generic(const gy_upsample_run *r, size_t task, float *scratch)
{
    (void)scratch;
    gy_f32_upsample_nearest_rows(r, task, widen_generic);
}


/* f32_vchannel__generic.c - the per-channel operations in task form (blocks of channels),
 * portable C the compiler vectorises, and the task split the vector variants share. The
 * dispatcher is f32_vchannel.c. */
#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"

#define CH_ELEMS 32768 /* output floats per task, at least one channel */

static int chans_per_task(const gy_chan_run *r)
{
    size_t per = r->plane >= CH_ELEMS ? 1 : (CH_ELEMS + r->plane - 1) / (r->plane ? r->plane : 1);
    return per > (size_t)r->c ? (r->c > 0 ? r->c : 1) : (int)per;
}

size_t gy_f32_channel_op_tasks(const gy_chan_run *r)
{
    int per = chans_per_task(r);
    size_t n = (size_t)(r->c + per - 1) / (size_t)per;
    return n ? n : 1;
}

void gy_chan_task_channels(const gy_chan_run *r, size_t task, int *c0, int *c1)
{
    int per = chans_per_task(r);
    *c0 = (int)task * per;
    *c1 = *c0 + per < r->c ? *c0 + per : r->c;
}

void gy_f32_channel_op_task__generic(const gy_chan_run *r, size_t task, float *scratch)
{
    (void)scratch;
    int c0, c1;
    gy_chan_task_channels(r, task, &c0, &c1);
    for (int ch = c0; ch < c1; ch++) {
        const float *x = r->x + (size_t)ch * r->plane;
        float *y = r->y + (size_t)ch * r->plane;
        if (r->mul) {
            float s = gy_act_apply(r->act, r->p[ch]);
            for (size_t i = 0; i < r->plane; i++)
                y[i] = x[i] * s;
        } else {
            float b = r->p[ch];
            for (size_t i = 0; i < r->plane; i++)
                y[i] = gy_act_apply(r->act, x[i] + b);
        }
    }
}

/* f32_gavgpool__generic.c - global average pooling in task form (blocks of channels), portable C
 * (16 independent sums the compiler vectorises), and the task split every variant shares. The
 * dispatcher is f32_gavgpool.c. */
#include <string.h>

#include "kernels/f32-gavgpool/gavgpool.h"

#define GAP_ELEMS 65536 /* input floats per task, at least one channel */

static int chans_per_task(const gy_gap_run *r)
{
    size_t per = r->plane >= GAP_ELEMS ? 1 : (GAP_ELEMS + r->plane - 1) / (r->plane ? r->plane : 1);
    return per > (size_t)r->c ? (r->c > 0 ? r->c : 1) : (int)per;
}

size_t gy_f32_gavgpool_tasks(const gy_gap_run *r)
{
    int per = chans_per_task(r);
    size_t n = (size_t)(r->c + per - 1) / (size_t)per;
    return n ? n : 1;
}

void gy_gap_task_channels(const gy_gap_run *r, size_t task, int *c0, int *c1)
{
    int per = chans_per_task(r);
    *c0 = (int)task * per;
    *c1 = *c0 + per < r->c ? *c0 + per : r->c;
}

void gy_f32_gavgpool_task__generic(const gy_gap_run *r, size_t task, float *scratch)
{
    (void)scratch;
    int c0, c1;
    gy_gap_task_channels(r, task, &c0, &c1);
    size_t full = r->plane / GY_GAP_LANES * GY_GAP_LANES;
    for (int ch = c0; ch < c1; ch++) {
        const float *x = r->in + (size_t)ch * r->plane;
        float acc[GY_GAP_LANES];
        memset(acc, 0, sizeof acc);
        for (size_t i = 0; i < full; i += GY_GAP_LANES)
            for (int j = 0; j < GY_GAP_LANES; j++)
                acc[j] += x[i + j];
        r->out[ch] = gy_gap_finish(acc, x + full, r->plane - full, r->plane);
    }
}

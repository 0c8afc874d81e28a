/* x32_shuffle.c - the channel shuffle in task form: each task copies a block of output planes,
 * each from the input plane gy_shuffle_source names (a plane copy: memcpy is the vector code on
 * every instruction set, so there is one variant). */
#include <string.h>

#include "kernels/kernels.h"

#define SHUF_ELEMS 65536 /* output floats per task, at least one channel */

static int chans_per_task(const gy_shuffle_run *r)
{
    size_t per = r->plane >= SHUF_ELEMS ? 1 : (SHUF_ELEMS + r->plane - 1) / (r->plane ? r->plane : 1);
    return per > (size_t)r->c ? (r->c > 0 ? r->c : 1) : (int)per;
}

size_t gy_x32_shuffle_tasks(const gy_shuffle_run *r)
{
    int per = chans_per_task(r);
    size_t n = (size_t)(r->c + per - 1) / (size_t)per;
    return n ? n : 1;
}

const float *gy_shuffle_source(const gy_shuffle_run *r, int co)
{
    int per_group = r->c / r->groups, per_in = r->c / r->nin;
    int i = co % r->groups, j = co / r->groups, src = i * per_group + j;
    return r->in[src / per_in] + (size_t)(src % per_in) * r->plane;
}

void gy_x32_shuffle_task(const gy_shuffle_run *r, size_t task, float *scratch)
{
    (void)scratch;
    int per = chans_per_task(r), c0 = (int)task * per;
    int c1 = c0 + per < r->c ? c0 + per : r->c;
    for (int co = c0; co < c1; co++)
        memcpy(r->out + (size_t)co * r->plane, gy_shuffle_source(r, co), sizeof(float) * r->plane);
}

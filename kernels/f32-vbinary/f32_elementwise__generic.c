/* f32_elementwise__generic.c - y = a * act(b), a + act(b) or a copy of a, in task form (blocks of
 * elements), portable C (the dispatcher is f32_elementwise.c). The activation is the scalar
 * gy_act_apply, so results equal the reference's. */
#include <string.h>

#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"

#define EW_BLOCK 16384 /* elements per task */

size_t gy_f32_binary_act_tasks(const gy_binary_run *r)
{
    size_t n = (r->n + EW_BLOCK - 1) / EW_BLOCK;
    return n ? n : 1;
}

void gy_f32_binary_act_task__generic(const gy_binary_run *r, size_t task, float *scratch)
{
    (void)scratch;
    size_t i0 = task * EW_BLOCK, i1 = i0 + EW_BLOCK < r->n ? i0 + EW_BLOCK : r->n;
    if (i0 >= i1)
        return;
    const float *a = r->a, *b = r->b;
    float *y = r->y;
    if (!b) {
        memcpy(y + i0, a + i0, sizeof *y * (i1 - i0));
    } else if (r->mul) {
        for (size_t i = i0; i < i1; i++)
            y[i] = a[i] * gy_act_apply(r->act, b[i]);
    } else {
        for (size_t i = i0; i < i1; i++)
            y[i] = a[i] + gy_act_apply(r->act, b[i]);
    }
}


/* f32_elementwise.c - the elementwise dispatcher: the AVX2 variant (f32_elementwise__avx2.c) for
 * a plain add or multiply of two tensors, the portable task (f32_elementwise__generic.c) for a
 * copy or an activation on b. */
#include "kernels/kernels.h"

void gy_f32_binary_act_task(const gy_binary_run *r, size_t task, float *scratch)
{
#if defined(__x86_64__) || defined(__i386__)
    if (r->isa >= GY_ISA_AVX2 && r->b && r->act == GY_ACT_NONE) {
        gy_f32_binary_act_task__avx2(r, task, scratch);
        return;
    }
#endif
    gy_f32_binary_act_task__generic(r, task, scratch);
}

/* f32_gavgpool.c - the global-average-pool dispatcher: the variant of the run's instruction set
 * (all three sum in the same order). */
#include "kernels/kernels.h"

void gy_f32_gavgpool_task(const gy_gap_run *r, size_t task, float *scratch)
{
#if defined(__x86_64__) || defined(__i386__)
    if (r->isa >= GY_ISA_AVX512) {
        gy_f32_gavgpool_task__avx512(r, task, scratch);
        return;
    }
    if (r->isa >= GY_ISA_AVX2) {
        gy_f32_gavgpool_task__avx2(r, task, scratch);
        return;
    }
#endif
    gy_f32_gavgpool_task__generic(r, task, scratch);
}

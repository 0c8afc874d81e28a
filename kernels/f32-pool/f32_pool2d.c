/* f32_pool2d.c - the pooling dispatcher: which variant runs a max-pooling task. The vector
 * variants (f32_pool2d__avx2.c, __avx512.c) take stride 1 only (their separable row/column
 * max); every other case runs the portable task (f32_pool2d__generic.c). A variant never calls
 * another. */
#include "kernels/kernels.h"

void gy_f32_maxpool2d_task(const gy_pool_run *r, size_t task, float *scratch)
{
#if defined(__x86_64__) || defined(__i386__)
    if (r->stride == 1 && r->isa >= GY_ISA_AVX512) {
        gy_f32_maxpool2d_task__avx512(r, task, scratch);
        return;
    }
    if (r->stride == 1 && r->isa >= GY_ISA_AVX2) {
        gy_f32_maxpool2d_task__avx2(r, task, scratch);
        return;
    }
#endif
    gy_f32_maxpool2d_task__generic(r, task, scratch);
}

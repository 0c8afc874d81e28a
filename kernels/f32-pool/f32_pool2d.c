/* f32_pool2d.c - the pooling dispatcher: which variant runs a pooling task. Max pooling: stride
 * 1 takes the separable row/column max of f32_pool2d__avx2.c / __avx512.c, stride 2 the row ring
 * of f32_pool2d_s2__avx2.c / __avx512.c (windows up to 8); average pooling: stride 2 the same
 * ring. Every other case runs the portable task (f32_pool2d__generic.c). */
#include "kernels/f32-pool/f32_pool2d_s2.h"
#include "kernels/kernels.h"

void gy_f32_maxpool2d_task(const gy_pool_run *r, size_t task, float *scratch)
{
#if defined(__x86_64__) || defined(__i386__)
    if (gy_pool_s2_eligible(r) && r->isa >= GY_ISA_AVX512) {
        gy_f32_maxpool2d_s2_task__avx512(r, task, scratch);
        return;
    }
    if (gy_pool_s2_eligible(r) && r->isa >= GY_ISA_AVX2) {
        gy_f32_maxpool2d_s2_task__avx2(r, task, scratch);
        return;
    }
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

void gy_f32_avgpool2d_task(const gy_pool_run *r, size_t task, float *scratch)
{
#if defined(__x86_64__) || defined(__i386__)
    if (gy_pool_s2_eligible(r) && r->isa >= GY_ISA_AVX512) {
        gy_f32_avgpool2d_s2_task__avx512(r, task, scratch);
        return;
    }
    if (gy_pool_s2_eligible(r) && r->isa >= GY_ISA_AVX2) {
        gy_f32_avgpool2d_s2_task__avx2(r, task, scratch);
        return;
    }
#endif
    gy_f32_avgpool2d_task__generic(r, task, scratch);
}

/* f32_upsample_nearest.c - the nearest-upsampling dispatcher: the AVX2 variant
 * (f32_upsample_nearest__avx2.c, rows widened by exactly 2 with shuffles) or the portable task
 * (f32_upsample_nearest__generic.c). */
#include "kernels/kernels.h"

void gy_f32_upsample_nearest_task(const gy_upsample_run *r, size_t task, float *scratch)
{
#if defined(__x86_64__) || defined(__i386__)
    if (r->isa >= GY_ISA_AVX2) {
        gy_f32_upsample_nearest_task__avx2(r, task, scratch);
        return;
    }
#endif
    gy_f32_upsample_nearest_task__generic(r, task, scratch);
}

/* f32_detect_decode.c - the Detect decode dispatcher: the AVX2 variant
 * (f32_detect_decode__avx2.c) or the portable task (f32_detect_decode__generic.c). */
#include "kernels/f32-decode/detect_decode.h"

void gy_f32_detect_decode_task(const gy_decode_run *r, size_t task, float *scratch)
{
#if defined(__x86_64__) || defined(__i386__)
    if (r->isa >= GY_ISA_AVX2) {
        gy_f32_detect_decode_task__avx2(r, task, scratch);
        return;
    }
#endif
    gy_f32_detect_decode_task__generic(r, task, scratch);
}

/* f32_vchannel.c - the per-channel operations' dispatcher: the variant of the run's instruction
 * set. */
#include "kernels/kernels.h"

void gy_f32_channel_op_task(const gy_chan_run *r, size_t task, float *scratch)
{
#if defined(__x86_64__) || defined(__i386__)
    if (r->isa >= GY_ISA_AVX512) {
        gy_f32_channel_op_task__avx512(r, task, scratch);
        return;
    }
    if (r->isa >= GY_ISA_AVX2) {
        gy_f32_channel_op_task__avx2(r, task, scratch);
        return;
    }
#endif
    gy_f32_channel_op_task__generic(r, task, scratch);
}

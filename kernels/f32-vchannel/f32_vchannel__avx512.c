/* f32_vchannel__avx512.c - the per-channel operations with AVX-512 (16 floats a step, the row
 * tail masked); the add's activation is the conv epilogue's (f32_vmath.h). */
#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) void
gy_f32_channel_op_task__avx512(const gy_chan_run *r, size_t task, float *scratch)
{
    (void)scratch;
    int c0, c1;
    gy_chan_task_channels(r, task, &c0, &c1);
    size_t n = r->plane;
    for (int ch = c0; ch < c1; ch++) {
        const float *x = r->x + (size_t)ch * n;
        float *y = r->y + (size_t)ch * n;
        __m512 p = _mm512_set1_ps(r->mul ? gy_act_apply(r->act, r->p[ch]) : r->p[ch]);
        for (size_t i = 0; i < n; i += 16) {
            __mmask16 m = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1u);
            __m512 v = _mm512_maskz_loadu_ps(m, x + i);
            v = r->mul ? _mm512_mul_ps(v, p) : gy_act512(_mm512_add_ps(v, p), r->act);
            _mm512_mask_storeu_ps(y + i, m, v);
        }
    }
}

#endif

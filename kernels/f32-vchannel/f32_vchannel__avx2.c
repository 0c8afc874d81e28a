/* f32_vchannel__avx2.c - the per-channel operations with AVX2 (8 floats a step, then a scalar
 * tail with the reference's arithmetic). */
#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)

__attribute__((target("avx2,fma"))) void gy_f32_channel_op_task__avx2(const gy_chan_run *r,
                                                                      size_t task, float *scratch)
{
    (void)scratch;
    int c0, c1;
    gy_chan_task_channels(r, task, &c0, &c1);
    size_t n = r->plane;
    for (int ch = c0; ch < c1; ch++) {
        const float *x = r->x + (size_t)ch * n;
        float *y = r->y + (size_t)ch * n;
        float s = r->mul ? gy_act_apply(r->act, r->p[ch]) : r->p[ch];
        __m256 p = _mm256_set1_ps(s);
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            __m256 v = _mm256_loadu_ps(x + i);
            v = r->mul ? _mm256_mul_ps(v, p) : gy_act256(_mm256_add_ps(v, p), r->act);
            _mm256_storeu_ps(y + i, v);
        }
        for (; i < n; i++)
            y[i] = r->mul ? x[i] * s : gy_act_apply(r->act, x[i] + s);
    }
}

#endif

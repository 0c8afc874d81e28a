/* f32_gavgpool__avx512.c - global average pooling with AVX-512: the 16 running sums in one zmm
 * (the portable variant's order, so the same result; the loop is bound by memory). */
#include "kernels/f32-gavgpool/gavgpool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) void
gy_f32_gavgpool_task__avx512(const gy_gap_run *r, size_t task, float *scratch)
{
    (void)scratch;
    int c0, c1;
    gy_gap_task_channels(r, task, &c0, &c1);
    size_t full = r->plane / GY_GAP_LANES * GY_GAP_LANES;
    for (int ch = c0; ch < c1; ch++) {
        const float *x = r->in + (size_t)ch * r->plane;
        __m512 acc = _mm512_setzero_ps();
        for (size_t i = 0; i < full; i += GY_GAP_LANES)
            acc = _mm512_add_ps(acc, _mm512_loadu_ps(x + i));
        float a[GY_GAP_LANES];
        _mm512_storeu_ps(a, acc);
        r->out[ch] = gy_gap_finish(a, x + full, r->plane - full, r->plane);
    }
}

#endif

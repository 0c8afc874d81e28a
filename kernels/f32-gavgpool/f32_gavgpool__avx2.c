/* f32_gavgpool__avx2.c - global average pooling with AVX2: the 16 running sums in two ymm
 * registers (the portable variant's order, so the same result). */
#include "kernels/f32-gavgpool/gavgpool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) void gy_f32_gavgpool_task__avx2(const gy_gap_run *r,
                                                                     size_t task, float *scratch)
{
    (void)scratch;
    int c0, c1;
    gy_gap_task_channels(r, task, &c0, &c1);
    size_t full = r->plane / GY_GAP_LANES * GY_GAP_LANES;
    for (int ch = c0; ch < c1; ch++) {
        const float *x = r->in + (size_t)ch * r->plane;
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
        for (size_t i = 0; i < full; i += GY_GAP_LANES) {
            lo = _mm256_add_ps(lo, _mm256_loadu_ps(x + i));
            hi = _mm256_add_ps(hi, _mm256_loadu_ps(x + i + 8));
        }
        float a[GY_GAP_LANES];
        _mm256_storeu_ps(a, lo);
        _mm256_storeu_ps(a + 8, hi);
        r->out[ch] = gy_gap_finish(a, x + full, r->plane - full, r->plane);
    }
}

#endif

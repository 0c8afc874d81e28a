/* f32_elementwise__avx2.c - y = a + b or a * b (no activation: the dispatcher sends nothing else)
 * with AVX2, 16 per step. */
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define EW_BLOCK 16384

__attribute__((target("avx2"))) void gy_f32_binary_act_task__avx2(const gy_binary_run *r,
                                                                   size_t task, float *scratch)
{
    (void)scratch;
    size_t i0 = task * EW_BLOCK, i1 = i0 + EW_BLOCK < r->n ? i0 + EW_BLOCK : r->n;
    const float *a = r->a, *b = r->b;
    float *y = r->y;
    size_t i = i0;
    if (r->mul) {
        for (; i + 16 <= i1; i += 16) {
            _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
            _mm256_storeu_ps(y + i + 8,
                             _mm256_mul_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8)));
        }
        for (; i < i1; i++)
            y[i] = a[i] * b[i];
    } else {
        for (; i + 16 <= i1; i += 16) {
            _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
            _mm256_storeu_ps(y + i + 8,
                             _mm256_add_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8)));
        }
        for (; i < i1; i++)
            y[i] = a[i] + b[i];
    }
}

#endif

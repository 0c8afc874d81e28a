/* f32_upsample_nearest__avx2.c - nearest upsampling with AVX2: an exact 2x row widening
 * (floor(ox * 0.5) is ox / 2 exactly) as two shuffles per 8 source values; other ratios use the
 * generic index rule. */
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <math.h>

__attribute__((target("avx2"))) static void widen2(const float *src, float *dst,
                                                   const gy_upsample_run *r)
{
    int x = 0;
    for (; x + 8 <= r->iw; x += 8) {
        __m256 a = _mm256_loadu_ps(src + x);
        __m256 lo = _mm256_unpacklo_ps(a, a), hi = _mm256_unpackhi_ps(a, a);
        _mm256_storeu_ps(dst + 2 * x, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(dst + 2 * x + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
    for (; x < r->iw; x++)
        dst[2 * x] = dst[2 * x + 1] = src[x];
}

static void widen_any(const float *src, float *dst, const gy_upsample_run *r)
{
    float sx = (float)r->iw / (float)r->ow;
    for (int ox = 0; ox < r->ow; ox++) {
        int ix = (int)floorf((float)ox * sx);
        if (ix > r->iw - 1)
            ix = r->iw - 1;
        dst[ox] = src[ix];
    }
}

void gy_f32_upsample_nearest_task__avx2(const gy_upsample_run *r, size_t task, float *scratch)
{
    (void)scratch;
    gy_f32_upsample_nearest_rows(r, task, r->ow == 2 * r->iw ? widen2 : widen_any);
}

#endif

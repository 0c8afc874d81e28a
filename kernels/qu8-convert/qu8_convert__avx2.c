/* qu8_convert__avx2.c - quantizing the network input (3 float planes) into a 4-byte-per-pixel
 * uint8 map with AVX2: 8 pixels per step, as qu8_convert__avx512.c does with 16 (the same
 * operations as the portable task: fma, clamp, round to nearest even). */
#include <string.h>

#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

GY_QU8_T256 void gy_qu8_convert_task__avx2(const gy_qu8_convert_run *r, size_t task)
{
    const int y = (int)task, w = r->q.w, nc = r->q.c;
    const size_t plane = (size_t)r->q.h * (size_t)w;
    uint8_t *row = r->q.data + (size_t)y * r->q.rstride;
    const float *f = r->f + (size_t)y * (size_t)w;
    const __m256 inv = _mm256_set1_ps(1.0f / r->q.scale), zp = _mm256_set1_ps((float)r->q.zp);
    for (int x = 0; x < w; x += 8) {
        const int n = w - x < 8 ? w - x : 8;
        __m256i px = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            __m256i q;
            if (c < nc) {
                float v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                memcpy(v, f + (size_t)c * plane + (size_t)x, sizeof(float) * (size_t)n);
                __m256 t = _mm256_fmadd_ps(_mm256_loadu_ps(v), inv, zp);
                t = _mm256_max_ps(t, _mm256_setzero_ps());
                t = _mm256_min_ps(t, _mm256_set1_ps(255.0f));
                q = _mm256_cvtps_epi32(t);
            } else {
                q = _mm256_set1_epi32(r->q.zp);
            }
            px = _mm256_or_si256(px, _mm256_sll_epi32(q, _mm_cvtsi32_si128(8 * c)));
        }
        uint32_t out[8];
        _mm256_storeu_si256((__m256i *)(void *)out, px);
        memcpy(row + (size_t)x * 4, out, 4 * (size_t)n);
    }
}

#endif

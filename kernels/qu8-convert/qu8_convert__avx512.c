/* qu8_convert__avx512.c - quantizing the network input (3 float planes) into a 4-byte-per-pixel
 * uint8 map with AVX-512: 16 pixels per step, each channel quantized as in the portable task and
 * the (up to) 4 bytes of a pixel assembled in one int32 lane (the unused fourth byte holds the
 * zero point), so one 64-byte store writes the 16 pixels. */
#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

GY_QU8_T512 void gy_qu8_convert_task__avx512(const gy_qu8_convert_run *r, size_t task)
{
    const int y = (int)task, w = r->q.w, nc = r->q.c;
    const size_t plane = (size_t)r->q.h * (size_t)w;
    uint8_t *row = r->q.data + (size_t)y * r->q.rstride;
    const float *f = r->f + (size_t)y * (size_t)w;
    const __m512 inv = _mm512_set1_ps(1.0f / r->q.scale), zp = _mm512_set1_ps((float)r->q.zp);
    for (int x = 0; x < w; x += 16) {
        const int n = w - x < 16 ? w - x : 16;
        const __mmask16 keep = (__mmask16)((1u << n) - 1u);
        __m512i px = _mm512_setzero_si512();
        for (int c = 0; c < 4; c++) {
            __m512i q;
            if (c < nc) {
                __m512 v = _mm512_maskz_loadu_ps(keep, f + (size_t)c * plane + (size_t)x);
                __m512 t = _mm512_fmadd_ps(v, inv, zp);
                t = _mm512_max_ps(t, _mm512_setzero_ps());
                t = _mm512_min_ps(t, _mm512_set1_ps(255.0f));
                q = _mm512_cvtps_epi32(t);
            } else {
                q = _mm512_set1_epi32(r->q.zp);
            }
            px = _mm512_or_si512(px, _mm512_sll_epi32(q, _mm_cvtsi32_si128(8 * c)));
        }
        _mm512_mask_storeu_epi32(row + (size_t)x * 4, keep, px);
    }
}

#endif

/* qu8_dwconv__avx2.c - depthwise int8 convolution with AVX2: 8 channels per vector, widened to
 * int32 and multiplied by the packed int16 weights with vpmaddwd (one product per lane). */
#include "kernels/qu8-dwconv/qu8_dwconv.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

GY_QU8_T256 void gy_qu8_dwconv_row__avx2(const gy_qu8_dw_row *d)
{
    const gy_qu8_conv_run *r = d->r;
    const gy_qu8_conv *p = r->p;
    const int32_t *w = (const int32_t *)(const void *)p->pack;
    const int cpad = (p->cout + 15) / 16 * 16, taps = p->kh * p->kw;
    ptrdiff_t tapoff[256];
    for (int ky = 0; ky < p->kh; ky++)
        for (int kx = 0; kx < p->kw; kx++)
            tapoff[ky * p->kw + kx] = (ptrdiff_t)ky * (ptrdiff_t)r->in.rstride +
                                      (ptrdiff_t)kx * (ptrdiff_t)r->in.pstride;
    gy_qu8_tile t;
    gy_qu8_dw_row_tile(d, &t);
    for (int n = 0; n < d->n; n++) {
        const int ox = d->ox0 + n;
        const uint8_t *base = r->in.data + (ptrdiff_t)(d->oy * p->sh - p->ph) * (ptrdiff_t)r->in.rstride +
                              (ptrdiff_t)(ox * p->sw - p->pw) * (ptrdiff_t)r->in.pstride;
        for (int c = d->c0; c < d->c1; c += 8) {
            const int nc = d->c1 - c < 8 ? d->c1 - c : 8;
            __m256i acc = _mm256_setzero_si256();
            for (int k = 0; k < taps; k++) {
                uint8_t b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                memcpy(b, base + tapoff[k] + c, (size_t)nc);
                __m256i x = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)b));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, _mm256_loadu_si256(
                                                                   (const __m256i *)(const void *)(w + k * cpad + c))));
            }
            gy_qu8_epilogue256(&t, acc, c, n, nc);
        }
    }
}

#endif

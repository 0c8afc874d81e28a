/* qu8_dwconv__avx512.c - depthwise int8 convolution with AVX-512: 16 channels per vector; each
 * tap's 16 input bytes are widened to int32 (zero high halves) and vpmaddwd multiplies them by
 * the packed int16 weights (zero high halves), i.e. one exact product per lane. */
#include "kernels/qu8-dwconv/qu8_dwconv.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

GY_QU8_T512 void gy_qu8_dwconv_row__avx512(const gy_qu8_dw_row *d)
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
        for (int c = d->c0; c < d->c1; c += 16) {
            const __mmask16 keep = d->c1 - c >= 16 ? (__mmask16)0xffff
                                                   : (__mmask16)((1u << (d->c1 - c)) - 1u);
            __m512i acc = _mm512_setzero_si512();
            for (int k = 0; k < taps; k++) {
                __m512i x = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(keep, base + tapoff[k] + c));
                acc = _mm512_add_epi32(acc, _mm512_madd_epi16(x, _mm512_loadu_si512(w + k * cpad + c)));
            }
            gy_qu8_epilogue512(&t, acc, c, n, keep);
        }
    }
}

#endif

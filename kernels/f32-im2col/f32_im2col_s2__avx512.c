/* f32_im2col_s2__avx512.c - stride-2 im2col straight into 32-column panels with AVX-512. A run
 * of output pixels on one output row that stays inside one panel is cut into vectors of 16:
 * output x reads input 2x + off, so a vector is two loads of 16 inputs (the second masked: its
 * last, odd lane is never needed) and one two-source permute of the even lanes. Lanes whose
 * input falls in the padding are masked out of the loads (the loads start at the first valid
 * input) and zeroed by the permute, whose index is shifted by as many lanes. */
#include "kernels/f32-gemm/f32_conv2d_tile.h"
#include "kernels/f32-im2col/f32_im2col_s2.h"
#include "kernels/f32-im2col/f32_im2col_s2_loop.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define NR GY_TILE512_NR

T512 static inline __mmask16 lanes16(int n) /* lanes [0, n) set, n in [0, 16] */
{
    return n >= 16 ? (__mmask16)0xffff : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}

/* d[0, n) = src[2x + off] for x in [x0, x0 + n), zero where x is outside [xlo, xhi); n <= 16. */
T512 static inline void gather16(float *d, const float *src, int x0, int n, int off, int xlo,
                                 int xhi, __m512i even)
{
    int s = xlo - x0 > 0 ? xlo - x0 : 0, e = xhi - x0 < n ? xhi - x0 : n;
    if (s == 0 && e == 16) { /* the common case: every lane inside the input */
        const float *p = src + 2 * x0 + off;
        __m512 lo = _mm512_loadu_ps(p), hi = _mm512_maskz_loadu_ps((__mmask16)0x7fff, p + 16);
        _mm512_storeu_ps(d, _mm512_permutex2var_ps(lo, even, hi));
        return;
    }
    __m512 v = _mm512_setzero_ps();
    if (e > s) {
        const float *p = src + 2 * (x0 + s) + off; /* the first valid input */
        int need = 2 * (e - s) - 1;
        __m512 lo = _mm512_maskz_loadu_ps(lanes16(need), p);
        __m512 hi = need > 16 ? _mm512_maskz_loadu_ps(lanes16(need - 16), p + 16)
                              : _mm512_setzero_ps();
        __m512i idx = _mm512_sub_epi32(even, _mm512_set1_epi32(2 * s));
        v = _mm512_maskz_permutex2var_ps((__mmask16)(lanes16(e) & ~lanes16(s)), lo, idx, hi);
    }
    _mm512_mask_storeu_ps(d, lanes16(n), v);
}

T512 static inline __m512i even_lanes(void)
{
    return _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}

T512 static inline void zero_run(float *d, int len)
{
    _mm512_mask_storeu_ps(d, lanes16(len), _mm512_setzero_ps());
    if (len > 16)
        _mm512_mask_storeu_ps(d + 16, lanes16(len - 16), _mm512_setzero_ps());
}

T512 static inline void inner_run(float *d, const float *p)
{
    __m512 a0 = _mm512_loadu_ps(p), a1 = _mm512_loadu_ps(p + 16);
    __m512 b0 = _mm512_loadu_ps(p + 32);
    __m512 b1 = _mm512_maskz_loadu_ps((__mmask16)0x7fff, p + 48);
    _mm512_storeu_ps(d, _mm512_permutex2var_ps(a0, even_lanes(), a1));
    _mm512_storeu_ps(d + 16, _mm512_permutex2var_ps(b0, even_lanes(), b1));
}

T512 static inline void edge_run(float *d, const float *src, int ox, int len, int off, int xlo,
                                 int xhi)
{
    gather16(d, src, ox, len < 16 ? len : 16, off, xlo, xhi, even_lanes());
    if (len > 16)
        gather16(d + 16, src, ox + 16, len - 16, off, xlo, xhi, even_lanes());
}

T512 static inline void clear_tail(float *z, int from)
{
    for (int j = from; j < NR; j += 16 - j % 16)
        _mm512_mask_storeu_ps(z + j - j % 16, (__mmask16)(0xffffu << (j % 16)), _mm512_setzero_ps());
}

/* The inner copy's last load is masked to the inputs it needs (slack 0). */
T512 void gy_f32_im2col_s2__avx512(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1,
                                   float *dst)
{
    const gy_im2col_s2_isa isa = {NR, 0, zero_run, inner_run, edge_run, clear_tail};
    gy_im2col_s2_loop(r, grp, k0, kc, n0, n1, dst, isa);
}

#else

void gy_f32_im2col_s2__avx512(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1,
                              float *dst)
{
    (void)r, (void)grp, (void)k0, (void)kc, (void)n0, (void)n1, (void)dst;
}

#endif

/* f32_im2col_s2__avx2.c - stride-2 im2col straight into 16-column panels with AVX2 + FMA. A run
 * of output pixels on one output row that stays inside one panel is cut into vectors of 8:
 * output x reads input 2x + off, so a vector is two loads of 8 inputs (the second masked: its
 * last, odd lane is never needed), an in-lane shuffle of the even lanes of both and a cross-lane
 * permute of the 64-bit pairs. Lanes whose input falls in the padding are masked out of the
 * loads (which start at the first valid input), then moved into place and zeroed. */
#include "kernels/f32-gemm/f32_conv2d_tile.h"
#include "kernels/f32-im2col/f32_im2col_s2.h"
#include "kernels/f32-im2col/f32_im2col_s2_loop.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define T256 __attribute__((target("avx2,fma")))
#define NR GY_TILE256_NR

T256 static inline __m256i lanes8(int n) /* lanes [0, n) set; n < 0: none, n > 8: all */
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

T256 static inline __m256 evens(__m256 lo, __m256 hi) /* lo0 lo2 lo4 lo6 hi0 hi2 hi4 hi6 */
{
    /* per 128-bit lane lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6, then the 64-bit pairs 0 2 1 3 */
    __m256 s = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* d[0, n) = src[2x + off] for x in [x0, x0 + n), zero where x is outside [xlo, xhi); n <= 8.
 * Full vectors store plainly (masked stores are slow on some CPUs), partial ones through a
 * masked store. */
T256 static inline void gather8(float *d, const float *src, int x0, int n, int off, int xlo,
                                int xhi)
{
    int s = xlo - x0 > 0 ? xlo - x0 : 0, e = xhi - x0 < n ? xhi - x0 : n;
    __m256 v = _mm256_setzero_ps();
    if (e > s) {
        const float *p = src + 2 * (x0 + s) + off; /* the first valid input */
        int need = 2 * (e - s) - 1;
        __m256 lo = _mm256_maskload_ps(p, lanes8(need));
        __m256 hi = need > 8 ? _mm256_maskload_ps(p + 8, lanes8(need - 8)) : _mm256_setzero_ps();
        v = evens(lo, hi);
        if (s > 0)
            v = _mm256_permutevar8x32_ps(
                v, _mm256_sub_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(s)));
        if (s > 0 || e < 8)
            v = _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_andnot_si256(lanes8(s), lanes8(e))));
    }
    if (n >= 8)
        _mm256_storeu_ps(d, v);
    else
        _mm256_maskstore_ps(d, lanes8(n), v);
}

T256 static inline void zero_run(float *d, int len)
{
    for (int j = 0; j < len; j++)
        d[j] = 0.0f;
}

T256 static inline void inner_run(float *d, const float *p)
{
    __m256 a0 = _mm256_loadu_ps(p), a1 = _mm256_loadu_ps(p + 8);
    __m256 b0 = _mm256_loadu_ps(p + 16), b1 = _mm256_loadu_ps(p + 24);
    _mm256_storeu_ps(d, evens(a0, a1));
    _mm256_storeu_ps(d + 8, evens(b0, b1));
}

T256 static inline void edge_run(float *d, const float *src, int ox, int len, int off, int xlo,
                                 int xhi)
{
    gather8(d, src, ox, len < 8 ? len : 8, off, xlo, xhi);
    if (len > 8)
        gather8(d + 8, src, ox + 8, len - 8, off, xlo, xhi);
}

T256 static inline void clear_tail(float *z, int from)
{
    for (int j = from; j < NR; j++)
        z[j] = 0.0f;
}

/* The inner copy's last load reads the odd input after the run (slack 1). */
T256 void gy_f32_im2col_s2__avx2(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1,
                                 float *dst)
{
    const gy_im2col_s2_isa isa = {NR, 1, zero_run, inner_run, edge_run, clear_tail};
    gy_im2col_s2_loop(r, grp, k0, kc, n0, n1, dst, isa);
}

#else

void gy_f32_im2col_s2__avx2(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1,
                            float *dst)
{
    (void)r, (void)grp, (void)k0, (void)kc, (void)n0, (void)n1, (void)dst;
}

#endif

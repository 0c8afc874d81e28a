/* f32_im2col_s2__avx2.c - stride-2 im2col straight into 16-column panels with AVX2 + FMA. A run
 * of output pixels on one output row that stays inside one panel is cut into vectors of 8:
 * output x reads input 2x + off, so a vector is two loads of 8 inputs (the second masked: its
 * last, odd lane is never needed), an in-lane shuffle of the even lanes of both and a cross-lane
 * permute of the 64-bit pairs. Lanes whose input falls in the padding are masked out of the
 * loads (which start at the first valid input), then moved into place and zeroed. */
#include "kernels/f32_conv2d_tile.h"
#include "kernels/f32_im2col_s2.h"

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

/* Panel-major, as the AVX-512 version: for each run of pixels (one output row, inside one
 * panel) the whole K chunk; an inner run (no padding for any kx) is a tight loop of plain
 * loads, the runs at the edges of a row take gather8 for each k. */
T256 void gy_f32_im2col_s2__avx2(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1,
                                 float *dst)
{
    const gy_conv *c = r->p;
    int ow = r->ow, ih = r->ih, iw = r->iw, cols = n1 - n0, kw = c->kw, kh = c->kh, pw = c->pw;
    int kx0 = k0 % kw, ky0 = k0 / kw % kh, ci0 = k0 / (kw * kh);
    size_t plane = (size_t)ih * iw;
    const float *in = r->in + (size_t)grp * (size_t)(c->cin / c->groups) * plane;
    /* x in [xin_lo, xin_hi): input 2x + kx - pw inside the row for every kx */
    int xin_lo = (pw + 1) / 2, xin_hi = (iw - (kw - 1 - pw) + 1) / 2;
    int oy = n0 / ow, ox = n0 % ow;
    for (int col = 0; col < cols;) {
        int len = ow - ox, room = NR - col % NR;
        if (len > room)
            len = room;
        if (len > cols - col)
            len = cols - col;
        float *d = dst + (size_t)(col / NR) * kc * NR + col % NR;
        /* (strictly below xin_hi: the last load may then read the odd input after the run) */
        int inner = len == NR && ox >= xin_lo && ox + NR < xin_hi;
        int iy0 = oy * c->sh - c->ph;
        int kx = kx0, ky = ky0, ci = ci0;
        for (int k = 0; k < kc; k++, d += NR) {
            int iy = iy0 + ky, off = kx - pw;
            if (iy < 0 || iy >= ih) {
                for (int j = 0; j < len; j++)
                    d[j] = 0.0f;
            } else {
                const float *src = in + (size_t)ci * plane + (size_t)iy * iw;
                if (inner) {
                    const float *p = src + 2 * ox + off;
                    __m256 a0 = _mm256_loadu_ps(p), a1 = _mm256_loadu_ps(p + 8);
                    __m256 b0 = _mm256_loadu_ps(p + 16), b1 = _mm256_loadu_ps(p + 24);
                    _mm256_storeu_ps(d, evens(a0, a1));
                    _mm256_storeu_ps(d + 8, evens(b0, b1));
                } else {
                    /* input 2x + off is inside [0, iw) for x in [xlo, xhi) */
                    int xlo = off >= 0 ? 0 : (1 - off) / 2;
                    int xhi = iw - off > 0 ? (iw - off + 1) / 2 : 0;
                    gather8(d, src, ox, len < 8 ? len : 8, off, xlo, xhi);
                    if (len > 8)
                        gather8(d + 8, src, ox + 8, len - 8, off, xlo, xhi);
                }
            }
            if (++kx == kw) {
                kx = 0;
                if (++ky == kh) {
                    ky = 0;
                    ci++;
                }
            }
        }
        col += len;
        ox += len;
        if (ox == ow) {
            ox = 0;
            oy++;
        }
    }
    int tail = cols % NR; /* the columns the tile reads past the last pixel */
    if (tail) {
        float *z = dst + (size_t)(cols / NR) * kc * NR;
        for (int k = 0; k < kc; k++, z += NR)
            for (int j = tail; j < NR; j++)
                z[j] = 0.0f;
    }
}

#else

void gy_f32_im2col_s2__avx2(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1,
                            float *dst)
{
    (void)r, (void)grp, (void)k0, (void)kc, (void)n0, (void)n1, (void)dst;
}

#endif

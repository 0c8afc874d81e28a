/* f32_gemv__avx512.c - the packed GEMM on one output pixel (1x1 convs on 1x1 maps: the squeeze-
 * and-excite convs), with AVX-512. The tile would compute 32 columns for the one that exists
 * (MobileNetV3's 960 -> 240 took 0.18 ms); here 12 output channels are one vector (the packed A
 * panel's k step), the input value at k broadcast, 4 panels in flight. Each output gets the
 * tile's operations in the tile's order: per K chunk a sum from zero by fused multiply-adds in k
 * order, added to the earlier chunks' sum, then bias and the epilogue, so the bits are the
 * tile's. */
#include "kernels/f32-gemm/f32_conv2d_tile.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define MR GY_TILE512_MR

/* P panels (P * 12 rows, the last one `rows_last` rows) from a (panels K * 12 floats apart). */
T512 static inline __attribute__((always_inline)) void
panels(const int P, int K, int kc, const float *a, const float *x, const gy_gemv *g, int row0,
       int rows_last)
{
    const __mmask16 m12 = (__mmask16)((1u << MR) - 1u);
    __m512 sum[4], acc[4];
    for (int p = 0; p < P; p++)
        sum[p] = _mm512_setzero_ps();
    for (int k0 = 0; k0 < K; k0 += kc) {
        int k1 = k0 + kc < K ? k0 + kc : K;
        for (int p = 0; p < P; p++)
            acc[p] = _mm512_setzero_ps();
        int k = k0;
        for (; k < k1 && k < K - 1; k++) { /* 16-float loads: 4 floats of the next k, unused */
            __m512 xk = _mm512_set1_ps(x[k]);
            for (int p = 0; p < P; p++)
                acc[p] = _mm512_fmadd_ps(_mm512_loadu_ps(a + (size_t)p * K * MR + (size_t)k * MR),
                                         xk, acc[p]);
        }
        for (; k < k1; k++) { /* the panel's last k: no float past it is read */
            __m512 xk = _mm512_set1_ps(x[k]);
            for (int p = 0; p < P; p++)
                acc[p] = _mm512_fmadd_ps(
                    _mm512_maskz_loadu_ps(m12, a + (size_t)p * K * MR + (size_t)k * MR), xk, acc[p]);
        }
        for (int p = 0; p < P; p++)
            sum[p] = k0 == 0 ? acc[p] : _mm512_add_ps(acc[p], sum[p]);
    }
    for (int p = 0; p < P; p++) {
        int row = row0 + p * MR, n = p == P - 1 ? rows_last : MR;
        __mmask16 m = (__mmask16)((1u << n) - 1u);
        __m512 v = sum[p];
        if (g->bias)
            v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, g->bias + row));
        gy_store512(g->out + row, v, m, g->res ? g->res + row : NULL, g->res_before_act, g->act);
    }
}

T512 void gy_f32_gemv__avx512(const gy_gemv *g)
{
    int K = g->K, row = 0;
    for (; row < g->rows; row += 4 * MR) {
        const float *a = g->a + (size_t)(row / MR) * K * MR;
        int left = g->rows - row, np = (left + MR - 1) / MR;
        np = np > 4 ? 4 : np;
        int last = left - (np - 1) * MR; /* rows of the block's last panel */
        last = last > MR ? MR : last;
        if (np >= 4)
            panels(4, K, g->kc, a, g->x, g, row, last);
        else if (np == 3)
            panels(3, K, g->kc, a, g->x, g, row, last);
        else if (np == 2)
            panels(2, K, g->kc, a, g->x, g, row, last);
        else
            panels(1, K, g->kc, a, g->x, g, row, last);
    }
}

#else

void gy_f32_gemv__avx512(const gy_gemv *g)
{
    (void)g;
}

#endif

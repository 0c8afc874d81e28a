/* f32_conv2d_tile__avx512.c - the AVX-512 micro-kernel of the packed convolution GEMM: up to
 * 12 rows x 32 columns in 24 zmm accumulators (Zen 4 runs 512-bit FMAs at the AVX2 rate, so the
 * gain is the register count: 24 FMAs per 2 B loads and 12 broadcasts). Row counts of 4 and 8
 * have their own unrolled copies, so an M tail wastes at most 3 rows. Column tails are masked. */
#include "kernels/f32-gemm/f32_conv2d_tile.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

/* The accumulators are named variables (arrays zeroed before the loop made gcc clear them in
 * memory with rep stos on every call); they go to stack arrays only for the epilogue. */
#define ROW(i, n)                                                                                  \
    {                                                                                              \
        __m512 ai = _mm512_set1_ps(a[i]);                                                          \
        c##n##0 = _mm512_fmadd_ps(ai, b0, c##n##0);                                                \
        c##n##1 = _mm512_fmadd_ps(ai, b1, c##n##1);                                                \
    }

T512 static inline __attribute__((always_inline)) void
tile(const int MR, const int PF, int kc, const float *a, const float *b, const gy_tile *t)
{
    __m512 z = _mm512_setzero_ps();
    __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    __m512 c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
    __m512 c80 = z, c81 = z, c90 = z, c91 = z, cA0 = z, cA1 = z, cB0 = z, cB1 = z;
    size_t ldb = t->ldb ? t->ldb : GY_TILE512_NR;
    const float *pf = t->pf, *pfa = t->pfa;
    for (int k = 0; k < kc; k++) {
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
        if (PF) {
            if (pf) {
                _mm_prefetch((const char *)pf, _MM_HINT_T0);
                _mm_prefetch((const char *)(pf + 16), _MM_HINT_T0);
                pf += ldb;
            }
            if (pfa) {
                _mm_prefetch((const char *)pfa, _MM_HINT_T0);
                pfa += GY_TILE512_MR;
            }
        }
        ROW(0, 0) ROW(1, 1) ROW(2, 2) ROW(3, 3)
        if (MR > 4) {
            ROW(4, 4) ROW(5, 5) ROW(6, 6) ROW(7, 7)
        }
        if (MR > 8) {
            ROW(8, 8) ROW(9, 9) ROW(10, A) ROW(11, B)
        }
        a += GY_TILE512_MR;
        b += ldb;
    }
    __m512 c0[GY_TILE512_MR] = {c00, c10, c20, c30, c40, c50, c60, c70, c80, c90, cA0, cB0};
    __m512 c1[GY_TILE512_MR] = {c01, c11, c21, c31, c41, c51, c61, c71, c81, c91, cA1, cB1};
    int cols = t->cols;
    __mmask16 m0 = cols >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << cols) - 1u);
    __mmask16 m1 = cols >= 32 ? (__mmask16)0xffff
                              : cols > 16 ? (__mmask16)((1u << (cols - 16)) - 1u) : (__mmask16)0;
    for (int i = 0; i < MR; i++) {
        if (i >= t->rows)
            break;
        float *dst = t->c + (size_t)i * t->ldc;
        __m512 v0 = c0[i], v1 = c1[i];
        if (!t->first) {
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, dst));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, dst + 16));
        }
        if (t->last) {
            if (t->bias) {
                __m512 bi = _mm512_set1_ps(t->bias[i]);
                v0 = _mm512_add_ps(v0, bi);
                v1 = _mm512_add_ps(v1, bi);
            }
            const float *res = t->res ? t->res + (size_t)i * t->ldc : NULL;
            gy_store512(dst, v0, m0, res, t->res_before_act, t->act);
            if (m1)
                gy_store512(dst + 16, v1, m1, res ? res + 16 : NULL, t->res_before_act, t->act);
        } else {
            _mm512_mask_storeu_ps(dst, m0, v0);
            _mm512_mask_storeu_ps(dst + 16, m1, v1);
        }
    }
}

T512 void gy_f32_conv_tile__avx512(int kc, const float *a, const float *b, const gy_tile *t)
{
    if (t->pf || t->pfa)
        tile(12, 1, kc, a, b, t);
    else if (t->rows > 8)
        tile(12, 0, kc, a, b, t);
    else if (t->rows > 4)
        tile(8, 0, kc, a, b, t);
    else
        tile(4, 0, kc, a, b, t);
}

#else

void gy_f32_conv_tile__avx512(int kc, const float *a, const float *b, const gy_tile *t)
{
    (void)kc, (void)a, (void)b, (void)t;
}

#endif

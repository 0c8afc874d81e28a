/* f32_conv2d_tile__avx2.c - the AVX2 + FMA micro-kernel of the packed convolution GEMM: 6 rows
 * x 16 columns in 12 ymm accumulators (with 2 B vectors and 1 broadcast: all 16 registers). Row
 * counts of 3 or less have their own copy; column tails load and store through masks. */
#include "kernels/f32-gemm/f32_conv2d_tile.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/f32-vmath/f32_vmath.h"

#define T256 __attribute__((target("avx2,fma")))

T256 static inline __m256i col_mask(int n) /* lanes [0, n) set, n in [0, 8] */
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

T256 static inline void store_vec(float *dst, __m256 v, int n, const float *res, const gy_tile *t)
{
    if (n >= 8) {
        gy_store256(dst, v, res, t->res_before_act, t->act);
        return;
    }
    __m256i m = col_mask(n);
    if (res && t->res_before_act)
        v = _mm256_add_ps(v, _mm256_maskload_ps(res, m));
    v = gy_act256(v, t->act);
    if (res && !t->res_before_act)
        v = _mm256_add_ps(v, _mm256_maskload_ps(res, m));
    _mm256_maskstore_ps(dst, m, v);
}

/* The accumulators are named variables (an array indexed after the loop made gcc keep them in
 * memory); they go to a stack array only for the epilogue. */
#define ROW(i)                                                                                     \
    {                                                                                              \
        __m256 ai = _mm256_broadcast_ss(a + i);                                                    \
        c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);                                                \
        c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);                                                \
    }

T256 static inline __attribute__((always_inline)) void
tile(const int MR, int kc, const float *a, const float *b, const gy_tile *t)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    size_t ldb = t->ldb ? t->ldb : GY_TILE256_NR;
    for (int k = 0; k < kc; k++) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        ROW(0)
        ROW(1)
        ROW(2)
        if (MR > 3) {
            ROW(3)
            ROW(4)
            ROW(5)
        }
        a += GY_TILE256_MR;
        b += ldb;
    }
    __m256 c0[GY_TILE256_MR] = {c00, c10, c20, c30, c40, c50};
    __m256 c1[GY_TILE256_MR] = {c01, c11, c21, c31, c41, c51};
    int n0 = t->cols >= 8 ? 8 : t->cols, n1 = t->cols - 8;
    __m256i m0 = col_mask(n0), m1 = col_mask(n1 > 0 ? n1 : 0);
    for (int i = 0; i < MR; i++) {
        if (i >= t->rows)
            break;
        float *dst = t->c + (size_t)i * t->ldc;
        __m256 v0 = c0[i], v1 = c1[i];
        if (!t->first) {
            v0 = _mm256_add_ps(v0, _mm256_maskload_ps(dst, m0));
            if (n1 > 0)
                v1 = _mm256_add_ps(v1, _mm256_maskload_ps(dst + 8, m1));
        }
        if (t->last) {
            if (t->bias) {
                __m256 bi = _mm256_set1_ps(t->bias[i]);
                v0 = _mm256_add_ps(v0, bi);
                v1 = _mm256_add_ps(v1, bi);
            }
            const float *res = t->res ? t->res + (size_t)i * t->ldc : NULL;
            store_vec(dst, v0, n0, res, t);
            if (n1 > 0)
                store_vec(dst + 8, v1, n1, res ? res + 8 : NULL, t);
        } else {
            _mm256_maskstore_ps(dst, m0, v0);
            if (n1 > 0)
                _mm256_maskstore_ps(dst + 8, m1, v1);
        }
    }
}

T256 void gy_f32_conv_tile__avx2(int kc, const float *a, const float *b, const gy_tile *t)
{
    if (t->rows > 3)
        tile(6, kc, a, b, t);
    else
        tile(3, kc, a, b, t);
}

#else

void gy_f32_conv_tile__avx2(int kc, const float *a, const float *b, const gy_tile *t)
{
    (void)kc, (void)a, (void)b, (void)t;
}

#endif

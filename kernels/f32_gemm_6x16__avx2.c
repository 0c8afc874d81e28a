/* f32_gemm_6x16__avx2.c - the f32 GEMM for x86 with AVX2 + FMA (chosen at run time by
 * f32_conv2d.c through kernels/cpu.c).
 *
 * C[m][n] = epilogue(sum_k A[m][k] * B[k][n]): a 6 x 16 register tile (12 ymm accumulators)
 * walks the whole K for one 16-column panel of B, broadcasting one A value per row and k; tiles
 * are numbered panel-major so consecutive tiles of a thread reuse the same B panel from cache.
 * Rows past M in the last block repeat row 0 and are not stored; the columns past the last full
 * panel (N % 16) are done by a plain loop. Bias, residual and activation are applied as each tile
 * is stored (gy_f32_gemm_store_row). */
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define MR 6
#define NR 16

__attribute__((target("avx2,fma"))) static void tile(int K, const float *const *a, const float *B,
                                                     int ldb, float out[MR][NR])
{
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5];
    for (int k = 0; k < K; k++) {
        const float *b = B + (size_t)k * ldb;
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), t;
        t = _mm256_broadcast_ss(a0 + k);
        c00 = _mm256_fmadd_ps(t, b0, c00);
        c01 = _mm256_fmadd_ps(t, b1, c01);
        t = _mm256_broadcast_ss(a1 + k);
        c10 = _mm256_fmadd_ps(t, b0, c10);
        c11 = _mm256_fmadd_ps(t, b1, c11);
        t = _mm256_broadcast_ss(a2 + k);
        c20 = _mm256_fmadd_ps(t, b0, c20);
        c21 = _mm256_fmadd_ps(t, b1, c21);
        t = _mm256_broadcast_ss(a3 + k);
        c30 = _mm256_fmadd_ps(t, b0, c30);
        c31 = _mm256_fmadd_ps(t, b1, c31);
        t = _mm256_broadcast_ss(a4 + k);
        c40 = _mm256_fmadd_ps(t, b0, c40);
        c41 = _mm256_fmadd_ps(t, b1, c41);
        t = _mm256_broadcast_ss(a5 + k);
        c50 = _mm256_fmadd_ps(t, b0, c50);
        c51 = _mm256_fmadd_ps(t, b1, c51);
    }
    _mm256_storeu_ps(out[0], c00);
    _mm256_storeu_ps(out[0] + 8, c01);
    _mm256_storeu_ps(out[1], c10);
    _mm256_storeu_ps(out[1] + 8, c11);
    _mm256_storeu_ps(out[2], c20);
    _mm256_storeu_ps(out[2] + 8, c21);
    _mm256_storeu_ps(out[3], c30);
    _mm256_storeu_ps(out[3] + 8, c31);
    _mm256_storeu_ps(out[4], c40);
    _mm256_storeu_ps(out[4] + 8, c41);
    _mm256_storeu_ps(out[5], c50);
    _mm256_storeu_ps(out[5] + 8, c51);
}

__attribute__((target("avx2,fma"))) void gy_f32_gemm_epilogue__avx2(
    int M, int N, int K, const float *A, const float *B, int ldb, float *C, int ldc,
    const float *bias, const float *res, int ldres, int res_before_act, gy_act act, int nthreads)
{
    int panels = N / NR, mblocks = (M + MR - 1) / MR;
    long tiles = (long)panels * mblocks;
#pragma omp parallel num_threads(nthreads)
    {
#pragma omp for schedule(static) nowait
        for (long t = 0; t < tiles; t++) {
            int n0 = (int)(t / mblocks) * NR, m0 = (int)(t % mblocks) * MR;
            int mr = M - m0 < MR ? M - m0 : MR;
            const float *a[MR];
            for (int i = 0; i < MR; i++)
                a[i] = A + (size_t)(m0 + (i < mr ? i : 0)) * K;
            float acc[MR][NR];
            tile(K, a, B + n0, ldb, acc);
            for (int i = 0; i < mr; i++) {
                int m = m0 + i;
                gy_f32_gemm_store_row(C + (size_t)m * ldc + n0, acc[i], NR, bias ? bias[m] : 0.0f,
                                      res ? res + (size_t)m * ldres + n0 : NULL, res_before_act, act);
            }
        }
        /* the last N % 16 columns */
        int n0 = panels * NR, nt = N - n0;
        if (nt > 0) {
#pragma omp for schedule(static)
            for (int m = 0; m < M; m++) {
                float acc[NR] = {0};
                const float *arow = A + (size_t)m * K;
                for (int k = 0; k < K; k++) {
                    const float *b = B + (size_t)k * ldb + n0;
                    for (int j = 0; j < nt; j++)
                        acc[j] += arow[k] * b[j];
                }
                gy_f32_gemm_store_row(C + (size_t)m * ldc + n0, acc, nt, bias ? bias[m] : 0.0f,
                                      res ? res + (size_t)m * ldres + n0 : NULL, res_before_act, act);
            }
        }
    }
}

#endif

/* f32_gemm.c - the plain GEMM with a fused epilogue (bias, residual, activation per row), kept
 * for the bench verb's GEMM rate: f32_gemm_6x16__avx2.c's register-tiled kernel where the CPU has
 * AVX2 + FMA, else the portable one below (4-row x 128-column tiles in a stack block the compiler
 * vectorises). The convolutions use the packed GEMM of f32_conv2d.c instead. */
#include <string.h>

#include "kernels/kernels.h"

#define MR 4
#define NT 128
#define KC 256

void gy_f32_gemm_store_row(float *dst, const float *acc, int n, float bias, const float *res,
                           int res_before_act, gy_act act)
{
    for (int j = 0; j < n; j++) {
        float v = acc[j] + bias;
        if (res && res_before_act)
            v += res[j];
        v = gy_act_apply(act, v);
        if (res && !res_before_act)
            v += res[j];
        dst[j] = v;
    }
}

/* The portable GEMM (any CPU): the compiler vectorises its inner loops. */
#define GY_GEMM_PARAMS                                                                             \
    int M, int N, int K, const float *A, const float *B, int ldb, float *C, int ldc,              \
        const float *bias, const float *res, int ldres, int res_before_act, gy_act act,           \
        int nthreads
#define GY_GEMM_ARGS M, N, K, A, B, ldb, C, ldc, bias, res, ldres, res_before_act, act, nthreads

void gy_f32_gemm_epilogue__generic(GY_GEMM_PARAMS)
{
    int mblocks = (M + MR - 1) / MR, nblocks = (N + NT - 1) / NT;
    long tiles = (long)mblocks * nblocks;
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (long t = 0; t < tiles; t++) {
        int m0 = (int)(t / nblocks) * MR, n0 = (int)(t % nblocks) * NT;
        int mr = M - m0 < MR ? M - m0 : MR, nt = N - n0 < NT ? N - n0 : NT;
        float acc[MR][NT];
        memset(acc, 0, sizeof acc);
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kend = K - k0 < KC ? K : k0 + KC;
            if (mr == MR && nt == NT) {
                for (int k = k0; k < kend; k++) {
                    const float *b = B + (size_t)k * ldb + n0;
                    float a0 = A[(size_t)(m0 + 0) * K + k], a1 = A[(size_t)(m0 + 1) * K + k];
                    float a2 = A[(size_t)(m0 + 2) * K + k], a3 = A[(size_t)(m0 + 3) * K + k];
                    for (int j = 0; j < NT; j++) {
                        float bj = b[j];
                        acc[0][j] += a0 * bj;
                        acc[1][j] += a1 * bj;
                        acc[2][j] += a2 * bj;
                        acc[3][j] += a3 * bj;
                    }
                }
            } else {
                for (int k = k0; k < kend; k++) {
                    const float *b = B + (size_t)k * ldb + n0;
                    for (int i = 0; i < mr; i++) {
                        float a = A[(size_t)(m0 + i) * K + k];
                        for (int j = 0; j < nt; j++)
                            acc[i][j] += a * b[j];
                    }
                }
            }
        }
        for (int i = 0; i < mr; i++) {
            int m = m0 + i;
            gy_f32_gemm_store_row(C + (size_t)m * ldc + n0, acc[i], nt, bias ? bias[m] : 0.0f,
                      res ? res + (size_t)m * ldres + n0 : NULL, res_before_act, act);
        }
    }
}

void gy_f32_gemm_epilogue(GY_GEMM_PARAMS)
{
    if (gy_cpu_has_avx2_fma())
        gy_f32_gemm_epilogue__avx2(GY_GEMM_ARGS);
    else
        gy_f32_gemm_epilogue__generic(GY_GEMM_ARGS);
}


/* f32_conv2d.c - convolution as GEMM: 1x1 stride-1 convs multiply the weights by the input planes
 * directly; other convs unfold the input (im2col) into scratch first. Depthwise convs go to
 * f32_dwconv2d.c. The GEMM: f32_gemm_6x16__avx2.c's register-tiled kernel where the CPU has
 * AVX2 + FMA (checked at run time), else the portable one below (4-row x 128-column tiles in a stack block the compiler
 * vectorises). Both apply bias, residual and activation as a tile is stored. */
#include <string.h>

#include "kernels/kernels.h"

#define MR 4
#define NT 128
#define KC 256

static int is_depthwise(const gy_conv *c)
{
    return c->groups > 1 && c->groups == c->cin && c->cout == c->cin;
}

static int is_pointwise(const gy_conv *c)
{
    return c->kh == 1 && c->kw == 1 && c->sh == 1 && c->sw == 1 && c->ph == 0 && c->pw == 0;
}

size_t gy_conv2d_scratch_floats(const gy_conv *c, int oh, int ow)
{
    if (is_depthwise(c) || is_pointwise(c))
        return 0;
    return (size_t)(c->cin / c->groups) * c->kh * c->kw * (size_t)oh * ow;
}

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

/* Unfolds group `grp` of the input into col[(ci * kh + ky) * kw + kx][oy * ow + ox]. */
static void im2col(const gy_conv_run *r, int grp, float *col)
{
    const gy_conv *c = r->p;
    int cin_g = c->cin / c->groups;
    int rows = cin_g * c->kh * c->kw;
    size_t n = (size_t)r->oh * r->ow;
#pragma omp parallel for num_threads(r->nthreads) schedule(static)
    for (int row = 0; row < rows; row++) {
        int kx = row % c->kw, ky = (row / c->kw) % c->kh, ci = row / (c->kw * c->kh);
        const float *plane = r->in + (size_t)(grp * cin_g + ci) * r->ih * r->iw;
        float *dst = col + (size_t)row * n;
        for (int oy = 0; oy < r->oh; oy++) {
            int iy = oy * c->sh - c->ph + ky;
            float *d = dst + (size_t)oy * r->ow;
            if (iy < 0 || iy >= r->ih) {
                memset(d, 0, sizeof *d * (size_t)r->ow);
                continue;
            }
            const float *src = plane + (size_t)iy * r->iw;
            for (int ox = 0; ox < r->ow; ox++) {
                int ix = ox * c->sw - c->pw + kx;
                d[ox] = ix >= 0 && ix < r->iw ? src[ix] : 0.0f;
            }
        }
    }
}

void gy_f32_conv2d(const gy_conv_run *r)
{
    const gy_conv *c = r->p;
    if (is_depthwise(c)) {
        gy_f32_dwconv2d(r);
        return;
    }
    int cin_g = c->cin / c->groups, cout_g = c->cout / c->groups;
    int K = cin_g * c->kh * c->kw, N = r->oh * r->ow;
    size_t in_plane = (size_t)r->ih * r->iw;
    for (int grp = 0; grp < c->groups; grp++) {
        const float *B;
        if (is_pointwise(c)) {
            B = r->in + (size_t)grp * cin_g * in_plane;
        } else {
            im2col(r, grp, r->scratch);
            B = r->scratch;
        }
        size_t o0 = (size_t)grp * cout_g;
        gy_f32_gemm_epilogue(cout_g, N, K, c->w + o0 * K, B, N, r->out + o0 * N, N,
                             c->b ? c->b + o0 : NULL, r->res ? r->res + o0 * N : NULL, N,
                             r->res_before_act, r->act, r->nthreads);
    }
}

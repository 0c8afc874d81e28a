/* f32_vmath.h - vectorised exp and the activations for the x86 kernels (included by the kernel
 * files that use them; each function carries its own target attribute, so callers must only run
 * them where kernels/cpu.c says the CPU has that instruction set).
 *
 * exp(x) = 2^n * p(r): n = round(x / ln 2), r = x - n ln 2 in two parts (Cody-Waite), p a degree-7
 * polynomial (Cephes' expf coefficients); 2^n is applied by scalef (AVX-512) or as two
 * power-of-two factors (AVX2), so that results down to the smallest subnormal and up to overflow
 * round once. x is clamped to [-103.97, 88.8] first (exp saturates to 0 / +inf there); NaN
 * stays NaN. tests/test_conv.c measures the error against expf over the
 * whole float range. sigmoid = 1 / (1 + exp(-x)) takes the reciprocal as
 * an estimate refined by one Newton step (within ~2 ulp of the division; division would cost a
 * third of a small-K conv), and SiLU = x * sigmoid(x). */
#ifndef GY_KERNELS_F32_VMATH_H
#define GY_KERNELS_F32_VMATH_H

#include <math.h>
#include <string.h>

#include "kernels/kernels.h"

/* The activations, as torch computes them in float32 (the vector versions below compute the same
 * operations in the same order, so they agree bit for bit except SiLU and sigmoid, whose exp is a
 * polynomial). relu6, hardsigmoid and hardswish clamp with compares that turn NaN into 0 before
 * the multiply, as max_ps / min_ps do. */
static inline float gy_relu6f(float v)
{
    float t = v > 0.0f ? v : 0.0f;
    return t < 6.0f ? t : 6.0f;
}

/* The zoo's activations, apart so that the epilogues keep the compare chain of the original four
 * (a switch over all seven became a jump table in every tile's store). */
static inline float gy_act_apply_zoo(gy_act act, float v)
{
    if (act == GY_ACT_RELU6)
        return gy_relu6f(v);
    if (act == GY_ACT_HARDSWISH)
        return v * gy_relu6f(v + 3.0f) / 6.0f;
    if (act == GY_ACT_HARDSIGMOID)
        return gy_relu6f(v + 3.0f) / 6.0f;
    return v;
}

static inline float gy_act_apply(gy_act act, float v)
{
    switch (act) {
    case GY_ACT_SILU: return v / (1.0f + expf(-v));
    case GY_ACT_RELU: return v > 0.0f ? v : 0.0f;
    case GY_ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
    case GY_ACT_NONE: return v;
    default: return gy_act_apply_zoo(act, v);
    }
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define GY_EXP_CAP 88.8f /* above ln(FLT_MAX): 2^128 * p with p >= 1 overflows to inf */
#define GY_EXP_LO -103.972694f
#define GY_LOG2E 1.44269504088896341f
#define GY_LN2_HI 0.693359375f
#define GY_LN2_LO -2.12194440e-4f
#define GY_EXP_P0 1.9875691500e-4f
#define GY_EXP_P1 1.3981999507e-3f
#define GY_EXP_P2 8.3334519073e-3f
#define GY_EXP_P3 4.1665795894e-2f
#define GY_EXP_P4 1.6666665459e-1f
#define GY_EXP_P5 5.0000001201e-1f

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) static inline __m512
gy_exp512(__m512 x)
{
    /* min/max return their second operand when one is NaN: NaN passes through */
    __m512 xc = _mm512_max_ps(_mm512_set1_ps(GY_EXP_LO), _mm512_min_ps(_mm512_set1_ps(GY_EXP_CAP), x));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(GY_LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(GY_LN2_HI), xc);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(GY_LN2_LO), r);
    __m512 p = _mm512_set1_ps(GY_EXP_P0);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(GY_EXP_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(GY_EXP_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(GY_EXP_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(GY_EXP_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(GY_EXP_P5));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n); /* p * 2^n, rounded once, to subnormals or infinity */
}

/* 1 / (1 + exp(-v)) for the activations, with its own exp (a cheaper form of the one above,
 * as accurate): v is clamped to [-87, 88] (exp(-v) stays below 2^126, where the reciprocal
 * estimate is exact enough, and above it the sigmoid is 1 in float); -v log2(e) is rounded to a
 * multiple of 1/16 by adding 1.5 * 2^19, whose low 4 mantissa bits are then the index j of
 * 2^(j/16) in a 16-entry table (one permute); the rest r (|r| <= ln2 / 32) takes a degree-4
 * polynomial, and scalef applies 2^floor. The reciprocal is the estimate refined by one Newton
 * step (within ~2 ulp of the division; division would cost a third of a small-K conv). */
#define GY_EXP_MAGIC16 786432.0f /* 1.5 * 2^19: its float ulp is 1/16 */
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) static inline __m512
gy_sigmoid512(__m512 v)
{
    const __m512 t16 = _mm512_setr_ps(0x1p+0f, 0x1.0b5586p+0f, 0x1.172b84p+0f, 0x1.2387a6p+0f,
                                      0x1.306fe0p+0f, 0x1.3dea64p+0f, 0x1.4bfdaep+0f, 0x1.5ab07ep+0f,
                                      0x1.6a09e6p+0f, 0x1.7a1148p+0f, 0x1.8ace54p+0f, 0x1.9c4918p+0f,
                                      0x1.ae89fap+0f, 0x1.c199bep+0f, 0x1.d5818ep+0f, 0x1.ea4afap+0f);
    /* min/max return their second operand when one is NaN: NaN passes through */
    __m512 x = _mm512_min_ps(_mm512_set1_ps(88.0f), _mm512_max_ps(_mm512_set1_ps(-87.0f), v));
    __m512 magic = _mm512_set1_ps(GY_EXP_MAGIC16);
    __m512 tm = _mm512_fnmadd_ps(x, _mm512_set1_ps(GY_LOG2E), magic); /* magic - x log2 e */
    __m512 n = _mm512_sub_ps(tm, magic);                               /* multiple of 1/16 */
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(GY_LN2_HI), x);
    r = _mm512_fnmsub_ps(n, _mm512_set1_ps(GY_LN2_LO), r); /* -x - n ln 2 */
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(1.0f / 24.0f), r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    __m512 tj = _mm512_permutexvar_ps(_mm512_castps_si512(tm), t16); /* 2^(frac(n)) */
    __m512 e = _mm512_scalef_ps(_mm512_mul_ps(p, tj), n);            /* times 2^floor(n) */
    __m512 d = _mm512_add_ps(_mm512_set1_ps(1.0f), e);
    __m512 rc = _mm512_rcp14_ps(d);
    return _mm512_fmadd_ps(rc, _mm512_fnmadd_ps(d, rc, _mm512_set1_ps(1.0f)), rc);
}

/* ReLU6, hard-swish, hard-sigmoid: torch's operations in torch's order (the division by 6
 * included), so they equal gy_act_apply bit for bit. */
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) static inline __m512
gy_act512_zoo(__m512 v, gy_act act)
{
    if (act == GY_ACT_RELU6)
        return _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), _mm512_set1_ps(6.0f));
    if (act != GY_ACT_HARDSWISH && act != GY_ACT_HARDSIGMOID)
        return v;
    __m512 c = _mm512_add_ps(v, _mm512_set1_ps(3.0f));
    c = _mm512_min_ps(_mm512_max_ps(c, _mm512_setzero_ps()), _mm512_set1_ps(6.0f));
    if (act == GY_ACT_HARDSWISH)
        c = _mm512_mul_ps(v, c);
    return _mm512_div_ps(c, _mm512_set1_ps(6.0f));
}

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) static inline __m512
gy_act512(__m512 v, gy_act act)
{
    switch (act) {
    case GY_ACT_SILU: /* v * sigmoid(v); below -88 both factors are capped: a result < 2e-36 */
        return _mm512_mul_ps(_mm512_max_ps(_mm512_set1_ps(-88.0f), v), gy_sigmoid512(v));
    case GY_ACT_SIGMOID: return gy_sigmoid512(v);
    case GY_ACT_RELU: return _mm512_max_ps(v, _mm512_setzero_ps());
    case GY_ACT_NONE: return v;
    default: return gy_act512_zoo(v, act);
    }
}

/* dst[0..n) = epilogue(acc + bias), n <= 16 (masked). */
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) static inline void
gy_store512(float *dst, __m512 v, __mmask16 m, const float *res, int res_before_act, gy_act act)
{
    /* full vectors load and store unmasked: a masked load that misses the cache stalls on Zen 5
     * (1x1 convs with a residual from memory ran 1.2-1.5x longer: HS-ResNet's 128 -> 512 at 80x80
     * 7.7 -> 5.0 ms, 256 -> 1024 at 40x40 5.4 -> 4.3; one-conv harness) */
    const int full = m == (__mmask16)0xffff;
    if (res && res_before_act)
        v = _mm512_add_ps(v, full ? _mm512_loadu_ps(res) : _mm512_maskz_loadu_ps(m, res));
    v = gy_act512(v, act);
    if (res && !res_before_act)
        v = _mm512_add_ps(v, full ? _mm512_loadu_ps(res) : _mm512_maskz_loadu_ps(m, res));
    if (full)
        _mm512_storeu_ps(dst, v);
    else
        _mm512_mask_storeu_ps(dst, m, v);
}

__attribute__((target("avx2,fma"))) static inline __m256 gy_exp256(__m256 x)
{
    __m256 xc = _mm256_max_ps(_mm256_set1_ps(GY_EXP_LO), _mm256_min_ps(_mm256_set1_ps(GY_EXP_CAP), x));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(GY_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(GY_LN2_HI), xc);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(GY_LN2_LO), r);
    __m256 p = _mm256_set1_ps(GY_EXP_P0);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(GY_EXP_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(GY_EXP_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(GY_EXP_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(GY_EXP_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(GY_EXP_P5));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    /* 2^n as two factors 2^(n/2) 2^(n - n/2), both normal for n in [-150, 128] */
    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, _mm256_set1_epi32(127)), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, _mm256_set1_epi32(127)), 23));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
    /* NaN inputs: n's conversion gave garbage, p is NaN; keep NaN */
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

__attribute__((target("avx2,fma"))) static inline __m256 gy_sigmoid256(__m256 v)
{
    __m256 e = gy_exp256(_mm256_min_ps(_mm256_sub_ps(_mm256_setzero_ps(), v), _mm256_set1_ps(87.0f)));
    __m256 d = _mm256_add_ps(_mm256_set1_ps(1.0f), e);
    __m256 r = _mm256_rcp_ps(d);
    return _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(1.0f)), r);
}

__attribute__((target("avx2,fma"))) static inline __m256 gy_act256_zoo(__m256 v, gy_act act)
{
    if (act == GY_ACT_RELU6)
        return _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(6.0f));
    if (act != GY_ACT_HARDSWISH && act != GY_ACT_HARDSIGMOID)
        return v;
    __m256 c = _mm256_add_ps(v, _mm256_set1_ps(3.0f));
    c = _mm256_min_ps(_mm256_max_ps(c, _mm256_setzero_ps()), _mm256_set1_ps(6.0f));
    if (act == GY_ACT_HARDSWISH)
        c = _mm256_mul_ps(v, c);
    return _mm256_div_ps(c, _mm256_set1_ps(6.0f));
}

__attribute__((target("avx2,fma"))) static inline __m256 gy_act256(__m256 v, gy_act act)
{
    switch (act) {
    case GY_ACT_SILU:
        return _mm256_mul_ps(_mm256_max_ps(_mm256_set1_ps(-88.0f), v), gy_sigmoid256(v));
    case GY_ACT_SIGMOID: return gy_sigmoid256(v);
    case GY_ACT_RELU: return _mm256_max_ps(v, _mm256_setzero_ps());
    case GY_ACT_NONE: return v;
    default: return gy_act256_zoo(v, act);
    }
}

/* dst[0..8) = epilogue(v) (full vector). */
__attribute__((target("avx2,fma"))) static inline void
gy_store256(float *dst, __m256 v, const float *res, int res_before_act, gy_act act)
{
    if (res && res_before_act)
        v = _mm256_add_ps(v, _mm256_loadu_ps(res));
    v = gy_act256(v, act);
    if (res && !res_before_act)
        v = _mm256_add_ps(v, _mm256_loadu_ps(res));
    _mm256_storeu_ps(dst, v);
}

/* dst[0..n) = epilogue(acc[0..n) + bias) with AVX-512 (dst may equal acc). */
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) static inline void
gy_epilogue_row512(float *dst, const float *acc, int n, float bias, const float *res,
                   int res_before_act, gy_act act)
{
    __m512 b = _mm512_set1_ps(bias);
    for (int x = 0; x < n; x += 16) {
        __mmask16 m = n - x >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - x)) - 1u);
        __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, acc + x), b);
        gy_store512(dst + x, v, m, res ? res + x : NULL, res_before_act, act);
    }
}

/* The same with AVX2 (full vectors, then a scalar tail). */
__attribute__((target("avx2,fma"))) static inline void
gy_epilogue_row256(float *dst, const float *acc, int n, float bias, const float *res,
                   int res_before_act, gy_act act)
{
    __m256 b = _mm256_set1_ps(bias);
    int x = 0;
    for (; x + 8 <= n; x += 8)
        gy_store256(dst + x, _mm256_add_ps(_mm256_loadu_ps(acc + x), b), res ? res + x : NULL,
                    res_before_act, act);
    if (x < n) {
        float a[8] = {0}, r8[8] = {0}, o[8];
        memcpy(a, acc + x, sizeof(float) * (size_t)(n - x));
        if (res)
            memcpy(r8, res + x, sizeof(float) * (size_t)(n - x));
        gy_store256(o, _mm256_add_ps(_mm256_loadu_ps(a), b), res ? r8 : NULL, res_before_act, act);
        memcpy(dst + x, o, sizeof(float) * (size_t)(n - x));
    }
}

#endif
#endif

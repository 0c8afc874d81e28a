/* qu8_epilogue.h - the int8 kernels' epilogue (kernels_qu8.h, top): int32 accumulator -> float
 * -> activation, residual -> uint8 (or float), in scalar C (the reference and portable kernels)
 * and in AVX-512 / AVX2 vectors. Each step is one IEEE-754 operation in the same order in all
 * three, so they agree bit for bit:
 *
 *   y = fma((float)acc, mul, add)
 *   residual r (before or after the activation): y = fma((float)(q_r - z_r), s_r, y)
 *   e^-y = 2^n * p(f): z = y * (-log2 e) clamped to [-126, 126], n = round(z), f = z - n,
 *          p a degree-5 polynomial (Horner, fma), 2^n by ldexp / scalef / exponent bits
 *   SiLU y / (1 + e^-y), sigmoid 1 / (1 + e^-y), ReLU y > 0 ? y : 0
 *   q = round(clamp(fma(y, 1 / s_out, z_out), 0, 255))
 *
 * The polynomial is the Taylor series of 2^f = e^(f ln 2) to degree 5: relative error below
 * 3e-6 on |f| <= 0.5, far under the output's quantization step. The clamps are written
 * `a > b ? a : b` in C, which is what maxps / minps do with a NaN (they return the second
 * operand), so NaN cannot make the variants differ either. */
#ifndef GY_KERNELS_QU8_EPILOGUE_H
#define GY_KERNELS_QU8_EPILOGUE_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels/kernels_qu8.h"

#define GY_QU8_NLOG2E (-1.44269504088896341f)
#define GY_QU8_P5 1.3333558146e-3f  /* ln2^5 / 120 */
#define GY_QU8_P4 9.6181291076e-3f  /* ln2^4 / 24 */
#define GY_QU8_P3 5.5504108665e-2f  /* ln2^3 / 6 */
#define GY_QU8_P2 2.4022650696e-1f  /* ln2^2 / 2 */
#define GY_QU8_P1 6.9314718056e-1f  /* ln2 */
#define GY_QU8_P0 1.0f

/* e^-y as the kernels compute it. */
static inline float gy_qu8_exp_neg1(float y)
{
    float z = y * GY_QU8_NLOG2E;
    z = z > -126.0f ? z : -126.0f;
    z = z < 126.0f ? z : 126.0f;
    float n = nearbyintf(z);
    float f = z - n;
    float p = fmaf(GY_QU8_P5, f, GY_QU8_P4);
    p = fmaf(p, f, GY_QU8_P3);
    p = fmaf(p, f, GY_QU8_P2);
    p = fmaf(p, f, GY_QU8_P1);
    p = fmaf(p, f, GY_QU8_P0);
    return ldexpf(p, (int)n);
}

static inline float gy_qu8_act1(gy_act act, float y)
{
    switch (act) {
    case GY_ACT_SILU: return y / (1.0f + gy_qu8_exp_neg1(y));
    case GY_ACT_SIGMOID: return 1.0f / (1.0f + gy_qu8_exp_neg1(y));
    case GY_ACT_RELU: return y > 0.0f ? y : 0.0f;
    case GY_ACT_NONE: break;
    case GY_ACT_RELU6:     /* the zoo's activations: runtime/qgraph.c keeps their convs in float */
    case GY_ACT_HARDSWISH:
    case GY_ACT_HARDSIGMOID: break;
    }
    return y;
}

static inline uint8_t gy_qu8_quant1(float y, float inv_scale, float zp)
{
    float q = fmaf(y, inv_scale, zp);
    q = q > 0.0f ? q : 0.0f;
    q = q < 255.0f ? q : 255.0f;
    return (uint8_t)nearbyintf(q);
}

/* One output of a conv tile: acc of channel j (of the tile's block) at pixel m; the residual
 * byte when the tile has one. Returns the float value before quantization. */
static inline float gy_qu8_epilogue1(const gy_qu8_tile *t, int32_t acc, int j, int m)
{
    float y = fmaf((float)acc, t->mul[j], t->add[j]);
    float r = 0.0f;
    if (t->res)
        r = (float)((int)t->res[m * t->res_pstride + j] - t->res_zp);
    if (t->res && t->res_before_act)
        y = fmaf(r, t->res_scale, y);
    y = gy_qu8_act1(t->act, y);
    if (t->res && !t->res_before_act)
        y = fmaf(r, t->res_scale, y);
    return y;
}

/* Stores output (m, j) of a tile. */
static inline void gy_qu8_store1(const gy_qu8_tile *t, float y, int j, int m)
{
    if (t->out)
        t->out[m * t->out_pstride + j] = gy_qu8_quant1(y, t->out_inv_scale, t->out_zp);
    else
        t->outf[(size_t)j * t->outf_plane + (size_t)m] = y;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define GY_QU8_T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define GY_QU8_T256 __attribute__((target("avx2,fma")))

GY_QU8_T512 static inline __m512 gy_qu8_exp_neg512(__m512 y)
{
    __m512 z = _mm512_mul_ps(y, _mm512_set1_ps(GY_QU8_NLOG2E));
    z = _mm512_max_ps(z, _mm512_set1_ps(-126.0f));
    z = _mm512_min_ps(z, _mm512_set1_ps(126.0f));
    __m512 n = _mm512_roundscale_ps(z, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 f = _mm512_sub_ps(z, n);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(GY_QU8_P5), f, _mm512_set1_ps(GY_QU8_P4));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(GY_QU8_P3));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(GY_QU8_P2));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(GY_QU8_P1));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(GY_QU8_P0));
    return _mm512_scalef_ps(p, n);
}

GY_QU8_T512 static inline __m512 gy_qu8_act512(gy_act act, __m512 y)
{
    switch (act) {
    case GY_ACT_SILU:
        return _mm512_div_ps(y, _mm512_add_ps(_mm512_set1_ps(1.0f), gy_qu8_exp_neg512(y)));
    case GY_ACT_SIGMOID:
        return _mm512_div_ps(_mm512_set1_ps(1.0f),
                             _mm512_add_ps(_mm512_set1_ps(1.0f), gy_qu8_exp_neg512(y)));
    case GY_ACT_RELU: return _mm512_max_ps(y, _mm512_setzero_ps());
    case GY_ACT_NONE: break;
    case GY_ACT_RELU6:     /* the zoo's activations: runtime/qgraph.c keeps their convs in float */
    case GY_ACT_HARDSWISH:
    case GY_ACT_HARDSIGMOID: break;
    }
    return y;
}

/* The value (before quantization) of the 16 outputs of channels j .. j+15 at pixel m; `keep`
 * masks the channels that exist. */
GY_QU8_T512 static inline __m512 gy_qu8_value512(const gy_qu8_tile *t, __m512i acc, int j, int m,
                                                 __mmask16 keep)
{
    __m512 y = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), _mm512_maskz_loadu_ps(keep, t->mul + j),
                               _mm512_maskz_loadu_ps(keep, t->add + j));
    __m512 r = _mm512_setzero_ps();
    if (t->res) {
        __m128i rb = _mm_maskz_loadu_epi8(keep, t->res + m * t->res_pstride + j);
        r = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_cvtepu8_epi32(rb), _mm512_set1_epi32(t->res_zp)));
        if (t->res_before_act)
            y = _mm512_fmadd_ps(r, _mm512_set1_ps(t->res_scale), y);
    }
    y = gy_qu8_act512(t->act, y);
    if (t->res && !t->res_before_act)
        y = _mm512_fmadd_ps(r, _mm512_set1_ps(t->res_scale), y);
    return y;
}

/* Quantizes and stores 16 values into the uint8 output. */
GY_QU8_T512 static inline void gy_qu8_store512(const gy_qu8_tile *t, __m512 y, int j, int m,
                                               __mmask16 keep)
{
    __m512 q = _mm512_fmadd_ps(y, _mm512_set1_ps(t->out_inv_scale), _mm512_set1_ps(t->out_zp));
    q = _mm512_max_ps(q, _mm512_setzero_ps());
    q = _mm512_min_ps(q, _mm512_set1_ps(255.0f));
    _mm_mask_storeu_epi8(t->out + m * t->out_pstride + j, keep,
                         _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(q)));
}

/* value + store; a float output takes one scalar store per channel (the conv tiles instead
 * gather a tile's pixels per channel first). */
GY_QU8_T512 static inline void gy_qu8_epilogue512(const gy_qu8_tile *t, __m512i acc, int j, int m,
                                                  __mmask16 keep)
{
    __m512 y = gy_qu8_value512(t, acc, j, m, keep);
    if (t->out) {
        gy_qu8_store512(t, y, j, m, keep);
    } else {
        float v[16];
        _mm512_storeu_ps(v, y);
        for (int k = 0; k < 16; k++)
            if (keep >> k & 1)
                t->outf[(size_t)(j + k) * t->outf_plane + (size_t)m] = v[k];
    }
}

GY_QU8_T256 static inline __m256 gy_qu8_exp_neg256(__m256 y)
{
    __m256 z = _mm256_mul_ps(y, _mm256_set1_ps(GY_QU8_NLOG2E));
    z = _mm256_max_ps(z, _mm256_set1_ps(-126.0f));
    z = _mm256_min_ps(z, _mm256_set1_ps(126.0f));
    __m256 n = _mm256_round_ps(z, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 f = _mm256_sub_ps(z, n);
    __m256 p = _mm256_fmadd_ps(_mm256_set1_ps(GY_QU8_P5), f, _mm256_set1_ps(GY_QU8_P4));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(GY_QU8_P3));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(GY_QU8_P2));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(GY_QU8_P1));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(GY_QU8_P0));
    /* 2^n from its exponent bits: n is in [-126, 126], so 2^n is a normal float and the
     * product rounds once, as ldexp does */
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

GY_QU8_T256 static inline __m256 gy_qu8_act256(gy_act act, __m256 y)
{
    switch (act) {
    case GY_ACT_SILU:
        return _mm256_div_ps(y, _mm256_add_ps(_mm256_set1_ps(1.0f), gy_qu8_exp_neg256(y)));
    case GY_ACT_SIGMOID:
        return _mm256_div_ps(_mm256_set1_ps(1.0f),
                             _mm256_add_ps(_mm256_set1_ps(1.0f), gy_qu8_exp_neg256(y)));
    case GY_ACT_RELU: return _mm256_max_ps(y, _mm256_setzero_ps());
    case GY_ACT_NONE: break;
    case GY_ACT_RELU6:     /* the zoo's activations: runtime/qgraph.c keeps their convs in float */
    case GY_ACT_HARDSWISH:
    case GY_ACT_HARDSIGMOID: break;
    }
    return y;
}

/* 8 outputs of channels j .. j+7 at pixel m; the first `n` exist. */
GY_QU8_T256 static inline void gy_qu8_epilogue256(const gy_qu8_tile *t, __m256i acc, int j, int m,
                                                  int n)
{
    float mul[8], add[8];
    const float *pm = t->mul + j, *pa = t->add + j;
    if (n < 8) {
        for (int k = 0; k < 8; k++) {
            mul[k] = k < n ? t->mul[j + k] : 0.0f;
            add[k] = k < n ? t->add[j + k] : 0.0f;
        }
        pm = mul;
        pa = add;
    }
    __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(pm), _mm256_loadu_ps(pa));
    __m256 r = _mm256_setzero_ps();
    if (t->res) {
        uint8_t rb[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        const uint8_t *src = t->res + m * t->res_pstride + j;
        for (int k = 0; k < n; k++)
            rb[k] = src[k];
        __m128i v = _mm_loadl_epi64((const __m128i *)(const void *)rb);
        r = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_cvtepu8_epi32(v), _mm256_set1_epi32(t->res_zp)));
        if (t->res_before_act)
            y = _mm256_fmadd_ps(r, _mm256_set1_ps(t->res_scale), y);
    }
    y = gy_qu8_act256(t->act, y);
    if (t->res && !t->res_before_act)
        y = _mm256_fmadd_ps(r, _mm256_set1_ps(t->res_scale), y);
    if (t->out) {
        __m256 q = _mm256_fmadd_ps(y, _mm256_set1_ps(t->out_inv_scale), _mm256_set1_ps(t->out_zp));
        q = _mm256_max_ps(q, _mm256_setzero_ps());
        q = _mm256_min_ps(q, _mm256_set1_ps(255.0f));
        __m256i qi = _mm256_cvtps_epi32(q);
        __m128i p16 = _mm_packus_epi32(_mm256_castsi256_si128(qi), _mm256_extracti128_si256(qi, 1));
        __m128i p8 = _mm_packus_epi16(p16, p16);
        uint8_t *dst = t->out + m * t->out_pstride + j;
        if (n == 8) {
            _mm_storel_epi64((__m128i *)(void *)dst, p8);
        } else {
            uint8_t b[16];
            _mm_storeu_si128((__m128i *)(void *)b, p8);
            for (int k = 0; k < n; k++)
                dst[k] = b[k];
        }
    } else {
        float v[8];
        _mm256_storeu_ps(v, y);
        for (int k = 0; k < n; k++)
            t->outf[(size_t)(j + k) * t->outf_plane + (size_t)m] = v[k];
    }
}

#endif /* x86 */

#endif

/* f32_vexp.c - the activations' vector exp per instruction set, exposed for the accuracy test. */
#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) static void
exp512(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, gy_exp512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, m, gy_exp512(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

__attribute__((target("avx2,fma"))) static void exp256(const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, gy_exp256(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) {
        float a[8] = {x[i]}, o[8];
        _mm256_storeu_ps(o, gy_exp256(_mm256_loadu_ps(a)));
        y[i] = o[0];
    }
}

#endif

void gy_f32_exp_isa(gy_isa isa, const float *x, float *y, size_t n)
{
#if defined(__x86_64__) || defined(__i386__)
    if (isa == GY_ISA_AVX512) {
        exp512(x, y, n);
        return;
    }
    if (isa == GY_ISA_AVX2) {
        exp256(x, y, n);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        y[i] = expf(x[i]);
}

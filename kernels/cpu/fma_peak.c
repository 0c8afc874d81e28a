/* fma_peak.c - the machine's multiply-add limit for bench: independent chains c = c * a + b held
 * in registers, so nothing but the FMA units limits the loop. Dispatch and the portable variant
 * (as wide as the compiler makes it; no -mfma, so a multiply and an add). */
#include "kernels/kernels.h"

#define CHAINS 16

double gy_fma_peak_run__generic(long iters, float *sink)
{
    float c[CHAINS];
    float a = 0.999999f, b = 1e-6f;
    for (int j = 0; j < CHAINS; j++)
        c[j] = 0.5f + 0.01f * (float)j;
    for (long i = 0; i < iters; i++)
        for (int j = 0; j < CHAINS; j++)
            c[j] = c[j] * a + b;
    float s = 0.0f;
    for (int j = 0; j < CHAINS; j++)
        s += c[j];
    *sink = s;
    return 2.0 * CHAINS * (double)iters;
}

double gy_fma_peak_run(gy_isa isa, long iters, float *sink)
{
#if defined(__x86_64__) || defined(__i386__)
    if (isa >= GY_ISA_AVX512)
        return gy_fma_peak_run__avx512(iters, sink);
    if (isa >= GY_ISA_AVX2)
        return gy_fma_peak_run__avx2(iters, sink);
#else
    (void)isa;
#endif
    return gy_fma_peak_run__generic(iters, sink);
}

/* qisa.c - which int8 kernels (kernels_qu8.h) run on this CPU for the float kernels' ISA, and
 * the dispatcher of the int8 limit loops (int8_peak*.c). */
#include "kernels/kernels_qu8.h"

int gy_cpu_has_avx512_vnni(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return gy_cpu_best_isa() >= GY_ISA_AVX512 && __builtin_cpu_supports("avx512vnni");
#else
    return 0;
#endif
}

int gy_cpu_has_avx512_vbmi(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return gy_cpu_best_isa() >= GY_ISA_AVX512 && __builtin_cpu_supports("avx512vbmi");
#else
    return 0;
#endif
}

gy_qisa gy_qisa_for(gy_isa isa)
{
    if (isa >= GY_ISA_AVX512 && gy_cpu_has_avx512_vnni())
        return GY_QISA_AVX512VNNI;
    if (isa >= GY_ISA_AVX2)
        return GY_QISA_AVX2;
    return GY_QISA_GENERIC;
}

const char *gy_qisa_name(gy_qisa q)
{
    switch (q) {
    case GY_QISA_AVX512VNNI: return "avx512vnni";
    case GY_QISA_AVX2: return "avx2";
    case GY_QISA_GENERIC: break;
    }
    return "generic";
}

double gy_int8_peak_run(gy_qisa q, long iters, int *sink)
{
#if defined(__x86_64__) || defined(__i386__)
    if (q >= GY_QISA_AVX512VNNI)
        return gy_int8_peak_run__avx512vnni(iters, sink);
    if (q >= GY_QISA_AVX2)
        return gy_int8_peak_run__avx2(iters, sink);
#else
    (void)q;
#endif
    return gy_int8_peak_run__generic(iters, sink);
}

/* cpu.c - what the CPU can run, checked at run time for kernel dispatch, and the one place that
 * decides which instruction set the kernels use. */
#include <string.h>

#include "core/error.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)

int gy_cpu_has_avx2_fma(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

gy_isa gy_cpu_best_isa(void)
{
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        gy_cpu_has_avx2_fma())
        return GY_ISA_AVX512;
    return gy_cpu_has_avx2_fma() ? GY_ISA_AVX2 : GY_ISA_GENERIC;
}

#else

int gy_cpu_has_avx2_fma(void) { return 0; }

gy_isa gy_cpu_best_isa(void) { return GY_ISA_GENERIC; }

#endif

const char *gy_isa_name(gy_isa isa)
{
    switch (isa) {
    case GY_ISA_AVX512: return "avx512";
    case GY_ISA_AVX2: return "avx2";
    case GY_ISA_GENERIC: break;
    }
    return "generic";
}

gy_status gy_isa_choose(const char *request, gy_isa *out, gy_error *err)
{
    gy_isa best = gy_cpu_best_isa();
    *out = best;
    if (!request || !*request)
        return GY_OK;
    for (int i = GY_ISA_GENERIC; i <= GY_ISA_AVX512; i++) {
        if (strcmp(request, gy_isa_name((gy_isa)i)) != 0)
            continue;
        if ((gy_isa)i > best)
            return gy_fail(err, GY_ERR_UNSUPPORTED,
                           "GY_ISA=%s: this CPU runs at most '%s' (generic, avx2, avx512)", request,
                           gy_isa_name(best));
        *out = (gy_isa)i;
        return GY_OK;
    }
    return gy_fail(err, GY_ERR_ARGUMENT, "GY_ISA=%s: unknown instruction set (generic, avx2, avx512)",
                   request);
}

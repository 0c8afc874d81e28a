/* cpu.c - what the CPU can run, checked at run time for kernel dispatch, and the one place that
 * turns a request (GY_ISA=generic|avx2|avx512) into the instruction set the kernels use. */
#include <string.h>

#include "core/error.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)

int gy_cpu_has_avx2_fma(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int has_avx512(void)
{
    return gy_cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
}

#else

int gy_cpu_has_avx2_fma(void) { return 0; }
static int has_avx512(void) { return 0; }

#endif

gy_isa gy_cpu_best_isa(void)
{
    if (has_avx512())
        return GY_ISA_AVX512;
    if (gy_cpu_has_avx2_fma())
        return GY_ISA_AVX2;
    return GY_ISA_GENERIC;
}

const char *gy_isa_name(gy_isa isa)
{
    switch (isa) {
    case GY_ISA_AVX512: return "avx512";
    case GY_ISA_AVX2: return "avx2";
    case GY_ISA_GENERIC: break;
    }
    return "generic";
}

gy_status gy_isa_select(const char *request, gy_isa *isa, gy_error *err)
{
    gy_isa best = gy_cpu_best_isa();
    *isa = best;
    if (!request || !*request)
        return GY_OK;
    gy_isa want;
    if (!strcmp(request, "generic"))
        want = GY_ISA_GENERIC;
    else if (!strcmp(request, "avx2"))
        want = GY_ISA_AVX2;
    else if (!strcmp(request, "avx512"))
        want = GY_ISA_AVX512;
    else
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "GY_ISA '%s' is not one of generic, avx2, avx512", request);
    if (want > best)
        return gy_fail(err, GY_ERR_ARGUMENT, "GY_ISA '%s': this CPU only has %s", request,
                       gy_isa_name(best));
    *isa = want;
    return GY_OK;
}

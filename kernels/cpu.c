/* cpu.c - what the CPU can run, checked at run time for kernel dispatch. */
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(__i386__)

int gy_cpu_has_avx2_fma(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#else

int gy_cpu_has_avx2_fma(void) { return 0; }

#endif

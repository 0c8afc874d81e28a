/* cpu_kind.h - which kind of x86 machine the kernels run on (kernels/cpu/cpu_kind.c): the
 * vendor, family and model cpuid reports, the best instruction set, and whether 512-bit FMAs
 * run at full width, measured by timing the FMA loops of kernels/cpu/fma_peak*.c with 512- and
 * 256-bit vectors (Zen 4 and Zen 5 laptops execute AVX-512 on 256-bit halves, Zen 5 servers on
 * full 512-bit units; the family alone does not tell them apart). The kernels' tuning is chosen
 * from it once per model load. */
#ifndef GY_KERNELS_CPU_KIND_H
#define GY_KERNELS_CPU_KIND_H

#include "kernels/kernels.h"

typedef struct gy_cpu_kind {
    char vendor[16];      /* "AuthenticAMD", "GenuineIntel", ... ("" off x86) */
    char brand[52];       /* the processor name string, trimmed */
    int family, model;    /* cpuid's display family and model */
    int l2_kib;           /* L2 per core, KiB (0: unknown) */
    gy_isa isa;           /* the best instruction set the CPU runs */
    /* the FMA probe (one core, 16 / 12 independent chains, best of several short runs): the
     * GFLOP/s with 512- and 256-bit vectors (0: not measured, no AVX-512) and their verdict */
    double gflops512, gflops256;
    int full512;          /* 1: 512-bit FMAs at twice the 256-bit rate (two full-width pipes) */
} gy_cpu_kind;

/* cpuid, then the probe when the CPU has AVX-512 (about 1 ms of one core). */
void gy_cpu_kind_detect(gy_cpu_kind *k);
/* The probe's verdict from its two rates: 512-bit FMAs more than 1.5 times the 256-bit rate. */
int gy_cpu_full512(double gflops512, double gflops256);

/* The tuning for kernels of `isa` on CPU kind k, or the one `request` names ("base",
 * "full512"; NULL or "": from the CPU) -- a request is for tests, which run every variant
 * (GY_TUNE); one the ISA has no kernels for, or an unknown name, is an error naming it. */
gy_status gy_tune_select(const gy_cpu_kind *k, gy_isa isa, const char *request, gy_tune *tune,
                         gy_error *err);

#endif

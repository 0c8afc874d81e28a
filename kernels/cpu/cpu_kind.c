/* cpu_kind.c - the kind of machine (kernels/cpu/cpu_kind.h): cpuid's vendor, family, model,
 * name and L2 size, and the FMA probe that tells full-width AVX-512 from AVX-512 on 256-bit
 * halves; the tuning chosen from it. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "kernels/cpu/cpu_kind.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static void read_cpuid(gy_cpu_kind *k)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return;
    memcpy(k->vendor, &b, 4);
    memcpy(k->vendor + 4, &d, 4);
    memcpy(k->vendor + 8, &c, 4);
    k->vendor[12] = '\0';
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        int fam = (int)(a >> 8 & 0xf), mod = (int)(a >> 4 & 0xf);
        if (fam == 0xf)
            fam += (int)(a >> 20 & 0xff);
        if (fam == 0x6 || fam >= 0xf)
            mod += (int)(a >> 16 & 0xf) << 4;
        k->family = fam;
        k->model = mod;
    }
    unsigned top = __get_cpuid_max(0x80000000u, NULL);
    if (top >= 0x80000004u) {
        unsigned r[12];
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002u + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
        char s[49];
        memcpy(s, r, 48);
        s[48] = '\0';
        char *p = s, *e = s + strlen(s);
        while (*p == ' ')
            p++;
        while (e > p && (e[-1] == ' ' || e[-1] == '\0'))
            *--e = '\0';
        snprintf(k->brand, sizeof k->brand, "%s", p);
    }
    if (top >= 0x80000006u && __get_cpuid(0x80000006u, &a, &b, &c, &d))
        k->l2_kib = (int)(c >> 16);
}

#else

static void read_cpuid(gy_cpu_kind *k)
{
    (void)k;
}

#endif

static double thread_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* GFLOP/s of one run of `iters` rounds of the ISA's FMA loop, in the thread's CPU time. */
static double probe(gy_isa isa, long iters)
{
    float sink = 0.0f;
    double t0 = thread_seconds();
    double flops = gy_fma_peak_run(isa, iters, &sink);
    double t = thread_seconds() - t0;
    if (sink == -1.0f) /* never: keeps the loop's result alive */
        flops += 1.0;
    return t > 0.0 ? flops / t / 1e9 : 0.0;
}

int gy_cpu_full512(double gflops512, double gflops256)
{
    return gflops256 > 0.0 && gflops512 > 1.5 * gflops256;
}

void gy_cpu_kind_detect(gy_cpu_kind *k)
{
    memset(k, 0, sizeof *k);
    read_cpuid(k);
    k->isa = gy_cpu_best_isa();
    if (k->isa < GY_ISA_AVX512)
        return;
    /* the best of 8 runs of each width, alternated, ~30 us a run (20000 rounds of 16 or 12
     * vector FMAs): a run that lost the core, or waited for a wider unit to power up, counts
     * for nothing */
    for (int round = 0; round < 8; round++) {
        double z = probe(GY_ISA_AVX512, 20000), y = probe(GY_ISA_AVX2, 20000);
        if (z > k->gflops512)
            k->gflops512 = z;
        if (y > k->gflops256)
            k->gflops256 = y;
    }
    k->full512 = gy_cpu_full512(k->gflops512, k->gflops256);
}

const char *gy_tune_name(gy_tune t)
{
    return t == GY_TUNE_FULL512 ? "full512" : "base";
}

gy_status gy_tune_select(const gy_cpu_kind *k, gy_isa isa, const char *request, gy_tune *tune,
                         gy_error *err)
{
    *tune = isa == GY_ISA_AVX512 && k->full512 ? GY_TUNE_FULL512 : GY_TUNE_BASE;
    if (!request || !*request)
        return GY_OK;
    if (!strcmp(request, "base")) {
        *tune = GY_TUNE_BASE;
        return GY_OK;
    }
    if (!strcmp(request, "full512")) {
        if (isa != GY_ISA_AVX512)
            return gy_fail(err, GY_ERR_ARGUMENT,
                           "GY_TUNE 'full512': the %s kernels have no such variant (avx512 only)",
                           gy_isa_name(isa));
        *tune = GY_TUNE_FULL512;
        return GY_OK;
    }
    return gy_fail(err, GY_ERR_ARGUMENT, "GY_TUNE '%s' is not one of base, full512", request);
}

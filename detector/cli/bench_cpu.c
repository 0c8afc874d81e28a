/* bench_cpu.c - the machine line of `ghostyolo bench` (bench_cpu.h). */
#include "detector/cli/bench_cpu.h"

static const char *width(const gy_cpu_kind *k)
{
    if (k->isa < GY_ISA_AVX512)
        return "no AVX-512";
    return k->full512 ? "512-bit FMAs at full width" : "512-bit FMAs on 256-bit halves";
}

void cli_bench_cpu_text(FILE *f, const gy_model *m)
{
    const gy_cpu_kind *k = &m->cpu;
    fprintf(f, "CPU: %s family %d model %d (%s), L2 %d KiB, %s with %s", k->vendor[0] ? k->vendor : "unknown",
            k->family, k->model, k->brand[0] ? k->brand : "no name", k->l2_kib,
            gy_isa_name(k->isa), width(k));
    if (k->isa >= GY_ISA_AVX512)
        fprintf(f, " (probe: 512-bit %.1f, 256-bit %.1f GFLOP/s)", k->gflops512, k->gflops256);
    fprintf(f, "; kernels %s, tuning %s\n", gy_isa_name(m->isa), gy_tune_name(m->tune));
}

void cli_bench_cpu_json(cJSON *o, const gy_model *m)
{
    const gy_cpu_kind *k = &m->cpu;
    cJSON *c = cJSON_AddObjectToObject(o, "cpu");
    if (!c)
        return;
    cJSON_AddStringToObject(c, "vendor", k->vendor);
    cJSON_AddNumberToObject(c, "family", k->family);
    cJSON_AddNumberToObject(c, "model", k->model);
    cJSON_AddStringToObject(c, "name", k->brand);
    cJSON_AddNumberToObject(c, "l2_kib", k->l2_kib);
    cJSON_AddStringToObject(c, "isa", gy_isa_name(k->isa));
    if (k->isa >= GY_ISA_AVX512) {
        cJSON_AddBoolToObject(c, "avx512_full_width", k->full512);
        cJSON_AddNumberToObject(c, "probe_gflops_512", k->gflops512);
        cJSON_AddNumberToObject(c, "probe_gflops_256", k->gflops256);
    } else {
        cJSON_AddNullToObject(c, "avx512_full_width");
    }
    cJSON_AddStringToObject(c, "kernels", gy_isa_name(m->isa));
    cJSON_AddStringToObject(c, "tuning", gy_tune_name(m->tune));
}

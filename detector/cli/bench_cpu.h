/* bench_cpu.h - the machine line of `ghostyolo bench` (bench_cpu.c): the CPU kind the model's
 * kernels were tuned for (vendor, family / model, name, L2, instruction set, whether 512-bit
 * FMAs run at full width as the FMA probe measured) in text and JSON, so that every figure says
 * where it was measured. */
#ifndef GY_CLI_BENCH_CPU_H
#define GY_CLI_BENCH_CPU_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "detector/model.h"

/* "CPU: AuthenticAMD family 26 model 2 (AMD EPYC ...), L2 1024 KiB, avx512 with 512-bit FMAs
 * at full width (probe: 512-bit 287.1, 256-bit 143.6 GFLOP/s); kernels avx512, tuning full512" */
void cli_bench_cpu_text(FILE *f, const gy_model *m);
/* The same as a "cpu" object of o. */
void cli_bench_cpu_json(cJSON *o, const gy_model *m);

#endif

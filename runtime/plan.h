/* plan.h - for one input size: every tensor's spatial size, and one activation arena laid out by
 * liveness (storages whose lifetimes do not overlap share memory), plus the scratch each thread
 * needs (the largest task's, runtime/run.c). */
#ifndef GY_RUNTIME_PLAN_H
#define GY_RUNTIME_PLAN_H

#include <stddef.h>

#include "core/graph.h"

/* No tensor may be larger than this per side (keeps every size product inside int ranges). */
#define GY_PLAN_MAX_SIDE 65536

enum { GY_FUSED_PWDW = 1, GY_FUSED_DWPW = 2, GY_FUSED_PWS2 = 3 };

typedef struct gy_plan {
    int in_h, in_w;
    int *th, *tw;        /* per tensor spatial size */
    size_t *toff;        /* per tensor offset (floats) into the arena */
    size_t arena_floats;
    size_t scratch_floats; /* per thread (a multiple of 16: slices stay 64-byte aligned) */
    unsigned char *fused; /* per op: GY_FUSED_PWDW when op i, a pointwise conv, runs fused with
                           * the depthwise conv i + 1 that alone reads its output (kernels.h,
                           * gy_pwdw_run), GY_FUSED_DWPW when op i, a depthwise conv, runs fused
                           * with the pointwise conv i + 1 (gy_dwpw_run), GY_FUSED_PWS2 when op
                           * i, a pointwise conv, runs fused with the direct stride-2 conv i + 1
                           * (gy_pws2_run), else 0: op i's output
                           * then has no memory and op i + 1 no work of its own */
    int anchors;         /* Detect output columns */
    int nstrides;
    int strides[GY_OP_MAX_IN];
} gy_plan;

/* Infers shapes and lays out memory for an input of h x w. Errors name the op's YAML row. */
gy_status gy_plan_make(const gy_graph *g, int h, int w, gy_plan *plan, gy_error *err);
void gy_plan_free(gy_plan *plan);

/* Spatial output size of a conv/pool window; <= 0 when the input is too small. */
int gy_window_out(int in, int k, int s, int p);
/* Output size of a pooling window as torch computes it (ceil_mode: rounded up, but the last
 * window must start inside the input or its left padding); <= 0 when the input is too small. */
int gy_pool_out(int in, int k, int s, int p, int ceil_mode);

#endif

/* run.h - runs a planned graph: every op in order, reading and writing the arena. */
#ifndef GY_RUNTIME_RUN_H
#define GY_RUNTIME_RUN_H

#include "core/graph.h"
#include "kernels/kernels.h"
#include "runtime/plan.h"

/* Per-thread scratch blocks are multiples of this many floats (64 bytes). */
#define GY_RUN_SCRATCH_ALIGN 16

typedef struct gy_run_args {
    const gy_graph *g;
    const gy_plan *plan;
    float *arena;     /* the graph's input tensor already at plan->toff[g->input] */
    float *scratch;   /* nthreads blocks of plan->scratch_floats floats, 64-byte aligned */
    int nthreads;     /* threads of the one parallel region (1: no region) */
    gy_isa isa;       /* the kernels' instruction set */
    double *op_ms;    /* NULL, or g->nops entries that receive each op's wall time (ms) */
} gy_run_args;

/* Runs every op; allocates nothing. */
void gy_run_ops(const gy_run_args *args);

/* The scratch one thread needs for the largest task of any op (plan->scratch_floats). */
size_t gy_run_scratch_floats(const gy_graph *g, const gy_plan *p);
/* How many tasks op `op` is split into on one thread (bench, tests). */
size_t gy_run_op_tasks(const gy_graph *g, const gy_plan *p, int op);

#endif

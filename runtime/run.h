/* run.h - runs a planned graph: every op in order, reading and writing the arena. */
#ifndef GY_RUNTIME_RUN_H
#define GY_RUNTIME_RUN_H

#include "core/graph.h"
#include "runtime/plan.h"

/* The graph's input tensor must already be in the arena (at plan->toff[g->input]). scratch holds
 * nthreads * plan->scratch_floats floats (one slice per thread). op_ms: NULL, or g->nops entries that receive each op's wall time
 * in milliseconds. Allocates nothing. */
void gy_run_ops(const gy_graph *g, const gy_plan *plan, float *arena, float *scratch, int nthreads,
                double *op_ms);

#endif

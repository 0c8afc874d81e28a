/* qrun.h - runs an int8 plan (qplan.h): its steps in order, each split into tasks over the
 * session's threads (team.h), on one byte arena. */
#ifndef GY_RUNTIME_QRUN_H
#define GY_RUNTIME_QRUN_H

#include "runtime/qplan.h"

typedef struct gy_qwork gy_qwork;

/* Binds every step of the plan to the arena (allocated by the caller: p->arena_bytes, 64-byte
 * aligned); the result serves every forward on that arena. isa: the float kernels'. */
gy_status gy_qrun_bind(const gy_graph *g, const gy_qgraph *q, const gy_qplan *p, uint8_t *arena,
                       gy_isa isa, gy_qwork **out, gy_error *err);
void gy_qrun_unbind(gy_qwork *w);

typedef struct gy_qrun_args {
    const gy_qplan *plan;
    const gy_qwork *work;
    float *scratch;    /* nthreads blocks of plan->scratch_floats floats, 64-byte aligned */
    int nthreads;
    double *op_ms;     /* NULL, or one entry per graph op: the wall time of its steps */
    /* NULL, or called after every step on the calling thread (nthreads must be 1) */
    void (*observe)(void *user, int step);
    void *observe_user;
} gy_qrun_args;

/* Runs every step; allocates nothing. The input goes into the plan's input buffer first. */
void gy_qrun(const gy_qrun_args *a);

#endif

/* session.h - the inside of gy_session: the plan for the current input size and its memory. */
#ifndef GY_DETECTOR_SESSION_H
#define GY_DETECTOR_SESSION_H

#include "kernels/kernels.h"
#include "runtime/plan.h"
#include "runtime/qrun.h"
#include "detector/model.h"

struct gy_session {
    const gy_model *model;
    int nthreads;
    int planned;
    gy_plan plan;
    float *arena;
    float *scratch;   /* nthreads blocks of plan.scratch_floats */
    double *op_ms;    /* per-op wall time of the last forward when timing is on, else NULL */
    float *input;     /* letterbox buffer for gy_detect (3 x h x w) */
    size_t input_cap;
    /* int8 models: their plan, byte arena and bound steps (plan above: the shapes) */
    gy_qplan qplan;
    uint8_t *qarena;
    gy_qwork *qwork;
};

/* Bytes of the activation arena of the current plan (float or int8). */
size_t gy_session_arena_bytes(const gy_session *s);

/* Turns per-op timing on (allocates op_ms) or off. */
gy_status gy_session_set_timing(gy_session *s, int on, gy_error *err);

#endif

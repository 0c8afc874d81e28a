/* session.c - per-thread state (the plan for the current input size, its arena and scratch) and
 * the forward pass, which hands the ops to the runtime (runtime/run.c). */
#include "detector/session.h"

#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "runtime/run.h"

gy_session_params gy_session_default_params(void)
{
    gy_session_params p;
    memset(&p, 0, sizeof p);
    return p;
}

gy_status gy_session_create(const gy_model *model, const gy_session_params *params,
                            gy_session **out, gy_error *err)
{
    if (!out || !model)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_session_create: model and out must not be NULL");
    *out = NULL;
    gy_session_params defaults = gy_session_default_params();
    if (!params)
        params = &defaults;
    if (params->num_threads < 0 || params->num_threads > 1024)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_session_create: num_threads %d is out of range",
                       params->num_threads);
    gy_session *s = calloc(1, sizeof *s);
    if (!s)
        return gy_fail(err, GY_ERR_NOMEM, "gy_session_create: out of memory");
    s->model = model;
    s->nthreads = params->num_threads ? params->num_threads : omp_get_num_procs();
    if (s->nthreads < 1)
        s->nthreads = 1;
    *out = s;
    return GY_OK;
}

static void release(gy_session *s)
{
    gy_qrun_unbind(s->qwork);
    s->qwork = NULL;
    gy_qplan_free(&s->qplan);
    free(s->qarena);
    s->qarena = NULL;
    gy_plan_free(&s->plan);
    free(s->arena);
    free(s->scratch);
    s->arena = s->scratch = NULL;
    s->planned = 0;
}

void gy_session_free(gy_session *s)
{
    if (!s)
        return;
    release(s);
    free(s->op_ms);
    free(s->input);
    free(s);
}

gy_status gy_session_set_timing(gy_session *s, int on, gy_error *err)
{
    free(s->op_ms);
    s->op_ms = NULL;
    if (on) {
        s->op_ms = calloc((size_t)s->model->graph.nops + 1, sizeof *s->op_ms);
        if (!s->op_ms)
            return gy_fail(err, GY_ERR_NOMEM, "out of memory for timing");
    }
    return GY_OK;
}

static float *alloc_floats(size_t n)
{
    size_t bytes;
    if (!gy_mul_size(n ? n : 1, sizeof(float), &bytes))
        return NULL;
    bytes = (bytes + 63) / 64 * 64;
    return aligned_alloc(64, bytes);
}

/* The int8 plan, its byte arena, the float scratch of float layers, the bound steps. */
static gy_status reserve_int8(gy_session *s, int h, int w, gy_error *err)
{
    gy_status st = gy_qplan_make(&s->model->graph, s->model->q, h, w, 0, &s->qplan, err);
    if (st != GY_OK) {
        release(s);
        return st;
    }
    size_t scratch_floats = 0;
    s->qarena = aligned_alloc(64, (s->qplan.arena_bytes + 63) / 64 * 64 + 64);
    if (gy_mul_size(s->qplan.scratch_floats, (size_t)s->nthreads, &scratch_floats))
        s->scratch = alloc_floats(scratch_floats);
    if (!s->qarena || !s->scratch) {
        size_t mb = (s->qplan.arena_bytes + scratch_floats * sizeof(float)) >> 20;
        release(s);
        return gy_fail(err, GY_ERR_NOMEM, "cannot allocate %zu MiB of activations for a %dx%d input",
                       mb, h, w);
    }
    st = gy_qrun_bind(&s->model->graph, s->model->q, &s->qplan, s->qarena, s->model->isa,
                      &s->qwork, err);
    if (st != GY_OK) {
        release(s);
        return st;
    }
    s->planned = 1;
    return GY_OK;
}

size_t gy_session_arena_bytes(const gy_session *s)
{
    return s->model->q ? s->qplan.arena_bytes : s->plan.arena_floats * sizeof(float);
}

gy_status gy_session_reserve(gy_session *s, int h, int w, gy_error *err)
{
    if (!s)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_session_reserve: session is NULL");
    /* Any size whose shapes agree through the graph (the plan names the first row where they
     * do not, e.g. a Concat of 10x10 and 9x9); stride-2 convs and pools round up. */
    if (h <= 0 || w <= 0 || h > 16384 || w > 16384)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "input size %dx%d (h x w) must be positive, at most 16384 per side", h, w);
    if (s->planned && s->plan.in_h == h && s->plan.in_w == w)
        return GY_OK;
    release(s);
    gy_status st = gy_plan_make(&s->model->graph, h, w, &s->plan, err);
    if (st != GY_OK)
        return st;
    if (s->model->q)
        return reserve_int8(s, h, w, err);
    s->arena = alloc_floats(s->plan.arena_floats);
    size_t scratch_floats = 0; /* one slice per thread */
    if (gy_mul_size(s->plan.scratch_floats, (size_t)s->nthreads, &scratch_floats))
        s->scratch = alloc_floats(scratch_floats);
    if (!s->arena || !s->scratch) {
        size_t mb = (s->plan.arena_floats + scratch_floats) * sizeof(float) >> 20;
        release(s);
        return gy_fail(err, GY_ERR_NOMEM, "cannot allocate %zu MiB of activations for a %dx%d input",
                       mb, h, w);
    }
    s->planned = 1;
    return GY_OK;
}

gy_status gy_forward(gy_session *s, const float *input, int h, int w, gy_output *out,
                     gy_error *err)
{
    if (!s || !input || !out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_forward: session, input and out must not be NULL");
    if (!s->model->has_weights)
        return gy_fail(err, GY_ERR_STATE, "%s: the model was loaded without weights",
                       s->model->config_path);
    gy_status st = gy_session_reserve(s, h, w, err);
    if (st != GY_OK)
        return st;
    const gy_graph *g = &s->model->graph;
    if (s->model->q) {
        const gy_qplan *p = &s->qplan;
        gy_qview in = {p->in_buf, 0, g->tensors[g->input].c}, o = {p->out_buf, 0, 0};
        memcpy(gy_qplan_floats(p, s->qarena, in), input,
               sizeof(float) * (size_t)in.c * (size_t)h * (size_t)w);
        gy_qrun_args qa = {.plan = p, .work = s->qwork, .scratch = s->scratch,
                           .nthreads = s->nthreads, .op_ms = s->op_ms};
        gy_qrun(&qa);
        out->data = gy_qplan_floats(p, s->qarena, o);
        out->channels = g->tensors[g->output].c;
        out->anchors = s->plan.anchors;
        return GY_OK;
    }
    memcpy(s->arena + s->plan.toff[g->input], input,
           sizeof(float) * (size_t)g->tensors[g->input].c * (size_t)h * (size_t)w);
    gy_run_args run = {.g = g, .plan = &s->plan, .arena = s->arena, .scratch = s->scratch,
                       .nthreads = s->nthreads, .isa = s->model->isa, .op_ms = s->op_ms};
    gy_run_ops(&run);
    out->data = s->arena + s->plan.toff[g->output];
    out->channels = g->tensors[g->output].c;
    out->anchors = s->plan.anchors;
    return GY_OK;
}

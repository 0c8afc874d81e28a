/* session.c - per-thread state and the forward pass: the ops of the graph in order, each a call
 * into the compute core with pointers from the planned arena. */
#include "detector/session.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/kernels.h"
#include "core/util.h"
#include "head/decode.h"

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

gy_status gy_session_reserve(gy_session *s, int h, int w, gy_error *err)
{
    if (!s)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_session_reserve: session is NULL");
    if (h <= 0 || w <= 0 || h % 32 || w % 32 || h > 16384 || w > 16384)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "input size %dx%d (h x w) must be positive multiples of 32, at most 16384",
                       h, w);
    if (s->planned && s->plan.in_h == h && s->plan.in_w == w)
        return GY_OK;
    release(s);
    gy_status st = gy_plan_make(&s->model->graph, h, w, &s->plan, err);
    if (st != GY_OK)
        return st;
    s->arena = alloc_floats(s->plan.arena_floats);
    s->scratch = alloc_floats(s->plan.scratch_floats);
    if (!s->arena || !s->scratch) {
        size_t mb = (s->plan.arena_floats + s->plan.scratch_floats) * sizeof(float) >> 20;
        release(s);
        return gy_fail(err, GY_ERR_NOMEM, "cannot allocate %zu MiB of activations for a %dx%d input",
                       mb, h, w);
    }
    s->planned = 1;
    return GY_OK;
}

static void run_op(gy_session *s, const gy_op *op)
{
    const gy_graph *g = &s->model->graph;
    const gy_plan *p = &s->plan;
    float *A = s->arena;
    int nt = s->nthreads;
    int in = op->in[0], out = op->out;
    const float *x = A + p->toff[in];
    float *y = A + p->toff[out];
    int c = g->tensors[out].c;
    size_t plane = (size_t)p->th[out] * p->tw[out];
    switch (op->type) {
    case GY_OP_CONV: {
        gy_conv_run r = {.p = &g->convs[op->conv], .in = x, .ih = p->th[in], .iw = p->tw[in],
                         .out = y, .oh = p->th[out], .ow = p->tw[out],
                         .res = op->res >= 0 ? A + p->toff[op->res] : NULL,
                         .res_before_act = op->res_before_act, .act = op->act,
                         .scratch = s->scratch, .nthreads = nt};
        gy_f32_conv2d(&r);
        break;
    }
    case GY_OP_MAXPOOL:
        gy_f32_maxpool2d(x, y, c, p->th[in], p->tw[in], p->th[out], p->tw[out], op->k, op->stride,
                         op->pad, nt);
        break;
    case GY_OP_AVGPOOL:
        gy_f32_avgpool2d(x, y, c, p->th[in], p->tw[in], p->th[out], p->tw[out], op->k, op->stride, nt);
        break;
    case GY_OP_UPSAMPLE:
        gy_f32_upsample_nearest(x, y, c, p->th[in], p->tw[in], p->th[out], p->tw[out], nt);
        break;
    case GY_OP_COPY:
        memcpy(y, x, sizeof *y * plane * (size_t)c);
        break;
    case GY_OP_MUL:
    case GY_OP_ADD: {
        const float *x2 = A + p->toff[op->in[1]];
        size_t n = plane * (size_t)c;
        int mul = op->type == GY_OP_MUL;
        gy_act act = op->act;
#pragma omp parallel for num_threads(nt) schedule(static)
        for (size_t i = 0; i < n; i++)
            y[i] = mul ? x[i] * gy_act_apply(act, x2[i]) : x[i] + gy_act_apply(act, x2[i]);
        break;
    }
    case GY_OP_DETECT: {
        const float *levels[GY_OP_MAX_IN];
        int hs[GY_OP_MAX_IN], ws[GY_OP_MAX_IN];
        for (int l = 0; l < op->nin; l++) {
            levels[l] = A + p->toff[op->in[l]];
            hs[l] = p->th[op->in[l]];
            ws[l] = p->tw[op->in[l]];
        }
        gy_detect_decode(op->nin, levels, hs, ws, p->strides, op->nc, op->reg_max,
                         g->convs[op->dfl_conv].w, y, p->anchors, nt);
        break;
    }
    }
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
    memcpy(s->arena + s->plan.toff[g->input], input,
           sizeof(float) * (size_t)g->tensors[g->input].c * (size_t)h * (size_t)w);
    for (int i = 0; i < g->nops; i++) {
        double t0 = s->op_ms ? omp_get_wtime() : 0.0;
        run_op(s, &g->ops[i]);
        if (s->op_ms)
            s->op_ms[i] = (omp_get_wtime() - t0) * 1e3;
    }
    out->data = s->arena + s->plan.toff[g->output];
    out->channels = g->tensors[g->output].c;
    out->anchors = s->plan.anchors;
    return GY_OK;
}

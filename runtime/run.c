/* run.c - the forward pass over the graph's primitive ops, in order: each op is one call into
 * the kernels with pointers from the planned arena. The runtime knows no YAML modules. */
#include "runtime/run.h"

#include <omp.h>
#include <string.h>

#include "kernels/detect_decode.h"
#include "kernels/kernels.h"

static void run_op(const gy_graph *g, const gy_plan *p, float *A, float *scratch, int nt,
                   const gy_op *op)
{
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
                         .res_before_act = op->res_before_act, .act = op->act};
        /* Until the single-region runner lands: one region per conv over its tasks, each thread
         * with its own slice of scratch (plan->scratch_floats per thread). */
        long ntasks = (long)gy_f32_conv2d_tasks(&r);
#pragma omp parallel num_threads(ntasks < nt ? (int)ntasks : nt)
        {
            float *mine = scratch + (size_t)omp_get_thread_num() * p->scratch_floats;
#pragma omp for schedule(dynamic)
            for (long t = 0; t < ntasks; t++)
                gy_f32_conv2d_task(&r, (size_t)t, mine);
        }
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
        gy_f32_binary_act(op->type == GY_OP_MUL, x, x2, op->act, y, plane * (size_t)c, nt);
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

void gy_run_ops(const gy_graph *g, const gy_plan *p, float *arena, float *scratch, int nthreads,
                double *op_ms)
{
    for (int i = 0; i < g->nops; i++) {
        double t0 = op_ms ? omp_get_wtime() : 0.0;
        run_op(g, p, arena, scratch, nthreads, &g->ops[i]);
        if (op_ms)
            op_ms[i] = (omp_get_wtime() - t0) * 1e3;
    }
}

/* qrun.c - the int8 forward pass (qrun.h): every step bound once to the arena as the run record
 * of its kernel (kernels_qu8.h for uint8 steps, kernels.h for float ones), then the steps run in
 * order on the team (team.h). A step that first writes a uint8 buffer with a border also fills
 * that border with the zero point (extra tasks). */
#include "runtime/qrun.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "kernels/f32-decode/detect_decode.h"
#include "kernels/kernels.h"
#include "runtime/team.h"

struct gy_qwork {
    gy_qstep_kind kind;
    gy_op_type ftype; /* GY_QS_FOP: the float op */
    int op;
    union {
        gy_qu8_conv_run qconv;
        gy_conv_run fconv;
        gy_qu8_pool_run qpool;
        gy_qu8_copy_run qcopy;
        gy_qu8_add_run qadd;
        gy_qu8_convert_run cvt;
        gy_pool_run fpool;
        gy_upsample_run fup;
        gy_binary_run fbin;
        gy_decode_run dec;
    } u;
    gy_qu8_map res;      /* the conv's residual map */
    gy_qu8_map border;   /* the buffer whose border this step fills */
    size_t nmain, nborder;
};

void gy_qrun_unbind(gy_qwork *w)
{
    free(w);
}

static size_t main_tasks(const gy_qwork *w)
{
    switch (w->kind) {
    case GY_QS_QCONV: return gy_qu8_conv2d_tasks(&w->u.qconv);
    case GY_QS_FCONV: return gy_f32_conv2d_tasks(&w->u.fconv);
    case GY_QS_QMAXPOOL: return gy_qu8_maxpool_tasks(&w->u.qpool);
    case GY_QS_QCOPY: return gy_qu8_copy_tasks(&w->u.qcopy);
    case GY_QS_QADD: return gy_qu8_add_tasks(&w->u.qadd);
    case GY_QS_QUANT:
    case GY_QS_DEQUANT: return gy_qu8_convert_tasks(&w->u.cvt);
    case GY_QS_DETECT: return gy_f32_detect_decode_tasks(&w->u.dec);
    case GY_QS_FOP:
        switch (w->ftype) {
        case GY_OP_MAXPOOL: return gy_f32_maxpool2d_tasks(&w->u.fpool);
        case GY_OP_AVGPOOL: return gy_f32_avgpool2d_tasks(&w->u.fpool);
        case GY_OP_UPSAMPLE: return gy_f32_upsample_nearest_tasks(&w->u.fup);
        default: return gy_f32_binary_act_tasks(&w->u.fbin);
        }
    }
    return 0;
}

static void run_task(const gy_qwork *w, size_t t, float *scratch)
{
    if (t >= w->nmain) {
        gy_qu8_border_task(&w->border, t - w->nmain);
        return;
    }
    switch (w->kind) {
    case GY_QS_QCONV: gy_qu8_conv2d_task(&w->u.qconv, t, scratch); break;
    case GY_QS_FCONV: gy_f32_conv2d_task(&w->u.fconv, t, scratch); break;
    case GY_QS_QMAXPOOL: gy_qu8_maxpool_task(&w->u.qpool, t); break;
    case GY_QS_QCOPY: gy_qu8_copy_task(&w->u.qcopy, t); break;
    case GY_QS_QADD: gy_qu8_add_task(&w->u.qadd, t); break;
    case GY_QS_QUANT:
    case GY_QS_DEQUANT: gy_qu8_convert_task(&w->u.cvt, t); break;
    case GY_QS_DETECT: gy_f32_detect_decode_task(&w->u.dec, t, scratch); break;
    case GY_QS_FOP:
        switch (w->ftype) {
        case GY_OP_MAXPOOL: gy_f32_maxpool2d_task(&w->u.fpool, t, scratch); break;
        case GY_OP_AVGPOOL: gy_f32_avgpool2d_task(&w->u.fpool, t, scratch); break;
        case GY_OP_UPSAMPLE: gy_f32_upsample_nearest_task(&w->u.fup, t, scratch); break;
        default: gy_f32_binary_act_task(&w->u.fbin, t, scratch); break;
        }
        break;
    }
}

static void bind_step(const gy_graph *g, const gy_qgraph *q, const gy_qplan *p, uint8_t *A,
                      gy_isa isa, const gy_qstep *s, gy_qwork *w)
{
    const gy_op *op = &g->ops[s->op];
    const gy_qbuf *ib = &p->bufs[s->in[0].buf], *ob = &p->bufs[s->out.buf];
    memset(w, 0, sizeof *w);
    w->kind = s->kind;
    w->op = s->op;
    w->ftype = op->type;
    switch (s->kind) {
    case GY_QS_QCONV: {
        const gy_qconv *qc = &q->convs[op->conv];
        gy_qu8_conv_run *r = &w->u.qconv;
        r->p = &qc->k;
        r->w = qc->w;
        r->in = gy_qplan_map(p, A, s->in[0]);
        r->oh = ob->h;
        r->ow = ob->w;
        r->mul = qc->mul;
        r->add = qc->add;
        r->act = op->act;
        if (s->res.buf >= 0) {
            w->res = gy_qplan_map(p, A, s->res);
            r->res = &w->res;
            r->res_before_act = op->res_before_act;
        }
        if (ob->dtype == GY_QDT_U8)
            r->out = gy_qplan_map(p, A, s->out);
        else
            r->outf = gy_qplan_floats(p, A, s->out);
        break;
    }
    case GY_QS_FCONV:
        w->u.fconv = (gy_conv_run){.p = &g->convs[op->conv], .in = gy_qplan_floats(p, A, s->in[0]),
                                   .ih = ib->h, .iw = ib->w, .out = gy_qplan_floats(p, A, s->out),
                                   .oh = ob->h, .ow = ob->w,
                                   .res = s->res.buf >= 0 ? gy_qplan_floats(p, A, s->res) : NULL,
                                   .res_before_act = op->res_before_act, .act = op->act};
        break;
    case GY_QS_QMAXPOOL:
        w->u.qpool = (gy_qu8_pool_run){.in = gy_qplan_map(p, A, s->in[0]),
                                       .out = gy_qplan_map(p, A, s->out), .k = op->k,
                                       .stride = op->stride, .pad = op->pad,
                                       .lut = s->lut >= 0 ? p->luts[s->lut] : NULL};
        break;
    case GY_QS_QCOPY:
        w->u.qcopy = (gy_qu8_copy_run){.in = gy_qplan_map(p, A, s->in[0]),
                                       .out = gy_qplan_map(p, A, s->out),
                                       .lut = s->lut >= 0 ? p->luts[s->lut] : NULL,
                                       .qisa = q->qisa};
        break;
    case GY_QS_QADD:
        w->u.qadd = (gy_qu8_add_run){.a = gy_qplan_map(p, A, s->in[0]),
                                     .b = gy_qplan_map(p, A, s->in[1]),
                                     .out = gy_qplan_map(p, A, s->out)};
        break;
    case GY_QS_QUANT:
        w->u.cvt = (gy_qu8_convert_run){.f = gy_qplan_floats(p, A, s->in[0]),
                                        .q = gy_qplan_map(p, A, s->out), .to_u8 = 1,
                                        .qisa = gy_qisa_for(isa)};
        break;
    case GY_QS_DEQUANT:
        w->u.cvt = (gy_qu8_convert_run){.f = gy_qplan_floats(p, A, s->out),
                                        .q = gy_qplan_map(p, A, s->in[0]), .to_u8 = 0,
                                        .qisa = gy_qisa_for(isa)};
        break;
    case GY_QS_DETECT: {
        gy_decode_run *d = &w->u.dec;
        d->nl = op->nin;
        for (int l = 0; l < op->nin && l < GY_DECODE_MAX_LEVELS; l++) {
            d->levels[l] = gy_qplan_floats(p, A, s->in[l]);
            d->hs[l] = p->bufs[s->in[l].buf].h;
            d->ws[l] = p->bufs[s->in[l].buf].w;
            d->strides[l] = p->shapes.strides[l];
        }
        d->nc = op->nc;
        d->reg_max = op->reg_max;
        d->bins = g->convs[op->dfl_conv].w;
        d->out = gy_qplan_floats(p, A, s->out);
        d->anchors = p->shapes.anchors;
        d->isa = isa;
        break;
    }
    case GY_QS_FOP: {
        float *x = gy_qplan_floats(p, A, s->in[0]), *y = gy_qplan_floats(p, A, s->out);
        size_t n = (size_t)ob->h * (size_t)ob->w * (size_t)s->out.c;
        switch (op->type) {
        case GY_OP_MAXPOOL:
        case GY_OP_AVGPOOL:
            w->u.fpool = (gy_pool_run){.in = x, .out = y, .c = s->out.c, .ih = ib->h, .iw = ib->w,
                                       .oh = ob->h, .ow = ob->w, .k = op->k, .stride = op->stride,
                                       .pad = op->pad, .isa = isa};
            break;
        case GY_OP_UPSAMPLE:
            w->u.fup = (gy_upsample_run){.in = x, .out = y, .c = s->out.c, .ih = ib->h, .iw = ib->w,
                                         .oh = ob->h, .ow = ob->w, .isa = isa};
            break;
        case GY_OP_COPY: w->u.fbin = (gy_binary_run){.a = x, .y = y, .n = n, .isa = isa}; break;
        default:
            w->u.fbin = (gy_binary_run){.mul = op->type == GY_OP_MUL, .a = x,
                                        .b = gy_qplan_floats(p, A, s->in[1]), .act = op->act,
                                        .y = y, .n = n, .isa = isa};
            break;
        }
        break;
    }
    }
    if (s->fill_border >= 0) {
        gy_qview whole = {s->fill_border, 0, p->bufs[s->fill_border].c};
        w->border = gy_qplan_map(p, A, whole);
        w->border.c = (int)w->border.pstride; /* the whole pixel */
        w->nborder = gy_qu8_border_tasks(&w->border);
    }
    w->nmain = main_tasks(w);
}

gy_status gy_qrun_bind(const gy_graph *g, const gy_qgraph *q, const gy_qplan *p, uint8_t *arena,
                       gy_isa isa, gy_qwork **out, gy_error *err)
{
    gy_qwork *w = calloc((size_t)p->nsteps + 1, sizeof *w);
    if (!w)
        return gy_fail(err, GY_ERR_NOMEM, "out of memory binding the int8 graph");
    for (int k = 0; k < p->nsteps; k++)
        bind_step(g, q, p, arena, isa, &p->steps[k], &w[k]);
    *out = w;
    return GY_OK;
}

typedef struct team_user {
    const gy_qrun_args *a;
} team_user;

static size_t team_tasks(void *user, int step)
{
    const gy_qwork *w = &((team_user *)user)->a->work[step];
    return w->nmain + w->nborder;
}

static void team_task(void *user, int step, size_t task, int thread)
{
    const gy_qrun_args *a = ((team_user *)user)->a;
    run_task(&a->work[step], task, a->scratch + (size_t)thread * a->plan->scratch_floats);
}

static void team_after(void *user, int step, double ms)
{
    const gy_qrun_args *a = ((team_user *)user)->a;
    if (a->op_ms)
        a->op_ms[a->work[step].op] += ms;
    if (a->observe)
        a->observe(a->observe_user, step);
}

void gy_qrun(const gy_qrun_args *a)
{
    team_user u = {a};
    if (a->op_ms)
        for (int k = 0; k < a->plan->nsteps; k++)
            a->op_ms[a->work[k].op] = 0.0;
    gy_team t = {.nthreads = a->observe ? 1 : a->nthreads, .nsteps = a->plan->nsteps,
                 .tasks = team_tasks, .task = team_task,
                 .after = a->op_ms || a->observe ? team_after : NULL, .user = &u};
    gy_team_run(&t);
}

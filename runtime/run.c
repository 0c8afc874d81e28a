/* run.c - the forward pass over the graph's primitive ops, in order, in ONE OpenMP parallel
 * region with the session's thread count. Each op is split into independent tasks (kernels.h,
 * "Task form"); the threads take them dynamically from a shared ticket counter, so a thread
 * that loses its core for a moment holds up at most the one task it is running, and meet at a
 * barrier (runtime/team.c) before the next op. The runtime knows no YAML modules. */
#include "runtime/run.h"

#include <omp.h>
#include <stdatomic.h>
#include <string.h>

#include "kernels/f32-decode/detect_decode.h"
#include "kernels/kernels.h"
#include "runtime/team.h"

/* One op bound to the arena: its kernel family and the run record the kernel reads. mode: the
 * op's own kernel, or a pointwise conv run fused with the depthwise conv after it (plan->fused),
 * or that depthwise conv (its work done by the op before). */
enum { WORK_OP, WORK_PWDW, WORK_DWPW, WORK_PWS2, WORK_NONE };

typedef struct op_work {
    gy_op_type type;
    int mode;
    union {
        gy_conv_run conv;
        gy_pwdw_run pwdw;
        gy_dwpw_run dwpw;
        gy_pws2_run pws2;
        gy_pool_run pool;
        gy_upsample_run up;
        gy_binary_run bin;
        gy_decode_run dec;
        gy_gap_run gap;
        gy_chan_run chan;
        gy_shuffle_run shuf;
    } u;
} op_work;

static float *at(float *A, size_t off) { return A ? A + off : NULL; }

static void bind_one(const gy_graph *g, const gy_plan *p, float *A, gy_isa isa, int threads,
                     const gy_op *op, op_work *w);

/* Op i bound (A == NULL: shapes only, for sizing scratch and counting tasks) for a run on
 * `threads` threads (how a conv is cut into tasks follows it). */
static void bind_op(const gy_graph *g, const gy_plan *p, float *A, gy_isa isa, int threads, int i,
                    op_work *w)
{
    if (p->fused && i > 0 && p->fused[i - 1]) {
        memset(w, 0, sizeof *w);
        w->mode = WORK_NONE;
        return;
    }
    if (p->fused && p->fused[i]) {
        op_work b;
        bind_one(g, p, A, isa, threads, &g->ops[i], w);
        bind_one(g, p, A, isa, threads, &g->ops[i + 1], &b);
        gy_conv_run a = w->u.conv; /* op i's output has no memory, op i + 1 reads none */
        a.out = NULL;
        b.u.conv.in = NULL;
        if (p->fused[i] == GY_FUSED_DWPW) {
            w->u.dwpw = (gy_dwpw_run){.dw = a, .pw = b.u.conv};
            w->mode = WORK_DWPW;
            return;
        }
        if (p->fused[i] == GY_FUSED_PWS2) {
            w->u.pws2 = (gy_pws2_run){.pw = a, .cv = b.u.conv};
            w->mode = WORK_PWS2;
            return;
        }
        w->u.pwdw = (gy_pwdw_run){.pw = a, .dw = b.u.conv};
        w->mode = WORK_PWDW;
        return;
    }
    bind_one(g, p, A, isa, threads, &g->ops[i], w);
}

static void bind_one(const gy_graph *g, const gy_plan *p, float *A, gy_isa isa, int threads,
                     const gy_op *op, op_work *w)
{
    int in = op->in[0], out = op->out;
    const float *x = at(A, p->toff[in]);
    float *y = at(A, p->toff[out]);
    int c = g->tensors[out].c;
    size_t plane = (size_t)p->th[out] * p->tw[out];
    memset(w, 0, sizeof *w);
    w->type = op->type;
    switch (op->type) {
    case GY_OP_CONV:
        w->u.conv = (gy_conv_run){.p = &g->convs[op->conv], .in = x, .ih = p->th[in],
                                  .iw = p->tw[in], .out = y, .oh = p->th[out], .ow = p->tw[out],
                                  .res = op->res >= 0 ? at(A, p->toff[op->res]) : NULL,
                                  .res_before_act = op->res_before_act, .act = op->act,
                                  .threads = threads};
        break;
    case GY_OP_MAXPOOL:
    case GY_OP_AVGPOOL:
        w->u.pool = (gy_pool_run){.in = x, .out = y, .c = c, .ih = p->th[in], .iw = p->tw[in],
                                  .oh = p->th[out], .ow = p->tw[out], .k = op->k,
                                  .stride = op->stride, .pad = op->pad, .isa = isa};
        break;
    case GY_OP_GAP:
        w->u.gap = (gy_gap_run){.in = x, .out = y, .c = c,
                                .plane = (size_t)p->th[in] * p->tw[in], .isa = isa};
        break;
    case GY_OP_MUL_CH:
    case GY_OP_ADD_CH:
        w->u.chan = (gy_chan_run){.mul = op->type == GY_OP_MUL_CH, .x = x,
                                  .p = at(A, p->toff[op->in[1]]), .act = op->act, .y = y, .c = c,
                                  .plane = plane, .isa = isa};
        break;
    case GY_OP_SHUFFLE:
        w->u.shuf = (gy_shuffle_run){.nin = op->nin, .out = y, .c = c, .groups = op->groups,
                                     .plane = plane};
        for (int j = 0; j < op->nin; j++)
            w->u.shuf.in[j] = at(A, p->toff[op->in[j]]);
        break;
    case GY_OP_UPSAMPLE:
        w->u.up = (gy_upsample_run){.in = x, .out = y, .c = c, .ih = p->th[in], .iw = p->tw[in],
                                    .oh = p->th[out], .ow = p->tw[out], .isa = isa};
        break;
    case GY_OP_COPY:
        w->u.bin = (gy_binary_run){.a = x, .y = y, .n = plane * (size_t)c, .isa = isa};
        break;
    case GY_OP_MUL:
    case GY_OP_ADD:
        w->u.bin = (gy_binary_run){.mul = op->type == GY_OP_MUL, .a = x,
                                   .b = at(A, p->toff[op->in[1]]), .act = op->act, .y = y,
                                   .n = plane * (size_t)c, .isa = isa};
        break;
    case GY_OP_DETECT: {
        gy_decode_run *d = &w->u.dec;
        d->nl = op->nin;
        for (int l = 0; l < op->nin && l < GY_DECODE_MAX_LEVELS; l++) {
            d->levels[l] = at(A, p->toff[op->in[l]]);
            d->hs[l] = p->th[op->in[l]];
            d->ws[l] = p->tw[op->in[l]];
            d->strides[l] = p->strides[l];
        }
        d->nc = op->nc;
        d->reg_max = op->reg_max;
        d->bins = g->convs[op->dfl_conv].w;
        d->out = y;
        d->anchors = p->anchors;
        d->isa = isa;
        break;
    }
    }
}

static size_t work_tasks(const op_work *w)
{
    if (w->mode != WORK_OP)
        return w->mode == WORK_PWDW   ? gy_f32_pwdw_tasks(&w->u.pwdw)
               : w->mode == WORK_DWPW ? gy_f32_dwpw_tasks(&w->u.dwpw)
               : w->mode == WORK_PWS2 ? gy_f32_pws2_tasks(&w->u.pws2)
                                      : 0;
    switch (w->type) {
    case GY_OP_CONV: return gy_f32_conv2d_tasks(&w->u.conv);
    case GY_OP_MAXPOOL: return gy_f32_maxpool2d_tasks(&w->u.pool);
    case GY_OP_AVGPOOL: return gy_f32_avgpool2d_tasks(&w->u.pool);
    case GY_OP_UPSAMPLE: return gy_f32_upsample_nearest_tasks(&w->u.up);
    case GY_OP_COPY:
    case GY_OP_MUL:
    case GY_OP_ADD: return gy_f32_binary_act_tasks(&w->u.bin);
    case GY_OP_DETECT: return gy_f32_detect_decode_tasks(&w->u.dec);
    case GY_OP_GAP: return gy_f32_gavgpool_tasks(&w->u.gap);
    case GY_OP_MUL_CH:
    case GY_OP_ADD_CH: return gy_f32_channel_op_tasks(&w->u.chan);
    case GY_OP_SHUFFLE: return gy_x32_shuffle_tasks(&w->u.shuf);
    }
    return 1;
}

static size_t work_scratch(const op_work *w)
{
    if (w->mode != WORK_OP)
        return w->mode == WORK_PWDW   ? gy_f32_pwdw_scratch_floats(&w->u.pwdw)
               : w->mode == WORK_DWPW ? gy_f32_dwpw_scratch_floats(&w->u.dwpw)
               : w->mode == WORK_PWS2 ? gy_f32_pws2_scratch_floats(&w->u.pws2)
                                      : 0;
    switch (w->type) {
    case GY_OP_CONV:
        return gy_f32_conv2d_scratch_floats(w->u.conv.p, w->u.conv.oh, w->u.conv.ow);
    case GY_OP_MAXPOOL: return gy_f32_maxpool2d_scratch_floats(&w->u.pool);
    case GY_OP_AVGPOOL: return gy_f32_avgpool2d_scratch_floats(&w->u.pool);
    default: return 0;
    }
}

static void work_task(const op_work *w, size_t t, float *scratch)
{
    if (w->mode == WORK_PWDW) {
        gy_f32_pwdw_task(&w->u.pwdw, t, scratch);
        return;
    }
    if (w->mode == WORK_DWPW) {
        gy_f32_dwpw_task(&w->u.dwpw, t, scratch);
        return;
    }
    if (w->mode == WORK_PWS2) {
        gy_f32_pws2_task(&w->u.pws2, t, scratch);
        return;
    }
    switch (w->type) {
    case GY_OP_CONV: gy_f32_conv2d_task(&w->u.conv, t, scratch); break;
    case GY_OP_MAXPOOL: gy_f32_maxpool2d_task(&w->u.pool, t, scratch); break;
    case GY_OP_AVGPOOL: gy_f32_avgpool2d_task(&w->u.pool, t, scratch); break;
    case GY_OP_UPSAMPLE: gy_f32_upsample_nearest_task(&w->u.up, t, scratch); break;
    case GY_OP_COPY:
    case GY_OP_MUL:
    case GY_OP_ADD: gy_f32_binary_act_task(&w->u.bin, t, scratch); break;
    case GY_OP_DETECT: gy_f32_detect_decode_task(&w->u.dec, t, scratch); break;
    case GY_OP_GAP: gy_f32_gavgpool_task(&w->u.gap, t, scratch); break;
    case GY_OP_MUL_CH:
    case GY_OP_ADD_CH: gy_f32_channel_op_task(&w->u.chan, t, scratch); break;
    case GY_OP_SHUFFLE: gy_x32_shuffle_task(&w->u.shuf, t, scratch); break;
    }
}

size_t gy_run_scratch_floats(const gy_graph *g, const gy_plan *p)
{
    size_t most = 0;
    for (int i = 0; i < g->nops; i++) {
        op_work w;
        bind_op(g, p, NULL, GY_ISA_GENERIC, 1, i, &w); /* one thread: the widest blocks */
        size_t need = work_scratch(&w);
        if (need > most)
            most = need;
    }
    return (most + GY_RUN_SCRATCH_ALIGN - 1) / GY_RUN_SCRATCH_ALIGN * GY_RUN_SCRATCH_ALIGN;
}

size_t gy_run_op_tasks(const gy_graph *g, const gy_plan *p, int op)
{
    op_work w;
    bind_op(g, p, NULL, GY_ISA_GENERIC, 1, op, &w);
    return work_tasks(&w);
}

static void run_serial(const gy_run_args *a)
{
    const gy_graph *g = a->g;
    double t0 = a->op_ms ? omp_get_wtime() : 0.0;
    for (int i = 0; i < g->nops; i++) {
        op_work w;
        bind_op(g, a->plan, a->arena, a->isa, 1, i, &w);
        size_t n = work_tasks(&w);
        for (size_t t = 0; t < n; t++)
            work_task(&w, t, a->scratch);
        if (a->op_ms) {
            double t1 = omp_get_wtime();
            a->op_ms[i] = (t1 - t0) * 1e3;
            t0 = t1;
        }
    }
}

void gy_run_ops(const gy_run_args *a)
{
    if (a->nthreads <= 1) {
        run_serial(a);
        return;
    }
    const gy_graph *g = a->g;
    /* Tickets: every thread takes tickets until one lies past the op's tasks, so each op uses
     * exactly ntasks + (threads in the team) tickets and the next op's tasks start there. */
    atomic_size_t ticket;
    atomic_init(&ticket, 0);
    gy_team_barrier bar; /* runtime/team.c */
    gy_team_barrier_init(&bar);
    /* An op's time runs from the previous op's end to the moment its last task is done (the
     * barrier's last arrival), whichever thread that is: the ops' times then add up to the
     * whole pass (the first op also carries the start of the thread team, the last its join),
     * and a thread that wakes late from the barrier is billed to the op it is late for, not to
     * the one before. */
    double t_end = a->op_ms ? omp_get_wtime() : 0.0;
#pragma omp parallel num_threads(a->nthreads)
    {
        int tid = omp_get_thread_num();
        size_t team = (size_t)omp_get_num_threads();
#pragma omp single
        bar.n = (int)team;
        float *scratch = a->scratch + (size_t)tid * a->plan->scratch_floats;
        size_t base = 0;
        for (int i = 0; i < g->nops; i++) {
            op_work w;
            bind_op(g, a->plan, a->arena, a->isa, (int)team, i, &w);
            size_t n = work_tasks(&w);
            for (;;) {
                size_t t = atomic_fetch_add_explicit(&ticket, 1, memory_order_relaxed) - base;
                if (t >= n)
                    break;
                work_task(&w, t, scratch);
            }
            base += n + team;
            gy_team_stamp stamp = {a->op_ms ? &a->op_ms[i] : NULL, &t_end};
            gy_team_barrier_wait(&bar, a->op_ms ? &stamp : NULL);
        }
    }
    /* the pass ends when the team has joined: the last op carries the join */
    if (a->op_ms && g->nops > 0)
        a->op_ms[g->nops - 1] += (omp_get_wtime() - t_end) * 1e3;
}

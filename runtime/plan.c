#include "runtime/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "kernels/kernels.h"
#include "runtime/run.h"

#define GY_ALIGN_FLOATS 16

int gy_window_out(int in, int k, int s, int p)
{
    int span = in + 2 * p - k;
    return span < 0 ? 0 : span / s + 1;
}

void gy_plan_free(gy_plan *plan)
{
    if (!plan)
        return;
    free(plan->th);
    free(plan->tw);
    free(plan->toff);
    free(plan->fused);
    memset(plan, 0, sizeof *plan);
}

typedef struct root_info {
    int h, w;          /* -1 until written */
    int first, last;   /* op indices of first write and last read */
    size_t floats;
    size_t offset;
    int placed;
} root_info;

/* "row 20 (Concat)" for messages. */
static const char *row_label(const gy_graph *g, int row, char *buf, size_t size)
{
    if (g->row_names && row >= 0 && row < g->nrows)
        snprintf(buf, size, "row %d (%s)", row, g->row_names[row]);
    else
        snprintf(buf, size, "row %d", row);
    return buf;
}

/* Whether the model's strides are known: model loading sets them in the Detect op from its
 * 256x256 probe (a multiple of every stride), so a plan made before that is the probe itself. */
static int strides_known(const gy_graph *g)
{
    for (int i = 0; i < g->nops; i++)
        if (g->ops[i].type == GY_OP_DETECT)
            return g->ops[i].strides[0] > 0;
    return 0;
}

/* Two maps that must be the same size are not: the first row whose inputs disagree is named.
 * With the strides known, the input size is to blame; at the probe (or with no head), the
 * model's own wiring is. */
static gy_status disagree(const gy_graph *g, const gy_op *op, gy_error *err, const char *what,
                          int h1, int w1, int h2, int w2)
{
    char lab[64];
    return gy_fail(err, GY_ERR_ARGUMENT, "%s: %s %dx%d and %dx%d (%s)",
                   row_label(g, op->row, lab, sizeof lab), what, h1, w1, h2, w2,
                   strides_known(g) ? "this input size does not suit the model's strides; a "
                                      "multiple of its largest stride always does"
                                    : "the model joins maps of different sizes: check the from "
                                      "indices, strides and upsampling of the rows before");
}

static gy_status set_shape(const gy_graph *g, root_info *roots, int t, int h, int w,
                           const gy_op *op, gy_error *err)
{
    int r = gy_graph_root(g, g->tensors[t].storage, NULL);
    if (h <= 0 || w <= 0) {
        char lab[64];
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "%s: the input is too small for this model (a layer output would be "
                       "%dx%d)", row_label(g, op->row, lab, sizeof lab), h, w);
    }
    if (roots[r].h < 0) {
        roots[r].h = h;
        roots[r].w = w;
    } else if (roots[r].h != h || roots[r].w != w) {
        /* two writers of one storage (a concatenation's inputs): name the row that joins them */
        gy_op joined = *op;
        joined.row = g->storages[r].row;
        return disagree(g, &joined, err, "inputs", roots[r].h, roots[r].w, h, w);
    }
    return GY_OK;
}

static void root_hw(const gy_graph *g, const root_info *roots, int t, int *h, int *w)
{
    int r = gy_graph_root(g, g->tensors[t].storage, NULL);
    *h = roots[r].h;
    *w = roots[r].w;
}

int gy_pool_out(int in, int k, int s, int p, int ceil_mode)
{
    /* torch's pooling_output_shape: floor((in + 2p - k + (ceil ? s - 1 : 0)) / s) + 1, rounding
     * toward -inf, so that in ceil mode a window larger than the padded input still gives one
     * output (max_pool2d(3, 2, ceil_mode=True) of a 2x2 map is 1x1: SqueezeNet at 32x32) */
    int num = in + 2 * p - k + (ceil_mode ? s - 1 : 0);
    int out = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
    if (ceil_mode && out > 0 && (out - 1) * s >= in + p) /* the last window must start inside
                                                           * the input or left pad */
        out--;
    return out > 0 ? out : 0;
}

/* Shape inference: writes each op's output size into its root storage. */
static gy_status infer(const gy_graph *g, root_info *roots, gy_plan *p, gy_error *err)
{
    for (int i = 0; i < g->nops; i++) {
        const gy_op *op = &g->ops[i];
        char lab[64];
        int h, w, oh = 0, ow = 0;
        for (int j = 0; j < op->nin; j++) {
            root_hw(g, roots, op->in[j], &h, &w);
            if (h < 0)
                return gy_fail(err, GY_ERR_MISMATCH, "%s: op %d reads a tensor never written",
                               row_label(g, op->row, lab, sizeof lab), i);
        }
        root_hw(g, roots, op->in[0], &h, &w);
        switch (op->type) {
        case GY_OP_CONV: {
            const gy_conv *c = &g->convs[op->conv];
            oh = gy_window_out(h, c->kh, c->sh, c->ph);
            ow = gy_window_out(w, c->kw, c->sw, c->pw);
            if (op->res >= 0) {
                int rh, rw;
                root_hw(g, roots, op->res, &rh, &rw);
                if ((rh != oh || rw != ow) && oh > 0 && ow > 0)
                    return disagree(g, op, err, "a residual add of", oh, ow, rh, rw);
            }
            break;
        }
        case GY_OP_MAXPOOL:
        case GY_OP_AVGPOOL:
            oh = gy_pool_out(h, op->k, op->stride, op->pad, op->ceil_mode);
            ow = gy_pool_out(w, op->k, op->stride, op->pad, op->ceil_mode);
            break;
        case GY_OP_UPSAMPLE:
            if (op->scale > 0) {
                if (h > GY_PLAN_MAX_SIDE / op->scale || w > GY_PLAN_MAX_SIDE / op->scale)
                    return gy_fail(err, GY_ERR_ARGUMENT,
                                   "%s: upsampling %dx%d by %d exceeds %d pixels per side",
                                   row_label(g, op->row, lab, sizeof lab), h, w, op->scale,
                                   GY_PLAN_MAX_SIDE);
                oh = h * op->scale;
                ow = w * op->scale;
            } else {
                root_hw(g, roots, op->in[1], &oh, &ow);
            }
            break;
        case GY_OP_COPY:
            oh = h;
            ow = w;
            break;
        case GY_OP_MUL:
        case GY_OP_ADD:
        case GY_OP_SHUFFLE:
            oh = h;
            ow = w;
            for (int j = 1; j < op->nin; j++) {
                int h2, w2;
                root_hw(g, roots, op->in[j], &h2, &w2);
                if (h2 != h || w2 != w)
                    return disagree(g, op, err, "inputs", h, w, h2, w2);
            }
            break;
        case GY_OP_MUL_CH:
        case GY_OP_ADD_CH: {
            int h2, w2;
            root_hw(g, roots, op->in[1], &h2, &w2);
            if (h2 != 1 || w2 != 1)
                return gy_fail(err, GY_ERR_MISMATCH, "%s: a per-channel operand of %dx%d",
                               row_label(g, op->row, lab, sizeof lab), h2, w2);
            oh = h;
            ow = w;
            break;
        }
        case GY_OP_GAP:
            oh = ow = 1;
            break;
        case GY_OP_DETECT: {
            long anchors = 0;
            p->nstrides = op->nin;
            for (int j = 0; j < op->nin; j++) {
                int lh, lw;
                root_hw(g, roots, op->in[j], &lh, &lw);
                if (op->strides[j] > 0) { /* the model's strides (ultralytics: from its probe) */
                    p->strides[j] = op->strides[j];
                } else { /* the stride probe itself: the input must be a multiple of each level */
                    if (p->in_h % lh != 0 || p->in_h / lh != p->in_w / lw || p->in_w % lw != 0)
                        return gy_fail(err, GY_ERR_MISMATCH,
                                       "Detect level %d is %dx%d for a %dx%d input: the input "
                                       "size must be a multiple of the model's largest stride",
                                       j, lh, lw, p->in_h, p->in_w);
                    p->strides[j] = p->in_h / lh;
                }
                anchors += (long)lh * lw;
            }
            oh = 1;
            ow = (int)anchors;
            p->anchors = (int)anchors;
            break;
        }
        }
        gy_status st = set_shape(g, roots, op->out, oh, ow, op, err);
        if (st != GY_OK)
            return st;
    }
    return GY_OK;
}

/* Pointwise outputs smaller than this stay ops of their own: they stay in the caches between the
 * two ops, and the packed GEMM is faster than the fused op's pointwise rows (measured, one-conv
 * harness: 16 -> 96 at 320x320 then 3x3 s2, 39 MB, 7.5 -> 3.9 ms fused; 32 -> 192 at 80x80,
 * 5 MB, 1.1 -> 2.1 ms). 24 -> 144 at 160x160 (15 MB, 3.7 Mi floats) ran 3.2 -> 2.6 ms fused with
 * the row-by-row depthwise kernel; since the depthwise kernel computes 4 rows from aligned loads
 * MobileNetV2's two such pairs take 4.3 ms as two ops against 5.1 fused (sum of per-op minima in
 * the model, 1 thread): fused from 4 Mi floats. */
#define GY_FUSE_MIN_FLOATS (4u << 20)
/* A depthwise output that only a pointwise conv reads runs fused with it from this size (the
 * depthwise rows go to a cache-resident block that the GEMM reads, f32_conv2d_dwpw.c). Measured
 * in MobileNetV2 (1 thread, per op, interleaved with the unfused build): 32 x 320 x 320 then
 * 32 -> 16 1.9-2.0 -> 1.4-1.8 ms, 144 x 160 x 160 then 144 -> 24 2.5 -> 1.9-2.2, 192 x 80 x 80
 * (1.2 Mi floats) then 192 -> 32 0.9-1.0 -> 0.7; 144 x 80 x 80 (0.9 Mi) no change; the 40x40 and
 * 20x20 pairs (0.6 Mi and less) 1.05 -> 1.9 ms: left unfused. */
#define GY_FUSE_DWPW_MIN_FLOATS (1u << 20)

/* A pointwise output that only a direct stride-2 conv reads runs fused with it from this size
 * (the pointwise rows go to a window in L2 that the stride-2 kernel reads, f32_conv2d_pws2.c):
 * G-GhostNet's 32 -> 96 at 320x320 then grouped 3x3 s2 (9.8 Mi floats) and 96 -> 192 at 160x160
 * then grouped 3x3 s2 (4.9 Mi); measured in kernels/README.md. */
#define GY_FUSE_PWS2_MIN_FLOATS (4u << 20)
/* Marks the convs that run fused with the conv after them: op i + 1 reads op i's output, which is
 * a whole storage that no other op reads or writes and not the model's output, and the kernels
 * take the pair (both packed for one ISA): a pointwise conv then a depthwise one
 * (gy_f32_pwdw_fusable) from GY_FUSE_MIN_FLOATS, else a depthwise conv without residual then a
 * pointwise one (gy_f32_dwpw_fusable) from GY_FUSE_DWPW_MIN_FLOATS, else a pointwise conv then
 * a direct stride-2 one (gy_f32_pws2_fusable) from GY_FUSE_PWS2_MIN_FLOATS. */
static gy_status mark_fused(const gy_graph *g, const root_info *roots, gy_plan *p)
{
    int ns = g->nstorages;
    int *uses = calloc((size_t)ns + 1, sizeof *uses);
    p->fused = calloc((size_t)g->nops + 1, 1);
    if (!uses || !p->fused) {
        free(uses);
        return GY_ERR_NOMEM;
    }
    for (int j = 0; j < g->nops; j++) { /* readers and writers of each root storage */
        const gy_op *op = &g->ops[j];
        for (int k = 0; k <= op->nin; k++) {
            int t = k < op->nin ? op->in[k] : op->res;
            if (t >= 0)
                uses[gy_graph_root(g, g->tensors[t].storage, NULL)]++;
        }
        uses[gy_graph_root(g, g->tensors[op->out].storage, NULL)]++;
    }
    int out_root = gy_graph_root(g, g->tensors[g->output].storage, NULL);
    for (int i = 0; i + 1 < g->nops; i++) {
        const gy_op *a = &g->ops[i], *b = &g->ops[i + 1];
        if (a->type != GY_OP_CONV || b->type != GY_OP_CONV || a->res >= 0 || b->nin != 1 ||
            b->in[0] != a->out || (i > 0 && p->fused[i - 1]))
            continue;
        const gy_tensor *t = &g->tensors[a->out];
        const gy_storage *st = &g->storages[t->storage];
        if (st->parent >= 0 || t->c_off != 0 || t->c != st->c || t->storage == out_root ||
            uses[t->storage] != 2 || b->res == a->out)
            continue;
        int h, w;
        root_hw(g, roots, a->out, &h, &w);
        double floats = (double)t->c * h * w;
        if (floats >= (double)GY_FUSE_MIN_FLOATS &&
            gy_f32_pwdw_fusable(&g->convs[a->conv], &g->convs[b->conv]))
            p->fused[i] = GY_FUSED_PWDW;
        else if (floats >= (double)GY_FUSE_DWPW_MIN_FLOATS &&
                 gy_f32_dwpw_fusable(&g->convs[a->conv], &g->convs[b->conv]))
            p->fused[i] = GY_FUSED_DWPW;
        else if (floats >= (double)GY_FUSE_PWS2_MIN_FLOATS &&
                 gy_f32_pws2_fusable(&g->convs[a->conv], &g->convs[b->conv]))
            p->fused[i] = GY_FUSED_PWS2;
    }
    free(uses);
    return GY_OK;
}

static int overlaps(const root_info *a, const root_info *b)
{
    return a->first <= b->last && b->first <= a->last;
}

gy_status gy_plan_make(const gy_graph *g, int h, int w, gy_plan *p, gy_error *err)
{
    memset(p, 0, sizeof *p);
    p->in_h = h;
    p->in_w = w;
    int ns = g->nstorages;
    root_info *roots = malloc(sizeof *roots * (size_t)ns);
    int *order = malloc(sizeof *order * (size_t)ns);
    p->th = malloc(sizeof *p->th * (size_t)g->ntensors);
    p->tw = malloc(sizeof *p->tw * (size_t)g->ntensors);
    p->toff = malloc(sizeof *p->toff * (size_t)g->ntensors);
    if (!roots || !order || !p->th || !p->tw || !p->toff) {
        free(roots);
        free(order);
        gy_plan_free(p);
        return gy_fail(err, GY_ERR_NOMEM, "out of memory planning a %dx%d input", h, w);
    }
    for (int s = 0; s < ns; s++)
        roots[s] = (root_info){.h = -1, .w = -1, .first = g->nops, .last = -1};
    int in_root = gy_graph_root(g, g->tensors[g->input].storage, NULL);
    roots[in_root].h = h;
    roots[in_root].w = w;
    roots[in_root].first = -1;
    gy_status st = infer(g, roots, p, err);
    if (st == GY_OK && mark_fused(g, roots, p) != GY_OK)
        st = gy_fail(err, GY_ERR_NOMEM, "out of memory planning a %dx%d input", h, w);
    /* Liveness of each root storage: first write .. last read (the output lives to the end). */
    for (int i = 0; i < g->nops && st == GY_OK; i++) {
        const gy_op *op = &g->ops[i];
        int r = gy_graph_root(g, g->tensors[op->out].storage, NULL);
        if (roots[r].first > i)
            roots[r].first = i;
        if (roots[r].last < i)
            roots[r].last = i;
        for (int j = 0; j <= op->nin; j++) {
            int t = j < op->nin ? op->in[j] : op->res;
            if (t < 0)
                continue;
            int rr = gy_graph_root(g, g->tensors[t].storage, NULL);
            if (roots[rr].last < i)
                roots[rr].last = i;
        }
    }
    if (st == GY_OK) {
        int out_root = gy_graph_root(g, g->tensors[g->output].storage, NULL);
        roots[out_root].last = g->nops;
        for (int i = 0; i < g->nops; i++) /* a fused pointwise output has no memory, and the
                                           * depthwise output is written at op i already */
            if (p->fused[i]) {
                roots[g->tensors[g->ops[i].out].storage].last = -1;
                int r = gy_graph_root(g, g->tensors[g->ops[i + 1].out].storage, NULL);
                if (roots[r].first > i)
                    roots[r].first = i;
            }
    }
    /* Sizes, then greedy placement: biggest first, lowest offset that fits beside the already
     * placed storages whose lifetimes overlap. */
    int nroots = 0;
    for (int s = 0; s < ns && st == GY_OK; s++) {
        if (g->storages[s].parent >= 0 || roots[s].last < roots[s].first)
            continue;
        size_t plane, floats;
        if (roots[s].h < 0 || !gy_mul_size((size_t)roots[s].h, (size_t)roots[s].w, &plane) ||
            !gy_mul_size(plane, (size_t)g->storages[s].c, &floats)) {
            st = gy_fail(err, GY_ERR_NOMEM, "a %dx%d input needs more memory than addressable", h, w);
            break;
        }
        roots[s].floats = (floats + GY_ALIGN_FLOATS - 1) / GY_ALIGN_FLOATS * GY_ALIGN_FLOATS;
        order[nroots++] = s;
    }
    if (st == GY_OK) {
        /* insertion sort by size, descending (stable, deterministic) */
        for (int i = 1; i < nroots; i++) {
            int v = order[i], j = i - 1;
            while (j >= 0 && roots[order[j]].floats < roots[v].floats) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = v;
        }
        size_t total = 0;
        for (int i = 0; i < nroots; i++) {
            root_info *r = &roots[order[i]];
            size_t off = 0;
            int moved = 1;
            while (moved) {
                moved = 0;
                for (int j = 0; j < i; j++) {
                    const root_info *o = &roots[order[j]];
                    if (!overlaps(r, o))
                        continue;
                    if (off < o->offset + o->floats && o->offset < off + r->floats) {
                        off = o->offset + o->floats;
                        moved = 1;
                    }
                }
            }
            r->offset = off;
            r->placed = 1;
            if (off + r->floats > total)
                total = off + r->floats;
        }
        p->arena_floats = total;
        for (int t = 0; t < g->ntensors; t++) {
            int off;
            int r = gy_graph_root(g, g->tensors[t].storage, &off);
            off += g->tensors[t].c_off;
            p->th[t] = roots[r].h;
            p->tw[t] = roots[r].w;
            p->toff[t] = roots[r].placed
                             ? roots[r].offset + (size_t)off * (size_t)roots[r].h * (size_t)roots[r].w
                             : 0;
        }
        p->scratch_floats = gy_run_scratch_floats(g, p);
    }
    free(roots);
    free(order);
    if (st != GY_OK)
        gy_plan_free(p);
    return st;
}

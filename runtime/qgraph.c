/* qgraph.c - the int8 side of a model (qgraph.h): allocation, the dtype analysis, packing and
 * epilogues, names. */
#include "runtime/qgraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

gy_status gy_qgraph_create(const gy_graph *g, gy_qgraph **out, gy_error *err)
{
    *out = NULL;
    gy_qgraph *q = calloc(1, sizeof *q);
    if (!q)
        return gy_fail(err, GY_ERR_NOMEM, "out of memory for the int8 graph");
    q->nconvs = g->nconvs;
    q->nstorages = g->nstorages;
    q->convs = calloc((size_t)g->nconvs + 1, sizeof *q->convs);
    q->act = calloc((size_t)g->nstorages + 1, sizeof *q->act);
    q->dtype = calloc((size_t)g->nstorages + 1, sizeof *q->dtype);
    q->needs_act = calloc((size_t)g->nstorages + 1, sizeof *q->needs_act);
    q->border = calloc((size_t)g->nstorages + 1, sizeof *q->border);
    q->op_int8 = calloc((size_t)g->nops + 1, sizeof *q->op_int8);
    if (!q->convs || !q->act || !q->dtype || !q->needs_act || !q->border || !q->op_int8) {
        gy_qgraph_free(q);
        return gy_fail(err, GY_ERR_NOMEM, "out of memory for the int8 graph");
    }
    *out = q;
    return GY_OK;
}

void gy_qgraph_free(gy_qgraph *q)
{
    if (!q)
        return;
    for (int i = 0; q->convs && i < q->nconvs; i++) {
        free(q->convs[i].w);
        free(q->convs[i].wscale);
        free(q->convs[i].mul);
        free(q->convs[i].add);
        gy_qu8_conv_release(&q->convs[i].k);
    }
    free(q->convs);
    free(q->act);
    free(q->dtype);
    free(q->needs_act);
    free(q->border);
    free(q->op_int8);
    free(q);
}

static int root_of(const gy_graph *g, int t)
{
    return gy_graph_root(g, g->tensors[t].storage, NULL);
}

/* The tensors an op reads as data (an upsample's size reference is not read). */
static int op_reads(const gy_op *op, int *t)
{
    int n = op->type == GY_OP_UPSAMPLE ? 1 : op->nin;
    for (int j = 0; j < n; j++)
        t[j] = op->in[j];
    if (op->type == GY_OP_CONV && op->res >= 0)
        t[n++] = op->res;
    return n;
}

static int follows_output(gy_op_type t)
{
    return t == GY_OP_MAXPOOL || t == GY_OP_UPSAMPLE || t == GY_OP_COPY || t == GY_OP_ADD;
}

gy_status gy_qgraph_analyse(const gy_graph *g, gy_qgraph *q, gy_error *err)
{
    (void)err;
    const int in_root = root_of(g, g->input);
    memset(q->dtype, 0, sizeof *q->dtype * (size_t)g->nstorages);
    memset(q->needs_act, 0, sizeof *q->needs_act * (size_t)g->nstorages);
    memset(q->border, 0, sizeof *q->border * (size_t)g->nstorages);
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int i = 0; i < g->nops; i++) {
            const gy_op *op = &g->ops[i];
            int int8 = op->type == GY_OP_CONV ? q->convs[op->conv].int8
                       : follows_output(op->type) ? q->dtype[root_of(g, op->out)] == GY_QDT_U8
                                                  : 0;
            q->op_int8[i] = int8;
            if (!int8)
                continue;
            int t[GY_OP_MAX_IN + 1];
            int n = op_reads(op, t);
            for (int j = 0; j < n; j++) {
                int r = root_of(g, t[j]);
                if (r != in_root && q->dtype[r] != GY_QDT_U8) {
                    q->dtype[r] = GY_QDT_U8;
                    changed = 1;
                }
            }
        }
    }
    for (int i = 0; i < g->nops; i++) {
        const gy_op *op = &g->ops[i];
        if (!q->op_int8[i])
            continue;
        int t[GY_OP_MAX_IN + 1];
        int n = op_reads(op, t);
        for (int j = 0; j < n; j++)
            q->needs_act[root_of(g, t[j])] = 1;
        if (op->type == GY_OP_CONV) {
            const gy_conv *c = &g->convs[op->conv];
            int r = root_of(g, op->in[0]), pad = c->ph > c->pw ? c->ph : c->pw;
            if (r != in_root && pad > q->border[r])
                q->border[r] = pad;
        }
    }
    for (int s = 0; s < g->nstorages; s++)
        if (q->dtype[s] == GY_QDT_U8)
            q->needs_act[s] = 1;
    return GY_OK;
}

/* The CONV op of conv i, or -1. */
static int conv_op(const gy_graph *g, int conv)
{
    for (int i = 0; i < g->nops; i++)
        if (g->ops[i].type == GY_OP_CONV && g->ops[i].conv == conv)
            return i;
    return -1;
}

int gy_qgraph_conv_int8_capable(const gy_graph *g, int conv)
{
    int op = conv_op(g, conv);
    if (op < 0)
        return 0;
    switch (g->ops[op].act) {
    case GY_ACT_NONE:
    case GY_ACT_SILU:
    case GY_ACT_RELU:
    case GY_ACT_SIGMOID: return 1;
    default: return 0;
    }
}

gy_status gy_qgraph_prepare(const gy_graph *g, gy_qgraph *q, gy_qisa qisa, gy_error *err)
{
    q->qisa = qisa;
    for (int i = 0; i < g->nconvs; i++) {
        gy_qconv *qc = &q->convs[i];
        if (!qc->int8)
            continue;
        const gy_conv *c = &g->convs[i];
        char name[200];
        gy_qgraph_conv_name(g, i, name, sizeof name);
        int op = conv_op(g, i);
        if (op < 0)
            return gy_fail(err, GY_ERR_MISMATCH, "%s: an int8 conv that no op runs", name);
        if (!gy_qgraph_conv_int8_capable(g, i))
            return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: its activation (%d) has no int8 epilogue yet; "
                           "quantize with this conv kept in float", name, (int)g->ops[op].act);
        const gy_qact *a = &q->act[root_of(g, g->ops[op].in[0])];
        if (!a->set)
            return gy_fail(err, GY_ERR_MISMATCH, "%s: its input has no scale and zero point", name);
        gy_qu8_conv *k = &qc->k;
        k->cin = c->cin;
        k->cout = c->cout;
        k->kh = c->kh;
        k->kw = c->kw;
        k->sh = c->sh;
        k->sw = c->sw;
        k->ph = c->ph;
        k->pw = c->pw;
        k->groups = c->groups;
        gy_status st = gy_qu8_conv_pack(k, qc->w, qisa, err);
        if (st != GY_OK) {
            gy_error_prefix(err, "%s", name);
            return st;
        }
        free(qc->mul);
        free(qc->add);
        qc->mul = malloc(sizeof *qc->mul * (size_t)c->cout);
        qc->add = malloc(sizeof *qc->add * (size_t)c->cout);
        if (!qc->mul || !qc->add)
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", name);
        for (int o = 0; o < c->cout; o++) {
            double mul = (double)a->scale * (double)qc->wscale[o];
            qc->mul[o] = (float)mul;
            qc->add[o] = (float)((c->b ? (double)c->b[o] : 0.0) - mul * a->zp * (double)k->wsum[o]);
        }
    }
    return GY_OK;
}

void gy_qgraph_conv_name(const gy_graph *g, int conv, char *buf, size_t size)
{
    const char *w = g->convs[conv].wname;
    size_t n = strlen(w);
    static const char suffix[] = ".weight";
    if (n > sizeof suffix - 1 && strcmp(w + n - (sizeof suffix - 1), suffix) == 0)
        n -= sizeof suffix - 1;
    snprintf(buf, size, "%.*s", (int)n, w);
}

static const char *kind_name(gy_op_type t)
{
    switch (t) {
    case GY_OP_CONV: return "conv";
    case GY_OP_MAXPOOL: return "maxpool";
    case GY_OP_AVGPOOL: return "avgpool";
    case GY_OP_UPSAMPLE: return "upsample";
    case GY_OP_COPY: return "copy";
    case GY_OP_MUL: return "mul";
    case GY_OP_ADD: return "add";
    case GY_OP_DETECT: return "detect";
    case GY_OP_GAP: return "global average pool";
    case GY_OP_MUL_CH: return "per-channel mul";
    case GY_OP_ADD_CH: return "per-channel add";
    case GY_OP_SHUFFLE: return "channel shuffle";
    }
    return "op";
}

void gy_qgraph_op_name(const gy_graph *g, int op, char *buf, size_t size)
{
    const gy_op *o = &g->ops[op];
    if (o->type == GY_OP_CONV) {
        gy_qgraph_conv_name(g, o->conv, buf, size);
        return;
    }
    int j = 0;
    for (int i = 0; i < op; i++)
        if (g->ops[i].row == o->row && g->ops[i].type == o->type)
            j++;
    snprintf(buf, size, "model.%d.%s.%d", o->row, kind_name(o->type), j);
}

int gy_qgraph_first_writer(const gy_graph *g, int root)
{
    for (int i = 0; i < g->nops; i++)
        if (root_of(g, g->ops[i].out) == root)
            return i;
    return -1;
}

void gy_qgraph_storage_name(const gy_graph *g, int storage, char *buf, size_t size)
{
    if (storage == root_of(g, g->input)) {
        snprintf(buf, size, "input");
        return;
    }
    int op = gy_qgraph_first_writer(g, storage);
    if (op < 0)
        snprintf(buf, size, "storage.%d", storage);
    else
        gy_qgraph_op_name(g, op, buf, size);
}

size_t gy_qgraph_weight_bytes(const gy_graph *g, const gy_qgraph *q)
{
    size_t bytes = 0;
    for (int i = 0; i < g->nconvs; i++) {
        const gy_conv *c = &g->convs[i];
        size_t n = (size_t)c->cout * (size_t)(c->cin / c->groups) * (size_t)c->kh * (size_t)c->kw;
        const size_t bias = c->fixed ? 0 : (size_t)c->cout; /* the DFL's fixed bins have none */
        /* int8: the weights, a float scale per channel and the float bias; float32: the
         * weights and the bias */
        bytes += q->convs[i].int8 ? n + 4 * ((size_t)c->cout + bias) : 4 * (n + bias);
    }
    for (int s = 0; s < g->nstorages; s++)
        bytes += q->needs_act[s] ? 8 : 0;
    return bytes;
}

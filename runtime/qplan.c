/* qplan.c - the int8 runtime's steps and arena (qplan.h). */
#include "runtime/qplan.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

#define ALIGN 64
#define SLACK 64 /* bytes after a uint8 buffer: the conv kernels read up to 3 bytes past a pixel */

void gy_qplan_free(gy_qplan *p)
{
    if (!p)
        return;
    gy_plan_free(&p->shapes);
    free(p->bufs);
    free(p->steps);
    free(p->luts);
    memset(p, 0, sizeof *p);
}

static int grow(void **arr, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return 1;
    int ncap = *cap ? *cap * 2 : 64;
    void *q = realloc(*arr, (size_t)ncap * elem);
    if (!q)
        return 0;
    *arr = q;
    *cap = ncap;
    return 1;
}

typedef struct builder {
    const gy_graph *g;
    const gy_qgraph *q;
    gy_qplan *p;
    int *rootbuf;
    gy_error *err;
} builder;

static int add_buf(builder *b, const gy_qbuf *buf)
{
    gy_qplan *p = b->p;
    if (!grow((void **)&p->bufs, &p->cap_bufs, p->nbufs, sizeof *p->bufs))
        return -1;
    p->bufs[p->nbufs] = *buf;
    return p->nbufs++;
}

static gy_status add_step(builder *b, const gy_qstep *s)
{
    gy_qplan *p = b->p;
    if (!grow((void **)&p->steps, &p->cap_steps, p->nsteps, sizeof *p->steps))
        return gy_fail(b->err, GY_ERR_NOMEM, "out of memory planning the int8 graph");
    p->steps[p->nsteps++] = *s;
    return GY_OK;
}

static gy_qstep new_step(gy_qstep_kind kind, int op)
{
    gy_qstep s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.op = op;
    s.res.buf = s.out.buf = -1;
    for (int j = 0; j < GY_OP_MAX_IN; j++)
        s.in[j].buf = -1;
    s.fill_border = -1;
    s.lut = -1;
    return s;
}

/* The view of tensor t in its root storage's buffer. */
static gy_qview root_view(builder *b, int t)
{
    int off;
    int r = gy_graph_root(b->g, b->g->tensors[t].storage, &off);
    gy_qview v = {b->rootbuf[r], off + b->g->tensors[t].c_off, b->g->tensors[t].c};
    return v;
}

/* Tensor t as the op needs it (dtype `need`): its own buffer's view, or a shadow made by a
 * conversion step pushed now. */
static gy_status input_view(builder *b, int op, int t, int need, int border, gy_qview *out)
{
    gy_qview v = root_view(b, t);
    gy_qbuf *src = &b->p->bufs[v.buf];
    if (src->dtype == need) {
        *out = v;
        return GY_OK;
    }
    if (need == GY_QDT_U8 && !src->act.set) {
        char name[200];
        gy_qgraph_storage_name(b->g, src->storage, name, sizeof name);
        return gy_fail(b->err, GY_ERR_MISMATCH,
                       "the int8 graph reads '%s' as uint8 but it has no scale and zero point", name);
    }
    gy_qbuf sh;
    memset(&sh, 0, sizeof sh);
    sh.dtype = need;
    sh.c = v.c;
    sh.h = src->h;
    sh.w = src->w;
    sh.border = need == GY_QDT_U8 ? border : 0;
    sh.act = src->act;
    sh.storage = -1;
    int s = add_buf(b, &sh);
    if (s < 0)
        return gy_fail(b->err, GY_ERR_NOMEM, "out of memory planning the int8 graph");
    gy_qstep cv = new_step(need == GY_QDT_U8 ? GY_QS_QUANT : GY_QS_DEQUANT, op);
    cv.nin = 1;
    cv.in[0] = v;
    cv.out = (gy_qview){s, 0, v.c};
    *out = cv.out;
    return add_step(b, &cv);
}

static gy_status make_steps(builder *b)
{
    const gy_graph *g = b->g;
    const gy_qgraph *q = b->q;
    for (int i = 0; i < g->nops; i++) {
        const gy_op *op = &g->ops[i];
        const int int8 = q->op_int8[i];
        gy_qstep_kind kind;
        switch (op->type) {
        case GY_OP_CONV: kind = int8 ? GY_QS_QCONV : GY_QS_FCONV; break;
        case GY_OP_MAXPOOL: kind = int8 ? GY_QS_QMAXPOOL : GY_QS_FOP; break;
        case GY_OP_UPSAMPLE:
        case GY_OP_COPY: kind = int8 ? GY_QS_QCOPY : GY_QS_FOP; break;
        case GY_OP_ADD: kind = int8 ? GY_QS_QADD : GY_QS_FOP; break;
        case GY_OP_AVGPOOL:
        case GY_OP_MUL: kind = GY_QS_FOP; break;
        case GY_OP_DETECT: kind = GY_QS_DETECT; break;
        default:
            return gy_fail(b->err, GY_ERR_UNSUPPORTED,
                           "row %d: op type %d has no int8 execution yet (quantize with this "
                           "layer kept in float, or run the float model)", op->row, (int)op->type);
        }
        const int need = int8 ? GY_QDT_U8 : GY_QDT_F32;
        gy_qstep s = new_step(kind, i);
        s.nin = op->nin;
        gy_status st = GY_OK;
        for (int j = 0; j < op->nin && st == GY_OK; j++) {
            if (op->type == GY_OP_UPSAMPLE && j == 1) { /* a size reference, not read */
                s.in[j] = root_view(b, op->in[j]);
                continue;
            }
            int border = 0;
            if (op->type == GY_OP_CONV && j == 0) {
                const gy_conv *c = &g->convs[op->conv];
                border = c->ph > c->pw ? c->ph : c->pw;
            }
            st = input_view(b, i, op->in[j], need, border, &s.in[j]);
        }
        if (st == GY_OK && op->type == GY_OP_CONV && op->res >= 0)
            st = input_view(b, i, op->res, need, 0, &s.res);
        if (st != GY_OK)
            return st;
        gy_qview out = root_view(b, op->out);
        int shadow = -1;
        if (!int8 && b->p->bufs[out.buf].dtype == GY_QDT_U8) {
            gy_qbuf sh;
            memset(&sh, 0, sizeof sh);
            sh.dtype = GY_QDT_F32;
            sh.c = out.c;
            sh.h = b->p->bufs[out.buf].h;
            sh.w = b->p->bufs[out.buf].w;
            sh.storage = -1;
            if ((shadow = add_buf(b, &sh)) < 0)
                return gy_fail(b->err, GY_ERR_NOMEM, "out of memory planning the int8 graph");
            s.out = (gy_qview){shadow, 0, out.c};
        } else {
            s.out = out;
        }
        if ((st = add_step(b, &s)) != GY_OK)
            return st;
        if (shadow >= 0) {
            gy_qstep cv = new_step(GY_QS_QUANT, i);
            cv.nin = 1;
            cv.in[0] = (gy_qview){shadow, 0, out.c};
            cv.out = out;
            if ((st = add_step(b, &cv)) != GY_OK)
                return st;
        }
    }
    return GY_OK;
}

static int same_act(const gy_qact *a, const gy_qact *b)
{
    return a->scale == b->scale && a->zp == b->zp;
}

/* Liveness, border fills and requantizing tables. */
static gy_status finish_steps(builder *b)
{
    gy_qplan *p = b->p;
    for (int k = 0; k < p->nbufs; k++) {
        p->bufs[k].first = p->nsteps;
        p->bufs[k].last = -1;
    }
    p->bufs[p->in_buf].first = -1;
    int nlut = 0;
    for (int k = 0; k < p->nsteps; k++) {
        gy_qstep *s = &p->steps[k];
        gy_qview *v[GY_OP_MAX_IN + 2];
        int n = 0;
        for (int j = 0; j < s->nin; j++)
            v[n++] = &s->in[j];
        v[n++] = &s->res;
        v[n++] = &s->out;
        for (int j = 0; j < n; j++)
            if (v[j]->buf >= 0 && p->bufs[v[j]->buf].last < k)
                p->bufs[v[j]->buf].last = k;
        gy_qbuf *o = &p->bufs[s->out.buf];
        if (o->first > k) {
            o->first = k;
            if (o->dtype == GY_QDT_U8 && o->border > 0)
                s->fill_border = s->out.buf;
        }
        if ((s->kind == GY_QS_QMAXPOOL || s->kind == GY_QS_QCOPY) &&
            !same_act(&p->bufs[s->in[0].buf].act, &o->act))
            s->lut = nlut++;
    }
    p->bufs[p->out_buf].last = p->nsteps;
    if (nlut) {
        p->luts = malloc(sizeof *p->luts * (size_t)nlut);
        if (!p->luts)
            return gy_fail(b->err, GY_ERR_NOMEM, "out of memory planning the int8 graph");
    }
    p->nluts = nlut;
    for (int k = 0; k < p->nsteps; k++) {
        gy_qstep *s = &p->steps[k];
        if (s->lut < 0)
            continue;
        const gy_qact *a = &p->bufs[s->in[0].buf].act, *o = &p->bufs[s->out.buf].act;
        gy_qu8_requant_lut(a->scale, a->zp, o->scale, o->zp, p->luts[s->lut]);
    }
    return GY_OK;
}

static int overlaps(const gy_qbuf *a, const gy_qbuf *b)
{
    return a->first <= b->last && b->first <= a->last;
}

static gy_status layout(builder *b, int keep_all)
{
    gy_qplan *p = b->p;
    int *order = malloc(sizeof *order * (size_t)(p->nbufs + 1));
    if (!order)
        return gy_fail(b->err, GY_ERR_NOMEM, "out of memory planning the int8 graph");
    int n = 0;
    for (int k = 0; k < p->nbufs; k++) {
        gy_qbuf *u = &p->bufs[k];
        size_t bytes, px;
        if (u->dtype == GY_QDT_U8) {
            u->pstride = (size_t)(u->c + 3) / 4 * 4;
            px = (size_t)(u->h + 2 * u->border) * (size_t)(u->w + 2 * u->border);
            if (!gy_mul_size(px, u->pstride, &bytes) || bytes > SIZE_MAX - SLACK - ALIGN) {
                free(order);
                return gy_fail(b->err, GY_ERR_NOMEM, "the int8 activations need more memory than addressable");
            }
            bytes += SLACK;
        } else {
            px = (size_t)u->h * (size_t)u->w;
            if (!gy_mul_size(px, (size_t)u->c * sizeof(float), &bytes) || bytes > SIZE_MAX - ALIGN) {
                free(order);
                return gy_fail(b->err, GY_ERR_NOMEM, "the int8 activations need more memory than addressable");
            }
        }
        u->bytes = (bytes + ALIGN - 1) / ALIGN * ALIGN;
        if (u->last >= u->first)
            order[n++] = k;
    }
    for (int i = 1; i < n; i++) { /* biggest first, stable */
        int v = order[i], j = i - 1;
        while (j >= 0 && p->bufs[order[j]].bytes < p->bufs[v].bytes) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = v;
    }
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        gy_qbuf *r = &p->bufs[order[i]];
        size_t off = keep_all ? total : 0;
        int moved = !keep_all;
        while (moved) {
            moved = 0;
            for (int j = 0; j < i; j++) {
                const gy_qbuf *o = &p->bufs[order[j]];
                if (overlaps(r, o) && off < o->offset + o->bytes && o->offset < off + r->bytes) {
                    off = o->offset + o->bytes;
                    moved = 1;
                }
            }
        }
        r->offset = off;
        if (off + r->bytes > total)
            total = off + r->bytes;
    }
    p->arena_bytes = total;
    free(order);
    return GY_OK;
}

gy_status gy_qplan_make(const gy_graph *g, const gy_qgraph *q, int h, int w, int keep_all,
                        gy_qplan *p, gy_error *err)
{
    memset(p, 0, sizeof *p);
    gy_status st = gy_plan_make(g, h, w, &p->shapes, err);
    if (st != GY_OK)
        return st;
    builder b = {.g = g, .q = q, .p = p, .err = err};
    b.rootbuf = malloc(sizeof *b.rootbuf * (size_t)(g->nstorages + 1));
    if (!b.rootbuf) {
        gy_qplan_free(p);
        return gy_fail(err, GY_ERR_NOMEM, "out of memory planning the int8 graph");
    }
    for (int s = 0; s < g->nstorages; s++)
        b.rootbuf[s] = -1;
    const int in_root = gy_graph_root(g, g->tensors[g->input].storage, NULL);
    for (int t = 0; t < g->ntensors && st == GY_OK; t++) {
        int r = gy_graph_root(g, g->tensors[t].storage, NULL);
        if (b.rootbuf[r] >= 0 || p->shapes.th[t] < 0)
            continue;
        gy_qbuf u;
        memset(&u, 0, sizeof u);
        u.dtype = r == in_root ? GY_QDT_F32 : q->dtype[r];
        u.c = g->storages[r].c;
        u.h = p->shapes.th[t];
        u.w = p->shapes.tw[t];
        u.border = u.dtype == GY_QDT_U8 ? q->border[r] : 0;
        u.act = q->act[r];
        u.storage = r;
        if ((b.rootbuf[r] = add_buf(&b, &u)) < 0)
            st = gy_fail(err, GY_ERR_NOMEM, "out of memory planning the int8 graph");
    }
    if (st == GY_OK) {
        p->in_buf = b.rootbuf[in_root];
        p->out_buf = b.rootbuf[gy_graph_root(g, g->tensors[g->output].storage, NULL)];
        st = make_steps(&b);
    }
    if (st == GY_OK)
        st = finish_steps(&b);
    if (st == GY_OK)
        st = layout(&b, keep_all);
    p->scratch_floats = p->shapes.scratch_floats;
    for (int k = 0; st == GY_OK && k < p->nsteps; k++) /* int8 conv tasks (Winograd) */
        if (p->steps[k].kind == GY_QS_QCONV) {
            size_t need = (gy_qu8_conv2d_scratch_bytes(&q->convs[g->ops[p->steps[k].op].conv].k) +
                           sizeof(float) * 16 - 1) / (sizeof(float) * 16) * 16;
            if (need > p->scratch_floats)
                p->scratch_floats = need;
        }
    free(b.rootbuf);
    if (st != GY_OK)
        gy_qplan_free(p);
    return st;
}

gy_qu8_map gy_qplan_map(const gy_qplan *p, uint8_t *arena, gy_qview v)
{
    const gy_qbuf *u = &p->bufs[v.buf];
    gy_qu8_map m;
    m.pstride = u->pstride;
    m.rstride = (size_t)(u->w + 2 * u->border) * u->pstride;
    m.data = arena ? arena + u->offset + (size_t)u->border * m.rstride + (size_t)u->border * u->pstride +
                         (size_t)v.c_off
                   : NULL;
    m.h = u->h;
    m.w = u->w;
    m.c = v.c;
    m.border = u->border;
    m.scale = u->act.scale;
    m.zp = u->act.zp;
    return m;
}

float *gy_qplan_floats(const gy_qplan *p, uint8_t *arena, gy_qview v)
{
    const gy_qbuf *u = &p->bufs[v.buf];
    if (!arena)
        return NULL;
    return (float *)(void *)(arena + u->offset) + (size_t)v.c_off * (size_t)u->h * (size_t)u->w;
}

/* qbind.c - binds an int8 model file (written by `ghostyolo quantize`) to the graph:
 *
 *   __metadata__  "int8_version" = "1" (GY_INT8_FORMAT_VERSION), plus the float files' config,
 *                 names, stride, imgsz and a "quantization" JSON (how it was made; informative)
 *   int8 conv     <conv>.weight I8 [cout, cin/groups, kh, kw], <conv>.weight_scale F32 [cout],
 *                 <conv>.bias F32 [cout]   (BatchNorm folded: weight = weight_scale * I8)
 *   float conv    <conv>.weight F32 [...], <conv>.bias F32 [cout] (folded); the DFL's fixed conv
 *                 has its weight only
 *   activations   <storage>.act_scale F32 [1] and <storage>.act_zero_point I32 [1] for every
 *                 storage the analysis says needs them (runtime/qgraph.h)
 *
 * Everything is checked and refused with a message naming the tensor: a missing or extra tensor,
 * a wrong dtype or shape, a scale that is 0, negative, NaN or infinite, a zero point outside
 * 0..255, a non-finite weight or bias, an unknown version. */
#include "weights/qbind.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

typedef struct qbinder {
    const gy_safetensors *st;
    unsigned char *used;
    gy_error *err;
} qbinder;

static gy_status find(qbinder *b, const char *name, gy_dtype dt, int ndim, const int64_t *dims,
                      const gy_st_tensor **out)
{
    const gy_st_tensor *t = gy_st_find(b->st, name);
    if (!t)
        return gy_fail(b->err, GY_ERR_MISMATCH, "%s: the int8 model has no tensor \"%s\"",
                       b->st->path, name);
    b->used[t - b->st->tensors] = 1;
    if (t->dtype != dt)
        return gy_fail(b->err, GY_ERR_MISMATCH, "%s: tensor \"%s\" has dtype %s, the int8 model "
                       "needs %s", b->st->path, name, gy_dtype_name(t->dtype), gy_dtype_name(dt));
    int ok = t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++)
        ok = t->shape[i] == dims[i];
    if (!ok) {
        char got[128] = "", want[128] = "";
        for (int i = 0; i < t->ndim; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? ", " : "",
                     (long long)t->shape[i]);
        for (int i = 0; i < ndim; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", i ? ", " : "",
                     (long long)dims[i]);
        return gy_fail(b->err, GY_ERR_MISMATCH, "%s: tensor \"%s\" has shape [%s], the model needs "
                       "[%s]", b->st->path, name, got, want);
    }
    *out = t;
    return GY_OK;
}

/* Reads an F32 tensor whose values must be finite (and > 0 when positive). */
static gy_status read_f32(qbinder *b, const char *name, int ndim, const int64_t *dims, float *dst,
                          int positive)
{
    const gy_st_tensor *t = NULL;
    gy_status s = find(b, name, GY_DT_F32, ndim, dims, &t);
    if (s == GY_OK)
        s = gy_st_read_f32(b->st, t, dst, b->err);
    for (size_t i = 0; s == GY_OK && i < t->numel; i++)
        if (positive ? !(isnormal(dst[i]) && dst[i] > 0.0f) : !isfinite(dst[i]))
            s = gy_fail(b->err, GY_ERR_FORMAT, "%s: tensor \"%s\"[%zu] = %g is not a %s",
                        b->st->path, name, i, (double)dst[i],
                        positive ? "positive normal float (a scale)" : "finite number");
    return s;
}

static gy_status bind_conv(qbinder *b, gy_conv *c, gy_qconv *qc, int index, const gy_graph *g)
{
    char p[200], name[240];
    gy_qgraph_conv_name(g, index, p, sizeof p);
    const int cin_g = c->cin / c->groups;
    const size_t n = (size_t)c->cout * (size_t)cin_g * (size_t)c->kh * (size_t)c->kw;
    int64_t wd[4] = {c->cout, cin_g, c->kh, c->kw}, cd[1] = {c->cout};
    snprintf(name, sizeof name, "%s.weight", p);
    const gy_st_tensor *t = gy_st_find(b->st, name);
    qc->int8 = t && t->dtype == GY_DT_I8;
    if (c->fixed && qc->int8)
        return gy_fail(b->err, GY_ERR_MISMATCH, "%s: tensor \"%s\" (the DFL's fixed bins) must be F32",
                       b->st->path, name);
    gy_status s;
    c->b = calloc((size_t)c->cout, sizeof *c->b);
    if (!c->b)
        return gy_fail(b->err, GY_ERR_NOMEM, "%s: out of memory", b->st->path);
    if (qc->int8) {
        qc->w = malloc(n ? n : 1);
        qc->wscale = malloc(sizeof *qc->wscale * (size_t)c->cout);
        if (!qc->w || !qc->wscale)
            return gy_fail(b->err, GY_ERR_NOMEM, "%s: out of memory", b->st->path);
        if ((s = find(b, name, GY_DT_I8, 4, wd, &t)) != GY_OK ||
            (s = gy_st_read_i8(b->st, t, qc->w, b->err)) != GY_OK)
            return s;
        snprintf(name, sizeof name, "%s.weight_scale", p);
        if ((s = read_f32(b, name, 1, cd, qc->wscale, 1)) != GY_OK)
            return s;
    } else {
        c->w = malloc(sizeof *c->w * (n ? n : 1));
        if (!c->w)
            return gy_fail(b->err, GY_ERR_NOMEM, "%s: out of memory", b->st->path);
        if ((s = read_f32(b, name, 4, wd, c->w, 0)) != GY_OK)
            return s;
    }
    if (c->fixed)
        return GY_OK;
    snprintf(name, sizeof name, "%s.bias", p);
    return read_f32(b, name, 1, cd, c->b, 0);
}

static gy_status bind_act(qbinder *b, const gy_graph *g, int s, gy_qact *a)
{
    char key[200], name[240];
    gy_qgraph_storage_name(g, s, key, sizeof key);
    int64_t one[1] = {1};
    snprintf(name, sizeof name, "%s.act_scale", key);
    gy_status st = read_f32(b, name, 1, one, &a->scale, 1);
    if (st != GY_OK)
        return st;
    snprintf(name, sizeof name, "%s.act_zero_point", key);
    const gy_st_tensor *t;
    int32_t zp;
    if ((st = find(b, name, GY_DT_I32, 1, one, &t)) != GY_OK ||
        (st = gy_st_read_i32(b->st, t, &zp, b->err)) != GY_OK)
        return st;
    if (zp < 0 || zp > 255)
        return gy_fail(b->err, GY_ERR_FORMAT, "%s: tensor \"%s\" = %d is outside 0..255 (a uint8 "
                       "zero point)", b->st->path, name, (int)zp);
    a->zp = zp;
    a->set = 1;
    return GY_OK;
}

gy_status gy_qmodel_bind(gy_graph *g, const gy_safetensors *st, gy_qgraph **out, gy_error *err)
{
    *out = NULL;
    const char *ver = gy_st_meta_get(st, "int8_version");
    char want[16];
    snprintf(want, sizeof want, "%d", GY_INT8_FORMAT_VERSION);
    if (!ver || strcmp(ver, want) != 0)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: int8 model format version '%s' is not one this "
                       "build reads (%s)", st->path, ver ? ver : "(none)", want);
    gy_qgraph *q;
    gy_status s = gy_qgraph_create(g, &q, err);
    if (s != GY_OK)
        return s;
    qbinder b = {.st = st, .err = err};
    b.used = calloc((size_t)st->count + 1, 1);
    if (!b.used) {
        gy_qgraph_free(q);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", st->path);
    }
    for (int i = 0; i < g->nconvs && s == GY_OK; i++)
        s = bind_conv(&b, &g->convs[i], &q->convs[i], i, g);
    if (s == GY_OK)
        s = gy_qgraph_analyse(g, q, err);
    for (int r = 0; r < g->nstorages && s == GY_OK; r++)
        if (q->needs_act[r])
            s = bind_act(&b, g, r, &q->act[r]);
    for (int i = 0; i < st->count && s == GY_OK; i++)
        if (!b.used[i])
            s = gy_fail(err, GY_ERR_MISMATCH, "%s: tensor \"%s\" is not part of this int8 model",
                        st->path, st->tensors[i].name);
    free(b.used);
    if (s != GY_OK) {
        gy_qgraph_free(q);
        return s;
    }
    *out = q;
    return GY_OK;
}

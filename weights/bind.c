/* bind.c - binds safetensors tensors to the graph's convolutions by ultralytics state_dict name,
 * checks shapes, refuses missing and left-over tensors, and folds BatchNorm into the conv:
 *   w' = w * gamma / sqrt(var + eps),  b' = beta + (b - mean) * gamma / sqrt(var + eps)
 * (b the conv's own bias, 0 without one), with each BatchNorm's own eps. */
#include "weights/bind.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* Tensor names kept for the error message (NUL-separated, the first few KiB of them). */
typedef struct name_list {
    char text[4096];
    size_t used;
    int count, kept;
} name_list;

static void list_add(name_list *l, const char *name)
{
    l->count++;
    size_t n = strlen(name) + 1;
    if (l->used + n > sizeof l->text)
        return;
    memcpy(l->text + l->used, name, n);
    l->used += n;
    l->kept++;
}

/* Appends " N what: a, b, c (and K more);" to msg, whole names only, keeping the message under
 * used + budget bytes: a name that does not fit is counted among the K, never cut; the list is
 * left out when its head and "(and N more);" do not fit. */
static void append_list(char *msg, size_t size, size_t *used, size_t budget, const char *what,
                        const name_list *l)
{
    size_t limit = *used + budget < size ? *used + budget : size;
    char head[64], tail[48];
    snprintf(head, sizeof head, " %d %s: ", l->count, what);
    size_t none = (size_t)snprintf(tail, sizeof tail, "(and %d more);", l->count);
    if (*used + strlen(head) + none + 1 > limit)
        return;
    *used += (size_t)snprintf(msg + *used, size - *used, "%s", head);
    const char *p = l->text;
    int shown = 0;
    for (; shown < l->kept; shown++, p += strlen(p) + 1) {
        size_t need = strlen(p) + (shown ? 2 : 0);
        int left = l->count - shown - 1; /* after this one */
        size_t reserve = left ? (size_t)snprintf(tail, sizeof tail, " (and %d more);", left) : 1;
        if (*used + need + reserve + 1 > limit)
            break;
        *used += (size_t)snprintf(msg + *used, size - *used, "%s%s", shown ? ", " : "", p);
    }
    if (shown < l->count)
        snprintf(tail, sizeof tail, "%s(and %d more);", shown ? " " : "", l->count - shown);
    else
        snprintf(tail, sizeof tail, ";");
    *used += (size_t)snprintf(msg + *used, size - *used, "%s", tail);
}

static int shape_is(const gy_st_tensor *t, int ndim, const int64_t *dims)
{
    if (t->ndim != ndim)
        return 0;
    for (int i = 0; i < ndim; i++)
        if (t->shape[i] != dims[i])
            return 0;
    return 1;
}

static void shape_str(const gy_st_tensor *t, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < t->ndim && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? ", " : "",
                                 (long long)t->shape[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

typedef struct binder {
    const gy_safetensors *st;
    unsigned char *used;
    name_list missing;
    char first_bad_shape[512];
    int bad_shapes;
    const cJSON *eps_exceptions; /* bn_eps_exceptions metadata (BN prefix -> eps), or NULL */
    gy_error *err;
} binder;

/* The eps a conv's BatchNorm is folded with: the weights' bn_eps_exceptions when they have that
 * metadata (every BN whose eps is not bn_eps is listed), else the BN's own eps from its module
 * (zoo blocks), else the model's. */
static double bn_eps_of(const binder *bd, const gy_conv *c, double model_eps)
{
    if (bd->eps_exceptions) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(bd->eps_exceptions, c->bnprefix);
        return v ? v->valuedouble : model_eps;
    }
    return c->bn_eps > 0.0 ? c->bn_eps : model_eps;
}

/* Parses bn_eps_exceptions: a JSON object of BatchNorm prefix -> eps in (0, 1). */
static gy_status load_eps_exceptions(binder *bd, cJSON **out)
{
    *out = NULL;
    const char *text = gy_st_meta_get(bd->st, "bn_eps_exceptions");
    if (!text)
        return GY_OK;
    cJSON *j = cJSON_Parse(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return gy_fail(bd->err, GY_ERR_FORMAT, "%s: metadata bn_eps_exceptions is not a JSON object "
                       "of BatchNorm name -> eps", bd->st->path);
    }
    for (const cJSON *it = j->child; it; it = it->next)
        if (!cJSON_IsNumber(it) || !(it->valuedouble > 0.0 && it->valuedouble < 1.0)) {
            gy_status st = gy_fail(bd->err, GY_ERR_FORMAT, "%s: metadata bn_eps_exceptions: '%s' "
                                   "is not a small positive eps", bd->st->path, it->string);
            cJSON_Delete(j);
            return st;
        }
    *out = j;
    return GY_OK;
}

/* Finds `name` with the expected shape and converts it into dst (numel floats); records a
 * missing name or a wrong shape. Returns 1 when dst was filled. */
static int fetch(binder *bd, const char *name, int ndim, const int64_t *dims, float *dst,
                 gy_status *fatal)
{
    const gy_st_tensor *t = gy_st_find(bd->st, name);
    if (!t) {
        list_add(&bd->missing, name);
        return 0;
    }
    bd->used[t - bd->st->tensors] = 1;
    if (!shape_is(t, ndim, dims)) {
        if (bd->bad_shapes++ == 0) {
            char got[128], want[128];
            gy_st_tensor w = {.ndim = ndim};
            memcpy(w.shape, dims, sizeof *dims * (size_t)ndim);
            shape_str(t, got, sizeof got);
            shape_str(&w, want, sizeof want);
            snprintf(bd->first_bad_shape, sizeof bd->first_bad_shape,
                     "%s has shape %s, the model needs %s", name, got, want);
        }
        return 0;
    }
    gy_status s = gy_st_read_f32(bd->st, t, dst, bd->err);
    if (s != GY_OK) {
        *fatal = s;
        return 0;
    }
    return 1;
}

static gy_status bind_conv(binder *bd, gy_conv *c, double model_eps)
{
    double eps = bn_eps_of(bd, c, model_eps);
    int cin_g = c->cin / c->groups;
    size_t wcount = (size_t)c->cout * cin_g * c->kh * c->kw;
    c->w = malloc(sizeof *c->w * wcount);
    c->b = calloc((size_t)c->cout, sizeof *c->b);
    float *bn = malloc(sizeof *bn * 4 * (size_t)c->cout);
    if (!c->w || !c->b || !bn) {
        free(bn);
        return gy_fail(bd->err, GY_ERR_NOMEM, "%s: out of memory for %s", bd->st->path, c->wname);
    }
    gy_status fatal = GY_OK;
    int64_t wdims[4] = {c->cout, cin_g, c->kh, c->kw}, vdims[1] = {c->cout};
    int ok = fetch(bd, c->wname, 4, wdims, c->w, &fatal);
    if (c->bname[0])
        ok &= fetch(bd, c->bname, 1, vdims, c->b, &fatal);
    if (c->bnprefix[0]) {
        static const char *const parts[4] = {"weight", "bias", "running_mean", "running_var"};
        for (int i = 0; i < 4; i++) {
            char name[200];
            snprintf(name, sizeof name, "%s.%s", c->bnprefix, parts[i]);
            ok &= fetch(bd, name, 1, vdims, bn + (size_t)i * c->cout, &fatal);
        }
        if (ok && fatal == GY_OK) {
            size_t per = wcount / (size_t)c->cout;
            for (int o = 0; o < c->cout; o++) {
                double gamma = bn[o], beta = bn[c->cout + o], mean = bn[2 * c->cout + o];
                double var = bn[3 * c->cout + o];
                if (!(var + eps > 0.0)) {
                    free(bn);
                    return gy_fail(bd->err, GY_ERR_FORMAT, "%s: %s.running_var[%d] = %g is negative",
                                   bd->st->path, c->bnprefix, o, var);
                }
                double scale = gamma / sqrt(var + eps);
                float *w = c->w + (size_t)o * per;
                for (size_t i = 0; i < per; i++)
                    w[i] = (float)((double)w[i] * scale);
                c->b[o] = (float)(beta + ((double)c->b[o] - mean) * scale);
            }
        }
    }
    free(bn);
    return fatal;
}

gy_status gy_model_bind(gy_graph *g, const gy_safetensors *st, double eps, gy_error *err)
{
    binder bd;
    memset(&bd, 0, sizeof bd);
    bd.st = st;
    bd.err = err;
    cJSON *exceptions;
    gy_status s = load_eps_exceptions(&bd, &exceptions);
    if (s != GY_OK)
        return s;
    bd.eps_exceptions = exceptions;
    bd.used = calloc((size_t)st->count + 1, 1);
    if (!bd.used) {
        cJSON_Delete(exceptions);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", st->path);
    }
    for (int i = 0; i < g->nconvs && s == GY_OK; i++)
        s = bind_conv(&bd, &g->convs[i], eps);
    cJSON_Delete(exceptions);
    if (s != GY_OK) {
        free(bd.used);
        return s;
    }
    name_list unexpected;
    memset(&unexpected, 0, sizeof unexpected);
    static const char nbt[] = "num_batches_tracked";
    for (int i = 0; i < st->count; i++) {
        const char *n = st->tensors[i].name;
        size_t len = strlen(n);
        if (bd.used[i] || (len >= sizeof nbt - 1 && strcmp(n + len - (sizeof nbt - 1), nbt) == 0))
            continue;
        list_add(&unexpected, n);
    }
    free(bd.used);
    if (bd.missing.count || unexpected.count || bd.bad_shapes) {
        char msg[GY_ERROR_MESSAGE_MAX];
        size_t used = (size_t)snprintf(msg, sizeof msg, "%s: the weights do not fit the model:",
                                       st->path);
        if (bd.bad_shapes && used < sizeof msg)
            used += (size_t)snprintf(msg + used, sizeof msg - used, " %d wrong shape(s), first: %s;",
                                     bd.bad_shapes, bd.first_bad_shape);
        if (used >= sizeof msg)
            used = sizeof msg - 1;
        /* the lists share what is left (half each when both are there) */
        size_t left = sizeof msg - used;
        if (bd.missing.count)
            append_list(msg, sizeof msg, &used, unexpected.count ? left / 2 : left, "missing",
                        &bd.missing);
        if (unexpected.count)
            append_list(msg, sizeof msg, &used, sizeof msg - used, "unexpected", &unexpected);
        if (used > 0 && msg[used - 1] == ';')
            msg[used - 1] = '\0';
        return gy_fail(err, GY_ERR_MISMATCH, "%s", msg);
    }
    return GY_OK;
}

gy_status gy_model_synthetic_weights(gy_graph *g, gy_error *err)
{
    uint32_t state = 0x9e3779b9u;
    for (int i = 0; i < g->nconvs; i++) {
        gy_conv *c = &g->convs[i];
        size_t per = (size_t)(c->cin / c->groups) * c->kh * c->kw;
        size_t n = (size_t)c->cout * per;
        c->w = malloc(sizeof *c->w * (n ? n : 1));
        c->b = calloc((size_t)c->cout, sizeof *c->b);
        if (!c->w || !c->b)
            return gy_fail(err, GY_ERR_NOMEM, "out of memory for synthetic weights");
        float scale = 1.7f / sqrtf((float)per); /* unit-variance outputs for unit inputs */
        for (size_t k = 0; k < n; k++) {
            state = state * 1664525u + 1013904223u;
            c->w[k] = c->fixed ? (float)(k % (size_t)c->cin)
                               : ((float)(state >> 8) / 16777216.0f - 0.5f) * scale;
        }
    }
    return GY_OK;
}

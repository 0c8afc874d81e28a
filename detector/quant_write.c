/* quant_write.c - the int8 model file of `ghostyolo quantize` (layout: weights/qbind.c): the
 * tensors of a configuration, the float model's metadata (config, names, stride, imgsz) and how
 * it was made, written through a temporary file. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "detector/quant_ctx.h"
#include "weights/pt_checkpoint.h"
#include "weights/safetensors_write.h"

/* ---- The file --------------------------------------------------------------------------------- */

typedef struct tensor_list {
    gy_st_tensor *t;
    int n, cap;
    unsigned char *data;
    size_t size, cap_bytes;
} tensor_list;

static int tl_add(tensor_list *l, const char *name, gy_dtype dt, int ndim, const int64_t *shape,
                  const void *data, size_t bytes)
{
    if (l->n == l->cap) {
        int ncap = l->cap ? 2 * l->cap : 256;
        gy_st_tensor *t = realloc(l->t, sizeof *t * (size_t)ncap);
        if (!t)
            return 0;
        l->t = t;
        l->cap = ncap;
    }
    if (l->size + bytes > l->cap_bytes) {
        size_t ncap = l->cap_bytes ? l->cap_bytes : 1 << 20;
        while (ncap < l->size + bytes)
            ncap *= 2;
        unsigned char *d = realloc(l->data, ncap);
        if (!d)
            return 0;
        l->data = d;
        l->cap_bytes = ncap;
    }
    gy_st_tensor *t = &l->t[l->n];
    memset(t, 0, sizeof *t);
    t->name = gy_strdup(name);
    if (!t->name)
        return 0;
    t->dtype = dt;
    t->ndim = ndim;
    t->numel = 1;
    for (int d = 0; d < ndim; d++) {
        t->shape[d] = shape[d];
        t->numel *= (size_t)shape[d];
    }
    t->offset = l->size;
    t->nbytes = bytes;
    if (bytes)
        memcpy(l->data + l->size, data, bytes);
    l->size += bytes;
    l->n++;
    return 1;
}

static void tl_free(tensor_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->t[i].name);
    free(l->t);
    free(l->data);
}

static int cmp_meta(const void *a, const void *b)
{
    return strcmp(((const gy_st_meta *)a)->key, ((const gy_st_meta *)b)->key);
}

/* The config text for the metadata: the weights' own, or the -m file with its scale made
 * explicit (a `scale:` line) when it came from the file name or a parameter. */
static char *config_text(const qctx *c, const char *config_path, const gy_safetensors *src,
                         gy_error *err)
{
    if (!config_path) {
        const char *t = gy_st_meta_get(src, "config");
        char *s = t ? gy_strdup(t) : NULL;
        if (!s)
            gy_fail(err, t ? GY_ERR_NOMEM : GY_ERR_ARGUMENT, "the weights carry no config");
        return s;
    }
    unsigned char *data;
    size_t size;
    if (gy_read_file(c->m->cfg->path, GY_YAML_MAX_BYTES, &data, &size, err) != GY_OK)
        return NULL;
    const gy_config *cfg = c->m->cfg;
    int add = cfg->scale[0] && !cfg->yaml_scale[0];
    char *s = malloc(size + 64);
    if (!s) {
        free(data);
        gy_fail(err, GY_ERR_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    free(data);
    if (add)
        snprintf(s + size, 64, "%sscale: %s\n", size && s[size - 1] != '\n' ? "\n" : "", cfg->scale);
    return s;
}

gy_status gy_quant_write(const qctx *c, const gy_qgraph *q, const char *config_path,
                             const char *weights_path, const char *out_path, const char *how,
                             gy_error *err)
{
    const gy_graph *g = &c->m->graph;
    tensor_list l;
    memset(&l, 0, sizeof l);
    int ok = 1;
    char p[200], name[240];
    for (int i = 0; i < g->nconvs && ok; i++) {
        const gy_conv *cv = &g->convs[i];
        gy_qgraph_conv_name(g, i, p, sizeof p);
        int64_t wd[4] = {cv->cout, cv->cin / cv->groups, cv->kh, cv->kw}, cd[1] = {cv->cout};
        size_t n = (size_t)wd[0] * (size_t)wd[1] * (size_t)wd[2] * (size_t)wd[3];
        snprintf(name, sizeof name, "%s.weight", p);
        if (q->convs[i].int8) {
            ok = tl_add(&l, name, GY_DT_I8, 4, wd, q->convs[i].w, n);
            snprintf(name, sizeof name, "%s.weight_scale", p);
            ok = ok && tl_add(&l, name, GY_DT_F32, 1, cd, q->convs[i].wscale, 4 * (size_t)cv->cout);
        } else {
            ok = tl_add(&l, name, GY_DT_F32, 4, wd, cv->w, 4 * n);
        }
        if (!cv->fixed && ok) {
            snprintf(name, sizeof name, "%s.bias", p);
            ok = tl_add(&l, name, GY_DT_F32, 1, cd, cv->b, 4 * (size_t)cv->cout);
        }
    }
    for (int r = 0; r < g->nstorages && ok; r++) {
        if (!q->needs_act[r])
            continue;
        int64_t one[1] = {1};
        int32_t zp = q->act[r].zp;
        gy_qgraph_storage_name(g, r, p, sizeof p);
        snprintf(name, sizeof name, "%s.act_scale", p);
        ok = tl_add(&l, name, GY_DT_F32, 1, one, &q->act[r].scale, 4);
        snprintf(name, sizeof name, "%s.act_zero_point", p);
        ok = ok && tl_add(&l, name, GY_DT_I32, 1, one, &zp, 4);
    }
    if (!ok) {
        tl_free(&l);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", out_path);
    }
    gy_safetensors *src = NULL;
    gy_status st = weights_path ? gy_weights_open(weights_path, &src, err) : GY_OK;
    char *config = st == GY_OK ? config_text(c, config_path, src, err) : NULL;
    if (st == GY_OK && !config)
        st = err ? err->status : GY_ERR_NOMEM;
    char version[16], stride[64] = "[", *names = NULL;
    snprintf(version, sizeof version, "%d", GY_INT8_FORMAT_VERSION);
    for (int i = 0; i < c->m->nstrides; i++)
        snprintf(stride + strlen(stride), sizeof stride - strlen(stride), "%s%d", i ? ", " : "",
                 c->m->strides[i]);
    snprintf(stride + strlen(stride), sizeof stride - strlen(stride), "]");
    if (st == GY_OK) {
        cJSON *o = cJSON_CreateObject();
        for (int i = 0; o && i < c->m->nnames; i++) {
            char k[16];
            snprintf(k, sizeof k, "%d", i);
            cJSON_AddStringToObject(o, k, c->m->names[i]);
        }
        names = o ? cJSON_PrintUnformatted(o) : NULL;
        cJSON_Delete(o);
        if (!names)
            st = gy_fail(err, GY_ERR_NOMEM, "out of memory");
    }
    if (st == GY_OK) {
        const char *imgsz = gy_st_meta_get(src, "imgsz");
        gy_st_meta meta[8] = {{"format", "ghostyolo-int8"},
                              {"source", (char *)(weights_path ? weights_path : "synthetic weights")},
                              {"int8_version", version}, {"config", config}, {"names", names},
                              {"stride", stride}, {"quantization", (char *)how},
                              {"imgsz", (char *)(imgsz ? imgsz : "640")}};
        qsort(meta, 8, sizeof *meta, cmp_meta);
        gy_safetensors out;
        memset(&out, 0, sizeof out);
        out.path = (char *)out_path;
        out.data = l.data;
        out.data_size = l.size;
        out.tensors = l.t;
        out.count = l.n;
        out.meta = meta;
        out.meta_count = 8;
        static const char *const order[] = {"format", "source", "int8_version", "config", "names",
                                            "stride", "imgsz", "quantization", NULL};
        st = gy_st_write(&out, order, out_path, err);
    }
    cJSON_free(names);
    free(config);
    gy_st_close(src);
    tl_free(&l);
    return st;
}


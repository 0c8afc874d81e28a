/* safetensors_write.c - the safetensors writer (see safetensors_write.h). */
#include "weights/safetensors_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"


/* A JSON string as serde_json writes it: \" \\ \b \f \n \r \t, other control bytes as \u00xx,
 * everything else (UTF-8 included) as is. */
static void jb_json_string(gy_strbuf *b, const char *s)
{
    gy_strbuf_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char e[8];
        switch (c) {
        case '"': gy_strbuf_str(b, "\\\""); break;
        case '\\': gy_strbuf_str(b, "\\\\"); break;
        case '\b': gy_strbuf_str(b, "\\b"); break;
        case '\f': gy_strbuf_str(b, "\\f"); break;
        case '\n': gy_strbuf_str(b, "\\n"); break;
        case '\r': gy_strbuf_str(b, "\\r"); break;
        case '\t': gy_strbuf_str(b, "\\t"); break;
        default:
            if (c < 0x20) {
                snprintf(e, sizeof e, "\\u%04x", c);
                gy_strbuf_str(b, e);
            } else {
                gy_strbuf_put(b, s, 1);
            }
        }
    }
    gy_strbuf_put(b, "\"", 1);
}

typedef struct order_item {
    const gy_st_tensor *t;
    size_t esize;
} order_item;

static int cmp_order(const void *a, const void *b)
{
    const order_item *x = a, *y = b;
    if (x->esize != y->esize)
        return x->esize > y->esize ? -1 : 1;
    return strcmp(x->t->name, y->t->name);
}

static int listed(const char *key, const char *const *order)
{
    for (; order && *order; order++)
        if (strcmp(key, *order) == 0)
            return 1;
    return 0;
}

gy_status gy_st_serialize(const gy_safetensors *st, const char *const *meta_order,
                          unsigned char **out, size_t *size, gy_error *err)
{
    if (!st || !out || !size)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_st_serialize needs tensors and output pointers");
    *out = NULL;
    *size = 0;
    const char *name = st->path ? st->path : "<safetensors>";
    size_t n = st->count > 0 ? (size_t)st->count : 0;
    order_item *ord = malloc((n ? n : 1) * sizeof *ord);
    if (!ord)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", name);
    for (size_t i = 0; i < n; i++) {
        ord[i].t = &st->tensors[i];
        ord[i].esize = gy_dtype_size(st->tensors[i].dtype);
    }
    qsort(ord, n, sizeof *ord, cmp_order);
    gy_strbuf b = {0};
    gy_strbuf_str(&b, "{");
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        const gy_st_tensor *t = ord[i].t;
        if (t->offset > st->data_size || t->nbytes > st->data_size - t->offset) {
            free(ord);
            free(b.s);
            return gy_fail(err, GY_ERR_ARGUMENT, "%s: tensor '%s' lies outside the data",
                           name, t->name);
        }
        if (i)
            gy_strbuf_str(&b, ",");
        jb_json_string(&b, t->name);
        char num[64];
        gy_strbuf_str(&b, ":{\"dtype\":\"");
        gy_strbuf_str(&b, gy_dtype_name(t->dtype));
        gy_strbuf_str(&b, "\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) {
            snprintf(num, sizeof num, "%s%lld", d ? "," : "", (long long)t->shape[d]);
            gy_strbuf_str(&b, num);
        }
        snprintf(num, sizeof num, "],\"data_offsets\":[%zu,%zu]}", off, off + t->nbytes);
        gy_strbuf_str(&b, num);
        off += t->nbytes;
    }
    if (st->meta_count > 0) {
        gy_strbuf_str(&b, n ? ",\"__metadata__\":{" : "\"__metadata__\":{");
        int first = 1;
        for (const char *const *k = meta_order; k && *k; k++) {
            const char *v = gy_st_meta_get(st, *k);
            if (!v)
                continue;
            if (!first)
                gy_strbuf_str(&b, ",");
            first = 0;
            jb_json_string(&b, *k);
            gy_strbuf_str(&b, ":");
            jb_json_string(&b, v);
        }
        for (int i = 0; i < st->meta_count; i++) { /* st->meta is sorted by key */
            if (listed(st->meta[i].key, meta_order))
                continue;
            if (!first)
                gy_strbuf_str(&b, ",");
            first = 0;
            jb_json_string(&b, st->meta[i].key);
            gy_strbuf_str(&b, ":");
            jb_json_string(&b, st->meta[i].value);
        }
        gy_strbuf_str(&b, "}");
    }
    gy_strbuf_str(&b, "}");
    while (!b.bad && b.len % 8)
        gy_strbuf_str(&b, " ");
    if (b.bad) {
        free(ord);
        free(b.s);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory building the header", name);
    }
    size_t total;
    if (off > SIZE_MAX - 8 - b.len) {
        free(ord);
        free(b.s);
        return gy_fail(err, GY_ERR_NOMEM, "%s: the file size overflows", name);
    }
    total = 8 + b.len + off;
    unsigned char *buf = malloc(total);
    if (!buf) {
        free(ord);
        free(b.s);
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate %zu bytes", name, total);
    }
    uint64_t hl = b.len;
    for (int k = 0; k < 8; k++)
        buf[k] = (unsigned char)(hl >> (8 * k));
    memcpy(buf + 8, b.s, b.len);
    unsigned char *p = buf + 8 + b.len;
    for (size_t i = 0; i < n; i++) {
        if (ord[i].t->nbytes)
            memcpy(p, st->data + ord[i].t->offset, ord[i].t->nbytes);
        p += ord[i].t->nbytes;
    }
    free(ord);
    free(b.s);
    *out = buf;
    *size = total;
    return GY_OK;
}

gy_status gy_st_write(const gy_safetensors *st, const char *const *meta_order, const char *path,
                      gy_error *err)
{
    unsigned char *buf;
    size_t size;
    gy_status s = gy_st_serialize(st, meta_order, &buf, &size, err);
    if (s != GY_OK)
        return s;
    s = gy_write_file_atomic(path, buf, size, err);
    free(buf);
    return s;
}

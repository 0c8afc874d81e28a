/* safetensors.c - reading and validating safetensors files.
 *
 * Layout: an 8-byte little-endian header length N, N bytes of JSON header, then the data section.
 * The header maps tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative
 * to the data section) and may hold "__metadata__", an object of string values.
 *
 * The checks follow huggingface's reference parser: N <= GY_ST_MAX_HEADER and 8 + N <= file size;
 * the header starts with '{', is valid UTF-8 and a JSON object (trailing JSON whitespace allowed,
 * the official writer pads with spaces); every tensor's byte count equals prod(shape) x dtype size
 * (overflow checked); sorted by offset the tensors cover the data section from 0 to its end with no
 * gap and no overlap. Duplicate names (cJSON keeps duplicate keys) are refused.
 *
 * Integers in the header are read through cJSON's double, so they must be integral, non-negative
 * and at most 2^53 (exact in a double); larger values cannot describe a real file anyway. A
 * number written as 2.0 or 2e0 is accepted as 2.
 *
 * Element conversion assembles every value from its little-endian bytes, so it does not depend on
 * the host's byte order or on alignment; the raw `data` pointer, however, holds file (little-endian)
 * bytes, and the rest of ghostyolo assumes a little-endian host. */
#include "weights/safetensors.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"


/* Largest integer a double holds exactly: header integers above it are refused. */
#define GY_ST_MAX_JSON_INT 9007199254740992.0

/* Zero bytes after the copy of the header handed to cJSON (it may peek past the given length). */
#define GY_ST_JSON_PAD 16

const char *gy_dtype_name(gy_dtype dt)
{
    switch (dt) {
    case GY_DT_F32: return "F32";
    case GY_DT_F16: return "F16";
    case GY_DT_BF16: return "BF16";
    case GY_DT_I64: return "I64";
    case GY_DT_I8: return "I8";
    case GY_DT_I32: return "I32";
    }
    return "?";
}

static size_t dtype_size(gy_dtype dt)
{
    switch (dt) {
    case GY_DT_F32: return 4;
    case GY_DT_F16: return 2;
    case GY_DT_BF16: return 2;
    case GY_DT_I64: return 8;
    case GY_DT_I8: return 1;
    case GY_DT_I32: return 4;
    }
    return 0;
}

size_t gy_dtype_size(gy_dtype dt) { return dtype_size(dt); }

void gy_st_close(gy_safetensors *st)
{
    if (!st)
        return;
    if (st->tensors) {
        for (int i = 0; i < st->count; i++)
            free(st->tensors[i].name);
        free(st->tensors);
    }
    if (st->meta) {
        for (int i = 0; i < st->meta_count; i++) {
            free(st->meta[i].key);
            free(st->meta[i].value);
        }
        free(st->meta);
    }
    free(st->file);
    free(st->path);
    free(st);
}

/* ---------------------------------------------------------------------------------------------- */
/* Header text checks done before cJSON sees it. */

static int json_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static gy_status check_header_text(const unsigned char *h, size_t n, const char *name,
                                   gy_error *err)
{
    if (n == 0)
        return gy_fail(err, GY_ERR_FORMAT, "%s: the header is empty (length 0); it must be a JSON "
                       "object", name);
    if (h[0] != '{')
        return gy_fail(err, GY_ERR_FORMAT, "%s: the header is not a JSON object: it must start "
                       "with '{' but starts with byte 0x%02x", name, h[0]);
    /* Raw control bytes are never valid JSON except as whitespace; cJSON would skip them. */
    for (size_t i = 0; i < n; i++)
        if (h[i] < 0x20 && !json_space(h[i]))
            return gy_fail(err, GY_ERR_FORMAT, "%s: invalid JSON header: control byte 0x%02x at "
                           "header byte %zu", name, h[i], i);
    size_t bad = gy_utf8_invalid_at(h, n);
    if (bad != n)
        return gy_fail(err, GY_ERR_FORMAT, "%s: the header is not valid UTF-8 (at header byte %zu)",
                       name, bad);
    return GY_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* JSON values. */

typedef enum json_int_result { JI_OK, JI_NOT_NUMBER, JI_NOT_INTEGER, JI_NEGATIVE, JI_TOO_LARGE }
json_int_result;

static json_int_result json_uint(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v))
        return JI_NOT_NUMBER;
    double d = v->valuedouble;
    if (d < 0)
        return JI_NEGATIVE;
    if (!(d <= GY_ST_MAX_JSON_INT)) /* also catches inf and nan */
        return JI_TOO_LARGE;
    uint64_t u = (uint64_t)d;
    if ((double)u != d)
        return JI_NOT_INTEGER;
    *out = u;
    return JI_OK;
}

static const char *json_int_problem(json_int_result r)
{
    switch (r) {
    case JI_OK: return "ok";
    case JI_NOT_NUMBER: return "is not a number";
    case JI_NOT_INTEGER: return "is not an integer";
    case JI_NEGATIVE: return "is negative";
    case JI_TOO_LARGE: return "is too large (more than 2^53)";
    }
    return "is invalid";
}

/* A short rendering of a JSON value for messages. */
static void json_brief(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsNumber(v))
        snprintf(buf, size, "%.17g", v->valuedouble);
    else if (cJSON_IsString(v))
        snprintf(buf, size, "\"%.40s\"", v->valuestring);
    else if (cJSON_IsArray(v))
        snprintf(buf, size, "an array");
    else if (cJSON_IsObject(v))
        snprintf(buf, size, "an object");
    else if (cJSON_IsBool(v))
        snprintf(buf, size, "a boolean");
    else if (cJSON_IsNull(v))
        snprintf(buf, size, "null");
    else
        snprintf(buf, size, "an invalid value");
}

static void shape_str(const gy_st_tensor *t, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, size, "[");
    for (int d = 0; d < t->ndim && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", d ? ", " : "",
                                 (long long)t->shape[d]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

/* ---------------------------------------------------------------------------------------------- */
/* Metadata. */

static int cmp_meta(const void *a, const void *b)
{
    return strcmp(((const gy_st_meta *)a)->key, ((const gy_st_meta *)b)->key);
}

static gy_status parse_metadata(gy_safetensors *st, const cJSON *md, gy_error *err)
{
    if (cJSON_IsNull(md))
        return GY_OK; /* the reference parser reads null as "no metadata" */
    if (!cJSON_IsObject(md)) {
        char what[64];
        json_brief(md, what, sizeof what);
        return gy_fail(err, GY_ERR_FORMAT, "%s: \"__metadata__\" must be an object of strings, "
                       "not %s", st->path, what);
    }
    int n = cJSON_GetArraySize(md);
    if (n == 0)
        return GY_OK;
    st->meta = calloc((size_t)n, sizeof *st->meta);
    if (!st->meta)
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate %d metadata entries", st->path, n);
    const cJSON *it;
    cJSON_ArrayForEach(it, md)
    {
        if (!cJSON_IsString(it) || !it->valuestring) {
            char what[64];
            json_brief(it, what, sizeof what);
            return gy_fail(err, GY_ERR_FORMAT, "%s: metadata value of \"%s\" must be a string, "
                           "not %s", st->path, it->string, what);
        }
        gy_st_meta *m = &st->meta[st->meta_count];
        m->key = gy_strdup(it->string);
        m->value = m->key ? gy_strdup(it->valuestring) : NULL;
        if (!m->key || !m->value) {
            free(m->key);
            m->key = NULL;
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory copying metadata entry \"%s\"",
                           st->path, it->string);
        }
        st->meta_count++;
    }
    qsort(st->meta, (size_t)st->meta_count, sizeof *st->meta, cmp_meta);
    for (int i = 1; i < st->meta_count; i++)
        if (strcmp(st->meta[i - 1].key, st->meta[i].key) == 0)
            return gy_fail(err, GY_ERR_FORMAT, "%s: metadata key \"%s\" appears more than once",
                           st->path, st->meta[i].key);
    return GY_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Tensors. */

static gy_status parse_dtype(const cJSON *v, const char *path, const char *tname, gy_dtype *dt,
                             gy_error *err)
{
    if (!cJSON_IsString(v) || !v->valuestring) {
        char what[64];
        json_brief(v, what, sizeof what);
        return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": \"dtype\" must be a string, not %s",
                       path, tname, what);
    }
    static const struct {
        const char *name;
        gy_dtype dt;
    } known[] = {{"F32", GY_DT_F32}, {"F16", GY_DT_F16}, {"BF16", GY_DT_BF16}, {"I64", GY_DT_I64},
                 {"I8", GY_DT_I8}, {"I32", GY_DT_I32}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(v->valuestring, known[i].name) == 0) {
            *dt = known[i].dt;
            return GY_OK;
        }
    return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: tensor \"%s\" has dtype \"%.40s\", which is not "
                   "supported (F32, F16, BF16, I64, I8 and I32 are)", path, tname, v->valuestring);
}

static gy_status parse_shape(const cJSON *v, const char *path, gy_st_tensor *t, gy_error *err)
{
    if (!cJSON_IsArray(v)) {
        char what[64];
        json_brief(v, what, sizeof what);
        return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": \"shape\" must be an array of "
                       "integers, not %s", path, t->name, what);
    }
    int n = cJSON_GetArraySize(v);
    if (n > GY_ST_MAX_DIMS)
        return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": shape has %d dimensions, more than "
                       "the %d supported", path, t->name, n, GY_ST_MAX_DIMS);
    int d = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, v)
    {
        uint64_t u = 0;
        json_int_result r = json_uint(it, &u);
        if (r != JI_OK) {
            char what[64];
            json_brief(it, what, sizeof what);
            return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": shape[%d] = %s %s; dimensions "
                           "must be non-negative integers", path, t->name, d, what,
                           json_int_problem(r));
        }
        t->shape[d++] = (int64_t)u;
    }
    t->ndim = d;
    return GY_OK;
}

static gy_status parse_offsets(const cJSON *v, const char *path, const char *tname,
                               uint64_t *begin, uint64_t *end, gy_error *err)
{
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2) {
        char what[64];
        json_brief(v, what, sizeof what);
        if (cJSON_IsArray(v))
            snprintf(what, sizeof what, "an array of %d values", cJSON_GetArraySize(v));
        return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": \"data_offsets\" must be "
                       "[begin, end], not %s", path, tname, what);
    }
    uint64_t vals[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        const cJSON *it = cJSON_GetArrayItem(v, k);
        json_int_result r = json_uint(it, &vals[k]);
        if (r != JI_OK) {
            char what[64];
            json_brief(it, what, sizeof what);
            return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": data_offsets %s = %s %s; "
                           "offsets must be non-negative integers", path, tname,
                           k ? "end" : "begin", what, json_int_problem(r));
        }
    }
    if (vals[0] > vals[1])
        return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": data_offsets [%llu, %llu] begin "
                       "after they end", path, tname, (unsigned long long)vals[0],
                       (unsigned long long)vals[1]);
    *begin = vals[0];
    *end = vals[1];
    return GY_OK;
}

/* Fills t (its name is already set) from the header entry and checks it against the data size. */
static gy_status parse_tensor(const cJSON *entry, const char *path, size_t data_size,
                              gy_st_tensor *t, gy_error *err)
{
    if (!cJSON_IsObject(entry)) {
        char what[64];
        json_brief(entry, what, sizeof what);
        return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": entry must be an object with "
                       "dtype, shape and data_offsets, not %s", path, t->name, what);
    }
    static const char *const fields[3] = {"dtype", "shape", "data_offsets"};
    const cJSON *found[3] = {NULL, NULL, NULL};
    const cJSON *it;
    cJSON_ArrayForEach(it, entry)
    {
        for (int f = 0; f < 3; f++) {
            if (strcmp(it->string, fields[f]) != 0)
                continue;
            if (found[f])
                return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": field \"%s\" appears more "
                               "than once", path, t->name, fields[f]);
            found[f] = it;
        }
        /* other fields are ignored, as the reference parser does */
    }
    for (int f = 0; f < 3; f++)
        if (!found[f])
            return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": missing \"%s\"", path,
                           t->name, fields[f]);
    gy_status s = parse_dtype(found[0], path, t->name, &t->dtype, err);
    if (s != GY_OK)
        return s;
    s = parse_shape(found[1], path, t, err);
    if (s != GY_OK)
        return s;
    uint64_t begin = 0, end = 0;
    s = parse_offsets(found[2], path, t->name, &begin, &end, err);
    if (s != GY_OK)
        return s;
    if (end > (uint64_t)data_size)
        return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": data_offsets [%llu, %llu] extend "
                       "beyond the %zu bytes of data after the header (truncated file?)", path,
                       t->name, (unsigned long long)begin, (unsigned long long)end, data_size);
    t->offset = (size_t)begin;
    t->nbytes = (size_t)(end - begin);

    char shp[160];
    size_t numel = 1;
    for (int d = 0; d < t->ndim; d++)
        if (!gy_mul_size(numel, (size_t)t->shape[d], &numel)) {
            shape_str(t, shp, sizeof shp);
            return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": the element count of shape %s "
                           "overflows", path, t->name, shp);
        }
    size_t esize = dtype_size(t->dtype), expect;
    if (!gy_mul_size(numel, esize, &expect)) {
        shape_str(t, shp, sizeof shp);
        return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": the byte count of shape %s x %zu "
                       "(%s) overflows", path, t->name, shp, esize, gy_dtype_name(t->dtype));
    }
    if (expect != t->nbytes) {
        shape_str(t, shp, sizeof shp);
        return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\": shape %s of %s needs %zu bytes but "
                       "data_offsets [%zu, %zu] hold %zu", path, t->name, shp,
                       gy_dtype_name(t->dtype), expect, t->offset, t->offset + t->nbytes,
                       t->nbytes);
    }
    t->numel = numel;
    return GY_OK;
}

static int cmp_offset(const void *a, const void *b)
{
    const gy_st_tensor *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    if (x->nbytes != y->nbytes)
        return x->nbytes < y->nbytes ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const gy_st_tensor *)a)->name, ((const gy_st_tensor *)b)->name);
}

/* Names must be unique; sorted by offset, the tensors must tile [0, data_size) exactly. Leaves the
 * tensors sorted by name. */
static gy_status check_layout(gy_safetensors *st, gy_error *err)
{
    qsort(st->tensors, (size_t)st->count, sizeof *st->tensors, cmp_name);
    for (int i = 1; i < st->count; i++)
        if (strcmp(st->tensors[i - 1].name, st->tensors[i].name) == 0)
            return gy_fail(err, GY_ERR_FORMAT, "%s: duplicate tensor name \"%s\" in the header",
                           st->path, st->tensors[i].name);
    qsort(st->tensors, (size_t)st->count, sizeof *st->tensors, cmp_offset);
    size_t pos = 0;
    const char *prev = NULL;
    for (int i = 0; i < st->count; i++) {
        const gy_st_tensor *t = &st->tensors[i];
        if (t->offset > pos)
            return gy_fail(err, GY_ERR_FORMAT, "%s: gap in the data section: bytes [%zu, %zu) "
                           "belong to no tensor (tensor \"%s\" starts at %zu)", st->path, pos,
                           t->offset, t->name, t->offset);
        if (t->offset < pos)
            return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\" data_offsets [%zu, %zu] overlap "
                           "tensor \"%s\", which ends at %zu", st->path, t->name, t->offset,
                           t->offset + t->nbytes, prev ? prev : "?", pos);
        pos = t->offset + t->nbytes;
        prev = t->name;
    }
    if (pos != st->data_size)
        return gy_fail(err, GY_ERR_FORMAT, "%s: the data section has %zu bytes but the tensors "
                       "cover only %zu (trailing bytes after the last tensor)", st->path,
                       st->data_size, pos);
    qsort(st->tensors, (size_t)st->count, sizeof *st->tensors, cmp_name);
    return GY_OK;
}

/* ---------------------------------------------------------------------------------------------- */

static gy_status parse_header(gy_safetensors *st, const cJSON *root, gy_error *err)
{
    if (!cJSON_IsObject(root))
        return gy_fail(err, GY_ERR_FORMAT, "%s: the header is not a JSON object", st->path);
    const cJSON *it;
    const cJSON *md = NULL;
    size_t ntensors = 0;
    cJSON_ArrayForEach(it, root)
    {
        if (strcmp(it->string, "__metadata__") == 0) {
            if (md)
                return gy_fail(err, GY_ERR_FORMAT, "%s: \"__metadata__\" appears more than once",
                               st->path);
            md = it;
        } else {
            ntensors++;
        }
    }
    if (ntensors > GY_ST_MAX_TENSORS)
        return gy_fail(err, GY_ERR_FORMAT, "%s: the header lists %zu tensors, more than the %d "
                       "allowed", st->path, ntensors, GY_ST_MAX_TENSORS);
    if (md) {
        gy_status s = parse_metadata(st, md, err);
        if (s != GY_OK)
            return s;
    }
    st->tensors = calloc(ntensors ? ntensors : 1, sizeof *st->tensors);
    if (!st->tensors)
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate %zu tensor entries", st->path,
                       ntensors);
    cJSON_ArrayForEach(it, root)
    {
        if (it == md)
            continue;
        gy_st_tensor *t = &st->tensors[st->count];
        t->name = gy_strdup(it->string);
        if (!t->name)
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory copying tensor name \"%s\"",
                           st->path, it->string);
        st->count++;
        gy_status s = parse_tensor(it, st->path, st->data_size, t, err);
        if (s != GY_OK)
            return s;
    }
    return check_layout(st, err);
}

gy_status gy_st_parse(unsigned char *buf, size_t size, const char *display_name,
                      gy_safetensors **out, gy_error *err)
{
    const char *name = display_name ? display_name : "<memory>";
    if (!out || (!buf && size)) {
        free(buf);
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: gy_st_parse needs a buffer and an output "
                       "pointer", name);
    }
    *out = NULL;
    if (size < 8) {
        free(buf);
        return gy_fail(err, GY_ERR_FORMAT, "%s: file is %zu bytes, too short for the 8-byte "
                       "header length of a safetensors file", name, size);
    }
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = (hlen << 8) | buf[i];
    if (hlen > GY_ST_MAX_HEADER) {
        free(buf);
        return gy_fail(err, GY_ERR_FORMAT, "%s: header length %llu is over the limit of %u bytes "
                       "(not a safetensors file?)", name, (unsigned long long)hlen,
                       GY_ST_MAX_HEADER);
    }
    if (hlen > (uint64_t)(size - 8)) {
        free(buf);
        return gy_fail(err, GY_ERR_FORMAT, "%s: header length %llu goes beyond the end of the "
                       "file (%zu bytes; truncated file?)", name, (unsigned long long)hlen, size);
    }
    size_t n = (size_t)hlen;

    gy_safetensors *st = calloc(1, sizeof *st);
    if (!st) {
        free(buf);
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate the safetensors object", name);
    }
    st->file = buf;
    st->file_size = size;
    st->data = buf + 8 + n;
    st->data_size = size - 8 - n;
    st->path = gy_strdup(name);
    if (!st->path) {
        gy_st_close(st);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory copying the file name", name);
    }

    const unsigned char *h = buf + 8;
    gy_status s = check_header_text(h, n, name, err);
    if (s != GY_OK) {
        gy_st_close(st);
        return s;
    }
    /* cJSON gets its own NUL-padded copy: the data section follows the header in buf. */
    char *text = malloc(n + GY_ST_JSON_PAD);
    if (!text) {
        gy_st_close(st);
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate %zu bytes for the header", name, n);
    }
    memcpy(text, h, n);
    memset(text + n, 0, GY_ST_JSON_PAD);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, n, &end, 0);
    if (!root) {
        size_t at = end && end >= text && end <= text + n ? (size_t)(end - text) : 0;
        free(text);
        gy_st_close(st);
        return gy_fail(err, GY_ERR_FORMAT, "%s: the header is not valid JSON (error near header "
                       "byte %zu of %zu)", name, at, n);
    }
    size_t at = end ? (size_t)(end - text) : n;
    while (at < n && json_space((unsigned char)text[at]))
        at++;
    free(text);
    if (at < n) {
        cJSON_Delete(root);
        gy_st_close(st);
        return gy_fail(err, GY_ERR_FORMAT, "%s: invalid JSON header: unexpected bytes after the "
                       "JSON object at header byte %zu of %zu", name, at, n);
    }
    s = parse_header(st, root, err);
    cJSON_Delete(root);
    if (s != GY_OK) {
        gy_st_close(st);
        return s;
    }
    *out = st;
    return GY_OK;
}

int gy_st_sniff(const unsigned char *data, size_t size)
{
    return size >= 9 && data[8] == '{';
}

gy_status gy_st_open(const char *path, gy_safetensors **out, gy_error *err)
{
    if (!path || !out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_st_open needs a path and an output pointer");
    *out = NULL;
    unsigned char *buf = NULL;
    size_t size = 0;
    gy_status s = gy_read_file(path, GY_ST_MAX_FILE, &buf, &size, err);
    if (s != GY_OK)
        return s;
    return gy_st_parse(buf, size, path, out, err);
}

const gy_st_tensor *gy_st_find(const gy_safetensors *st, const char *name)
{
    if (!st || !name || st->count <= 0)
        return NULL;
    size_t lo = 0, hi = (size_t)st->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, st->tensors[mid].name);
        if (c == 0)
            return &st->tensors[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *gy_st_meta_get(const gy_safetensors *st, const char *key)
{
    if (!st || !key || st->meta_count <= 0)
        return NULL;
    size_t lo = 0, hi = (size_t)st->meta_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, st->meta[mid].key);
        if (c == 0)
            return st->meta[mid].value;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------------- */
/* Element conversion. */

static float bits_to_f32(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* IEEE 754 binary16 -> binary32, exact for every pattern (subnormals normalised, inf and NaN kept
 * with their sign and payload). */
static float half_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t man = h & 0x3FFu;
    uint32_t bits;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (man << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112u) << 23) | (man << 13); /* rebias 15 -> 127 */
    } else if (man == 0) {
        bits = sign;
    } else {
        /* subnormal: man x 2^-24; shift the leading one up to the implicit bit */
        uint32_t e = 113u;
        while (!(man & 0x400u)) {
            man <<= 1;
            e--;
        }
        bits = sign | (e << 23) | ((man & 0x3FFu) << 13);
    }
    return bits_to_f32(bits);
}

gy_status gy_st_read_f32(const gy_safetensors *st, const gy_st_tensor *t, float *dst, gy_error *err)
{
    if (!st || !t || (!dst && t->numel))
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: gy_st_read_f32 needs a file, a tensor and a "
                       "destination", st && st->path ? st->path : "<safetensors>");
    if (t->offset > st->data_size || t->nbytes > st->data_size - t->offset ||
        t->nbytes != t->numel * dtype_size(t->dtype))
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: tensor \"%s\" does not belong to this file",
                       st->path, t->name ? t->name : "?");
    const unsigned char *p = st->data + t->offset;
    size_t n = t->numel;
    switch (t->dtype) {
    case GY_DT_F32:
        for (size_t i = 0; i < n; i++, p += 4)
            dst[i] = bits_to_f32((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                                 (uint32_t)p[3] << 24);
        return GY_OK;
    case GY_DT_F16:
        for (size_t i = 0; i < n; i++, p += 2)
            dst[i] = half_to_f32((uint16_t)(p[0] | p[1] << 8));
        return GY_OK;
    case GY_DT_BF16:
        for (size_t i = 0; i < n; i++, p += 2)
            dst[i] = bits_to_f32((uint32_t)p[0] << 16 | (uint32_t)p[1] << 24);
        return GY_OK;
    case GY_DT_I64:
    case GY_DT_I8:
    case GY_DT_I32:
        break;
    }
    return gy_fail(err, GY_ERR_MISMATCH, "%s: tensor \"%s\" has dtype %s; only F32, F16 and BF16 "
                   "tensors convert to float32", st->path, t->name, gy_dtype_name(t->dtype));
}

/* Checks that t belongs to st and has dtype dt. */
static gy_status int_tensor(const gy_safetensors *st, const gy_st_tensor *t, gy_dtype dt,
                            gy_error *err)
{
    if (t->offset > st->data_size || t->nbytes > st->data_size - t->offset ||
        t->nbytes != t->numel * dtype_size(t->dtype))
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: tensor \"%s\" does not belong to this file",
                       st->path, t->name ? t->name : "?");
    if (t->dtype != dt)
        return gy_fail(err, GY_ERR_MISMATCH, "%s: tensor \"%s\" has dtype %s, not %s", st->path,
                       t->name, gy_dtype_name(t->dtype), gy_dtype_name(dt));
    return GY_OK;
}

gy_status gy_st_read_i8(const gy_safetensors *st, const gy_st_tensor *t, int8_t *dst, gy_error *err)
{
    gy_status s = int_tensor(st, t, GY_DT_I8, err);
    if (s == GY_OK && t->numel)
        memcpy(dst, st->data + t->offset, t->numel);
    return s;
}

gy_status gy_st_read_i32(const gy_safetensors *st, const gy_st_tensor *t, int32_t *dst, gy_error *err)
{
    gy_status s = int_tensor(st, t, GY_DT_I32, err);
    const unsigned char *p = st->data + t->offset;
    for (size_t i = 0; s == GY_OK && i < t->numel; i++, p += 4)
        dst[i] = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                           (uint32_t)p[3] << 24);
    return s;
}

/* pt_checkpoint.c - ultralytics .pt checkpoint -> gy_safetensors (see pt_checkpoint.h). */
#include "weights/pt_checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "weights/pickle.h"
#include "weights/yaml_emit.h"
#include "weights/zip_archive.h"

#define PT_FORMAT "ultralytics state_dict (unfused) as stored in the checkpoint"

const char *const *gy_pt_meta_order(void)
{
    static const char *const order[] = {"format", "source", "config", "names", "stride",
                                        "bn_eps", "bn_eps_exceptions", "imgsz", NULL};
    return order;
}

int gy_pt_sniff(const unsigned char *data, size_t size) { return gy_zip_sniff(data, size); }

typedef struct sd_entry {
    char *name;
    const gy_pk_tensor *t;
} sd_entry;

/* One BatchNorm2d of the model: its state_dict prefix (without the dot) and eps. */
typedef struct bn_entry {
    char *name;
    double eps;
    int plain; /* torch.nn.BatchNorm2d itself (ultralytics' own layers), not a subclass */
} bn_entry;

typedef struct reader {
    const char *display;
    gy_error *err;
    gy_zip *zip;
    char prefix[256]; /* "<archive name>/" */
    sd_entry *e;
    size_t n, cap;
    size_t walked; /* dict entries looked at (GY_PT_MAX_WALK) */
    double eps;    /* the model's eps: its plain BatchNorm2d's (else the first BatchNorm's) */
    int have_eps;
    bn_entry *bns;
    size_t nbn, cap_bn;
    gy_st_meta meta[12];
    int nmeta;
} reader;

static gy_status nomem(reader *r) { return gy_fail(r->err, GY_ERR_NOMEM, "%s: out of memory", r->display); }

/* ---------------------------------------------------------------------------------------------- */
/* The archive. */

/* Finds "<prefix>/data.pkl" with a one-level prefix (torch names it after the file it saved). */
static gy_status find_pickle(reader *r, size_t *index)
{
    size_t n = gy_zip_count(r->zip);
    for (size_t i = 0; i < n; i++) {
        const char *name = gy_zip_name(r->zip, i);
        if (!name)
            continue;
        const char *slash = strchr(name, '/');
        if (slash && strcmp(slash + 1, "data.pkl") == 0 &&
            (size_t)(slash - name) + 2 <= sizeof r->prefix) {
            snprintf(r->prefix, sizeof r->prefix, "%.*s/", (int)(slash - name), name);
            *index = i;
            return GY_OK;
        }
    }
    return gy_fail(r->err, GY_ERR_FORMAT, "%s: a zip archive without <name>/data.pkl: not a "
                   "PyTorch checkpoint (or one saved in the legacy non-zip format)", r->display);
}

/* Reads the bytes of one tensor (its slice of its storage entry) into dst. */
static gy_status read_tensor(reader *r, const sd_entry *en, unsigned char *dst, size_t nbytes)
{
    const gy_pk_storage *sto = &en->t->storage->u.storage;
    char entry[512];
    snprintf(entry, sizeof entry, "%sdata/%s", r->prefix, sto->key);
    size_t idx;
    if (!gy_zip_find(r->zip, entry, &idx))
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: tensor '%s' refers to storage '%s', which is "
                       "not in the archive (no entry '%s')", r->display, en->name, sto->key, entry);
    size_t esize = gy_dtype_size(sto->dtype), want;
    if (sto->numel > SIZE_MAX || !gy_mul_size((size_t)sto->numel, esize, &want))
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: storage '%s' size overflows", r->display,
                       sto->key);
    uint64_t have;
    gy_status s = gy_zip_entry_size(r->zip, idx, &have, r->err);
    if (s != GY_OK)
        return s;
    if (have != want)
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: storage '%s' (%s of %llu elements) should be "
                       "%zu bytes but its archive entry has %llu", r->display, sto->key,
                       sto->type_name, (unsigned long long)sto->numel, want,
                       (unsigned long long)have);
    if (nbytes == 0) /* an empty tensor: its offset was not checked and nothing is read */
        return GY_OK;
    unsigned char *data;
    size_t size;
    s = gy_zip_read(r->zip, idx, want, &data, &size, r->err);
    if (s != GY_OK)
        return s;
    /* rebuild_tensor checked offset + numel <= storage numel for every non-empty tensor */
    memcpy(dst, data + (size_t)en->t->offset * esize, nbytes);
    free(data);
    return GY_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* The module tree. */

static gy_status add_tensor(reader *r, const char *name, const gy_pk_value *v)
{
    if (r->n >= GY_PT_MAX_TENSORS)
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: more than %d state_dict tensors", r->display,
                       GY_PT_MAX_TENSORS);
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 512;
        sd_entry *e = realloc(r->e, cap * sizeof *e);
        if (!e)
            return nomem(r);
        r->e = e;
        r->cap = cap;
    }
    char *copy = gy_strdup(name);
    if (!copy)
        return nomem(r);
    r->e[r->n].name = copy;
    r->e[r->n].t = &v->u.tensor;
    r->n++;
    return GY_OK;
}

/* 1 when `name` is listed in the module's _non_persistent_buffers_set (set([...]) record). */
static int non_persistent(const gy_pk_value *state, const char *name)
{
    const gy_pk_value *set = gy_pk_dict_get(state, "_non_persistent_buffers_set");
    if (!set || set->type != GY_PK_OBJECT || !set->u.obj.args || set->u.obj.args->u.seq.n < 1)
        return 0;
    const gy_pk_value *l = set->u.obj.args->u.seq.items[0];
    if (l->type != GY_PK_LIST && l->type != GY_PK_TUPLE)
        return 0;
    for (size_t i = 0; i < l->u.seq.n; i++)
        if (l->u.seq.items[i]->type == GY_PK_STR && strcmp(l->u.seq.items[i]->u.str.data, name) == 0)
            return 1;
    return 0;
}

/* Adds the tensors of a _parameters or _buffers dict. */
static gy_status add_tensors(reader *r, const gy_pk_value *state, const char *field,
                             const char *prefix)
{
    const gy_pk_value *d = gy_pk_dict_get(state, field);
    if (!d)
        return GY_OK;
    if (d->type != GY_PK_DICT)
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: '%s%s' is a %s, not a dict", r->display, prefix,
                       field, gy_pk_type_name(d));
    for (size_t i = 0; i < d->u.dict.n; i++) {
        const gy_pk_value *k = d->u.dict.keys[i], *v = d->u.dict.vals[i];
        if (k->type != GY_PK_STR)
            return gy_fail(r->err, GY_ERR_FORMAT, "%s: a %s key of '%s' is a %s, not a str",
                           r->display, field, prefix, gy_pk_type_name(k));
        if (v->type == GY_PK_NONE)
            continue; /* e.g. a conv without bias: not in the state_dict */
        if (field[1] == 'b' && non_persistent(state, k->u.str.data))
            continue;
        char name[GY_PT_MAX_NAME];
        if ((size_t)snprintf(name, sizeof name, "%s%s", prefix, k->u.str.data) >= sizeof name)
            return gy_fail(r->err, GY_ERR_FORMAT, "%s: a state_dict name longer than %d bytes "
                           "under '%s'", r->display, GY_PT_MAX_NAME, prefix);
        if (v->type != GY_PK_TENSOR)
            return gy_fail(r->err, GY_ERR_UNSUPPORTED, "%s: '%s' is a %s, not a tensor",
                           r->display, name, gy_pk_type_name(v));
        if (!v->u.tensor.contiguous)
            return gy_fail(r->err, GY_ERR_UNSUPPORTED, "%s: tensor '%s' is not contiguous "
                           "(strides not row-major); convert with weights/convert_pt.py",
                           r->display, name);
        gy_status s = add_tensor(r, name, v);
        if (s != GY_OK)
            return s;
    }
    return GY_OK;
}

/* Records a BatchNorm2d's eps: each folds with its own (the backbone zoo's keep 1e-5 or 1e-3
 * beside ultralytics' 1e-3). */
static gy_status add_bn(reader *r, const gy_pk_value *state, const char *prefix, int plain)
{
    const gy_pk_value *eps = gy_pk_dict_get(state, "eps");
    if (!eps || eps->type != GY_PK_FLOAT)
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: BatchNorm2d '%s' has no float eps", r->display,
                       prefix);
    if (!(eps->u.f > 0.0 && eps->u.f < 1.0))
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: BatchNorm2d '%s' has eps %g, not a small "
                       "positive number", r->display, prefix, eps->u.f);
    if (r->nbn == r->cap_bn) {
        size_t cap = r->cap_bn ? r->cap_bn * 2 : 64;
        bn_entry *e = realloc(r->bns, cap * sizeof *e);
        if (!e)
            return nomem(r);
        r->bns = e;
        r->cap_bn = cap;
    }
    char *name = gy_strdup(prefix);
    if (!name)
        return nomem(r);
    size_t n = strlen(name);
    if (n && name[n - 1] == '.')
        name[n - 1] = '\0';
    r->bns[r->nbn++] = (bn_entry){.name = name, .eps = eps->u.f, .plain = plain};
    return GY_OK;
}

static void sb_json_string(gy_strbuf *b, const char *s, size_t n);

/* The model's eps (its first plain BatchNorm2d's, else its first BatchNorm's) and, when some
 * BatchNorm has another one, the bn_eps_exceptions JSON object of those (name -> eps). */
static gy_status choose_eps(reader *r, char **exceptions)
{
    *exceptions = NULL;
    if (!r->nbn)
        return GY_OK;
    r->have_eps = 1;
    r->eps = r->bns[0].eps;
    for (size_t i = 0; i < r->nbn; i++)
        if (r->bns[i].plain) {
            r->eps = r->bns[i].eps;
            break;
        }
    gy_strbuf b = {.limit = GY_PT_MAX_META};
    int n = 0;
    for (size_t i = 0; i < r->nbn; i++) {
        if (r->bns[i].eps == r->eps)
            continue;
        char num[48];
        gy_py_float_repr(r->bns[i].eps, num, sizeof num);
        gy_strbuf_str(&b, n++ ? ", " : "{");
        sb_json_string(&b, r->bns[i].name, strlen(r->bns[i].name));
        gy_strbuf_str(&b, ": ");
        gy_strbuf_str(&b, num);
    }
    if (!n)
        return GY_OK;
    gy_strbuf_str(&b, "}");
    if (b.bad) {
        free(b.s);
        if (b.bad == GY_STRBUF_NOMEM)
            return nomem(r);
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: the BatchNorm eps list is over %zu bytes "
                       "(GY_PT_MAX_META)", r->display, GY_PT_MAX_META);
    }
    *exceptions = b.s;
    return GY_OK;
}

static gy_status walk_module(reader *r, const gy_pk_value *mod, const char *prefix, int depth)
{
    if (depth > GY_PT_MAX_MODULE_DEPTH)
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: modules nested deeper than %d (or a module "
                       "containing itself) at '%s'", r->display, GY_PT_MAX_MODULE_DEPTH, prefix);
    const gy_pk_value *state = gy_pk_obj_state(mod);
    if (!state)
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: module '%s' is a %s without a state dict, not "
                       "a torch module", r->display, prefix[0] ? prefix : "(the model)",
                       gy_pk_type_name(mod));
    /* Modules may be shared or refer to each other: bound the total work, not just the depth. */
    size_t cost = state->u.dict.n;
    static const char *const fields[] = {"_parameters", "_buffers", "_modules"};
    for (int f = 0; f < 3; f++) {
        const gy_pk_value *d = gy_pk_dict_get(state, fields[f]);
        if (d && d->type == GY_PK_DICT)
            cost += d->u.dict.n;
    }
    r->walked += cost + 1;
    if (r->walked > GY_PT_MAX_WALK)
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: the module tree is too large (more than %u "
                       "entries looked at, GY_PT_MAX_WALK) at '%s'", r->display, GY_PT_MAX_WALK,
                       prefix);
    int plain = gy_pk_is_class(mod, "torch.nn.modules.batchnorm", "BatchNorm2d");
    if (plain || gy_pk_is_class(mod, "ultralytics.nn.modules.zoo_modules", "BatchNorm2d")) {
        gy_status s = add_bn(r, state, prefix, plain);
        if (s != GY_OK)
            return s;
    }
    gy_status s = add_tensors(r, state, "_parameters", prefix);
    if (s == GY_OK)
        s = add_tensors(r, state, "_buffers", prefix);
    if (s != GY_OK)
        return s;
    const gy_pk_value *mods = gy_pk_dict_get(state, "_modules");
    if (!mods)
        return GY_OK;
    if (mods->type != GY_PK_DICT)
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: '%s_modules' is a %s, not a dict", r->display,
                       prefix, gy_pk_type_name(mods));
    for (size_t i = 0; i < mods->u.dict.n; i++) {
        const gy_pk_value *k = mods->u.dict.keys[i], *v = mods->u.dict.vals[i];
        if (k->type != GY_PK_STR)
            return gy_fail(r->err, GY_ERR_FORMAT, "%s: a _modules key of '%s' is a %s, not a str",
                           r->display, prefix, gy_pk_type_name(k));
        if (v->type == GY_PK_NONE)
            continue;
        char sub[GY_PT_MAX_NAME];
        if ((size_t)snprintf(sub, sizeof sub, "%s%s.", prefix, k->u.str.data) >= sizeof sub)
            return gy_fail(r->err, GY_ERR_FORMAT, "%s: a module name longer than %d bytes under "
                           "'%s'", r->display, GY_PT_MAX_NAME, prefix);
        s = walk_module(r, v, sub, depth + 1);
        if (s != GY_OK)
            return s;
    }
    return GY_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Metadata. */

static gy_status add_meta(reader *r, const char *key, char *value)
{
    if (!value)
        return nomem(r);
    char *k = gy_strdup(key);
    if (!k || r->nmeta >= (int)(sizeof r->meta / sizeof r->meta[0])) {
        free(k);
        free(value);
        return nomem(r);
    }
    r->meta[r->nmeta].key = k;
    r->meta[r->nmeta].value = value;
    r->nmeta++;
    return GY_OK;
}


/* A JSON string as Python's json.dumps(ensure_ascii=False) writes it. */
static void sb_json_string(gy_strbuf *b, const char *s, size_t n)
{
    gy_strbuf_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[8];
        switch (c) {
        case '"': gy_strbuf_str(b, "\\\""); break;
        case '\\': gy_strbuf_str(b, "\\\\"); break;
        case '\n': gy_strbuf_str(b, "\\n"); break;
        case '\r': gy_strbuf_str(b, "\\r"); break;
        case '\t': gy_strbuf_str(b, "\\t"); break;
        case '\b': gy_strbuf_str(b, "\\b"); break;
        case '\f': gy_strbuf_str(b, "\\f"); break;
        default:
            if (c < 0x20) {
                snprintf(e, sizeof e, "\\u%04x", c);
                gy_strbuf_str(b, e);
            } else {
                gy_strbuf_put(b, s + i, 1);
            }
        }
    }
    gy_strbuf_put(b, "\"", 1);
}

typedef struct name_pair {
    long long id;
    const gy_pk_value *name;
} name_pair;

static int cmp_pair(const void *a, const void *b)
{
    long long x = ((const name_pair *)a)->id, y = ((const name_pair *)b)->id;
    return (x > y) - (x < y);
}

/* names: {int: str} (or {"0": str}) or a list of str -> {"0": "person", ...} sorted by id. */
static gy_status names_json(reader *r, const gy_pk_value *names, char **out)
{
    *out = NULL;
    size_t n = names->type == GY_PK_DICT ? names->u.dict.n : names->u.seq.n;
    name_pair *p = malloc((n ? n : 1) * sizeof *p);
    if (!p)
        return nomem(r);
    for (size_t i = 0; i < n; i++) {
        const gy_pk_value *k = names->type == GY_PK_DICT ? names->u.dict.keys[i] : NULL;
        const gy_pk_value *v = names->type == GY_PK_DICT ? names->u.dict.vals[i]
                                                          : names->u.seq.items[i];
        long long id = (long long)i;
        if (k && k->type == GY_PK_INT) {
            id = k->u.i;
        } else if (k && k->type == GY_PK_STR) {
            char *end;
            id = strtoll(k->u.str.data, &end, 10);
            if (end == k->u.str.data || *end)
                k = NULL, id = -1;
        } else if (k) {
            id = -1;
        }
        if (id < 0 || v->type != GY_PK_STR) {
            free(p);
            return gy_fail(r->err, GY_ERR_FORMAT, "%s: model 'names' entry %zu is not a "
                           "class id and a str name", r->display, i);
        }
        p[i].id = id;
        p[i].name = v;
    }
    qsort(p, n, sizeof *p, cmp_pair);
    gy_strbuf b = {.limit = GY_PT_MAX_META};
    gy_strbuf_str(&b, "{");
    for (size_t i = 0; i < n; i++) {
        char num[32];
        snprintf(num, sizeof num, "%s\"%lld\": ", i ? ", " : "", p[i].id);
        gy_strbuf_str(&b, num);
        sb_json_string(&b, p[i].name->u.str.data, p[i].name->u.str.len);
    }
    gy_strbuf_str(&b, "}");
    free(p);
    if (b.bad) {
        free(b.s);
        if (b.bad == GY_STRBUF_NOMEM)
            return nomem(r);
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: model 'names' as JSON is over %zu bytes "
                       "(GY_PT_MAX_META)", r->display, GY_PT_MAX_META);
    }
    *out = b.s;
    return GY_OK;
}

/* stride: a small float/int tensor (or a list of numbers) -> "[8, 16, 32]" (ints, truncated as
 * Python's int() does). */
static gy_status stride_json(reader *r, const gy_pk_value *v, char **out)
{
    *out = NULL;
    double vals[16];
    size_t n = 0;
    if (v->type == GY_PK_TENSOR) {
        const gy_pk_tensor *t = &v->u.tensor;
        if (!t->contiguous)
            return gy_fail(r->err, GY_ERR_UNSUPPORTED, "%s: model 'stride' is not a contiguous "
                           "tensor", r->display);
        if (t->numel > 16)
            return gy_fail(r->err, GY_ERR_FORMAT, "%s: model 'stride' has %llu values (at most 16 "
                           "are read)", r->display, (unsigned long long)t->numel);
        unsigned char raw[16 * 8];
        size_t es = gy_dtype_size(t->storage->u.storage.dtype);
        sd_entry en = {"stride", t};
        gy_status s = read_tensor(r, &en, raw, (size_t)t->numel * es);
        if (s != GY_OK)
            return s;
        n = (size_t)t->numel;
        gy_st_tensor st = {0};
        st.dtype = t->storage->u.storage.dtype;
        for (size_t i = 0; i < n; i++) {
            const unsigned char *q = raw + i * es;
            if (st.dtype == GY_DT_I64) {
                uint64_t u = 0;
                for (int k = 7; k >= 0; k--)
                    u = u << 8 | q[k];
                int64_t iv;
                memcpy(&iv, &u, sizeof iv);
                vals[i] = (double)iv;
            } else {
                /* reuse the safetensors converter on a one-element view */
                gy_safetensors view = {0};
                view.path = (char *)r->display;
                view.data = q;
                view.data_size = es;
                st.numel = 1;
                st.nbytes = es;
                st.name = (char *)"stride";
                float f;
                s = gy_st_read_f32(&view, &st, &f, r->err);
                if (s != GY_OK)
                    return s;
                vals[i] = f;
            }
        }
    } else if (v->type == GY_PK_LIST || v->type == GY_PK_TUPLE) {
        if (v->u.seq.n > 16)
            return gy_fail(r->err, GY_ERR_FORMAT, "%s: model 'stride' has more than 16 values",
                           r->display);
        for (size_t i = 0; i < v->u.seq.n; i++) {
            const gy_pk_value *x = v->u.seq.items[i];
            if (x->type != GY_PK_INT && x->type != GY_PK_FLOAT)
                return gy_fail(r->err, GY_ERR_FORMAT, "%s: model 'stride' holds a %s",
                               r->display, gy_pk_type_name(x));
            vals[n++] = x->type == GY_PK_INT ? (double)x->u.i : x->u.f;
        }
    } else {
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: model 'stride' is a %s, not a tensor",
                       r->display, gy_pk_type_name(v));
    }
    gy_strbuf b = {.limit = GY_PT_MAX_META};
    gy_strbuf_str(&b, "[");
    for (size_t i = 0; i < n; i++) {
        if (!(vals[i] > -1e9 && vals[i] < 1e9))
            return free(b.s), gy_fail(r->err, GY_ERR_FORMAT, "%s: model 'stride' value out of "
                                      "range", r->display);
        char num[32];
        snprintf(num, sizeof num, "%s%lld", i ? ", " : "", (long long)vals[i]);
        gy_strbuf_str(&b, num);
    }
    gy_strbuf_str(&b, "]");
    if (b.bad) {
        free(b.s);
        return nomem(r);
    }
    *out = b.s;
    return GY_OK;
}

/* imgsz from ckpt['train_args'] (a dict, or an object holding one): "640" or "[640, 480]". */
static gy_status imgsz_text(reader *r, const gy_pk_value *root, char **out)
{
    *out = NULL;
    const gy_pk_value *ta = gy_pk_dict_get(root, "train_args");
    if (ta && ta->type == GY_PK_OBJECT)
        ta = gy_pk_obj_state(ta);
    const gy_pk_value *v = gy_pk_dict_get(ta, "imgsz");
    if (!v || v->type == GY_PK_NONE)
        return GY_OK;
    gy_strbuf b = {.limit = GY_PT_MAX_META};
    char num[32];
    if (v->type == GY_PK_INT) {
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        gy_strbuf_str(&b, num);
    } else if ((v->type == GY_PK_LIST || v->type == GY_PK_TUPLE) && v->u.seq.n <= 4) {
        gy_strbuf_str(&b, "[");
        for (size_t i = 0; i < v->u.seq.n; i++) {
            if (v->u.seq.items[i]->type != GY_PK_INT)
                return free(b.s), GY_OK; /* informational only: leave it out */
            snprintf(num, sizeof num, "%s%lld", i ? ", " : "", (long long)v->u.seq.items[i]->u.i);
            gy_strbuf_str(&b, num);
        }
        gy_strbuf_str(&b, "]");
    } else {
        return GY_OK;
    }
    if (b.bad) {
        free(b.s);
        return nomem(r);
    }
    *out = b.s;
    return GY_OK;
}

static gy_status build_meta(reader *r, const gy_pk_value *root, const gy_pk_value *state)
{
    gy_status s = add_meta(r, "format", gy_strdup(PT_FORMAT));
    if (s != GY_OK)
        return s;
    const char *base = strrchr(r->display, '/');
    s = add_meta(r, "source", gy_strdup(base ? base + 1 : r->display));
    if (s != GY_OK)
        return s;
    const gy_pk_value *yaml = gy_pk_dict_get(state, "yaml");
    if (yaml && yaml->type != GY_PK_NONE) {
        char disp[600];
        snprintf(disp, sizeof disp, "%s: model.yaml", r->display);
        char *text;
        s = gy_yaml_emit(yaml, disp, &text, r->err);
        if (s == GY_OK)
            s = add_meta(r, "config", text);
        if (s != GY_OK)
            return s;
    }
    const gy_pk_value *names = gy_pk_dict_get(state, "names");
    if (names && names->type != GY_PK_NONE) {
        if (names->type != GY_PK_DICT && names->type != GY_PK_LIST && names->type != GY_PK_TUPLE)
            return gy_fail(r->err, GY_ERR_FORMAT, "%s: model 'names' is a %s, not a dict or list",
                           r->display, gy_pk_type_name(names));
        char *text;
        s = names_json(r, names, &text);
        if (s == GY_OK)
            s = add_meta(r, "names", text);
        if (s != GY_OK)
            return s;
    }
    const gy_pk_value *stride = gy_pk_dict_get(state, "stride");
    if (stride && stride->type != GY_PK_NONE) {
        char *text;
        s = stride_json(r, stride, &text);
        if (s == GY_OK)
            s = add_meta(r, "stride", text);
        if (s != GY_OK)
            return s;
    }
    char *exceptions;
    if ((s = choose_eps(r, &exceptions)) != GY_OK)
        return s;
    if (r->have_eps) {
        char num[48];
        gy_py_float_repr(r->eps, num, sizeof num);
        s = add_meta(r, "bn_eps", gy_strdup(num));
        if (s == GY_OK && exceptions)
            s = add_meta(r, "bn_eps_exceptions", exceptions);
        else
            free(exceptions);
        if (s != GY_OK)
            return s;
    }
    char *imgsz;
    s = imgsz_text(r, root, &imgsz);
    if (s == GY_OK && imgsz)
        s = add_meta(r, "imgsz", imgsz);
    return s;
}

/* ---------------------------------------------------------------------------------------------- */
/* Assembling the gy_safetensors. */

static int cmp_entry_name(const void *a, const void *b)
{
    return strcmp(((const sd_entry *)a)->name, ((const sd_entry *)b)->name);
}

static int cmp_meta_key(const void *a, const void *b)
{
    return strcmp(((const gy_st_meta *)a)->key, ((const gy_st_meta *)b)->key);
}

static gy_status assemble(reader *r, gy_safetensors *st)
{
    if (r->n) /* qsort must not get NULL, even for no elements */
        qsort(r->e, r->n, sizeof *r->e, cmp_entry_name);
    for (size_t i = 1; i < r->n; i++)
        if (strcmp(r->e[i - 1].name, r->e[i].name) == 0)
            return gy_fail(r->err, GY_ERR_FORMAT, "%s: state_dict name '%s' appears twice",
                           r->display, r->e[i].name);
    st->tensors = calloc(r->n ? r->n : 1, sizeof *st->tensors);
    if (!st->tensors)
        return nomem(r);
    /* Data laid out as the official safetensors writer orders it: dtype size (largest first),
     * then name. Offsets are computed in that order, tensors stay sorted by name. */
    size_t total = 0;
    for (size_t pass = 8; pass >= 2; pass /= 2)
        for (size_t i = 0; i < r->n; i++) {
            const gy_pk_tensor *t = r->e[i].t;
            size_t es = gy_dtype_size(t->storage->u.storage.dtype), nb;
            if (es != pass)
                continue;
            if (t->numel > SIZE_MAX || !gy_mul_size((size_t)t->numel, es, &nb) ||
                nb > SIZE_MAX - total)
                return gy_fail(r->err, GY_ERR_FORMAT, "%s: tensor '%s' size overflows",
                               r->display, r->e[i].name);
            gy_st_tensor *o = &st->tensors[i];
            o->dtype = t->storage->u.storage.dtype;
            o->ndim = t->ndim;
            memcpy(o->shape, t->shape, sizeof o->shape);
            o->numel = (size_t)t->numel;
            o->offset = total;
            o->nbytes = nb;
            total += nb;
        }
    if (total > GY_PT_MAX_FILE)
        return gy_fail(r->err, GY_ERR_FORMAT, "%s: the tensors add up to %zu bytes, more than "
                       "allowed", r->display, total);
    st->file = malloc(total ? total : 1);
    if (!st->file)
        return gy_fail(r->err, GY_ERR_NOMEM, "%s: cannot allocate %zu bytes of tensors",
                       r->display, total);
    st->file_size = total;
    st->data = st->file;
    st->data_size = total;
    for (size_t i = 0; i < r->n; i++) {
        gy_st_tensor *o = &st->tensors[i];
        gy_status s = read_tensor(r, &r->e[i], st->file + o->offset, o->nbytes);
        if (s != GY_OK)
            return s;
        o->name = r->e[i].name; /* ownership moves */
        r->e[i].name = NULL;
        st->count++;
    }
    st->meta = calloc((size_t)r->nmeta + 1, sizeof *st->meta);
    if (!st->meta)
        return nomem(r);
    memcpy(st->meta, r->meta, (size_t)r->nmeta * sizeof *st->meta);
    st->meta_count = r->nmeta;
    r->nmeta = 0;
    qsort(st->meta, (size_t)st->meta_count, sizeof *st->meta, cmp_meta_key);
    return GY_OK;
}

static gy_status run(reader *r, const unsigned char *buf, size_t size, gy_safetensors *st)
{
    gy_status s = gy_zip_open_buffer(buf, size, r->display, &r->zip, r->err);
    if (s != GY_OK)
        return s;
    size_t pidx = 0;
    if ((s = find_pickle(r, &pidx)) != GY_OK)
        return s;
    unsigned char *pkl;
    size_t plen;
    if ((s = gy_zip_read(r->zip, pidx, GY_PK_MAX_PICKLE, &pkl, &plen, r->err)) != GY_OK)
        return s;
    char disp[600];
    snprintf(disp, sizeof disp, "%s: %sdata.pkl", r->display, r->prefix);
    gy_pickle *pk = NULL;
    const gy_pk_value *root = NULL;
    s = gy_pickle_load(pkl, plen, disp, &pk, &root, r->err);
    free(pkl);
    if (s != GY_OK)
        return s;
    const gy_pk_value *model = NULL;
    if (root->type != GY_PK_DICT) {
        s = gy_fail(r->err, GY_ERR_FORMAT, "%s: the checkpoint is a %s, not a dict with 'model'",
                    r->display, gy_pk_type_name(root));
    } else {
        model = gy_pk_dict_get(root, "ema");
        if (!model || model->type == GY_PK_NONE)
            model = gy_pk_dict_get(root, "model");
        if (!model || model->type == GY_PK_NONE)
            s = gy_fail(r->err, GY_ERR_FORMAT, "%s: the checkpoint has neither 'ema' nor 'model' "
                        "(a bare state_dict? convert it with weights/convert_pt.py)", r->display);
        else if (model->type != GY_PK_OBJECT)
            s = gy_fail(r->err, GY_ERR_FORMAT, "%s: the checkpoint's model is a %s, not a "
                        "torch module", r->display, gy_pk_type_name(model));
    }
    if (s == GY_OK)
        s = walk_module(r, model, "", 0);
    if (s == GY_OK && !r->nbn)
        s = gy_fail(r->err, GY_ERR_UNSUPPORTED, "%s: no BatchNorm2d in the model: it looks "
                    "fused; ghostyolo needs the unfused checkpoint training saves", r->display);
    if (s == GY_OK)
        s = build_meta(r, root, gy_pk_obj_state(model));
    if (s == GY_OK)
        s = assemble(r, st);
    gy_pickle_free(pk);
    return s;
}

gy_status gy_pt_parse(unsigned char *buf, size_t size, const char *display, gy_safetensors **out,
                      gy_error *err)
{
    if (!out) {
        free(buf);
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_pt_parse needs an output pointer");
    }
    *out = NULL;
    if (!buf && size)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_pt_parse needs data");
    reader r;
    memset(&r, 0, sizeof r);
    r.display = display ? display : "<checkpoint>";
    r.err = err;
    gy_safetensors *st = calloc(1, sizeof *st);
    gy_status s = st && (st->path = gy_strdup(r.display)) ? GY_OK : nomem(&r);
    if (s == GY_OK)
        s = run(&r, buf, size, st);
    gy_zip_close(r.zip);
    free(buf);
    for (size_t i = 0; i < r.n; i++)
        free(r.e[i].name);
    free(r.e);
    for (size_t i = 0; i < r.nbn; i++)
        free(r.bns[i].name);
    free(r.bns);
    for (int i = 0; i < r.nmeta; i++) {
        free(r.meta[i].key);
        free(r.meta[i].value);
    }
    if (s != GY_OK) {
        gy_st_close(st);
        return s;
    }
    *out = st;
    return GY_OK;
}

/* What a file that is not weights seems to be, for the message: ", but an empty file", ... */
static void describe_non_weights(const unsigned char *b, size_t n, char *out, size_t size)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *what;
    } kinds[] = {
        {"\xff\xd8\xff", 3, "a JPEG image"},
        {"\x89PNG", 4, "a PNG image"},
        {"GIF8", 4, "a GIF image"},
        {"BM", 2, "a BMP image"},
        {"\x80\x02", 2, "a bare pickle, as torch.save before 1.6 wrote: weights/convert_pt.py reads it"},
        {"\x80\x04", 2, "a bare pickle, as torch.save before 1.6 wrote: weights/convert_pt.py reads it"},
        {"\x1f\x8b", 2, "a gzip archive"},
    };
    out[0] = '\0';
    if (n == 0) {
        snprintf(out, size, " (an empty file)");
        return;
    }
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (n >= kinds[i].len && memcmp(b, kinds[i].magic, kinds[i].len) == 0) {
            snprintf(out, size, " (%s)", kinds[i].what);
            return;
        }
    size_t probe = n < 512 ? n : 512, text = 0;
    for (size_t i = 0; i < probe; i++)
        text += (b[i] >= 0x20 && b[i] < 0x7f) || b[i] == '\n' || b[i] == '\r' || b[i] == '\t';
    if (text == probe)
        snprintf(out, size, " (a text file)");
}

gy_status gy_weights_open(const char *path, gy_safetensors **out, gy_error *err)
{
    if (!path || !out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_weights_open needs a path and an output pointer");
    *out = NULL;
    unsigned char *buf;
    size_t size;
    gy_status s = gy_read_file(path, GY_PT_MAX_FILE, &buf, &size, err);
    if (s != GY_OK)
        return s;
    if (gy_pt_sniff(buf, size))
        return gy_pt_parse(buf, size, path, out, err);
    if (gy_st_sniff(buf, size))
        return gy_st_parse(buf, size, path, out, err);
    char what[160];
    describe_non_weights(buf, size, what, sizeof what);
    free(buf);
    return gy_fail(err, GY_ERR_FORMAT,
                   "%s: neither a PyTorch checkpoint (zip) nor a safetensors file%s", path, what);
}

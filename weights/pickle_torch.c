/* pickle_torch.c - what names and calls mean in a torch checkpoint's pickle, without running any:
 * GLOBAL (a name from an allow-list of namespaces), REDUCE (evaluated for _rebuild_tensor_v2,
 * _rebuild_parameter and OrderedDict only; any other call is an inert object), NEWOBJ and BUILD
 * (inert objects keeping their state) and BINPERSID (torch's storage records). */
#include "weights/pickle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "weights/pickle_vm.h"

/* ---------------------------------------------------------------------------------------------- */
/* Globals. */

static int str_in(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static int has_prefix_ns(const char *module, const char *ns)
{
    size_t n = strlen(ns);
    return strncmp(module, ns, n) == 0 && (module[n] == '\0' || module[n] == '.');
}

/* The allow-list: namespaces whose classes a checkpoint may name. Nothing is ever imported or
 * called, so this is not what makes the reader safe; it turns a pickle that names os.system,
 * eval or subprocess into a clear refusal instead of an inert record. */
/* Exact classes (and one function) outside those namespaces, or inside a namespace where only
 * these are allowed: what a pickled backbone-zoo model names (../shared/zoo/README.md). */
static const char *const exact_globals[] = {
    "torchvision.ops.misc.Conv2dNormActivation", "torchvision.ops.misc.SqueezeExcitation", NULL};
#define ZOO_NS "ultralytics.nn.modules.zoo_modules"
static const char *const zoo_globals[] = {
    "ConvBnAct", "G_bneck", "G_bneckV2", "GGhostBottleneck", "GGhostStage", "HSBottleneck",
    "conv_bn_relu_maxpool", "Shuffle_Block", "ShuffleV1Block", "ConvBNReLU", "ConvBNReLU6",
    "InvertedResidual", "conv_bn_hswish", "MobileNetV3", "ConvReLU", "Fire", "BatchNorm2d",
    "GhostModule", "GhostModuleV2", "SqueezeExcite", "HSBlock", "_RegNetBottleneck", "LambdaLayer",
    "hard_sigmoid", NULL};

static int global_allowed(const char *module, const char *name)
{
    static const char *const spaces[] = {"torch", "ultralytics", "numpy", NULL};
    if (strcmp(module, ZOO_NS) == 0)
        return str_in(name, zoo_globals);
    for (const char *const *e = exact_globals; *e; e++) {
        size_t ml = strlen(module);
        if (strncmp(*e, module, ml) == 0 && (*e)[ml] == '.' && strcmp(*e + ml + 1, name) == 0)
            return 1;
    }
    static const char *const modules[] = {"collections", "pathlib", "argparse", "types",
                                          "_codecs", "copyreg", "copy_reg", "datetime", NULL};
    static const char *const builtins[] = {"set", "frozenset", "slice", "bytearray", "complex",
                                           "object", "range", "list", "dict", "tuple", "int",
                                           "float", "str", "bool", "bytes", NULL};
    for (const char *const *s = spaces; *s; s++)
        if (has_prefix_ns(module, *s))
            return 1;
    if (str_in(module, modules))
        return 1;
    if (strcmp(module, "builtins") == 0 || strcmp(module, "__builtin__") == 0)
        return str_in(name, builtins);
    return 0;
}

static int is_ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.';
}

gy_status gy_pkvm_push_global(gy_pkvm *m, const char *module, size_t mlen, const char *name,
                             size_t nlen)
{
    if (mlen == 0 || nlen == 0 || mlen > GY_PK_MAX_GLOBAL || nlen > GY_PK_MAX_GLOBAL)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "a global with an empty or over-long module or name");
    for (size_t i = 0; i < mlen; i++)
        if (!is_ident_char((unsigned char)module[i]))
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "a global whose module is not a dotted identifier");
    for (size_t i = 0; i < nlen; i++)
        if (!is_ident_char((unsigned char)name[i]))
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "a global whose name is not a dotted identifier");
    gy_pk_value *v = gy_pkvm_new(m, GY_PK_GLOBAL);
    char *mod = v ? gy_pkvm_alloc(m->pk, mlen + 1) : NULL;
    char *nam = mod ? gy_pkvm_alloc(m->pk, nlen + 1) : NULL;
    if (!nam)
        return gy_pkvm_nomem(m);
    memcpy(mod, module, mlen);
    memcpy(nam, name, nlen);
    if (!global_allowed(mod, nam)) {
        char what[640];
        snprintf(what, sizeof what, "refused global '%s.%s': a checkpoint may only name classes "
                 "of torch, ultralytics, numpy, collections, a few plain builtins and the "
                 "torchvision classes of the backbone zoo; nothing is ever called", mod, nam);
        return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, what);
    }
    v->u.global.module = mod;
    v->u.global.name = nam;
    return gy_pkvm_push(m, v);
}

gy_status gy_pkvm_global(gy_pkvm *m)
{
    const char *lines[2];
    size_t lens[2];
    for (int k = 0; k < 2; k++) {
        const unsigned char *start = m->p + m->pos;
        size_t avail = m->size - m->pos;
        size_t lim = avail < GY_PK_MAX_GLOBAL + 1 ? avail : GY_PK_MAX_GLOBAL + 1;
        const unsigned char *nl = memchr(start, '\n', lim);
        if (!nl)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "a GLOBAL line without its newline (truncated or "
                           "over-long)");
        lines[k] = (const char *)start;
        lens[k] = (size_t)(nl - start);
        m->pos += lens[k] + 1;
    }
    return gy_pkvm_push_global(m, lines[0], lens[0], lines[1], lens[1]);
}

/* ---------------------------------------------------------------------------------------------- */
/* Calls. */

int gy_pkvm_global_is(const gy_pk_value *g, const char *module, const char *name)
{
    return g && g->type == GY_PK_GLOBAL && strcmp(g->u.global.module, module) == 0 &&
           strcmp(g->u.global.name, name) == 0;
}

static int as_int(const gy_pk_value *v, int64_t *out)
{
    if (!v || (v->type != GY_PK_INT && v->type != GY_PK_BOOL))
        return 0;
    *out = v->u.i;
    return 1;
}

/* torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
 * backward_hooks[, metadata]): a contiguous tensor inside its storage. */
static gy_status rebuild_tensor(gy_pkvm *m, const gy_pk_value *args, gy_pk_value **out)
{
    if (args->u.seq.n < 4)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "_rebuild_tensor_v2 needs (storage, offset, size, "
                       "stride, ...)");
    gy_pk_value *const *a = args->u.seq.items;
    if (a[0]->type != GY_PK_STORAGE)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "_rebuild_tensor_v2's first argument is not a storage "
                       "(persistent id)");
    int64_t off;
    if (!as_int(a[1], &off) || off < 0)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "_rebuild_tensor_v2's storage offset is not a "
                       "non-negative integer");
    const gy_pk_value *size = a[2], *stride = a[3];
    if (size->type != GY_PK_TUPLE || stride->type != GY_PK_TUPLE ||
        size->u.seq.n != stride->u.seq.n)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "_rebuild_tensor_v2's size and stride are not tuples of "
                       "one length");
    if (size->u.seq.n > GY_PK_MAX_DIMS)
        return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, "a tensor with more dimensions than supported "
                       "(GY_PK_MAX_DIMS)");
    gy_pk_value *v = gy_pkvm_new(m, GY_PK_TENSOR);
    if (!v)
        return gy_pkvm_nomem(m);
    gy_pk_tensor *t = &v->u.tensor;
    t->storage = a[0];
    t->offset = (uint64_t)off;
    t->ndim = (int)size->u.seq.n;
    uint64_t numel = 1;
    for (int d = 0; d < t->ndim; d++) {
        int64_t dim;
        if (!as_int(size->u.seq.items[d], &dim) || dim < 0)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "a tensor dimension is not a non-negative integer");
        if (dim != 0 && numel > UINT64_MAX / (uint64_t)dim)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "a tensor's element count overflows");
        numel *= (uint64_t)dim;
        t->shape[d] = dim;
    }
    t->numel = numel;
    /* Strides: contiguous (row-major) is recorded; any layout must stay inside the storage:
     * offset + sum((size - 1) x stride) < storage numel. Dimensions of size 1 may carry any
     * stride, as torch allows. */
    uint64_t expect = 1, last = 0;
    t->contiguous = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        int64_t st;
        if (!as_int(stride->u.seq.items[d], &st) || st < 0)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "a tensor stride is not a non-negative integer");
        if (t->shape[d] > 1 && (uint64_t)st != expect)
            t->contiguous = 0;
        if (t->shape[d] != 0 && expect > UINT64_MAX / (uint64_t)t->shape[d])
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "a tensor's strides overflow");
        expect *= (uint64_t)(t->shape[d] ? t->shape[d] : 1);
        if (t->shape[d] > 1) {
            uint64_t span = (uint64_t)(t->shape[d] - 1);
            if ((uint64_t)st != 0 && span > (UINT64_MAX / 2) / (uint64_t)st)
                return gy_pkvm_fail(m, GY_ERR_FORMAT, "a tensor's strides overflow");
            if (span * (uint64_t)st > UINT64_MAX / 2 - last)
                return gy_pkvm_fail(m, GY_ERR_FORMAT, "a tensor's strides overflow");
            last += span * (uint64_t)st;
        }
    }
    if (numel == 0)
        last = 0;
    const gy_pk_storage *sto = &a[0]->u.storage;
    if (numel && (t->offset >= sto->numel || last >= sto->numel - t->offset)) {
        char what[256];
        snprintf(what, sizeof what, "a tensor of %llu elements at offset %llu lies outside its "
                 "storage '%s' of %llu elements", (unsigned long long)numel,
                 (unsigned long long)t->offset, sto->key, (unsigned long long)sto->numel);
        return gy_pkvm_fail(m, GY_ERR_FORMAT, what);
    }
    *out = v;
    return GY_OK;
}

gy_status gy_pkvm_reduce(gy_pkvm *m)
{
    gy_pk_value *args = NULL, *fn = NULL;
    gy_status s = gy_pkvm_pop(m, &args);
    if (s == GY_OK)
        s = gy_pkvm_pop(m, &fn);
    if (s != GY_OK)
        return s;
    if (fn->type != GY_PK_GLOBAL)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "REDUCE of something that is not a global");
    if (args->type != GY_PK_TUPLE)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "REDUCE arguments are not a tuple");
    gy_pk_value *r = NULL;
    if (gy_pkvm_global_is(fn, "torch._utils", "_rebuild_tensor_v2")) {
        s = rebuild_tensor(m, args, &r);
        if (s != GY_OK)
            return s;
    } else if (gy_pkvm_global_is(fn, "torch._utils", "_rebuild_parameter")) {
        if (args->u.seq.n < 1 || args->u.seq.items[0]->type != GY_PK_TENSOR)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "_rebuild_parameter's first argument is not a "
                           "tensor");
        r = args->u.seq.items[0];
    } else if (gy_pkvm_global_is(fn, "collections", "OrderedDict")) {
        if (args->u.seq.n != 0)
            return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, "OrderedDict called with arguments (only "
                           "OrderedDict() is evaluated)");
        r = gy_pkvm_new(m, GY_PK_DICT);
    } else {
        r = gy_pkvm_new(m, GY_PK_OBJECT);
        if (r) {
            r->u.obj.cls = fn;
            r->u.obj.args = args;
        }
    }
    return gy_pkvm_push(m, r);
}

gy_status gy_pkvm_newobj(gy_pkvm *m)
{
    gy_pk_value *args = NULL, *cls = NULL;
    gy_status s = gy_pkvm_pop(m, &args);
    if (s == GY_OK)
        s = gy_pkvm_pop(m, &cls);
    if (s != GY_OK)
        return s;
    if (cls->type != GY_PK_GLOBAL || args->type != GY_PK_TUPLE)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "NEWOBJ needs a class and an argument tuple");
    gy_pk_value *r = gy_pkvm_new(m, GY_PK_OBJECT);
    if (r) {
        r->u.obj.cls = cls;
        r->u.obj.args = args;
    }
    return gy_pkvm_push(m, r);
}

gy_status gy_pkvm_build(gy_pkvm *m)
{
    gy_pk_value *state = NULL, *obj = NULL;
    gy_status s = gy_pkvm_pop(m, &state);
    if (s == GY_OK)
        s = gy_pkvm_top(m, &obj);
    if (s != GY_OK)
        return s;
    if (obj->type != GY_PK_OBJECT)
        return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, "BUILD on a value that is not an object");
    obj->u.obj.state = state;
    return GY_OK;
}

/* BINPERSID: torch's ('storage', torch.XStorage, key, location, numel). */
gy_status gy_pkvm_persid(gy_pkvm *m)
{
    gy_pk_value *pid = NULL;
    gy_status s = gy_pkvm_pop(m, &pid);
    if (s != GY_OK)
        return s;
    if (pid->type != GY_PK_TUPLE || pid->u.seq.n != 5)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "a persistent id that is not torch's 5-tuple "
                       "('storage', type, key, location, numel)");
    gy_pk_value *const *a = pid->u.seq.items;
    int64_t numel;
    if (a[0]->type != GY_PK_STR || strcmp(a[0]->u.str.data, "storage") != 0 ||
        a[1]->type != GY_PK_GLOBAL || a[2]->type != GY_PK_STR || !as_int(a[4], &numel) ||
        numel < 0)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "a persistent id that is not torch's 5-tuple "
                       "('storage', type, key, location, numel)");
    static const struct {
        const char *name;
        gy_dtype dt;
    } types[] = {{"HalfStorage", GY_DT_F16}, {"FloatStorage", GY_DT_F32},
                 {"BFloat16Storage", GY_DT_BF16}, {"LongStorage", GY_DT_I64}};
    const gy_pk_value *g = a[1];
    int found = -1;
    if (strcmp(g->u.global.module, "torch") == 0)
        for (int i = 0; i < 4; i++)
            if (strcmp(g->u.global.name, types[i].name) == 0)
                found = i;
    if (found < 0) {
        char what[640];
        snprintf(what, sizeof what, "storage type '%s.%s' is not supported (HalfStorage, "
                 "FloatStorage, BFloat16Storage and LongStorage are)", g->u.global.module,
                 g->u.global.name);
        return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, what);
    }
    const char *key = a[2]->u.str.data;
    if (a[2]->u.str.len == 0 || a[2]->u.str.len > 64)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "a storage key that is empty or over 64 bytes");
    for (const char *c = key; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              *c == '_'))
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "a storage key with characters other than letters, "
                           "digits and '_'");
    gy_pk_value *v = gy_pkvm_new(m, GY_PK_STORAGE);
    if (!v)
        return gy_pkvm_nomem(m);
    v->u.storage.dtype = types[found].dt;
    v->u.storage.type_name = types[found].name;
    v->u.storage.key = key;
    v->u.storage.numel = (uint64_t)numel;
    return gy_pkvm_push(m, v);
}


/* test_pt_contract.c - the contract of weights/pt_checkpoint.c, condition by condition: a small
 * checkpoint is assembled in memory (a module tree pickled opcode by opcode, zipped with its
 * storages) with one thing changed at a time, and parsed by gy_pt_parse. Each validity condition
 * fails alone (the archive, the root, the model, each module's state, parameters and buffers,
 * BatchNorm eps, names, stride, imgsz), and each bound is tried at the limit and one past it. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pkbuild.h"
#include "testutil.h"
#include "weights/pt_checkpoint.h"
#include "weights/safetensors.h"
#include "zipbuild.h"

/* ---------------------------------------------------------------------------------------------- */
/* Pieces of a checkpoint's pickle. */

/* A float32 tensor of n elements (1-D) on storage `key` of `numel` elements, at `offset`. */
static void tensor_on(pkb *p, const char *type, const char *key, int numel, int offset, int n,
                      int stride)
{
    glob(p, "torch._utils", "_rebuild_tensor_v2");
    op(p, '(');
    op(p, '(');
    str(p, "storage");
    glob(p, "torch", type);
    str(p, key);
    str(p, "cpu");
    int1(p, numel);
    op(p, 't');
    op(p, 'Q');
    int1(p, offset);
    int_tuple(p, &n, 1);
    int_tuple(p, &stride, 1);
    op(p, 0x89);
    odict(p);
    op(p, 't');
    op(p, 'R');
}

/* The usual tensor: 4 floats of storage "0". */
static void tensor4(pkb *p) { tensor_on(p, "FloatStorage", "0", 4, 0, 4, 1); }

/* NEWOBJ of module.cls, then a state dict opened: MARK, the caller's key/value pairs, mod_end. */
static void mod_begin(pkb *p, const char *module, const char *cls)
{
    glob(p, module, cls);
    op(p, ')');
    op(p, 0x81);
    op(p, '}');
    op(p, '(');
}

static void mod_end(pkb *p)
{
    op(p, 'u');
    op(p, 'b');
}

/* "name": OrderedDict() filled by the caller's pairs up to dict_end. */
static void dict_begin(pkb *p, const char *name)
{
    str(p, name);
    odict(p);
    op(p, '(');
}

static void dict_end(pkb *p) { op(p, 'u'); }

/* A BatchNorm2d (torch's) with eps and weight = tensor4. */
static void bn(pkb *p, double eps)
{
    mod_begin(p, "torch.nn.modules.batchnorm", "BatchNorm2d");
    str(p, "eps");
    flt(p, eps);
    dict_begin(p, "_parameters");
    str(p, "weight");
    tensor4(p);
    dict_end(p);
    mod_end(p);
}

/* The root: {'model': <body>, 'train_args': {'imgsz': 640}} (the caller writes the model). */
static void root_begin(pkb *p)
{
    op(p, 0x80);
    op(p, 2);
    op(p, '}');
    op(p, '(');
    str(p, "model");
}

static void root_end(pkb *p)
{
    op(p, 'u');
    op(p, '.');
}

/* A model object holding one BatchNorm under _modules['bn'], and extra state pairs written by
 * the caller's function after it. */
typedef void (*extra_fn)(pkb *p, const void *arg);

static void model(pkb *p, extra_fn extra, const void *arg)
{
    mod_begin(p, "ultralytics.nn.tasks", "DetectionModel");
    dict_begin(p, "_modules");
    str(p, "bn");
    bn(p, 1e-3);
    dict_end(p);
    if (extra)
        extra(p, arg);
    mod_end(p);
}

/* ---------------------------------------------------------------------------------------------- */
/* Archives and parsing. */

static float storage0[8] = {1, 2, 3, 4, 5, 6, 7, 8};

/* Zips data.pkl under `prefix` with storage "0" of `bytes0` bytes (none when negative). */
static unsigned char *archive(const pkb *p, const char *prefix, int bytes0, size_t *size)
{
    char pk[400], d0[400];
    ck_assert_uint_lt(strlen(prefix), 300);
    snprintf(pk, sizeof pk, "%.300sdata.pkl", prefix);
    snprintf(d0, sizeof d0, "%.300sdata/0", prefix);
    entry e[2] = {{pk, p->b, p->n}, {d0, storage0, bytes0 < 0 ? 0 : (size_t)bytes0}};
    return zip_in_memory(e, bytes0 < 0 ? 1 : 2, size);
}

static gy_status parse(pkb *p, const char *prefix, int bytes0, gy_safetensors **st, gy_error *err)
{
    size_t size;
    unsigned char *zip = archive(p, prefix, bytes0, &size);
    free(p->b);
    *p = (pkb){0};
    return gy_pt_parse(zip, size, "c.pt", st, err);
}

static gy_safetensors *parse_ok(pkb *p)
{
    gy_safetensors *st = NULL;
    gy_error err;
    gy_status s = parse(p, "archive/", 16, &st, &err);
    ck_assert_msg(s == GY_OK, "%s", err.message);
    return st;
}

static void parse_refused(pkb *p, gy_status want, const char *sub)
{
    gy_safetensors *st = (gy_safetensors *)1;
    gy_error err;
    gy_status s = parse(p, "archive/", 16, &st, &err);
    ck_assert_msg(s == want, "status %s, expected %s: %s", gy_status_str(s), gy_status_str(want),
                  err.message);
    ck_assert_ptr_null(st);
    ck_assert_msg(strncmp(err.message, "c.pt", 4) == 0, "%s", err.message);
    ck_assert_msg(strstr(err.message, sub) != NULL, "message lacks '%s': %s", sub, err.message);
}

/* A whole checkpoint whose model gets `extra` pairs. */
static void checkpoint(pkb *p, extra_fn extra, const void *arg)
{
    root_begin(p);
    model(p, extra, arg);
    root_end(p);
}

/* ---------------------------------------------------------------------------------------------- */

START_TEST(parse_arguments_and_archive)
{
    gy_error err;
    gy_safetensors *st = (gy_safetensors *)1;
    ck_assert_int_eq(gy_pt_parse(malloc(4), 4, "c.pt", NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_pt_parse(NULL, 4, "c.pt", &st, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(st);
    pkb p = {0};
    checkpoint(&p, NULL, NULL);
    st = parse_ok(&p);
    ck_assert_int_eq(st->count, 1);
    ck_assert_str_eq(st->tensors[0].name, "bn.weight");
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps"), "0.001");
    ck_assert_ptr_null(gy_st_meta_get(st, "bn_eps_exceptions"));
    gy_st_close(st);
    /* data.pkl must sit one folder down: not at the top, not two down */
    const char *prefixes[] = {"", "a/b/"};
    for (int i = 0; i < 2; i++) {
        checkpoint(&p, NULL, NULL);
        ck_assert_int_eq(parse(&p, prefixes[i], 16, &st, &err), GY_ERR_FORMAT);
        ck_assert_ptr_nonnull(strstr(err.message, "without <name>/data.pkl"));
    }
    /* the archive's name: 254 bytes and its slash fit the prefix; 255 do not */
    char pre[300];
    memset(pre, 'a', sizeof pre);
    pre[254] = '/';
    pre[255] = '\0';
    checkpoint(&p, NULL, NULL);
    ck_assert_msg(parse(&p, pre, 16, &st, &err) == GY_OK, "%s", err.message);
    gy_st_close(st);
    pre[254] = 'a';
    pre[255] = '/';
    pre[256] = '\0';
    checkpoint(&p, NULL, NULL);
    ck_assert_int_eq(parse(&p, pre, 16, &st, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "without <name>/data.pkl"));
    /* storage entries: missing, one byte short, one byte long */
    checkpoint(&p, NULL, NULL);
    ck_assert_int_eq(parse(&p, "archive/", -1, &st, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "refers to storage '0', which is not in the archive"));
    checkpoint(&p, NULL, NULL);
    ck_assert_int_eq(parse(&p, "archive/", 15, &st, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "should be 16 bytes but its archive entry has 15"));
    checkpoint(&p, NULL, NULL);
    ck_assert_int_eq(parse(&p, "archive/", 17, &st, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "should be 16 bytes but its archive entry has 17"));
}
END_TEST

START_TEST(root_and_model)
{
    pkb p = {0};
    op(&p, ']');
    op(&p, '.');
    parse_refused(&p, GY_ERR_FORMAT, "the checkpoint is a list, not a dict with 'model'");
    op(&p, '}');
    op(&p, '.');
    parse_refused(&p, GY_ERR_FORMAT, "has neither 'ema' nor 'model'");
    /* model None and no ema; ema None falls back to model; ema wins over model */
    op(&p, '}');
    op(&p, '(');
    str(&p, "model");
    op(&p, 'N');
    op(&p, 'u');
    op(&p, '.');
    parse_refused(&p, GY_ERR_FORMAT, "has neither 'ema' nor 'model'");
    root_begin(&p);
    model(&p, NULL, NULL);
    str(&p, "ema");
    op(&p, 'N');
    root_end(&p);
    gy_safetensors *st = parse_ok(&p);
    ck_assert_int_eq(st->count, 1);
    gy_st_close(st);
    root_begin(&p);
    op(&p, 'N');
    str(&p, "ema");
    model(&p, NULL, NULL);
    root_end(&p);
    st = parse_ok(&p);
    ck_assert_int_eq(st->count, 1);
    gy_st_close(st);
    root_begin(&p);
    int1(&p, 3);
    root_end(&p);
    parse_refused(&p, GY_ERR_FORMAT, "the checkpoint's model is a int, not a torch module");
    /* an object without BUILD has no state */
    root_begin(&p);
    glob(&p, "ultralytics.nn.tasks", "DetectionModel");
    op(&p, ')');
    op(&p, 0x81);
    root_end(&p);
    parse_refused(&p, GY_ERR_FORMAT, "module '(the model)' is a DetectionModel without a state dict");
    /* no BatchNorm anywhere: a fused model */
    root_begin(&p);
    mod_begin(&p, "ultralytics.nn.tasks", "DetectionModel");
    dict_begin(&p, "_parameters");
    str(&p, "w");
    tensor4(&p);
    dict_end(&p);
    mod_end(&p);
    root_end(&p);
    parse_refused(&p, GY_ERR_UNSUPPORTED, "no BatchNorm2d in the model");
}
END_TEST

/* Extra model state: "_parameters" with the pairs a case asks for. */
typedef struct params_case {
    int kind; /* 0 a list instead of a dict; 1 an int key; 2 a None value; 3 an int value;
                 4 a non-contiguous tensor; 5 a name of `len` bytes; 6 a tensor (kept) */
    int len;
} params_case;

static void params_extra(pkb *p, const void *arg)
{
    const params_case *c = arg;
    if (c->kind == 0) {
        str(p, "_parameters");
        op(p, ']');
        return;
    }
    dict_begin(p, "_parameters");
    char name[GY_PT_MAX_NAME + 8];
    switch (c->kind) {
    case 1:
        int1(p, 1);
        tensor4(p);
        break;
    case 2:
        str(p, "bias");
        op(p, 'N');
        break;
    case 3:
        str(p, "w");
        int1(p, 3);
        break;
    case 4:
        str(p, "w");
        glob(p, "torch._utils", "_rebuild_tensor_v2");
        op(p, '(');
        op(p, '(');
        str(p, "storage");
        glob(p, "torch", "FloatStorage");
        str(p, "0");
        str(p, "cpu");
        int1(p, 4);
        op(p, 't');
        op(p, 'Q');
        int1(p, 0);
        {
            const int shape[2] = {2, 2}, stride[2] = {1, 2};
            int_tuple(p, shape, 2);
            int_tuple(p, stride, 2);
        }
        op(p, 0x89);
        odict(p);
        op(p, 't');
        op(p, 'R');
        break;
    case 5:
        memset(name, 'w', (size_t)c->len);
        name[c->len] = '\0';
        str(p, name);
        tensor4(p);
        break;
    default:
        str(p, "w");
        tensor4(p);
    }
    dict_end(p);
}

START_TEST(parameters)
{
    pkb p = {0};
    params_case c = {0, 0};
    checkpoint(&p, params_extra, &c);
    parse_refused(&p, GY_ERR_FORMAT, "'_parameters' is a list, not a dict");
    c.kind = 1;
    checkpoint(&p, params_extra, &c);
    parse_refused(&p, GY_ERR_FORMAT, "a _parameters key of '' is a int, not a str");
    c.kind = 2; /* None: not in the state_dict */
    checkpoint(&p, params_extra, &c);
    gy_safetensors *st = parse_ok(&p);
    ck_assert_int_eq(st->count, 1);
    ck_assert_ptr_null(gy_st_find(st, "bias"));
    gy_st_close(st);
    c.kind = 3;
    checkpoint(&p, params_extra, &c);
    parse_refused(&p, GY_ERR_UNSUPPORTED, "'w' is a int, not a tensor");
    c.kind = 4;
    checkpoint(&p, params_extra, &c);
    parse_refused(&p, GY_ERR_UNSUPPORTED, "tensor 'w' is not contiguous");
    c.kind = 6;
    checkpoint(&p, params_extra, &c);
    st = parse_ok(&p);
    ck_assert_int_eq(st->count, 2);
    const gy_st_tensor *t = gy_st_find(st, "w");
    ck_assert_ptr_nonnull(t);
    float v[4];
    gy_error err;
    ck_assert_int_eq(gy_st_read_f32(st, t, v, &err), GY_OK);
    ck_assert(v[0] == 1 && v[3] == 4);
    gy_st_close(st);
    /* a name of GY_PT_MAX_NAME - 1 bytes fits; GY_PT_MAX_NAME does not */
    c.kind = 5;
    c.len = GY_PT_MAX_NAME - 1;
    checkpoint(&p, params_extra, &c);
    st = parse_ok(&p);
    ck_assert_int_eq(st->count, 2);
    gy_st_close(st);
    c.len = GY_PT_MAX_NAME;
    checkpoint(&p, params_extra, &c);
    parse_refused(&p, GY_ERR_FORMAT, "a state_dict name longer than 1024 bytes");
}
END_TEST

/* _buffers {'kept', 'temp'} with a _non_persistent_buffers_set record of the given form. */
typedef struct buffers_case {
    int form; /* 0 set(['temp']); 1 set() with no argument; 2 set('temp') (a str, not a list);
                 3 set([1]) (no str); 4 no set; 5 the set names 'temp' in _parameters, too */
} buffers_case;

static void buffers_extra(pkb *p, const void *arg)
{
    const buffers_case *c = arg;
    if (c->form == 5) {
        dict_begin(p, "_parameters");
        str(p, "temp");
        tensor4(p);
        dict_end(p);
    }
    dict_begin(p, "_buffers");
    str(p, "kept");
    tensor4(p);
    if (c->form != 5) {
        str(p, "temp");
        tensor4(p);
    }
    dict_end(p);
    if (c->form == 4)
        return;
    str(p, "_non_persistent_buffers_set");
    glob(p, "__builtin__", "set");
    if (c->form == 1) {
        op(p, ')');
    } else {
        op(p, ']');
        if (c->form == 2) {
            op(p, '0');
            str(p, "temp");
        } else if (c->form == 3) {
            int1(p, 1);
            op(p, 'a');
        } else {
            str(p, "temp");
            op(p, 'a');
        }
        op(p, 0x85);
    }
    op(p, 'R');
}

START_TEST(buffers)
{
    static const struct {
        int form, count;
        int temp; /* 'temp' is in the state_dict */
    } cases[] = {{0, 2, 0}, {1, 3, 1}, {2, 3, 1}, {3, 3, 1}, {4, 3, 1}, {5, 3, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pkb p = {0};
        buffers_case c = {cases[i].form};
        checkpoint(&p, buffers_extra, &c);
        gy_safetensors *st = parse_ok(&p);
        ck_assert_msg(st->count == cases[i].count, "form %d: %d tensors", cases[i].form, st->count);
        ck_assert_ptr_nonnull(gy_st_find(st, "kept"));
        ck_assert_msg((gy_st_find(st, "temp") != NULL) == cases[i].temp, "form %d", cases[i].form);
        gy_st_close(st);
    }
}
END_TEST

/* A model whose _modules hold what a case asks for. */
typedef struct modules_case {
    int kind; /* 0 _modules a list; 1 an int key; 2 a None module; 3 a name of len bytes;
                 4 a chain of len modules; 5 a zoo BatchNorm2d with eps 1e-5 beside torch's;
                 6 the eps given as eps_kind says */
    int len;
    int eps_kind; /* 0 missing, 1 an int, 2 this value */
    double eps;
} modules_case;

static void chain(pkb *p, int depth)
{
    if (depth == 0) {
        bn(p, 1e-3);
        return;
    }
    mod_begin(p, "torch.nn.modules.container", "Sequential");
    dict_begin(p, "_modules");
    str(p, "m");
    chain(p, depth - 1);
    dict_end(p);
    mod_end(p);
}

static void modules_checkpoint(pkb *p, const modules_case *c)
{
    root_begin(p);
    mod_begin(p, "ultralytics.nn.tasks", "DetectionModel");
    if (c->kind == 0) {
        str(p, "_modules");
        op(p, ']');
        mod_end(p);
        root_end(p);
        return;
    }
    dict_begin(p, "_modules");
    char name[GY_PT_MAX_NAME + 8];
    switch (c->kind) {
    case 1:
        int1(p, 0);
        bn(p, 1e-3);
        break;
    case 2:
        str(p, "gone");
        op(p, 'N');
        str(p, "bn");
        bn(p, 1e-3);
        break;
    case 3:
        memset(name, 'm', (size_t)c->len);
        name[c->len] = '\0';
        str(p, name);
        bn(p, 1e-3);
        break;
    case 4:
        str(p, "c");
        chain(p, c->len);
        break;
    case 5:
        str(p, "a");
        mod_begin(p, "ultralytics.nn.modules.zoo_modules", "BatchNorm2d");
        str(p, "eps");
        flt(p, 1e-5);
        mod_end(p);
        str(p, "b");
        bn(p, 1e-3);
        break;
    default:
        str(p, "bn");
        mod_begin(p, "torch.nn.modules.batchnorm", "BatchNorm2d");
        if (c->eps_kind) {
            str(p, "eps");
            if (c->eps_kind == 1)
                int1(p, 0);
            else
                flt(p, c->eps);
        }
        mod_end(p);
    }
    dict_end(p);
    mod_end(p);
    root_end(p);
}

START_TEST(modules)
{
    pkb p = {0};
    modules_case c = {0, 0, 0, 0};
    modules_checkpoint(&p, &c);
    parse_refused(&p, GY_ERR_FORMAT, "'_modules' is a list, not a dict");
    c.kind = 1;
    modules_checkpoint(&p, &c);
    parse_refused(&p, GY_ERR_FORMAT, "a _modules key of '' is a int, not a str");
    c.kind = 2;
    modules_checkpoint(&p, &c);
    gy_safetensors *st = parse_ok(&p);
    ck_assert_ptr_nonnull(gy_st_find(st, "bn.weight"));
    ck_assert_int_eq(st->count, 1);
    gy_st_close(st);
    /* a module name: with its dot and ".weight" the state_dict name must stay under the limit;
     * the module's own prefix ("name.") must fit in GY_PT_MAX_NAME - 1 bytes */
    c.kind = 3;
    c.len = GY_PT_MAX_NAME - 8; /* "m...m.weight" is GY_PT_MAX_NAME - 1 bytes */
    modules_checkpoint(&p, &c);
    st = parse_ok(&p);
    ck_assert_int_eq(st->count, 1);
    gy_st_close(st);
    c.len = GY_PT_MAX_NAME - 7;
    modules_checkpoint(&p, &c);
    parse_refused(&p, GY_ERR_FORMAT, "a state_dict name longer than 1024 bytes");
    c.len = GY_PT_MAX_NAME - 2; /* "m...m." is 1023 bytes: the module fits, its weight not */
    modules_checkpoint(&p, &c);
    parse_refused(&p, GY_ERR_FORMAT, "a state_dict name longer than 1024 bytes");
    c.len = GY_PT_MAX_NAME - 1;
    modules_checkpoint(&p, &c);
    parse_refused(&p, GY_ERR_FORMAT, "a module name longer than 1024 bytes");
    /* depth: the model is 0; a chain of 63 containers puts its BatchNorm at 64, 64 at 65 */
    c.kind = 4;
    c.len = GY_PT_MAX_MODULE_DEPTH - 1;
    modules_checkpoint(&p, &c);
    st = parse_ok(&p);
    ck_assert_int_eq(st->count, 1);
    gy_st_close(st);
    c.len = GY_PT_MAX_MODULE_DEPTH;
    modules_checkpoint(&p, &c);
    parse_refused(&p, GY_ERR_FORMAT, "modules nested deeper than 64");
    /* BatchNorm eps: the first torch BatchNorm2d's is the model's, another one an exception */
    c.kind = 5;
    modules_checkpoint(&p, &c);
    st = parse_ok(&p);
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps"), "0.001");
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps_exceptions"), "{\"a\": 1e-05}");
    gy_st_close(st);
    c.kind = 6;
    c.eps_kind = 0;
    modules_checkpoint(&p, &c);
    parse_refused(&p, GY_ERR_FORMAT, "BatchNorm2d 'bn.' has no float eps");
    c.eps_kind = 1;
    modules_checkpoint(&p, &c);
    parse_refused(&p, GY_ERR_FORMAT, "has no float eps");
    c.eps_kind = 2;
    static const double bad[] = {0.0, -1e-5, 1.0, 2.0};
    for (int i = 0; i < 4; i++) {
        c.eps = bad[i];
        modules_checkpoint(&p, &c);
        parse_refused(&p, GY_ERR_FORMAT, "not a small positive number");
    }
    c.eps = NAN;
    modules_checkpoint(&p, &c);
    parse_refused(&p, GY_ERR_FORMAT, "not a small positive number");
    static const double good[] = {1e-300, 0.999};
    for (int i = 0; i < 2; i++) {
        c.eps = good[i];
        modules_checkpoint(&p, &c);
        st = parse_ok(&p);
        ck_assert_ptr_nonnull(gy_st_meta_get(st, "bn_eps"));
        ck_assert_double_eq(atof(gy_st_meta_get(st, "bn_eps")), good[i]);
        gy_st_close(st);
    }
}
END_TEST

/* 'names' as a case asks: a dict of (key kind, value) pairs, or a list. */
typedef struct names_case {
    int form;           /* 0 dict, 1 list, 2 an int (neither) */
    int n;
    const char *keys[4]; /* NULL: the int key ids[i] */
    int ids[4];
    int value_int;      /* the last value is an int, not a str */
    const char *value0; /* the first entry's name when not NULL (else "c0") */
} names_case;

static void names_extra(pkb *p, const void *arg)
{
    const names_case *c = arg;
    str(p, "names");
    if (c->form == 2) {
        int1(p, 5);
        return;
    }
    op(p, c->form == 0 ? '}' : ']');
    op(p, '(');
    for (int i = 0; i < c->n; i++) {
        char v[16];
        snprintf(v, sizeof v, "c%d", i);
        if (c->form == 0) {
            if (c->keys[i])
                str(p, c->keys[i]);
            else
                int1(p, c->ids[i]); /* BININT for a negative id */
        }
        if (c->value_int && i == c->n - 1)
            int1(p, 9);
        else
            str(p, i == 0 && c->value0 ? c->value0 : v);
    }
    op(p, c->form == 0 ? 'u' : 'e');
}

static const char *names_of(const names_case *c)
{
    static char out[256];
    pkb p = {0};
    checkpoint(&p, names_extra, c);
    gy_safetensors *st = parse_ok(&p);
    const char *n = gy_st_meta_get(st, "names");
    ck_assert_ptr_nonnull(n);
    snprintf(out, sizeof out, "%s", n);
    gy_st_close(st);
    return out;
}

static void names_refused(const names_case *c, const char *sub)
{
    pkb p = {0};
    checkpoint(&p, names_extra, c);
    parse_refused(&p, GY_ERR_FORMAT, sub);
}

START_TEST(names)
{
    /* int keys, sorted by id; numeric str keys; a list numbers its entries from 0 */
    names_case c = {0, 3, {NULL, NULL, NULL}, {2, 0, 1}, 0, NULL};
    ck_assert_str_eq(names_of(&c), "{\"0\": \"c1\", \"1\": \"c2\", \"2\": \"c0\"}");
    names_case s = {0, 2, {"1", "0"}, {0}, 0, NULL};
    ck_assert_str_eq(names_of(&s), "{\"0\": \"c1\", \"1\": \"c0\"}");
    names_case l = {1, 2, {NULL}, {0}, 0, NULL};
    ck_assert_str_eq(names_of(&l), "{\"0\": \"c0\", \"1\": \"c1\"}");
    names_case z = {0, 1, {NULL}, {0}, 0, NULL}; /* id 0: the bound */
    ck_assert_str_eq(names_of(&z), "{\"0\": \"c0\"}");
    const char *bad = "model 'names' entry";
    names_case neg = {0, 1, {NULL}, {-1}, 0, NULL};
    names_refused(&neg, "entry 0 is not a class id and a str name");
    names_case word = {0, 2, {"0", "x"}, {0}, 0, NULL};
    names_refused(&word, "entry 1 is not a class id and a str name");
    names_case tail = {0, 1, {"3x"}, {0}, 0, NULL};
    names_refused(&tail, bad);
    names_case empty = {0, 1, {""}, {0}, 0, NULL};
    names_refused(&empty, bad);
    names_case negs = {0, 1, {"-2"}, {0}, 0, NULL};
    names_refused(&negs, bad);
    names_case val = {0, 2, {NULL, NULL}, {0, 1}, 1, NULL};
    names_refused(&val, "entry 1 is not a class id and a str name");
    names_case lval = {1, 2, {NULL}, {0}, 1, NULL};
    names_refused(&lval, "entry 1 is not a class id and a str name");
    names_case other = {2, 0, {NULL}, {0}, 0, NULL};
    names_refused(&other, "model 'names' is a int, not a dict or list");
}
END_TEST

/* A name as Python's json.dumps(ensure_ascii=False) writes it: the two-character escapes, \u00XX
 * for the other bytes under 0x20 (0x1f the last of them), space, DEL and UTF-8 as they are. */
START_TEST(names_json_escapes)
{
    names_case c = {1, 2, {NULL}, {0}, 0,
                    "q\"b\\n\nr\rt\tb\bf\f\x01\x1f \x7f\xc3\xa9"};
    ck_assert_str_eq(names_of(&c), "{\"0\": \"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\f"
                                   "\\u0001\\u001f \x7f\xc3\xa9\", \"1\": \"c1\"}");
    names_case d = {0, 1, {NULL}, {7}, 0, "\x1e\x0b"};
    ck_assert_str_eq(names_of(&d), "{\"7\": \"\\u001e\\u000b\"}");
}
END_TEST

/* 'stride' as a case asks. */
typedef struct stride_case {
    int form;     /* 0 a list of n values; 1 a float tensor of n values (storage "0"); 2 a str;
                     3 a list holding a str; 4 a non-contiguous tensor */
    int n;
    double last;  /* the list's last value (a float) when nonzero */
} stride_case;

static void stride_extra(pkb *p, const void *arg)
{
    const stride_case *c = arg;
    str(p, "stride");
    switch (c->form) {
    case 0:
    case 3:
        op(p, ']');
        op(p, '(');
        for (int i = 0; i < c->n; i++) {
            if (i == c->n - 1 && c->form == 3)
                str(p, "8");
            else if (i == c->n - 1 && c->last != 0.0)
                flt(p, c->last);
            else
                int1(p, 8 << (i % 3));
        }
        op(p, 'e');
        break;
    case 1:
        tensor_on(p, "FloatStorage", "0", c->n > 4 ? c->n : 4, 0, c->n, 1);
        break;
    case 2:
        str(p, "8");
        break;
    default: {
        const int shape[2] = {2, 2}, stride[2] = {1, 2};
        glob(p, "torch._utils", "_rebuild_tensor_v2");
        op(p, '(');
        op(p, '(');
        str(p, "storage");
        glob(p, "torch", "FloatStorage");
        str(p, "0");
        str(p, "cpu");
        int1(p, 4);
        op(p, 't');
        op(p, 'Q');
        int1(p, 0);
        int_tuple(p, shape, 2);
        int_tuple(p, stride, 2);
        op(p, 0x89);
        odict(p);
        op(p, 't');
        op(p, 'R');
    }
    }
}

START_TEST(stride)
{
    /* a list: 16 values are read, 17 are not; floats are truncated as int() does */
    stride_case c = {0, 3, 0.0};
    pkb p = {0};
    checkpoint(&p, stride_extra, &c);
    gy_safetensors *st = parse_ok(&p);
    ck_assert_str_eq(gy_st_meta_get(st, "stride"), "[8, 16, 32]");
    gy_st_close(st);
    c.n = 16;
    checkpoint(&p, stride_extra, &c);
    st = parse_ok(&p);
    ck_assert_str_eq(gy_st_meta_get(st, "stride"),
                     "[8, 16, 32, 8, 16, 32, 8, 16, 32, 8, 16, 32, 8, 16, 32, 8]");
    gy_st_close(st);
    c.n = 17;
    checkpoint(&p, stride_extra, &c);
    parse_refused(&p, GY_ERR_FORMAT, "model 'stride' has more than 16 values");
    c.n = 2;
    c.last = 16.9;
    checkpoint(&p, stride_extra, &c);
    st = parse_ok(&p);
    ck_assert_str_eq(gy_st_meta_get(st, "stride"), "[8, 16]");
    gy_st_close(st);
    /* the value range: within (-1e9, 1e9) */
    static const double ok[] = {999999999.0, -999999999.0};
    for (int i = 0; i < 2; i++) {
        c.last = ok[i];
        checkpoint(&p, stride_extra, &c);
        st = parse_ok(&p);
        char want[64];
        snprintf(want, sizeof want, "[8, %lld]", (long long)ok[i]);
        ck_assert_str_eq(gy_st_meta_get(st, "stride"), want);
        gy_st_close(st);
    }
    static const double out[] = {1e9, -1e9, INFINITY};
    for (int i = 0; i < 3; i++) {
        c.last = out[i];
        checkpoint(&p, stride_extra, &c);
        parse_refused(&p, GY_ERR_FORMAT, "model 'stride' value out of range");
    }
    c.last = NAN;
    checkpoint(&p, stride_extra, &c);
    parse_refused(&p, GY_ERR_FORMAT, "model 'stride' value out of range");
    /* a tensor: its values (storage "0" holds 1, 2, 3, ...); 16 are read, 17 are not */
    c = (stride_case){1, 2, 0.0};
    checkpoint(&p, stride_extra, &c);
    size_t size;
    unsigned char *zip = archive(&p, "archive/", 16, &size);
    free(p.b);
    p = (pkb){0};
    gy_error err;
    ck_assert_msg(gy_pt_parse(zip, size, "c.pt", &st, &err) == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_st_meta_get(st, "stride"), "[1, 2]");
    gy_st_close(st);
    c.n = 17;
    checkpoint(&p, stride_extra, &c);
    parse_refused(&p, GY_ERR_FORMAT, "model 'stride' has 17 values (at most 16");
    c = (stride_case){2, 0, 0.0};
    checkpoint(&p, stride_extra, &c);
    parse_refused(&p, GY_ERR_FORMAT, "model 'stride' is a str, not a tensor");
    c = (stride_case){3, 3, 0.0};
    checkpoint(&p, stride_extra, &c);
    parse_refused(&p, GY_ERR_FORMAT, "model 'stride' holds a str");
    c = (stride_case){4, 0, 0.0};
    checkpoint(&p, stride_extra, &c);
    parse_refused(&p, GY_ERR_UNSUPPORTED, "model 'stride' is not a contiguous tensor");
}
END_TEST

/* train_args as a case asks: form 0 a dict, 1 an object whose state is that dict, 2 absent;
 * imgsz: 0 an int 640, 1 a list of n ints, 2 a list with a float, 3 None, 4 a str */
typedef struct imgsz_case {
    int form, imgsz, n;
} imgsz_case;

static void imgsz_checkpoint(pkb *p, const imgsz_case *c)
{
    root_begin(p);
    model(p, NULL, NULL);
    if (c->form != 2) {
        str(p, "train_args");
        if (c->form == 1)
            mod_begin(p, "ultralytics.cfg", "IterableSimpleNamespace");
        else {
            op(p, '}');
            op(p, '(');
        }
        str(p, "imgsz");
        switch (c->imgsz) {
        case 0:
            int1(p, 640);
            break;
        case 1:
        case 2:
            op(p, '(');
            for (int i = 0; i < c->n; i++) {
                if (c->imgsz == 2 && i == c->n - 1)
                    flt(p, 320.0);
                else
                    int1(p, 640 - 32 * i);
            }
            op(p, 't');
            break;
        case 3:
            op(p, 'N');
            break;
        default:
            str(p, "640");
        }
        if (c->form == 1)
            mod_end(p);
        else
            op(p, 'u');
    }
    root_end(p);
}

static const char *imgsz_of(const imgsz_case *c)
{
    static char out[64];
    pkb p = {0};
    imgsz_checkpoint(&p, c);
    gy_safetensors *st = parse_ok(&p);
    const char *v = gy_st_meta_get(st, "imgsz");
    snprintf(out, sizeof out, "%s", v ? v : "(none)");
    gy_st_close(st);
    return out;
}

START_TEST(imgsz)
{
    ck_assert_str_eq(imgsz_of(&(imgsz_case){0, 0, 0}), "640");
    ck_assert_str_eq(imgsz_of(&(imgsz_case){1, 0, 0}), "640");
    ck_assert_str_eq(imgsz_of(&(imgsz_case){2, 0, 0}), "(none)");
    ck_assert_str_eq(imgsz_of(&(imgsz_case){0, 1, 2}), "[640, 608]");
    ck_assert_str_eq(imgsz_of(&(imgsz_case){0, 1, 4}), "[640, 608, 576, 544]");
    ck_assert_str_eq(imgsz_of(&(imgsz_case){0, 1, 5}), "(none)"); /* over 4: left out */
    ck_assert_str_eq(imgsz_of(&(imgsz_case){0, 1, 0}), "[]");
    ck_assert_str_eq(imgsz_of(&(imgsz_case){0, 2, 2}), "(none)");
    ck_assert_str_eq(imgsz_of(&(imgsz_case){0, 3, 0}), "(none)");
    ck_assert_str_eq(imgsz_of(&(imgsz_case){0, 4, 0}), "(none)");
}
END_TEST

/* Two parameters of one name: refused at assembly. */
static void twice_extra(pkb *p, const void *arg)
{
    (void)arg;
    dict_begin(p, "_parameters");
    str(p, "bn.weight"); /* the model's own 'bn.weight' beside its BatchNorm's */
    tensor4(p);
    dict_end(p);
}

START_TEST(duplicate_names)
{
    pkb p = {0};
    checkpoint(&p, twice_extra, NULL);
    parse_refused(&p, GY_ERR_FORMAT, "state_dict name 'bn.weight' appears twice");
    /* a tensor at an offset reads its own slice of the storage */
    root_begin(&p);
    mod_begin(&p, "ultralytics.nn.tasks", "DetectionModel");
    dict_begin(&p, "_modules");
    str(&p, "bn");
    bn(&p, 1e-3);
    dict_end(&p);
    dict_begin(&p, "_parameters");
    str(&p, "w");
    tensor_on(&p, "FloatStorage", "0", 4, 2, 2, 1);
    dict_end(&p);
    mod_end(&p);
    root_end(&p);
    gy_safetensors *st = parse_ok(&p);
    const gy_st_tensor *t = gy_st_find(st, "w");
    ck_assert_ptr_nonnull(t);
    float v[2];
    gy_error err;
    ck_assert_int_eq(gy_st_read_f32(st, t, v, &err), GY_OK);
    ck_assert(v[0] == 3 && v[1] == 4);
    gy_st_close(st);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pt_contract");
    TCase *tc = tcase_create("contract");
    tcase_add_test(tc, parse_arguments_and_archive);
    tcase_add_test(tc, root_and_model);
    tcase_add_test(tc, parameters);
    tcase_add_test(tc, buffers);
    tcase_add_test(tc, modules);
    tcase_add_test(tc, names);
    tcase_add_test(tc, names_json_escapes);
    tcase_add_test(tc, stride);
    tcase_add_test(tc, imgsz);
    tcase_add_test(tc, duplicate_names);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

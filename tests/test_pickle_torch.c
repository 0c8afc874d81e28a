/* test_pickle_torch.c - the contract of weights/pickle_torch.c, condition by condition: what
 * torch's opcodes (BINPERSID, REDUCE of _rebuild_tensor_v2 / _rebuild_parameter / OrderedDict,
 * NEWOBJ, BUILD, GLOBAL) accept and refuse. Each validity condition is broken one clause at a time
 * (the others valid), and each bound is tried at the limit (accepted) and one past it (refused),
 * on pickles assembled opcode by opcode and run by gy_pickle_load alone. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pkbuild.h"
#include "testutil.h"

/* LONG1 with 8 bytes: any int64. */
static void long8(pkb *p, int64_t v)
{
    op(p, 0x8a);
    op(p, 8);
    for (int k = 0; k < 8; k++)
        op(p, (unsigned char)((uint64_t)v >> (8 * k)));
}

/* Runs a pickle that must load; returns the root (the pickle freed by the caller). */
static const gy_pk_value *load_ok(pkb *p, gy_pickle **pk)
{
    op(p, '.');
    gy_error err;
    const gy_pk_value *root = NULL;
    ck_assert_msg(gy_pickle_load(p->b, p->n, "mem.pkl", pk, &root, &err) == GY_OK, "%s",
                  err.message);
    free(p->b);
    return root;
}

static void refused(pkb *p, gy_status want, const char *sub)
{
    op(p, '.');
    expect_pickle_fail(p, want, sub);
    free(p->b);
}

/* ---------------------------------------------------------------------------------------------- */
/* BINPERSID: ('storage', torch.<T>Storage, key, location, numel) */

typedef struct pid {
    int len;             /* items in the tuple: 5 */
    int list;            /* a list instead of a tuple */
    const char *tag;     /* "storage" (NULL: an int instead of a str) */
    const char *module;  /* "torch" (NULL: a str instead of a global) */
    const char *type;    /* "FloatStorage" */
    const char *key;     /* "0" (NULL: an int instead of a str) */
    int numel_kind;      /* 0 int, 1 float, 2 bool True */
    int64_t numel;       /* 4 */
} pid;

static pid good_pid(void)
{
    pid d = {5, 0, "storage", "torch", "FloatStorage", "0", 0, 4};
    return d;
}

static void persid(pkb *p, const pid *d)
{
    op(p, '(');
    const int items = d->len;
    for (int i = 0; i < items; i++) {
        switch (i) {
        case 0:
            if (d->tag)
                str(p, d->tag);
            else
                int1(p, 7);
            break;
        case 1:
            if (d->module)
                glob(p, d->module, d->type);
            else
                str(p, d->type);
            break;
        case 2:
            if (d->key)
                str(p, d->key);
            else
                int1(p, 0);
            break;
        case 3:
            str(p, "cpu");
            break;
        case 4:
            if (d->numel_kind == 1)
                flt(p, (double)d->numel);
            else if (d->numel_kind == 2)
                op(p, 0x88);
            else
                long8(p, d->numel);
            break;
        default:
            int1(p, 0);
        }
    }
    op(p, d->list ? 'l' : 't');
    op(p, 'Q');
}

static const gy_pk_value *storage_ok(const pid *d, gy_pickle **pk)
{
    pkb p = {0};
    persid(&p, d);
    const gy_pk_value *v = load_ok(&p, pk);
    ck_assert_int_eq(v->type, GY_PK_STORAGE);
    return v;
}

static void storage_refused(const pid *d, gy_status want, const char *sub)
{
    pkb p = {0};
    persid(&p, d);
    refused(&p, want, sub);
}

START_TEST(persistent_id_shape)
{
    gy_pickle *pk;
    pid d = good_pid();
    const gy_pk_value *v = storage_ok(&d, &pk);
    ck_assert_int_eq(v->u.storage.dtype, GY_DT_F32);
    ck_assert_str_eq(v->u.storage.key, "0");
    ck_assert_uint_eq(v->u.storage.numel, 4);
    gy_pickle_free(pk);
    const char *msg = "not torch's 5-tuple";
    d.len = 4;
    storage_refused(&d, GY_ERR_FORMAT, msg);
    d.len = 6;
    storage_refused(&d, GY_ERR_FORMAT, msg);
    d = good_pid();
    d.list = 1;
    storage_refused(&d, GY_ERR_FORMAT, msg);
    d = good_pid();
    d.tag = "storagf";
    storage_refused(&d, GY_ERR_FORMAT, msg);
    d.tag = NULL;
    storage_refused(&d, GY_ERR_FORMAT, msg);
    d = good_pid();
    d.module = NULL;
    storage_refused(&d, GY_ERR_FORMAT, msg);
    d = good_pid();
    d.key = NULL;
    storage_refused(&d, GY_ERR_FORMAT, msg);
    d = good_pid();
    d.numel_kind = 1;
    storage_refused(&d, GY_ERR_FORMAT, msg);
    d = good_pid();
    d.numel = -1;
    storage_refused(&d, GY_ERR_FORMAT, msg);
    /* the bounds: 0 elements, and True as 1 (Python's bool is an int) */
    d.numel = 0;
    v = storage_ok(&d, &pk);
    ck_assert_uint_eq(v->u.storage.numel, 0);
    gy_pickle_free(pk);
    d.numel_kind = 2;
    v = storage_ok(&d, &pk);
    ck_assert_uint_eq(v->u.storage.numel, 1);
    gy_pickle_free(pk);
}
END_TEST

START_TEST(persistent_id_types)
{
    static const struct {
        const char *name;
        gy_dtype dt;
    } types[] = {{"HalfStorage", GY_DT_F16}, {"FloatStorage", GY_DT_F32},
                 {"BFloat16Storage", GY_DT_BF16}, {"LongStorage", GY_DT_I64}};
    for (int i = 0; i < 4; i++) {
        gy_pickle *pk;
        pid d = good_pid();
        d.type = types[i].name;
        const gy_pk_value *v = storage_ok(&d, &pk);
        ck_assert_int_eq(v->u.storage.dtype, types[i].dt);
        ck_assert_str_eq(v->u.storage.type_name, types[i].name);
        gy_pickle_free(pk);
    }
    pid d = good_pid();
    d.type = "DoubleStorage";
    storage_refused(&d, GY_ERR_UNSUPPORTED, "'torch.DoubleStorage' is not supported");
    d.type = "FloatStorag";
    storage_refused(&d, GY_ERR_UNSUPPORTED, "'torch.FloatStorag' is not supported");
    d = good_pid();
    d.module = "torch.cuda"; /* allowed as a global, not a storage type */
    storage_refused(&d, GY_ERR_UNSUPPORTED, "'torch.cuda.FloatStorage' is not supported");
}
END_TEST

START_TEST(persistent_id_keys)
{
    char key[80];
    memset(key, 'k', sizeof key);
    key[64] = '\0';
    gy_pickle *pk;
    pid d = good_pid();
    d.key = key; /* 64 bytes: the limit */
    const gy_pk_value *v = storage_ok(&d, &pk);
    ck_assert_uint_eq(strlen(v->u.storage.key), 64);
    gy_pickle_free(pk);
    key[64] = 'k';
    key[65] = '\0';
    storage_refused(&d, GY_ERR_FORMAT, "empty or over 64 bytes");
    d.key = "";
    storage_refused(&d, GY_ERR_FORMAT, "empty or over 64 bytes");
    /* every class of allowed character, at both ends of its range */
    static const char *const good_keys[] = {"0", "9", "a", "z", "A", "Z", "_", "a0_Z9", NULL};
    for (const char *const *k = good_keys; *k; k++) {
        d.key = *k;
        v = storage_ok(&d, &pk);
        ck_assert_str_eq(v->u.storage.key, *k);
        gy_pickle_free(pk);
    }
    /* the characters just outside each range, alone and after a valid one */
    static const char *const bad_keys[] = {"/", ":", "`", "{", "@", "[", "^", "-", ".", "a/",
                                           "0:", "Z[", NULL};
    for (const char *const *k = bad_keys; *k; k++) {
        d.key = *k;
        storage_refused(&d, GY_ERR_FORMAT, "characters other than letters, digits and '_'");
    }
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* REDUCE of torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...) */

#define MAXD 10
typedef struct tens {
    int64_t storage_numel; /* 24 */
    int nargs;             /* 6: (storage, offset, size, stride, False, OrderedDict()) */
    int storage_is_int;    /* a plain int where the storage goes */
    int offset_kind;       /* 0 int, 1 float, 2 None */
    int64_t offset;        /* 0 */
    int ndim, nstride;     /* 2, 2 */
    int64_t size[MAXD], stride[MAXD];
    int size_list, stride_list; /* lists instead of tuples */
    int float_dim, float_stride; /* index of a size / stride given as a float, or -1 */
    int param;             /* wrapped in _rebuild_parameter */
} tens;

static tens good_tens(void)
{
    tens t = {24, 6, 0, 0, 0, 2, 2, {4, 6}, {6, 1}, 0, 0, -1, -1, 0};
    return t;
}

static void int_seq(pkb *p, const int64_t *v, int n, int as_list, int float_at)
{
    op(p, '(');
    for (int i = 0; i < n; i++) {
        if (i == float_at)
            flt(p, (double)v[i]);
        else
            long8(p, v[i]);
    }
    op(p, as_list ? 'l' : 't');
}

static void tensor_pickle(pkb *p, const tens *t)
{
    glob(p, "torch._utils", "_rebuild_tensor_v2");
    op(p, '(');
    for (int i = 0; i < t->nargs; i++) {
        switch (i) {
        case 0:
            if (t->storage_is_int) {
                int1(p, 3);
            } else {
                pid d = good_pid();
                d.numel = t->storage_numel;
                persid(p, &d);
            }
            break;
        case 1:
            if (t->offset_kind == 1)
                flt(p, (double)t->offset);
            else if (t->offset_kind == 2)
                op(p, 'N');
            else
                long8(p, t->offset);
            break;
        case 2:
            int_seq(p, t->size, t->ndim, t->size_list, t->float_dim);
            break;
        case 3:
            int_seq(p, t->stride, t->nstride, t->stride_list, t->float_stride);
            break;
        case 4:
            op(p, 0x89);
            break;
        default:
            odict(p);
        }
    }
    op(p, 't');
    op(p, 'R');
}

static const gy_pk_value *tensor_ok(const tens *t, gy_pickle **pk)
{
    pkb p = {0};
    if (t->param) { /* _rebuild_parameter(tensor, requires_grad, hooks) */
        glob(&p, "torch._utils", "_rebuild_parameter");
        op(&p, '(');
        tens inner = *t;
        inner.param = 0;
        tensor_pickle(&p, &inner);
        op(&p, 0x89);
        odict(&p);
        op(&p, 't');
        op(&p, 'R');
    } else {
        tensor_pickle(&p, t);
    }
    const gy_pk_value *v = load_ok(&p, pk);
    ck_assert_int_eq(v->type, GY_PK_TENSOR);
    return v;
}

static void tensor_refused(const tens *t, gy_status want, const char *sub)
{
    pkb p = {0};
    tensor_pickle(&p, t);
    refused(&p, want, sub);
}

START_TEST(rebuild_tensor_arguments)
{
    gy_pickle *pk;
    tens t = good_tens();
    const gy_pk_value *v = tensor_ok(&t, &pk);
    ck_assert_int_eq(v->u.tensor.ndim, 2);
    ck_assert_int_eq(v->u.tensor.shape[0], 4);
    ck_assert_int_eq(v->u.tensor.shape[1], 6);
    ck_assert_uint_eq(v->u.tensor.numel, 24);
    ck_assert_uint_eq(v->u.tensor.offset, 0);
    ck_assert_int_eq(v->u.tensor.contiguous, 1);
    ck_assert_int_eq(v->u.tensor.storage->type, GY_PK_STORAGE);
    gy_pickle_free(pk);
    /* 4 arguments are enough, 3 are not */
    t.nargs = 4;
    v = tensor_ok(&t, &pk);
    ck_assert_uint_eq(v->u.tensor.numel, 24);
    gy_pickle_free(pk);
    t.nargs = 3;
    tensor_refused(&t, GY_ERR_FORMAT, "needs (storage, offset, size, stride, ...)");
    t = good_tens();
    t.storage_is_int = 1;
    tensor_refused(&t, GY_ERR_FORMAT, "first argument is not a storage");
    const char *off = "storage offset is not a non-negative integer";
    t = good_tens();
    t.offset_kind = 1;
    tensor_refused(&t, GY_ERR_FORMAT, off);
    t.offset_kind = 2;
    tensor_refused(&t, GY_ERR_FORMAT, off);
    t.offset_kind = 0;
    t.offset = -1;
    tensor_refused(&t, GY_ERR_FORMAT, off);
    const char *tuples = "size and stride are not tuples of one length";
    t = good_tens();
    t.size_list = 1;
    tensor_refused(&t, GY_ERR_FORMAT, tuples);
    t = good_tens();
    t.stride_list = 1;
    tensor_refused(&t, GY_ERR_FORMAT, tuples);
    t = good_tens();
    t.nstride = 1;
    tensor_refused(&t, GY_ERR_FORMAT, tuples);
    t = good_tens();
    t.nstride = 3;
    t.stride[2] = 1;
    tensor_refused(&t, GY_ERR_FORMAT, tuples);
    /* _rebuild_parameter passes the tensor through */
    t = good_tens();
    t.param = 1;
    v = tensor_ok(&t, &pk);
    ck_assert_uint_eq(v->u.tensor.numel, 24);
    gy_pickle_free(pk);
    /* with the tensor as its only argument, too */
    pkb p = {0};
    glob(&p, "torch._utils", "_rebuild_parameter");
    op(&p, '(');
    tensor_pickle(&p, &t);
    op(&p, 't');
    op(&p, 'R');
    v = load_ok(&p, &pk);
    ck_assert_int_eq(v->type, GY_PK_TENSOR);
    ck_assert_uint_eq(v->u.tensor.numel, 24);
    gy_pickle_free(pk);
}
END_TEST

START_TEST(rebuild_tensor_dimensions)
{
    gy_pickle *pk;
    tens t = good_tens();
    /* GY_PK_MAX_DIMS dimensions of 1 (a storage of one element): accepted; one more: refused */
    t.storage_numel = 1;
    t.ndim = t.nstride = GY_PK_MAX_DIMS;
    for (int d = 0; d < MAXD; d++) {
        t.size[d] = 1;
        t.stride[d] = 1;
    }
    const gy_pk_value *v = tensor_ok(&t, &pk);
    ck_assert_int_eq(v->u.tensor.ndim, GY_PK_MAX_DIMS);
    ck_assert_uint_eq(v->u.tensor.numel, 1);
    gy_pickle_free(pk);
    t.ndim = t.nstride = GY_PK_MAX_DIMS + 1;
    tensor_refused(&t, GY_ERR_UNSUPPORTED, "more dimensions than supported");
    /* a size: negative or not an integer; 0 is an empty tensor anywhere */
    t = good_tens();
    t.size[1] = -1;
    tensor_refused(&t, GY_ERR_FORMAT, "dimension is not a non-negative integer");
    t = good_tens();
    t.float_dim = 0;
    tensor_refused(&t, GY_ERR_FORMAT, "dimension is not a non-negative integer");
    t = good_tens();
    t.size[0] = 0;
    t.offset = 1000; /* past the storage: no element is read */
    v = tensor_ok(&t, &pk);
    ck_assert_uint_eq(v->u.tensor.numel, 0);
    gy_pickle_free(pk);
    /* the element count: 2^32 x 2^31 = 2^63 fits in 64 bits, 2^32 x 2^32 overflows */
    t = good_tens();
    t.size[0] = (int64_t)1 << 32;
    t.size[1] = (int64_t)1 << 31;
    t.stride[0] = 0;
    t.stride[1] = 0;
    t.storage_numel = 1;
    v = tensor_ok(&t, &pk);
    ck_assert_uint_eq(v->u.tensor.numel, (uint64_t)1 << 63);
    gy_pickle_free(pk);
    /* exactly 2^64 - 1 elements (3 x (2^64 - 1) / 3): the largest count, still accepted */
    t.size[0] = (int64_t)(UINT64_MAX / 3);
    t.size[1] = 3;
    v = tensor_ok(&t, &pk);
    ck_assert_uint_eq(v->u.tensor.numel, UINT64_MAX);
    gy_pickle_free(pk);
    t.size[0] = (int64_t)1 << 32;
    t.ndim = t.nstride = 3;
    t.size[1] = (int64_t)1 << 31;
    t.size[2] = 2;
    t.stride[2] = 0;
    tensor_refused(&t, GY_ERR_FORMAT, "element count overflows");
    /* an empty tensor's strides: its size-0 dimension counts as 1, the others still must not
     * overflow the row-major stride (2^32 x 2^32), and (2^64 - 1) / 3 x 3 is the most allowed */
    t = good_tens();
    t.ndim = t.nstride = 3;
    t.size[0] = 0;
    t.size[1] = (int64_t)1 << 32;
    t.size[2] = (int64_t)1 << 32;
    t.stride[0] = t.stride[1] = t.stride[2] = 0;
    tensor_refused(&t, GY_ERR_FORMAT, "strides overflow");
    t.size[1] = 3;
    t.size[2] = (int64_t)(UINT64_MAX / 3);
    v = tensor_ok(&t, &pk);
    ck_assert_uint_eq(v->u.tensor.numel, 0);
    gy_pickle_free(pk);
    /* a stride: negative or not an integer */
    t = good_tens();
    t.stride[0] = -6;
    tensor_refused(&t, GY_ERR_FORMAT, "stride is not a non-negative integer");
    t = good_tens();
    t.float_stride = 1;
    tensor_refused(&t, GY_ERR_FORMAT, "stride is not a non-negative integer");
}
END_TEST

START_TEST(rebuild_tensor_layout)
{
    gy_pickle *pk;
    /* row-major is contiguous; a transposed layout is not; a size-1 dimension takes any stride */
    tens t = good_tens();
    t.stride[0] = 1;
    t.stride[1] = 4;
    const gy_pk_value *v = tensor_ok(&t, &pk);
    ck_assert_int_eq(v->u.tensor.contiguous, 0);
    gy_pickle_free(pk);
    t = good_tens();
    t.stride[1] = 2; /* 4 x 6 with strides (6, 2): the last element at 3*6 + 5*2 = 28 > 23 */
    tensor_refused(&t, GY_ERR_FORMAT, "lies outside its storage");
    t.storage_numel = 29; /* now inside, but not contiguous */
    v = tensor_ok(&t, &pk);
    ck_assert_int_eq(v->u.tensor.contiguous, 0);
    gy_pickle_free(pk);
    t = good_tens();
    t.size[0] = 1;
    t.stride[0] = 999;
    t.storage_numel = 6;
    v = tensor_ok(&t, &pk);
    ck_assert_int_eq(v->u.tensor.contiguous, 1);
    gy_pickle_free(pk);
    t = good_tens();
    t.stride[0] = 7; /* 4 x 6 with (7, 1): not row-major, last element at 3*7 + 5 = 26 */
    t.storage_numel = 27;
    v = tensor_ok(&t, &pk);
    ck_assert_int_eq(v->u.tensor.contiguous, 0);
    gy_pickle_free(pk);
    t.storage_numel = 26;
    tensor_refused(&t, GY_ERR_FORMAT, "lies outside its storage");
    /* the storage bound: offset + last element < storage elements, at and one past */
    t = good_tens();
    t.offset = 1;
    tensor_refused(&t, GY_ERR_FORMAT, "24 elements at offset 1 lies outside its storage '0' of 24");
    t.storage_numel = 25;
    v = tensor_ok(&t, &pk);
    ck_assert_uint_eq(v->u.tensor.offset, 1);
    gy_pickle_free(pk);
    t = good_tens();
    t.ndim = t.nstride = 1;
    t.size[0] = 1;
    t.stride[0] = 1;
    t.offset = 23; /* the storage's last element */
    v = tensor_ok(&t, &pk);
    ck_assert_uint_eq(v->u.tensor.offset, 23);
    gy_pickle_free(pk);
    t.offset = 24; /* the offset itself past the end */
    tensor_refused(&t, GY_ERR_FORMAT, "lies outside its storage");
    /* strides whose span overflows: (size - 1) x stride past 2^63, and a sum of two that does */
    t = good_tens();
    t.ndim = t.nstride = 1;
    t.size[0] = 3;
    t.stride[0] = (int64_t)1 << 62; /* 2 x 2^62 = 2^63: over the half of 2^64 allowed */
    tensor_refused(&t, GY_ERR_FORMAT, "strides overflow");
    t.size[0] = 2; /* 2^62: no overflow, far outside */
    tensor_refused(&t, GY_ERR_FORMAT, "lies outside its storage");
    t = good_tens();
    t.size[0] = 2;
    t.size[1] = 2;
    t.stride[0] = (int64_t)1 << 62;
    t.stride[1] = ((int64_t)1 << 62) - 1; /* the sum 2^63 - 1 is the most allowed */
    tensor_refused(&t, GY_ERR_FORMAT, "lies outside its storage");
    t.stride[1] = (int64_t)1 << 62; /* 2^62 + 2^62 = 2^63: over */
    tensor_refused(&t, GY_ERR_FORMAT, "strides overflow");
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* REDUCE, NEWOBJ and BUILD in general */

START_TEST(reduce_newobj_build)
{
    gy_pickle *pk;
    pkb p = {0};
    /* REDUCE: a function that is not a global, arguments that are not a tuple */
    str(&p, "f");
    op(&p, ')');
    op(&p, 'R');
    refused(&p, GY_ERR_FORMAT, "REDUCE of something that is not a global");
    p = (pkb){0};
    glob(&p, "collections", "OrderedDict");
    op(&p, ']');
    op(&p, 'R');
    refused(&p, GY_ERR_FORMAT, "REDUCE arguments are not a tuple");
    /* OrderedDict() is a dict; with an argument it is not evaluated */
    p = (pkb){0};
    odict(&p);
    const gy_pk_value *v = load_ok(&p, &pk);
    ck_assert_int_eq(v->type, GY_PK_DICT);
    gy_pickle_free(pk);
    p = (pkb){0};
    glob(&p, "collections", "OrderedDict");
    op(&p, '(');
    op(&p, ']');
    op(&p, 't');
    op(&p, 'R');
    refused(&p, GY_ERR_UNSUPPORTED, "OrderedDict called with arguments");
    /* _rebuild_parameter: no argument, or a first argument that is not a tensor */
    p = (pkb){0};
    glob(&p, "torch._utils", "_rebuild_parameter");
    op(&p, ')');
    op(&p, 'R');
    refused(&p, GY_ERR_FORMAT, "_rebuild_parameter's first argument is not a tensor");
    p = (pkb){0};
    glob(&p, "torch._utils", "_rebuild_parameter");
    op(&p, '(');
    int1(&p, 1);
    op(&p, 't');
    op(&p, 'R');
    refused(&p, GY_ERR_FORMAT, "_rebuild_parameter's first argument is not a tensor");
    /* any other allowed global called: an inert object keeping its class and arguments */
    p = (pkb){0};
    glob(&p, "torch.nn.modules.conv", "Conv2d");
    op(&p, '(');
    int1(&p, 5);
    op(&p, 't');
    op(&p, 'R');
    v = load_ok(&p, &pk);
    ck_assert_int_eq(v->type, GY_PK_OBJECT);
    ck_assert(gy_pk_is_class(v, "torch.nn.modules.conv", "Conv2d"));
    ck_assert_int_eq(v->u.obj.args->u.seq.items[0]->u.i, 5);
    gy_pickle_free(pk);
    /* NEWOBJ: each of its two conditions alone */
    p = (pkb){0};
    glob(&p, "torch.nn.modules.conv", "Conv2d");
    op(&p, ')');
    op(&p, 0x81);
    op(&p, '}'); /* EMPTY_DICT as the state */
    op(&p, 'b');
    v = load_ok(&p, &pk);
    ck_assert_int_eq(v->type, GY_PK_OBJECT);
    ck_assert_int_eq(v->u.obj.state->type, GY_PK_DICT);
    gy_pickle_free(pk);
    p = (pkb){0};
    str(&p, "Conv2d");
    op(&p, ')');
    op(&p, 0x81);
    refused(&p, GY_ERR_FORMAT, "NEWOBJ needs a class and an argument tuple");
    p = (pkb){0};
    glob(&p, "torch.nn.modules.conv", "Conv2d");
    op(&p, ']');
    op(&p, 0x81);
    refused(&p, GY_ERR_FORMAT, "NEWOBJ needs a class and an argument tuple");
    /* BUILD on a value that is not an object */
    p = (pkb){0};
    op(&p, ']');
    op(&p, '}');
    op(&p, 'b');
    refused(&p, GY_ERR_UNSUPPORTED, "BUILD on a value that is not an object");
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Reading the values (pickle_walk.c): type names, an object's state, a dict's keys */

/* Conv2d() with BUILD of the value the callback pushes (none: no BUILD). */
static const gy_pk_value *object_with_state(pkb *p, gy_pickle **pk, void (*state)(pkb *))
{
    glob(p, "torch.nn.modules.conv", "Conv2d");
    op(p, ')');
    op(p, 0x81);
    if (state) {
        state(p);
        op(p, 'b');
    }
    return load_ok(p, pk);
}

static void state_dict_a1(pkb *p) { op(p, '}'); str(p, "a"); int1(p, 1); op(p, 's'); }
static void state_dict_slots(pkb *p) { op(p, '('); state_dict_a1(p); op(p, 'N'); op(p, 't'); }
static void state_slots_first(pkb *p) { op(p, '('); op(p, 'N'); state_dict_a1(p); op(p, 't'); }
static void state_one_tuple(pkb *p) { op(p, '('); state_dict_a1(p); op(p, 't'); }
static void state_three_tuple(pkb *p)
{
    op(p, '(');
    state_dict_a1(p);
    op(p, 'N');
    op(p, 'N');
    op(p, 't');
}
static void state_list(pkb *p) { op(p, ']'); }

START_TEST(walk_type_names_and_state)
{
    gy_pickle *pk;
    pkb p = {0};
    /* [None, True, False, 7, 1.5, 'x', b'y', (), [], {}, a global, Conv2d()] */
    op(&p, ']');
    op(&p, '(');
    op(&p, 'N');
    op(&p, 0x88);
    op(&p, 0x89);
    int1(&p, 7);
    flt(&p, 1.5);
    str(&p, "x");
    op(&p, 'C');
    op(&p, 1);
    op(&p, 'y');
    op(&p, ')');
    op(&p, ']');
    op(&p, '}');
    glob(&p, "collections", "OrderedDict");
    glob(&p, "torch.nn.modules.conv", "Conv2d");
    op(&p, ')');
    op(&p, 0x81);
    op(&p, 'e');
    const gy_pk_value *v = load_ok(&p, &pk);
    static const char *want[] = {"None", "bool", "bool", "int", "float", "str", "bytes",
                                 "tuple", "list", "dict", "global", "Conv2d"};
    ck_assert_int_eq(v->type, GY_PK_LIST);
    ck_assert_uint_eq(v->u.seq.n, 12);
    for (int i = 0; i < 12; i++)
        ck_assert_str_eq(gy_pk_type_name(v->u.seq.items[i]), want[i]);
    ck_assert_str_eq(gy_pk_type_name(NULL), "nothing");
    /* no object, or an object without state: no state */
    ck_assert_ptr_null(gy_pk_obj_state(NULL));
    ck_assert_ptr_null(gy_pk_obj_state(v->u.seq.items[9]));
    ck_assert_ptr_null(gy_pk_obj_state(v->u.seq.items[11]));
    gy_pickle_free(pk);

    /* a dict state; (dict, slots) as Python's __reduce_ex__ gives it for __slots__; a tuple of
     * another length, or with the dict second, or a list: not a state dict */
    void (*const forms[])(pkb *) = {state_dict_a1, state_dict_slots, state_slots_first,
                                    state_one_tuple, state_three_tuple, state_list};
    static const int has_dict[] = {1, 1, 0, 0, 0, 0};
    for (int f = 0; f < 6; f++) {
        p = (pkb){0};
        v = object_with_state(&p, &pk, forms[f]);
        const gy_pk_value *st = gy_pk_obj_state(v);
        if (has_dict[f]) {
            ck_assert_ptr_nonnull(st);
            ck_assert_int_eq(st->type, GY_PK_DICT);
            ck_assert_int_eq(gy_pk_dict_get(st, "a")->u.i, 1);
        } else {
            ck_assert_msg(st == NULL, "state form %d taken as a dict", f);
        }
        gy_pickle_free(pk);
    }
}
END_TEST

/* gy_pk_dict_get: str keys only, the last of equal keys (as a Python dict keeps it), NULL for a
 * missing key, a NULL key or something that is not a dict. */
START_TEST(walk_dict_get)
{
    gy_pickle *pk;
    pkb p = {0};
    op(&p, ']');
    op(&p, '}');
    op(&p, '(');
    str(&p, "k");
    int1(&p, 1);
    int1(&p, 5);
    int1(&p, 2);
    str(&p, "k");
    int1(&p, 3);
    str(&p, "j");
    int1(&p, 4);
    op(&p, 'u');
    op(&p, 'a');
    const gy_pk_value *v = load_ok(&p, &pk);
    const gy_pk_value *d = v->u.seq.items[0];
    ck_assert_int_eq(gy_pk_dict_get(d, "k")->u.i, 3);
    ck_assert_int_eq(gy_pk_dict_get(d, "j")->u.i, 4);
    ck_assert_ptr_null(gy_pk_dict_get(d, "5"));
    ck_assert_ptr_null(gy_pk_dict_get(d, "x"));
    ck_assert_ptr_null(gy_pk_dict_get(d, NULL));
    ck_assert_ptr_null(gy_pk_dict_get(NULL, "k"));
    ck_assert_ptr_null(gy_pk_dict_get(v, "k"));
    gy_pickle_free(pk);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* GLOBAL: the module and name, and the allow-list */

/* Pushes module.name with GLOBAL (two text lines) or, stack set, STACK_GLOBAL (two strings). */
static void push_global(pkb *p, const char *module, const char *name, int stack)
{
    if (!stack) {
        glob(p, module, name);
        return;
    }
    str(p, module);
    str(p, name);
    op(p, 0x93);
}

/* Both opcodes refuse module.name with status want and a message holding sub. */
static void global_refused(const char *module, const char *name, gy_status want, const char *sub)
{
    for (int stack = 0; stack < 2; stack++) {
        pkb p = {0};
        push_global(&p, module, name, stack);
        refused(&p, want, sub);
    }
}

/* Both opcodes accept module.name. */
static void global_ok(const char *module, const char *name)
{
    for (int stack = 0; stack < 2; stack++) {
        pkb p = {0};
        push_global(&p, module, name, stack);
        gy_pickle *pk;
        const gy_pk_value *v = load_ok(&p, &pk);
        ck_assert_int_eq(v->type, GY_PK_GLOBAL);
        ck_assert_str_eq(v->u.global.module, module);
        ck_assert_str_eq(v->u.global.name, name);
        gy_pickle_free(pk);
    }
}

/* STACK_GLOBAL only: the length bound (GLOBAL's lines stop at the bound + 1, below). */
static void stack_global_refused(const char *module, const char *name, const char *sub)
{
    pkb p = {0};
    push_global(&p, module, name, 1);
    refused(&p, GY_ERR_FORMAT, sub);
}

static void line_global_refused(const char *module, const char *name, const char *sub)
{
    pkb p = {0};
    push_global(&p, module, name, 0);
    refused(&p, GY_ERR_FORMAT, sub);
}

START_TEST(global_names)
{
    const char *len = "a global with an empty or over-long module or name";
    global_refused("", "Conv2d", GY_ERR_FORMAT, len);
    global_refused("torch", "", GY_ERR_FORMAT, len);
    /* GY_PK_MAX_GLOBAL bytes: accepted (then judged by the allow-list); one more: refused, by
     * STACK_GLOBAL for its length, by GLOBAL for a line whose newline is not where it may be */
    char mod[GY_PK_MAX_GLOBAL + 2], name[GY_PK_MAX_GLOBAL + 2];
    memcpy(mod, "torch.", 6);
    memset(mod + 6, 'm', sizeof mod - 6);
    mod[GY_PK_MAX_GLOBAL] = '\0';
    memset(name, 'n', sizeof name);
    name[GY_PK_MAX_GLOBAL] = '\0';
    global_ok(mod, "Conv2d");
    global_ok("torch", name);
    mod[GY_PK_MAX_GLOBAL] = 'm';
    mod[GY_PK_MAX_GLOBAL + 1] = '\0';
    name[GY_PK_MAX_GLOBAL] = 'n';
    name[GY_PK_MAX_GLOBAL + 1] = '\0';
    stack_global_refused(mod, "Conv2d", len);
    stack_global_refused("torch", name, len);
    const char *line = "a GLOBAL line without its newline";
    line_global_refused(mod, "Conv2d", line);
    line_global_refused("torch", name, line);
    pkb p = {0}; /* a GLOBAL cut after its module line */
    op(&p, 'c');
    raw(&p, "torch\nSize", 10);
    expect_pickle_fail(&p, GY_ERR_FORMAT, line);
    free(p.b);
    /* STACK_GLOBAL of a value that is not a string, in either place */
    p = (pkb){0};
    int1(&p, 1);
    str(&p, "Size");
    op(&p, 0x93);
    refused(&p, GY_ERR_FORMAT, "STACK_GLOBAL of values that are not strings");
    p = (pkb){0};
    str(&p, "torch");
    int1(&p, 1);
    op(&p, 0x93);
    refused(&p, GY_ERR_FORMAT, "STACK_GLOBAL of values that are not strings");
    /* dotted identifiers: every allowed class of character, and the ones next to them */
    global_ok("torch.a_z.A_Z.0_9", "Zz_09.x");
    static const char *const bad[] = {"torch-x", "torch/x", "torch:x", "torch@x", "torch[x",
                                      "torch`x", "torch{x", "torch x", NULL};
    for (const char *const *b = bad; *b; b++) {
        global_refused(*b, "Conv2d", GY_ERR_FORMAT, "module is not a dotted identifier");
        global_refused("torch", *b, GY_ERR_FORMAT, "name is not a dotted identifier");
    }
}
END_TEST

START_TEST(global_allow_list)
{
    /* namespaces: the name itself and its submodules, not a longer name that starts alike */
    global_ok("torch", "Size");
    global_ok("torch.nn.modules.conv", "Conv2d");
    global_ok("ultralytics.nn.tasks", "DetectionModel");
    global_ok("numpy.core.multiarray", "scalar");
    const char *refused_msg = "refused global";
    global_refused("torchx", "Size", GY_ERR_UNSUPPORTED, refused_msg);
    global_refused("ultralyticsx.nn", "M", GY_ERR_UNSUPPORTED, refused_msg);
    global_refused("numpyx", "array", GY_ERR_UNSUPPORTED, refused_msg);
    global_refused("os", "system", GY_ERR_UNSUPPORTED, "refused global 'os.system'");
    /* whole modules */
    global_ok("collections", "OrderedDict");
    global_ok("pathlib", "PosixPath");
    global_ok("argparse", "Namespace");
    global_ok("types", "SimpleNamespace");
    global_ok("_codecs", "encode");
    global_ok("copyreg", "_reconstructor");
    global_ok("copy_reg", "_reconstructor");
    global_ok("datetime", "datetime");
    global_refused("collections.abc", "Mapping", GY_ERR_UNSUPPORTED, refused_msg);
    /* builtins: a few plain types, in both spellings of the module; nothing callable */
    global_ok("builtins", "set");
    global_ok("builtins", "bytes");
    global_ok("__builtin__", "set");
    global_refused("builtins", "eval", GY_ERR_UNSUPPORTED, "refused global 'builtins.eval'");
    global_refused("__builtin__", "exec", GY_ERR_UNSUPPORTED, refused_msg);
    global_refused("builtins", "getattr", GY_ERR_UNSUPPORTED, refused_msg);
    /* torchvision: two exact classes, not their module or neighbours */
    global_ok("torchvision.ops.misc", "Conv2dNormActivation");
    global_ok("torchvision.ops.misc", "SqueezeExcitation");
    global_refused("torchvision.ops.misc", "Permute", GY_ERR_UNSUPPORTED, refused_msg);
    global_refused("torchvision.ops.mis", "SqueezeExcitation", GY_ERR_UNSUPPORTED, refused_msg);
    /* the zoo's module: its classes by name only */
    global_ok("ultralytics.nn.modules.zoo_modules", "G_bneck");
    global_ok("ultralytics.nn.modules.zoo_modules", "hard_sigmoid");
    global_ok("ultralytics.nn.modules.zoo_modules", "ConvBnAct");
    global_refused("ultralytics.nn.modules.zoo_modules", "system", GY_ERR_UNSUPPORTED, refused_msg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pickle_torch");
    TCase *tc = tcase_create("contract");
    tcase_add_test(tc, persistent_id_shape);
    tcase_add_test(tc, persistent_id_types);
    tcase_add_test(tc, persistent_id_keys);
    tcase_add_test(tc, rebuild_tensor_arguments);
    tcase_add_test(tc, rebuild_tensor_dimensions);
    tcase_add_test(tc, rebuild_tensor_layout);
    tcase_add_test(tc, reduce_newobj_build);
    tcase_add_test(tc, walk_type_names_and_state);
    tcase_add_test(tc, walk_dict_get);
    tcase_add_test(tc, global_names);
    tcase_add_test(tc, global_allow_list);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

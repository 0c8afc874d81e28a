/* Hostile and broken .pt checkpoints, built here: small pickles assembled opcode by opcode and
 * zipped with libzip the way torch.save lays them out (<name>/data.pkl, <name>/data/<key>, stored).
 * Each must fail with its own message, never run anything, never crash (the suite also runs under
 * ASan/UBSan). A valid synthetic checkpoint is checked first so the failures are meaningful.
 * Also: the YAML emitter against PyYAML's output and Python's float repr. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include "pkbuild.h"
#include "zipbuild.h"
#include "testutil.h"
#include "weights/pickle.h"
#include "weights/pt_checkpoint.h"
#include "weights/safetensors.h"
#include "weights/yaml_emit.h"

/* ---------------------------------------------------------------------------------------------- */
/* What a synthetic checkpoint looks like; each field is one thing a test can break. */
typedef struct ckpt {
    const char *storage_type; /* "FloatStorage" */
    const char *key;          /* "0" */
    int storage_numel;        /* 4 */
    int offset;               /* 0 */
    int shape[2], ndim;       /* {4}, 1 */
    int stride[2];            /* {1} */
    int entry_bytes;          /* bytes of data/<key> in the zip: 16 */
    int with_bn;              /* the module is a BatchNorm2d (else a Conv2d: no eps) */
    int with_ema;             /* an 'ema' model too (its module is named 'bn_ema') */
    int self_module;          /* the module lists itself in its _modules */
    int weight_none;          /* the BatchNorm's weight is None: no tensor at all */
    const char *evil_module;  /* a GLOBAL + REDUCE inside train_args */
    int long_stride;          /* the stride tensor is int64 (LongStorage) instead of float32 */
    int no_train_args;        /* no train_args: no imgsz metadata */
    int buffers;              /* _buffers {'kept': tensor, 'temp': tensor}, 'temp' non-persistent */
    const char *names_key;    /* a str key for the class name instead of the int 0 */
    int lists;                /* stride as a list [8, 16.0, 32], imgsz as a list [640, 480] */
    long long big_stride;     /* nonzero: the tensor's (1-D) stride, as an 8-byte LONG1 */
    double last_stride;       /* nonzero, with lists: the list's last stride, this BINFLOAT */
} ckpt;

static ckpt good(void)
{
    ckpt c = {"FloatStorage", "0", 4, 0, {4, 0}, 1, {1, 0}, 16, 1, 0, 0, 0, NULL, 0, 0, 0, NULL, 0, 0, 0.0};
    return c;
}

static void tensor(pkb *p, const ckpt *c, const char *key, int param)
{
    if (param)
        glob(p, "torch._utils", "_rebuild_parameter");
    glob(p, "torch._utils", "_rebuild_tensor_v2");
    op(p, '(');
    op(p, '(');
    str(p, "storage");
    glob(p, "torch", c->storage_type);
    str(p, key);
    str(p, "cpu");
    int1(p, c->storage_numel);
    op(p, 't');
    op(p, 'Q'); /* BINPERSID */
    int1(p, c->offset);
    int_tuple(p, c->shape, c->ndim);
    if (c->big_stride) {
        op(p, '(');
        op(p, 0x8a); /* LONG1, 8 bytes little-endian */
        op(p, 8);
        for (int k = 0; k < 8; k++)
            op(p, (unsigned char)((unsigned long long)c->big_stride >> (8 * k)));
        op(p, 't');
    } else {
        int_tuple(p, c->stride, c->ndim);
    }
    op(p, 0x89);
    odict(p);
    op(p, 't');
    op(p, 'R');
    if (param) {
        op(p, 0x88);
        odict(p);
        op(p, 0x87); /* TUPLE3 */
        op(p, 'R');
    }
}

/* A module object: NEWOBJ, then BUILD with {eps, _parameters, _buffers, _modules}. */
static void module(pkb *p, const ckpt *c, const char *sub)
{
    glob(p, "ultralytics.nn.tasks", "DetectionModel");
    op(p, ')');
    op(p, 0x81);
    op(p, 'r');
    u32(p, 100); /* LONG_BINPUT 100: the model, for self_module */
    op(p, '}');
    op(p, '(');
    str(p, "_parameters");
    odict(p);
    str(p, "_buffers");
    odict(p);
    str(p, "_modules");
    odict(p);
    op(p, '(');
    str(p, sub);
    if (c->with_bn)
        glob(p, "torch.nn.modules.batchnorm", "BatchNorm2d");
    else
        glob(p, "torch.nn.modules.conv", "Conv2d");
    op(p, ')');
    op(p, 0x81);
    op(p, '}');
    op(p, '(');
    str(p, "eps");
    flt(p, 1e-3);
    str(p, "_parameters");
    odict(p);
    op(p, '(');
    str(p, "weight");
    if (c->weight_none)
        op(p, 'N');
    else
        tensor(p, c, c->key, 1);
    str(p, "bias");
    op(p, 'N');
    op(p, 'u');
    str(p, "_buffers");
    odict(p);
    if (c->buffers) {
        op(p, '(');
        str(p, "kept");
        tensor(p, c, c->key, 0);
        str(p, "temp");
        tensor(p, c, c->key, 0);
        op(p, 'u');
        str(p, "_non_persistent_buffers_set");
        glob(p, "__builtin__", "set");
        op(p, ']');
        str(p, "temp");
        op(p, 'a');
        op(p, 0x85);
        op(p, 'R');
    }
    str(p, "_modules");
    odict(p);
    op(p, 'u');
    op(p, 'b'); /* BUILD the BatchNorm */
    if (c->self_module) {
        str(p, "again");
        op(p, 'j');
        u32(p, 100); /* LONG_BINGET 100: the model itself */
    }
    op(p, 'u'); /* _modules items */
    str(p, "names");
    op(p, '}');
    op(p, '(');
    if (c->names_key)
        str(p, c->names_key);
    else
        int1(p, 0);
    str(p, "widget");
    op(p, 'u');
    str(p, "yaml");
    op(p, '}');
    op(p, '(');
    str(p, "nc");
    int1(p, 1);
    op(p, 'u');
    str(p, "stride");
    ckpt sc = {c->long_stride ? "LongStorage" : "FloatStorage", "s", 3, 0, {3, 0}, 1, {1, 0}, 12,
               1, 0, 0, 0, NULL, 0, 0, 0, NULL, 0, 0, 0.0};
    if (c->lists) {
        op(p, ']');
        op(p, '(');
        int1(p, 8);
        flt(p, 16.0);
        if (c->last_stride != 0.0)
            flt(p, c->last_stride);
        else
            int1(p, 32);
        op(p, 'e');
    } else {
        tensor(p, &sc, "s", 0);
    }
    op(p, 'u');
    op(p, 'b'); /* BUILD the model */
}

static pkb checkpoint_pickle(const ckpt *c)
{
    pkb p = {0};
    op(&p, 0x80);
    op(&p, 2);
    op(&p, '}');
    op(&p, '(');
    str(&p, "model");
    module(&p, c, "bn");
    if (c->with_ema) {
        str(&p, "ema");
        module(&p, c, "bn_ema");
    }
    if (!c->no_train_args) {
        str(&p, "train_args");
        op(&p, '}');
        str(&p, "imgsz");
        if (c->lists)
            op(&p, '(');
        op(&p, 'M');
        op(&p, 640 & 0xFF);
        op(&p, 640 >> 8);
        if (c->lists) {
            op(&p, 'M');
            op(&p, 480 & 0xFF);
            op(&p, 480 >> 8);
            op(&p, 't');
        }
        op(&p, 's');
    }
    if (c->evil_module) {
        char mod[64];
        snprintf(mod, sizeof mod, "%s", c->evil_module);
        char *sp = strchr(mod, ' ');
        *sp = '\0';
        str(&p, "x");
        glob(&p, mod, sp + 1);
        str(&p, "true");
        op(&p, 0x85);
        op(&p, 'R');
    }
    op(&p, 'u');
    op(&p, '.');
    return p;
}

/* ---------------------------------------------------------------------------------------------- */
/* Zips. */

static const char *tmp_path(const char *tag)
{
    static char buf[4][160];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "/tmp/gy_test_ptbad_%d_%s.pt", (int)getpid(), tag);
    return b;
}

static void write_zip(const char *path, const entry *e, int n)
{
    remove(path);
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    ck_assert_msg(z != NULL, "zip_open %s: %d", path, zerr);
    for (int i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(z, e[i].data, e[i].size, 0);
        ck_assert_ptr_nonnull(s);
        zip_int64_t idx = zip_file_add(z, e[i].name, s, ZIP_FL_OVERWRITE);
        ck_assert_int_ge(idx, 0);
        zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    }
    ck_assert_msg(zip_close(z) == 0, "zip_close %s", path);
}

/* The checkpoint c as a file: archive/data.pkl, archive/data/<key> (entry_bytes of 1,2,3,...),
 * archive/data/s (the stride 8, 16, 32), archive/version. */
static const char *write_ckpt(const ckpt *c, const char *tag)
{
    pkb p = checkpoint_pickle(c);
    float vals[64];
    for (int i = 0; i < 64; i++)
        vals[i] = (float)(i + 1);
    float stride[3] = {8, 16, 32};
    int64_t lstride[3] = {8, 16, 32}; /* little-endian host, as ghostyolo assumes */
    char key[64];
    snprintf(key, sizeof key, "archive/data/%s", strcmp(c->key, "7") == 0 ? "0" : c->key);
    entry e[4] = {{"archive/data.pkl", p.b, p.n},
                  {key, vals, (size_t)c->entry_bytes},
                  {"archive/data/s", c->long_stride ? (const void *)lstride : (const void *)stride,
                   c->long_stride ? sizeof lstride : sizeof stride},
                  {"archive/version", "3\n", 2}};
    const char *path = tmp_path(tag);
    write_zip(path, e, 4);
    free(p.b);
    return path;
}

static void expect_fail(const char *path, gy_status want, const char *sub)
{
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_safetensors *st = (gy_safetensors *)&err; /* must be reset to NULL */
    gy_status s = gy_weights_open(path, &st, &err);
    ck_assert_msg(s == want, "%s: status %d (%s), expected %d; message: %s", path, s,
                  gy_status_str(s), want, err.message);
    ck_assert_ptr_null(st);
    ck_assert_msg(strncmp(err.message, path, strlen(path)) == 0, "message does not start with "
                  "the file name: %s", err.message);
    ck_assert_msg(strstr(err.message, sub) != NULL, "message lacks '%s': %s", sub, err.message);
    printf("refused as expected: %s\n", err.message);
}

/* ---------------------------------------------------------------------------------------------- */
/* The valid synthetic checkpoint. */

START_TEST(synthetic_valid)
{
    ckpt c = good();
    const char *path = write_ckpt(&c, "valid");
    gy_error err;
    gy_safetensors *st = NULL;
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(st->count, 1); /* bias None is not in the state_dict */
    const gy_st_tensor *t = gy_st_find(st, "bn.weight");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->dtype, GY_DT_F32);
    ck_assert_int_eq(t->ndim, 1);
    ck_assert_int_eq(t->shape[0], 4);
    float v[4];
    ck_assert_int_eq(gy_st_read_f32(st, t, v, &err), GY_OK);
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(v[i], (float)(i + 1));
    ck_assert_str_eq(gy_st_meta_get(st, "names"), "{\"0\": \"widget\"}");
    ck_assert_str_eq(gy_st_meta_get(st, "config"), "{nc: 1}\n");
    ck_assert_str_eq(gy_st_meta_get(st, "stride"), "[8, 16, 32]");
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps"), "0.001");
    ck_assert_str_eq(gy_st_meta_get(st, "imgsz"), "640");
    ck_assert_str_eq(gy_st_meta_get(st, "source"), strrchr(path, '/') + 1);
    gy_st_close(st);
    remove(path);
    /* an offset inside the storage selects the later elements */
    c.storage_numel = 6;
    c.entry_bytes = 24;
    c.offset = 2;
    path = write_ckpt(&c, "offset");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(gy_st_read_f32(st, gy_st_find(st, "bn.weight"), v, &err), GY_OK);
    ck_assert_float_eq(v[0], 3.0f);
    ck_assert_float_eq(v[3], 6.0f);
    gy_st_close(st);
    remove(path);
    /* with an EMA model, the EMA is read (as ultralytics' loader does) */
    c = good();
    c.with_ema = 1;
    path = write_ckpt(&c, "ema");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_ptr_nonnull(gy_st_find(st, "bn_ema.weight"));
    ck_assert_ptr_null(gy_st_find(st, "bn.weight"));
    gy_st_close(st);
    remove(path);
    /* a dimension of size 1 may carry any stride (torch makes such tensors): still contiguous */
    c = good();
    c.ndim = 2;
    c.shape[1] = 1;
    c.stride[0] = 1;
    c.stride[1] = 7;
    path = write_ckpt(&c, "size1");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    t = gy_st_find(st, "bn.weight");
    ck_assert_int_eq(t->ndim, 2);
    ck_assert_int_eq(t->shape[0], 4);
    ck_assert_int_eq(t->shape[1], 1);
    gy_st_close(st);
    remove(path);
    /* stride as a list of numbers, imgsz as a list */
    c = good();
    c.lists = 1;
    path = write_ckpt(&c, "lists");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_st_meta_get(st, "stride"), "[8, 16, 32]");
    ck_assert_str_eq(gy_st_meta_get(st, "imgsz"), "[640, 480]");
    gy_st_close(st);
    remove(path);
    /* a stride must lie in the open range (-1e9, 1e9): 999999999 is kept, 1e9 itself refused */
    c = good();
    c.lists = 1;
    c.last_stride = 999999999.0;
    path = write_ckpt(&c, "stride_max");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_st_meta_get(st, "stride"), "[8, 16, 999999999]");
    gy_st_close(st);
    remove(path);
    c.last_stride = 1e9;
    path = write_ckpt(&c, "stride_1e9");
    expect_fail(path, GY_ERR_FORMAT, "model 'stride' value out of range");
    remove(path);
    /* class ids given as decimal strings are read; other keys are refused */
    c = good();
    c.names_key = "3";
    path = write_ckpt(&c, "namekey");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_st_meta_get(st, "names"), "{\"3\": \"widget\"}");
    gy_st_close(st);
    c.names_key = "x";
    expect_fail(write_ckpt(&c, "namekey"), GY_ERR_FORMAT, "model 'names' entry 0 is not a class "
                "id and a str name");
    remove(path);
    /* buffers in the state_dict except the non-persistent ones; a storage key with every end of
     * the accepted ranges (0-9, a-z, A-Z) and '_' */
    c = good();
    c.buffers = 1;
    c.key = "0aA_zZ9";
    path = write_ckpt(&c, "buffers");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(st->count, 2);
    ck_assert_ptr_nonnull(gy_st_find(st, "bn.kept"));
    ck_assert_ptr_null(gy_st_find(st, "bn.temp"));
    gy_st_close(st);
    remove(path);
    /* an int64 stride tensor; no train_args: no imgsz entry */
    c = good();
    c.long_stride = 1;
    c.no_train_args = 1;
    path = write_ckpt(&c, "longstride");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_st_meta_get(st, "stride"), "[8, 16, 32]");
    ck_assert_ptr_null(gy_st_meta_get(st, "imgsz"));
    ck_assert_int_eq(st->meta_count, 6);
    gy_st_close(st);
    remove(path);
    /* an empty tensor may sit at any offset (nothing is read: no pointer past the storage) */
    c = good();
    c.shape[0] = 0;
    c.offset = 200;
    path = write_ckpt(&c, "emptytensor");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    t = gy_st_find(st, "bn.weight");
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(t->numel, 0);
    ck_assert_uint_eq(t->nbytes, 0);
    gy_st_close(st);
    remove(path);
    /* no tensors at all (found by fuzz_pt: qsort got NULL) loads as an empty state_dict, which
     * binding then refuses naming every missing tensor */
    c = good();
    c.weight_none = 1;
    path = write_ckpt(&c, "empty");
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(st->count, 0);
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps"), "0.001");
    gy_st_close(st);
    remove(path);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Code execution attempts. */

START_TEST(os_system_refused)
{
    static const char *const globals[][2] = {{"posix", "system"},  {"os", "system"},
                                             {"builtins", "eval"}, {"__builtin__", "getattr"},
                                             {"subprocess", "Popen"}, {"nt", "system"}};
    char marker[128], cmd[256];
    snprintf(marker, sizeof marker, "/tmp/gy_test_ptbad_%d_ran", (int)getpid());
    snprintf(cmd, sizeof cmd, "touch %s", marker);
    remove(marker);
    const char *mod = globals[_i][0], *name = globals[_i][1];
    pkb p = {0};
    op(&p, 0x80);
    op(&p, 2);
    glob(&p, mod, name);
    str(&p, cmd);
    op(&p, 0x85);
    op(&p, 'R');
    op(&p, '.');
    char want[96];
    snprintf(want, sizeof want, "refused global '%s.%s'", mod, name);
    expect_pickle_fail(&p, GY_ERR_UNSUPPORTED, want);
    entry e[1] = {{"archive/data.pkl", p.b, p.n}};
    const char *path = tmp_path("system");
    write_zip(path, e, 1);
    expect_fail(path, GY_ERR_UNSUPPORTED, want);
    ck_assert_msg(access(marker, F_OK) != 0, "the pickle's command ran");
    /* through the CLI: detect and convert exit 65 (bad data) and name the global */
    char line[8192];
    for (int k = 0; k < 2; k++) {
        snprintf(line, sizeof line, "'%s' %s '%s' %s '%s' > /tmp/gy_test_ptbad_%d.txt 2>&1",
                 gy_test_cli(), k == 0 ? "detect --no-save -w" : "convert", path,
                 k == 0 ? "" : "-o", k == 0 ? gy_test_shared("images/bus.jpg") : "/tmp/gy_never.st",
                 (int)getpid());
        int rc = system(line);
        ck_assert_int_eq(WEXITSTATUS(rc), 65);
        char txt[96];
        snprintf(txt, sizeof txt, "/tmp/gy_test_ptbad_%d.txt", (int)getpid());
        char *out = (char *)gy_test_read(txt, NULL);
        ck_assert_msg(strstr(out, want) != NULL, "CLI output lacks '%s': %s", want, out);
        free(out);
        remove(txt);
    }
    ck_assert_msg(access(marker, F_OK) != 0, "the pickle's command ran");
    ck_assert_int_ne(access("/tmp/gy_never.st", F_OK), 0);
    remove(path);
    free(p.b);
}
END_TEST

/* The same global hidden deep inside an otherwise valid checkpoint. */
START_TEST(nested_evil_global_refused)
{
    ckpt c = good();
    c.evil_module = "os system";
    const char *path = write_ckpt(&c, "nested_evil");
    expect_fail(path, GY_ERR_UNSUPPORTED, "refused global 'os.system'");
    remove(path);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Archive problems. */

START_TEST(truncated_zip)
{
    ckpt c = good();
    const char *path = write_ckpt(&c, "trunc");
    size_t size;
    unsigned char *buf = gy_test_read(path, &size);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, size * 6 / 10, f), size * 6 / 10);
    fclose(f);
    free(buf);
    expect_fail(path, GY_ERR_FORMAT, "not a readable zip archive");
    remove(path);
}
END_TEST

START_TEST(missing_data_pkl)
{
    float v[4] = {1, 2, 3, 4};
    entry e[2] = {{"archive/data/0", v, sizeof v}, {"archive/version", "3\n", 2}};
    const char *path = tmp_path("nopkl");
    write_zip(path, e, 2);
    expect_fail(path, GY_ERR_FORMAT, "without <name>/data.pkl");
    /* an empty archive (only its end record, "PK\5\6") is still read as a zip */
    static const unsigned char empty_zip[22] = {'P', 'K', 5, 6};
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(empty_zip, 1, sizeof empty_zip, f), sizeof empty_zip);
    fclose(f);
    expect_fail(path, GY_ERR_FORMAT, "without <name>/data.pkl");
    remove(path);
}
END_TEST

/* Strides near the 64-bit limit: the last element's distance (size - 1) x stride is checked
 * for overflow before it is compared with the storage. */
START_TEST(huge_strides)
{
    ckpt c = good();
    c.shape[0] = 2;
    c.big_stride = 7000000000000000000LL; /* 1 x 7e18: no overflow, but far outside 4 elements */
    expect_fail(write_ckpt(&c, "bigstride"), GY_ERR_FORMAT, "lies outside its storage '0'");
    c.shape[0] = 3; /* 2 x 7e18 does not fit in the half of 2^64 the check allows */
    expect_fail(write_ckpt(&c, "bigstride2"), GY_ERR_FORMAT, "a tensor's strides overflow");
    remove(tmp_path("bigstride"));
    remove(tmp_path("bigstride2"));
}
END_TEST

START_TEST(storage_out_of_range)
{
    ckpt c = good();
    c.offset = 2; /* 4 elements from offset 2 of a 4-element storage */
    expect_fail(write_ckpt(&c, "range"), GY_ERR_FORMAT, "lies outside its storage '0'");
    c = good();
    c.entry_bytes = 12; /* the storage says 4 floats, the entry holds 3 */
    expect_fail(write_ckpt(&c, "short"), GY_ERR_FORMAT, "should be 16 bytes but its archive "
                "entry has 12");
    c = good();
    c.key = "7"; /* no archive/data/7 */
    expect_fail(write_ckpt(&c, "nokey"), GY_ERR_FORMAT, "storage '7', which is not in the archive");
    c = good();
    c.key = "../../etc/passwd";
    expect_fail(write_ckpt(&c, "traversal"), GY_ERR_FORMAT, "storage key with characters");
    c = good();
    c.storage_type = "DoubleStorage";
    expect_fail(write_ckpt(&c, "double"), GY_ERR_UNSUPPORTED, "'torch.DoubleStorage' is not "
                "supported");
    c = good();
    c.ndim = 2; /* 2x2, transposed: not row-major */
    c.shape[0] = c.shape[1] = 2;
    c.stride[0] = 1;
    c.stride[1] = 2;
    expect_fail(write_ckpt(&c, "noncontig"), GY_ERR_UNSUPPORTED, "'bn.weight' is not contiguous");
    c = good();
    c.with_bn = 0;
    expect_fail(write_ckpt(&c, "fused"), GY_ERR_UNSUPPORTED, "no BatchNorm2d");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -f /tmp/gy_test_ptbad_%d_*.pt", (int)getpid());
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* GY_PT_MAX_FILE (8 GiB) is the most the tensors may add up to: exactly that much passes the cap
 * (the open then fails for the missing storage, or for memory), one element more is refused. The
 * state_dict holds one int64 tensor of n elements: 8 n bytes (the model's stride is metadata). */
START_TEST(tensor_bytes_cap_is_inclusive)
{
    ckpt c = good();
    c.storage_type = "LongStorage";
    c.key = "7"; /* no archive/data/7: nothing is read */
    const int n = (int)(GY_PT_MAX_FILE / 8);
    ck_assert(8 * (size_t)n == GY_PT_MAX_FILE);
    for (int extra = 0; extra < 2; extra++) {
        c.storage_numel = c.shape[0] = n + extra;
        const char *path = write_ckpt(&c, extra ? "capover" : "capexact");
        gy_error err;
        gy_safetensors *st = NULL;
        gy_status s = gy_weights_open(path, &st, &err);
        ck_assert_int_ne(s, GY_OK);
        ck_assert_ptr_null(st);
        printf("%s: %s\n", extra ? "over" : "exact", err.message);
        if (extra) {
            ck_assert_int_eq(s, GY_ERR_FORMAT);
            ck_assert_msg(strstr(err.message, "the tensors add up to 8589934600 bytes, more than "
                                 "allowed") != NULL, "%s", err.message);
        } else {
            ck_assert_msg(strstr(err.message, "more than allowed") == NULL, "%s", err.message);
            ck_assert_msg((s == GY_ERR_FORMAT && strstr(err.message, "storage '7', which is not "
                                                        "in the archive") != NULL) ||
                          s == GY_ERR_NOMEM, "%s", err.message);
        }
        remove(path);
    }
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Pickle machine limits. */

START_TEST(huge_memo_index)
{
    pkb p = {0};
    op(&p, 0x80);
    op(&p, 2);
    op(&p, 'j');
    u32(&p, 0xFFFFFFFFu); /* LONG_BINGET 4294967295 */
    op(&p, '.');
    expect_pickle_fail(&p, GY_ERR_FORMAT, "memo index 4294967295 was never stored");
    p.n = 2;
    op(&p, 'N');
    op(&p, 'r');
    u32(&p, 0x7FFFFFF0u); /* LONG_BINPUT far beyond the memo limit: no giant allocation */
    op(&p, '.');
    expect_pickle_fail(&p, GY_ERR_FORMAT, "memo index 2147483632 is over the limit");
    free(p.b);
}
END_TEST

START_TEST(deep_nesting)
{
    pkb p = {0};
    op(&p, 0x80);
    op(&p, 2);
    for (int i = 0; i < 100000; i++)
        op(&p, '(');
    op(&p, '.');
    expect_pickle_fail(&p, GY_ERR_FORMAT, "MARKs nested deeper than the limit");
    /* lists nested 100000 deep through APPEND: the pickle loads (no recursion), the YAML dump of
     * it stops at its depth limit */
    p.n = 2;
    op(&p, '}');
    str(&p, "nc");
    for (int i = 0; i < 100000; i++)
        op(&p, ']');
    for (int i = 0; i < 99999; i++)
        op(&p, 'a');
    op(&p, 's');
    op(&p, '.');
    gy_error err;
    gy_pickle *pk = NULL;
    const gy_pk_value *root = NULL;
    ck_assert_msg(gy_pickle_load(p.b, p.n, "deep", &pk, &root, &err) == GY_OK, "%s", err.message);
    char *text = NULL;
    ck_assert_int_eq(gy_yaml_emit(root, "deep", &text, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "nested deeper than 32"));
    ck_assert_ptr_null(text);
    gy_pickle_free(pk);
    free(p.b);
    /* a module that contains itself */
    ckpt c = good();
    c.self_module = 1;
    expect_fail(write_ckpt(&c, "selfmod"), GY_ERR_FORMAT, "modules nested deeper than 64");
    remove(tmp_path("selfmod"));
}
END_TEST

/* GLOBAL needs a non-empty module and a non-empty name, each checked on its own. */
START_TEST(global_empty_parts)
{
    static const char *const parts[3][2] = {{"", "OrderedDict"}, {"collections", ""}, {"", ""}};
    for (int i = 0; i < 3; i++) {
        pkb p = {0};
        op(&p, 0x80);
        op(&p, 2);
        glob(&p, parts[i][0], parts[i][1]);
        op(&p, '.');
        expect_pickle_fail(&p, GY_ERR_FORMAT, "a global with an empty or over-long module or name");
        free(p.b);
    }
}
END_TEST

START_TEST(unknown_opcode)
{
    pkb p = {0};
    op(&p, 0x80);
    op(&p, 2);
    op(&p, 0xFF);
    expect_pickle_fail(&p, GY_ERR_UNSUPPORTED, "byte 2, opcode 0xff: unknown or unsupported "
                       "pickle opcode");
    p.n = 2;
    op(&p, 'i'); /* INST: a call by name, protocol 0 */
    raw(&p, "os\nsystem\n", 10);
    expect_pickle_fail(&p, GY_ERR_UNSUPPORTED, "byte 2, opcode INST (0x69): unknown or "
                       "unsupported");
    p.n = 2;
    op(&p, 'N');
    op(&p, 'N');
    op(&p, '.');
    expect_pickle_fail(&p, GY_ERR_FORMAT, "STOP with values or MARKs left over");
    /* a protocol above 5; NEWOBJ and REDUCE of things that are not a class and a tuple */
    static const unsigned char bad_ops[][12] = {
        {0x80, 6, 'N', '.'},
        {'N', ')', 0x81, '.'},
        {'c', 't', 'o', 'r', 'c', 'h', '\n', 'S', 'i', 'z', 'e', '\n'},
        {'N', ')', 'R', '.'}};
    static const char *const bad_ops_msg[] = {"pickle protocol above 5",
                                              "NEWOBJ needs a class and an argument tuple",
                                              "NEWOBJ needs a class and an argument tuple",
                                              "REDUCE of something that is not a global"};
    for (int k = 0; k < 4; k++) {
        p.n = 0;
        raw(&p, bad_ops[k], k == 2 ? 12 : 4);
        if (k == 2) { /* torch.Size NEWOBJ with a list instead of a tuple */
            op(&p, ']');
            op(&p, 0x81);
            op(&p, '.');
        }
        expect_pickle_fail(&p, k == 0 ? GY_ERR_UNSUPPORTED : GY_ERR_FORMAT, bad_ops_msg[k]);
    }
    static const unsigned char proto5[] = {0x80, 5, 'N', '.'};
    gy_error perr;
    gy_pickle *ppk = NULL;
    const gy_pk_value *proot = NULL;
    ck_assert_msg(gy_pickle_load(proto5, sizeof proto5, "p5", &ppk, &proot, &perr) == GY_OK, "%s",
                  perr.message);
    ck_assert_int_eq(proot->type, GY_PK_NONE);
    gy_pickle_free(ppk);
    for (int k = 0; k < 2; k++) { /* STACK_GLOBAL of a str and a non-str, either way round */
        p.n = 0;
        if (k)
            op(&p, 'N');
        str(&p, "torch");
        if (!k)
            op(&p, 'N');
        op(&p, 0x93);
        op(&p, '.');
        expect_pickle_fail(&p, GY_ERR_FORMAT, "STACK_GLOBAL of values that are not strings");
    }
    p.n = 0; /* the PROTO 2 header the cases below keep */
    op(&p, 0x80);
    op(&p, 2);
    /* a GLOBAL module of 256 bytes is read, one of 257 is refused */
    gy_error err;
    gy_pickle *pk = NULL;
    const gy_pk_value *root = NULL;
    for (int len = 256; len <= 257; len++) {
        p.n = 2;
        op(&p, 'c');
        raw(&p, "torch.", 6);
        for (int k = 6; k < len; k++)
            op(&p, 'a');
        raw(&p, "\nX\n.", 4);
        if (len == 256) {
            ck_assert_msg(gy_pickle_load(p.b, p.n, "g256", &pk, &root, &err) == GY_OK, "%s",
                          err.message);
            ck_assert_int_eq(root->type, GY_PK_GLOBAL);
            ck_assert_uint_eq(strlen(root->u.global.module), 256);
            gy_pickle_free(pk);
        } else {
            expect_pickle_fail(&p, GY_ERR_FORMAT, "GLOBAL line without its newline");
        }
    }
    /* GLOBAL names must be dotted identifiers */
    static const char *const bad_globals[] = {"torch x\nHalfStorage\n", "torch\nHalf Storage\n",
                                              "torch\n\n", "torch/../os\nsystem\n",
                                              "tor\x01ch\nx\n"};
    for (int k = 0; k < 5; k++) {
        p.n = 2;
        op(&p, 'c');
        raw(&p, bad_globals[k], strlen(bad_globals[k]));
        op(&p, '.');
        expect_pickle_fail(&p, GY_ERR_FORMAT, k == 2 ? "empty or over-long" : "dotted identifier");
    }
    p.n = 2;
    op(&p, 'N'); /* no STOP */
    expect_pickle_fail(&p, GY_ERR_FORMAT, "without STOP (truncated)");
    /* a pickle cut right after a complete argument lacks STOP; cut inside one, it is truncated */
    static const unsigned char args[][10] = {{'K', 1},
                                             {'M', 1, 2},
                                             {'J', 1, 2, 3, 4},
                                             {'G', 0x3f, 0xf0, 0, 0, 0, 0, 0, 0},
                                             {0x8a, 2, 1, 2},
                                             {'q', 0},
                                             {'r', 0, 0, 0, 0}};
    static const size_t arglen[] = {2, 3, 5, 9, 4, 2, 5};
    for (size_t k = 0; k < sizeof arglen / sizeof arglen[0]; k++) {
        p.n = 2;
        op(&p, 'N');
        raw(&p, args[k], arglen[k]);
        expect_pickle_fail(&p, GY_ERR_FORMAT, "without STOP (truncated)");
        p.n--;
        expect_pickle_fail(&p, GY_ERR_FORMAT, "ends inside an opcode's argument");
    }
    p.n = 2;
    op(&p, 'X');
    u32(&p, 1000); /* a string running past the end */
    raw(&p, "abc", 3);
    expect_pickle_fail(&p, GY_ERR_FORMAT, "ends inside an opcode's argument");
    p.n = 2;
    op(&p, 'N');
    op(&p, '(');
    op(&p, '0'); /* POP cannot reach below a MARK */
    op(&p, '.');
    expect_pickle_fail(&p, GY_ERR_FORMAT, "stack underflow (nothing to pop)");
    p.n = 2;
    op(&p, 'R'); /* REDUCE on an empty stack */
    expect_pickle_fail(&p, GY_ERR_FORMAT, "stack underflow");
    free(p.b);
}
END_TEST

/* pickle.dumps({'a': b'xy', 'big': 2**40, 'neg': -2**40, 'od': OrderedDict(), 'lst': [1, 2],
 * 't': (1,), 'f': 0.5, 's': 'h\u00e9'}, protocol=4) (CPython 3): FRAME, MEMOIZE, STACK_GLOBAL,
 * SHORT_BINUNICODE, SHORT_BINBYTES, LONG1 ... */
static const unsigned char proto4_pickle[] =
    "\x80\x04\x95\x7d\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x28\x8c\x01\x61\x94\x43\x02\x78\x79\x94\x8c"
    "\x03\x62\x69\x67\x94\x8a\x06\x00\x00\x00\x00\x00\x01\x8c\x03\x6e\x65\x67\x94\x8a\x06\x00\x00\x00"
    "\x00\x00\xff\x8c\x02\x6f\x64\x94\x8c\x0b\x63\x6f\x6c\x6c\x65\x63\x74\x69\x6f\x6e\x73\x94\x8c\x0b"
    "\x4f\x72\x64\x65\x72\x65\x64\x44\x69\x63\x74\x94\x93\x94\x29\x52\x94\x8c\x03\x6c\x73\x74\x94\x5d"
    "\x94\x28\x4b\x01\x4b\x02\x65\x8c\x01\x74\x94\x4b\x01\x85\x94\x8c\x01\x66\x94\x47\x3f\xe0\x00\x00"
    "\x00\x00\x00\x00\x8c\x01\x73\x94\x8c\x03\x68\xc3\xa9\x94\x75\x2e";

START_TEST(other_opcodes)
{
    gy_error err;
    gy_pickle *pk = NULL;
    const gy_pk_value *root = NULL;
    ck_assert_msg(gy_pickle_load(proto4_pickle, sizeof proto4_pickle - 1, "p4", &pk, &root,
                                 &err) == GY_OK, "%s", err.message);
    const gy_pk_value *v = gy_pk_dict_get(root, "a");
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->type, GY_PK_BYTES);
    ck_assert_uint_eq(v->u.str.len, 2);
    ck_assert_int_eq(memcmp(v->u.str.data, "xy", 2), 0);
    ck_assert_int_eq(gy_pk_dict_get(root, "big")->u.i, (int64_t)1 << 40);
    ck_assert_int_eq(gy_pk_dict_get(root, "neg")->u.i, -((int64_t)1 << 40));
    ck_assert_int_eq(gy_pk_dict_get(root, "od")->type, GY_PK_DICT);
    v = gy_pk_dict_get(root, "lst");
    ck_assert_int_eq(v->type, GY_PK_LIST);
    ck_assert_uint_eq(v->u.seq.n, 2);
    ck_assert_int_eq(v->u.seq.items[1]->u.i, 2);
    ck_assert_int_eq(gy_pk_dict_get(root, "t")->type, GY_PK_TUPLE);
    ck_assert(gy_pk_dict_get(root, "f")->u.f == 0.5);
    ck_assert_str_eq(gy_pk_dict_get(root, "s")->u.str.data, "h\xc3\xa9");
    gy_pickle_free(pk);
    /* protocol-1 forms: MARK ... DICT / LIST, DUP, POP, POP_MARK */
    pkb p = {0};
    op(&p, '(');
    str(&p, "k");
    op(&p, '(');
    int1(&p, 1);
    int1(&p, 2);
    op(&p, 'l');  /* [1, 2] */
    op(&p, 'd');  /* {'k': [1, 2]} */
    op(&p, '2');  /* DUP */
    op(&p, '0');  /* POP */
    op(&p, '(');
    int1(&p, 9);
    op(&p, '1');  /* POP_MARK */
    op(&p, '.');
    ck_assert_msg(gy_pickle_load(p.b, p.n, "p1", &pk, &root, &err) == GY_OK, "%s", err.message);
    v = gy_pk_dict_get(root, "k");
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->type, GY_PK_LIST);
    ck_assert_uint_eq(v->u.seq.n, 2);
    ck_assert_int_eq(v->u.seq.items[0]->u.i, 1);
    gy_pickle_free(pk);
    /* text must be UTF-8 without NUL; bytes may hold anything */
    p.n = 0;
    op(&p, 'C'); /* SHORT_BINBYTES */
    op(&p, 3);
    raw(&p, "\xff\x00a", 3);
    op(&p, '.');
    ck_assert_msg(gy_pickle_load(p.b, p.n, "bytes", &pk, &root, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(root->type, GY_PK_BYTES);
    ck_assert_uint_eq(root->u.str.len, 3);
    gy_pickle_free(pk);
    /* invalid byte, cut sequence, surrogate, NUL, overlong 2/3/4-byte forms, above U+10FFFF */
    static const char *const bad_text[] = {"\xff", "a\xc3", "\xed\xa0\x80", "a\0b",
                                           "\xc0\xaf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf",
                                           "\xf4\x90\x80\x80"};
    static const size_t bad_len[] = {1, 2, 3, 3, 2, 3, 4, 4};
    for (int k = 0; k < 8; k++) {
        p.n = 0;
        op(&p, 0x8c); /* SHORT_BINUNICODE */
        op(&p, (unsigned char)bad_len[k]);
        raw(&p, bad_text[k], bad_len[k]);
        op(&p, '.');
        expect_pickle_fail(&p, GY_ERR_FORMAT, "not valid UTF-8 or holds a NUL");
    }
    /* LONG1: 8 bytes are the widest integer read (two's complement), 9 are refused */
    static const unsigned char long8[] = {0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x80, '.'};
    ck_assert_msg(gy_pickle_load(long8, sizeof long8, "long8", &pk, &root, &err) == GY_OK, "%s",
                  err.message);
    ck_assert_int_eq(root->u.i, INT64_MIN);
    gy_pickle_free(pk);
    static const unsigned char long3[] = {0x8a, 3, 0xff, 0xff, 0x7f, '.'};
    ck_assert_msg(gy_pickle_load(long3, sizeof long3, "long3", &pk, &root, &err) == GY_OK, "%s",
                  err.message);
    ck_assert_int_eq(root->u.i, 0x7fffff);
    gy_pickle_free(pk);
    static const unsigned char longneg[] = {0x8a, 2, 0x00, 0xff, '.'};
    ck_assert_msg(gy_pickle_load(longneg, sizeof longneg, "longneg", &pk, &root, &err) == GY_OK,
                  "%s", err.message);
    ck_assert_int_eq(root->u.i, -256);
    gy_pickle_free(pk);
    p.n = 0;
    raw(&p, "\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.", 12);
    expect_pickle_fail(&p, GY_ERR_UNSUPPORTED, "an integer wider than 64 bits");
    /* MARK TUPLE and MARK LIST on an empty stack (found by fuzz_pt: UB on a NULL stack) */
    static const unsigned char empty_mark_tuple[] = {'(', 't', '(', 'l', 0x86, '.'};
    ck_assert_msg(gy_pickle_load(empty_mark_tuple, sizeof empty_mark_tuple, "emptymark", &pk,
                                 &root, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(root->u.seq.items[0]->type, GY_PK_TUPLE);
    ck_assert_uint_eq(root->u.seq.items[0]->u.seq.n, 0);
    ck_assert_int_eq(root->u.seq.items[1]->type, GY_PK_LIST);
    gy_pickle_free(pk);
    /* empty SETITEMS and APPENDS are valid */
    static const unsigned char empties[] = {'}', '(', 'u', ']', '(', 'e', 0x86, '.'};
    ck_assert_msg(gy_pickle_load(empties, sizeof empties, "empties", &pk, &root, &err) == GY_OK,
                  "%s", err.message);
    ck_assert_int_eq(root->type, GY_PK_TUPLE);
    ck_assert_int_eq(root->u.seq.items[0]->type, GY_PK_DICT);
    ck_assert_uint_eq(root->u.seq.items[0]->u.dict.n, 0);
    ck_assert_int_eq(root->u.seq.items[1]->type, GY_PK_LIST);
    gy_pickle_free(pk);
    /* an odd DICT */
    p.n = 0;
    op(&p, '(');
    int1(&p, 1);
    op(&p, 'd');
    op(&p, '.');
    expect_pickle_fail(&p, GY_ERR_FORMAT, "DICT with an odd number of values");
    free(p.b);
    /* arguments */
    gy_safetensors *st = (gy_safetensors *)&err;
    ck_assert_int_eq(gy_pt_parse(NULL, 4, "x.pt", &st, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(st);
    ck_assert_int_eq(gy_weights_open(NULL, &st, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_weights_open("x.pt", NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_pickle_load(NULL, 5, "x", &pk, &root, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_weights_open("/nonexistent/x.pt", &st, &err), GY_ERR_IO);
    ck_assert_ptr_null(st);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/x.pt"));
}
END_TEST

/* A file that is neither a zip nor a safetensors file is refused with what it seems to be: each
 * magic number whole (and the file no longer than it), one byte short, or one byte off; a text
 * file is one whose first 512 bytes are printable ASCII (0x20 to 0x7e), LF, CR or tab: each byte
 * just outside that range alone, and a binary byte at the last probed position and the first one
 * past it. */
START_TEST(non_weights_described)
{
    char text[600], path[64];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)(0x20 + i % 0x5f); /* ' ' .. '~' */
    text[8] = 'a';                          /* never a safetensors header's '{' */
    static const struct { const char *bytes; int n; const char *what; } cases[] = {
        {"", 0, " (an empty file)"},
        {"\xff\xd8\xff", 3, " (a JPEG image)"},
        {"\xff\xd8\xfe", 3, ""},
        {"\xff\xd8", 2, ""},
        {"\x89PNG\r\n", 6, " (a PNG image)"},
        {"\x89PN", 3, ""},
        {"GIF89a", 6, " (a GIF image)"},
        {"GIF", 3, " (a text file)"},
        {"BM\x01", 3, " (a BMP image)"},
        {"B", 1, " (a text file)"},
        {"\x80\x02", 2, " (a bare pickle, as torch.save before 1.6 wrote: weights/convert_pt.py reads it)"},
        {"\x80\x04\x95", 3, " (a bare pickle, as torch.save before 1.6 wrote: weights/convert_pt.py reads it)"},
        {"\x80\x03", 2, ""},
        {"\x1f\x8b\x08", 3, " (a gzip archive)"},
        {"\x1f", 1, ""},
        {" ~\n\r\t", 5, " (a text file)"},
        {"ab\x1f", 3, ""},
        {"ab\x7f", 3, ""},
        {"ab\x0b", 3, ""},
        {"ab\x80", 3, ""},
        {"a\x00", 2, ""},
    };
    snprintf(path, sizeof path, "/tmp/gy_test_nonw_%d.bin", (int)getpid());
    for (size_t i = 0; i < sizeof cases / sizeof cases[0] + 2; i++) {
        const char *bytes = i < sizeof cases / sizeof cases[0] ? cases[i].bytes : text;
        size_t n = i < sizeof cases / sizeof cases[0] ? (size_t)cases[i].n : sizeof text;
        const char *what = i < sizeof cases / sizeof cases[0] ? cases[i].what : "";
        if (i == sizeof cases / sizeof cases[0]) {
            text[511] = '\x01'; /* the last byte looked at */
        } else if (i > sizeof cases / sizeof cases[0]) {
            text[511] = 'x';
            text[512] = '\x01'; /* the first one not looked at */
            what = " (a text file)";
        }
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
        ck_assert_int_eq(fclose(f), 0);
        gy_safetensors *st = NULL;
        gy_error err;
        ck_assert_int_eq(gy_weights_open(path, &st, &err), GY_ERR_FORMAT);
        ck_assert_ptr_null(st);
        char want[256];
        snprintf(want, sizeof want,
                 "%s: neither a PyTorch checkpoint (zip) nor a safetensors file%s", path, what);
        ck_assert_msg(strcmp(err.message, want) == 0, "case %zu: %s, want %s", i, err.message,
                      want);
    }
    unlink(path);
}
END_TEST

/* Every truncation and thousands of random byte changes of a valid checkpoint pickle, each zipped
 * with its storages and read whole (pickle, module walk, YAML, storages): each loads or fails with
 * a message naming the archive; none may crash (the ASan/UBSan build checks memory). */
START_TEST(mutations_never_crash)
{
    ckpt c = good();
    pkb p = checkpoint_pickle(&c);
    unsigned char *m = malloc(p.n);
    ck_assert_ptr_nonnull(m);
    float vals[4] = {1, 2, 3, 4}, stride[3] = {8, 16, 32};
    uint32_t rng = 12345;
    int ok = 0, failed = 0;
    for (int iter = 0; iter < 4000; iter++) {
        memcpy(m, p.b, p.n);
        size_t n = p.n;
        if (iter < (int)p.n) {
            n = (size_t)iter; /* every truncation */
        } else {
            for (int k = 0; k < 1 + iter % 3; k++) {
                rng = rng * 1664525u + 1013904223u;
                size_t at = (rng >> 8) % p.n;
                rng = rng * 1664525u + 1013904223u;
                m[at] = (unsigned char)(rng >> 24);
            }
        }
        entry e[3] = {{"archive/data.pkl", m, n},
                      {"archive/data/0", vals, sizeof vals},
                      {"archive/data/s", stride, sizeof stride}};
        size_t size;
        unsigned char *zip = zip_in_memory(e, 3, &size);
        gy_error err;
        gy_safetensors *st = NULL;
        gy_status s = gy_pt_parse(zip, size, "mut.pt", &st, &err); /* frees zip */
        if (s == GY_OK) {
            ok++;
            ck_assert_int_ge(st->count, 0);
            gy_st_close(st);
        } else {
            failed++;
            ck_assert_ptr_null(st);
            ck_assert_msg(strncmp(err.message, "mut.pt: ", 8) == 0, "%s", err.message);
        }
    }
    printf("mutations: %d loaded, %d refused\n", ok, failed);
    ck_assert_int_gt(ok, 10);
    ck_assert_int_gt(failed, 1000);
    free(m);
    free(p.b);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* YAML text and float repr against Python. */

/* pickle.dumps(d, protocol=2) of the dict whose yaml.safe_dump(d, sort_keys=False,
 * default_flow_style=None) is `yaml_want` (PyYAML 6.0.3, CPython 3). */
static const unsigned char yaml_pickle[] =
    "\x80\x02\x7d\x71\x00\x28\x58\x02\x00\x00\x00\x6e\x63\x71\x01\x4b\x03\x58\x01\x00\x00\x00\x61\x71"
    "\x02\x5d\x71\x03\x28\x4e\x88\x89\x47\x3f\xf8\x00\x00\x00\x00\x00\x00\x47\x3e\xe4\xf8\xb5\x88\xe3"
    "\x68\xf1\x47\x43\x41\xc3\x79\x37\xe0\x80\x00\x47\x80\x00\x00\x00\x00\x00\x00\x00\x47\x40\x00\x00"
    "\x00\x00\x00\x00\x00\x4a\xf9\xff\xff\xff\x65\x58\x01\x00\x00\x00\x62\x71\x04\x5d\x71\x05\x28\x58"
    "\x04\x00\x00\x00\x74\x72\x75\x65\x71\x06\x58\x01\x00\x00\x00\x31\x71\x07\x58\x00\x00\x00\x00\x71"
    "\x08\x58\x03\x00\x00\x00\x61\x20\x62\x71\x09\x58\x03\x00\x00\x00\x78\x3a\x79\x71\x0a\x58\x05\x00"
    "\x00\x00\x63\x61\x66\xc3\xa9\x71\x0b\x58\x08\x00\x00\x00\x74\x61\x62\x09\x68\x65\x72\x65\x71\x0c"
    "\x65\x58\x01\x00\x00\x00\x63\x71\x0d\x5d\x71\x0e\x28\x58\x0b\x00\x00\x00\x6e\x6e\x2e\x55\x70\x73"
    "\x61\x6d\x70\x6c\x65\x71\x0f\x58\x07\x00\x00\x00\x6e\x65\x61\x72\x65\x73\x74\x71\x10\x58\x04\x00"
    "\x00\x00\x4e\x6f\x6e\x65\x71\x11\x58\x02\x00\x00\x00\x2d\x31\x71\x12\x58\x02\x00\x00\x00\x2e\x35"
    "\x71\x13\x58\x03\x00\x00\x00\x79\x65\x73\x71\x14\x58\x04\x00\x00\x00\x6e\x75\x6c\x6c\x71\x15\x58"
    "\x01\x00\x00\x00\x7e\x71\x16\x58\x03\x00\x00\x00\x4f\x66\x66\x71\x17\x58\x01\x00\x00\x00\x6e\x71"
    "\x18\x65\x58\x01\x00\x00\x00\x64\x71\x19\x5d\x71\x1a\x28\x58\x04\x00\x00\x00\x78\x3a\x20\x79\x71"
    "\x1b\x58\x02\x00\x00\x00\x23\x63\x71\x1c\x58\x04\x00\x00\x00\x61\x20\x23\x62\x71\x1d\x58\x05\x00"
    "\x00\x00\x20\x6c\x65\x61\x64\x71\x1e\x58\x03\x00\x00\x00\x40\x61\x74\x71\x1f\x58\x03\x00\x00\x00"
    "\x61\x2c\x62\x71\x20\x58\x06\x00\x00\x00\x69\x74\x27\x73\x20\x61\x71\x21\x58\x07\x00\x00\x00\x69"
    "\x74\x27\x73\x3a\x20\x78\x71\x22\x65\x58\x06\x00\x00\x00\x6e\x65\x73\x74\x65\x64\x71\x23\x7d\x71"
    "\x24\x28\x58\x01\x00\x00\x00\x6b\x71\x25\x5d\x71\x26\x28\x4b\x01\x5d\x71\x27\x28\x4b\x02\x4b\x03"
    "\x65\x65\x58\x01\x00\x00\x00\x65\x71\x28\x5d\x71\x29\x58\x01\x00\x00\x00\x66\x71\x2a\x7d\x71\x2b"
    "\x75\x58\x01\x00\x00\x00\x6c\x71\x2c\x5d\x71\x2d\x28\x7d\x71\x2e\x28\x58\x01\x00\x00\x00\x70\x71"
    "\x2f\x4b\x01\x58\x01\x00\x00\x00\x71\x71\x30\x5d\x71\x31\x4b\x01\x61\x75\x5d\x71\x32\x28\x5d\x71"
    "\x33\x28\x4b\x01\x4b\x02\x65\x4b\x03\x65\x65\x58\x04\x00\x00\x00\x66\x6c\x6f\x77\x71\x34\x7d\x71"
    "\x35\x28\x58\x01\x00\x00\x00\x78\x71\x36\x4b\x01\x58\x01\x00\x00\x00\x79\x71\x37\x58\x01\x00\x00"
    "\x00\x7a\x71\x38\x75\x75\x2e";

static const char yaml_want[] =
    "nc: 3\n"
    "a: [null, true, false, 1.5, 1.0e-05, 1.0e+16, -0.0, 2.0, -7]\n"
    "b: ['true', '1', '', a b, 'x:y', \"caf\\xE9\", \"tab\\there\"]\n"
    "c: [nn.Upsample, nearest, None, '-1', '.5', 'yes', 'null', '~', 'Off', n]\n"
    "d: ['x: y', '#c', 'a #b', ' lead', '@at', 'a,b', it's a, 'it''s: x']\n"
    "nested:\n"
    "  k:\n"
    "  - 1\n"
    "  - [2, 3]\n"
    "  e: []\n"
    "  f: {}\n"
    "l:\n"
    "- p: 1\n"
    "  q: [1]\n"
    "- - [1, 2]\n"
    "  - 3\n"
    "flow: {x: 1, y: z}\n";

/* The YAML gy_yaml_emit writes for the pickle pkl[0, n) is exactly want. */
static void expect_yaml(const void *pkl, size_t n, const char *name, const char *want)
{
    gy_error err;
    gy_pickle *pk = NULL;
    const gy_pk_value *root = NULL;
    ck_assert_msg(gy_pickle_load(pkl, n, name, &pk, &root, &err) == GY_OK, "%s", err.message);
    char *text = NULL;
    ck_assert_msg(gy_yaml_emit(root, name, &text, &err) == GY_OK, "%s", err.message);
    ck_assert_str_eq(text, want);
    free(text);
    gy_pickle_free(pk);
}

START_TEST(yaml_like_pyyaml)
{
    expect_yaml(yaml_pickle, sizeof yaml_pickle - 1, "yaml.pkl", yaml_want);
}
END_TEST

/* The pickle of {'x': [...]} (protocol 2): x_list_begin opens the dict and the list, the caller
 * appends the items, x_list_end closes them. */
static pkb x_list_begin(void)
{
    pkb p = {NULL, 0, 0};
    op(&p, 0x80);
    op(&p, 2);
    op(&p, '}');
    op(&p, '(');
    str(&p, "x");
    op(&p, ']');
    op(&p, '(');
    return p;
}

static void x_list_end(pkb *p)
{
    op(p, 'e');
    op(p, 'u');
    op(p, '.');
}

/* Floats whose repr has both a '.' and an exponent stay as they are in PyYAML (it adds ".0" only
 * when the repr has an 'e' and no '.': 1e-05 -> 1.0e-05): yaml.safe_dump({'x': [1.5e-07, 2.5e+16,
 * 1e-05]}, default_flow_style=None) == "x: [1.5e-07, 2.5e+16, 1.0e-05]\n". */
START_TEST(yaml_float_with_point_and_exponent)
{
    pkb p = x_list_begin();
    flt(&p, 1.5e-07);
    flt(&p, 2.5e+16);
    flt(&p, 1e-05);
    x_list_end(&p);
    expect_yaml(p.b, p.n, "f.pkl", "x: [1.5e-07, 2.5e+16, 1.0e-05]\n");
    free(p.b);
}
END_TEST

/* A string ending in a space is quoted (plain, YAML would drop the space), one with a space
 * inside is not: yaml.safe_dump({'x': ['ab ', 'a b', ' ']}, default_flow_style=None) ==
 * "x: ['ab ', a b, ' ']\n". */
START_TEST(yaml_trailing_space_quoted)
{
    pkb p = x_list_begin();
    str(&p, "ab ");
    str(&p, "a b");
    str(&p, " ");
    x_list_end(&p);
    expect_yaml(p.b, p.n, "s.pkl", "x: ['ab ', a b, ' ']\n");
    free(p.b);
}
END_TEST

/* Characters PyYAML escapes in a double-quoted scalar, one string each, as yaml.safe_dump({'x':
 * [s]}, default_flow_style=None) writes them (PyYAML 6, the outputs pasted from it): its
 * named escapes (\a \b \t \v \f \r \e \N \_ \L \P), \x for other control and Latin-1
 * characters, \u and \U above (every UTF-8 length: 2, 3 and 4 bytes), and the plain ones that
 * need no quotes at all (a NUL never gets here: the pickle reader refuses it in a string). */
START_TEST(yaml_escapes_like_pyyaml)
{
    static const struct {
        const char *s;
        size_t n;
        const char *want;
    } cases[] = {
        {"\a", 1, "x: [\"\\a\"]\n"},
        {"\b", 1, "x: [\"\\b\"]\n"},
        {"a\tb", 3, "x: [\"a\\tb\"]\n"},
        {"\v", 1, "x: [\"\\v\"]\n"},
        {"\f", 1, "x: [\"\\f\"]\n"},
        {"\r", 1, "x: [\"\\r\"]\n"},
        {"\x1b", 1, "x: [\"\\e\"]\n"},
        {"\x01", 1, "x: [\"\\x01\"]\n"},
        {"\x7f", 1, "x: [\"\\x7F\"]\n"},
        {"\xc2\x85", 2, "x: [\"\\N\"]\n"},
        {"\xc2\xa0", 2, "x: [\"\\_\"]\n"},
        {"\xc3\xa9", 2, "x: [\"\\xE9\"]\n"},
        {"\xe2\x80\xa8", 3, "x: [\"\\L\"]\n"},
        {"\xe2\x80\xa9", 3, "x: [\"\\P\"]\n"},
        {"\xed\x9f\xbf", 3, "x: [\"\\uD7FF\"]\n"},
        {"\xf0\x9f\x98\x80", 4, "x: [\"\\U0001F600\"]\n"},
        /* each sequence length with a character after it (a wrong length eats it) */
        {"\xc3\xa9" "b", 3, "x: [\"\\xE9b\"]\n"},
        {"\xe2\x80\xa8" "a", 4, "x: [\"\\La\"]\n"},
        {"\xed\x9f\xbf" "\x01", 4, "x: [\"\\uD7FF\\x01\"]\n"},
        {"\xf0\x9f\x98\x80" "c", 5, "x: [\"\\U0001F600c\"]\n"},
        {"\x01\\", 2, "x: [\"\\x01\\\\\"]\n"},
        {"a\\\tb", 4, "x: [\"a\\\\\\tb\"]\n"},
        {"\x01\"", 2, "x: [\"\\x01\\\"\"]\n"},
        /* PyYAML writes a lone backslash plain; plain_ok quotes what does not start with a letter
         * or '_', which reads back the same */
        {"\\", 1, "x: ['\\']\n"},
        {"a\"b", 3, "x: [a\"b]\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pkb p = x_list_begin();
        op(&p, 'X');
        u32(&p, (uint32_t)cases[i].n);
        raw(&p, cases[i].s, cases[i].n);
        x_list_end(&p);
        expect_yaml(p.b, p.n, "e.pkl", cases[i].want);
        free(p.b);
    }
}
END_TEST

/* The model yaml must be a dict: a list, or no value at all, is refused with a message. */
START_TEST(yaml_root_not_dict)
{
    pkb p = {NULL, 0, 0};
    op(&p, 0x80);
    op(&p, 2);
    op(&p, ']');
    op(&p, '(');
    int1(&p, 1);
    int1(&p, 2);
    op(&p, 'e');
    op(&p, '.');
    gy_error err;
    gy_pickle *pk = NULL;
    const gy_pk_value *root = NULL;
    ck_assert_msg(gy_pickle_load(p.b, p.n, "l.pkl", &pk, &root, &err) == GY_OK, "%s", err.message);
    char *text = (char *)&err; /* must be reset to NULL */
    ck_assert_int_eq(gy_yaml_emit(root, "l.pkl", &text, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(text);
    ck_assert_msg(strstr(err.message, "l.pkl: the model yaml is a list, not a dict") != NULL, "%s",
                  err.message);
    text = (char *)&err;
    ck_assert_int_eq(gy_yaml_emit(NULL, "none.pkl", &text, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(text);
    ck_assert_msg(strstr(err.message, "none.pkl: the model yaml is a nothing, not a dict") != NULL,
                  "%s", err.message);
    gy_pickle_free(pk);
    free(p.b);
}
END_TEST

/* The emitter's nesting bound (GY_YAML_EMIT_MAX_DEPTH levels below the root dict) at the bound and
 * one past it: {'a': [[...[1]...]]} with the flow list [1] at depth d (the dict's value at depth
 * 1, each list one deeper) is written up to d = GY_YAML_EMIT_MAX_DEPTH and refused past it. */
START_TEST(yaml_depth_bound)
{
    for (int d = GY_YAML_EMIT_MAX_DEPTH - 1; d <= GY_YAML_EMIT_MAX_DEPTH + 1; d++) {
        pkb p = {NULL, 0, 0};
        op(&p, 0x80);
        op(&p, 2);
        op(&p, '}');
        str(&p, "a");
        for (int i = 0; i < d; i++)
            op(&p, ']');
        int1(&p, 1);
        for (int i = 0; i < d; i++)
            op(&p, 'a'); /* APPEND: 1 into the innermost list, then each list into its parent */
        op(&p, 's');
        op(&p, '.');
        gy_error err;
        gy_pickle *pk = NULL;
        const gy_pk_value *root = NULL;
        ck_assert_msg(gy_pickle_load(p.b, p.n, "d.pkl", &pk, &root, &err) == GY_OK, "%s",
                      err.message);
        char *text = NULL;
        gy_status st = gy_yaml_emit(root, "d.pkl", &text, &err);
        if (d <= GY_YAML_EMIT_MAX_DEPTH) {
            ck_assert_msg(st == GY_OK, "depth %d: %s", d, err.message);
            /* "a:" then d - 1 block items "- " each indented two more, the last holding "[1]" */
            ck_assert_msg(strstr(text, "[1]") && !strstr(text, "[[1]]"), "depth %d: %s", d, text);
            int dashes = 0;
            for (const char *c = text; *c; c++)
                dashes += *c == '-';
            ck_assert_msg(dashes == d - 1, "depth %d: %d items\n%s", d, dashes, text);
        } else {
            ck_assert_int_eq(st, GY_ERR_FORMAT);
            ck_assert_ptr_null(text);
            char want[96];
            snprintf(want, sizeof want, "d.pkl: the model yaml is nested deeper than %d levels",
                     GY_YAML_EMIT_MAX_DEPTH);
            ck_assert_msg(strstr(err.message, want), "%s", err.message);
        }
        free(text);
        gy_pickle_free(pk);
        free(p.b);
    }
}
END_TEST

/* A DEL (0x7F) is not printable for YAML: PyYAML 6.0.3 double-quotes it as \x7F,
 * yaml.safe_dump({'b': ['a\x7f', 'x\x7f y']}, sort_keys=False, default_flow_style=None)
 * == 'b: ["a\\x7F", "x\\x7F y"]\n'; the pickle is pickle.dumps of that dict, protocol 2. */
START_TEST(yaml_del_is_escaped)
{
    static const unsigned char pkl[] = "\x80\x02}q\x00X\x01\x00\x00\x00" "bq\x01]q\x02(X\x02\x00\x00\x00"
                                       "a\x7fq\x03X\x04\x00\x00\x00x\x7f yq\x04" "es.";
    expect_yaml(pkl, sizeof pkl - 1, "del.pkl", "b: [\"a\\x7F\", \"x\\x7F y\"]\n");
}
END_TEST

/* A 4-byte UTF-8 sequence led by 0xF0 (U+1F600, F0 9F 98 80) is valid UTF-8 (RFC 3629: F0 then
 * 90..BF): pickle.dumps('\U0001F600', protocol=2) loads as that 4-byte string. */
START_TEST(pickle_four_byte_utf8)
{
    static const unsigned char pkl[] = "\x80\x02X\x04\x00\x00\x00\xf0\x9f\x98\x80q\x00.";
    gy_error err;
    gy_pickle *pk = NULL;
    const gy_pk_value *root = NULL;
    ck_assert_msg(gy_pickle_load(pkl, sizeof pkl - 1, "emoji.pkl", &pk, &root, &err) == GY_OK, "%s",
                  err.message);
    ck_assert_int_eq(root->type, GY_PK_STR);
    ck_assert_uint_eq(root->u.str.len, 4);
    ck_assert_int_eq(memcmp(root->u.str.data, "\xf0\x9f\x98\x80", 4), 0);
    gy_pickle_free(pk);
}
END_TEST


START_TEST(float_repr_like_python)
{
    static const struct {
        double x;
        const char *repr;
    } cases[] = {{0.001, "0.001"},
                 {1e-05, "1e-05"},
                 {1e16, "1e+16"},
                 {0.1, "0.1"},
                 {100.0, "100.0"},
                 {1.5e-07, "1.5e-07"},
                 {123456789012345678.0, "1.2345678901234568e+17"},
                 {0.0001, "0.0001"},
                 {1234567890123456.0, "1234567890123456.0"},
                 {12345678901234567.0, "1.2345678901234568e+16"},
                 {-2.5, "-2.5"},
                 {5e-324, "5e-324"},
                 {1.7976931348623157e308, "1.7976931348623157e+308"},
                 {0.0, "0.0"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[48];
        gy_py_float_repr(cases[i].x, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i].repr);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pt_malformed");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, synthetic_valid);
    tcase_add_test(tc, non_weights_described);
    tcase_add_test(tc, yaml_depth_bound);
    tcase_add_loop_test(tc, os_system_refused, 0, 6);
    tcase_add_test(tc, nested_evil_global_refused);
    tcase_add_test(tc, truncated_zip);
    tcase_add_test(tc, missing_data_pkl);
    tcase_add_test(tc, storage_out_of_range);
    tcase_add_test(tc, huge_strides);
    tcase_add_test(tc, tensor_bytes_cap_is_inclusive);
    tcase_add_test(tc, huge_memo_index);
    tcase_add_test(tc, yaml_del_is_escaped);
    tcase_add_test(tc, pickle_four_byte_utf8);
    tcase_add_test(tc, deep_nesting);
    tcase_add_test(tc, global_empty_parts);
    tcase_add_test(tc, unknown_opcode);
    tcase_add_test(tc, other_opcodes);
    tcase_add_test(tc, mutations_never_crash);
    tcase_add_test(tc, yaml_like_pyyaml);
    tcase_add_test(tc, float_repr_like_python);
    tcase_add_test(tc, yaml_float_with_point_and_exponent);
    tcase_add_test(tc, yaml_trailing_space_quoted);
    tcase_add_test(tc, yaml_escapes_like_pyyaml);
    tcase_add_test(tc, yaml_root_not_dict);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

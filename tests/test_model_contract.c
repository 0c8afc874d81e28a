/* test_model_contract.c - the contract of parse_model (detector/parse_model.c), the module table
 * (detector/registry.c) and gy_model_load's own checks (detector/model.c), condition by condition:
 * each clause of a validity check failing alone, each bound at its limit (accepted, with the
 * value it gives) and one past it (refused, with the status and the message). The models are tiny
 * YAMLs without weights (graph only); the weights cases edit the metadata of the official
 * yolov8n.safetensors. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <cjson/cJSON.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/graph.h"
#include "detector/model.h"
#include "detector/registry.h"
#include "detector/session.h"
#include "tables.h"
#include "testutil.h"

/* ------------------------------------------------------------------------------------------------
 * A guard after the class-name array: every calloc(nc, sizeof(char *)) of the model's nc gets 16
 * canary bytes after it, so that a write one past the names (an id == nc kept) is seen without a
 * sanitizer. Under AddressSanitizer the sanitizer's own calloc stays (it sees the write). */
#if defined(__SANITIZE_ADDRESS__)
#define CT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CT_ASAN 1
#endif
#endif

#define GUARD_MAX 64
static size_t guard_n;               /* calloc(guard_n, sizeof(char *)) calls are guarded */
static unsigned char guard_fill;     /* the canary byte: 0 reads as a NULL name, 0xA5 as garbage */
static unsigned char *guarded[GUARD_MAX];
static int nguarded;

#ifndef CT_ASAN
void *__libc_calloc(size_t n, size_t size);
void *calloc(size_t n, size_t size);
void *calloc(size_t n, size_t size)
{
    if (guard_n && n == guard_n && size == sizeof(char *) && nguarded < GUARD_MAX) {
        unsigned char *p = __libc_calloc(1, n * size + 16);
        if (p) {
            memset(p + n * size, guard_fill, 16);
            guarded[nguarded++] = p;
        }
        return p;
    }
    return __libc_calloc(n, size);
}
#endif

/* 1 when p is a guarded block whose canary is intact, 0 when it was overwritten; -1 when p was
 * not guarded (then only a sanitizer run can tell). */
static int guard_intact(const void *p)
{
    for (int i = 0; i < nguarded; i++)
        if (guarded[i] == p) {
            for (size_t k = 0; k < 16; k++)
                if (guarded[i][guard_n * sizeof(char *) + k] != guard_fill)
                    return 0;
            return 1;
        }
    return -1;
}

/* ------------------------------------------------------------------------------------------------
 * Helpers */

static char dir[64];

static const char *tmp(const char *name)
{
    static char buf[4][512];
    static int slot;
    char *b = buf[slot++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gy_model_contract_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static gy_status load_yaml(const char *yaml, int nc, gy_model **m, gy_error *err)
{
    const char *path = tmp("m.yaml");
    gy_test_write_text(path, yaml);
    gy_model_params p = gy_model_default_params();
    p.nc = nc;
    memset(err, 0, sizeof *err);
    return gy_model_load(path, NULL, &p, m, err);
}

static gy_model *load_ok(const char *yaml)
{
    gy_model *m = NULL;
    gy_error err;
    gy_status st = load_yaml(yaml, 0, &m, &err);
    ck_assert_msg(st == GY_OK, "%s\n--- yaml:\n%s", err.message, yaml);
    ck_assert_ptr_nonnull(m);
    return m;
}

static void expect_fail(const char *yaml, gy_status want, const char *substr)
{
    gy_model *m = (gy_model *)&m;
    gy_error err;
    gy_status st = load_yaml(yaml, 0, &m, &err);
    ck_assert_msg(st == want, "status %s, expected %s (%s)\n--- yaml:\n%s", gy_status_str(st),
                  gy_status_str(want), err.message, yaml);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, substr) != NULL, "message \"%s\" lacks \"%s\"", err.message,
                  substr);
}

/* A row's printed argument list. */
static const char *row_args(const gy_model *m, int i)
{
    static gy_row_info r;
    ck_assert_int_eq(gy_model_get_row(m, i, &r), GY_OK);
    return r.args;
}

static int row_n(const gy_model *m, int i)
{
    gy_row_info r;
    ck_assert_int_eq(gy_model_get_row(m, i, &r), GY_OK);
    return r.n;
}

/* The first conv weight name of row i. */
static const char *row_wname(const gy_model *m, int i)
{
    return m->graph.convs[m->rows[i].first_conv].wname;
}

#define HEAD "head:\n  - [[-1], 1, Detect, [nc]]\n"

/* ------------------------------------------------------------------------------------------------
 * registry.c */

START_TEST(registry_finds_every_name_exactly)
{
    static const char *const names[] = {"Conv", "C2f", "SPPF", "nn.Upsample", "Concat", "Detect",
                                        "DWConv", "GhostConv", "GhostBottleneck", "C3Ghost",
                                        "nn.MaxPool2d", "ConvBnAct", "ConvReLU", "Fire"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const gy_module_def *d = gy_module_find(names[i]);
        ck_assert_msg(d != NULL, "%s not found", names[i]);
        ck_assert_str_eq(d->name, names[i]);
    }
    ck_assert_int_eq(gy_module_find("Conv")->kind, GY_MOD_CHANNELS);
    ck_assert_int_eq(gy_module_find("Fire")->kind, GY_MOD_ZOO_FIRE);
    ck_assert_str_eq(gy_module_find("Fire")->torch_type, "ultralytics.nn.modules.zoo_modules.Fire");
    ck_assert_ptr_null(gy_module_find("conv"));
    ck_assert_ptr_null(gy_module_find("Conv "));
    ck_assert_ptr_null(gy_module_find(""));

    char buf[2048];
    gy_module_names(buf, sizeof buf);
    ck_assert_msg(strncmp(buf, "Conv, C2f, SPPF, ", 17) == 0, "%s", buf);
    ck_assert_msg(strlen(buf) > 6 && strcmp(buf + strlen(buf) - 6, ", Fire") == 0, "%s", buf);
    /* a short buffer: cut, terminated, never overrun */
    char small[12];
    memset(small, 'x', sizeof small);
    gy_module_names(small, 10);
    ck_assert_str_eq(small, "Conv, C2f");
    ck_assert_int_eq(small[10], 'x');
}
END_TEST

START_TEST(unknown_module_lists_the_known)
{
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv2, [16]]\n" HEAD,
                GY_ERR_UNSUPPORTED, "m.yaml:4: unknown module 'Conv2' in row 1 (known: Conv, C2f");
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * parse_model.c: channel rows (Conv, C2f, ...) */

/* `nfrom != 1 || nargs < 1 || (type != INT && type != NC)`: each clause alone. */
START_TEST(channels_row_each_clause_alone)
{
    const char *msg = "Conv needs one input and output channels as first argument";
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [[-1, 0], 1, Conv, [16]]\n" HEAD,
                GY_ERR_FORMAT, msg);
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, []]\n" HEAD,
                GY_ERR_FORMAT, msg);
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, [1.5]]\n" HEAD,
                GY_ERR_FORMAT, msg);
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, [None]]\n" HEAD,
                GY_ERR_FORMAT, msg);
    /* all valid: an int, and the word nc (kept unscaled) */
    gy_model *m = load_ok("nc: 40\nwidth_multiple: 0.5\nbackbone:\n  - [-1, 1, Conv, [48, 3, 2]]\n"
                          "  - [-1, 1, Conv, [nc]]\n  - [-1, 1, Conv, [40]]\n  - [-1, 1, Conv, [41]]\n" HEAD);
    ck_assert_str_eq(row_args(m, 0), "[3, 24, 3, 2]");
    ck_assert_str_eq(row_args(m, 1), "[24, 40]");  /* nc: not scaled */
    ck_assert_str_eq(row_args(m, 2), "[40, 40]");  /* equal to nc: not scaled either (ultralytics) */
    ck_assert_str_eq(row_args(m, 3), "[40, 24]");  /* 41 * 0.5 -> 24 */
    ck_assert_str_eq(row_args(m, 4), "[40, [24]]"); /* Detect: nc and the input channels */
    /* each row's output channels are its output tensor's: c2, and Detect's 4 box values + nc */
    static const int want_ch[5] = {24, 40, 40, 24, 4 + 40};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(m->rows[i].out_ch, want_ch[i]);
        ck_assert_int_eq(m->graph.tensors[m->rows[i].out].c, want_ch[i]);
    }
    gy_model_free(m);
}
END_TEST

/* The input of row 0 is the image (ch channels); later rows read earlier rows, relative or
 * absolute; C2f gets n inserted and is built once. */
START_TEST(channels_from_and_repeats)
{
    gy_model *m = load_ok("nc: 2\nch: 1\ndepth_multiple: 0.34\nbackbone:\n"
                          "  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                          "  - [0, 1, Conv, [8]]\n  - [-3, 1, Conv, [24]]\n"
                          "  - [-1, 3, C2f, [24, True]]\n  - [-1, 2, C2f, [24]]\n" HEAD);
    ck_assert_str_eq(row_args(m, 0), "[1, 16, 3, 2]");
    ck_assert_str_eq(row_args(m, 1), "[16, 32, 3, 2]");
    ck_assert_str_eq(row_args(m, 2), "[16, 8]");
    ck_assert_str_eq(row_args(m, 3), "[16, 24]");
    ck_assert_str_eq(row_args(m, 4), "[24, 24, 1, True]"); /* round(3 * 0.34) = 1 */
    ck_assert_int_eq(row_n(m, 4), 1);
    ck_assert_str_eq(row_args(m, 5), "[24, 24, 1]"); /* round(2 * 0.34) = 1 */
    ck_assert_str_eq(row_wname(m, 0), "model.0.conv.weight");
    ck_assert_str_eq(row_wname(m, 4), "model.4.cv1.conv.weight");
    gy_model_free(m);
}
END_TEST

/* n > 1: an nn.Sequential of n copies (model.i.0, model.i.1), which needs c1 == c2. */
START_TEST(repeated_row_needs_equal_channels)
{
    gy_model *m = load_ok("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                          "  - [-1, 2, Conv, [16, 3, 1]]\n  - [-1, 1, Conv, [16, 3, 1]]\n" HEAD);
    ck_assert_int_eq(row_n(m, 1), 2);
    ck_assert_int_eq(m->rows[1].end_conv - m->rows[1].first_conv, 2);
    ck_assert_str_eq(row_wname(m, 1), "model.1.0.conv.weight");
    ck_assert_str_eq(m->graph.convs[m->rows[1].first_conv + 1].wname, "model.1.1.conv.weight");
    ck_assert_str_eq(row_wname(m, 2), "model.2.conv.weight"); /* n == 1: no index */
    gy_model_free(m);
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 2, Conv, [24, 3, 1]]\n" HEAD,
                GY_ERR_FORMAT, "m.yaml:4: Conv repeated 2 times needs equal input and output "
                               "channels (16 != 24)");
}
END_TEST

/* The sum of the scaled repeats of all rows: GY_MAX_TOTAL_REPEATS (4096) accepted, 4097 refused,
 * named at the row that crosses it. */
START_TEST(total_repeats_bound)
{
    char yaml[512];
    const char *fmt = "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                      "  - [-1, 1024, nn.MaxPool2d, [3, 1, 1]]\n"
                      "  - [-1, 1024, nn.MaxPool2d, [3, 1, 1]]\n"
                      "  - [-1, 1024, nn.MaxPool2d, [3, 1, 1]]\n"
                      "  - [-1, %d, nn.MaxPool2d, [3, 1, 1]]\n" HEAD;
    snprintf(yaml, sizeof yaml, fmt, 1022); /* 1 + 3 * 1024 + 1022 + 1 (Detect) = 4096 */
    gy_model *m = load_ok(yaml);
    ck_assert_int_eq(row_n(m, 4), 1022);
    gy_model_free(m);
    snprintf(yaml, sizeof yaml, fmt, 1023);
    expect_fail(yaml, GY_ERR_FORMAT, /* crossed at the Detect row */ "m.yaml:9: row 5 brings the model to 4097 repeated blocks, "
                                     "more than the 4096 allowed in all");
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * parse_model.c: zoo rows, Concat, one-input modules, Detect */

/* `nfrom != 1 || nargs < need`, then each argument `type not INT/NC || i < 1 || i > max`. */
START_TEST(zoo_row_each_clause_alone)
{
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [[-1, 0], 1, ConvBnAct, [16]]\n" HEAD,
                GY_ERR_FORMAT, "ConvBnAct (row 1) needs one input and its output channels as first argument");
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, ConvBnAct, []]\n" HEAD,
                GY_ERR_FORMAT, "ConvBnAct (row 1) needs one input and its output channels as first argument");
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Fire, [8, 16]]\n" HEAD,
                GY_ERR_FORMAT, "Fire (row 1) needs one input and squeeze, expand1x1 and expand3x3 "
                               "channels as first arguments");
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, ConvBnAct, [0, 3, 2]]\n" HEAD,
                GY_ERR_FORMAT, "ConvBnAct (row 1): argument 1 must be a channel count from 1 to 65536");
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, ConvBnAct, [2.0, 3, 2]]\n" HEAD,
                GY_ERR_FORMAT, "ConvBnAct (row 1): argument 1 must be a channel count");
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Fire, [8, 16, 0]]\n" HEAD,
                GY_ERR_FORMAT, "Fire (row 1): argument 3 must be a channel count");
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Fire, [8, 0, 16]]\n" HEAD,
                GY_ERR_FORMAT, "Fire (row 1): argument 2 must be a channel count");
    /* valid: 1 channel, nc, and Fire's output = expand1x1 + expand3x3 (squeeze not counted) */
    gy_model *m = load_ok("nc: 3\nbackbone:\n  - [-1, 1, ConvBnAct, [1, 3, 2]]\n"
                          "  - [-1, 1, ConvBnAct, [nc, 3, 1]]\n  - [-1, 1, Fire, [4, 8, 16]]\n" HEAD);
    ck_assert_str_eq(row_args(m, 0), "[3, 1, 3, 2]");
    ck_assert_str_eq(row_args(m, 1), "[1, 3, 3, 1]");
    ck_assert_str_eq(row_args(m, 3), "[3, [24]]");
    gy_model_free(m);
}
END_TEST

/* A zoo row's output: GY_MAX_CHANNELS (65536) accepted, 65537 refused (Fire adds two counts). The
 * accepted row is followed by an unknown module, so that nothing that large is planned. */
START_TEST(zoo_channels_bound)
{
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Fire, [8, 32768, 32768]]\n"
                "  - [-1, 1, Stop, []]\n" HEAD,
                GY_ERR_UNSUPPORTED, "unknown module 'Stop' in row 2");
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, ConvBnAct, [65536, 1, 1]]\n"
                "  - [-1, 1, Stop, []]\n" HEAD,
                GY_ERR_UNSUPPORTED, "unknown module 'Stop' in row 2");
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Fire, [8, 32768, 32769]]\n" HEAD,
                GY_ERR_FORMAT, "m.yaml:4: Fire (row 1) gives 65537 channels, more than 65536");
}
END_TEST

/* Concat: the sum of its inputs, 65536 accepted, 65537 refused. */
START_TEST(concat_channels_bound)
{
    const char *fmt = "nc: %d\nbackbone:\n  - [-1, 1, Conv, [32768, 1, 1]]\n  - [0, 1, Conv, [nc, 1, 1]]\n"
                      "  - [[0, -1], 1, Concat, [1]]\n  - [-1, 1, Stop, []]\n" HEAD;
    char yaml[512];
    snprintf(yaml, sizeof yaml, fmt, 32768);
    expect_fail(yaml, GY_ERR_UNSUPPORTED, "unknown module 'Stop' in row 3");
    snprintf(yaml, sizeof yaml, fmt, 32769);
    expect_fail(yaml, GY_ERR_FORMAT, "m.yaml:5: Concat gives 65537 channels, more than 65536");
    gy_model *m = load_ok("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, [8, 1, 1]]\n"
                          "  - [[-1, 0, -2], 1, Concat, [1]]\n" HEAD);
    ck_assert_str_eq(row_args(m, 3), "[2, [40]]");
    gy_model_free(m);
    /* GY_MAX_FROM (16) inputs: 8 of 16 channels and 8 of 8 */
    m = load_ok("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, [8, 1, 1]]\n"
                "  - [[0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], 1, Concat, [1]]\n" HEAD);
    ck_assert_str_eq(row_args(m, 3), "[2, [192]]");
    gy_model_free(m);
}
END_TEST

/* The upsample's scale of the graph's only upsample op. */
static int upsample_scale(const gy_model *m)
{
    for (int i = 0; i < m->graph.nops; i++)
        if (m->graph.ops[i].type == GY_OP_UPSAMPLE)
            return m->graph.ops[i].scale;
    ck_abort_msg("no upsample op");
    return 0;
}

/* nn.Upsample(size, scale_factor, mode): a size is refused; a float scale is taken when it is a
 * whole number in [1, 64] (each bound at and past it, fractions, a large value; a negative or
 * absurd one is the row parser's refusal), an int one in [1, 64]; the mode must be the string 'nearest' (another string or
 * another type refused), and may be left out. Concat joins on dimension 1 only (0, 2 and 3
 * refused; no argument means 1). */
START_TEST(upsample_and_concat_arguments)
{
    const char *fmt = "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                      "  - [-1, 1, nn.Upsample, [%s]]\nhead:\n  - [[0], 1, Detect, [nc]]\n";
    char yaml[512];
    static const struct {
        const char *args;
        int scale; /* 0: refused */
        const char *msg;
    } cases[] = {
        {"None, 2, 'nearest'", 2, NULL},
        {"None, 2", 2, NULL},
        {"None, 1.0, 'nearest'", 1, NULL},
        {"None, 2.0, 'nearest'", 2, NULL},
        {"None, 64.0, 'nearest'", 64, NULL},
        {"None, 64, 'nearest'", 64, NULL},
        {"None, 0.5, 'nearest'", 0, "scale factor 0.5 is not a whole number in [1, 64]"},
        {"None, 0.999, 'nearest'", 0, "scale factor 0.999 is not a whole number"},
        {"None, 2.5, 'nearest'", 0, "scale factor 2.5 is not a whole number"},
        {"None, 64.5, 'nearest'", 0, "scale factor 64.5 is not a whole number"},
        {"None, 65.0, 'nearest'", 0, "scale factor 65 is not a whole number"},
        {"None, 1000.0, 'nearest'", 0, "scale factor 1000 is not a whole number"},
        {"40, None, 'nearest'", 0, "a fixed output size is not supported"},
        {"None, 2, 'bilinear'", 0, "only mode 'nearest' is supported"},
        {"None, 2, 'nearest2'", 0, "only mode 'nearest' is supported"},
        {"None, 2, 3", 0, "only mode 'nearest' is supported"},
        {"None, 2, None", 0, "only mode 'nearest' is supported"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(yaml, sizeof yaml, fmt, cases[i].args);
        if (!cases[i].scale) {
            expect_fail(yaml, GY_ERR_UNSUPPORTED, cases[i].msg);
            continue;
        }
        gy_model *m = load_ok(yaml);
        ck_assert_msg(upsample_scale(m) == cases[i].scale, "[%s]: scale %d", cases[i].args,
                      upsample_scale(m));
        gy_model_free(m);
    }
    snprintf(yaml, sizeof yaml, fmt, "None, -2.0, 'nearest'"); /* the row parser's rule */
    expect_fail(yaml, GY_ERR_FORMAT, "argument 2 ('-2.0') is negative");
    snprintf(yaml, sizeof yaml, fmt, "None, 1.0e300, 'nearest'");
    expect_fail(yaml, GY_ERR_FORMAT, "argument 2 ('1.0e300') is not a sensible number");
    snprintf(yaml, sizeof yaml, fmt, "None, 65, 'nearest'");
    expect_fail(yaml, GY_ERR_FORMAT, "nn.Upsample (row 1): argument 2 = 65 is outside [1, 64]");
    snprintf(yaml, sizeof yaml, fmt, "None, 0, 'nearest'");
    expect_fail(yaml, GY_ERR_FORMAT, "nn.Upsample (row 1): argument 2 = 0 is outside [1, 64]");
    const char *cat = "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, [8, 1, 1]]\n"
                      "  - [[-1, 0], 1, Concat, [%s]]\n" HEAD;
    static const char *const bad_dims[] = {"0", "2", "3"};
    for (size_t i = 0; i < sizeof bad_dims / sizeof bad_dims[0]; i++) {
        snprintf(yaml, sizeof yaml, cat, bad_dims[i]);
        expect_fail(yaml, GY_ERR_UNSUPPORTED, "m.yaml:5: Concat (row 2): only channel concatenation (1) is supported");
    }
    snprintf(yaml, sizeof yaml, cat, "");
    gy_model *m = load_ok(yaml);
    ck_assert_str_eq(row_args(m, 3), "[2, [24]]"); /* Detect on 8 + 16 channels */
    gy_model_free(m);
}
END_TEST

/* A one-input module (nn.Upsample, nn.MaxPool2d) with two inputs is refused; a two-input row of
 * another kind (Detect, Concat) and a one-input pass row are not. */
START_TEST(pass_row_takes_one_input)
{
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                "  - [[-1, 0], 1, nn.Upsample, [None, 2, nearest]]\n" HEAD,
                GY_ERR_FORMAT, "m.yaml:5: nn.Upsample takes exactly one input");
    gy_model *m = load_ok("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                          "  - [-1, 1, nn.Upsample, [None, 2, nearest]]\n"
                          "head:\n  - [[-1, 1], 1, Detect, [nc]]\n");
    ck_assert_str_eq(row_args(m, 2), "[None, 2, 'nearest']");
    ck_assert_str_eq(row_args(m, 3), "[2, [16, 16]]");
    gy_model_free(m);
}
END_TEST

START_TEST(detect_must_be_last)
{
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [[-1], 1, Detect, [nc]]\n"
                "  - [-1, 1, Conv, [16, 3, 2]]\n" HEAD,
                GY_ERR_UNSUPPORTED, "m.yaml:4: Detect must be the last row");
    expect_fail("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\nhead:\n  - [-1, 1, Conv, [16, 3, 2]]\n",
                GY_ERR_FORMAT, "m.yaml: the last row must be a Detect head");
    gy_model *m = load_ok("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n" HEAD);
    ck_assert_int_eq(m->nrows, 2);
    ck_assert_int_ge(m->graph.output, 0);
    gy_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * model.c: gy_model_load's arguments, the class count bound, the accessors */

START_TEST(load_arguments)
{
    gy_model *m = (gy_model *)&m;
    gy_error err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(gy_model_load("x.yaml", NULL, NULL, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "gy_model_load: out is NULL") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_model_load(NULL, NULL, NULL, &m, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, "give a config, a weights file, or both") != NULL, "%s",
                  err.message);
    const char *yaml = "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n" HEAD;
    gy_status st = load_yaml(yaml, -1, &m, &err);
    ck_assert_int_eq(st, GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "gy_model_load: nc -1 is out of range") != NULL, "%s", err.message);
    st = load_yaml(yaml, 100001, &m, &err);
    ck_assert_int_eq(st, GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "gy_model_load: nc 100001 is out of range") != NULL, "%s",
                  err.message);
    /* at the bounds: 0 (from the YAML) and 100000 */
    st = load_yaml(yaml, 0, &m, &err);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    gy_model_info info;
    ck_assert_int_eq(gy_model_get_info(m, &info), GY_OK);
    ck_assert_int_eq(info.nc, 2);
    gy_model_free(m);
    st = load_yaml(yaml, 100000, &m, &err);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    ck_assert_int_eq(gy_model_get_info(m, &info), GY_OK);
    ck_assert_int_eq(info.nc, 100000);
    ck_assert_str_eq(gy_model_class_name(m, 99999), "class99999");
    ck_assert_ptr_null(gy_model_class_name(m, 100000));
    gy_model_free(m);
}
END_TEST

START_TEST(accessor_bounds)
{
    /* the generic names fill nc slots, not one more (a NULL past the array would be filled) */
    guard_n = 3;
    guard_fill = 0;
    nguarded = 0;
    gy_model *m = load_ok("nc: 3\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n" HEAD);
    ck_assert_msg(guard_intact(m->names) != 0, "a name was written past the 3 classes");
    guard_n = 0;
    ck_assert_str_eq(gy_model_class_name(m, 0), "class0");
    ck_assert_str_eq(gy_model_class_name(m, 2), "class2");
    ck_assert_ptr_null(gy_model_class_name(m, 3));
    ck_assert_ptr_null(gy_model_class_name(m, -1));
    ck_assert_ptr_null(gy_model_class_name(NULL, 0));
    gy_row_info r;
    ck_assert_int_eq(gy_model_get_row(m, 0, &r), GY_OK);
    ck_assert_int_eq(r.index, 0);
    ck_assert_int_eq(gy_model_get_row(m, 1, &r), GY_OK);
    ck_assert_int_eq(r.index, 1);
    ck_assert_int_eq(gy_model_get_row(m, 2, &r), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_get_row(m, -1, &r), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_get_row(m, 0, NULL), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_get_row(NULL, 0, &r), GY_ERR_ARGUMENT);
    gy_model_info info;
    ck_assert_int_eq(gy_model_get_info(NULL, &info), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_get_info(m, NULL), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_get_info(m, &info), GY_OK);
    ck_assert_int_eq(info.num_rows, 2);
    ck_assert_int_eq(info.has_weights, 0);
    ck_assert_int_eq(info.nc, 3);
    ck_assert_int_eq(info.reg_max, 16);
    ck_assert_int_eq(info.num_strides, 1);
    ck_assert_int_eq(info.strides[0], 2);
    ck_assert_str_eq(info.dtype, "float32");
    ck_assert_int_eq(gy_model_stride(m), 32); /* one level at stride 2: never below 32 */
    gy_model_free(m);
    /* synthetic weights: a model that can run */
    gy_model_params p = gy_model_default_params();
    p.synthetic_weights = 1;
    gy_error err;
    const char *path = tmp("syn.yaml");
    gy_test_write_text(path, "nc: 3\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n" HEAD);
    ck_assert_int_eq(gy_model_load(path, NULL, &p, &m, &err), GY_OK);
    ck_assert_int_eq(gy_model_get_info(m, &info), GY_OK);
    ck_assert_int_eq(info.has_weights, 1);
    ck_assert_int_eq(m->has_weights, 1);
    gy_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * model.c: the weights' metadata (bn_eps, names), on a copy of yolov8n.safetensors */

/* Writes a copy of the official weights with metadata `key` set to `value` (NULL: removed). */
static const char *weights_with_meta(const char *key, const char *value)
{
    static size_t size; /* the official file, read once per test process */
    static unsigned char *buf;
    if (!buf)
        buf = gy_test_read(gy_test_shared("weights/yolov8n.safetensors"), &size);
    size_t n;
    cJSON *j = gy_test_st_header(buf, size, &n);
    cJSON *meta = cJSON_GetObjectItem(j, "__metadata__");
    ck_assert_ptr_nonnull(meta);
    cJSON_DeleteItemFromObject(meta, key);
    if (value)
        cJSON_AddStringToObject(meta, key, value);
    char *out = cJSON_PrintUnformatted(j);
    ck_assert_ptr_nonnull(out);
    unsigned long long m = strlen(out);
    const char *path = tmp("w.safetensors");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 8; i++)
        fputc((int)(m >> (8 * i)) & 0xff, f);
    ck_assert(fwrite(out, 1, m, f) == m);
    ck_assert(fwrite(buf + 8 + n, 1, size - 8 - n, f) == size - 8 - n);
    ck_assert_int_eq(fclose(f), 0);
    free(out);
    cJSON_Delete(j);
    return path;
}

static gy_status load_weights(const char *path, gy_model **m, gy_error *err)
{
    memset(err, 0, sizeof *err);
    return gy_model_load(NULL, path, NULL, m, err);
}

static void expect_meta_fail(const char *key, const char *value, const char *substr)
{
    gy_model *m = (gy_model *)&m;
    gy_error err;
    gy_status st = load_weights(weights_with_meta(key, value), &m, &err);
    ck_assert_msg(st == GY_ERR_FORMAT, "%s=%s: status %s (%s)", key, value, gy_status_str(st),
                  err.message);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, substr) != NULL, "message \"%s\" lacks \"%s\"", err.message,
                  substr);
    ck_assert_msg(strstr(err.message, "w.safetensors") != NULL, "%s", err.message);
}

/* A config from the weights' metadata that fails the stride probe: the message names the
 * weights file first (its config as "<file>:config"), as every load failure does, and blames
 * the model's wiring, not the input size (the probe's 256 is a multiple of every stride). The official
 * yolov8n config with its first upsample by 4 meets P4 (16x16) with 32x32. */
START_TEST(metadata_config_failure_names_the_file)
{
    size_t size, n;
    unsigned char *buf = gy_test_read(gy_test_shared("weights/yolov8n.safetensors"), &size);
    cJSON *j = gy_test_st_header(buf, size, &n);
    const cJSON *cfg = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "__metadata__"), "config");
    ck_assert(cJSON_IsString(cfg));
    char *text = strdup(cfg->valuestring);
    ck_assert_ptr_nonnull(text);
    char *up = strstr(text, "nn.Upsample\n  - [None, 2, nearest]");
    ck_assert_ptr_nonnull(up);
    up[strlen("nn.Upsample\n  - [None, ")] = '4';
    gy_model *m = (gy_model *)&m;
    gy_error err;
    const char *path = weights_with_meta("config", text);
    ck_assert_int_eq(load_weights(path, &m, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(m);
    ck_assert_msg(strncmp(err.message, path, strlen(path)) == 0, "%s", err.message);
    ck_assert_msg(strstr(err.message, "w.safetensors:config: computing the strides on a 256x256 "
                                      "input: row 11 (Concat): inputs 16x16 and 32x32 (the model "
                                      "joins maps of different sizes") != NULL,
                  "%s", err.message);
    free(text);
    cJSON_Delete(j);
    free(buf);
}
END_TEST

/* `end == eps || *end != '\0' || !(v > 0 && v < 1)`: each clause alone, then values inside. */
START_TEST(bn_eps_each_clause_alone)
{
    const char *msg = "is not a small positive number";
    expect_meta_fail("bn_eps", "", msg);
    expect_meta_fail("bn_eps", "x", msg);
    expect_meta_fail("bn_eps", "0.001x", msg);
    expect_meta_fail("bn_eps", "0", msg);
    expect_meta_fail("bn_eps", "-0.001", msg);
    expect_meta_fail("bn_eps", "1", msg);
    expect_meta_fail("bn_eps", "nan", msg);
    static const struct {
        const char *text;
        double v;
    } ok[] = {{"0.999", 0.999}, {"1e-300", 1e-300}, {"0.5", 0.5}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        gy_model *m = NULL;
        gy_error err;
        gy_status st = load_weights(weights_with_meta("bn_eps", ok[i].text), &m, &err);
        ck_assert_msg(st == GY_OK, "bn_eps %s: %s", ok[i].text, err.message);
        ck_assert(m->bn_eps == ok[i].v);
        gy_model_free(m);
    }
}
END_TEST

/* names: a JSON object or list; keys are decimal ids >= 0; entries are strings; ids >= nc (80)
 * are ignored, never stored (the guard after the array stays intact). */
START_TEST(names_contract)
{
    expect_meta_fail("names", "{\"0\": \"a\"", "metadata 'names' is not a JSON object or list");
    expect_meta_fail("names", "\"person\"", "metadata 'names' is not a JSON object or list");
    expect_meta_fail("names", "{\"\": \"a\"}", "metadata 'names' key '' is not a class id");
    expect_meta_fail("names", "{\"1x\": \"a\"}", "metadata 'names' key '1x' is not a class id");
    expect_meta_fail("names", "{\"-1\": \"a\"}", "metadata 'names' key '-1' is not a class id");
    expect_meta_fail("names", "{\"0\": \"a\", \"1\": 5}", "metadata 'names' entry 1 is not a string");
    expect_meta_fail("names", "[\"a\", \"b\", null]", "metadata 'names' entry 2 is not a string");

    /* an object: id 0 and 79 (the last) kept, 80 (== nc) and beyond ignored, the rest generic;
     * garbage past the array: never stored into, read or freed */
    guard_n = 80;
    guard_fill = 0xA5;
    nguarded = 0;
    gy_model *m = NULL;
    gy_error err;
    gy_status st = load_weights(
        weights_with_meta("names", "{\"0\": \"zero\", \"79\": \"last\", \"80\": \"past\", \"81\": \"x\"}"),
        &m, &err);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_model_class_name(m, 0), "zero");
    ck_assert_str_eq(gy_model_class_name(m, 1), "class1");
    ck_assert_str_eq(gy_model_class_name(m, 79), "last");
    ck_assert_ptr_null(gy_model_class_name(m, 80));
    ck_assert_msg(guard_intact(m->names) != 0, "a name was written past the %d classes", 80);
    gy_model_free(m);

    /* a list of 81: entry 80 ignored; a later duplicate id replaces the earlier name */
    char list[2048];
    size_t used = (size_t)snprintf(list, sizeof list, "[");
    for (int i = 0; i <= 80; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s\"n%d\"", i ? ", " : "", i);
    snprintf(list + used, sizeof list - used, "]");
    nguarded = 0;
    st = load_weights(weights_with_meta("names", list), &m, &err);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_model_class_name(m, 0), "n0");
    ck_assert_str_eq(gy_model_class_name(m, 79), "n79");
    ck_assert_msg(guard_intact(m->names) != 0, "a name was written past the %d classes", 80);
    gy_model_free(m);

    st = load_weights(weights_with_meta("names", "{\"3\": \"first\", \"3\": \"second\"}"), &m, &err);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_model_class_name(m, 3), "second");
    gy_model_free(m);
    guard_n = 0;
}
END_TEST


/* ------------------------------------------------------------------------------------------------
 * session.c and val.c: the argument checks, each clause alone and each bound at and past it */

START_TEST(session_arguments)
{
    gy_model *m = load_ok("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n" HEAD);
    gy_session *s = (gy_session *)&s;
    gy_error err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(gy_session_create(NULL, NULL, &s, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_session_create(m, NULL, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "model and out must not be NULL") != NULL, "%s", err.message);
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = 1025;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err.message, "num_threads 1025 is out of range") != NULL, "%s", err.message);
    sp.num_threads = -1;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_ERR_ARGUMENT);
    sp.num_threads = 1024;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_OK);
    ck_assert_int_eq(s->nthreads, 1024);
    gy_session_free(s);
    sp.num_threads = 0; /* the machine's processors */
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_OK);
    ck_assert_int_eq(s->nthreads, omp_get_num_procs());
    ck_assert_int_ge(s->nthreads, 1);
    gy_session_free(s);
    sp.num_threads = 1;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_OK);
    /* each side alone: 1 and 16384 accepted, 0 and 16385 refused */
    static const int sizes[][3] = {{16384, 1, GY_OK}, {1, 16384, GY_OK}, {1, 1, GY_OK},
                                   {16385, 1, GY_ERR_ARGUMENT}, {1, 16385, GY_ERR_ARGUMENT},
                                   {0, 1, GY_ERR_ARGUMENT}, {1, 0, GY_ERR_ARGUMENT},
                                   {-1, 1, GY_ERR_ARGUMENT}, {1, -1, GY_ERR_ARGUMENT}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        gy_status st = gy_session_reserve(s, sizes[i][0], sizes[i][1], &err);
        ck_assert_msg((int)st == sizes[i][2], "%dx%d: %s (%s)", sizes[i][0], sizes[i][1],
                      gy_status_str(st), err.message);
        if (st != GY_OK) {
            char want[96];
            snprintf(want, sizeof want, "input size %dx%d (h x w) must be positive, at most 16384",
                     sizes[i][0], sizes[i][1]);
            ck_assert_msg(strstr(err.message, want) != NULL, "%s", err.message);
        }
    }
    ck_assert_int_eq(gy_session_reserve(NULL, 1, 1, &err), GY_ERR_ARGUMENT);
    /* a new plan unless both sides are those planned: each side alone differs */
    static const int seq[][2] = {{32, 64}, {32, 32}, {64, 32}, {64, 32}};
    float *arena = NULL;
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        ck_assert_int_eq(gy_session_reserve(s, seq[i][0], seq[i][1], &err), GY_OK);
        ck_assert_int_eq(s->planned, 1);
        ck_assert_int_eq(s->plan.in_h, seq[i][0]);
        ck_assert_int_eq(s->plan.in_w, seq[i][1]);
        if (i == 3)
            ck_assert_ptr_eq(s->arena, arena); /* the same size again: kept */
        arena = s->arena;
    }
    /* a refused size leaves the plan as it was */
    ck_assert_int_eq(gy_session_reserve(s, 16385, 32, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(s->planned, 1);
    ck_assert_int_eq(s->plan.in_h, 64);
    /* forward: arguments first, then the missing weights */
    float in[3 * 32 * 32] = {0};
    gy_output o;
    ck_assert_int_eq(gy_forward(NULL, in, 32, 32, &o, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_forward(s, NULL, 32, 32, &o, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_forward(s, in, 32, 32, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_forward(s, in, 32, 32, &o, &err), GY_ERR_STATE);
    ck_assert_msg(strstr(err.message, "the model was loaded without weights") != NULL, "%s", err.message);
    gy_session_free(s);
    gy_model_free(m);
}
END_TEST

/* gy_val: every argument is checked before the weights (a model without weights answers
 * GY_ERR_STATE once the arguments pass). */
START_TEST(val_arguments)
{
    gy_model *m = load_ok("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n" HEAD);
    ck_assert_int_eq(gy_model_stride(m), 32);
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = 1;
    gy_session *s = NULL;
    gy_error err;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_OK);
    gy_val_result *r = (gy_val_result *)&r;
    ck_assert_int_eq(gy_val(NULL, "d.yaml", NULL, NULL, NULL, &r, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_val(s, NULL, NULL, NULL, NULL, &r, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_val(s, "d.yaml", NULL, NULL, NULL, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "session, data_yaml and out must not be NULL") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_val(s, "d.yaml", NULL, NULL, NULL, &r, &err), GY_ERR_STATE); /* defaults */
    ck_assert_ptr_null(r);
    static const struct {
        int imgsz;
        float conf, iou;
        int max_det;
        gy_status want;
    } cases[] = {
        {32, 0.25f, 0.7f, 300, GY_ERR_STATE},    {8192, 0.25f, 0.7f, 300, GY_ERR_STATE},
        {31, 0.25f, 0.7f, 300, GY_ERR_ARGUMENT}, {8224, 0.25f, 0.7f, 300, GY_ERR_ARGUMENT},
        {48, 0.25f, 0.7f, 300, GY_ERR_ARGUMENT}, {0, 0.25f, 0.7f, 300, GY_ERR_ARGUMENT},
        {64, 0.0f, 0.7f, 300, GY_ERR_STATE},     {64, 1.0f, 0.7f, 300, GY_ERR_STATE},
        {64, -0.001f, 0.7f, 300, GY_ERR_ARGUMENT}, {64, 1.001f, 0.7f, 300, GY_ERR_ARGUMENT},
        {64, NAN, 0.7f, 300, GY_ERR_ARGUMENT},
        {64, 0.25f, 0.0f, 300, GY_ERR_STATE},    {64, 0.25f, 1.0f, 300, GY_ERR_STATE},
        {64, 0.25f, -0.001f, 300, GY_ERR_ARGUMENT}, {64, 0.25f, 1.001f, 300, GY_ERR_ARGUMENT},
        {64, 0.25f, NAN, 300, GY_ERR_ARGUMENT},
        {64, 0.25f, 0.7f, 1, GY_ERR_STATE},      {64, 0.25f, 0.7f, 0, GY_ERR_ARGUMENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_val_params vp = gy_val_default_params();
        vp.imgsz = cases[i].imgsz;
        vp.conf = cases[i].conf;
        vp.iou = cases[i].iou;
        vp.max_det = cases[i].max_det;
        memset(&err, 0, sizeof err);
        gy_status st = gy_val(s, "d.yaml", &vp, NULL, NULL, &r, &err);
        ck_assert_msg(st == cases[i].want, "case %zu: %s (%s)", i, gy_status_str(st), err.message);
        const char *want = st == GY_ERR_STATE ? "gy_val: the model has no weights"
                           : i < 6 ? "must be a multiple of 32 up to 8192"
                                   : "conf and iou must be in [0, 1] and max_det >= 1";
        ck_assert_msg(strstr(err.message, want) != NULL, "case %zu: %s", i, err.message);
    }
    gy_session_free(s);
    gy_model_free(m);
}
END_TEST

/* Every integer argument bound of the YOLOv8 and Ghost rows, at the bound (built) and one past
 * it (refused, naming the argument, its value and the range): Conv's k, s, g and d, GhostConv's
 * k, s and g, GhostBottleneck's k and s, C2f's and C3Ghost's g, SPPF's k, Concat's dimension,
 * Detect's class count. A row follows a 32-channel stem. Every message numbers an argument as the
 * row is written, from 1 (as the row parser does), whatever parse_model puts in before it (c1;
 * the repeats of C2f and C3Ghost). A group count past GY_MAX_CHANNELS meets the row parser's
 * limit on any integer first, a negative Concat dimension its rule on negative arguments. */
START_TEST(module_integer_bounds)
{
    static const struct { const char *row; const char *refused; } cases[] = {
        {"[-1, 1, Conv, [16, %s, 1]]", "15|16|argument 2 = 16 is outside [1, 15]"},
        {"[-1, 1, Conv, [16, %s, 1]]", "1|0|argument 2 = 0 is outside [1, 15]"},
        {"[-1, 1, Conv, [16, 3, %s]]", "8|9|argument 3 = 9 is outside [1, 8]"},
        {"[-1, 1, Conv, [16, 3, %s]]", "1|0|argument 3 = 0 is outside [1, 8]"},
        {"[-1, 1, Conv, [16, 3, 1, None, %s]]", "16|0|argument 5 = 0 is outside [1, 65536]"},
        {"[-1, 1, Conv, [16, 3, 1, None, %s]]", "1|65537|row 1: argument 5 ('65537') is absurdly large (limit 65536)"},
        {"[-1, 1, Conv, [16, 3, 1, None, 1, %s]]", "1|2|argument 6 = 2 is outside [1, 1]"},
        {"[-1, 1, Conv, [16, 3, 1, None, 1, %s]]", "1|0|argument 6 = 0 is outside [1, 1]"},
        {"[-1, 1, GhostConv, [16, %s, 1]]", "15|16|argument 2 = 16 is outside [1, 15]"},
        {"[-1, 1, GhostConv, [16, %s, 1]]", "1|0|argument 2 = 0 is outside [1, 15]"},
        {"[-1, 1, GhostConv, [16, 3, %s]]", "8|9|argument 3 = 9 is outside [1, 8]"},
        {"[-1, 1, GhostConv, [16, 3, %s]]", "1|0|argument 3 = 0 is outside [1, 8]"},
        {"[-1, 1, GhostConv, [16, 3, 1, %s]]", "8|0|argument 4 = 0 is outside [1, 65536]"},
        {"[-1, 1, GhostConv, [16, 3, 1, %s]]", "1|65537|row 1: argument 4 ('65537') is absurdly large (limit 65536)"},
        {"[-1, 1, GhostBottleneck, [32, %s, 1]]", "15|16|argument 2 = 16 is outside [1, 15]"},
        {"[-1, 1, GhostBottleneck, [32, %s, 1]]", "1|0|argument 2 = 0 is outside [1, 15]"},
        {"[-1, 1, GhostBottleneck, [64, 3, %s]]", "2|3|argument 3 = 3 is outside [1, 2]"},
        {"[-1, 1, GhostBottleneck, [32, 3, %s]]", "1|0|argument 3 = 0 is outside [1, 2]"},
        {"[-1, 1, C2f, [32, True, %s]]", "16|0|argument 3 = 0 is outside [1, 65536]"},
        {"[-1, 1, C2f, [32, True, %s]]", "1|65537|row 1: argument 3 ('65537') is absurdly large (limit 65536)"},
        {"[-1, 1, C3Ghost, [32, True, %s]]", "16|0|argument 3 = 0 is outside [1, 65536]"},
        {"[-1, 1, C3Ghost, [32, True, %s]]", "1|65537|row 1: argument 3 ('65537') is absurdly large (limit 65536)"},
        {"[-1, 1, SPPF, [32, %s]]", "31|32|argument 2 = 32 is outside [1, 31]"},
        {"[-1, 1, SPPF, [32, %s]]", "1|0|argument 2 = 0 is outside [1, 31]"},
        {"[[-1, 0], 1, Concat, [%s]]", "1|101|argument 1 = 101 is outside [-100, 100]"},
    };
    char yaml[512], row[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_test_bound b;
        gy_test_bound_parse(cases[i].refused, &b);
        for (int k = 0; k < 2; k++) {
            snprintf(row, sizeof row, cases[i].row, k ? b.bad : b.good);
            snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                        "  - %s\n" HEAD, row);
            if (!k) {
                gy_model_free(load_ok(yaml));
                continue;
            }
            char want[160];
            gy_test_bound_want(want, sizeof want, "m.yaml", strstr(row, ", 1, ") + 5, b.msg);
            expect_fail(yaml, GY_ERR_FORMAT, want);
        }
    }
    /* Detect's class count: 1 is the lower bound, 0 is refused; the upper one (100000) is
     * past the row parser's limit on a written integer and is met through `nc:` */
    snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                "head:\n  - [[-1], 1, Detect, [1]]\n");
    gy_model_free(load_ok(yaml));
    snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                "head:\n  - [[-1], 1, Detect, [0]]\n");
    expect_fail(yaml, GY_ERR_FORMAT, "Detect (row 1): argument 1 = 0 is outside [1, 100000]");
    snprintf(yaml, sizeof yaml, "nc: 100001\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                "head:\n  - [[-1], 1, Detect, [nc]]\n");
    expect_fail(yaml, GY_ERR_FORMAT, "100001");
    /* the repeats C2f and C3Ghost take as their argument after depth scaling: GY_MAX_REPEATS
     * (1024) builds, one more is refused, the message naming them as no written argument */
    static const char *const reps_modules[] = {"C2f", "C3Ghost"};
    for (int i = 0; i < 2; i++) {
        for (int reps = 512; reps <= 513; reps++) {
            snprintf(yaml, sizeof yaml, "nc: 2\ndepth_multiple: 2.0\nbackbone:\n"
                     "  - [-1, 1, Conv, [8, 3, 2]]\n  - [-1, %d, %s, [8]]\n" HEAD, reps,
                     reps_modules[i]);
            if (reps == 512) {
                gy_model_free(load_ok(yaml));
                continue;
            }
            char want[96];
            snprintf(want, sizeof want, "%s (row 1): the repeat count = 1026 is outside [1, 1024]",
                     reps_modules[i]);
            expect_fail(yaml, GY_ERR_FORMAT, want);
        }
    }
}
END_TEST

/* Detect's inputs: 1 to GY_OP_MAX_IN (8) levels. Eight levels (the same map each time) build a
 * head of 8 branches pairs; nine are refused, naming the count. */
START_TEST(detect_level_count)
{
    char yaml[512];
    for (int n = GY_OP_MAX_IN; n <= GY_OP_MAX_IN + 1; n++) {
        int used = snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                               "head:\n  - [[");
        for (int i = 0; i < n; i++)
            used += snprintf(yaml + used, sizeof yaml - (size_t)used, "%s0", i ? ", " : "");
        snprintf(yaml + used, sizeof yaml - (size_t)used, "], 1, Detect, [nc]]\n");
        if (n == GY_OP_MAX_IN) {
            gy_model *m = load_ok(yaml);
            gy_row_info r;
            ck_assert_int_eq(gy_model_get_row(m, 1, &r), GY_OK);
            ck_assert_msg(strstr(r.module, "Detect"), "%s", r.module);
            gy_model_free(m);
        } else {
            char want[96];
            snprintf(want, sizeof want, "Detect (row 1): Detect needs 1 to %d inputs, got %d",
                     GY_OP_MAX_IN, n);
            expect_fail(yaml, GY_ERR_FORMAT, want);
        }
    }
}
END_TEST

/* C2f's expansion e (self.c = int(c2 * e)): the C2f row's parameters worked out by hand for a
 * 32-channel input, c2 32, n 1, shortcut: e 0.25 gives c 8 (cv1 32x16 + BN 32, two 3x3 8x8
 * convs + BN 16 each, cv2 24x32 + BN 64) = 2560; e 0.5 gives c 16 = 7360. e in (0, 4]; a c
 * under 1 is refused. */
START_TEST(c2f_expansion)
{
    static const struct { const char *e; long long params; } ok[] = {
        {"0.25", 2560}, {"0.5", 7360}, {"", 7360}};
    char yaml[512];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                    "  - [-1, 1, C2f, [32, True%s%s%s]]\n" HEAD,
                 *ok[i].e ? ", 1, " : "", ok[i].e, "");
        gy_model *m = load_ok(yaml);
        gy_row_info r;
        ck_assert_int_eq(gy_model_get_row(m, 1, &r), GY_OK);
        ck_assert_msg(r.params == ok[i].params, "e %s: %lld parameters, want %lld", ok[i].e,
                      r.params, ok[i].params);
        gy_model_free(m);
    }
    snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                "  - [-1, 1, C2f, [8, True, 1, 4]]\n" HEAD);
    gy_model_free(load_ok(yaml)); /* the upper bound */
    static const struct { const char *args, *msg; } bad[] = {
        {"8, True, 1, 4.5", "expansion e = 4.5 is out of range"},
        {"8, True, 1, 0", "expansion e = 0 is out of range"},
        {"8, True, 1, 0.0625", "hidden channels int(c2 8 x e 0.0625) = 0, at least 1 needed"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                    "  - [-1, 1, C2f, [%s]]\n" HEAD, bad[i].args);
        expect_fail(yaml, GY_ERR_FORMAT, bad[i].msg);
    }
}
END_TEST

/* Each YOLOv8 / Ghost row with all the arguments it takes is built; one more is refused, naming
 * what it takes (as the torch module's constructor refuses it). */
START_TEST(module_argument_counts)
{
    static const struct { const char *good, *extra, *msg; } cases[] = {
        {"Conv, [16, 3, 1, None, 1, 1, True]", ", 5", "Conv takes [c2, k, s, p, g, d, act], got 8 arguments"},
        {"C2f, [32, True, 1, 0.5]", ", 9", "C2f takes [c2, shortcut, g, e], got 5 arguments"},
        {"SPPF, [32, 5]", ", 9", "SPPF takes [c2, k], got 3 arguments"},
        {"GhostConv, [16, 3, 1, 1, True]", ", 9", "GhostConv takes [c2, k, s, g, act]"},
        {"GhostBottleneck, [32, 3, 1]", ", 9", "GhostBottleneck takes [c2, k, s]"},
        {"DWConv, [32, 3, 1, 1, True]", ", 9", "DWConv takes [c2, k, s, d, act]"},
        {"C3Ghost, [16, True, 1, 0.25]", ", 9", "C3Ghost takes [c2, shortcut, g, e]"},
        {"C2f_GhostBottleneck, [32, True]", ", 1", "takes at most 2 arguments after the channels, got 3"},
    };
    char yaml[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int k = 0; k < 2; k++) {
            snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                        "  - [-1, 1, %.*s%s]]\n" HEAD,
                     (int)strlen(cases[i].good) - 1, cases[i].good, k ? cases[i].extra : "");
            if (!k) {
                gy_model_free(load_ok(yaml));
                continue;
            }
            gy_model *m = (gy_model *)&m;
            gy_error err;
            ck_assert_int_ne(load_yaml(yaml, 0, &m, &err), GY_OK);
            ck_assert_ptr_null(m);
            ck_assert_msg(strstr(err.message, cases[i].msg) && strstr(err.message, "m.yaml:4:"),
                          "%s%s]: %s", cases[i].good, cases[i].extra, err.message);
        }
    /* Concat(dimension) and Detect(nc) (parse_model appends Detect's input channels) */
    snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                "  - [[-1, 0], 1, Concat, [1]]\n" HEAD);
    gy_model_free(load_ok(yaml));
    snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                                "  - [[-1, 0], 1, Concat, [1, 1]]\n" HEAD);
    expect_fail(yaml, GY_ERR_FORMAT, "m.yaml:4: Concat (row 1): Concat takes [dimension], got 2 "
                                     "arguments");
    snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\nhead:\n"
                                "  - [[-1], 1, Detect, [nc, 5]]\n");
    expect_fail(yaml, GY_ERR_FORMAT, "Detect (row 1): Detect takes [nc], got 2 arguments");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("model_contract");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, registry_finds_every_name_exactly);
    tcase_add_test(tc, unknown_module_lists_the_known);
    tcase_add_test(tc, channels_row_each_clause_alone);
    tcase_add_test(tc, channels_from_and_repeats);
    tcase_add_test(tc, repeated_row_needs_equal_channels);
    tcase_add_test(tc, total_repeats_bound);
    tcase_add_test(tc, zoo_row_each_clause_alone);
    tcase_add_test(tc, zoo_channels_bound);
    tcase_add_test(tc, concat_channels_bound);
    tcase_add_test(tc, pass_row_takes_one_input);
    tcase_add_test(tc, upsample_and_concat_arguments);
    tcase_add_test(tc, detect_must_be_last);
    tcase_add_test(tc, load_arguments);
    tcase_add_test(tc, accessor_bounds);
    tcase_add_test(tc, bn_eps_each_clause_alone);
    tcase_add_test(tc, metadata_config_failure_names_the_file);
    tcase_add_test(tc, names_contract);
    tcase_add_test(tc, session_arguments);
    tcase_add_test(tc, val_arguments);
    tcase_add_test(tc, module_integer_bounds);
    tcase_add_test(tc, c2f_expansion);
    tcase_add_test(tc, detect_level_count);
    tcase_add_test(tc, module_argument_counts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(suite()); }

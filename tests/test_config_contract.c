/* test_config_contract.c - the contract of the model YAML reader (configs/config.c, config_yaml.c,
 * config_format.c), condition by condition: each clause of a validity check failing alone with
 * the others valid, each bound at its limit (accepted, with the value read) and one past it
 * (refused, with the status and the message naming file:line); the scalar typing (YAML 1.1, then
 * ast.literal_eval) entry by entry at the edges of each grammar rule; the scaling rules at their
 * clamps. test_config.c holds the shipped files, ultralytics' tables and the first error list. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs/config.h"
#include "testutil.h"

/* ------------------------------------------------------------------------------------------------
 * Helpers */

static gy_status load(const char *yaml, const char *scale, int nc, gy_config **cfg, gy_error *err)
{
    memset(err, 0, sizeof *err);
    *cfg = (gy_config *)cfg; /* must be reset */
    return gy_config_load_string(yaml, strlen(yaml), "c.yaml", scale, nc, cfg, err);
}

static gy_config *ok_ex(const char *yaml, const char *scale, int nc)
{
    gy_config *cfg;
    gy_error err;
    gy_status st = load(yaml, scale, nc, &cfg, &err);
    ck_assert_msg(st == GY_OK, "%s\n--- yaml:\n%.600s", err.message, yaml);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

static gy_config *ok(const char *yaml) { return ok_ex(yaml, NULL, 0); }

static void refused_ex(const char *yaml, const char *scale, int nc, gy_status want, const char *substr)
{
    gy_config *cfg;
    gy_error err;
    gy_status st = load(yaml, scale, nc, &cfg, &err);
    ck_assert_msg(st == want, "status %s, expected %s (%s)\n--- yaml:\n%.600s", gy_status_str(st),
                  gy_status_str(want), err.message, yaml);
    ck_assert_ptr_null(cfg);
    ck_assert_int_eq(err.status, want);
    ck_assert_msg(strstr(err.message, substr) != NULL, "message \"%s\" lacks \"%s\"", err.message,
                  substr);
}

static void refused(const char *yaml, gy_status want, const char *substr)
{
    refused_ex(yaml, NULL, 0, want, substr);
}

#define ROW0 "backbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
#define HEAD "head:\n  - [[-1], 1, Detect, [nc]]\n"
#define MIN "nc: 2\n" ROW0 HEAD

/* A YAML with one top-level line `extra` before the rows (line 2). */
static const char *with(const char *extra)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "nc: 2\n%s" ROW0 HEAD, extra);
    return buf;
}

/* A YAML whose row 1 (line 4) is `row`. */
static const char *row1(const char *row)
{
    static char buf[8192];
    snprintf(buf, sizeof buf, "nc: 2\n" ROW0 "  - %s\n" HEAD, row);
    return buf;
}

static char *repeat_str(char ch, size_t n)
{
    static char buf[2][2048];
    static int slot;
    char *b = buf[slot++ % 2];
    ck_assert(n < sizeof buf[0]);
    memset(b, ch, n);
    b[n] = '\0';
    return b;
}

/* ------------------------------------------------------------------------------------------------
 * Top level: keys, nc, ch, the multiples, scale, yaml_file, the row lists */

START_TEST(top_level_keys_bound)
{
    /* root->count / 2 > 256: 256 keys in all accepted, 257 refused */
    size_t cap = 257 * 16 + 256;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    for (int keys = 256; keys <= 257; keys++) {
        size_t used = (size_t)snprintf(text, cap, "nc: 2\n" ROW0 HEAD);
        for (int k = 3; k < keys; k++)
            used += (size_t)snprintf(text + used, cap - used, "k%d: 1\n", k);
        if (keys == 256) {
            gy_config *cfg = ok(text);
            ck_assert_int_eq(cfg->nrows, 2);
            gy_config_free(cfg);
        } else {
            refused(text, GY_ERR_UNSUPPORTED, "c.yaml:1: more than 256 top-level keys");
        }
    }
    free(text);
    refused("nc: 2\n[a]: 1\n" ROW0 HEAD, GY_ERR_FORMAT, "c.yaml:2: a top-level key must be a word, got a list");
    refused("nc: 2\n" ROW0 HEAD "backbone: []\n", GY_ERR_FORMAT,
         "c.yaml:6: duplicate top-level key 'backbone' (first at line 2)");
}
END_TEST

START_TEST(activation_key)
{
    gy_config *cfg = ok(with("activation:\n"));
    gy_config_free(cfg);
    cfg = ok(with("activation: ~\n"));
    gy_config_free(cfg);
    refused(with("activation: [a]\n"), GY_ERR_UNSUPPORTED, "c.yaml:2: activation: a list is not supported");
    refused(with("activation: 'null'\n"), GY_ERR_UNSUPPORTED, "c.yaml:2: activation: 'null' is not supported");
}
END_TEST

START_TEST(nc_and_ch_bounds)
{
    static const struct {
        const char *yaml;
        int nc, ch;
    } good[] = {{"nc: 1\n" ROW0 HEAD, 1, 3},
                {"nc: 100000\n" ROW0 HEAD, 100000, 3},
                {"nc: 0x10\n" ROW0 HEAD, 16, 3},
                {"nc: 2\nch: 1\n" ROW0 HEAD, 2, 1},
                {"nc: 2\nch: 65536\n" ROW0 HEAD, 2, 65536}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        gy_config *cfg = ok(good[i].yaml);
        ck_assert_int_eq(cfg->nc, good[i].nc);
        ck_assert_int_eq(cfg->ch, good[i].ch);
        ck_assert_int_eq(cfg->rows[1].args[0].i, good[i].nc); /* Detect's nc resolved */
        gy_config_free(cfg);
    }
    refused("nc: 0\n" ROW0 HEAD, GY_ERR_FORMAT, "c.yaml:1: nc '0' is out of range [1, 100000]");
    refused("nc: 100001\n" ROW0 HEAD, GY_ERR_FORMAT, "c.yaml:1: nc '100001' is out of range [1, 100000]");
    refused("nc: 99999999999999999999\n" ROW0 HEAD, GY_ERR_FORMAT, "nc '99999999999999999999' is out of range");
    refused("nc: [2]\n" ROW0 HEAD, GY_ERR_FORMAT, "c.yaml:1: nc must be an integer, got a list");
    refused("nc:\n" ROW0 HEAD, GY_ERR_FORMAT, "c.yaml:1: nc must be an integer, got nothing");
    refused("nc: '2'\n" ROW0 HEAD, GY_ERR_FORMAT, "c.yaml:1: nc must be an integer, got '2'");
    refused(with("ch: 0\n"), GY_ERR_FORMAT, "c.yaml:2: ch (input channels) '0' is out of range [1, 65536]");
    refused(with("ch: 65537\n"), GY_ERR_FORMAT, "c.yaml:2: ch (input channels) '65537' is out of range");
    /* a long value is cut at 40 characters in the message, with "..." */
    char line[128];
    snprintf(line, sizeof line, "ch: %s\n", repeat_str('x', 40));
    refused(with(line), GY_ERR_FORMAT, "must be an integer, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\0");
    gy_config *cfg;
    gy_error err;
    ck_assert_int_eq(load(with(line), NULL, 0, &cfg, &err), GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "...") == NULL, "%s", err.message);
    snprintf(line, sizeof line, "ch: %s\n", repeat_str('x', 41));
    refused(with(line), GY_ERR_FORMAT, "got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'...");
}
END_TEST

/* depth_multiple / width_multiple in (0, 16]: each at 16 and just inside 0 accepted, 0 and just
 * past 16 refused; has_multiples when either is given. */
START_TEST(multiples_bounds)
{
    static const char *const keys[2] = {"depth_multiple", "width_multiple"};
    for (int k = 0; k < 2; k++) {
        char line[96];
        snprintf(line, sizeof line, "%s: 16\n", keys[k]);
        gy_config *cfg = ok(with(line));
        ck_assert(cfg->has_multiples);
        ck_assert(k ? cfg->width == 16.0 && cfg->depth == 1.0 : cfg->depth == 16.0 && cfg->width == 1.0);
        gy_config_free(cfg);
        snprintf(line, sizeof line, "%s: 1e-300\n", keys[k]); /* plain: a Python float string */
        refused(with(line), GY_ERR_FORMAT, "must be a finite number, got '1e-300'");
        snprintf(line, sizeof line, "%s: 0.000001\n", keys[k]);
        cfg = ok(with(line));
        ck_assert(k ? cfg->width == 0.000001 : cfg->depth == 0.000001);
        gy_config_free(cfg);
        char want[96];
        snprintf(line, sizeof line, "%s: 0\n", keys[k]);
        snprintf(want, sizeof want, "c.yaml:2: %s 0 is not in (0, 16]", keys[k]);
        refused(with(line), GY_ERR_FORMAT, want);
        snprintf(line, sizeof line, "%s: 16.000001\n", keys[k]);
        snprintf(want, sizeof want, "c.yaml:2: %s 16 is not in (0, 16]", keys[k]);
        refused(with(line), GY_ERR_FORMAT, want);
        snprintf(line, sizeof line, "%s: 17\n", keys[k]);
        snprintf(want, sizeof want, "c.yaml:2: %s 17 is not in (0, 16]", keys[k]);
        refused(with(line), GY_ERR_FORMAT, want);
        snprintf(line, sizeof line, "%s: .nan\n", keys[k]);
        snprintf(want, sizeof want, "c.yaml:2: %s must be a finite number, got '.nan'", keys[k]);
        refused(with(line), GY_ERR_FORMAT, want);
    }
    /* YAML 1.1 floats need a signed exponent; without one the text is a string (no literal_eval) */
    gy_config *cfg = ok(with("depth_multiple: 1.5e+0\nwidth_multiple: 2.5E-1\n"));
    ck_assert(cfg->depth == 1.5 && cfg->width == 0.25);
    gy_config_free(cfg);
    refused(with("depth_multiple: 1.5e0\n"), GY_ERR_FORMAT, "c.yaml:2: depth_multiple must be a finite number, got '1.5e0'");
    cfg = ok(MIN);
    ck_assert(!cfg->has_multiples);
    ck_assert(cfg->depth == 1.0 && cfg->width == 1.0);
    ck_assert_str_eq(cfg->scale_source, "none");
    ck_assert_int_eq(cfg->max_channels, INT_MAX);
    gy_config_free(cfg);
}
END_TEST

/* Older YAMLs: the depth/width pair of a yolov8.yaml scale names it; any other pair leaves "". */
START_TEST(multiples_name_the_v8_scale)
{
    static const struct {
        const char *extra, *scale;
    } cases[] = {{"depth_multiple: 0.33\nwidth_multiple: 0.25\n", "n"},
                 {"depth_multiple: 0.33\nwidth_multiple: 0.50\n", "s"},
                 {"depth_multiple: 0.67\nwidth_multiple: 0.75\n", "m"},
                 {"depth_multiple: 1.0\nwidth_multiple: 1.0\n", "l"},
                 {"depth_multiple: 1.0\n", "l"},
                 {"width_multiple: 1.25\n", "x"},
                 {"depth_multiple: 0.33\n", ""},
                 {"depth_multiple: 0.34\nwidth_multiple: 0.25\n", ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_config *cfg = ok(with(cases[i].extra));
        ck_assert_msg(strcmp(cfg->scale, cases[i].scale) == 0, "%s: scale '%s'", cases[i].extra, cfg->scale);
        ck_assert_str_eq(cfg->scale_source, "depth/width multiples");
        gy_config_free(cfg);
    }
    /* a scale asked for, but only multiples: refused, saying why; without multiples, shorter */
    refused_ex(with("depth_multiple: 0.5\n"), "n", 0, GY_ERR_ARGUMENT,
            "c.yaml:1: scale 'n' requested, but the file defines no scales (it uses "
            "depth_multiple/width_multiple)");
    refused_ex(with("width_multiple: 0.5\n"), "n", 0, GY_ERR_ARGUMENT, "(it uses depth_multiple");
    gy_config *cfg;
    gy_error err;
    ck_assert_int_eq(load(MIN, "n", 0, &cfg, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "scale 'n' requested, but the file defines no scales") != NULL &&
                      strstr(err.message, "(it uses") == NULL, "%s", err.message);
    /* an empty override is no override */
    cfg = ok_ex(MIN, "", 0);
    ck_assert_str_eq(cfg->scale, "");
    gy_config_free(cfg);
}
END_TEST

/* scales: each field of a scale at its bounds; names 1..15 characters; at most 16 scales. */
START_TEST(scales_contract)
{
    gy_config *cfg = ok(with("scales:\n"));
    ck_assert_int_eq(cfg->nscales, 0);
    gy_config_free(cfg);
    refused(with("scales: 3\n"), GY_ERR_FORMAT,
         "c.yaml:2: scales must be a mapping key: [depth, width, max_channels], got '3'");
    refused(with("scales: [1, 2, 3]\n"), GY_ERR_FORMAT, "scales must be a mapping key");

    /* depth, width in (0, 16]; max_channels in [1, 65536] */
    cfg = ok(with("scales:\n  a: [16, 16, 65536]\n  b: [0.001, 0.001, 1]\n"));
    ck_assert_int_eq(cfg->nscales, 2);
    ck_assert(cfg->scales[0].depth == 16.0 && cfg->scales[0].width == 16.0);
    ck_assert_int_eq(cfg->scales[0].max_channels, 65536);
    ck_assert(cfg->scales[1].depth == 0.001 && cfg->scales[1].width == 0.001);
    ck_assert_int_eq(cfg->scales[1].max_channels, 1);
    ck_assert_str_eq(cfg->scale, "a");
    ck_assert(cfg->depth == 16.0 && cfg->width == 16.0);
    ck_assert_int_eq(cfg->max_channels, 65536);
    gy_config_free(cfg);
    refused(with("scales:\n  a: [0, 1, 8]\n"), GY_ERR_FORMAT, "c.yaml:3: scale 'a': depth 0 is not in (0, 16]");
    refused(with("scales:\n  a: [16.5, 1, 8]\n"), GY_ERR_FORMAT, "scale 'a': depth 16.5 is not in (0, 16]");
    refused(with("scales:\n  a: [1, 0, 8]\n"), GY_ERR_FORMAT, "scale 'a': width 0 is not in (0, 16]");
    refused(with("scales:\n  a: [1, 16.5, 8]\n"), GY_ERR_FORMAT, "scale 'a': width 16.5 is not in (0, 16]");
    refused(with("scales:\n  a: [1, -1, 8]\n"), GY_ERR_FORMAT, "scale 'a': width -1 is not in (0, 16]");
    refused(with("scales:\n  a: [1, 1, 0]\n"), GY_ERR_FORMAT, "c.yaml:3: max_channels '0' is out of range [1, 65536]");
    refused(with("scales:\n  a: [1, 1, 65537]\n"), GY_ERR_FORMAT, "max_channels '65537' is out of range");
    refused(with("scales:\n  a: [1, 1, 8.0]\n"), GY_ERR_FORMAT, "max_channels must be an integer, got '8.0'");
    refused(with("scales:\n  a: [x, 1, 8]\n"), GY_ERR_FORMAT, "scale depth must be a finite number, got 'x'");
    refused(with("scales:\n  a: [1, 1]\n"), GY_ERR_FORMAT,
         "scale 'a' must be a list [depth, width, max_channels], got a list of fewer than 3 values");
    refused(with("scales:\n  a: [1, 1, 8, 9]\n"), GY_ERR_FORMAT, "got a list of more than 3 values");
    refused(with("scales:\n  a: 1\n"), GY_ERR_FORMAT, "scale 'a' must be a list [depth, width, max_channels], got '1'");

    /* the name: a scalar of 1 to 15 characters */
    char text[1024];
    snprintf(text, sizeof text, "scales:\n  %s: [1, 1, 8]\n", repeat_str('k', 15));
    cfg = ok(with(text));
    ck_assert_str_eq(cfg->scales[0].key, repeat_str('k', 15));
    gy_config_free(cfg);
    snprintf(text, sizeof text, "scales:\n  %s: [1, 1, 8]\n", repeat_str('k', 16));
    refused(with(text), GY_ERR_FORMAT, "c.yaml:3: a scale name must be a short word (1 to 15 characters), got 'kkkk");
    refused(with("scales:\n  '': [1, 1, 8]\n"), GY_ERR_FORMAT, "a scale name must be a short word");
    refused(with("scales:\n  [a]: [1, 1, 8]\n"), GY_ERR_FORMAT, "a scale name must be a short word (1 to 15 characters), got a list");

    /* 16 scales accepted, the 17th refused */
    size_t used = (size_t)snprintf(text, sizeof text, "scales:\n");
    for (int i = 0; i < 17; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "  s%d: [1, 1, %d]\n", i, 8 * (i + 1));
    refused(with(text), GY_ERR_UNSUPPORTED, "c.yaml:19: more than 16 scales");
    *strstr(text, "  s16:") = '\0';
    cfg = ok_ex(with(text), "s15", 0);
    ck_assert_int_eq(cfg->nscales, 16);
    ck_assert_int_eq(cfg->max_channels, 128);
    ck_assert_str_eq(cfg->scale_source, "parameter");
    gy_config_free(cfg);
}
END_TEST

/* The scale: parameter, then the `scale:` key, then the file name, then the first (warned). */
START_TEST(scale_choice)
{
    const char *two = "scales:\n  n: [0.33, 0.25, 1024]\n  s: [0.33, 0.5, 1024]\n";
    char text[512];
    gy_config *cfg = ok_ex(with(two), "s", 0);
    ck_assert_str_eq(cfg->scale, "s");
    ck_assert_str_eq(cfg->scale_source, "parameter");
    ck_assert(cfg->width == 0.5);
    ck_assert_str_eq(cfg->warning, "");
    gy_config_free(cfg);
    refused_ex(with(two), "x", 0, GY_ERR_ARGUMENT, "c.yaml:2: scale 'x' is not defined in scales (available: n, s)");

    snprintf(text, sizeof text, "%sscale: s\n", two);
    cfg = ok(with(text));
    ck_assert_str_eq(cfg->scale, "s");
    ck_assert_str_eq(cfg->yaml_scale, "s");
    ck_assert_str_eq(cfg->scale_source, "yaml scale key");
    gy_config_free(cfg);
    cfg = ok_ex(with(text), "n", 0); /* the parameter wins */
    ck_assert_str_eq(cfg->scale, "n");
    gy_config_free(cfg);
    snprintf(text, sizeof text, "%sscale:\n", two); /* null: no key */
    cfg = ok(with(text));
    ck_assert_str_eq(cfg->yaml_scale, "");
    ck_assert_str_eq(cfg->scale, "n");
    ck_assert_str_eq(cfg->scale_source, "first scale (default)");
    ck_assert_msg(strstr(cfg->warning, "c.yaml: no model scale passed. Assuming scale='n'.") != NULL, "%s", cfg->warning);
    gy_config_free(cfg);
    snprintf(text, sizeof text, "%sscale: [s]\n", two);
    refused(with(text), GY_ERR_FORMAT, "scale must be a scale name, got a list");
    snprintf(text, sizeof text, "%sscale: %s\n", two, repeat_str('q', 15));
    refused(with(text), GY_ERR_FORMAT, "scale 'qqqqqqqqqqqqqqq' is not defined in scales (available: n, s)");
    snprintf(text, sizeof text, "%sscale: %s\n", two, repeat_str('q', 16));
    refused(with(text), GY_ERR_FORMAT, "scale must be a scale name, got 'qqqq");

    /* the file name */
    gy_error err;
    const char *y = with(two);
    cfg = NULL;
    ck_assert_int_eq(gy_config_load_string(y, strlen(y), "dir/yolov8s-p2.yaml", NULL, 0, &cfg, &err), GY_OK);
    ck_assert_str_eq(cfg->scale, "s");
    ck_assert_str_eq(cfg->scale_source, "file name");
    gy_config_free(cfg);
    ck_assert_int_eq(gy_config_load_string(y, strlen(y), "dir/yolov8x.yaml", NULL, 0, &cfg, &err), GY_OK);
    ck_assert_str_eq(cfg->scale, "n");
    ck_assert_str_eq(cfg->scale_source, "first scale (default)");
    ck_assert_str_eq(cfg->warning, "yolov8x.yaml: scale 'x' from the file name is not in scales (n, s). "
                                   "Assuming scale='n'.");
    gy_config_free(cfg);
}
END_TEST

START_TEST(yaml_file_key)
{
    char text[600];
    snprintf(text, sizeof text, "yaml_file: dir/%s.yaml\n", repeat_str('y', 246)); /* 255 chars */
    gy_config *cfg = ok(with(text));
    ck_assert_int_eq((int)strlen(cfg->yaml_file), 255);
    ck_assert_int_eq((int)strlen(cfg->name), 246); /* named after the key's stem */
    gy_config_free(cfg);
    snprintf(text, sizeof text, "yaml_file: dir/%s.yaml\n", repeat_str('y', 247)); /* 256: ignored */
    cfg = ok(with(text));
    ck_assert_str_eq(cfg->yaml_file, "");
    ck_assert_str_eq(cfg->name, "c");
    gy_config_free(cfg);
    cfg = ok(with("yaml_file: [a]\n"));
    ck_assert_str_eq(cfg->yaml_file, "");
    gy_config_free(cfg);
}
END_TEST

START_TEST(row_lists)
{
    refused("nc: 2\n" HEAD, GY_ERR_FORMAT, "c.yaml:1: missing required key 'backbone'");
    refused("nc: 2\n" ROW0, GY_ERR_FORMAT, "c.yaml:1: missing required key 'head'");
    refused("nc: 2\nbackbone: 1\n" HEAD, GY_ERR_FORMAT, "c.yaml:2: backbone must be a list of rows, got '1'");
    refused("nc: 2\n" ROW0 "head: {a: 1}\n", GY_ERR_FORMAT, "c.yaml:4: head must be a list of rows, got a mapping");
    /* one row in either list is enough for the reader */
    gy_config *cfg = ok("nc: 2\nbackbone: []\n" HEAD);
    ck_assert_int_eq(cfg->nrows, 1);
    ck_assert_int_eq(cfg->nbackbone, 0);
    gy_config_free(cfg);
    cfg = ok("nc: 2\n" ROW0 "head: []\n");
    ck_assert_int_eq(cfg->nrows, 1);
    ck_assert_int_eq(cfg->nbackbone, 1);
    gy_config_free(cfg);
    /* more than GY_MAX_ROWS in the head: named at the first row past the limit */
    size_t cap = 64 + (size_t)(GY_MAX_ROWS + 2) * 32;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t used = (size_t)snprintf(text, cap, "nc: 2\n" ROW0 "head:\n");
    for (int i = 1; i <= GY_MAX_ROWS; i++)
        used += (size_t)snprintf(text + used, cap - used, "  - [-1, 1, Conv, [8]]\n");
    char want[64];
    snprintf(want, sizeof want, "c.yaml:%d: more than %d rows", 4 + GY_MAX_ROWS, GY_MAX_ROWS);
    refused(text, GY_ERR_UNSUPPORTED, want);
    /* exactly GY_MAX_ROWS (one backbone row and GY_MAX_ROWS - 1 head rows) is read */
    *strrchr(text, '-') = '\0';
    *strrchr(text, '\n') = '\0';
    strcat(text, "\n");
    gy_config *all = ok(text);
    ck_assert_int_eq(all->nrows, GY_MAX_ROWS);
    gy_config_free(all);
    free(text);
    /* GY_MAX_ROWS in the backbone and one head row: named at the head row */
    cap = 64 + (size_t)(GY_MAX_ROWS + 2) * 32;
    text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    used = (size_t)snprintf(text, cap, "nc: 2\nbackbone:\n");
    for (int i = 0; i < GY_MAX_ROWS; i++)
        used += (size_t)snprintf(text + used, cap - used, "  - [-1, 1, Conv, [8]]\n");
    snprintf(text + used, cap - used, "head:\n  - [-1, 1, Conv, [8]]\n");
    snprintf(want, sizeof want, "c.yaml:%d: more than %d rows", 3 + GY_MAX_ROWS + 1, GY_MAX_ROWS);
    refused(text, GY_ERR_UNSUPPORTED, want);
    free(text);
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * Rows: from, repeats, module, args */

START_TEST(row_shape)
{
    refused(row1("[-1, 1, Conv]"), GY_ERR_FORMAT, "c.yaml:4: row 1 must be a list of 4 items [from, repeats, module, args], got 3 items");
    refused(row1("[-1, 1, Conv, [8], 1]"), GY_ERR_FORMAT, "row 1 must be a list of 4 items [from, repeats, module, args], got 5 items");
    refused(row1("{a: 1}"), GY_ERR_FORMAT, "row 1 must be a list of 4 items [from, repeats, module, args], got a mapping");
}
END_TEST

START_TEST(from_contract)
{
    /* row 0: only -1 (the input); later rows: -index .. index-1 */
    gy_config *cfg = ok("nc: 2\n" ROW0 "  - [-1, 1, Conv, [8]]\n  - [-2, 1, Conv, [8]]\n  - [0, 1, Conv, [8]]\n"
                        "  - [[-4, 3, 2], 1, Concat, [1]]\n" HEAD);
    ck_assert_int_eq(cfg->rows[0].from[0], -1);
    ck_assert_int_eq(cfg->rows[0].from_is_list, 0);
    ck_assert_int_eq(cfg->rows[2].from[0], -2);
    ck_assert_int_eq(cfg->rows[3].from[0], 0);
    ck_assert_int_eq(cfg->rows[4].nfrom, 3);
    ck_assert_int_eq(cfg->rows[4].from[0], -4);
    ck_assert_int_eq(cfg->rows[4].from[1], 3);
    ck_assert_int_eq(cfg->rows[4].from_is_list, 1);
    char buf[64];
    gy_row_format_from(&cfg->rows[4], buf, sizeof buf);
    ck_assert_str_eq(buf, "[-4, 3, 2]");
    gy_row_format_from(&cfg->rows[0], buf, sizeof buf);
    ck_assert_str_eq(buf, "-1");
    gy_row_format_from(&cfg->rows[5], buf, sizeof buf);
    ck_assert_str_eq(buf, "[-1]");
    gy_row_format_from(&cfg->rows[4], buf, 5); /* cut, terminated */
    ck_assert_str_eq(buf, "[-4,");
    gy_config_free(cfg);
    refused(row1("[-2, 1, Conv, [8]]"), GY_ERR_FORMAT, "c.yaml:4: row 1: `from` '-2' points before the first row");
    refused(row1("[1, 1, Conv, [8]]"), GY_ERR_FORMAT, "row 1: `from` 1 points to row 1, which is not an earlier row");
    refused("nc: 2\nbackbone:\n  - [[-1, -2], 1, Concat, [1]]\n" HEAD, GY_ERR_FORMAT,
         "c.yaml:3: row 0: `from` '-2' points before the first row (row 0 may only use -1, the input)");
    cfg = ok("nc: 2\nbackbone:\n  - [[-1, -1], 1, Concat, [1]]\n" HEAD); /* -1 in a list too */
    ck_assert_int_eq(cfg->rows[0].nfrom, 2);
    ck_assert_int_eq(cfg->rows[0].from[1], -1);
    gy_config_free(cfg);
    refused(row1("[-9223372036854775809, 1, Conv, [8]]"), GY_ERR_FORMAT,
         "row 1: `from` '-9223372036854775809' is out of range");
    refused(row1("[{a: 1}, 1, Conv, [8]]"), GY_ERR_FORMAT, "row 1: `from` must be an integer or a list of integers, got a mapping");
    refused(row1("[x, 1, Conv, [8]]"), GY_ERR_FORMAT, "row 1: `from` must be an integer or a list of integers, got 'x'");
    refused(row1("[[0, '0'], 1, Concat, [1]]"), GY_ERR_FORMAT, "row 1: `from` must be an integer or a list of integers, got '0'");
    refused(row1("[[[0]], 1, Conv, [8]]"), GY_ERR_FORMAT, "row 1: `from` must be an integer or a list of integers, got a list");
    /* 16 inputs accepted, 17 refused */
    char row[256];
    size_t used = (size_t)snprintf(row, sizeof row, "[[0");
    for (int i = 1; i < 16; i++)
        used += (size_t)snprintf(row + used, sizeof row - used, ", 0");
    snprintf(row + used, sizeof row - used, "], 1, Concat, [1]]");
    cfg = ok(row1(row));
    ck_assert_int_eq(cfg->rows[1].nfrom, 16);
    gy_config_free(cfg);
    memmove(row + 3, row, strlen(row) + 1);
    memcpy(row, "[[0", 3);
    memcpy(row + 3, ", 0", 3);
    refused(row1(row), GY_ERR_UNSUPPORTED, "c.yaml:4: row 1: `from` lists 17 inputs, more than the 16 supported");
}
END_TEST

START_TEST(repeats_bounds)
{
    gy_config *cfg = ok(row1("[-1, 1024, Conv, [8]]"));
    ck_assert_int_eq(cfg->rows[1].repeats, 1024);
    gy_config_free(cfg);
    cfg = ok(row1("[-1, 1, Conv, [8]]"));
    ck_assert_int_eq(cfg->rows[1].repeats, 1);
    gy_config_free(cfg);
    refused(row1("[-1, 1025, Conv, [8]]"), GY_ERR_FORMAT, "c.yaml:4: row 1: repeats '1025' is out of range [1, 1024]");
    refused(row1("[-1, 0, Conv, [8]]"), GY_ERR_FORMAT, "row 1: repeats '0' is out of range [1, 1024]");
    refused(row1("[-1, -1, Conv, [8]]"), GY_ERR_FORMAT, "row 1: repeats '-1' is out of range");
    refused(row1("[-1, 18446744073709551617, Conv, [8]]"), GY_ERR_FORMAT, "repeats '18446744073709551617' is out of range");
    refused(row1("[-1, [1], Conv, [8]]"), GY_ERR_FORMAT, "row 1: repeats must be a positive integer, got a list");
    refused(row1("[-1, 1.0, Conv, [8]]"), GY_ERR_FORMAT, "row 1: repeats must be a positive integer, got '1.0'");
}
END_TEST

START_TEST(module_name_contract)
{
    char row[256];
    snprintf(row, sizeof row, "[-1, 1, %s, [8]]", repeat_str('M', 63));
    gy_config *cfg = ok(row1(row));
    ck_assert_str_eq(cfg->rows[1].module, repeat_str('M', 63));
    gy_config_free(cfg);
    snprintf(row, sizeof row, "[-1, 1, %s, [8]]", repeat_str('M', 64));
    refused(row1(row), GY_ERR_FORMAT, "row 1: module name of 64 characters is too long (limit 63)");
    cfg = ok(row1("[-1, 1, nn.My_Mod2, [8]]"));
    ck_assert_str_eq(cfg->rows[1].module, "nn.My_Mod2");
    gy_config_free(cfg);
    refused(row1("[-1, 1, My-Mod, [8]]"), GY_ERR_FORMAT, "row 1: module name 'My-Mod' has a character other than");
    refused(row1("[-1, 1, 'A b', [8]]"), GY_ERR_FORMAT, "module name 'A b' has a character");
    refused(row1("[-1, 1, True, [8]]"), GY_ERR_FORMAT, "row 1: the module must be a name, got 'True'");
    refused(row1("[-1, 1, {a: 1}, [8]]"), GY_ERR_FORMAT, "row 1: the module must be a name, got a mapping");
    refused(row1("[-1, 1, ~, [8]]"), GY_ERR_FORMAT, "row 1: the module must be a name, got '~'");
    refused("nc: 2\nbackbone:\n  - - -1\n    - 1\n    -\n    - [8]\n" HEAD, GY_ERR_FORMAT,
            "c.yaml:5: row 0: the module must be a name, got nothing");
    /* a quoted name is taken as written (PyYAML: a str) */
    cfg = ok(row1("[-1, 1, '12', [8]]"));
    ck_assert_str_eq(cfg->rows[1].module, "12");
    gy_config_free(cfg);
}
END_TEST

START_TEST(args_count_and_strings)
{
    char row[512];
    size_t used = (size_t)snprintf(row, sizeof row, "[-1, 1, Conv, [0");
    for (int i = 1; i < 16; i++)
        used += (size_t)snprintf(row + used, sizeof row - used, ", %d", i);
    snprintf(row + used, sizeof row - used, "]]");
    gy_config *cfg = ok(row1(row));
    ck_assert_int_eq(cfg->rows[1].nargs, 16);
    ck_assert_int_eq(cfg->rows[1].args[15].i, 15);
    gy_config_free(cfg);
    cfg = ok(row1("[-1, 1, Conv, []]"));
    ck_assert_int_eq(cfg->rows[1].nargs, 0);
    gy_config_free(cfg);
    /* strings up to 63 characters */
    snprintf(row, sizeof row, "[-1, 1, Conv, [%s]]", repeat_str('s', 63));
    cfg = ok(row1(row));
    ck_assert_int_eq(cfg->rows[1].args[0].type, GY_ARG_STR);
    ck_assert_str_eq(cfg->rows[1].args[0].s, repeat_str('s', 63));
    gy_config_free(cfg);
    snprintf(row, sizeof row, "[-1, 1, Conv, [%s]]", repeat_str('s', 64));
    refused(row1(row), GY_ERR_FORMAT, "row 1: argument 1 is a string of 64 characters (limit 63)");
    refused(row1("[-1, 1, Conv, {a: 1}]"), GY_ERR_FORMAT, "row 1: args must be a list, got a mapping");
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * Scalar typing of an argument: YAML 1.1 resolution, then ast.literal_eval of what stays a string */

typedef struct arg_case {
    const char *text;
    int type;          /* gy_arg_type, or -1: refused */
    const char *want;  /* printed value, or a message fragment */
} arg_case;

static const arg_case arg_cases[] = {
    /* integers: bounds of the value */
    {"65536", GY_ARG_INT, "65536"},
    {"65537", -1, "argument 2 ('65537') is absurdly large (limit 65536)"},
    {"0", GY_ARG_INT, "0"},
    {"-0", GY_ARG_INT, "0"},
    {"+7", GY_ARG_INT, "7"},
    {"-1", -1, "argument 2 (-1) is negative"},
    {"-9223372036854775808", -1, "argument 2 (-9223372036854775808) is negative"},
    {"-9223372036854775809", -1, "argument 2 ('-9223372036854775809') is absurdly large"},
    {"9223372036854775807", -1, "absurdly large"},
    {"18446744073709551616", -1, "absurdly large"},
    {"0x10000", GY_ARG_INT, "65536"},
    {"0x10001", -1, "absurdly large"},
    {"0xFFFFFFFFFFFFFFFFF", -1, "absurdly large"},
    /* YAML 1.1 bases and underscores */
    {"0b101", GY_ARG_INT, "5"},
    {"0b_1_0", GY_ARG_INT, "2"},
    {"0b102", GY_ARG_STR, "'0b102'"},
    {"0b", GY_ARG_STR, "'0b'"},
    {"0x1F", GY_ARG_INT, "31"},
    {"0xff", GY_ARG_INT, "255"},
    {"0x1g", GY_ARG_STR, "'0x1g'"},
    {"017", GY_ARG_INT, "15"},
    {"0_17", GY_ARG_INT, "15"},
    {"08", GY_ARG_STR, "'08'"},
    {"07", GY_ARG_INT, "7"},
    {"1_000", GY_ARG_INT, "1000"},
    {"9", GY_ARG_INT, "9"},
    {"_1", GY_ARG_STR, "'_1'"},
    /* YAML 1.1 floats (a '.' required; exponent with a sign) */
    {"1.5", GY_ARG_FLOAT, "1.5"},
    {"1.", GY_ARG_FLOAT, "1.0"},
    {".5", GY_ARG_FLOAT, "0.5"},
    {"1_0.2_5", GY_ARG_FLOAT, "10.25"},
    {"1.5e+3", GY_ARG_FLOAT, "1500.0"},
    {"1.5E-1", GY_ARG_FLOAT, "0.15"},
    {"65536.0", GY_ARG_FLOAT, "65536.0"},
    {"65536.5", -1, "argument 2 ('65536.5') is not a sensible number"},
    {"-65537.0", -1, "argument 2 ('-65537.0') is not a sensible number"},
    {"-0.5", -1, "argument 2 ('-0.5') is negative"},
    {"-.5", -1, "argument 2 ('-.5') is negative"},
    {"0.0", GY_ARG_FLOAT, "0.0"},
    {".inf", -1, "is not a sensible number"},
    {"-.inf", -1, "is not a sensible number"},
    {"+.Inf", -1, "is not a sensible number"},
    {".NaN", -1, "is not a sensible number"},
    {"-.nan", GY_ARG_STR, "'-.nan'"},
    {".x", GY_ARG_STR, "'.x'"},
    {"1.5e+", GY_ARG_STR, "'1.5e+'"},
    {"1.5ex", GY_ARG_STR, "'1.5ex'"},
    {"1.5e+3x", GY_ARG_STR, "'1.5e+3x'"},
    {"1.2.3", GY_ARG_STR, "'1.2.3'"},
    /* Python literals (plain strings to YAML) */
    {"1e3", GY_ARG_FLOAT, "1000.0"},
    {"1_0e1", GY_ARG_FLOAT, "100.0"},
    {"1e", GY_ARG_STR, "'1e'"},
    {"1e+", GY_ARG_STR, "'1e+'"},
    {"e3", GY_ARG_STR, "'e3'"},
    {"1__0e1", GY_ARG_STR, "'1__0e1'"},
    {"None", GY_ARG_NONE, "None"},
    /* YAML 1.1 booleans and nulls */
    {"yes", GY_ARG_BOOL, "True"},
    {"NO", GY_ARG_BOOL, "False"},
    {"Off", GY_ARG_BOOL, "False"},
    {"TRUE", GY_ARG_BOOL, "True"},
    {"~", GY_ARG_NONE, "None"},
    {"NULL", GY_ARG_NONE, "None"},
    {"nil", GY_ARG_STR, "'nil'"},
    /* quoted: a str to YAML, then ast.literal_eval */
    {"'0x10'", GY_ARG_INT, "16"},
    {"'0X1_0'", GY_ARG_INT, "16"},
    {"'0x_1'", GY_ARG_INT, "1"},
    {"'0x__1'", GY_ARG_STR, "'0x__1'"},
    {"'0x1_'", GY_ARG_STR, "'0x1_'"},
    {"'0o17'", GY_ARG_INT, "15"},
    {"'0O8'", GY_ARG_STR, "'0O8'"},
    {"'0b11'", GY_ARG_INT, "3"},
    {"'0B2'", GY_ARG_STR, "'0B2'"},
    {"'-0x1'", -1, "argument 2 (-1) is negative"},
    {"'017'", GY_ARG_STR, "'017'"},
    {"'00'", GY_ARG_INT, "0"},
    {"'0_0'", GY_ARG_INT, "0"},
    {"'1_0'", GY_ARG_INT, "10"},
    {"'1__0'", GY_ARG_STR, "'1__0'"},
    {"'10_'", GY_ARG_STR, "'10_'"},
    {"'65536'", GY_ARG_INT, "65536"},
    {"'65537'", -1, "absurdly large"},
    {"'.5'", GY_ARG_FLOAT, "0.5"},
    {"'5.'", GY_ARG_FLOAT, "5.0"},
    {"'.'", GY_ARG_STR, "'.'"},
    {"'5.e1'", GY_ARG_FLOAT, "50.0"},
    {"'.5e-1'", GY_ARG_FLOAT, "0.05"},
    {"'1e-1'", GY_ARG_FLOAT, "0.1"},
    {"'1e+1'", GY_ARG_FLOAT, "10.0"},
    {"'1e0_1'", GY_ARG_FLOAT, "10.0"},
    {"'1_.5'", GY_ARG_STR, "'1_.5'"},
    {"'1e'", GY_ARG_STR, "'1e'"},
    {"'1ee1'", GY_ARG_STR, "'1ee1'"},
    {"'1.5x'", GY_ARG_STR, "'1.5x'"},
    {"'x'", GY_ARG_STR, "'x'"},
    {"'True'", GY_ARG_BOOL, "True"},
    {"'False'", GY_ARG_BOOL, "False"},
    {"'true'", GY_ARG_STR, "'true'"},
    {"'None'", GY_ARG_NONE, "None"},
    {"'nc'", GY_ARG_NC, "2"},
    {"nc", GY_ARG_NC, "2"},
    {"\"it's\"", GY_ARG_STR, "\"it's\""},
    {"'a\"b'", GY_ARG_STR, "'a\"b'"},
    {"\"a\\\\b\"", GY_ARG_STR, "'a\\\\b'"},
    {"\"a\\tb\\nc\\rd\"", GY_ARG_STR, "'a\\tb\\nc\\rd'"},
    {"\"\\x01\\x7f\\x1f~\"", GY_ARG_STR, "'\\x01\\x7f\\x1f~'"},
    {"\"\\x20\"", GY_ARG_STR, "' '"},
};

START_TEST(argument_typing_table)
{
    for (size_t i = 0; i < sizeof arg_cases / sizeof arg_cases[0]; i++) {
        const arg_case *c = &arg_cases[i];
        char row[256];
        snprintf(row, sizeof row, "[-1, 1, Custom, [8, %s]]", c->text);
        if (c->type < 0) {
            char want[160];
            snprintf(want, sizeof want, "c.yaml:4: row 1: %s", c->want);
            if (strncmp(c->want, "argument", 8) != 0)
                snprintf(want, sizeof want, "%s", c->want);
            refused(row1(row), GY_ERR_FORMAT, want);
            continue;
        }
        gy_config *cfg = ok(row1(row));
        const gy_arg *a = &cfg->rows[1].args[1];
        char buf[96];
        gy_arg_format(a, buf, sizeof buf);
        ck_assert_msg((int)a->type == c->type && strcmp(buf, c->want) == 0,
                      "%s: type %d printed %s, expected %d %s", c->text, a->type, buf, c->type, c->want);
        gy_config_free(cfg);
    }
}
END_TEST

/* A float's text: 400 characters (underscores not counted) read, 401 refused as not finite. */
START_TEST(float_text_length_bound)
{
    char row[1200];
    char digits[402];
    memset(digits, '0', sizeof digits);
    digits[0] = '1';
    digits[1] = '.';
    digits[400] = '\0';
    snprintf(row, sizeof row, "[-1, 1, Custom, [1_0_0.0_0, %s]]", digits);
    gy_config *cfg = ok(row1(row));
    ck_assert_int_eq(cfg->rows[1].args[1].type, GY_ARG_FLOAT);
    ck_assert(cfg->rows[1].args[1].f == 1.0);
    ck_assert(cfg->rows[1].args[0].f == 100.0);
    gy_config_free(cfg);
    digits[400] = '0';
    digits[401] = '\0';
    snprintf(row, sizeof row, "[-1, 1, Custom, [%s]]", digits);
    refused(row1(row), GY_ERR_FORMAT, "row 1: argument 1 ('1.00000000000000000000000000000000000000'...) is not a sensible number");
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * The YAML tree: nesting depth, NUL, the size cap, nc override */

START_TEST(tree_limits)
{
    /* 5 levels are read (map > list > row > args > a nested list, refused as an argument) */
    refused(row1("[-1, 1, Conv, [[8]]]"), GY_ERR_UNSUPPORTED, "c.yaml:4: row 1: argument 1 is a list; nested list");
    refused(row1("[-1, 1, Conv, [[[8]]]]"), GY_ERR_FORMAT, "c.yaml:4: a list nested 6 levels deep; a model YAML never needs more than 4");
    refused(row1("[-1, 1, Conv, [{a: [1]}]]"), GY_ERR_FORMAT, "a list nested 6 levels deep");
    refused(row1("[-1, 1, Conv, [[{a: 1}]]]"), GY_ERR_FORMAT, "a mapping nested 6 levels deep");
    refused(with("x: \"a\\0b\"\n"), GY_ERR_FORMAT, "c.yaml:2: a NUL character inside a value");
    /* a reader error (bad UTF-8) is named at the line of its byte */
    refused(with("x: \xff\n"), GY_ERR_FORMAT, "c.yaml:2: YAML syntax error: invalid leading UTF-8 octet");
    refused("nc: 2\n" ROW0 HEAD "x: \xe2\x82\n", GY_ERR_FORMAT, "c.yaml:6: YAML syntax error: invalid trailing UTF-8 octet");
    refused(with("x: &a 1\n"), GY_ERR_UNSUPPORTED, "c.yaml:2: YAML anchor '&a'");
    refused(with("x: &b [1]\n"), GY_ERR_UNSUPPORTED, "c.yaml:2: YAML anchor '&b'");
    refused(with("x: !t {a: 1}\n"), GY_ERR_UNSUPPORTED, "c.yaml:2: YAML tag");
    refused(with("x: !t [1]\n"), GY_ERR_UNSUPPORTED, "c.yaml:2: YAML tag");
    /* the whole text: 1 MiB accepted, one byte more refused */
    size_t cap = ((size_t)1 << 20) + 2;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t head = strlen(MIN);
    memcpy(text, MIN, head);
    memset(text + head, '#', cap - head);
    text[((size_t)1 << 20) - 1] = '\n';
    text[(size_t)1 << 20] = '\0';
    gy_config *cfg = ok(text);
    ck_assert_int_eq(cfg->nrows, 2);
    gy_config_free(cfg);
    text[(size_t)1 << 20] = '\n';
    text[((size_t)1 << 20) + 1] = '\0';
    refused(text, GY_ERR_FORMAT, "c.yaml: the YAML is 1048577 bytes, more than the 1048576 allowed");
    free(text);
}
END_TEST

START_TEST(nc_override_bounds)
{
    gy_config *cfg = ok_ex(MIN, NULL, 100000);
    ck_assert_int_eq(cfg->nc, 100000);
    ck_assert_int_eq(cfg->rows[1].args[0].type, GY_ARG_NC);
    ck_assert_int_eq(cfg->rows[1].args[0].i, 100000);
    gy_config_free(cfg);
    cfg = ok_ex(MIN, NULL, 1);
    ck_assert_int_eq(cfg->nc, 1);
    gy_config_free(cfg);
    refused_ex(MIN, NULL, 100001, GY_ERR_ARGUMENT, "c.yaml: class count override 100001 is out of range [1, 100000]");
    refused_ex(MIN, NULL, -1, GY_ERR_ARGUMENT, "c.yaml: class count override -1 is out of range");
}
END_TEST

START_TEST(load_arguments)
{
    gy_error err;
    gy_config *cfg = (gy_config *)&cfg;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(gy_config_load_string(MIN, strlen(MIN), "a", NULL, 0, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "gy_config_load_string: out is NULL") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_config_load_string(NULL, 3, "a.yaml", NULL, 0, &cfg, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err.message, "a.yaml: YAML text is NULL") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_config_load_string(NULL, 0, NULL, NULL, 0, &cfg, &err), GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "<string>:1: the YAML is empty") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_config_load_string(MIN, strlen(MIN), "", NULL, 0, &cfg, &err), GY_OK);
    ck_assert_str_eq(cfg->path, "<string>");
    gy_config_free(cfg);
    /* len is honoured: the text past it is not read */
    ck_assert_int_eq(gy_config_load_string(MIN "x: [\n", strlen(MIN), "a", NULL, 0, &cfg, &err), GY_OK);
    gy_config_free(cfg);

    ck_assert_int_eq(gy_config_load_file("a.yaml", NULL, 0, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "gy_config_load_file: out is NULL") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_config_load_file(NULL, NULL, 0, &cfg, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "no path given") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_config_load_file("", NULL, 0, &cfg, &err), GY_ERR_ARGUMENT);
    /* paths: 1023 characters reach the file system, 1024 are refused */
    char path[1100];
    memset(path, 'p', sizeof path);
    path[0] = '/';
    path[1023] = '\0';
    ck_assert_int_eq(gy_config_load_file(path, NULL, 0, &cfg, &err), GY_ERR_IO);
    path[1023] = 'p';
    path[1024] = '\0';
    ck_assert_int_eq(gy_config_load_file(path, NULL, 0, &cfg, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "path too long") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_config_load_file("/nonexistent/plain.yaml", NULL, 0, &cfg, &err), GY_ERR_IO);
    ck_assert_msg(strstr(err.message, "/nonexistent/plain.yaml: no such file") != NULL &&
                      strstr(err.message, "unified") == NULL, "%s", err.message);
    ck_assert_int_eq(gy_config_load_file("/nonexistent/yolov8s.yaml", NULL, 0, &cfg, &err), GY_ERR_IO);
    ck_assert_msg(strstr(err.message, "no such file, nor /nonexistent/yolov8.yaml") != NULL, "%s", err.message);
}
END_TEST

START_TEST(unified_path_and_guess_bounds)
{
    char out[32];
    ck_assert_int_eq(gy_config_unified_path("a/yolov8s.yaml", out, 15), 1); /* 14 chars + NUL */
    ck_assert_str_eq(out, "a/yolov8.yaml");
    ck_assert_int_eq(gy_config_unified_path("a/yolov8s.yaml", out, 14), 0);
    ck_assert_int_eq(gy_config_unified_path("x5/m.yaml", out, sizeof out), 0); /* folder not used */
    ck_assert_int_eq(gy_config_unified_path("v8n\nx", out, sizeof out), 0);
    ck_assert_int_eq(gy_config_unified_path("v8nx", out, sizeof out), 1);
    ck_assert_str_eq(out, "v8x");
    ck_assert_int_eq(gy_config_unified_path("v8q9m", out, sizeof out), 1);
    ck_assert_str_eq(out, "v8q9");
    char g[4] = "zzz";
    gy_guess_scale("yolov8m.yaml", g, 1);
    ck_assert_str_eq(g, "");
    gy_guess_scale("yolov8m.yaml", g, 2);
    ck_assert_str_eq(g, "m");
    gy_guess_scale("yolov8.yaml", g, sizeof g);
    ck_assert_str_eq(g, "");
    gy_guess_scale("yolovx8n", g, sizeof g);
    ck_assert_str_eq(g, "");
    gy_guess_scale(NULL, g, sizeof g);
    ck_assert_str_eq(g, "");
    g[0] = 'q';
    gy_guess_scale("yolov8n", g, 0);
    ck_assert_int_eq(g[0], 'q');
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * config_format.c: the scaling clamps */

START_TEST(repeats_and_channels_clamps)
{
    gy_config c;
    memset(&c, 0, sizeof c);
    c.depth = 0.25;
    ck_assert_int_eq(gy_config_repeats(&c, 1), 1);
    ck_assert_int_eq(gy_config_repeats(&c, 0), 0);
    ck_assert_int_eq(gy_config_repeats(&c, 2), 1);  /* round(0.5) = 0 -> 1 */
    ck_assert_int_eq(gy_config_repeats(&c, 6), 2);  /* round(1.5) = 2 */
    ck_assert_int_eq(gy_config_repeats(&c, 10), 2); /* round(2.5) = 2 (half to even) */
    c.depth = 0.5;
    ck_assert_int_eq(gy_config_repeats(&c, 3), 2);
    ck_assert_int_eq(gy_config_repeats(&c, 2), 1);
    c.depth = 1e10;
    ck_assert_int_eq(gy_config_repeats(&c, 2), INT_MAX);
    c.depth = (double)INT_MAX / 2.0 - 0.5;
    ck_assert_int_eq(gy_config_repeats(&c, 2), INT_MAX - 1);

    c.width = 1.0;
    c.max_channels = 64;
    ck_assert_int_eq(gy_config_channels(&c, 64), 64);
    ck_assert_int_eq(gy_config_channels(&c, 65), 64);
    ck_assert_int_eq(gy_config_channels(&c, 63), 64);
    ck_assert_int_eq(gy_config_channels(&c, 57), 64);
    ck_assert_int_eq(gy_config_channels(&c, 56), 56);
    ck_assert_int_eq(gy_config_channels(&c, 1), 8);
    ck_assert_int_eq(gy_config_channels(&c, 0), 0);
    c.max_channels = INT_MAX;
    c.width = 1e10;
    ck_assert_int_eq(gy_config_channels(&c, 1000), INT_MAX);
    ck_assert_int_eq(gy_config_channels(&c, -1000), INT_MIN);
    c.width = 1.0;
    ck_assert_int_eq(gy_config_channels(&c, INT_MAX - 7), INT_MAX - 7);
    ck_assert_int_eq(gy_config_channels(&c, INT_MIN + 8), INT_MIN + 8);
}
END_TEST

START_TEST(float_repr_edges)
{
    static const struct {
        double v;
        const char *s;
    } cases[] = {{1e16, "1e+16"},
                 {9999999999999998.0, "9999999999999998.0"},
                 {0.0001, "0.0001"},
                 {0.00001, "1e-05"},
                 {0.00012, "0.00012"},
                 {1.5e-5, "1.5e-05"},
                 {-0.0, "-0.0"},
                 {-1e-5, "-1e-05"},
                 {12345.0, "12345.0"},
                 {1.25, "1.25"},
                 {1e100, "1e+100"},
                 {1.5e-100, "1.5e-100"},
                 {0.1 + 0.2, "0.30000000000000004"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_arg a;
        memset(&a, 0, sizeof a);
        a.type = GY_ARG_FLOAT;
        a.f = cases[i].v;
        char buf[64];
        gy_arg_format(&a, buf, sizeof buf);
        ck_assert_msg(strcmp(buf, cases[i].s) == 0, "%.17g printed %s, expected %s", cases[i].v, buf, cases[i].s);
    }
    gy_arg a;
    memset(&a, 0, sizeof a);
    char buf[16];
    a.type = GY_ARG_FLOAT;
    a.f = NAN;
    gy_arg_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "nan");
    a.f = -INFINITY;
    gy_arg_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "-inf");
    a.f = INFINITY;
    gy_arg_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "inf");
    /* strings cut to the buffer, always terminated */
    a.type = GY_ARG_STR;
    snprintf(a.s, sizeof a.s, "abcdef");
    gy_arg_format(&a, buf, 5);
    ck_assert_str_eq(buf, "'abc");
    gy_arg_format(&a, buf, 9);
    ck_assert_str_eq(buf, "'abcdef'");
    gy_arg_format(&a, buf, 8);
    ck_assert_str_eq(buf, "'abcdef");
    a.type = GY_ARG_NC;
    a.i = 12;
    gy_arg_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "12");
    gy_arg_format(NULL, buf, sizeof buf);
    ck_assert_str_eq(buf, "");
    /* no room (size 0) or no buffer: nothing is written, each clause alone, for every kind of
     * argument and for none */
    static const gy_arg_type kinds[] = {GY_ARG_NONE, GY_ARG_BOOL, GY_ARG_INT, GY_ARG_NC,
                                        GY_ARG_FLOAT, GY_ARG_STR};
    for (size_t k = 0; k <= sizeof kinds / sizeof kinds[0]; k++) {
        const gy_arg *arg = NULL;
        if (k < sizeof kinds / sizeof kinds[0]) {
            a.type = kinds[k];
            arg = &a;
        }
        memset(buf, 'q', sizeof buf);
        gy_arg_format(arg, buf, 0);
        for (size_t i = 0; i < sizeof buf; i++)
            ck_assert_msg(buf[i] == 'q', "kind %zu wrote byte %zu of a 0-byte buffer", k, i);
        gy_arg_format(arg, NULL, sizeof buf);
    }
}
END_TEST


/* A model built at a chosen scale (parameter or `scale:` key) is named for it, when the scale is
 * one letter of nslmx and the name has yolov<digits>; a scale from the file name keeps the name. */
START_TEST(name_for_the_scale)
{
    const char *sc = "nc: 2\nscales:\n  n: [1, 1, 8]\n  x: [1, 1, 8]\n  q: [1, 1, 8]\n  ss: [1, 1, 8]\n" ROW0 HEAD;
    static const struct {
        const char *display, *scale, *name;
    } cases[] = {{"d/yolov8n.yaml", "x", "yolov8x"},   {"yolov8.yaml", "x", "yolov8x"},
                 {"yolov8.yaml", "q", "yolov8"},       {"yolov8.yaml", "ss", "yolov8"},
                 {"model.yaml", "x", "model"},         {"yolovx-yolov10.yaml", "n", "yolovx-yolov10n"},
                 {"yolov8-yolov5s.yaml", "x", "yolov8-yolov5x"}, {"yolov8n-p2.yaml", "n", "yolov8n-p2"},
                 {"yolov8x.yaml", NULL, "yolov8x"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_config *cfg = NULL;
        gy_error err;
        ck_assert_int_eq(gy_config_load_string(sc, strlen(sc), cases[i].display, cases[i].scale, 0, &cfg, &err), GY_OK);
        ck_assert_msg(strcmp(cfg->name, cases[i].name) == 0, "%s at %s: %s", cases[i].display,
                      cases[i].scale ? cases[i].scale : "-", cfg->name);
        gy_config_free(cfg);
    }
    char g[4];
    gy_guess_scale("yolov8-yolov5s.yaml", g, sizeof g);
    ck_assert_str_eq(g, "s");
    gy_guess_scale("yolovn8.yaml", g, sizeof g);
    ck_assert_str_eq(g, "");
    gy_guess_scale("yolov12l", g, sizeof g);
    ck_assert_str_eq(g, "l");
    gy_guess_scale("yolov8N.yaml", g, sizeof g);
    ck_assert_str_eq(g, "");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config_contract");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, top_level_keys_bound);
    tcase_add_test(tc, activation_key);
    tcase_add_test(tc, nc_and_ch_bounds);
    tcase_add_test(tc, multiples_bounds);
    tcase_add_test(tc, multiples_name_the_v8_scale);
    tcase_add_test(tc, scales_contract);
    tcase_add_test(tc, scale_choice);
    tcase_add_test(tc, yaml_file_key);
    tcase_add_test(tc, row_lists);
    tcase_add_test(tc, row_shape);
    tcase_add_test(tc, from_contract);
    tcase_add_test(tc, repeats_bounds);
    tcase_add_test(tc, module_name_contract);
    tcase_add_test(tc, args_count_and_strings);
    tcase_add_test(tc, argument_typing_table);
    tcase_add_test(tc, float_text_length_bound);
    tcase_add_test(tc, tree_limits);
    tcase_add_test(tc, nc_override_bounds);
    tcase_add_test(tc, load_arguments);
    tcase_add_test(tc, unified_path_and_guess_bounds);
    tcase_add_test(tc, repeats_and_channels_clamps);
    tcase_add_test(tc, float_repr_edges);
    tcase_add_test(tc, name_for_the_scale);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(suite()); }

/* test_config.c - the model YAML reader: the shipped and ground-truth YAMLs, ultralytics' scale
 * choice and scaling rules checked against ultralytics' own build tables, the file-name fallback,
 * argument typing and printing, and the strictness errors (status + file:line in the message). */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include "testutil.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "configs/config.h"
#include "core/util.h"

static gy_config *load_file_ok(const char *path, const char *scale, int nc)
{
    gy_config *cfg = NULL;
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_status st = gy_config_load_file(path, scale, nc, &cfg, &err);
    ck_assert_msg(st == GY_OK, "%s: %s", path, err.message);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

static gy_config *load_string_ok(const char *yaml, const char *name, const char *scale, int nc)
{
    gy_config *cfg = NULL;
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_status st = gy_config_load_string(yaml, strlen(yaml), name, scale, nc, &cfg, &err);
    ck_assert_msg(st == GY_OK, "%s: %s", name, err.message);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

static void expect_error_ex(const char *yaml, size_t len, const char *scale, int nc,
                            gy_status want, const char *substr)
{
    gy_config *cfg = (gy_config *)&cfg; /* must be reset to NULL */
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_status st = gy_config_load_string(yaml, len, "bad.yaml", scale, nc, &cfg, &err);
    ck_assert_msg(st == want, "status %s, expected %s; message: %s\n--- yaml:\n%.400s",
                  gy_status_str(st), gy_status_str(want), err.message, yaml);
    ck_assert_ptr_null(cfg);
    ck_assert_int_eq(err.status, want);
    ck_assert_msg(strstr(err.message, substr) != NULL, "message \"%s\" lacks \"%s\"", err.message,
                  substr);
}

static void expect_error(const char *yaml, gy_status want, const char *substr)
{
    expect_error_ex(yaml, strlen(yaml), NULL, 0, want, substr);
}

static void fmt_arg(const gy_arg *a, char *buf, size_t size) { gy_arg_format(a, buf, size); }

static void assert_arg(const gy_arg *a, gy_arg_type type, const char *printed)
{
    char buf[96];
    fmt_arg(a, buf, sizeof buf);
    ck_assert_msg(a->type == type, "type %d, expected %d (printed %s)", a->type, type, buf);
    ck_assert_str_eq(buf, printed);
}

/* ------------------------------------------------------------------------------------------------
 * Shipped and ground-truth YAMLs */

START_TEST(test_shipped_yolov8)
{
    gy_config *cfg = load_file_ok(gy_test_source("configs/yolov8.yaml"), NULL, 0);
    ck_assert_int_eq(cfg->nrows, 23);
    ck_assert_int_eq(cfg->nbackbone, 10);
    ck_assert_int_eq(cfg->nc, 80);
    ck_assert_int_eq(cfg->ch, 3);
    ck_assert_str_eq(cfg->name, "yolov8");
    ck_assert_str_eq(cfg->yaml_scale, "");
    ck_assert_int_eq(cfg->nscales, 5);
    const char *keys[] = {"n", "s", "m", "l", "x"};
    const double depth[] = {0.33, 0.33, 0.67, 1.0, 1.0}, width[] = {0.25, 0.5, 0.75, 1.0, 1.25};
    const int maxc[] = {1024, 1024, 768, 512, 512};
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(cfg->scales[i].key, keys[i]);
        ck_assert(cfg->scales[i].depth == depth[i]);
        ck_assert(cfg->scales[i].width == width[i]);
        ck_assert_int_eq(cfg->scales[i].max_channels, maxc[i]);
    }
    /* no scale in the name "yolov8": ultralytics takes the first one and warns */
    ck_assert_str_eq(cfg->scale, "n");
    ck_assert_str_eq(cfg->scale_source, "first scale (default)");
    ck_assert_str_eq(cfg->warning, "yolov8.yaml: no model scale passed. Assuming scale='n'.");

    const gy_row *r0 = &cfg->rows[0];
    ck_assert_int_eq(r0->index, 0);
    ck_assert_int_eq(r0->line, 17);
    ck_assert_int_eq(r0->nfrom, 1);
    ck_assert_int_eq(r0->from[0], -1);
    ck_assert_int_eq(r0->from_is_list, 0);
    ck_assert_str_eq(r0->module, "Conv");
    ck_assert_int_eq(r0->nargs, 3);
    assert_arg(&r0->args[0], GY_ARG_INT, "64");
    assert_arg(&r0->args[1], GY_ARG_INT, "3");
    assert_arg(&r0->args[2], GY_ARG_INT, "2");

    const gy_row *r2 = &cfg->rows[2];
    ck_assert_str_eq(r2->module, "C2f");
    ck_assert_int_eq(r2->repeats, 3);
    assert_arg(&r2->args[1], GY_ARG_BOOL, "True");

    const gy_row *r10 = &cfg->rows[10];
    ck_assert_str_eq(r10->module, "nn.Upsample");
    ck_assert_int_eq(r10->nargs, 3);
    assert_arg(&r10->args[0], GY_ARG_NONE, "None");
    assert_arg(&r10->args[1], GY_ARG_INT, "2");
    assert_arg(&r10->args[2], GY_ARG_STR, "'nearest'");
    ck_assert_str_eq(r10->args[2].s, "nearest");

    const gy_row *r11 = &cfg->rows[11];
    ck_assert_int_eq(r11->nfrom, 2);
    ck_assert_int_eq(r11->from[0], -1);
    ck_assert_int_eq(r11->from[1], 6);
    ck_assert_int_eq(r11->from_is_list, 1);
    ck_assert_str_eq(r11->module, "Concat");

    const gy_row *r22 = &cfg->rows[22];
    ck_assert_int_eq(r22->index, 22);
    ck_assert_int_eq(r22->nfrom, 3);
    ck_assert_int_eq(r22->from[0], 15);
    ck_assert_int_eq(r22->from[1], 18);
    ck_assert_int_eq(r22->from[2], 21);
    ck_assert_str_eq(r22->module, "Detect");
    ck_assert_int_eq(r22->nargs, 1);
    assert_arg(&r22->args[0], GY_ARG_NC, "80");
    ck_assert_int_eq(r22->line, 46);
    gy_config_free(cfg);
}
END_TEST

START_TEST(test_block_style_checkpoint_yaml)
{
    gy_config *cfg =
        load_file_ok(gy_test_shared("parity/real_v8n_bus640/model.yaml"), NULL, 0);
    ck_assert_int_eq(cfg->nrows, 23);
    ck_assert_int_eq(cfg->nbackbone, 10);
    ck_assert_int_eq(cfg->nc, 80);
    ck_assert_int_eq(cfg->ch, 3);
    ck_assert_int_eq(cfg->nscales, 0);
    ck_assert_int_eq(cfg->has_multiples, 1);
    ck_assert_str_eq(cfg->scale, "n"); /* 0.33 / 0.25: yolov8.yaml's scale n */
    ck_assert_str_eq(cfg->scale_source, "depth/width multiples");
    ck_assert_str_eq(cfg->warning, "");
    ck_assert(cfg->depth == 0.33);
    ck_assert(cfg->width == 0.25);
    ck_assert_int_ge(cfg->max_channels, INT_MAX / 2);
    ck_assert_int_eq(gy_config_channels(cfg, 1024), 256);
    ck_assert_int_eq(gy_config_repeats(cfg, 6), 2);
    ck_assert_int_eq(cfg->rows[0].line, 6);
    ck_assert_int_eq(cfg->rows[0].from_is_list, 0);
    assert_arg(&cfg->rows[2].args[1], GY_ARG_BOOL, "True");
    assert_arg(&cfg->rows[10].args[0], GY_ARG_NONE, "None");
    assert_arg(&cfg->rows[10].args[2], GY_ARG_STR, "'nearest'");
    ck_assert_int_eq(cfg->rows[11].from_is_list, 1);
    ck_assert_int_eq(cfg->rows[11].from[1], 6);
    ck_assert_str_eq(cfg->rows[22].module, "Detect");
    ck_assert_int_eq(cfg->rows[22].nfrom, 3);
    assert_arg(&cfg->rows[22].args[0], GY_ARG_NC, "80");
    gy_config_free(cfg);
}
END_TEST

START_TEST(test_shared_table_configs)
{
    gy_config *cfg = load_file_ok(gy_test_shared("configs/yolov8s.yaml"), NULL, 0);
    ck_assert_str_eq(cfg->name, "yolov8s");
    ck_assert_int_eq(cfg->nc, 1);
    ck_assert_str_eq(cfg->scale, "s");
    ck_assert_str_eq(cfg->scale_source, "file name");
    ck_assert_str_eq(cfg->warning, "");
    ck_assert(cfg->width == 0.5);
    ck_assert_int_eq(cfg->rows[22].args[0].i, 1);
    gy_config_free(cfg);

    const char *ghosts[][2] = {
        {"configs/YOLOv8_C2f_GhostBottleneckV2s.yaml", "C2f_GhostBottleneckV2"},
        {"configs/YOLOv8_C2f_GhostBottlenecks.yaml", "C2f_GhostBottleneck"},
        {"configs/YOLOv8_C2f_g_ghostBottlenecks.yaml", "C2f_g_ghostBottleneck"}};
    for (int i = 0; i < 3; i++) {
        cfg = load_file_ok(gy_test_shared(ghosts[i][0]), NULL, 0);
        ck_assert_int_eq(cfg->nrows, 23);
        ck_assert_int_eq(cfg->nc, 1);
        ck_assert_str_eq(cfg->scale, "n");
        ck_assert_str_eq(cfg->scale_source, "first scale (default)");
        ck_assert_msg(cfg->warning[0] != '\0', "%s: no warning", ghosts[i][0]);
        ck_assert_ptr_nonnull(strstr(cfg->warning, "Assuming scale='n'"));
        ck_assert_str_eq(cfg->rows[2].module, ghosts[i][1]);
        ck_assert_str_eq(cfg->rows[12].module, "C2f");
        gy_config_free(cfg);
    }
}
END_TEST

START_TEST(test_parity_yamls)
{
    static const struct {
        const char *dir, *scale;
        int nc;
    } cases[] = {{"gghost_n_640", "n", 1},   {"ghost_n_640", "n", 1},  {"ghostv2_dfc_320", "t", 2},
                 {"ghostv2_n_640", "n", 1},  {"v8n_640", "n", 80},     {"v8n_rect_f16", "n", 80}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "parity/%s/model.yaml", cases[i].dir);
        gy_config *cfg = load_file_ok(gy_test_shared(rel), NULL, 0);
        ck_assert_msg(!strcmp(cfg->scale, cases[i].scale), "%s: scale %s", rel, cfg->scale);
        ck_assert_str_eq(cfg->yaml_scale, cases[i].scale);
        ck_assert_str_eq(cfg->scale_source, "yaml scale key");
        ck_assert_str_eq(cfg->warning, "");
        ck_assert_int_eq(cfg->nc, cases[i].nc);
        ck_assert_int_eq(cfg->nrows, 23);
        ck_assert_str_eq(cfg->name, "model");
        if (!strcmp(cases[i].scale, "t")) {
            ck_assert_int_eq(cfg->nscales, 6);
            ck_assert(cfg->depth == 1.0 && cfg->width == 0.25);
            ck_assert_int_eq(gy_config_repeats(cfg, 6), 6);
        }
        gy_config_free(cfg);
    }
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * ultralytics' build tables: `idx from n params module arguments` */

typedef struct table_row {
    int idx, n;
    char from[64], module[128];
    int nargs_num;          /* leading integer arguments read */
    long long argnum[2];
} table_row;

/* Parses one table line; 0 when the line is not a row. */
static int parse_table_line(const char *line, table_row *r)
{
    memset(r, 0, sizeof *r);
    const char *p = line;
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    r->idx = (int)strtol(p, (char **)&p, 10);
    while (*p == ' ')
        p++;
    size_t k = 0;
    if (*p == '[') {
        while (*p && *p != ']' && k < sizeof r->from - 2)
            r->from[k++] = *p++;
        if (*p == ']')
            r->from[k++] = *p++;
    } else {
        while (*p && *p != ' ' && k < sizeof r->from - 1)
            r->from[k++] = *p++;
    }
    r->from[k] = '\0';
    char *end;
    r->n = (int)strtol(p, &end, 10);
    if (end == p)
        return 0;
    p = end;
    (void)strtoll(p, &end, 10); /* params */
    if (end == p)
        return 0;
    p = end;
    while (*p == ' ')
        p++;
    k = 0;
    while (*p && *p != ' ' && *p != '[' && k < sizeof r->module - 1)
        r->module[k++] = *p++;
    r->module[k] = '\0';
    while (*p == ' ')
        p++;
    if (*p != '[')
        return 0;
    p++;
    while (r->nargs_num < 2) {
        while (*p == ' ')
            p++;
        if (!isdigit((unsigned char)*p) && *p != '-')
            break;
        r->argnum[r->nargs_num++] = strtoll(p, &end, 10);
        p = end;
        while (*p == ' ')
            p++;
        if (*p != ',')
            break;
        p++;
    }
    return 1;
}

static const char *last_component(const char *s)
{
    const char *d = strrchr(s, '.');
    return d ? d + 1 : s;
}

/* Compares every row of a layers table with the config: from, module, n (scaled repeats) and the
 * scaled output channels (second argument) of every row whose module takes [c1, c2, ...]. */
static void check_table(const char *table_rel, const gy_config *cfg)
{
    size_t size;
    char *text = (char *)gy_test_read(gy_test_shared(table_rel), &size);
    int rows = 0, checked_channels = 0;
    int in_table = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strstr(line, "from  n    params  module")) {
            in_table = 1;
            continue;
        }
        if (!in_table)
            continue;
        table_row tr;
        if (!parse_table_line(line, &tr))
            break;
        ck_assert_msg(tr.idx == rows && rows < cfg->nrows, "%s: unexpected row %d", table_rel,
                      tr.idx);
        const gy_row *row = &cfg->rows[rows];
        char from[64];
        gy_row_format_from(row, from, sizeof from);
        ck_assert_msg(!strcmp(from, tr.from), "%s row %d: from %s, table %s", table_rel, rows, from,
                      tr.from);
        ck_assert_msg(!strcmp(last_component(row->module), last_component(tr.module)),
                      "%s row %d: module %s, table %s", table_rel, rows, row->module, tr.module);
        int n = gy_config_repeats(cfg, row->repeats);
        ck_assert_msg(n == tr.n, "%s row %d: repeats %d -> %d, table %d", table_rel, rows,
                      row->repeats, n, tr.n);
        const char *m = last_component(row->module);
        if (!strcmp(m, "Conv") || !strncmp(m, "C2f", 3) || !strcmp(m, "SPPF")) {
            ck_assert_int_eq(tr.nargs_num, 2);
            ck_assert(row->args[0].type == GY_ARG_INT);
            int c2 = (int)row->args[0].i;
            if (c2 != cfg->nc) /* parse_model leaves a channel count equal to nc alone */
                c2 = gy_config_channels(cfg, c2);
            ck_assert_msg(c2 == tr.argnum[1], "%s row %d: channels %lld -> %d, table %lld",
                          table_rel, rows, row->args[0].i, c2, tr.argnum[1]);
            checked_channels++;
        }
        if (!strcmp(m, "Detect")) {
            ck_assert_int_ge(tr.nargs_num, 1);
            ck_assert_int_eq(row->args[0].i, tr.argnum[0]);
        }
        rows++;
    }
    ck_assert_msg(rows == cfg->nrows, "%s: %d table rows, config has %d", table_rel, rows,
                  cfg->nrows);
    ck_assert_int_ge(checked_channels, 15);
    free(text);
}

START_TEST(test_tables_yolov8_nsm)
{
    /* yolov8{n,s,m}.yaml do not exist in configs/: each resolves to yolov8.yaml with the scale
     * letter from the name, exactly how those tables were made. */
    const char *scales[] = {"n", "s", "m"};
    for (int i = 0; i < 3; i++) {
        char rel[4096], table[64];
        snprintf(rel, sizeof rel, "%s/configs/yolov8%s.yaml", GY_SOURCE_DIR, scales[i]);
        snprintf(table, sizeof table, "stats/yolov8%s_nc80.layers.txt", scales[i]);
        gy_config *cfg = load_file_ok(rel, NULL, 0);
        ck_assert_str_eq(cfg->scale, scales[i]);
        check_table(table, cfg);
        gy_config_free(cfg);
    }
    /* spot checks from the tables */
    gy_config *n = load_file_ok(gy_test_source("configs/yolov8.yaml"), "n", 0);
    ck_assert_int_eq(gy_config_channels(n, 64), 16);
    ck_assert_int_eq(gy_config_repeats(n, 6), 2);
    ck_assert_int_eq(gy_config_repeats(n, 3), 1);
    ck_assert_int_eq(gy_config_repeats(n, 1), 1);
    gy_config_free(n);
    gy_config *m = load_file_ok(gy_test_source("configs/yolov8.yaml"), "m", 0);
    ck_assert_int_eq(m->max_channels, 768);
    ck_assert_int_eq(gy_config_channels(m, 1024), 576);
    ck_assert_int_eq(gy_config_repeats(m, 6), 4);
    ck_assert_int_eq(gy_config_repeats(m, 3), 2);
    gy_config_free(m);
}
END_TEST

START_TEST(test_tables_published_and_ghost)
{
    gy_config *cfg = load_file_ok(gy_test_shared("configs/yolov8s.yaml"), NULL, 0);
    check_table("stats/YOLOv8s.layers.txt", cfg);
    gy_config_free(cfg);
    const char *names[] = {"YOLOv8_C2f_GhostBottleneckV2s", "YOLOv8_C2f_GhostBottlenecks",
                           "YOLOv8_C2f_g_ghostBottlenecks"};
    for (int i = 0; i < 3; i++) {
        char rel[128], table[128];
        snprintf(rel, sizeof rel, "configs/%s.yaml", names[i]);
        snprintf(table, sizeof table, "stats/%s.layers.txt", names[i]);
        cfg = load_file_ok(gy_test_shared(rel), NULL, 0);
        check_table(table, cfg);
        gy_config_free(cfg);
    }
    cfg = load_file_ok(gy_test_shared("parity/ghostv2_dfc_320/model.yaml"), NULL, 1);
    ck_assert_str_eq(cfg->scale, "t");
    check_table("stats/YOLOv8_C2f_GhostBottleneckV2_dfc_t.layers.txt", cfg);
    gy_config_free(cfg);
    cfg = load_file_ok(gy_test_shared("configs/YOLOv8_C2f_GhostBottleneckV2s.yaml"), "l", 0);
    ck_assert_str_eq(cfg->scale_source, "parameter");
    ck_assert_int_eq(cfg->max_channels, 512);
    check_table("stats/YOLOv8_C2f_GhostBottleneckV2_dfc_l.layers.txt", cfg);
    gy_config_free(cfg);
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * Scale choice, fallback, overrides */

START_TEST(test_unified_name_fallback)
{
    char given[4096], expect[4096];
    snprintf(given, sizeof given, "%s/configs/yolov8s.yaml", GY_SOURCE_DIR);
    snprintf(expect, sizeof expect, "%s/configs/yolov8.yaml", GY_SOURCE_DIR);
    ck_assert_msg(access(given, F_OK) != 0, "%s must not exist for this test", given);
    gy_config *cfg = load_file_ok(given, NULL, 0);
    ck_assert_str_eq(cfg->path, expect);
    ck_assert_str_eq(cfg->name, "yolov8s");
    ck_assert_str_eq(cfg->scale, "s");
    ck_assert_str_eq(cfg->scale_source, "file name");
    ck_assert_str_eq(cfg->warning, "");
    ck_assert(cfg->depth == 0.33 && cfg->width == 0.5);
    ck_assert_int_eq(cfg->max_channels, 1024);
    gy_config_free(cfg);

    snprintf(given, sizeof given, "%s/configs/yolov8x-p2.yaml", GY_SOURCE_DIR);
    gy_config *x = NULL;
    gy_error err;
    /* the rule gives configs/yolov8-p2.yaml, which does not exist either: both are named */
    ck_assert_int_eq(gy_config_load_file(given, NULL, 0, &x, &err), GY_ERR_IO);
    ck_assert_ptr_null(x);
    ck_assert_ptr_nonnull(strstr(err.message, given));
    ck_assert_ptr_nonnull(strstr(err.message, "configs/yolov8-p2.yaml"));

    ck_assert_int_eq(gy_config_load_file("/nonexistent-dir/model.yaml", NULL, 0, &x, &err),
                     GY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent-dir/model.yaml"));
    ck_assert_int_eq(gy_config_load_file("/tmp", NULL, 0, &x, &err), GY_ERR_IO);
    ck_assert_int_eq(gy_config_load_file(NULL, NULL, 0, &x, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_config_load_file(given, NULL, 0, NULL, &err), GY_ERR_ARGUMENT);
}
END_TEST

/* The unified-name rule touches the file name only: a config under folders such as "exp2s/" or
 * "v8n/" (which ultralytics' whole-path regex would rewrite) is found, and a unified name inside
 * such a folder resolves in that same folder. */
START_TEST(test_unified_name_in_folders_with_scale_like_names)
{
    char dir[256], sub[320], path[512], cmd[1400];
    snprintf(dir, sizeof dir, "/tmp/gy-test-%d.exp2s", (int)getpid());
    snprintf(sub, sizeof sub, "%s/v8n", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/yolov8.yaml'", sub,
             gy_test_source("configs/yolov8.yaml"), sub);
    ck_assert_int_eq(system(cmd), 0);
    /* the real file: no rewrite at all */
    snprintf(path, sizeof path, "%s/yolov8.yaml", sub);
    gy_config *cfg = load_file_ok(path, NULL, 0);
    ck_assert_str_eq(cfg->path, path);
    gy_config_free(cfg);
    /* a unified name: yolov8m.yaml -> yolov8.yaml in the same folder, scale m from the name */
    snprintf(path, sizeof path, "%s/yolov8m.yaml", sub);
    cfg = load_file_ok(path, NULL, 0);
    char expect[512];
    snprintf(expect, sizeof expect, "%s/yolov8.yaml", sub);
    ck_assert_str_eq(cfg->path, expect);
    ck_assert_str_eq(cfg->scale, "m");
    gy_config_free(cfg);
    char out[512];
    ck_assert_int_eq(gy_config_unified_path("exp2s/v8n/yolov8l.yaml", out, sizeof out), 1);
    ck_assert_str_eq(out, "exp2s/v8n/yolov8.yaml");
    ck_assert_int_eq(gy_config_unified_path("exp2s/v8n/model.yaml", out, sizeof out), 0);
    ck_assert_int_eq(gy_config_unified_path("v8n/yolov8-ghost.yaml", out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_scale_override)
{
    const char *path = gy_test_source("configs/yolov8.yaml");
    gy_config *cfg = load_file_ok(path, "m", 0);
    ck_assert_str_eq(cfg->scale, "m");
    ck_assert_str_eq(cfg->scale_source, "parameter");
    ck_assert_str_eq(cfg->warning, "");
    ck_assert(cfg->depth == 0.67 && cfg->width == 0.75);
    gy_config_free(cfg);

    /* the parameter beats an explicit `scale:` key, which beats the file name */
    cfg = load_file_ok(gy_test_shared("parity/v8n_640/model.yaml"), "x", 0);
    ck_assert_str_eq(cfg->scale, "x");
    ck_assert_str_eq(cfg->scale_source, "parameter");
    gy_config_free(cfg);
    size_t size;
    char *text = (char *)gy_test_read(gy_test_shared("parity/v8n_640/model.yaml"), &size);
    gy_error err;
    gy_config *c2 = NULL;
    ck_assert_int_eq(gy_config_load_string(text, size, "yolov8s.yaml", NULL, 0, &c2, &err), GY_OK);
    ck_assert_str_eq(c2->scale, "n");
    ck_assert_str_eq(c2->scale_source, "yaml scale key");
    gy_config_free(c2);
    free(text);

    /* a model built at a chosen scale is named for it: the letter after yolov<digits> replaced
     * (yolov8.yaml at m is yolov8m, a yolov8n file at x is yolov8x), the yaml's own scale key
     * likewise; the file name's scale and the default leave the name alone */
    cfg = load_file_ok(path, "m", 0);
    ck_assert_str_eq(cfg->name, "yolov8m");
    gy_config_free(cfg);
    text = (char *)gy_test_read(gy_test_shared("parity/v8n_640/model.yaml"), &size);
    static const struct {
        const char *given, *scale, *name;
    } names[] = {{"yolov8n.yaml", "x", "yolov8x"},     {"dir/yolov8s.yaml", "l", "yolov8l"},
                 {"yolov8.yaml", "s", "yolov8s"},      {"my-yolov10n-2.yaml", "m", "my-yolov10m-2"},
                 {"custom.yaml", "x", "custom"},       {"yolov8n.yaml", NULL, "yolov8n"},
                 {"yolov8s.yaml", NULL, "yolov8s"} /* its `scale: n` key: named yolov8n */};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ck_assert_int_eq(gy_config_load_string(text, size, names[i].given, names[i].scale, 0, &c2,
                                               &err), GY_OK);
        const char *want = i == 6 ? "yolov8n" : names[i].name;
        ck_assert_msg(!strcmp(c2->name, want), "%s at %s: %s, expected %s", names[i].given,
                      names[i].scale ? names[i].scale : "-", c2->name, want);
        gy_config_free(c2);
    }
    free(text);
    /* without a scale key or parameter, a default scale leaves yolov8 as it is */
    char *plain = (char *)gy_test_read(path, &size);
    ck_assert_int_eq(gy_config_load_string(plain, size, "yolov8.yaml", NULL, 0, &c2, &err), GY_OK);
    ck_assert_str_eq(c2->scale_source, "first scale (default)");
    ck_assert_str_eq(c2->name, "yolov8");
    ck_assert_str_eq(c2->warning, "yolov8.yaml: no model scale passed. Assuming scale='n'.");
    gy_config_free(c2);
    free(plain);

    /* a scale that is not in the file */
    gy_config *bad = (gy_config *)&bad;
    ck_assert_int_eq(gy_config_load_file(path, "q", 0, &bad, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(bad);
    ck_assert_ptr_nonnull(strstr(err.message, "yolov8.yaml:6:"));
    ck_assert_ptr_nonnull(strstr(err.message, "'q'"));
    ck_assert_ptr_nonnull(strstr(err.message, "n, s, m, l, x"));

    /* a scale requested from a file that has none */
    ck_assert_int_eq(gy_config_load_file(gy_test_shared("parity/real_v8n_bus640/model.yaml"), "s",
                                         0, &bad, &err),
                     GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "no scales"));

    /* an empty override means none */
    cfg = load_file_ok(path, "", 0);
    ck_assert_str_eq(cfg->scale_source, "first scale (default)");
    gy_config_free(cfg);
}
END_TEST

START_TEST(test_nc_override)
{
    gy_config *cfg = load_file_ok(gy_test_source("configs/yolov8.yaml"), NULL, 3);
    ck_assert_int_eq(cfg->nc, 3);
    assert_arg(&cfg->rows[22].args[0], GY_ARG_NC, "3");
    gy_config_free(cfg);
    gy_error err;
    gy_config *bad = NULL;
    ck_assert_int_eq(gy_config_load_file(gy_test_source("configs/yolov8.yaml"), NULL, -1, &bad,
                                         &err),
                     GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_config_load_file(gy_test_source("configs/yolov8.yaml"), NULL, 100001, &bad,
                                         &err),
                     GY_ERR_ARGUMENT);
    ck_assert_ptr_null(bad);
}
END_TEST

/* parse_model literal_evals string arguments: quoted numbers become ints (decimal, with '_'
 * separators, and 0x / 0o / 0b prefixes), as Python reads them. */
START_TEST(test_quoted_number_arguments)
{
    gy_config *cfg = load_string_ok("nc: 2\nbackbone:\n"
                                    "  - [-1, 1, Conv, ['48', '3', \"2\"]]\n"
                                    "  - [-1, 1, Conv, ['1_024', '0x10', '0o7']]\n"
                                    "head:\n  - [[-1], 1, Detect, [nc]]\n",
                                    "q.yaml", NULL, 0);
    assert_arg(&cfg->rows[0].args[0], GY_ARG_INT, "48");
    assert_arg(&cfg->rows[0].args[1], GY_ARG_INT, "3");
    assert_arg(&cfg->rows[0].args[2], GY_ARG_INT, "2");
    assert_arg(&cfg->rows[1].args[0], GY_ARG_INT, "1024");
    assert_arg(&cfg->rows[1].args[1], GY_ARG_INT, "16");
    assert_arg(&cfg->rows[1].args[2], GY_ARG_INT, "7");
    gy_config_free(cfg);
}
END_TEST

/* gy_path_stem (core/util.c): the file name without its last extension; a name without a dot,
 * or whose only dot leads, is whole; cut to the buffer. */
START_TEST(test_path_stem)
{
    static const char *cases[][2] = {{"dir/yolov8n.yaml", "yolov8n"}, {"noext", "noext"},
                                     {"a/b/.hidden", ".hidden"},      {"x.tar.gz", "x.tar"},
                                     {"dir.d/plain", "plain"},        {"", ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32] = "junk";
        gy_path_stem(cases[i][0], out, sizeof out);
        ck_assert_msg(!strcmp(out, cases[i][1]), "'%s' -> '%s', expected '%s'", cases[i][0], out,
                      cases[i][1]);
    }
    char tiny[4];
    gy_path_stem("abcdef.yaml", tiny, sizeof tiny);
    ck_assert_str_eq(tiny, "abc");
}
END_TEST

START_TEST(test_guess_scale)
{
    static const char *cases[][2] = {
        {"yolov8n.yaml", "n"},       {"YOLOv8s.yaml", ""},          {"yolov8-ghost.yaml", ""},
        {"yolov10x", "x"},           {"yolov8s-p6", "s"},           {"dir/yolov8m.yaml", "m"},
        {"yolov8s-ghost.yaml", "s"}, {"yolov8l.pt", "l"},           {"a/yolov5x6.yaml", "x"},
        {"yolov.yaml", ""},          {"yolov8.yaml", ""},           {"my_yolov8-yolov5n.yaml", "n"},
        {"yolov8n/model.yaml", ""},  {"", ""},                      {"yolov8t.yaml", ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[8] = "junk";
        gy_guess_scale(cases[i][0], out, sizeof out);
        ck_assert_msg(!strcmp(out, cases[i][1]), "'%s' -> '%s', expected '%s'", cases[i][0], out,
                      cases[i][1]);
    }
    char out[8] = "junk";
    gy_guess_scale(NULL, out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_guess_missing_scale_defaults)
{
    /* file name says x, the file only has n and s: first scale with a warning naming both */
    const char *yaml = "nc: 2\n"
                       "scales:\n"
                       "  n: [0.33, 0.25, 1024]\n"
                       "  s: [0.33, 0.50, 1024]\n"
                       "backbone:\n"
                       "  - [-1, 1, Conv, [64, 3, 2]]\n"
                       "head:\n"
                       "  - [[-1], 1, Detect, [nc]]\n";
    gy_config *cfg = load_string_ok(yaml, "yolov8x.yaml", NULL, 0);
    ck_assert_str_eq(cfg->scale, "n");
    ck_assert_str_eq(cfg->scale_source, "first scale (default)");
    ck_assert_ptr_nonnull(strstr(cfg->warning, "'x'"));
    ck_assert_ptr_nonnull(strstr(cfg->warning, "Assuming scale='n'"));
    ck_assert_str_eq(cfg->name, "yolov8x");
    ck_assert_str_eq(cfg->path, "yolov8x.yaml");
    gy_config_free(cfg);

    /* no scales and no multiples: "none" */
    cfg = load_string_ok("nc: 2\nbackbone:\n- [-1, 1, Conv, [64, 3, 2]]\nhead: []\n", NULL, NULL,
                         0);
    ck_assert_str_eq(cfg->scale_source, "none");
    ck_assert_str_eq(cfg->scale, "");
    ck_assert_str_eq(cfg->path, "<string>");
    ck_assert(cfg->depth == 1.0 && cfg->width == 1.0);
    ck_assert_int_eq(gy_config_channels(cfg, 100), 104);
    ck_assert_int_eq(cfg->nbackbone, 1);
    ck_assert_int_eq(cfg->nrows, 1);
    gy_config_free(cfg);

    /* older YAMLs give depth_multiple / width_multiple: the scale is named when they are one of
     * yolov8.yaml's (n s m l x), else left empty; each multiple alone decides nothing */
    static const struct {
        const char *dm, *wm, *scale;
    } mult[] = {{"0.33", "0.25", "n"}, {"0.33", "0.50", "s"}, {"0.67", "0.75", "m"},
                {"1.0", "1.0", "l"},   {"1.00", "1.25", "x"}, {"0.33", "0.75", ""},
                {"0.67", "0.25", ""},  {"1.33", "1.25", ""},  {"0.34", "0.25", ""}};
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
        char y[256];
        snprintf(y, sizeof y, "nc: 2\ndepth_multiple: %s\nwidth_multiple: %s\nbackbone:\n"
                 "- [-1, 1, Conv, [64, 3, 2]]\nhead: []\n", mult[i].dm, mult[i].wm);
        cfg = load_string_ok(y, "m.yaml", NULL, 0);
        ck_assert_msg(!strcmp(cfg->scale, mult[i].scale), "%s/%s: scale '%s'", mult[i].dm,
                      mult[i].wm, cfg->scale);
        ck_assert_str_eq(cfg->scale_source, "depth/width multiples");
        gy_config_free(cfg);
    }
    /* ultralytics names a model after its yaml_file key (YAML stored with weights) */
    cfg = load_string_ok("nc: 2\nyaml_file: /data/yolov8s-custom.yaml\nbackbone:\n"
                         "- [-1, 1, Conv, [64, 3, 2]]\nhead: []\n", "best.pt:config", NULL, 0);
    ck_assert_str_eq(cfg->name, "yolov8s-custom");
    gy_config_free(cfg);

    /* `scales: {}` is treated as absent, like ultralytics' `if scales:` */
    cfg = load_string_ok("nc: 2\nscales: {}\nwidth_multiple: 0.5\nch: 1\nbackbone:\n"
                         "- [-1, 1, Conv, [64, 3, 2]]\nhead: []\n",
                         "yolov8n.yaml", NULL, 0);
    ck_assert_str_eq(cfg->scale_source, "depth/width multiples");
    ck_assert(cfg->depth == 1.0 && cfg->width == 0.5);
    ck_assert_int_eq(cfg->ch, 1);
    gy_config_free(cfg);
}
END_TEST

START_TEST(test_scaling_rules)
{
    const char *yaml = "nc: 2\n"
                       "scales:\n"
                       "  h: [0.5, 0.3, 100]\n"
                       "  q: [0.25, 1, 64]\n"
                       "backbone:\n"
                       "  - [-1, 1, Conv, [64, 3, 2]]\n"
                       "head: []\n";
    gy_config *cfg = load_string_ok(yaml, "t.yaml", "h", 0);
    /* Python round: ties to even */
    ck_assert_int_eq(gy_config_repeats(cfg, 3), 2);  /* 1.5 -> 2 */
    ck_assert_int_eq(gy_config_repeats(cfg, 5), 2);  /* 2.5 -> 2 */
    ck_assert_int_eq(gy_config_repeats(cfg, 7), 4);  /* 3.5 -> 4 */
    ck_assert_int_eq(gy_config_repeats(cfg, 2), 1);  /* 1.0 */
    ck_assert_int_eq(gy_config_repeats(cfg, 1), 1);  /* n <= 1 unchanged */
    /* make_divisible(min(c, 100) * 0.3, 8) */
    ck_assert_int_eq(gy_config_channels(cfg, 64), 24);   /* 19.2 -> 24 */
    ck_assert_int_eq(gy_config_channels(cfg, 80), 24);   /* 24.0 stays */
    ck_assert_int_eq(gy_config_channels(cfg, 1000), 32); /* 30 -> 32 */
    gy_config_free(cfg);
    cfg = load_string_ok(yaml, "t.yaml", "q", 0);
    ck_assert_int_eq(gy_config_repeats(cfg, 2), 1); /* 0.5 -> 0 -> max(., 1) */
    ck_assert_int_eq(gy_config_repeats(cfg, 6), 2); /* 1.5 -> 2 */
    ck_assert_int_eq(gy_config_repeats(cfg, 10), 2); /* 2.5 -> 2 */
    ck_assert_int_eq(gy_config_channels(cfg, 1), 8);
    ck_assert_int_eq(gy_config_channels(cfg, 128), 64);
    ck_assert(cfg->width == 1.0);
    gy_config_free(cfg);
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * Argument typing (PyYAML safe_load + parse_model's literal_eval) and printing */

START_TEST(test_argument_typing)
{
    const char *yaml = "nc: 7\n"
                       "backbone:\n"
                       "  - [-1, 1, Custom, [1e-5, '3', \"None\", 0x10, 010, yes, on, ~, null,"
                       " word, 'nc', 0.5, 1.0, 2.5e+3, 1_000, -0]]\n"
                       "  - - -1\n"
                       "    - 2\n"
                       "    - \"Quoted\"\n"
                       "    - [False, 'it''s', .5, 0.0001, 1.5e-7, 65536.0]\n"
                       "head: []\n"
                       "kpt_shape: [17, 3]\n"
                       "inplace: true\n";
    gy_config *cfg = load_string_ok(yaml, "args.yaml", NULL, 0);
    const gy_row *r = &cfg->rows[0];
    ck_assert_int_eq(r->nargs, 16);
    assert_arg(&r->args[0], GY_ARG_FLOAT, "1e-05");   /* YAML string, then literal_eval */
    assert_arg(&r->args[1], GY_ARG_INT, "3");         /* quoted, literal_eval'd as ultralytics */
    assert_arg(&r->args[2], GY_ARG_NONE, "None");
    assert_arg(&r->args[3], GY_ARG_INT, "16");        /* YAML 1.1 hex */
    assert_arg(&r->args[4], GY_ARG_INT, "8");         /* YAML 1.1 octal */
    assert_arg(&r->args[5], GY_ARG_BOOL, "True");
    assert_arg(&r->args[6], GY_ARG_BOOL, "True");
    assert_arg(&r->args[7], GY_ARG_NONE, "None");
    assert_arg(&r->args[8], GY_ARG_NONE, "None");
    assert_arg(&r->args[9], GY_ARG_STR, "'word'");
    assert_arg(&r->args[10], GY_ARG_NC, "7");
    assert_arg(&r->args[11], GY_ARG_FLOAT, "0.5");
    assert_arg(&r->args[12], GY_ARG_FLOAT, "1.0");
    assert_arg(&r->args[13], GY_ARG_FLOAT, "2500.0");
    assert_arg(&r->args[14], GY_ARG_INT, "1000");
    assert_arg(&r->args[15], GY_ARG_INT, "0");
    const gy_row *b = &cfg->rows[1];
    ck_assert_int_eq(b->line, 4);
    ck_assert_int_eq(b->repeats, 2);
    ck_assert_str_eq(b->module, "Quoted");
    assert_arg(&b->args[0], GY_ARG_BOOL, "False");
    assert_arg(&b->args[1], GY_ARG_STR, "\"it's\"");
    assert_arg(&b->args[2], GY_ARG_FLOAT, "0.5");
    assert_arg(&b->args[3], GY_ARG_FLOAT, "0.0001");
    assert_arg(&b->args[4], GY_ARG_FLOAT, "1.5e-07");
    assert_arg(&b->args[5], GY_ARG_FLOAT, "65536.0");
    gy_config_free(cfg);
}
END_TEST

/* Python float literals with an unsigned or '+' exponent (no '.', so PyYAML keeps them as strings
 * and parse_model's ast.literal_eval makes floats): Python's float('1e3') == 1000.0. */
START_TEST(test_argument_exponents)
{
    const char *yaml = "nc: 2\n"
                       "backbone:\n"
                       "  - [-1, 1, Custom, [1e3, 1e+2, 2E3, '4e-1', 5E+0]]\n"
                       "head: []\n";
    gy_config *cfg = load_string_ok(yaml, "exp.yaml", NULL, 0);
    const gy_row *r = &cfg->rows[0];
    ck_assert_int_eq(r->nargs, 5);
    assert_arg(&r->args[0], GY_ARG_FLOAT, "1000.0");
    assert_arg(&r->args[1], GY_ARG_FLOAT, "100.0");
    assert_arg(&r->args[2], GY_ARG_FLOAT, "2000.0");
    assert_arg(&r->args[3], GY_ARG_FLOAT, "0.4");
    assert_arg(&r->args[4], GY_ARG_FLOAT, "5.0");
    gy_config_free(cfg);
}
END_TEST

START_TEST(test_arg_format)
{
    static const struct {
        double v;
        const char *s;
    } floats[] = {{0.5, "0.5"},          {1.0, "1.0"},       {0.1, "0.1"},
                  {1e-5, "1e-05"},       {1e16, "1e+16"},    {1e15, "1000000000000000.0"},
                  {0.0001, "0.0001"},    {-2.5, "-2.5"},     {1.5e-7, "1.5e-07"},
                  {123456789.125, "123456789.125"},          {0.0, "0.0"},
                  {1.0 / 3.0, "0.3333333333333333"},         {2.5e300, "2.5e+300"},
                  {100.0, "100.0"},      {0.33, "0.33"},     {12.5, "12.5"}};
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        gy_arg a;
        memset(&a, 0, sizeof a);
        a.type = GY_ARG_FLOAT;
        a.f = floats[i].v;
        char buf[64];
        gy_arg_format(&a, buf, sizeof buf);
        ck_assert_msg(!strcmp(buf, floats[i].s), "%.17g -> '%s', expected '%s'", floats[i].v, buf,
                      floats[i].s);
    }
    gy_arg a;
    memset(&a, 0, sizeof a);
    a.type = GY_ARG_STR;
    strcpy(a.s, "a\\b'c\"");
    char buf[64];
    gy_arg_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "'a\\\\b\\'c\"'");
    /* control characters as Python's repr writes them: \n \r \t by name, others in hex */
    strcpy(a.s, "a\nb\rc\td\x01" "e\x7f");
    gy_arg_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "'a\\nb\\rc\\td\\x01e\\x7f'");
    a.type = GY_ARG_BOOL;
    a.i = 0;
    gy_arg_format(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "False");
    char tiny[4];
    a.type = GY_ARG_STR;
    strcpy(a.s, "nearest");
    gy_arg_format(&a, tiny, sizeof tiny);
    ck_assert_str_eq(tiny, "'ne");
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * Errors: status and file:line */

#define HEAD_OK "head:\n  - [-1, 1, Detect, [nc]]\n"

START_TEST(test_errors_yaml_level)
{
    expect_error("nc: 80\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: YAML syntax error");
    expect_error("nc: 80\nbackbone: [\n", GY_ERR_FORMAT, "bad.yaml:3: YAML syntax error");
    expect_error("nc: &n 80\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]]\n" HEAD_OK,
                 GY_ERR_UNSUPPORTED, "bad.yaml:1: YAML anchor '&n'");
    expect_error("nc: 80\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]]\n  - *row\n" HEAD_OK,
                 GY_ERR_UNSUPPORTED, "bad.yaml:4: YAML alias '*row'");
    expect_error("nc: !!int 80\nbackbone: []\n" HEAD_OK, GY_ERR_UNSUPPORTED,
                 "bad.yaml:1: YAML tag");
    expect_error("nc: 80\nbackbone:\n  - [-1, 1, Conv, [[[64]], 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:3: a list nested 6 levels deep");
    expect_error("nc: 80\nnc: 3\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:2: duplicate top-level key 'nc' (first at line 1)");
    expect_error("nc: 80\nbackbone: []\n" HEAD_OK "---\nnc: 3\n", GY_ERR_FORMAT,
                 "bad.yaml:5: a second YAML document");
    expect_error("- 1\n- 2\n", GY_ERR_FORMAT, "bad.yaml:1: the top level must be a mapping");
    expect_error("", GY_ERR_FORMAT, "bad.yaml:1: the YAML is empty");
    expect_error("# only a comment\n", GY_ERR_FORMAT, "bad.yaml:1: the YAML is empty");
    expect_error("nc: 80\nbackbone: []\n\x01" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:3: YAML syntax error: control characters are not allowed");
    /* a UTF-8 lead byte followed by the newline that ends line 3: libyaml's reader error points at
     * the newline itself (the bad trailing octet), which still belongs to line 3 */
    expect_error("nc: 80\nbackbone: []\nx: \xC3\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:3: YAML syntax error: invalid trailing UTF-8 octet");
    expect_error("nc: 80\nactivation: nn.ReLU()\nbackbone: []\n" HEAD_OK, GY_ERR_UNSUPPORTED,
                 "bad.yaml:2: activation: 'nn.ReLU()' is not supported");
    /* size cap */
    size_t big = ((size_t)1 << 20) + 1;
    char *text = malloc(big + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, '#', big);
    text[big] = '\0';
    expect_error_ex(text, big, NULL, 0, GY_ERR_FORMAT, "more than the 1048576 allowed");
    free(text);
}
END_TEST

START_TEST(test_errors_top_level_values)
{
    expect_error("backbone: []\n" HEAD_OK, GY_ERR_FORMAT, "bad.yaml:1: missing required key 'nc'");
    expect_error("nc: 80\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]]\n", GY_ERR_FORMAT,
                 "bad.yaml:1: missing required key 'head'");
    expect_error("nc: 80\n" HEAD_OK, GY_ERR_FORMAT, "bad.yaml:1: missing required key 'backbone'");
    expect_error("nc: 80\nbackbone: []\nhead:\n", GY_ERR_FORMAT,
                 "bad.yaml:3: head must be a list of rows");
    expect_error("nc: 80\nbackbone: []\nhead: []\n", GY_ERR_FORMAT, "have no rows");
    expect_error("nc: 1000000\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:1: nc '1000000' is out of range [1, 100000]");
    expect_error("\n\nnc: 0\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT, "bad.yaml:3: nc '0'");
    expect_error("nc: -5\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT, "bad.yaml:1: nc '-5'");
    expect_error("nc: eighty\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:1: nc must be an integer, got 'eighty'");
    expect_error("nc: 80.0\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:1: nc must be an integer");
    expect_error("nc: 80\nch: 0\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT, "bad.yaml:2: ch");
    expect_error("nc: 80\nscales:\n  n: [0.33, 0.25]\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:3: scale 'n' must be a list [depth, width, max_channels]");
    expect_error("nc: 80\nscales:\n  n: [0.33, wide, 1024]\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:3: scale width must be a finite number, got 'wide'");
    expect_error("nc: 80\nscales:\n  n: [0, 0.25, 1024]\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:3: scale 'n': depth 0 is not in (0, 16]");
    expect_error("nc: 80\nscales:\n  n: [0.33, 20, 1024]\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:3: scale 'n': width 20 is not in (0, 16]");
    expect_error("nc: 80\nscales:\n  n: [0.33, 0.25, 99999999]\nbackbone: []\n" HEAD_OK,
                 GY_ERR_FORMAT, "bad.yaml:3: max_channels '99999999' is out of range");
    expect_error("nc: 80\nscales:\n  n: [0.33, 0.25, 1024]\n  n: [1, 1, 1024]\n"
                 "backbone: []\n" HEAD_OK,
                 GY_ERR_FORMAT, "bad.yaml:4: scale 'n' is defined twice");
    expect_error("nc: 80\nscales:\n  n: [0.33, 0.25, 1024]\nscale: q\nbackbone: []\n" HEAD_OK,
                 GY_ERR_FORMAT, "bad.yaml:4: scale 'q' is not defined in scales (available: n)");
    expect_error("nc: 80\ndepth_multiple: -1\nbackbone: []\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:2: depth_multiple -1 is not in (0, 16]");
    expect_error_ex("nc: 80\nscales:\n  n: [0.33, 0.25, 1024]\nbackbone: []\n" HEAD_OK,
                    strlen("nc: 80\nscales:\n  n: [0.33, 0.25, 1024]\nbackbone: []\n" HEAD_OK),
                    "s", 0, GY_ERR_ARGUMENT, "bad.yaml:2: scale 's' is not defined in scales");
}
END_TEST

START_TEST(test_errors_rows)
{
#define BB "nc: 80\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]]\n"
    expect_error(BB "  - [-1, 1, Conv]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1 must be a list of 4 items [from, repeats, module, args], "
                 "got 3");
    expect_error(BB "  - Conv\n" HEAD_OK, GY_ERR_FORMAT, "bad.yaml:4: row 1 must be a list");
    expect_error(BB "  - [2, 1, Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: `from` 2 points to row 2, which is not an earlier row");
    expect_error(BB "  - [1, 1, Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: `from` 1 points to row 1");
    expect_error(BB "  - [-3, 1, Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: `from` '-3' points before the first row");
    expect_error(BB "  - [[-1, 99999999999999999999], 1, Concat, [1]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: `from`");
    expect_error("nc: 80\nbackbone:\n  - [0, 1, Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:3: row 0: `from` 0 points to row 0");
    expect_error("nc: 80\nbackbone:\n  - [-2, 1, Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "(row 0 may only use -1, the input)");
    expect_error(BB "  - [x, 1, Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: `from` must be an integer or a list of integers, got 'x'");
    expect_error(BB "  - [[-1, 0.5], 1, Concat, [1]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: `from` must be an integer or a list of integers, got '0.5'");
    expect_error(BB "  - [[], 1, Concat, [1]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: `from` is an empty list");
    expect_error(BB "  - [-1, 0, Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: repeats '0' is out of range [1, 1024]");
    expect_error(BB "  - [-1, 100000, Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: repeats '100000' is out of range");
    expect_error(BB "  - [-1, three, Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: repeats must be a positive integer, got 'three'");
    expect_error(BB "  - [-1, '3', Conv, [64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: repeats must be a positive integer");
    expect_error(BB "  - [-1, 1, Conv, [10000000, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: argument 1 ('10000000') is absurdly large");
    expect_error(BB "  - [-1, 1, Conv, [-64, 3, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: argument 1 (-64) is negative");
    expect_error(BB "  - [-1, 1, Conv, [64, .inf, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: argument 2 ('.inf') is not a sensible number");
    /* YAML's three spellings of NaN, each on its own */
    expect_error(BB "  - [-1, 1, Conv, [64, .nan, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: argument 2 ('.nan') is not a sensible number");
    expect_error(BB "  - [-1, 1, Conv, [64, .NaN, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: argument 2 ('.NaN') is not a sensible number");
    expect_error(BB "  - [-1, 1, Conv, [64, .NAN, 2]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: argument 2 ('.NAN') is not a sensible number");
    expect_error(BB "  - [-1, 1, Conv, [[64], 3, 2]]\n" HEAD_OK, GY_ERR_UNSUPPORTED,
                 "bad.yaml:4: row 1: argument 1 is a list; nested list arguments are not "
                 "supported");
    expect_error(BB "  - [-1, 1, Conv, [{c: 64}, 3, 2]]\n" HEAD_OK, GY_ERR_UNSUPPORTED,
                 "bad.yaml:4: row 1: argument 1 is a mapping");
    expect_error(BB "  - [-1, 1, Conv, 64]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: args must be a list, got '64'");
    expect_error(BB "  - [-1, 1, [0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6], 1]\n" HEAD_OK,
                 GY_ERR_FORMAT, "bad.yaml:4: row 1: the module must be a name, got a list");
    expect_error(BB "  - [-1, 1, Conv, [0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6]]\n" HEAD_OK,
                 GY_ERR_UNSUPPORTED, "bad.yaml:4: row 1: 17 arguments, more than the 16 supported");
    expect_error(BB "  - [-1, 1, '', [64]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: the module must be a name, got ''");
    expect_error(BB "  - [-1, 1, 12, [64]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: the module must be a name, got '12'");
    expect_error(BB "  - [-1, 1, 'Conv;rm', [64]]\n" HEAD_OK, GY_ERR_FORMAT,
                 "bad.yaml:4: row 1: module name 'Conv;rm' has a character");
    expect_error(BB "  - [-1, 1, AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                    "AAAAAAAAAAAA, [64]]\n" HEAD_OK,
                 GY_ERR_FORMAT, "bad.yaml:4: row 1: module name of 68 characters is too long");
    expect_error(BB "  - [-1, 1, Up, [xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                    "xxxxxxxxxxxxxxxx]]\n" HEAD_OK,
                 GY_ERR_FORMAT, "bad.yaml:4: row 1: argument 1 is a string of 70 characters");
    /* block-style rows report the line of the offending item */
    expect_error("nc: 80\nbackbone:\n- - -1\n  - 1\n  - Conv\n  - [64, 3, 2]\n- - 5\n  - 1\n"
                 "  - Conv\n  - [64, 3, 2]\n" HEAD_OK,
                 GY_ERR_FORMAT, "bad.yaml:7: row 1: `from` 5 points to row 5");
#undef BB
}
END_TEST

START_TEST(test_errors_too_many_rows)
{
    size_t cap = 64 + (size_t)(GY_MAX_ROWS + 1) * 40;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t used = (size_t)snprintf(text, cap, "nc: 80\nbackbone:\n");
    for (int i = 0; i <= GY_MAX_ROWS; i++)
        used += (size_t)snprintf(text + used, cap - used, "  - [-1, 1, Conv, [64, 3, 1]]\n");
    snprintf(text + used, cap - used, "head: []\n");
    char want[64];
    snprintf(want, sizeof want, "bad.yaml:%d: more than %d rows", 3 + GY_MAX_ROWS, GY_MAX_ROWS);
    expect_error(text, GY_ERR_UNSUPPORTED, want);
    /* exactly GY_MAX_ROWS is fine */
    char *last = strstr(text, "head: []");
    ck_assert_ptr_nonnull(last);
    char *cut = last - strlen("  - [-1, 1, Conv, [64, 3, 1]]\n");
    memmove(cut, last, strlen(last) + 1);
    gy_config *cfg = load_string_ok(text, "many.yaml", NULL, 0);
    ck_assert_int_eq(cfg->nrows, GY_MAX_ROWS);
    gy_config_free(cfg);
    free(text);
}
END_TEST

/* gy_error_prefix makes "<prefix>: <old message>" (core/error.h): a 400-character prefix, such as a
 * long image path, is kept whole in the 1024-byte message. */
START_TEST(test_error_prefix_keeps_long_prefix)
{
    char prefix[401];
    memset(prefix, 'p', 400);
    prefix[400] = '\0';
    gy_error err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(gy_fail(&err, GY_ERR_FORMAT, "bad %s", "thing"), GY_ERR_FORMAT);
    gy_error_prefix(&err, "%s", prefix);
    char want[420];
    snprintf(want, sizeof want, "%s: bad thing", prefix);
    ck_assert_str_eq(err.message, want);
    ck_assert_int_eq(err.status, GY_ERR_FORMAT);
}
END_TEST

START_TEST(test_error_names_the_file)
{
    char path[] = "/tmp/gy_test_config_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *yaml = "nc: 80\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]]\n"
                       "  - [-1, 0, Conv, [64, 3, 2]]\n" HEAD_OK;
    ck_assert_int_eq((int)write(fd, yaml, strlen(yaml)), (int)strlen(yaml));
    close(fd);
    gy_config *cfg = NULL;
    gy_error err;
    ck_assert_int_eq(gy_config_load_file(path, NULL, 0, &cfg, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(cfg);
    char want[128];
    snprintf(want, sizeof want, "%s:4: row 1: repeats", path);
    ck_assert_msg(strstr(err.message, want) != NULL, "'%s' lacks '%s'", err.message, want);
    remove(path);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, test_shipped_yolov8);
    tcase_add_test(tc, test_block_style_checkpoint_yaml);
    tcase_add_test(tc, test_shared_table_configs);
    tcase_add_test(tc, test_parity_yamls);
    tcase_add_test(tc, test_tables_yolov8_nsm);
    tcase_add_test(tc, test_tables_published_and_ghost);
    tcase_add_test(tc, test_unified_name_fallback);
    tcase_add_test(tc, test_unified_name_in_folders_with_scale_like_names);
    tcase_add_test(tc, test_scale_override);
    tcase_add_test(tc, test_nc_override);
    tcase_add_test(tc, test_guess_scale);
    tcase_add_test(tc, test_path_stem);
    tcase_add_test(tc, test_quoted_number_arguments);
    tcase_add_test(tc, test_guess_missing_scale_defaults);
    tcase_add_test(tc, test_scaling_rules);
    tcase_add_test(tc, test_argument_typing);
    tcase_add_test(tc, test_argument_exponents);
    tcase_add_test(tc, test_arg_format);
    tcase_add_test(tc, test_errors_yaml_level);
    tcase_add_test(tc, test_errors_top_level_values);
    tcase_add_test(tc, test_errors_rows);
    tcase_add_test(tc, test_errors_too_many_rows);
    tcase_add_test(tc, test_error_names_the_file);
    tcase_add_test(tc, test_error_prefix_keeps_long_prefix);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(config_suite()); }

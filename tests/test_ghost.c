/* The Ghost modules against ultralytics: numerical parity of the four Ghost cases in
 * ../shared/parity, the published table's layers / parameters / GFLOPs (../shared/stats), the
 * per-row build tables, the GhostNetV2 DFC-attention models, the `dfc` argument, and
 * ultralytics' own yolov8-ghost.yaml (GhostConv, C3Ghost) against the summaries it publishes. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detector/model.h"
#include "parity.h"
#include "runtime/plan.h"
#include "tables.h"
#include "testutil.h"

/* ---------------------------------------------------------------------------------------------- */
/* Parity                                                                                          */

START_TEST(parity_ghost_n_640) { gy_test_parity("ghost_n_640", 2); }
END_TEST
START_TEST(parity_ghostv2_n_640) { gy_test_parity("ghostv2_n_640", 2); }
END_TEST
START_TEST(parity_ghostv2_dfc_320) { gy_test_parity("ghostv2_dfc_320", 2); }
END_TEST
START_TEST(parity_ghostv2_dfc_320_one_thread) { gy_test_parity("ghostv2_dfc_320", 1); }
END_TEST
START_TEST(parity_gghost_n_640) { gy_test_parity("gghost_n_640", 2); }
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Statistics                                                                                      */

START_TEST(published_table)
{
    static const struct { const char *config, *key, *table; } cases[] = {
        {"configs/yolov8s.yaml", "YOLOv8s", "stats/YOLOv8s.layers.txt"},
        {"configs/YOLOv8_C2f_GhostBottlenecks.yaml", "YOLOv8_C2f_GhostBottlenecks",
         "stats/YOLOv8_C2f_GhostBottlenecks.layers.txt"},
        {"configs/YOLOv8_C2f_GhostBottleneckV2s.yaml", "YOLOv8_C2f_GhostBottleneckV2s",
         "stats/YOLOv8_C2f_GhostBottleneckV2s.layers.txt"},
        {"configs/YOLOv8_C2f_g_ghostBottlenecks.yaml", "YOLOv8_C2f_g_ghostBottlenecks",
         "stats/YOLOv8_C2f_g_ghostBottlenecks.layers.txt"},
    };
    cJSON *j = gy_test_expected_table();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const cJSON *entry = gy_test_expected_entry(j, "table", cases[i].key);
        char path[4096]; /* configs/yolov8s.yaml resolves to configs/yolov8.yaml at scale s */
        snprintf(path, sizeof path, "%s/%s", GY_SOURCE_DIR, cases[i].config);
        gy_model *m = gy_test_load(path, NULL, NULL, 1);
        gy_model_info info;
        gy_model_get_info(m, &info);
        ck_assert_str_eq(info.scale, cJSON_GetObjectItem(entry, "scale")->valuestring);
        ck_assert_int_eq(info.nc, 1);
        gy_test_check_summary(m, cases[i].key, entry);
        gy_test_check_rows(m, cases[i].table);
        gy_model_free(m);
    }
    cJSON_Delete(j);
}
END_TEST

/* The activation arena of the Ghost models at 640: like yolov8n's, the input and the first conv's
 * output live together (op 0) and every later op fits inside that, (3 x 640 x 640 + 16 x 320 x
 * 320) floats; an op that named a tensor it does not read would keep that tensor alive longer. */
START_TEST(ghost_arena_at_640)
{
    static const char *const configs[3] = {"configs/YOLOv8_C2f_GhostBottlenecks.yaml",
                                           "configs/YOLOv8_C2f_GhostBottleneckV2s.yaml",
                                           "configs/YOLOv8_C2f_g_ghostBottlenecks.yaml"};
    for (int i = 0; i < 3; i++) {
        gy_model *m = gy_test_load(gy_test_source(configs[i]), NULL, NULL, 1);
        gy_plan p;
        gy_error err;
        ck_assert_msg(gy_plan_make(&m->graph, 640, 640, &p, &err) == GY_OK, "%s", err.message);
        ck_assert_msg(p.arena_floats == 3 * 640 * 640 + 16 * 320 * 320, "%s: %zu floats",
                      configs[i], p.arena_floats);
        gy_plan_free(&p);
        gy_model_free(m);
    }
}
END_TEST

/* The shipped table YAMLs are the shared ones, unchanged. The YOLOv8s row is ultralytics'
 * yolov8.yaml read under the name yolov8s.yaml: ours differs from the shared copy only in nc. */
START_TEST(shipped_configs_match_shared)
{
    size_t n1, n2;
    char *ours = (char *)gy_test_read(gy_test_source("configs/yolov8.yaml"), &n1);
    char *theirs = (char *)gy_test_read(gy_test_shared("configs/yolov8s.yaml"), &n2);
    const char *nc80 = "nc: 80  # number of classes\n";
    const char *nc1 = "nc: 1  # number of classes (the published table used a 1-class dataset)\n";
    char *a = strstr(ours, nc80), *b = strstr(theirs, nc1);
    ck_assert(a && b && a - ours == b - theirs && memcmp(ours, theirs, (size_t)(a - ours)) == 0);
    ck_assert_str_eq(a + strlen(nc80), b + strlen(nc1));
    free(ours);
    free(theirs);
    static const char *const names[] = {"YOLOv8_C2f_GhostBottlenecks.yaml",
                                        "YOLOv8_C2f_GhostBottleneckV2s.yaml",
                                        "YOLOv8_C2f_g_ghostBottlenecks.yaml"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "configs/%s", names[i]);
        size_t s1, s2;
        unsigned char *x = gy_test_read(gy_test_source(rel), &s1);
        unsigned char *y = gy_test_read(gy_test_shared(rel), &s2);
        ck_assert_msg(s1 == s2 && memcmp(x, y, s1) == 0, "%s differs from the shared copy", rel);
        free(x);
        free(y);
    }
}
END_TEST

/* GhostNetV2 with DFC attention: scale t (the parity YAML's explicit scale) and scale l. */
START_TEST(dfc_models)
{
    cJSON *j = gy_test_expected_table();
    gy_model *m = gy_test_load(gy_test_shared("parity/ghostv2_dfc_320/model.yaml"), NULL, NULL, 1);
    gy_test_check_summary(m, "dfc_t",
                          gy_test_expected_entry(j, "extra", "YOLOv8_C2f_GhostBottleneckV2_dfc_t"));
    gy_test_check_rows(m, "stats/YOLOv8_C2f_GhostBottleneckV2_dfc_t.layers.txt");
    gy_model_free(m);
    m = gy_test_load(gy_test_source("configs/YOLOv8_C2f_GhostBottleneckV2s.yaml"), NULL, "l", 1);
    gy_test_check_summary(m, "dfc_l",
                          gy_test_expected_entry(j, "extra", "YOLOv8_C2f_GhostBottleneckV2_dfc_l"));
    gy_test_check_rows(m, "stats/YOLOv8_C2f_GhostBottleneckV2_dfc_l.layers.txt");
    gy_model_free(m);
    cJSON_Delete(j);
}
END_TEST

/* The parity case's own numbers (nc = 2) from case.json. */
START_TEST(dfc_case_numbers)
{
    cJSON *c = gy_test_read_json(gy_test_shared("parity/ghostv2_dfc_320/case.json"));
    gy_model *m = gy_test_load(gy_test_shared("parity/ghostv2_dfc_320/model.yaml"), NULL, NULL, 0);
    gy_model_summary su, sf;
    gy_error err;
    ck_assert_int_eq(gy_model_get_summary(m, 0, 640, &su, &err), GY_OK);
    ck_assert_int_eq(gy_model_get_summary(m, 1, 640, &sf, &err), GY_OK);
    ck_assert_int_eq(su.params, (long long)gy_test_num(c, "params_unfused"));
    ck_assert_int_eq(sf.params, (long long)gy_test_num(c, "params_fused"));
    ck_assert_int_eq(su.gradients, (long long)gy_test_num(c, "gradients_unfused"));
    ck_assert_int_eq(su.layers, (long long)gy_test_num(c, "layers_unfused"));
    ck_assert_int_eq(sf.layers, (long long)gy_test_num(c, "layers_fused"));
    double g = gy_test_num(c, "gflops_fused_thop_direct_640");
    ck_assert_msg(sf.gflops > g * (1 - 1e-9) && sf.gflops < g * (1 + 1e-9),
                  "%.10g GFLOPs, expected %.10g", sf.gflops, g);
    gy_model_free(m);
    cJSON_Delete(c);
}
END_TEST

/* Writes `text` with every "C2f_GhostBottleneckV2, [<c>, True]" row given a third argument. */
static void write_dfc_variant(const char *src, const char *dfc, const char *path)
{
    char *text = (char *)gy_test_read(src, NULL);
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    const char *key = "C2f_GhostBottleneckV2, [";
    const char *p = text;
    int rows = 0;
    for (const char *q; (q = strstr(p, key)) != NULL; p = strstr(q, ", True]") + 6) {
        const char *end = strstr(q, ", True]");
        ck_assert_ptr_nonnull(end);
        fwrite(p, 1, (size_t)(end - p) + 6, f); /* up to and including ", True" */
        fprintf(f, ", %s", dfc);
        rows++;
    }
    fputs(p, f);
    fclose(f);
    free(text);
    ck_assert_int_eq(rows, 4);
}

/* dfc: auto (default) = bottlenecks with index > 1, True = all, False = none. Each GhostModuleV2
 * in 'attn' mode adds 7 modules (short_conv and its 3 Conv2d + 3 BatchNorm2d) and, per channel c,
 * c*c + 5c + 5c conv weights and 3 * 2c BatchNorm parameters. */
START_TEST(dfc_argument)
{
    const char *src = gy_test_shared("parity/ghostv2_dfc_320/model.yaml");
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_ghost_dfc_%d.yaml", (int)getpid());
    static const struct { const char *arg; long long dfc_modules; } cases[] = {
        {"auto", 10}, {"'auto'", 10}, {"None", 10}, {"True", 18}, {"False", 0}};
    gy_model *base = gy_test_load(src, NULL, NULL, 1);
    gy_model_summary s0;
    gy_error err;
    ck_assert_int_eq(gy_model_get_summary(base, 0, 640, &s0, &err), GY_OK);
    gy_model_free(base);
    /* per backbone row: channels c and bottlenecks with / without DFC under auto */
    static const int ch[4] = {16, 32, 64, 128}, nb[4] = {3, 6, 6, 3};
    long long base_dfc_params = 0, all_dfc_params = 0;
    for (int r = 0; r < 4; r++) {
        long long per = (long long)ch[r] * ch[r] + 10LL * ch[r] + 6LL * ch[r];
        base_dfc_params += per * (nb[r] - 2);
        all_dfc_params += per * nb[r];
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_dfc_variant(src, cases[i].arg, path);
        gy_model *m = gy_test_load(path, NULL, NULL, 1);
        gy_model_summary s;
        ck_assert_int_eq(gy_model_get_summary(m, 0, 640, &s, &err), GY_OK);
        long long dparams = cases[i].dfc_modules == 18 ? all_dfc_params
                            : cases[i].dfc_modules == 10 ? base_dfc_params : 0;
        ck_assert_msg(s.layers == s0.layers + 7 * (cases[i].dfc_modules - 10),
                      "dfc=%s: %lld layers", cases[i].arg, s.layers);
        ck_assert_msg(s.params == s0.params - base_dfc_params + dparams, "dfc=%s: %lld params",
                      cases[i].arg, s.params);
        gy_model_free(m);
    }
    write_dfc_variant(src, "maybe", path);
    gy_model_params p = gy_model_default_params();
    gy_model *m = NULL;
    ck_assert_int_eq(gy_model_load(path, NULL, &p, &m, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, "dfc") != NULL, "%s", err.message);
    unlink(path);
}
END_TEST

/* ultralytics' yolov8-ghost.yaml (GhostConv + C3Ghost, nc 80) against the summaries published
 * in the file's comments (unfused, as ultralytics prints them after building). */
START_TEST(yolov8_ghost_yaml)
{
    static const struct { const char *scale; long long layers, params; const char *gflops; } cases[] = {
        {"n", 403, 1865316, "5.8"},   {"s", 403, 5960072, "16.4"},  {"m", 603, 10336312, "32.7"},
        {"l", 803, 14277872, "53.7"}, {"x", 803, 22229308, "83.3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_model *m =
            gy_test_load(gy_test_source("configs/yolov8-ghost.yaml"), NULL, cases[i].scale, 0);
        gy_model_summary s;
        gy_error err;
        ck_assert_int_eq(gy_model_get_summary(m, 0, 640, &s, &err), GY_OK);
        char g[32];
        snprintf(g, sizeof g, "%.1f", s.gflops);
        ck_assert_msg(s.layers == cases[i].layers && s.params == cases[i].params &&
                          s.gradients == cases[i].params - 16 && strcmp(g, cases[i].gflops) == 0,
                      "yolov8%s-ghost: %lld layers, %lld params, %s GFLOPs", cases[i].scale,
                      s.layers, s.params, g);
        gy_row_info r;
        ck_assert_int_eq(gy_model_get_row(m, 1, &r), GY_OK);
        ck_assert_str_eq(r.module, "ultralytics.nn.modules.conv.GhostConv");
        ck_assert_int_eq(gy_model_get_row(m, 2, &r), GY_OK);
        ck_assert_str_eq(r.module, "ultralytics.nn.modules.block.C3Ghost");
        gy_model_free(m);
    }
}
END_TEST

/* DWConv and GhostBottleneck (stride 2 and repeated stride 1) rows, counted by hand:
 *   row 1 DWConv(16, 32, 3, 2): groups gcd = 16 -> 32*1*9 + 64 BN = 352 (fused 320); modules
 *     Conv(+Conv2d+BN) = 3 unfused, 2 fused (the SiLU is the shared one).
 *   row 2 GhostBottleneck(32, 64, 3, 2), c_ = 32:
 *     conv.0 GhostConv(32, 32): cv1 32*16 + 32, cv2 16*25 + 32 -> 976
 *     conv.1 DWConv(32, 32, 3, 2): 32*9 + 64 = 352
 *     conv.2 GhostConv(32, 64, act=False): cv1 32*32 + 64, cv2 32*25 + 64 -> 1952
 *     shortcut DWConv(32, 32, 3, 2) 352 + Conv(32, 64, 1) 2048 + 128 = 2528 -> 5808
 *   row 3 2 x GhostBottleneck(64, 64, 3, 1), c_ = 32: conv.0 GhostConv(64, 32): 64*16 + 32 +
 *     16*25 + 32 = 1488; conv.2 GhostConv(32, 64): 1952 -> 3440 each, 6880. */
START_TEST(dwconv_and_ghost_bottleneck_rows)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_ghost_rows_%d.yaml", (int)getpid());
    gy_test_write_text(path, "nc: 2\n"
                             "backbone:\n"
                             "  - [-1, 1, Conv, [16, 3, 2]]\n"
                             "  - [-1, 1, DWConv, [32, 3, 2]]\n"
                             "  - [-1, 1, GhostBottleneck, [64, 3, 2]]\n"
                             "  - [-1, 2, GhostBottleneck, [64, 3, 1]]\n"
                             "  - [-1, 1, GhostConv, [64, 3, 2]]\n"
                             "  - [-1, 1, C3Ghost, [64, True]]\n"
                             "  - [-1, 1, GhostConv, [64, 3, 2]]\n"
                             "head:\n"
                             "  - [[3, 5, 6], 1, Detect, [nc]]\n");
    gy_model *m = gy_test_load(path, NULL, NULL, 0);
    static const long long unfused[4] = {464, 352, 5808, 6880};
    for (int i = 0; i < 4; i++) {
        gy_row_info r;
        ck_assert_int_eq(gy_model_get_row(m, i, &r), GY_OK);
        ck_assert_msg(r.params == unfused[i], "row %d: %lld params, expected %lld", i, r.params,
                      unfused[i]);
    }
    gy_row_info r;
    ck_assert_int_eq(gy_model_get_row(m, 1, &r), GY_OK);
    ck_assert_int_eq(r.params_fused, 320);
    ck_assert_str_eq(r.module, "ultralytics.nn.modules.conv.DWConv");
    ck_assert_str_eq(r.args, "[16, 32, 3, 2]");
    ck_assert_int_eq(gy_model_get_row(m, 3, &r), GY_OK);
    ck_assert_int_eq(r.n, 2);
    ck_assert_str_eq(r.module, "ultralytics.nn.modules.block.GhostBottleneck");
    gy_model_info info;
    gy_model_get_info(m, &info);
    ck_assert_int_eq(info.num_strides, 3);
    ck_assert_int_eq(info.strides[0], 8);
    ck_assert_int_eq(info.strides[1], 16);
    ck_assert_int_eq(info.strides[2], 32);
    gy_model_free(m);
    unlink(path);
}
END_TEST

/* Channels [lo, lo + n) of the root storage of tensor t. */
static void root_channels(const gy_graph *g, int t, int *root, int *lo)
{
    int off = 0;
    *root = gy_graph_root(g, g->tensors[t].storage, &off);
    *lo = off + g->tensors[t].c_off;
}

/* Rows 0 and 1 of the model at `yaml` are stride-1 blocks with c1 == c2 = c, which add their
 * input: the convs of each row that carry a residual, and its additions (the model's input cannot
 * be a conv's residual), add each channel of the row's input exactly once, to the output channel
 * of the same index; row 0's input is the model's own (tensor 0), row 1's another row's output. */
static void check_shortcut_rows(const char *yaml, int c)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_ghost_short_%d.yaml", (int)getpid());
    gy_test_write_text(path, yaml);
    gy_model *m = gy_test_load(path, NULL, NULL, 0);
    const gy_graph *g = &m->graph;
    for (int row = 0; row < 2; row++) {
        const int in = row ? m->rows[0].out : g->input, out = m->rows[row].out;
        ck_assert_int_eq(g->tensors[in].c, c);
        int in_root, in_lo, out_root, out_lo;
        root_channels(g, in, &in_root, &in_lo);
        root_channels(g, out, &out_root, &out_lo);
        int added[64] = {0};
        for (int j = m->rows[row].first_op; j < m->rows[row].end_op; j++) {
            const gy_op *op = &g->ops[j];
            int res = op->type == GY_OP_CONV ? op->res : -1;
            for (int k = 0; op->type == GY_OP_ADD && k < 2; k++) {
                int rk, lk;
                root_channels(g, op->in[k], &rk, &lk);
                if (rk == in_root)
                    res = op->in[k];
            }
            if (res < 0)
                continue;
            int rr, rlo, orr, olo;
            root_channels(g, res, &rr, &rlo);
            root_channels(g, op->out, &orr, &olo);
            ck_assert_msg(rr == in_root && orr == out_root, "%s row %d op %d: residual or output "
                          "elsewhere", yaml, row, j);
            ck_assert_int_eq(rlo - in_lo, olo - out_lo); /* channel i onto channel i */
            for (int k = 0; k < g->tensors[res].c; k++)
                added[rlo - in_lo + k]++;
        }
        for (int k = 0; k < c; k++)
            ck_assert_msg(added[k] == 1, "%s row %d: input channel %d added %d times", yaml, row,
                          k, added[k]);
    }
    gy_model_free(m);
    unlink(path);
}

/* ultralytics' GhostBottleneck (GhostConv halves) and Huawei's G_bneck (GhostModule, oup = 2 x
 * init) as the first two rows. */
START_TEST(ghost_shortcut_channels)
{
    check_shortcut_rows("nc: 2\nch: 8\nbackbone:\n  - [-1, 1, GhostBottleneck, [8, 3, 1]]\n"
                        "  - [-1, 1, GhostBottleneck, [8, 3, 1]]\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                        "head:\n  - [[-1], 1, Detect, [nc]]\n", 8);
    check_shortcut_rows("nc: 2\nch: 16\nbackbone:\n  - [-1, 1, G_bneck, [16, 32, 3, 1]]\n"
                        "  - [-1, 1, G_bneck, [16, 32, 3, 1]]\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                        "head:\n  - [[-1], 1, Detect, [nc]]\n", 16);
}
END_TEST

/* Channel counts the Ghost modules cannot take fail with the file, line and reason. */
START_TEST(bad_ghost_rows)
{
    static const struct { const char *row, *needle; } cases[] = {
        {"  - [-1, 1, GhostBottleneck, [48, 3, 1]]\n", "input channels"},
        {"  - [-1, 1, GhostBottleneck, [64, 3, 3]]\n", "outside"},
        {"  - [-1, 1, C2f_GhostBottleneck, [32, True, 1]]\n", "at most"},
        {"  - [-1, 1, GhostConv, [32, 2, 2]]\n", "even kernel"},
        {"  - [-1, 1, C3Ghost, [32, True, 1, 4.5]]\n", "expansion e = 4.5 is out of range"},
        {"  - [-1, 1, C3Ghost, [32, True, 1, 0.0]]\n", "expansion e = 0 is out of range"},
        /* hidden channels int(c2 * e): 6 (at least 4, not a multiple of it), 0 (a multiple of 4,
         * under 4) */
        {"  - [-1, 1, C3Ghost, [16, True, 1, 0.375]]\n", "hidden channels 6 must be a multiple of 4"},
        {"  - [-1, 1, C3Ghost, [8, True, 1, 0.0625]]\n", "hidden channels 0 must be a multiple of 4"},
    };
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_ghost_bad_%d.yaml", (int)getpid());
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n%s"
                                    "head:\n  - [[-1], 1, Detect, [nc]]\n", cases[i].row);
        gy_test_write_text(path, yaml);
        gy_model *m = NULL;
        gy_error err;
        gy_status st = gy_model_load(path, NULL, NULL, &m, &err);
        ck_assert_msg(st != GY_OK, "row '%s' was accepted", cases[i].row);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(err.message, cases[i].needle) && strstr(err.message, path),
                      "row '%s': %s", cases[i].row, err.message);
    }
    /* 4 hidden channels, the least C3Ghost takes, build */
    gy_test_write_text(path, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n"
                             "  - [-1, 1, C3Ghost, [16, True, 1, 0.25]]\nhead:\n"
                             "  - [[-1], 1, Detect, [nc]]\n");
    gy_model *m = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(path, NULL, NULL, &m, &err) == GY_OK, "%s", err.message);
    gy_model_free(m);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ghost");
    TCase *tc = tcase_create("parity");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, parity_ghost_n_640);
    tcase_add_test(tc, parity_ghostv2_n_640);
    tcase_add_test(tc, parity_ghostv2_dfc_320);
    tcase_add_test(tc, parity_ghostv2_dfc_320_one_thread);
    tcase_add_test(tc, parity_gghost_n_640);
    suite_add_tcase(s, tc);
    tc = tcase_create("stats");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, published_table);
    tcase_add_test(tc, ghost_arena_at_640);
    tcase_add_test(tc, shipped_configs_match_shared);
    tcase_add_test(tc, dfc_models);
    tcase_add_test(tc, dfc_case_numbers);
    tcase_add_test(tc, dfc_argument);
    tcase_add_test(tc, yolov8_ghost_yaml);
    tcase_add_test(tc, dwconv_and_ghost_bottleneck_rows);
    tcase_add_test(tc, ghost_shortcut_channels);
    tcase_add_test(tc, bad_ghost_rows);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* The model-stats report against the published table and ultralytics' numbers
 * (../shared/stats/expected_table.json), through the library and `ghostyolo stats --json`. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tables.h"
#include "testutil.h"

static const char *const table_models[4] = {
    "YOLOv8s", "YOLOv8_C2f_GhostBottleneckV2s", "YOLOv8_C2f_GhostBottlenecks",
    "YOLOv8_C2f_g_ghostBottlenecks"};

START_TEST(published_table_via_cli_json)
{
    char out[64], cmd[8192];
    snprintf(out, sizeof out, "/tmp/gy_test_stats_%d.json", (int)getpid());
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' stats --nc 1 configs/yolov8s.yaml configs/YOLOv8_C2f_GhostBottleneckV2s.yaml "
             "configs/YOLOv8_C2f_GhostBottlenecks.yaml configs/YOLOv8_C2f_g_ghostBottlenecks.yaml --json > '%s'",
             GY_SOURCE_DIR, gy_test_cli(), out);
    ck_assert_int_eq(system(cmd), 0);
    cJSON *got = gy_test_read_json(out);
    remove(out);
    cJSON *exp = gy_test_expected_table();
    const cJSON *models = cJSON_GetObjectItem(got, "models");
    ck_assert_int_eq(cJSON_GetArraySize(models), 4);
    for (int k = 0; k < 4; k++) {
        const cJSON *m = cJSON_GetArrayItem(models, k);
        const cJSON *e = gy_test_expected_entry(exp, "table", table_models[k]);
        const cJSON *pub = cJSON_GetObjectItem(e, "published");
        ck_assert_str_eq(cJSON_GetObjectItem(m, "name")->valuestring, table_models[k]);
        ck_assert_str_eq(cJSON_GetObjectItem(m, "scale")->valuestring,
                         cJSON_GetObjectItem(e, "scale")->valuestring);
        ck_assert_int_eq((int)gy_test_num(m, "nc"), 1);
        ck_assert_int_eq((int)gy_test_num(m, "imgsz"), 640);
        const cJSON *fused = cJSON_GetObjectItem(m, "fused");
        /* the published row: layers, parameters, GFLOPs to one decimal; kb within 0.03 % (measured:
         * -0.003, +0.003, +0.008 and -0.009 %; the published figures are whole KiB) */
        ck_assert_int_eq((long long)gy_test_num(fused, "layers"),
                         (long long)gy_test_num(pub, "layers"));
        ck_assert_int_eq((long long)gy_test_num(fused, "params"),
                         (long long)gy_test_num(pub, "params"));
        char g[32], p[32];
        snprintf(g, sizeof g, "%.1f", gy_test_num(fused, "gflops"));
        snprintf(p, sizeof p, "%.1f", gy_test_num(pub, "gflops"));
        ck_assert_str_eq(g, p);
        double kb = gy_test_num(m, "kb"), kbp = gy_test_num(pub, "kb");
        printf("%-32s kb %.1f vs published %.0f (%+.3f %%)\n", table_models[k], kb, kbp,
               (kb - kbp) / kbp * 100);
        ck_assert_msg(fabs(kb - kbp) <= 0.0003 * kbp, "%s: kb %.1f vs %.0f", table_models[k], kb, kbp);
        /* ultralytics' exact numbers, fused and unfused */
        static const char *const kinds[2] = {"fused", "unfused"};
        for (int f = 0; f < 2; f++) {
            const cJSON *a = cJSON_GetObjectItem(m, kinds[f]), *b = cJSON_GetObjectItem(e, kinds[f]);
            ck_assert_int_eq((long long)gy_test_num(a, "layers"),
                             (long long)gy_test_num(b, "layers"));
            ck_assert_int_eq((long long)gy_test_num(a, "params"),
                             (long long)gy_test_num(b, "params"));
            ck_assert_int_eq((long long)gy_test_num(a, "gradients"),
                             (long long)gy_test_num(b, "gradients"));
            ck_assert_double_eq_tol(gy_test_num(a, "gflops"), gy_test_num(b, "gflops"),
                                    1e-9 * gy_test_num(b, "gflops"));
        }
        /* per-row parameters of ultralytics' build table */
        const cJSON *rows = cJSON_GetObjectItem(m, "rows"), *erows = cJSON_GetObjectItem(e, "rows");
        ck_assert_int_eq(cJSON_GetArraySize(rows), cJSON_GetArraySize(erows));
        double gsum = 0;
        for (int i = 0; i < cJSON_GetArraySize(rows); i++) {
            const cJSON *r = cJSON_GetArrayItem(rows, i), *er = cJSON_GetArrayItem(erows, i);
            ck_assert_int_eq((long long)gy_test_num(r, "params"),
                             (long long)gy_test_num(er, "params_unfused"));
            ck_assert_int_eq((long long)gy_test_num(r, "params_fused"),
                             (long long)gy_test_num(er, "params_fused"));
            ck_assert_int_eq((int)gy_test_num(r, "n"), (int)gy_test_num(er, "n"));
            ck_assert_str_eq(cJSON_GetObjectItem(r, "args")->valuestring,
                             cJSON_GetObjectItem(er, "arguments")->valuestring);
            ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r, "shape")), 4);
            gsum += gy_test_num(r, "gflops");
        }
        /* the rows add up to ultralytics' total (the reference, not our own total) */
        const cJSON *efused = cJSON_GetObjectItem(e, "fused");
        ck_assert_double_eq_tol(gsum, gy_test_num(efused, "gflops"), 1e-9 * gsum);
    }
    cJSON_Delete(exp);
    cJSON_Delete(got);
}
END_TEST

START_TEST(dfc_models_count_gflops_directly)
{
    /* ultralytics' 32x32 probe cannot run DFC attention (avg-pool of a 1x1 map) and prints no
     * GFLOPs; we count them at 640 directly: thop's own number at 640 */
    cJSON *exp = gy_test_expected_table();
    const cJSON *e = gy_test_expected_entry(exp, "extra", "YOLOv8_C2f_GhostBottleneckV2_dfc_l");
    gy_model *m = gy_test_load(gy_test_source("configs/YOLOv8_C2f_GhostBottleneckV2s.yaml"), NULL,
                               "l", 1);
    gy_error err;
    gy_stats *s;
    ck_assert_msg(gy_model_stats(m, NULL, &s, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(s->gflops_probe_failed, 1);
    const cJSON *ef = cJSON_GetObjectItem(e, "fused"), *eu = cJSON_GetObjectItem(e, "unfused");
    ck_assert_int_eq(s->fused.layers, (long long)gy_test_num(ef, "layers"));
    ck_assert_int_eq(s->fused.params, (long long)gy_test_num(ef, "params"));
    ck_assert_int_eq(s->unfused.layers, (long long)gy_test_num(eu, "layers"));
    double direct = gy_test_num(e, "gflops_thop_direct_640_fused");
    ck_assert_double_eq_tol(s->fused.gflops, direct, 1e-9 * direct);
    gy_stats_free(s);
    gy_model_free(m);
    cJSON_Delete(exp);
}
END_TEST

START_TEST(rows_shapes_memory_and_measure)
{
    gy_model_params mp = gy_model_default_params();
    mp.synthetic_weights = 1;
    gy_model *m;
    gy_error err;
    ck_assert_msg(gy_model_load(gy_test_source("configs/yolov8.yaml"), NULL, &mp, &m, &err) == GY_OK,
                  "%s", err.message);
    gy_stats_params sp = gy_stats_default_params();
    ck_assert_int_eq(sp.imgsz, 640); /* the documented defaults: 640, the median of 5 runs */
    ck_assert_int_eq(sp.runs, 5);
    sp.imgsz = 320;
    sp.measure = 1;
    sp.runs = 3;
    gy_stats *s;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_msg(gy_model_stats(m, &sp, &s, &err) == GY_OK, "%s", err.message);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double elapsed_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    ck_assert_str_eq(s->scale, "n"); /* first scale, with the warning */
    ck_assert_str_eq(s->scale_source, "first scale (default)");
    ck_assert_int_eq(s->num_rows, 23);
    /* row 0: Conv 3->16 stride 2 at 320: 16 x 160 x 160; 2 x 16*160*160*27 MACs */
    ck_assert_int_eq(s->rows[0].out_c, 16);
    ck_assert_int_eq(s->rows[0].out_h, 160);
    ck_assert_int_eq(s->rows[0].out_w, 160);
    ck_assert_double_eq_tol(s->rows[0].gflops_fused, 2.0 * 16 * 160 * 160 * 27 / 1e9, 1e-12);
    ck_assert_double_eq_tol(s->rows[0].act_mib, 16.0 * 160 * 160 * 4 / (1 << 20), 1e-12);
    /* Detect: 4 + nc rows of 40*40 + 20*20 + 10*10 anchors */
    ck_assert_int_eq(s->rows[22].out_c, 84);
    ck_assert_int_eq(s->rows[22].out_w, 2100);
    /* timing: every row measured, rows add up to about the whole */
    double sum = 0;
    for (int i = 0; i < s->num_rows; i++) {
        ck_assert(s->rows[i].ms >= 0);
        sum += s->rows[i].ms;
    }
    ck_assert(s->ms > 0);
    /* against our own clock: of 3 timed runs, at least 2 took the median or longer */
    ck_assert_msg(2 * s->ms <= elapsed_ms, "median %.2f ms, the whole call %.2f ms", s->ms, elapsed_ms);
    /* each row's median is at most that row's time summed over the runs, so the rows add up to
     * at most the whole call (a ratio to the median forward fails on a loaded machine: 0.49 seen) */
    ck_assert_msg(sum > 0 && sum <= elapsed_ms, "rows %.2f ms, the whole call %.2f ms", sum, elapsed_ms);
    /* the arena holds the input and the first conv's output at once (op 0 reads one and writes
     * the other), and the liveness planner fits every later op inside that: measured exactly
     * (3 x 320 x 320 + 16 x 160 x 160) floats */
    ck_assert_double_eq_tol(s->arena_mib, (3.0 * 320 * 320 + 16.0 * 160 * 160) * 4 / (1 << 20), 1e-12);
    gy_stats_free(s);
    /* measuring needs weights */
    gy_model_free(m);
    ck_assert(gy_model_load(gy_test_source("configs/yolov8.yaml"), NULL, NULL, &m, &err) == GY_OK);
    ck_assert_int_eq(gy_model_stats(m, &sp, &s, &err), GY_ERR_STATE);
    sp.measure = 0;
    sp.imgsz = 100;
    ck_assert_int_eq(gy_model_stats(m, &sp, &s, &err), GY_ERR_ARGUMENT);
    gy_model_free(m);
}
END_TEST

/* model.info()'s layer count is len(list(model.modules())): a GhostBottleneck row (ultralytics
 * 8.0.126, modules.block) adds, with stride 1, itself, the conv Sequential, GhostConv(c1, c_)
 * (itself, two Conv of Conv2d + BatchNorm2d + the one shared SiLU), nn.Identity for conv.1,
 * GhostConv(c_, c2, act=False) (two Conv of Conv2d + BatchNorm2d + an Identity each) and the
 * nn.Identity shortcut: 20 modules, 16 once the 4 BatchNorms are fused away. With stride 2, conv.1
 * is DWConv(act=False) and the shortcut Sequential(DWConv, Conv) (both act=False): 31, fused 24.
 * Measured as the difference between a model with the row and the same model without it. */
static long long layers_of(const char *yaml_text, int fused)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_stats_gb_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(yaml_text, f);
    fclose(f);
    gy_model *m = gy_test_load(path, NULL, NULL, 2);
    gy_error err;
    gy_stats *st;
    ck_assert_msg(gy_model_stats(m, NULL, &st, &err) == GY_OK, "%s", err.message);
    long long n = fused ? st->fused.layers : st->unfused.layers;
    gy_stats_free(st);
    gy_model_free(m);
    unlink(path);
    return n;
}

/* gy_model_stats' arguments, each bound at and one past its limit alone (not measuring: the
 * check comes before any run): imgsz a positive multiple of 32 up to GY_IMGSZ_MAX, runs 1 to
 * 10000, num_threads 0 or more. */
START_TEST(stats_parameter_bounds)
{
    gy_model *m;
    gy_error err;
    ck_assert_msg(gy_model_load(gy_test_source("configs/yolov8.yaml"), NULL, NULL, &m, &err) == GY_OK,
                  "%s", err.message);
    static const struct { int imgsz, runs, threads, ok; } cases[] = {
        {32, 1, 0, 1},     {GY_IMGSZ_MAX, 10000, 2, 1}, {0, 5, 0, 0},    {-32, 5, 0, 0},
        {100, 5, 0, 0},    {GY_IMGSZ_MAX + 32, 5, 0, 0}, {640, 0, 0, 0},  {640, 10001, 0, 0},
        {640, 5, -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_stats_params sp = gy_stats_default_params();
        sp.imgsz = cases[i].imgsz;
        sp.runs = cases[i].runs;
        sp.num_threads = cases[i].threads;
        gy_stats *s = NULL;
        memset(&err, 0, sizeof err);
        gy_status st = gy_model_stats(m, &sp, &s, &err);
        if (cases[i].ok) {
            ck_assert_msg(st == GY_OK && s, "case %zu: %s", i, err.message);
            ck_assert_int_eq(s->rows[0].out_h, cases[i].imgsz / 2);
        } else {
            ck_assert_msg(st == GY_ERR_ARGUMENT && !s, "case %zu accepted", i);
            char want[160];
            snprintf(want, sizeof want, "gy_model_stats: imgsz must be a multiple of 32 up to %d, runs "
                     "1..10000 and num_threads 0 or more (got %d, %d, %d)", GY_IMGSZ_MAX,
                     cases[i].imgsz, cases[i].runs, cases[i].threads);
            ck_assert_str_eq(err.message, want);
        }
        gy_stats_free(s);
    }
    gy_model_free(m);
}
END_TEST

START_TEST(ghost_bottleneck_module_counts)
{
#define GB_HEAD "nc: 2\ndepth_multiple: 1.0\nwidth_multiple: 1.0\nbackbone:\n" \
                "  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Conv, [32, 3, 2]]\n"
#define GB_TAIL "head:\n  - [[-1], 1, Detect, [nc]]\n"
    const char *base = GB_HEAD GB_TAIL;
    const char *s1 = GB_HEAD "  - [-1, 1, GhostBottleneck, [32, 3, 1]]\n" GB_TAIL;
    const char *s2 = GB_HEAD "  - [-1, 1, GhostBottleneck, [64, 3, 2]]\n" GB_TAIL;
    ck_assert_int_eq(layers_of(s1, 0) - layers_of(base, 0), 20);
    ck_assert_int_eq(layers_of(s1, 1) - layers_of(base, 1), 16);
    ck_assert_int_eq(layers_of(s2, 0) - layers_of(base, 0), 31);
    ck_assert_int_eq(layers_of(s2, 1) - layers_of(base, 1), 24);
#undef GB_HEAD
#undef GB_TAIL
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, published_table_via_cli_json);
    tcase_add_test(tc, ghost_bottleneck_module_counts);
    tcase_add_test(tc, stats_parameter_bounds);
    tcase_add_test(tc, dfc_models_count_gflops_directly);
    tcase_add_test(tc, rows_shapes_memory_and_measure);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

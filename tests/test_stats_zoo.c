/* test_stats_zoo.c - `ghostyolo stats --zoo` and `--plot` through the binary: the zoo table's counts
 * (layers, parameters, GFLOPs as ultralytics prints them and counted at 640) against
 * ../shared/stats/zoo_table.json, the five references flagged, the Markdown table; measured
 * timings at 1 thread and at all cores, positive, with ms per GFLOP their quotient; the chart a
 * PNG with one marker per model; an unwritable chart path refused by name. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clirun.h"
#include "tables.h"
#include "testutil.h"

static void setup(void)
{
    cli_setup("stats_zoo");
}

static void teardown(void)
{
    cli_teardown();
}

static const char *const zoo[10] = {
    "yolov8-ghostnet", "yolov8-ghostnetv2", "yolov8-g-ghostnet", "yolov8-hsnet",
    "yolov8-shufflenetv1", "yolov8-shufflenetv2", "yolov8-mobilenetv2", "yolov8-mobilenetv3",
    "yolov8-mobilenetv3-small", "yolov8-squeezenet"};
static const char *const refs[5] = {"YOLOv8n", "YOLOv8s", "YOLOv8_C2f_GhostBottlenecks",
                                    "YOLOv8_C2f_GhostBottleneckV2s",
                                    "YOLOv8_C2f_g_ghostBottlenecks"};

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "no number '%s'", key);
    return v->valuedouble;
}

static cJSON *stdout_json(void)
{
    char *text = read_text(outpath);
    cJSON *o = cJSON_Parse(text);
    ck_assert_msg(o != NULL, "stdout is not JSON:\n%.2000s", text);
    free(text);
    return o;
}

START_TEST(zoo_counts_against_ultralytics)
{
    ck_assert_int_eq(run("stats --zoo --json"), 0);
    cJSON *o = stdout_json();
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(o, "models");
    ck_assert_int_eq(cJSON_GetArraySize(models), 15);
    cJSON *t = gy_test_read_json(gy_test_shared("stats/zoo_table.json"));
    for (int k = 0; k < 15; k++) {
        const cJSON *m = cJSON_GetArrayItem(models, k);
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(m, "reference");
        ck_assert(cJSON_IsBool(ref));
        ck_assert_int_eq(cJSON_IsTrue(ref), k >= 10);
        /* not measured: no timings */
        ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(m, "timings"));
        if (k >= 10) {
            ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(m, "name")->valuestring, refs[k - 10]);
            ck_assert_int_eq((int)num(m, "nc"), 80);
            continue;
        }
        char key[96];
        snprintf(key, sizeof key, "%s_n", zoo[k]);
        const cJSON *e = gy_test_expected_entry(t, "extra", key);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(m, "scale")->valuestring, "n");
        for (int f = 0; f < 2; f++) {
            const char *which = f ? "fused" : "unfused";
            const cJSON *got = cJSON_GetObjectItemCaseSensitive(m, which);
            const cJSON *want = cJSON_GetObjectItemCaseSensitive(e, which);
            ck_assert_msg(num(got, "layers") == num(want, "layers"), "%s %s layers", key, which);
            ck_assert_msg(num(got, "params") == num(want, "params"), "%s %s params", key, which);
            ck_assert_msg(num(got, "gradients") == num(want, "gradients"), "%s %s", key, which);
            /* ultralytics' GFLOPs where its probe runs, the direct count where it prints none */
            double g = num(want, "gflops");
            if (f && g == 0.0)
                g = num(e, "gflops_thop_direct_640_fused");
            if (g > 0.0)
                ck_assert_msg(fabs(num(got, "gflops") - g) < 1e-9 * g, "%s %s GFLOPs %.10g vs %.10g",
                              key, which, num(got, "gflops"), g);
        }
        double d = num(e, "gflops_thop_direct_640_fused");
        ck_assert_msg(fabs(num(m, "gflops_640") - d) < 1e-9 * d, "%s GFLOPs 640 %.10g vs %.10g", key,
                      num(m, "gflops_640"), d);
    }
    cJSON_Delete(t);
    cJSON_Delete(o);

    /* the text: only the comparison table, one row per model, the references marked */
    ck_assert_int_eq(run("stats --zoo"), 0);
    char *text = read_text(outpath);
    ck_assert_ptr_nonnull(strstr(text, "| model | scale | layers | parameters | GFLOPs | GFLOPs 640 | kb |\n"));
    ck_assert_ptr_nonnull(strstr(text, "| YOLOv8n-ghostnet | n | 495 | 5502660 | 10.0 | 8.8 | 11160 |\n"));
    ck_assert_ptr_nonnull(strstr(text, "| YOLOv8n-ghostnetv2 | n | 625 | 6477060 | (9.3) | 9.3 |"));
    ck_assert_ptr_nonnull(strstr(text, "| YOLOv8s (ref) | s | 168 | 11156544 | 28.6 | 28.6 |"));
    ck_assert_int_eq(count_of(text, "\n| "), 16); /* the header and 15 models */
    ck_assert_int_eq(count_of(text, " (ref) |"), 5);
    ck_assert_ptr_null(strstr(text, "summary")); /* no per-model build tables */
    free(text);
    err_lacks("warning"); /* every scale given: no "no model scale passed" */
}
END_TEST

/* Pixels of colour c (within 2 per channel) grouped 8-connected: the markers of one series. */
static int blobs(const gy_image *im, int r, int g, int b)
{
    int w = im->width, h = im->height, count = 0;
    unsigned char *seen = calloc((size_t)w * h, 1);
    int *stack = malloc(sizeof *stack * (size_t)w * h);
    ck_assert(seen && stack);
    for (int i = 0; i < w * h; i++) {
        const unsigned char *p = im->data + (size_t)i * 3;
        if (abs(p[0] - r) > 2 || abs(p[1] - g) > 2 || abs(p[2] - b) > 2)
            seen[i] = 1;
    }
    for (int i = 0; i < w * h; i++) {
        if (seen[i])
            continue;
        count++;
        int top = 0;
        stack[top++] = i;
        seen[i] = 1;
        while (top) {
            int j = stack[--top], x = j % w, y = j / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h || seen[yy * w + xx])
                        continue;
                    seen[yy * w + xx] = 1;
                    stack[top++] = yy * w + xx;
                }
        }
    }
    free(seen);
    free(stack);
    return count;
}

static gy_image *load_png(const char *path)
{
    gy_image *im = NULL;
    gy_error err;
    ck_assert_msg(gy_image_load(path, &im, &err) == GY_OK, "%s", err.message);
    return im;
}

/* Three models far apart in GFLOPs: three markers of the first series' blue, no legend (no
 * references, no YOLOv8n rate line); timings at 1 thread and at all cores. */
START_TEST(plot_one_marker_per_model)
{
    ck_assert_int_eq(run("stats --plot p.png --json --imgsz 64 --runs 1 -m yolov8n.yaml "
                         "-m yolov8s.yaml -m yolov8m.yaml"), 0);
    cJSON *o = stdout_json();
    const cJSON *m;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(o, "models"))
    {
        const cJSON *tm = cJSON_GetObjectItemCaseSensitive(m, "timings");
        ck_assert_int_eq(cJSON_GetArraySize(tm), cores > 1 ? 2 : 1);
        ck_assert_int_eq((int)num(cJSON_GetArrayItem(tm, 0), "threads"), 1);
        const cJSON *x;
        cJSON_ArrayForEach(x, tm)
        {
            ck_assert(num(x, "ms") > 0.0);
            ck_assert_double_eq_tol(num(x, "ms_per_gflop"), num(x, "ms") / num(m, "gflops_640"),
                                    1e-12 * num(x, "ms_per_gflop"));
        }
        /* the row timings are the last thread count's */
        ck_assert_double_eq(num(m, "ms"), num(cJSON_GetArrayItem(tm, cJSON_GetArraySize(tm) - 1), "ms"));
    }
    cJSON_Delete(o);
    gy_image *im = load_png(tmp_file("p.png"));
    ck_assert_int_eq(im->width, 900);
    ck_assert_int_eq(im->height, 600);
    ck_assert_int_eq(blobs(im, 31, 119, 180), 3);  /* tab:blue */
    ck_assert_int_eq(blobs(im, 255, 127, 14), 0);  /* tab:orange: no references */
    gy_image_free(im);
}
END_TEST

/* --zoo --plot (implies --measure) at a small input: every model timed, the zoo in blue, the
 * references in orange, both in the legend; the text table's timing columns. */
START_TEST(zoo_plot_and_timings)
{
    ck_assert_int_eq(run("stats --zoo --plot z.png --imgsz 64 --runs 1"), 0);
    char *text = read_text(outpath);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    ck_assert_ptr_nonnull(strstr(text, cores > 1 ? " ms 1T | ms 2T | ms/GFLOP 1T | ms/GFLOP 2T |\n"
                                                 : " ms 1T | ms/GFLOP 1T |\n"));
    free(text);
    gy_image *im = load_png(tmp_file("z.png"));
    /* markers may overlap at 64 px (the times are close): at least the legend's and one more */
    ck_assert_int_ge(blobs(im, 31, 119, 180), 2);
    ck_assert_int_ge(blobs(im, 255, 127, 14), 2);
    gy_image_free(im);
    /* a chart that cannot be written: exit 73, the path named, nothing left */
    ck_assert_int_eq(run("stats --plot no-such-dir/z.png --imgsz 64 --runs 1 -m yolov8n.yaml"), 73);
    err_has("no-such-dir/z.png");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats_zoo");
    TCase *tc = tcase_create("stats_zoo");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, zoo_counts_against_ultralytics);
    tcase_add_test(tc, plot_one_marker_per_model);
    tcase_add_test(tc, zoo_plot_and_timings);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* test_cli_report.c - what info and stats print about a model: the scale of the official
 * checkpoints (their YAML gives depth/width multiples: yolov8n's are scale n), the name of a model
 * built at another scale (yolov8n.yaml at scale x is YOLOv8x), one spelling of the name in info and
 * stats, Detect's real output shape in the text, module names longer than ultralytics' 45-character column
 * kept apart from the arguments, and the scale warnings naming their file. Through the binary. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clirun.h"
#include "testutil.h"

static void setup(void)
{
    cli_setup("cli_report");
}

static void teardown(void)
{
    cli_teardown();
}

static void out_has(const char *what)
{
    char *o = read_text(outpath);
    ck_assert_msg(strstr(o, what) != NULL, "stdout lacks '%s':\n%s", what, o);
    free(o);
}

/* yolov8n.pt and its safetensors: scale n from the multiples, named YOLOv8n in info and stats. */
START_TEST(official_checkpoint)
{
    const char *const files[] = {gy_test_shared("weights/yolov8n.pt"),
                                 gy_test_shared("weights/yolov8n.safetensors")};
    for (int f = 0; f < 2; f++) {
        ck_assert_int_eq(run("stats -w '%s'", files[f]), 0);
        out_has("YOLOv8n: <weights metadata>, scale 'n' (depth/width multiples), nc=80, input 640x640\n");
        out_has("YOLOv8n summary: 225 layers, 3157200 parameters");
        /* Detect's row: the head's output (1, 84, 8400), not a feature map */
        out_has("  ultralytics.nn.modules.head.Detect           [80, [64, 128, 256]]           "
                "(1, 84, 8400)     ");
        out_has("  ultralytics.nn.modules.conv.Conv             [3, 16, 3, 2]                  "
                "(1, 16, 320, 320) ");
        ck_assert_int_eq(run("info -w '%s'", files[f]), 0);
        out_has("YOLOv8n: <weights metadata>, scale 'n' (depth/width multiples), nc=80\n");
        out_has("YOLOv8n summary: 225 layers, 3157200 parameters");
        out_has("YOLOv8n summary (fused): 168 layers");
    }
    ck_assert_int_eq(run("stats --json -w '%s'", files[1]), 0);
    char *text = read_text(outpath);
    cJSON *o = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(o);
    cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "models"), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(m, "name")->valuestring, "YOLOv8n");
    ck_assert_str_eq(cJSON_GetObjectItem(m, "scale")->valuestring, "n");
    cJSON_Delete(o);
}
END_TEST

/* A YAML's multiples that are no scale of yolov8.yaml are shown as they are. */
START_TEST(other_multiples)
{
    shell("printf 'nc: 3\\ndepth_multiple: 0.5\\nwidth_multiple: 0.5\\nbackbone:\\n  - [-1, 1, Conv, "
          "[16, 3, 2]]\\nhead:\\n  - [[-1], 1, Detect, [nc]]\\n' > half.yaml");
    ck_assert_int_eq(run("stats half.yaml half.yaml"), 0);
    out_has("half: half.yaml, scale '0.5/0.5' (depth/width multiples), nc=3");
    out_has("| half | 0.5/0.5 | ");
    ck_assert_int_eq(run("info -m half.yaml"), 0);
    out_has("half: half.yaml, scale '0.5/0.5' (depth/width multiples), nc=3");
}
END_TEST

/* A model built at a chosen scale is named for it, in info and stats alike. */
START_TEST(scaled_names)
{
    const char *cfg = gy_test_source("configs/yolov8.yaml");
    ck_assert_int_eq(run("info -m yolov8n.yaml --scale x"), 0);
    out_has("YOLOv8x: ");
    out_has(", scale 'x' (parameter), nc=80\n");
    out_has("YOLOv8x summary: ");
    ck_assert_int_eq(run("stats -m yolov8n.yaml --scale x"), 0);
    out_has("YOLOv8x summary: ");
    ck_assert_int_eq(run("info -m '%s' --scale s", cfg), 0);
    out_has("YOLOv8s summary: 225 layers, 11166560 parameters");
    ck_assert_int_eq(run("info -m yolov8n.yaml"), 0);
    out_has("YOLOv8n summary: 225 layers, 3157200 parameters");
}
END_TEST

/* Module names of 45 characters or more are followed by one space; shorter ones keep
 * ultralytics' 45-character column. */
START_TEST(long_module_names)
{
    ck_assert_int_eq(run("info -m '%s'", gy_test_source("configs/YOLOv8_C2f_GhostBottlenecks.yaml")), 0);
    out_has("  ultralytics.nn.modules.ghost_variants.C2f_GhostBottleneck [32, 32, 1, True]");
    out_has("  ultralytics.nn.modules.conv.Conv             [16, 32, 3, 2]");
    ck_assert_int_eq(run("stats -m '%s'", gy_test_source("configs/YOLOv8_C2f_GhostBottleneckV2s.yaml")), 0);
    out_has("  ultralytics.nn.modules.ghost_variants.C2f_GhostBottleneckV2 [32, 32, 1, True]");
}
END_TEST

/* The published table's three Ghost configs resolve to scale n as ultralytics resolves them: each
 * warning names its file. */
START_TEST(scale_warnings_name_the_file)
{
    ck_assert_int_eq(run("stats"), 0);
    char *e = read_text(errpath);
    static const char *const files[] = {"YOLOv8_C2f_GhostBottleneckV2s.yaml",
                                        "YOLOv8_C2f_GhostBottlenecks.yaml",
                                        "YOLOv8_C2f_g_ghostBottlenecks.yaml"};
    for (int i = 0; i < 3; i++) {
        char want[256];
        snprintf(want, sizeof want, "ghostyolo stats: warning: %s: no model scale passed. Assuming "
                 "scale='n'.\n", files[i]);
        ck_assert_msg(count_of(e, want) == 1, "stderr lacks '%s':\n%s", want, e);
    }
    ck_assert_int_eq(count_of(e, "warning"), 3);
    free(e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli_report");
    TCase *tc = tcase_create("cli_report");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, official_checkpoint);
    tcase_add_test(tc, other_multiples);
    tcase_add_test(tc, scaled_names);
    tcase_add_test(tc, long_module_names);
    tcase_add_test(tc, scale_warnings_name_the_file);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

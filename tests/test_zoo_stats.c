/* The backbone zoo's counts against ultralytics (../shared/stats/zoo_table.json and
 * ../shared/stats/zoo/<config>_<scale>.layers.txt): for each of the ten configs the repository
 * ships (configs/zoo/, copies of ../shared/configs/zoo/) at scales n and s, nc 80, 640x640:
 * layers, parameters and gradients fused and unfused, GFLOPs as ultralytics' 32x32 probe gives
 * them (scaled to 640) and as thop counts them directly at 640 (gflops_thop_direct_640_fused; the
 * only number for GhostNetV2, whose probe fails), and every row of the build table (params,
 * module, arguments, fused params). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables.h"
#include "testutil.h"

static const char *const configs[10] = {
    "yolov8-ghostnet", "yolov8-ghostnetv2", "yolov8-g-ghostnet", "yolov8-hsnet",
    "yolov8-shufflenetv2", "yolov8-shufflenetv1", "yolov8-mobilenetv2", "yolov8-mobilenetv3",
    "yolov8-mobilenetv3-small", "yolov8-squeezenet"};
static const char *const scales[2] = {"n", "s"};

/* The direct count: the sum of the per-row fused GFLOPs gy_model_stats counts at imgsz; *failed:
 * the report's word on whether ultralytics' 32x32 probe runs the model. */
static double direct_gflops(const gy_model *m, int *failed)
{
    gy_stats_params p = gy_stats_default_params();
    gy_stats *s = NULL;
    gy_error err;
    ck_assert_msg(gy_model_stats(m, &p, &s, &err) == GY_OK, "%s", err.message);
    double g = 0.0;
    for (int r = 0; r < s->num_rows; r++)
        g += s->rows[r].gflops_fused;
    *failed = s->gflops_probe_failed;
    gy_stats_free(s);
    return g;
}

START_TEST(zoo_table)
{
    const char *cfg = configs[_i / 2], *scale = scales[_i % 2];
    char path[4096], key[128], table[256];
    snprintf(path, sizeof path, "%s/configs/zoo/%s.yaml", GY_SOURCE_DIR, cfg);
    snprintf(key, sizeof key, "%s_%s", cfg, scale);
    snprintf(table, sizeof table, "stats/zoo/%s.layers.txt", key);
    cJSON *t = gy_test_read_json(gy_test_shared("stats/zoo_table.json"));
    const cJSON *e = gy_test_expected_entry(t, "extra", key);
    gy_model *m = gy_test_load(path, NULL, scale, 80);
    gy_test_check_summary(m, key, e);
    int failed;
    double want = gy_test_num(e, "gflops_thop_direct_640_fused"), got = direct_gflops(m, &failed);
    /* the probe fails exactly where ultralytics prints no GFLOPs (GhostNetV2; SqueezeNet's last
     * ceil-mode pool sees 2x2 there and gives 1x1, as torch's does) */
    const cJSON *fu = cJSON_GetObjectItemCaseSensitive(e, "fused");
    const cJSON *printed = cJSON_GetObjectItemCaseSensitive(fu, "gflops_printed");
    ck_assert(cJSON_IsString(printed));
    ck_assert_msg(failed == (printed->valuestring[0] == '\0'), "%s: probe failed %d, printed '%s'",
                  key, failed, printed->valuestring);
    printf("%-28s direct 640 GFLOPs %.9f (expected %.9f)\n", key, got, want);
    ck_assert_msg(fabs(got - want) < 1e-9 * want, "%s: direct GFLOPs %.10g, expected %.10g", key,
                  got, want);
    gy_test_check_rows(m, table);
    gy_model_free(m);
    cJSON_Delete(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("zoo_stats");
    TCase *tc = tcase_create("table");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, zoo_table, 0, 20);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

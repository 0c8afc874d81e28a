/* Numerical parity with ultralytics (../shared/parity): YOLOv8 through the library, and every
 * case through `ghostyolo forward` (the Ghost cases through the library are in test_ghost.c). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "parity.h"
#include "tables.h"
#include "testutil.h"

START_TEST(v8n_640) { gy_test_parity("v8n_640", 2); }
END_TEST

START_TEST(v8n_rect_f16) { gy_test_parity("v8n_rect_f16", 1); }
END_TEST

START_TEST(real_v8n_bus640) { gy_test_parity("real_v8n_bus640", 2); }
END_TEST

/* `ghostyolo forward` on a case: the printed shape and the written output. */
static void cli_case(const char *name)
{
    char out[96], txt[128], cmd[16384], yaml[4096], weights[4096], input[4096], json[4096];
    snprintf(out, sizeof out, "/tmp/gy_test_parity_%s_%d.f32", name, (int)getpid());
    snprintf(txt, sizeof txt, "%s.txt", out);
    gy_test_parity_path(yaml, sizeof yaml, name, "model.yaml");
    gy_test_parity_path(weights, sizeof weights, name, "weights.safetensors");
    gy_test_parity_path(input, sizeof input, name, "input.f32");
    gy_test_parity_path(json, sizeof json, name, "case.json");
    cJSON *c = gy_test_read_json(json);
    const cJSON *in = cJSON_GetObjectItem(c, "input_shape"), *o = cJSON_GetObjectItem(c, "output_shape");
    snprintf(cmd, sizeof cmd,
             "'%s' forward -m '%s' -w '%s' --input '%s' --shape 1,3,%d,%d -o '%s' > '%s'",
             gy_test_cli(), yaml, weights, input, cJSON_GetArrayItem(in, 2)->valueint,
             cJSON_GetArrayItem(in, 3)->valueint, out, txt);
    ck_assert_int_eq(system(cmd), 0);
    char expect[64];
    snprintf(expect, sizeof expect, "(1, %d, %d)\n", cJSON_GetArrayItem(o, 1)->valueint,
             cJSON_GetArrayItem(o, 2)->valueint);
    char *printed = (char *)gy_test_read(txt, NULL);
    ck_assert_str_eq(printed, expect);
    free(printed);
    cJSON_Delete(c);
    gy_test_parity_file(name, out);
    remove(out);
    remove(txt);
}

START_TEST(cli_forward_cases)
{
    static const char *const cases[] = {"real_v8n_bus640", "ghost_n_640", "ghostv2_n_640",
                                        "ghostv2_dfc_320", "gghost_n_640"};
    cli_case(cases[_i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parity");
    TCase *tc = tcase_create("yolov8");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, v8n_640);
    tcase_add_test(tc, v8n_rect_f16);
    tcase_add_test(tc, real_v8n_bus640);
    tcase_add_loop_test(tc, cli_forward_cases, 0, 5);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

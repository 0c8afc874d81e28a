/* Numerical parity of the YOLOv8 forward pass with ultralytics (../shared/parity). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "parity.h"
#include "testutil.h"

START_TEST(v8n_640) { gy_test_parity("v8n_640", 2); }
END_TEST

START_TEST(v8n_rect_f16) { gy_test_parity("v8n_rect_f16", 1); }
END_TEST

START_TEST(real_v8n_bus640) { gy_test_parity("real_v8n_bus640", 2); }
END_TEST

START_TEST(cli_forward_real_v8n_bus640)
{
    char out[64], cmd[16384];
    snprintf(out, sizeof out, "/tmp/gy_test_parity_%d.f32", (int)getpid());
    const char *dir = "parity/real_v8n_bus640";
    char yaml[4096], weights[4096], input[4096], rel[256];
    snprintf(rel, sizeof rel, "%s/model.yaml", dir);
    snprintf(yaml, sizeof yaml, "%s", gy_test_shared(rel));
    snprintf(rel, sizeof rel, "%s/weights.safetensors", dir);
    snprintf(weights, sizeof weights, "%s", gy_test_shared(rel));
    snprintf(rel, sizeof rel, "%s/input.f32", dir);
    snprintf(input, sizeof input, "%s", gy_test_shared(rel));
    snprintf(cmd, sizeof cmd, "'%s' forward -m '%s' -w '%s' --input '%s' --shape 1,3,640,640 -o '%s' > '%s.txt'",
             gy_test_cli(), yaml, weights, input, out, out);
    ck_assert_int_eq(system(cmd), 0);
    char txt[128];
    snprintf(txt, sizeof txt, "%s.txt", out);
    char *printed = (char *)gy_test_read(txt, NULL);
    ck_assert_str_eq(printed, "(1, 84, 8400)\n");
    free(printed);
    gy_test_parity_file("real_v8n_bus640", out);
    remove(out);
    remove(txt);
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
    tcase_add_test(tc, cli_forward_real_v8n_bus640);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

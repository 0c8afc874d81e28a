/* The CLI's contract: usage errors exit 64, bad data 65, unreadable input 66, output failure 73;
 * errors go to stderr naming the file; nothing half-written is left behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stb/stb_image_write.h>

#include "testutil.h"

static char errfile[64];

/* Runs the CLI with args; returns its exit code; stderr goes to errfile. */
static int run(const char *args)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "'%s' %s > /dev/null 2> '%s'", gy_test_cli(), args, errfile);
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void stderr_has(const char *text)
{
    char *e = (char *)gy_test_read(errfile, NULL);
    ck_assert_msg(strstr(e, text) != NULL, "stderr lacks '%s': %s", text, e);
    free(e);
}

START_TEST(usage_errors)
{
    ck_assert_int_eq(run(""), 64);
    ck_assert_int_eq(run("frobnicate"), 64);
    stderr_has("unknown verb 'frobnicate'");
    ck_assert_int_eq(run("detect"), 64);
    ck_assert_int_eq(run("detect -w x.safetensors --conf abc img.jpg"), 64);
    stderr_has("--conf needs a number");
    ck_assert_int_eq(run("detect -w x.safetensors --imgsz 100 img.jpg"), 64);
    ck_assert_int_eq(run("forward -w x --input y --shape 1,3,64 -o z"), 64);
    ck_assert_int_eq(run("info --bogus"), 64);
    stderr_has("unknown option '--bogus'");
    ck_assert_int_eq(run("help"), 0);
}
END_TEST

START_TEST(input_errors)
{
    char args[12288];
    ck_assert_int_eq(run("info -m /nonexistent/model.yaml"), 66);
    stderr_has("/nonexistent/model.yaml");
    snprintf(args, sizeof args, "detect -w /nonexistent/w.safetensors '%s'", gy_test_shared("images/bus.jpg"));
    ck_assert_int_eq(run(args), 66);
    /* malformed YAML and weights */
    char bad[64];
    snprintf(bad, sizeof bad, "/tmp/gy_test_cli_%d.yaml", (int)getpid());
    gy_test_write_text(bad, "nc: 80\nbackbone: [[-1, 1, Conv\n");
    snprintf(args, sizeof args, "info -m '%s'", bad);
    ck_assert_int_eq(run(args), 65);
    stderr_has(bad);
    gy_test_write_text(bad, "not a safetensors file");
    snprintf(args, sizeof args, "detect -w '%s' '%s'", bad, gy_test_shared("images/bus.jpg"));
    ck_assert_int_eq(run(args), 65);
    stderr_has(bad);
    /* a corrupt image: the other images still run, the exit code reports the failure */
    gy_test_write_text(bad, "\xff\xd8\xff\xe0 this is not a jpeg");
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/gy_test_cli_out_%d", (int)getpid());
    snprintf(args, sizeof args, "detect -w '%s' -o '%s' '%s' '%s'",
             gy_test_shared("weights/yolov8n.safetensors"), dir, bad, gy_test_shared("images/bus.jpg"));
    ck_assert_int_eq(run(args), 65);
    stderr_has(bad);
    char path[128];
    snprintf(path, sizeof path, "%s/bus.jpg", dir);
    ck_assert_int_eq(access(path, F_OK), 0);
    /* an image too elongated to letterbox: bad data, named */
    char thin[64];
    snprintf(thin, sizeof thin, "/tmp/gy_test_cli_thin_%d.png", (int)getpid());
    unsigned char *row = calloc(5000 * 3, 1);
    ck_assert_ptr_nonnull(row);
    ck_assert(stbi_write_png(thin, 5000, 1, 3, row, 5000 * 3) != 0);
    free(row);
    snprintf(args, sizeof args, "detect --no-save -w '%s' '%s'",
             gy_test_shared("weights/yolov8n.safetensors"), thin);
    ck_assert_int_eq(run(args), 65);
    stderr_has(thin);
    stderr_has("too elongated");
    remove(thin);
    /* forward: input size does not match the shape */
    snprintf(args, sizeof args, "forward -w '%s' --input '%s' --shape 1,3,320,320 -o /tmp/x.f32",
             gy_test_shared("weights/yolov8n.safetensors"), gy_test_shared("parity/v8n_640/input.f32"));
    ck_assert_int_eq(run(args), 65);
    stderr_has("needs 1228800");
    snprintf(args, sizeof args, "rm -rf '%s' '%s'", dir, bad);
    ck_assert_int_eq(system(args), 0);
}
END_TEST

START_TEST(output_errors)
{
    char args[12288];
    /* an output folder that cannot be created, and an output file in a missing folder */
    snprintf(args, sizeof args, "detect -w '%s' -o /proc/gy_cannot/out '%s'",
             gy_test_shared("weights/yolov8n.safetensors"), gy_test_shared("images/bus.jpg"));
    ck_assert_int_eq(run(args), 73);
    snprintf(args, sizeof args,
             "forward -w '%s' --input '%s' --shape 1,3,640,640 -o /nonexistent/dir/out.f32",
             gy_test_shared("weights/yolov8n.safetensors"), gy_test_shared("parity/v8n_640/input.f32"));
    ck_assert_int_eq(run(args), 73);
    stderr_has("/nonexistent/dir/out.f32");
}
END_TEST

START_TEST(info_prints_the_build_table)
{
    char cmd[8192], out[64];
    snprintf(out, sizeof out, "/tmp/gy_test_cli_info_%d.txt", (int)getpid());
    snprintf(cmd, sizeof cmd, "'%s' info -m '%s/configs/yolov8n.yaml' > '%s'", gy_test_cli(), GY_SOURCE_DIR, out);
    ck_assert_int_eq(system(cmd), 0);
    char *text = (char *)gy_test_read(out, NULL);
    ck_assert_ptr_nonnull(strstr(text, "  9                  -1  1    164608  ultralytics.nn.modules.block.SPPF"));
    ck_assert_ptr_nonnull(strstr(text, "[80, [64, 128, 256]]"));
    ck_assert_ptr_nonnull(strstr(text, "yolov8n summary: 225 layers, 3157200 parameters, 3157184 gradients, 8.9 GFLOPs"));
    ck_assert_ptr_nonnull(strstr(text, "yolov8n summary (fused): 168 layers, 3151904 parameters"));
    free(text);
    remove(out);
}
END_TEST

int main(void)
{
    snprintf(errfile, sizeof errfile, "/tmp/gy_test_cli_err_%d.txt", (int)getpid());
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, usage_errors);
    tcase_add_test(tc, input_errors);
    tcase_add_test(tc, output_errors);
    tcase_add_test(tc, info_prints_the_build_table);
    suite_add_tcase(s, tc);
    int rc = gy_test_run(s);
    remove(errfile);
    return rc;
}

/* The official ultralytics checkpoints (../shared/weights/yolov8{n,s}.pt) and the ghost_pt_640
 * training checkpoint read by the C .pt reader:
 *   - every tensor (name, dtype, shape, bytes) and every metadata value equals the shared
 *     safetensors file made by weights/convert_pt.py, and `convert` writes that file byte for byte;
 *   - detections from the .pt equal those from the .safetensors bit for bit (library and CLI);
 *   - ghost_pt_640 passes its parity check from the .pt alone (no YAML), library and CLI. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parity.h"
#include "tables.h"
#include "testutil.h"
#include "weights/pt_checkpoint.h"
#include "weights/safetensors.h"
#include "weights/safetensors_write.h"

static const char *const models[] = {"yolov8n", "yolov8s"};

static gy_safetensors *open_weights(const char *path)
{
    gy_error err;
    gy_safetensors *st = NULL;
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    return st;
}

static const char *shared_weights(const char *model, const char *ext)
{
    char rel[128];
    snprintf(rel, sizeof rel, "weights/%s.%s", model, ext);
    return gy_test_shared(rel);
}

START_TEST(tensors_and_metadata_match)
{
    const char *model = models[_i];
    gy_safetensors *pt = open_weights(shared_weights(model, "pt"));
    gy_safetensors *st = open_weights(shared_weights(model, "safetensors"));
    ck_assert_int_eq(pt->count, st->count);
    ck_assert_int_eq(pt->count, 355);
    size_t bytes = 0;
    for (int i = 0; i < st->count; i++) {
        const gy_st_tensor *a = &pt->tensors[i], *b = &st->tensors[i];
        ck_assert_str_eq(a->name, b->name);
        ck_assert_msg(a->dtype == b->dtype, "%s: dtype %s vs %s", a->name, gy_dtype_name(a->dtype),
                      gy_dtype_name(b->dtype));
        ck_assert_int_eq(a->ndim, b->ndim);
        for (int d = 0; d < a->ndim; d++)
            ck_assert_int_eq(a->shape[d], b->shape[d]);
        ck_assert_uint_eq(a->nbytes, b->nbytes);
        ck_assert_uint_eq(a->offset, b->offset); /* the official writer's layout, no gaps */
        ck_assert_msg(memcmp(pt->data + a->offset, st->data + b->offset, a->nbytes) == 0,
                      "%s: bytes differ", a->name);
        bytes += a->nbytes;
    }
    ck_assert_uint_eq(bytes, st->data_size);
    ck_assert_uint_eq(pt->data_size, st->data_size);
    ck_assert_int_eq(pt->meta_count, st->meta_count);
    for (int i = 0; i < st->meta_count; i++) {
        ck_assert_str_eq(pt->meta[i].key, st->meta[i].key);
        ck_assert_msg(strcmp(pt->meta[i].value, st->meta[i].value) == 0,
                      "%s: metadata '%s' differs:\n%s\nvs\n%s", model, st->meta[i].key,
                      pt->meta[i].value, st->meta[i].value);
    }
    printf("%s.pt: %d tensors, %zu bytes, %d metadata entries identical to the safetensors file\n",
           model, pt->count, bytes, pt->meta_count);
    gy_st_close(pt);
    gy_st_close(st);
}
END_TEST

/* The writer reproduces the shared file (made by convert_pt.py + the official writer) exactly. */
START_TEST(serialize_byte_identical)
{
    const char *model = models[_i];
    gy_safetensors *pt = open_weights(shared_weights(model, "pt"));
    unsigned char *buf = NULL;
    size_t size = 0;
    gy_error err;
    ck_assert_msg(gy_st_serialize(pt, gy_pt_meta_order(), &buf, &size, &err) == GY_OK, "%s",
                  err.message);
    size_t want_size;
    unsigned char *want = gy_test_read(shared_weights(model, "safetensors"), &want_size);
    ck_assert_uint_eq(size, want_size);
    size_t first = 0;
    while (first < size && buf[first] == want[first])
        first++;
    ck_assert_msg(first == size, "%s: first differing byte at %zu of %zu", model, first, size);
    /* and it reads back through the safetensors validator */
    gy_safetensors *back = NULL;
    ck_assert_msg(gy_st_parse(buf, size, "serialized", &back, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(back->count, pt->count);
    gy_st_close(back);
    free(want);
    gy_st_close(pt);
}
END_TEST

static char *run_capture(const char *cmd, int *status)
{
    char out[128];
    snprintf(out, sizeof out, "/tmp/gy_test_pt_out_%d.txt", (int)getpid());
    char full[16384];
    snprintf(full, sizeof full, "%s > '%s' 2>&1", cmd, out);
    int rc = system(full);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    char *text = (char *)gy_test_read(out, NULL);
    remove(out);
    return text;
}

START_TEST(cli_convert)
{
    char out[128], cmd[8192];
    snprintf(out, sizeof out, "/tmp/gy_test_pt_convert_%d.safetensors", (int)getpid());
    snprintf(cmd, sizeof cmd, "'%s' convert '%s' -o '%s'", gy_test_cli(),
             shared_weights("yolov8n", "pt"), out);
    int status;
    char *text = run_capture(cmd, &status);
    ck_assert_msg(status == 0, "convert failed (%d): %s", status, text);
    char expect[512];
    snprintf(expect, sizeof expect, "%s: 355 tensors (F16, I64), config included, stride [8, 16, "
             "32], bn_eps 0.001\n", out);
    ck_assert_str_eq(text, expect);
    free(text);
    size_t a, b;
    unsigned char *got = gy_test_read(out, &a);
    unsigned char *want = gy_test_read(shared_weights("yolov8n", "safetensors"), &b);
    ck_assert_uint_eq(a, b);
    ck_assert_msg(memcmp(got, want, a) == 0, "convert output differs from yolov8n.safetensors");
    free(got);
    free(want);
    remove(out);
    /* a missing input: exit 66, the message names the file */
    snprintf(cmd, sizeof cmd, "'%s' convert /nonexistent/best.pt -o '%s'", gy_test_cli(), out);
    text = run_capture(cmd, &status);
    ck_assert_int_eq(status, 66);
    ck_assert_ptr_nonnull(strstr(text, "/nonexistent/best.pt"));
    ck_assert_int_ne(access(out, F_OK), 0);
    free(text);
}
END_TEST

static gy_detections *detect_bus(const char *weights, gy_model **model_out)
{
    gy_model *m = NULL;
    gy_session *s = NULL;
    gy_image *img = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(NULL, weights, NULL, &m, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_session_create(m, NULL, &s, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_image_load(gy_test_shared("images/bus.jpg"), &img, &err) == GY_OK, "%s",
                  err.message);
    gy_detect_params dp = gy_detect_default_params();
    gy_detections *d = NULL;
    ck_assert_msg(gy_detect(s, img, &dp, &d, &err) == GY_OK, "%s", err.message);
    gy_image_free(img);
    gy_session_free(s);
    *model_out = m;
    return d;
}

START_TEST(detect_pt_equals_safetensors)
{
    const char *model = models[_i];
    gy_model *mp, *ms;
    gy_detections *a = detect_bus(shared_weights(model, "pt"), &mp);
    gy_detections *b = detect_bus(shared_weights(model, "safetensors"), &ms);
    ck_assert_int_ge(a->count, 4);
    ck_assert_int_eq(a->count, b->count);
    ck_assert_int_eq(a->input_width, b->input_width);
    ck_assert_int_eq(a->input_height, b->input_height);
    ck_assert_msg(memcmp(a->boxes, b->boxes, sizeof *a->boxes * (size_t)a->count) == 0,
                  "%s: boxes differ between .pt and .safetensors", model);
    for (int c = 0; c < 80; c++)
        ck_assert_str_eq(gy_model_class_name(mp, c), gy_model_class_name(ms, c));
    ck_assert_str_eq(gy_model_class_name(mp, 5), "bus");
    printf("%s: %d boxes, identical from .pt and .safetensors\n", model, a->count);
    gy_detections_free(a);
    gy_detections_free(b);
    gy_model_free(mp);
    gy_model_free(ms);
}
END_TEST

START_TEST(cli_detect_pt)
{
    char cmd[8192];
    int s1, s2;
    snprintf(cmd, sizeof cmd, "'%s' detect --json --no-save --quiet -w '%s' '%s'", gy_test_cli(),
             shared_weights("yolov8n", "pt"), gy_test_shared("images/bus.jpg"));
    char *a = run_capture(cmd, &s1);
    snprintf(cmd, sizeof cmd, "'%s' detect --json --no-save --quiet -w '%s' '%s'", gy_test_cli(),
             shared_weights("yolov8n", "safetensors"), gy_test_shared("images/bus.jpg"));
    char *b = run_capture(cmd, &s2);
    ck_assert_msg(s1 == 0 && s2 == 0, "detect failed: %s / %s", a, b);
    ck_assert_ptr_nonnull(strstr(a, "\"name\":\"bus\""));
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* `info -w yolov8n.pt` and `stats -w yolov8n.pt`: the model the checkpoint carries, with
 * ultralytics' summary numbers. */
START_TEST(cli_info_pt)
{
    cJSON *t = gy_test_read_json(gy_test_shared("stats/expected_table.json"));
    const cJSON *v8n = cJSON_GetObjectItem(cJSON_GetObjectItem(t, "extra"), "yolov8n_nc80");
    ck_assert_ptr_nonnull(v8n);
    char cmd[8192], want[2][160];
    static const char *const kinds[2] = {"unfused", "fused"};
    for (int k = 0; k < 2; k++) {
        const cJSON *u = cJSON_GetObjectItem(v8n, kinds[k]);
        snprintf(want[k], sizeof want[k], "YOLOv8n summary%s: %d layers, %d parameters, %d "
                 "gradients, %s GFLOPs", k ? " (fused)" : "", cJSON_GetObjectItem(u, "layers")->valueint,
                 cJSON_GetObjectItem(u, "params")->valueint,
                 cJSON_GetObjectItem(u, "gradients")->valueint,
                 cJSON_GetObjectItem(u, "gflops_printed")->valuestring);
    }
    snprintf(cmd, sizeof cmd, "'%s' info -w '%s'", gy_test_cli(), shared_weights("yolov8n", "pt"));
    int status;
    char *text = run_capture(cmd, &status);
    ck_assert_msg(status == 0, "info failed (%d): %s", status, text);
    for (int k = 0; k < 2; k++)
        ck_assert_msg(strstr(text, want[k]) != NULL, "info output lacks '%s':\n%s", want[k], text);
    free(text);
    /* stats -w: the same model in the report's JSON */
    snprintf(cmd, sizeof cmd, "'%s' stats --json -w '%s'", gy_test_cli(),
             shared_weights("yolov8n", "pt"));
    text = run_capture(cmd, &status);
    ck_assert_msg(status == 0, "stats failed (%d): %s", status, text);
    cJSON *j = cJSON_Parse(strchr(text, '{'));
    ck_assert_msg(j != NULL, "stats --json output is not JSON: %s", text);
    const cJSON *m0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "models"), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(m0, "config")->valuestring, "<weights metadata>");
    ck_assert_int_eq(cJSON_GetObjectItem(m0, "nc")->valueint, 80);
    for (int k = 0; k < 2; k++) {
        const cJSON *u = cJSON_GetObjectItem(v8n, kinds[k]), *g = cJSON_GetObjectItem(m0, kinds[k]);
        ck_assert_int_eq(cJSON_GetObjectItem(g, "params")->valueint,
                         cJSON_GetObjectItem(u, "params")->valueint);
        ck_assert_int_eq(cJSON_GetObjectItem(g, "layers")->valueint,
                         cJSON_GetObjectItem(u, "layers")->valueint);
    }
    cJSON_Delete(j);
    free(text);
    cJSON_Delete(t);
}
END_TEST

START_TEST(ghost_pt_parity)
{
    parity_result r = gy_test_parity_load("ghost_pt_640", NULL, "weights.pt", 2);
    ck_assert_int_eq(r.violations, 0);
}
END_TEST

/* What the model took from the checkpoint: nc, scale, names from case.json, strides. */
START_TEST(ghost_pt_model)
{
    char path[4096], json[4096];
    gy_test_parity_path(path, sizeof path, "ghost_pt_640", "weights.pt");
    gy_test_parity_path(json, sizeof json, "ghost_pt_640", "case.json");
    cJSON *c = gy_test_read_json(json);
    gy_model *m = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(NULL, path, NULL, &m, &err) == GY_OK, "%s", err.message);
    gy_model_info info;
    ck_assert_int_eq(gy_model_get_info(m, &info), GY_OK);
    ck_assert_int_eq(info.nc, cJSON_GetObjectItem(c, "nc")->valueint);
    ck_assert_str_eq(info.scale, cJSON_GetObjectItem(c, "scale")->valuestring);
    ck_assert_str_eq(info.config_path, "<weights metadata>");
    ck_assert_int_eq(info.num_strides, 3);
    ck_assert_int_eq(info.strides[2], 32);
    ck_assert_str_eq(gy_model_class_name(m, 0),
                     cJSON_GetObjectItem(cJSON_GetObjectItem(c, "names"), "0")->valuestring);
    gy_model_summary su;
    ck_assert_msg(gy_model_get_summary(m, 0, 640, &su, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(su.params, cJSON_GetObjectItem(c, "params_unfused")->valueint);
    ck_assert_int_eq(su.layers, cJSON_GetObjectItem(c, "layers_unfused")->valueint);
    gy_model_free(m);
    cJSON_Delete(c);
}
END_TEST

START_TEST(cli_forward_ghost_pt)
{
    char out[96], weights[4096], input[4096], cmd[12288];
    snprintf(out, sizeof out, "/tmp/gy_test_pt_forward_%d.f32", (int)getpid());
    gy_test_parity_path(weights, sizeof weights, "ghost_pt_640", "weights.pt");
    gy_test_parity_path(input, sizeof input, "ghost_pt_640", "input.f32");
    snprintf(cmd, sizeof cmd, "'%s' forward -w '%s' --input '%s' --shape 1,3,640,640 -o '%s'",
             gy_test_cli(), weights, input, out);
    int status;
    char *text = run_capture(cmd, &status);
    ck_assert_msg(status == 0, "forward failed (%d): %s", status, text);
    ck_assert_str_eq(text, "(1, 5, 8400)\n");
    free(text);
    gy_test_parity_file("ghost_pt_640", out);
    remove(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pt");
    TCase *tc = tcase_create("checkpoints");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, tensors_and_metadata_match, 0, 2);
    tcase_add_loop_test(tc, serialize_byte_identical, 0, 2);
    tcase_add_test(tc, cli_convert);
    tcase_add_loop_test(tc, detect_pt_equals_safetensors, 0, 2);
    tcase_add_test(tc, cli_detect_pt);
    tcase_add_test(tc, cli_info_pt);
    tcase_add_test(tc, ghost_pt_parity);
    tcase_add_test(tc, ghost_pt_model);
    tcase_add_test(tc, cli_forward_ghost_pt);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

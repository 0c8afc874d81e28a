/* Model building against ultralytics: the per-row build tables and model.info() summaries in
 * ../shared/stats, weights binding and its errors, weights-only loading. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static gy_model *load(const char *config, const char *weights, const char *scale, int nc)
{
    gy_model_params p = gy_model_default_params();
    p.scale = scale;
    p.nc = nc;
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(config, weights, &p, &m, &err);
    ck_assert_msg(st == GY_OK, "loading %s / %s: %s", config ? config : "-", weights ? weights : "-",
                  err.message);
    return m;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ')
        i++;
    memmove(s, s + i, strlen(s + i) + 1);
}

/* Compares every row of an ultralytics build table ("  i  from  n  params  module  args"). */
static void check_rows(gy_model *m, const char *table_path)
{
    FILE *f = fopen(table_path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", table_path);
    char line[512];
    int rows = 0, fused_rows = 0, in_fused = 0;
    gy_model_info info;
    gy_model_get_info(m, &info);
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "per-layer parameters after fuse"))
            in_fused = 1;
        if (in_fused) { /* "idx params module" after fuse() */
            int i;
            long long p;
            char module[128];
            if (sscanf(line, "%d %lld %127s", &i, &p, module) != 3)
                continue;
            gy_row_info r;
            ck_assert_int_eq(gy_model_get_row(m, i, &r), GY_OK);
            ck_assert_msg(r.params_fused == p, "%s row %d fused params %lld vs %lld", table_path, i,
                          r.params_fused, p);
            fused_rows++;
            continue;
        }
        if (strlen(line) < 40 || line[2] < '0' || line[2] > '9')
            continue;
        if (strstr(line, "ultralytics.") == NULL && strstr(line, "torch.") == NULL)
            continue;
        char idx[4] = {0}, from[21] = {0}, n[4] = {0}, params[11] = {0}, module[46] = {0};
        memcpy(idx, line, 3);
        memcpy(from, line + 3, 20);
        memcpy(n, line + 23, 3);
        memcpy(params, line + 26, 10);
        memcpy(module, line + 38, 45);
        char *args = line + 83;
        trim(from);
        trim(module);
        trim(args);
        int i = atoi(idx);
        ck_assert_int_lt(i, info.num_rows);
        gy_row_info r;
        ck_assert_int_eq(gy_model_get_row(m, i, &r), GY_OK);
        ck_assert_msg(strcmp(r.from, from) == 0, "%s row %d from '%s' vs '%s'", table_path, i, r.from, from);
        ck_assert_msg(r.n == atoi(n), "%s row %d n %d vs %s", table_path, i, r.n, n);
        ck_assert_msg(r.params == atoll(params), "%s row %d params %lld vs %s", table_path, i, r.params,
                      params);
        ck_assert_msg(strcmp(r.module, module) == 0, "%s row %d module '%s' vs '%s'", table_path, i,
                      r.module, module);
        ck_assert_msg(strcmp(r.args, args) == 0, "%s row %d args '%s' vs '%s'", table_path, i, r.args,
                      args);
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, info.num_rows);
    ck_assert_int_eq(fused_rows, info.num_rows);
}

static cJSON *expected_table(void)
{
    char *text = (char *)gy_test_read(gy_test_shared("stats/expected_table.json"), NULL);
    cJSON *j = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(j);
    return j;
}

static void check_summary(gy_model *m, const cJSON *entry)
{
    static const char *const kinds[2] = {"unfused", "fused"};
    for (int fused = 0; fused < 2; fused++) {
        const cJSON *e = cJSON_GetObjectItem(entry, kinds[fused]);
        ck_assert_ptr_nonnull(e);
        gy_model_summary s;
        gy_error err;
        ck_assert_int_eq(gy_model_get_summary(m, fused, 640, &s, &err), GY_OK);
        ck_assert_int_eq(s.layers, (long long)cJSON_GetObjectItem(e, "layers")->valuedouble);
        ck_assert_int_eq(s.params, (long long)cJSON_GetObjectItem(e, "params")->valuedouble);
        ck_assert_int_eq(s.gradients, (long long)cJSON_GetObjectItem(e, "gradients")->valuedouble);
        double g = cJSON_GetObjectItem(e, "gflops")->valuedouble;
        ck_assert_double_eq_tol(s.gflops, g, 1e-9 * g);
    }
}

START_TEST(yolov8_tables_nc80)
{
    static const struct { const char *config, *table, *key; } cases[] = {
        {"configs/yolov8n.yaml", "stats/yolov8n_nc80.layers.txt", "yolov8n_nc80"},
        {"configs/yolov8s.yaml", "stats/yolov8s_nc80.layers.txt", "yolov8s_nc80"},
        {"configs/yolov8m.yaml", "stats/yolov8m_nc80.layers.txt", "yolov8m_nc80"},
    };
    cJSON *j = expected_table();
    for (size_t i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", GY_SOURCE_DIR, cases[i].config); /* resolves to yolov8.yaml */
        gy_model *m = load(path, NULL, NULL, 80);
        gy_model_info info;
        gy_model_get_info(m, &info);
        char scale[2] = {cases[i].key[6], 0};
        ck_assert_str_eq(info.scale, scale);
        ck_assert_str_eq(info.scale_source, "file name");
        check_rows(m, gy_test_shared(cases[i].table));
        check_summary(m, cJSON_GetObjectItem(cJSON_GetObjectItem(j, "extra"), cases[i].key));
        gy_model_free(m);
    }
    cJSON_Delete(j);
}
END_TEST

START_TEST(yolov8s_table_nc1)
{
    cJSON *j = expected_table();
    gy_model *m = load(gy_test_shared("configs/yolov8s.yaml"), NULL, NULL, 1);
    check_rows(m, gy_test_shared("stats/YOLOv8s.layers.txt"));
    check_summary(m, cJSON_GetObjectItem(cJSON_GetObjectItem(j, "table"), "YOLOv8s"));
    gy_model_free(m);
    cJSON_Delete(j);
}
END_TEST

START_TEST(weights_only_load)
{
    /* The official checkpoint carries its YAML (depth_multiple/width_multiple) and class names. */
    gy_model *m = load(NULL, gy_test_shared("weights/yolov8n.safetensors"), NULL, 0);
    gy_model_info info;
    gy_model_get_info(m, &info);
    ck_assert_int_eq(info.nc, 80);
    ck_assert_int_eq(info.has_weights, 1);
    ck_assert_int_eq(info.num_strides, 3);
    ck_assert_int_eq(info.strides[0], 8);
    ck_assert_int_eq(info.strides[2], 32);
    ck_assert_double_eq_tol(info.depth, 0.33, 1e-12);
    ck_assert_str_eq(gy_model_class_name(m, 0), "person");
    ck_assert_str_eq(gy_model_class_name(m, 5), "bus");
    ck_assert_str_eq(gy_model_class_name(m, 79), "toothbrush");
    ck_assert_ptr_null(gy_model_class_name(m, 80));
    ck_assert_ptr_null(gy_model_class_name(m, -1));
    gy_model_free(m);
    /* without names: ultralytics' class<i> */
    m = load(gy_test_shared("parity/v8n_640/model.yaml"), NULL, NULL, 0);
    ck_assert_str_eq(gy_model_class_name(m, 7), "class7");
    gy_session *s;
    gy_error err;
    ck_assert_int_eq(gy_session_create(m, NULL, &s, &err), GY_OK);
    float x[3 * 32 * 32] = {0};
    gy_output out;
    ck_assert_int_eq(gy_forward(s, x, 32, 32, &out, &err), GY_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(err.message, "without weights"));
    gy_session_free(s);
    gy_model_free(m);
}
END_TEST

START_TEST(weights_wrong_scale)
{
    /* yolov8n weights with the s-scale graph: shape mismatch named */
    gy_model_params p = gy_model_default_params();
    p.scale = "s";
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"),
                                 gy_test_shared("weights/yolov8n.safetensors"), &p, &m, &err);
    ck_assert_int_eq(st, GY_ERR_MISMATCH);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(err.message, "yolov8n.safetensors"));
    ck_assert_ptr_nonnull(strstr(err.message, "wrong shape"));
    ck_assert_ptr_nonnull(strstr(err.message, "model.0.conv.weight has shape [16, 3, 3, 3], the model needs [32, 3, 3, 3]"));
    /* nc mismatch: class branch shapes differ */
    p.scale = NULL;
    p.nc = 3;
    st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"),
                       gy_test_shared("weights/yolov8n.safetensors"), &p, &m, &err);
    ck_assert_int_eq(st, GY_ERR_MISMATCH);
    ck_assert_msg(strstr(err.message, "model.22.cv3.0.0.conv.weight has shape [80, 64, 3, 3], the "
                                      "model needs [64, 64, 3, 3]") != NULL, "%s", err.message);
}
END_TEST

/* Writes a copy of a safetensors file with the header edited by `edit`. */
static void rewrite(const char *src, const char *dst, void (*edit)(cJSON *))
{
    size_t size;
    unsigned char *buf = gy_test_read(src, &size);
    unsigned long long n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | buf[i];
    char *hdr = malloc(n + 1);
    ck_assert_ptr_nonnull(hdr);
    memcpy(hdr, buf + 8, n);
    hdr[n] = 0;
    cJSON *j = cJSON_Parse(hdr);
    ck_assert_ptr_nonnull(j);
    edit(j);
    char *out = cJSON_PrintUnformatted(j);
    unsigned long long m = strlen(out);
    FILE *f = fopen(dst, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 8; i++)
        fputc((int)(m >> (8 * i)) & 0xff, f);
    fwrite(out, 1, m, f);
    fwrite(buf + 8 + n, 1, size - 8 - n, f);
    fclose(f);
    free(out);
    cJSON_Delete(j);
    free(hdr);
    free(buf);
}

static void rename_two(cJSON *j)
{
    cJSON *a = cJSON_DetachItemFromObject(j, "model.0.conv.weight");
    cJSON_AddItemToObject(j, "model.0.conv.weigth", a);
    cJSON *b = cJSON_DetachItemFromObject(j, "model.22.dfl.conv.weight");
    cJSON_AddItemToObject(j, "model.22.dfl.extra", b);
}

START_TEST(weights_missing_and_unexpected)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_%d.safetensors", (int)getpid());
    rewrite(gy_test_shared("parity/v8n_640/weights.safetensors"), path, rename_two);
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"), path, NULL, &m, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_MISMATCH);
    ck_assert_msg(strstr(err.message, "2 missing: model.0.conv.weight, model.22.dfl.conv.weight") != NULL,
                  "%s", err.message);
    ck_assert_msg(strstr(err.message, "2 unexpected: model.0.conv.weigth, model.22.dfl.extra") != NULL,
                  "%s", err.message);
}
END_TEST

START_TEST(config_errors_reach_the_caller)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Frobnicate, [16]]\n"
          "head:\n  - [[0], 1, Detect, [nc]]\n", f);
    fclose(f);
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(path, NULL, NULL, &m, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(err.message, ":4: unknown module 'Frobnicate'") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_model_load(NULL, NULL, NULL, &m, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_load("/nonexistent/x.yaml", NULL, NULL, &m, &err), GY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/x.yaml"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, yolov8_tables_nc80);
    tcase_add_test(tc, yolov8s_table_nc1);
    tcase_add_test(tc, weights_only_load);
    tcase_add_test(tc, weights_wrong_scale);
    tcase_add_test(tc, weights_missing_and_unexpected);
    tcase_add_test(tc, config_errors_reach_the_caller);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

#include "parity.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables.h"
#include "testutil.h"

typedef struct tol {
    double abs, rel;
} tol;

static tol get_tol(const cJSON *c, const char *part)
{
    const cJSON *t = cJSON_GetObjectItem(cJSON_GetObjectItem(c, "tolerance_by_part"), part);
    if (!t)
        t = cJSON_GetObjectItem(c, "tolerance");
    ck_assert_msg(t != NULL, "case.json has no tolerance");
    tol r = {cJSON_GetObjectItem(t, "abs")->valuedouble, cJSON_GetObjectItem(t, "rel")->valuedouble};
    return r;
}

void gy_test_parity_path(char *buf, size_t n, const char *case_name, const char *file)
{
    char rel[256];
    snprintf(rel, sizeof rel, "parity/%s/%s", case_name, file);
    snprintf(buf, n, "%s", gy_test_shared(rel));
}

static cJSON *load_case(const char *case_name)
{
    char path[4096];
    gy_test_parity_path(path, sizeof path, case_name, "case.json");
    return gy_test_read_json(path);
}

static parity_result compare_ex(const char *case_name, const cJSON *c, const float *got,
                                int channels, int anchors, int must_pass)
{
    const cJSON *shape = cJSON_GetObjectItem(c, "output_shape");
    ck_assert_int_eq(channels, cJSON_GetArrayItem(shape, 1)->valueint);
    ck_assert_int_eq(anchors, cJSON_GetArrayItem(shape, 2)->valueint);
    char path[4096];
    gy_test_parity_path(path, sizeof path, case_name, "output.f32");
    float *exp_out = gy_test_read_f32(path, (size_t)channels * anchors, NULL);
    tol tb = get_tol(c, "box"), tc = get_tol(c, "cls");
    parity_result r = {0};
    for (size_t i = 0; i < (size_t)channels * anchors; i++) {
        int box = i < (size_t)4 * anchors;
        tol t = box ? tb : tc;
        double d = fabs((double)got[i] - exp_out[i]);
        double lim = t.abs + t.rel * fabs((double)exp_out[i]);
        if (box && d > r.max_abs_box)
            r.max_abs_box = d;
        if (!box && d > r.max_abs_cls)
            r.max_abs_cls = d;
        if (d / lim > r.worst_ratio || isnan(d))
            r.worst_ratio = isnan(d) ? INFINITY : d / lim;
        if (!(d <= lim))
            r.violations++;
    }
    free(exp_out);
    printf("parity %s: max abs box %.3g cls %.3g, worst error/tolerance %.3f, violations %ld\n",
           case_name, r.max_abs_box, r.max_abs_cls, r.worst_ratio, r.violations);
    ck_assert_msg(!must_pass || r.violations == 0, "%s: %ld elements outside tolerance (worst "
                  "ratio %g)", case_name, r.violations, r.worst_ratio);
    return r;
}

static parity_result compare(const char *case_name, const cJSON *c, const float *got, int channels,
                             int anchors)
{
    return compare_ex(case_name, c, got, channels, anchors, 1);
}

parity_result gy_test_parity_load(const char *case_name, const char *config_file,
                                  const char *weights_file, int threads)
{
    char yaml[4096], weights[4096];
    if (config_file)
        gy_test_parity_path(yaml, sizeof yaml, case_name, config_file);
    gy_test_parity_path(weights, sizeof weights, case_name, weights_file);
    return gy_test_parity_run(case_name, config_file ? yaml : NULL, weights, threads, 1);
}

parity_result gy_test_parity_run(const char *case_name, const char *config_path,
                                 const char *weights_path, int threads, int must_pass)
{
    cJSON *c = load_case(case_name);
    char input[4096];
    gy_test_parity_path(input, sizeof input, case_name, "input.f32");
    const cJSON *shape = cJSON_GetObjectItem(c, "input_shape");
    int h = cJSON_GetArrayItem(shape, 2)->valueint, w = cJSON_GetArrayItem(shape, 3)->valueint;
    float *x = gy_test_read_f32(input, (size_t)3 * h * w, NULL);
    gy_model *m = NULL;
    gy_session *s = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(config_path, weights_path, NULL, &m, &err) == GY_OK, "%s",
                  err.message);
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = threads;
    ck_assert_msg(gy_session_create(m, &sp, &s, &err) == GY_OK, "%s", err.message);
    gy_output out;
    ck_assert_msg(gy_forward(s, x, h, w, &out, &err) == GY_OK, "%s", err.message);
    parity_result r = compare_ex(case_name, c, out.data, out.channels, out.anchors, must_pass);
    gy_session_free(s);
    gy_model_free(m);
    free(x);
    cJSON_Delete(c);
    return r;
}

parity_result gy_test_parity(const char *case_name, int threads)
{
    return gy_test_parity_load(case_name, "model.yaml", "weights.safetensors", threads);
}

parity_result gy_test_parity_file(const char *case_name, const char *output_path)
{
    cJSON *c = load_case(case_name);
    const cJSON *shape = cJSON_GetObjectItem(c, "output_shape");
    int ch = cJSON_GetArrayItem(shape, 1)->valueint, an = cJSON_GetArrayItem(shape, 2)->valueint;
    float *got = gy_test_read_f32(output_path, (size_t)ch * an, NULL);
    parity_result r = compare(case_name, c, got, ch, an);
    free(got);
    cJSON_Delete(c);
    return r;
}

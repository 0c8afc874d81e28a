#include "tables.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gy_model *gy_test_load(const char *config, const char *weights, const char *scale, int nc)
{
    gy_model_params p = gy_model_default_params();
    p.scale = scale;
    p.nc = nc;
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(config, weights, &p, &m, &err);
    ck_assert_msg(st == GY_OK, "loading %s / %s: %s", config ? config : "-",
                  weights ? weights : "-", err.message);
    return m;
}

void gy_test_trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ')
        i++;
    memmove(s, s + i, strlen(s + i) + 1);
}

cJSON *gy_test_read_json(const char *path)
{
    char *text = (char *)gy_test_read(path, NULL);
    cJSON *j = cJSON_Parse(text);
    free(text);
    ck_assert_msg(j != NULL, "%s: bad JSON", path);
    return j;
}

cJSON *gy_test_st_header(const unsigned char *buf, size_t size, size_t *hlen)
{
    ck_assert_msg(size >= 8, "a safetensors file of %zu bytes", size);
    unsigned long long n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | buf[i];
    ck_assert_msg(n <= size - 8, "a safetensors header of %llu bytes in %zu", n, size);
    cJSON *j = cJSON_ParseWithLength((const char *)buf + 8, (size_t)n);
    ck_assert_msg(j != NULL, "a safetensors header that is not JSON");
    *hlen = (size_t)n;
    return j;
}

double gy_test_num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(obj, key);
    ck_assert_msg(cJSON_IsNumber(v), "no number '%s' in %s", key,
                  obj && obj->string ? obj->string : "the object");
    return v->valuedouble;
}

cJSON *gy_test_expected_table(void)
{
    return gy_test_read_json(gy_test_shared("stats/expected_table.json"));
}

const cJSON *gy_test_expected_entry(const cJSON *expected, const char *section, const char *key)
{
    const cJSON *e = cJSON_GetObjectItem(cJSON_GetObjectItem(expected, section), key);
    ck_assert_msg(e != NULL, "expected_table.json: no %s entry %s", section, key);
    return e;
}

/* One row of the "per-layer parameters after fuse()" list; returns 0 for other lines. */
static int check_fused_row(gy_model *m, const char *path, const char *line)
{
    int i;
    long long p;
    char module[160];
    if (sscanf(line, "%d %lld %159s", &i, &p, module) != 3)
        return 0;
    gy_row_info r;
    ck_assert_int_eq(gy_model_get_row(m, i, &r), GY_OK);
    ck_assert_msg(r.params_fused == p, "%s row %d: fused params %lld, expected %lld", path, i,
                  r.params_fused, p);
    ck_assert_msg(strcmp(r.module, module) == 0, "%s row %d: fused module '%s', expected '%s'",
                  path, i, r.module, module);
    return 1;
}

/* One build row ("  i  from  n  params  module  arguments"); returns 0 for other lines. */
static int check_build_row(gy_model *m, const gy_model_info *info, const char *path, char *line)
{
    if (strlen(line) < 40 || line[2] < '0' || line[2] > '9' ||
        (!strstr(line, "ultralytics.") && !strstr(line, "torch.")))
        return 0;
    /* columns: index 3, from 20, n 3, params 10, two spaces, module (45, longer names run into
     * the arguments) and arguments */
    char idx[4] = {0}, from[21] = {0}, n[4] = {0}, params[11] = {0}, rest[512] = {0};
    memcpy(idx, line, 3);
    memcpy(from, line + 3, 20);
    memcpy(n, line + 23, 3);
    memcpy(params, line + 26, 10);
    snprintf(rest, sizeof rest, "%s", line + 38);
    gy_test_trim(from);
    char *args = strchr(rest, '[');
    ck_assert_msg(args != NULL, "%s: no arguments in '%s'", path, line);
    char module[160];
    snprintf(module, sizeof module, "%.*s", (int)(args - rest), rest);
    gy_test_trim(module);
    gy_test_trim(args);
    int i = atoi(idx);
    /* the arguments start after the 45-wide module column, or right after a longer name */
    size_t module_end = (size_t)(args - rest);
    while (module_end && rest[module_end - 1] == ' ')
        module_end--;
    size_t args_col = module_end < 45 ? 45 : module_end;
    ck_assert_msg((size_t)(args - rest) == args_col,
                  "%s row %d: arguments at column %d, expected %d", path, i,
                  (int)(38 + (args - rest)), (int)(38 + args_col));
    ck_assert_int_lt(i, info->num_rows);
    gy_row_info r;
    ck_assert_int_eq(gy_model_get_row(m, i, &r), GY_OK);
    ck_assert_msg(strcmp(r.from, from) == 0, "%s row %d: from '%s', expected '%s'", path, i, r.from,
                  from);
    ck_assert_msg(r.n == atoi(n), "%s row %d: n %d, expected %s", path, i, r.n, n);
    ck_assert_msg(r.params == atoll(params), "%s row %d: params %lld, expected %s", path, i,
                  r.params, params);
    ck_assert_msg(strcmp(r.module, module) == 0, "%s row %d: module '%s', expected '%s'", path, i,
                  r.module, module);
    ck_assert_msg(strcmp(r.args, args) == 0, "%s row %d: args '%s', expected '%s'", path, i, r.args,
                  args);
    return 1;
}

void gy_test_check_rows(gy_model *m, const char *table)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", gy_test_shared(table));
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    gy_model_info info;
    gy_model_get_info(m, &info);
    char line[512];
    int rows = 0, fused_rows = 0, in_fused = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "per-layer parameters after fuse"))
            in_fused = 1;
        if (in_fused)
            fused_rows += check_fused_row(m, path, line);
        else
            rows += check_build_row(m, &info, path, line);
    }
    fclose(f);
    ck_assert_msg(rows == info.num_rows, "%s: %d build rows, the model has %d", path, rows,
                  info.num_rows);
    ck_assert_msg(fused_rows == info.num_rows, "%s: %d rows after fuse(), the model has %d", path,
                  fused_rows, info.num_rows);
}

void gy_test_check_summary(gy_model *m, const char *name, const cJSON *entry)
{
    static const char *const kinds[2] = {"unfused", "fused"};
    ck_assert_msg(entry != NULL, "%s: no expected entry", name);
    for (int fused = 0; fused < 2; fused++) {
        const cJSON *e = cJSON_GetObjectItem(entry, kinds[fused]);
        ck_assert_msg(e != NULL, "%s: no '%s' entry", name, kinds[fused]);
        gy_model_summary s;
        gy_error err;
        ck_assert_msg(gy_model_get_summary(m, fused, 640, &s, &err) == GY_OK, "%s: %s", name,
                      err.message);
        ck_assert_msg(s.layers == (long long)gy_test_num(e, "layers"),
                      "%s %s: %lld layers, expected %.0f", name, kinds[fused], s.layers,
                      gy_test_num(e, "layers"));
        ck_assert_msg(s.params == (long long)gy_test_num(e, "params"),
                      "%s %s: %lld params, expected %.0f", name, kinds[fused], s.params,
                      gy_test_num(e, "params"));
        ck_assert_msg(s.gradients == (long long)gy_test_num(e, "gradients"),
                      "%s %s: %lld gradients, expected %.0f", name, kinds[fused], s.gradients,
                      gy_test_num(e, "gradients"));
        const cJSON *printed = cJSON_GetObjectItem(e, "gflops_printed");
        int has_printed = cJSON_IsString(printed) && printed->valuestring[0];
        double g = gy_test_num(e, "gflops");
        if (g == 0.0) { /* get_flops() failed (DFC): ultralytics printed no GFLOPs */
            ck_assert_msg(!has_printed, "%s %s: GFLOPs 0 but printed as %s", name, kinds[fused],
                          printed->valuestring);
            if (fused) /* thop run directly at 640 */
                g = gy_test_num(entry, "gflops_thop_direct_640_fused");
        }
        if (g == 0.0)
            continue;
        char mine[32];
        snprintf(mine, sizeof mine, "%.1f", s.gflops);
        if (has_printed)
            ck_assert_msg(strcmp(mine, printed->valuestring) == 0, "%s %s: %s GFLOPs, expected %s",
                          name, kinds[fused], mine, printed->valuestring);
        ck_assert_msg(fabs(s.gflops - g) < 1e-9 * g, "%s %s: %.10g GFLOPs, expected %.10g", name,
                      kinds[fused], s.gflops, g);
    }
}

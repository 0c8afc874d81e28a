/* The backbone zoo (../shared/zoo) against ultralytics: numerical parity of every
 * ../shared/parity/zoo_* case (odd input sizes, mixed BatchNorm eps; the MobileNetV3 case also from
 * its training checkpoint alone), on the CPU's best instruction set and, in the `every_isa` case
 * (labelled slow), on each of them; the cases' own layer / parameter / GFLOPs numbers; the
 * BatchNorm eps metadata (bn_eps_exceptions) and the .pt allow-list; every argument check of the
 * zoo rows with its clause failing alone (and the bound accepted); input sizes that are not
 * multiples of 32; the configs by bare name. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "core/graph.h"
#include "detector/model.h"
#include "kernels/kernels.h"
#include "parity.h"
#include "tables.h"
#include "testutil.h"
#include "weights/pt_checkpoint.h"
#include "weights/safetensors.h"

static const char *const zoo_cases[9] = {
    "zoo_ghostnet_256x320",     "zoo_ghostnetv2_288x224",  "zoo_gghost_153x185",
    "zoo_hsnet_192x320",        "zoo_shufflenetv2_249x185", "zoo_shufflenetv1_153x217",
    "zoo_mobilenetv2_224x288",  "zoo_mobilenetv3_224x320", "zoo_squeezenet_161x193"};
#define PT_CASE "zoo_mobilenetv3_pt_224x320"

/* ---------------------------------------------------------------------------------------------- */
/* Parity. */

START_TEST(parity_case) { gy_test_parity(zoo_cases[_i], 2); }
END_TEST

START_TEST(parity_pt_checkpoint) { gy_test_parity_load(PT_CASE, NULL, "weights.pt", 2); }
END_TEST

/* One thread (the serial runner) on the case with both shuffles and the padded average pool. */
START_TEST(parity_one_thread) { gy_test_parity("zoo_shufflenetv1_153x217", 1); }
END_TEST

/* Every case on every instruction set this CPU has (GY_ISA, read at each model load), and on
 * AVX-512 with each tuning variant (GY_TUNE: the CPU's own, then the other). */
START_TEST(parity_every_isa)
{
    for (int v = GY_ISA_GENERIC; v <= (int)gy_cpu_best_isa() + (gy_cpu_best_isa() == GY_ISA_AVX512);
         v++) {
        int isa = v > GY_ISA_AVX512 ? GY_ISA_AVX512 : v;
        ck_assert_int_eq(setenv("GY_ISA", gy_isa_name((gy_isa)isa), 1), 0);
        ck_assert_int_eq(setenv("GY_TUNE", v > GY_ISA_AVX512 ? "base" : "", 1), 0);
        printf("GY_ISA=%s GY_TUNE=%s\n", gy_isa_name((gy_isa)isa), getenv("GY_TUNE"));
        for (int c = 0; c < 9; c++)
            gy_test_parity(zoo_cases[c], 2);
        gy_test_parity_load(PT_CASE, NULL, "weights.pt", 2);
    }
    unsetenv("GY_ISA");
    unsetenv("GY_TUNE");
}
END_TEST

/* The case's model.info() numbers (case.json): layers, parameters, gradients, GFLOPs fused and
 * unfused at 640 (ultralytics' probe), and thop's direct count at 640 (the sum of the per-row
 * counts). The checkpoint case is loaded from the .pt alone. */
START_TEST(case_numbers)
{
    const char *name = _i < 9 ? zoo_cases[_i] : PT_CASE;
    char json[4096], yaml[4096], pt[4096];
    gy_test_parity_path(json, sizeof json, name, "case.json");
    cJSON *c = gy_test_read_json(json);
    gy_model *m;
    if (_i < 9) {
        gy_test_parity_path(yaml, sizeof yaml, name, "model.yaml");
        m = gy_test_load(yaml, NULL, NULL, 0);
    } else {
        gy_test_parity_path(pt, sizeof pt, name, "weights.pt");
        m = gy_test_load(NULL, pt, NULL, 0);
    }
    gy_model_summary u, f;
    gy_error err;
    ck_assert_msg(gy_model_get_summary(m, 0, 640, &u, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_model_get_summary(m, 1, 640, &f, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(u.layers, (long long)gy_test_num(c, "layers_unfused"));
    ck_assert_int_eq(f.layers, (long long)gy_test_num(c, "layers_fused"));
    ck_assert_int_eq(u.params, (long long)gy_test_num(c, "params_unfused"));
    ck_assert_int_eq(f.params, (long long)gy_test_num(c, "params_fused"));
    ck_assert_int_eq(u.gradients, (long long)gy_test_num(c, "gradients_unfused"));
    double gf = gy_test_num(c, "gflops_fused_640"), gu = gy_test_num(c, "gflops_unfused_640");
    double direct = gy_test_num(c, "gflops_fused_thop_direct_640");
    if (gf == 0.0) { /* DFC: ultralytics' probe fails; counted directly */
        ck_assert_msg(fabs(f.gflops - direct) < 1e-9 * direct, "%s: %.10g GFLOPs, expected %.10g",
                      name, f.gflops, direct);
    } else {
        ck_assert_msg(fabs(f.gflops - gf) < 1e-9 * gf, "%s: fused %.10g GFLOPs, expected %.10g",
                      name, f.gflops, gf);
        ck_assert_msg(fabs(u.gflops - gu) < 1e-9 * gu, "%s: unfused %.10g GFLOPs, expected %.10g",
                      name, u.gflops, gu);
    }
    gy_stats_params sp = gy_stats_default_params();
    gy_stats *s;
    ck_assert_msg(gy_model_stats(m, &sp, &s, &err) == GY_OK, "%s", err.message);
    double sum = 0.0;
    for (int r = 0; r < s->num_rows; r++)
        sum += s->rows[r].gflops_fused;
    ck_assert_msg(fabs(sum - direct) < 1e-9 * direct, "%s: direct %.10g GFLOPs, expected %.10g",
                  name, sum, direct);
    gy_stats_free(s);
    gy_model_free(m);
    cJSON_Delete(c);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* BatchNorm eps: the weights' bn_eps_exceptions metadata. */

/* A copy of a safetensors file whose __metadata__ bn_eps_exceptions is `value` (NULL: removed). */
static void rewrite_exceptions(const char *src, const char *dst, const char *value)
{
    size_t size;
    unsigned char *f = gy_test_read(src, &size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | f[i];
    char *head = malloc(n + 1);
    ck_assert_ptr_nonnull(head);
    memcpy(head, f + 8, n);
    head[n] = '\0';
    cJSON *h = cJSON_Parse(head);
    ck_assert_ptr_nonnull(h);
    cJSON *meta = cJSON_GetObjectItem(h, "__metadata__");
    cJSON_DeleteItemFromObject(meta, "bn_eps_exceptions");
    if (value)
        cJSON_AddStringToObject(meta, "bn_eps_exceptions", value);
    char *text = cJSON_PrintUnformatted(h);
    size_t len = strlen(text), pad = (8 - len % 8) % 8;
    FILE *o = fopen(dst, "wb");
    ck_assert_ptr_nonnull(o);
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)((uint64_t)(len + pad) >> (8 * i));
    fwrite(le, 1, 8, o);
    fwrite(text, 1, len, o);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', o);
    fwrite(f + 8 + n, 1, size - 8 - n, o);
    ck_assert_int_eq(fclose(o), 0);
    free(text);
    cJSON_Delete(h);
    free(head);
    free(f);
}

/* Without the metadata each zoo BatchNorm folds with its module's eps (1e-5 here): parity still
 * holds. With an empty object every BatchNorm takes bn_eps (1e-3): the output leaves the
 * tolerance, so the exceptions are what is used. Malformed metadata is refused naming it. */
START_TEST(bn_eps_exceptions)
{
    const char *name = "zoo_ghostnet_256x320";
    char yaml[4096], weights[4096], tmp[96];
    gy_test_parity_path(yaml, sizeof yaml, name, "model.yaml");
    gy_test_parity_path(weights, sizeof weights, name, "weights.safetensors");
    snprintf(tmp, sizeof tmp, "/tmp/gy_test_zoo_eps_%d.safetensors", (int)getpid());
    rewrite_exceptions(weights, tmp, NULL);
    parity_result r = gy_test_parity_run(name, yaml, tmp, 2, 1);
    ck_assert_int_eq(r.violations, 0);
    rewrite_exceptions(weights, tmp, "{}");
    r = gy_test_parity_run(name, yaml, tmp, 2, 0);
    ck_assert_msg(r.violations > 0, "every BatchNorm at 1e-3 still within tolerance (ratio %g)",
                  r.worst_ratio);
    static const struct { const char *value, *needle; } bad[] = {
        {"[1]", "bn_eps_exceptions is not a JSON object"},
        {"{\"model.0.bn1\": 0}", "'model.0.bn1' is not a small positive eps"},
        {"{\"model.0.bn1\": 1}", "'model.0.bn1' is not a small positive eps"},
        {"{\"model.0.bn1\": \"1e-5\"}", "'model.0.bn1' is not a small positive eps"},
        {"not json", "bn_eps_exceptions is not a JSON object"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rewrite_exceptions(weights, tmp, bad[i].value);
        gy_model *m = NULL;
        gy_error err;
        ck_assert_int_eq(gy_model_load(yaml, tmp, NULL, &m, &err), GY_ERR_FORMAT);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(err.message, bad[i].needle) && strstr(err.message, tmp), "%s: %s",
                      bad[i].value, err.message);
    }
    /* the bound: an eps just below 1 is accepted */
    rewrite_exceptions(weights, tmp, "{\"model.0.bn1\": 0.999}");
    gy_model_free(gy_test_load(yaml, tmp, NULL, 0));
    unlink(tmp);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* The checkpoint: its pickle's globals and each BatchNorm's eps. */

/* A copy of the case's weights.pt whose data.pkl has `from` (a GLOBAL's text, or a BINFLOAT) at
 * its `nth` occurrence replaced by `to`. */
static void patch_pt(const char *dst, const void *from, size_t flen, const void *to, size_t tlen,
                     int nth)
{
    char src[4096];
    gy_test_parity_path(src, sizeof src, PT_CASE, "weights.pt");
    int e;
    zip_t *in = zip_open(src, ZIP_RDONLY, &e), *out = zip_open(dst, ZIP_CREATE | ZIP_TRUNCATE, &e);
    ck_assert(in && out);
    zip_int64_t n = zip_get_num_entries(in, 0);
    unsigned char *pkl = NULL;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(in, (zip_uint64_t)i, 0);
        zip_source_t *s;
        if (strcmp(name, "weights/data.pkl") == 0) {
            zip_stat_t zs;
            ck_assert_int_eq(zip_stat_index(in, (zip_uint64_t)i, 0, &zs), 0);
            unsigned char *raw = malloc(zs.size);
            pkl = malloc(zs.size + tlen);
            ck_assert(raw && pkl);
            zip_file_t *zf = zip_fopen_index(in, (zip_uint64_t)i, 0);
            ck_assert_int_eq(zip_fread(zf, raw, zs.size), (zip_int64_t)zs.size);
            zip_fclose(zf);
            size_t at = 0, found = 0;
            for (size_t k = 0; k + flen <= zs.size; k++)
                if (memcmp(raw + k, from, flen) == 0 && found++ == (size_t)nth) {
                    at = k;
                    break;
                }
            ck_assert_msg(found == (size_t)nth + 1, "occurrence %d not found", nth);
            memcpy(pkl, raw, at);
            memcpy(pkl + at, to, tlen);
            memcpy(pkl + at + tlen, raw + at + flen, zs.size - at - flen);
            s = zip_source_buffer(out, pkl, zs.size - flen + tlen, 0);
            free(raw);
        } else {
            s = zip_source_zip(out, in, (zip_uint64_t)i, 0, 0, -1);
        }
        ck_assert_ptr_nonnull(s);
        ck_assert_int_ge(zip_file_add(out, name, s, ZIP_FL_OVERWRITE), 0);
    }
    ck_assert_int_eq(zip_close(out), 0);
    zip_discard(in);
    free(pkl);
}

/* A class outside the allow-list, one letter or one name away from an allowed one, is refused
 * naming it; the allowed ones load (parity_pt_checkpoint). */
START_TEST(pt_near_miss_refused)
{
    static const char from[] = "ctorchvision.ops.misc\nSqueezeExcitation\n";
    static const char *const to[] = {
        "ctorchvision.models.mobilenetv3\nSomethingElse\n",
        "ctorchvision.ops.misc\nSqueezeExcitation2\n",
        "ctorchvision.ops\nSqueezeExcitation\n",
        "cultralytics.nn.modules.zoo_modules\nSomethingElse\n",
        "ctorchvision.ops.misc.SqueezeExcitation\nx\n"};
    static const char *const named[] = {
        "torchvision.models.mobilenetv3.SomethingElse", "torchvision.ops.misc.SqueezeExcitation2",
        "torchvision.ops.SqueezeExcitation", "ultralytics.nn.modules.zoo_modules.SomethingElse",
        "torchvision.ops.misc.SqueezeExcitation.x"};
    char path[96], want[160];
    snprintf(path, sizeof path, "/tmp/gy_test_zoo_near_%d.pt", (int)getpid());
    patch_pt(path, from, strlen(from), to[_i], strlen(to[_i]), 0);
    snprintf(want, sizeof want, "refused global '%s'", named[_i]);
    gy_model *m = NULL;
    gy_error err;
    ck_assert_int_eq(gy_model_load(NULL, path, NULL, &m, &err), GY_ERR_UNSUPPORTED);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, want), "%s", err.message);
    unlink(path);
}
END_TEST

/* The Detect output of a case's input through weights alone (n floats). */
static float *forward_case(const char *name, const char *weights, size_t *n)
{
    char input[4096];
    gy_test_parity_path(input, sizeof input, name, "input.f32");
    gy_model *m = gy_test_load(NULL, weights, NULL, 0);
    size_t count;
    float *x = gy_test_read_f32(input, 0, &count);
    int h = 224, w = (int)(count / 3 / 224);
    gy_session *s;
    gy_error err;
    gy_output out;
    ck_assert_int_eq(gy_session_create(m, NULL, &s, &err), GY_OK);
    ck_assert_msg(gy_forward(s, x, h, w, &out, &err) == GY_OK, "%s", err.message);
    *n = (size_t)out.channels * out.anchors;
    float *y = malloc(sizeof *y * *n);
    ck_assert_ptr_nonnull(y);
    memcpy(y, out.data, sizeof *y * *n);
    gy_session_free(s);
    gy_model_free(m);
    free(x);
    return y;
}

/* Each pickled BatchNorm2d folds with its own eps: one changed to 1e-5 (the first, model.0.1,
 * conv_bn_hswish's zoo BatchNorm) becomes the one bn_eps_exceptions entry beside bn_eps 0.001. */
START_TEST(pt_bn_eps_per_module)
{
    unsigned char from[9] = {'G'}, to[9] = {'G'};
    double a = 0.001, b = 1e-5;
    uint64_t ua, ub;
    memcpy(&ua, &a, 8);
    memcpy(&ub, &b, 8);
    for (int i = 0; i < 8; i++) { /* BINFLOAT: big-endian */
        from[1 + i] = (unsigned char)(ua >> (56 - 8 * i));
        to[1 + i] = (unsigned char)(ub >> (56 - 8 * i));
    }
    char path[96];
    snprintf(path, sizeof path, "/tmp/gy_test_zoo_eps_%d.pt", (int)getpid());
    patch_pt(path, from, 9, to, 9, 0);
    gy_safetensors *st = NULL;
    gy_error err;
    ck_assert_msg(gy_weights_open(path, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps"), "0.001");
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps_exceptions"), "{\"model.0.1\": 1e-05}");
    gy_st_close(st);
    /* the unchanged checkpoint: every BatchNorm at 0.001, no exceptions */
    char orig[4096];
    gy_test_parity_path(orig, sizeof orig, PT_CASE, "weights.pt");
    ck_assert_msg(gy_weights_open(orig, &st, &err) == GY_OK, "%s", err.message);
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps"), "0.001");
    ck_assert_ptr_null(gy_st_meta_get(st, "bn_eps_exceptions"));
    gy_st_close(st);
    /* and the model loaded from it folds model.0.1 with 1e-5: its output moves */
    size_t n;
    float *y0 = forward_case(PT_CASE, orig, &n), *y1 = forward_case(PT_CASE, path, &n);
    size_t changed = 0;
    for (size_t i = 0; i < n; i++)
        changed += y0[i] != y1[i];
    ck_assert_msg(changed > n / 2, "%zu of %zu outputs changed", changed, n);
    free(y0);
    free(y1);
    unlink(path);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Rows. */

/* A model of `stem` (its output channels the row's c1), the row under test and a one-level
 * Detect; loads it and returns the status, the message in err. */
static gy_status load_row(const char *stem, const char *row, const char *path, gy_error *err)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [%s, 3, 2]]\n  - %s\nhead:\n"
                                "  - [[-1], 1, Detect, [nc]]\n", stem, row);
    gy_test_write_text(path, yaml);
    gy_model *m = NULL;
    gy_status st = gy_model_load(path, NULL, NULL, &m, err);
    ck_assert(st == GY_OK ? m != NULL : m == NULL);
    gy_model_free(m);
    return st;
}

/* The channel shuffles a row emits (graph ops of kind GY_OP_SHUFFLE): a shuffle with one group
 * (or with one channel per group) moves nothing, so a row that would emit one emits none. */
static int row_shuffles(const char *stem, const char *row, const char *path)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [%s, 3, 2]]\n  - %s\nhead:\n"
                                "  - [[-1], 1, Detect, [nc]]\n", stem, row);
    gy_test_write_text(path, yaml);
    gy_model *m = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(path, NULL, NULL, &m, &err) == GY_OK, "%s: %s", row, err.message);
    int n = 0;
    for (int i = 0; i < m->graph.nops; i++)
        n += m->graph.ops[i].type == GY_OP_SHUFFLE;
    gy_model_free(m);
    return n;
}

START_TEST(shuffles_only_where_they_move_data)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_zoo_shuffle_%d.yaml", (int)getpid());
    /* Megvii's ShuffleNet v1: the main branch shuffles its mid channels when group > 1 */
    ck_assert_int_eq(row_shuffles("48", "[-1, 1, ShuffleV1Block, [48, 1, 1, 0]]", path), 0);
    ck_assert_int_eq(row_shuffles("48", "[-1, 1, ShuffleV1Block, [96, 2, 1, 1]]", path), 0);
    ck_assert_int_eq(row_shuffles("48", "[-1, 1, ShuffleV1Block, [48, 1, 2, 0]]", path), 1);
    ck_assert_int_eq(row_shuffles("48", "[-1, 1, ShuffleV1Block, [48, 1, 3, 0]]", path), 1);
    ck_assert_int_eq(row_shuffles("48", "[-1, 1, ShuffleV1Block, [96, 2, 3, 1]]", path), 1);
    /* ShuffleNet v2 (torchvision's order, 2 groups): every block, either stride */
    ck_assert_int_eq(row_shuffles("32", "[-1, 1, Shuffle_Block, [32, 1]]", path), 1);
    ck_assert_int_eq(row_shuffles("32", "[-1, 1, Shuffle_Block, [64, 2]]", path), 1);
    unlink(path);
}
END_TEST

/* Every argument check: the clause failing alone is refused with the file, the line, the row and
 * the argument; the neighbouring valid row (the bound) loads. */
START_TEST(bad_zoo_rows)
{
    static const struct { const char *stem, *bad, *needle, *good; } cases[] = {
        {"64", "[-1, 1, HSBottleneck, [64, 1, 1]]", "split 1 must be at least 2",
         "[-1, 1, HSBottleneck, [64, 1, 2]]"},
        {"16", "[-1, 1, HSBottleneck, [16, 1, 4]]", "group 1 has 1 channel",
         "[-1, 1, HSBottleneck, [16, 1, 2]]"},
        {"8", "[-1, 1, HSBottleneck, [3, 2, 2]]", "width c2 // 4 of 0",
         "[-1, 1, HSBottleneck, [4, 2, 2]]"},
        {"32", "[-1, 1, G_bneck, [32, 64, 3, 1, -0.25]]", "argument 5 ('-0.25') is negative",
         "[-1, 1, G_bneck, [32, 64, 3, 1, 0]]"},
        {"32", "[-1, 1, G_bneck, [32, 64, 4, 1, 0]]", "k 4 must be odd",
         "[-1, 1, G_bneck, [32, 64, 5, 1, 0]]"},
        {"32", "[-1, 1, G_bneck, [32]]", "mid are missing", "[-1, 1, G_bneck, [32, 8]]"},
        /* the squeeze-and-excite's mid x se_ratio channels: at GY_MAX_CHANNELS, and past it (it
         * was an int overflow: negative parameter counts) */
        {"32", "[-1, 1, G_bneck, [32, 4, 3, 1, 16384.25]]", "gives the squeeze-and-excite mid x "
         "se_ratio = 65537 channels, more than 65536", "[-1, 1, G_bneck, [32, 4, 3, 1, 16384]]"},
        {"32", "[-1, 1, G_bneckV2, [32, 60000, 3, 1, 60000]]", "more than 65536",
         "[-1, 1, G_bneckV2, [32, 4, 3, 1, 0.25]]"},
        {"32", "[-1, 1, G_bneckV2, [32, 64, 3, 1, 0, 1, 1]]", "at most 6 arguments",
         "[-1, 1, G_bneckV2, [32, 64, 3, 1, 0, 1]]"},
        {"32", "[-1, 1, GGhostBottleneck, [100, 1, 30]]", "groups 3 (c2 100 // min(c2, "
         "group_width 30)) do not divide", "[-1, 1, GGhostBottleneck, [100, 1, 25]]"},
        {"32", "[-1, 1, GGhostStage, [64, 2, 8]]", "argument 2 = 2 is outside [3,",
         "[-1, 1, GGhostStage, [64, 3, 8]]"},
        {"32", "[-1, 1, GGhostStage, [64, 3, 1]]", "group width int(0.75 * 1) = 0",
         "[-1, 1, GGhostStage, [64, 3, 2]]"},
        {"32", "[-1, 1, GGhostStage, [64, 3, 8, 2, 1.0]]", "cheap_ratio 1 is not in (0, 1)",
         "[-1, 1, GGhostStage, [64, 3, 8, 2, 0.9]]"},
        {"32", "[-1, 1, GGhostStage, [64, 3, 8, 2, 0]]", "cheap_ratio 0 is not in (0, 1)",
         "[-1, 1, GGhostStage, [64, 3, 8, 2, 0.1]]"},
        {"32", "[-1, 1, GGhostStage, [8, 3, 16]]", "leaves 0 raw",
         "[-1, 1, GGhostStage, [24, 3, 16]]"},
        {"32", "[-1, 1, Shuffle_Block, [64, 1]]", "s 1 needs c1 == c2",
         "[-1, 1, Shuffle_Block, [32, 1]]"},
        {"32", "[-1, 1, Shuffle_Block, [63, 2]]", "c2 63 must be even",
         "[-1, 1, Shuffle_Block, [62, 2]]"},
        {"32", "[-1, 1, Shuffle_Block, [64, 4]]", "argument 2 = 4 is outside [1, 3]",
         "[-1, 1, Shuffle_Block, [64, 2]]"},
        {"32", "[-1, 1, ShuffleV1Block, [38, 3, 3, 1]]", "s 3 must be 1 or 2",
         "[-1, 1, ShuffleV1Block, [38, 2, 3, 1]]"},
        {"32", "[-1, 1, ShuffleV1Block, [38, 0, 3, 1]]", "s 0 must be 1 or 2",
         "[-1, 1, ShuffleV1Block, [38, 2, 3, 1]]"},
        {"48", "[-1, 1, ShuffleV1Block, [96, 1, 3, 0]]", "c1 48 must equal c2 96",
         "[-1, 1, ShuffleV1Block, [48, 1, 3, 0]]"},
        {"48", "[-1, 1, ShuffleV1Block, [48, 2, 3, 0]]", "c2 48 must be larger than c1 48",
         "[-1, 1, ShuffleV1Block, [96, 2, 3, 0]]"},
        {"32", "[-1, 1, ShuffleV1Block, [38, 2, 3, 0]]", "groups 3 do not divide c1 32",
         "[-1, 1, ShuffleV1Block, [38, 2, 3, 1]]"},
        {"48", "[-1, 1, ShuffleV1Block, [54, 2, 3, 1]]", "group 3 does not divide mid 13",
         "[-1, 1, ShuffleV1Block, [60, 2, 3, 1]]"},
        {"48", "[-1, 1, ShuffleV1Block, [61, 2, 3, 1]]", "the 13 main-branch outputs",
         "[-1, 1, ShuffleV1Block, [60, 2, 3, 1]]"},
        {"32", "[-1, 1, InvertedResidual, [32, 3, 6]]", "stride s 3 must be 1 or 2",
         "[-1, 1, InvertedResidual, [32, 2, 6]]"},
        {"32", "[-1, 1, InvertedResidual, [32, 1, 0]]", "gives 0 hidden channels",
         "[-1, 1, InvertedResidual, [32, 1, 0.1]]"},
        {"32", "[-1, 1, MobileNetV3, [32, 64, 3, 3, 1, 1]]", "stride s 3 must be 1 or 2",
         "[-1, 1, MobileNetV3, [32, 64, 3, 2, 1, 1]]"},
        {"32", "[-1, 1, MobileNetV3, [32, 64, 4, 1, 1, 1]]", "kernel size k 4 must be odd",
         "[-1, 1, MobileNetV3, [32, 64, 5, 1, 1, 1]]"},
        {"32", "[-1, 1, MobileNetV3, [32]]", "hidden is missing",
         "[-1, 1, MobileNetV3, [32, 32]]"},
        {"32", "[-1, 1, Fire, [16, 64]]", "squeeze, expand1x1 and expand3x3 channels",
         "[-1, 1, Fire, [16, 64, 8]]"},
        {"32", "[-1, 1, ConvBnAct, [x]]", "argument 1 must be a channel count",
         "[-1, 1, ConvBnAct, [8]]"},
        {"32", "[-1, 1, ConvBnAct, [0]]", "argument 1 must be a channel count",
         "[-1, 1, ConvBnAct, [1]]"},
        {"32", "[-1, 1, ConvReLU, [8, 3, 1, 16]]", "argument 4 = 16 is outside [0, 15]",
         "[-1, 1, ConvReLU, [8, 3, 1, 1]]"},
        {"32", "[-1, 1, nn.MaxPool2d, [3, 2, 2]]", "padding 2 is more than half the kernel size 3",
        /* the even-kernel bound (2 pad == k) gives maps that miss the stride probe */
         "[-1, 1, nn.MaxPool2d, [5, 2, 2]]"},
        {"32", "[-1, 1, nn.MaxPool2d, [3, 2, 1, 2]]", "argument 4 = 2 is outside [1, 1]",
         "[-1, 1, nn.MaxPool2d, [3, 2, 1, 1]]"},
        {"32", "[-1, 1, nn.MaxPool2d, [3, 2, 1, 1, True]]", "return_indices True",
         "[-1, 1, nn.MaxPool2d, [3, 2, 0, 1, False, True]]"},
        {"32", "[-1, 1, nn.MaxPool2d, []]", "needs the kernel size", "[-1, 1, nn.MaxPool2d, [2]]"},
        {"32", "[-1, 1, G_bneck, [32, 64, 3, 1, abc]]", "argument 5 must be a number",
         "[-1, 1, G_bneck, [32, 64, 3, 1, 0.5]]"},
        {"32", "[-1, 1, GGhostStage, [64, 3, 8, 2, half]]", "argument 5 must be a number",
         "[-1, 1, GGhostStage, [64, 3, 8, 2, 0.5]]"},
    };
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_zoo_rows_%d.yaml", (int)getpid());
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_error err;
        gy_status st = load_row(cases[i].stem, cases[i].bad, path, &err);
        ck_assert_msg(st != GY_OK, "'%s' was accepted", cases[i].bad);
        char where[96];
        snprintf(where, sizeof where, "%s:4:", path);
        ck_assert_msg(strstr(err.message, cases[i].needle) && strstr(err.message, where) &&
                          strstr(err.message, "row 1"),
                      "'%s': %s", cases[i].bad, err.message);
        st = load_row(cases[i].stem, cases[i].good, path, &err);
        ck_assert_msg(st == GY_OK, "'%s': %s", cases[i].good, err.message);
    }
    /* HSBlock's last group is never chunked: width 2 split 2 gives groups [1, 1], the last of
     * one channel, and is built */
    gy_error err;
    ck_assert_msg(load_row("8", "[-1, 1, HSBottleneck, [8, 1, 2]]", path, &err) == GY_OK, "%s",
                  err.message);
    unlink(path);
}
END_TEST

/* Each zoo row with all the arguments it takes is built; one more is refused, naming what it
 * takes and how many it got. */
START_TEST(zoo_argument_counts)
{
    static const struct { const char *stem, *good, *msg; } cases[] = {
        {"32", "ConvBnAct, [32, 3, 2]", "takes [c2, k, s], got 4 arguments"},
        {"32", "conv_bn_hswish, [16, 2, 3]", "takes [c2, s, k], got 4 arguments"},
        {"32", "ConvReLU, [8, 3, 1, 1]", "takes [c2, k, s, p], got 5 arguments"},
        {"32", "conv_bn_relu_maxpool, [64, 7]", "takes [c2, k], got 3 arguments"},
        {"32", "Fire, [16, 64, 8]", "takes [squeeze, expand1x1, expand3x3], got 4 arguments"},
        {"32", "GGhostBottleneck, [100, 1, 25]", "takes [c2, s, group_width], got 4 arguments"},
        {"32", "GGhostStage, [64, 3, 8, 2, 0.9]",
         "takes [c2, blocks, group_width, s, cheap_ratio], got 6 arguments"},
        {"32", "G_bneck, [32, 64, 3, 1, 0.5]", "takes at most 5 arguments, got 6"},
        {"32", "G_bneckV2, [32, 64, 3, 1, 0, 1]", "takes at most 6 arguments, got 7"},
        {"64", "HSBottleneck, [64, 1, 2]", "takes [c2, s, split], got 4 arguments"},
        {"32", "InvertedResidual, [32, 2, 6]", "takes [c2, s, t], got 4 arguments"},
        {"32", "MobileNetV3, [32, 64, 3, 2, 1, 1]",
         "takes [c2, hidden, k, s, use_se, use_hs], got 7 arguments"},
        {"32", "Shuffle_Block, [32, 1]", "takes [c2, s], got 3 arguments"},
        {"32", "ShuffleV1Block, [38, 2, 3, 1]", "takes [c2, s, group, first_group], got 5 arguments"},
        {"32", "nn.MaxPool2d, [3, 2, 0, 1, False, True]",
         "takes [kernel_size, stride, padding, dilation, return_indices, ceil_mode], got 7 "
         "arguments"},
    };
    char path[64], row[160];
    snprintf(path, sizeof path, "/tmp/gy_test_zoo_counts_%d.yaml", (int)getpid());
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_error err;
        snprintf(row, sizeof row, "[-1, 1, %s]", cases[i].good);
        ck_assert_msg(load_row(cases[i].stem, row, path, &err) == GY_OK, "%s: %s", row,
                      err.message);
        snprintf(row, sizeof row, "[-1, 1, %.*s, 1]]", (int)strlen(cases[i].good) - 1,
                 cases[i].good);
        ck_assert_msg(load_row(cases[i].stem, row, path, &err) != GY_OK, "%s was accepted", row);
        ck_assert_msg(strstr(err.message, cases[i].msg) && strstr(err.message, "row 1"), "%s: %s",
                      row, err.message);
    }
    unlink(path);
}
END_TEST

/* Every integer argument bound of the zoo rows, at the bound (built) and one past it (refused,
 * naming the argument, the value and the range). "good|bad|message"; a stem of 32 channels at
 * 128 x 128 unless the row names another. Bounds past the row parser's own limit on a written
 * integer (65536) are met through it: a value there is refused before the module sees it. A good
 * value marked '!' passes the bound but cannot build a model (Shuffle_Block's stride 3, ConvReLU's
 * padding 15, miss the stride probe): it is refused for that, not by the bound. */
START_TEST(zoo_integer_bounds)
{
    static const struct { const char *stem, *row, *refused; } cases[] = {
        {"32", "ConvBnAct, [16, %s, 1]", "15|16|argument 2 = 16 is outside [1, 15]"},
        {"32", "ConvBnAct, [16, %s, 1]", "1|0|argument 2 = 0 is outside [1, 15]"},
        {"32", "ConvBnAct, [16, 3, %s]", "8|9|argument 3 = 9 is outside [1, 8]"},
        {"32", "ConvBnAct, [16, 3, %s]", "1|0|argument 3 = 0 is outside [1, 8]"},
        {"32", "ConvBNReLU6, [16, %s, 1]", "15|16|argument 2 = 16 is outside [1, 15]"},
        {"32", "ConvBNReLU6, [16, 3, %s]", "8|9|argument 3 = 9 is outside [1, 8]"},
        {"32", "conv_bn_hswish, [16, %s, 3]", "8|9|argument 2 = 9 is outside [1, 8]"},
        {"32", "conv_bn_hswish, [16, %s, 3]", "1|0|argument 2 = 0 is outside [1, 8]"},
        {"32", "conv_bn_hswish, [16, 2, %s]", "15|16|argument 3 = 16 is outside [1, 15]"},
        {"32", "conv_bn_hswish, [16, 2, %s]", "1|0|argument 3 = 0 is outside [1, 15]"},
        {"32", "ConvBNReLU, [16, %s, 1]", "15|16|argument 2 = 16 is outside [1, 15]"},
        {"32", "G_bneck, [32, %s]", "1|0|argument 2 = 0 is outside [1, 65536]"},
        {"32", "G_bneck, [32, 16, %s]", "15|16|argument 3 = 16 is outside [1, 15]"},
        {"32", "G_bneck, [32, 16, %s]", "1|0|argument 3 = 0 is outside [1, 15]"},
        {"32", "G_bneck, [32, 16, 3, %s]", "8|9|argument 4 = 9 is outside [1, 8]"},
        {"32", "G_bneck, [32, 16, 3, %s]", "1|0|argument 4 = 0 is outside [1, 8]"},
        {"32", "G_bneckV2, [32, 16, 3, %s]", "8|9|argument 4 = 9 is outside [1, 8]"},
        {"32", "MobileNetV3, [32, %s]", "1|0|argument 2 = 0 is outside [1, 65536]"},
        {"32", "MobileNetV3, [32, 64, %s]", "15|16|argument 3 = 16 is outside [1, 15]"},
        {"32", "MobileNetV3, [32, 64, %s]", "1|0|argument 3 = 0 is outside [1, 15]"},
        {"32", "conv_bn_relu_maxpool, [16, %s]", "15|16|argument 2 = 16 is outside [1, 15]"},
        {"32", "conv_bn_relu_maxpool, [16, %s]", "1|0|argument 2 = 0 is outside [1, 15]"},
        {"32", "Shuffle_Block, [64, %s]", "!3|4|argument 2 = 4 is outside [1, 3]"},
        {"32", "Shuffle_Block, [32, %s]", "1|0|argument 2 = 0 is outside [1, 3]"},
        {"32", "ShuffleV1Block, [64, 2, %s, 1]", "1|0|argument 3 = 0 is outside [1, 65536]"},
        {"32", "ConvReLU, [8, %s]", "15|16|argument 2 = 16 is outside [1, 15]"},
        {"32", "ConvReLU, [8, %s]", "1|0|argument 2 = 0 is outside [1, 15]"},
        {"32", "ConvReLU, [8, 3, %s]", "8|9|argument 3 = 9 is outside [1, 8]"},
        {"32", "ConvReLU, [8, 3, %s]", "1|0|argument 3 = 0 is outside [1, 8]"},
        {"32", "ConvReLU, [8, 15, 1, %s]", "!15|16|argument 4 = 16 is outside [0, 15]"},
        {"32", "ConvReLU, [8, 1, 1, %s]", "0|-1|row 1: argument 4 (-1) is negative"},
        {"32", "Fire, [%s, 8, 8]", "1|0|argument 1 = 0 is outside [1, 65536]"},
        {"32", "Fire, [8, %s, 8]", "1|0|argument 2 must be a channel count from 1 to 65536"},
        {"32", "Fire, [8, 8, %s]", "1|0|argument 3 must be a channel count from 1 to 65536"},
        {"32", "nn.MaxPool2d, [%s]", "63|64|argument 1 = 64 is outside [1, 63]"},
        {"32", "nn.MaxPool2d, [%s]", "1|0|argument 1 = 0 is outside [1, 63]"},
        {"32", "nn.MaxPool2d, [63, %s]", "63|64|argument 2 = 64 is outside [1, 63]"},
        {"32", "nn.MaxPool2d, [1, %s]", "1|0|argument 2 = 0 is outside [1, 63]"},
        {"32", "nn.MaxPool2d, [63, 1, %s]", "31|32|argument 3 = 32 is outside [0, 31]"},
        {"32", "nn.MaxPool2d, [1, 1, %s]", "0|-1|row 1: argument 3 (-1) is negative"},
        {"32", "nn.MaxPool2d, [1, 1, 0, %s]", "1|0|argument 4 = 0 is outside [1, 1]"},
        {"32", "GGhostBottleneck, [32, %s]", "8|9|argument 2 = 9 is outside [1, 8]"},
        {"32", "GGhostBottleneck, [32, %s]", "1|0|argument 2 = 0 is outside [1, 8]"},
        {"32", "GGhostBottleneck, [32, 1, %s]", "1|0|argument 3 = 0 is outside [1, 65536]"},
        {"32", "GGhostStage, [64, %s, 8]", "1024|1025|argument 2 = 1025 is outside [3, 1024]"},
        {"32", "GGhostStage, [64, 3, %s]", "2|0|argument 3 = 0 is outside [1, 65536]"},
        {"32", "GGhostStage, [64, 3, 8, %s]", "8|9|argument 4 = 9 is outside [1, 8]"},
        {"32", "GGhostStage, [64, 3, 8, %s]", "1|0|argument 4 = 0 is outside [1, 8]"},
        {"64", "HSBottleneck, [64, %s]", "8|9|argument 2 = 9 is outside [1, 8]"},
        {"64", "HSBottleneck, [64, %s]", "1|0|argument 2 = 0 is outside [1, 8]"},
    };
    char path[64], row[160], fmt[160];
    snprintf(path, sizeof path, "/tmp/gy_test_zoo_bounds_%d.yaml", (int)getpid());
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_test_bound b;
        gy_test_bound_parse(cases[i].refused, &b);
        snprintf(fmt, sizeof fmt, "[-1, 1, %s]", cases[i].row);
        gy_error err;
        snprintf(row, sizeof row, fmt, b.good + (*b.good == '!'));
        gy_status st = load_row(cases[i].stem, row, path, &err);
        if (*b.good == '!')
            ck_assert_msg(st != GY_OK && strstr(err.message, "stride") &&
                              !strstr(err.message, "is outside"),
                          "%s: %s", row, st == GY_OK ? "built" : err.message);
        else
            ck_assert_msg(st == GY_OK, "%s: %s", row, err.message);
        snprintf(row, sizeof row, fmt, b.bad);
        ck_assert_msg(load_row(cases[i].stem, row, path, &err) == GY_ERR_FORMAT, "%s accepted",
                      row);
        char want[200];
        gy_test_bound_want(want, sizeof want, path, cases[i].row, b.msg);
        ck_assert_msg(strstr(err.message, want), "%s: %s, want %s", row, err.message, want);
    }
    unlink(path);
}
END_TEST

/* Module counts and arguments of rows the ten configs do not use: repeats as nn.Sequential, the
 * default arguments, Fire's c2 feeding the next row. */
START_TEST(zoo_row_details)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_zoo_detail_%d.yaml", (int)getpid());
    gy_test_write_text(path, "nc: 2\n"
                             "backbone:\n"
                             "  - [-1, 1, ConvReLU, [16]]\n"
                             "  - [-1, 2, Fire, [8, 8, 8]]\n"
                             "  - [-1, 1, nn.MaxPool2d, [2]]\n"
                             "  - [-1, 1, conv_bn_hswish, [24, 2, 1]]\n"
                             "head:\n"
                             "  - [[-1], 1, Detect, [nc]]\n");
    gy_model *m = gy_test_load(path, NULL, NULL, 0);
    gy_row_info r;
    ck_assert_int_eq(gy_model_get_row(m, 0, &r), GY_OK);
    ck_assert_str_eq(r.args, "[3, 16]");
    ck_assert_int_eq(r.params, 16 * 27 + 16); /* 3x3 pad 1 with bias */
    ck_assert_int_eq(gy_model_get_row(m, 1, &r), GY_OK);
    ck_assert_int_eq(r.n, 2);
    ck_assert_str_eq(r.module, "ultralytics.nn.modules.zoo_modules.Fire");
    ck_assert_str_eq(r.args, "[16, 8, 8, 8]");
    /* Fire(16 -> 16): squeeze 16*8+8, expand1x1 8*8+8, expand3x3 8*72+8 = 792 each */
    ck_assert_int_eq(r.params, 2 * 792);
    ck_assert_int_eq(gy_model_get_row(m, 2, &r), GY_OK);
    ck_assert_str_eq(r.module, "torch.nn.modules.pooling.MaxPool2d");
    ck_assert_str_eq(r.args, "[2]");
    ck_assert_int_eq(gy_model_get_row(m, 3, &r), GY_OK);
    ck_assert_str_eq(r.args, "[16, 24, 2, 1]");
    ck_assert_int_eq(r.params, 16 * 24 + 48); /* k 1 (s before k) */
    ck_assert_int_eq(r.params_fused, 16 * 24 + 48); /* zoo BatchNorms stay after fuse() */
    /* layers: DetectionModel, Sequential; ConvReLU 3; Sequential + 2 x Fire 7; MaxPool2d 1;
     * conv_bn_hswish 4; then Detect's */
    gy_model_summary s;
    gy_error err;
    ck_assert_int_eq(gy_model_get_summary(m, 0, 640, &s, &err), GY_OK);
    gy_model_summary f;
    ck_assert_int_eq(gy_model_get_summary(m, 1, 640, &f, &err), GY_OK);
    ck_assert_int_eq(s.layers - f.layers, 4); /* only Detect's Conv BatchNorms fold: 2 in cv2 and
                                               * 2 in cv3 for its one level */
    gy_model_free(m);
    unlink(path);
}
END_TEST

/* InvertedResidual's hidden = round(c1 t) with Python's rounding, halves to even: 9 x 4.5 = 40.5
 * -> 40, 13 x 1.5 = 19.5 -> 20, 11 x 1.5 = 16.5 -> 16 (the parameters show it). */
START_TEST(inverted_residual_rounding)
{
    static const struct { int c1; const char *t; int hidden; } cases[] = {
        {9, "4.5", 40}, {13, "1.5", 20}, {11, "1.5", 16}, {10, "1.25", 12}, {8, "2", 16}};
    char path[64], yaml[512];
    snprintf(path, sizeof path, "/tmp/gy_test_zoo_round_%d.yaml", (int)getpid());
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, ConvBnAct, [%d, 3, 2]]\n"
                                    "  - [-1, 1, InvertedResidual, [16, 2, %s]]\nhead:\n"
                                    "  - [[-1], 1, Detect, [nc]]\n", cases[i].c1, cases[i].t);
        gy_test_write_text(path, yaml);
        gy_model *m = gy_test_load(path, NULL, NULL, 0);
        gy_row_info r;
        ck_assert_int_eq(gy_model_get_row(m, 1, &r), GY_OK);
        long long c1 = cases[i].c1, h = cases[i].hidden;
        /* expand 1x1 + BN, depthwise 3x3 + BN, project 1x1 + BN */
        long long want = c1 * h + 2 * h + 9 * h + 2 * h + h * 16 + 32;
        ck_assert_msg(r.params == want, "c1 %lld t %s: %lld params, expected %lld (hidden %lld)",
                      c1, cases[i].t, r.params, want, h);
        gy_model_free(m);
    }
    unlink(path);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Input sizes. */

/* A zoo model runs at odd sizes whose maps agree (the parity cases) and refuses the others naming
 * the row that joins disagreeing maps. */
START_TEST(input_sizes)
{
    char yaml[4096];
    gy_test_parity_path(yaml, sizeof yaml, "zoo_squeezenet_161x193", "model.yaml");
    gy_model *m = gy_test_load(yaml, NULL, NULL, 0);
    gy_session *s = NULL;
    gy_error err;
    ck_assert_int_eq(gy_session_create(m, NULL, &s, &err), GY_OK);
    /* 161x193: maps 81x97, 40x48 (ceil_mode), 20x24, 10x12, 5x6 */
    ck_assert_msg(gy_session_reserve(s, 161, 193, &err) == GY_OK, "%s", err.message);
    /* ceil_mode halves down: 100 -> 50, 25, 12, 6, 3 agrees too; 80 -> 40, 20, 10, 5, 2 meets
     * the 5 of P4 with a 4 */
    ck_assert_msg(gy_session_reserve(s, 100, 96, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(gy_session_reserve(s, 80, 96, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "(Concat): inputs "), "%s", err.message);
    gy_model_info info;
    gy_model_get_info(m, &info);
    ck_assert_int_eq(info.num_strides, 3);
    ck_assert_int_eq(info.strides[0], 8);
    ck_assert_int_eq(info.strides[2], 32);
    gy_session_free(s);
    gy_model_free(m);
}
END_TEST

/* `-m yolov8s-ghostnet.yaml` from any folder: the shipped configs/zoo/yolov8-ghostnet.yaml at scale
 * s (from the name, as ultralytics does); the unscaled name gives n. */
START_TEST(configs_by_bare_name)
{
    static const struct { const char *name, *line; } cases[] = {
        {"yolov8s-ghostnet.yaml", "527 layers, 10155972 parameters"},
        {"yolov8n-mobilenetv3-small.yaml", "337 layers, 3260640 parameters"},
        {"yolov8-squeezenet.yaml", "199 layers, 3046336 parameters"}};
    char out[96], cmd[8192];
    snprintf(out, sizeof out, "/tmp/gy_test_zoo_info_%d.txt", (int)getpid());
    snprintf(cmd, sizeof cmd, "cd /tmp && '%s' info -m %s > '%s' 2>&1", gy_test_cli(),
             cases[_i].name, out);
    ck_assert_int_eq(system(cmd), 0);
    char *text = (char *)gy_test_read(out, NULL);
    ck_assert_msg(strstr(text, cases[_i].line), "%s: %s", cases[_i].name, text);
    free(text);
    remove(out);
}
END_TEST

/* Every channel of every storage the builder makes is written by some op (or is the input): a
 * module that allocates more channels than it fills (a slice too short, a tensor too wide) would
 * leave memory that nothing computes, and a reader of it would see another tensor's data. Over
 * every config of the repository (configs/ and configs/zoo/, scale n, synthetic weights). */
START_TEST(every_storage_channel_written)
{
    static const char *const cfgs[] = {
        "yolov8.yaml", "yolov8-ghost.yaml", "YOLOv8_C2f_GhostBottlenecks.yaml",
        "YOLOv8_C2f_GhostBottleneckV2s.yaml", "YOLOv8_C2f_g_ghostBottlenecks.yaml",
        "zoo/yolov8-g-ghostnet.yaml", "zoo/yolov8-ghostnet.yaml", "zoo/yolov8-ghostnetv2.yaml",
        "zoo/yolov8-hsnet.yaml", "zoo/yolov8-mobilenetv2.yaml", "zoo/yolov8-mobilenetv3-small.yaml",
        "zoo/yolov8-mobilenetv3.yaml", "zoo/yolov8-shufflenetv1.yaml",
        "zoo/yolov8-shufflenetv2.yaml", "zoo/yolov8-squeezenet.yaml"};
    char path[4096];
    snprintf(path, sizeof path, "%s/configs/%s", GY_SOURCE_DIR, cfgs[_i]);
    gy_model *m = gy_test_load(path, NULL, "n", 0);
    const gy_graph *g = &m->graph;
    unsigned char **seen = calloc((size_t)g->nstorages, sizeof *seen);
    ck_assert(seen);
    for (int st = 0; st < g->nstorages; st++)
        if (g->storages[st].parent < 0) {
            seen[st] = calloc((size_t)g->storages[st].c, 1);
            ck_assert(seen[st]);
        }
    for (int k = -1; k < g->nops; k++) {
        const gy_tensor *t = &g->tensors[k < 0 ? g->input : g->ops[k].out];
        int off = 0, root = gy_graph_root(g, t->storage, &off);
        ck_assert_int_le(off + t->c_off + t->c, g->storages[root].c);
        memset(seen[root] + off + t->c_off, 1, (size_t)t->c);
    }
    for (int st = 0; st < g->nstorages; st++) {
        if (!seen[st])
            continue;
        for (int c = 0; c < g->storages[st].c; c++)
            ck_assert_msg(seen[st][c], "%s: storage %d (row %d, %d channels): channel %d is "
                          "written by no op", cfgs[_i], st, g->storages[st].row,
                          g->storages[st].c, c);
        free(seen[st]);
    }
    free(seen);
    gy_model_free(m);
}
END_TEST

/* The repository's configs/zoo are the ground truth's, byte for byte. */
START_TEST(shipped_zoo_configs_match_shared)
{
    static const char *const names[10] = {
        "yolov8-ghostnet", "yolov8-ghostnetv2", "yolov8-g-ghostnet", "yolov8-hsnet",
        "yolov8-shufflenetv2", "yolov8-shufflenetv1", "yolov8-mobilenetv2", "yolov8-mobilenetv3",
        "yolov8-mobilenetv3-small", "yolov8-squeezenet"};
    for (int i = 0; i < 10; i++) {
        char rel[128];
        size_t a, b;
        snprintf(rel, sizeof rel, "configs/zoo/%s.yaml", names[i]);
        unsigned char *mine = gy_test_read(gy_test_source(rel), &a);
        unsigned char *theirs = gy_test_read(gy_test_shared(rel), &b);
        ck_assert_msg(a == b && memcmp(mine, theirs, a) == 0, "%s differs from ../shared", rel);
        free(mine);
        free(theirs);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("zoo");
    TCase *tc = tcase_create("parity");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, parity_case, 0, 9);
    tcase_add_test(tc, parity_pt_checkpoint);
    tcase_add_test(tc, parity_one_thread);
    tcase_add_loop_test(tc, case_numbers, 0, 10);
    tcase_add_test(tc, bn_eps_exceptions);
    suite_add_tcase(s, tc);
    tc = tcase_create("every_isa");
    tcase_set_tags(tc, "slow"); /* CMake runs it as test_zoo_every_isa, labelled slow */
    tcase_set_timeout(tc, 1800);
    tcase_add_test(tc, parity_every_isa);
    suite_add_tcase(s, tc);
    tc = tcase_create("rows");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, pt_near_miss_refused, 0, 5);
    tcase_add_test(tc, pt_bn_eps_per_module);
    tcase_add_test(tc, bad_zoo_rows);
    tcase_add_test(tc, zoo_argument_counts);
    tcase_add_test(tc, zoo_integer_bounds);
    tcase_add_test(tc, shuffles_only_where_they_move_data);
    tcase_add_test(tc, zoo_row_details);
    tcase_add_test(tc, inverted_residual_rounding);
    tcase_add_test(tc, input_sizes);
    tcase_add_loop_test(tc, configs_by_bare_name, 0, 3);
    tcase_add_test(tc, shipped_zoo_configs_match_shared);
    tcase_add_loop_test(tc, every_storage_channel_written, 0, 15);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

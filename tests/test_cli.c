/* The CLI's contract: usage errors exit 64, bad data 65, unreadable input 66, output failure 73;
 * errors go to stderr naming the file; nothing half-written is left behind. */
#define _GNU_SOURCE /* sched_setaffinity */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stb/stb_image_write.h>

#include "tables.h"
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
    stderr_has("needs -w WEIGHTS");
    ck_assert_int_eq(run("forward -w x --input y --shape 1,3,64 -o z"), 64);
    ck_assert_int_eq(run("info --bogus"), 64);
    stderr_has("ghostyolo info: unrecognized option '--bogus'");
    stderr_has("ghostyolo info --help");
    ck_assert_int_eq(run("detect -w x.safetensors --conf"), 64);
    stderr_has("'--conf' requires an argument");
    ck_assert_int_eq(run("detect -w x.safetensors --save-txt=1 img.jpg"), 64);
    stderr_has("'--save-txt' doesn't allow an argument");
    ck_assert_int_eq(run("detect -w x.safetensors --save img.jpg"), 64); /* --save-txt, -conf, ... */
    stderr_has("'--save' is ambiguous");
}
END_TEST

/* Each invalid value gets its own message naming the option, the value and the allowed range;
 * "--opt=value" and abbreviations of long options work. */
START_TEST(per_option_messages)
{
    static const char *const cases[][2] = {
        {"detect -w x.safetensors --conf 1.5 img.jpg", "--conf '1.5': must be a number from 0 to 1"},
        {"detect -w x.safetensors --conf abc img.jpg", "--conf 'abc': must be a number from 0 to 1"},
        {"detect -w x.safetensors --iou=-0.1 img.jpg", "--iou '-0.1': must be a number from 0 to 1"},
        {"detect -w x.safetensors --max-d=0 img.jpg", "--max-det '0': must be an integer from 1 to 100000"},
        {"detect -w x.safetensors --line-width -2 img.jpg", "--line-width '-2': must be an integer from 0 to 1000"},
        {"detect -w x.safetensors -t -1 img.jpg", "--threads '-1': must be an integer from 0 to 1024"},
        {"detect -w x.safetensors --name a/b img.jpg", "--name 'a/b': must be a folder name"},
        {"info -m x.yaml --imgsz 100", "--imgsz '100': must be a multiple of 32"},
        {"info -m x.yaml --nc -3", "--nc '-3': must be an integer from 0 to 100000"},
        {"stats --runs 0", "--runs '0': must be an integer from 1 to 10000"},
        {"bench -m x.yaml --imgsz 8000", "--imgsz '8000': must be an integer from 32 to 4096"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_msg(run(cases[i][0]) == 64, "%s", cases[i][0]);
        stderr_has(cases[i][1]);
    }
    /* values that need the model: the stride and the class count */
    char args[8192];
    const char *w = gy_test_shared("weights/yolov8n.safetensors");
    const char *img = gy_test_shared("images/bus.jpg");
    snprintf(args, sizeof args, "detect --no-save -w '%s' --classes 0,80 '%s'", w, img);
    ck_assert_int_eq(run(args), 64);
    stderr_has("--classes '0,80': must be class ids separated by commas, each from 0 to 79");
    snprintf(args, sizeof args, "detect --no-save -w '%s' --imgsz 0 '%s'", w, img);
    ck_assert_int_eq(run(args), 64);
    stderr_has("--imgsz '0': must be a size from 1 to 8192");
    snprintf(args, sizeof args, "detect --no-save -w '%s' --imgsz 320,x '%s'", w, img);
    ck_assert_int_eq(run(args), 64);
    stderr_has("--imgsz '320,x'");
    /* a size that is not a multiple of the stride is rounded up with a warning */
    snprintf(args, sizeof args, "detect --no-save -w '%s' --imgsz 300 '%s'", w, img);
    ck_assert_int_eq(run(args), 0);
    stderr_has("--imgsz 300 must be a multiple of the model's stride 32, updating to 320");
    stderr_has("320x256 "); /* the letterboxed input of the 810x1080 image at 320 */
    snprintf(args, sizeof args, "detect --no-save -w '%s' --imgsz 250,330 '%s'", w, img);
    ck_assert_int_eq(run(args), 0);
    stderr_has("updating to 256,352");
    stderr_has("256x192 ");
}
END_TEST

/* VERB --help and -h print that verb's usage on stdout and exit 0; the global help lists every
 * verb's options (generated from the same tables the parser uses). */
START_TEST(help_texts)
{
    static const char *const verbs[][2] = {
        {"detect", "--save-crop"}, {"info", "--weights"}, {"stats", "--measure"},
        {"forward", "--shape"},    {"bench", "--runs"},
    };
    char out[64], cmd[8192];
    snprintf(out, sizeof out, "/tmp/gy_test_cli_help_%d.txt", (int)getpid());
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        for (int shortform = 0; shortform < 2; shortform++) {
            snprintf(cmd, sizeof cmd, "'%s' %s %s > '%s' 2> '%s'", gy_test_cli(), verbs[i][0],
                     shortform ? "-h" : "--help", out, errfile);
            int st = system(cmd);
            ck_assert(WIFEXITED(st));
            ck_assert_msg(WEXITSTATUS(st) == 0, "%s --help exits %d", verbs[i][0], WEXITSTATUS(st));
            char *text = (char *)gy_test_read(out, NULL);
            char usage[64];
            snprintf(usage, sizeof usage, "usage: ghostyolo %s ", verbs[i][0]);
            ck_assert_msg(strncmp(text, usage, strlen(usage)) == 0, "%s", text);
            ck_assert_ptr_nonnull(strstr(text, verbs[i][1]));
            ck_assert_ptr_nonnull(strstr(text, "-h, --help"));
            free(text);
        }
    }
    snprintf(cmd, sizeof cmd, "'%s' help > '%s'", gy_test_cli(), out);
    ck_assert_int_eq(system(cmd), 0);
    char *text = (char *)gy_test_read(out, NULL);
    static const char *const every[] = {
        "--weights", "--imgsz", "--conf", "--iou", "--max-det", "--classes", "--agnostic",
        "--square", "--threads", "--save-txt", "--save-conf", "--save-crop", "--save-json",
        "--no-save", "--line-width", "--hide-labels", "--hide-conf", "--json", "--project",
        "--name", "--exist-ok", "--quiet", "--scale", "--nc", "--measure", "--unfused",
        "--input", "--shape", "--output", "--runs", "usage: ghostyolo bench"};
    for (size_t i = 0; i < sizeof every / sizeof every[0]; i++)
        ck_assert_msg(strstr(text, every[i]) != NULL, "global help lacks %s", every[i]);
    free(text);
    remove(out);
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
    ck_assert_ptr_nonnull(strstr(text, "YOLOv8n summary: 225 layers, 3157200 parameters, 3157184 gradients, 8.9 GFLOPs"));
    ck_assert_ptr_nonnull(strstr(text, "YOLOv8n summary (fused): 168 layers, 3151904 parameters"));
    free(text);
    /* a bare config name from another folder: found among the configs beside the executable
     * (<checkout>/configs for a build folder in the checkout), unified name and all */
    snprintf(cmd, sizeof cmd, "cd / && '%s' info -m yolov8n.yaml > '%s'", gy_test_cli(), out);
    ck_assert_int_eq(system(cmd), 0);
    text = (char *)gy_test_read(out, NULL);
    ck_assert_ptr_nonnull(strstr(text, "configs/yolov8.yaml, scale 'n' (file name)"));
    ck_assert_ptr_nonnull(strstr(text, "YOLOv8n summary: 225 layers, 3157200 parameters"));
    free(text);
    remove(out);
}
END_TEST

/* Runs `bench ... --json` (with env prefix env), returns the parsed object. */
static cJSON *bench_json(const char *env, const char *args)
{
    char cmd[8192], out[64];
    snprintf(out, sizeof out, "/tmp/gy_test_cli_bench_%d.json", (int)getpid());
    snprintf(cmd, sizeof cmd, "%s '%s' bench %s --json > '%s' 2> '%s'", env, gy_test_cli(), args, out,
             errfile);
    int st = system(cmd);
    char *err = (char *)gy_test_read(errfile, NULL);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "bench %s failed: %s", args, err);
    free(err);
    char *text = (char *)gy_test_read(out, NULL);
    remove(out);
    cJSON *o = cJSON_Parse(text);
    ck_assert_msg(o != NULL, "bench --json printed no JSON: %s", text);
    free(text);
    return o;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "bench JSON: '%s' missing or not a number", key);
    return v->valuedouble;
}

static int cmp_ms(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ms.min / median / p95 recomputed here from ms.runs (n timed runs): the median of an even count
 * is the mean of the middle two, p95 the nearest rank (ceil(0.95 n)-th smallest). */
static void check_latency(const cJSON *ms, int n)
{
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(ms, "runs");
    ck_assert_int_eq(cJSON_GetArraySize(runs), n);
    double v[16];
    ck_assert(n <= 16);
    for (int i = 0; i < n; i++) {
        v[i] = cJSON_GetArrayItem(runs, i)->valuedouble;
        ck_assert(v[i] > 0);
    }
    qsort(v, (size_t)n, sizeof v[0], cmp_ms);
    /* cJSON prints 15 significant digits when they read back within DBL_EPSILON (relative), so
     * the parsed runs and statistics may each be off by that much */
    double tol = 1e-12 * v[n - 1];
    ck_assert_double_eq_tol(num(ms, "min"), v[0], tol);
    double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    ck_assert_double_eq_tol(num(ms, "median"), median, tol);
    ck_assert_double_eq_tol(num(ms, "p95"), v[(int)ceil(0.95 * n) - 1], tol);
}

START_TEST(bench_contract)
{
    char args[4096];
    snprintf(args, sizeof args, "-m '%s/configs/yolov8n.yaml' --imgsz 640 --threads 2 --iters 3 "
             "--warmup 0 --layers", GY_SOURCE_DIR);
    cJSON *o = bench_json("", args);
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(o, "model");
    ck_assert(cJSON_IsString(model));
    ck_assert_str_eq(model->valuestring, "yolov8n");
    ck_assert_double_eq(num(o, "imgsz"), 640);
    ck_assert_double_eq(num(o, "threads"), 2);
    /* the same GFLOPs as stats / ultralytics (fused, nc 80) */
    cJSON *table = gy_test_expected_table();
    const cJSON *e = gy_test_expected_entry(table, "extra", "yolov8n_nc80");
    double expect = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "fused"),
                                                     "gflops")->valuedouble;
    ck_assert_msg(fabs(num(o, "gflops") - expect) < 1e-9 * expect, "gflops %.10g vs %.10g",
                  num(o, "gflops"), expect);
    cJSON_Delete(table);
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "ms");
    ck_assert(cJSON_IsObject(ms));
    double mn = num(ms, "min"), med = num(ms, "median"), p95 = num(ms, "p95");
    ck_assert_msg(mn > 0 && mn <= med && med <= p95, "ms %g %g %g", mn, med, p95);
    double rate = num(o, "gflops_per_s");
    ck_assert_msg(fabs(rate - expect / (med / 1e3)) < 1e-6 * rate, "rate %g", rate);
    ck_assert(num(o, "peak_gflops_per_s") > 0);
    ck_assert_double_eq_tol(num(o, "share_of_peak"), rate / num(o, "peak_gflops_per_s"), 1e-9);
    check_latency(ms, 3);
    /* the input and the first conv's output are live together (op 0), and the liveness planner
     * fits every later op inside that: measured exactly (3 x 640 x 640 + 16 x 320 x 320) floats */
    ck_assert_double_eq(num(o, "arena_bytes"), (3.0 * 640 * 640 + 16.0 * 320 * 320) * 4);
    ck_assert(num(o, "peak_rss_bytes") > num(o, "arena_bytes"));
    ck_assert(num(o, "weight_bytes") > 4 * 3e6); /* 3.15 M float32 parameters */
    ck_assert(num(o, "packed_weight_bytes") >= 0);
    const cJSON *isa = cJSON_GetObjectItemCaseSensitive(o, "isa");
    ck_assert(cJSON_IsString(isa));
    ck_assert_msg(!strcmp(isa->valuestring, "generic") || !strcmp(isa->valuestring, "avx2") ||
                  !strcmp(isa->valuestring, "avx512"), "isa %s", isa->valuestring);
    /* the machine: cpuid's kind and the FMA probe's verdict on 512-bit width */
    const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(o, "cpu");
    ck_assert(cJSON_IsObject(cpu));
    ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(cpu, "vendor")));
    ck_assert(num(cpu, "family") >= 0 && num(cpu, "model") >= 0);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cpu, "kernels")->valuestring, isa->valuestring);
    const cJSON *full = cJSON_GetObjectItemCaseSensitive(cpu, "avx512_full_width");
    const char *tuning = cJSON_GetObjectItemCaseSensitive(cpu, "tuning")->valuestring;
    if (!strcmp(cJSON_GetObjectItemCaseSensitive(cpu, "isa")->valuestring, "avx512")) {
        ck_assert(cJSON_IsBool(full));
        ck_assert(num(cpu, "probe_gflops_512") > 0 && num(cpu, "probe_gflops_256") > 0);
        ck_assert_str_eq(tuning, cJSON_IsTrue(full) ? "full512" : "base");
    } else {
        ck_assert(cJSON_IsNull(full));
        ck_assert_str_eq(tuning, "base");
    }
    /* --layers: one entry per YAML row; the kinds thop counts add up to the model's GFLOPs */
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(o, "layers");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(layers, "rows")), 23);
    double counted = 0.0, row_ms = 0.0, op_ms = 0.0;
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(layers, "kinds"))
    {
        const char *kind = cJSON_GetObjectItemCaseSensitive(k, "kind")->valuestring;
        if (!strncmp(kind, "conv", 4) || !strcmp(kind, "first conv") || !strcmp(kind, "upsample") ||
            !strcmp(kind, "head decode") || !strcmp(kind, "depthwise"))
            counted += num(k, "gflops");
    }
    ck_assert_msg(fabs(counted - expect) < 1e-6 * expect, "kinds add up to %.9g GFLOPs", counted);
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(layers, "rows")) row_ms += num(k, "ms");
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(layers, "ops")) op_ms += num(k, "ms");
    ck_assert_msg(fabs(row_ms - op_ms) < 1e-6 * (1 + op_ms), "rows %g ms, ops %g ms", row_ms, op_ms);
    cJSON_Delete(o);

    /* a rectangle, another thread count, the forced portable path */
    snprintf(args, sizeof args, "-m '%s/configs/yolov8n.yaml' --nc 3 --shape 96x160 --threads 1 "
             "--iters 2 --warmup 1", GY_SOURCE_DIR);
    o = bench_json("GY_ISA=generic", args);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "isa")->valuestring, "generic");
    cpu = cJSON_GetObjectItemCaseSensitive(o, "cpu");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cpu, "kernels")->valuestring, "generic");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cpu, "tuning")->valuestring, "base");
    ck_assert_double_eq(num(o, "threads"), 1);
    ck_assert_double_eq(num(o, "nc"), 3);
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(o, "shape");
    ck_assert_double_eq(cJSON_GetArrayItem(shape, 0)->valuedouble, 96);
    ck_assert_double_eq(cJSON_GetArrayItem(shape, 1)->valuedouble, 160);
    check_latency(cJSON_GetObjectItemCaseSensitive(o, "ms"), 2);
    ck_assert_double_eq(num(o, "arena_bytes"), (3.0 * 96 * 160 + 16.0 * 48 * 80) * 4);
    /* GFLOPs scale with the area, as counted at 640 (nc 3 changes only the class convs) */
    ck_assert(num(o, "gflops") > 0 && num(o, "gflops") < expect * 96 * 160 / (640.0 * 640));
    cJSON_Delete(o);

    /* usage and data errors */
    ck_assert_int_eq(run("bench"), 64);
    snprintf(args, sizeof args, "bench -m '%s/configs/yolov8n.yaml' --shape 100x64", GY_SOURCE_DIR);
    ck_assert_int_eq(run(args), 64);
    snprintf(args, sizeof args, "bench -m '%s/configs/yolov8n.yaml' --iters 0", GY_SOURCE_DIR);
    ck_assert_int_eq(run(args), 64);
    snprintf(args, sizeof args, "GY_ISA=sse9 '%s' bench -m '%s/configs/yolov8n.yaml' --imgsz 64 "
             "> /dev/null 2> '%s'", gy_test_cli(), GY_SOURCE_DIR, errfile);
    int st = system(args);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 64);
    stderr_has("GY_ISA 'sse9' is not one of generic, avx2, avx512");
}
END_TEST

/* The GFLOP/s an op cannot exceed, as a multiple of the FMA loop's rate: a 3x3 stride-1 conv may
 * run as Winograd F(4x4, 3x3), whose transformed GEMM does 36 multiplies where the direct conv
 * (the count thop makes) does 16 x 9 = 144, so at most 4x; every other op does at least the
 * multiply-adds it is counted for. */
static double op_limit(const char *kind)
{
    return strcmp(kind, "conv 3x3 s1") == 0 ? 4.0 : 1.0;
}

/* bench --layers with 2 threads: every op's time positive, the ops adding up to the pass, and no
 * op faster than the machine can be (the FMA limit measured in the same run x op_limit). */
static void check_layers(const cJSON *o, const char *how)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "ms");
    double peak = num(o, "peak_gflops_per_s"), sum_mean = 0.0, worst = 0.0;
    int nops = 0, worst_op = -1;
    const cJSON *op;
    cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(o, "layers"), "ops"))
    {
        double med = num(op, "ms"), mean = num(op, "mean_ms"), gf = num(op, "gflops");
        const char *kind = cJSON_GetObjectItemCaseSensitive(op, "kind")->valuestring;
        ck_assert_msg(med > 0 && mean > 0, "%s: op %d (%s): %g ms median, %g ms mean", how, nops,
                      kind, med, mean);
        double share = gf / (med / 1e3) / (peak * op_limit(kind));
        if (share > worst) {
            worst = share;
            worst_op = nops;
        }
        sum_mean += mean;
        nops++;
    }
    ck_assert_int_gt(nops, 50);
    /* the means add up to the mean pass (the medians only on a quiet machine) */
    ck_assert_msg(fabs(sum_mean - num(ms, "mean")) <= 0.1 * num(ms, "mean"),
                  "%s: the ops add up to %g ms, the mean pass is %g ms", how, sum_mean,
                  num(ms, "mean"));
    ck_assert_msg(worst <= 1.0, "%s: op %d runs at %.2f x the machine's limit (%g GFLOP/s)", how,
                  worst_op, worst, peak);
}

/* Runs bench with every thread on one CPU of the test's own set: each barrier then waits for a
 * thread that is not running, the case where a thread wakes late after an op. */
static cJSON *bench_json_one_cpu(const char *args)
{
    cpu_set_t all, one;
    ck_assert_int_eq(sched_getaffinity(0, sizeof all, &all), 0);
    int cpu = 0;
    while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &all))
        cpu++;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ck_assert_int_eq(sched_setaffinity(0, sizeof one, &one), 0);
    cJSON *o = bench_json("", args); /* the child inherits the mask */
    ck_assert_int_eq(sched_setaffinity(0, sizeof all, &all), 0);
    return o;
}

START_TEST(bench_layers_two_threads)
{
    char args[4096];
    snprintf(args, sizeof args, "-m '%s/configs/yolov8n.yaml' --imgsz 320 --threads 2 --iters 7 "
             "--warmup 1 --layers", GY_SOURCE_DIR);
    cJSON *o = bench_json("", args);
    ck_assert_double_eq(num(o, "threads"), 2);
    check_layers(o, "2 threads");
    cJSON_Delete(o);
    o = bench_json_one_cpu(args);
    ck_assert_double_eq(num(o, "threads"), 2);
    check_layers(o, "2 threads on one CPU");
    cJSON_Delete(o);
}
END_TEST

/* bench --layers on a model whose plan runs fused pairs (MobileNetV2 at 640: each large 1x1
 * expand with its depthwise conv, each large depthwise conv with its 1x1 projection): the pair's
 * first op says which op it runs with and carries both ops' GFLOPs, the second says which op runs
 * it and carries none, the pairs have their kind ("conv pair"), and the kinds add up to the ops'
 * GFLOPs; the text table prints the second op without a time of its own. */
START_TEST(bench_layers_fused_pairs)
{
    char args[4096];
    snprintf(args, sizeof args, "-m '%s/configs/zoo/yolov8-mobilenetv2.yaml' --threads 1 --iters 1 "
             "--warmup 0 --layers", GY_SOURCE_DIR);
    cJSON *o = bench_json("", args);
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "layers"),
                                                        "ops");
    int n = cJSON_GetArraySize(ops), pairs = 0;
    double pair_gflops = 0.0;
    for (int i = 0; i < n; i++) {
        const cJSON *op = cJSON_GetArrayItem(ops, i);
        const cJSON *with = cJSON_GetObjectItemCaseSensitive(op, "runs_with");
        const cJSON *by = cJSON_GetObjectItemCaseSensitive(op, "run_by");
        ck_assert_msg(!(with && by), "op %d both runs a pair and is run by one", i);
        if (with) {
            ck_assert_int_eq((int)with->valuedouble, i + 1);
            ck_assert_msg(i + 1 < n, "op %d runs with an op past the last", i);
            const cJSON *next = cJSON_GetArrayItem(ops, i + 1);
            const cJSON *back = cJSON_GetObjectItemCaseSensitive(next, "run_by");
            ck_assert_msg(back && (int)back->valuedouble == i, "op %d: its partner does not name it",
                          i);
            ck_assert(num(op, "gflops") > 0);
            pairs++;
            pair_gflops += num(op, "gflops");
        }
        if (by) {
            ck_assert_int_eq((int)by->valuedouble, i - 1);
            ck_assert_double_eq(num(op, "gflops"), 0.0);
        }
    }
    ck_assert_int_ge(pairs, 4); /* 2 expand + depthwise, 3 depthwise + projection at 640 */
    double counted = 0.0, pair_kind = -1.0, by_op = 0.0;
    for (int i = 0; i < n; i++) {
        const cJSON *op = cJSON_GetArrayItem(ops, i);
        by_op += num(op, "gflops");
    }
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "layers"),
                                                           "kinds"))
    {
        const char *kind = cJSON_GetObjectItemCaseSensitive(k, "kind")->valuestring;
        if (!strcmp(kind, "conv pair")) {
            ck_assert_int_eq((int)num(k, "ops"), pairs);
            pair_kind = num(k, "gflops");
        }
        counted += num(k, "gflops");
    }
    ck_assert_double_eq_tol(pair_kind, pair_gflops, 1e-9 * pair_gflops);
    /* nothing lost or counted twice: the kinds add up to the ops */
    ck_assert_msg(fabs(counted - by_op) < 1e-9 * by_op, "kinds %.9g GFLOPs, ops %.9g", counted,
                  by_op);

    cJSON_Delete(o);
    /* the same model at 320x320 runs no pair (every map a quarter: under the fusion thresholds),
     * and its ops count a quarter of the GFLOPs: the pairs lost none */
    char small[4096];
    snprintf(small, sizeof small, "-m '%s/configs/zoo/yolov8-mobilenetv2.yaml' --imgsz 320 "
             "--threads 1 --iters 1 --warmup 0 --layers", GY_SOURCE_DIR);
    o = bench_json("", small);
    ops = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "layers"), "ops");
    double quarter = 0.0;
    const cJSON *op;
    cJSON_ArrayForEach(op, ops)
    {
        ck_assert(!cJSON_GetObjectItemCaseSensitive(op, "runs_with"));
        quarter += num(op, "gflops");
    }
    ck_assert_msg(fabs(4.0 * quarter - by_op) < 1e-9 * by_op, "640: %.9g GFLOPs, 320: %.9g", by_op,
                  quarter);
    cJSON_Delete(o);
    /* the text: the second op of a pair without numbers of its own */
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' bench %s > '%s' 2>&1", gy_test_cli(), args, errfile);
    int st = system(cmd);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char *text = (char *)gy_test_read(errfile, NULL);
    ck_assert_ptr_nonnull(strstr(text, "(+ the next op, fused: both ops' time and GFLOPs)"));
    ck_assert_ptr_nonnull(strstr(text, "-  (run with op "));
    ck_assert_ptr_nonnull(strstr(text, "\nconv pair "));
    free(text);
}
END_TEST

int main(void)
{
    snprintf(errfile, sizeof errfile, "/tmp/gy_test_cli_err_%d.txt", (int)getpid());
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, usage_errors);
    tcase_add_test(tc, per_option_messages);
    tcase_add_test(tc, help_texts);
    tcase_add_test(tc, input_errors);
    tcase_add_test(tc, output_errors);
    tcase_add_test(tc, info_prints_the_build_table);
    tcase_add_test(tc, bench_contract);
    tcase_add_test(tc, bench_layers_two_threads);
    tcase_add_test(tc, bench_layers_fused_pairs);
    suite_add_tcase(s, tc);
    int rc = gy_test_run(s);
    remove(errfile);
    return rc;
}

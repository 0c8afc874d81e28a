/* ghostyolo bench: forward latency (min / median / p95) of any config, with real or synthetic
 * weights, beside the machine's FMA limit measured in the same run with the same thread count,
 * so results compare across noisy machines as shares of that limit. --layers adds time per op,
 * per YAML row and per op kind; --json prints one object. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <cjson/cJSON.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "detector/cli/bench_cpu.h"
#include "detector/cli/cli.h"
#include "detector/model.h"
#include "detector/session.h"
#include "detector/stats.h"
#include "kernels/kernels.h"
#include "kernels/kernels_qu8.h"
#include "runtime/run.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct latency {
    double min, median, p95, mean;
} latency;

/* Sorts v; median (mean of the middle two for even n), p95 by nearest rank, and the mean. */
static latency summarise(double *v, int n)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += v[i];
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    latency l;
    l.min = v[0];
    l.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    int rank = (int)ceil(0.95 * n);
    l.p95 = v[rank > 0 ? rank - 1 : 0];
    l.mean = sum / n;
    return l;
}

/* GOP/s of one core: the register-only FMA loop (int8: the int8 dot-product loop of the int8
 * kernel family `isa`) run on `threads` threads at once, each timed by its own CPU time (the best
 * thread), so that other processes taking the cores for a while do not lower it: a descheduled
 * thread neither computes nor accrues CPU time. */
static double core_rate(int int8, int isa, int threads, long iters)
{
    double best = 0.0;
#pragma omp parallel num_threads(threads) reduction(max : best)
    {
        float sink = 0.0f;
        int isink = 0;
        struct timespec c0, c1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
        double ops = int8 ? gy_int8_peak_run((gy_qisa)isa, iters, &isink)
                          : gy_fma_peak_run((gy_isa)isa, iters, &sink);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
        double t = (double)(c1.tv_sec - c0.tv_sec) + 1e-9 * (double)(c1.tv_nsec - c0.tv_nsec);
        if (sink == -1.0f || isink == -1) /* never: keeps the result alive */
            ops += 1.0;
        best = ops / (t > 1e-9 ? t : 1e-9) / 1e9;
    }
    return best;
}

/* The machine's limit for `threads` threads (GFLOP/s of FMAs, or int8 GOP/s): the rate of one
 * core (best of 5 ~20 ms runs: the loop runs at its limit within microseconds) times the cores they can run on (the threads, at most the CPUs
 * this process may use). Measured in CPU time, it is the cores' limit even while other jobs
 * share them: an op's rate, a median over passes, can reach it in a quiet moment, which a
 * wall-clock measurement taken in a busy one would put below. */
static double limit_rate(int int8, int isa, int threads)
{
    long iters = 40000;
    double t0 = omp_get_wtime();
    core_rate(int8, isa, threads, iters); /* calibration: ~20 ms per timed run */
    double t = omp_get_wtime() - t0;
    iters = (long)((double)iters * 0.02 / (t > 1e-4 ? t : 1e-4));
    if (iters < 1000)
        iters = 1000;
    double best = 0.0;
    for (int rep = 0; rep < 5; rep++) {
        double r = core_rate(int8, isa, threads, iters);
        best = r > best ? r : best;
    }
    int cores = omp_get_num_procs();
    return best * (threads < cores ? threads : cores);
}

enum {
    K_FIRST, K_1X1, K_3X3S1, K_3X3S2, K_DW, K_GROUPED, K_CONV_OTHER, K_FUSED, K_POOL, K_GAP,
    K_UPSAMPLE, K_COPY, K_SHUFFLE, K_ELTWISE, K_CHANNEL, K_HEAD, K_COUNT
};
static const char *const kind_names[K_COUNT] = {
    "first conv", "conv 1x1", "conv 3x3 s1", "conv 3x3 s2", "depthwise", "conv grouped",
    "conv other", "conv pair", "pool", "global pool", "upsample", "copy", "shuffle",
    "elementwise", "channel op", "head decode"};

/* Op i runs the conv after it too (runtime/plan.h: fused pairs), or is run by the op before. */
static int runs_pair(const gy_plan *p, int i)
{
    return p->fused && p->fused[i];
}

static int run_by_prev(const gy_plan *p, int i)
{
    return p->fused && i > 0 && p->fused[i - 1];
}

static int op_kind(const gy_graph *g, const gy_op *op)
{
    switch (op->type) {
    case GY_OP_CONV: {
        const gy_conv *c = &g->convs[op->conv];
        if (op->in[0] == g->input)
            return K_FIRST;
        if (c->groups > 1 && c->groups == c->cin && c->cin == c->cout)
            return K_DW;
        if (c->groups > 1)
            return K_GROUPED;
        if (c->groups == 1 && c->kh == 1 && c->kw == 1)
            return K_1X1;
        if (c->groups == 1 && c->kh == 3 && c->kw == 3 && c->sh == c->sw)
            return c->sh == 1 ? K_3X3S1 : c->sh == 2 ? K_3X3S2 : K_CONV_OTHER;
        return K_CONV_OTHER;
    }
    case GY_OP_MAXPOOL:
    case GY_OP_AVGPOOL: return K_POOL;
    case GY_OP_GAP: return K_GAP;
    case GY_OP_UPSAMPLE: return K_UPSAMPLE;
    case GY_OP_COPY: return K_COPY;
    case GY_OP_SHUFFLE: return K_SHUFFLE;
    case GY_OP_MUL:
    case GY_OP_ADD: return K_ELTWISE;
    case GY_OP_MUL_CH:
    case GY_OP_ADD_CH: return K_CHANNEL;
    case GY_OP_DETECT: return K_HEAD;
    }
    return K_CONV_OTHER;
}

static double op_gflops(const gy_graph *g, const gy_plan *p, const gy_op *op);

/* The kind an op's time is billed to: a fused pair's first op the pair's (with both ops'
 * GFLOPs), its second none (-1: it has no time of its own). */
static int billed_kind(const gy_graph *g, const gy_plan *p, int i)
{
    return run_by_prev(p, i) ? -1 : runs_pair(p, i) ? K_FUSED : op_kind(g, &g->ops[i]);
}

/* The GFLOPs an op's time covers: a fused pair's first op both ops', its second none. */
static double billed_gflops(const gy_graph *g, const gy_plan *p, int i)
{
    if (run_by_prev(p, i))
        return 0.0;
    double gf = op_gflops(g, p, &g->ops[i]);
    return runs_pair(p, i) ? gf + op_gflops(g, p, &g->ops[i + 1]) : gf;
}

/* GFLOPs of one op: thop's count x 2 for convs, upsample and the DFL; for the ops thop counts as
 * zero, one operation per compared or written element (pool: k*k per output; add/mul/copy: 1). */
static double op_gflops(const gy_graph *g, const gy_plan *p, const gy_op *op)
{
    double out = (double)g->tensors[op->out].c * p->th[op->out] * p->tw[op->out];
    switch (op->type) {
    case GY_OP_CONV: {
        const gy_conv *c = &g->convs[op->conv];
        return 2.0 * out * (c->cin / c->groups) * c->kh * c->kw / 1e9;
    }
    case GY_OP_MAXPOOL:
    case GY_OP_AVGPOOL: return out * op->k * op->k / 1e9;
    case GY_OP_GAP: /* one add per input element */
        return (double)g->tensors[op->in[0]].c * p->th[op->in[0]] * p->tw[op->in[0]] / 1e9;
    case GY_OP_UPSAMPLE: return 2.0 * out / 1e9;
    case GY_OP_COPY:
    case GY_OP_SHUFFLE:
    case GY_OP_MUL:
    case GY_OP_ADD:
    case GY_OP_MUL_CH:
    case GY_OP_ADD_CH: return out / 1e9;
    case GY_OP_DETECT: return 2.0 * 4.0 * p->anchors * op->reg_max / 1e9;
    }
    return 0.0;
}

/* The last component of ultralytics' printed module type ("C2f"). */
static const char *short_module(const char *m)
{
    const char *dot = strrchr(m, '.');
    return dot ? dot + 1 : m;
}

static int parse_shape(const char *s, int *h, int *w)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return 0;
    const char *s2 = end + 1;
    long b = strtol(s2, &end, 10);
    if (end == s2 || *end)
        return 0;
    if (a <= 0 || b <= 0 || a > 4096 || b > 4096 || a % 32 || b % 32)
        return 0;
    *h = (int)a;
    *w = (int)b;
    return 1;
}

typedef struct bench_result {
    latency ms;
    double gflops, rate, peak;
    double int8_peak;   /* int8 models: the int8 limit, GOP/s (2 per multiply-add), else 0 */
    int h, w, threads;
    size_t arena_bytes, scratch_bytes, weight_bytes, packed_bytes, peak_rss;
    int synthetic;    /* synthetic weights (no -w) */
    double *op_med;   /* per op median ms (--layers), else NULL */
    double *op_mean;  /* per op mean ms (--layers): they add up to the mean pass */
    double *op_min;   /* per op minimum ms (--layers): for A/B of kernels on a busy machine */
    const double *runs; /* each timed forward's ms, in run order */
} bench_result;

static void print_layers_text(const gy_model *m, const gy_plan *p, const bench_result *b)
{
    const gy_graph *g = &m->graph;
    double total = 0.0, total_mean = 0.0;
    for (int i = 0; i < g->nops; i++) {
        total += b->op_med[i];
        total_mean += b->op_mean[i];
    }
    /* an op's time runs from the previous op's end to its last task's end, whichever thread ran
     * it (runtime/run.c), so the ops add up to the pass */
    printf("\nper op: the median of the timed passes (they add up to %.2f ms; the means add up to "
           "%.2f ms, the mean pass is %.2f ms)\n", total, total_mean, b->ms.mean);
    printf("\n%4s %4s  %-12s %-16s %9s %6s %9s\n", "op", "row", "kind", "output", "ms", "%",
           "GFLOP/s");
    for (int i = 0; i < g->nops; i++) {
        const gy_op *op = &g->ops[i];
        char shape[48];
        snprintf(shape, sizeof shape, "%dx%dx%d", g->tensors[op->out].c, p->th[op->out],
                 p->tw[op->out]);
        if (run_by_prev(p, i)) { /* its time is the op before's */
            printf("%4d %4d  %-12s %-16s %9s %6s %9s  (run with op %d)\n", i, op->row,
                   kind_names[op_kind(g, op)], shape, "-", "-", "-", i - 1);
            continue;
        }
        double gf = billed_gflops(g, p, i);
        printf("%4d %4d  %-12s %-16s %9.3f %6.2f %9.1f%s\n", i, op->row, kind_names[op_kind(g, op)],
               shape, b->op_med[i], total > 0 ? 100.0 * b->op_med[i] / total : 0.0,
               b->op_med[i] > 0 ? gf / (b->op_med[i] / 1e3) : 0.0,
               runs_pair(p, i) ? "  (+ the next op, fused: both ops' time and GFLOPs)" : "");
    }
    printf("\n%4s  %-28s %9s %6s %9s\n", "row", "module", "ms", "%", "GFLOP/s");
    for (int r = 0; r < m->nrows; r++) {
        double ms = 0.0, gf = 0.0;
        for (int i = m->rows[r].first_op; i < m->rows[r].end_op; i++) {
            ms += b->op_med[i];
            gf += op_gflops(g, p, &g->ops[i]);
        }
        printf("%4d  %-28s %9.3f %6.2f %9.1f\n", r, short_module(m->rows[r].module), ms,
               total > 0 ? 100.0 * ms / total : 0.0, ms > 0 ? gf / (ms / 1e3) : 0.0);
    }
    printf("\n%-12s %5s %9s %6s %9s %9s\n", "kind", "ops", "ms", "%", "GFLOPs", "GFLOP/s");
    for (int k = 0; k < K_COUNT; k++) {
        int n = 0;
        double ms = 0.0, gf = 0.0;
        for (int i = 0; i < g->nops; i++)
            if (billed_kind(g, p, i) == k) {
                n++;
                ms += b->op_med[i];
                gf += billed_gflops(g, p, i);
            }
        if (n)
            printf("%-12s %5d %9.3f %6.2f %9.3f %9.1f\n", kind_names[k], n, ms,
                   total > 0 ? 100.0 * ms / total : 0.0, gf, ms > 0 ? gf / (ms / 1e3) : 0.0);
    }
}

static cJSON *layers_json(const gy_model *m, const gy_plan *p, const bench_result *b)
{
    const gy_graph *g = &m->graph;
    cJSON *o = cJSON_CreateObject(), *ops = cJSON_AddArrayToObject(o, "ops");
    cJSON *rows = cJSON_AddArrayToObject(o, "rows"), *kinds = cJSON_AddArrayToObject(o, "kinds");
    if (!ops || !rows || !kinds)
        return o;
    for (int i = 0; i < g->nops; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "op", i);
        cJSON_AddNumberToObject(e, "row", g->ops[i].row);
        cJSON_AddStringToObject(e, "kind", kind_names[op_kind(g, &g->ops[i])]);
        char shape[96];
        const gy_op *op = &g->ops[i];
        int n = snprintf(shape, sizeof shape, "%dx%dx%d", g->tensors[op->out].c, p->th[op->out],
                         p->tw[op->out]);
        if (op->type == GY_OP_CONV) {
            const gy_conv *c = &g->convs[op->conv];
            snprintf(shape + n, sizeof shape - (size_t)n, " from %d, %dx%d s%d g%d", c->cin, c->kh,
                     c->kw, c->sh, c->groups);
        }
        cJSON_AddStringToObject(e, "output", shape);
        cJSON_AddNumberToObject(e, "ms", b->op_med[i]);
        cJSON_AddNumberToObject(e, "mean_ms", b->op_mean[i]);
        cJSON_AddNumberToObject(e, "min_ms", b->op_min[i]);
        cJSON_AddNumberToObject(e, "gflops", billed_gflops(g, p, i));
        if (runs_pair(p, i))
            cJSON_AddNumberToObject(e, "runs_with", i + 1);
        if (run_by_prev(p, i))
            cJSON_AddNumberToObject(e, "run_by", i - 1);
        cJSON_AddItemToArray(ops, e);
    }
    for (int r = 0; r < m->nrows; r++) {
        double ms = 0.0;
        for (int i = m->rows[r].first_op; i < m->rows[r].end_op; i++)
            ms += b->op_med[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "row", r);
        cJSON_AddStringToObject(e, "module", short_module(m->rows[r].module));
        cJSON_AddNumberToObject(e, "ms", ms);
        cJSON_AddItemToArray(rows, e);
    }
    for (int k = 0; k < K_COUNT; k++) {
        int n = 0;
        double ms = 0.0, gf = 0.0;
        for (int i = 0; i < g->nops; i++)
            if (billed_kind(g, p, i) == k) {
                n++;
                ms += b->op_med[i];
                gf += billed_gflops(g, p, i);
            }
        if (!n)
            continue;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "kind", kind_names[k]);
        cJSON_AddNumberToObject(e, "ops", n);
        cJSON_AddNumberToObject(e, "ms", ms);
        cJSON_AddNumberToObject(e, "gflops", gf);
        cJSON_AddNumberToObject(e, "gflops_per_s", ms > 0 ? gf / (ms / 1e3) : 0.0);
        cJSON_AddItemToArray(kinds, e);
    }
    return o;
}

static int print_json(const gy_model *m, const gy_session *s, const bench_result *b, int iters,
                      int warmup)
{
    gy_model_info info;
    gy_model_get_info(m, &info);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return EXIT_SOFTWARE;
    cJSON_AddStringToObject(o, "model", info.name);
    cJSON_AddNumberToObject(o, "imgsz", b->h > b->w ? b->h : b->w);
    cJSON *shape = cJSON_AddArrayToObject(o, "shape");
    if (shape) {
        cJSON_AddItemToArray(shape, cJSON_CreateNumber(b->h));
        cJSON_AddItemToArray(shape, cJSON_CreateNumber(b->w));
    }
    cJSON_AddNumberToObject(o, "threads", b->threads);
    cJSON_AddNumberToObject(o, "gflops", b->gflops);
    cJSON *ms = cJSON_AddObjectToObject(o, "ms");
    if (ms) {
        cJSON_AddNumberToObject(ms, "min", b->ms.min);
        cJSON_AddNumberToObject(ms, "median", b->ms.median);
        cJSON_AddNumberToObject(ms, "p95", b->ms.p95);
        cJSON_AddNumberToObject(ms, "mean", b->ms.mean);
        cJSON *runs = cJSON_AddArrayToObject(ms, "runs");
        for (int r = 0; runs && r < iters; r++)
            cJSON_AddItemToArray(runs, cJSON_CreateNumber(b->runs[r]));
    }
    cJSON_AddNumberToObject(o, "gflops_per_s", b->rate);
    cJSON_AddNumberToObject(o, "peak_gflops_per_s", b->peak);
    cJSON_AddNumberToObject(o, "arena_bytes", (double)b->arena_bytes);
    cJSON_AddNumberToObject(o, "peak_rss_bytes", (double)b->peak_rss);
    cJSON_AddNumberToObject(o, "share_of_peak", b->peak > 0 ? b->rate / b->peak : 0.0);
    cJSON_AddStringToObject(o, "isa", gy_isa_name(s->model->isa));
    cJSON_AddStringToObject(o, "dtype", info.dtype);
    if (s->model->q) {
        cJSON_AddStringToObject(o, "int8_isa", info.int8_kernel_isa);
        cJSON_AddNumberToObject(o, "int8_peak_gops", b->int8_peak);
        cJSON_AddNumberToObject(o, "share_of_int8_peak", b->int8_peak > 0 ? b->rate / b->int8_peak : 0.0);
    }
    cJSON_AddStringToObject(o, "peak_isa", gy_isa_name(gy_cpu_best_isa()));
    cli_bench_cpu_json(o, s->model);
    cJSON_AddNumberToObject(o, "scratch_bytes", (double)b->scratch_bytes);
    cJSON_AddNumberToObject(o, "weight_bytes", (double)b->weight_bytes);
    cJSON_AddNumberToObject(o, "packed_weight_bytes", (double)b->packed_bytes);
    cJSON_AddNumberToObject(o, "nc", info.nc);
    cJSON_AddStringToObject(o, "scale", info.scale);
    cJSON_AddBoolToObject(o, "synthetic_weights", b->synthetic);
    cJSON_AddNumberToObject(o, "iters", iters);
    cJSON_AddNumberToObject(o, "warmup", warmup);
    if (b->op_med)
        cJSON_AddItemToObject(o, "layers", layers_json(m, &s->plan, b));
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        return EXIT_SOFTWARE;
    printf("%s\n", text);
    free(text);
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    const char *config = NULL, *weights = NULL, *scale = NULL, *shape = NULL;
    int imgsz = 640, iters = 30, warmup = 3, threads = 0, nc = 0, layers = 0, json = 0, runs = 0;
    cli_list pos = {0};
    const cli_opt opts[] = {
        {"-w", "--weights", CLI_STRING, &weights, "WEIGHTS", "weights (.safetensors or .pt)", 0, 0},
        {"-m", "--model", CLI_STRING, &config, "CONFIG",
         "model YAML (alone: synthetic weights, so any config can be timed)", 0, 0},
        {NULL, "--nc", CLI_INT, &nc, "N", "class count (0 = the YAML's)", 0, 100000},
        {NULL, "--scale", CLI_STRING, &scale, "X", "scale key (n, s, m, l, x)", 0, 0},
        {NULL, "--imgsz", CLI_INT, &imgsz, "N", "square input size, a multiple of 32", 32, 4096},
        {NULL, "--shape", CLI_STRING, &shape, "HxW", "a rectangular input instead, e.g. 384x640", 0,
         0},
        {"-t", "--threads", CLI_INT, &threads, "N", "threads (0 = all cores)", 0, 1024},
        {NULL, "--iters", CLI_INT, &iters, "N", "timed forward passes", 1, 10000},
        {NULL, "--runs", CLI_INT, &runs, "N", "the older name of --iters", 0, 10000},
        {NULL, "--warmup", CLI_INT, &warmup, "N", "untimed passes first", 0, 1000},
        {NULL, "--layers", CLI_FLAG, &layers, NULL,
         "time per op and per YAML row, GFLOP/s per op kind", 0, 0},
        {NULL, "--json", CLI_FLAG, &json, NULL, "one JSON object on stdout", 0, 0},
    };
    const cli_verb verb = {"bench", "-w WEIGHTS | -m CONFIG [options]",
                           "Times the forward pass (min, median, p95) beside the machine's FMA limit measured in\n"
                           "the same run with the same threads, and reports GFLOP/s, the share of the limit,\n"
                           "the kernels' instruction set, the activation arena and peak memory.",
                           opts, (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &pos);
    int npos = pos.count;
    free(pos.items);
    if (rc)
        return rc == CLI_HELP ? EXIT_OK : rc;
    if (runs)
        iters = runs; /* --runs: the older name of --iters */
    int h = imgsz, w = imgsz;
    if (imgsz % 32) {
        char v[16];
        snprintf(v, sizeof v, "%d", imgsz);
        cli_bad_value(&verb, "--imgsz", v, "must be a multiple of 32");
        return EXIT_USAGE;
    }
    if (shape && !parse_shape(shape, &h, &w)) {
        cli_bad_value(&verb, "--shape", shape, "must be HxW, multiples of 32 up to 4096");
        return EXIT_USAGE;
    }
    if (npos || (!config && !weights)) {
        fprintf(stderr, "ghostyolo bench: needs -w WEIGHTS and/or -m CONFIG (synthetic weights) and "
                        "no other arguments (see 'ghostyolo bench --help')\n");
        return EXIT_USAGE;
    }
    gy_model_params mp = gy_model_default_params();
    mp.log = cli_log;
    mp.synthetic_weights = weights == NULL;
    mp.nc = nc;
    mp.scale = scale;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = threads;
    gy_model *model = NULL;
    gy_session *sess = NULL;
    gy_error err;
    gy_status st;
    size_t nin = (size_t)3 * h * w;
    float *x = malloc(nin * sizeof *x);
    double *ms = calloc((size_t)iters, sizeof *ms), *in_order = calloc((size_t)iters, sizeof *in_order);
    double *op_ms = NULL;
    bench_result b;
    memset(&b, 0, sizeof b);
    if (!x || !ms || !in_order) {
        rc = EXIT_SOFTWARE;
        fprintf(stderr, "ghostyolo bench: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < nin; i++)
        x[i] = (float)(i % 255) / 255.0f;
    gy_output out;
    char cfgbuf[CLI_PATH_MAX]; /* a bare name such as yolov8n.yaml: also the shipped configs */
    if (config)
        config = cli_find_config(config, cfgbuf, sizeof cfgbuf);
    if ((st = gy_model_load(config, weights, &mp, &model, &err)) != GY_OK ||
        (st = gy_session_create(model, &sp, &sess, &err)) != GY_OK ||
        (st = gy_session_reserve(sess, h, w, &err)) != GY_OK ||
        (layers && (st = gy_session_set_timing(sess, 1, &err)) != GY_OK)) {
        cli_error(&err);
        rc = cli_exit_for(st);
        goto done;
    }
    const gy_graph *g = &model->graph;
    if (layers && !(op_ms = calloc((size_t)iters * (size_t)g->nops, sizeof *op_ms))) {
        rc = EXIT_SOFTWARE;
        fprintf(stderr, "ghostyolo bench: out of memory\n");
        goto done;
    }
    b.h = h;
    b.w = w;
    b.synthetic = weights == NULL;
    b.threads = sess->nthreads;
    b.peak = limit_rate(0, gy_cpu_best_isa(), b.threads);
    if (model->q)
        b.int8_peak = limit_rate(1, model->q->qisa, b.threads);
    for (int r = 0; r < warmup + iters; r++) {
        double t0 = omp_get_wtime();
        if ((st = gy_forward(sess, x, h, w, &out, &err)) != GY_OK) {
            cli_error(&err);
            rc = cli_exit_for(st);
            goto done;
        }
        double t = (omp_get_wtime() - t0) * 1e3;
        if (r < warmup)
            continue;
        ms[r - warmup] = t;
        if (op_ms)
            memcpy(op_ms + (size_t)(r - warmup) * g->nops, sess->op_ms, sizeof *op_ms * g->nops);
    }
    memcpy(in_order, ms, sizeof *in_order * (size_t)iters);
    b.runs = in_order;
    b.ms = summarise(ms, iters);
    if (h == w) {
        gy_model_summary sum;
        if ((st = gy_model_get_summary(model, 1, h, &sum, &err)) != GY_OK) {
            cli_error(&err);
            rc = cli_exit_for(st);
            goto done;
        }
        b.gflops = sum.gflops;
    } else { /* ultralytics' probe is square: count at the rectangle directly */
        gy_row_numbers *rows = calloc((size_t)model->nrows, sizeof *rows);
        if (!rows || (st = gy_model_row_numbers(model, h, w, rows, NULL, &err)) != GY_OK) {
            free(rows);
            rc = rows ? cli_exit_for(st) : EXIT_SOFTWARE;
            if (rows)
                cli_error(&err);
            goto done;
        }
        for (int r = 0; r < model->nrows; r++)
            b.gflops += rows[r].ops_fused * 2.0 / 1e9;
        free(rows);
    }
    b.rate = b.gflops / (b.ms.median / 1e3);
    b.arena_bytes = gy_session_arena_bytes(sess);
    b.scratch_bytes = sess->plan.scratch_floats * (size_t)sess->nthreads * sizeof(float);
    for (int c = 0; c < g->nconvs && !model->q; c++) {
        const gy_conv *cv = &g->convs[c];
        b.weight_bytes += ((size_t)cv->cout * (cv->cin / cv->groups) * cv->kh * cv->kw +
                           (cv->fixed ? 0 : (size_t)cv->cout)) * sizeof(float);
    }
    if (model->q)
        b.weight_bytes = gy_qgraph_weight_bytes(g, model->q);
    b.packed_bytes = model->packed_bytes;
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        b.peak_rss = (size_t)ru.ru_maxrss * 1024;
    if (op_ms) {
        b.op_med = calloc((size_t)g->nops, sizeof *b.op_med);
        b.op_mean = calloc((size_t)g->nops, sizeof *b.op_mean);
        b.op_min = calloc((size_t)g->nops, sizeof *b.op_min);
        double *col = calloc((size_t)iters, sizeof *col);
        if (!b.op_med || !b.op_mean || !b.op_min || !col) {
            free(col);
            rc = EXIT_SOFTWARE;
            fprintf(stderr, "ghostyolo bench: out of memory\n");
            goto done;
        }
        for (int i = 0; i < g->nops; i++) {
            for (int r = 0; r < iters; r++)
                col[r] = op_ms[(size_t)r * g->nops + i];
            latency l = summarise(col, iters);
            b.op_med[i] = l.median;
            b.op_mean[i] = l.mean;
            b.op_min[i] = l.min;
        }
        free(col);
    }
    if (json) {
        rc = print_json(model, sess, &b, iters, warmup);
        goto done;
    }
    gy_model_info info;
    gy_model_get_info(model, &info);
    printf("model %s (scale '%s', %s), nc %d, input %dx%d, %d threads, %d iterations after %d "
           "warm-up, %s weights\n", info.name, info.scale, info.scale_source, info.nc, h, w,
           b.threads, iters, warmup, weights ? "real" : "synthetic");
    cli_bench_cpu_text(stdout, model);
    printf("forward ms: min %.2f  median %.2f  p95 %.2f  (p95/median %.2f)\n", b.ms.min,
           b.ms.median, b.ms.p95, b.ms.p95 / b.ms.median);
    printf("work: %.2f GFLOPs (fused, thop rules) -> %.1f GFLOP/s at the median\n", b.gflops,
           b.rate);
    printf("FMA limit: %.1f GFLOP/s (%s, %d threads, same run); kernels: %s; share %.1f %%\n",
           b.peak, gy_isa_name(gy_cpu_best_isa()), b.threads, gy_isa_name(sess->model->isa),
           b.peak > 0 ? 100.0 * b.rate / b.peak : 0.0);
    if (model->q)
        printf("data type: int8 (kernels %s); int8 limit: %.1f GOP/s (same run); share of the int8 "
               "limit %.1f %%\n", info.int8_kernel_isa, b.int8_peak,
               b.int8_peak > 0 ? 100.0 * b.rate / b.int8_peak : 0.0);
    else
        printf("data type: float32\n");
    printf("memory: arena %.1f MiB, scratch %.2f MiB, weights %.1f MiB, packed weights %.1f MiB, "
           "peak RSS %.1f MiB\n", b.arena_bytes / 1048576.0, b.scratch_bytes / 1048576.0,
           b.weight_bytes / 1048576.0, b.packed_bytes / 1048576.0, b.peak_rss / 1048576.0);
    if (b.op_med)
        print_layers_text(model, &sess->plan, &b);
done:
    free(b.op_med);
    free(b.op_mean);
    free(b.op_min);
    free(op_ms);
    gy_session_free(sess);
    gy_model_free(model);
    free(x);
    free(ms);
    free(in_order);
    return rc;
}

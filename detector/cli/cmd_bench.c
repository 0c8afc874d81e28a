/* ghostyolo bench: forward-pass timing beside the machine's own GEMM rate, measured in the same
 * run, so results compare across noisy machines as ratios. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/cli/cli.h"
#include "kernels/kernels.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* GFLOP/s of the library's GEMM on a 256 x 6400 x 576 product (a typical 3x3 conv layer). */
static double gemm_rate(int threads)
{
    int M = 256, N = 6400, K = 576;
    float *A = malloc(sizeof(float) * (size_t)M * K), *B = malloc(sizeof(float) * (size_t)K * N);
    float *C = malloc(sizeof(float) * (size_t)M * N);
    if (!A || !B || !C) {
        free(A);
        free(B);
        free(C);
        return 0.0;
    }
    for (size_t i = 0; i < (size_t)M * K; i++)
        A[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < (size_t)K * N; i++)
        B[i] = (float)(i % 5) * 0.1f;
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
        double t0 = omp_get_wtime();
        gy_f32_gemm_epilogue(M, N, K, A, B, N, C, N, NULL, NULL, 0, 0, GY_ACT_NONE, threads);
        double t = omp_get_wtime() - t0;
        if (t < best)
            best = t;
    }
    free(A);
    free(B);
    free(C);
    return 2.0 * M * N * K / best / 1e9;
}

int cmd_bench(int argc, char **argv)
{
    const char *config = NULL, *weights = NULL;
    int imgsz = 640, runs = 10, threads = 0;
    cli_list pos = {0};
    const cli_opt opts[] = {
        {"-m", "--model", CLI_STRING, &config, "CONFIG",
         "model YAML (alone: synthetic weights)", 0, 0},
        {"-w", "--weights", CLI_STRING, &weights, "WEIGHTS", "weights (.safetensors)", 0, 0},
        {NULL, "--imgsz", CLI_INT, &imgsz, "N", "square input size, a multiple of 32", 32, 4096},
        {NULL, "--runs", CLI_INT, &runs, "N", "timed runs", 1, 10000},
        {"-t", "--threads", CLI_INT, &threads, "N", "threads (0 = all cores)", 0, 1024},
    };
    const cli_verb verb = {"bench", "-w WEIGHTS | -m CONFIG [options]",
                           "Times the forward pass (median and best of the runs) beside the machine's "
                           "GEMM rate\nmeasured in the same run.",
                           opts, (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &pos);
    int npos = pos.count;
    free(pos.items);
    if (rc)
        return rc == CLI_HELP ? EXIT_OK : rc;
    if (imgsz % 32) {
        char v[16];
        snprintf(v, sizeof v, "%d", imgsz);
        cli_bad_value(&verb, "--imgsz", v, "must be a multiple of 32");
        return EXIT_USAGE;
    }
    if (npos || (!config && !weights)) {
        fprintf(stderr, "ghostyolo bench: needs -w WEIGHTS and/or -m CONFIG (synthetic weights) and "
                        "no other arguments\n");
        return EXIT_USAGE;
    }
    gy_model_params mp = gy_model_default_params();
    mp.log = cli_log;
    mp.synthetic_weights = weights == NULL;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = threads;
    gy_model *model = NULL;
    gy_session *sess = NULL;
    gy_error err;
    gy_status st;
    float *x = calloc((size_t)3 * imgsz * imgsz, sizeof *x);
    double *ms = calloc((size_t)runs, sizeof *ms);
    if (!x || !ms) {
        free(x);
        free(ms);
        fprintf(stderr, "ghostyolo bench: out of memory\n");
        return EXIT_SOFTWARE;
    }
    for (size_t i = 0; i < (size_t)3 * imgsz * imgsz; i++)
        x[i] = (float)(i % 255) / 255.0f;
    gy_output out;
    gy_model_summary sum;
    if ((st = gy_model_load(config, weights, &mp, &model, &err)) != GY_OK ||
        (st = gy_session_create(model, &sp, &sess, &err)) != GY_OK ||
        (st = gy_model_get_summary(model, 1, imgsz, &sum, &err)) != GY_OK ||
        (st = gy_forward(sess, x, imgsz, imgsz, &out, &err)) != GY_OK) { /* warm-up + planning */
        cli_error(&err);
        rc = cli_exit_for(st);
    }
    for (int r = 0; r < runs && !rc; r++) {
        double t0 = omp_get_wtime();
        if ((st = gy_forward(sess, x, imgsz, imgsz, &out, &err)) != GY_OK) {
            cli_error(&err);
            rc = cli_exit_for(st);
        }
        ms[r] = (omp_get_wtime() - t0) * 1e3;
    }
    if (!rc) {
        int nt = threads ? threads : omp_get_num_procs();
        double rate = gemm_rate(nt);
        qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
        double med = ms[runs / 2];
        gy_model_info info;
        gy_model_get_info(model, &info);
        double eff = sum.gflops / (med / 1e3);
        printf("model %s (scale '%s', %s), input %dx%d, %d threads, %d runs\n", info.name,
               info.scale, info.scale_source, imgsz, imgsz, nt, runs);
        printf("forward: median %.2f ms, best %.2f ms, %.1f GFLOPs -> %.1f GFLOP/s\n", med, ms[0],
               sum.gflops, eff);
        printf("machine GEMM (library kernel, 256x6400x576): %.1f GFLOP/s\n", rate);
        printf("ratio forward rate / GEMM rate: %.3f\n", rate > 0 ? eff / rate : 0.0);
    }
    gy_session_free(sess);
    gy_model_free(model);
    free(x);
    free(ms);
    return rc;
}

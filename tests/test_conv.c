/* The fast convolution kernels against the reference (kernels/f32_conv2d__ref.c) on every
 * instruction set this CPU has: the packed GEMM (1x1, kxk, strides, paddings, groups, K chunks,
 * row and pixel blocks), the depthwise kernel, the fused epilogue (bias, residual before or after
 * the activation, SiLU / sigmoid / ReLU) and outputs written into a channel slice of a larger
 * buffer; plus the vector exp over the whole float range against expf. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/cpu_kind.h"
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct.h"
#include "kernels/f32-conv/f32_conv2d_grouped.h"
#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"
#include "kernels/f32-winograd/winograd.h"
#include "runtime/plan.h"
#include "parity.h"
#include "testutil.h"

typedef struct conv_case {
    int cin, cout, groups, kh, kw, sh, sw, ph, pw, ih, iw;
    gy_act act;
    int with_res, res_before_act, with_bias;
} conv_case;

#define GUARD_CH 2     /* channels of sentinels before and after the output slice */
#define SENTINEL 12345.0f

#define MAX_THREADS 4
static int run_threads = 1; /* threads run_case runs the tasks on (each with its own scratch) */

/* Runs one case on every ISA with the output (and residual) as a channel slice of a buffer with
 * GUARD_CH extra channels each side, tasks in a shuffled order (on run_threads threads: any
 * thread may take any task); fails if a sentinel changed or an output was not written; returns
 * the worst |fast - ref| / (1 + |ref|) over the ISAs. */
static double run_case(gy_test_rng *r, const conv_case *k)
{
    gy_conv c;
    memset(&c, 0, sizeof c);
    snprintf(c.wname, sizeof c.wname, "test.conv.weight");
    c.cin = k->cin;
    c.cout = k->cout;
    c.groups = k->groups;
    c.kh = k->kh;
    c.kw = k->kw;
    c.sh = k->sh;
    c.sw = k->sw;
    c.ph = k->ph;
    c.pw = k->pw;
    /* weights scaled like a trained layer so that activations stay O(1) */
    int fan_in = k->cin / k->groups * k->kh * k->kw;
    c.w = gy_test_randv(r, (size_t)k->cout * fan_in, 2.0f / sqrtf((float)fan_in));
    c.b = k->with_bias ? gy_test_randv(r, (size_t)k->cout, 1.0f) : NULL;
    int oh = gy_window_out(k->ih, k->kh, k->sh, k->ph);
    int ow = gy_window_out(k->iw, k->kw, k->sw, k->pw);
    ck_assert(oh > 0 && ow > 0);
    size_t plane = (size_t)oh * ow, on = (size_t)k->cout * plane;
    size_t total = on + 2 * GUARD_CH * plane;
    float *in = gy_test_randv(r, (size_t)k->cin * k->ih * k->iw, 3.0f);
    float *resbuf = k->with_res ? gy_test_randv(r, total, 2.0f) : NULL;
    float *ref = malloc(sizeof *ref * on), *buf = malloc(sizeof *buf * total);
    ck_assert(ref && buf);
    gy_conv_run run = {.p = &c, .in = in, .ih = k->ih, .iw = k->iw, .out = ref, .oh = oh,
                       .ow = ow, .res = resbuf ? resbuf + GUARD_CH * plane : NULL,
                       .res_before_act = k->res_before_act, .act = k->act};
    gy_f32_conv2d__ref(&run);
    run.threads = run_threads; /* the fast kernels cut their tasks for this many threads */
    double worst = 0.0;
    /* the input with an inaccessible page right after it, and one right before it: a kernel
     * that reads past either end of its input faults */
    static gy_test_guards guard = GY_TEST_GUARDS_NONE; /* kept from case to case */
    gy_test_guard_both(in, (size_t)k->cin * k->ih * k->iw, &guard);
    /* every ISA, and on AVX-512 every tuning variant, each with the input against either guard */
    const int nv = (int)gy_cpu_best_isa() + (gy_cpu_best_isa() == GY_ISA_AVX512) + 1;
    for (int vs = 0; vs < 2 * nv; vs++) {
        const int v = vs / 2;
        run.in = guard.in[vs % 2];
        int isa = v > GY_ISA_AVX512 ? GY_ISA_AVX512 : v;
        gy_tune tune = v == GY_ISA_AVX512 ? GY_TUNE_BASE : isa == GY_ISA_AVX512 ? GY_TUNE_FULL512
                                                                                 : GY_TUNE_BASE;
        gy_error err;
        ck_assert_int_eq(gy_conv_pack_tuned(&c, (gy_isa)isa, tune, &err), GY_OK);
        ck_assert_int_eq(c.tune, (int)tune);
        size_t sf = gy_f32_conv2d_scratch_floats(&c, oh, ow);
        float *scratch[MAX_THREADS];
        ck_assert(run_threads >= 1 && run_threads <= MAX_THREADS);
        for (int t = 0; t < run_threads; t++) {
            scratch[t] = aligned_alloc(64, sizeof(float) * (sf / 16 * 16 + 16));
            ck_assert_ptr_nonnull(scratch[t]);
        }
        for (size_t i = 0; i < total; i++)
            buf[i] = i < GUARD_CH * plane || i >= GUARD_CH * plane + on ? SENTINEL : NAN;
        run.out = buf + GUARD_CH * plane;
        size_t n = gy_f32_conv2d_tasks(&run);
        ck_assert(n >= 1);
        size_t *order = malloc(sizeof *order * n);
        ck_assert_ptr_nonnull(order);
        for (size_t t = 0; t < n; t++)
            order[t] = t;
        for (size_t t = n; t > 1; t--) { /* any order: tasks are independent */
            size_t j = gy_test_rng_u32(r) % t, tmp = order[t - 1];
            order[t - 1] = order[j];
            order[j] = tmp;
        }
        if (run_threads == 1) {
            for (size_t t = 0; t < n; t++)
                gy_f32_conv2d_task(&run, order[t], scratch[0]);
        } else {
            long nt = (long)n;
#pragma omp parallel for num_threads(run_threads) schedule(dynamic, 1)
            for (long t = 0; t < nt; t++)
                gy_f32_conv2d_task(&run, order[t], scratch[omp_get_thread_num()]);
        }
        free(order);
        size_t outside = total; /* the first float written outside the slice, if any (one
                                   assertion per run: each costs Check a write) */
        for (size_t i = 0; i < total; i++) {
            if (i < GUARD_CH * plane || i >= GUARD_CH * plane + on) {
                if (buf[i] != SENTINEL && outside == total)
                    outside = i;
                continue;
            }
            float f = buf[i], g = ref[i - GUARD_CH * plane];
            double d = fabs((double)f - g) / (1.0 + fabs((double)g));
            if (!(d <= worst)) /* also catches NaN: an output never written */
                worst = isnan(d) ? INFINITY : d;
        }
        ck_assert_msg(outside == total, "%s/%s: wrote outside its channel slice (float %zu)",
                      gy_isa_name((gy_isa)isa), gy_tune_name(tune), outside);
        for (int t = 0; t < run_threads; t++)
            free(scratch[t]);
    }
    free(c.wpack);
    free(c.w);
    free(c.b);
    free(in);
    free(resbuf);
    free(ref);
    free(buf);
    return worst;
}

#define NACTS 7
static const gy_act acts[NACTS] = {GY_ACT_NONE, GY_ACT_RELU, GY_ACT_SILU, GY_ACT_SIGMOID,
                                    GY_ACT_RELU6, GY_ACT_HARDSWISH, GY_ACT_HARDSIGMOID};
/* measured worst: 3.7e-6 direct, 2.5e-5 Winograd F(4, 3) (its transforms add rounding) */
#define TOL 2e-5
#define TOL_WINOGRAD 1e-4
#define TOL_S2_1X1 1e-5 /* 1x1 stride 2: measured worst 2.6e-6 */

static double worst_seen; /* per test, printed at its end */

/* The geometry of a case as a conv (no weights). */
static gy_conv geometry(const conv_case *k)
{
    gy_conv g;
    memset(&g, 0, sizeof g);
    g.cin = k->cin;
    g.cout = k->cout;
    g.groups = k->groups;
    g.kh = k->kh;
    g.kw = k->kw;
    g.sh = k->sh;
    g.sw = k->sw;
    g.ph = k->ph;
    g.pw = k->pw;
    return g;
}

static void check(gy_test_rng *r, const conv_case *k, const char *what)
{
    double e = run_case(r, k);
    if (e > worst_seen)
        worst_seen = e;
    gy_conv g = geometry(k);
    ck_assert_msg(e < (gy_winograd_eligible(&g) ? TOL_WINOGRAD : TOL),
                  "%s: %d->%d g%d %dx%d s%d,%d p%d,%d in %dx%d act %d res %d/%d: error %g", what,
                  k->cin, k->cout, k->groups, k->kh, k->kw, k->sh, k->sw, k->ph, k->pw, k->ih,
                  k->iw, (int)k->act, k->with_res, k->res_before_act, e);
}

/* 1x1, 3x3 and 5x5 dense convs, the odd channel counts of the models (3, 4, 12, 20, 24),
 * widths that are not multiples of 8 or 16, strides 1 and 2, paddings 0 .. k/2 + 1. */
START_TEST(dense_random_shapes)
{
    worst_seen = 0.0;
    static const int chans[] = {1, 3, 4, 12, 20, 24, 13, 37};
    gy_test_rng r = {0x1234567ULL};
    for (int it = 0; it < 120; it++) {
        conv_case k;
        memset(&k, 0, sizeof k);
        k.cin = chans[gy_test_rng_int(&r, 0, 7)];
        k.cout = chans[gy_test_rng_int(&r, 0, 7)] + (it % 5 == 0 ? 16 : 0);
        k.groups = 1;
        k.kh = k.kw = it % 3 == 0 ? 1 : it % 3 == 1 ? 3 : 5;
        if (it % 11 == 0) /* a rectangular filter */
            k.kw = 1 + 2 * gy_test_rng_int(&r, 0, 2);
        k.sh = gy_test_rng_int(&r, 1, 2);
        k.sw = it % 7 == 0 ? 3 - k.sh : k.sh;
        k.ph = gy_test_rng_int(&r, 0, k.kh / 2 + 1);
        k.pw = gy_test_rng_int(&r, 0, k.kw / 2 + 1);
        k.ih = gy_test_rng_int(&r, k.kh, 29);
        k.iw = gy_test_rng_int(&r, k.kw, 45);
        k.act = acts[it % NACTS];
        k.with_res = it % 3 != 0;
        k.res_before_act = it % 2;
        k.with_bias = it % 6 != 5;
        check(&r, &k, "dense");
    }
    printf("%s: worst relative error %.3g\n", "dense_random_shapes", worst_seen);
}
END_TEST

/* Sizes that exercise the blocking: K over one chunk (K = 360, 2304; 1x1: 4100), many pixel blocks,
 * row blocks (cout 200 on a small map), the first conv of every model at a rect size, and
 * grouped convs that are not depthwise. */
START_TEST(dense_blocking_and_rect)
{
    worst_seen = 0.0;
    gy_test_rng r = {42};
    const conv_case cases[] = {
        {3, 16, 1, 3, 3, 2, 2, 1, 1, 96, 160, GY_ACT_SILU, 0, 0, 1},    /* first conv, rect */
        {3, 32, 1, 3, 3, 2, 2, 1, 1, 48, 80, GY_ACT_SILU, 0, 0, 1},
        {40, 24, 1, 3, 3, 1, 1, 1, 1, 23, 37, GY_ACT_SILU, 1, 1, 1},    /* K = 360: 2 chunks */
        {256, 20, 1, 3, 3, 1, 1, 1, 1, 9, 7, GY_ACT_SILU, 1, 0, 1},     /* K = 2304 */
        {64, 200, 1, 1, 1, 1, 1, 0, 0, 10, 12, GY_ACT_SILU, 1, 0, 1},   /* row blocks */
        {4100, 20, 1, 1, 1, 1, 1, 0, 0, 13, 21, GY_ACT_SILU, 1, 1, 1},  /* 1x1, 2 K chunks */
        {33, 13, 1, 1, 1, 1, 1, 0, 0, 40, 40, GY_ACT_RELU, 1, 0, 1},    /* direct 1x1 + tail */
        {96, 250, 1, 3, 3, 2, 2, 1, 1, 16, 20, GY_ACT_RELU, 1, 1, 1},
        {24, 20, 1, 1, 1, 1, 1, 0, 0, 48, 80, GY_ACT_SIGMOID, 1, 1, 1}, /* many pixel blocks */
        {12, 18, 6, 3, 3, 1, 1, 1, 1, 11, 13, GY_ACT_SILU, 0, 0, 1},    /* groups 6 */
        {16, 32, 16, 3, 3, 2, 2, 1, 1, 15, 17, GY_ACT_SILU, 1, 1, 1},   /* groups 16, cin_g 1 */
        {8, 8, 8, 3, 3, 5, 5, 1, 1, 21, 23, GY_ACT_SILU, 0, 0, 1},      /* depthwise stride 5 */
        {5, 7, 1, 1, 1, 2, 2, 0, 0, 9, 9, GY_ACT_NONE, 0, 0, 0},        /* 1x1 stride 2 */
        {4, 4, 1, 1, 1, 1, 1, 1, 1, 5, 6, GY_ACT_NONE, 1, 0, 1},        /* 1x1 with padding */
        {20, 12, 1, 3, 3, 1, 1, 0, 0, 3, 3, GY_ACT_SILU, 0, 0, 1},      /* one pixel */
        {6, 10, 1, 3, 1, 1, 1, 0, 0, 9, 11, GY_ACT_NONE, 0, 0, 1},      /* 3x1, stride 1, no pad: */
        {5, 9, 1, 5, 1, 1, 1, 0, 0, 12, 7, GY_ACT_SILU, 1, 0, 1},       /* not pointwise (kh > 1) */
        /* 1x1 on planes of 4 KiB multiples, 64+ output channels: packed panels, row panels
         * outer (fewer channels: in place) */
        {40, 70, 1, 1, 1, 1, 1, 0, 0, 32, 32, GY_ACT_SILU, 1, 0, 1},
        {4100, 64, 1, 1, 1, 1, 1, 0, 0, 16, 64, GY_ACT_RELU, 1, 1, 1},  /* 2 K chunks */
        {24, 100, 1, 1, 1, 1, 1, 0, 0, 64, 80, GY_ACT_SIGMOID, 0, 0, 1}, /* many pixel blocks */
        {24, 63, 1, 1, 1, 1, 1, 0, 0, 32, 64, GY_ACT_SILU, 1, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check(&r, &cases[i], "blocking");
    printf("%s: worst relative error %.3g\n", "dense_blocking_and_rect", worst_seen);
}
END_TEST

/* Stride-2 convs, whose im2col panels the x86 paths gather with vector permutes straight into
 * the panels (kernels/f32_im2col_s2__*.c): input channels 3, 4, 5 and the odd counts, paddings
 * 0, 1 and 2 (more than the filter's half: whole rows and runs of zeros), odd and even widths
 * and heights below and above a panel (16 / 32 columns) and a row of a task crossing panels,
 * stride 1 in y with 2 in x, 1x3 / 5x5 filters, rect maps (96x160), and K chunks (cin 40 x 9). */
START_TEST(stride2_shapes)
{
    worst_seen = 0.0;
    gy_test_rng r = {0x5152ULL};
    const conv_case cases[] = {
        {3, 16, 1, 3, 3, 2, 2, 1, 1, 96, 160, GY_ACT_SILU, 0, 0, 1},
        {3, 32, 1, 3, 3, 2, 2, 1, 1, 97, 161, GY_ACT_SILU, 0, 0, 1},
        {4, 12, 1, 3, 3, 2, 2, 0, 0, 33, 65, GY_ACT_SILU, 1, 0, 1},
        {5, 20, 1, 3, 3, 2, 2, 2, 2, 31, 67, GY_ACT_RELU, 1, 1, 1},
        {12, 24, 1, 3, 3, 2, 2, 1, 1, 40, 40, GY_ACT_SILU, 1, 0, 1},
        {20, 24, 1, 3, 3, 2, 2, 1, 1, 41, 39, GY_ACT_SIGMOID, 0, 0, 1},
        {24, 20, 1, 3, 3, 2, 2, 1, 1, 20, 20, GY_ACT_SILU, 1, 1, 0},
        {3, 16, 1, 3, 3, 2, 2, 1, 2, 7, 5, GY_ACT_NONE, 0, 0, 1},
        {4, 8, 1, 3, 3, 2, 2, 2, 0, 3, 3, GY_ACT_SILU, 0, 0, 1},
        {5, 12, 1, 3, 3, 1, 2, 1, 1, 17, 130, GY_ACT_SILU, 1, 0, 1},   /* sh 1, sw 2 */
        {3, 16, 1, 5, 5, 2, 2, 2, 2, 29, 71, GY_ACT_SILU, 0, 0, 1},
        {4, 12, 1, 1, 3, 2, 2, 0, 1, 18, 34, GY_ACT_NONE, 1, 1, 1},
        {40, 36, 1, 3, 3, 2, 2, 1, 1, 24, 66, GY_ACT_SILU, 1, 0, 1},   /* K = 360: 2 chunks */
        {16, 32, 1, 3, 3, 2, 2, 1, 1, 80, 80, GY_ACT_SILU, 0, 0, 1},
        {12, 24, 4, 3, 3, 2, 2, 1, 1, 21, 45, GY_ACT_SILU, 0, 0, 1},   /* groups 4 */
        /* AVX-512 direct path: weights of one 32-channel block above its per-task budget, so
         * tasks split the blocks (3 blocks, the last partial) as well as the rows */
        {256, 70, 1, 3, 3, 2, 2, 1, 1, 13, 41, GY_ACT_SILU, 1, 0, 1},
        /* full-width AVX-512, blocks of 48 (fewer empty channels than 32): one partial block
         * (40: 16 + 16 + 8) over its budget, 3 blocks, rows of 8 + 8 + 4 and of 8 + 6, a row of
         * 3 pixels (the 4-pixel tile), unpadded */
        {256, 40, 1, 3, 3, 2, 2, 1, 1, 13, 41, GY_ACT_SILU, 1, 0, 1},
        {64, 144, 1, 3, 3, 2, 2, 1, 1, 41, 27, GY_ACT_SILU, 1, 0, 1},
        {48, 48, 1, 3, 3, 2, 2, 1, 1, 40, 40, GY_ACT_RELU, 0, 0, 1},
        {32, 40, 1, 3, 3, 2, 2, 0, 0, 9, 7, GY_ACT_HARDSWISH, 1, 1, 1},
        /* a model's 40 -> 20: tiles of 10 pixels x 32 channels, then 16 channels */
        {64, 48, 1, 3, 3, 2, 2, 1, 1, 40, 40, GY_ACT_SILU, 0, 0, 1},
        {32, 64, 1, 3, 3, 2, 2, 1, 1, 24, 48, GY_ACT_SILU, 1, 1, 1},   /* rows of 24: 12 x 2 */
        {32, 80, 1, 3, 3, 2, 2, 1, 1, 18, 34, GY_ACT_SILU, 1, 0, 1},   /* 17: 12 + 8 (5) */
        {16, 40, 1, 3, 3, 2, 2, 1, 1, 19, 33, GY_ACT_RELU, 1, 1, 1},   /* odd: right edge */
        {24, 24, 1, 3, 3, 2, 2, 1, 1, 31, 32, GY_ACT_SILU, 0, 0, 1},   /* rows of 16: 8 x 2 */
        {7, 40, 1, 3, 3, 2, 2, 1, 1, 21, 41, GY_ACT_SILU, 1, 0, 1},    /* K 63: 16 x 16 tiles */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check(&r, &cases[i], "stride 2");
    for (int it = 0; it < 60; it++) { /* random sizes, paddings and filters */
        conv_case k;
        memset(&k, 0, sizeof k);
        static const int chans[] = {3, 4, 5, 12, 20, 24};
        k.cin = chans[gy_test_rng_int(&r, 0, 5)];
        k.cout = chans[gy_test_rng_int(&r, 0, 5)] + 8 * gy_test_rng_int(&r, 0, 2);
        k.groups = 1;
        k.kh = 1 + 2 * gy_test_rng_int(&r, 0, 2);
        k.kw = 1 + 2 * gy_test_rng_int(&r, 0, 2);
        k.sh = gy_test_rng_int(&r, 1, 2);
        k.sw = 2;
        k.ph = gy_test_rng_int(&r, 0, k.kh / 2 + 1);
        k.pw = gy_test_rng_int(&r, 0, k.kw / 2 + 1);
        k.ih = gy_test_rng_int(&r, k.kh, 50);
        k.iw = gy_test_rng_int(&r, k.kw, 140);
        k.act = acts[it % NACTS];
        k.with_res = it % 3 == 1;
        k.res_before_act = it % 2;
        k.with_bias = it % 5 != 0;
        check(&r, &k, "stride 2 random");
    }
    printf("%s: worst relative error %.3g\n", "stride2_shapes", worst_seen);
}
END_TEST

/* 1x1 stride-2 convs without padding (HS-ResNet's shortcuts), which take the packed GEMM on
 * every ISA (not the direct stride-2 kernel), their B panels a strided copy of the input,
 * channel by channel (kernels/f32-im2col/f32_im2col_s2_loop.h): odd and even heights and widths
 * (the last output column reads the last input), channel counts that are not multiples of 16,
 * K over one chunk (4100 = 2 x 2050), maps whose rows cross the 32-column panels and rows
 * narrower than a panel (more runs per pixel block than one batch of the copy's plan), sh 1 with
 * sw 2, a 1-pixel-wide map, groups, on 1 and 3 threads; then random shapes. */
START_TEST(pointwise_stride2_shapes)
{
    worst_seen = 0.0;
    gy_test_rng r = {0x1521ULL};
    const conv_case cases[] = {
        {256, 96, 1, 1, 1, 2, 2, 0, 0, 160, 160, GY_ACT_NONE, 0, 0, 1}, /* 160 -> 80 */
        {64, 128, 1, 1, 1, 2, 2, 0, 0, 40, 40, GY_ACT_NONE, 1, 0, 1},   /* 40 -> 20 */
        {128, 390, 1, 1, 1, 2, 2, 0, 0, 40, 39, GY_ACT_SILU, 1, 0, 1},  /* row and pixel blocks */
        {37, 45, 1, 1, 1, 2, 2, 0, 0, 33, 67, GY_ACT_SILU, 1, 0, 1},    /* odd: 17 x 34 */
        {20, 24, 1, 1, 1, 2, 2, 0, 0, 31, 65, GY_ACT_RELU, 0, 0, 1},    /* odd: 16 x 33 */
        {4100, 36, 1, 1, 1, 2, 2, 0, 0, 14, 22, GY_ACT_SIGMOID, 1, 1, 1}, /* 2 K chunks */
        {24, 70, 1, 1, 1, 2, 2, 0, 0, 403, 5, GY_ACT_SILU, 1, 1, 0},    /* rows of 3: 202 x 3 */
        {13, 33, 1, 1, 1, 2, 2, 0, 0, 130, 1, GY_ACT_HARDSWISH, 0, 0, 1}, /* one column */
        {12, 20, 1, 1, 1, 1, 2, 0, 0, 21, 131, GY_ACT_SILU, 1, 0, 1},   /* sh 1, sw 2 */
        {48, 40, 1, 1, 1, 2, 2, 0, 0, 1, 97, GY_ACT_RELU6, 0, 0, 1},    /* one row */
        {64, 64, 2, 1, 1, 2, 2, 0, 0, 15, 14, GY_ACT_SIGMOID, 0, 0, 0}, /* groups 2 */
        {96, 48, 3, 1, 1, 2, 2, 0, 0, 41, 39, GY_ACT_SILU, 1, 0, 1},    /* groups 3 */
    };
    for (int threads = 1; threads <= 3; threads += 2) {
        run_threads = threads;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            gy_conv g = geometry(&cases[i]);
            for (int isa = GY_ISA_GENERIC; isa <= (int)gy_cpu_best_isa(); isa++)
                ck_assert_msg(!gy_grouped_eligible(&g, isa) && !gy_s2_direct_eligible(&g, isa),
                              "case %zu takes a direct kernel on %s", i, gy_isa_name((gy_isa)isa));
            check(&r, &cases[i], threads == 1 ? "1x1 stride 2" : "1x1 stride 2, 3 threads");
        }
    }
    run_threads = 1;
    for (int it = 0; it < 40; it++) {
        conv_case k;
        memset(&k, 0, sizeof k);
        k.groups = it % 4 == 3 ? 2 : 1;
        k.cin = k.groups * gy_test_rng_int(&r, 1, 70);
        k.cout = k.groups * gy_test_rng_int(&r, 1, 90);
        k.kh = k.kw = 1;
        k.sh = it % 5 == 4 ? 1 : 2;
        k.sw = 2;
        k.ih = gy_test_rng_int(&r, 1, 60);
        k.iw = gy_test_rng_int(&r, 1, 150);
        k.act = acts[it % NACTS];
        k.with_res = it % 3 == 1;
        k.res_before_act = it % 2;
        k.with_bias = it % 5 != 0;
        check(&r, &k, "1x1 stride 2 random");
    }
    /* padded or wider 1x1 stride-2 convs keep the direct kernel (AVX2 / AVX-512) */
    conv_case padded = {8, 16, 1, 1, 1, 2, 2, 1, 0, 9, 9, GY_ACT_NONE, 0, 0, 1};
    conv_case padded_w = {8, 16, 1, 1, 1, 2, 2, 0, 1, 9, 9, GY_ACT_NONE, 0, 0, 1};
    conv_case wide = {8, 16, 1, 1, 3, 2, 2, 0, 0, 9, 9, GY_ACT_NONE, 0, 0, 1};
    conv_case tall = {8, 16, 1, 3, 1, 2, 2, 0, 0, 9, 9, GY_ACT_NONE, 0, 0, 1};
    const conv_case *kept[] = {&padded, &padded_w, &wide, &tall};
    for (size_t i = 0; i < 4; i++) {
        gy_conv g = geometry(kept[i]);
        ck_assert(!gy_s2_direct_eligible(&g, GY_ISA_GENERIC));
        for (int isa = GY_ISA_AVX2; isa <= (int)gy_cpu_best_isa(); isa++)
            ck_assert_msg(gy_s2_direct_eligible(&g, isa), "kept case %zu", i);
        check(&r, kept[i], "1x1 stride 2 kept");
    }
    printf("%s: worst relative error %.3g\n", "pointwise_stride2_shapes", worst_seen);
    ck_assert_msg(worst_seen < TOL_S2_1X1, "1x1 stride 2: worst error %g", worst_seen);
}
END_TEST

/* 3x3 stride-1 convs that take Winograd F(4, 3): maps that are not multiples of the 4x4 tile,
 * paddings 0, 1 and 2, more than one block of 32 tiles, several channel blocks on a small map,
 * residual and activations, rect maps. */
START_TEST(winograd_shapes)
{
    worst_seen = 0.0;
    gy_test_rng r = {0xabcdefULL};
    const conv_case cases[] = {
        {16, 16, 1, 3, 3, 1, 1, 1, 1, 5, 7, GY_ACT_SILU, 1, 0, 1},
        {20, 24, 1, 3, 3, 1, 1, 0, 0, 13, 11, GY_ACT_NONE, 0, 0, 1},
        {24, 20, 1, 3, 3, 1, 1, 2, 2, 9, 30, GY_ACT_SIGMOID, 1, 1, 1},
        {32, 37, 1, 3, 3, 1, 1, 1, 1, 48, 80, GY_ACT_SILU, 1, 0, 1},   /* 240 tiles, rect */
        {64, 200, 1, 3, 3, 1, 1, 1, 1, 10, 10, GY_ACT_SILU, 0, 0, 1},  /* channel blocks */
        {17, 19, 1, 3, 3, 1, 1, 1, 0, 3, 4, GY_ACT_RELU, 1, 1, 0},     /* one partial tile */
        {128, 16, 1, 3, 3, 1, 1, 1, 1, 20, 12, GY_ACT_SILU, 1, 1, 1},
    };
    for (int threads = 1; threads <= 3; threads += 2) { /* 3: channel blocks on small maps */
        run_threads = threads;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            gy_conv g;
            memset(&g, 0, sizeof g);
            g.cin = cases[i].cin;
            g.cout = cases[i].cout;
            g.groups = 1;
            g.kh = g.kw = 3;
            g.sh = g.sw = 1;
            g.ph = cases[i].ph;
            g.pw = cases[i].pw;
            ck_assert_msg(gy_winograd_eligible(&g), "case %zu should take the Winograd path", i);
            check(&r, &cases[i], threads == 1 ? "winograd" : "winograd, 3 threads");
        }
    }
    run_threads = 1;
    printf("%s: worst relative error %.3g\n", "winograd_shapes", worst_seen);
}
END_TEST

/* Grouped convs whose groups are dense convs of a faster kernel (f32_conv2d_grouped.c): 3x3
 * stride 1 with >= 16 channels per group (Winograd per group, so Winograd's bound), stride 2 with
 * >= 16 output channels per group (the direct stride-2 kernel per group on AVX2 / AVX-512);
 * group widths that are not multiples of the kernels' channel blocks, many groups, odd and tiny
 * maps, paddings 0 and 2, residual before and after the activation, no bias, a 1x1 and a 5x5
 * stride 2. The outputs are a channel slice (run_case's guards). */
START_TEST(grouped_per_group_shapes)
{
    worst_seen = 0.0;
    gy_test_rng r = {0x4711ULL};
    const conv_case cases[] = {
        {96, 96, 2, 3, 3, 1, 1, 1, 1, 21, 19, GY_ACT_RELU, 0, 0, 1},   /* G-GhostNet's width 48 */
        {48, 96, 3, 3, 3, 1, 1, 1, 1, 9, 30, GY_ACT_SILU, 1, 0, 1},    /* 16 -> 32 per group */
        {64, 80, 4, 3, 3, 1, 1, 0, 0, 5, 6, GY_ACT_NONE, 1, 1, 0},     /* 16 -> 20 per group */
        {336, 336, 7, 3, 3, 1, 1, 2, 2, 11, 13, GY_ACT_HARDSWISH, 0, 0, 1},
        {96, 96, 2, 3, 3, 2, 2, 1, 1, 23, 17, GY_ACT_RELU, 0, 0, 1},
        {72, 120, 3, 3, 3, 2, 2, 1, 1, 2, 3, GY_ACT_RELU6, 1, 0, 1},   /* 24 -> 40, a 2x3 map */
        {1008, 1008, 21, 3, 3, 2, 2, 1, 1, 7, 9, GY_ACT_RELU, 1, 1, 1},
        {64, 96, 4, 5, 5, 2, 2, 2, 2, 12, 13, GY_ACT_SILU, 0, 0, 1},   /* 5x5 stride 2 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const conv_case *k = &cases[i];
        gy_conv g = geometry(k);
        /* the per-group path is taken: stride 1 on every ISA, stride 2 with a vector ISA */
        int s1 = k->sw == 1;
        ck_assert_msg(gy_grouped_eligible(&g, GY_ISA_GENERIC) == s1, "case %zu", i);
        if (gy_cpu_best_isa() >= GY_ISA_AVX2)
            ck_assert_msg(gy_grouped_eligible(&g, GY_ISA_AVX2), "case %zu", i);
        double e = run_case(&r, k);
        if (e > worst_seen)
            worst_seen = e;
        ck_assert_msg(e < (k->sw == 1 ? TOL_WINOGRAD : TOL), "case %zu: %d->%d g%d %dx%d s%d: %g",
                      i, k->cin, k->cout, k->groups, k->kh, k->kw, k->sw, e);
    }
    printf("%s: worst relative error %.3g\n", "grouped_per_group_shapes", worst_seen);
    /* not taken: depthwise, groups 1, narrow groups (8 in, or 10 out, per group), groups that do
     * not divide the channels, a 1x1 stride 1, a 1x1 stride 2 (the per-group GEMM: the
     * pointwise_stride2 test) */
    static const int no[][5] = {{32, 32, 32, 3, 1}, {32, 32, 1, 3, 1}, {32, 32, 4, 3, 1},
                                {32, 32, 4, 3, 2}, {30, 30, 4, 3, 1}, {32, 30, 2, 1, 1},
                                {64, 40, 4, 3, 1}, {64, 64, 2, 1, 2}};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        gy_conv g;
        memset(&g, 0, sizeof g);
        g.cin = no[i][0];
        g.cout = no[i][1];
        g.groups = no[i][2];
        g.kh = g.kw = no[i][3];
        g.sh = g.sw = no[i][4];
        g.ph = g.pw = g.kh / 2;
        ck_assert_msg(!gy_grouped_eligible(&g, gy_cpu_best_isa()), "case %zu", i);
    }
}
END_TEST

/* Depthwise 3x3 / 5x5 (stride 1 and 2), the 1x5 / 5x1 pair of DFC attention, on random sizes
 * including planes smaller than the filter and widths past the vector lengths. */
START_TEST(depthwise_random_shapes)
{
    worst_seen = 0.0;
    static const int filters[6][2] = {{3, 3}, {5, 5}, {1, 5}, {5, 1}, {1, 1}, {7, 7}};
    gy_test_rng r = {0xfeedULL};
    for (int f = 0; f < 6; f++)
        for (int s = 1; s <= 2; s++)
            for (int rep = 0; rep < 10; rep++) {
                conv_case k;
                memset(&k, 0, sizeof k);
                k.cin = k.cout = k.groups = gy_test_rng_int(&r, 2, 40);
                k.kh = filters[f][0];
                k.kw = filters[f][1];
                k.sh = k.sw = s;
                if (rep == 9)
                    k.sw = 3 - s;
                k.ph = rep % 4 == 3 ? 0 : k.kh / 2;
                k.pw = rep % 4 == 3 ? 0 : k.kw / 2;
                k.ih = gy_test_rng_int(&r, rep < 2 ? 1 : k.kh, rep < 2 ? 3 : 41);
                k.iw = gy_test_rng_int(&r, rep < 2 ? 1 : k.kw, rep < 2 ? 3 : 70);
                if (k.ih + 2 * k.ph < k.kh || k.iw + 2 * k.pw < k.kw) {
                    k.ph = k.kh / 2;
                    k.pw = k.kw / 2;
                }
                k.act = acts[rep % NACTS];
                k.with_res = rep % 3 == 1;
                k.res_before_act = rep % 2;
                k.with_bias = rep % 5 != 0;
                check(&r, &k, "depthwise");
            }
    printf("%s: worst relative error %.3g\n", "depthwise_random_shapes", worst_seen);
}
END_TEST

/* The Ghost models' depthwise layers at rect sizes (384x640 maps: 48x80 .. 12x20). */
START_TEST(depthwise_model_sizes)
{
    worst_seen = 0.0;
    gy_test_rng r = {7};
    static const int sizes[3][2] = {{48, 80}, {24, 40}, {12, 20}};
    for (int i = 0; i < 3; i++) {
        conv_case k = {64, 64, 64, 5, 5, 1, 1, 2, 2, sizes[i][0], sizes[i][1], GY_ACT_SILU, 1, 0, 1};
        check(&r, &k, "dw5x5");
        k.kh = k.kw = 3;
        k.ph = k.pw = 1;
        k.sh = k.sw = 2;
        k.act = GY_ACT_NONE;
        check(&r, &k, "dw3x3 s2");
        k.sh = k.sw = 1;
        k.kh = 1;
        k.ph = 0;
        k.kw = 5;
        k.pw = 2;
        check(&r, &k, "dfc 1x5");
        k.kh = 5;
        k.ph = 2;
        k.kw = 1;
        k.pw = 0;
        k.act = GY_ACT_SIGMOID;
        check(&r, &k, "dfc 5x1");
    }
    printf("%s: worst relative error %.3g\n", "depthwise_model_sizes", worst_seen);
}
END_TEST

/* The activation, in double from its definition (not the library's scalar gy_act_apply). */
static double act_exact(gy_act act, double v)
{
    switch (act) {
    case GY_ACT_SILU: return v / (1.0 + exp(-v));
    case GY_ACT_RELU: return v > 0.0 ? v : 0.0;
    case GY_ACT_SIGMOID: return 1.0 / (1.0 + exp(-v));
    case GY_ACT_RELU6: return v < 0.0 ? 0.0 : v > 6.0 ? 6.0 : v;
    case GY_ACT_HARDSWISH: { /* torch's float x * relu6(x + 3) overflows before the / 6 */
        double p = v * (v + 3.0 < 0.0 ? 0.0 : v + 3.0 > 6.0 ? 6.0 : v + 3.0);
        return fabs(p) > FLT_MAX ? (p > 0 ? INFINITY : -INFINITY) : p / 6.0;
    }
    case GY_ACT_HARDSIGMOID: return (v + 3.0 < 0.0 ? 0.0 : v + 3.0 > 6.0 ? 6.0 : v + 3.0) / 6.0;
    case GY_ACT_NONE: break;
    }
    return v;
}

/* 1x1 convs on a 1x1 map (squeeze-and-excite) take the AVX-512 GEMV (f32_gemv__avx512.c): its
 * outputs must be the packed GEMM tile's bit for bit. The same weights on a 1x2 map run the tile,
 * whose first column gets the same input values: every output of the 1x1 map equals that column's,
 * over K within one chunk and across 2-3 chunks, row counts around the 12-row panels and the
 * 4-panel blocks, every activation, bias or not, a residual before or after; and both stay within
 * the reference's bound (run_case, on every ISA). */
START_TEST(gemv_one_pixel)
{
    static const int ks[] = {1, 5, 16, 255, 257, 960, 4096, 4097, 8200};
    static const int ms[] = {1, 4, 11, 12, 13, 47, 48, 49, 60, 100, 240};
    static const gy_act gacts[] = {GY_ACT_NONE, GY_ACT_RELU, GY_ACT_SILU, GY_ACT_SIGMOID,
                                  GY_ACT_HARDSIGMOID, GY_ACT_HARDSWISH, GY_ACT_RELU6};
    gy_test_rng r = {777};
    for (int i = 0; i < 30; i++) {
        int K = ks[i % 9], M = ms[i % 11];
        conv_case k = {.cin = K, .cout = M, .groups = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1,
                       .ih = 1, .iw = 1, .act = gacts[i % 7], .with_res = i % 3 == 1,
                       .res_before_act = i % 2, .with_bias = i % 4 != 0};
        ck_assert_msg(run_case(&r, &k) < 1e-5, "K %d M %d", K, M);
        if (gy_cpu_best_isa() < GY_ISA_AVX512)
            continue;
        gy_conv c;
        memset(&c, 0, sizeof c);
        c.cin = K, c.cout = M, c.groups = 1, c.kh = c.kw = c.sh = c.sw = 1;
        c.w = gy_test_randv(&r, (size_t)K * M, 2.0f / sqrtf((float)K));
        c.b = k.with_bias ? gy_test_randv(&r, (size_t)M, 1.0f) : NULL;
        float *x = gy_test_randv(&r, (size_t)K, 3.0f), *x2 = malloc(sizeof(float) * 2 * K);
        float *res = gy_test_randv(&r, (size_t)M, 2.0f), *res2 = malloc(sizeof(float) * 2 * M);
        float *o1 = malloc(sizeof(float) * M), *o2 = malloc(sizeof(float) * 2 * M);
        ck_assert(x2 && res2 && o1 && o2);
        for (int j = 0; j < K; j++)
            x2[2 * j] = x[j], x2[2 * j + 1] = -x[j];
        for (int j = 0; j < M; j++)
            res2[2 * j] = res[j], res2[2 * j + 1] = 0.5f;
        ck_assert_int_eq(gy_conv_pack(&c, GY_ISA_AVX512, NULL), GY_OK);
        float *scratch = aligned_alloc(64, sizeof(float) * (gy_f32_conv2d_scratch_floats(&c, 1, 2) +
                                                            gy_f32_conv2d_scratch_floats(&c, 1, 1) + 64));
        ck_assert_ptr_nonnull(scratch);
        gy_conv_run one = {.p = &c, .in = x, .ih = 1, .iw = 1, .out = o1, .oh = 1, .ow = 1,
                           .res = k.with_res ? res : NULL, .res_before_act = k.res_before_act,
                           .act = k.act};
        gy_conv_run two = one;
        two.in = x2, two.iw = 2, two.out = o2, two.ow = 2, two.res = k.with_res ? res2 : NULL;
        for (size_t t = gy_f32_conv2d_tasks(&one); t-- > 0;)
            gy_f32_conv2d_task(&one, t, scratch);
        for (size_t t = gy_f32_conv2d_tasks(&two); t-- > 0;)
            gy_f32_conv2d_task(&two, t, scratch);
        for (int j = 0; j < M; j++)
            ck_assert_msg(!memcmp(&o1[j], &o2[2 * j], sizeof(float)),
                          "K %d M %d act %d res %d/%d: output %d %a vs the tile's %a", K, M,
                          (int)k.act, k.with_res, k.res_before_act, j, o1[j], o2[2 * j]);
        free(scratch);
        free(c.wpack);
        free(c.w);
        free(c.b);
        free(x), free(x2), free(res), free(res2), free(o1), free(o2);
    }
}
END_TEST

/* The activations of the epilogue, through a 1x1 identity conv, against act_exact (libm's exp
 * in double) over [-120, 120] and the float extremes, on every ISA: relative error a few float
 * ulps. */
START_TEST(epilogue_activations)
{
    enum { N = 4801 };
    float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
    ck_assert(x && y);
    for (int i = 0; i < N - 5; i++)
        x[i] = -120.0f + 240.0f * (float)i / (float)(N - 6);
    x[N - 5] = 0.0f;
    x[N - 4] = -0.0f;
    x[N - 3] = 3.0e38f;
    x[N - 2] = -3.0e38f;
    x[N - 1] = 1e-30f;
    float one = 1.0f;
    gy_conv c;
    memset(&c, 0, sizeof c);
    c.cin = c.cout = c.groups = 1;
    c.kh = c.kw = c.sh = c.sw = 1;
    c.w = &one;
    for (int isa = GY_ISA_GENERIC; isa <= (int)gy_cpu_best_isa(); isa++) {
        ck_assert_int_eq(gy_conv_pack(&c, (gy_isa)isa, NULL), GY_OK);
        float *scratch = aligned_alloc(64, sizeof(float) * (gy_f32_conv2d_scratch_floats(&c, 1, N) / 16 * 16 + 16));
        ck_assert_ptr_nonnull(scratch);
        for (int a = 0; a < NACTS; a++) {
            gy_conv_run run = {.p = &c, .in = x, .ih = 1, .iw = N, .out = y, .oh = 1, .ow = N,
                               .act = acts[a]};
            gy_f32_conv2d_serial(&run, scratch);
            double worst = 0.0;
            for (int i = 0; i < N; i++) {
                double want = act_exact(acts[a], x[i]);
                double d = (double)y[i] == want ? 0.0 : fabs((double)y[i] - want);
                /* relative where the value is normal, absolute below that */
                double rel = d / (fabs((double)want) > 1e-30 ? fabs((double)want) : 1.0);
                /* measured: at most 1.8e-7 (AVX-512 SiLU), 1.7e-7 AVX2, 1.1e-7 generic */
                ck_assert_msg(rel < 5e-7, "%s act %d at x = %g: %.9g, expected %.9g",
                              gy_isa_name((gy_isa)isa), a, (double)x[i], (double)y[i],
                              (double)want);
                if (rel > worst)
                    worst = rel;
            }
            printf("%s act %d: max relative error %.3g\n", gy_isa_name((gy_isa)isa), a, worst);
        }
        free(scratch);
    }
    free(c.wpack);
    free(x);
    free(y);
}
END_TEST

/* ulps between two non-negative floats (exp's results) */
static uint32_t ulps(float a, float b)
{
    uint32_t ua, ub;
    memcpy(&ua, &a, 4);
    memcpy(&ub, &b, 4);
    return ua > ub ? ua - ub : ub - ua;
}

/* The vector exp against expf on every 97th float bit pattern (all signs, subnormals, infinities
 * and NaNs), per ISA: NaN stays NaN, and the largest distance is asserted in ulps. */
START_TEST(exp_whole_float_range)
{
    enum { CHUNK = 4096 };
    float x[CHUNK], y[CHUNK];
    for (int isa = GY_ISA_AVX2; isa <= (int)gy_cpu_best_isa(); isa++) {
        uint32_t worst = 0;
        float worst_x = 0.0f;
        uint64_t bits = 0;
        while (bits <= 0xffffffffULL) {
            int n = 0;
            for (; n < CHUNK && bits <= 0xffffffffULL; n++, bits += 97) {
                uint32_t b = (uint32_t)bits;
                memcpy(&x[n], &b, 4);
            }
            gy_f32_exp_isa((gy_isa)isa, x, y, (size_t)n);
            for (int i = 0; i < n; i++) {
                float want = expf(x[i]);
                if (isnan(want)) {
                    ck_assert_msg(isnan(y[i]), "%s exp(NaN) = %g", gy_isa_name((gy_isa)isa),
                                  (double)y[i]);
                    continue;
                }
                uint32_t u = ulps(y[i], want);
                if (u > worst) {
                    worst = u;
                    worst_x = x[i];
                }
            }
        }
        printf("%s exp: max %u ulp (at x = %.9g)\n", gy_isa_name((gy_isa)isa), (unsigned)worst,
               (double)worst_x);
        ck_assert_msg(worst <= 2, "%s exp: %u ulp at x = %.9g", gy_isa_name((gy_isa)isa),
                      (unsigned)worst, (double)worst_x);
    }
    /* the special values, exactly */
    float sx[4] = {INFINITY, -INFINITY, 0.0f, 100.0f}, sy[4];
    for (int isa = GY_ISA_GENERIC; isa <= (int)gy_cpu_best_isa(); isa++) {
        gy_f32_exp_isa((gy_isa)isa, sx, sy, 4);
        ck_assert(isinf(sy[0]) && sy[0] > 0);
        ck_assert(sy[1] == 0.0f);
        ck_assert(sy[2] == 1.0f);
        ck_assert(isinf(sy[3]));
    }
}
END_TEST

/* GY_ISA requests: the CPU's best, a lower one, an unknown name. */
START_TEST(isa_selection)
{
    gy_isa isa;
    gy_error err;
    ck_assert_int_eq(gy_isa_select(NULL, &isa, &err), GY_OK);
    ck_assert_int_eq(isa, gy_cpu_best_isa());
    ck_assert_int_eq(gy_isa_select("generic", &isa, &err), GY_OK);
    ck_assert_int_eq(isa, GY_ISA_GENERIC);
    ck_assert_int_eq(gy_isa_select("sse9", &isa, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "sse9"));
    if (gy_cpu_best_isa() < GY_ISA_AVX512) {
        ck_assert_int_eq(gy_isa_select("avx512", &isa, &err), GY_ERR_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(err.message, "avx512"));
    } else {
        ck_assert_int_eq(gy_isa_select("avx2", &isa, &err), GY_OK);
        ck_assert_int_eq(isa, GY_ISA_AVX2);
    }
    printf("CPU: %s\n", gy_isa_name(gy_cpu_best_isa()));
}
END_TEST

/* Whole models through GY_ISA on every ISA this CPU has, against ultralytics' outputs (the
 * parity cases: a Ghost model with depthwise, Winograd, 1x1 and stride-2 convs, and a rect
 * yolov8n); an unknown or unavailable GY_ISA is refused with a message naming it. */
START_TEST(parity_on_every_isa)
{
    const char *cfg = gy_test_shared("configs/YOLOv8_C2f_GhostBottlenecks.yaml");
    gy_model_params mp = gy_model_default_params();
    gy_error err;
    gy_model *m = NULL;
    ck_assert_int_eq(setenv("GY_ISA", "sse9", 1), 0);
    ck_assert_int_eq(gy_model_load(cfg, NULL, &mp, &m, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "GY_ISA"));
    unsetenv("GY_ISA");
    ck_assert_int_eq(setenv("GY_TUNE", "full", 1), 0); /* not a variant's name */
    ck_assert_int_eq(gy_model_load(cfg, NULL, &mp, &m, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "GY_TUNE 'full'"));
    /* every ISA; on AVX-512 every tuning variant (GY_TUNE) */
    static const char *const tunes[] = {"base", "full512"};
    for (int isa = GY_ISA_GENERIC; isa <= (int)gy_cpu_best_isa(); isa++)
        for (int t = 0; t < (isa == GY_ISA_AVX512 ? 2 : 1); t++) {
            ck_assert_int_eq(setenv("GY_ISA", gy_isa_name((gy_isa)isa), 1), 0);
            ck_assert_int_eq(setenv("GY_TUNE", tunes[t], 1), 0);
            printf("GY_ISA=%s GY_TUNE=%s\n", gy_isa_name((gy_isa)isa), tunes[t]);
            gy_test_parity("ghost_n_640", 2);
            gy_test_parity("v8n_rect_f16", 1);
            gy_test_parity("real_v8n_bus640", 2);
        }
    unsetenv("GY_ISA");
    unsetenv("GY_TUNE");
}
END_TEST

/* The machine kind: cpuid's ISA is the kernels' best, the probe's verdict follows its two rates
 * (full width above 1.5 times the 256-bit rate: at the bound and just past it), and the tuning
 * follows the verdict unless a request names a variant the ISA has. */
/* Winograd F(4x4, 3x3) cuts the output into ceil(oh / 4) x ceil(ow / 4) tiles, tasks of
 * GY_WINOGRAD_WT tiles; with 48 output channels (one channel block) a conv is one task per 32
 * tiles: at a multiple of 4 and one past it, on each side alone */
START_TEST(winograd_tile_grid)
{
    gy_conv c;
    memset(&c, 0, sizeof c);
    c.cin = 16;
    c.cout = 48;
    c.kh = c.kw = 3;
    c.sh = c.sw = 1;
    c.ph = c.pw = 1;
    c.groups = 1;
    static const int cases[][3] = {{32, 64, 4}, {33, 64, 5}, {32, 65, 5}, {29, 60, 4}, {4, 4, 1},
                                   {5, 4, 1}, {128, 4, 1}, {129, 4, 2}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gy_conv_run r;
        memset(&r, 0, sizeof r);
        r.p = &c;
        r.oh = r.ih = cases[k][0];
        r.ow = r.iw = cases[k][1];
        ck_assert_msg(gy_winograd_tasks(&r) == (size_t)cases[k][2], "%dx%d: %zu tasks, want %d",
                      cases[k][0], cases[k][1], gy_winograd_tasks(&r), cases[k][2]);
    }
    ck_assert_int_eq(GY_WINOGRAD_WT, 32);
}
END_TEST

/* The run's thread count cuts a Winograd conv into more tasks only where one thread's split
 * has fewer tasks than threads: then into channel blocks of at least 32 rows (multiples of 12),
 * ceil(threads / tile blocks) of them; 0 or 1 thread: one block of all channels. */
START_TEST(winograd_tasks_follow_threads)
{
    gy_conv c;
    memset(&c, 0, sizeof c);
    c.cin = 16;
    c.kh = c.kw = 3;
    c.sh = c.sw = 1;
    c.ph = c.pw = 1;
    c.groups = 1;
    /* map (oh = ow), cout, threads, tasks */
    static const int cases[][4] = {
        {20, 64, 0, 1},  {20, 64, 1, 1},  {20, 64, 2, 2},  {20, 64, 8, 2},   /* 1 tile block */
        {20, 63, 2, 1},  {20, 95, 3, 2},  {20, 96, 3, 3},  {20, 96, 2, 2},   /* cout / 32 */
        {10, 200, 2, 2}, {10, 200, 4, 4}, {10, 200, 8, 6}, {10, 200, 5, 5},  /* mc 108, 60, 36, 48 */
        {10, 200, 3, 3}, {40, 64, 2, 4},  {40, 64, 4, 4},  {40, 64, 5, 8},   /* 4 tile blocks */
        {40, 512, 9, 12}, {80, 64, 13, 13}, {80, 64, 14, 26},               /* 13 tile blocks */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        c.cout = cases[k][1];
        gy_conv_run r;
        memset(&r, 0, sizeof r);
        r.p = &c;
        r.oh = r.ih = r.ow = r.iw = cases[k][0];
        r.threads = cases[k][2];
        ck_assert_msg(gy_winograd_tasks(&r) == (size_t)cases[k][3],
                      "%dx%d, cout %d, %d threads: %zu tasks, want %d", cases[k][0], cases[k][0],
                      cases[k][1], cases[k][2], gy_winograd_tasks(&r), cases[k][3]);
    }
    /* a grouped conv's groups are tasks already: each group gets ceil(threads / groups) */
    c.cin = 128;
    c.cout = 128;
    c.groups = 2;
    for (int isa = GY_ISA_GENERIC; isa <= (int)gy_cpu_best_isa(); isa++) {
        ck_assert(gy_grouped_eligible(&c, isa));
        c.isa = isa;
        gy_conv_run r;
        memset(&r, 0, sizeof r);
        r.p = &c;
        r.oh = r.ih = r.ow = r.iw = 20;
        static const int want[][2] = {{1, 2}, {2, 2}, {3, 4}, {4, 4}, {8, 4}};
        for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
            r.threads = want[k][0];
            ck_assert_msg(gy_grouped_tasks(&r) == (size_t)want[k][1], "%d threads: %zu tasks",
                          want[k][0], gy_grouped_tasks(&r));
        }
    }
}
END_TEST

/* Whatever the thread count, every output is the same float: the channel blocks split the rows
 * of one GEMM, each output keeps its sums in the same order. */
START_TEST(winograd_threads_same_bits)
{
    gy_test_rng r = {0x5eedULL};
    const int shapes[][4] = {{64, 64, 20, 20}, {40, 200, 10, 9}, {24, 100, 37, 41}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++)
        for (int isa = GY_ISA_GENERIC; isa <= (int)gy_cpu_best_isa(); isa++) {
            gy_conv c;
            memset(&c, 0, sizeof c);
            snprintf(c.wname, sizeof c.wname, "test.conv.weight");
            c.cin = shapes[k][0];
            c.cout = shapes[k][1];
            c.kh = c.kw = 3;
            c.sh = c.sw = 1;
            c.ph = c.pw = 1;
            c.groups = 1;
            c.w = gy_test_randv(&r, (size_t)c.cout * c.cin * 9, 0.2f);
            c.b = gy_test_randv(&r, (size_t)c.cout, 1.0f);
            gy_error err;
            ck_assert_int_eq(gy_conv_pack(&c, (gy_isa)isa, &err), GY_OK);
            int h = shapes[k][2], w = shapes[k][3];
            size_t on = (size_t)c.cout * h * w;
            float *in = gy_test_randv(&r, (size_t)c.cin * h * w, 3.0f);
            float *one = malloc(sizeof *one * on), *many = malloc(sizeof *many * on);
            float *scratch = aligned_alloc(64, sizeof(float) *
                                                   (gy_f32_conv2d_scratch_floats(&c, h, w) / 16 * 16 + 16));
            ck_assert(one && many && scratch);
            gy_conv_run run = {.p = &c, .in = in, .ih = h, .iw = w, .out = one, .oh = h, .ow = w,
                               .act = GY_ACT_SILU, .threads = 1};
            size_t n1 = gy_f32_conv2d_tasks(&run);
            for (size_t t = 0; t < n1; t++)
                gy_f32_conv2d_task(&run, t, scratch);
            for (int threads = 2; threads <= 8; threads *= 2) {
                run.out = many;
                run.threads = threads;
                size_t n = gy_f32_conv2d_tasks(&run);
                ck_assert_msg(threads < 8 ? n >= n1 : n > n1,
                              "shape %zu, %d threads: %zu tasks, one thread %zu", k, threads, n, n1);
                /* each task alone writes a part of its own, none empty, together all */
                size_t written = 0;
                for (size_t t = 0; t < n; t++) {
                    for (size_t i = 0; i < on; i++)
                        many[i] = NAN;
                    gy_f32_conv2d_task(&run, t, scratch);
                    size_t part = 0;
                    for (size_t i = 0; i < on; i++)
                        part += !isnan(many[i]);
                    ck_assert_msg(part > 0, "shape %zu, %d threads: task %zu wrote nothing", k,
                                  threads, t);
                    written += part;
                }
                ck_assert_uint_eq(written, on);
                for (size_t t = n; t-- > 0;)
                    gy_f32_conv2d_task(&run, t, scratch);
                ck_assert_msg(memcmp(one, many, sizeof *one * on) == 0,
                              "shape %zu on %s, %d threads: outputs differ", k,
                              gy_isa_name((gy_isa)isa), threads);
            }
            free(scratch);
            free(one);
            free(many);
            free(in);
            free(c.wpack);
            free(c.w);
            free(c.b);
        }
}
END_TEST

/* The direct stride-2 kernel's channel block: full-width AVX-512 with 64 taps or more takes
 * blocks of 48 where they leave fewer output channels empty than blocks of 32 (a tie keeps 32);
 * short filters, the base tuning and AVX2 keep their blocks whatever the channels. */
START_TEST(stride2_channel_block)
{
    gy_conv c;
    memset(&c, 0, sizeof c);
    c.kh = c.kw = 3;
    c.groups = 1;
    c.sh = c.sw = 2;
    /* cin, cout, block on full512 */
    static const int cases[][3] = {{16, 48, 48},  {16, 40, 48},  {16, 144, 48}, {16, 32, 32},
                                   {16, 64, 32},  {16, 80, 32},  {16, 96, 32},  {16, 20, 32},
                                   {16, 49, 32},  {16, 47, 48},  {16, 136, 48}, {16, 130, 48},
                                   {8, 48, 48},   {7, 48, 32},   {7, 40, 32},   {64, 1008, 48}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        c.cin = cases[k][0];
        c.cout = cases[k][1];
        ck_assert_msg(gy_s2_conv_block(&c, GY_ISA_AVX512, GY_TUNE_FULL512) == cases[k][2],
                      "cin %d cout %d: block %d, want %d", c.cin, c.cout,
                      gy_s2_conv_block(&c, GY_ISA_AVX512, GY_TUNE_FULL512), cases[k][2]);
        ck_assert_int_eq(gy_s2_conv_block(&c, GY_ISA_AVX512, GY_TUNE_BASE), 16);
        ck_assert_int_eq(gy_s2_conv_block(&c, GY_ISA_AVX2, GY_TUNE_BASE), GY_S2_CB256);
    }
    c.cin = 64; /* 1 x 1 filter: 64 taps, at the bound */
    c.kh = c.kw = 1;
    c.cout = 48;
    ck_assert_int_eq(gy_s2_conv_block(&c, GY_ISA_AVX512, GY_TUNE_FULL512), 48);
    c.cin = 63;
    ck_assert_int_eq(gy_s2_conv_block(&c, GY_ISA_AVX512, GY_TUNE_FULL512), 32);
}
END_TEST

START_TEST(cpu_kind_and_tuning)
{
    gy_cpu_kind k;
    gy_cpu_kind_detect(&k);
    ck_assert_int_eq(k.isa, gy_cpu_best_isa());
    if (k.isa == GY_ISA_AVX512) {
        ck_assert(k.gflops512 > 0.0 && k.gflops256 > 0.0);
        ck_assert_int_eq(k.full512, gy_cpu_full512(k.gflops512, k.gflops256));
    } else {
        ck_assert(k.gflops512 == 0.0 && !k.full512);
    }
#if defined(__x86_64__) || defined(__i386__)
    ck_assert_msg(strlen(k.vendor) == 12, "vendor '%s'", k.vendor);
    ck_assert(k.family > 0);
    /* cpuid decoded as the kernel decodes it: /proc/cpuinfo's vendor, family, model and name,
     * and the L2 size the kernel lists for cpu0 */
    FILE *ci = fopen("/proc/cpuinfo", "r");
    ck_assert_msg(ci != NULL, "/proc/cpuinfo: cannot open");
    char line[512], vendor[64] = "", name[256] = "";
    int fam = -1, mod = -1;
    while (fgets(line, sizeof line, ci) && (fam < 0 || mod < 0 || !*vendor || !*name)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *v = colon + 1;
        v += strspn(v, " \t");
        v[strcspn(v, "\n")] = '\0';
        if (!strncmp(line, "vendor_id", 9) && !*vendor)
            snprintf(vendor, sizeof vendor, "%s", v);
        else if (!strncmp(line, "cpu family", 10) && fam < 0)
            fam = atoi(v);
        else if (!strncmp(line, "model name", 10) && !*name)
            snprintf(name, sizeof name, "%s", v);
        else if (!strncmp(line, "model\t", 6) && mod < 0)
            mod = atoi(v);
    }
    fclose(ci);
    ck_assert_str_eq(k.vendor, vendor);
    ck_assert_int_eq(k.family, fam);
    ck_assert_int_eq(k.model, mod);
    ck_assert_str_eq(k.brand, name);
    /* (a container may hide /sys: then the L2 size is only printed) */
    FILE *l2 = fopen("/sys/devices/system/cpu/cpu0/cache/index2/size", "r");
    int kib = -1;
    if (l2) {
        ck_assert_int_eq(fscanf(l2, "%dK", &kib), 1);
        fclose(l2);
        ck_assert_int_eq(k.l2_kib, kib);
    } else {
        printf("no /sys/devices/system/cpu/cpu0/cache/index2/size: L2 %d KiB not compared\n",
               k.l2_kib);
    }
#endif
    printf("CPU kind: %s family %d model %d (%s), L2 %d KiB, 512-bit %.1f / 256-bit %.1f GFLOP/s, "
           "full width %d\n", k.vendor, k.family, k.model, k.brand, k.l2_kib, k.gflops512,
           k.gflops256, k.full512);
    ck_assert(!gy_cpu_full512(150.0, 100.0));
    ck_assert(gy_cpu_full512(150.001, 100.0));
    ck_assert(!gy_cpu_full512(300.0, 0.0));
    ck_assert(gy_cpu_full512(287.0, 143.5));
    gy_cpu_kind full = k, half = k;
    full.full512 = 1;
    half.full512 = 0;
    gy_tune t;
    gy_error err;
    ck_assert_int_eq(gy_tune_select(&full, GY_ISA_AVX512, NULL, &t, &err), GY_OK);
    ck_assert_int_eq(t, GY_TUNE_FULL512);
    ck_assert_int_eq(gy_tune_select(&full, GY_ISA_AVX512, "", &t, &err), GY_OK);
    ck_assert_int_eq(t, GY_TUNE_FULL512);
    ck_assert_int_eq(gy_tune_select(&half, GY_ISA_AVX512, NULL, &t, &err), GY_OK);
    ck_assert_int_eq(t, GY_TUNE_BASE);
    ck_assert_int_eq(gy_tune_select(&full, GY_ISA_AVX2, NULL, &t, &err), GY_OK);
    ck_assert_int_eq(t, GY_TUNE_BASE);
    ck_assert_int_eq(gy_tune_select(&full, GY_ISA_GENERIC, NULL, &t, &err), GY_OK);
    ck_assert_int_eq(t, GY_TUNE_BASE);
    ck_assert_int_eq(gy_tune_select(&full, GY_ISA_AVX512, "base", &t, &err), GY_OK);
    ck_assert_int_eq(t, GY_TUNE_BASE);
    ck_assert_int_eq(gy_tune_select(&half, GY_ISA_AVX512, "full512", &t, &err), GY_OK);
    ck_assert_int_eq(t, GY_TUNE_FULL512);
    ck_assert_int_eq(gy_tune_select(&full, GY_ISA_AVX2, "base", &t, &err), GY_OK);
    ck_assert_int_eq(t, GY_TUNE_BASE);
    ck_assert_int_eq(gy_tune_select(&full, GY_ISA_AVX2, "full512", &t, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "avx2"));
    ck_assert_int_eq(gy_tune_select(&full, GY_ISA_AVX512, "Full512", &t, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "'Full512'"));
    ck_assert_str_eq(gy_tune_name(GY_TUNE_BASE), "base");
    ck_assert_str_eq(gy_tune_name(GY_TUNE_FULL512), "full512");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conv");
    TCase *tc = tcase_create("conv");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, isa_selection);
    tcase_add_test(tc, cpu_kind_and_tuning);
    tcase_add_test(tc, winograd_tile_grid);
    tcase_add_test(tc, stride2_channel_block);
    tcase_add_test(tc, winograd_tasks_follow_threads);
    tcase_add_test(tc, winograd_threads_same_bits);
    tcase_add_test(tc, dense_random_shapes);
    tcase_add_test(tc, dense_blocking_and_rect);
    tcase_add_test(tc, stride2_shapes);
    tcase_add_test(tc, pointwise_stride2_shapes);
    tcase_add_test(tc, winograd_shapes);
    tcase_add_test(tc, grouped_per_group_shapes);
    tcase_add_test(tc, depthwise_random_shapes);
    tcase_add_test(tc, depthwise_model_sizes);
    tcase_add_test(tc, gemv_one_pixel);
    tcase_add_test(tc, epilogue_activations);
    tcase_add_test(tc, exp_whole_float_range);
    tcase_add_test(tc, parity_on_every_isa);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

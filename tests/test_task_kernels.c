/* The task-form kernels (kernels.h "Task form") against their reference kernels on awkward
 * shapes, every ISA variant this CPU runs; the one-region runtime against itself at several
 * thread counts; the ISA choice and the FMA-limit loop. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/model.h"
#include "detector/session.h"
#include "kernels/f32-decode/detect_decode.h"
#include "kernels/kernels.h"
#include "runtime/run.h"
#include "testutil.h"

static unsigned rng_state = 777u;
static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xffffff) / (float)0xffffff * 2.0f - 1.0f;
}
static int irand(int lo, int hi) /* inclusive */
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return lo + (int)((rng_state >> 8) % (unsigned)(hi - lo + 1));
}
static float *randv(size_t n, float scale)
{
    float *v = malloc(sizeof *v * (n ? n : 1));
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++)
        v[i] = frand() * scale;
    return v;
}
/* Asserts only on failure: Check reports every passing assertion to its parent process, which
 * is slow for element-wise loops. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

static float *scratch_of(size_t floats)
{
    float *s = malloc(sizeof(float) * (floats + 1));
    ck_assert_ptr_nonnull(s);
    return s;
}

/* The ISAs to test on this CPU, lowest first. */
static int isa_count(void) { return (int)gy_cpu_best_isa() + 1; }

/* Bit equality, where NaN equals any NaN. */
static int same(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

/* ---- pools --------------------------------------------------------------------------------- */

typedef void (*pool_task_fn)(const gy_pool_run *, size_t, float *);

/* Bit equality, NaNs included (the reference keeps the last NaN of the window, payload and sign). */
static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }
static unsigned bits_of(float a)
{
    unsigned u;
    memcpy(&u, &a, sizeof u);
    return u;
}

/* Every max-pooling variant this CPU runs, then the dispatch, against gy_f32_maxpool2d on `in`
 * (c planes of ih x iw); bitwise: NaNs must match bit for bit too, else any NaN matches any. */
static void maxpool_compare(const float *in, int c, int ih, int iw, int k, int s, int pad,
                            int bitwise, const char *what)
{
    int oh = (ih + 2 * pad - k) / s + 1, ow = (iw + 2 * pad - k) / s + 1;
    size_t on = (size_t)c * oh * ow;
    float *ref = malloc(sizeof *ref * on), *out = malloc(sizeof *out * on);
    ck_assert(ref && out);
    gy_f32_maxpool2d(in, ref, c, ih, iw, oh, ow, k, s, pad, 1);
    pool_task_fn fns[3] = {gy_f32_maxpool2d_task__generic, NULL, NULL};
    pool_task_fn s2[3] = {gy_f32_maxpool2d_task__generic, NULL, NULL};
#if defined(__x86_64__) || defined(__i386__)
    fns[1] = gy_f32_maxpool2d_task__avx2;
    fns[2] = gy_f32_maxpool2d_task__avx512;
    s2[1] = gy_f32_maxpool2d_s2_task__avx2;
    s2[2] = gy_f32_maxpool2d_s2_task__avx512;
#endif
    /* the input against an inaccessible page after its end, and before its start */
    gy_test_guards guard = GY_TEST_GUARDS_NONE;
    gy_test_guard_both(in, (size_t)c * ih * iw, &guard);
    for (int is = 0; is < 2 * (isa_count() + 1); is++) {
        const int isa = is / 2;
        gy_pool_run r = {.in = guard.in[is % 2], .out = out, .c = c, .ih = ih, .iw = iw, .oh = oh, .ow = ow,
                         .k = k, .stride = s, .pad = pad,
                         .isa = isa < isa_count() ? (gy_isa)isa : gy_cpu_best_isa()};
        /* the vector variants: stride 1 (separable), stride 2 with k <= 8 (row ring); other
         * strides go through the dispatch, which must send them to the portable task */
        pool_task_fn fn = isa == isa_count() ? gy_f32_maxpool2d_task
                          : s == 1 || isa == 0 ? fns[isa]
                          : s == 2 && k <= 8 ? s2[isa] : gy_f32_maxpool2d_task;
        float *scratch = scratch_of(gy_f32_maxpool2d_scratch_floats(&r));
        memset(out, 0xff, sizeof *out * on);
        size_t n = gy_f32_maxpool2d_tasks(&r);
        for (size_t t = 0; t < n; t++)
            fn(&r, t, scratch);
        for (size_t i = 0; i < on; i++)
            CHECK(bitwise ? same_bits(out[i], ref[i]) : same(out[i], ref[i]),
                  "maxpool %s isa %d c %d %dx%d k %d s %d p %d at %zu: %g (0x%08x) vs %g (0x%08x)",
                  what, isa, c, ih, iw, k, s, pad, i, out[i], bits_of(out[i]), ref[i],
                  bits_of(ref[i]));
        free(scratch);
    }
    gy_test_guards_free(&guard);
    free(ref);
    free(out);
}

static void maxpool_check(int c, int ih, int iw, int k, int s, int pad, int with_nan)
{
    float *in = randv((size_t)c * ih * iw, 3.0f);
    if (with_nan)
        for (int i = 0; i < 3; i++)
            in[irand(0, c * ih * iw - 1)] = NAN;
    maxpool_compare(in, c, ih, iw, k, s, pad, 0, with_nan ? "random+nan" : "random");
    free(in);
}

/* Values that tell max implementations apart: mostly <= 0 so that many windows peak at a zero,
 * with -0 and +0 mixed (the reference keeps the first of equal values); -inf (the padding's
 * value) and a rare +inf; with nan, NaNs of distinct payloads and both signs in every third
 * channel (so the others run NaN-free paths). */
static float *awkward_input(int c, int plane, int with_nan)
{
    float *v = randv((size_t)c * plane, 3.0f);
    for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < plane; i++) {
            float *x = &v[(size_t)ch * plane + i];
            int r = irand(0, 99);
            if (r < 45)
                *x = -fabsf(*x);
            else if (r < 65)
                *x = 0.0f;
            else if (r < 85)
                *x = -0.0f;
            else if (r < 93)
                *x = -INFINITY;
            else if (r < 94)
                *x = INFINITY;
            if (with_nan && ch % 3 == 1 && irand(0, 29) == 0) {
                unsigned bits = 0x7fc00000u | (unsigned)irand(1, 0x3fffff) |
                                (irand(0, 1) ? 0x80000000u : 0u);
                memcpy(x, &bits, sizeof bits);
            }
        }
    return v;
}

START_TEST(maxpool_tasks_exact)
{
    static const int chans[] = {3, 4, 12, 20, 24};
    maxpool_check(256, 20, 20, 5, 1, 2, 0); /* SPPF at 640 */
    maxpool_check(3, 9, 7, 5, 1, 2, 1);
    maxpool_check(5, 1, 1, 5, 1, 2, 0);   /* window larger than the map */
    maxpool_check(4, 30, 45, 13, 1, 6, 1); /* SPP's 13x13 */
    for (int it = 0; it < 40; it++) {
        int k = 2 * irand(0, 4) + 1, s = irand(1, 2);
        int pad = irand(0, k / 2);
        int ih = irand(1, 37), iw = irand(1, 37);
        if (ih + 2 * pad < k || iw + 2 * pad < k)
            continue;
        maxpool_check(chans[irand(0, 4)], ih, iw, k, s, pad, irand(0, 1));
    }
}
END_TEST

/* Stride 1 (the SPPF path, where the vector variants do their own borders) on every width 1..40
 * (so every remainder of 8 and 16 lanes, rows narrower than the window), k 1..5 and 7, every
 * padding 0..k/2, odd channel counts; bit-exact, signed zeros and NaN payloads included. */
START_TEST(maxpool_stride1_awkward_exact)
{
    static const int ks[] = {1, 2, 3, 4, 5, 7};
    int cases = 0;
    for (int iw = 1; iw <= 40; iw++)
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
            for (int pad = 0; pad <= ks[ki] / 2; pad++) {
                int k = ks[ki], ih = irand(1, 40), c = 2 * irand(0, 3) + 1;
                if (ih + 2 * pad < k || iw + 2 * pad < k)
                    continue;
                int with_nan = (iw + k + pad) % 2;
                float *in = awkward_input(c, ih * iw, with_nan);
                maxpool_compare(in, c, ih, iw, k, 1, pad, 1, with_nan ? "awkward+nan" : "awkward");
                free(in);
                cases++;
            }
    ck_assert_int_gt(cases, 500);
    /* SPPF's shapes, many channels (several tasks sharing one scratch) */
    float *in = awkward_input(129, 20 * 20, 1);
    maxpool_compare(in, 129, 20, 20, 5, 1, 2, 1, "sppf awkward+nan");
    free(in);
}
END_TEST

/* Stride 2 (the zoo's max pools with padding 0 / 1 and their average pools) on every width
 * 1..70 (every remainder of 8 and 16 outputs, several 32-column split steps), windows 1..8 and
 * 9 (the portable task), every padding 0..k/2, odd channel counts; max bit-exact with signed zeros
 * and NaN payloads, average bit-exact against the portable task on every ISA. */
START_TEST(pool_stride2_awkward_exact)
{
    int cases = 0;
    for (int iw = 1; iw <= 70; iw++)
        for (int k = 1; k <= 9; k++)
            for (int pad = 0; pad <= k / 2; pad++) {
                int ih = irand(1, 24), c = 2 * irand(0, 2) + 1;
                if (ih + 2 * pad < k || iw + 2 * pad < k)
                    continue;
                int with_nan = (iw + k + pad) % 2;
                float *in = awkward_input(c, ih * iw, with_nan);
                maxpool_compare(in, c, ih, iw, k, 2, pad, 1, with_nan ? "s2 awkward+nan" : "s2 awkward");
                int oh = (ih + 2 * pad - k) / 2 + 1, ow = (iw + 2 * pad - k) / 2 + 1;
                size_t on = (size_t)c * oh * ow;
                float *ref = malloc(sizeof *ref * on), *out = malloc(sizeof *out * on);
                ck_assert(ref && out);
                for (size_t i = 0; i < (size_t)c * ih * iw; i++) /* finite values for the sums */
                    if (isnan(in[i]) || isinf(in[i]))
                        in[i] = 0.5f;
                gy_f32_avgpool2d_pad(in, ref, c, ih, iw, oh, ow, k, 2, pad, 1);
                gy_test_guards guard = GY_TEST_GUARDS_NONE;
                gy_test_guard_both(in, (size_t)c * ih * iw, &guard);
                for (int is = 0; is < 2 * isa_count(); is++) {
                    const int isa = is / 2;
                    gy_pool_run r = {.in = guard.in[is % 2], .out = out, .c = c, .ih = ih, .iw = iw,
                                     .oh = oh, .ow = ow, .k = k, .stride = 2, .pad = pad,
                                     .isa = (gy_isa)isa};
                    float *scratch = scratch_of(gy_f32_avgpool2d_scratch_floats(&r));
                    memset(out, 0xff, sizeof *out * on);
                    for (size_t t = 0; t < gy_f32_avgpool2d_tasks(&r); t++)
                        gy_f32_avgpool2d_task(&r, t, scratch);
                    for (size_t i = 0; i < on; i++)
                        CHECK(same_bits(out[i], ref[i]),
                              "avgpool isa %d c %d %dx%d k %d p %d at %zu: %g vs %g", isa, c, ih,
                              iw, k, pad, i, out[i], ref[i]);
                    free(scratch);
                }
                gy_test_guards_free(&guard);
                free(ref);
                free(out);
                free(in);
                cases++;
            }
    ck_assert_int_gt(cases, 1000);
}
END_TEST

START_TEST(avgpool_tasks_exact)
{
    struct { int c, ih, iw, k, s; } cases[] = {{3, 9, 7, 2, 2}, {20, 40, 41, 2, 2}, {12, 13, 30, 3, 1},
                                              {24, 8, 8, 4, 4}, {4, 2, 2, 2, 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int c = cases[i].c, ih = cases[i].ih, iw = cases[i].iw, k = cases[i].k, s = cases[i].s;
        int oh = (ih - k) / s + 1, ow = (iw - k) / s + 1;
        float *in = randv((size_t)c * ih * iw, 1.0f);
        size_t on = (size_t)c * oh * ow;
        float *ref = malloc(sizeof *ref * on), *out = malloc(sizeof *out * on);
        ck_assert(ref && out);
        gy_f32_avgpool2d(in, ref, c, ih, iw, oh, ow, k, s, 1);
        gy_pool_run r = {.in = in, .out = out, .c = c, .ih = ih, .iw = iw, .oh = oh, .ow = ow,
                         .k = k, .stride = s};
        size_t n = gy_f32_avgpool2d_tasks(&r);
        for (size_t t = 0; t < n; t++)
            gy_f32_avgpool2d_task(&r, t, NULL);
        for (size_t j = 0; j < on; j++)
            CHECK(same(out[j], ref[j]), "avgpool case %zu at %zu: %g vs %g", i, j, out[j],
                          ref[j]);
        free(in);
        free(ref);
        free(out);
    }
}
END_TEST

/* ---- upsample ------------------------------------------------------------------------------ */

typedef void (*up_task_fn)(const gy_upsample_run *, size_t, float *);

START_TEST(upsample_tasks_exact)
{
    struct { int c, ih, iw, oh, ow; } cases[] = {
        {3, 9, 7, 18, 14},    {20, 20, 20, 40, 40}, {512, 20, 20, 40, 40}, {12, 5, 13, 15, 39},
        {4, 7, 3, 20, 11},    {24, 1, 1, 2, 2},     {3, 17, 23, 34, 46},   {4, 6, 6, 6, 6}};
    up_task_fn fns[3] = {gy_f32_upsample_nearest_task__generic, NULL, NULL};
#if defined(__x86_64__) || defined(__i386__)
    fns[1] = fns[2] = gy_f32_upsample_nearest_task__avx2;
#endif
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int c = cases[i].c, ih = cases[i].ih, iw = cases[i].iw, oh = cases[i].oh, ow = cases[i].ow;
        float *in = randv((size_t)c * ih * iw, 1.0f);
        size_t on = (size_t)c * oh * ow;
        float *ref = malloc(sizeof *ref * on), *out = malloc(sizeof *out * on);
        ck_assert(ref && out);
        gy_f32_upsample_nearest(in, ref, c, ih, iw, oh, ow, 1);
        /* the input against an inaccessible page after its end, and before its start */
        gy_test_guards guard = GY_TEST_GUARDS_NONE;
        gy_test_guard_both(in, (size_t)c * ih * iw, &guard);
        for (int is = 0; is < 2 * (isa_count() + 1); is++) {
            const int isa = is / 2;
            gy_upsample_run r = {.in = guard.in[is % 2], .out = out, .c = c, .ih = ih, .iw = iw, .oh = oh,
                                 .ow = ow,
                                 .isa = isa < isa_count() ? (gy_isa)isa : gy_cpu_best_isa()};
            up_task_fn fn = isa < isa_count() ? fns[isa] : gy_f32_upsample_nearest_task;
            memset(out, 0, sizeof *out * on);
            size_t n = gy_f32_upsample_nearest_tasks(&r);
            for (size_t t = n; t-- > 0;)
                fn(&r, t, NULL);
            ck_assert_msg(memcmp(out, ref, sizeof *out * on) == 0, "upsample case %zu isa %d", i,
                          isa);
        }
        gy_test_guards_free(&guard);
        free(in);
        free(ref);
        free(out);
    }
}
END_TEST

/* ---- elementwise and copy ------------------------------------------------------------------ */

typedef void (*bin_task_fn)(const gy_binary_run *, size_t, float *);

START_TEST(elementwise_tasks_exact)
{
    static const size_t sizes[] = {1, 7, 15, 16, 17, 16384, 16385, 3 * 16384 + 9, 102400};
    bin_task_fn fns[3] = {gy_f32_binary_act_task__generic, NULL, NULL};
#if defined(__x86_64__) || defined(__i386__)
    fns[1] = fns[2] = gy_f32_binary_act_task__avx2;
#endif
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        float *a = randv(n, 10.0f), *b = randv(n, 10.0f);
        /* 16 guard floats after the n outputs: no task writes past its range, the last one
         * included (one past n is another tensor's data in the arena) */
        float *ref = malloc(sizeof *ref * n), *out = malloc(sizeof *out * (n + 16));
        ck_assert(ref && out);
        /* the inputs against inaccessible pages: a before its start and b after its end, then
         * the other way round */
        gy_test_guards ga = GY_TEST_GUARDS_NONE, gb = GY_TEST_GUARDS_NONE;
        gy_test_guard_both(a, n, &ga);
        gy_test_guard_both(b, n, &gb);
        for (int ms = 0; ms < 18; ms++) {
            const int mode = ms / 2;
            int copy = mode == 8, mul = mode & 1;
            gy_act act = (gy_act)(mode / 2 % 4);
            if (copy)
                memcpy(ref, a, sizeof *a * n);
            else
                gy_f32_binary_act(mul, a, b, act, ref, n, 1);
            for (int isa = 0; isa < isa_count() + 1; isa++) {
                gy_binary_run r = {.mul = copy ? 0 : mul, .a = ga.in[1 - ms % 2],
                                   .b = copy ? NULL : gb.in[ms % 2], .act = copy ? GY_ACT_NONE : act, .y = out, .n = n,
                                   .isa = isa < isa_count() ? (gy_isa)isa : gy_cpu_best_isa()};
                /* the AVX2 variant takes a plain add or multiply only: the dispatch sends it
                 * nothing else */
                int plain = !copy && act == GY_ACT_NONE;
                bin_task_fn fn = isa < isa_count() && (plain || isa == 0) ? fns[isa]
                                                                          : gy_f32_binary_act_task;
                memset(out, 0, sizeof *out * n);
                for (size_t i = n; i < n + 16; i++)
                    out[i] = -12345.0f;
                size_t nt = gy_f32_binary_act_tasks(&r);
                for (size_t t = 0; t < nt; t++)
                    fn(&r, t, NULL);
                for (size_t i = 0; i < n; i++)
                    CHECK(same(out[i], ref[i]), "n %zu mode %d isa %d at %zu: %g vs %g", n,
                                  mode, isa, i, out[i], ref[i]);
                for (size_t i = n; i < n + 16; i++)
                    CHECK(out[i] == -12345.0f, "n %zu mode %d isa %d: guard %zu written", n, mode,
                          isa, i - n);
            }
        }
        gy_test_guards_free(&ga);
        gy_test_guards_free(&gb);
        free(a);
        free(b);
        free(ref);
        free(out);
    }
}
END_TEST

/* ---- Detect decode ------------------------------------------------------------------------- */

typedef void (*dec_task_fn)(const gy_decode_run *, size_t, float *);

/* logit_scale: spread of the logits; offset: added to every box logit (large values overflow
 * expf unless the max is subtracted). Returns after checking every variant against the
 * reference (generic: bit-exact; AVX2: float32 noise). */
static void decode_check(int nl, const int *hs, const int *ws, int nc, float logit_scale,
                         float offset)
{
    int reg = 16, strides[3] = {8, 16, 32}, ch = 4 * reg + nc, anchors = 0;
    const float *levels[3];
    float *maps[3];
    for (int l = 0; l < nl; l++) {
        size_t n = (size_t)ch * hs[l] * ws[l];
        maps[l] = randv(n, logit_scale);
        for (size_t i = 0; i < (size_t)4 * reg * hs[l] * ws[l]; i++)
            maps[l][i] += offset;
        levels[l] = maps[l];
        anchors += hs[l] * ws[l];
    }
    float bins[16];
    for (int i = 0; i < 16; i++)
        bins[i] = (float)i;
    size_t on = (size_t)(4 + nc) * anchors;
    float *ref = malloc(sizeof *ref * on), *out = malloc(sizeof *out * on);
    ck_assert(ref && out);
    gy_detect_decode(nl, levels, hs, ws, strides, nc, reg, bins, ref, anchors, 1);
    for (size_t i = 0; i < on; i++)
        CHECK(isfinite(ref[i]), "reference decode not finite at %zu", i);
    dec_task_fn fns[3] = {gy_f32_detect_decode_task__generic, NULL, NULL};
#if defined(__x86_64__) || defined(__i386__)
    fns[1] = fns[2] = gy_f32_detect_decode_task__avx2;
#endif
    for (int isa = 0; isa < isa_count() + 1; isa++) {
        gy_decode_run r = {.nl = nl, .nc = nc, .reg_max = reg, .bins = bins, .out = out,
                           .anchors = anchors,
                           .isa = isa < isa_count() ? (gy_isa)isa : gy_cpu_best_isa()};
        for (int l = 0; l < nl; l++) {
            r.levels[l] = levels[l];
            r.hs[l] = hs[l];
            r.ws[l] = ws[l];
            r.strides[l] = strides[l];
        }
        dec_task_fn fn = isa < isa_count() ? fns[isa] : gy_f32_detect_decode_task;
        memset(out, 0, sizeof *out * on);
        size_t n = gy_f32_detect_decode_tasks(&r);
        for (size_t t = n; t-- > 0;)
            fn(&r, t, NULL);
        for (size_t i = 0; i < on; i++) {
            CHECK(isfinite(out[i]), "decode isa %d not finite at %zu", isa, i);
            if (isa == 0)
                CHECK(same(out[i], ref[i]), "generic decode at %zu: %g vs %g", i, out[i],
                              ref[i]);
            else /* boxes: up to 640 px; classes: sigmoids in [0, 1] */
                CHECK(fabsf(out[i] - ref[i]) <= 2e-6f * (1.0f + fabsf(ref[i])) * 8,
                              "decode isa %d at %zu (row %zu): %.9g vs %.9g", isa, i,
                              i / (size_t)anchors, out[i], ref[i]);
        }
    }
    for (int l = 0; l < nl; l++)
        free(maps[l]);
    free(ref);
    free(out);
}

START_TEST(decode_tasks_against_reference)
{
    int hs3[3] = {80, 40, 20}, ws3[3] = {80, 40, 20};
    decode_check(3, hs3, ws3, 80, 4.0f, 0.0f); /* yolov8 at 640 */
    int hs2[2] = {9, 3}, ws2[2] = {13, 5};     /* tails of 8 and of the 128-anchor tasks */
    decode_check(2, hs2, ws2, 1, 4.0f, 0.0f);
    int hr[3] = {48, 24, 12}, wr[3] = {80, 40, 20}; /* rect 384x640 */
    decode_check(3, hr, wr, 3, 8.0f, 0.0f);
    /* LARGE logits: expf(1000) overflows; the max subtraction must keep everything finite */
    decode_check(2, hs2, ws2, 2, 60.0f, 1000.0f);
    decode_check(2, hs2, ws2, 2, 200.0f, -1000.0f);
}
END_TEST

/* ---- ISA choice and the FMA loop ------------------------------------------------------------ */

START_TEST(isa_choice)
{
    gy_isa isa;
    gy_error err;
    ck_assert_int_eq(gy_isa_select(NULL, &isa, &err), GY_OK);
    ck_assert_int_eq(isa, gy_cpu_best_isa());
    ck_assert_int_eq(gy_isa_select("generic", &isa, &err), GY_OK);
    ck_assert_int_eq(isa, GY_ISA_GENERIC);
    ck_assert_int_ne(gy_isa_select("sse9", &isa, &err), GY_OK);
    ck_assert_msg(strstr(err.message, "GY_ISA 'sse9'") != NULL, "%s", err.message);
    if (gy_cpu_best_isa() < GY_ISA_AVX512) {
        ck_assert_int_eq(gy_isa_select("avx512", &isa, &err), GY_ERR_ARGUMENT);
        ck_assert_msg(strstr(err.message, "avx512") != NULL, "%s", err.message);
    } else {
        ck_assert_int_eq(gy_isa_select("avx2", &isa, &err), GY_OK);
        ck_assert_int_eq(isa, GY_ISA_AVX2);
    }
    ck_assert_str_eq(gy_isa_name(GY_ISA_AVX2), "avx2");
}
END_TEST

START_TEST(fma_peak_counts)
{
    static const double per_round[3] = {2.0 * 16, 2.0 * 12 * 8, 2.0 * 16 * 16};
    for (int isa = 0; isa < isa_count(); isa++) {
        float sink = -1.0f;
        double flops = gy_fma_peak_run((gy_isa)isa, 1000, &sink);
        ck_assert_double_eq(flops, per_round[isa] * 1000);
        /* chain j starts at 0.5 + 0.01 j and steps c = c a + b (a = 0.999999f, b = 1e-6f):
         * c_n = f + (c_0 - f) a^n with f = b / (1 - a), summed over every chain and lane */
        int nchain = isa == 1 ? 12 : 16, lanes = isa == 1 ? 8 : isa == 2 ? 16 : 1;
        double a = (double)0.999999f, b = (double)1e-6f, f = b / (1.0 - a), want = 0.0;
        for (int j = 0; j < nchain; j++)
            want += lanes * (f + ((double)(0.5f + 0.01f * (float)j) - f) * pow(a, 1000));
        /* measured: 1.3e-5 for the portable loop (a multiply and an add, two roundings), 6e-7
         * and 1.2e-7 with FMA */
        double tol = isa == 0 ? 4e-5 : 2e-6;
        ck_assert_msg(fabs(sink - want) < tol * want, "isa %d sink %.9g, want %.9g (rel %.2g)",
                      isa, sink, want, fabs(sink - want) / want);
        printf("isa %d FMA limit loop: sink %.9g, worked out %.9g (rel %.2g)\n", isa, sink, want,
               fabs(sink - want) / want);
    }
}
END_TEST

/* ---- the runtime: one region, dynamic tasks ------------------------------------------------- */

static float *forward_copy(const gy_model *m, int threads, const float *x, int h, int w,
                           size_t *count)
{
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = threads;
    gy_session *s = NULL;
    gy_error err;
    gy_output out;
    ck_assert_msg(gy_session_create(m, &sp, &s, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_session_set_timing(s, 1, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_forward(s, x, h, w, &out, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_forward(s, x, h, w, &out, &err) == GY_OK, "%s", err.message);
    double total = 0.0;
    for (int i = 0; i < m->graph.nops; i++) {
        ck_assert_msg(s->op_ms[i] >= 0.0, "op %d time %g", i, s->op_ms[i]);
        total += s->op_ms[i];
    }
    ck_assert(total > 0.0);
    /* every op has work, except a depthwise conv run with the pointwise conv before it */
    for (int i = 0; i < m->graph.nops; i++)
        ck_assert_uint_ge(gy_run_op_tasks(&m->graph, &s->plan, i),
                          i > 0 && s->plan.fused[i - 1] ? 0 : 1);
    *count = (size_t)out.channels * out.anchors;
    float *copy = malloc(sizeof *copy * *count);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, out.data, sizeof *copy * *count);
    gy_session_free(s);
    return copy;
}

START_TEST(runtime_same_result_any_thread_count)
{
    /* tasks do not depend on the thread count, so every count gives the same bits */
    gy_model_params mp = gy_model_default_params();
    mp.synthetic_weights = 1;
    gy_model *m = NULL;
    gy_error err;
    /* yolov8n (SPPF pools, upsample, copies) and the DFC attention case (avg-pool, upsample to a
     * size, mul with sigmoid, depthwise 1x5 / 5x1) */
    const char *cfgs[2] = {gy_test_source("configs/yolov8.yaml"),
                           gy_test_shared("parity/ghostv2_dfc_320/model.yaml")};
    for (int c = 0; c < 2; c++) {
        ck_assert_msg(gy_model_load(cfgs[c], NULL, &mp, &m, &err) == GY_OK, "%s", err.message);
        int h = 128, w = 192;
        float *x = randv((size_t)3 * h * w, 0.5f);
        for (size_t i = 0; i < (size_t)3 * h * w; i++)
            x[i] += 0.5f;
        size_t n1, n;
        float *one = forward_copy(m, 1, x, h, w, &n1);
        static const int counts[] = {2, 3, 7};
        for (int t = 0; t < 3; t++) {
            float *more = forward_copy(m, counts[t], x, h, w, &n);
            ck_assert_uint_eq(n, n1);
            ck_assert_msg(memcmp(one, more, sizeof *one * n) == 0, "%s: %d threads differ",
                          cfgs[c], counts[t]);
            free(more);
        }
        free(one);
        free(x);
        gy_model_free(m);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("task_kernels");
    TCase *tc = tcase_create("all");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, maxpool_tasks_exact);
    tcase_add_test(tc, maxpool_stride1_awkward_exact);
    tcase_add_test(tc, avgpool_tasks_exact);
    tcase_add_test(tc, pool_stride2_awkward_exact);
    tcase_add_test(tc, upsample_tasks_exact);
    tcase_add_test(tc, elementwise_tasks_exact);
    tcase_add_test(tc, decode_tasks_against_reference);
    tcase_add_test(tc, isa_choice);
    tcase_add_test(tc, fma_peak_counts);
    tcase_add_test(tc, runtime_same_result_any_thread_count);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* Each fast kernel against the plain reference (or a naive loop written here) on random shapes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/f32-decode/detect_decode.h"
#include "kernels/f32-winograd/winograd.h"
#include "testutil.h"

static unsigned rng_state = 12345u;
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
static float *randv(size_t n)
{
    float *v = malloc(sizeof *v * (n ? n : 1));
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++)
        v[i] = frand();
    return v;
}

/* Runs fast and reference conv on one random case; returns the max abs difference relative to
 * the output scale. */
static double conv_case(int cin, int cout, int groups, int kh, int kw, int s, int ph, int pw,
                        int ih, int iw, gy_act act, int with_res, int res_before, int threads)
{
    gy_conv c;
    memset(&c, 0, sizeof c);
    c.cin = cin;
    c.cout = cout;
    c.groups = groups;
    c.kh = kh;
    c.kw = kw;
    c.sh = c.sw = s;
    c.ph = ph;
    c.pw = pw;
    c.w = randv((size_t)cout * (cin / groups) * kh * kw);
    c.b = randv((size_t)cout);
    int oh = (ih + 2 * ph - kh) / s + 1, ow = (iw + 2 * pw - kw) / s + 1;
    float *in = randv((size_t)cin * ih * iw);
    size_t on = (size_t)cout * oh * ow;
    float *res = with_res ? randv(on) : NULL;
    float *o1 = malloc(sizeof *o1 * on), *o2 = malloc(sizeof *o2 * on);
    ck_assert(o1 && o2);
    gy_conv_run r = {.p = &c, .in = in, .ih = ih, .iw = iw, .out = o2, .oh = oh, .ow = ow,
                     .res = res, .res_before_act = res_before, .act = act};
    gy_f32_conv2d__ref(&r);
    double worst = 0.0;
    /* the input against an inaccessible page after its end, and before its start */
    gy_test_guards guard = GY_TEST_GUARDS_NONE;
    gy_test_guard_both(in, (size_t)cin * ih * iw, &guard);
    /* every instruction set this CPU has, with either guard; `threads` picks the task order
     * (forward, backward, odd then even) since tasks must not depend on each other */
    for (int is = 2 * GY_ISA_GENERIC; is < 2 * ((int)gy_cpu_best_isa() + 1); is++) {
        const int isa = is / 2;
        r.in = guard.in[is % 2];
        ck_assert_int_eq(gy_conv_pack(&c, (gy_isa)isa, NULL), GY_OK);
        float *scratch = aligned_alloc(64, sizeof(float) * (gy_f32_conv2d_scratch_floats(&c, oh, ow) / 16 * 16 + 16));
        ck_assert_ptr_nonnull(scratch);
        r.out = o1;
        size_t n = gy_f32_conv2d_tasks(&r);
        for (size_t t = 0; t < n; t++) {
            size_t task = threads == 1 ? t : threads == 2 ? n - 1 - t
                          : t < n / 2 ? 2 * t + 1 : 2 * (t - n / 2);
            gy_f32_conv2d_task(&r, task, scratch);
        }
        for (size_t i = 0; i < on; i++) {
            double d = fabs((double)o1[i] - o2[i]) / (1.0 + fabs((double)o2[i]));
            if (!(d <= worst))
                worst = isnan(d) ? INFINITY : d;
        }
        free(scratch);
    }
    free(c.wpack);
    free(c.w);
    free(c.b);
    free(in);
    gy_test_guards_free(&guard);
    free(res);
    free(o1);
    free(o2);
    return worst;
}

START_TEST(conv_fixed_shapes)
{
    /* 1x1 GEMM path, 3x3 im2col stride 1 and 2, depthwise 3x3 / 1x5 / 5x1, grouped, tails of the
     * 4-row and 128-column tiles, every activation and both residual placements. */
    struct { int cin, cout, g, kh, kw, s, ph, pw, ih, iw; gy_act act; int res, rb; } cases[] = {
        {16, 32, 1, 1, 1, 1, 0, 0, 20, 20, GY_ACT_SILU, 0, 0},
        {13, 7, 1, 1, 1, 1, 0, 0, 9, 15, GY_ACT_NONE, 1, 0},
        {8, 16, 1, 3, 3, 1, 1, 1, 17, 13, GY_ACT_SILU, 1, 0},
        {3, 16, 1, 3, 3, 2, 1, 1, 32, 32, GY_ACT_SILU, 0, 0},
        {12, 12, 12, 3, 3, 1, 1, 1, 11, 14, GY_ACT_RELU, 0, 0},
        {12, 12, 12, 3, 3, 2, 1, 1, 16, 16, GY_ACT_NONE, 0, 0},
        {10, 10, 10, 1, 5, 1, 0, 2, 9, 12, GY_ACT_NONE, 0, 0},
        {10, 10, 10, 5, 1, 1, 2, 0, 9, 12, GY_ACT_SIGMOID, 0, 0},
        {8, 12, 4, 3, 3, 1, 1, 1, 10, 10, GY_ACT_SILU, 0, 0},
        {24, 24, 1, 1, 1, 1, 0, 0, 12, 12, GY_ACT_RELU, 1, 1},
        {64, 5, 1, 3, 3, 1, 1, 1, 23, 7, GY_ACT_SILU, 1, 1},
        {16, 16, 1, 1, 1, 1, 0, 0, 1, 1, GY_ACT_SILU, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double d = conv_case(cases[i].cin, cases[i].cout, cases[i].g, cases[i].kh, cases[i].kw,
                             cases[i].s, cases[i].ph, cases[i].pw, cases[i].ih, cases[i].iw,
                             cases[i].act, cases[i].res, cases[i].rb, 2);
        ck_assert_msg(d < 2e-5, "case %zu: relative difference %g", i, d);
    }
}
END_TEST

START_TEST(conv_random_shapes)
{
    for (int it = 0; it < 60; it++) {
        int dw = irand(0, 3) == 0;
        int k = irand(0, 1) ? 3 : 1, s = irand(1, 2);
        int cin = irand(1, 40), g = 1, cout;
        if (dw) {
            g = cin;
            cout = cin;
        } else {
            cout = irand(1, 70);
        }
        int ih = irand(k, 37), iw = irand(k, 37);
        gy_act act = (gy_act)irand(0, 3);
        int res = irand(0, 1), rb = irand(0, 1);
        int threads = irand(1, 3);
        double d = conv_case(cin, cout, g, k, k, s, k / 2, k / 2, ih, iw, act, res, rb, threads);
        gy_conv geo = {.cin = cin, .cout = cout, .groups = g, .kh = k, .kw = k, .sh = s, .sw = s,
                       .ph = k / 2, .pw = k / 2};
        /* Winograd F(4, 3) adds its transforms' rounding (tests/test_conv.c measures both) */
        ck_assert_msg(d < (gy_winograd_eligible(&geo) ? 1e-4 : 2e-5), "iteration %d (cin %d cout %d g %d k %d s %d %dx%d): diff %g", it,
                      cin, cout, g, k, s, ih, iw, d);
    }
}
END_TEST

START_TEST(maxpool_and_upsample)
{
    int c = 3, h = 9, w = 7, k = 5, p = 2;
    float *in = randv((size_t)c * h * w), *out = malloc(sizeof(float) * c * h * w);
    ck_assert_ptr_nonnull(out);
    gy_f32_maxpool2d(in, out, c, h, w, h, w, k, 1, p, 2);
    for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float m = -INFINITY;
                for (int dy = -p; dy <= p; dy++)
                    for (int dx = -p; dx <= p; dx++)
                        if (y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w &&
                            in[(ch * h + y + dy) * w + x + dx] > m)
                            m = in[(ch * h + y + dy) * w + x + dx];
                ck_assert_float_eq(out[(ch * h + y) * w + x], m);
            }
    float *up = malloc(sizeof(float) * c * h * w * 4);
    ck_assert_ptr_nonnull(up);
    gy_f32_upsample_nearest(in, up, c, h, w, 2 * h, 2 * w, 2);
    for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < 2 * h; y++)
            for (int x = 0; x < 2 * w; x++)
                ck_assert_float_eq(up[(ch * 2 * h + y) * 2 * w + x], in[(ch * h + y / 2) * w + x / 2]);
    float *avg = malloc(sizeof(float) * c * (h / 2) * (w / 2));
    ck_assert_ptr_nonnull(avg);
    gy_f32_avgpool2d(in, avg, c, h, w, h / 2, w / 2, 2, 2, 2);
    for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h / 2; y++)
            for (int x = 0; x < w / 2; x++) {
                const float *s = in + (ch * h + 2 * y) * w + 2 * x;
                ck_assert_float_eq_tol(avg[(ch * (h / 2) + y) * (w / 2) + x],
                                       (s[0] + s[1] + s[w] + s[w + 1]) / 4.0f, 1e-6f);
            }
    free(in);
    free(out);
    free(up);
    free(avg);
}
END_TEST

START_TEST(detect_decode_against_formula)
{
    /* two levels, 2 classes, reg_max 16: compare with the formula in double */
    int nc = 2, reg = 16, hs[2] = {4, 2}, ws[2] = {6, 3}, strides[2] = {8, 16};
    int ch = 4 * reg + nc, anchors = 4 * 6 + 2 * 3;
    float *l0 = randv((size_t)ch * 24), *l1 = randv((size_t)ch * 6);
    for (int i = 0; i < ch * 24; i++)
        l0[i] *= 4.0f;
    const float *levels[2] = {l0, l1};
    float bins[16];
    for (int i = 0; i < 16; i++)
        bins[i] = (float)i;
    float *out = malloc(sizeof(float) * (4 + nc) * anchors);
    ck_assert_ptr_nonnull(out);
    gy_detect_decode(2, levels, hs, ws, strides, nc, reg, bins, out, anchors, 2);
    int a = 0;
    for (int l = 0; l < 2; l++)
        for (int pos = 0; pos < hs[l] * ws[l]; pos++, a++) {
            double d[4];
            for (int side = 0; side < 4; side++) {
                double z = 0, e = 0;
                for (int i = 0; i < reg; i++)
                    z += exp(levels[l][(side * reg + i) * hs[l] * ws[l] + pos]);
                for (int i = 0; i < reg; i++)
                    e += i * exp(levels[l][(side * reg + i) * hs[l] * ws[l] + pos]) / z;
                d[side] = e;
            }
            double ax = pos % ws[l] + 0.5, ay = pos / ws[l] + 0.5;
            double cx = (ax - d[0] + ax + d[2]) / 2 * strides[l], cy = (ay - d[1] + ay + d[3]) / 2 * strides[l];
            ck_assert_double_eq_tol(out[0 * anchors + a], cx, 1e-4);
            ck_assert_double_eq_tol(out[1 * anchors + a], cy, 1e-4);
            ck_assert_double_eq_tol(out[2 * anchors + a], (d[0] + d[2]) * strides[l], 1e-4);
            ck_assert_double_eq_tol(out[3 * anchors + a], (d[1] + d[3]) * strides[l], 1e-4);
            for (int c = 0; c < nc; c++) {
                double v = levels[l][(4 * reg + c) * hs[l] * ws[l] + pos];
                ck_assert_double_eq_tol(out[(4 + c) * anchors + a], 1 / (1 + exp(-v)), 1e-6);
            }
        }
    free(l0);
    free(l1);
    free(out);
}
END_TEST

/* The DFL expectation uses bins[0 .. reg_max - 1] only: a NaN just past them must not reach the
 * boxes. One 1x1 level, reg_max 2, all logits 0: softmax (0.5, 0.5) over bins (0, 1) gives 0.5 on
 * every side, so the box is anchor (0.5, 0.5) -+ 0.5 = [0, 1] x [0, 1], times stride 8:
 * xywh (4, 4, 8, 8); the class logit 0 gives sigmoid 0.5. */
START_TEST(detect_decode_reads_reg_max_bins)
{
    float map[4 * 2 + 1] = {0};
    const float *levels[1] = {map};
    int hs[1] = {1}, ws[1] = {1}, strides[1] = {8};
    const float bins[3] = {0.0f, 1.0f, NAN};
    float out[5] = {-1, -1, -1, -1, -1};
    gy_detect_decode(1, levels, hs, ws, strides, 1, 2, bins, out, 1, 1);
    const float want[5] = {4.0f, 4.0f, 8.0f, 8.0f, 0.5f};
    for (int i = 0; i < 5; i++)
        ck_assert_msg(fabsf(out[i] - want[i]) < 1e-5f, "out[%d] = %g, expected %g", i, (double)out[i],
                      (double)want[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kernels");
    TCase *tc = tcase_create("kernels");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, conv_fixed_shapes);
    tcase_add_test(tc, conv_random_shapes);
    tcase_add_test(tc, maxpool_and_upsample);
    tcase_add_test(tc, detect_decode_against_formula);
    tcase_add_test(tc, detect_decode_reads_reg_max_bins);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

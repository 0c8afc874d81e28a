/* The kernels the Ghost modules lean on, against plain references: depthwise convolution
 * (3x3, 5x5, 1x5, 5x1; stride 1 and 2) through gy_f32_dwconv2d and the gy_f32_conv2d dispatch,
 * grouped (gcd) convolution, avg_pool2d(2, 2) with floor, and nearest resizing to a given size
 * (F.interpolate(size=...)), on random shapes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "testutil.h"

static float *randv(gy_test_rng *r, size_t n)
{
    float *v = malloc(sizeof *v * (n ? n : 1));
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++)
        v[i] = gy_test_rng_float(r);
    return v;
}

typedef struct conv_case {
    int cin, cout, groups, kh, kw, s, ih, iw;
    gy_act act;
    int with_res, res_before_act, with_bias, threads;
} conv_case;

/* Runs the reference and, with dw set, gy_f32_dwconv2d, else gy_f32_conv2d; returns the worst
 * |fast - ref| / (1 + |ref|). */
static double run_case(gy_test_rng *r, const conv_case *k, int dw)
{
    gy_conv c;
    memset(&c, 0, sizeof c);
    c.cin = k->cin;
    c.cout = k->cout;
    c.groups = k->groups;
    c.kh = k->kh;
    c.kw = k->kw;
    c.sh = c.sw = k->s;
    c.ph = k->kh / 2;
    c.pw = k->kw / 2;
    c.w = randv(r, (size_t)k->cout * (k->cin / k->groups) * k->kh * k->kw);
    c.b = k->with_bias ? randv(r, (size_t)k->cout) : NULL;
    int oh = (k->ih + 2 * c.ph - k->kh) / k->s + 1, ow = (k->iw + 2 * c.pw - k->kw) / k->s + 1;
    ck_assert(oh > 0 && ow > 0);
    float *in = randv(r, (size_t)k->cin * k->ih * k->iw);
    size_t on = (size_t)k->cout * oh * ow;
    float *res = k->with_res ? randv(r, on) : NULL;
    float *fast = malloc(sizeof *fast * on), *ref = malloc(sizeof *ref * on);
    ck_assert(fast && ref);
    gy_conv_run run = {.p = &c, .in = in, .ih = k->ih, .iw = k->iw, .out = ref, .oh = oh,
                       .ow = ow, .res = res, .res_before_act = k->res_before_act, .act = k->act};
    gy_f32_conv2d__ref(&run);
    run.out = fast;
    double worst = 0.0;
    /* the input against an inaccessible page after its end, and before its start */
    gy_test_guards guard = GY_TEST_GUARDS_NONE;
    gy_test_guard_both(in, (size_t)k->cin * k->ih * k->iw, &guard);
    for (int is = 2 * GY_ISA_GENERIC; is < 2 * ((int)gy_cpu_best_isa() + 1); is++) {
        const int isa = is / 2;
        run.in = guard.in[is % 2];
        ck_assert_int_eq(gy_conv_pack(&c, (gy_isa)isa, NULL), GY_OK);
        size_t sf = dw ? gy_f32_dwconv2d_scratch_floats(&c, oh, ow)
                       : gy_f32_conv2d_scratch_floats(&c, oh, ow);
        float *scratch = aligned_alloc(64, sizeof(float) * (sf / 16 * 16 + 16));
        ck_assert_ptr_nonnull(scratch);
        for (size_t i = 0; i < on; i++)
            fast[i] = NAN; /* every element must be written */
        size_t n = dw ? gy_f32_dwconv2d_tasks(&run) : gy_f32_conv2d_tasks(&run);
        for (size_t t = n; t-- > 0;) /* any order */
            if (dw)
                gy_f32_dwconv2d_task(&run, t, scratch);
            else
                gy_f32_conv2d_task(&run, t, scratch);
        for (size_t i = 0; i < on; i++) {
            double d = fabs((double)fast[i] - ref[i]) / (1.0 + fabs((double)ref[i]));
            if (!(d <= worst)) /* also catches NaN */
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
    free(fast);
    free(ref);
    return worst;
}

static const gy_act acts[4] = {GY_ACT_NONE, GY_ACT_RELU, GY_ACT_SILU, GY_ACT_SIGMOID};

/* The depthwise shapes of the Ghost modules (3x3 cheap operation, 5x5 GhostConv, 1x5 / 5x1 DFC,
 * stride 2 DWConv) on random sizes, including planes smaller than the kernel; strides 3 and 4
 * (up to GY_DW_MAX_STRIDE) take the general phase split. */
START_TEST(depthwise_against_reference)
{
    static const int kernels[5][2] = {{3, 3}, {5, 5}, {1, 5}, {5, 1}, {1, 1}};
    gy_test_rng r = {0x9e3779b97f4a7c15ULL};
    for (int kk = 0; kk < 5; kk++)
        for (int s = 1; s <= GY_DW_MAX_STRIDE; s++)
            for (int rep = 0; rep < 12; rep++) {
                conv_case k;
                memset(&k, 0, sizeof k);
                k.cin = k.cout = k.groups = gy_test_rng_int(&r, 2, 19);
                k.kh = kernels[kk][0];
                k.kw = kernels[kk][1];
                k.s = s;
                k.ih = rep < 3 ? gy_test_rng_int(&r, 1, 3) : gy_test_rng_int(&r, 1, 41);
                k.iw = rep < 3 ? gy_test_rng_int(&r, 1, 3) : gy_test_rng_int(&r, 1, 41);
                k.act = acts[rep % 4];
                k.with_res = rep % 3 == 1;
                k.res_before_act = rep % 2;
                k.with_bias = rep % 5 != 0;
                k.threads = 1 + rep % 3;
                for (int dw = 0; dw < 2; dw++) {
                    double e = run_case(&r, &k, dw);
                    ck_assert_msg(e < 1e-5,
                                  "%s %dx%d s%d, %d ch, %dx%d, act %d, res %d/%d: error %g",
                                  dw ? "dwconv2d" : "conv2d", k.kh, k.kw, s, k.cin, k.ih, k.iw,
                                  (int)k.act, k.with_res, k.res_before_act, e);
                }
            }
}
END_TEST

/* The AVX2 and AVX-512 depthwise variants compute the same operations in the same order (bias,
 * then each tap's fused multiply-add in row-major order, then the epilogue): their outputs are
 * the same bits for every activation whose vector code is exact (all but SiLU and sigmoid), on
 * wide rows (several 32-output blocks and tails), paddings from 0 to past the filter, strides 1 to
 * 4 (2 with its own vector phase split), vertical and horizontal strides apart, and inputs with
 * columns no output reads; and both stay within the reference's bound. */
START_TEST(depthwise_isas_agree)
{
    if (gy_cpu_best_isa() < GY_ISA_AVX512)
        return; /* nothing to compare on this CPU */
    /* 11 shapes (prime to the 6 plane kinds and the 4 strides below): the square
     * sizes with their own code, and every non-square one whose side matches a square one's (a
     * 3 or 5 in one direction only must not take the square code) */
    enum { NK = 11 };
    static const int kernels[NK][2] = {{3, 3}, {5, 5}, {1, 5}, {5, 1}, {7, 7}, {3, 1},
                                       {1, 1}, {1, 3}, {5, 3}, {3, 5}, {3, 7}};
    static const gy_act exact[5] = {GY_ACT_NONE, GY_ACT_RELU, GY_ACT_RELU6, GY_ACT_HARDSWISH,
                                    GY_ACT_HARDSIGMOID};
    gy_test_rng r = {2024};
    for (int rep = 0; rep < 24 * NK; rep++) {
        gy_conv c;
        memset(&c, 0, sizeof c);
        c.cin = c.cout = c.groups = gy_test_rng_int(&r, 1, 6);
        c.kh = kernels[rep % NK][0];
        c.kw = kernels[rep % NK][1];
        c.sw = 1 + rep / NK % GY_DW_MAX_STRIDE;
        c.sh = rep % 5 == 4 ? 1 + (c.sw % 2) : c.sw;
        c.ph = gy_test_rng_int(&r, 0, c.kh);
        c.pw = gy_test_rng_int(&r, 0, c.kw);
        /* every 6th plane tall enough for the row ring (padded planes above 64 KiB), the others
         * copied whole (f32_dwconv2d.h), 4 output rows at a time and a tail of 1-3 */
        int ih = rep % 6 == 5 ? gy_test_rng_int(&r, 260, 400) : gy_test_rng_int(&r, 1, 30);
        int iw = gy_test_rng_int(&r, 1, rep % 3 ? 90 : 260);
        if (ih + 2 * c.ph < c.kh || iw + 2 * c.pw < c.kw)
            continue;
        int oh = (ih + 2 * c.ph - c.kh) / c.sh + 1, ow = (iw + 2 * c.pw - c.kw) / c.sw + 1;
        c.w = randv(&r, (size_t)c.cout * c.kh * c.kw);
        c.b = rep % 4 ? randv(&r, (size_t)c.cout) : NULL;
        float *in = randv(&r, (size_t)c.cin * ih * iw);
        size_t on = (size_t)c.cout * oh * ow;
        float *res = rep % 3 == 1 ? randv(&r, on) : NULL;
        float *out[3];
        for (int i = 0; i < 3; i++) {
            out[i] = malloc(sizeof(float) * on);
            ck_assert_ptr_nonnull(out[i]);
        }
        gy_conv_run run = {.p = &c, .in = in, .ih = ih, .iw = iw, .out = out[0], .oh = oh,
                           .ow = ow, .res = res, .res_before_act = rep % 2, .act = exact[rep % 5]};
        gy_f32_conv2d__ref(&run);
        for (int isa = GY_ISA_AVX2; isa <= GY_ISA_AVX512; isa++) {
            ck_assert_int_eq(gy_conv_pack(&c, (gy_isa)isa, NULL), GY_OK);
            float *scratch = aligned_alloc(64, sizeof(float) *
                                                   (gy_f32_dwconv2d_scratch_floats(&c, oh, ow) + 16));
            ck_assert_ptr_nonnull(scratch);
            run.out = out[isa];
            for (size_t t = gy_f32_dwconv2d_tasks(&run); t-- > 0;)
                gy_f32_dwconv2d_task(&run, t, scratch);
            free(scratch);
            for (size_t i = 0; i < on; i++) {
                double d = fabs((double)out[isa][i] - out[0][i]) / (1.0 + fabs((double)out[0][i]));
                ck_assert_msg(d < 1e-5, "rep %d %s: %dx%d s%d,%d p%d,%d %dx%d at %zu: %g vs %g",
                              rep, gy_isa_name((gy_isa)isa), c.kh, c.kw, c.sh, c.sw, c.ph, c.pw,
                              ih, iw, i, out[isa][i], out[0][i]);
            }
        }
        ck_assert_msg(!memcmp(out[1], out[2], sizeof(float) * on),
                      "rep %d: AVX2 and AVX-512 differ (%dx%d s%d,%d p%d,%d %dx%d)", rep, c.kh,
                      c.kw, c.sh, c.sw, c.ph, c.pw, ih, iw);
        for (int i = 0; i < 3; i++)
            free(out[i]);
        free(c.wpack);
        free(c.w);
        free(c.b);
        free(in);
        free(res);
    }
}
END_TEST

/* Planes of a typical Ghost size (80x80, 40x40 ...) with many channels and threads. */
START_TEST(depthwise_model_sizes)
{
    gy_test_rng r = {12345};
    static const int sizes[4] = {80, 40, 20, 10};
    for (int i = 0; i < 4; i++) {
        conv_case k = {.cin = 64, .cout = 64, .groups = 64, .kh = 3, .kw = 3, .s = 1,
                       .ih = sizes[i], .iw = sizes[i], .act = GY_ACT_RELU, .with_res = 1,
                       .with_bias = 1, .threads = 4};
        ck_assert(run_case(&r, &k, 1) < 1e-5);
        k.kh = 1;
        k.kw = 5;
        k.act = GY_ACT_NONE;
        k.with_res = 0;
        ck_assert(run_case(&r, &k, 0) < 1e-5);
        k.kh = 5;
        k.kw = 1;
        ck_assert(run_case(&r, &k, 0) < 1e-5);
        k.kh = k.kw = 3;
        k.s = 2;
        ck_assert(run_case(&r, &k, 0) < 1e-5);
    }
}
END_TEST

/* Grouped convolutions that are not depthwise (DWConv with c1 != c2: groups = gcd(c1, c2)). */
START_TEST(grouped_against_reference)
{
    gy_test_rng r = {777};
    static const int pairs[4][2] = {{16, 32}, {32, 16}, {12, 18}, {8, 8}};
    for (int i = 0; i < 4; i++)
        for (int s = 1; s <= GY_DW_MAX_STRIDE; s++) {
            int a = pairs[i][0], b = pairs[i][1], g = a;
            for (int t = b; t;) { /* gcd */
                int m = g % t;
                g = t;
                t = m;
            }
            conv_case k = {.cin = a, .cout = b, .groups = g, .kh = 3, .kw = 3, .s = s,
                           .ih = gy_test_rng_int(&r, 3, 23), .iw = gy_test_rng_int(&r, 3, 23), .act = GY_ACT_SILU,
                           .with_bias = 1, .threads = 2};
            double e = run_case(&r, &k, 0);
            ck_assert_msg(e < 1e-5, "groups %d (%d -> %d) s%d: error %g", g, a, b, s, e);
        }
}
END_TEST

/* F.avg_pool2d(x, 2, 2): floor output size, odd sizes drop the last row / column. */
START_TEST(avgpool_against_naive)
{
    gy_test_rng r = {4242};
    for (int rep = 0; rep < 40; rep++) {
        int c = gy_test_rng_int(&r, 1, 9), h = gy_test_rng_int(&r, 2, 37), w = gy_test_rng_int(&r, 2, 37);
        int k = rep % 4 == 3 ? 3 : 2, s = rep % 5 == 4 ? 1 : k;
        if (h < k || w < k)
            continue;
        int oh = (h - k) / s + 1, ow = (w - k) / s + 1;
        float *in = randv(&r, (size_t)c * h * w);
        float *out = malloc(sizeof(float) * (size_t)c * oh * ow);
        ck_assert_ptr_nonnull(out);
        gy_f32_avgpool2d(in, out, c, h, w, oh, ow, k, s, 1 + rep % 3);
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++) {
                    double sum = 0.0;
                    for (int dy = 0; dy < k; dy++)
                        for (int dx = 0; dx < k; dx++)
                            sum += in[((size_t)ch * h + y * s + dy) * w + x * s + dx];
                    double got = out[((size_t)ch * oh + y) * ow + x];
                    ck_assert_msg(fabs(got - sum / (k * k)) < 1e-6,
                                  "avgpool k%d s%d %dx%d at %d,%d,%d: %g vs %g", k, s, h, w, ch, y,
                                  x, got, sum / (k * k));
                }
        free(in);
        free(out);
    }
}
END_TEST

/* Nearest resize to a given size, torch's rule: src = min(floor(dst * (float)(in / out)), in - 1)
 * computed in float (the DFC gate goes from ceil-less avg-pooled sizes back up, e.g. 2 -> 5). */
START_TEST(nearest_to_size)
{
    gy_test_rng r = {99};
    static const int cases[][4] = {{2, 2, 5, 5}, {5, 5, 10, 10}, {3, 7, 7, 15}, {10, 10, 20, 20},
                                   {1, 1, 3, 2}, {7, 3, 15, 7},  {20, 20, 40, 40}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int ih = cases[i][0], iw = cases[i][1], oh = cases[i][2], ow = cases[i][3], c = 3;
        float *in = randv(&r, (size_t)c * ih * iw);
        float *out = malloc(sizeof(float) * (size_t)c * oh * ow);
        ck_assert_ptr_nonnull(out);
        gy_f32_upsample_nearest(in, out, c, ih, iw, oh, ow, 2);
        float sy = (float)ih / (float)oh, sx = (float)iw / (float)ow;
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++) {
                    int iy = (int)floorf((float)y * sy), ix = (int)floorf((float)x * sx);
                    iy = iy < ih - 1 ? iy : ih - 1;
                    ix = ix < iw - 1 ? ix : iw - 1;
                    ck_assert_float_eq(out[((size_t)ch * oh + y) * ow + x],
                                       in[((size_t)ch * ih + iy) * iw + ix]);
                }
        free(in);
        free(out);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dwconv");
    TCase *tc = tcase_create("kernels");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, depthwise_against_reference);
    tcase_add_test(tc, depthwise_model_sizes);
    tcase_add_test(tc, depthwise_isas_agree);
    tcase_add_test(tc, grouped_against_reference);
    tcase_add_test(tc, avgpool_against_naive);
    tcase_add_test(tc, nearest_to_size);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

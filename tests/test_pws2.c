/* test_pws2.c - the fused pointwise + direct stride-2 op (kernels/f32-conv/f32_conv2d_pws2.c)
 * against the two ops run one after the other (the packed GEMM, then the direct stride-2 kernel,
 * dense or per group), bit for bit, on every vector ISA this CPU has (and on AVX-512 both
 * tunings): K below, at and past the GEMM's K chunk, pointwise channel counts that leave partial
 * row panels of the tiles (12 / 6), widths 1..70 (every tail of the 16- and 32-pixel column panels),
 * 3x3 / 5x5 / 1x3 / 3x1 / 1x1 padded filters at vertical strides 1 and 2, paddings 0 to past the
 * filter's half, groups of 16, 24 and 48 channels (the 48-channel blocks), every activation on
 * either conv, no bias, a residual on the stride-2 conv; windows of one output row and of several
 * (wide and narrow maps), bands of rows; tasks in reverse order on one scratch; the pointwise
 * output never written. Then the runtime: the pair fused from 4 Mi floats of pointwise output,
 * on 1 and 2 threads, as the two ops alone would give. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/cpu/cpu_kind.h"
#include "runtime/plan.h"
#include "pairtest.h"
#include "testutil.h"

typedef struct pc {
    int K, C, O, G, ih, iw, kh, kw, sh, ph, pw;
    gy_act pact, cact;
    int pbias, cbias, res, before;
} pc;

static void run_conv(const gy_conv_run *r)
{
    float *scratch = gy_test_floats64(gy_f32_conv2d_scratch_floats(r->p, r->oh, r->ow));
    for (size_t t = gy_f32_conv2d_tasks(r); t-- > 0;)
        gy_f32_conv2d_task(r, t, scratch);
    free(scratch);
}

/* Fused against unfused on every vector ISA and tuning; returns the worst difference from the
 * double reference. */
static double check_case(gy_test_rng *rng, const pc *k)
{
    gy_conv pw, cv;
    memset(&pw, 0, sizeof pw);
    memset(&cv, 0, sizeof cv);
    pw.cin = k->K;
    pw.cout = k->C;
    pw.groups = 1;
    pw.kh = pw.kw = pw.sh = pw.sw = 1;
    pw.w = gy_test_randv(rng, (size_t)k->C * k->K, 2.0f / sqrtf((float)k->K));
    pw.b = k->pbias ? gy_test_randv(rng, (size_t)k->C, 1.0f) : NULL;
    cv.cin = k->C;
    cv.cout = k->O;
    cv.groups = k->G;
    cv.kh = k->kh;
    cv.kw = k->kw;
    cv.sh = k->sh;
    cv.sw = 2;
    cv.ph = k->ph;
    cv.pw = k->pw;
    int fan = k->C / k->G * k->kh * k->kw;
    cv.w = gy_test_randv(rng, (size_t)k->O * fan, 2.0f / sqrtf((float)fan));
    cv.b = k->cbias ? gy_test_randv(rng, (size_t)k->O, 1.0f) : NULL;
    int oh = (k->ih + 2 * k->ph - k->kh) / k->sh + 1, ow = (k->iw + 2 * k->pw - k->kw) / 2 + 1;
    ck_assert(oh > 0 && ow > 0);
    size_t mid_n = (size_t)k->C * k->ih * k->iw, on = (size_t)k->O * oh * ow;
    float *in = gy_test_randv(rng, (size_t)k->K * k->ih * k->iw, 2.0f);
    float *res = k->res ? gy_test_randv(rng, on, 1.0f) : NULL;
    float *mid = malloc(sizeof *mid * mid_n), *two = malloc(sizeof *two * on);
    float *one = malloc(sizeof *one * on), *ref = malloc(sizeof *ref * on);
    ck_assert(mid && two && one && ref);
    gy_conv_run rp = {.p = &pw, .in = in, .ih = k->ih, .iw = k->iw, .out = mid, .oh = k->ih,
                      .ow = k->iw, .act = k->pact};
    gy_conv_run rc = {.p = &cv, .in = mid, .ih = k->ih, .iw = k->iw, .out = ref, .oh = oh, .ow = ow,
                      .res = res, .res_before_act = k->before, .act = k->cact};
    gy_f32_conv2d__ref(&rp);
    gy_f32_conv2d__ref(&rc);
    double worst = 0.0;
    int runs = 0;
    /* the input against an inaccessible page after its end, and before its start */
    gy_test_guards guard = GY_TEST_GUARDS_NONE;
    gy_test_guard_both(in, (size_t)k->K * k->ih * k->iw, &guard);
    for (int vs = 2 * GY_ISA_AVX2;
         vs < 2 * ((int)gy_cpu_best_isa() + (gy_cpu_best_isa() == GY_ISA_AVX512) + 1); vs++) {
        const int v = vs / 2;
        rp.in = guard.in[vs % 2];
        gy_isa isa = v > GY_ISA_AVX512 ? GY_ISA_AVX512 : (gy_isa)v;
        gy_tune tune = v > GY_ISA_AVX512 ? GY_TUNE_BASE
                       : isa == GY_ISA_AVX512 ? GY_TUNE_FULL512 : GY_TUNE_BASE;
        ck_assert_int_eq(gy_conv_pack_tuned(&pw, isa, tune, NULL), GY_OK);
        ck_assert_int_eq(gy_conv_pack_tuned(&cv, isa, tune, NULL), GY_OK);
        ck_assert_msg(gy_f32_pws2_fusable(&pw, &cv), "K %d C %d O %d G %d: not fusable", k->K,
                      k->C, k->O, k->G);
        rc.out = two;
        run_conv(&rp);
        run_conv(&rc);
        for (size_t i = 0; i < on; i++)
            one[i] = NAN;
        for (size_t i = 0; i < mid_n; i++)
            mid[i] = 12345.0f;
        gy_pws2_run f = {.pw = rp, .cv = rc};
        f.pw.out = NULL;
        f.cv.in = NULL;
        f.cv.out = one;
        float *scratch = gy_test_floats64(gy_f32_pws2_scratch_floats(&f));
        for (size_t t = gy_f32_pws2_tasks(&f); t-- > 0;)
            gy_f32_pws2_task(&f, t, scratch);
        free(scratch);
        ck_assert_msg(!memcmp(one, two, sizeof *one * on),
                      "%s/%s: K %d C %d O %d g%d %dx%d, %dx%d s%d,2 p%d,%d: fused differs from the "
                      "two ops", gy_isa_name(isa), gy_tune_name(tune), k->K, k->C, k->O, k->G,
                      k->ih, k->iw, k->kh, k->kw, k->sh, k->ph, k->pw);
        size_t written = 0;
        for (size_t i = 0; i < mid_n; i++)
            written += mid[i] != 12345.0f;
        ck_assert_msg(!written, "the pointwise output was written (%zu floats)", written);
        for (size_t i = 0; i < on; i++) {
            double d = fabs((double)one[i] - ref[i]) / (1.0 + fabs((double)ref[i]));
            worst = d > worst ? d : worst;
        }
        free(pw.wpack);
        free(cv.wpack);
        pw.wpack = cv.wpack = NULL;
        runs++;
    }
    ck_assert_msg(runs > 0 || gy_cpu_best_isa() < GY_ISA_AVX2, "no ISA ran");
    free(pw.w);
    free(pw.b);
    free(cv.w);
    free(cv.b);
    free(in);
    gy_test_guards_free(&guard);
    free(res);
    free(mid);
    free(two);
    free(one);
    free(ref);
    return worst;
}

/* Without AVX2 (GY_ISA=generic) nothing fuses: the direct stride-2 kernel is AVX2 / AVX-512
 * only. Checked, and said. */
static int nothing_fuses(void)
{
    if (gy_cpu_best_isa() >= GY_ISA_AVX2)
        return 0;
    gy_conv pw, cv;
    memset(&pw, 0, sizeof pw);
    memset(&cv, 0, sizeof cv);
    float w = 1.0f;
    pw.w = cv.w = &w;
    pw.cin = 8;
    pw.cout = cv.cin = cv.cout = 32;
    pw.groups = cv.groups = 1;
    pw.kh = pw.kw = pw.sh = pw.sw = 1;
    cv.kh = cv.kw = 3;
    cv.sh = cv.sw = 2;
    cv.ph = cv.pw = 1;
    ck_assert(!gy_f32_pws2_fusable(&pw, &cv));
    printf("%s: no vector ISA (GY_ISA=%s): nothing fuses, the kernel is not run\n", __FILE__,
           gy_isa_name(gy_cpu_best_isa()));
    return 1;
}

START_TEST(fused_equals_two_ops)
{
    if (nothing_fuses())
        return;
    gy_test_rng rng = {0x5e2ULL};
    static const gy_act acts[5] = {GY_ACT_RELU, GY_ACT_SILU, GY_ACT_NONE, GY_ACT_HARDSWISH,
                                   GY_ACT_RELU6};
    static const int filters[5][2] = {{3, 3}, {5, 5}, {1, 3}, {3, 1}, {1, 1}};
    /* K, C, O, G: dense (C -> O), groups of 16, 24 and 48 channels */
    static const int chans[8][4] = {{3, 16, 16, 1},  {16, 24, 40, 1}, {7, 48, 48, 1},
                                    {32, 96, 96, 2}, {12, 48, 48, 3}, {20, 72, 72, 3},
                                    {5, 32, 64, 2},  {24, 50, 36, 1}};
    double worst = 0.0;
    for (int it = 0; it < 60; it++) {
        pc k;
        memset(&k, 0, sizeof k);
        k.K = chans[it % 8][0];
        k.C = chans[it % 8][1];
        k.O = chans[it % 8][2];
        k.G = chans[it % 8][3];
        k.kh = filters[it % 5][0];
        k.kw = filters[it % 5][1];
        k.sh = 1 + it / 5 % 2;
        k.ph = gy_test_rng_int(&rng, 0, k.kh / 2 + 1);
        k.pw = gy_test_rng_int(&rng, 0, k.kw / 2 + 1);
        if (k.kh == 1 && k.kw == 1 && k.pw == 0)
            k.pw = 1; /* an unpadded 1x1 stride 2 takes the GEMM, not the direct kernel */
        k.ih = gy_test_rng_int(&rng, 1, 23);
        k.iw = gy_test_rng_int(&rng, 1, 70);
        if (k.ih + 2 * k.ph < k.kh || k.iw + 2 * k.pw < k.kw)
            continue;
        k.pact = acts[it % 5];
        k.cact = acts[(it + 2) % 5];
        k.pbias = it % 4 != 0;
        k.cbias = it % 3 != 0;
        k.res = it % 5 == 2;
        k.before = it % 2;
        double e = check_case(&rng, &k);
        worst = e > worst ? e : worst;
    }
    /* G-GhostNet's first pair, small (32 -> 96, then 3x3 s2 in groups of 48): a wide map (one
     * output row per window step) and a tall one (bands); K past one chunk of the GEMM (4096) */
    pc gg1 = {32, 96, 96, 2, 9, 650, 3, 3, 2, 1, 1, GY_ACT_RELU, GY_ACT_RELU, 1, 1, 0, 0};
    pc gg2 = {96, 192, 192, 4, 67, 20, 3, 3, 2, 1, 1, GY_ACT_RELU, GY_ACT_RELU, 1, 1, 1, 1};
    pc k2 = {4100, 24, 24, 1, 5, 7, 3, 3, 2, 1, 1, GY_ACT_SILU, GY_ACT_NONE, 1, 0, 0, 0};
    worst = fmax(worst, check_case(&rng, &gg1));
    worst = fmax(worst, check_case(&rng, &gg2));
    worst = fmax(worst, check_case(&rng, &k2));
    printf("fused pointwise + stride 2: worst relative difference from the double reference %.3g\n",
           worst);
    ck_assert_msg(worst < 2e-5, "worst %g", worst);
}
END_TEST

/* What may fuse: a pointwise conv (1x1, stride 1, no padding, groups 1) into a conv of its
 * output channels that takes the direct stride-2 kernel (dense, or each group), both packed for
 * one vector ISA, both with weights; each clause failing alone is refused. */
START_TEST(fusable_rules)
{
    gy_conv pw, cv;
    memset(&pw, 0, sizeof pw);
    memset(&cv, 0, sizeof cv);
    float w = 1.0f;
    pw.w = cv.w = &w;
    pw.cin = 8;
    pw.cout = 96;
    pw.groups = 1;
    pw.kh = pw.kw = pw.sh = pw.sw = 1;
    pw.isa = GY_ISA_AVX2;
    cv.cin = cv.cout = 96;
    cv.groups = 2;
    cv.kh = cv.kw = 3;
    cv.sh = cv.sw = 2;
    cv.ph = cv.pw = 1;
    cv.isa = GY_ISA_AVX2;
    ck_assert(gy_f32_pws2_fusable(&pw, &cv));
    gy_conv p2 = pw, c2 = cv;
    c2.groups = 1;
    ck_assert(gy_f32_pws2_fusable(&pw, &c2)); /* dense */
    pw.isa = cv.isa = GY_ISA_AVX512;
    ck_assert(gy_f32_pws2_fusable(&pw, &cv));
    p2 = pw;
    p2.kh = 3;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    p2 = pw;
    p2.kw = 3;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    p2 = pw;
    p2.sh = 2;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    p2 = pw;
    p2.sw = 2;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    p2 = pw;
    p2.ph = 1;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    p2 = pw;
    p2.pw = 1;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    p2 = pw;
    p2.groups = 2;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    p2 = pw;
    p2.cout = 48;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    p2 = pw;
    p2.isa = GY_ISA_AVX2;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    p2 = pw;
    p2.w = NULL;
    ck_assert(!gy_f32_pws2_fusable(&p2, &cv));
    c2 = cv;
    c2.w = NULL;
    ck_assert(!gy_f32_pws2_fusable(&pw, &c2));
    gy_conv pg = pw, cg = cv; /* the portable code has no direct stride-2 kernel */
    pg.isa = cg.isa = GY_ISA_GENERIC;
    ck_assert(!gy_f32_pws2_fusable(&pg, &cg));
    c2 = cv;
    c2.sw = 1; /* stride 1: Winograd per group */
    c2.sh = 1;
    ck_assert(!gy_f32_pws2_fusable(&pw, &c2));
    c2 = cv;
    c2.groups = 96; /* depthwise: the other fused op */
    ck_assert(!gy_f32_pws2_fusable(&pw, &c2));
    c2 = cv;
    c2.groups = 8; /* 12 -> 12 per group: too narrow for the direct kernel per group */
    ck_assert(!gy_f32_pws2_fusable(&pw, &c2));
    c2 = cv;
    c2.groups = 1;
    c2.kh = c2.kw = 1;
    c2.ph = c2.pw = 0; /* unpadded 1x1 stride 2: the packed GEMM */
    ck_assert(!gy_f32_pws2_fusable(&pw, &c2));
}
END_TEST

/* Tasks are bands of output rows: about 8 of them, at least 4 rows each (all rows when fewer). */
START_TEST(tasks_are_bands)
{
    gy_conv pw, cv;
    memset(&pw, 0, sizeof pw);
    memset(&cv, 0, sizeof cv);
    pw.cin = 8;
    pw.cout = cv.cin = cv.cout = 32;
    pw.groups = cv.groups = 1;
    pw.kh = pw.kw = pw.sh = pw.sw = 1;
    cv.kh = cv.kw = 3;
    cv.sh = cv.sw = 2;
    cv.ph = cv.pw = 1;
    /* output rows -> tasks */
    static const int cases[][2] = {{1, 1},  {3, 1},  {4, 1},  {5, 2},  {20, 5},
                                   {32, 8}, {33, 7}, {64, 8}, {65, 8}, {160, 8}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gy_pws2_run f;
        memset(&f, 0, sizeof f);
        f.pw.p = &pw;
        f.cv.p = &cv;
        f.cv.oh = f.cv.ow = cases[k][0];
        f.cv.ih = f.cv.iw = f.pw.ih = f.pw.iw = f.pw.oh = f.pw.ow = 2 * cases[k][0];
        ck_assert_msg(gy_f32_pws2_tasks(&f) == (size_t)cases[k][1], "%d rows: %zu tasks, want %d",
                      cases[k][0], gy_f32_pws2_tasks(&f), cases[k][1]);
    }
}
END_TEST

/* The runtime: input -> 1x1 (64 channels) -> 3x3 s2 in 4 groups at 256x256 (4 Mi floats of
 * pointwise output, the least that is fused) is planned without memory for the pointwise output
 * and run on 1 and 2 threads gives the two ops' result bit for bit; at 128x128 (1 Mi floats) the
 * two stay ops of their own. */
START_TEST(runtime_fuses_large_pairs)
{
    if (nothing_fuses())
        return;
    gy_test_rng rng = {78};
    gy_conv cv;
    memset(&cv, 0, sizeof cv);
    cv.cin = cv.cout = 64;
    cv.groups = 4;
    cv.kh = cv.kw = 3;
    cv.sh = cv.sw = 2;
    cv.ph = cv.pw = 1;
    gy_test_pointwise_pair_runtime(&rng, 8, 256, &cv, 0.2f, GY_ACT_RELU, GY_FUSED_PWS2);
    gy_test_pointwise_pair_runtime(&rng, 8, 128, &cv, 0.2f, GY_ACT_RELU, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pws2");
    TCase *tc = tcase_create("pws2");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fused_equals_two_ops);
    tcase_add_test(tc, fusable_rules);
    tcase_add_test(tc, tasks_are_bands);
    tcase_add_test(tc, runtime_fuses_large_pairs);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* test_pwdw.c - the fused pointwise + depthwise op (kernels/f32-conv/f32_conv2d_pwdw.c) against the
 * two ops run one after the other (the packed GEMM, then the depthwise kernel), bit for bit, on
 * every ISA this CPU has: K below, at and past the GEMM's K chunk (two chunks), channel counts
 * that leave partial blocks of 16 and of the kernels' 4 / 3 channels, widths 1..70 (every tail of
 * 16 and 32 pixels), depthwise 3x3 / 5x5 / 1x5 / 5x1 / 7x7 / 1x3 / 5x3 / 3x5 / 3x1 at strides 1, 2
 * and 3, paddings 0 to past the filter, every activation on either conv, no bias, a residual on the depthwise conv;
 * tasks in reverse order on one scratch; the pointwise output never written. Then the runtime:
 * MobileNetV2 (expand + depthwise in every block) gives the same outputs with fusion as the ops
 * alone would (the parity cases check it against ultralytics). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "runtime/plan.h"
#include "pairtest.h"
#include "testutil.h"

typedef struct pc {
    int K, C, ih, iw, kh, kw, s, ph, pw;
    gy_act pact, dact;
    int pbias, dbias, res, before;
} pc;

static void run_conv(const gy_conv_run *r)
{
    float *scratch = gy_test_floats64(gy_f32_conv2d_scratch_floats(r->p, r->oh, r->ow));
    for (size_t t = gy_f32_conv2d_tasks(r); t-- > 0;)
        gy_f32_conv2d_task(r, t, scratch);
    free(scratch);
}

/* Fused against unfused on every ISA; returns the worst difference from the double reference. */
static double check_case(gy_test_rng *rng, const pc *k)
{
    gy_conv pw, dw;
    memset(&pw, 0, sizeof pw);
    memset(&dw, 0, sizeof dw);
    pw.cin = k->K;
    pw.cout = k->C;
    pw.groups = 1;
    pw.kh = pw.kw = pw.sh = pw.sw = 1;
    pw.w = gy_test_randv(rng, (size_t)k->C * k->K, 2.0f / sqrtf((float)k->K));
    pw.b = k->pbias ? gy_test_randv(rng, (size_t)k->C, 1.0f) : NULL;
    dw.cin = dw.cout = dw.groups = k->C;
    dw.kh = k->kh;
    dw.kw = k->kw;
    dw.sh = dw.sw = k->s;
    dw.ph = k->ph;
    dw.pw = k->pw;
    dw.w = gy_test_randv(rng, (size_t)k->C * k->kh * k->kw, 0.5f);
    dw.b = k->dbias ? gy_test_randv(rng, (size_t)k->C, 1.0f) : NULL;
    int oh = (k->ih + 2 * k->ph - k->kh) / k->s + 1, ow = (k->iw + 2 * k->pw - k->kw) / k->s + 1;
    ck_assert(oh > 0 && ow > 0);
    size_t mid_n = (size_t)k->C * k->ih * k->iw, on = (size_t)k->C * oh * ow;
    float *in = gy_test_randv(rng, (size_t)k->K * k->ih * k->iw, 2.0f);
    float *res = k->res ? gy_test_randv(rng, on, 1.0f) : NULL;
    float *mid = malloc(sizeof *mid * mid_n), *two = malloc(sizeof *two * on);
    float *one = malloc(sizeof *one * on), *ref = malloc(sizeof *ref * on);
    double *mid_ref = NULL;
    ck_assert(mid && two && one && ref);
    /* the double reference of the pair (rounded to float between the two) */
    gy_conv_run rp = {.p = &pw, .in = in, .ih = k->ih, .iw = k->iw, .out = mid, .oh = k->ih,
                      .ow = k->iw, .act = k->pact};
    gy_conv_run rd = {.p = &dw, .in = mid, .ih = k->ih, .iw = k->iw, .out = ref, .oh = oh, .ow = ow,
                      .res = res, .res_before_act = k->before, .act = k->dact};
    gy_f32_conv2d__ref(&rp);
    gy_f32_conv2d__ref(&rd);
    (void)mid_ref;
    double worst = 0.0;
    /* the input against an inaccessible page after its end, and before its start */
    gy_test_guards guard = GY_TEST_GUARDS_NONE;
    gy_test_guard_both(in, (size_t)k->K * k->ih * k->iw, &guard);
    for (int is = 2 * GY_ISA_GENERIC; is < 2 * ((int)gy_cpu_best_isa() + 1); is++) {
        const int isa = is / 2;
        ck_assert_int_eq(gy_conv_pack(&pw, (gy_isa)isa, NULL), GY_OK);
        ck_assert_int_eq(gy_conv_pack(&dw, (gy_isa)isa, NULL), GY_OK);
        ck_assert(gy_f32_pwdw_fusable(&pw, &dw));
        /* the two ops */
        rd.out = two;
        rp.in = guard.in[is % 2];
        run_conv(&rp);
        run_conv(&rd);
        /* fused: the pointwise output never written */
        for (size_t i = 0; i < on; i++)
            one[i] = NAN;
        for (size_t i = 0; i < mid_n; i++)
            mid[i] = 12345.0f;
        gy_pwdw_run f = {.pw = rp, .dw = rd};
        f.pw.out = NULL;
        f.dw.in = NULL;
        f.dw.out = one;
        float *scratch = gy_test_floats64(gy_f32_pwdw_scratch_floats(&f));
        for (size_t t = gy_f32_pwdw_tasks(&f); t-- > 0;)
            gy_f32_pwdw_task(&f, t, scratch);
        free(scratch);
        ck_assert_msg(!memcmp(one, two, sizeof *one * on),
                      "isa %d: K %d C %d %dx%d dw %dx%d s%d p%d,%d: fused differs from the two ops",
                      isa, k->K, k->C, k->ih, k->iw, k->kh, k->kw, k->s, k->ph, k->pw);
        size_t written = 0; /* one assertion, not one per float (each costs Check a write) */
        for (size_t i = 0; i < mid_n; i++)
            written += mid[i] != 12345.0f;
        ck_assert_msg(!written, "the pointwise output was written (%zu floats)", written);
        for (size_t i = 0; i < on; i++) {
            double d = fabs((double)one[i] - ref[i]) / (1.0 + fabs((double)ref[i]));
            worst = d > worst ? d : worst;
        }
        free(pw.wpack);
        free(dw.wpack);
        pw.wpack = dw.wpack = NULL;
    }
    free(pw.w);
    free(pw.b);
    free(dw.w);
    free(dw.b);
    free(in);
    gy_test_guards_free(&guard);
    free(res);
    free(mid);
    free(two);
    free(one);
    free(ref);
    return worst;
}

START_TEST(fused_equals_two_ops)
{
    gy_test_rng rng = {0x5eedULL};
    static const gy_act acts[5] = {GY_ACT_RELU6, GY_ACT_HARDSWISH, GY_ACT_NONE, GY_ACT_SILU,
                                   GY_ACT_RELU};
    /* the square sizes with their own code, and non-square ones with a 3 or 5 in one direction
     * only (which must not take the square code) */
    enum { NF = 9 };
    static const int filters[NF][2] = {{3, 3}, {5, 5}, {1, 5}, {5, 1}, {7, 7},
                                       {1, 3}, {5, 3}, {3, 5}, {3, 1}};
    static const int Ks[6] = {3, 16, 24, 256, 300, 7};
    static const int Cs[6] = {2, 5, 16, 17, 40, 96}; /* 1 channel is a dense conv */
    double worst = 0.0;
    for (int it = 0; it < 12 * NF; it++) {
        pc k;
        memset(&k, 0, sizeof k);
        k.K = Ks[it % 6];
        k.C = Cs[it / 6 % 6];
        k.kh = filters[it % NF][0];
        k.kw = filters[it % NF][1];
        k.s = 1 + it / NF % 3;
        k.ph = gy_test_rng_int(&rng, 0, k.kh);
        k.pw = gy_test_rng_int(&rng, 0, k.kw);
        k.ih = gy_test_rng_int(&rng, 1, 19);
        k.iw = gy_test_rng_int(&rng, 1, 70);
        if (k.ih + 2 * k.ph < k.kh || k.iw + 2 * k.pw < k.kw)
            continue;
        k.pact = acts[it % 5];
        k.dact = acts[(it + 2) % 5];
        k.pbias = it % 4 != 0;
        k.dbias = it % 3 != 0;
        k.res = it % 5 == 2;
        k.before = it % 2;
        double e = check_case(&rng, &k);
        worst = e > worst ? e : worst;
    }
    /* the shapes of MobileNetV2's first blocks, small: 16 -> 96 then 3x3 s2; 24 -> 144, 3x3 s1 */
    pc mb1 = {16, 96, 33, 41, 3, 3, 2, 1, 1, GY_ACT_RELU6, GY_ACT_RELU6, 1, 1, 0, 0};
    pc mb2 = {24, 144, 20, 23, 3, 3, 1, 1, 1, GY_ACT_RELU6, GY_ACT_RELU6, 1, 1, 0, 0};
    worst = fmax(worst, check_case(&rng, &mb1));
    worst = fmax(worst, check_case(&rng, &mb2));
    printf("fused pointwise + depthwise: worst relative difference from the double reference %.3g\n",
           worst);
    ck_assert_msg(worst < 2e-5, "worst %g", worst);
}
END_TEST

/* What may fuse: a pointwise conv (1x1, stride 1, no padding, groups 1) into a depthwise conv of
 * its output channels, both packed for one ISA; each clause failing alone is refused. */
START_TEST(fusable_rules)
{
    gy_conv pw, dw;
    memset(&pw, 0, sizeof pw);
    memset(&dw, 0, sizeof dw);
    float w = 1.0f;
    pw.w = dw.w = &w;
    pw.cin = 8;
    pw.cout = 16;
    pw.groups = 1;
    pw.kh = pw.kw = pw.sh = pw.sw = 1;
    dw.cin = dw.cout = dw.groups = 16;
    dw.kh = dw.kw = 3;
    dw.sh = dw.sw = 2;
    ck_assert(gy_f32_pwdw_fusable(&pw, &dw));
    gy_conv p2 = pw, d2 = dw;
    p2.kh = 3;
    ck_assert(!gy_f32_pwdw_fusable(&p2, &dw));
    p2 = pw;
    p2.sw = 2;
    ck_assert(!gy_f32_pwdw_fusable(&p2, &dw));
    p2 = pw;
    p2.pw = 1;
    ck_assert(!gy_f32_pwdw_fusable(&p2, &dw));
    p2 = pw;
    p2.groups = 2;
    ck_assert(!gy_f32_pwdw_fusable(&p2, &dw));
    p2 = pw;
    p2.cout = 32;
    ck_assert(!gy_f32_pwdw_fusable(&p2, &dw));
    p2 = pw;
    p2.isa = 1;
    ck_assert(!gy_f32_pwdw_fusable(&p2, &dw));
    p2 = pw;
    p2.w = NULL;
    ck_assert(!gy_f32_pwdw_fusable(&p2, &dw));
    d2.groups = 8; /* grouped, not depthwise */
    ck_assert(!gy_f32_pwdw_fusable(&pw, &d2));
    d2 = dw;
    d2.sw = GY_DW_MAX_STRIDE + 1;
    ck_assert(!gy_f32_pwdw_fusable(&pw, &d2));
    d2 = dw;
    d2.sw = GY_DW_MAX_STRIDE;
    ck_assert(gy_f32_pwdw_fusable(&pw, &d2));
    d2 = dw;
    d2.kh = 7;
    d2.kw = 8; /* 56 taps */
    ck_assert(!gy_f32_pwdw_fusable(&pw, &d2));
}
END_TEST


/* The runtime: a graph input -> 1x1 (64 channels) -> depthwise 3x3 s2 at 256x256 (4 Mi floats of
 * pointwise output, the least that is fused) is planned without memory for the pointwise output, its depthwise
 * output kept apart from the input it is written beside (both live during the fused op), and run
 * on 1 and 2 threads gives the two ops' result bit for bit; at 128x128 (1 Mi floats) the two
 * stay ops of their own. */
START_TEST(runtime_fuses_large_pairs)
{
    gy_test_rng rng = {77};
    gy_conv dw;
    memset(&dw, 0, sizeof dw);
    dw.cin = dw.cout = dw.groups = 64;
    dw.kh = dw.kw = 3;
    dw.sh = dw.sw = 2;
    dw.ph = dw.pw = 1;
    gy_test_pointwise_pair_runtime(&rng, 8, 256, &dw, 0.5f, GY_ACT_RELU6, GY_FUSED_PWDW);
    gy_test_pointwise_pair_runtime(&rng, 8, 128, &dw, 0.5f, GY_ACT_RELU6, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pwdw");
    TCase *tc = tcase_create("pwdw");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fused_equals_two_ops);
    tcase_add_test(tc, fusable_rules);
    tcase_add_test(tc, runtime_fuses_large_pairs);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* test_dwpw.c - the fused depthwise + pointwise op (kernels/f32-conv/f32_conv2d_dwpw.c) against the
 * two ops run one after the other (the depthwise kernel, then the packed GEMM), bit for bit, on
 * every ISA this CPU has: depthwise 3x3 / 5x5 (the AVX-512 four-row code) and 1x5 / 5x1 / 7x7 / 1x3
 * / 5x3 / 3x5 / 3x1 (row by row) at strides 1, 2 and 3, paddings 0 to past the filter, heights
 * that leave every chunk and band remainder, widths 1..70 (every 16- and 32-pixel tail), channel
 * counts below and past the GEMM's K chunk (256) and output channels that leave partial row
 * panels, every activation on either conv, no bias, a residual on the pointwise conv before or
 * after its activation; tasks in reverse order on one scratch; the depthwise output never
 * written. Then the rules of what fuses, and the runtime: a graph of the pair is planned without
 * memory for the depthwise output above the threshold (and not below it) and runs as the two ops
 * on 1 and 2 threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "runtime/plan.h"
#include "runtime/run.h"
#include "pairtest.h"
#include "testutil.h"

static void run_conv(const gy_conv_run *r)
{
    float *scratch = gy_test_floats64(gy_f32_conv2d_scratch_floats(r->p, r->oh, r->ow));
    for (size_t t = gy_f32_conv2d_tasks(r); t-- > 0;)
        gy_f32_conv2d_task(r, t, scratch);
    free(scratch);
}

typedef struct dc {
    int C, M, ih, iw, kh, kw, s, ph, pw;
    gy_act dact, pact;
    int dbias, pbias, res, before;
    int sh; /* the vertical stride when not 0 (else s, as the horizontal one) */
} dc;

static int stride_h(const dc *k) { return k->sh ? k->sh : k->s; }

static void make_dw(gy_test_rng *rng, const dc *k, gy_conv *dw)
{
    memset(dw, 0, sizeof *dw);
    dw->cin = dw->cout = dw->groups = k->C;
    dw->kh = k->kh;
    dw->kw = k->kw;
    dw->sh = stride_h(k);
    dw->sw = k->s;
    dw->ph = k->ph;
    dw->pw = k->pw;
    dw->w = gy_test_randv(rng, (size_t)k->C * k->kh * k->kw, 0.5f);
    dw->b = k->dbias ? gy_test_randv(rng, (size_t)k->C, 1.0f) : NULL;
}

static void make_pw(gy_test_rng *rng, const dc *k, gy_conv *pw)
{
    memset(pw, 0, sizeof *pw);
    pw->cin = k->C;
    pw->cout = k->M;
    pw->groups = 1;
    pw->kh = pw->kw = pw->sh = pw->sw = 1;
    pw->w = gy_test_randv(rng, (size_t)k->M * k->C, 2.0f / sqrtf((float)k->C));
    pw->b = k->pbias ? gy_test_randv(rng, (size_t)k->M, 1.0f) : NULL;
}

/* Fused against unfused on every ISA; returns the worst difference from the double reference. */
static double check_case(gy_test_rng *rng, const dc *k)
{
    gy_conv dw, pw;
    make_dw(rng, k, &dw);
    make_pw(rng, k, &pw);
    int oh = (k->ih + 2 * k->ph - k->kh) / stride_h(k) + 1, ow = (k->iw + 2 * k->pw - k->kw) / k->s + 1;
    ck_assert(oh > 0 && ow > 0);
    size_t mid_n = (size_t)k->C * oh * ow, on = (size_t)k->M * oh * ow;
    float *in = gy_test_randv(rng, (size_t)k->C * k->ih * k->iw, 2.0f);
    float *res = k->res ? gy_test_randv(rng, on, 1.0f) : NULL;
    float *mid = malloc(sizeof *mid * mid_n), *two = malloc(sizeof *two * on);
    float *one = malloc(sizeof *one * on), *ref = malloc(sizeof *ref * on);
    ck_assert(mid && two && one && ref);
    gy_conv_run rd = {.p = &dw, .in = in, .ih = k->ih, .iw = k->iw, .out = mid, .oh = oh, .ow = ow,
                      .act = k->dact};
    gy_conv_run rp = {.p = &pw, .in = mid, .ih = oh, .iw = ow, .out = ref, .oh = oh, .ow = ow,
                      .res = res, .res_before_act = k->before, .act = k->pact};
    /* the double reference of the pair (rounded to float between the two) */
    gy_f32_conv2d__ref(&rd);
    gy_f32_conv2d__ref(&rp);
    double worst = 0.0;
    /* the input against an inaccessible page after its end, and before its start */
    gy_test_guards guard = GY_TEST_GUARDS_NONE;
    gy_test_guard_both(in, (size_t)k->C * k->ih * k->iw, &guard);
    for (int is = 2 * GY_ISA_GENERIC; is < 2 * ((int)gy_cpu_best_isa() + 1); is++) {
        const int isa = is / 2;
        ck_assert_int_eq(gy_conv_pack(&dw, (gy_isa)isa, NULL), GY_OK);
        ck_assert_int_eq(gy_conv_pack(&pw, (gy_isa)isa, NULL), GY_OK);
        ck_assert(gy_f32_dwpw_fusable(&dw, &pw));
        /* the two ops */
        rp.out = two;
        rd.in = guard.in[is % 2];
        run_conv(&rd);
        run_conv(&rp);
        /* fused: the depthwise output never written */
        for (size_t i = 0; i < on; i++)
            one[i] = NAN;
        for (size_t i = 0; i < mid_n; i++)
            mid[i] = 12345.0f;
        gy_dwpw_run f = {.dw = rd, .pw = rp};
        f.dw.out = NULL;
        f.pw.in = NULL;
        f.pw.out = one;
        float *scratch = gy_test_floats64(gy_f32_dwpw_scratch_floats(&f));
        for (size_t t = gy_f32_dwpw_tasks(&f); t-- > 0;)
            gy_f32_dwpw_task(&f, t, scratch);
        free(scratch);
        ck_assert_msg(!memcmp(one, two, sizeof *one * on),
                      "isa %d: C %d M %d %dx%d dw %dx%d s%d,%d p%d,%d: fused differs from the two ops",
                      isa, k->C, k->M, k->ih, k->iw, k->kh, k->kw, stride_h(k), k->s, k->ph, k->pw);
        size_t written = 0; /* one assertion, not one per float (each costs Check a write) */
        for (size_t i = 0; i < mid_n; i++)
            written += mid[i] != 12345.0f;
        ck_assert_msg(!written, "the depthwise output was written (%zu floats)", written);
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
    gy_test_rng rng = {0xd1f0ULL};
    static const gy_act acts[5] = {GY_ACT_RELU6, GY_ACT_HARDSWISH, GY_ACT_NONE, GY_ACT_SILU,
                                   GY_ACT_RELU};
    enum { NF = 9 };
    static const int filters[NF][2] = {{3, 3}, {5, 5}, {1, 5}, {5, 1}, {7, 7},
                                       {1, 3}, {5, 3}, {3, 5}, {3, 1}};
    static const int Cs[6] = {2, 5, 16, 17, 40, 300}; /* 300: two K chunks in the GEMM */
    static const int Ms[5] = {1, 7, 12, 13, 33};
    double worst = 0.0;
    for (int it = 0; it < 12 * NF; it++) {
        dc k;
        memset(&k, 0, sizeof k);
        k.C = Cs[it % 6];
        k.M = Ms[it / 6 % 5];
        k.kh = filters[it % NF][0];
        k.kw = filters[it % NF][1];
        k.s = 1 + it / NF % 3;
        k.ph = gy_test_rng_int(&rng, 0, k.kh);
        k.pw = gy_test_rng_int(&rng, 0, k.kw);
        k.ih = gy_test_rng_int(&rng, 1, k.C > 100 ? 12 : 40);
        k.iw = gy_test_rng_int(&rng, 1, 70);
        if (k.ih + 2 * k.ph < k.kh || k.iw + 2 * k.pw < k.kw)
            continue;
        k.dact = acts[it % 5];
        k.pact = acts[(it + 2) % 5];
        k.dbias = it % 4 != 0;
        k.pbias = it % 3 != 0;
        k.res = it % 3 == 1;
        k.before = it % 2;
        double e = check_case(&rng, &k);
        worst = e > worst ? e : worst;
    }
    /* MobileNetV2's fused pairs, small: 32 channels -> 16 (chunks of several rows); 144 -> 24 with
     * the residual (chunks of one row); 192 -> 32 */
    dc mb1 = {32, 16, 37, 70, 3, 3, 1, 1, 1, GY_ACT_RELU6, GY_ACT_NONE, 1, 1, 0, 0, 0};
    dc mb2 = {144, 24, 21, 230, 3, 3, 1, 1, 1, GY_ACT_RELU6, GY_ACT_NONE, 1, 1, 1, 0, 0};
    dc mb3 = {192, 32, 11, 80, 3, 3, 2, 1, 1, GY_ACT_RELU6, GY_ACT_NONE, 1, 1, 1, 1, 0};
    worst = fmax(worst, check_case(&rng, &mb1));
    worst = fmax(worst, check_case(&rng, &mb2));
    worst = fmax(worst, check_case(&rng, &mb3));
    /* the square kernels the AVX-512 rows specialise (3x3, 5x5 at one stride both ways) with a
     * vertical stride other than the horizontal one: the general rows */
    static const int strides[4][2] = {{2, 1}, {1, 2}, {3, 2}, {2, 3}}; /* vertical, horizontal */
    for (int i = 0; i < 8; i++) {
        dc u = {.C = 5 + 11 * (i % 3), .M = 9, .ih = 23, .iw = 41, .kh = 3 + 2 * (i / 4),
                .kw = 3 + 2 * (i / 4), .s = strides[i % 4][1], .ph = 1, .pw = 2,
                .dact = GY_ACT_RELU, .pact = GY_ACT_NONE, .dbias = 1, .pbias = 1,
                .res = i % 3 == 0, .sh = strides[i % 4][0]};
        worst = fmax(worst, check_case(&rng, &u));
    }
    printf("fused depthwise + pointwise: worst relative difference from the double reference "
           "%.3g\n", worst);
    ck_assert_msg(worst < 2e-5, "worst %g", worst);
}
END_TEST

/* What may fuse: a depthwise conv of the depthwise kernel into a pointwise conv (1x1, stride 1,
 * no padding, groups 1, packed) of its channels, both packed for one ISA; each clause failing
 * alone is refused. */
START_TEST(fusable_rules)
{
    gy_conv dw, pw;
    memset(&dw, 0, sizeof dw);
    memset(&pw, 0, sizeof pw);
    float w = 1.0f;
    dw.w = pw.w = pw.wpack = &w;
    dw.cin = dw.cout = dw.groups = 16;
    dw.kh = dw.kw = 3;
    dw.sh = dw.sw = 2;
    pw.cin = 16;
    pw.cout = 8;
    pw.groups = 1;
    pw.kh = pw.kw = pw.sh = pw.sw = 1;
    ck_assert(gy_f32_dwpw_fusable(&dw, &pw));
    gy_conv d2 = dw, p2 = pw;
    d2.groups = 8; /* grouped, not depthwise */
    ck_assert(!gy_f32_dwpw_fusable(&d2, &pw));
    d2 = dw;
    d2.groups = 1;
    ck_assert(!gy_f32_dwpw_fusable(&d2, &pw));
    d2 = dw;
    d2.cout = 32;
    ck_assert(!gy_f32_dwpw_fusable(&d2, &pw));
    d2 = dw;
    d2.sw = GY_DW_MAX_STRIDE + 1;
    ck_assert(!gy_f32_dwpw_fusable(&d2, &pw));
    d2.sw = GY_DW_MAX_STRIDE;
    ck_assert(gy_f32_dwpw_fusable(&d2, &pw));
    d2 = dw;
    d2.kh = d2.kw = 8; /* 64 taps */
    ck_assert(!gy_f32_dwpw_fusable(&d2, &pw));
    d2.kh = d2.kw = 7; /* 49: the most */
    ck_assert(gy_f32_dwpw_fusable(&d2, &pw));
    d2 = dw;
    d2.w = NULL;
    ck_assert(!gy_f32_dwpw_fusable(&d2, &pw));
    p2.kh = 3;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.kw = 3;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.sh = 2;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.sw = 2;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.ph = 1;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.pw = 1;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.groups = 2;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.cin = 32;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.isa = 1;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.w = NULL;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
    p2 = pw;
    p2.wpack = NULL;
    ck_assert(!gy_f32_dwpw_fusable(&dw, &p2));
}
END_TEST

/* The runtime: a graph input -> depthwise 3x3 (32 channels) -> 1x1 to 16 channels with a residual
 * at 184x184 (1,083,392 floats of depthwise output: just past the 1 Mi threshold) is planned
 * without memory for the depthwise output, the pointwise output kept apart from the input (both
 * live during the fused op), and on 1 and 2 threads gives the two ops' result bit for bit; at
 * 180x180 (just under 1 Mi) the two stay ops of their own. */
START_TEST(runtime_fuses_large_pairs)
{
    gy_test_rng rng = {91};
    const int C = 32, M = 16;
    for (int big = 1; big >= 0; big--) {
        int H = big ? 184 : 180;
        gy_graph g;
        gy_graph_init(&g);
        int in = gy_graph_new_tensor(&g, C), mid = gy_graph_new_tensor(&g, C);
        int rs = gy_graph_new_tensor(&g, M), out = gy_graph_new_tensor(&g, M);
        ck_assert(in >= 0 && mid >= 0 && rs >= 0 && out >= 0);
        dc k = {C, M, H, H, 3, 3, 1, 1, 1, GY_ACT_RELU6, GY_ACT_NONE, 1, 1, 1, 0, 0};
        gy_conv dw, pw, cr;
        make_dw(&rng, &k, &dw);
        make_pw(&rng, &k, &pw);
        make_pw(&rng, &k, &cr); /* the residual: another 1x1 of the input */
        int cd = gy_graph_add_conv(&g, &dw), cp = gy_graph_add_conv(&g, &pw);
        int cc = gy_graph_add_conv(&g, &cr);
        ck_assert(cd >= 0 && cp >= 0 && cc >= 0);
        g.convs[cd].w = dw.w; /* bound: the graph owns them now */
        g.convs[cd].b = dw.b;
        g.convs[cp].w = pw.w;
        g.convs[cp].b = pw.b;
        g.convs[cc].w = cr.w;
        g.convs[cc].b = cr.b;
        gy_op op0 = {.type = GY_OP_CONV, .nin = 1, .in = {in}, .out = rs, .res = -1, .conv = cc};
        gy_op op1 = {.type = GY_OP_CONV, .nin = 1, .in = {in}, .out = mid, .res = -1, .conv = cd,
                    .act = GY_ACT_RELU6};
        gy_op op2 = {.type = GY_OP_CONV, .nin = 1, .in = {mid}, .out = out, .res = rs, .conv = cp};
        ck_assert(gy_graph_add_op(&g, &op0) >= 0 && gy_graph_add_op(&g, &op1) >= 0 &&
                  gy_graph_add_op(&g, &op2) >= 0);
        g.input = in;
        g.output = out;
        gy_isa isa = gy_cpu_best_isa();
        for (int c = 0; c < 3; c++)
            ck_assert_int_eq(gy_conv_pack(&g.convs[c], isa, NULL), GY_OK);
        gy_plan p;
        gy_error err;
        ck_assert_msg(gy_plan_make(&g, H, H, &p, &err) == GY_OK, "%s", err.message);
        size_t plane = (size_t)H * H, nin = C * plane, nmid = C * plane, nout = M * plane;
        ck_assert_int_eq(p.fused[0], 0);
        ck_assert_int_eq(p.fused[1], big ? GY_FUSED_DWPW : 0);
        ck_assert_int_eq(p.fused[2], 0);
        /* fused: the input, the residual and the output, apart; else the depthwise output too */
        if (big)
            ck_assert_uint_eq(p.arena_floats, nin + 2 * nout);
        else
            ck_assert_uint_ge(p.arena_floats, nmid + nout);
        ck_assert_uint_eq(gy_run_op_tasks(&g, &p, 2), big ? 0 : gy_run_op_tasks(&g, &p, 2));
        ck_assert_uint_gt(gy_run_op_tasks(&g, &p, 1), 0);
        float *x = gy_test_randv(&rng, nin, 1.0f);
        /* the ops by hand */
        float *r2 = malloc(sizeof *r2 * nout), *m2 = malloc(sizeof *m2 * nmid);
        float *o2 = malloc(sizeof *o2 * nout);
        ck_assert(r2 && m2 && o2);
        gy_conv_run rc = {.p = &g.convs[cc], .in = x, .ih = H, .iw = H, .out = r2, .oh = H,
                          .ow = H};
        gy_conv_run rd = {.p = &g.convs[cd], .in = x, .ih = H, .iw = H, .out = m2, .oh = H, .ow = H,
                          .act = GY_ACT_RELU6};
        gy_conv_run rp = {.p = &g.convs[cp], .in = m2, .ih = H, .iw = H, .out = o2, .oh = H,
                          .ow = H, .res = r2};
        run_conv(&rc);
        run_conv(&rd);
        run_conv(&rp);
        gy_test_plan_gives(&g, &p, isa, x, nin, in, o2, nout, out, H);
        free(r2);
        free(m2);
        free(o2);
        free(x);
        gy_plan_free(&p);
        gy_graph_free(&g);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dwpw");
    TCase *tc = tcase_create("dwpw");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fused_equals_two_ops);
    tcase_add_test(tc, fusable_rules);
    tcase_add_test(tc, runtime_fuses_large_pairs);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

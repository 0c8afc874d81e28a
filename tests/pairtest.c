#include "pairtest.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/plan.h"
#include "runtime/run.h"

static void run_conv(const gy_conv_run *r)
{
    float *scratch = gy_test_floats64(gy_f32_conv2d_scratch_floats(r->p, r->oh, r->ow));
    for (size_t t = gy_f32_conv2d_tasks(r); t-- > 0;)
        gy_f32_conv2d_task(r, t, scratch);
    free(scratch);
}

void gy_test_pointwise_pair_runtime(gy_test_rng *rng, int K, int H, const gy_conv *second,
                                    float w_scale, gy_act act, int fused)
{
    const int C = second->cin, O = second->cout;
    gy_graph g;
    gy_graph_init(&g);
    int in = gy_graph_new_tensor(&g, K), mid = gy_graph_new_tensor(&g, C);
    int out = gy_graph_new_tensor(&g, O);
    ck_assert(in >= 0 && mid >= 0 && out >= 0);
    gy_conv pw, cv = *second;
    memset(&pw, 0, sizeof pw);
    pw.cin = K;
    pw.cout = C;
    pw.groups = 1;
    pw.kh = pw.kw = pw.sh = pw.sw = 1;
    pw.w = gy_test_randv(rng, (size_t)C * K, 0.5f);
    pw.b = gy_test_randv(rng, (size_t)C, 0.5f);
    cv.w = gy_test_randv(rng, (size_t)O * (C / cv.groups) * cv.kh * cv.kw, w_scale);
    cv.b = gy_test_randv(rng, (size_t)O, 0.5f);
    int cp = gy_graph_add_conv(&g, &pw), cc = gy_graph_add_conv(&g, &cv);
    ck_assert(cp >= 0 && cc >= 0);
    g.convs[cp].w = pw.w; /* bound: the graph owns them now */
    g.convs[cp].b = pw.b;
    g.convs[cc].w = cv.w;
    g.convs[cc].b = cv.b;
    gy_op a = {.type = GY_OP_CONV, .nin = 1, .in = {in}, .out = mid, .res = -1, .conv = cp,
               .act = act};
    gy_op b = {.type = GY_OP_CONV, .nin = 1, .in = {mid}, .out = out, .res = -1, .conv = cc,
               .act = act};
    ck_assert(gy_graph_add_op(&g, &a) >= 0 && gy_graph_add_op(&g, &b) >= 0);
    g.input = in;
    g.output = out;
    gy_isa isa = gy_cpu_best_isa();
    ck_assert_int_eq(gy_conv_pack(&g.convs[cp], isa, NULL), GY_OK);
    ck_assert_int_eq(gy_conv_pack(&g.convs[cc], isa, NULL), GY_OK);
    gy_plan p;
    gy_error err;
    ck_assert_msg(gy_plan_make(&g, H, H, &p, &err) == GY_OK, "%s", err.message);
    int oh = gy_window_out(H, cv.kh, cv.sh, cv.ph), ow = gy_window_out(H, cv.kw, cv.sw, cv.pw);
    size_t nin = (size_t)K * H * H, nmid = (size_t)C * H * H, nout = (size_t)O * oh * ow;
    ck_assert_int_eq(p.fused[0], fused);
    ck_assert_int_eq(p.fused[1], 0);
    /* fused: the input and the output, apart; else the pointwise output too (it and the output
     * may share the input's place) */
    if (fused)
        ck_assert_uint_eq(p.arena_floats, nin + nout);
    else
        ck_assert_uint_ge(p.arena_floats, nmid);
    ck_assert_uint_eq(gy_run_op_tasks(&g, &p, 1), fused ? 0 : gy_run_op_tasks(&g, &p, 1));
    float *x = gy_test_randv(rng, nin, 1.0f);
    float *m2 = malloc(sizeof *m2 * nmid), *o2 = malloc(sizeof *o2 * nout);
    ck_assert(m2 && o2);
    gy_conv_run rp = {.p = &g.convs[cp], .in = x, .ih = H, .iw = H, .out = m2, .oh = H, .ow = H,
                      .act = act};
    gy_conv_run rc = {.p = &g.convs[cc], .in = m2, .ih = H, .iw = H, .out = o2, .oh = oh,
                      .ow = ow, .act = act};
    run_conv(&rp);
    run_conv(&rc);
    gy_test_plan_gives(&g, &p, isa, x, nin, in, o2, nout, out, H);
    free(m2);
    free(o2);
    free(x);
    gy_plan_free(&p);
    gy_graph_free(&g);
}

void gy_test_plan_gives(const gy_graph *g, const gy_plan *p, gy_isa isa, const float *x,
                        size_t nin, int in, const float *want, size_t nout, int out, int H)
{
    float *arena = gy_test_floats64(p->arena_floats);
    float *scr = gy_test_floats64(2 * p->scratch_floats);
    for (int threads = 1; threads <= 2; threads++) {
        memcpy(arena + p->toff[in], x, sizeof *x * nin);
        gy_run_args ra = {.g = g, .plan = p, .arena = arena, .scratch = scr, .nthreads = threads,
                          .isa = isa};
        gy_run_ops(&ra);
        ck_assert_msg(!memcmp(arena + p->toff[out], want, sizeof *want * nout),
                      "H %d, %d threads: the run differs from the ops run by hand", H, threads);
    }
    free(arena);
    free(scr);
}

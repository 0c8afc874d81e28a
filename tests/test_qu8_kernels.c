/* The int8 kernels (kernels/qu8-*) against their references, byte for byte, on every int8 kernel
 * family this CPU runs: convolutions of awkward shapes (channel counts that are not multiples of
 * the vector width, 1-pixel and odd maps, strides 1 and 2, groups, depthwise, every activation,
 * residuals before and after it, uint8 and float outputs, a slice of a wider storage), weights at
 * the extremes (the AVX2 kernel's int16 saturation), tasks run in scrambled order; max pooling,
 * nearest upsampling with requantization, additions, the float <-> uint8 conversions, the
 * border fill, and the int8 limit loops. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"
#include "testutil.h"

static gy_test_rng rng = {0x1234567ull};

static int rnd(int lo, int hi) { return gy_test_rng_int(&rng, lo, hi); }

/* The int8 families this CPU runs. */
static int nqisa(void)
{
    return (int)gy_qisa_for(gy_cpu_best_isa()) + 1;
}

/* A storage of h x w pixels, `stride` channels per pixel, `border` pixels around, random bytes
 * (border filled with the zero point by the kernel under test's border fill); the map is the
 * channel range [c_off, c_off + c). */
typedef struct storage {
    uint8_t *mem;
    size_t bytes;
    gy_qu8_map root, map;
    gy_test_guard guard; /* storage_make's: an inaccessible page right after the 64-byte slack */
} storage;

static void storage_make(storage *s, int h, int w, int stride, int border, int c_off, int c,
                         float scale, int zp)
{
    s->root.h = h;
    s->root.w = w;
    s->root.c = stride;
    s->root.pstride = (size_t)stride;
    s->root.rstride = (size_t)(w + 2 * border) * (size_t)stride;
    s->root.border = border;
    s->root.scale = scale;
    s->root.zp = zp;
    s->bytes = s->root.rstride * (size_t)(h + 2 * border) + 64;
    s->guard = (gy_test_guard){NULL, 0};
    s->mem = gy_test_guarded_bytes(NULL, s->bytes, 1, &s->guard);
    for (size_t i = 0; i < s->bytes; i++)
        s->mem[i] = (uint8_t)rnd(0, 255);
    s->root.data = s->mem + (size_t)border * s->root.rstride + (size_t)border * s->root.pstride;
    for (size_t t = 0; t < gy_qu8_border_tasks(&s->root); t++)
        gy_qu8_border_task(&s->root, t);
    s->map = s->root;
    s->map.data = s->root.data + c_off;
    s->map.c = c;
}

static void storage_free(storage *s)
{
    gy_test_guarded_free(&s->guard);
}

static void storage_copy(storage *dst, const storage *src)
{
    *dst = *src;
    dst->guard = (gy_test_guard){NULL, 0};
    dst->mem = malloc(src->bytes);
    ck_assert_ptr_nonnull(dst->mem);
    memcpy(dst->mem, src->mem, src->bytes);
    dst->root.data = dst->mem + (src->root.data - src->mem);
    dst->map.data = dst->mem + (src->map.data - src->mem);
}

/* Runs tasks [0, n) in a scrambled order (reversed, or odd ones first). */
#define RUN_TASKS(n, order, call)                                                                  \
    for (size_t i_ = 0; i_ < (n); i_++) {                                                          \
        size_t task = (order) == 0 ? i_ : (order) == 1 ? (n) - 1 - i_                                \
                      : i_ < (n) / 2 ? 2 * i_ + 1 : 2 * (i_ - (n) / 2);                            \
        call;                                                                                      \
    }

typedef struct conv_spec {
    int cin, cout, groups, k, s, ih, iw;
    gy_act act;
    int res; /* 0 none, 1 after the activation, 2 before */
    int outf;
    int wbits; /* 8 or 7 */
    int extreme; /* weights all +-max, inputs all 255 */
} conv_spec;

static int winograd_cases; /* runs through the AVX2 integer Winograd */

static int conv_case(const conv_spec *cs)
{
    const int pad = cs->k / 2, cin_g = cs->cin / cs->groups;
    const int oh = (cs->ih + 2 * pad - cs->k) / cs->s + 1, ow = (cs->iw + 2 * pad - cs->k) / cs->s + 1;
    const size_t nw = (size_t)cs->cout * cin_g * cs->k * cs->k;
    int8_t *w = malloc(nw);
    float *mul = malloc(sizeof *mul * (size_t)cs->cout), *add = malloc(sizeof *add * (size_t)cs->cout);
    ck_assert(w && mul && add);
    const int wmax = cs->wbits == 7 ? 63 : 127, wmin = cs->wbits == 7 ? -64 : -128;
    for (size_t i = 0; i < nw; i++)
        w[i] = (int8_t)(cs->extreme ? (i % 5 == 0 ? wmin : wmax) : rnd(wmin, wmax));
    const int K = cin_g * cs->k * cs->k;
    for (int c = 0; c < cs->cout; c++) {
        mul[c] = (0.5f + (float)rnd(0, 1000) / 1000.0f) * 6.0f / (float)(K * 128 * 40);
        add[c] = (float)rnd(-1000, 1000) / 500.0f;
    }
    /* the input: a slice of a wider storage, border for the padding */
    storage in, res, out0;
    int in_extra = rnd(0, 5), izp = rnd(0, 255);
    storage_make(&in, cs->ih, cs->iw, cs->cin + in_extra, pad + rnd(0, 1), rnd(0, in_extra), cs->cin,
                 0.02f, izp);
    if (cs->extreme) {
        for (size_t i = 0; i < in.bytes; i++)
            in.mem[i] = 255;
        for (size_t t = 0; t < gy_qu8_border_tasks(&in.root); t++)
            gy_qu8_border_task(&in.root, t);
    }
    if (cs->res)
        storage_make(&res, oh, ow, cs->cout + 3, rnd(0, 1), rnd(0, 3), cs->cout, 0.03f, rnd(0, 255));
    int out_extra = rnd(0, 6);
    storage_make(&out0, oh, ow, cs->cout + out_extra, rnd(0, 2), rnd(0, out_extra), cs->cout, 0.05f,
                 rnd(0, 255));
    size_t nf = (size_t)cs->cout * oh * ow;
    float *f0 = malloc(sizeof *f0 * nf), *f1 = malloc(sizeof *f1 * nf);
    ck_assert(f0 && f1);
    for (size_t i = 0; i < nf; i++)
        f0[i] = f1[i] = -7.0f;

    gy_qu8_conv c;
    memset(&c, 0, sizeof c);
    c.cin = cs->cin;
    c.cout = cs->cout;
    c.kh = c.kw = cs->k;
    c.sh = c.sw = cs->s;
    c.ph = c.pw = pad;
    c.groups = cs->groups;
    gy_qu8_conv_run r = {.p = &c, .w = w, .in = in.map, .oh = oh, .ow = ow, .mul = mul, .add = add,
                         .act = cs->act, .res = cs->res ? &res.map : NULL,
                         .res_before_act = cs->res == 2};
    if (cs->outf)
        r.outf = f0;
    else
        r.out = out0.map;
    ck_assert_int_eq(gy_qu8_conv_pack(&c, w, GY_QISA_GENERIC, NULL), GY_OK);
    gy_qu8_conv2d__ref(&r);
    int sets = 1;
    for (int q = 0; q < nqisa(); q++) {
        ck_assert_int_eq(gy_qu8_conv_pack(&c, w, (gy_qisa)q, NULL), GY_OK);
        if (c.sets > sets)
            sets = c.sets;
        for (int order = q % 2; order < 3; order += 2) { /* two task orders per family */
            storage o2;
            storage_copy(&o2, &out0);
            /* reset the slice the reference wrote to different bytes: every byte must be written */
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++)
                    memset(o2.map.data + (size_t)y * o2.map.rstride + (size_t)x * o2.map.pstride,
                           0xA5, (size_t)cs->cout);
            for (size_t i = 0; i < nf; i++)
                f1[i] = -7.0f;
            gy_qu8_conv_run r2 = r;
            if (cs->outf)
                r2.outf = f1;
            else
                r2.out = o2.map;
            size_t n = gy_qu8_conv2d_tasks(&r2);
            void *scratch = aligned_alloc(64, (gy_qu8_conv2d_scratch_bytes(&c) + 63) / 64 * 64 + 64);
            ck_assert_ptr_nonnull(scratch);
            if (c.winograd)
                winograd_cases++;
            RUN_TASKS(n, order, gy_qu8_conv2d_task(&r2, task, scratch));
            free(scratch);
            if (cs->outf) {
                for (size_t i = 0; i < nf; i++)
                    ck_assert_msg(memcmp(&f0[i], &f1[i], 4) == 0,
                                  "%s: cin %d cout %d g %d k %d s %d %dx%d act %d res %d: float output "
                                  "%zu is %.9g, reference %.9g", gy_qisa_name((gy_qisa)q), cs->cin,
                                  cs->cout, cs->groups, cs->k, cs->s, cs->ih, cs->iw, cs->act, cs->res,
                                  i, (double)f1[i], (double)f0[i]);
            } else {
                for (size_t i = 0; i < out0.bytes; i++)
                    ck_assert_msg(o2.mem[i] == out0.mem[i],
                                  "%s: cin %d cout %d g %d k %d s %d %dx%d act %d res %d wbits %d: "
                                  "byte %zu is %d, reference %d", gy_qisa_name((gy_qisa)q), cs->cin,
                                  cs->cout, cs->groups, cs->k, cs->s, cs->ih, cs->iw, cs->act, cs->res,
                                  cs->wbits, i, o2.mem[i], out0.mem[i]);
            }
            free(o2.mem);
        }
    }
    gy_qu8_conv_release(&c);
    free(w);
    free(mul);
    free(add);
    storage_free(&in);
    if (cs->res)
        storage_free(&res);
    storage_free(&out0);
    free(f0);
    free(f1);
    return sets;
}

START_TEST(conv_awkward_shapes)
{
    static const int cins[] = {3, 4, 5, 16, 17, 33, 64};
    static const int couts[] = {1, 7, 16, 24, 40, 48, 65, 80, 130};
    static const int sizes[][2] = {{1, 1}, {1, 7}, {3, 5}, {7, 7}, {13, 11}, {20, 20}};
    int cases = 0;
    for (int i = 0; i < 50; i++) {
        conv_spec cs;
        memset(&cs, 0, sizeof cs);
        cs.cin = cins[rnd(0, 6)];
        cs.cout = couts[rnd(0, 8)];
        cs.groups = 1;
        int gsel = rnd(0, 5);
        if (gsel == 0 && cs.cin % 2 == 0 && cs.cout % 2 == 0)
            cs.groups = 2;
        if (gsel == 1 && cs.cin == cs.cout)
            cs.groups = cs.cin;
        cs.k = (int[]){1, 1, 3, 3, 5}[rnd(0, 4)];
        cs.s = rnd(1, 2);
        int sz = rnd(0, 5);
        cs.ih = sizes[sz][0];
        cs.iw = sizes[sz][1];
        cs.act = (gy_act)rnd(0, 3);
        cs.res = rnd(0, 2);
        cs.outf = rnd(0, 4) == 0;
        cs.wbits = rnd(0, 1) ? 8 : 7;
        conv_case(&cs);
        cases++;
    }
    /* depthwise and grouped, every kernel size, both strides */
    for (int k = 1; k <= 5; k += 2)
        for (int s = 1; s <= 2; s++) {
            conv_spec dw = {.cin = 37, .cout = 37, .groups = 37, .k = k, .s = s, .ih = 9, .iw = 6,
                            .act = GY_ACT_SILU, .res = 1, .wbits = 8};
            conv_case(&dw);
            conv_spec g4 = {.cin = 24, .cout = 40, .groups = 4, .k = k, .s = s, .ih = 5, .iw = 8,
                            .act = GY_ACT_RELU, .res = 2, .wbits = 8};
            conv_case(&g4);
            cases += 2;
        }
    /* one group per input channel but two outputs each, and two inputs per output: the grouped
     * GEMM, not the depthwise kernel */
    for (int s = 1; s <= 2; s++) {
        conv_spec m2 = {.cin = 12, .cout = 24, .groups = 12, .k = 3, .s = s, .ih = 7, .iw = 9,
                        .act = GY_ACT_SILU, .res = 1, .wbits = 8};
        conv_case(&m2);
        conv_spec h2 = {.cin = 24, .cout = 12, .groups = 12, .k = 3, .s = s, .ih = 7, .iw = 9,
                        .act = GY_ACT_RELU, .wbits = 7};
        conv_case(&h2);
        cases += 2;
    }
    /* depthwise over channel counts around the 16-lane packing: 1, 15, 16, 17, 33, 50, 64 */
    static const int dwc[] = {1, 15, 16, 17, 33, 50, 64};
    for (int i = 0; i < 7; i++) {
        conv_spec dw = {.cin = dwc[i], .cout = dwc[i], .groups = dwc[i], .k = 3, .s = 1 + i % 2,
                        .ih = 7, .iw = 10, .act = (gy_act)(i % 4), .res = i % 3, .wbits = 8};
        conv_case(&dw);
        cases++;
    }
    /* the largest window: 16x16 = 256 taps (MAX_TAPS), depthwise and dense */
    conv_spec big = {.cin = 17, .cout = 17, .groups = 17, .k = 16, .s = 1, .ih = 17, .iw = 18,
                     .act = GY_ACT_RELU, .wbits = 8};
    conv_case(&big);
    big.cout = 8;
    big.groups = 1;
    conv_case(&big);
    cases += 2;
    /* 3x3 stride 1 (the AVX2 Winograd) on odd maps, channel counts around 16 */
    static const int wc[][4] = {{16, 16, 1, 1}, {17, 24, 3, 5}, {33, 40, 7, 6}, {64, 130, 13, 11},
                                {48, 16, 20, 20}, {100, 33, 2, 9}};
    for (int i = 0; i < 6; i++) {
        conv_spec cs = {.cin = wc[i][0], .cout = wc[i][1], .groups = 1, .k = 3, .s = 1,
                        .ih = wc[i][2], .iw = wc[i][3], .act = (gy_act)(i % 4), .res = i % 3,
                        .outf = i == 4, .wbits = i % 2 ? 8 : 7};
        conv_case(&cs);
        cases++;
    }
    printf("%d int8 conv cases equal the reference on %d kernel families (%d ran the AVX2 "
           "Winograd)\n", cases, nqisa(), winograd_cases);
    if (nqisa() > GY_QISA_AVX2)
        ck_assert_int_ge(winograd_cases, 8);
}
END_TEST

/* All-255 inputs against weights at the extremes: every vpmaddubsw pair would saturate. 8-bit
 * weights are split on AVX2 (sets 2) and still exact; 7-bit weights need no split. */
/* gy_qu8_conv_pack's geometry rule, each clause failing alone from a valid 3x3 grouped conv;
 * the window's tap count at its bound (256 taps: 16x16) and one past it (257: 1x257). */
START_TEST(conv_pack_geometry)
{
    static int8_t w[16 * 8 * 257];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (int8_t)(i % 7 - 3);
    const gy_qu8_conv good = {.cin = 16, .cout = 8, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1,
                              .pw = 1, .groups = 2};
    gy_qu8_conv c = good;
    gy_error err;
    ck_assert_msg(gy_qu8_conv_pack(&c, w, GY_QISA_GENERIC, &err) == GY_OK, "%s", err.message);
    gy_qu8_conv_release(&c);
    for (int clause = 0; clause < 10; clause++) {
        c = good;
        switch (clause) {
        case 0: c.groups = 0; break;
        case 1: c.cin = 15; break;  /* not a multiple of the 2 groups */
        case 2: c.cout = 7; break;
        case 3: c.kh = 0; break;
        case 4: c.kw = 0; break;
        case 5: c.sh = 0; break;
        case 6: c.sw = 0; break;
        case 7: c.ph = -1; break;
        case 8: c.pw = -1; break;
        case 9: c.groups = -2; break;
        }
        ck_assert_msg(gy_qu8_conv_pack(&c, w, GY_QISA_GENERIC, &err) == GY_ERR_ARGUMENT,
                      "clause %d accepted", clause);
        ck_assert_msg(strstr(err.message, "bad geometry"), "clause %d: %s", clause, err.message);
        gy_qu8_conv_release(&c);
    }
    c = (gy_qu8_conv){.cin = 4, .cout = 4, .kh = 16, .kw = 16, .sh = 1, .sw = 1, .groups = 1};
    ck_assert_msg(gy_qu8_conv_pack(&c, w, GY_QISA_GENERIC, &err) == GY_OK, "%s", err.message);
    gy_qu8_conv_release(&c);
    /* depthwise (the qu8-dwconv kernel) exactly when groups > 1 == cin == cout: each clause
     * failing alone leaves the grouped GEMM */
    static const int dw[][4] = {/* cin, cout, groups, depthwise */
                                {8, 8, 8, 1},  {1, 1, 1, 0}, {8, 16, 8, 0},
                                {16, 8, 8, 0}, {16, 16, 8, 0}, {2, 2, 2, 1}};
    for (int i = 0; i < 6; i++) {
        c = (gy_qu8_conv){.cin = dw[i][0], .cout = dw[i][1], .kh = 3, .kw = 3, .sh = 1, .sw = 1,
                          .ph = 1, .pw = 1, .groups = dw[i][2]};
        for (int q = 0; q < nqisa(); q++) {
            ck_assert_msg(gy_qu8_conv_pack(&c, w, (gy_qisa)q, &err) == GY_OK, "%s", err.message);
            ck_assert_msg(c.depthwise == dw[i][3], "cin %d cout %d groups %d (%s): depthwise %d",
                          c.cin, c.cout, c.groups, gy_qisa_name((gy_qisa)q), c.depthwise);
        }
        gy_qu8_conv_release(&c);
    }
    c = (gy_qu8_conv){.cin = 4, .cout = 4, .kh = 1, .kw = 257, .sh = 1, .sw = 1, .groups = 1};
    ck_assert_int_eq(gy_qu8_conv_pack(&c, w, GY_QISA_GENERIC, &err), GY_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(err.message, "a 1x257 window has more than 256 taps"), "%s", err.message);
    gy_qu8_conv_release(&c);
}
END_TEST

START_TEST(conv_saturation)
{
    conv_spec cs = {.cin = 64, .cout = 32, .groups = 1, .k = 3, .s = 2, .ih = 6, .iw = 9,
                    .act = GY_ACT_NONE, .outf = 1, .wbits = 8, .extreme = 1};
    int sets = conv_case(&cs);
    if (nqisa() > GY_QISA_AVX2)
        ck_assert_int_eq(sets, 2);
    cs.wbits = 7;
    ck_assert_int_eq(conv_case(&cs), 1);
    /* the AVX2 Winograd (3x3 stride 1) at the extremes, 1024 input channels: its sums stay exact */
    conv_spec wg = {.cin = 1024, .cout = 16, .groups = 1, .k = 3, .s = 1, .ih = 3, .iw = 5,
                    .act = GY_ACT_NONE, .outf = 1, .wbits = 8, .extreme = 1};
    conv_case(&wg);
    gy_qu8_conv c = {.cin = 4, .cout = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .groups = 1};
    /* pairs: (127, -128) opposite signs is safe, (64, 64) sums to 128 is safe, (65, 64) is not */
    const int8_t safe[][4] = {{127, -128, 64, 64}, {-64, -64, 0, 127}}, unsafe[4] = {65, 64, 0, 0};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(gy_qu8_conv_pack(&c, safe[i], GY_QISA_AVX2, NULL), GY_OK);
        ck_assert_int_eq(c.sets, 1);
    }
    ck_assert_int_eq(gy_qu8_conv_pack(&c, unsafe, GY_QISA_AVX2, NULL), GY_OK);
    ck_assert_int_eq(c.sets, 2);
    ck_assert_int_eq(c.wsum[0], 129);
    gy_qu8_conv_release(&c);
}
END_TEST

/* The AVX2 split (sets 2) is taken when any vpmaddubsw pair of input channels (2j, 2j + 1) of any
 * group, output channel and tap is unsafe, and only then: an unsafe pair alone at every position
 * of a 2-group 1x3 conv (4 input channels a group: pairs 0 and 1) splits; the same two weights
 * across two pairs (channels 2j + 1, 2j + 2) do not. */
START_TEST(conv_split_pair_positions)
{
    enum { G = 2, COG = 2, CIG = 4, TAPS = 3, N = G * COG * CIG * TAPS };
    gy_qu8_conv c = {.cin = G * CIG, .cout = G * COG, .kh = 1, .kw = TAPS, .sh = 1, .sw = 1,
                     .groups = G};
    int8_t w[N];
    for (int g = 0; g < G; g++)
        for (int oc = 0; oc < COG; oc++)
            for (int tap = 0; tap < TAPS; tap++)
                for (int ci = 0; ci + 1 < CIG; ci++) {
                    memset(w, 0, sizeof w);
                    size_t at = ((size_t)(g * COG + oc) * CIG + (size_t)ci) * TAPS + (size_t)tap;
                    w[at] = 65;
                    w[at + TAPS] = 64; /* input channel ci + 1 */
                    ck_assert_int_eq(gy_qu8_conv_pack(&c, w, GY_QISA_AVX2, NULL), GY_OK);
                    ck_assert_msg(c.sets == (ci % 2 == 0 ? 2 : 1),
                                  "group %d oc %d tap %d channels %d, %d: sets %d", g, oc, tap, ci,
                                  ci + 1, c.sets);
                    ck_assert_int_eq(c.wsum[g * COG + oc], 129);
                    gy_qu8_conv_release(&c);
                }
}
END_TEST

START_TEST(maxpool_and_copy)
{
    for (int i = 0; i < 40; i++) {
        int c = rnd(1, 70), h = rnd(1, 13), w = rnd(1, 13), k = rnd(1, 3) * 2 - 1, s = rnd(1, 2);
        int pad = rnd(0, k / 2);
        if (h + 2 * pad < k || w + 2 * pad < k)
            pad = k / 2;
        if (h + 2 * pad < k || w + 2 * pad < k)
            k = 1;
        int oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
        storage in, o0, o1;
        storage_make(&in, h, w, c + 2, rnd(0, 2), 1, c, 0.1f, rnd(0, 255));
        storage_make(&o0, oh, ow, c + 1, rnd(0, 1), rnd(0, 1), c, 0.1f, in.map.zp);
        uint8_t lut[256];
        gy_qu8_requant_lut(0.1f, in.map.zp, 0.07f, 3, lut);
        gy_qu8_pool_run pr = {.in = in.map, .out = o0.map, .k = k, .stride = s, .pad = pad,
                              .lut = i % 2 ? lut : NULL};
        storage_copy(&o1, &o0);
        gy_qu8_maxpool__ref(&pr);
        pr.out = o1.map;
        RUN_TASKS(gy_qu8_maxpool_tasks(&pr), i % 3, gy_qu8_maxpool_task(&pr, task));
        ck_assert_mem_eq(o0.mem, o1.mem, o0.bytes);
        storage_free(&o0);
        free(o1.mem);
        /* nearest upsample by 1, 2 or 3 (1: a plain copy into a slice), with and without lut */
        int f = rnd(1, 3);
        storage_make(&o0, h * f, w * f, c + 4, rnd(0, 1), rnd(0, 4), c, 0.07f, 3);
        storage_copy(&o1, &o0);
        gy_qu8_copy_run cr = {.in = in.map, .out = o0.map, .lut = i % 2 ? lut : NULL};
        gy_qu8_copy__ref(&cr);
        for (int q = 0; q < nqisa(); q++) { /* VNNI: the VBMI table when the CPU has it */
            storage o2;
            storage_copy(&o2, &o1);
            cr.out = o2.map;
            cr.qisa = (gy_qisa)q;
            RUN_TASKS(gy_qu8_copy_tasks(&cr), i % 3, gy_qu8_copy_task(&cr, task));
            ck_assert_mem_eq(o0.mem, o2.mem, o0.bytes);
            free(o2.mem);
        }
        storage_free(&o0);
        free(o1.mem);
        storage_free(&in);
    }
    /* the table: identity for equal quantization, and (q - 10) * 0.1 / 0.2 + 5 */
    uint8_t lut[256];
    gy_qu8_requant_lut(0.5f, 7, 0.5f, 7, lut);
    for (int q = 0; q < 256; q++)
        ck_assert_int_eq(lut[q], q);
    gy_qu8_requant_lut(0.1f, 10, 0.2f, 5, lut);
    ck_assert_int_eq(lut[10], 5);
    ck_assert_int_eq(lut[0], 0);   /* -1 / 0.2 + 5 */
    ck_assert_int_eq(lut[12], 6);
    ck_assert_int_eq(lut[13], 6);  /* 6.5 -> 6 (nearest even) */
    ck_assert_int_eq(lut[255], 128); /* 122.5 + 5 = 127.5 -> 128 */
    /* the table functions on every length around the vector width */
    uint8_t src[300], d0[300], d1[300];
    for (int k = 0; k < 300; k++)
        src[k] = (uint8_t)(k * 37 + 11);
    for (size_t n = 0; n < 300; n += 7) {
        memset(d0, 1, sizeof d0);
        memset(d1, 1, sizeof d1);
        gy_qu8_lut__generic(src, d0, n, lut);
        for (size_t k = 0; k < n; k++)
            ck_assert_int_eq(d0[k], lut[src[k]]);
        if (gy_cpu_has_avx512_vbmi()) {
            gy_qu8_lut__avx512vbmi(src, d1, n, lut);
            ck_assert_mem_eq(d0, d1, sizeof d0);
        }
    }
    /* which table kernel the copies use: VBMI's only for the AVX512VNNI family on a VBMI CPU
     * (GY_ISA=avx2 on such a CPU, or a VNNI CPU without VBMI, runs the portable one) */
    for (int q = GY_QISA_GENERIC; q <= GY_QISA_AVX512VNNI; q++)
        for (int vbmi = 0; vbmi <= 1; vbmi++) {
            gy_qu8_lut_fn want = gy_qu8_lut__generic;
#if defined(__x86_64__) || defined(__i386__)
            if (q == GY_QISA_AVX512VNNI && vbmi)
                want = gy_qu8_lut__avx512vbmi;
#endif
            ck_assert_msg(gy_qu8_lut_select((gy_qisa)q, vbmi) == want, "%s, VBMI %d",
                          gy_qisa_name((gy_qisa)q), vbmi);
        }
}
END_TEST

START_TEST(add_and_convert)
{
    for (int i = 0; i < 20; i++) {
        int c = rnd(1, 40), h = rnd(1, 9), w = rnd(1, 21);
        storage a, b, o;
        storage_make(&a, h, w, c + 1, 1, 1, c, 0.05f, rnd(0, 255));
        storage_make(&b, h, w, c, 0, 0, c, 0.02f, rnd(0, 255));
        storage_make(&o, h, w, c + 3, 0, 2, c, 0.06f, rnd(0, 255));
        gy_qu8_add_run ar = {.a = a.map, .b = b.map, .out = o.map};
        RUN_TASKS(gy_qu8_add_tasks(&ar), i % 3, gy_qu8_add_task(&ar, task));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int j = 0; j < c; j++) {
                    int qa = a.map.data[y * a.map.rstride + x * a.map.pstride + j];
                    int qb = b.map.data[y * b.map.rstride + x * b.map.pstride + j];
                    double v = (qa - a.map.zp) * 0.05 + (qb - b.map.zp) * 0.02;
                    double want = fmin(255, fmax(0, nearbyint(v / 0.06 + o.map.zp)));
                    int got = o.map.data[y * o.map.rstride + x * o.map.pstride + j];
                    ck_assert_msg(fabs(got - want) <= 1, "add: %d vs %g", got, want);
                }
        /* float -> uint8 -> float on every family: 3 channels in 4 bytes (the input) and c */
        int nc = i % 2 ? 3 : c, stride = i % 2 ? 4 : c + 1;
        storage q0;
        storage_make(&q0, h, w, stride, 1, 0, nc, 1.0f / 255.0f, i % 2 ? 0 : 17);
        size_t nf = (size_t)nc * h * w;
        float *f = malloc(sizeof *f * nf), *back = malloc(sizeof *back * nf);
        ck_assert(f && back);
        for (size_t k = 0; k < nf; k++)
            f[k] = (float)rnd(-20, 300) / 255.0f;
        for (int qi = 0; qi < nqisa(); qi++) {
            gy_qu8_convert_run cv = {.f = f, .q = q0.map, .to_u8 = 1, .qisa = (gy_qisa)qi};
            RUN_TASKS(gy_qu8_convert_tasks(&cv), qi, gy_qu8_convert_task(&cv, task));
            cv.f = back;
            cv.to_u8 = 0;
            RUN_TASKS(gy_qu8_convert_tasks(&cv), 0, gy_qu8_convert_task(&cv, task));
            for (int ch = 0; ch < nc; ch++)
                for (int k = 0; k < h * w; k++) {
                    size_t fi = (size_t)ch * h * w + k;
                    uint8_t want = gy_qu8_quant1(f[fi], 255.0f, (float)q0.map.zp);
                    uint8_t got = q0.map.data[(k / w) * q0.map.rstride + (k % w) * q0.map.pstride + ch];
                    ck_assert_msg(got == want, "%s: quantized %d, want %d", gy_qisa_name((gy_qisa)qi),
                                  got, want);
                    ck_assert(back[fi] == (float)(got - q0.map.zp) * (1.0f / 255.0f));
                }
        }
        free(f);
        free(back);
        storage_free(&q0);
        storage_free(&a);
        storage_free(&b);
        storage_free(&o);
    }
}
END_TEST

/* The border fill writes the zero point around the map and nothing inside it. */
START_TEST(border_fill)
{
    storage s;
    storage_make(&s, 5, 7, 3, 2, 0, 3, 1.0f, 77);
    for (int y = -2; y < 7; y++)
        for (int x = -2; x < 9; x++)
            for (int j = 0; j < 3; j++) {
                int inside = y >= 0 && y < 5 && x >= 0 && x < 7;
                uint8_t v = s.root.data[y * (ptrdiff_t)s.root.rstride + x * 3 + j];
                if (!inside)
                    ck_assert_int_eq(v, 77);
            }
    storage_free(&s);
}
END_TEST

/* The epilogue's exp against expf, and its rounding rules. */
START_TEST(epilogue_math)
{
    double worst = 0.0;
    for (int i = -8800; i <= 8800; i++) {
        float y = (float)i / 100.0f;
        double want = exp(-(double)y), got = gy_qu8_exp_neg1(y);
        if (y > -87.0f && y < 87.0f && fabs(got - want) / want > worst)
            worst = fabs(got - want) / want;
    }
    printf("exp(-y) by the int8 epilogue: max relative error %.3g on [-87, 87] (outside, 2^n is clamped to 2^-+126)\n", worst);
    ck_assert(worst < 2e-5);
    /* where SiLU is not ~0 or ~y (|y| < 16) the rounding of y log2 e costs less */
    double near = 0.0;
    for (int i = -1600; i <= 1600; i++) {
        float y = (float)i / 100.0f;
        double want = exp(-(double)y), got = gy_qu8_exp_neg1(y);
        near = fmax(near, fabs(got - want) / want);
    }
    printf("... %.3g on [-16, 16]\n", near);
    ck_assert(near < 1e-5);
    ck_assert_int_eq(gy_qu8_quant1(2.5f, 1.0f, 0.0f), 2);   /* nearest even */
    ck_assert_int_eq(gy_qu8_quant1(3.5f, 1.0f, 0.0f), 4);
    ck_assert_int_eq(gy_qu8_quant1(-3.0f, 1.0f, 0.0f), 0);
    ck_assert_int_eq(gy_qu8_quant1(1e30f, 1.0f, 0.0f), 255);
    ck_assert_int_eq(gy_qu8_quant1(NAN, 1.0f, 0.0f), 0);
    ck_assert(fabsf(gy_qu8_act1(GY_ACT_SILU, 2.0f) - 2.0f / (1.0f + expf(-2.0f))) < 1e-6f);
    ck_assert(gy_qu8_act1(GY_ACT_RELU, -1.0f) == 0.0f);
    ck_assert(fabsf(gy_qu8_act1(GY_ACT_SIGMOID, 0.0f) - 0.5f) < 1e-7f);
}
END_TEST

/* the portable loop's sum, stepped round by round: every chain adds the same dot product of
 * a = {3, 5, 7, 11} and b = {-2, 3, -5, 7}, and a[round % 4] flips its low bit when chain 0 is odd */
static int generic_int8_sink(long rounds)
{
    int a[4] = {3, 5, 7, 11};
    const int b[4] = {-2, 3, -5, 7};
    uint32_t c0 = 0, add = 0;
    for (long i = 0; i < rounds; i++) {
        uint32_t dot = (uint32_t)(a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]);
        c0 += dot;
        add += dot;
        a[i % 4] ^= (int)(c0 & 1);
    }
    uint32_t s = 16u * 15u / 2u + 16u * add; /* chains start at 0..15 */
    return (int)(s & 0x7fffffff);
}

START_TEST(int8_limit_loops)
{
    for (int q = 0; q < nqisa(); q++) {
        int sink = 0;
        double ops = gy_int8_peak_run((gy_qisa)q, 1000, &sink);
        /* per round: generic 16 chains x 4 products, AVX2 8 x 32, VNNI 12 x 64; 2 ops each */
        static const double per_round[3] = {2 * 16 * 4, 2 * 8 * 32, 2 * 12 * 64};
        ck_assert(ops == 1000 * per_round[q]);
        int sink2 = 0;
        gy_int8_peak_run((gy_qisa)q, 1000, &sink2);
        ck_assert_int_eq(sink, sink2);
        /* the chains' sums, worked out by hand: the loops really compute what they claim */
        if (q == GY_QISA_AVX512VNNI) /* 12 chains start at 0..11, 16 lanes, 4 x 3 x -5 per round */
            ck_assert_int_eq(sink, 16 * 66 - 12 * 16 * 60 * 1000);
        else if (q == GY_QISA_AVX2) /* 8 chains at 0..7, 8 lanes; the weights -5..5 sum to 0 */
            ck_assert_int_eq(sink, 8 * 28);
        else
            ck_assert_int_eq(sink, generic_int8_sink(1000));
        printf("%s int8 limit loop: %.0f operations per 1000 rounds\n", gy_qisa_name((gy_qisa)q), ops);
    }
    ck_assert_str_eq(gy_qisa_name(GY_QISA_AVX512VNNI), "avx512vnni");
    ck_assert_int_eq(gy_qisa_for(GY_ISA_GENERIC), GY_QISA_GENERIC);
    if (gy_cpu_best_isa() >= GY_ISA_AVX2)
        ck_assert_int_eq(gy_qisa_for(GY_ISA_AVX2), GY_QISA_AVX2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("qu8_kernels");
    TCase *tc = tcase_create("qu8_kernels");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, conv_awkward_shapes);
    tcase_add_test(tc, conv_saturation);
    tcase_add_test(tc, conv_split_pair_positions);
    tcase_add_test(tc, conv_pack_geometry);
    tcase_add_test(tc, maxpool_and_copy);
    tcase_add_test(tc, add_and_convert);
    tcase_add_test(tc, border_fill);
    tcase_add_test(tc, epilogue_math);
    tcase_add_test(tc, int8_limit_loops);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

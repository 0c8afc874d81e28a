/* The backbone zoo's kernels against their references on awkward shapes (1-pixel maps, odd
 * sizes, channel counts that are not multiples of 8 or 16), every instruction-set variant this
 * CPU runs: global average pooling, the per-channel multiply / add with every activation, channel
 * shuffles (torchvision's and Megvii's orders), average pooling with counted padding, max pooling
 * with ceil_mode, nearest resizing to a given size by PyTorch's rule, the pool output sizes, and
 * the new activations of the conv epilogues (ReLU6, hard-swish, hard-sigmoid) on every conv path
 * against the reference conv. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/x32-split2/x32_split2.h"
#include "kernels/kernels.h"
#include "runtime/plan.h"
#include "testutil.h"

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

static gy_test_rng rng = {12345};

static float *randv(size_t n, float scale)
{
    float *v = malloc(sizeof *v * (n ? n : 1));
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++)
        v[i] = gy_test_rng_float(&rng) * scale;
    return v;
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

static int isa_count(void) { return (int)gy_cpu_best_isa() + 1; }

/* ---- global average pool ------------------------------------------------------------------ */

typedef void (*gap_fn)(const gy_gap_run *, size_t, float *);

/* Every variant equals the portable one bit for bit (one summation order), and the double
 * reference within 5e-7 relative for same-sign planes of up to 50000 values (measured: 1.2e-7);
 * the dispatch of each ISA runs the same. */
START_TEST(gavgpool_variants)
{
    static const int shapes[][2] = {{1, 1},  {3, 1},    {17, 15},  {5, 16},   {16, 17},
                                    {9, 33}, {2, 1000}, {1, 50000}, {130, 49}, {31, 257}};
    gap_fn fns[3] = {gy_f32_gavgpool_task__generic, NULL, NULL};
#if defined(__x86_64__) || defined(__i386__)
    fns[1] = gy_f32_gavgpool_task__avx2;
    fns[2] = gy_f32_gavgpool_task__avx512;
#endif
    double worst = 0.0;
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        int c = shapes[k][0];
        size_t plane = (size_t)shapes[k][1];
        float *in = randv((size_t)c * plane, 1.0f);
        for (size_t i = 0; i < (size_t)c * plane; i++)
            in[i] = fabsf(in[i]) + 0.5f;
        float *ref = malloc(sizeof *ref * (size_t)c), *gen = malloc(sizeof *gen * (size_t)c);
        float *out = malloc(sizeof *out * (size_t)c);
        ck_assert(ref && gen && out);
        gy_f32_gavgpool(in, ref, c, plane);
        /* the input against an inaccessible page after its end (the variant's run) and before
         * its start (the dispatch's run of the same variant) */
        gy_test_guards guard = GY_TEST_GUARDS_NONE;
        gy_test_guard_both(in, (size_t)c * plane, &guard);
        for (int isa = 0; isa < isa_count(); isa++)
            for (int via = 0; via < 2; via++) { /* the variant, then the dispatch */
                gy_gap_run r = {.in = guard.in[via], .out = out, .c = c, .plane = plane,
                                .isa = (gy_isa)isa};
                memset(out, 0xff, sizeof *out * (size_t)c);
                size_t n = gy_f32_gavgpool_tasks(&r);
                for (size_t t = 0; t < n; t++)
                    (via ? gy_f32_gavgpool_task : fns[isa])(&r, t, NULL);
                for (int ch = 0; ch < c; ch++) {
                    if (isa == 0 && !via)
                        gen[ch] = out[ch];
                    CHECK(same_bits(out[ch], gen[ch]), "gap isa %d via %d %dx%zu ch %d: %.9g vs "
                          "portable %.9g", isa, via, c, plane, ch, out[ch], gen[ch]);
                    double rel = fabs((double)out[ch] - ref[ch]) / fabs((double)ref[ch]);
                    CHECK(rel < 5e-7, "gap %dx%zu ch %d: %.9g vs %.9g", c, plane, ch, out[ch],
                          ref[ch]);
                    if (rel > worst)
                        worst = rel;
                }
            }
        gy_test_guards_free(&guard);
        free(in);
        free(ref);
        free(gen);
        free(out);
    }
    printf("gavgpool: worst relative difference from the double reference %.3g\n", worst);
}
END_TEST

/* ---- per-channel multiply / add ------------------------------------------------------------- */

typedef void (*chan_fn)(const gy_chan_run *, size_t, float *);

static const gy_act all_acts[7] = {GY_ACT_NONE, GY_ACT_RELU, GY_ACT_RELU6, GY_ACT_HARDSWISH,
                                   GY_ACT_HARDSIGMOID, GY_ACT_SIGMOID, GY_ACT_SILU};

/* Bit for bit against the reference, except the add's SiLU and sigmoid (the vector exp): within
 * 5e-7 relative (measured: 2e-7). Values span [-8, 8] so every clamp of ReLU6 and the hard
 * functions is crossed; exact -3, 0, 3 and 6 are there too. */
START_TEST(channel_op_variants)
{
    static const int shapes[][2] = {{1, 1}, {3, 7}, {16, 15}, {5, 16}, {17, 17}, {2, 333},
                                    {40, 1}, {7, 1024}};
    chan_fn fns[3] = {gy_f32_channel_op_task__generic, NULL, NULL};
#if defined(__x86_64__) || defined(__i386__)
    fns[1] = gy_f32_channel_op_task__avx2;
    fns[2] = gy_f32_channel_op_task__avx512;
#endif
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        int c = shapes[k][0];
        size_t plane = (size_t)shapes[k][1], n = (size_t)c * plane;
        float *x = randv(n, 8.0f), *p = randv((size_t)c, 4.0f);
        static const float specials[] = {-3.0f, 0.0f, 3.0f, 6.0f, -0.0f, -6.0f};
        for (size_t i = 0; i < 6 && i < n; i++)
            x[i] = specials[i];
        float *ref = malloc(sizeof *ref * n), *out = malloc(sizeof *out * n);
        ck_assert(ref && out);
        /* x against an inaccessible page after its end (the variant's run) and before its start
         * (the dispatch's) */
        gy_test_guards guard = GY_TEST_GUARDS_NONE;
        gy_test_guard_both(x, n, &guard);
        for (int mul = 0; mul < 2; mul++)
            for (int a = 0; a < 7; a++) {
                gy_act act = all_acts[a];
                gy_f32_channel_op(mul, x, p, act, ref, c, plane);
                int exact = mul || (act != GY_ACT_SIGMOID && act != GY_ACT_SILU);
                for (int isa = 0; isa < isa_count(); isa++)
                    for (int via = 0; via < 2; via++) {
                        gy_chan_run r = {.mul = mul, .x = guard.in[via], .p = p, .act = act, .y = out, .c = c,
                                         .plane = plane, .isa = (gy_isa)isa};
                        memset(out, 0xff, sizeof *out * n);
                        size_t nt = gy_f32_channel_op_tasks(&r);
                        for (size_t t = 0; t < nt; t++)
                            (via ? gy_f32_channel_op_task : fns[isa])(&r, t, NULL);
                        for (size_t i = 0; i < n; i++) {
                            double d = fabs((double)out[i] - ref[i]);
                            CHECK(exact ? same_bits(out[i], ref[i])
                                        : d <= 5e-7 * fabs((double)ref[i]) + 1e-30,
                                  "channel op mul %d act %d isa %d via %d %dx%zu at %zu: %.9g vs "
                                  "%.9g", mul, act, isa, via, c, plane, i, out[i], ref[i]);
                        }
                    }
            }
        gy_test_guards_free(&guard);
        free(x);
        free(p);
        free(ref);
        free(out);
    }
}
END_TEST

/* The reference kernel itself against the definitions, in double: the hard functions at their
 * clamps and in between. */
START_TEST(activation_definitions)
{
    static const float xs[] = {-1e30f, -7.0f, -3.0f, -2.5f, -0.0f, 0.0f, 1.0f, 2.9999998f, 3.0f,
                               5.5f, 6.0f, 6.5f, 1e30f};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double v = xs[i], r6 = v < 0 ? 0 : v > 6 ? 6 : v, c = v + 3 < 0 ? 0 : v + 3 > 6 ? 6 : v + 3;
        ck_assert(gy_act_apply(GY_ACT_RELU6, xs[i]) == (float)r6);
        float hg = gy_act_apply(GY_ACT_HARDSIGMOID, xs[i]);
        ck_assert_msg(fabs(hg - c / 6) <= 1.2e-7 * (c / 6), "hardsigmoid(%g) = %g", v, (double)hg);
        float hs = gy_act_apply(GY_ACT_HARDSWISH, xs[i]);
        ck_assert_msg(fabs(hs - v * c / 6) <= 1e-7 * fabs(v * c / 6), "hardswish(%g) = %g", v,
                      (double)hs);
    }
    /* torch's NaN: relu6 and the clamps give 0 for NaN + 3, hard-swish keeps NaN (x * 0) */
    ck_assert(gy_act_apply(GY_ACT_RELU6, NAN) == 0.0f);
    ck_assert(gy_act_apply(GY_ACT_HARDSIGMOID, NAN) == 0.0f);
    ck_assert(isnan(gy_act_apply(GY_ACT_HARDSWISH, NAN)));
}
END_TEST

/* ---- channel shuffle ---------------------------------------------------------------------- */

/* The task form equals the reference, and the reference equals the definitions: torchvision's
 * channel_shuffle(x, g) = view(g, C/g).transpose: out[j g + i] = x[i C/g + j]; Megvii's
 * reshape(C/g, g).permute: out[i C/g + j] = x[j g + i] (= torchvision's with C/g groups). With two
 * inputs X is their concatenation (Shuffle_Block's halves). */
START_TEST(shuffle_orders)
{
    static const struct { int c, groups, nin; size_t plane; } cases[] = {
        {2, 2, 1, 1}, {6, 2, 2, 5}, {12, 3, 1, 7}, {12, 4, 1, 1}, {96, 2, 2, 33}, {240, 80, 1, 3},
        {24, 8, 2, 16}, {9, 3, 1, 2}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int c = cases[k].c, g = cases[k].groups, nin = cases[k].nin;
        size_t plane = cases[k].plane, n = (size_t)c * plane;
        float *x = malloc(sizeof *x * n), *ref = malloc(sizeof *ref * n);
        float *out = malloc(sizeof *out * n);
        ck_assert(x && ref && out);
        for (size_t i = 0; i < n; i++)
            x[i] = (float)i; /* channel = value / plane */
        gy_shuffle_run r = {.nin = nin, .out = ref, .c = c, .groups = g, .plane = plane};
        for (int j = 0; j < nin; j++)
            r.in[j] = x + (size_t)j * (size_t)(c / nin) * plane;
        gy_x32_shuffle(&r);
        for (int co = 0; co < c; co++) {
            int i = co % g, j = co / g, want = i * (c / g) + j;
            CHECK(ref[(size_t)co * plane] == (float)((size_t)want * plane),
                  "shuffle c %d g %d: out %d holds %g", c, g, co, ref[(size_t)co * plane]);
        }
        /* Megvii with g' groups = this with c / g' groups */
        int gm = c / g;
        for (int i = 0; i < gm; i++)
            for (int j = 0; j < c / gm; j++) {
                int co = i * (c / gm) + j, src = j * gm + i;
                CHECK(ref[(size_t)co * plane + plane - 1] == (float)((size_t)src * plane + plane - 1),
                      "Megvii c %d g %d: out %d", c, gm, co);
            }
        r.out = out;
        memset(out, 0xff, sizeof *out * n);
        size_t nt = gy_x32_shuffle_tasks(&r);
        for (size_t t = 0; t < nt; t++)
            gy_x32_shuffle_task(&r, t, NULL);
        CHECK(memcmp(out, ref, sizeof *out * n) == 0, "shuffle task c %d g %d nin %d", c, g, nin);
        free(x);
        free(ref);
        free(out);
    }
}
END_TEST

/* ---- pools ---------------------------------------------------------------------------------- */

/* The even / odd split of stride-2 rows (x32_split2.h): every variant against the definition
 * on every length 0..100 (remainders of the 16- and 32-column steps), nothing written past the
 * last even or odd column (guards), any alignment of the source. */
START_TEST(split2_variants)
{
    typedef void (*split_fn)(const float *, int, float *, float *);
    split_fn fns[3] = {gy_x32_split2__generic, NULL, NULL};
#if defined(__x86_64__) || defined(__i386__)
    fns[1] = gy_x32_split2__avx2;
    fns[2] = gy_x32_split2__avx512;
#endif
    float src[104], even[64], odd[64];
    for (int i = 0; i < 104; i++)
        src[i] = (float)i + 0.25f;
    for (int isa = 0; isa < isa_count(); isa++)
        for (int n = 0; n <= 100; n++) {
            int a = n % 3; /* source offset */
            for (int i = 0; i < 64; i++)
                even[i] = odd[i] = -1.0f;
            fns[isa](src + a, n, even, odd);
            /* the row against an inaccessible page after its end, then before its start: the
             * same result, nothing read outside [0, n) */
            for (int side = 0; side < 2; side++) {
                gy_test_guard g = {NULL, 0};
                float e2[64], o2[64];
                for (int i = 0; i < 64; i++)
                    e2[i] = o2[i] = -1.0f;
                fns[isa](gy_test_guarded(src + a, (size_t)n, !side, &g), n, e2, o2);
                gy_test_guarded_free(&g);
                CHECK(!memcmp(e2, even, sizeof even) && !memcmp(o2, odd, sizeof odd),
                      "split2 isa %d n %d side %d: differs from the unguarded run", isa, n, side);
            }
            for (int j = 0; j < 64; j++) {
                float we = 2 * j < n ? src[a + 2 * j] : -1.0f;
                float wo = 2 * j + 1 < n ? src[a + 2 * j + 1] : -1.0f;
                CHECK(same_bits(even[j], we) && same_bits(odd[j], wo),
                      "split2 isa %d n %d at %d: %g %g vs %g %g", isa, n, j, even[j], odd[j], we,
                      wo);
            }
        }
}
END_TEST

/* Output sizes: floor mode, and ceil mode with torch's rule that the last window starts inside
 * the input or its left padding (../shared/zoo/README.md: 81 -> 40, 40 -> 20, floor 19). */
START_TEST(pool_output_sizes)
{
    ck_assert_int_eq(gy_pool_out(81, 3, 2, 0, 1), 40);
    ck_assert_int_eq(gy_pool_out(40, 3, 2, 0, 1), 20);
    ck_assert_int_eq(gy_pool_out(40, 3, 2, 0, 0), 19);
    ck_assert_int_eq(gy_pool_out(97, 3, 2, 0, 1), 48);
    ck_assert_int_eq(gy_pool_out(1, 3, 2, 1, 1), 1);
    ck_assert_int_eq(gy_pool_out(3, 3, 2, 0, 1), 1);
    ck_assert_int_eq(gy_pool_out(4, 3, 2, 0, 1), 2);  /* floor: 1 */
    ck_assert_int_eq(gy_pool_out(4, 3, 2, 0, 0), 1);
    ck_assert_int_eq(gy_pool_out(5, 2, 2, 1, 1), 3);  /* (5+2-2)/2 = 2.5 -> 4, but 3*2 >= 5+1 */
    ck_assert_int_eq(gy_pool_out(6, 2, 2, 1, 1), 4);
    ck_assert_int_eq(gy_pool_out(7, 3, 3, 0, 1), 3);
    ck_assert_int_eq(gy_pool_out(7, 3, 3, 0, 0), 2);
    /* a window larger than the input: one output in ceil mode (torch rounds toward -inf; so
     * ultralytics' 32x32 probe runs SqueezeNet, whose last pool sees 2x2, and prints its 9.9
     * GFLOPs), none in floor mode, none when ceil mode's window would start past the input */
    ck_assert_int_eq(gy_pool_out(2, 3, 2, 0, 1), 1);
    ck_assert_int_eq(gy_pool_out(2, 3, 2, 0, 0), 0);
    ck_assert_int_eq(gy_pool_out(1, 3, 2, 0, 1), 0);
    ck_assert_int_eq(gy_pool_out(1, 4, 3, 0, 1), 0);
    ck_assert_int_eq(gy_pool_out(2, 4, 3, 0, 1), 1);
    for (int in = 1; in < 200; in++) /* odd kernels with pad k//2: ceil(in / 2) at stride 2 */
        ck_assert_int_eq(gy_pool_out(in, 3, 2, 1, 0), (in + 1) / 2);
}
END_TEST

typedef void (*pool_fn)(const gy_pool_run *, size_t, float *);

/* Max pooling in ceil mode (windows past the bottom / right edge) on every variant, bit for bit
 * against the reference; average pooling with counted zero padding (torch's divisor) likewise,
 * and the reference against a direct sum with the divisor k * k where the window stays within
 * the padded input. */
START_TEST(pool_ceil_and_padding)
{
    static const struct { int c, ih, iw, k, s, p, ceil; } cases[] = {
        {3, 81, 97, 3, 2, 0, 1}, {5, 40, 48, 3, 2, 0, 1}, {2, 1, 1, 3, 2, 1, 0},
        {17, 9, 7, 3, 2, 1, 0},  {4, 39, 55, 3, 2, 1, 0}, {3, 5, 7, 2, 2, 0, 0},
        {1, 2, 3, 3, 1, 1, 0},   {6, 10, 12, 3, 2, 0, 1}, {2, 4, 4, 2, 2, 1, 1}};
    pool_fn maxes[3] = {gy_f32_maxpool2d_task__generic, NULL, NULL};
    pool_fn maxes2[3] = {gy_f32_maxpool2d_task__generic, NULL, NULL};
#if defined(__x86_64__) || defined(__i386__)
    maxes[1] = gy_f32_maxpool2d_task__avx2;
    maxes[2] = gy_f32_maxpool2d_task__avx512;
    maxes2[1] = gy_f32_maxpool2d_s2_task__avx2;
    maxes2[2] = gy_f32_maxpool2d_s2_task__avx512;
#endif
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int c = cases[k].c, ih = cases[k].ih, iw = cases[k].iw, kk = cases[k].k, s = cases[k].s;
        int p = cases[k].p, cm = cases[k].ceil;
        int oh = gy_pool_out(ih, kk, s, p, cm), ow = gy_pool_out(iw, kk, s, p, cm);
        size_t on = (size_t)c * oh * ow;
        float *in = randv((size_t)c * ih * iw, 2.0f);
        float *ref = malloc(sizeof *ref * on), *out = malloc(sizeof *out * on);
        ck_assert(ref && out);
        gy_f32_maxpool2d(in, ref, c, ih, iw, oh, ow, kk, s, p, 1);
        /* the input against an inaccessible page after its end, and before its start (ceil
         * mode's windows run past the edge) */
        gy_test_guards guard = GY_TEST_GUARDS_NONE;
        gy_test_guard_both(in, (size_t)c * ih * iw, &guard);
        for (int is = 0; is < 2 * isa_count(); is++) {
            const int isa = is / 2;
            gy_pool_run r = {.in = guard.in[is % 2], .out = out, .c = c, .ih = ih, .iw = iw,
                             .oh = oh, .ow = ow, .k = kk, .stride = s, .pad = p,
                             .isa = (gy_isa)isa};
            /* the vector variants: stride 1 and stride 2 (ceil mode's windows past the edge) */
            pool_fn fn = s == 1 || isa == 0 ? maxes[isa] : s == 2 ? maxes2[isa]
                                                                  : gy_f32_maxpool2d_task;
            float *scratch = malloc(sizeof(float) * (gy_f32_maxpool2d_scratch_floats(&r) + 1));
            ck_assert_ptr_nonnull(scratch);
            memset(out, 0xff, sizeof *out * on);
            size_t nt = gy_f32_maxpool2d_tasks(&r);
            for (size_t t = 0; t < nt; t++)
                fn(&r, t, scratch);
            for (size_t i = 0; i < on; i++)
                CHECK(same_bits(out[i], ref[i]), "maxpool case %zu isa %d at %zu: %g vs %g", k,
                      isa, i, out[i], ref[i]);
            free(scratch);
        }
        if (!cm) { /* average pooling (floor mode, as nn.AvgPool2d and F.avg_pool2d here) */
            gy_f32_avgpool2d_pad(in, ref, c, ih, iw, oh, ow, kk, s, p, 1);
            for (int is = 0; is < 2 * isa_count(); is++) {
                const int isa = is / 2;
                gy_pool_run r = {.in = guard.in[is % 2], .out = out, .c = c, .ih = ih, .iw = iw,
                                 .oh = oh, .ow = ow, .k = kk, .stride = s, .pad = p,
                                 .isa = (gy_isa)isa};
                float *scratch = malloc(sizeof(float) * (gy_f32_avgpool2d_scratch_floats(&r) + 1));
                ck_assert_ptr_nonnull(scratch);
                memset(out, 0xff, sizeof *out * on);
                size_t nt = gy_f32_avgpool2d_tasks(&r);
                for (size_t t = 0; t < nt; t++)
                    gy_f32_avgpool2d_task(&r, t, scratch);
                for (size_t i = 0; i < on; i++)
                    CHECK(same_bits(out[i], ref[i]), "avgpool case %zu isa %d at %zu: %g vs %g", k,
                          isa, i, out[i], ref[i]);
                free(scratch);
            }
            for (int ch = 0; ch < c; ch++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = 0.0;
                        for (int y = oy * s - p; y < oy * s - p + kk; y++)
                            for (int x = ox * s - p; x < ox * s - p + kk; x++)
                                if (y >= 0 && y < ih && x >= 0 && x < iw)
                                    sum += in[((size_t)ch * ih + y) * iw + x];
                        double want = sum / (kk * kk);
                        float got = ref[((size_t)ch * oh + oy) * ow + ox];
                        CHECK(fabs(got - want) <= 1e-6 * (fabs(want) + 1.0),
                              "avgpool reference case %zu: %g vs %g", k, got, want);
                    }
        }
        gy_test_guards_free(&guard);
        free(in);
        free(ref);
        free(out);
    }
}
END_TEST

/* ---- nearest resize to a size ----------------------------------------------------------------- */

/* PyTorch's legacy nearest (F.interpolate(size=...)): src = min(floor(dst * (float)in / out),
 * in - 1) with the product in float32; equal to (dst * in) div out for DFC's floor(H/2) -> H pairs,
 * not for all pairs (26 -> 44 differs). The kernels (reference, portable and AVX2 tasks) against
 * that rule on odd pairs. */
START_TEST(resize_to_size)
{
    static const int pairs[][2] = {{4, 9}, {3, 7}, {26, 44}, {1, 5}, {5, 5}, {6, 12}, {7, 3},
                                   {13, 27}, {2, 3}};
    int rule_differs = 0;
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        int in = pairs[k][0], outn = pairs[k][1], c = 3;
        float *x = malloc(sizeof *x * (size_t)(c * in * in));
        float *ref = malloc(sizeof *ref * (size_t)(c * outn * outn));
        float *y = malloc(sizeof *y * (size_t)(c * outn * outn));
        ck_assert(x && ref && y);
        for (int i = 0; i < c * in * in; i++)
            x[i] = (float)i;
        gy_f32_upsample_nearest(x, ref, c, in, in, outn, outn, 1);
        float sc = (float)in / (float)outn;
        for (int ch = 0; ch < c; ch++)
            for (int oy = 0; oy < outn; oy++)
                for (int ox = 0; ox < outn; ox++) {
                    int sy = (int)floorf((float)oy * sc), sx = (int)floorf((float)ox * sc);
                    sy = sy > in - 1 ? in - 1 : sy;
                    sx = sx > in - 1 ? in - 1 : sx;
                    rule_differs += sx != ox * in / outn;
                    CHECK(ref[((size_t)ch * outn + oy) * outn + ox] ==
                              x[((size_t)ch * in + sy) * in + sx],
                          "resize %d -> %d at %d,%d", in, outn, oy, ox);
                }
        for (int isa = 0; isa < (isa_count() > 2 ? 2 : isa_count()); isa++) {
            gy_upsample_run r = {.in = x, .out = y, .c = c, .ih = in, .iw = in, .oh = outn,
                                 .ow = outn, .isa = (gy_isa)isa};
            memset(y, 0xff, sizeof *y * (size_t)(c * outn * outn));
            size_t nt = gy_f32_upsample_nearest_tasks(&r);
            for (size_t t = 0; t < nt; t++)
                gy_f32_upsample_nearest_task(&r, t, NULL);
            CHECK(memcmp(y, ref, sizeof *y * (size_t)(c * outn * outn)) == 0,
                  "resize %d -> %d isa %d", in, outn, isa);
        }
        free(x);
        free(ref);
        free(y);
    }
    ck_assert_int_gt(rule_differs, 0); /* 26 -> 44: the float rule is not dst * in / out */
}
END_TEST

/* ---- conv epilogues ------------------------------------------------------------------------- */

/* ReLU6, hard-swish and hard-sigmoid in the epilogue of every conv path (GEMM 1x1 and kxk,
 * grouped 1x1 and 3x3, depthwise 3x3 / 5x5 stride 1 and 2, Winograd, direct stride 2, a 1x1 map)
 * against the reference conv, on every ISA: within 2e-5 of the activations' scale 6 (measured:
 * 4.4e-6; test_conv's bound for Winograd's transforms). */
START_TEST(conv_epilogue_acts)
{
    static const struct { int cin, cout, k, s, groups, h, w; } cases[] = {
        {16, 24, 1, 1, 1, 9, 13},  {12, 20, 3, 1, 1, 11, 7}, {12, 18, 1, 1, 3, 5, 9},
        {24, 24, 3, 2, 8, 13, 9},  {20, 20, 3, 1, 20, 9, 17}, {20, 20, 5, 2, 20, 15, 11},
        {32, 40, 3, 1, 1, 12, 12}, {8, 16, 3, 2, 1, 17, 23},  {24, 36, 1, 1, 1, 1, 1},
        {3, 16, 3, 2, 1, 7, 5},    {36, 36, 3, 1, 12, 6, 7}};
    static const gy_act acts[3] = {GY_ACT_RELU6, GY_ACT_HARDSWISH, GY_ACT_HARDSIGMOID};
    double worst = 0.0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gy_conv c;
        memset(&c, 0, sizeof c);
        c.cin = cases[k].cin;
        c.cout = cases[k].cout;
        c.kh = c.kw = cases[k].k;
        c.sh = c.sw = cases[k].s;
        c.ph = c.pw = cases[k].k / 2;
        c.groups = cases[k].groups;
        int h = cases[k].h, w = cases[k].w;
        int oh = (h + 2 * c.ph - c.kh) / c.sh + 1, ow = (w + 2 * c.pw - c.kw) / c.sw + 1;
        size_t wn = (size_t)c.cout * (c.cin / c.groups) * c.kh * c.kw;
        c.w = randv(wn, 2.0f / sqrtf((float)(c.cin / c.groups * c.kh * c.kw)));
        c.b = randv((size_t)c.cout, 2.0f);
        float *x = randv((size_t)c.cin * h * w, 3.0f);
        size_t on = (size_t)c.cout * oh * ow;
        float *ref = malloc(sizeof *ref * on), *out = malloc(sizeof *out * on);
        ck_assert(ref && out);
        for (int a = 0; a < 3; a++) {
            gy_conv_run rr = {.p = &c, .in = x, .ih = h, .iw = w, .out = ref, .oh = oh, .ow = ow,
                              .act = acts[a]};
            gy_f32_conv2d__ref(&rr);
            for (int isa = 0; isa < isa_count(); isa++) {
                ck_assert_int_eq(gy_conv_pack(&c, (gy_isa)isa, NULL), GY_OK);
                size_t sf = gy_f32_conv2d_scratch_floats(&c, oh, ow);
                float *scratch = aligned_alloc(64, sizeof(float) * ((sf + 15) / 16 * 16 + 16));
                ck_assert_ptr_nonnull(scratch);
                gy_conv_run r = rr;
                r.out = out;
                memset(out, 0xff, sizeof *out * on);
                gy_f32_conv2d_serial(&r, scratch);
                for (size_t i = 0; i < on; i++) {
                    double d = fabs((double)out[i] - ref[i]) / 6.0; /* the acts' range is ~[0, 6] */
                    if (d > worst)
                        worst = d;
                    CHECK(d < 2e-5, "conv case %zu act %d isa %d at %zu: %.9g vs %.9g", k,
                          acts[a], isa, i, out[i], ref[i]);
                }
                free(scratch);
            }
        }
        free(c.w);
        free(c.b);
        free(c.wpack);
        free(x);
        free(ref);
        free(out);
    }
    printf("conv epilogue acts: worst difference / 6 = %.3g\n", worst);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("zoo_kernels");
    TCase *tc = tcase_create("kernels");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, gavgpool_variants);
    tcase_add_test(tc, channel_op_variants);
    tcase_add_test(tc, activation_definitions);
    tcase_add_test(tc, shuffle_orders);
    tcase_add_test(tc, split2_variants);
    tcase_add_test(tc, pool_output_sizes);
    tcase_add_test(tc, pool_ceil_and_padding);
    tcase_add_test(tc, resize_to_size);
    tcase_add_test(tc, conv_epilogue_acts);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

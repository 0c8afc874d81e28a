/* test_resize.c - gy_resize_u8 against cv2.resize outputs (OpenCV 4.6, x86_64), byte for byte
 * (the JPEG decode itself is tested in test_jpeg.c). */
#define _POSIX_C_SOURCE 200809L

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "preprocess/resize.h"
#include "tables.h"
#include "testutil.h"

/* reference/resize/index.json lists this many cases; a new case fails test_index_count until the
 * loop below is widened. */
#define N_REFERENCE_CASES 7

typedef struct ref_case {
    char src[128], dst[128];
    int sw, sh, dw, dh, cn;
    gy_interp interp;
} ref_case;

static int json_hwc(const cJSON *arr, int *h, int *w, int *c)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != 3)
        return 0;
    const cJSON *a = cJSON_GetArrayItem(arr, 0), *b = cJSON_GetArrayItem(arr, 1),
                *d = cJSON_GetArrayItem(arr, 2);
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || !cJSON_IsNumber(d))
        return 0;
    *h = a->valueint;
    *w = b->valueint;
    *c = d->valueint;
    return 1;
}

/* Parses reference/resize/index.json; returns the case count and fills up to max cases. */
static int load_cases(ref_case *cases, int max)
{
    cJSON *root = gy_test_read_json(gy_test_shared("reference/resize/index.json"));
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "cases");
    ck_assert_msg(cJSON_IsArray(arr), "reference/resize/index.json: no \"cases\" array");
    int n = cJSON_GetArraySize(arr);
    for (int i = 0; i < n && i < max; i++) {
        const cJSON *c = cJSON_GetArrayItem(arr, i);
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(c, "src");
        const cJSON *dst = cJSON_GetObjectItemCaseSensitive(c, "dst");
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(c, "interpolation");
        ck_assert_msg(cJSON_IsString(src) && cJSON_IsString(dst) && cJSON_IsString(it),
                      "index.json case %d: missing src/dst/interpolation", i);
        ref_case *rc = &cases[i];
        snprintf(rc->src, sizeof rc->src, "%s", src->valuestring);
        snprintf(rc->dst, sizeof rc->dst, "%s", dst->valuestring);
        int c1, c2;
        ck_assert(json_hwc(cJSON_GetObjectItemCaseSensitive(c, "src_hwc"), &rc->sh, &rc->sw, &c1));
        ck_assert(json_hwc(cJSON_GetObjectItemCaseSensitive(c, "dst_hwc"), &rc->dh, &rc->dw, &c2));
        ck_assert_int_eq(c1, c2);
        rc->cn = c1;
        if (strcmp(it->valuestring, "INTER_LINEAR") == 0)
            rc->interp = GY_INTER_LINEAR;
        else if (strcmp(it->valuestring, "INTER_AREA") == 0)
            rc->interp = GY_INTER_AREA;
        else
            ck_abort_msg("index.json case %d: unknown interpolation %s", i, it->valuestring);
    }
    cJSON_Delete(root);
    return n;
}

static unsigned char *read_u8(const char *name, size_t expect)
{
    char rel[256];
    snprintf(rel, sizeof rel, "reference/resize/%s", name);
    size_t size;
    unsigned char *buf = gy_test_read(gy_test_shared(rel), &size);
    ck_assert_msg(size == expect, "%s: %zu bytes, expected %zu", rel, size, expect);
    return buf;
}

START_TEST(test_index_count)
{
    ref_case cases[N_REFERENCE_CASES + 8];
    int n = load_cases(cases, N_REFERENCE_CASES + 8);
    ck_assert_int_eq(n, N_REFERENCE_CASES);
}
END_TEST

/* Every reference case reproduced exactly: max abs diff 0, no differing byte. */
START_TEST(test_reference_case)
{
    ref_case cases[N_REFERENCE_CASES + 8];
    int n = load_cases(cases, N_REFERENCE_CASES + 8);
    ck_assert_int_lt(_i, n);
    const ref_case *c = &cases[_i];
    size_t src_bytes = (size_t)c->sw * c->sh * c->cn, dst_bytes = (size_t)c->dw * c->dh * c->cn;
    unsigned char *src = read_u8(c->src, src_bytes);
    unsigned char *ref = read_u8(c->dst, dst_bytes);
    unsigned char *got = malloc(dst_bytes);
    ck_assert_ptr_nonnull(got);
    gy_error err;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    gy_status st = gy_resize_u8(src, c->sw, c->sh, got, c->dw, c->dh, c->cn, c->interp, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_msg(st == GY_OK, "%s: %s", c->dst, err.message);
    int maxd = 0;
    size_t ndiff = 0;
    for (size_t i = 0; i < dst_bytes; i++) {
        int d = abs((int)got[i] - (int)ref[i]);
        if (d > maxd)
            maxd = d;
        ndiff += d != 0;
    }
    printf("resize %-48s %4dx%-4d -> %4dx%-4d %s: max abs diff %d, %zu of %zu bytes differ, %.2f ms\n",
           c->dst, c->sw, c->sh, c->dw, c->dh, c->interp == GY_INTER_AREA ? "AREA  " : "LINEAR",
           maxd, ndiff, dst_bytes,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    ck_assert_msg(maxd == 0 && ndiff == 0, "%s: max abs diff %d, %zu bytes differ", c->dst, maxd,
                  ndiff);
    free(src);
    free(ref);
    free(got);
}
END_TEST

static void fill_random(unsigned char *p, size_t n, unsigned seed)
{
    unsigned s = seed;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        p[i] = (unsigned char)(s >> 16);
    }
}

/* A constant image stays constant through every path (linear, 2x2 fast area, integer area,
 * fractional area, area enlarging, mixed), for 1 to 4 channels. */
START_TEST(test_constant_image)
{
    static const int sizes[][4] = {
        { 37, 53, 41, 29 }, { 40, 20, 20, 10 }, { 60, 60, 20, 20 }, { 53, 37, 27, 19 },
        { 16, 16, 45, 33 }, { 50, 10, 20, 40 }, { 1, 1, 7, 5 }, { 9, 1, 3, 1 }, { 1, 9, 4, 2 },
    };
    unsigned char src[60 * 60 * 4], dst[60 * 60 * 4];
    gy_error err;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (int cn = 1; cn <= 4; cn++)
            for (int m = 0; m < 2; m++) {
                const int *s = sizes[k];
                size_t n = (size_t)s[0] * s[1] * cn, dn = (size_t)s[2] * s[3] * cn;
                for (size_t i = 0; i < n; i++)
                    src[i] = (unsigned char)(17 + 60 * (int)(i % (size_t)cn));
                memset(dst, 0xAB, sizeof dst);
                gy_interp it = m ? GY_INTER_AREA : GY_INTER_LINEAR;
                ck_assert_int_eq(gy_resize_u8(src, s[0], s[1], dst, s[2], s[3], cn, it, &err), GY_OK);
                for (size_t i = 0; i < dn; i++)
                    ck_assert_msg(dst[i] == (unsigned char)(17 + 60 * (int)(i % (size_t)cn)),
                                  "%dx%d -> %dx%d cn %d %s: byte %zu is %d", s[0], s[1], s[2], s[3],
                                  cn, m ? "area" : "linear", i, dst[i]);
                ck_assert_int_eq(dst[dn], 0xAB); /* nothing written past the end */
            }
}
END_TEST

/* OpenCV resizes by exactly one half with INTER_LINEAR through the area path: a 2x2 mean with
 * (sum + 2) >> 2 rounding. */
START_TEST(test_half_is_block_mean)
{
    enum { W = 30, H = 22, CN = 3 };
    unsigned char src[W * H * CN], lin[W * H * CN], area[W * H * CN];
    fill_random(src, sizeof src, 7);
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(src, W, H, lin, W / 2, H / 2, CN, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert_int_eq(gy_resize_u8(src, W, H, area, W / 2, H / 2, CN, GY_INTER_AREA, &err), GY_OK);
    ck_assert_mem_eq(lin, area, (size_t)(W / 2) * (H / 2) * CN);
    for (int y = 0; y < H / 2; y++)
        for (int x = 0; x < W / 2; x++)
            for (int c = 0; c < CN; c++) {
                const unsigned char *p = src + ((size_t)(2 * y) * W + 2 * x) * CN + c;
                int v = (p[0] + p[CN] + p[W * CN] + p[W * CN + CN] + 2) >> 2;
                ck_assert_int_eq(lin[((size_t)y * (W / 2) + x) * CN + c], v);
            }
}
END_TEST

/* Only an exact 2x2 shrink switches INTER_LINEAR to the area path (OpenCV's resize); a 3x by 2x
 * shrink stays bilinear: source x = (dx + 0.5) * 3 - 0.5 = 3dx + 1 exactly (weights 2048, 0 of
 * 2^11), source y = 2dy + 0.5 (weights 1024, 1024), so with the 2^22 fixed-point rounding each
 * output is (a + b + 1) >> 1 of the two pixels in column 3dx + 1, rows 2dy and 2dy + 1; not the
 * mean of the 3x2 block. */
START_TEST(test_linear_3x2_stays_bilinear)
{
    enum { W = 12, H = 4, CN = 3 };
    unsigned char src[W * H * CN], dst[(W / 3) * (H / 2) * CN];
    fill_random(src, sizeof src, 11);
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(src, W, H, dst, W / 3, H / 2, CN, GY_INTER_LINEAR, &err), GY_OK);
    for (int y = 0; y < H / 2; y++)
        for (int x = 0; x < W / 3; x++)
            for (int c = 0; c < CN; c++) {
                const unsigned char *p = src + ((size_t)(2 * y) * W + 3 * x + 1) * CN + c;
                int v = (p[0] + p[W * CN] + 1) >> 1;
                ck_assert_msg(dst[((size_t)y * (W / 3) + x) * CN + c] == v,
                              "(%d, %d) channel %d: %d, expected %d", x, y, c,
                              dst[((size_t)y * (W / 3) + x) * CN + c], v);
            }
}
END_TEST

/* Only 2x2 takes the area path: INTER_LINEAR by 1/2 in x and 1/3 in y samples source x = 2 dx + 0.5
 * (weights 1/2, 1/2) and source y = 3 dy + 1 (the middle row alone), so each output is the rounded
 * mean (a + b + 1) >> 1 of two neighbours in that row (OpenCV's fixed point: 11-bit weights in each
 * direction, + 2^21 >> 22); a 2x3 block mean would mix three rows. */
START_TEST(test_linear_two_by_three_is_not_area)
{
    enum { W = 14, H = 12, CN = 3 };
    unsigned char src[W * H * CN], lin[(W / 2) * (H / 3) * CN];
    fill_random(src, sizeof src, 11);
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(src, W, H, lin, W / 2, H / 3, CN, GY_INTER_LINEAR, &err), GY_OK);
    for (int y = 0; y < H / 3; y++)
        for (int x = 0; x < W / 2; x++)
            for (int c = 0; c < CN; c++) {
                const unsigned char *p = src + ((size_t)(3 * y + 1) * W + 2 * x) * CN + c;
                ck_assert_int_eq(lin[((size_t)y * (W / 2) + x) * CN + c], (p[0] + p[CN] + 1) >> 1);
            }
}
END_TEST

/* Integer factors other than 2x2 (here 2x1): the float mean rounded half to even. */
START_TEST(test_integer_area_rounding)
{
    const unsigned char src[8] = { 1, 2, 3, 4, 5, 6, 255, 254 }; /* 8x1 gray */
    unsigned char dst[4];
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(src, 8, 1, dst, 4, 1, 1, GY_INTER_AREA, &err), GY_OK);
    /* means 1.5, 3.5, 5.5, 254.5 -> half to even: 2, 4, 6, 254 */
    ck_assert_int_eq(dst[0], 2);
    ck_assert_int_eq(dst[1], 4);
    ck_assert_int_eq(dst[2], 6);
    ck_assert_int_eq(dst[3], 254);
}
END_TEST

START_TEST(test_same_size_copies)
{
    unsigned char src[5 * 4 * 3], dst[5 * 4 * 3];
    fill_random(src, sizeof src, 3);
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(src, 5, 4, dst, 5, 4, 3, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert_mem_eq(src, dst, sizeof src);
}
END_TEST

START_TEST(test_argument_errors)
{
    unsigned char buf[64];
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(NULL, 2, 2, buf, 1, 1, 3, GY_INTER_LINEAR, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "NULL"));
    ck_assert_int_eq(gy_resize_u8(buf, 2, 2, NULL, 1, 1, 3, GY_INTER_LINEAR, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_resize_u8(buf, 0, 2, buf, 1, 1, 3, GY_INTER_LINEAR, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "positive"));
    ck_assert_int_eq(gy_resize_u8(buf, 2, -1, buf, 1, 1, 3, GY_INTER_LINEAR, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_resize_u8(buf, 2, 2, buf, 0, 1, 3, GY_INTER_AREA, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_resize_u8(buf, 2, 2, buf, 1, -5, 3, GY_INTER_AREA, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_resize_u8(buf, 2, 2, buf, 1, 1, 0, GY_INTER_LINEAR, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "channels"));
    ck_assert_int_eq(gy_resize_u8(buf, 2, 2, buf, 1, 1, 5, GY_INTER_LINEAR, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_resize_u8(buf, 2, 2, buf, 1, 1, 3, (gy_interp)7, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "interpolation"));
    ck_assert_int_eq(gy_resize_u8(buf, 1 << 30, 2, buf, 1, 1, 3, GY_INTER_LINEAR, &err),
                     GY_ERR_ARGUMENT);
    /* a NULL gy_error is allowed */
    ck_assert_int_eq(gy_resize_u8(NULL, 2, 2, buf, 1, 1, 3, GY_INTER_LINEAR, NULL), GY_ERR_ARGUMENT);
}
END_TEST

static Suite *resize_suite(void)
{
    Suite *s = suite_create("resize");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_index_count);
    tcase_add_loop_test(tc, test_reference_case, 0, N_REFERENCE_CASES);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("properties");
    tcase_add_test(tp, test_constant_image);
    tcase_add_test(tp, test_half_is_block_mean);
    tcase_add_test(tp, test_linear_3x2_stays_bilinear);
    tcase_add_test(tp, test_linear_two_by_three_is_not_area);
    tcase_add_test(tp, test_integer_area_rounding);
    tcase_add_test(tp, test_same_size_copies);
    tcase_add_test(tp, test_argument_errors);
    suite_add_tcase(s, tp);
    return s;
}

int main(void) { return gy_test_run(resize_suite()); }

/* test_letterbox_contract.c - preprocess/letterbox.c condition by condition: the arguments of
 * gy_letterbox_compute_hw each wrong alone (sizes, stride at 1 and 256 and one past, each imgsz at
 * 8192 and one past, not a multiple), the "too elongated" bound where a side rounds to 1 or to 0,
 * the geometry with imgsz_h != imgsz_w either side binding, gy_letterbox_valid with each of its
 * conditions failing alone (and at its bounds), and gy_letterbox_image's arguments, size check,
 * resize decision (each side alone) and tensor, every element checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preprocess/letterbox.h"
#include "preprocess/resize.h"
#include "testutil.h"

static void refused(int sw, int sh, int ih, int iw, int stride, const char *frag)
{
    gy_letterbox lb;
    memset(&lb, 0x55, sizeof lb);
    gy_error err;
    gy_status st = gy_letterbox_compute_hw(sw, sh, ih, iw, stride, 0, &lb, &err);
    ck_assert_msg(st == GY_ERR_ARGUMENT, "%dx%d at %dx%d stride %d: status %d", sw, sh, ih, iw, stride, (int)st);
    ck_assert_msg(strstr(err.message, frag), "%dx%d at %dx%d stride %d: '%s' not in: %s", sw, sh, ih, iw, stride,
                  frag, err.message);
    ck_assert_int_eq(lb.out_w, 0); /* cleared */
}

static gy_letterbox accepted(int sw, int sh, int ih, int iw, int stride, int square)
{
    gy_letterbox lb;
    gy_error err;
    ck_assert_msg(gy_letterbox_compute_hw(sw, sh, ih, iw, stride, square, &lb, &err) == GY_OK,
                  "%dx%d at %dx%d stride %d: %s", sw, sh, ih, iw, stride, err.message);
    ck_assert(gy_letterbox_valid(&lb));
    return lb;
}

static void expect_geometry(const gy_letterbox *lb, int nw, int nh, int ow, int oh, int l, int t, int r, int b)
{
    ck_assert_msg(lb->new_w == nw && lb->new_h == nh && lb->out_w == ow && lb->out_h == oh && lb->left == l &&
                      lb->top == t && lb->right == r && lb->bottom == b,
                  "got new %dx%d out %dx%d pad l%d t%d r%d b%d, expected new %dx%d out %dx%d pad l%d t%d r%d b%d",
                  lb->new_w, lb->new_h, lb->out_w, lb->out_h, lb->left, lb->top, lb->right, lb->bottom, nw, nh, ow, oh,
                  l, t, r, b);
}

START_TEST(compute_arguments)
{
    gy_error err;
    ck_assert_int_eq(gy_letterbox_compute_hw(10, 10, 32, 32, 32, 0, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "NULL result pointer"), "%s", err.message);
    refused(0, 5, 32, 32, 32, "image size must be positive (got 0x5)");
    refused(5, 0, 32, 32, 32, "image size must be positive (got 5x0)");
    refused(-1, 5, 32, 32, 32, "(got -1x5)");
    gy_letterbox lb = accepted(1, 1, 32, 32, 32, 0);
    expect_geometry(&lb, 32, 32, 32, 32, 0, 0, 0, 0);
    /* stride 1..256 */
    refused(10, 10, 32, 32, 0, "stride must be 1..256 (got 0)");
    refused(10, 10, 512, 512, 257, "stride must be 1..256 (got 257)");
    lb = accepted(10, 10, 256, 256, 256, 0);
    expect_geometry(&lb, 256, 256, 256, 256, 0, 0, 0, 0);
    lb = accepted(10, 10, 7, 7, 1, 0);
    expect_geometry(&lb, 7, 7, 7, 7, 0, 0, 0, 0);
    /* each imgsz alone: positive, at most 8192, a multiple of the stride */
    static const char *const imgsz_msg = "imgsz must be a positive multiple of the stride";
    refused(10, 10, 0, 32, 32, "(got 0)");
    refused(10, 10, 32, 0, 32, "(got 0)");
    refused(10, 10, -32, 32, 32, imgsz_msg);
    refused(10, 10, 8193, 32, 1, "stride 1 up to 8192 (got 8193)");
    refused(10, 10, 32, 8193, 1, "(got 8193)");
    refused(10, 10, 48, 32, 32, "stride 32 up to 8192 (got 48)");
    refused(10, 10, 32, 48, 32, "(got 48)");
    lb = accepted(8192, 8192, 8192, 8192, 1, 0);
    expect_geometry(&lb, 8192, 8192, 8192, 8192, 0, 0, 0, 0);
    lb = accepted(4, 2, 8192, 32, 32, 1);
    expect_geometry(&lb, 32, 16, 32, 8192, 0, 4088, 0, 4088);
}
END_TEST

/* A side that rounds to 1 pixel is kept; to 0, refused (Python's round: 0.5 -> 0, 0.75 -> 1). */
START_TEST(elongated_bound)
{
    gy_letterbox lb = accepted(640, 15, 32, 32, 32, 1); /* h 0.75 -> 1 */
    expect_geometry(&lb, 32, 1, 32, 32, 0, 15, 0, 16);
    refused(640, 10, 32, 32, 32, "a 640x10 image shrinks to 32x0 at imgsz 32x32 (too elongated)");
    lb = accepted(15, 640, 32, 32, 32, 1);
    expect_geometry(&lb, 1, 32, 32, 32, 15, 0, 16, 0);
    refused(10, 640, 32, 32, 32, "a 10x640 image shrinks to 0x32 at imgsz 32x32");
}
END_TEST

/* imgsz_h != imgsz_w: r = min(imgsz_h / h, imgsz_w / w), either may bind; rect pads modulo the
 * stride, square to the full size. */
START_TEST(rectangular_imgsz)
{
    /* width binds: 1920x1080 at h 384, w 640: r = 1/3 -> 640x360, dh = 24 */
    gy_letterbox lb = accepted(1920, 1080, 384, 640, 32, 0);
    expect_geometry(&lb, 640, 360, 640, 384, 0, 12, 0, 12);
    lb = accepted(1920, 1080, 384, 640, 32, 1);
    expect_geometry(&lb, 640, 360, 640, 384, 0, 12, 0, 12);
    /* height binds: 1000x1000 at h 320, w 640: 320x320; rect: dw = 320 % 32 = 0; square: 160 + 160 */
    lb = accepted(1000, 1000, 320, 640, 32, 0);
    expect_geometry(&lb, 320, 320, 320, 320, 0, 0, 0, 0);
    lb = accepted(1000, 1000, 320, 640, 32, 1);
    expect_geometry(&lb, 320, 320, 640, 320, 160, 0, 160, 0);
    /* rect with a remainder on both sides: 100x70 at 64x96 stride 32: r = min(0.914, 0.96) ->
     * 91x64 (91.43 -> 91); dw = 5 % 32 = 5 -> 2.5: left round(2.4) = 2, right round(2.6) = 3 */
    lb = accepted(100, 70, 64, 96, 32, 0);
    expect_geometry(&lb, 91, 64, 96, 64, 2, 0, 3, 0);
    /* gy_letterbox_compute is the square-imgsz case */
    gy_letterbox sq;
    gy_error err;
    ck_assert_int_eq(gy_letterbox_compute(100, 70, 96, 32, 0, &sq, &err), GY_OK);
    expect_geometry(&sq, 96, 67, 96, 96, 0, 14, 0, 15);
    ck_assert_int_eq(sq.src_w, 100);
    ck_assert_int_eq(sq.src_h, 70);
}
END_TEST

/* gy_letterbox_valid: one condition failing alone, everything else consistent. */
static gy_letterbox good(void)
{
    gy_letterbox lb = {40, 30, 20, 15, 32, 32, 5, 8, 7, 9};
    ck_assert(gy_letterbox_valid(&lb));
    return lb;
}

START_TEST(valid_each_condition)
{
    gy_letterbox lb;
    lb = good(); lb.src_w = 0; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.src_h = 0; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.src_w = 1; lb.src_h = 1; ck_assert(gy_letterbox_valid(&lb));
    lb = good(); lb.new_w = 0; lb.out_w = 12; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.new_h = 0; lb.out_h = 17; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.new_w = 1; lb.out_w = 13; ck_assert(gy_letterbox_valid(&lb));
    lb = good(); lb.new_h = 1; lb.out_h = 18; ck_assert(gy_letterbox_valid(&lb));
    lb = good(); lb.left = -1; lb.out_w = 26; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.right = -1; lb.out_w = 24; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.top = -1; lb.out_h = 23; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.bottom = -1; lb.out_h = 22; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.left = lb.right = lb.top = lb.bottom = 0; lb.out_w = 20; lb.out_h = 15;
    ck_assert(gy_letterbox_valid(&lb));
    /* the sizes at 8192 and one past */
    lb = good(); lb.new_w = 8192; lb.left = lb.right = 0; lb.out_w = 8192; ck_assert(gy_letterbox_valid(&lb));
    lb = good(); lb.new_h = 8192; lb.top = lb.bottom = 0; lb.out_h = 8192; ck_assert(gy_letterbox_valid(&lb));
    lb = good(); lb.new_w = 8191; lb.left = 1; lb.right = 0; lb.out_w = 8192; ck_assert(gy_letterbox_valid(&lb));
    lb = good(); lb.new_w = 8191; lb.left = 1; lb.right = 1; lb.out_w = 8193; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.new_h = 8191; lb.top = 1; lb.bottom = 1; lb.out_h = 8193; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.new_w = 8193; lb.left = -1; lb.right = 0; lb.out_w = 8192; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.new_h = 8193; lb.top = 0; lb.bottom = -1; lb.out_h = 8192; ck_assert(!gy_letterbox_valid(&lb));
    /* the sums, each off by one alone */
    lb = good(); lb.out_w++; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.out_w--; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.out_h++; ck_assert(!gy_letterbox_valid(&lb));
    lb = good(); lb.out_h--; ck_assert(!gy_letterbox_valid(&lb));
}
END_TEST

/* ---- the tensor ----------------------------------------------------------------------------------- */

static unsigned char *pixels(int w, int h)
{
    unsigned char *p = malloc((size_t)w * h * 3);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < w * h * 3; i++)
        p[i] = (unsigned char)(i * 53 + 11);
    return p;
}

/* The tensor of lb for img, built here: the image resized by gy_resize_u8 (when its size changes),
 * at (left, top), 114 elsewhere, /255 in float, RGB planes. */
static float *expected_tensor(const gy_image *img, const gy_letterbox *lb)
{
    unsigned char *r = malloc((size_t)lb->new_w * lb->new_h * 3);
    ck_assert_ptr_nonnull(r);
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(img->data, img->width, img->height, r, lb->new_w, lb->new_h, 3,
                                  GY_INTER_LINEAR, &err), GY_OK);
    size_t plane = (size_t)lb->out_w * lb->out_h;
    float *t = malloc(plane * 3 * sizeof *t);
    ck_assert_ptr_nonnull(t);
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < lb->out_h; y++)
            for (int x = 0; x < lb->out_w; x++) {
                int sx = x - lb->left, sy = y - lb->top;
                int in = sx >= 0 && sx < lb->new_w && sy >= 0 && sy < lb->new_h;
                unsigned v = in ? r[((size_t)sy * lb->new_w + sx) * 3 + c] : 114;
                t[c * plane + (size_t)y * lb->out_w + x] = (float)v / 255.0f;
            }
    free(r);
    return t;
}

static void expect_tensor(const gy_image *img, const gy_letterbox *lb, const char *what)
{
    size_t n = (size_t)lb->out_w * lb->out_h * 3;
    float *got = malloc((n + 1) * sizeof *got);
    ck_assert_ptr_nonnull(got);
    got[n] = -7.0f; /* nothing written past the tensor */
    gy_error err;
    ck_assert_msg(gy_letterbox_image(img, lb, got, &err) == GY_OK, "%s: %s", what, err.message);
    float *want = expected_tensor(img, lb);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "%s: element %zu (plane %zu, row %zu, col %zu) is %g, expected %g", what, i,
                      i / ((size_t)lb->out_w * lb->out_h), i % ((size_t)lb->out_w * lb->out_h) / lb->out_w,
                      i % lb->out_w, got[i], want[i]);
    ck_assert(got[n] == -7.0f);
    free(want);
    free(got);
}

START_TEST(tensor_every_element)
{
    /* no resize, padding on all four sides, all different */
    unsigned char *p = pixels(3, 2);
    gy_image img = {3, 2, p};
    gy_letterbox lb = {3, 2, 3, 2, 6, 5, 1, 2, 2, 1};
    expect_tensor(&img, &lb, "3x2 padded l1 t2 r2 b1");
    /* no padding at all */
    gy_letterbox lb0 = {3, 2, 3, 2, 3, 2, 0, 0, 0, 0};
    expect_tensor(&img, &lb0, "3x2 unpadded");
    free(p);
    /* a resize of one side alone: 4x4 -> 4x2 and 4x4 -> 2x4 */
    p = pixels(4, 4);
    gy_image sq = {4, 4, p};
    gy_letterbox h = {4, 4, 4, 2, 4, 4, 0, 1, 0, 1};
    expect_tensor(&sq, &h, "4x4 -> 4x2");
    gy_letterbox w = {4, 4, 2, 4, 4, 4, 1, 0, 1, 0};
    expect_tensor(&sq, &w, "4x4 -> 2x4");
    gy_letterbox both = {4, 4, 3, 3, 5, 4, 1, 0, 1, 1};
    expect_tensor(&sq, &both, "4x4 -> 3x3");
    free(p);
}
END_TEST

START_TEST(tensor_arguments)
{
    unsigned char *p = pixels(4, 4);
    gy_image img = {4, 4, p}, empty = {4, 4, NULL};
    gy_letterbox lb = {4, 4, 4, 4, 4, 4, 0, 0, 0, 0};
    float t[48];
    gy_error err;
    ck_assert_int_eq(gy_letterbox_image(NULL, &lb, t, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "letterbox: NULL image"), "%s", err.message);
    ck_assert_int_eq(gy_letterbox_image(&empty, &lb, t, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "NULL image data"), "%s", err.message);
    ck_assert_int_eq(gy_letterbox_image(&img, NULL, t, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "NULL geometry"), "%s", err.message);
    ck_assert_int_eq(gy_letterbox_image(&img, &lb, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "NULL output tensor"), "%s", err.message);
    gy_letterbox bad = lb;
    bad.out_w = 5;
    ck_assert_int_eq(gy_letterbox_image(&img, &bad, t, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "inconsistent geometry (src 4x4, new 4x4, out 5x4, pad l0 r0 t0 b0)"), "%s",
                  err.message);
    /* the image's size against the geometry's, each side alone */
    gy_image wide = {5, 4, p}, tall = {4, 3, p};
    ck_assert_int_eq(gy_letterbox_image(&wide, &lb, t, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "the image is 5x4 but the geometry was computed for 4x4"), "%s", err.message);
    ck_assert_int_eq(gy_letterbox_image(&tall, &lb, t, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "the image is 4x3"), "%s", err.message);
    ck_assert_int_eq(gy_letterbox_image(&img, &lb, t, &err), GY_OK);
    free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("letterbox_contract");
    TCase *tc = tcase_create("letterbox");
    tcase_add_test(tc, compute_arguments);
    tcase_add_test(tc, elongated_bound);
    tcase_add_test(tc, rectangular_imgsz);
    tcase_add_test(tc, valid_each_condition);
    tcase_add_test(tc, tensor_every_element);
    tcase_add_test(tc, tensor_arguments);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* test_val_input_contract.c - preprocess/val_input.c condition by condition: the arguments of
 * gy_val_geometry_compute each wrong alone (sizes, stride at 1 and 256 and one past, imgsz at the
 * stride and 8192 and one past, not a multiple, pad at 0 and 4 and just outside, NaN), geometries
 * worked by hand for each branch (load_image's resize shrinking, enlarging, absent, and clamped to
 * imgsz when ceil overshoots; the rectangle for wide, tall and square images; odd padding split),
 * gy_val_input's arguments and size check and its tensor element by element (resize of each side
 * alone, INTER_AREA when shrinking), and gy_val_unmap's clamping per axis. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preprocess/letterbox.h"
#include "preprocess/resize.h"
#include "preprocess/val_input.h"
#include "testutil.h"

static void refused(int sw, int sh, int imgsz, int stride, double pad, const char *frag)
{
    gy_val_geometry g;
    memset(&g, 0x55, sizeof g);
    gy_error err;
    gy_status st = gy_val_geometry_compute(sw, sh, imgsz, stride, pad, &g, &err);
    ck_assert_msg(st == GY_ERR_ARGUMENT, "%dx%d imgsz %d stride %d pad %g: status %d", sw, sh, imgsz, stride, pad,
                  (int)st);
    ck_assert_msg(strstr(err.message, frag), "'%s' not in: %s", frag, err.message);
    ck_assert_int_eq(g.out_w, 0); /* cleared */
}

typedef struct val_case {
    int sw, sh, imgsz, stride;
    double pad;
    int load_w, load_h, area, out_w, out_h, new_w, new_h, top, bottom, left, right;
    double dw, dh, gain;
} val_case;

/* Worked by hand from the rule in val_input.c. */
static const val_case cases[] = {
    /* r0 = 640/147 > 1: ceil(147 r0) = ceil(640.0000000000001) = 641, clamped to 640; h ceil(435.37) */
    {147, 100, 640, 32, 0.5, 640, 436, 0, 672, 480, 640, 436, 22, 22, 16, 16, 16.0, 22.0, 4.36},
    /* r0 = 1: no resize; wide: oh = ceil(0.75 * 20 + 0.5) * 32 = 512 */
    {640, 480, 640, 32, 0.5, 640, 480, 0, 672, 512, 640, 480, 16, 16, 16, 16, 16.0, 16.0, 1.0},
    /* r0 = 0.5 < 1: INTER_AREA; tall: ow = ceil(0.75 * 20 + 0.5) * 32 = 512 */
    {960, 1280, 640, 32, 0.5, 480, 640, 1, 512, 672, 480, 640, 16, 16, 16, 16, 16.0, 16.0, 0.5},
    /* square, pad 0: the rectangle is imgsz itself */
    {100, 100, 320, 32, 0.0, 320, 320, 0, 320, 320, 320, 320, 0, 0, 0, 0, 0.0, 0.0, 3.2},
    /* odd height 427: dh = 10.5 -> top round(10.4) = 10, bottom round(10.6) = 11 */
    {300, 200, 640, 32, 0.5, 640, 427, 0, 672, 448, 640, 427, 10, 11, 16, 16, 16.0, 10.5, 2.135},
    /* pad at its bound 4: 24 strides */
    {640, 640, 640, 32, 4.0, 640, 640, 0, 768, 768, 640, 640, 64, 64, 64, 64, 64.0, 64.0, 1.0},
    /* stride 256 at imgsz 256: oh = ceil(0.5 + 0.5) * 256, ow = ceil(1.5) * 256 */
    {256, 128, 256, 256, 0.5, 256, 128, 0, 512, 256, 256, 128, 64, 64, 128, 128, 128.0, 64.0, 1.0},
    /* imgsz == stride, stride 1 */
    {3, 2, 1, 1, 0.0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0.0, 0.0, 0.5},
};

START_TEST(geometry_by_hand)
{
    const val_case *c = &cases[_i];
    gy_val_geometry g;
    gy_error err;
    ck_assert_msg(gy_val_geometry_compute(c->sw, c->sh, c->imgsz, c->stride, c->pad, &g, &err) == GY_OK, "%s",
                  err.message);
    ck_assert_msg(g.src_w == c->sw && g.src_h == c->sh && g.load_w == c->load_w && g.load_h == c->load_h &&
                      g.load_area == c->area && g.out_w == c->out_w && g.out_h == c->out_h && g.new_w == c->new_w &&
                      g.new_h == c->new_h && g.top == c->top && g.bottom == c->bottom && g.left == c->left &&
                      g.right == c->right && g.dw == c->dw && g.dh == c->dh && fabs(g.gain - c->gain) < 1e-12,
                  "case %d: load %dx%d area %d out %dx%d new %dx%d t%d b%d l%d r%d dw %g dh %g gain %.17g", _i,
                  g.load_w, g.load_h, g.load_area, g.out_w, g.out_h, g.new_w, g.new_h, g.top, g.bottom, g.left,
                  g.right, g.dw, g.dh, g.gain);
}
END_TEST

START_TEST(compute_arguments)
{
    gy_error err;
    ck_assert_int_eq(gy_val_geometry_compute(10, 10, 640, 32, 0.5, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "val geometry: NULL result"), "%s", err.message);
    refused(0, 5, 640, 32, 0.5, "image size 0x5 is not positive");
    refused(5, 0, 640, 32, 0.5, "image size 5x0 is not positive");
    refused(10, 10, 640, 0, 0.5, "imgsz 640 must be a multiple of the stride 0 up to 8192");
    refused(10, 10, 514, 257, 0.5, "stride 257");
    refused(10, 10, 16, 32, 0.5, "imgsz 16 must be a multiple of the stride 32");
    refused(10, 10, 8193, 1, 0.5, "imgsz 8193");
    refused(10, 10, 8224, 32, 0.5, "imgsz 8224");
    refused(10, 10, 650, 32, 0.5, "imgsz 650");
    refused(10, 10, 640, 32, -0.001, "pad -0.001 is not in [0, 4]");
    refused(10, 10, 640, 32, 4.001, "pad 4.001 is not in [0, 4]");
    refused(10, 10, 640, 32, NAN, "is not in [0, 4]");
    gy_val_geometry g;
    ck_assert_int_eq(gy_val_geometry_compute(1, 1, 32, 32, 0.5, &g, &err), GY_OK);
    ck_assert_int_eq(g.load_w, 32);
    ck_assert_int_eq(g.out_w, 64); /* ceil(1 + 0.5) * 32 */
    ck_assert_int_eq(gy_val_geometry_compute(10, 10, 8192, 32, 0.5, &g, &err), GY_OK);
    ck_assert_int_eq(g.out_h, 8224);
    ck_assert_int_eq(gy_val_geometry_compute(10, 10, 8192, 1, 0.0, &g, &err), GY_OK);
    ck_assert_int_eq(g.out_h, 8192);
}
END_TEST

/* ---- the tensor ----------------------------------------------------------------------------------- */

static unsigned char *pixels(int w, int h)
{
    unsigned char *p = malloc((size_t)w * h * 3);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < w * h * 3; i++)
        p[i] = (unsigned char)(i * 41 + 3);
    return p;
}

/* The tensor built here: gy_resize_u8 to the loaded size (INTER_AREA when load_area), placed at
 * (left, top), 114 elsewhere, /255, RGB planes (new == load in these geometries). */
static void expect_tensor(const gy_image *img, const gy_val_geometry *g, const char *what)
{
    ck_assert(g->new_w == g->load_w && g->new_h == g->load_h);
    unsigned char *r = malloc((size_t)g->load_w * g->load_h * 3);
    ck_assert_ptr_nonnull(r);
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(img->data, img->width, img->height, r, g->load_w, g->load_h, 3,
                                  g->load_area ? GY_INTER_AREA : GY_INTER_LINEAR, &err), GY_OK);
    size_t plane = (size_t)g->out_w * g->out_h, n = plane * 3;
    float *got = malloc((n + 1) * sizeof *got);
    ck_assert_ptr_nonnull(got);
    got[n] = -3.0f;
    ck_assert_msg(gy_val_input(img, g, got, &err) == GY_OK, "%s: %s", what, err.message);
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < g->out_h; y++)
            for (int x = 0; x < g->out_w; x++) {
                int sx = x - g->left, sy = y - g->top;
                int in = sx >= 0 && sx < g->new_w && sy >= 0 && sy < g->new_h;
                float want = (float)(in ? r[((size_t)sy * g->new_w + sx) * 3 + c] : 114) / 255.0f;
                float v = got[c * plane + (size_t)y * g->out_w + x];
                ck_assert_msg(v == want, "%s: plane %d (%d, %d): %g, expected %g", what, c, x, y, v, want);
            }
    ck_assert(got[n] == -3.0f);
    free(got);
    free(r);
}

START_TEST(tensor)
{
    gy_error err;
    gy_val_geometry g;
    /* no resize (r0 = 1) */
    unsigned char *p = pixels(64, 48);
    gy_image img = {64, 48, p};
    ck_assert_int_eq(gy_val_geometry_compute(64, 48, 64, 32, 0.5, &g, &err), GY_OK);
    ck_assert(g.load_w == 64 && g.load_h == 48 && g.out_w == 96 && g.out_h == 64);
    expect_tensor(&img, &g, "64x48 as is");
    /* shrunk (INTER_AREA) */
    ck_assert_int_eq(gy_val_geometry_compute(64, 48, 32, 32, 0.5, &g, &err), GY_OK);
    ck_assert(g.load_w == 32 && g.load_h == 24 && g.load_area == 1);
    expect_tensor(&img, &g, "64x48 shrunk to 32x24");
    free(p);
    /* enlarged (INTER_LINEAR) */
    p = pixels(5, 3);
    gy_image small = {5, 3, p};
    ck_assert_int_eq(gy_val_geometry_compute(5, 3, 32, 32, 0.5, &g, &err), GY_OK);
    ck_assert(g.load_w == 32 && g.load_h == 20 && g.load_area == 0);
    expect_tensor(&small, &g, "5x3 enlarged to 32x20");
    free(p);
    /* one side resized alone (hand-made geometries) */
    p = pixels(4, 4);
    gy_image sq = {4, 4, p};
    gy_val_geometry h = {4, 4, 4, 2, 1, 4, 4, 4, 2, 1, 1, 0, 0, 0.0, 1.0, 0.5};
    expect_tensor(&sq, &h, "4x4 loaded as 4x2");
    gy_val_geometry w = {4, 4, 2, 4, 1, 4, 4, 2, 4, 0, 0, 1, 1, 1.0, 0.0, 1.0};
    expect_tensor(&sq, &w, "4x4 loaded as 2x4");
    free(p);
}
END_TEST

START_TEST(tensor_arguments)
{
    unsigned char *p = pixels(4, 4);
    gy_image img = {4, 4, p}, empty = {4, 4, NULL}, wide = {5, 4, p}, tall = {4, 5, p};
    gy_val_geometry g;
    gy_error err;
    ck_assert_int_eq(gy_val_geometry_compute(4, 4, 32, 32, 0.5, &g, &err), GY_OK);
    float *t = malloc((size_t)g.out_w * g.out_h * 3 * sizeof *t);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(gy_val_input(NULL, &g, t, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "val input: NULL argument"), "%s", err.message);
    ck_assert_int_eq(gy_val_input(&empty, &g, t, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_val_input(&img, NULL, t, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_val_input(&img, &g, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_val_input(&wide, &g, t, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "the image is 5x4, the geometry is for 4x4"), "%s", err.message);
    ck_assert_int_eq(gy_val_input(&tall, &g, t, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "the image is 4x5"), "%s", err.message);
    ck_assert_int_eq(gy_val_input(&img, &g, t, &err), GY_OK);
    free(t);
    free(p);
}
END_TEST

/* scale_boxes(ratio_pad): minus the padding, divided by the gain, clamped to [0, w] for x and
 * [0, h] for y. */
START_TEST(unmap)
{
    gy_val_geometry g;
    memset(&g, 0, sizeof g);
    g.src_w = 100;
    g.src_h = 50;
    g.dw = 2.5;
    g.dh = 1.5;
    g.gain = 0.5;
    float b[5] = {7.5f, 11.5f, 17.5f, 21.5f, -9.0f};
    gy_val_unmap(&g, b);
    ck_assert(b[0] == 10.0f && b[1] == 20.0f && b[2] == 30.0f && b[3] == 40.0f && b[4] == -9.0f);
    /* below 0 and above each axis' size; x may exceed h, y may not */
    float c[4] = {-1.0f, -0.25f, 2.5f + 0.5f * 60.0f, 1.5f + 0.5f * 60.0f};
    gy_val_unmap(&g, c);
    ck_assert_msg(c[0] == 0.0f && c[1] == 0.0f && c[2] == 60.0f && c[3] == 50.0f, "%g %g %g %g", c[0], c[1], c[2],
                  c[3]);
    float d[4] = {2.5f + 0.5f * 100.0f, 1.5f + 0.5f * 50.0f, 1000.0f, 1.5f + 0.5f * 46.0f};
    gy_val_unmap(&g, d);
    ck_assert_msg(d[0] == 100.0f && d[1] == 50.0f && d[2] == 100.0f && d[3] == 46.0f, "%g %g %g %g", d[0], d[1], d[2],
                  d[3]);
    float e[4] = {NAN, 2.5f, 2.5f, 1.5f};
    gy_val_unmap(&g, e);
    ck_assert(isnan(e[0]) && e[1] == 2.0f && e[2] == 0.0f && e[3] == 0.0f);
}
END_TEST

/* A label through the validator's path comes back to where it is in the original image. */
START_TEST(label_box)
{
    gy_val_geometry g;
    gy_error err;
    ck_assert_int_eq(gy_val_geometry_compute(640, 480, 640, 32, 0.5, &g, &err), GY_OK);
    float b[4];
    gy_val_label_box(&g, 0.5f, 0.25f, 0.2f, 0.1f, b);
    /* x 0.4..0.6 of 640, y 0.2..0.3 of 480 */
    ck_assert_msg(fabsf(b[0] - 256.0f) < 1e-3f && fabsf(b[1] - 96.0f) < 1e-3f && fabsf(b[2] - 384.0f) < 1e-3f &&
                      fabsf(b[3] - 144.0f) < 1e-3f,
                  "%g %g %g %g", b[0], b[1], b[2], b[3]);
    /* a label touching the right edge stays at the width */
    gy_val_label_box(&g, 0.9f, 0.5f, 0.2f, 1.0f, b);
    ck_assert_msg(fabsf(b[2] - 640.0f) < 1e-3f && fabsf(b[1]) < 1e-3f && fabsf(b[3] - 480.0f) < 1e-3f, "%g %g %g",
                  b[1], b[2], b[3]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("val_input_contract");
    TCase *tc = tcase_create("val_input");
    tcase_add_loop_test(tc, geometry_by_hand, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, compute_arguments);
    tcase_add_test(tc, tensor);
    tcase_add_test(tc, tensor_arguments);
    tcase_add_test(tc, unmap);
    tcase_add_test(tc, label_box);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

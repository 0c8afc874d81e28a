/* test_val_input.c - the validator's input geometry against ultralytics' own record of it for the
 * 128 coco128 images (reference/val_coco128.json: input size and paddings per image, the images
 * load_image resizes, the float paddings), and the mapping of boxes and labels back. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "preprocess/val_input.h"

static cJSON *load_run(cJSON **root)
{
    char *text = (char *)gy_test_read(gy_test_shared("reference/val_coco128.json"), NULL);
    *root = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(*root);
    cJSON *run = cJSON_GetObjectItem(cJSON_GetObjectItem(*root, "runs"), "yolov8n_batch1");
    ck_assert_ptr_nonnull(run);
    return run;
}

static int in_list(const cJSON *list, const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
        if (cJSON_IsString(e) && strcmp(e->valuestring, name) == 0)
            return 1;
    return 0;
}

START_TEST(geometry_matches_ultralytics)
{
    cJSON *root;
    cJSON *run = load_run(&root);
    const cJSON *all = cJSON_GetObjectItem(run, "all_inputs_by_filename");
    const cJSON *resized = cJSON_GetObjectItem(run, "images_resized_by_load_image");
    ck_assert_int_eq(cJSON_GetArraySize(all), 128);
    int nresized = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, all)
    {
        const char *name = cJSON_GetArrayItem(e, 0)->valuestring;
        const cJSON *orig = cJSON_GetArrayItem(e, 1), *in = cJSON_GetArrayItem(e, 2),
                    *pad = cJSON_GetArrayItem(e, 3);
        int h0 = cJSON_GetArrayItem(orig, 0)->valueint, w0 = cJSON_GetArrayItem(orig, 1)->valueint;
        gy_val_geometry g;
        gy_error err;
        ck_assert_msg(gy_val_geometry_compute(w0, h0, 640, 32, 0.5, &g, &err) == GY_OK, "%s",
                      err.message);
        ck_assert_msg(g.out_h == cJSON_GetArrayItem(in, 0)->valueint &&
                          g.out_w == cJSON_GetArrayItem(in, 1)->valueint,
                      "%s: input %dx%d", name, g.out_w, g.out_h);
        ck_assert_msg(g.top == cJSON_GetArrayItem(pad, 0)->valueint &&
                          g.bottom == cJSON_GetArrayItem(pad, 1)->valueint &&
                          g.left == cJSON_GetArrayItem(pad, 2)->valueint &&
                          g.right == cJSON_GetArrayItem(pad, 3)->valueint,
                      "%s: pads t%d b%d l%d r%d", name, g.top, g.bottom, g.left, g.right);
        int is_resized = g.load_w != w0 || g.load_h != h0;
        ck_assert_msg(is_resized == in_list(resized, name), "%s: resized %d", name, is_resized);
        nresized += is_resized;
        /* the long side is 672 = 640 + half a stride on each side */
        ck_assert_int_eq(g.out_h > g.out_w ? g.out_h : g.out_w, 672);
        /* LetterBox never resizes again: the rectangle holds the loaded image */
        ck_assert_int_eq(g.new_w, g.load_w);
        ck_assert_int_eq(g.new_h, g.load_h);
    }
    ck_assert_int_eq(nresized, cJSON_GetArraySize(resized));

    /* float paddings and load sizes of the first five in validation order */
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(run, "first5_inputs_validation_order"))
    {
        const cJSON *orig = cJSON_GetObjectItem(e, "orig_hw"), *loaded = cJSON_GetObjectItem(e, "loaded_hw"),
                    *dwdh = cJSON_GetObjectItem(e, "pad_dw_dh");
        gy_val_geometry g;
        gy_error err;
        ck_assert(gy_val_geometry_compute(cJSON_GetArrayItem(orig, 1)->valueint,
                                          cJSON_GetArrayItem(orig, 0)->valueint, 640, 32, 0.5, &g,
                                          &err) == GY_OK);
        ck_assert_int_eq(g.load_h, cJSON_GetArrayItem(loaded, 0)->valueint);
        ck_assert_int_eq(g.load_w, cJSON_GetArrayItem(loaded, 1)->valueint);
        ck_assert_double_eq(g.dw, cJSON_GetArrayItem(dwdh, 0)->valuedouble);
        ck_assert_double_eq(g.dh, cJSON_GetArrayItem(dwdh, 1)->valuedouble);
    }
    cJSON_Delete(root);
}
END_TEST

/* Hand-checked cases: a 1280x960 image shrinks by INTER_AREA to 640x480 in a 672x512 rectangle
 * (dw = dh = 16, gain 0.5); a 381x500 portrait grows (INTER_LINEAR) to ceil(381 * 1.28) = 488 x 640
 * in 512 x 672 (dw 12); a 640x327 image: ceil(327/640 * 20 + 0.5) * 32 = 352 rows, dh 12.5 split
 * 12 top, 13 bottom. */
START_TEST(geometry_by_hand)
{
    gy_val_geometry g;
    gy_error err;
    ck_assert(gy_val_geometry_compute(1280, 960, 640, 32, 0.5, &g, &err) == GY_OK);
    ck_assert_int_eq(g.load_w, 640);
    ck_assert_int_eq(g.load_h, 480);
    ck_assert_int_eq(g.load_area, 1);
    ck_assert_int_eq(g.out_w, 672);
    ck_assert_int_eq(g.out_h, 512);
    ck_assert_double_eq(g.gain, 0.5);
    ck_assert(gy_val_geometry_compute(381, 500, 640, 32, 0.5, &g, &err) == GY_OK);
    ck_assert_int_eq(g.load_w, 488);
    ck_assert_int_eq(g.load_h, 640);
    ck_assert_int_eq(g.load_area, 0);
    ck_assert_int_eq(g.out_w, 512);
    ck_assert_int_eq(g.out_h, 672);
    ck_assert_double_eq(g.dw, 12.0);
    ck_assert(gy_val_geometry_compute(640, 327, 640, 32, 0.5, &g, &err) == GY_OK);
    ck_assert_int_eq(g.out_h, 352);
    ck_assert_double_eq(g.dh, 12.5);
    ck_assert_int_eq(g.top, 12);
    ck_assert_int_eq(g.bottom, 13);

    /* back to the image: the float padding (12.5) is subtracted, then clipped */
    float b[4] = {16.0f, 12.5f, 656.0f, 339.5f};
    gy_val_unmap(&g, b);
    ck_assert_float_eq(b[0], 0.0f);
    ck_assert_float_eq(b[1], 0.0f);
    ck_assert_float_eq(b[2], 640.0f);
    ck_assert_float_eq(b[3], 327.0f);
    float c[4] = {0.0f, 0.0f, 700.0f, 20.0f};
    gy_val_unmap(&g, c);
    ck_assert_float_eq(c[0], 0.0f);
    ck_assert_float_eq(c[2], 640.0f);
    ck_assert_float_eq(c[3], 7.5f);
    /* a label covering the left half of the 1280x960 image lands on it in original pixels */
    ck_assert(gy_val_geometry_compute(1280, 960, 640, 32, 0.5, &g, &err) == GY_OK);
    gy_val_label_box(&g, 0.25f, 0.5f, 0.5f, 1.0f, b);
    ck_assert_float_eq_tol(b[0], 0.0f, 1e-3f);
    ck_assert_float_eq_tol(b[1], 0.0f, 1e-3f);
    ck_assert_float_eq_tol(b[2], 640.0f, 1e-3f);
    ck_assert_float_eq_tol(b[3], 960.0f, 1e-3f);

    ck_assert_int_eq(gy_val_geometry_compute(0, 10, 640, 32, 0.5, &g, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_val_geometry_compute(10, 10, 650, 32, 0.5, &g, &err), GY_ERR_ARGUMENT);
}
END_TEST

/* The tensor: padding rows are 114/255 and the image sits at (left, top). */
START_TEST(input_tensor)
{
    unsigned char px[2 * 3 * 3] = {0};
    for (int i = 0; i < 18; i++)
        px[i] = (unsigned char)(10 * i);
    gy_image img = {2, 3, px}; /* 2 wide, 3 high: portrait */
    gy_val_geometry g;
    gy_error err;
    ck_assert(gy_val_geometry_compute(2, 3, 64, 32, 0.5, &g, &err) == GY_OK);
    /* r0 = 64/3: load ceil(2 * 21.33) = 43 x 64; rectangle ceil(2/3 * 2 + 0.5) * 32 = 64 wide */
    ck_assert_int_eq(g.load_w, 43);
    ck_assert_int_eq(g.load_h, 64);
    ck_assert_int_eq(g.out_w, 64);
    ck_assert_int_eq(g.out_h, 96);
    float *t = malloc(sizeof *t * 3 * (size_t)g.out_w * (size_t)g.out_h);
    ck_assert_ptr_nonnull(t);
    ck_assert(gy_val_input(&img, &g, t, &err) == GY_OK);
    /* an image that differs from the geometry's source in one side only is refused */
    for (int side = 0; side < 2; side++) {
        gy_image other = img;
        if (side)
            other.height++;
        else
            other.width++;
        ck_assert_int_eq(gy_val_input(&other, &g, t, &err), GY_ERR_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(err.message, "the geometry is for 2x3"));
    }
    ck_assert(gy_val_input(&img, &g, t, &err) == GY_OK);
    const float pad = 114.0f / 255.0f;
    ck_assert_float_eq(t[0], pad);                                       /* top-left corner */
    ck_assert_float_eq(t[(size_t)(g.top - 1) * 64 + 30], pad);           /* last top row */
    ck_assert_float_eq(t[(size_t)g.top * 64 + (size_t)g.left - 1], pad); /* left of the image */
    /* the image's first pixel (R of the top-left, 0) survives the enlargement */
    ck_assert_float_eq(t[(size_t)g.top * 64 + (size_t)g.left], 0.0f);
    free(t);
}
END_TEST

/* load_image shrinks only the width of a wide 800 x 2 image: r0 = 640/800, load
 * (ceil(800 r0), ceil(2 r0)) = 640 x 2; rectangle 672 x 32 (ceil(2/800 * 20 + 0.5) * 32 high,
 * ceil(20 + 0.5) * 32 wide), no letterbox scaling (r = 1), paddings top 15 (round(14.9)),
 * left 16. Rows of one value each (50 above, 200 below) stay what they are through any area
 * resize of the width alone, so the tensor is known exactly. */
START_TEST(input_tensor_width_only_resize)
{
    enum { W0 = 800, H0 = 2 };
    static unsigned char px[W0 * H0 * 3];
    memset(px, 50, W0 * 3);
    memset(px + W0 * 3, 200, W0 * 3);
    gy_image img = {W0, H0, px};
    gy_val_geometry g;
    gy_error err;
    ck_assert_msg(gy_val_geometry_compute(W0, H0, 640, 32, 0.5, &g, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(g.load_w, 640);
    ck_assert_int_eq(g.load_h, 2);
    ck_assert_int_eq(g.out_w, 672);
    ck_assert_int_eq(g.out_h, 32);
    ck_assert_int_eq(g.top, 15);
    ck_assert_int_eq(g.left, 16);
    float *t = malloc(sizeof *t * 3 * 672 * 32);
    ck_assert_ptr_nonnull(t);
    ck_assert_msg(gy_val_input(&img, &g, t, &err) == GY_OK, "%s", err.message);
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 672; x++) {
                int inside = y >= 15 && y < 17 && x >= 16 && x < 656;
                float want = (inside ? (y == 15 ? 50.0f : 200.0f) : 114.0f) / 255.0f;
                float got = t[((size_t)c * 32 + (size_t)y) * 672 + (size_t)x];
                ck_assert_msg(fabsf(got - want) < 1e-6f, "channel %d (%d, %d): %g, expected %g", c, x,
                              y, (double)got, (double)want);
            }
    free(t);
}
END_TEST

static Suite *val_input_suite(void)
{
    Suite *s = suite_create("val_input");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, geometry_matches_ultralytics);
    tcase_add_test(tc, geometry_by_hand);
    tcase_add_test(tc, input_tensor);
    tcase_add_test(tc, input_tensor_width_only_resize);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(val_input_suite()); }

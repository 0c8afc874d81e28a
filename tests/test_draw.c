/* test_draw.c - rectangle outlines, the ultralytics palette, labels and gy_draw_detections, checked
 * pixel by pixel on small images (allocated to the exact size, so ASan sees any stray write). */
#include "testutil.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "postprocess/draw.h"

/* The font is only used to know the label width the drawing code must produce. */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#endif
#include <stb/stb_easy_font.h>
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

static const unsigned char FILL[3] = {1, 2, 3};

static gy_image *image_new(int w, int h)
{
    gy_image *img = malloc(sizeof *img);
    ck_assert_ptr_nonnull(img);
    img->width = w;
    img->height = h;
    img->data = malloc((size_t)w * (size_t)h * 3);
    ck_assert_ptr_nonnull(img->data);
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        memcpy(img->data + 3 * i, FILL, 3);
    return img;
}

static void image_del(gy_image *img)
{
    free(img->data);
    free(img);
}

static const unsigned char *px(const gy_image *img, int x, int y)
{
    return img->data + ((size_t)y * (size_t)img->width + (size_t)x) * 3;
}

static int px_is(const gy_image *img, int x, int y, const unsigned char c[3])
{
    return memcmp(px(img, x, y), c, 3) == 0;
}

/* For odd thickness t the stroke is centred: a pixel is on it iff it lies within t/2 of the outline
 * box [x1, x2] x [y1, y2] but not strictly more than t/2 inside it. */
static int on_stroke(int x, int y, int x1, int y1, int x2, int y2, int t)
{
    int d = t / 2;
    int in_outer = x >= x1 - d && x <= x2 + d && y >= y1 - d && y <= y2 + d;
    int in_inner = x >= x1 + d + 1 && x <= x2 - d - 1 && y >= y1 + d + 1 && y <= y2 - d - 1;
    return in_outer && !in_inner;
}

static void check_rect(int w, int h, int x1, int y1, int x2, int y2, int t)
{
    const unsigned char c[3] = {200, 100, 50};
    gy_image *img = image_new(w, h);
    gy_draw_rect(img, x1, y1, x2, y2, t, c);
    int coloured = 0;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int expect = on_stroke(x, y, x1, y1, x2, y2, t);
            ck_assert_msg(px_is(img, x, y, expect ? c : FILL),
                          "rect (%d,%d)-(%d,%d) t=%d: pixel (%d,%d) should be %s", x1, y1, x2, y2,
                          t, x, y, expect ? "coloured" : "untouched");
            coloured += expect;
        }
    }
    image_del(img);
    (void)coloured;
}

START_TEST(test_rect_thin)
{
    check_rect(20, 16, 4, 3, 12, 10, 1);
    /* exactly the border: (12 - 4 + 1) * 2 + (10 - 3 - 1) * 2 = 30 pixels */
    const unsigned char c[3] = {9, 9, 9};
    gy_image *img = image_new(20, 16);
    gy_draw_rect(img, 12, 10, 4, 3, 1, c); /* corners given in the other order */
    int n = 0;
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 20; x++)
            n += px_is(img, x, y, c);
    ck_assert_int_eq(n, 30);
    ck_assert(px_is(img, 4, 3, c) && px_is(img, 12, 10, c) && px_is(img, 8, 3, c));
    ck_assert(px_is(img, 5, 4, FILL) && px_is(img, 11, 9, FILL) && px_is(img, 3, 3, FILL));
    image_del(img);
}
END_TEST

START_TEST(test_rect_thick)
{
    check_rect(24, 20, 5, 4, 17, 14, 3);
    check_rect(24, 20, 6, 5, 16, 13, 5);
    /* a box smaller than the stroke becomes a filled square */
    check_rect(24, 20, 10, 10, 11, 11, 5);
    /* thickness < 1 is drawn as 1 */
    check_rect(24, 20, 5, 4, 17, 14, 0);
}
END_TEST

START_TEST(test_rect_clipped)
{
    /* Only the bottom edge (y = 3, stroke rows 2..4) crosses the image; the rest is outside. */
    const unsigned char c[3] = {255, 0, 0};
    gy_image *img = image_new(10, 8);
    gy_draw_rect(img, -5, -5, 20, 3, 3, c);
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 10; x++)
            ck_assert(px_is(img, x, y, (y >= 2 && y <= 4) ? c : FILL));
    check_rect(10, 8, -3, -2, 12, 9, 3);
    check_rect(10, 8, 0, 0, 9, 7, 3);
    check_rect(10, 8, 100, 100, 200, 200, 3);
    check_rect(10, 8, -50, -50, -20, -20, 7);
    /* extreme arguments must neither crash nor write out of bounds */
    gy_draw_rect(img, INT_MIN, INT_MIN, INT_MAX, INT_MAX, INT_MAX, c);
    gy_draw_rect(img, INT_MAX, INT_MAX, INT_MIN, INT_MIN, 1, c);
    gy_draw_rect(img, 2, 2, 5, 5, INT_MIN, c);
    gy_draw_rect(NULL, 0, 0, 1, 1, 1, c);
    gy_draw_rect(img, 0, 0, 1, 1, 1, NULL);
    image_del(img);
}
END_TEST

START_TEST(test_palette)
{
    unsigned char a[3], b[3];
    gy_class_color(0, a); /* 'FF3838' */
    ck_assert_int_eq(a[0], 0xFF);
    ck_assert_int_eq(a[1], 0x38);
    ck_assert_int_eq(a[2], 0x38);
    gy_class_color(19, a); /* 'FF37C7' */
    ck_assert_int_eq(a[0], 0xFF);
    ck_assert_int_eq(a[1], 0x37);
    ck_assert_int_eq(a[2], 0xC7);
    gy_class_color(5, a); /* '48F90A' */
    ck_assert_int_eq(a[0], 0x48);
    ck_assert_int_eq(a[1], 0xF9);
    ck_assert_int_eq(a[2], 0x0A);
    gy_class_color(20, a);
    gy_class_color(0, b);
    ck_assert_mem_eq(a, b, 3);
    gy_class_color(79, a);
    gy_class_color(19, b);
    ck_assert_mem_eq(a, b, 3);
    gy_class_color(-1, a); /* Python: -1 % 20 == 19 */
    ck_assert_mem_eq(a, b, 3);
    gy_class_color(INT_MIN, a); /* no crash; INT_MIN % 20 == -8 -> 12 */
    gy_class_color(12, b);
    ck_assert_mem_eq(a, b, 3);
}
END_TEST

typedef struct bbox {
    int x0, y0, x1, y1; /* inclusive; x0 > x1 when empty */
    int n_changed, n_bg, n_fg, n_other;
} bbox;

static bbox changed_box(const gy_image *img, const unsigned char bg[3], const unsigned char fg[3])
{
    bbox b = {INT_MAX, INT_MAX, INT_MIN, INT_MIN, 0, 0, 0, 0};
    for (int y = 0; y < img->height; y++) {
        for (int x = 0; x < img->width; x++) {
            if (px_is(img, x, y, FILL))
                continue;
            b.n_changed++;
            if (px_is(img, x, y, bg))
                b.n_bg++;
            else if (px_is(img, x, y, fg))
                b.n_fg++;
            else
                b.n_other++;
            b.x0 = x < b.x0 ? x : b.x0;
            b.y0 = y < b.y0 ? y : b.y0;
            b.x1 = x > b.x1 ? x : b.x1;
            b.y1 = y > b.y1 ? y : b.y1;
        }
    }
    return b;
}

static int expected_label_width(const char *text, int scale)
{
    char buf[256];
    strncpy(buf, text, sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    return (stb_easy_font_width(buf) + 4) * scale;
}

START_TEST(test_label)
{
    const unsigned char bg[3] = {255, 56, 56}, fg[3] = {255, 255, 255};
    const char *text = "person 0.87";
    int counts[3] = {0};
    for (int scale = 1; scale <= 2; scale++) {
        gy_image *img = image_new(200, 100);
        gy_draw_label(img, 20, 60, text, scale, bg, fg);
        bbox b = changed_box(img, bg, fg);
        /* a solid rectangle with its bottom-left pixel at (20, 60) */
        ck_assert_int_eq(b.x0, 20);
        ck_assert_int_eq(b.y1, 60);
        ck_assert_int_eq(b.y1 - b.y0 + 1, 11 * scale);
        ck_assert_int_eq(b.x1 - b.x0 + 1, expected_label_width(text, scale));
        ck_assert_int_eq(b.n_changed, (b.x1 - b.x0 + 1) * (b.y1 - b.y0 + 1));
        ck_assert_int_eq(b.n_other, 0);
        ck_assert_int_gt(b.n_fg, 20 * scale * scale);
        ck_assert_int_gt(b.n_bg, b.n_fg);
        /* the text stays off the padding ring */
        for (int y = b.y0; y <= b.y1; y++) {
            for (int x = b.x0; x <= b.x1; x++) {
                int ring = x < b.x0 + 2 * scale || x > b.x1 - 2 * scale || y < b.y0 + scale ||
                           y > b.y1 - scale;
                if (ring)
                    ck_assert(px_is(img, x, y, bg));
            }
        }
        counts[scale] = b.n_fg;
        image_del(img);
    }
    /* scale magnifies every font pixel to a scale x scale block */
    ck_assert_int_eq(counts[2], 4 * counts[1]);
}
END_TEST

START_TEST(test_label_moved_inside)
{
    const unsigned char bg[3] = {0, 24, 236}, fg[3] = {255, 255, 255};
    const char *text = "bus 0.5";
    int w = expected_label_width(text, 1);

    gy_image *img = image_new(120, 40);
    gy_draw_label(img, -10, 5, text, 1, bg, fg); /* off the top and the left */
    bbox b = changed_box(img, bg, fg);
    ck_assert_int_eq(b.x0, 0);
    ck_assert_int_eq(b.y0, 0);
    ck_assert_int_eq(b.y1, 10);
    ck_assert_int_eq(b.x1, w - 1);
    image_del(img);

    img = image_new(120, 40);
    gy_draw_label(img, 115, 60, text, 1, bg, fg); /* off the right and the bottom */
    b = changed_box(img, bg, fg);
    ck_assert_int_eq(b.x1, 119);
    ck_assert_int_eq(b.y1, 39);
    ck_assert_int_eq(b.x0, 120 - w);
    ck_assert_int_eq(b.n_other, 0);
    image_del(img);

    /* larger than the image: clipped, nothing out of bounds */
    img = image_new(12, 6);
    gy_draw_label(img, 3, 3, "a very long label that cannot fit", 5, bg, fg);
    gy_draw_label(img, INT_MIN, INT_MAX, "x", 1000, bg, fg);
    gy_draw_label(img, INT_MAX, INT_MIN, "x", INT_MAX, bg, fg);
    b = changed_box(img, bg, fg);
    ck_assert_int_eq(b.n_other, 0);
    image_del(img);

    /* unprintable bytes are drawn as '?', empty and NULL text draw nothing */
    img = image_new(60, 20);
    gy_draw_label(img, 0, 19, "\xff\x01\n\x7f", 1, bg, fg);
    b = changed_box(img, bg, fg);
    ck_assert_int_eq(b.x1 - b.x0 + 1, expected_label_width("????", 1));
    image_del(img);
    img = image_new(60, 20);
    gy_draw_label(img, 0, 19, "", 1, bg, fg);
    gy_draw_label(img, 0, 19, NULL, 1, bg, fg);
    gy_draw_label(img, 0, 19, "a", 1, NULL, fg);
    gy_draw_label(NULL, 0, 19, "a", 1, bg, fg);
    b = changed_box(img, bg, fg);
    ck_assert_int_eq(b.n_changed, 0);
    image_del(img);
}
END_TEST

static const char *test_names(const void *ctx, int class_id)
{
    (void)ctx;
    switch (class_id) {
    case 0: return "person";
    case 5: return "bus";
    default: return NULL;
    }
}

START_TEST(test_detections)
{
    unsigned char c0[3], c5[3], c3[3];
    gy_class_color(0, c0);
    gy_class_color(5, c5);
    gy_class_color(3, c3);
    const unsigned char white[3] = {255, 255, 255}, black[3] = {0, 0, 0};

    /* 640x480: lw = max(round((480 + 640 + 3) / 2 * 0.003), 2) = max(round(1.6845), 2) = 2 */
    gy_image *img = image_new(640, 480);
    gy_box boxes[4] = {
        {100.7f, 200.2f, 300.9f, 400.5f, 0.87f, 0},
        {100.0f, 200.0f, 300.0f, 400.0f, 0.50f, 5},  /* same place, worse: drawn first, under */
        {400.0f, 5.0f, 500.0f, 100.0f, 0.33f, 3},    /* near the top: label inside the box */
        {NAN, 0.0f, 10.0f, 10.0f, 0.9f, 0},          /* skipped */
    };
    gy_draw_detections(img, boxes, 4, test_names, NULL);
    /* left edge of box 0 at x = int(100.7) = 100, stroke 2 centred -> columns 99 and 100 */
    ck_assert(px_is(img, 99, 300, c0));
    ck_assert(px_is(img, 100, 300, c0));
    ck_assert(px_is(img, 98, 300, FILL));
    ck_assert(px_is(img, 101, 300, FILL));
    ck_assert(px_is(img, 200, 300, FILL)); /* interior */
    /* right edge x = 300: columns 299 and 300 (t = 2 starts one pixel before each edge) */
    ck_assert(px_is(img, 299, 300, c0) && px_is(img, 300, 300, c0));
    ck_assert(px_is(img, 298, 300, FILL) && px_is(img, 301, 300, FILL));
    ck_assert(px_is(img, 200, 399, c0) && px_is(img, 200, 400, c0));
    /* its label sits above (100, 200): class 0 background with white text (dark colour) */
    bbox lab = {INT_MAX, INT_MAX, INT_MIN, INT_MIN, 0, 0, 0, 0};
    for (int y = 150; y < 200; y++) {
        for (int x = 100; x < 260; x++) {
            if (px_is(img, x, y, FILL))
                continue;
            lab.n_changed++;
            lab.n_bg += px_is(img, x, y, c0);
            lab.n_fg += px_is(img, x, y, white);
            lab.n_other += px_is(img, x, y, c5);
        }
    }
    ck_assert_int_gt(lab.n_bg, 0);
    ck_assert_int_gt(lab.n_fg, 0);
    ck_assert_int_eq(lab.n_other, 0); /* box 5's label is hidden under the better one */
    ck_assert_int_eq(lab.n_bg + lab.n_fg, lab.n_changed);
    /* the label of the box near the top goes below its top edge, with black text (light colour) */
    int fg_black = 0, bg3 = 0;
    for (int y = 0; y < 40; y++) {
        for (int x = 400; x < 520; x++) {
            fg_black += px_is(img, x, y, black);
            bg3 += px_is(img, x, y, c3);
        }
    }
    ck_assert_int_gt(fg_black, 0);
    ck_assert_int_gt(bg3, 0);
    ck_assert(px_is(img, 450, 4, c3)); /* the top stroke (rows 4..5) */
    ck_assert(px_is(img, 450, 3, FILL)); /* nothing above it */
    /* nothing was drawn for the NaN box: the corner stays untouched */
    ck_assert(px_is(img, 0, 479, FILL));
    image_del(img);

    /* 1080x810 (bus.jpg): lw = round((810 + 1080 + 3) / 2 * 0.003) = round(2.8395) = 3 */
    img = image_new(1080, 810);
    gy_box one = {500.0f, 500.0f, 700.0f, 700.0f, 0.0f, 7};
    gy_draw_detections(img, &one, 1, NULL, NULL);
    unsigned char c7[3];
    gy_class_color(7, c7);
    ck_assert(px_is(img, 499, 600, c7) && px_is(img, 500, 600, c7) && px_is(img, 501, 600, c7));
    ck_assert(px_is(img, 498, 600, FILL) && px_is(img, 502, 600, FILL));
    image_del(img);

    /* boxes far outside, or with huge coordinates, are clipped without trouble */
    img = image_new(32, 32);
    gy_box wild[3] = {
        {-1e30f, -1e30f, 1e30f, 1e30f, 0.5f, 1},
        {-100.0f, -100.0f, -50.0f, -50.0f, 0.5f, 2},
        {1e9f, 1e9f, 2e9f, 2e9f, 0.5f, -3},
    };
    gy_draw_detections(img, wild, 3, test_names, NULL);
    gy_draw_detections(img, NULL, 3, test_names, NULL);
    gy_draw_detections(NULL, wild, 3, test_names, NULL);
    gy_draw_detections(img, wild, 0, test_names, NULL);
    image_del(img);
}
END_TEST

/* --line-width, --hide-labels, --hide-conf */
START_TEST(test_detection_options)
{
    unsigned char c0[3];
    gy_class_color(0, c0);
    gy_box box = {100.0f, 200.0f, 300.0f, 400.0f, 0.87f, 0};
    /* line_width 6: the left edge covers columns 97..102 (6 pixels centred as cv2 does) */
    gy_image *img = image_new(640, 480);
    gy_draw_options o = {6, 0, 0};
    gy_draw_detections_opts(img, &box, 1, test_names, NULL, &o);
    for (int x = 97; x <= 102; x++)
        ck_assert_msg(px_is(img, x, 300, c0), "column %d", x);
    ck_assert(px_is(img, 96, 300, FILL) && px_is(img, 103, 300, FILL));
    /* the label grew with the line: scale (2 * 6 + 2) / 3 = 4, 11 * 4 = 44 rows above the box */
    bbox big = changed_box(img, c0, c0);
    ck_assert_int_eq(big.y0, 200 - 44 + 1); /* the label's bottom row is the box's top edge */
    image_del(img);
    /* hide_labels: only the box outline; nothing above it */
    img = image_new(640, 480);
    o = (gy_draw_options){0, 1, 0};
    gy_draw_detections_opts(img, &box, 1, test_names, NULL, &o);
    bbox only = changed_box(img, c0, c0);
    ck_assert_int_eq(only.y0, 199);
    ck_assert_int_eq(only.n_changed, only.n_bg);
    image_del(img);
    /* hide_conf: "person" instead of "person 0.87", a narrower label */
    int width[2];
    for (int hide = 0; hide < 2; hide++) {
        img = image_new(640, 480);
        o = (gy_draw_options){0, 0, hide};
        gy_draw_detections_opts(img, &box, 1, test_names, NULL, &o);
        int x1 = 0;
        for (int x = 100; x < 640; x++)
            if (!px_is(img, x, 190, FILL))
                x1 = x;
        width[hide] = x1 - 100 + 1;
        image_del(img);
    }
    ck_assert_int_eq(width[0], expected_label_width("person 0.87", 2));
    ck_assert_int_eq(width[1], expected_label_width("person", 2));
}
END_TEST

static Suite *draw_suite(void)
{
    Suite *s = suite_create("draw");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_rect_thin);
    tcase_add_test(tc, test_rect_thick);
    tcase_add_test(tc, test_rect_clipped);
    tcase_add_test(tc, test_palette);
    tcase_add_test(tc, test_label);
    tcase_add_test(tc, test_label_moved_inside);
    tcase_add_test(tc, test_detections);
    tcase_add_test(tc, test_detection_options);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(draw_suite()); }

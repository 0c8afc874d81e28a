/* test_letterbox.c - ultralytics LetterBox geometry and tensor, scale_boxes, and gy_image_load
 * (EXIF orientation, refusals, errors). */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb/stb_image_write.h>

#include "postprocess/scale_boxes.h"
#include "preprocess/letterbox.h"
#include "testutil.h"

/* ------------------------------------------------------------------------------------------------ */
/* Geometry                                                                                         */

typedef struct geo_case {
    int src_w, src_h, imgsz, stride, square;
    int new_w, new_h, out_w, out_h, left, top, right, bottom;
} geo_case;

/* Worked by hand from the rule in augment.py (see letterbox.c). */
static const geo_case geo_cases[] = {
    /* bus.jpg: rect keeps 480x640, square pads 80 px each side */
    { 810, 1080, 640, 32, 0, 480, 640, 480, 640, 0, 0, 0, 0 },
    { 810, 1080, 640, 32, 1, 480, 640, 640, 640, 80, 0, 80, 0 },
    /* 1920x1080: r = 1/3, 640x360; rect dh = 280 % 32 = 24 -> 12 + 12; square 140 + 140 */
    { 1920, 1080, 640, 32, 0, 640, 360, 640, 384, 0, 12, 0, 12 },
    { 1920, 1080, 640, 32, 1, 640, 360, 640, 640, 0, 140, 0, 140 },
    /* 500x335: r = 1.28, h 428.8 -> 429; dh = 211 % 32 = 19 -> 9.5: top round(9.4) = 9,
     * bottom round(9.6) = 10 */
    { 500, 335, 640, 32, 0, 640, 429, 640, 448, 0, 9, 0, 10 },
    /* upscaling: 100x50 -> 640x320, rect needs no padding */
    { 100, 50, 640, 32, 0, 640, 320, 640, 320, 0, 0, 0, 0 },
    { 1000, 1000, 640, 32, 0, 640, 640, 640, 640, 0, 0, 0, 0 },
    /* Python's round is half to even: 5 * 0.5 = 2.5 -> 2, 7 * 0.5 = 3.5 -> 4 */
    { 64, 5, 32, 32, 0, 32, 2, 32, 32, 0, 15, 0, 15 },
    { 64, 7, 32, 32, 0, 32, 4, 32, 32, 0, 14, 0, 14 },
    /* odd square padding: 64x3 at 32 -> 32x2 (1.5 -> 2); dh = 30 -> 15 + 15 */
    { 64, 3, 32, 32, 1, 32, 2, 32, 32, 0, 15, 0, 15 },
    /* 33 px padding split 16 + 17 in square mode: 640x607 at 640 -> 640x607, dh = 33 -> 16.5 */
    { 640, 607, 640, 32, 1, 640, 607, 640, 640, 0, 16, 0, 17 },
    /* stride 1: the rectangle is the resized image itself */
    { 810, 1080, 640, 1, 0, 480, 640, 480, 640, 0, 0, 0, 0 },
    /* stride 64 at imgsz 1280: 1920x1080 -> 1280x720, dh = 560 % 64 = 48 -> 24 + 24 */
    { 1920, 1080, 1280, 64, 0, 1280, 720, 1280, 768, 0, 24, 0, 24 },
};

START_TEST(test_geometry)
{
    const geo_case *g = &geo_cases[_i];
    gy_letterbox lb;
    gy_error err;
    ck_assert_msg(gy_letterbox_compute(g->src_w, g->src_h, g->imgsz, g->stride, g->square, &lb,
                                       &err) == GY_OK,
                  "%s", err.message);
    ck_assert_int_eq(lb.src_w, g->src_w);
    ck_assert_int_eq(lb.src_h, g->src_h);
    ck_assert_int_eq(lb.new_w, g->new_w);
    ck_assert_int_eq(lb.new_h, g->new_h);
    ck_assert_int_eq(lb.out_w, g->out_w);
    ck_assert_int_eq(lb.out_h, g->out_h);
    ck_assert_int_eq(lb.left, g->left);
    ck_assert_int_eq(lb.top, g->top);
    ck_assert_int_eq(lb.right, g->right);
    ck_assert_int_eq(lb.bottom, g->bottom);
    ck_assert_int_eq(lb.out_w % g->stride, 0);
    ck_assert_int_eq(lb.out_h % g->stride, 0);
}
END_TEST

START_TEST(test_geometry_errors)
{
    gy_letterbox lb;
    gy_error err;
    ck_assert_int_eq(gy_letterbox_compute(810, 1080, 640, 32, 0, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_letterbox_compute(0, 1080, 640, 32, 0, &lb, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "0x1080"));
    ck_assert_int_eq(gy_letterbox_compute(810, -1, 640, 32, 0, &lb, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_letterbox_compute(810, 1080, 0, 32, 0, &lb, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_letterbox_compute(810, 1080, -640, 32, 0, &lb, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_letterbox_compute(810, 1080, 650, 32, 0, &lb, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "650"));
    ck_assert_int_eq(gy_letterbox_compute(810, 1080, 8224, 32, 0, &lb, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_letterbox_compute(810, 1080, 640, 0, 0, &lb, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "stride"));
    ck_assert_int_eq(gy_letterbox_compute(810, 1080, 512, 512, 0, &lb, &err), GY_ERR_ARGUMENT);
    /* so elongated that one side rounds to 0 pixels */
    ck_assert_int_eq(gy_letterbox_compute(100000, 1, 32, 32, 0, &lb, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "elongated"));
    ck_assert_int_eq(gy_letterbox_compute(8192, 8192, 8192, 256, 1, &lb, NULL), GY_OK);
}
END_TEST

/* ------------------------------------------------------------------------------------------------ */
/* Tensor                                                                                           */

/* cv2's decode of bus.jpg as an RGB gy_image (the file is BGR). */
static gy_image cv2_bus(void)
{
    size_t size;
    unsigned char *bgr =
        gy_test_read(gy_test_shared("reference/resize/bus_decoded_cv2_bgr.u8"), &size);
    ck_assert_uint_eq(size, (size_t)810 * 1080 * 3);
    for (size_t p = 0; p < size / 3; p++) {
        unsigned char t = bgr[3 * p];
        bgr[3 * p] = bgr[3 * p + 2];
        bgr[3 * p + 2] = t;
    }
    gy_image img = { 810, 1080, bgr };
    return img;
}

/* ultralytics' own input tensor for the cv2-decoded bus.jpg, 640x640 square: reproduced exactly. */
START_TEST(test_bus_square_tensor_exact)
{
    gy_image img = cv2_bus();
    gy_letterbox lb;
    gy_error err;
    ck_assert_int_eq(gy_letterbox_compute(img.width, img.height, 640, 32, 1, &lb, &err), GY_OK);
    size_t n = (size_t)3 * 640 * 640;
    float *ref = gy_test_read_f32(gy_test_shared("parity/real_v8n_bus640/input.f32"), n, NULL);
    float *got = malloc(n * sizeof *got);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(gy_letterbox_image(&img, &lb, got, &err) == GY_OK, "%s", err.message);
    double maxd = 0;
    size_t ndiff = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)ref[i]);
        if (d > maxd)
            maxd = d;
        ndiff += got[i] != ref[i];
    }
    printf("letterbox(cv2 bus.jpg, 640 square) vs parity input.f32: max abs diff %g, %zu of %zu "
           "floats differ\n",
           maxd, ndiff, n);
    ck_assert_msg(ndiff == 0, "max abs diff %g, %zu floats differ", maxd, ndiff);
    /* the padding is 114 / 255 in float32 */
    ck_assert(got[0] == 114.0f / 255.0f);
    ck_assert(got[2 * 640 * 640 + 639] == 114.0f / 255.0f);

    /* rect mode (480x640): the same resized pixels, without the 80-px bands */
    gy_letterbox rect;
    ck_assert_int_eq(gy_letterbox_compute(img.width, img.height, 640, 32, 0, &rect, &err), GY_OK);
    ck_assert_int_eq(rect.out_w, 480);
    ck_assert_int_eq(rect.out_h, 640);
    ck_assert_msg(gy_letterbox_image(&img, &rect, got, &err) == GY_OK, "%s", err.message);
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 640; y++)
            ck_assert_mem_eq(got + ((size_t)c * 640 + y) * 480, ref + ((size_t)c * 640 + y) * 640 + 80,
                             480 * sizeof(float));
    free(got);
    free(ref);
    free(img.data);
}
END_TEST

/* No resize when the size does not change: values are the pixels / 255, RGB planes, padded. */
START_TEST(test_tensor_no_resize)
{
    enum { W = 64, H = 40 };
    unsigned char px[W * H * 3];
    for (int i = 0; i < W * H * 3; i++)
        px[i] = (unsigned char)(i * 7 + 3);
    gy_image img = { W, H, px };
    gy_letterbox lb;
    gy_error err;
    ck_assert_int_eq(gy_letterbox_compute(W, H, 64, 32, 0, &lb, &err), GY_OK);
    ck_assert_int_eq(lb.new_w, W);
    ck_assert_int_eq(lb.new_h, H);
    ck_assert_int_eq(lb.out_h, 64); /* dh = 24 -> 12 + 12 */
    ck_assert_int_eq(lb.top, 12);
    float t[3 * 64 * 64];
    ck_assert_int_eq(gy_letterbox_image(&img, &lb, t, &err), GY_OK);
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++) {
                float v = t[(c * 64 + y) * 64 + x];
                int sy = y - 12;
                float want = sy < 0 || sy >= H ? 114.0f / 255.0f
                                               : (float)px[(sy * W + x) * 3 + c] / 255.0f;
                ck_assert_msg(v == want, "c%d y%d x%d: %.9g != %.9g", c, y, x, v, want);
            }
}
END_TEST

START_TEST(test_tensor_errors)
{
    unsigned char px[8 * 8 * 3] = { 0 };
    gy_image img = { 8, 8, px };
    gy_letterbox lb;
    gy_error err;
    float t[3 * 32 * 32];
    ck_assert_int_eq(gy_letterbox_compute(8, 8, 32, 32, 1, &lb, &err), GY_OK);
    ck_assert_int_eq(gy_letterbox_image(NULL, &lb, t, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_letterbox_image(&img, NULL, t, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_letterbox_image(&img, &lb, NULL, &err), GY_ERR_ARGUMENT);
    gy_image nodata = { 8, 8, NULL };
    ck_assert_int_eq(gy_letterbox_image(&nodata, &lb, t, &err), GY_ERR_ARGUMENT);
    gy_image other = { 9, 8, px };
    ck_assert_int_eq(gy_letterbox_image(&other, &lb, t, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "9x8"));
    gy_letterbox bad = lb;
    bad.left += 1; /* parts no longer add up */
    ck_assert_int_eq(gy_letterbox_image(&img, &bad, t, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "inconsistent"));
    ck_assert_int_eq(gy_letterbox_image(&img, &lb, t, &err), GY_OK);
}
END_TEST

/* ------------------------------------------------------------------------------------------------ */
/* scale_boxes                                                                                      */

static int close_to(float a, double b, double tol) { return fabs((double)a - b) <= tol; }

START_TEST(test_unmap_known_numbers)
{
    gy_letterbox lb;
    gy_error err;
    /* bus square: gain 16/27, pad x 80, pad y 0; stride 6 floats, the last two untouched */
    ck_assert_int_eq(gy_letterbox_compute(810, 1080, 640, 32, 1, &lb, &err), GY_OK);
    float b[3 * 6] = {
        140, 100, 200, 300, 0.5f, 7,      /* -> 101.25 168.75 202.5 506.25 */
        80, 0, 560, 640, 0.25f, 1,        /* the whole image */
        10, -20, 700, 700, 0.75f, 2,      /* clipped to 0..810, 0..1080 */
    };
    gy_letterbox_unmap(&lb, b, 3, 6);
    const double want[3][4] = { { 101.25, 168.75, 202.5, 506.25 },
                                { 0, 0, 810, 1080 },
                                { 0, 0, 810, 1080 } };
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++)
            ck_assert_msg(close_to(b[i * 6 + k], want[i][k], 1e-4), "box %d coord %d: %.7g != %g", i,
                          k, b[i * 6 + k], want[i][k]);
    ck_assert(b[4] == 0.5f && b[5] == 7 && b[10] == 0.25f && b[11] == 1 && b[16] == 0.75f &&
              b[17] == 2);

    /* 1920x1080 rect 640x384: gain 1/3, pad (0, 12); x1 = 3 * x, y1 = 3 * (y - 12) */
    ck_assert_int_eq(gy_letterbox_compute(1920, 1080, 640, 32, 0, &lb, &err), GY_OK);
    float c[4] = { 100.5f, 12.f, 639.f, 372.f };
    gy_letterbox_unmap(&lb, c, 1, 4);
    ck_assert(close_to(c[0], 301.5, 1e-3) && close_to(c[1], 0, 1e-6) && close_to(c[2], 1917, 1e-3) &&
              close_to(c[3], 1080, 1e-3));

    /* round trip: image -> input -> image */
    ck_assert_int_eq(gy_letterbox_compute(500, 335, 640, 32, 0, &lb, &err), GY_OK);
    double r = 1.28;
    const double pts[4] = { 12.5, 30.25, 480.0, 300.0 };
    float d[4];
    for (int k = 0; k < 4; k++)
        d[k] = (float)(pts[k] * r + ((k & 1) ? lb.top : lb.left));
    gy_letterbox_unmap(&lb, d, 1, 4);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(close_to(d[k], pts[k], 1e-3), "coord %d: %.7g != %g", k, d[k], pts[k]);

    /* ignored without effect, each bad argument alone (the others valid) */
    float keep[4];
    memcpy(keep, d, sizeof keep);
    gy_letterbox_unmap(NULL, d, 1, 4);
    ck_assert_mem_eq(d, keep, sizeof keep);
    gy_letterbox_unmap(&lb, NULL, 1, 4);
    gy_letterbox_unmap(&lb, d, 1, 3); /* a stride below 4 floats */
    ck_assert_mem_eq(d, keep, sizeof keep);
    gy_letterbox_unmap(&lb, d, 0, 4);
    ck_assert_mem_eq(d, keep, sizeof keep);
    gy_letterbox bad = lb;
    bad.left = -1; /* inconsistent geometry */
    gy_letterbox_unmap(&bad, d, 1, 4);
    ck_assert_mem_eq(d, keep, sizeof keep);
    gy_letterbox_unmap(&lb, d, 1, 4); /* and the valid call does change them */
    ck_assert(memcmp(d, keep, sizeof keep) != 0);
}
END_TEST

/* The top-scoring anchor of ultralytics' raw output for the 640 square input, mapped back, is the
 * first square640 detection of reference/detections_yolov8n.json (rounded to 1e-3 there; the
 * output file is from the unfused model, the detections from the fused one). */
START_TEST(test_unmap_real_output)
{
    enum { CH = 84, A = 8400 };
    float *out = gy_test_read_f32(gy_test_shared("parity/real_v8n_bus640/output.f32"),
                                  (size_t)CH * A, NULL);
    int best_a = -1, best_c = -1;
    float best = -1;
    for (int c = 4; c < CH; c++)
        for (int a = 0; a < A; a++)
            if (out[(size_t)c * A + a] > best) {
                best = out[(size_t)c * A + a];
                best_a = a;
                best_c = c - 4;
            }
    float x = out[best_a], y = out[A + best_a], w = out[2 * A + best_a], h = out[3 * A + best_a];
    float box[4] = { x - w / 2, y - h / 2, x + w / 2, y + h / 2 };
    gy_letterbox lb;
    gy_error err;
    ck_assert_int_eq(gy_letterbox_compute(810, 1080, 640, 32, 1, &lb, &err), GY_OK);
    gy_letterbox_unmap(&lb, box, 1, 4);
    ck_assert_int_eq(best_c, 0);
    ck_assert_msg(fabs(best - 0.900904) < 1e-3, "score %.6f", best);
    const double want[4] = { 671.022, 378.027, 810.0, 879.801 };
    for (int k = 0; k < 4; k++)
        ck_assert_msg(close_to(box[k], want[k], 0.02), "coord %d: %.4f != %.3f", k, box[k], want[k]);
    free(out);
}
END_TEST

/* ------------------------------------------------------------------------------------------------ */
/* gy_image_load                                                                                    */

typedef struct membuf {
    unsigned char *p;
    size_t n, cap;
} membuf;

static void membuf_put(membuf *m, const void *data, size_t n)
{
    if (m->n + n > m->cap) {
        size_t cap = (m->n + n) * 2;
        unsigned char *q = realloc(m->p, cap);
        ck_assert_ptr_nonnull(q);
        m->p = q;
        m->cap = cap;
    }
    memcpy(m->p + m->n, data, n);
    m->n += n;
}

static void membuf_write(void *ctx, void *data, int size) { membuf_put(ctx, data, (size_t)size); }

/* A temporary file path, unique per call (removed by the caller). */
static void temp_path(char *buf, size_t n, const char *ext)
{
    static int counter;
    const char *dir = getenv("TMPDIR");
    snprintf(buf, n, "%s/gy_test_letterbox_%ld_%d%s", dir && *dir ? dir : "/tmp", (long)getpid(),
             counter++, ext);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

enum { EW = 64, EH = 32 };

/* 64x32 JPEG: the top-left 32x16 quadrant red, the rest blue. */
static membuf make_jpeg(void)
{
    static unsigned char px[EW * EH * 3];
    for (int y = 0; y < EH; y++)
        for (int x = 0; x < EW; x++) {
            int red = x < EW / 2 && y < EH / 2;
            unsigned char *p = px + (y * EW + x) * 3;
            p[0] = red ? 255 : 0;
            p[1] = 0;
            p[2] = red ? 0 : 255;
        }
    membuf m = { NULL, 0, 0 };
    ck_assert(stbi_write_jpg_to_func(membuf_write, &m, EW, EH, 3, px, 95));
    ck_assert(m.n > 4 && m.p[0] == 0xFF && m.p[1] == 0xD8);
    return m;
}

/* The JPEG with APP1 segments inserted right after SOI: an optional XMP-like APP1 first, then an
 * Exif APP1 whose IFD0 holds the orientation (big- or little-endian TIFF). */
static membuf jpeg_with_exif(const membuf *jpg, int orientation, int little_endian, int xmp_first,
                             int bad_ifd_offset)
{
    membuf m = { NULL, 0, 0 };
    membuf_put(&m, jpg->p, 2); /* SOI */
    if (xmp_first) {
        static const char xmp[] = "http://ns.adobe.com/xap/1.0/";
        size_t len = sizeof xmp + 2; /* with its NUL */
        unsigned char hdr[4] = { 0xFF, 0xE1, (unsigned char)(len >> 8), (unsigned char)len };
        membuf_put(&m, hdr, 4);
        membuf_put(&m, xmp, sizeof xmp);
    }
    unsigned char tiff[26];
    size_t t = 0;
    unsigned ifd = bad_ifd_offset ? 4000 : 8;
    if (little_endian) {
        const unsigned char h[8] = { 'I', 'I', 42, 0, (unsigned char)ifd, (unsigned char)(ifd >> 8), 0, 0 };
        memcpy(tiff, h, 8);
        const unsigned char e[18] = { 1, 0,                                  /* one entry */
                                      0x12, 0x01, 3, 0, 1, 0, 0, 0,          /* 0x0112 SHORT x1 */
                                      (unsigned char)orientation, 0, 0, 0,   /* value */
                                      0, 0, 0, 0 };                          /* no next IFD */
        memcpy(tiff + 8, e, 18);
    } else {
        const unsigned char h[8] = { 'M', 'M', 0, 42, 0, 0, (unsigned char)(ifd >> 8), (unsigned char)ifd };
        memcpy(tiff, h, 8);
        const unsigned char e[18] = { 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
                                      0, (unsigned char)orientation, 0, 0, 0, 0, 0, 0 };
        memcpy(tiff + 8, e, 18);
    }
    t = sizeof tiff;
    size_t len = 2 + 6 + t;
    unsigned char hdr[10] = { 0xFF, 0xE1, (unsigned char)(len >> 8), (unsigned char)len,
                              'E', 'x', 'i', 'f', 0, 0 };
    membuf_put(&m, hdr, 10);
    membuf_put(&m, tiff, t);
    membuf_put(&m, jpg->p + 2, jpg->n - 2);
    return m;
}

static int is_red(const gy_image *img, int x, int y)
{
    const unsigned char *p = img->data + ((size_t)y * img->width + x) * 3;
    return p[0] > 200 && p[1] < 60 && p[2] < 60;
}

static int is_blue(const gy_image *img, int x, int y)
{
    const unsigned char *p = img->data + ((size_t)y * img->width + x) * 3;
    return p[0] < 60 && p[1] < 60 && p[2] > 200;
}

/* Where the red quadrant lands for each EXIF orientation, as cv2.imread shows it. */
START_TEST(test_exif_orientation)
{
    int o = _i; /* 1..8 */
    static const struct { int swap, right, bottom; } where[9] = {
        { 0, 0, 0 }, { 0, 0, 0 }, { 0, 1, 0 }, { 0, 1, 1 }, { 0, 0, 1 },
        { 1, 0, 0 }, { 1, 1, 0 }, { 1, 1, 1 }, { 1, 0, 1 },
    };
    membuf jpg = make_jpeg();
    for (int le = 0; le < 2; le++) {
        membuf m = jpeg_with_exif(&jpg, o, le, 0, 0);
        char path[512];
        temp_path(path, sizeof path, ".jpg");
        write_file(path, m.p, m.n);
        gy_image *img;
        gy_error err;
        ck_assert_msg(gy_image_load(path, &img, &err) == GY_OK, "%s", err.message);
        int W = where[o].swap ? EH : EW, H = where[o].swap ? EW : EH;
        ck_assert_int_eq(img->width, W);
        ck_assert_int_eq(img->height, H);
        /* probe the centre of each quadrant */
        for (int qy = 0; qy < 2; qy++)
            for (int qx = 0; qx < 2; qx++) {
                int x = qx * W / 2 + W / 4, y = qy * H / 2 + H / 4;
                int red = qx == where[o].right && qy == where[o].bottom;
                ck_assert_msg(red ? is_red(img, x, y) : is_blue(img, x, y),
                              "orientation %d (%s): quadrant (%d,%d) should be %s", o,
                              le ? "II" : "MM", qx, qy, red ? "red" : "blue");
            }
        gy_image_free(img);
        remove(path);
        free(m.p);
    }
    free(jpg.p);
}
END_TEST

/* An IFD0 that ends exactly at the end of the APP1 segment (its 4-byte next-IFD offset left out):
 * OpenCV's ExifReader reads the entries one by one within the data and still finds the
 * orientation, so the last entry's bytes count up to the segment's last byte. */
START_TEST(test_exif_ifd_at_segment_end)
{
    membuf jpg = make_jpeg();
    for (int le = 0; le < 2; le++) {
        membuf m = jpeg_with_exif(&jpg, 6, le, 0, 0);
        /* SOI, FF E1, length, "Exif\0\0", TIFF header (8), count (2), entry (12), next IFD (4) */
        const size_t app1 = 2, next_ifd = app1 + 4 + 6 + 8 + 2 + 12;
        ck_assert(m.p[app1] == 0xFF && m.p[app1 + 1] == 0xE1);
        size_t len = (size_t)m.p[app1 + 2] << 8 | m.p[app1 + 3];
        ck_assert_uint_eq(app1 + 2 + len, next_ifd + 4);
        memmove(m.p + next_ifd, m.p + next_ifd + 4, m.n - next_ifd - 4);
        m.n -= 4;
        len -= 4;
        m.p[app1 + 2] = (unsigned char)(len >> 8);
        m.p[app1 + 3] = (unsigned char)len;
        char path[512];
        temp_path(path, sizeof path, ".jpg");
        write_file(path, m.p, m.n);
        gy_image *img;
        gy_error err;
        ck_assert_msg(gy_image_load(path, &img, &err) == GY_OK, "%s", err.message);
        /* orientation 6: rotated 90 degrees clockwise, the red top-left quadrant now top-right */
        ck_assert_int_eq(img->width, EH);
        ck_assert_int_eq(img->height, EW);
        ck_assert_msg(is_red(img, 3 * EH / 4, EW / 4), "%s: orientation not applied", le ? "II" : "MM");
        ck_assert(is_blue(img, EH / 4, EW / 4));
        gy_image_free(img);
        remove(path);
        free(m.p);
    }
    free(jpg.p);
}
END_TEST

/* Cases where cv2 leaves the pixels alone: the Exif block is not the first APP1 (libjpeg hands
 * OpenCV the first one), its IFD offset points outside the block, or the value is out of range. */
START_TEST(test_exif_ignored)
{
    membuf jpg = make_jpeg();
    const int variants[3][3] = { { 6, 1, 0 }, { 6, 0, 1 }, { 9, 0, 0 } };
    for (int v = 0; v < 3; v++) {
        membuf m = jpeg_with_exif(&jpg, variants[v][0], 0, variants[v][1], variants[v][2]);
        char path[512];
        temp_path(path, sizeof path, ".jpg");
        write_file(path, m.p, m.n);
        gy_image *img;
        gy_error err;
        ck_assert_msg(gy_image_load(path, &img, &err) == GY_OK, "%s", err.message);
        ck_assert_int_eq(img->width, EW);
        ck_assert_int_eq(img->height, EH);
        ck_assert(is_red(img, EW / 4, EH / 4));
        ck_assert(is_blue(img, 3 * EW / 4, EH / 4));
        gy_image_free(img);
        remove(path);
        free(m.p);
    }
    free(jpg.p);
}
END_TEST

static uint32_t crc32_png(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* PNG signature + IHDR claiming w x h RGB8, and nothing else: stbi_info reads only that. */
static size_t png_header(unsigned char *buf, uint32_t w, uint32_t h)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    memcpy(buf, sig, 8);
    put_be32(buf + 8, 13);
    memcpy(buf + 12, "IHDR", 4);
    put_be32(buf + 16, w);
    put_be32(buf + 20, h);
    buf[24] = 8; /* bit depth */
    buf[25] = 2; /* RGB */
    buf[26] = buf[27] = buf[28] = 0;
    put_be32(buf + 29, crc32_png(buf + 12, 17));
    return 33;
}

START_TEST(test_load_refusals)
{
    unsigned char hdr[64];
    char path[512];
    gy_image *img = (gy_image *)&img; /* must be reset to NULL on failure */
    gy_error err;

    /* 20000 x 15000 = 3e8 pixels: stb_image reads the header fine, our 2^26 limit refuses it
     * (decoding would fail differently: there is no image data) */
    temp_path(path, sizeof path, ".png");
    write_file(path, hdr, png_header(hdr, 20000, 15000));
    gy_status st = gy_image_load(path, &img, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_UNSUPPORTED);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "20000x15000"));
    ck_assert_ptr_nonnull(strstr(err.message, "pixels"));

    /* 100000 x 100000: stb_image's own header check rejects it first (and then reports only
     * "unknown image type"); the refusal still names the size and the limit */
    temp_path(path, sizeof path, ".png");
    write_file(path, hdr, png_header(hdr, 100000, 100000));
    st = gy_image_load(path, &img, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "100000x100000"));
    ck_assert_ptr_nonnull(strstr(err.message, "pixels"));

    /* zero width */
    temp_path(path, sizeof path, ".png");
    write_file(path, hdr, png_header(hdr, 0, 10));
    st = gy_image_load(path, &img, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
}
END_TEST

START_TEST(test_load_errors)
{
    char path[512];
    gy_image *img;
    gy_error err;

    temp_path(path, sizeof path, ".jpg");
    ck_assert_int_eq(gy_image_load(path, &img, &err), GY_ERR_IO);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(err.message, path));

    /* not an image at all */
    static const char junk[] = "this is not an image, just some text bytes";
    write_file(path, junk, sizeof junk);
    ck_assert_int_eq(gy_image_load(path, &img, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    /* said in words, not as the decoder's "unknown image type" */
    ck_assert_msg(strstr(err.message, "not a readable image (not JPEG, PNG, BMP, GIF, WebP or TIFF)"),
                  "%s", err.message);
    remove(path);

    /* empty file */
    write_file(path, junk, 0);
    ck_assert_int_eq(gy_image_load(path, &img, &err), GY_ERR_FORMAT);
    remove(path);

    /* a real PNG cut in half: the header reads, the pixels do not */
    unsigned char px[32 * 32 * 3];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (unsigned char)(i * 31 + (i >> 5));
    membuf m = { NULL, 0, 0 };
    ck_assert(stbi_write_png_to_func(membuf_write, &m, 32, 32, 3, px, 32 * 3));
    temp_path(path, sizeof path, ".png");
    write_file(path, m.p, m.n);
    ck_assert_int_eq(gy_image_load(path, &img, &err), GY_OK);
    ck_assert_int_eq(img->width, 32);
    ck_assert_int_eq(img->height, 32);
    ck_assert_mem_eq(img->data, px, sizeof px);
    gy_image_free(img);
    write_file(path, m.p, m.n / 2);
    ck_assert_int_eq(gy_image_load(path, &img, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    remove(path);
    free(m.p);

    ck_assert_int_eq(gy_image_load(NULL, &img, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_image_load(path, NULL, &err), GY_ERR_ARGUMENT);
    gy_image_free(NULL);
}
END_TEST

static Suite *letterbox_suite(void)
{
    Suite *s = suite_create("letterbox");
    TCase *tg = tcase_create("geometry");
    tcase_add_loop_test(tg, test_geometry, 0, (int)(sizeof geo_cases / sizeof geo_cases[0]));
    tcase_add_test(tg, test_geometry_errors);
    suite_add_tcase(s, tg);
    TCase *tt = tcase_create("tensor");
    tcase_set_timeout(tt, 120);
    tcase_add_test(tt, test_bus_square_tensor_exact);
    tcase_add_test(tt, test_tensor_no_resize);
    tcase_add_test(tt, test_tensor_errors);
    tcase_add_test(tt, test_unmap_known_numbers);
    tcase_add_test(tt, test_unmap_real_output);
    suite_add_tcase(s, tt);
    TCase *ti = tcase_create("image");
    tcase_add_loop_test(ti, test_exif_orientation, 1, 9);
    tcase_add_test(ti, test_exif_ignored);
    tcase_add_test(ti, test_exif_ifd_at_segment_end);
    tcase_add_test(ti, test_load_refusals);
    tcase_add_test(ti, test_load_errors);
    suite_add_tcase(s, ti);
    return s;
}

int main(void) { return gy_test_run(letterbox_suite()); }

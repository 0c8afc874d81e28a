/* test_png_encode.c - postprocess/png_encode.c against the PNG specification: the file is taken
 * apart here (signature, IHDR, IDAT, IEND, every length and CRC-32), its IDAT inflated by zlib
 * and unfiltered by hand, and decoded by stb_image (an independent decoder); both give the
 * pixels back, on every filter, level and strategy and on awkward sizes (one pixel, one row, one
 * column, odd widths, rows with padding). Sizes and options out of range are refused. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <stb/stb_image.h>

#include "postprocess/png_encode.h"
#include "testutil.h"

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks the PNG in png[0, n) chunk by chunk and returns its pixels (caller frees), unfiltered
 * by hand from the inflated IDAT; every row's filter byte must be `filter`. */
static unsigned char *take_apart(const unsigned char *png, size_t n, int w, int h, int filter)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    ck_assert_uint_ge(n, 8 + 3 * 12 + 13);
    ck_assert_mem_eq(png, sig, 8);
    static const char *const order[3] = {"IHDR", "IDAT", "IEND"};
    const unsigned char *idat = NULL;
    size_t idat_n = 0, at = 8;
    for (int k = 0; k < 3; k++) {
        ck_assert_uint_le(at + 12, n);
        size_t len = be32(png + at);
        ck_assert_uint_le(at + 12 + len, n);
        ck_assert_msg(memcmp(png + at + 4, order[k], 4) == 0, "chunk %d is %.4s, not %s", k,
                      (const char *)png + at + 4, order[k]);
        uLong crc = crc32(0L, png + at + 4, (uInt)(4 + len));
        ck_assert_msg(be32(png + at + 8 + len) == (uint32_t)crc, "%s: bad CRC", order[k]);
        const unsigned char *d = png + at + 8;
        if (k == 0) {
            ck_assert_uint_eq(len, 13);
            ck_assert_uint_eq(be32(d), (uint32_t)w);
            ck_assert_uint_eq(be32(d + 4), (uint32_t)h);
            /* 8 bits, RGB, deflate, filter method 0, no interlace */
            static const unsigned char rest[5] = {8, 2, 0, 0, 0};
            ck_assert_mem_eq(d + 8, rest, 5);
        } else if (k == 1) {
            idat = d;
            idat_n = len;
        } else {
            ck_assert_uint_eq(len, 0);
        }
        at += 12 + len;
    }
    ck_assert_uint_eq(at, n); /* nothing after IEND */
    const size_t row = 1 + 3 * (size_t)w;
    uLongf raw_n = (uLongf)(row * (size_t)h + 1); /* one byte of room: more data would show */
    unsigned char *raw = malloc(raw_n), *px = malloc(3 * (size_t)w * (size_t)h);
    ck_assert(raw && px);
    ck_assert_int_eq(uncompress(raw, &raw_n, idat, (uLong)idat_n), Z_OK);
    ck_assert_uint_eq(raw_n, row * (size_t)h);
    for (int y = 0; y < h; y++) {
        const unsigned char *r = raw + (size_t)y * row;
        ck_assert_msg(r[0] == filter, "row %d: filter %d, not %d", y, r[0], filter);
        unsigned char *o = px + (size_t)y * 3 * (size_t)w;
        for (size_t i = 0; i < 3 * (size_t)w; i++) /* Sub: plus the byte one pixel to the left */
            o[i] = (unsigned char)(r[1 + i] + (filter == 1 && i >= 3 ? o[i - 3] : 0));
    }
    free(raw);
    return px;
}

START_TEST(round_trip_every_option)
{
    static const int sizes[][2] = {{1, 1}, {2, 1}, {1, 3}, {5, 4}, {37, 11}, {300, 7}, {3, 64}};
    const gy_png_options cv2 = gy_png_options_cv2(), plot = gy_png_options_plot();
    /* cv2.imwrite's defaults and the plots' */
    ck_assert_int_eq(cv2.filter, GY_PNG_FILTER_SUB);
    ck_assert_int_eq(cv2.level, Z_BEST_SPEED);
    ck_assert_int_eq(cv2.strategy, Z_RLE);
    ck_assert_int_eq(plot.filter, GY_PNG_FILTER_NONE);
    ck_assert_int_eq(plot.level, 6);
    ck_assert_int_eq(plot.strategy, Z_DEFAULT_STRATEGY);
    const gy_png_options opts[] = {cv2, plot, {GY_PNG_FILTER_SUB, 0, Z_DEFAULT_STRATEGY},
                                   {GY_PNG_FILTER_NONE, 9, Z_FILTERED},
                                   {GY_PNG_FILTER_SUB, 9, Z_HUFFMAN_ONLY},
                                   {GY_PNG_FILTER_NONE, Z_DEFAULT_COMPRESSION, Z_FIXED}};
    gy_test_rng rng = {77};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
            const int w = sizes[s][0], h = sizes[s][1];
            const size_t stride = 3 * (size_t)w + (k % 3) * 5; /* rows with 0, 5 or 10 bytes over */
            unsigned char *img = malloc(stride * (size_t)h), *packed = malloc(3 * (size_t)w * h);
            ck_assert(img && packed);
            for (size_t i = 0; i < stride * (size_t)h; i++) /* runs (to compress) and noise */
                img[i] = (unsigned char)(i % 7 < 3 ? 200 : gy_test_rng_u32(&rng));
            for (int y = 0; y < h; y++)
                memcpy(packed + (size_t)y * 3 * w, img + (size_t)y * stride, 3 * (size_t)w);
            gy_strbuf out = {0};
            gy_strbuf_put(&out, "head", 4); /* appended after what the buffer holds */
            gy_error err;
            gy_status st = gy_png_encode_rgb(img, w, h, stride, &opts[k], &out, "p.png", &err);
            ck_assert_msg(st == GY_OK, "%s", err.message);
            ck_assert_int_eq(out.bad, 0);
            ck_assert_mem_eq(out.s, "head", 4);
            const unsigned char *png = (const unsigned char *)out.s + 4;
            size_t n = out.len - 4;
            unsigned char *px = take_apart(png, n, w, h, (int)opts[k].filter);
            ck_assert_msg(memcmp(px, packed, 3 * (size_t)w * h) == 0, "%dx%d option set %zu: "
                          "other pixels", w, h, k);
            free(px);
            int dw, dh, dc;
            unsigned char *d = stbi_load_from_memory(png, (int)n, &dw, &dh, &dc, 3);
            ck_assert_msg(d != NULL, "stb_image: %s", stbi_failure_reason());
            ck_assert_int_eq(dw, w);
            ck_assert_int_eq(dh, h);
            ck_assert_int_eq(dc, 3);
            ck_assert_mem_eq(d, packed, 3 * (size_t)w * h);
            stbi_image_free(d);
            free(out.s);
            free(img);
            free(packed);
        }
}
END_TEST

/* The row callback is asked for each row once, top to bottom. */
static void count_rows(void *ctx, int y, unsigned char *rgb)
{
    int *next = ctx;
    ck_assert_int_eq(y, *next);
    *next = y + 1;
    rgb[0] = rgb[1] = rgb[2] = (unsigned char)y;
}

START_TEST(rows_in_order)
{
    int next = 0;
    gy_strbuf out = {0};
    gy_error err;
    const gy_png_options o = gy_png_options_cv2();
    ck_assert_int_eq(gy_png_encode(1, 300, count_rows, &next, &o, &out, "r.png", &err), GY_OK);
    ck_assert_int_eq(next, 300);
    unsigned char *px = take_apart((const unsigned char *)out.s, out.len, 1, 300, 1);
    for (int y = 0; y < 300; y++)
        ck_assert_int_eq(px[3 * y + 2], (unsigned char)y);
    free(px);
    free(out.s);
}
END_TEST

START_TEST(sizes_and_options_refused)
{
    /* 1 to 2^26 pixels */
    ck_assert(gy_png_size_ok(1, 1));
    ck_assert(gy_png_size_ok(8192, 8192));
    ck_assert(gy_png_size_ok(1 << 26, 1));
    ck_assert(gy_png_size_ok(1, 1 << 26));
    ck_assert(!gy_png_size_ok(8193, 8192));
    ck_assert(!gy_png_size_ok(8192, 8193));
    ck_assert(!gy_png_size_ok((1 << 26) + 1, 1));
    ck_assert(!gy_png_size_ok(1 << 30, 1 << 30)); /* the product is taken without overflow */
    ck_assert(!gy_png_size_ok(0, 1));
    ck_assert(!gy_png_size_ok(1, 0));
    ck_assert(!gy_png_size_ok(-1, 5));
    ck_assert(!gy_png_size_ok(5, -1));
    ck_assert(!gy_png_size_ok(-8192, -8192));
    static const unsigned char px[3] = {1, 2, 3};
    const gy_png_options ok = gy_png_options_cv2();
    static const int bad_sizes[][2] = {{0, 1}, {1, 0}, {-3, 2}, {8193, 8192}};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        gy_strbuf out = {0};
        gy_error err;
        int w = bad_sizes[i][0], h = bad_sizes[i][1];
        ck_assert_int_eq(gy_png_encode_rgb(px, w, h, 3, &ok, &out, "big.png", &err),
                         GY_ERR_ARGUMENT);
        char want[96];
        snprintf(want, sizeof want, "big.png: cannot encode a %dx%d PNG (1 to 2^26 pixels)", w, h);
        ck_assert_str_eq(err.message, want);
        ck_assert_uint_eq(out.len, 0); /* nothing appended */
        free(out.s);
    }
    static const struct {
        gy_png_options o;
        const char *msg;
    } bad[] = {
        {{(gy_png_filter)2, 1, Z_RLE}, "o.png: PNG filter 2 is not none (0) or Sub (1)"},
        {{(gy_png_filter)-1, 1, Z_RLE}, "o.png: PNG filter -1 is not none (0) or Sub (1)"},
        {{GY_PNG_FILTER_SUB, 10, Z_RLE}, "o.png: zlib refused level 10, strategy 3"},
        {{GY_PNG_FILTER_SUB, -2, Z_RLE}, "o.png: zlib refused level -2, strategy 3"},
        {{GY_PNG_FILTER_NONE, 1, Z_FIXED + 1}, "o.png: zlib refused level 1, strategy 5"},
        {{GY_PNG_FILTER_NONE, 1, -1}, "o.png: zlib refused level 1, strategy -1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gy_strbuf out = {0};
        gy_error err;
        ck_assert_int_eq(gy_png_encode_rgb(px, 1, 1, 3, &bad[i].o, &out, "o.png", &err),
                         GY_ERR_ARGUMENT);
        ck_assert_str_eq(err.message, bad[i].msg);
        ck_assert_uint_eq(out.len, 0);
        free(out.s);
    }
}
END_TEST

/* A buffer already failed (here: past its limit) gives GY_ERR_NOMEM, as a failed allocation. */
START_TEST(failed_buffer_is_nomem)
{
    static unsigned char px[64 * 64 * 3];
    const gy_png_options o = gy_png_options_plot();
    gy_strbuf out = {.limit = 40}; /* room for the signature and IHDR, not the IDAT */
    gy_error err;
    ck_assert_int_eq(gy_png_encode_rgb(px, 64, 64, 64 * 3, &o, &out, "l.png", &err), GY_ERR_NOMEM);
    ck_assert_str_eq(err.message, "l.png: out of memory encoding the PNG");
    free(out.s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("png_encode");
    TCase *tc = tcase_create("png_encode");
    tcase_add_test(tc, round_trip_every_option);
    tcase_add_test(tc, rows_in_order);
    tcase_add_test(tc, sizes_and_options_refused);
    tcase_add_test(tc, failed_buffer_is_nomem);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

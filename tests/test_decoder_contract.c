/* test_decoder_contract.c - the three library decoders of preprocess/ called directly, condition by
 * condition: the pixel cap at w * h (accepted, the decoded size and pixels checked) and one under
 * it (refused before decoding), JPEG's file-size bound at 2^32 - 1 and 2^32 (mapped, never
 * touched past the image), its scan limit at 1000 and 1001 scans, WebP's animation and
 * truncation refusals, TIFF's zero sides (each alone: libtiff refuses them itself), floating-point
 * samples, a layout libtiff's RGBA reader cannot handle, data running past the end of the file,
 * and a strip offset at, one past and far past the end (the memory reader's seek bound). On failure the outputs are reset. */
#define _DEFAULT_SOURCE
#include <stdio.h> /* before jpeglib.h */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <jpeglib.h>
#include <stb/stb_image_write.h>
#include <webp/encode.h>

#include "imgbuild.h"
#include "preprocess/jpeg_decode.h"
#include "preprocess/tiff_decode.h"
#include "preprocess/webp_decode.h"

typedef gy_status (*decoder)(const char *, const unsigned char *, size_t, long long, unsigned char **, int *,
                             int *, gy_error *);

/* Decodes with the cap; checks status, message, outputs. Returns the pixels (caller frees). */
static unsigned char *run(decoder dec, const void *data, size_t n, long long cap, gy_status want, const char *frag,
                          int w, int h)
{
    unsigned char *rgb = (unsigned char *)&rgb;
    int ow = -1, oh = -1;
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_status st = dec("d.img", data, n, cap, &rgb, &ow, &oh, &err);
    ck_assert_msg(st == want, "cap %lld: status %s, expected %s (%s)", cap, gy_status_str(st), gy_status_str(want),
                  err.message);
    if (st != GY_OK) {
        printf("%s\n", err.message);
        ck_assert_ptr_null(rgb);
        ck_assert_int_eq(ow, 0);
        ck_assert_int_eq(oh, 0);
        /* the file named once, first (libtiff's own messages lose their copy of it) */
        ck_assert_msg(strstr(err.message, "d.img: ") == err.message && !strstr(err.message + 1, "d.img"), "%s",
                      err.message);
        ck_assert_msg(strstr(err.message, frag), "'%s' not in: %s", frag, err.message);
        return NULL;
    }
    ck_assert_int_eq(ow, w);
    ck_assert_int_eq(oh, h);
    ck_assert_ptr_nonnull(rgb);
    return rgb;
}

/* ---- JPEG ----------------------------------------------------------------------------------------- */

static ib_buf small_jpeg(int w, int h)
{
    unsigned char *px = malloc((size_t)w * h * 3);
    ck_assert_ptr_nonnull(px);
    for (int i = 0; i < w * h; i++) {
        px[3 * i] = 200;
        px[3 * i + 1] = 40;
        px[3 * i + 2] = 90;
    }
    ib_buf b = {0};
    ck_assert(stbi_write_jpg_to_func(ib_stb_write, &b, w, h, 3, px, 100));
    free(px);
    return b;
}

/* A flat colour survives JPEG within a level or two. */
static void expect_flat(const unsigned char *rgb, int w, int h)
{
    for (int i = 0; i < w * h; i++)
        ck_assert_msg(abs(rgb[3 * i] - 200) <= 2 && abs(rgb[3 * i + 1] - 40) <= 2 && abs(rgb[3 * i + 2] - 90) <= 2,
                      "pixel %d: %d %d %d", i, rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
}

START_TEST(jpeg_pixel_cap)
{
    /* heights around libjpeg's 8-row batches: 1, 8, 9, 17 */
    static const int sizes[][2] = {{24, 16}, {5, 1}, {7, 8}, {3, 9}, {11, 17}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        ib_buf j = small_jpeg(w, h);
        unsigned char *rgb = run(gy_jpeg_decode, j.p, j.n, (long long)w * h, GY_OK, "", w, h);
        expect_flat(rgb, w, h);
        free(rgb);
        char frag[96];
        snprintf(frag, sizeof frag, "%dx%d image has more than the %d pixels allowed", w, h, w * h - 1);
        run(gy_jpeg_decode, j.p, j.n, (long long)w * h - 1, GY_ERR_UNSUPPORTED, frag, 0, 0);
        free(j.p);
    }
}
END_TEST

/* Sizes up to 2^32 - 1 go to libjpeg (which reads the image and stops at its end); 2^32 bytes are
 * refused without reading. */
START_TEST(jpeg_file_size_bound)
{
    const size_t lim = (size_t)0xFFFFFFFFu;
    unsigned char *p = mmap(NULL, lim + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                            -1, 0);
    ck_assert_msg(p != MAP_FAILED, "cannot map 4 GiB of address space");
    ib_buf j = small_jpeg(8, 8);
    memcpy(p, j.p, j.n);
    unsigned char *rgb = run(gy_jpeg_decode, p, lim, 64, GY_OK, "", 8, 8);
    expect_flat(rgb, 8, 8);
    free(rgb);
    run(gy_jpeg_decode, p, lim + 1, 64, GY_ERR_UNSUPPORTED, "JPEG file of 4294967296 bytes is too large", 0, 0);
    munmap(p, lim + 4096);
    free(j.p);
}
END_TEST

START_TEST(jpeg_broken)
{
    ib_buf j = small_jpeg(16, 16);
    run(gy_jpeg_decode, j.p, 20, 1000, GY_ERR_FORMAT, "not a readable JPEG (libjpeg: ", 0, 0);
    run(gy_jpeg_decode, j.p, j.n - 2, 1000, GY_ERR_FORMAT, "truncated JPEG (libjpeg: ", 0, 0);
    free(j.p);
}
END_TEST

/* A progressive 8x8 JPEG of exactly `scans` scans (948..1137): the three DC scans, then for each AC
 * coefficient of each component a first scan at Al = 4 or 5 and its refinements down to 0. */
static unsigned char *progressive(int scans, unsigned long *size)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    *size = 0;
    jpeg_mem_dest(&c, &out, size);
    c.image_width = 8;
    c.image_height = 8;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 100, TRUE);
    static jpeg_scan_info script[1200];
    int n = 0, fives = scans - (3 + 63 * 3 * 5); /* each (coefficient, component) with Al 4 adds 5 */
    ck_assert(fives >= 0 && fives <= 63 * 3);
    for (int k = 0; k < 3; k++)
        script[n++] = (jpeg_scan_info){1, {k, 0, 0, 0}, 0, 0, 0, 0};
    for (int s = 1; s <= 63; s++)
        for (int k = 0; k < 3; k++) {
            int al = fives-- > 0 ? 5 : 4;
            script[n++] = (jpeg_scan_info){1, {k, 0, 0, 0}, s, s, 0, al};
            for (int a = al; a >= 1; a--)
                script[n++] = (jpeg_scan_info){1, {k, 0, 0, 0}, s, s, a, a - 1};
        }
    ck_assert_int_eq(n, scans);
    c.scan_info = script;
    c.num_scans = n;
    jpeg_start_compress(&c, TRUE);
    unsigned char row[8 * 3];
    for (int y = 0; y < 8; y++) {
        for (int i = 0; i < 24; i++)
            row[i] = (unsigned char)(y * 29 + i * 7);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    return out;
}

/* GY_JPEG_MAX_SCANS (1000) scans decode; 1001 are refused. */
START_TEST(jpeg_scan_bound)
{
    ck_assert_int_eq(GY_JPEG_MAX_SCANS, 1000);
    unsigned long n;
    unsigned char *j = progressive(1000, &n);
    unsigned char *rgb = run(gy_jpeg_decode, j, n, 64, GY_OK, "", 8, 8);
    free(rgb);
    free(j);
    j = progressive(1001, &n);
    run(gy_jpeg_decode, j, n, 64, GY_ERR_UNSUPPORTED, "d.img: progressive JPEG with more than 1000 scans", 0, 0);
    free(j);
}
END_TEST

/* ---- WebP ----------------------------------------------------------------------------------------- */

START_TEST(webp_pixel_cap)
{
    const int w = 5, h = 3;
    unsigned char px[5 * 3 * 3];
    for (int i = 0; i < w * h * 3; i++)
        px[i] = (unsigned char)(i * 17 + 5);
    uint8_t *enc = NULL;
    size_t n = WebPEncodeLosslessRGB(px, w, h, w * 3, &enc);
    ck_assert_uint_gt(n, 0);
    unsigned char *rgb = run(gy_webp_decode, enc, n, 15, GY_OK, "", w, h);
    ck_assert_mem_eq(rgb, px, sizeof px);
    free(rgb);
    run(gy_webp_decode, enc, n, 14, GY_ERR_UNSUPPORTED, "5x3 image has more than the 14 pixels allowed", 0, 0);
    /* cut in the header: libwebp cannot tell the size; cut in the data: it cannot decode */
    run(gy_webp_decode, enc, 20, 15, GY_ERR_FORMAT, "not a readable WebP (libwebp: not enough data (truncated file?))",
        0, 0);
    run(gy_webp_decode, enc, n - 3, 15, GY_ERR_FORMAT, "cannot decode WebP (libwebp: ", 0, 0);
    WebPFree(enc);
}
END_TEST

/* An extended (VP8X) header with the animation flag, canvas 4 x 3: refused as animated, or first as
 * too large when the cap is under 12. */
START_TEST(webp_animated)
{
    ib_buf b = {0};
    ib_put(&b, "RIFF", 4);
    ib_le32(&b, 4 + 8 + 10 + 8 + 6);
    ib_put(&b, "WEBP", 4);
    ib_put(&b, "VP8X", 4);
    ib_le32(&b, 10);
    static const unsigned char vp8x[10] = {0x02, 0, 0, 0, 3, 0, 0, 2, 0, 0}; /* animation; 4 x 3 */
    ib_put(&b, vp8x, 10);
    ib_put(&b, "ANIM", 4);
    ib_le32(&b, 6);
    static const unsigned char anim[6] = {0, 0, 0, 0, 0, 0};
    ib_put(&b, anim, 6);
    run(gy_webp_decode, b.p, b.n, 12, GY_ERR_UNSUPPORTED, "animated WebP is not supported", 0, 0);
    run(gy_webp_decode, b.p, b.n, 11, GY_ERR_UNSUPPORTED, "4x3 image has more than the 11 pixels allowed", 0, 0);
    free(b.p);
}
END_TEST

/* ---- TIFF ----------------------------------------------------------------------------------------- */

typedef struct tiff_opts {
    uint32_t w, h;
    unsigned bits, format, photometric;
    size_t data_present; /* bytes of pixel data actually in the file */
} tiff_opts;

static void ifd_entry(ib_buf *b, unsigned tag, unsigned type, uint32_t value)
{
    ib_le16(b, tag);
    ib_le16(b, type);
    ib_le32(b, 1);
    if (type == 3) {
        ib_le16(b, value);
        ib_le16(b, 0);
    } else {
        ib_le32(b, value);
    }
}

/* A one-strip uncompressed single-sample TIFF, little-endian, pixel i = i * 37 + 1 (8-bit). */
static ib_buf tiff_grey(const tiff_opts *o)
{
    const unsigned entries = 10;
    const uint32_t data_at = 8 + 2 + entries * 12 + 4;
    size_t bytes = (size_t)o->w * o->h * (o->bits / 8);
    ib_buf b = {0};
    ib_put(&b, "II*\0", 4);
    ib_le32(&b, 8);
    ib_le16(&b, entries);
    ifd_entry(&b, 256, 4, o->w);
    ifd_entry(&b, 257, 4, o->h);
    ifd_entry(&b, 258, 3, o->bits);
    ifd_entry(&b, 259, 3, 1);
    ifd_entry(&b, 262, 3, o->photometric);
    ifd_entry(&b, 273, 4, data_at);
    ifd_entry(&b, 277, 3, 1);
    ifd_entry(&b, 278, 4, o->h ? o->h : 1);
    ifd_entry(&b, 279, 4, (uint32_t)bytes);
    ifd_entry(&b, 339, 3, o->format);
    ib_le32(&b, 0);
    ck_assert_uint_eq(b.n, data_at);
    for (size_t i = 0; i < o->data_present; i++)
        ib_byte(&b, (unsigned)(i * 37 + 1));
    return b;
}

START_TEST(tiff_pixel_cap)
{
    tiff_opts o = {3, 2, 8, 1, 1, 6};
    ib_buf t = tiff_grey(&o);
    unsigned char *rgb = run(gy_tiff_decode, t.p, t.n, 6, GY_OK, "", 3, 2);
    for (int i = 0; i < 6; i++)
        for (int c = 0; c < 3; c++)
            ck_assert_msg(rgb[3 * i + c] == (unsigned char)(i * 37 + 1), "pixel %d channel %d: %d", i, c, rgb[3 * i + c]);
    free(rgb);
    run(gy_tiff_decode, t.p, t.n, 5, GY_ERR_UNSUPPORTED, "3x2 TIFF has more than the 5 pixels allowed", 0, 0);
    free(t.p);
}
END_TEST

START_TEST(tiff_zero_sides)
{
    for (int k = 0; k < 2; k++) {
        tiff_opts o = {k ? 3u : 0u, k ? 0u : 2u, 8, 1, 1, 6};
        ib_buf t = tiff_grey(&o);
        unsigned char *rgb = (unsigned char *)&rgb;
        int w = -1, h = -1;
        gy_error err;
        gy_status st = gy_tiff_decode("d.img", t.p, t.n, 100, &rgb, &w, &h, &err);
        /* libtiff itself may refuse the directory; either way nothing is decoded */
        ck_assert_msg(st == GY_ERR_FORMAT, "%s", err.message);
        ck_assert_ptr_null(rgb);
        ck_assert_msg(strstr(err.message, "not a readable TIFF"), "%s", err.message);
        free(t.p);
    }
}
END_TEST

START_TEST(tiff_formats)
{
    /* 32-bit floating-point samples: refused; 8-bit unsigned and signed: read */
    tiff_opts f = {3, 2, 32, 3, 1, 24};
    ib_buf t = tiff_grey(&f);
    run(gy_tiff_decode, t.p, t.n, 6, GY_ERR_UNSUPPORTED, "TIFF of floating-point samples (not supported)", 0, 0);
    free(t.p);
    /* a photometric interpretation the RGBA reader does not handle (4: transparency mask) */
    tiff_opts m = {3, 2, 8, 1, 4, 6};
    t = tiff_grey(&m);
    run(gy_tiff_decode, t.p, t.n, 6, GY_ERR_UNSUPPORTED, "not a readable TIFF (", 0, 0);
    free(t.p);
    /* the strip runs past the end of the file */
    tiff_opts s = {3, 2, 8, 1, 1, 3};
    t = tiff_grey(&s);
    run(gy_tiff_decode, t.p, t.n, 6, GY_ERR_FORMAT, "not a readable TIFF (", 0, 0);
    free(t.p);
    /* the strip offset at the end of the file: the seek there succeeds and the read gets nothing;
     * one byte further: the seek itself fails; far past: the same, never a read out of the buffer */
    s = (tiff_opts){3, 2, 8, 1, 1, 0};
    t = tiff_grey(&s);
    static const struct { uint32_t past; const char *frag; } at[] = {
        {0, "(Read error at scanline"}, {1, "(Seek error at scanline"}, {0x7FFFFF00u, "(Seek error at scanline"}};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        uint32_t off = (uint32_t)t.n + at[i].past;
        for (int k = 0; k < 4; k++) /* StripOffsets' value, the sixth entry */
            t.p[8 + 2 + 5 * 12 + 8 + k] = (unsigned char)(off >> (8 * k));
        run(gy_tiff_decode, t.p, t.n, 6, GY_ERR_FORMAT, at[i].frag, 0, 0);
    }
    free(t.p);
    /* the header alone */
    run(gy_tiff_decode, "II*\0\x08\0\0\0", 8, 6, GY_ERR_FORMAT, "not a readable TIFF (", 0, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decoder_contract");
    TCase *tc = tcase_create("decoders");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, jpeg_pixel_cap);
    tcase_add_test(tc, jpeg_file_size_bound);
    tcase_add_test(tc, jpeg_broken);
    tcase_add_test(tc, jpeg_scan_bound);
    tcase_add_test(tc, webp_pixel_cap);
    tcase_add_test(tc, webp_animated);
    tcase_add_test(tc, tiff_pixel_cap);
    tcase_add_test(tc, tiff_zero_sides);
    tcase_add_test(tc, tiff_formats);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* test_image_formats.c - gy_image_load on small images of every kind made here (PNG 8/16-bit,
 * grey, alpha, palette-free RGB; BMP 24/32-bit; GIF first frame; WebP lossless and lossy), decoded
 * to RGB as cv2.imread(IMREAD_COLOR) does: alpha dropped (not composited), grey repeated, 16-bit
 * reduced by >> 8. Then the header pixel cap for each format and the clear errors for bad files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb/stb_image_write.h>
#include <webp/decode.h>
#include <webp/encode.h>

#include "preprocess/image.h"
#include "testutil.h"

static void temp_path(char *buf, size_t n, const char *suffix)
{
    static int counter;
    snprintf(buf, n, "/tmp/gy_test_formats_%d_%d%s", (int)getpid(), counter++, suffix);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_msg(n == 0 || fwrite(data, 1, n, f) == n, "cannot write %s", path);
    ck_assert_int_eq(fclose(f), 0);
}

typedef struct membuf {
    unsigned char *p;
    size_t n, cap;
} membuf;

static void mem_put(membuf *m, const void *data, size_t n)
{
    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2;
        m->p = realloc(m->p, m->cap);
        ck_assert_ptr_nonnull(m->p);
    }
    memcpy(m->p + m->n, data, n);
    m->n += n;
}

static void membuf_write(void *ctx, void *data, int size) { mem_put(ctx, data, (size_t)size); }

/* Writes the bytes to a temp file with the suffix and loads it; the file is removed. */
static gy_status load_bytes(const void *data, size_t n, const char *suffix, gy_image **img,
                            gy_error *err, char *path, size_t path_size)
{
    temp_path(path, path_size, suffix);
    write_file(path, data, n);
    gy_status st = gy_image_load(path, img, err);
    remove(path);
    return st;
}

static gy_image *load_ok(const void *data, size_t n, const char *suffix, int w, int h)
{
    char path[256];
    gy_image *img = NULL;
    gy_error err;
    ck_assert_msg(load_bytes(data, n, suffix, &img, &err, path, sizeof path) == GY_OK, "%s", err.message);
    ck_assert_int_eq(img->width, w);
    ck_assert_int_eq(img->height, h);
    return img;
}

/* w x h pixels of comp channels with varied values (alpha never 0, so no encoder may touch RGB). */
static unsigned char *pattern(int w, int h, int comp)
{
    unsigned char *p = malloc((size_t)w * (size_t)h * (size_t)comp);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < w * h; i++)
        for (int c = 0; c < comp; c++)
            p[i * comp + c] = (unsigned char)((i * 37 + c * 91 + (i / w) * 13) % 256);
    if (comp == 2 || comp == 4)
        for (int i = 0; i < w * h; i++)
            p[i * comp + comp - 1] = (unsigned char)(1 + (i * 53) % 255);
    return p;
}

/* RGB of img equals src's first channels (comp 3/4), or its grey repeated (comp 1/2). */
static void expect_pixels(const gy_image *img, const unsigned char *src, int comp)
{
    for (int i = 0; i < img->width * img->height; i++)
        for (int c = 0; c < 3; c++) {
            int want = src[i * comp + (comp >= 3 ? c : 0)];
            ck_assert_msg(img->data[i * 3 + c] == want, "pixel %d channel %d: %d, expected %d", i, c,
                          img->data[i * 3 + c], want);
        }
}

/* PNG through stb_image_write: RGB, RGBA (alpha dropped, RGB kept as stored), grey, grey+alpha. */
START_TEST(test_png_8bit)
{
    for (int comp = 1; comp <= 4; comp++) {
        const int w = 13, h = 7;
        unsigned char *px = pattern(w, h, comp);
        membuf m = {NULL, 0, 0};
        ck_assert(stbi_write_png_to_func(membuf_write, &m, w, h, comp, px, w * comp));
        gy_image *img = load_ok(m.p, m.n, ".png", w, h);
        expect_pixels(img, px, comp);
        gy_image_free(img);
        free(m.p);
        free(px);
    }
}
END_TEST

/* ---- a 16-bit PNG written by hand: stored (uncompressed) deflate, real CRCs and Adler-32 ---- */

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
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

static void png_chunk(membuf *m, const char *type, const unsigned char *data, size_t n)
{
    unsigned char b[4];
    put_be32(b, (uint32_t)n);
    mem_put(m, b, 4);
    unsigned char *body = malloc(n + 4);
    ck_assert_ptr_nonnull(body);
    memcpy(body, type, 4);
    if (n)
        memcpy(body + 4, data, n);
    mem_put(m, body, n + 4);
    put_be32(b, crc32_of(body, n + 4));
    mem_put(m, b, 4);
    free(body);
}

/* PNG of w x h, colour type ct, bit depth 16, samples given big-endian per channel. */
static membuf png16(int w, int h, int ct, int channels, const uint16_t *samples)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    membuf m = {NULL, 0, 0};
    mem_put(&m, sig, 8);
    unsigned char ihdr[13];
    put_be32(ihdr, (uint32_t)w);
    put_be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 16;
    ihdr[9] = (unsigned char)ct;
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    png_chunk(&m, "IHDR", ihdr, 13);
    /* raw scanlines: filter byte 0, then the samples */
    size_t row = 1 + (size_t)w * (size_t)channels * 2, raw_n = row * (size_t)h;
    unsigned char *raw = calloc(raw_n, 1);
    ck_assert_ptr_nonnull(raw);
    for (int y = 0; y < h; y++)
        for (int i = 0; i < w * channels; i++) {
            uint16_t v = samples[(size_t)y * (size_t)w * (size_t)channels + (size_t)i];
            raw[(size_t)y * row + 1 + (size_t)i * 2] = (unsigned char)(v >> 8);
            raw[(size_t)y * row + 2 + (size_t)i * 2] = (unsigned char)v;
        }
    ck_assert_uint_lt(raw_n, 65536);
    /* zlib: header, one final stored block, Adler-32 */
    size_t z_n = 2 + 5 + raw_n + 4;
    unsigned char *z = malloc(z_n);
    ck_assert_ptr_nonnull(z);
    z[0] = 0x78;
    z[1] = 0x01;
    z[2] = 1;
    z[3] = (unsigned char)raw_n;
    z[4] = (unsigned char)(raw_n >> 8);
    z[5] = (unsigned char)~raw_n;
    z[6] = (unsigned char)(~raw_n >> 8);
    memcpy(z + 7, raw, raw_n);
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < raw_n; i++) {
        a = (a + raw[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    put_be32(z + 7 + raw_n, b << 16 | a);
    png_chunk(&m, "IDAT", z, z_n);
    png_chunk(&m, "IEND", NULL, 0);
    free(z);
    free(raw);
    return m;
}

/* cv2's IMREAD_COLOR strips 16-bit samples to their high byte (png_set_strip_16), so 0x12FF
 * becomes 0x12, not 0x13 as a rounded rescale (x * 255 / 65535) would give. */
START_TEST(test_png_16bit)
{
    const int w = 3, h = 2;
    const uint16_t rgb[18] = {0x12FF, 0x0000, 0xFFFF, 0x8080, 0x7FFF, 0x00FF,
                              0xABCD, 0x0100, 0xFF00, 0x1234, 0xFEFF, 0x8000,
                              0x0001, 0x4321, 0xC0DE, 0x7F80, 0x80FF, 0xFFFE};
    membuf m = png16(w, h, 2, 3, rgb);
    gy_image *img = load_ok(m.p, m.n, ".png", w, h);
    for (int i = 0; i < 18; i++)
        ck_assert_msg(img->data[i] == rgb[i] >> 8, "sample %d: %d, expected %d", i, img->data[i],
                      rgb[i] >> 8);
    ck_assert_int_eq(img->data[0], 0x12);
    gy_image_free(img);
    free(m.p);

    /* 16-bit grey + alpha: grey repeated, alpha dropped */
    const uint16_t ga[12] = {0x12FF, 0x0001, 0xFFFF, 0xFFFF, 0x80FF, 0x1000,
                             0x0000, 0x8000, 0x7F7F, 0x4000, 0xC001, 0xFFFF};
    m = png16(w, h, 4, 2, ga);
    img = load_ok(m.p, m.n, ".png", w, h);
    for (int i = 0; i < w * h; i++)
        for (int c = 0; c < 3; c++)
            ck_assert_int_eq(img->data[i * 3 + c], ga[i * 2] >> 8);
    gy_image_free(img);
    free(m.p);
}
END_TEST

/* BMP through stb_image_write: 24-bit (comp 3) and 32-bit with an alpha mask (comp 4). */
START_TEST(test_bmp)
{
    for (int comp = 3; comp <= 4; comp++) {
        const int w = 11, h = 5; /* odd width: rows padded to 4 bytes in 24-bit */
        unsigned char *px = pattern(w, h, comp);
        membuf m = {NULL, 0, 0};
        ck_assert(stbi_write_bmp_to_func(membuf_write, &m, w, h, comp, px));
        ck_assert_int_eq(m.p[28], comp * 8); /* bits per pixel in the header */
        gy_image *img = load_ok(m.p, m.n, ".bmp", w, h);
        expect_pixels(img, px, comp);
        gy_image_free(img);
        free(m.p);
        free(px);
    }
}
END_TEST

/* A 2x2 GIF89a with two frames, written byte by byte; LZW with a clear code before each pixel so
 * every code stays 3 bits wide. The first frame is the image. */
static void lzw_pixels(membuf *m, const unsigned char idx[4])
{
    unsigned codes[9], nbits = 0;
    uint32_t bits = 0;
    for (int i = 0; i < 4; i++) {
        codes[2 * i] = 4; /* clear */
        codes[2 * i + 1] = idx[i];
    }
    codes[8] = 5; /* end of information */
    for (int i = 0; i < 9; i++) {
        bits |= (uint32_t)codes[i] << nbits;
        nbits += 3;
    }
    unsigned char block[6] = {2, 4, 0, 0, 0, 0}; /* min code size 2; one sub-block of 4 bytes */
    for (int i = 0; i < 4; i++)
        block[2 + i] = (unsigned char)(bits >> (8 * i));
    mem_put(m, block, 6);
    unsigned char end = 0;
    mem_put(m, &end, 1);
}

START_TEST(test_gif_first_frame)
{
    static const unsigned char head[13] = {'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x81, 0, 0};
    static const unsigned char palette[12] = {10, 20, 30, 200, 100, 50, 0, 255, 0, 255, 255, 255};
    static const unsigned char frame[10] = {0x2C, 0, 0, 0, 0, 2, 0, 2, 0, 0};
    const unsigned char first[4] = {1, 2, 3, 0}, second[4] = {0, 0, 0, 0};
    membuf m = {NULL, 0, 0};
    mem_put(&m, head, sizeof head);
    mem_put(&m, palette, sizeof palette);
    mem_put(&m, frame, sizeof frame);
    lzw_pixels(&m, first);
    mem_put(&m, frame, sizeof frame);
    lzw_pixels(&m, second);
    unsigned char trailer = 0x3B;
    mem_put(&m, &trailer, 1);
    gy_image *img = load_ok(m.p, m.n, ".gif", 2, 2);
    for (int i = 0; i < 4; i++)
        for (int c = 0; c < 3; c++)
            ck_assert_msg(img->data[i * 3 + c] == palette[first[i] * 3 + c],
                          "pixel %d channel %d: %d, expected %d", i, c, img->data[i * 3 + c],
                          palette[first[i] * 3 + c]);
    gy_image_free(img);
    free(m.p);
}
END_TEST

/* WebP through libwebp: lossless RGB and RGBA are exact (alpha dropped); lossy equals libwebp's
 * own RGB decode, which is what cv2 uses (BGR order there). */
START_TEST(test_webp)
{
    const int w = 17, h = 9;
    for (int comp = 3; comp <= 4; comp++) {
        unsigned char *px = pattern(w, h, comp);
        uint8_t *enc = NULL;
        size_t n = comp == 3 ? WebPEncodeLosslessRGB(px, w, h, w * 3, &enc)
                             : WebPEncodeLosslessRGBA(px, w, h, w * 4, &enc);
        ck_assert_uint_gt(n, 0);
        gy_image *img = load_ok(enc, n, ".webp", w, h);
        expect_pixels(img, px, comp);
        gy_image_free(img);
        WebPFree(enc);
        free(px);
    }
    unsigned char *px = pattern(w, h, 4);
    uint8_t *enc = NULL;
    size_t n = WebPEncodeRGBA(px, w, h, w * 4, 80.0f, &enc);
    ck_assert_uint_gt(n, 0);
    int dw, dh;
    uint8_t *ref = WebPDecodeRGB(enc, n, &dw, &dh);
    ck_assert_ptr_nonnull(ref);
    gy_image *img = load_ok(enc, n, ".webp", w, h);
    ck_assert_mem_eq(img->data, ref, (size_t)w * h * 3);
    gy_image_free(img);
    WebPFree(ref);
    WebPFree(enc);
    free(px);
}
END_TEST

/* Headers claiming more than GY_IMAGE_MAX_PIXELS are refused before decoding, naming the file and
 * the size, whatever the format. */
static void expect_cap_refusal(const void *data, size_t n, const char *suffix, const char *size_text)
{
    char path[256];
    gy_image *img = (gy_image *)&img;
    gy_error err;
    gy_status st = load_bytes(data, n, suffix, &img, &err, path, sizeof path);
    printf("%s\n", err.message);
    ck_assert_msg(st == GY_ERR_UNSUPPORTED, "%s: status %d (%s)", suffix, (int)st, err.message);
    ck_assert_ptr_null(img);
    ck_assert_msg(strstr(err.message, path) != NULL, "no path in: %s", err.message);
    ck_assert_msg(strstr(err.message, size_text) != NULL, "no %s in: %s", size_text, err.message);
    ck_assert_msg(strstr(err.message, "pixels allowed") != NULL, "%s", err.message);
}

START_TEST(test_header_pixel_cap)
{
    /* PNG 20000 x 20000 (a real image header and a tiny image body) */
    const uint16_t one[3] = {1, 2, 3};
    membuf m = png16(1, 1, 2, 3, one);
    put_be32(m.p + 16, 20000);
    put_be32(m.p + 20, 20000);
    put_be32(m.p + 29, crc32_of(m.p + 12, 17));
    expect_cap_refusal(m.p, m.n, ".png", "20000x20000");
    /* the same file cut right after IHDR's height (bytes 16..23 by the PNG spec): the 24 bytes
     * that hold the size are all it takes to name it */
    expect_cap_refusal(m.p, 24, ".png", "20000x20000");
    free(m.p);

    /* BMP 9000 x 8000 */
    unsigned char *px = pattern(4, 4, 3);
    m = (membuf){NULL, 0, 0};
    ck_assert(stbi_write_bmp_to_func(membuf_write, &m, 4, 4, 3, px));
    free(px);
    m.p[18] = 9000 & 0xFF;
    m.p[19] = 9000 >> 8;
    m.p[22] = 8000 & 0xFF;
    m.p[23] = 8000 >> 8;
    expect_cap_refusal(m.p, m.n, ".bmp", "9000x8000");
    free(m.p);

    /* BMP rows that do not fit in the file: 4 x 4 at 24 bits is 54 + 4 x 12 bytes; one byte
     * less is refused (stb_image would decode the missing bytes as black), and so is a 2 KB file
     * whose header claims 4352 x 12557 (fuzz_image's reproducer, 54 megapixels) */
    px = pattern(4, 4, 3);
    m = (membuf){NULL, 0, 0};
    ck_assert(stbi_write_bmp_to_func(membuf_write, &m, 4, 4, 3, px));
    free(px);
    ck_assert_uint_eq(m.n, 54 + 4 * 12);
    gy_image *bi;
    gy_error berr;
    ck_assert_msg(gy_image_decode_memory(m.p, m.n, "full.bmp", &bi, &berr) == GY_OK, "%s",
                  berr.message);
    gy_image_free(bi);
    ck_assert_int_eq(gy_image_decode_memory(m.p, m.n - 1, "cut.bmp", &bi, &berr), GY_ERR_FORMAT);
    ck_assert_msg(strstr(berr.message, "cut.bmp: a truncated BMP: its 4x4 pixels need 102 bytes, "
                         "the file has 101"), "%s", berr.message);
    /* the row arithmetic holds for uncompressed pixels, BI_RGB (0, above) and BI_BITFIELDS (3):
     * a 4 x 4 32-bit BI_BITFIELDS file (14 + 40 header bytes, 3 masks, 64 bytes of pixels) cut
     * by one byte is named truncated; with BI_RLE8 (1) in its place there is no such size, and
     * the decoder refuses it in its own words (stb_image refuses compressions 4 and up, among them
     * BI_ALPHABITFIELDS, before any size is asked) */
    unsigned char bf[130] = {'B', 'M'};
    bf[2] = 130;
    bf[10] = 66;
    bf[14] = 40;
    bf[18] = 4;
    bf[22] = 4;
    bf[26] = 1;
    bf[28] = 32;
    bf[30] = 3;
    const unsigned char masks[12] = {0, 0, 0xFF, 0, 0, 0xFF, 0, 0, 0xFF, 0, 0, 0};
    memcpy(bf + 54, masks, 12);
    for (int i = 66; i < 130; i++)
        bf[i] = (unsigned char)(i * 7);
    ck_assert_msg(gy_image_decode_memory(bf, 130, "bf.bmp", &bi, &berr) == GY_OK, "%s", berr.message);
    ck_assert_int_eq(bi->width, 4);
    gy_image_free(bi);
    ck_assert_int_eq(gy_image_decode_memory(bf, 129, "bf.bmp", &bi, &berr), GY_ERR_FORMAT);
    ck_assert_msg(strstr(berr.message, "bf.bmp: a truncated BMP: its 4x4 pixels need 130 bytes, "
                         "the file has 129"), "%s", berr.message);
    bf[30] = 1;
    ck_assert_int_eq(gy_image_decode_memory(bf, 129, "bf.bmp", &bi, &berr), GY_ERR_FORMAT);
    ck_assert_msg(!strstr(berr.message, "truncated BMP"), "%s", berr.message);
    /* compressions 4 to 7 (BI_JPEG, BI_PNG, BI_ALPHABITFIELDS, ...), whole or cut: stb_image's
     * probe refuses them before any size is asked */
    for (int comp = 4; comp <= 7; comp++) {
        bf[30] = (unsigned char)comp;
        for (size_t len = 129; len <= 130; len++) {
            ck_assert_int_eq(gy_image_decode_memory(bf, len, "bf.bmp", &bi, &berr), GY_ERR_FORMAT);
            ck_assert_msg(strstr(berr.message, "bf.bmp: not a readable image"), "%s", berr.message);
        }
    }
    /* an OS/2 BITMAPCOREHEADER (12 bytes: 16-bit sides, no compression field): 4 x 4 at 24 bits
     * is 14 + 12 + 4 x 12 bytes, whole decoded, one byte short refused the same way */
    unsigned char core[74] = {'B', 'M'};
    core[2] = 74;
    core[10] = 26;
    core[14] = 12;
    core[18] = 4;
    core[20] = 4;
    core[22] = 1;
    core[24] = 24;
    for (int i = 26; i < 74; i++)
        core[i] = (unsigned char)(i * 5);
    ck_assert_msg(gy_image_decode_memory(core, 74, "core.bmp", &bi, &berr) == GY_OK, "%s", berr.message);
    ck_assert_int_eq(bi->width, 4);
    ck_assert_int_eq(bi->height, 4);
    gy_image_free(bi);
    ck_assert_int_eq(gy_image_decode_memory(core, 73, "core.bmp", &bi, &berr), GY_ERR_FORMAT);
    ck_assert_msg(strstr(berr.message, "core.bmp: a truncated BMP: its 4x4 pixels need 74 bytes, "
                         "the file has 73"), "%s", berr.message);
    /* 5 x 1 rows are padded to 16 bytes: 15 bytes of pixels plus the pad are needed */
    unsigned char *row5 = pattern(5, 1, 3);
    membuf m5 = {NULL, 0, 0};
    ck_assert(stbi_write_bmp_to_func(membuf_write, &m5, 5, 1, 3, row5));
    free(row5);
    ck_assert_uint_eq(m5.n, 54 + 16);
    ck_assert_int_eq(gy_image_decode_memory(m5.p, m5.n, "five.bmp", &bi, &berr), GY_OK);
    gy_image_free(bi);
    ck_assert_int_eq(gy_image_decode_memory(m5.p, m5.n - 1, "five.bmp", &bi, &berr), GY_ERR_FORMAT);
    free(m5.p);
    m.p[18] = 4352 & 0xFF;
    m.p[19] = 4352 >> 8;
    m.p[22] = 12557 & 0xFF;
    m.p[23] = 12557 >> 8;
    ck_assert_int_eq(gy_image_decode_memory(m.p, m.n, "bomb.bmp", &bi, &berr), GY_ERR_FORMAT);
    ck_assert_msg(strstr(berr.message, "a truncated BMP: its 4352x12557 pixels need"), "%s",
                  berr.message);
    free(m.p);

    /* GIF 65535 x 65535 logical screen */
    static const unsigned char gif[13] = {'G', 'I', 'F', '8', '9', 'a', 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0};
    expect_cap_refusal(gif, sizeof gif, ".gif", "65535x65535");

    /* WebP 16383 x 16383, lossless: a real 1x1 file with its VP8L size bits patched */
    unsigned char rgb[3] = {1, 2, 3};
    uint8_t *enc = NULL;
    size_t n = WebPEncodeLosslessRGB(rgb, 1, 1, 3, &enc);
    ck_assert_uint_gt(n, 25);
    ck_assert_int_eq(memcmp(enc + 12, "VP8L", 4), 0);
    /* after the 0x2F signature: 14 bits width - 1, 14 bits height - 1 */
    uint32_t bits = (uint32_t)enc[21] | (uint32_t)enc[22] << 8 | (uint32_t)enc[23] << 16 | (uint32_t)enc[24] << 24;
    bits = (bits & ~0x0FFFFFFFu) | 16382u | 16382u << 14;
    for (int i = 0; i < 4; i++)
        enc[21 + i] = (unsigned char)(bits >> (8 * i));
    expect_cap_refusal(enc, n, ".webp", "16383x16383");
    WebPFree(enc);
}
END_TEST

/* Bytes after IEND are not part of the PNG datastream (PNG spec 11.2.5: IEND marks its end); libpng,
 * hence cv2.imread, and stb_image stop there. Trailing bytes that would read as a chunk running
 * past the end of the file must not make the image unreadable. */
START_TEST(test_png_trailing_bytes_after_iend)
{
    const int w = 13, h = 7;
    unsigned char *px = pattern(w, h, 3);
    membuf m = {NULL, 0, 0};
    ck_assert(stbi_write_png_to_func(membuf_write, &m, w, h, 3, px, w * 3));
    ck_assert_int_eq(memcmp(m.p + m.n - 8, "IEND", 4), 0);
    /* "length" 0x40 and a type, then 8 bytes: a chunk that would run 60 bytes past the end */
    static const unsigned char junk[16] = {0, 0, 0, 0x40, 'j', 'U', 'N', 'k', 1, 2, 3, 4, 5, 6, 7, 8};
    mem_put(&m, junk, sizeof junk);
    gy_image *img = load_ok(m.p, m.n, ".png", w, h);
    expect_pixels(img, px, 3);
    gy_image_free(img);
    free(m.p);
    free(px);
}
END_TEST

/* A PNG header wider than stb_image accepts (2^24): stb_image only says "too large", so the refusal
 * gives the size read from IHDR (bytes 16..23, after the 8-byte signature and the chunk's length
 * and type): also when the file is only those 24 bytes. */
START_TEST(test_png_header_size_in_refusal)
{
    const uint16_t one[3] = {1, 2, 3};
    membuf m = png16(1, 1, 2, 3, one);
    put_be32(m.p + 16, 20000000);
    put_be32(m.p + 20, 1);
    put_be32(m.p + 29, crc32_of(m.p + 12, 17));
    for (int cut = 0; cut < 2; cut++) {
        char path[256];
        gy_image *img = (gy_image *)&img;
        gy_error err;
        size_t n = cut ? 24 : m.n;
        gy_status st = load_bytes(m.p, n, ".png", &img, &err, path, sizeof path);
        printf("%s\n", err.message);
        ck_assert_msg(st == GY_ERR_UNSUPPORTED, "%zu bytes: status %d (%s)", n, (int)st, err.message);
        ck_assert_ptr_null(img);
        ck_assert_msg(strstr(err.message, path) != NULL, "no path in: %s", err.message);
        ck_assert_msg(strstr(err.message, "20000000x1 PNG") != NULL, "%zu bytes: no size in: %s", n,
                      err.message);
    }
    free(m.p);
}
END_TEST

START_TEST(test_bad_files)
{
    char path[256];
    gy_image *img = (gy_image *)&img;
    gy_error err;

    ck_assert_int_eq(load_bytes("", 0, ".jpg", &img, &err, path, sizeof path), GY_ERR_FORMAT);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "empty file"));

    static const char text[] = "name,score\nbus,0.87\n";
    ck_assert_int_eq(load_bytes(text, sizeof text - 1, ".jpg", &img, &err, path, sizeof path),
                     GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "not a readable image"));
    printf("%s\n", err.message);

    /* a WebP cut short */
    unsigned char *px = pattern(16, 16, 3);
    uint8_t *enc = NULL;
    size_t n = WebPEncodeRGB(px, 16, 16, 48, 75.0f, &enc);
    free(px);
    ck_assert_uint_gt(n, 40);
    ck_assert_int_eq(load_bytes(enc, n - 20, ".webp", &img, &err, path, sizeof path), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "WebP"));
    printf("%s\n", err.message);
    WebPFree(enc);

    /* a GIF header without any frame */
    static const unsigned char gif[13] = {'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0, 0, 0};
    ck_assert_int_eq(load_bytes(gif, sizeof gif, ".gif", &img, &err, path, sizeof path), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
}
END_TEST

/* Headers stb_image's info accepts or refuses where the explanation must come from the header as
 * the format defines it. */
START_TEST(test_odd_headers)
{
    char path[256];
    gy_image *img = (gy_image *)&img;
    gy_error err;

    /* GIF logical screen 0 x 5 (GIF89a: two 16-bit little-endian sizes after the signature): no
     * pixel at all, refused as a zero dimension before any decoding */
    static const unsigned char gif0[13] = {'G', 'I', 'F', '8', '9', 'a', 0, 0, 5, 0, 0, 0, 0};
    ck_assert_int_eq(load_bytes(gif0, sizeof gif0, ".gif", &img, &err, path, sizeof path), GY_ERR_FORMAT);
    ck_assert_ptr_null(img);
    printf("%s\n", err.message);
    ck_assert_msg(strstr(err.message, "zero dimension (0x5)") != NULL, "%s", err.message);

    /* BMP whose 32-bit little-endian header size (offset 14) is 0x8000000C: not the 12-byte
     * BITMAPCOREHEADER, so width and height are the 32-bit fields at 18 and 22, here 65536 each */
    unsigned char *px = pattern(4, 4, 3);
    membuf m = {NULL, 0, 0};
    ck_assert(stbi_write_bmp_to_func(membuf_write, &m, 4, 4, 3, px));
    free(px);
    static const unsigned char hdr[12] = {0x0C, 0, 0, 0x80, 0, 0, 1, 0, 0, 0, 1, 0};
    memcpy(m.p + 14, hdr, sizeof hdr);
    expect_cap_refusal(m.p, m.n, ".bmp", "65536x65536 BMP");
    free(m.p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("image_formats");
    TCase *tc = tcase_create("formats");
    tcase_add_test(tc, test_png_8bit);
    tcase_add_test(tc, test_png_16bit);
    tcase_add_test(tc, test_bmp);
    tcase_add_test(tc, test_gif_first_frame);
    tcase_add_test(tc, test_webp);
    tcase_add_test(tc, test_header_pixel_cap);
    tcase_add_test(tc, test_png_trailing_bytes_after_iend);
    tcase_add_test(tc, test_png_header_size_in_refusal);
    tcase_add_test(tc, test_bad_files);
    tcase_add_test(tc, test_odd_headers);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

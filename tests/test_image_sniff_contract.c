/* test_image_sniff_contract.c - preprocess/image.c's gate condition by condition, through
 * gy_image_decode_memory on bytes made here: the arguments, the file-size bound at and one past
 * GY_IMAGE_MAX_FILE_BYTES, each format's signature at its minimum length and one byte shorter and
 * with each of its bytes wrong alone (JPEG, WebP, TIFF), each "not an image" kind (HEIC, AVIF, MP4,
 * AVI, Matroska, ASF, MPEG, transport stream, PFM, PNM, PDF) the same way; then stb_image's path:
 * the header sizes read for the refusal (PNG, BMP core and info headers, GIF) at their minimum
 * lengths, the pixel cap and the side cap at and one past, zero sides, the GIF pixels-per-byte
 * bound, and the PNG chunk walk (a chunk ending at, one byte before and past the end; the first
 * IDAT empty). The buffers are one byte longer than the size passed wherever a wrong bound would
 * read that byte, so an off-by-one reads the byte that changes the answer. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <stb/stb_image_write.h>

#include "imgbuild.h"
#include "preprocess/jpeg_decode.h"
#include "preprocess/stb_decode.h"
#include "preprocess/tiff_decode.h"
#include "preprocess/webp_decode.h"

#define NOT_READABLE "not a readable image (not JPEG, PNG, BMP, GIF, WebP or TIFF)"

/* ---- arguments and the file-size bound ---------------------------------------------------------- */

START_TEST(arguments)
{
    static const unsigned char one[1] = {0};
    gy_image *img = (gy_image *)&img;
    gy_error err;
    /* each NULL alone */
    ck_assert_int_eq(gy_image_decode_memory(one, 1, "a.png", NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "NULL output pointer"), "%s", err.message);
    ck_assert_int_eq(gy_image_decode_memory(NULL, 1, "a.png", &img, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(img);
    ck_assert_msg(strstr(err.message, "NULL data"), "%s", err.message);
    /* NULL data with size 0 is no argument error: an empty file */
    img = (gy_image *)&img;
    ck_assert_int_eq(gy_image_decode_memory(NULL, 0, "a.png", &img, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(img);
    ck_assert_msg(strstr(err.message, "a.png: empty file, not an image"), "%s", err.message);
    ck_assert_int_eq(gy_image_decode_memory(one, 0, "a.png", &img, &err), GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "empty file"), "%s", err.message);
    /* no path: "<memory>" names the source */
    ck_assert_int_eq(gy_image_decode_memory(one, 1, NULL, &img, &err), GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "<memory>: " NOT_READABLE), "%s", err.message);
    /* one byte is a file: not empty, not readable */
    ib_decode_expect(one, 1, GY_ERR_FORMAT, NOT_READABLE, "one byte");
}
END_TEST

/* GY_IMAGE_MAX_FILE_BYTES of zeros (mapped, never written: costs no memory) is read and found to be
 * no image; one byte more is refused before any byte is read. */
START_TEST(file_size_bound)
{
    const size_t max = GY_IMAGE_MAX_FILE_BYTES;
    unsigned char *p = mmap(NULL, max + 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ck_assert_msg(p != MAP_FAILED, "cannot map %zu bytes", max + 4096);
    ib_decode_expect(p, max, GY_ERR_FORMAT, NOT_READABLE, "at the file-size bound");
    char want[128];
    snprintf(want, sizeof want, "t.img: %zu bytes, more than the %zu allowed for an image file", max + 1, max);
    ib_decode_expect(p, max + 1, GY_ERR_UNSUPPORTED, want, "one byte past the file-size bound");
    munmap(p, max + 4096);
}
END_TEST

/* ---- signatures ----------------------------------------------------------------------------------- */

/* bytes[0..n) decoded: must fail with want and frag. The buffer passed holds n + 1 bytes (the last
 * one `extra`), so a bound read one byte too far sees it. */
static void sniff(const char *bytes, size_t n, char extra, gy_status want, const char *frag)
{
    char *b = malloc(n + 1);
    ck_assert_ptr_nonnull(b);
    memcpy(b, bytes, n);
    b[n] = extra;
    char what[96];
    snprintf(what, sizeof what, "%zu bytes starting %02x %02x %02x %02x", n, n > 0 ? (unsigned char)b[0] : 0,
             n > 1 ? (unsigned char)b[1] : 0, n > 2 ? (unsigned char)b[2] : 0, n > 3 ? (unsigned char)b[3] : 0);
    ib_decode_expect(b, n, want, frag, what);
    free(b);
}

START_TEST(jpeg_signature)
{
    /* FF D8 FF at 3 bytes is a JPEG (libjpeg refuses it); 2 bytes, or any of the three bytes wrong
     * alone, is not */
    sniff("\xFF\xD8\xFF", 3, '\xE0', GY_ERR_FORMAT, "not a readable JPEG (libjpeg:");
    sniff("\xFF\xD8", 2, '\xFF', GY_ERR_FORMAT, NOT_READABLE);
    sniff("\x00\xD8\xFF\xE0", 4, 0, GY_ERR_FORMAT, NOT_READABLE);
    sniff("\xFF\x00\xFF\xE0", 4, 0, GY_ERR_FORMAT, NOT_READABLE);
    sniff("\xFF\xD8\x00\xE0", 4, 0, GY_ERR_FORMAT, NOT_READABLE);
    ck_assert_int_eq(gy_jpeg_is_jpeg((const unsigned char *)"\xFF\xD8\xFF", 3), 1);
    ck_assert_int_eq(gy_jpeg_is_jpeg((const unsigned char *)"\xFF\xD8\xFF", 2), 0);
}
END_TEST

START_TEST(webp_signature)
{
    const char *w = "RIFF\x04\0\0\0WEBP";
    sniff(w, 12, 'V', GY_ERR_FORMAT, "not a readable WebP (libwebp:");
    sniff(w, 11, 'P', GY_ERR_FORMAT, NOT_READABLE);
    sniff("RIFX\x04\0\0\0WEBP", 12, 'V', GY_ERR_FORMAT, NOT_READABLE);
    sniff("RIFF\x04\0\0\0WEBQ", 12, 'V', GY_ERR_FORMAT, NOT_READABLE);
    ck_assert_int_eq(gy_webp_is_webp((const unsigned char *)w, 12), 1);
    ck_assert_int_eq(gy_webp_is_webp((const unsigned char *)w, 11), 0);
}
END_TEST

START_TEST(tiff_signature)
{
    /* the four headers at 4 bytes; 3 bytes, and each byte wrong alone, are not TIFF */
    static const char *const yes[4] = {"II*\0", "II+\0", "MM\0*", "MM\0+"};
    for (int i = 0; i < 4; i++) {
        sniff(yes[i], 4, 0, GY_ERR_FORMAT, "not a readable TIFF");
        ck_assert_int_eq(gy_tiff_is_tiff((const unsigned char *)yes[i], 4), 1);
        ck_assert_int_eq(gy_tiff_is_tiff((const unsigned char *)yes[i], 3), 0);
    }
    sniff("II*", 3, 0, GY_ERR_FORMAT, NOT_READABLE);
    static const char *const no[] = {"IX*\0", "XI*\0", "II,\0", "II)\0", "II*\1", "MX\0*", "XM\0*",
                                     "MM\1*", "MM\0,", "MM\0)", "IM*\0", "MI\0*"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        sniff(no[i], 4, 0, GY_ERR_FORMAT, NOT_READABLE);
        ck_assert_msg(!gy_tiff_is_tiff((const unsigned char *)no[i], 4), "%zu", i);
    }
}
END_TEST

/* ---- the kinds refused in words ------------------------------------------------------------------ */

START_TEST(unsupported_kinds)
{
    static const struct { const char *bytes; size_t n; const char *frag; } kinds[] = {
        {"\0\0\0\x18" "ftypheic", 12, "a HEIC/HEIF image: not supported"},
        {"\0\0\0\x18" "ftypheix", 12, "a HEIC/HEIF image: not supported"},
        {"\0\0\0\x18" "ftypmif1", 12, "a HEIC/HEIF image: not supported"},
        {"\0\0\0\x18" "ftypmsf1", 12, "a HEIC/HEIF image: not supported"},
        {"\0\0\0\x18" "ftypavif", 12, "an AVIF image: not supported"},
        {"\0\0\0\x18" "ftypavis", 12, "an AVIF image: not supported"},
        {"\0\0\0\x18" "ftypisom", 12, "a video file (MP4/MOV), not an image"},
        {"\0\0\0\x18" "ftypqt  ", 12, "a video file (MP4/MOV), not an image"},
        {"RIFF\x24\0\0\0AVI ", 12, "a video file (AVI), not an image"},
        {"\x1a\x45\xdf\xa3", 4, "a video file (Matroska/WebM), not an image"},
        {"\x30\x26\xb2\x75\x8e\x66\xcf\x11", 8, "a video file (ASF/WMV), not an image"},
        {"\0\0\1\xba", 4, "a video file (MPEG), not an image"},
        {"\0\0\1\xb3", 4, "a video file (MPEG), not an image"},
        {"PF\n", 3, "a PFM (portable float map) image: not supported"},
        {"Pf\r", 3, "a PFM (portable float map) image: not supported"},
        {"P1\n", 3, "a PNM/PPM/PGM image: not supported"},
        {"P7 ", 3, "a PNM/PPM/PGM image: not supported"},
        {"P4\r", 3, "a PNM/PPM/PGM image: not supported"},
        {"P6\t", 3, "a PNM/PPM/PGM image: not supported"},
        {"%PDF-", 5, "a PDF document, not an image"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        sniff(kinds[i].bytes, kinds[i].n, 0x7F, GY_ERR_UNSUPPORTED, kinds[i].frag);
        /* (a byte past the size that is not the NUL of the signature literals), then one byte
         * shorter (the missing byte still there, past the size): no kind */
        sniff(kinds[i].bytes, kinds[i].n - 1, kinds[i].bytes[kinds[i].n - 1], GY_ERR_FORMAT, NOT_READABLE);
    }
    /* each field wrong alone */
    static const struct { const char *bytes; size_t n; } no[] = {
        {"\0\0\0\x18" "ftyqheic", 12}, {"\0\0\0\x18" "gtypavif", 12},
        {"RIFX\0\0\0\0AVI ", 12}, {"RIFF\0\0\0\0AVIX", 12}, {"RIFF\0\0\0\0BVI ", 12},
        {"\x1b\x45\xdf\xa3", 4}, {"\x1a\x45\xdf\xa4", 4},
        {"\x30\x26\xb2\x75\x8e\x66\xcf\x12", 8}, {"\x31\x26\xb2\x75\x8e\x66\xcf\x11", 8},
        {"\0\0\1\xbb", 4}, {"\0\0\1\xb2", 4}, {"\1\0\1\xba", 4},
        {"PF ", 3}, {"Pg\n", 3}, {"QF\n", 3}, {"Pe\n", 3},
        {"P0\n", 3}, {"P8\n", 3}, {"P6x", 3}, {"Q6\n", 3}, {"P6\v", 3},
        {"%PDF_", 5}, {"%PDG-", 5},
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        sniff(no[i].bytes, no[i].n, 0, GY_ERR_FORMAT, NOT_READABLE);
    /* the MPEG transport stream: sync bytes at 0 and 188, so at least 189 bytes */
    unsigned char ts[190] = {0};
    ts[0] = ts[188] = 0x47;
    sniff((const char *)ts, 189, 0, GY_ERR_UNSUPPORTED, "a video file (MPEG transport stream), not an image");
    sniff((const char *)ts, 188, 0x47, GY_ERR_FORMAT, NOT_READABLE);
    ts[188] = 0x48;
    sniff((const char *)ts, 189, 0, GY_ERR_FORMAT, NOT_READABLE);
    ts[188] = 0x47;
    ts[0] = 0x46;
    sniff((const char *)ts, 189, 0, GY_ERR_FORMAT, NOT_READABLE);
}
END_TEST

/* ---- stb_image's path: header sizes for the refusal --------------------------------------------- */

/* PNG headers stb_image refuses (bit depth 3) whose IHDR size explains the refusal: the pixel cap at
 * and one past (each side alone), the side cap at and one past (each side alone). The 24 bytes up
 * to IHDR's height are enough; 23 are not. */
START_TEST(png_header_sizes)
{
    static const struct { uint32_t w, h; gy_status st; const char *frag; } cases[] = {
        {8192, 8192, GY_ERR_FORMAT, NOT_READABLE},
        {8193, 8192, GY_ERR_UNSUPPORTED, "8193x8192 PNG has more than the 67108864 pixels allowed"},
        {8192, 8193, GY_ERR_UNSUPPORTED, "8192x8193 PNG has more than the 67108864 pixels allowed"},
        {65536, 1, GY_ERR_FORMAT, NOT_READABLE},
        {1, 65536, GY_ERR_FORMAT, NOT_READABLE},
        {65537, 1, GY_ERR_UNSUPPORTED, "65537x1 PNG: image dimensions too large to decode (a side over 65536)"},
        {1, 65537, GY_ERR_UNSUPPORTED, "1x65537 PNG: image dimensions too large to decode (a side over 65536)"},
        /* bytes in every position of both 32-bit fields */
        {0x01020304u, 0x05060708u, GY_ERR_UNSUPPORTED, "16909060x84281096 PNG has more than"},
        {0x00010203u, 0x00000001u, GY_ERR_UNSUPPORTED, "66051x1 PNG: image dimensions too large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ib_buf b = {0};
        ib_png_head(&b, cases[i].w, cases[i].h, 3, 0);
        ib_decode_expect(b.p, b.n, cases[i].st, cases[i].frag, "PNG header, bit depth 3");
        ib_decode_expect(b.p, 24, cases[i].st, cases[i].frag, "PNG header cut after the height");
        free(b.p);
    }
    /* 23 bytes: the height is not all there; signature or IHDR type wrong alone: not a PNG header */
    ib_buf b = {0};
    ib_png_head(&b, 20000, 20000, 8, 2);
    ib_decode_expect(b.p, 24, GY_ERR_UNSUPPORTED, "20000x20000 PNG has more than", "24 bytes");
    ib_decode_expect(b.p, 23, GY_ERR_FORMAT, "not a readable image", "23 bytes");
    b.p[13] = 'X'; /* "IXDR" */
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, NOT_READABLE, "IHDR type wrong");
    b.p[13] = 'H';
    b.p[7] = 'X'; /* last signature byte */
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, NOT_READABLE, "signature wrong");
    free(b.p);
}
END_TEST

/* A BMP whose header stb_image refuses, sized from the header as the format defines it: the 12-byte
 * core header (16-bit sides at 18 and 20) needs 26 bytes, the later ones (32-bit sides at 18 and
 * 22, a negative height meaning top-down rows) 30. */
static ib_buf bmp_head(uint32_t header_size, uint32_t w, uint32_t h)
{
    ib_buf b = {0};
    ib_put(&b, "BM", 2);
    ib_le32(&b, 1000); /* file size */
    ib_le32(&b, 0);
    ib_le32(&b, 54);   /* pixel data offset */
    ib_le32(&b, header_size);
    if (header_size == 12) {
        ib_le16(&b, w);
        ib_le16(&b, h);
        ib_le16(&b, 0); /* planes 0: stb_image refuses */
        ib_le16(&b, 24);
    } else {
        ib_le32(&b, w);
        ib_le32(&b, h);
        ib_le16(&b, 0);
        ib_le16(&b, 24);
    }
    for (int i = 0; i < 40; i++)
        ib_byte(&b, 0);
    return b;
}

START_TEST(bmp_header_sizes)
{
    /* core header: 0xFFFF x 0x0402 */
    ib_buf b = bmp_head(12, 0xFFFF, 0x0402);
    ib_decode_expect(b.p, b.n, GY_ERR_UNSUPPORTED, "65535x1026 BMP has more than the 67108864 pixels", "core");
    ib_decode_expect(b.p, 26, GY_ERR_UNSUPPORTED, "65535x1026 BMP has more than", "core, 26 bytes");
    ib_decode_expect(b.p, 25, GY_ERR_FORMAT, "not a readable image", "core, 25 bytes");
    b.p[1] = 'N';
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, NOT_READABLE, "BN");
    b.p[1] = 'M';
    b.p[0] = 'C';
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, NOT_READABLE, "CM");
    free(b.p);
    /* a core header at the pixel cap: 0x2000 x 0x2000 = 8192 x 8192 */
    b = bmp_head(12, 8192, 8192);
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, NOT_READABLE, "core at the cap");
    free(b.p);
    /* an unknown header size (13): 32-bit fields; 30 bytes read, 29 not */
    b = bmp_head(13, 0x00012345u, 0x00000100u);
    ib_decode_expect(b.p, b.n, GY_ERR_UNSUPPORTED, "74565x256 BMP: image dimensions too large", "info");
    ib_decode_expect(b.p, 30, GY_ERR_UNSUPPORTED, "74565x256 BMP", "info, 30 bytes");
    ib_decode_expect(b.p, 29, GY_ERR_FORMAT, "not a readable image", "info, 29 bytes");
    free(b.p);
    b = bmp_head(13, 0x01000002u, 0x00030000u);
    ib_decode_expect(b.p, b.n, GY_ERR_UNSUPPORTED, "16777218x196608 BMP has more than", "info, high bytes");
    free(b.p);
    /* the high byte of the header size counts: 0x0100000C is not the core header */
    b = bmp_head(0x0100000Cu, 9000, 9000);
    ib_decode_expect(b.p, b.n, GY_ERR_UNSUPPORTED, "9000x9000 BMP has more than", "header size 0x0100000C");
    free(b.p);
    /* negative height: rows top-down, |h| counts */
    b = bmp_head(13, 9000, (uint32_t)-9000);
    ib_decode_expect(b.p, b.n, GY_ERR_UNSUPPORTED, "9000x9000 BMP has more than", "negative height");
    free(b.p);
    b = bmp_head(13, 8192, (uint32_t)-8192);
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, NOT_READABLE, "negative height at the cap");
    free(b.p);
}
END_TEST

/* A GIF header stb_image refuses (version "GIF8x"): the logical screen (16-bit at 6 and 8) needs 10
 * bytes. */
START_TEST(gif_header_sizes)
{
    unsigned char g[14] = {'G', 'I', 'F', '8', 'x', 'a', 0xFF, 0xFF, 0x02, 0x04, 0, 0, 0, 0};
    ib_decode_expect(g, 13, GY_ERR_UNSUPPORTED, "65535x1026 GIF has more than the 67108864 pixels", "GIF");
    ib_decode_expect(g, 10, GY_ERR_UNSUPPORTED, "65535x1026 GIF", "GIF, 10 bytes");
    ib_decode_expect(g, 9, GY_ERR_FORMAT, "not a readable image", "GIF, 9 bytes");
    g[3] = '7'; /* "GIF7" */
    ib_decode_expect(g, 13, GY_ERR_FORMAT, NOT_READABLE, "GIF7");
    /* at the cap: 8192 x 8192 */
    unsigned char c[13] = {'G', 'I', 'F', '8', 'x', 'a', 0x00, 0x20, 0x00, 0x20, 0, 0, 0};
    ib_decode_expect(c, 13, GY_ERR_FORMAT, NOT_READABLE, "GIF at the cap");
}
END_TEST

/* ---- stb_image's path: sizes it reads -------------------------------------------------------------- */

/* A valid GIF89a logical screen with no frame: stb_image reads its size. Zero sides, each alone,
 * are refused; the pixel cap at and one past; the pixels-per-byte bound (4096 per byte of file) at
 * and one past. */
static void gif_screen(unsigned w, unsigned h, gy_status st, const char *frag)
{
    unsigned char g[13] = {'G', 'I', 'F', '8', '9', 'a', (unsigned char)w, (unsigned char)(w >> 8),
                           (unsigned char)h, (unsigned char)(h >> 8), 0, 0, 0};
    char what[64];
    snprintf(what, sizeof what, "GIF screen %ux%u", w, h);
    ib_decode_expect(g, sizeof g, st, frag, what);
}

START_TEST(stb_sizes)
{
    gif_screen(0, 5, GY_ERR_FORMAT, "image has a zero dimension (0x5)");
    gif_screen(5, 0, GY_ERR_FORMAT, "image has a zero dimension (5x0)");
    /* 13 bytes allow 13 * 4096 = 53248 pixels: 208 x 256 is read (and has no frame), 7 x 7607 =
     * 53249 is a bomb */
    gif_screen(208, 256, GY_ERR_FORMAT, "cannot decode image (stb_image: ");
    gif_screen(7, 7607, GY_ERR_FORMAT, "7x7607 GIF from 13 bytes claims more than 4096 pixels per byte");
    /* the same size as a PNG header (33 bytes, no data): no pixels-per-byte bound for PNG */
    ib_buf b = {0};
    ib_png_head(&b, 1000, 1000, 8, 2);
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, "cannot decode image (stb_image: ", "PNG 1000x1000 header only");
    free(b.p);
    /* PNG headers stb_image reads: the pixel cap at and one past (each side alone) */
    static const struct { uint32_t w, h; gy_status st; const char *frag; } caps[] = {
        {8192, 8192, GY_ERR_FORMAT, "cannot decode image (stb_image: "},
        {8193, 8192, GY_ERR_UNSUPPORTED, "8193x8192 image has more than the 67108864 pixels allowed"},
        {8192, 8193, GY_ERR_UNSUPPORTED, "8192x8193 image has more than the 67108864 pixels allowed"},
    };
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        b = (ib_buf){0};
        ib_png_head(&b, caps[i].w, caps[i].h, 8, 0);
        ib_decode_expect(b.p, b.n, caps[i].st, caps[i].frag, "grey PNG header");
        free(b.p);
    }
}
END_TEST

/* ---- the PNG chunk walk --------------------------------------------------------------------------- */

enum { PW = 5, PH = 3 };

/* A 5x3 RGB PNG (stb_image_write) cut before its IEND chunk, and its pixels. */
static ib_buf png_body(unsigned char px[PW * PH * 3])
{
    for (int i = 0; i < PW * PH * 3; i++)
        px[i] = (unsigned char)(i * 29 + 7);
    ib_buf b = {0};
    ck_assert(stbi_write_png_to_func(ib_stb_write, &b, PW, PH, 3, px, PW * 3));
    ck_assert_int_eq(memcmp(b.p + b.n - 8, "IEND", 4), 0);
    b.n -= 12;
    return b;
}

static void expect_png_pixels(ib_buf *b, const unsigned char *px, const char *what)
{
    gy_image *img = ib_decode_expect(b->p, b->n, GY_OK, "", what);
    ck_assert_int_eq(img->width, PW);
    ck_assert_int_eq(img->height, PH);
    ck_assert_mem_eq(img->data, px, PW * PH * 3);
    gy_image_free(img);
}

#define PAST_END "a PNG chunk runs past the end of the file (truncated or corrupt)"

START_TEST(png_chunk_walk)
{
    unsigned char px[PW * PH * 3];
    /* IEND whole: read; its CRC one byte short: runs past the end (the length fits, the CRC not) */
    ib_buf b = png_body(px);
    size_t body = b.n;
    ib_png_chunk(&b, "IEND", NULL, 0);
    expect_png_pixels(&b, px, "whole PNG");
    b.n--;
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, PAST_END, "IEND's CRC one byte short");
    /* an IEND claiming 4 data bytes, with exactly 4 bytes + CRC after its header: read */
    b.n = body;
    ib_be32(&b, 4);
    ib_put(&b, "IEND", 4);
    ib_be32(&b, 0);
    ib_be32(&b, 0);
    expect_png_pixels(&b, px, "IEND of 4 bytes ending at the end");
    /* ... claiming 5: the data runs one byte past the end (the first clause alone) */
    b.p[body + 3] = 5;
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, PAST_END, "IEND of 5 bytes, 4 there");
    /* ... claiming 4 with 7 bytes after its header: data fits, the CRC does not (second alone) */
    b.p[body + 3] = 4;
    b.n--;
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, PAST_END, "IEND of 4 bytes, CRC short");
    /* ... claiming 2^32 - 1 */
    b.n++;
    b.p[body] = b.p[body + 1] = b.p[body + 2] = b.p[body + 3] = 0xFF;
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, PAST_END, "IEND of 2^32 - 1 bytes");
    /* a chunk header of 8 bytes at the very end is walked (and runs past); 7 bytes are not a
     * chunk: the walk stops there and stb_image finds no IEND */
    b.n = body;
    ib_be32(&b, 0);
    ib_put(&b, "IEND", 4);
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, PAST_END, "8-byte chunk header at the end");
    b.p[body + 3] = 1; /* ... claiming one data byte */
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, PAST_END, "8-byte chunk header of length 1 at the end");
    memcpy(b.p + body + 4, "tEXt", 4);
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, PAST_END, "8-byte tEXt header of length 1 at the end");
    memcpy(b.p + body + 4, "IEND", 4);
    b.p[body + 3] = 0;
    b.n--;
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, "cannot decode image (stb_image: ", "7 bytes after the last chunk");
    free(b.p);
}
END_TEST

/* A chunk of 0x01010101 bytes (every byte of its length non-zero) that ends with its CRC right
 * before IEND: walked over, the image read (stb_image skips an ancillary chunk unchecked). */
START_TEST(png_long_chunk)
{
    unsigned char px[PW * PH * 3];
    ib_buf b = png_body(px);
    const uint32_t len = 0x01010101u;
    ib_be32(&b, len);
    ib_put(&b, "tEXt", 4);
    size_t at = b.n;
    ib_put(&b, NULL, 0);
    unsigned char *q = realloc(b.p, b.n + len + 4 + 12);
    ck_assert_ptr_nonnull(q);
    b.p = q;
    b.cap = b.n + len + 4 + 12;
    memset(b.p + at, 'a', len);
    memset(b.p + at + len, 0, 4); /* CRC, not checked */
    b.n = at + len + 4;
    ib_png_chunk(&b, "IEND", NULL, 0);
    expect_png_pixels(&b, px, "a chunk of 0x01010101 bytes");
    free(b.p);
}
END_TEST

/* The first IDAT empty is refused; an empty IDAT after data, or an empty or non-empty chunk of
 * another type before the first IDAT, is not. */
START_TEST(png_empty_first_idat)
{
    unsigned char px[PW * PH * 3];
    ib_buf body = png_body(px);
    /* where the first IDAT starts: after the signature and the IHDR chunk (8 + 25) */
    const size_t idat = 33;
    ck_assert_int_eq(memcmp(body.p + idat + 4, "IDAT", 4), 0);
    static const struct { const char *before, *after; uint32_t before_n; gy_status st; } cases[] = {
        {"IDAT", NULL, 0, GY_ERR_FORMAT}, /* empty first IDAT */
        {"tEXt", NULL, 0, GY_OK},         /* empty chunk of another type */
        {"tEXt", NULL, 5, GY_OK},
        {NULL, "IDAT", 0, GY_OK},         /* empty IDAT after the data */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ib_buf b = {0};
        ib_put(&b, body.p, idat);
        if (cases[i].before)
            ib_png_chunk(&b, cases[i].before, "k\0abc", cases[i].before_n);
        ib_put(&b, body.p + idat, body.n - idat);
        if (cases[i].after)
            ib_png_chunk(&b, cases[i].after, NULL, 0);
        ib_png_chunk(&b, "IEND", NULL, 0);
        if (cases[i].st == GY_OK)
            expect_png_pixels(&b, px, "extra chunk");
        else
            ib_decode_expect(b.p, b.n, cases[i].st, "PNG whose first IDAT chunk is empty (not supported)",
                             "empty first IDAT");
        free(b.p);
    }
    /* a non-empty chunk of another type, then an empty IDAT, then the data: still the first IDAT */
    ib_buf b = {0};
    ib_put(&b, body.p, idat);
    ib_png_chunk(&b, "tEXt", "k\0abc", 5);
    ib_png_chunk(&b, "IDAT", NULL, 0);
    ib_put(&b, body.p + idat, body.n - idat);
    ib_png_chunk(&b, "IEND", NULL, 0);
    ib_decode_expect(b.p, b.n, GY_ERR_FORMAT, "first IDAT chunk is empty", "tEXt, empty IDAT");
    free(b.p);
    free(body.p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("image_sniff_contract");
    TCase *tc = tcase_create("gate");
    tcase_add_test(tc, arguments);
    tcase_add_test(tc, file_size_bound);
    tcase_add_test(tc, jpeg_signature);
    tcase_add_test(tc, webp_signature);
    tcase_add_test(tc, tiff_signature);
    tcase_add_test(tc, unsupported_kinds);
    tcase_add_test(tc, png_header_sizes);
    tcase_add_test(tc, bmp_header_sizes);
    tcase_add_test(tc, gif_header_sizes);
    tcase_add_test(tc, stb_sizes);
    tcase_add_test(tc, png_chunk_walk);
    tcase_add_test(tc, png_long_chunk);
    tcase_add_test(tc, png_empty_first_idat);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

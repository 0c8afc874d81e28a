/* test_tiff.c - gy_image_load on TIFF files written here with libtiff: each layout's pixels are
 * known because TIFF is lossless, so the expectation needs no cv2. cv2.imread(IMREAD_COLOR) reads
 * every layout through libtiff's RGBA reader, whose output is defined by the format: 8-bit grey and
 * RGB samples as stored (strips plain, LZW, Deflate, PackBits, or tiles), associated alpha dropped,
 * unassociated alpha of 255 a no-op, a palette looked up in its 16-bit map, 16-bit samples mapped
 * to (v + 128) / 257. Then the first page of a multi-page file, the pixel cap before decoding,
 * truncated and mislabelled files, and bus.jpg's pixels stored as a TIFF read back unchanged. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tiffio.h>

#include "testutil.h"

static char path[256];

static void make_path(const char *suffix)
{
    static int counter;
    snprintf(path, sizeof path, "/tmp/gy_test_tiff_%d_%d%s", (int)getpid(), counter++, suffix);
}

/* Deterministic samples, every value of a byte reached over a few rows. */
static unsigned sample(int x, int y, int c, int bits)
{
    unsigned v = (unsigned)(x * 37 + y * 101 + c * 59 + x * y * 7) & 0xffffu;
    return bits == 8 ? v & 0xffu : v;
}

typedef struct layout {
    int w, h, spp, bits;
    uint16_t photometric, compression;
    int tiled;
    int pages;
    uint16_t alpha; /* EXTRASAMPLE_ASSOCALPHA or _UNASSALPHA (then 255) for 2 or 4 samples */
} layout;

static void set_tags(TIFF *t, const layout *l)
{
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)l->w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)l->h);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)l->spp);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, (uint16_t)l->bits);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, l->photometric);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, l->compression);
    if (l->spp == 2 || l->spp == 4) {
        uint16_t extra = l->alpha;
        TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
    if (l->tiled) {
        TIFFSetField(t, TIFFTAG_TILEWIDTH, 16);
        TIFFSetField(t, TIFFTAG_TILELENGTH, 16);
    } else {
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 3u);
    }
}

/* One page's pixel (x, y), channel c, of page p: the sample values shifted per page. */
static unsigned page_sample(int x, int y, int c, int bits, int p)
{
    return sample(x + 11 * p, y, c, bits);
}

/* Writes a TIFF of layout l at path (a palette image gets a 16-bit colour map c -> (c*257,
 * (255-c)*257, (c*7 & 255)*257), whose RGB reading is (c, 255-c, c*7 & 255)). */
static void write_tiff(const layout *l)
{
    TIFF *t = TIFFOpen(path, "w");
    ck_assert_msg(t != NULL, "cannot write %s", path);
    size_t bps = (size_t)l->bits / 8;
    for (int p = 0; p < l->pages; p++) {
        set_tags(t, l);
        if (l->photometric == PHOTOMETRIC_PALETTE) {
            uint16_t r[256], g[256], b[256];
            for (int c = 0; c < 256; c++) {
                r[c] = (uint16_t)(c * 257);
                g[c] = (uint16_t)((255 - c) * 257);
                b[c] = (uint16_t)(((c * 7) & 255) * 257);
            }
            TIFFSetField(t, TIFFTAG_COLORMAP, r, g, b);
        }
        if (l->tiled) {
            size_t tile = (size_t)TIFFTileSize(t);
            unsigned char *buf = calloc(tile, 1);
            ck_assert_ptr_nonnull(buf);
            for (int ty = 0; ty < l->h; ty += 16)
                for (int tx = 0; tx < l->w; tx += 16) {
                    memset(buf, 0, tile);
                    for (int y = 0; y < 16 && ty + y < l->h; y++)
                        for (int x = 0; x < 16 && tx + x < l->w; x++)
                            for (int c = 0; c < l->spp; c++)
                                buf[((size_t)y * 16 + (size_t)x) * (size_t)l->spp + (size_t)c] =
                                    (unsigned char)page_sample(tx + x, ty + y, c, 8, p);
                    ck_assert(TIFFWriteTile(t, buf, (uint32_t)tx, (uint32_t)ty, 0, 0) > 0);
                }
            free(buf);
        } else {
            size_t row_bytes = (size_t)l->w * (size_t)l->spp * bps;
            unsigned char *row = malloc(row_bytes);
            ck_assert_ptr_nonnull(row);
            for (int y = 0; y < l->h; y++) {
                for (int x = 0; x < l->w; x++)
                    for (int c = 0; c < l->spp; c++) {
                        unsigned v = page_sample(x, y, c, l->bits, p);
                        if (c == l->spp - 1 && (l->spp == 2 || l->spp == 4) &&
                            l->alpha == EXTRASAMPLE_UNASSALPHA)
                            v = l->bits == 8 ? 255 : 65535;
                        size_t i = (size_t)x * (size_t)l->spp + (size_t)c;
                        if (bps == 1)
                            row[i] = (unsigned char)v;
                        else
                            ((uint16_t *)row)[i] = (uint16_t)v;
                    }
                ck_assert(TIFFWriteScanline(t, row, (uint32_t)y, 0) == 1);
            }
            free(row);
        }
        ck_assert(TIFFWriteDirectory(t) == 1);
    }
    TIFFClose(t);
}

/* The RGB a reader must give for pixel (x, y) of page 0. */
static void expected_rgb(const layout *l, int x, int y, unsigned rgb[3])
{
    for (int c = 0; c < 3; c++) {
        int ch = l->spp >= 3 ? c : 0;
        unsigned v = page_sample(x, y, ch, l->bits, 0);
        rgb[c] = l->bits == 16 ? (v + 128) / 257 : v;
    }
    if (l->photometric == PHOTOMETRIC_PALETTE) {
        unsigned i = page_sample(x, y, 0, 8, 0);
        rgb[0] = i;
        rgb[1] = 255 - i;
        rgb[2] = (i * 7) & 255;
    }
}

static void check_layout(const layout *l, const char *what)
{
    make_path(".tif");
    write_tiff(l);
    gy_image *img = NULL;
    gy_error err;
    gy_status st = gy_image_load(path, &img, &err);
    ck_assert_msg(st == GY_OK, "%s: %s", what, err.message);
    ck_assert_int_eq(img->width, l->w);
    ck_assert_int_eq(img->height, l->h);
    for (int y = 0; y < l->h; y++)
        for (int x = 0; x < l->w; x++) {
            unsigned want[3];
            expected_rgb(l, x, y, want);
            const unsigned char *got = img->data + ((size_t)y * (size_t)l->w + (size_t)x) * 3;
            for (int c = 0; c < 3; c++)
                ck_assert_msg(got[c] == want[c], "%s: pixel (%d, %d) channel %d: %u, expected %u",
                              what, x, y, c, got[c], want[c]);
        }
    gy_image_free(img);
    remove(path);
}

START_TEST(layouts)
{
    static const struct {
        layout l;
        const char *what;
    } cases[] = {
        {{37, 23, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_NONE, 0, 1, 0}, "8-bit RGB, strips"},
        {{37, 23, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_LZW, 0, 1, 0}, "8-bit RGB, LZW"},
        {{37, 23, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_ADOBE_DEFLATE, 0, 1, 0}, "8-bit RGB, Deflate"},
        {{37, 23, 4, 8, PHOTOMETRIC_RGB, COMPRESSION_PACKBITS, 0, 1, EXTRASAMPLE_ASSOCALPHA},
         "8-bit RGBA, associated alpha (dropped)"},
        {{37, 23, 4, 8, PHOTOMETRIC_RGB, COMPRESSION_NONE, 0, 1, EXTRASAMPLE_UNASSALPHA},
         "8-bit RGBA, unassociated alpha 255"},
        {{37, 23, 1, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_NONE, 0, 1, 0}, "8-bit grey"},
        {{37, 23, 2, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_LZW, 0, 1, EXTRASAMPLE_ASSOCALPHA},
         "8-bit grey + associated alpha"},
        {{37, 23, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_LZW, 1, 1, 0}, "8-bit RGB, 16x16 tiles"},
        {{37, 23, 1, 8, PHOTOMETRIC_PALETTE, COMPRESSION_NONE, 0, 1, 0}, "palette, 16-bit map"},
        {{37, 23, 3, 16, PHOTOMETRIC_RGB, COMPRESSION_NONE, 0, 1, 0}, "16-bit RGB"},
        {{37, 23, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_NONE, 0, 3, 0}, "3 pages: the first"},
        {{1, 1, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_NONE, 0, 1, 0}, "1x1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_layout(&cases[i].l, cases[i].what);
}
END_TEST

/* The header's size is checked against the pixel cap before anything is decoded; a truncated
 * file and a file named .tif that is not one fail with a message naming the file. */
START_TEST(bad_files)
{
    gy_image *img = NULL;
    gy_error err;
    /* 20000 x 20000 > GY_IMAGE_MAX_PIXELS (64 Mi), with one row of data: refused by its header */
    make_path(".tif");
    {
        TIFF *t = TIFFOpen(path, "w");
        ck_assert_ptr_nonnull(t);
        layout big = {20000, 20000, 1, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_NONE, 0, 1, 0};
        set_tags(t, &big);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 20000u);
        unsigned char *row = calloc(20000, 1);
        ck_assert_ptr_nonnull(row);
        ck_assert(TIFFWriteScanline(t, row, 0, 0) == 1); /* one row of 20000: the header claims the rest */
        free(row);
        TIFFClose(t);
    }
    gy_status st = gy_image_load(path, &img, &err);
    ck_assert_msg(st == GY_ERR_UNSUPPORTED, "%s", err.message);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_msg(strstr(err.message, "20000x20000 TIFF has more than the 67108864 pixels allowed"),
                  "%s", err.message);
    remove(path);

    /* a TIFF cut short in its pixel data */
    layout l = {64, 64, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_NONE, 0, 1, 0};
    make_path(".tif");
    write_tiff(&l);
    size_t n;
    unsigned char *b = gy_test_read(path, &n);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert(fwrite(b, 1, 200, f) == 200);
    fclose(f);
    free(b);
    st = gy_image_load(path, &img, &err);
    ck_assert_msg(st == GY_ERR_FORMAT, "%s", err.message);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_msg(strstr(err.message, "not a readable TIFF"), "%s", err.message);
    printf("%s\n", err.message);
    remove(path);

    /* "II*\0" and nothing else */
    make_path(".tiff");
    gy_test_write_text(path, "II*");
    f = fopen(path, "ab");
    fputc(0, f);
    fclose(f);
    st = gy_image_load(path, &img, &err);
    ck_assert_msg(st == GY_ERR_FORMAT, "%s", err.message);
    ck_assert_msg(strstr(err.message, "not a readable TIFF"), "%s", err.message);
    printf("%s\n", err.message);
    remove(path);
}
END_TEST

/* bus.jpg's decoded pixels stored as a TIFF give the same image, hence the same detections. */
START_TEST(bus_as_tiff)
{
    gy_image *jpg = NULL, *tif = NULL;
    gy_error err;
    ck_assert_int_eq(gy_image_load(gy_test_shared("images/bus.jpg"), &jpg, &err), GY_OK);
    make_path(".tiff");
    TIFF *t = TIFFOpen(path, "w");
    ck_assert_ptr_nonnull(t);
    layout l = {jpg->width, jpg->height, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_LZW, 0, 1, 0};
    set_tags(t, &l);
    for (int y = 0; y < jpg->height; y++)
        ck_assert(TIFFWriteScanline(t, jpg->data + (size_t)y * (size_t)jpg->width * 3, (uint32_t)y,
                                    0) == 1);
    TIFFClose(t);
    ck_assert_int_eq(gy_image_load(path, &tif, &err), GY_OK);
    ck_assert_int_eq(tif->width, jpg->width);
    ck_assert_int_eq(tif->height, jpg->height);
    ck_assert(memcmp(tif->data, jpg->data, (size_t)jpg->width * (size_t)jpg->height * 3) == 0);
    gy_image_free(tif);
    gy_image_free(jpg);
    remove(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tiff");
    TCase *tc = tcase_create("tiff");
    tcase_add_test(tc, layouts);
    tcase_add_test(tc, bad_files);
    tcase_add_test(tc, bus_as_tiff);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

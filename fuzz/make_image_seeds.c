/* make_image_seeds.c - writes small seed images for fuzz_image from one real photo (argv[1], e.g.
 * ../shared/images/bus.jpg) into folder argv[2]: JPEG (stb_image_write baseline, plus one with an
 * EXIF orientation), PNG (RGB, grey, RGBA), BMP, WebP (lossy and lossless), TIFF (RGB in LZW
 * strips, grey in tiles), at two small sizes.
 * Built with GY_FUZZ=ON; run by fuzz/make-corpus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stb/stb_image_write.h>
#include <tiffio.h>
#include <webp/encode.h>

#include "ghostyolo.h"

static const char *dir;

static void save(const char *name, const void *data, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) {
        fprintf(stderr, "make_image_seeds: cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

/* A TIFF of w x h pixels of spp samples (3: RGB in LZW strips; 1: grey in 16x16 tiles). */
static void save_tiff(const char *name, const unsigned char *px, int w, int h, int spp)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    TIFF *t = TIFFOpen(path, "w");
    if (!t) {
        fprintf(stderr, "make_image_seeds: cannot write %s\n", path);
        exit(1);
    }
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)h);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)spp);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, spp == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, spp == 3 ? COMPRESSION_LZW : COMPRESSION_NONE);
    if (spp == 3) {
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 8u);
        for (int y = 0; y < h; y++)
            TIFFWriteScanline(t, (void *)(px + (size_t)y * (size_t)w * 3), (uint32_t)y, 0);
    } else {
        TIFFSetField(t, TIFFTAG_TILEWIDTH, 16);
        TIFFSetField(t, TIFFTAG_TILELENGTH, 16);
        unsigned char tile[256];
        for (int ty = 0; ty < h; ty += 16)
            for (int tx = 0; tx < w; tx += 16) {
                memset(tile, 0, sizeof tile);
                for (int y = 0; y < 16 && ty + y < h; y++)
                    for (int x = 0; x < 16 && tx + x < w; x++)
                        tile[y * 16 + x] = px[(size_t)(ty + y) * (size_t)w + (size_t)(tx + x)];
                TIFFWriteTile(t, tile, (uint32_t)tx, (uint32_t)ty, 0, 0);
            }
    }
    TIFFClose(t);
}

typedef struct membuf {
    unsigned char *p;
    size_t n;
} membuf;

static void put(void *ctx, void *data, int size)
{
    membuf *m = ctx;
    m->p = realloc(m->p, m->n + (size_t)size);
    if (!m->p)
        exit(1);
    memcpy(m->p + m->n, data, (size_t)size);
    m->n += (size_t)size;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: make_image_seeds PHOTO OUTDIR\n");
        return 64;
    }
    dir = argv[2];
    gy_image *img;
    gy_error err;
    if (gy_image_load(argv[1], &img, &err) != GY_OK) {
        fprintf(stderr, "make_image_seeds: %s\n", err.message);
        return 66;
    }
    static const int sizes[2][2] = {{48, 64}, {13, 17}};
    for (int s = 0; s < 2; s++) {
        int h = sizes[s][0], w = sizes[s][1];
        unsigned char *rgb = malloc((size_t)w * h * 4), *grey = malloc((size_t)w * h),
                      *rgba = malloc((size_t)w * h * 4);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const unsigned char *p =
                    img->data + ((size_t)(y * img->height / h) * img->width + x * img->width / w) * 3;
                unsigned char *q = rgb + ((size_t)y * w + x) * 3, *a = rgba + ((size_t)y * w + x) * 4;
                memcpy(q, p, 3);
                memcpy(a, p, 3);
                a[3] = (unsigned char)(x * 255 / w);
                grey[(size_t)y * w + x] = (unsigned char)((p[0] + p[1] + p[2]) / 3);
            }
        char name[64];
        membuf m = {0};
        stbi_write_jpg_to_func(put, &m, w, h, 3, rgb, 75);
        snprintf(name, sizeof name, "s%d.jpg", s);
        save(name, m.p, m.n);
        if (s == 0) { /* the same with an EXIF APP1 (orientation 6) after SOI */
            static const unsigned char app1[] = {
                0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8,
                0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0};
            unsigned char *e = malloc(m.n + sizeof app1);
            memcpy(e, m.p, 2);
            memcpy(e + 2, app1, sizeof app1);
            memcpy(e + 2 + sizeof app1, m.p + 2, m.n - 2);
            save("s0_exif6.jpg", e, m.n + sizeof app1);
            free(e);
        }
        free(m.p);
        m = (membuf){0};
        stbi_write_png_to_func(put, &m, w, h, 3, rgb, w * 3);
        snprintf(name, sizeof name, "s%d.png", s);
        save(name, m.p, m.n);
        free(m.p);
        m = (membuf){0};
        stbi_write_png_to_func(put, &m, w, h, 1, grey, w);
        snprintf(name, sizeof name, "s%d_grey.png", s);
        save(name, m.p, m.n);
        free(m.p);
        m = (membuf){0};
        stbi_write_png_to_func(put, &m, w, h, 4, rgba, w * 4);
        snprintf(name, sizeof name, "s%d_rgba.png", s);
        save(name, m.p, m.n);
        free(m.p);
        m = (membuf){0};
        stbi_write_bmp_to_func(put, &m, w, h, 3, rgb);
        snprintf(name, sizeof name, "s%d.bmp", s);
        save(name, m.p, m.n);
        free(m.p);
        uint8_t *enc = NULL;
        size_t n = WebPEncodeRGB(rgb, w, h, w * 3, 70.0f, &enc);
        snprintf(name, sizeof name, "s%d.webp", s);
        save(name, enc, n);
        WebPFree(enc);
        n = WebPEncodeLosslessRGBA(rgba, w, h, w * 4, &enc);
        snprintf(name, sizeof name, "s%d_lossless.webp", s);
        save(name, enc, n);
        WebPFree(enc);
        snprintf(name, sizeof name, "s%d.tif", s);
        save_tiff(name, rgb, w, h, 3);
        snprintf(name, sizeof name, "s%d_grey_tiles.tif", s);
        save_tiff(name, grey, w, h, 1);
        free(rgb);
        free(grey);
        free(rgba);
    }
    /* a 2x2 GIF89a (global palette of 2 colours, LZW min code size 2) */
    static const unsigned char gif[] = {
        'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x80, 0, 0, 0xFF, 0, 0, 0, 0, 0xFF,
        0x2C, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, 3, 0x84, 0x1D, 0x05, 0, 0x3B};
    save("tiny.gif", gif, sizeof gif);
    gy_image_free(img);
    return 0;
}

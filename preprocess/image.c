/* image.c - gy_image_load / gy_image_free: decoding to RGB as cv2.imread(IMREAD_COLOR) does (JPEG
 * through libjpeg-turbo, WebP through libwebp, PNG/BMP/GIF/... through stb_image), with the JPEG
 * EXIF orientation applied the way cv2.imread (OpenCV 4.x) applies it, so pixels and sizes match
 * what ultralytics sees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "ghostyolo.h"
#include "preprocess/image.h"
#include "preprocess/jpeg_decode.h"
#include "preprocess/stb_decode.h"
#include "preprocess/tiff_decode.h"
#include "preprocess/webp_decode.h"

/* What gy_image_load hands out: the public struct first, so a gy_image pointer converts back. */
typedef struct gy_image_owned {
    gy_image image;
    int from_stb; /* data was allocated by stb_image (stbi_image_free), else by malloc */
} gy_image_owned;

/* ------------------------------------------------------------------------------------------------ */
/* EXIF orientation                                                                                 */

typedef struct tiff_view {
    const unsigned char *p;
    size_t n;
    int big_endian;
} tiff_view;

static int tiff_u16(const tiff_view *t, size_t off, unsigned *out)
{
    if (off > t->n || t->n - off < 2)
        return 0;
    const unsigned char *q = t->p + off;
    *out = t->big_endian ? (unsigned)(q[0] << 8 | q[1]) : (unsigned)(q[1] << 8 | q[0]);
    return 1;
}

static int tiff_u32(const tiff_view *t, size_t off, uint32_t *out)
{
    if (off > t->n || t->n - off < 4)
        return 0;
    const unsigned char *q = t->p + off;
    if (t->big_endian)
        *out = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
    else
        *out = (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
    return 1;
}

/* Orientation tag (0x0112) of IFD0 in an APP1 payload, or 1 when absent or unreadable.
 * Like OpenCV, the payload's first 6 bytes ("Exif\0\0") are skipped, the TIFF header must carry a
 * byte order mark and 42, the first orientation entry counts, and an IFD running past the data
 * voids the whole block. */
static unsigned exif_orientation(const unsigned char *app1, size_t len)
{
    if (len <= 6)
        return 1;
    tiff_view t = { app1 + 6, len - 6, 0 };
    if (t.n < 8)
        return 1;
    if (t.p[0] == 'I' && t.p[1] == 'I')
        t.big_endian = 0;
    else if (t.p[0] == 'M' && t.p[1] == 'M')
        t.big_endian = 1;
    else
        return 1;
    unsigned mark, count;
    uint32_t ifd;
    if (!tiff_u16(&t, 2, &mark) || mark != 42 || !tiff_u32(&t, 4, &ifd) ||
        !tiff_u16(&t, ifd, &count))
        return 1;
    size_t first = (size_t)ifd + 2;
    if (first > t.n || (t.n - first) / 12 < count)
        return 1;
    for (unsigned i = 0; i < count; i++) {
        size_t e = first + (size_t)i * 12;
        unsigned tag, value;
        if (!tiff_u16(&t, e, &tag))
            return 1;
        if (tag == 0x0112)
            return tiff_u16(&t, e + 8, &value) ? value : 1;
    }
    return 1;
}

/* Walks the JPEG markers before the first scan the way libjpeg's marker reader (jdmarker.c) does,
 * and reads the first APP1 segment it saves, which is the one OpenCV reads the orientation from:
 * bytes that are no marker are discarded up to the next FF (next_marker), FF fill bytes swallowed,
 * a stuffed zero (FF 00) discarded, and a segment whose length word is under 2 (a "bogus length
 * word") is not saved, reading going on right after it (save_marker, skip_variable). Returns 1 (no
 * change) for non-JPEG data or when nothing is found. */
static unsigned jpeg_orientation(const unsigned char *p, size_t n)
{
    if (n < 4 || p[0] != 0xFF || p[1] != 0xD8)
        return 1;
    size_t i = 2;
    for (;;) {
        while (i < n && p[i] != 0xFF)
            i++; /* not a marker: libjpeg discards it (with a warning) */
        while (i < n && p[i] == 0xFF)
            i++; /* the FF and its fill bytes */
        if (i >= n)
            return 1;
        unsigned m = p[i++];
        if (m == 0x00 || m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7))
            continue; /* a stuffed zero, or a marker without a payload */
        if (m == 0xDA || m == 0xD9)
            return 1; /* image data or the end: no APP1 before it */
        if (n - i < 2)
            return 1;
        size_t seg = (size_t)p[i] << 8 | p[i + 1];
        if (seg < 2) {
            i += 2; /* bogus length word: nothing saved, read on after it */
            continue;
        }
        if (seg > n - i)
            return 1;
        if (m == 0xE1)
            return exif_orientation(p + i + 2, seg - 2);
        i += seg;
    }
}

/* New w x h RGB buffer holding src re-oriented per EXIF value o (2..8), as cv2's
 * ApplyExifOrientation does with flip/transpose. *ow, *oh receive the new size. */
static unsigned char *apply_orientation(const unsigned char *src, int w, int h, unsigned o, int *ow,
                                        int *oh)
{
    int swap = o >= 5;
    int W = swap ? h : w, H = swap ? w : h;
    size_t bytes;
    if (!gy_mul_size((size_t)w * (size_t)h, 3, &bytes))
        return NULL;
    unsigned char *dst = malloc(bytes);
    if (!dst)
        return NULL;
    for (int y = 0; y < H; y++) {
        unsigned char *d = dst + (size_t)y * (size_t)W * 3;
        for (int x = 0; x < W; x++) {
            int sx, sy;
            switch (o) {
            case 2: sx = w - 1 - x; sy = y; break;             /* mirror left-right */
            case 3: sx = w - 1 - x; sy = h - 1 - y; break;     /* rotate 180 */
            case 4: sx = x; sy = h - 1 - y; break;             /* mirror top-bottom */
            case 5: sx = y; sy = x; break;                     /* transpose */
            case 6: sx = y; sy = h - 1 - x; break;             /* rotate 90 clockwise */
            case 7: sx = w - 1 - y; sy = h - 1 - x; break;     /* transverse */
            default: sx = w - 1 - y; sy = x; break;            /* 8: rotate 90 counter-clockwise */
            }
            const unsigned char *s = src + ((size_t)sy * (size_t)w + (size_t)sx) * 3;
            d[3 * x] = s[0];
            d[3 * x + 1] = s[1];
            d[3 * x + 2] = s[2];
        }
    }
    *ow = W;
    *oh = H;
    return dst;
}

/* ------------------------------------------------------------------------------------------------ */

/* Width and height from the header of a PNG (IHDR, first chunk as the format requires), BMP
 * (BITMAPCOREHEADER or later) or GIF (logical screen). Used to explain a refusal when stb_image
 * rejects a header as too large: its stbi_info then reports only "too large" or "unknown image
 * type". Returns the format's name, or NULL when p is none of these. */
static const char *header_size(const unsigned char *p, size_t n, uint32_t *w, uint32_t *h)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    if (n >= 24 && memcmp(p, sig, 8) == 0 && memcmp(p + 12, "IHDR", 4) == 0) {
        *w = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
        *h = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
        return "PNG";
    }
    if (n >= 26 && p[0] == 'B' && p[1] == 'M') {
        uint32_t hs = (uint32_t)p[17] << 24 | (uint32_t)p[16] << 16 | (uint32_t)p[15] << 8 | p[14];
        if (hs == 12) {
            *w = (uint32_t)p[19] << 8 | p[18];
            *h = (uint32_t)p[21] << 8 | p[20];
            return "BMP";
        }
        if (n < 26 + 4)
            return NULL;
        *w = (uint32_t)p[21] << 24 | (uint32_t)p[20] << 16 | (uint32_t)p[19] << 8 | p[18];
        uint32_t hh = (uint32_t)p[25] << 24 | (uint32_t)p[24] << 16 | (uint32_t)p[23] << 8 | p[22];
        *h = (hh & 0x80000000u) ? 0u - hh : hh; /* negative height: rows stored top-down */
        return "BMP";
    }
    if (n >= 10 && memcmp(p, "GIF8", 4) == 0) {
        *w = (uint32_t)p[7] << 8 | p[6];
        *h = (uint32_t)p[9] << 8 | p[8];
        return "GIF";
    }
    return NULL;
}

/* A BMP whose uncompressed pixel rows (BI_RGB or bitfields, 4-byte aligned) do not fit in the
 * file: stb_image would decode the missing rows as zeros (a 2 KB file claiming 54 megapixels,
 * found by fuzz_image), where cv2.imread refuses a truncated file. Fills *need with the bytes the
 * header asks for; returns 1 when the file is shorter. RLE and other compressions are stb's. */
static int bmp_truncated(const unsigned char *p, size_t n, int w, int h, unsigned long long *need)
{
    if (n < 30 || p[0] != 'B' || p[1] != 'M')
        return 0;
    uint32_t off = (uint32_t)p[13] << 24 | (uint32_t)p[12] << 16 | (uint32_t)p[11] << 8 | p[10];
    uint32_t hs = (uint32_t)p[17] << 24 | (uint32_t)p[16] << 16 | (uint32_t)p[15] << 8 | p[14];
    unsigned bpp;
    if (hs == 12) { /* BITMAPCOREHEADER: no compression field */
        bpp = (unsigned)p[25] << 8 | p[24];
    } else {
        if (n < 34)
            return 0;
        bpp = (unsigned)p[29] << 8 | p[28];
        uint32_t comp = (uint32_t)p[33] << 24 | (uint32_t)p[32] << 16 | (uint32_t)p[31] << 8 | p[30];
        if (comp != 0 && comp != 3 && comp != 6) /* BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS */
            return 0;
    }
    unsigned long long row = ((unsigned long long)w * bpp + 31) / 32 * 4;
    *need = (unsigned long long)off + row * (unsigned long long)h;
    return *need > (unsigned long long)n;
}

static const char *stb_reason(void)
{
    return gy_stb_failure_reason();
}

/* What a file none of the decoders reads is, in words, when its first bytes say: a video, or an
 * image format not read here; NULL otherwise. */
static const char *unsupported_kind(const unsigned char *p, size_t n)
{
    if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0) {
        if (!memcmp(p + 8, "heic", 4) || !memcmp(p + 8, "heix", 4) || !memcmp(p + 8, "mif1", 4) ||
            !memcmp(p + 8, "msf1", 4))
            return "a HEIC/HEIF image: not supported";
        if (!memcmp(p + 8, "avif", 4) || !memcmp(p + 8, "avis", 4))
            return "an AVIF image: not supported";
        return "a video file (MP4/MOV), not an image";
    }
    if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "AVI ", 4) == 0)
        return "a video file (AVI), not an image";
    static const unsigned char mkv[4] = {0x1a, 0x45, 0xdf, 0xa3};
    static const unsigned char asf[8] = {0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11};
    static const unsigned char mpg_ps[4] = {0, 0, 1, 0xba}, mpg_es[4] = {0, 0, 1, 0xb3};
    if (n >= 4 && memcmp(p, mkv, 4) == 0)
        return "a video file (Matroska/WebM), not an image";
    if (n >= 8 && memcmp(p, asf, 8) == 0)
        return "a video file (ASF/WMV), not an image";
    if (n >= 4 && (memcmp(p, mpg_ps, 4) == 0 || memcmp(p, mpg_es, 4) == 0))
        return "a video file (MPEG), not an image";
    if (n > 188 && p[0] == 0x47 && p[188] == 0x47)
        return "a video file (MPEG transport stream), not an image";
    if (n >= 3 && p[0] == 'P' && (p[1] == 'F' || p[1] == 'f') && (p[2] == '\n' || p[2] == '\r'))
        return "a PFM (portable float map) image: not supported";
    if (n >= 3 && p[0] == 'P' && p[1] >= '1' && p[1] <= '7' && (p[2] == '\n' || p[2] == ' ' ||
                                                              p[2] == '\r' || p[2] == '\t'))
        return "a PNM/PPM/PGM image: not supported";
    if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
        return "a PDF document, not an image";
    return NULL;
}

/* The chunk walk stb_image does not do before allocating: NULL when p is not a PNG or its chunks
 * are sound, else why not. stb_image reallocates its IDAT buffer to a chunk's claimed length
 * before reading it (a 2 KB file claiming a 1 GB IDAT made it allocate 2 GB), and offsets its
 * still-NULL buffer for an empty first IDAT (undefined behaviour); both found by fuzz_image. */
static const char *png_chunk_problem(const unsigned char *p, size_t n)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    if (n < 8 || memcmp(p, sig, 8) != 0)
        return NULL;
    size_t i = 8;
    int data_seen = 0;
    while (n - i >= 8) {
        uint32_t len = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
        int idat = memcmp(p + i + 4, "IDAT", 4) == 0;
        if (len > n - i - 8 || n - i - 8 - len < 4)
            return "a PNG chunk runs past the end of the file (truncated or corrupt)";
        if (idat && len == 0 && !data_seen)
            return "PNG whose first IDAT chunk is empty (not supported)";
        data_seen |= idat && len > 0;
        if (memcmp(p + i + 4, "IEND", 4) == 0)
            return NULL;
        i += 12 + (size_t)len;
    }
    return NULL;
}

/* PNG, BMP, GIF (first frame) and the other stb_image formats, to RGB as cv2's IMREAD_COLOR:
 * alpha dropped (not composited), grey repeated, 16-bit samples reduced by >> 8 (what both
 * stb_image and libpng's png_set_strip_16 do). The header is checked against the pixel cap first.
 * *pixels is stb-allocated (stbi_image_free). */
static gy_status stb_decode(const char *path, const unsigned char *file, size_t size,
                            unsigned char **pixels, int *width, int *height, gy_error *err)
{
    /* size <= 1 GiB fits stb's int length */
    int w = 0, h = 0, comp = 0;
    if (!gy_stb_info(file, size, &w, &h, &comp)) {
        const char *why = stb_reason();
        uint32_t hw, hh;
        const char *kind = header_size(file, size, &hw, &hh);
        if (kind && (unsigned long long)hw * hh > (unsigned long long)GY_IMAGE_MAX_PIXELS)
            return gy_fail(err, GY_ERR_UNSUPPORTED,
                           "%s: %lux%lu %s has more than the %lld pixels allowed", path,
                           (unsigned long)hw, (unsigned long)hh, kind, (long long)GY_IMAGE_MAX_PIXELS);
        if (kind && (hw > GY_IMAGE_MAX_SIDE || hh > GY_IMAGE_MAX_SIDE))
            return gy_fail(err, GY_ERR_UNSUPPORTED,
                           "%s: %lux%lu %s: image dimensions too large to decode (a side over %d)", path,
                           (unsigned long)hw, (unsigned long)hh, kind, GY_IMAGE_MAX_SIDE);
        if (strcmp(why, "too large") == 0)
            return gy_fail(err, GY_ERR_UNSUPPORTED,
                           "%s: image dimensions too large to decode (stb_image: %s)", path, why);
        if (strcmp(why, "unknown image type") == 0) /* stb tried PNG, BMP and GIF, the others */
            return gy_fail(err, GY_ERR_FORMAT, "%s: not a readable image (not JPEG, PNG, BMP, GIF, "
                           "WebP or TIFF)", path);     /* were ruled out by their signatures */
        return gy_fail(err, GY_ERR_FORMAT, "%s: not a readable image (stb_image: %s)", path, why);
    }
    if (w <= 0 || h <= 0)
        return gy_fail(err, GY_ERR_FORMAT, "%s: image has a zero dimension (%dx%d)", path, w, h);
    if ((long long)w * (long long)h > GY_IMAGE_MAX_PIXELS)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: %dx%d image has more than the %lld pixels allowed",
                       path, w, h, (long long)GY_IMAGE_MAX_PIXELS);
    if (size >= 6 && memcmp(file, "GIF8", 4) == 0 &&
        (unsigned long long)w * (unsigned long long)h > (unsigned long long)size * GY_GIF_MAX_PIXELS_PER_BYTE)
        return gy_fail(err, GY_ERR_FORMAT,
                       "%s: %dx%d GIF from %zu bytes claims more than %d pixels per byte (a decompression "
                       "bomb?)", path, w, h, size, GY_GIF_MAX_PIXELS_PER_BYTE);
    unsigned long long bmp_need = 0;
    if (bmp_truncated(file, size, w, h, &bmp_need))
        return gy_fail(err, GY_ERR_FORMAT, "%s: a truncated BMP: its %dx%d pixels need %llu bytes, "
                       "the file has %zu", path, w, h, bmp_need, size);
    const char *png_bad = png_chunk_problem(file, size);
    if (png_bad)
        return gy_fail(err, GY_ERR_FORMAT, "%s: %s", path, png_bad);
    int dw = 0, dh = 0;
    unsigned char *px = gy_stb_load_rgb(file, size, &dw, &dh);
    if (!px) {
        const char *why = stb_reason();
        if (strcmp(why, "outofmem") == 0)
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory decoding a %dx%d image", path, w, h);
        return gy_fail(err, GY_ERR_FORMAT, "%s: cannot decode image (stb_image: %s)", path, why);
    }
    if (dw != w || dh != h) {
        gy_stb_free(px);
        return gy_fail(err, GY_ERR_FORMAT, "%s: header says %dx%d but the decoder produced %dx%d",
                       path, w, h, dw, dh);
    }
    *pixels = px;
    *width = w;
    *height = h;
    return GY_OK;
}

gy_status gy_image_decode_memory(const unsigned char *file, size_t size, const char *path,
                                 gy_image **out, gy_error *err)
{
    if (out)
        *out = NULL;
    if (!out || (!file && size))
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_image_decode_memory: NULL %s", !out ? "output pointer" : "data");
    if (!path)
        path = "<memory>";
    if (size == 0)
        return gy_fail(err, GY_ERR_FORMAT, "%s: empty file, not an image", path);
    if (size > GY_IMAGE_MAX_FILE_BYTES)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: %zu bytes, more than the %zu allowed for an image file",
                       path, size, (size_t)GY_IMAGE_MAX_FILE_BYTES);
    gy_status st;
    /* JPEG as cv2 decodes it (libjpeg-turbo), WebP through libwebp, the rest through stb_image. */
    unsigned orientation = 1;
    unsigned char *pixels = NULL;
    const char *what;
    int w = 0, h = 0, from_stb = 0;
    if (gy_jpeg_is_jpeg(file, size)) {
        st = gy_jpeg_decode(path, file, size, GY_IMAGE_MAX_PIXELS, &pixels, &w, &h, err);
        orientation = jpeg_orientation(file, size);
    } else if (gy_webp_is_webp(file, size)) {
        st = gy_webp_decode(path, file, size, GY_IMAGE_MAX_PIXELS, &pixels, &w, &h, err);
    } else if (gy_tiff_is_tiff(file, size)) {
        st = gy_tiff_decode(path, file, size, GY_IMAGE_MAX_PIXELS, &pixels, &w, &h, err);
    } else if ((what = unsupported_kind(file, size)) != NULL) {
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: %s", path, what);
    } else {
        st = stb_decode(path, file, size, &pixels, &w, &h, err);
        from_stb = 1;
    }
    if (st != GY_OK)
        return st;

    gy_image_owned *img = malloc(sizeof *img);
    if (!img) {
        if (from_stb)
            gy_stb_free(pixels);
        else
            free(pixels);
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate the image", path);
    }
    img->image.width = w;
    img->image.height = h;
    img->image.data = pixels;
    img->from_stb = from_stb;
    if (orientation >= 2 && orientation <= 8) {
        int ow, oh;
        unsigned char *turned = apply_orientation(pixels, w, h, orientation, &ow, &oh);
        if (!turned) {
            gy_image_free(&img->image);
            return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate %dx%d pixels for the EXIF rotation",
                           path, w, h);
        }
        free(pixels); /* from the JPEG decoder: malloc'd */
        img->image.width = ow;
        img->image.height = oh;
        img->image.data = turned;
    }
    *out = &img->image;
    return GY_OK;
}

gy_status gy_image_load(const char *path, gy_image **out, gy_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_image_load: NULL %s", !path ? "path" : "output pointer");
    unsigned char *file;
    size_t size;
    gy_status st = gy_read_file(path, GY_IMAGE_MAX_FILE_BYTES, &file, &size, err);
    if (st != GY_OK)
        return st;
    st = gy_image_decode_memory(file, size, path, out, err);
    free(file);
    return st;
}

void gy_image_free(gy_image *image)
{
    if (!image)
        return;
    gy_image_owned *img = (gy_image_owned *)image;
    if (img->from_stb)
        gy_stb_free(img->image.data);
    else
        free(img->image.data);
    free(img);
}

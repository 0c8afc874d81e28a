/* tiff_decode.c - libtiff decoding from memory to RGB, the size checked first (see tiff_decode.h). */
#include "preprocess/tiff_decode.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tiffio.h>

#include "core/error.h"

/* Most bytes libtiff may allocate at once for one file (its own cap is 256 MiB): the RGBA raster
 * of the largest image allowed, plus room. */
#define TIFF_MAX_ALLOC ((tmsize_t)1 << 30)

int gy_tiff_is_tiff(const unsigned char *data, size_t size)
{
    if (size < 4)
        return 0;
    return (data[0] == 'I' && data[1] == 'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0) ||
           (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43));
}

/* The file in memory, read through libtiff's client procedures, and libtiff's first message. */
typedef struct tiff_mem {
    const unsigned char *data;
    size_t size, pos;
    const char *path;
    char why[200];
} tiff_mem;

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t n)
{
    tiff_mem *m = h;
    if (n < 0)
        return -1;
    size_t left = m->size - m->pos, want = (size_t)n;
    if (want > left)
        want = left;
    memcpy(buf, m->data + m->pos, want);
    m->pos += want;
    return (tmsize_t)want;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t n)
{
    (void)h;
    (void)buf;
    (void)n;
    return -1; /* read only */
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence)
{
    tiff_mem *m = h;
    uint64_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->size : 0;
    if (off > UINT64_MAX - base || base + off > m->size)
        return (toff_t)-1;
    m->pos = (size_t)(base + off);
    return m->pos;
}

static int mem_close(thandle_t h)
{
    (void)h;
    return 0;
}

static toff_t mem_size(thandle_t h)
{
    return ((tiff_mem *)h)->size;
}

static int mem_map(thandle_t h, void **base, toff_t *size)
{
    (void)h;
    (void)base;
    (void)size;
    return 0; /* not mapped: libtiff reads through mem_read */
}

static void mem_unmap(thandle_t h, void *base, toff_t size)
{
    (void)h;
    (void)base;
    (void)size;
}

/* Keeps libtiff's first error (warnings are dropped); returning 1 keeps it off stderr. */
static int on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)module;
    tiff_mem *m = user;
    if (m->why[0])
        return 1;
    vsnprintf(m->why, sizeof m->why, fmt, ap);
    /* libtiff often starts with the file's name, which our message gives already */
    size_t n = strlen(m->path);
    if (strncmp(m->why, m->path, n) == 0 && m->why[n] == ':' && m->why[n + 1] == ' ')
        memmove(m->why, m->why + n + 2, strlen(m->why + n + 2) + 1);
    return 1;
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)user;
    (void)module;
    (void)fmt;
    (void)ap;
    return 1;
}

/* The image through libtiff's RGBA reader, oriented top-left: 1 when done, 0 when libtiff fails,
 * -1 out of memory. */
static int read_rgba(TIFF *tif, int w, int h, unsigned char *rgb)
{
    uint32_t *raster = malloc((size_t)w * (size_t)h * sizeof *raster);
    if (!raster)
        return -1;
    int ok = TIFFReadRGBAImageOriented(tif, (uint32_t)w, (uint32_t)h, raster, ORIENTATION_TOPLEFT, 1);
    for (size_t i = 0; ok && i < (size_t)w * (size_t)h; i++) {
        rgb[3 * i] = (unsigned char)TIFFGetR(raster[i]);
        rgb[3 * i + 1] = (unsigned char)TIFFGetG(raster[i]);
        rgb[3 * i + 2] = (unsigned char)TIFFGetB(raster[i]);
    }
    free(raster);
    return ok;
}

gy_status gy_tiff_decode(const char *path, const unsigned char *data, size_t size,
                         long long max_pixels, unsigned char **rgb, int *width, int *height,
                         gy_error *err)
{
    *rgb = NULL;
    *width = *height = 0;
    tiff_mem m = {data, size, 0, path, ""};
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory opening the TIFF", path);
    TIFFOpenOptionsSetMaxSingleMemAlloc(opts, TIFF_MAX_ALLOC);
    TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, &m);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, &m);
    /* "m": never mapped */
    TIFF *tif = TIFFClientOpenExt(path, "rm", &m, mem_read, mem_write, mem_seek, mem_close, mem_size,
                                  mem_map, mem_unmap, opts);
    TIFFOpenOptionsFree(opts);
    if (!tif)
        return gy_fail(err, GY_ERR_FORMAT, "%s: not a readable TIFF (%s)", path,
                       m.why[0] ? m.why : "libtiff cannot open it");
    uint32_t w = 0, h = 0;
    uint16_t fmt = SAMPLEFORMAT_UINT;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &fmt);
    gy_status st = GY_OK;
    if (w == 0 || h == 0) {
        st = gy_fail(err, GY_ERR_FORMAT, "%s: TIFF with a zero dimension (%ux%u)", path, (unsigned)w,
                     (unsigned)h);
    } else if (w > INT_MAX || h > INT_MAX || (long long)w * (long long)h > max_pixels) {
        st = gy_fail(err, GY_ERR_UNSUPPORTED, "%s: %ux%u TIFF has more than the %lld pixels allowed",
                     path, (unsigned)w, (unsigned)h, max_pixels);
    } else if (fmt == SAMPLEFORMAT_IEEEFP) {
        st = gy_fail(err, GY_ERR_UNSUPPORTED, "%s: TIFF of floating-point samples (not supported)",
                     path);
    }
    unsigned char *out = NULL;
    if (st == GY_OK && !(out = malloc((size_t)w * (size_t)h * 3)))
        st = gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate %ux%u pixels", path, (unsigned)w,
                     (unsigned)h);
    if (st == GY_OK) {
        char emsg[1024] = "";
        int ok = TIFFRGBAImageOK(tif, emsg) ? read_rgba(tif, (int)w, (int)h, out) : 0;
        if (ok < 0) {
            st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory decoding a %ux%u TIFF", path,
                         (unsigned)w, (unsigned)h);
            free(out);
            out = NULL;
        } else if (!ok) {
            const char *why = m.why[0] ? m.why : emsg[0] ? emsg : "cannot decode it";
            st = gy_fail(err, emsg[0] && !m.why[0] ? GY_ERR_UNSUPPORTED : GY_ERR_FORMAT,
                         "%s: not a readable TIFF (%s)", path, why);
            free(out);
            out = NULL;
        }
    }
    TIFFClose(tif);
    if (st != GY_OK)
        return st;
    *rgb = out;
    *width = (int)w;
    *height = (int)h;
    return GY_OK;
}

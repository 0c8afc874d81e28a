/* png_encode.c - RGB PNG: signature, IHDR, one IDAT of the deflated filtered rows, IEND. */
#include "postprocess/png_encode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PNG_MAX_PIXELS (1LL << 26)

gy_png_options gy_png_options_cv2(void)
{
    return (gy_png_options){GY_PNG_FILTER_SUB, Z_BEST_SPEED, Z_RLE};
}

gy_png_options gy_png_options_plot(void)
{
    return (gy_png_options){GY_PNG_FILTER_NONE, 6, Z_DEFAULT_STRATEGY};
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A chunk: length, type, data, CRC-32 of type and data. */
static void chunk(gy_strbuf *b, const char *type, const unsigned char *data, size_t n)
{
    unsigned char len[4], crc[4];
    put_be32(len, (uint32_t)n);
    gy_strbuf_put(b, (const char *)len, 4);
    gy_strbuf_put(b, type, 4);
    if (n)
        gy_strbuf_put(b, (const char *)data, n);
    uLong c = crc32(0L, (const Bytef *)type, 4);
    if (n)
        c = crc32_z(c, data, n);
    put_be32(crc, (uint32_t)c);
    gy_strbuf_put(b, (const char *)crc, 4);
}

static gy_status nomem(gy_error *err, const char *path)
{
    return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory encoding the PNG", path);
}

int gy_png_size_ok(int width, int height)
{
    return width >= 1 && height >= 1 && (long long)width * height <= PNG_MAX_PIXELS;
}

gy_status gy_png_encode(int width, int height, gy_png_row_fn row, void *ctx,
                        const gy_png_options *o, gy_strbuf *out, const char *path, gy_error *err)
{
    if (!gy_png_size_ok(width, height))
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: cannot encode a %dx%d PNG (1 to 2^26 pixels)",
                       path, width, height);
    if (o->filter != GY_PNG_FILTER_NONE && o->filter != GY_PNG_FILTER_SUB)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: PNG filter %d is not none (0) or Sub (1)", path,
                       (int)o->filter);
    const size_t rowbytes = 3 * (size_t)width;
    unsigned char *line = malloc(2 * rowbytes + 1); /* the row, then the filtered row */
    if (!line)
        return nomem(err, path);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    int zr = deflateInit2(&zs, o->level, Z_DEFLATED, 15, 8, o->strategy);
    if (zr != Z_OK) {
        free(line);
        return zr == Z_MEM_ERROR ? nomem(err, path)
                                 : gy_fail(err, GY_ERR_ARGUMENT,
                                           "%s: zlib refused level %d, strategy %d", path, o->level,
                                           o->strategy);
    }
    gy_strbuf z = {0}; /* the deflated rows */
    unsigned char buf[1 << 16];
    unsigned char *raw = line, *f = line + rowbytes;
    for (int y = 0; y < height && !z.bad; y++) {
        row(ctx, y, raw);
        f[0] = (unsigned char)o->filter;
        if (o->filter == GY_PNG_FILTER_SUB) {
            memcpy(f + 1, raw, 3); /* the first pixel's left neighbour is 0 */
            for (size_t i = 3; i < rowbytes; i++)
                f[1 + i] = (unsigned char)(raw[i] - raw[i - 3]);
        } else {
            memcpy(f + 1, raw, rowbytes);
        }
        zs.next_in = f;
        zs.avail_in = (uInt)(rowbytes + 1);
        const int flush = y == height - 1 ? Z_FINISH : Z_NO_FLUSH;
        do {
            zs.next_out = buf;
            zs.avail_out = sizeof buf;
            zr = deflate(&zs, flush);
            gy_strbuf_put(&z, (const char *)buf, sizeof buf - zs.avail_out);
        } while (zs.avail_out == 0 && !z.bad);
    }
    deflateEnd(&zs);
    free(line);
    if (z.bad || zr != Z_STREAM_END) { /* (with its memory set up, deflate cannot fail) */
        free(z.s);
        return nomem(err, path);
    }
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char ihdr[13] = {0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0}; /* 8 bits, RGB, deflate,
                                                                        filters, no interlace */
    put_be32(ihdr, (uint32_t)width);
    put_be32(ihdr + 4, (uint32_t)height);
    gy_strbuf_put(out, (const char *)sig, sizeof sig);
    chunk(out, "IHDR", ihdr, sizeof ihdr);
    chunk(out, "IDAT", (const unsigned char *)z.s, z.len);
    chunk(out, "IEND", NULL, 0);
    free(z.s);
    return out->bad ? nomem(err, path) : GY_OK;
}

typedef struct rgb_rows {
    const unsigned char *rgb;
    size_t stride, rowbytes;
} rgb_rows;

static void rgb_row(void *ctx, int y, unsigned char *dst)
{
    const rgb_rows *r = ctx;
    memcpy(dst, r->rgb + (size_t)y * r->stride, r->rowbytes);
}

gy_status gy_png_encode_rgb(const unsigned char *rgb, int width, int height, size_t stride,
                            const gy_png_options *o, gy_strbuf *out, const char *path,
                            gy_error *err)
{
    rgb_rows r = {rgb, stride, 3 * (size_t)(width > 0 ? width : 0)};
    return gy_png_encode(width, height, rgb_row, &r, o, out, path, err);
}

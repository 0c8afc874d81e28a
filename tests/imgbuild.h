/* imgbuild.h - small in-memory image builders for the preprocess/ contract tests: a growing byte
 * buffer, big-endian fields, PNG chunks with their CRC, a PNG signature + IHDR, and a decode of
 * bytes through gy_image_decode_memory that checks the status, the message and the image pointer.
 * Header-only (static functions): each test file uses what it needs. */
#ifndef GY_TEST_IMGBUILD_H
#define GY_TEST_IMGBUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "preprocess/image.h"
#include "testutil.h"

typedef struct ib_buf {
    unsigned char *p;
    size_t n, cap;
} ib_buf;

static inline void ib_put(ib_buf *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2 + 64;
        unsigned char *q = realloc(b->p, cap);
        ck_assert_ptr_nonnull(q);
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, data, n);
    b->n += n;
}

static inline void ib_byte(ib_buf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    ib_put(b, &c, 1);
}

static inline void ib_be16(ib_buf *b, unsigned v)
{
    ib_byte(b, v >> 8);
    ib_byte(b, v);
}

static inline void ib_be32(ib_buf *b, uint32_t v)
{
    ib_byte(b, v >> 24);
    ib_byte(b, v >> 16);
    ib_byte(b, v >> 8);
    ib_byte(b, v);
}

static inline void ib_le16(ib_buf *b, unsigned v)
{
    ib_byte(b, v);
    ib_byte(b, v >> 8);
}

static inline void ib_le32(ib_buf *b, uint32_t v)
{
    ib_le16(b, v & 0xFFFFu);
    ib_le16(b, v >> 16);
}

static inline void ib_stb_write(void *ctx, void *data, int size) { ib_put(ctx, data, (size_t)size); }

static inline uint32_t ib_crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

/* A PNG chunk: length, type, data, CRC of type and data. */
static inline void ib_png_chunk(ib_buf *b, const char *type, const void *data, uint32_t n)
{
    size_t at = b->n;
    ib_be32(b, n);
    ib_put(b, type, 4);
    ib_put(b, data, n);
    ib_be32(b, ib_crc32(b->p + at + 4, (size_t)n + 4));
}

/* PNG signature and an IHDR chunk claiming w x h at the bit depth and colour type given. */
static inline void ib_png_head(ib_buf *b, uint32_t w, uint32_t h, int depth, int colour)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    ib_put(b, sig, 8);
    unsigned char ihdr[13] = {0};
    for (int i = 0; i < 4; i++) {
        ihdr[i] = (unsigned char)(w >> (24 - 8 * i));
        ihdr[4 + i] = (unsigned char)(h >> (24 - 8 * i));
    }
    ihdr[8] = (unsigned char)depth;
    ihdr[9] = (unsigned char)colour;
    ib_png_chunk(b, "IHDR", ihdr, 13);
}

/* Decodes data[0..n) from memory under the name "t.img"; checks the status, that the message names
 * the file and holds `frag` (when failing), and that the image pointer matches the status. Returns
 * the image (NULL on failure; caller frees). */
static inline gy_image *ib_decode_expect(const void *data, size_t n, gy_status want, const char *frag,
                                  const char *what)
{
    gy_image *img = (gy_image *)&img; /* must come back NULL on failure */
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_status st = gy_image_decode_memory(data, n, "t.img", &img, &err);
    ck_assert_msg(st == want, "%s: status %s, expected %s (%s)", what, gy_status_str(st),
                  gy_status_str(want), err.message);
    if (st != GY_OK) {
        ck_assert_msg(img == NULL, "%s: image pointer not reset", what);
        ck_assert_msg(strstr(err.message, "t.img: ") == err.message && !strstr(err.message + 1, "t.img"),
                      "%s: the file is not named once, first: %s", what, err.message);
        ck_assert_msg(strstr(err.message, frag) != NULL, "%s: '%s' not in: %s", what, frag, err.message);
        return NULL;
    }
    ck_assert_msg(img != NULL && img->data != NULL, "%s: no image", what);
    return img;
}

#endif

/* util.h - small checked helpers shared by the whole library: sizes, files, strings. */
#ifndef GY_CORE_UTIL_H
#define GY_CORE_UTIL_H

#include <stddef.h>

#include "ghostyolo.h"

/* *out = a * b; returns 0 on overflow. */
int gy_mul_size(size_t a, size_t b, size_t *out);

/* Reads a whole file into a new NUL-terminated buffer (caller frees). Refuses files over max_bytes.
 * Errors name the path. */
gy_status gy_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *size,
                       gy_error *err);

/* Writes data to path through "<path>.tmp.<pid>" and rename(), so no half-written file remains. */
gy_status gy_write_file_atomic(const char *path, const void *data, size_t size, gy_error *err);

/* Python 3's round() of a float: nearest integer, ties to even, whatever the FP rounding mode.
 * ultralytics' scaling, letterbox and plotting rules use it. */
double gy_py_round(double x);

/* strdup that returns NULL on allocation failure (C11 has no strdup). */
char *gy_strdup(const char *s);

/* The file name without folders and without the last extension, into buf. */
void gy_path_stem(const char *path, char *buf, size_t bufsize);

/* The offset of the first invalid UTF-8 sequence in s[0, n), or n when the text is valid. Overlong
 * forms, surrogates and code points above U+10FFFF are invalid. */
size_t gy_utf8_invalid_at(const unsigned char *s, size_t n);

/* A growing NUL-terminated text: start from {0} (or with .limit set); after a failure every put is
 * ignored and bad says why. The caller frees s. */
typedef struct gy_strbuf {
    char *s;
    size_t len, cap;
    size_t limit; /* most bytes of text; 0 = SIZE_MAX / 4 */
    int bad;      /* 0, GY_STRBUF_TOO_LONG or GY_STRBUF_NOMEM */
} gy_strbuf;
#define GY_STRBUF_TOO_LONG 1
#define GY_STRBUF_NOMEM 2
void gy_strbuf_put(gy_strbuf *b, const char *s, size_t n);
void gy_strbuf_str(gy_strbuf *b, const char *s);

#endif

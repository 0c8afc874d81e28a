#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

int gy_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

gy_status gy_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *size,
                       gy_error *err)
{
    *data = NULL;
    *size = 0;
    /* before opening: fopen takes a folder (its size then reads as LONG_MAX) and waits on a
     * FIFO without a writer */
    struct stat sb;
    if (stat(path, &sb) != 0)
        return gy_fail(err, GY_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return gy_fail(err, GY_ERR_IO, "%s: is a directory, not a regular file", path);
    if (!S_ISREG(sb.st_mode))
        return gy_fail(err, GY_ERR_IO, "%s: not a regular file", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return gy_fail(err, GY_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return gy_fail(err, GY_ERR_IO, "%s: cannot seek (not a regular file?)", path);
    }
    long len = ftell(f);
    if (len < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return gy_fail(err, GY_ERR_IO, "%s: cannot tell its size", path);
    }
    if ((unsigned long)len > max_bytes) {
        fclose(f);
        return gy_fail(err, GY_ERR_FORMAT, "%s: file is %ld bytes, more than the %zu allowed", path,
                       len, max_bytes);
    }
    unsigned char *buf = malloc((size_t)len + 1);
    if (!buf) {
        fclose(f);
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate %ld bytes", path, len);
    }
    size_t got = fread(buf, 1, (size_t)len, f);
    int rerr = ferror(f);
    fclose(f);
    if (got != (size_t)len || rerr) {
        free(buf);
        return gy_fail(err, GY_ERR_IO, "%s: read %zu of %ld bytes", path, got, len);
    }
    buf[len] = '\0';
    *data = buf;
    *size = (size_t)len;
    return GY_OK;
}

gy_status gy_write_file_atomic(const char *path, const void *data, size_t size, gy_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return gy_fail(err, GY_ERR_IO, "%s: is a directory, not a file to write", path);
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate a temporary name", path);
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        /* the temporary name is ours, not the user's: name the file asked for */
        gy_status st = gy_fail(err, GY_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        free(tmp);
        return st;
    }
    errno = 0;
    size_t put = size ? fwrite(data, 1, size, f) : 0;
    int bad = put != size || fflush(f) != 0;
    int saved = errno;
    if (fclose(f) != 0) {
        bad = 1;
        if (!saved)
            saved = errno;
    }
    if (bad) {
        remove(tmp);
        free(tmp);
        return gy_fail(err, GY_ERR_IO, "%s: write failed (%s)", path,
                       saved ? strerror(saved) : "disk full?");
    }
    if (rename(tmp, path) != 0) {
        gy_status st = gy_fail(err, GY_ERR_IO, "%s: cannot move the written file into place: %s",
                               path, strerror(errno));
        remove(tmp);
        free(tmp);
        return st;
    }
    free(tmp);
    return GY_OK;
}

char *gy_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void gy_path_stem(const char *path, char *buf, size_t bufsize)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (len >= bufsize)
        len = bufsize - 1;
    memcpy(buf, base, len);
    buf[len] = '\0';
}

double gy_py_round(double x)
{
    double f = floor(x);
    double d = x - f;
    if (d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0.0))
        f += 1.0;
    return f;
}

size_t gy_utf8_invalid_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return i;
        }
        if (n - i < len)
            return i;
        for (size_t k = 1; k < len; k++) {
            unsigned cc = s[i + k];
            if ((cc & 0xC0u) != 0x80u)
                return i;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

void gy_strbuf_put(gy_strbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    size_t limit = b->limit ? b->limit : SIZE_MAX / 4;
    if (b->len > limit || n > limit - b->len) {
        b->bad = GY_STRBUF_TOO_LONG;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->bad = GY_STRBUF_NOMEM;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void gy_strbuf_str(gy_strbuf *b, const char *s) { gy_strbuf_put(b, s, strlen(s)); }

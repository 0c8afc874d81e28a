/* zip_archive.c - the libzip calls behind zip_archive.h. */
#include "weights/zip_archive.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/error.h"
#include "core/util.h"

struct gy_zip {
    zip_t *za;
    char *display;
    size_t count;
    uint64_t unpacked; /* bytes handed out so far */
    uint64_t budget;   /* the cap on unpacked */
};

int gy_zip_sniff(const unsigned char *data, size_t size)
{
    return data && size >= 4 && data[0] == 'P' && data[1] == 'K' &&
           ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6));
}

gy_status gy_zip_open_buffer(const unsigned char *data, size_t size, const char *display,
                             gy_zip **out, gy_error *err)
{
    if (!out || (!data && size))
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_zip_open_buffer needs data and an output pointer");
    *out = NULL;
    const char *name = display ? display : "<zip>";
    gy_zip *z = calloc(1, sizeof *z);
    if (!z || !(z->display = gy_strdup(name))) {
        free(z);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", name);
    }
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &ze);
    if (src)
        z->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!z->za) {
        gy_status st = gy_fail(err, GY_ERR_FORMAT, "%s: not a readable zip archive: %s", name,
                               zip_error_strerror(&ze));
        zip_error_fini(&ze);
        if (src)
            zip_source_free(src);
        gy_zip_close(z);
        return st;
    }
    zip_error_fini(&ze);
    zip_int64_t n = zip_get_num_entries(z->za, 0);
    if (n < 0 || n > GY_ZIP_MAX_ENTRIES) {
        gy_zip_close(z);
        return gy_fail(err, GY_ERR_FORMAT, "%s: the zip archive has %lld entries (at most %d "
                       "are read)", name, (long long)n, GY_ZIP_MAX_ENTRIES);
    }
    z->count = (size_t)n;
    z->budget = (uint64_t)size * GY_ZIP_UNPACK_FACTOR + GY_ZIP_UNPACK_SLACK;
    if (z->budget > GY_ZIP_MAX_UNPACKED)
        z->budget = GY_ZIP_MAX_UNPACKED;
    *out = z;
    return GY_OK;
}

void gy_zip_close(gy_zip *z)
{
    if (!z)
        return;
    if (z->za)
        zip_discard(z->za);
    free(z->display);
    free(z);
}

size_t gy_zip_count(const gy_zip *z) { return z ? z->count : 0; }

const char *gy_zip_name(const gy_zip *z, size_t i)
{
    if (!z || i >= z->count)
        return NULL;
    return zip_get_name(z->za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
}

int gy_zip_find(const gy_zip *z, const char *name, size_t *index)
{
    if (!z || !name)
        return 0;
    zip_int64_t i = zip_name_locate(z->za, name, ZIP_FL_ENC_RAW);
    if (i < 0 || (zip_uint64_t)i >= z->count)
        return 0;
    *index = (size_t)i;
    return 1;
}

gy_status gy_zip_entry_size(const gy_zip *z, size_t i, uint64_t *size, gy_error *err)
{
    zip_stat_t sb;
    zip_stat_init(&sb);
    if (!z || i >= z->count || zip_stat_index(z->za, (zip_uint64_t)i, 0, &sb) != 0 ||
        !(sb.valid & ZIP_STAT_SIZE))
        return gy_fail(err, GY_ERR_FORMAT, "%s: cannot read the directory record of entry %zu",
                       z ? z->display : "<zip>", i);
    *size = sb.size;
    return GY_OK;
}

gy_status gy_zip_read(gy_zip *z, size_t i, size_t max_bytes, unsigned char **data, size_t *size,
                      gy_error *err)
{
    if (!z || !data || !size)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_zip_read needs an archive and output pointers");
    *data = NULL;
    *size = 0;
    const char *ename = gy_zip_name(z, i);
    if (!ename)
        ename = "?";
    uint64_t declared;
    gy_status st = gy_zip_entry_size(z, i, &declared, err);
    if (st != GY_OK)
        return st;
    if (declared > max_bytes)
        return gy_fail(err, GY_ERR_FORMAT, "%s: entry '%s' declares %llu bytes, more than the "
                       "%zu allowed", z->display, ename, (unsigned long long)declared, max_bytes);
    if (declared > z->budget - z->unpacked)
        return gy_fail(err, GY_ERR_FORMAT, "%s: reading entry '%s' (%llu bytes) would unpack more "
                       "than %llu bytes from this archive (4 x its size + 64 MiB)", z->display,
                       ename, (unsigned long long)declared, (unsigned long long)z->budget);
    size_t n = (size_t)declared;
    unsigned char *buf = malloc(n + 1);
    if (!buf)
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot allocate %zu bytes for entry '%s'",
                       z->display, n, ename);
    zip_file_t *f = zip_fopen_index(z->za, (zip_uint64_t)i, 0);
    if (!f) {
        free(buf);
        return gy_fail(err, GY_ERR_FORMAT, "%s: cannot open entry '%s': %s", z->display, ename,
                       zip_strerror(z->za));
    }
    size_t got = 0;
    int bad = 0;
    while (got < n) {
        zip_int64_t r = zip_fread(f, buf + got, (zip_uint64_t)(n - got));
        if (r <= 0) {
            bad = 1;
            break;
        }
        got += (size_t)r;
    }
    unsigned char extra;
    if (!bad && zip_fread(f, &extra, 1) != 0) /* longer than declared, or an error at the end */
        bad = 1;
    char why[256];
    snprintf(why, sizeof why, "%s", zip_file_strerror(f));
    if (zip_fclose(f) != 0)
        bad = 1;
    if (bad) {
        free(buf);
        return gy_fail(err, GY_ERR_FORMAT, "%s: entry '%s' is damaged or truncated (%zu of %zu "
                       "bytes read: %s)", z->display, ename, got, n, why);
    }
    buf[n] = '\0';
    z->unpacked += declared;
    *data = buf;
    *size = n;
    return GY_OK;
}

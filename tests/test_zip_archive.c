/* test_zip_archive.c - weights/zip_archive.c, the only code that reads the zip format (PyTorch
 * checkpoints), against its contract: the arguments, the directory lookups out of range, an
 * entry at its max_bytes and one byte over, the archive's unpack budget (4 x its size + 64 MiB)
 * across reads, and damaged data (a flipped byte, so the CRC fails). Archives are written with
 * libzip itself into a temporary file. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "testutil.h"
#include "weights/zip_archive.h"

typedef struct entry {
    const char *name;
    const void *data;
    size_t size;
    int store; /* 1: stored, 0: deflated */
} entry;

/* An archive of the entries, as bytes (caller frees). */
static unsigned char *make_zip(const entry *e, int n, size_t *size)
{
    char path[] = "/tmp/gy_test_zip_XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);
    int zerr = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    ck_assert_msg(za != NULL, "zip_open %d", zerr);
    for (int i = 0; i < n; i++) {
        zip_source_t *src = zip_source_buffer(za, e[i].data, e[i].size, 0);
        ck_assert(src != NULL);
        zip_int64_t idx = zip_file_add(za, e[i].name, src, ZIP_FL_ENC_UTF_8);
        ck_assert(idx >= 0);
        ck_assert_int_eq(zip_set_file_compression(za, (zip_uint64_t)idx,
                                                  e[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0), 0);
    }
    ck_assert_int_eq(zip_close(za), 0);
    FILE *f = fopen(path, "rb");
    ck_assert(f != NULL);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)len);
    ck_assert(buf != NULL);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    unlink(path);
    *size = (size_t)len;
    return buf;
}

static gy_zip *open_ok(const unsigned char *buf, size_t size)
{
    gy_zip *z = NULL;
    gy_error err;
    ck_assert_msg(gy_zip_open_buffer(buf, size, "t.zip", &z, &err) == GY_OK, "%s", err.message);
    return z;
}

START_TEST(arguments_and_lookups)
{
    const entry e[] = {{"a/data.pkl", "0123456789", 10, 1}, {"a/b", "xyz", 3, 0}};
    size_t size;
    unsigned char *buf = make_zip(e, 2, &size);
    ck_assert(gy_zip_sniff(buf, size));
    ck_assert(!gy_zip_sniff(buf, 3));
    ck_assert(!gy_zip_sniff(NULL, size));
    gy_error err;
    gy_zip *z = (gy_zip *)&err;
    ck_assert_int_eq(gy_zip_open_buffer(buf, size, "t.zip", NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_zip_open_buffer(NULL, size, "t.zip", &z, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "gy_zip_open_buffer needs data and an output pointer"));
    /* no bytes at all: libzip reads an empty archive (callers sniff first); 3 bytes are no zip */
    ck_assert_int_eq(gy_zip_open_buffer(NULL, 0, NULL, &z, &err), GY_OK);
    ck_assert_uint_eq(gy_zip_count(z), 0);
    ck_assert_ptr_null(gy_zip_name(z, 0));
    gy_zip_close(z);
    ck_assert_int_eq(gy_zip_open_buffer(buf, 3, NULL, &z, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(z);
    ck_assert_ptr_nonnull(strstr(err.message, "<zip>: not a readable zip archive"));
    z = open_ok(buf, size);
    ck_assert_uint_eq(gy_zip_count(z), 2);
    ck_assert_uint_eq(gy_zip_count(NULL), 0);
    ck_assert_str_eq(gy_zip_name(z, 0), "a/data.pkl");
    ck_assert_str_eq(gy_zip_name(z, 1), "a/b");
    ck_assert_ptr_null(gy_zip_name(z, 2));
    ck_assert_ptr_null(gy_zip_name(NULL, 0));
    size_t idx = 99; /* the first entry (index 0) and the last are found */
    ck_assert_int_eq(gy_zip_find(z, "a/data.pkl", &idx), 1);
    ck_assert_uint_eq(idx, 0);
    ck_assert_int_eq(gy_zip_find(z, "a/b", &idx), 1);
    ck_assert_uint_eq(idx, 1);
    ck_assert_int_eq(gy_zip_find(z, "a/c", &idx), 0);
    ck_assert_int_eq(gy_zip_find(z, NULL, &idx), 0);
    ck_assert_int_eq(gy_zip_find(NULL, "a/b", &idx), 0);
    uint64_t declared = 0;
    ck_assert_int_eq(gy_zip_entry_size(z, 1, &declared, &err), GY_OK);
    ck_assert_uint_eq(declared, 3);
    ck_assert_int_eq(gy_zip_entry_size(z, 2, &declared, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "t.zip: cannot read the directory record of entry 2"));
    unsigned char *data = (unsigned char *)&err;
    size_t n = 7;
    ck_assert_int_eq(gy_zip_read(NULL, 0, 100, &data, &n, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_zip_read(z, 0, 100, NULL, &n, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_zip_read(z, 0, 100, &data, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "gy_zip_read needs an archive and output pointers"));
    ck_assert_int_eq(gy_zip_read(z, 2, 100, &data, &n, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(data);
    ck_assert_uint_eq(n, 0);
    /* max_bytes: at the entry's size it is read (with a NUL after it), one less refuses it */
    ck_assert_int_eq(gy_zip_read(z, 0, 9, &data, &n, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "t.zip: entry 'a/data.pkl' declares 10 bytes, more "
                                              "than the 9 allowed"));
    ck_assert_int_eq(gy_zip_read(z, 0, 10, &data, &n, &err), GY_OK);
    ck_assert_uint_eq(n, 10);
    ck_assert(memcmp(data, "0123456789", 11) == 0);
    free(data);
    ck_assert_int_eq(gy_zip_read(z, 1, 3, &data, &n, &err), GY_OK);
    ck_assert(memcmp(data, "xyz", 4) == 0);
    free(data);
    gy_zip_close(z);
    gy_zip_close(NULL);
    free(buf);
}
END_TEST

/* The budget: a small archive (three deflated 30 MiB runs of zeros, ~90 KB) may unpack 4 x its
 * size + 64 MiB in all, counted over every read: the first two entries fit (60 MiB), the third
 * does not, and a reopened archive starts counting again. */
START_TEST(unpack_budget)
{
    size_t big = (size_t)30 << 20;
    unsigned char *zeros = calloc(big, 1);
    ck_assert(zeros != NULL);
    const entry e[] = {{"z1", zeros, big, 0}, {"z2", zeros, big, 0}, {"z3", zeros, big, 0}};
    size_t size;
    unsigned char *buf = make_zip(e, 3, &size);
    ck_assert_msg(size < ((size_t)1 << 20), "archive of %zu bytes", size);
    gy_zip *z = open_ok(buf, size);
    unsigned char *data;
    size_t n;
    gy_error err;
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(gy_zip_read(z, (size_t)i, big, &data, &n, &err) == GY_OK, "%s", err.message);
        ck_assert_uint_eq(n, big);
        ck_assert(memcmp(data, zeros, big) == 0);
        free(data);
    }
    ck_assert_int_eq(gy_zip_read(z, 2, big, &data, &n, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(data);
    ck_assert_msg(strstr(err.message, "t.zip: reading entry 'z3' (31457280 bytes) would unpack more "
                                      "than") != NULL, "%s", err.message);
    gy_zip_close(z);
    z = open_ok(buf, size);
    ck_assert_int_eq(gy_zip_read(z, 2, big, &data, &n, &err), GY_OK);
    free(data);
    gy_zip_close(z);
    free(buf);
    free(zeros);
}
END_TEST

/* The budget's bound is inclusive: with 60 MiB read, an entry of exactly the rest (4 x the
 * archive's size + 4 MiB, found by rebuilding until the archive's size settles) is read, and then
 * one more byte is refused. */
START_TEST(unpack_budget_exact)
{
    size_t big = (size_t)30 << 20, rest = (size_t)4 << 20, size = 0, prev = 1;
    unsigned char *zeros = calloc(big, 1), *buf = NULL;
    ck_assert(zeros != NULL);
    for (int tries = 0; size != prev; tries++) {
        ck_assert_msg(tries < 8, "the archive's size does not settle");
        prev = size;
        rest = ((size_t)4 << 20) + 4 * size;
        const entry e[] = {{"z1", zeros, big, 0}, {"z2", zeros, big, 0}, {"z3", zeros, rest, 0},
                           {"one", "x", 1, 1}};
        free(buf);
        buf = make_zip(e, 4, &size);
    }
    gy_zip *z = open_ok(buf, size);
    unsigned char *data;
    size_t n;
    gy_error err;
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(gy_zip_read(z, (size_t)i, big, &data, &n, &err) == GY_OK, "entry %d: %s", i,
                      err.message);
        ck_assert_uint_eq(n, i < 2 ? big : rest);
        free(data);
    }
    ck_assert_int_eq(gy_zip_read(z, 3, big, &data, &n, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(data);
    ck_assert_msg(strstr(err.message, "reading entry 'one' (1 bytes) would unpack more than"),
                  "%s", err.message);
    gy_zip_close(z);
    free(buf);
    free(zeros);
}
END_TEST

/* A byte of an entry's data flipped: stored, the CRC fails at the end; deflated, the stream
 * breaks or the CRC fails. Either way the read is refused and nothing is returned. */
START_TEST(damaged_entry)
{
    char text[4096];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + (i * 7) % 26);
    for (int store = 1; store >= 0; store--) {
        const entry e[] = {{"w", text, sizeof text, store}};
        size_t size;
        unsigned char *buf = make_zip(e, 1, &size);
        /* the local header is 30 bytes + the name (1): the data start right after */
        buf[30 + 1 + 20] ^= 0x5a;
        gy_zip *z = open_ok(buf, size);
        unsigned char *data = (unsigned char *)text;
        size_t n = 1;
        gy_error err;
        ck_assert_int_eq(gy_zip_read(z, 0, sizeof text, &data, &n, &err), GY_ERR_FORMAT);
        ck_assert_ptr_null(data);
        ck_assert_uint_eq(n, 0);
        ck_assert_msg(strstr(err.message, "t.zip: entry 'w' is damaged or truncated") != NULL,
                      "%s", err.message);
        gy_zip_close(z);
        free(buf);
    }
}
END_TEST

static Suite *zip_suite(void)
{
    Suite *s = suite_create("zip_archive");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, arguments_and_lookups);
    tcase_add_test(tc, unpack_budget);
    tcase_add_test(tc, unpack_budget_exact);
    tcase_add_test(tc, damaged_entry);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(zip_suite()); }

/* zipbuild.h - archives built with libzip for the checkpoint tests: stored (uncompressed) entries,
 * as torch.save lays them out, in memory (static inline: each test takes what it needs). */
#ifndef GY_TESTS_ZIPBUILD_H
#define GY_TESTS_ZIPBUILD_H
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <zip.h>

typedef struct entry {
    const char *name;
    const void *data;
    size_t size;
} entry;

/* The same archive built in memory (malloc'ed; caller or gy_pt_parse frees). */
static inline unsigned char *zip_in_memory(const entry *e, int n, size_t *size)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    ck_assert_ptr_nonnull(src);
    zip_source_keep(src);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(z, e[i].data, e[i].size, 0);
        ck_assert_ptr_nonnull(s);
        zip_int64_t idx = zip_file_add(z, e[i].name, s, ZIP_FL_OVERWRITE);
        ck_assert_int_ge(idx, 0);
        zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    }
    ck_assert_int_eq(zip_close(z), 0);
    ck_assert_int_eq(zip_source_open(src), 0);
    ck_assert_int_eq(zip_source_seek(src, 0, SEEK_END), 0);
    zip_int64_t len = zip_source_tell(src);
    ck_assert_int_gt(len, 0);
    ck_assert_int_eq(zip_source_seek(src, 0, SEEK_SET), 0);
    unsigned char *buf = malloc((size_t)len);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(zip_source_read(src, buf, (zip_uint64_t)len), len);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&ze);
    *size = (size_t)len;
    return buf;
}

#endif

#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, sysconf */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *slot_path(const char *root, const char *relpath)
{
    static char slots[8][4096];
    static int next;
    char *buf = slots[next++ % 8];
    snprintf(buf, sizeof slots[0], "%s/%s", root, relpath);
    return buf;
}

const char *gy_test_shared(const char *relpath)
{
    const char *root = getenv("GY_SHARED_DIR");
    if (!root || !*root)
        root = GY_SHARED_DIR;
    const char *p = slot_path(root, relpath);
    struct stat st;
    ck_assert_msg(stat(p, &st) == 0, "missing ground-truth file %s (shared folder %s)", p, root);
    return p;
}

const char *gy_test_source(const char *relpath)
{
    const char *p = slot_path(GY_SOURCE_DIR, relpath);
    struct stat st;
    ck_assert_msg(stat(p, &st) == 0, "missing source file %s", p);
    return p;
}

const char *gy_test_cli(void) { return GY_CLI_PATH; }

unsigned char *gy_test_read(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    ck_assert_msg(len >= 0, "cannot size %s", path);
    rewind(f);
    unsigned char *buf = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_msg(fread(buf, 1, (size_t)len, f) == (size_t)len, "short read of %s", path);
    fclose(f);
    buf[len] = 0;
    if (size)
        *size = (size_t)len;
    return buf;
}

void gy_test_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

float *gy_test_read_f32(const char *path, size_t expected_count, size_t *count)
{
    size_t size;
    unsigned char *buf = gy_test_read(path, &size);
    ck_assert_msg(size % 4 == 0, "%s: size %zu is not a multiple of 4", path, size);
    if (expected_count)
        ck_assert_msg(size / 4 == expected_count, "%s: %zu floats, expected %zu", path, size / 4,
                      expected_count);
    if (count)
        *count = size / 4;
    return (float *)buf;
}

int gy_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

unsigned gy_test_rng_u32(gy_test_rng *r)
{
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(r->s >> 33);
}

float gy_test_rng_float(gy_test_rng *r)
{
    return (float)(gy_test_rng_u32(r) & 0xffffff) / (float)0x800000 - 1.0f;
}

int gy_test_rng_int(gy_test_rng *r, int lo, int hi)
{
    return lo + (int)(gy_test_rng_u32(r) % (unsigned)(hi - lo + 1));
}

float *gy_test_randv(gy_test_rng *r, size_t n, float scale)
{
    float *v = malloc(sizeof *v * (n ? n : 1));
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++)
        v[i] = scale * gy_test_rng_float(r);
    return v;
}

void *gy_test_guarded_bytes(const void *src, size_t bytes, int at_end, gy_test_guard *g)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), size = bytes ? bytes : 1;
    size_t data_pages = (size + page - 1) / page;
    if (g->map && g->len >= (data_pages + 2) * page) {
        data_pages = g->len / page - 2; /* the mapping g holds, its guards in place */
    } else {
        gy_test_guarded_free(g);
        g->len = (data_pages + 2) * page; /* a guard page each side */
        g->map = mmap(NULL, g->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ck_assert(g->map != MAP_FAILED);
        ck_assert_int_eq(mprotect(g->map, page, PROT_NONE), 0);
        ck_assert_int_eq(mprotect((unsigned char *)g->map + (data_pages + 1) * page, page,
                                  PROT_NONE), 0);
    }
    unsigned char *first = (unsigned char *)g->map + page, *after = first + data_pages * page;
    unsigned char *d = at_end ? after - size : first;
    if (src && bytes)
        memcpy(d, src, bytes);
    return d;
}

float *gy_test_guarded(const float *src, size_t n, int at_end, gy_test_guard *g)
{
    return gy_test_guarded_bytes(src, sizeof(float) * n, at_end, g);
}

void gy_test_guarded_free(gy_test_guard *g)
{
    if (g->map)
        munmap(g->map, g->len);
    g->map = NULL;
}

void gy_test_guard_both(const float *src, size_t n, gy_test_guards *p)
{
    for (int side = 0; side < 2; side++)
        p->in[side] = gy_test_guarded(src, n, !side, &p->g[side]);
}

void gy_test_guards_free(gy_test_guards *p)
{
    gy_test_guarded_free(&p->g[0]);
    gy_test_guarded_free(&p->g[1]);
}

float *gy_test_floats64(size_t n)
{
    float *s = aligned_alloc(64, sizeof(float) * ((n + 16) / 16 * 16));
    ck_assert_ptr_nonnull(s);
    return s;
}

void gy_test_bound_parse(const char *spec, gy_test_bound *b)
{
    ck_assert_msg(sscanf(spec, "%15[^|]|%15[^|]|%95[^\n]", b->good, b->bad, b->msg) == 3,
                  "bound spec \"%s\" is not good|bad|message", spec);
}

void gy_test_bound_want(char *want, size_t size, const char *file, const char *row,
                        const char *msg)
{
    if (!strncmp(msg, "row 1: ", 7))
        snprintf(want, size, "%s:4: %s", file, msg);
    else
        snprintf(want, size, "%s:4: %.*s (row 1): %s", file, (int)strcspn(row, ","), row, msg);
}

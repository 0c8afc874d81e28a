/* pkbuild.h - pickles assembled opcode by opcode for the tests of weights/pickle*.c: a growing
 * byte buffer and one helper per opcode form the tests use (static inline: each test takes what
 * it needs). */
#ifndef GY_TESTS_PKBUILD_H
#define GY_TESTS_PKBUILD_H
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "weights/pickle.h"

typedef struct pkb {
    unsigned char *b;
    size_t n, cap;
} pkb;

static inline void raw(pkb *p, const void *data, size_t n)
{
    if (p->n + n > p->cap) {
        p->cap = (p->n + n) * 2 + 256;
        p->b = realloc(p->b, p->cap);
        ck_assert_ptr_nonnull(p->b);
    }
    if (n) /* data may be NULL for nothing (memcpy's arguments must not be) */
        memcpy(p->b + p->n, data, n);
    p->n += n;
}

static inline void op(pkb *p, unsigned char c) { raw(p, &c, 1); }

static inline void u32(pkb *p, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    raw(p, b, 4);
}

static inline void str(pkb *p, const char *s)
{
    op(p, 'X');
    u32(p, (uint32_t)strlen(s));
    raw(p, s, strlen(s));
}

static inline void int1(pkb *p, int v)
{
    if (v >= 0 && v <= 255) {
        op(p, 'K'); /* BININT1 */
        op(p, (unsigned char)v);
    } else {
        op(p, 'J'); /* BININT: 4-byte signed little-endian */
        u32(p, (uint32_t)v);
    }
}

static inline void flt(pkb *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    op(p, 'G');
    for (int k = 7; k >= 0; k--)
        op(p, (unsigned char)(u >> (8 * k)));
}

static inline void glob(pkb *p, const char *module, const char *name)
{
    op(p, 'c');
    raw(p, module, strlen(module));
    op(p, '\n');
    raw(p, name, strlen(name));
    op(p, '\n');
}

static inline void odict(pkb *p) /* OrderedDict() */
{
    glob(p, "collections", "OrderedDict");
    op(p, ')');
    op(p, 'R');
}

static inline void int_tuple(pkb *p, const int *v, int n)
{
    op(p, '(');
    for (int i = 0; i < n; i++)
        int1(p, v[i]);
    op(p, 't');
}

/* The pickle is refused with status want and a message "mem.pkl: ...sub...". */
static inline void expect_pickle_fail(const pkb *p, gy_status want, const char *sub)
{
    gy_error err;
    gy_pickle *pk = (gy_pickle *)&err;
    const gy_pk_value *root = (const gy_pk_value *)&err;
    gy_status s = gy_pickle_load(p->b, p->n, "mem.pkl", &pk, &root, &err);
    ck_assert_msg(s == want, "status %d, expected %d; message: %s", s, want, err.message);
    ck_assert_ptr_null(pk);
    ck_assert_ptr_null(root);
    ck_assert_msg(strncmp(err.message, "mem.pkl: ", 9) == 0, "%s", err.message);
    ck_assert_msg(strstr(err.message, sub) != NULL, "message lacks '%s': %s", sub, err.message);
    printf("refused as expected: %s\n", err.message);
}

#endif

/* test_pickle_vm.c - the contract of the pickle machine (weights/pickle.c, pickle_stack.c),
 * condition by condition: gy_pickle_load's arguments and size limit, PROTO, STOP, MARK depth,
 * the stack's floor and limit, integers (sign extension at every width), strings (UTF-8, NUL,
 * length limit), tuples, lists and dicts (odd counts, missing containers, the item limit) and the
 * memo (indices at and past the limit). Each clause fails alone; each bound is tried at the limit
 * (accepted) and one past it (refused). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pkbuild.h"
#include "weights/pickle_vm.h"
#include "testutil.h"

static const gy_pk_value *run_ok(pkb *p, gy_pickle **pk)
{
    gy_error err;
    const gy_pk_value *root = NULL;
    ck_assert_msg(gy_pickle_load(p->b, p->n, "mem.pkl", pk, &root, &err) == GY_OK, "%s",
                  err.message);
    free(p->b);
    *p = (pkb){0};
    return root;
}

static void run_refused(pkb *p, gy_status want, const char *sub)
{
    expect_pickle_fail(p, want, sub);
    free(p->b);
    *p = (pkb){0};
}

static void ops(pkb *p, const char *s) { raw(p, s, strlen(s)); }

/* A literal's bytes, NULs included. */
#define OPS(p, lit) raw((p), (lit), sizeof(lit) - 1)

static void many(pkb *p, unsigned char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        op(p, c);
}

/* LONG1 of n bytes. */
static void long1(pkb *p, const unsigned char *bytes, int n)
{
    op(p, 0x8a);
    op(p, (unsigned char)n);
    raw(p, bytes, (size_t)n);
}

/* The value arena: a request of no bytes, or one whose rounding to 16 wraps to no bytes, gets
 * nothing; one over the cap gets nothing; small ones are zeroed and 16-aligned. */
START_TEST(arena_requests)
{
    pkb p = {0};
    OPS(&p, "\x80\x02N.");
    gy_pickle *pk = NULL;
    run_ok(&p, &pk);
    ck_assert_ptr_null(gy_pkvm_alloc(pk, 0));
    ck_assert_ptr_null(gy_pkvm_alloc(pk, SIZE_MAX));      /* + 15 wraps: 0 after rounding */
    ck_assert_ptr_null(gy_pkvm_alloc(pk, SIZE_MAX - 14)); /* wraps to 0 as well */
    ck_assert_ptr_null(gy_pkvm_alloc(pk, GY_PK_MAX_ARENA + 1));
    unsigned char *a = gy_pkvm_alloc(pk, 1), *b = gy_pkvm_alloc(pk, 17);
    ck_assert(a && b);
    ck_assert_int_eq((int)((uintptr_t)a % 16), 0);
    ck_assert_int_eq((int)((uintptr_t)b % 16), 0);
    ck_assert_ptr_eq(b, a + 16); /* a's one byte rounded up to 16, in the same block */
    for (int i = 0; i < 17; i++)
        ck_assert_int_eq(b[i], 0);
    gy_pickle_free(pk);
}
END_TEST

START_TEST(load_arguments_and_size)
{
    static const unsigned char stop_none[] = "N.";
    gy_error err;
    gy_pickle *pk = NULL;
    const gy_pk_value *root = NULL;
    ck_assert_int_eq(gy_pickle_load(stop_none, 2, "x", NULL, &root, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_pickle_load(stop_none, 2, "x", &pk, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_pickle_load(NULL, 1, "x", &pk, &root, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "needs data and output pointers"));
    /* no data and size 0: an empty pickle, refused for its content */
    ck_assert_int_eq(gy_pickle_load(NULL, 0, "x", &pk, &root, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "x: the pickle ends at byte 0 without STOP"));
    ck_assert_int_eq(gy_pickle_load(stop_none, 2, NULL, &pk, &root, &err), GY_OK);
    ck_assert_int_eq(root->type, GY_PK_NONE);
    gy_pickle_free(pk);
    /* GY_PK_MAX_PICKLE bytes are read (its first opcode is refused), one more is not */
    unsigned char *big = calloc(GY_PK_MAX_PICKLE + 1, 1);
    ck_assert_ptr_nonnull(big);
    ck_assert_int_eq(gy_pickle_load(big, GY_PK_MAX_PICKLE, "big", &pk, &root, &err),
                     GY_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown or unsupported pickle opcode"));
    ck_assert_int_eq(gy_pickle_load(big, GY_PK_MAX_PICKLE + 1, "big", &pk, &root, &err),
                     GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "more than the limit"));
    ck_assert_ptr_null(pk);
    ck_assert_ptr_null(root);
    free(big);
}
END_TEST

START_TEST(proto_and_stop)
{
    gy_pickle *pk;
    pkb p = {0};
    op(&p, 0x80);
    op(&p, 5);
    OPS(&p, "N.");
    ck_assert_int_eq(run_ok(&p, &pk)->type, GY_PK_NONE);
    gy_pickle_free(pk);
    op(&p, 0x80);
    op(&p, 6);
    OPS(&p, "N.");
    run_refused(&p, GY_ERR_UNSUPPORTED, "pickle protocol above 5");
    op(&p, 0x80);
    run_refused(&p, GY_ERR_FORMAT, "ends inside an opcode's argument");
    /* FRAME: 8 bytes of length, skipped */
    op(&p, 0x95);
    many(&p, 0, 8);
    OPS(&p, "N.");
    ck_assert_int_eq(run_ok(&p, &pk)->type, GY_PK_NONE);
    gy_pickle_free(pk);
    op(&p, 0x95);
    many(&p, 0, 7);
    run_refused(&p, GY_ERR_FORMAT, "ends inside an opcode's argument");
    /* a FRAME whose 8 bytes end the pickle: read, then the missing STOP is what is wrong */
    op(&p, 'N');
    op(&p, 0x95);
    many(&p, 0, 8);
    run_refused(&p, GY_ERR_FORMAT, "the pickle ends at byte 10 without STOP");
    OPS(&p, ".");
    run_refused(&p, GY_ERR_FORMAT, "STOP with an empty stack");
    OPS(&p, "NN.");
    run_refused(&p, GY_ERR_FORMAT, "STOP with values or MARKs left over");
    OPS(&p, "N(.");
    run_refused(&p, GY_ERR_FORMAT, "STOP with values or MARKs left over");
    OPS(&p, "N");
    run_refused(&p, GY_ERR_FORMAT, "the pickle ends at byte 1 without STOP");
    /* True, False, None */
    op(&p, 0x88);
    op(&p, 0x89);
    op(&p, 0x86);
    op(&p, '.');
    const gy_pk_value *v = run_ok(&p, &pk);
    ck_assert_int_eq(v->u.seq.items[0]->type, GY_PK_BOOL);
    ck_assert_int_eq(v->u.seq.items[0]->u.i, 1);
    ck_assert_int_eq(v->u.seq.items[1]->u.i, 0);
    gy_pickle_free(pk);
}
END_TEST

START_TEST(marks_and_the_stack_floor)
{
    gy_pickle *pk;
    pkb p = {0};
    /* GY_PK_MAX_MARKS open at once: accepted; one more: refused */
    many(&p, '(', GY_PK_MAX_MARKS);
    op(&p, 'N');
    many(&p, 't', GY_PK_MAX_MARKS);
    op(&p, '.');
    const gy_pk_value *v = run_ok(&p, &pk);
    for (int d = 0; d < GY_PK_MAX_MARKS; d++) {
        ck_assert_int_eq(v->type, GY_PK_TUPLE);
        ck_assert_uint_eq(v->u.seq.n, 1);
        v = v->u.seq.items[0];
    }
    ck_assert_int_eq(v->type, GY_PK_NONE);
    gy_pickle_free(pk);
    many(&p, '(', GY_PK_MAX_MARKS + 1);
    run_refused(&p, GY_ERR_FORMAT, "MARKs nested deeper than the limit");
    /* every opcode that closes a MARK, without one */
    static const char *const closers[] = {"1", "Nt", "Nl", "d", "}u", "]e", NULL};
    for (const char *const *c = closers; *c; c++) {
        ops(&p, *c);
        run_refused(&p, GY_ERR_FORMAT, "no MARK to close");
    }
    /* POP_MARK drops what is above the MARK, nothing below */
    OPS(&p, "K\x07(NN1.");
    v = run_ok(&p, &pk);
    ck_assert_int_eq(v->u.i, 7);
    gy_pickle_free(pk);
    /* nothing below a MARK can be popped, duplicated or taken */
    OPS(&p, "N(0");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (nothing to pop)");
    OPS(&p, "0");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (nothing to pop)");
    OPS(&p, "N(2");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (no value on the stack)");
    OPS(&p, "N2\x86.");
    v = run_ok(&p, &pk);
    ck_assert_ptr_eq(v->u.seq.items[0], v->u.seq.items[1]);
    gy_pickle_free(pk);
    /* TUPLE1/2/3 need that many values above the floor */
    static const unsigned char tuple_ops[] = {0x85, 0x86, 0x87};
    for (int n = 1; n <= 3; n++) {
        OPS(&p, "N(");
        many(&p, 'N', (size_t)n - 1);
        op(&p, tuple_ops[n - 1]);
        run_refused(&p, GY_ERR_FORMAT, "too few values for the tuple");
        many(&p, 'N', (size_t)n);
        op(&p, tuple_ops[n - 1]);
        op(&p, '.');
        v = run_ok(&p, &pk);
        ck_assert_int_eq(v->type, GY_PK_TUPLE);
        ck_assert_uint_eq(v->u.seq.n, (size_t)n);
        gy_pickle_free(pk);
    }
}
END_TEST

START_TEST(stack_limit)
{
    gy_pickle *pk;
    pkb p = {0};
    /* GY_PK_MAX_STACK values at once: accepted; one more: refused */
    op(&p, '(');
    many(&p, 'N', GY_PK_MAX_STACK);
    OPS(&p, "l.");
    const gy_pk_value *v = run_ok(&p, &pk);
    ck_assert_uint_eq(v->u.seq.n, GY_PK_MAX_STACK);
    gy_pickle_free(pk);
    many(&p, 'N', GY_PK_MAX_STACK + 1);
    run_refused(&p, GY_ERR_FORMAT, "more values on the stack than the limit");
}
END_TEST

static int64_t int_of(pkb *p)
{
    gy_pickle *pk;
    op(p, '.');
    const gy_pk_value *v = run_ok(p, &pk);
    ck_assert_int_eq(v->type, GY_PK_INT);
    int64_t i = v->u.i;
    gy_pickle_free(pk);
    return i;
}

START_TEST(integers)
{
    pkb p = {0};
    OPS(&p, "K\xff");
    ck_assert_int_eq(int_of(&p), 255);
    OPS(&p, "M\xff\xff");
    ck_assert_int_eq(int_of(&p), 65535);
    OPS(&p, "M\x01\x02");
    ck_assert_int_eq(int_of(&p), 0x0201);
    op(&p, 'J');
    u32(&p, 0xffffffffu);
    ck_assert_int_eq(int_of(&p), -1);
    op(&p, 'J');
    u32(&p, 0x7fffffffu);
    ck_assert_int_eq(int_of(&p), INT32_MAX);
    op(&p, 'J');
    u32(&p, 0x80000000u);
    ck_assert_int_eq(int_of(&p), INT32_MIN);
    /* LONG1: 0 bytes is 0; a width below 8 with its top bit set is negative; 8 bytes as they are */
    long1(&p, NULL, 0);
    ck_assert_int_eq(int_of(&p), 0);
    static const unsigned char b7f[] = {0x7f}, b80[] = {0x80}, b0080[] = {0x00, 0x80},
                               bff7[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
                               bff8[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                               bmax[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
                               bmin[] = {0, 0, 0, 0, 0, 0, 0, 0x80},
                               b7[] = {0, 0, 0, 0, 0, 0, 0x80};
    long1(&p, b7f, 1);
    ck_assert_int_eq(int_of(&p), 127);
    long1(&p, b80, 1);
    ck_assert_int_eq(int_of(&p), -128);
    long1(&p, b0080, 2);
    ck_assert_int_eq(int_of(&p), -32768);
    long1(&p, bff7, 7);
    ck_assert_int_eq(int_of(&p), ((int64_t)1 << 55) - 1);
    long1(&p, b7, 7);
    ck_assert_int_eq(int_of(&p), -((int64_t)1 << 55));
    long1(&p, bff8, 8);
    ck_assert_int_eq(int_of(&p), -1);
    long1(&p, bmax, 8);
    ck_assert_int_eq(int_of(&p), INT64_MAX);
    long1(&p, bmin, 8);
    ck_assert_int_eq(int_of(&p), INT64_MIN);
    static const unsigned char b9[9] = {1};
    long1(&p, b9, 9);
    op(&p, '.');
    run_refused(&p, GY_ERR_UNSUPPORTED, "an integer wider than 64 bits");
    op(&p, 0x8a);
    op(&p, 2);
    op(&p, 1);
    run_refused(&p, GY_ERR_FORMAT, "ends inside an opcode's argument");
    static const char *const cut[] = {"K", "M\x01", "J\x01\x02\x03", "G\x01", NULL};
    for (const char *const *c = cut; *c; c++) {
        ops(&p, *c);
        run_refused(&p, GY_ERR_FORMAT, "ends inside an opcode's argument");
    }
    gy_pickle *pk;
    flt(&p, -2.5);
    op(&p, '.');
    const gy_pk_value *v = run_ok(&p, &pk);
    ck_assert_int_eq(v->type, GY_PK_FLOAT);
    ck_assert(v->u.f == -2.5);
    gy_pickle_free(pk);
}
END_TEST

/* opcode, 4-byte length, bytes */
static void string_op(pkb *p, unsigned char opc, const void *s, size_t n)
{
    op(p, opc);
    if (opc == 0x8c || opc == 'C')
        op(p, (unsigned char)n);
    else
        u32(p, (uint32_t)n);
    raw(p, s, n);
}

START_TEST(strings)
{
    gy_pickle *pk;
    pkb p = {0};
    string_op(&p, 'X', "", 0);
    op(&p, '.');
    const gy_pk_value *v = run_ok(&p, &pk);
    ck_assert_int_eq(v->type, GY_PK_STR);
    ck_assert_uint_eq(v->u.str.len, 0);
    ck_assert_str_eq(v->u.str.data, "");
    gy_pickle_free(pk);
    /* text: the first invalid byte or NUL is named, whichever comes first */
    static const struct {
        const char *s;
        size_t n;
        const char *at;
    } bad[] = {{"\xc3", 1, "(at its byte 0)"},   {"ab\0", 3, "(at its byte 2)"},
               {"a\xff\0", 3, "(at its byte 1)"}, {"a\0\xff", 3, "(at its byte 1)"},
               {"\xe2\x82", 2, "(at its byte 0)"}, {"ok\xc0\x80", 4, "(at its byte 2)"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int sh = 0; sh < 2; sh++) {
            string_op(&p, sh ? 0x8c : 'X', bad[i].s, bad[i].n);
            op(&p, '.');
            expect_pickle_fail(&p, GY_ERR_FORMAT, bad[i].at);
            free(p.b);
            p = (pkb){0};
        }
    }
    /* bytes: anything */
    string_op(&p, 'B', "a\xff\0", 3);
    string_op(&p, 'C', "\xc3", 1);
    string_op(&p, 0x8c, "h\xc3\xa9", 3);
    op(&p, 0x87);
    op(&p, '.');
    v = run_ok(&p, &pk);
    ck_assert_int_eq(v->u.seq.items[0]->type, GY_PK_BYTES);
    ck_assert_uint_eq(v->u.seq.items[0]->u.str.len, 3);
    ck_assert_int_eq(memcmp(v->u.seq.items[0]->u.str.data, "a\xff\0", 3), 0);
    ck_assert_int_eq(v->u.seq.items[1]->type, GY_PK_BYTES);
    ck_assert_int_eq(v->u.seq.items[2]->type, GY_PK_STR);
    ck_assert_str_eq(v->u.seq.items[2]->u.str.data, "h\xc3\xa9");
    gy_pickle_free(pk);
    /* the length: GY_PK_MAX_STRING is read, one byte more is refused before any is read */
    unsigned char *big = calloc(GY_PK_MAX_STRING + 1, 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'a', GY_PK_MAX_STRING + 1);
    string_op(&p, 'X', big, GY_PK_MAX_STRING);
    op(&p, '.');
    v = run_ok(&p, &pk);
    ck_assert_uint_eq(v->u.str.len, GY_PK_MAX_STRING);
    gy_pickle_free(pk);
    op(&p, 'B');
    u32(&p, (uint32_t)GY_PK_MAX_STRING + 1);
    run_refused(&p, GY_ERR_FORMAT, "a string longer than the limit");
    free(big);
    /* a length past the end */
    op(&p, 'X');
    u32(&p, 5);
    OPS(&p, "abcd");
    run_refused(&p, GY_ERR_FORMAT, "ends inside an opcode's argument");
    op(&p, 0x8c);
    op(&p, 2);
    op(&p, 'a');
    run_refused(&p, GY_ERR_FORMAT, "ends inside an opcode's argument");
}
END_TEST

START_TEST(dicts)
{
    gy_pickle *pk;
    pkb p = {0};
    OPS(&p, "(K\x01K\x02K\x03" "d");
    run_refused(&p, GY_ERR_FORMAT, "DICT with an odd number of values");
    OPS(&p, "(K\x01K\x02" "d.");
    const gy_pk_value *v = run_ok(&p, &pk);
    ck_assert_uint_eq(v->u.dict.n, 1);
    ck_assert_int_eq(v->u.dict.vals[0]->u.i, 2);
    gy_pickle_free(pk);
    /* several pairs, each key with its own value, in order */
    OPS(&p, "(K\x01K\x02K\x03K\x04K\x05K\x06" "d.");
    v = run_ok(&p, &pk);
    ck_assert_uint_eq(v->u.dict.n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(v->u.dict.keys[i]->u.i, 2 * i + 1);
        ck_assert_int_eq(v->u.dict.vals[i]->u.i, 2 * i + 2);
    }
    gy_pickle_free(pk);
    /* SETITEM: a dict, a key and a value above the floor */
    OPS(&p, "}K\x01s");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (SETITEM needs");
    OPS(&p, "}(K\x01K\x02s");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (SETITEM needs");
    OPS(&p, "]K\x01K\x02s");
    run_refused(&p, GY_ERR_UNSUPPORTED, "SETITEM(S) on a value that is not a dict");
    OPS(&p, "}K\x01K\x02s.");
    v = run_ok(&p, &pk);
    ck_assert_uint_eq(v->u.dict.n, 1);
    gy_pickle_free(pk);
    /* SETITEMS: a dict right below its MARK, an even count */
    OPS(&p, "(K\x01K\x02u");
    run_refused(&p, GY_ERR_FORMAT, "SETITEMS without a dict below its MARK");
    OPS(&p, "}(K\x01u");
    run_refused(&p, GY_ERR_FORMAT, "SETITEMS with an odd number of values");
    OPS(&p, "}((K\x01K\x02u");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (no dict for SETITEMS)");
    OPS(&p, "](K\x01K\x02u");
    run_refused(&p, GY_ERR_UNSUPPORTED, "SETITEM(S) on a value that is not a dict");
    OPS(&p, "}(u.");
    v = run_ok(&p, &pk);
    ck_assert_uint_eq(v->u.dict.n, 0);
    gy_pickle_free(pk);
    /* a repeated key is kept twice; lookups take the last */
    OPS(&p, "}(");
    string_op(&p, 0x8c, "k", 1);
    OPS(&p, "K\x01");
    string_op(&p, 0x8c, "k", 1);
    OPS(&p, "K\x02u.");
    v = run_ok(&p, &pk);
    ck_assert_uint_eq(v->u.dict.n, 2);
    ck_assert_int_eq(gy_pk_dict_get(v, "k")->u.i, 2);
    gy_pickle_free(pk);
}
END_TEST

START_TEST(lists)
{
    gy_pickle *pk;
    pkb p = {0};
    OPS(&p, "(K\x01" "e");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (no list for APPEND(S))");
    OPS(&p, "]((K\x01" "e");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (no list for APPEND(S))");
    OPS(&p, "}(K\x01" "e");
    run_refused(&p, GY_ERR_UNSUPPORTED, "APPEND(S) on a value that is not a list");
    OPS(&p, "]a");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (APPEND needs a list and a value)");
    OPS(&p, "](K\x01" "a");
    run_refused(&p, GY_ERR_FORMAT, "stack underflow (APPEND needs a list and a value)");
    OPS(&p, "]K\x01" "aK\x02" "a(K\x03K\x04" "e(e.");
    const gy_pk_value *v = run_ok(&p, &pk);
    ck_assert_int_eq(v->type, GY_PK_LIST);
    ck_assert_uint_eq(v->u.seq.n, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(v->u.seq.items[i]->u.i, i + 1);
    gy_pickle_free(pk);
}
END_TEST

START_TEST(item_limits)
{
    gy_pickle *pk;
    pkb p = {0};
    /* a list grown by APPENDS to GY_PK_MAX_ITEMS: accepted; one more item: refused */
    op(&p, ']');
    for (int k = 0; k < 2; k++) {
        op(&p, '(');
        many(&p, 'N', GY_PK_MAX_ITEMS / 2);
        op(&p, 'e');
    }
    op(&p, '.');
    const gy_pk_value *v = run_ok(&p, &pk);
    ck_assert_uint_eq(v->u.seq.n, GY_PK_MAX_ITEMS);
    gy_pickle_free(pk);
    op(&p, ']');
    for (int k = 0; k < 2; k++) {
        op(&p, '(');
        many(&p, 'N', GY_PK_MAX_ITEMS / 2);
        op(&p, 'e');
    }
    OPS(&p, "Na");
    run_refused(&p, GY_ERR_FORMAT, "a container holds more items than the limit");
    /* a dict grown by SETITEMS to GY_PK_MAX_ITEMS pairs, and one more (keys may repeat) */
    for (int extra = 0; extra < 2; extra++) {
        op(&p, '}');
        for (int k = 0; k < 4; k++) {
            op(&p, '(');
            many(&p, 'N', GY_PK_MAX_ITEMS / 2);
            op(&p, 'u');
        }
        if (extra) {
            OPS(&p, "NNs");
            run_refused(&p, GY_ERR_FORMAT, "a dict holds more items than the limit");
        } else {
            op(&p, '.');
            v = run_ok(&p, &pk);
            ck_assert_uint_eq(v->u.dict.n, GY_PK_MAX_ITEMS);
            gy_pickle_free(pk);
        }
    }
}
END_TEST

START_TEST(memo)
{
    gy_pickle *pk;
    pkb p = {0};
    /* BINPUT / BINGET, LONG_BINPUT / LONG_BINGET, MEMOIZE (at the memo's length) */
    OPS(&p, "K\x05q\x03" "0h\x03.");
    ck_assert_int_eq(run_ok(&p, &pk)->u.i, 5);
    gy_pickle_free(pk);
    OPS(&p, "K\x05\x94K\x06\x94" "00h\x01.");
    ck_assert_int_eq(run_ok(&p, &pk)->u.i, 6);
    gy_pickle_free(pk);
    OPS(&p, "K\x05q\x00K\x06q\x00" "00h\x00.");
    ck_assert_int_eq(run_ok(&p, &pk)->u.i, 6); /* a put over a put replaces it */
    gy_pickle_free(pk);
    OPS(&p, "K\x05q\x00K\x06q\x00" "00\x94h\x01.");
    run_refused(&p, GY_ERR_FORMAT, "no value on the stack");
    /* the memo grows past its first 1024 slots: index 1024 exactly, then 1023 still there */
    OPS(&p, "K\x07r");
    u32(&p, 1023);
    OPS(&p, "K\x08r");
    u32(&p, 1024);
    OPS(&p, "00j");
    u32(&p, 1024);
    op(&p, 'j');
    u32(&p, 1023);
    op(&p, 0x86);
    op(&p, '.');
    const gy_pk_value *mv = run_ok(&p, &pk);
    ck_assert_int_eq(mv->u.seq.items[0]->u.i, 8);
    ck_assert_int_eq(mv->u.seq.items[1]->u.i, 7);
    gy_pickle_free(pk);
    /* the index limit: GY_PK_MAX_MEMO - 1 stored and read back; GY_PK_MAX_MEMO refused */
    OPS(&p, "K\x09r");
    u32(&p, GY_PK_MAX_MEMO - 1);
    OPS(&p, "0j");
    u32(&p, GY_PK_MAX_MEMO - 1);
    op(&p, '.');
    ck_assert_int_eq(run_ok(&p, &pk)->u.i, 9);
    gy_pickle_free(pk);
    OPS(&p, "K\x09r");
    u32(&p, GY_PK_MAX_MEMO);
    run_refused(&p, GY_ERR_FORMAT, "memo index 1048576 is over the limit");
    /* gets: never stored (below the limit, past what was stored, past the limit) */
    OPS(&p, "h\x00");
    run_refused(&p, GY_ERR_FORMAT, "memo index 0 was never stored");
    OPS(&p, "K\x01q\x00h\x01");
    expect_pickle_fail(&p, GY_ERR_FORMAT, "memo index 1 was never stored");
    free(p.b);
    p = (pkb){0};
    OPS(&p, "j");
    u32(&p, GY_PK_MAX_MEMO - 1);
    run_refused(&p, GY_ERR_FORMAT, "memo index 1048575 was never stored");
    OPS(&p, "j");
    u32(&p, GY_PK_MAX_MEMO);
    run_refused(&p, GY_ERR_FORMAT, "was never stored (over GY_PK_MAX_MEMO)");
    /* a put with nothing to store */
    OPS(&p, "q\x00");
    run_refused(&p, GY_ERR_FORMAT, "no value on the stack");
    OPS(&p, "N(q\x00");
    run_refused(&p, GY_ERR_FORMAT, "no value on the stack");
    static const char *const cut[] = {"Nq", "Nr\x01\x02\x03", "h", "j\x01", NULL};
    for (const char *const *c = cut; *c; c++) {
        ops(&p, *c);
        run_refused(&p, GY_ERR_FORMAT, "ends inside an opcode's argument");
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pickle_vm");
    TCase *tc = tcase_create("contract");
    tcase_add_test(tc, load_arguments_and_size);
    tcase_add_test(tc, arena_requests);
    tcase_add_test(tc, proto_and_stop);
    tcase_add_test(tc, marks_and_the_stack_floor);
    tcase_add_test(tc, stack_limit);
    tcase_add_test(tc, integers);
    tcase_add_test(tc, strings);
    tcase_add_test(tc, dicts);
    tcase_add_test(tc, lists);
    tcase_add_test(tc, item_limits);
    tcase_add_test(tc, memo);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* pickle.c - the non-executing pickle machine (see pickle.h): MARKs, memo, containers and the
 * opcode loop. Its memory (arena, value stack, messages) is in pickle_stack.c; what GLOBAL,
 * REDUCE, NEWOBJ, BUILD and BINPERSID mean for a torch checkpoint is in pickle_torch.c; helpers
 * for walking the values in pickle_walk.c.
 *
 * The machine is CPython's: a value stack, a stack of MARK positions, and a memo indexed by
 * BINPUT/LONG_BINPUT/MEMOIZE. Opcodes are read from a bounds-checked cursor; every count read
 * from the pickle is checked against the remaining bytes or a GY_PK_MAX_* limit before it is
 * used, and every value comes from an arena capped at GY_PK_MAX_ARENA bytes. */
#include "weights/pickle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "weights/pickle_vm.h"

static gy_status need(gy_pkvm *m, size_t n)
{
    if (m->size - m->pos < n)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "the pickle ends inside an opcode's argument (truncated)");
    return GY_OK;
}

static uint64_t read_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Pops the innermost MARK: the values above it are m->stack[*first .. m->sp). */
static gy_status pop_mark(gy_pkvm *m, size_t *first)
{
    if (m->nmarks == 0)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "no MARK to close");
    *first = m->marks[--m->nmarks];
    return GY_OK;
}

static gy_status seq_reserve(gy_pkvm *m, gy_pk_value *s, size_t extra)
{
    if (extra > GY_PK_MAX_ITEMS || s->u.seq.n > GY_PK_MAX_ITEMS - extra)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "a container holds more items than the limit "
                       "(GY_PK_MAX_ITEMS)");
    size_t want = s->u.seq.n + extra;
    if (want <= s->u.seq.cap)
        return GY_OK;
    size_t cap = s->u.seq.cap ? s->u.seq.cap * 2 : 4;
    while (cap < want)
        cap *= 2;
    gy_pk_value **items = gy_pkvm_alloc(m->pk, cap * sizeof *items);
    if (!items)
        return gy_pkvm_nomem(m);
    if (s->u.seq.n)
        memcpy(items, s->u.seq.items, s->u.seq.n * sizeof *items);
    s->u.seq.items = items;
    s->u.seq.cap = cap;
    return GY_OK;
}

static gy_status dict_reserve(gy_pkvm *m, gy_pk_value *d, size_t extra)
{
    if (extra > GY_PK_MAX_ITEMS || d->u.dict.n > GY_PK_MAX_ITEMS - extra)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "a dict holds more items than the limit "
                       "(GY_PK_MAX_ITEMS)");
    size_t want = d->u.dict.n + extra;
    if (want <= d->u.dict.cap)
        return GY_OK;
    size_t cap = d->u.dict.cap ? d->u.dict.cap * 2 : 4;
    while (cap < want)
        cap *= 2;
    gy_pk_value **k = gy_pkvm_alloc(m->pk, cap * sizeof *k);
    gy_pk_value **v = k ? gy_pkvm_alloc(m->pk, cap * sizeof *v) : NULL;
    if (!v)
        return gy_pkvm_nomem(m);
    if (d->u.dict.n) {
        memcpy(k, d->u.dict.keys, d->u.dict.n * sizeof *k);
        memcpy(v, d->u.dict.vals, d->u.dict.n * sizeof *v);
    }
    d->u.dict.keys = k;
    d->u.dict.vals = v;
    d->u.dict.cap = cap;
    return GY_OK;
}

static gy_pk_value *make_seq(gy_pkvm *m, gy_pk_type type, gy_pk_value *const *items, size_t n)
{
    gy_pk_value *v = gy_pkvm_new(m, type);
    if (!v)
        return NULL;
    if (n) {
        v->u.seq.items = gy_pkvm_alloc(m->pk, n * sizeof *items);
        if (!v->u.seq.items)
            return NULL;
        memcpy(v->u.seq.items, items, n * sizeof *items);
    }
    v->u.seq.n = v->u.seq.cap = n;
    return v;
}

/* Returns the offset of the first invalid UTF-8 sequence or NUL byte, or n. */
static size_t text_invalid_at(const unsigned char *s, size_t n)
{
    const unsigned char *nul = memchr(s, 0, n);
    size_t bad = gy_utf8_invalid_at(s, n);
    return nul && (size_t)(nul - s) < bad ? (size_t)(nul - s) : bad;
}

static gy_status push_string(gy_pkvm *m, gy_pk_type type, size_t len)
{
    if (len > GY_PK_MAX_STRING)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "a string longer than the limit (GY_PK_MAX_STRING)");
    gy_status s = need(m, len);
    if (s != GY_OK)
        return s;
    const unsigned char *src = m->p + m->pos;
    if (type == GY_PK_STR) {
        size_t bad = text_invalid_at(src, len);
        if (bad != len) {
            char what[96];
            snprintf(what, sizeof what, "a string is not valid UTF-8 or holds a NUL (at its byte %zu)",
                     bad);
            return gy_pkvm_fail(m, GY_ERR_FORMAT, what);
        }
    }
    gy_pk_value *v = gy_pkvm_new(m, type);
    char *d = v ? gy_pkvm_alloc(m->pk, len + 1) : NULL;
    if (!d)
        return gy_pkvm_nomem(m);
    memcpy(d, src, len);
    d[len] = '\0';
    v->u.str.data = d;
    v->u.str.len = len;
    m->pos += len;
    return gy_pkvm_push(m, v);
}

static gy_status push_int(gy_pkvm *m, int64_t i)
{
    gy_pk_value *v = gy_pkvm_new(m, GY_PK_INT);
    if (v)
        v->u.i = i;
    return gy_pkvm_push(m, v);
}

/* ---------------------------------------------------------------------------------------------- */
/* Memo. */

static gy_status memo_put(gy_pkvm *m, uint64_t idx)
{
    if (idx >= GY_PK_MAX_MEMO) {
        char what[128];
        snprintf(what, sizeof what, "memo index %llu is over the limit %u (GY_PK_MAX_MEMO)",
                 (unsigned long long)idx, GY_PK_MAX_MEMO);
        return gy_pkvm_fail(m, GY_ERR_FORMAT, what);
    }
    gy_pk_value *v = NULL;
    gy_status s = gy_pkvm_top(m, &v);
    if (s != GY_OK)
        return s;
    if (idx >= m->memo_cap) {
        size_t cap = m->memo_cap ? m->memo_cap : 1024;
        while (cap <= idx)
            cap *= 2;
        if (cap > GY_PK_MAX_MEMO)
            cap = GY_PK_MAX_MEMO;
        gy_pk_value **mm = realloc(m->memo, cap * sizeof *mm);
        if (!mm)
            return gy_pkvm_nomem(m);
        memset(mm + m->memo_cap, 0, (cap - m->memo_cap) * sizeof *mm);
        m->memo = mm;
        m->memo_cap = cap;
    }
    if (!m->memo[idx])
        m->memo_len++;
    m->memo[idx] = v;
    return GY_OK;
}

static gy_status memo_get(gy_pkvm *m, uint64_t idx)
{
    if (idx >= m->memo_cap || !m->memo[idx]) {
        char what[128];
        snprintf(what, sizeof what, "memo index %llu was never stored%s",
                 (unsigned long long)idx, idx >= GY_PK_MAX_MEMO ? " (over GY_PK_MAX_MEMO)" : "");
        return gy_pkvm_fail(m, GY_ERR_FORMAT, what);
    }
    return gy_pkvm_push(m, m->memo[idx]);
}

/* ---------------------------------------------------------------------------------------------- */
/* Containers. */

static gy_status op_setitems(gy_pkvm *m, size_t first)
{
    if (first == 0 || first > m->sp)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "SETITEMS without a dict below its MARK");
    size_t n = m->sp - first;
    if (n % 2)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "SETITEMS with an odd number of values");
    gy_pk_value *d = m->stack[first - 1];
    if (first - 1 < gy_pkvm_floor(m))
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "stack underflow (no dict for SETITEMS)");
    if (d->type != GY_PK_DICT)
        return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, "SETITEM(S) on a value that is not a dict");
    gy_status s = dict_reserve(m, d, n / 2);
    if (s != GY_OK)
        return s;
    for (size_t i = first; i < m->sp; i += 2) {
        d->u.dict.keys[d->u.dict.n] = m->stack[i];
        d->u.dict.vals[d->u.dict.n] = m->stack[i + 1];
        d->u.dict.n++;
    }
    m->sp = first;
    return GY_OK;
}

static gy_status op_appends(gy_pkvm *m, size_t first)
{
    if (first == 0 || first - 1 < gy_pkvm_floor(m))
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "stack underflow (no list for APPEND(S))");
    gy_pk_value *l = m->stack[first - 1];
    if (l->type != GY_PK_LIST)
        return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, "APPEND(S) on a value that is not a list");
    size_t n = m->sp - first;
    gy_status s = seq_reserve(m, l, n);
    if (s != GY_OK)
        return s;
    for (size_t i = first; i < m->sp; i++)
        l->u.seq.items[l->u.seq.n++] = m->stack[i];
    m->sp = first;
    return GY_OK;
}

static gy_status op_tuple_n(gy_pkvm *m, size_t n)
{
    if (m->sp - gy_pkvm_floor(m) < n)
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "stack underflow (too few values for the tuple)");
    gy_pk_value *t = make_seq(m, GY_PK_TUPLE, m->stack + m->sp - n, n);
    if (!t)
        return gy_pkvm_nomem(m);
    m->sp -= n;
    return gy_pkvm_push(m, t);
}

/* ---------------------------------------------------------------------------------------------- */
/* The loop. */

static gy_status step(gy_pkvm *m, int *done)
{
    gy_status s;
    uint64_t u = 0;
    size_t first = 0;
    gy_pk_value *v = NULL;
    m->op_pos = m->pos;
    m->op = m->p[m->pos++];
    switch (m->op) {
    case 0x80: /* PROTO */
        if ((s = need(m, 1)) != GY_OK)
            return s;
        if (m->p[m->pos] > 5)
            return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, "pickle protocol above 5");
        m->pos++;
        return GY_OK;
    case 0x95: /* FRAME: a length hint; the data follows inline */
        if ((s = need(m, 8)) != GY_OK)
            return s;
        m->pos += 8;
        return GY_OK;
    case '.': /* STOP */
        *done = 1;
        return GY_OK;
    case '(': /* MARK */
        if (m->nmarks >= GY_PK_MAX_MARKS)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "MARKs nested deeper than the limit "
                           "(GY_PK_MAX_MARKS)");
        m->marks[m->nmarks++] = m->sp;
        return GY_OK;
    case '0': /* POP */
        return gy_pkvm_pop(m, &v);
    case '1': /* POP_MARK */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        m->sp = first;
        return GY_OK;
    case '2': /* DUP */
        if ((s = gy_pkvm_top(m, &v)) != GY_OK)
            return s;
        return gy_pkvm_push(m, v);
    case 'N':
        return gy_pkvm_push(m, m->none);
    case 0x88:
        return gy_pkvm_push(m, m->t);
    case 0x89:
        return gy_pkvm_push(m, m->f);
    case 'J': /* BININT: signed 32-bit */
        if ((s = need(m, 4)) != GY_OK)
            return s;
        u = read_le(m->p + m->pos, 4);
        m->pos += 4;
        return push_int(m, (int64_t)(int32_t)(uint32_t)u);
    case 'K':
        if ((s = need(m, 1)) != GY_OK)
            return s;
        return push_int(m, m->p[m->pos++]);
    case 'M':
        if ((s = need(m, 2)) != GY_OK)
            return s;
        u = read_le(m->p + m->pos, 2);
        m->pos += 2;
        return push_int(m, (int64_t)u);
    case 0x8a: { /* LONG1: n bytes, two's complement little-endian; n <= 8 here */
        if ((s = need(m, 1)) != GY_OK)
            return s;
        unsigned n = m->p[m->pos++];
        if (n > 8)
            return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, "an integer wider than 64 bits");
        if ((s = need(m, n)) != GY_OK)
            return s;
        u = n ? read_le(m->p + m->pos, (int)n) : 0;
        if (n && n < 8 && (m->p[m->pos + n - 1] & 0x80))
            u |= ~(uint64_t)0 << (8 * n); /* sign-extend */
        m->pos += n;
        int64_t i;
        memcpy(&i, &u, sizeof i);
        return push_int(m, i);
    }
    case 'G': { /* BINFLOAT: big-endian double */
        if ((s = need(m, 8)) != GY_OK)
            return s;
        u = 0;
        for (int k = 0; k < 8; k++)
            u = u << 8 | m->p[m->pos + (size_t)k];
        m->pos += 8;
        v = gy_pkvm_new(m, GY_PK_FLOAT);
        if (v)
            memcpy(&v->u.f, &u, sizeof v->u.f);
        return gy_pkvm_push(m, v);
    }
    case 'X': /* BINUNICODE */
    case 'B': /* BINBYTES */
        if ((s = need(m, 4)) != GY_OK)
            return s;
        u = read_le(m->p + m->pos, 4);
        m->pos += 4;
        return push_string(m, m->op == 'X' ? GY_PK_STR : GY_PK_BYTES, (size_t)u);
    case 0x8c: /* SHORT_BINUNICODE */
    case 'C':  /* SHORT_BINBYTES */
        if ((s = need(m, 1)) != GY_OK)
            return s;
        u = m->p[m->pos++];
        return push_string(m, m->op == 0x8c ? GY_PK_STR : GY_PK_BYTES, (size_t)u);
    case '}':
        return gy_pkvm_push(m, gy_pkvm_new(m, GY_PK_DICT));
    case ']':
        return gy_pkvm_push(m, gy_pkvm_new(m, GY_PK_LIST));
    case ')':
        return gy_pkvm_push(m, gy_pkvm_new(m, GY_PK_TUPLE));
    case 't': /* TUPLE */
    case 'l': /* LIST */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        /* no pointer arithmetic on an empty (NULL) stack: found by fuzz_pt */
        v = make_seq(m, m->op == 't' ? GY_PK_TUPLE : GY_PK_LIST,
                     m->sp > first ? m->stack + first : NULL, m->sp - first);
        if (!v)
            return gy_pkvm_nomem(m);
        m->sp = first;
        return gy_pkvm_push(m, v);
    case 'd': /* DICT */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        v = gy_pkvm_new(m, GY_PK_DICT);
        if (!v)
            return gy_pkvm_nomem(m);
        if ((m->sp - first) % 2)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "DICT with an odd number of values");
        if ((s = dict_reserve(m, v, (m->sp - first) / 2)) != GY_OK)
            return s;
        for (size_t i = first; i < m->sp; i += 2) {
            v->u.dict.keys[v->u.dict.n] = m->stack[i];
            v->u.dict.vals[v->u.dict.n++] = m->stack[i + 1];
        }
        m->sp = first;
        return gy_pkvm_push(m, v);
    case 0x85:
        return op_tuple_n(m, 1);
    case 0x86:
        return op_tuple_n(m, 2);
    case 0x87:
        return op_tuple_n(m, 3);
    case 'q':
        if ((s = need(m, 1)) != GY_OK)
            return s;
        return memo_put(m, m->p[m->pos++]);
    case 'r':
        if ((s = need(m, 4)) != GY_OK)
            return s;
        u = read_le(m->p + m->pos, 4);
        m->pos += 4;
        return memo_put(m, u);
    case 0x94: /* MEMOIZE: stores at index len(memo) */
        return memo_put(m, m->memo_len);
    case 'h':
        if ((s = need(m, 1)) != GY_OK)
            return s;
        return memo_get(m, m->p[m->pos++]);
    case 'j':
        if ((s = need(m, 4)) != GY_OK)
            return s;
        u = read_le(m->p + m->pos, 4);
        m->pos += 4;
        return memo_get(m, u);
    case 's': /* SETITEM */
        if (m->sp - gy_pkvm_floor(m) < 3)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "stack underflow (SETITEM needs a dict, a key and "
                           "a value)");
        return op_setitems(m, m->sp - 2);
    case 'u': /* SETITEMS */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        return op_setitems(m, first);
    case 'a': /* APPEND */
        if (m->sp - gy_pkvm_floor(m) < 2)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "stack underflow (APPEND needs a list and a value)");
        return op_appends(m, m->sp - 1);
    case 'e': /* APPENDS */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        return op_appends(m, first);
    case 'c':
        return gy_pkvm_global(m);
    case 0x93: { /* STACK_GLOBAL */
        gy_pk_value *name = NULL, *mod = NULL;
        if ((s = gy_pkvm_pop(m, &name)) != GY_OK || (s = gy_pkvm_pop(m, &mod)) != GY_OK)
            return s;
        if (name->type != GY_PK_STR || mod->type != GY_PK_STR)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "STACK_GLOBAL of values that are not strings");
        return gy_pkvm_push_global(m, mod->u.str.data, mod->u.str.len, name->u.str.data,
                           name->u.str.len);
    }
    case 'R':
        return gy_pkvm_reduce(m);
    case 0x81:
        return gy_pkvm_newobj(m);
    case 'b':
        return gy_pkvm_build(m);
    case 'Q':
        return gy_pkvm_persid(m);
    }
    return gy_pkvm_fail(m, GY_ERR_UNSUPPORTED, "unknown or unsupported pickle opcode");
}

gy_status gy_pickle_load(const unsigned char *data, size_t size, const char *display,
                         gy_pickle **out, const gy_pk_value **root, gy_error *err)
{
    if (!out || !root || (!data && size))
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_pickle_load needs data and output pointers");
    *out = NULL;
    *root = NULL;
    const char *name = display ? display : "<pickle>";
    if (size > GY_PK_MAX_PICKLE)
        return gy_fail(err, GY_ERR_FORMAT, "%s: the pickle is %zu bytes, more than the limit of "
                       "%zu (GY_PK_MAX_PICKLE)", name, size, GY_PK_MAX_PICKLE);
    gy_pickle *pk = gy_pkvm_arena_new();
    if (!pk)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", name);
    gy_pkvm m;
    memset(&m, 0, sizeof m);
    m.pk = pk;
    m.p = data;
    m.size = size;
    m.name = name;
    m.err = err;
    gy_pk_value *consts = gy_pkvm_alloc(pk, 3 * sizeof *consts);
    gy_status s = GY_OK;
    if (!consts) {
        s = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", name);
    } else {
        consts[0].type = GY_PK_NONE;
        consts[1].type = GY_PK_BOOL;
        consts[1].u.i = 1;
        consts[2].type = GY_PK_BOOL;
        m.none = &consts[0];
        m.t = &consts[1];
        m.f = &consts[2];
    }
    int done = 0;
    while (s == GY_OK && !done) {
        if (m.pos >= m.size) {
            s = gy_fail(err, GY_ERR_FORMAT, "%s: the pickle ends at byte %zu without STOP "
                        "(truncated)", name, m.size);
            break;
        }
        s = step(&m, &done);
    }
    gy_pk_value *result = NULL;
    if (s == GY_OK) {
        if (m.sp != 1 || m.nmarks != 0)
            s = gy_pkvm_fail(&m, GY_ERR_FORMAT, m.sp == 0 ? "STOP with an empty stack"
                                                     : "STOP with values or MARKs left over");
        else
            result = m.stack[0];
    }
    free(m.stack);
    free(m.memo);
    if (s != GY_OK) {
        gy_pickle_free(pk);
        return s;
    }
    *out = pk;
    *root = result;
    return GY_OK;
}


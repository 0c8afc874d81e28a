/* pickle.c - the non-executing pickle interpreter (see pickle.h for what each opcode becomes).
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

/* ---------------------------------------------------------------------------------------------- */
/* Arena: values are never freed one by one. */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} arena_block;

struct gy_pickle {
    arena_block *blocks;
    size_t total; /* bytes obtained from malloc */
};

#define ARENA_BLOCK ((size_t)1 << 16)

static void *arena_alloc(gy_pickle *pk, size_t size)
{
    size = (size + 15u) & ~(size_t)15u;
    if (size == 0 || size > GY_PK_MAX_ARENA)
        return NULL;
    arena_block *b = pk->blocks;
    if (!b || b->size - b->used < size) {
        size_t bsize = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
        if (pk->total + bsize > GY_PK_MAX_ARENA)
            return NULL;
        arena_block *nb = malloc(sizeof *nb + bsize);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->size = bsize;
        pk->total += bsize;
        if (b && bsize != ARENA_BLOCK) { /* a big single allocation: keep the open block in front */
            nb->next = b->next;
            b->next = nb;
            nb->used = size;
            memset(nb->data, 0, size);
            return nb->data;
        }
        nb->next = b;
        pk->blocks = b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

void gy_pickle_free(gy_pickle *pk)
{
    if (!pk)
        return;
    arena_block *b = pk->blocks;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(pk);
}

/* ---------------------------------------------------------------------------------------------- */
/* Opcode names, for messages. */

static const char *opcode_name(unsigned op)
{
    switch (op) {
    case '(': return "MARK";
    case '.': return "STOP";
    case '0': return "POP";
    case '1': return "POP_MARK";
    case '2': return "DUP";
    case 'F': return "FLOAT";
    case 'I': return "INT";
    case 'J': return "BININT";
    case 'K': return "BININT1";
    case 'L': return "LONG";
    case 'M': return "BININT2";
    case 'N': return "NONE";
    case 'P': return "PERSID";
    case 'Q': return "BINPERSID";
    case 'R': return "REDUCE";
    case 'S': return "STRING";
    case 'T': return "BINSTRING";
    case 'U': return "SHORT_BINSTRING";
    case 'V': return "UNICODE";
    case 'X': return "BINUNICODE";
    case 'a': return "APPEND";
    case 'b': return "BUILD";
    case 'c': return "GLOBAL";
    case 'd': return "DICT";
    case '}': return "EMPTY_DICT";
    case 'e': return "APPENDS";
    case 'g': return "GET";
    case 'h': return "BINGET";
    case 'i': return "INST";
    case 'j': return "LONG_BINGET";
    case 'l': return "LIST";
    case ']': return "EMPTY_LIST";
    case 'o': return "OBJ";
    case 'p': return "PUT";
    case 'q': return "BINPUT";
    case 'r': return "LONG_BINPUT";
    case 's': return "SETITEM";
    case 't': return "TUPLE";
    case ')': return "EMPTY_TUPLE";
    case 'u': return "SETITEMS";
    case 'G': return "BINFLOAT";
    case 0x80: return "PROTO";
    case 0x81: return "NEWOBJ";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 0x85: return "TUPLE1";
    case 0x86: return "TUPLE2";
    case 0x87: return "TUPLE3";
    case 0x88: return "NEWTRUE";
    case 0x89: return "NEWFALSE";
    case 0x8a: return "LONG1";
    case 0x8b: return "LONG4";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 0x8c: return "SHORT_BINUNICODE";
    case 0x8d: return "BINUNICODE8";
    case 0x8e: return "BINBYTES8";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x92: return "NEWOBJ_EX";
    case 0x93: return "STACK_GLOBAL";
    case 0x94: return "MEMOIZE";
    case 0x95: return "FRAME";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------------- */
/* The machine. */

typedef struct vm {
    gy_pickle *pk;
    const unsigned char *p;
    size_t size, pos;
    size_t op_pos; /* offset of the opcode being run */
    unsigned op;
    const char *name;
    gy_error *err;
    gy_pk_value **stack;
    size_t sp, stack_cap;
    size_t marks[GY_PK_MAX_MARKS];
    int nmarks;
    gy_pk_value **memo;
    size_t memo_cap;
    size_t memo_len; /* filled slots: MEMOIZE's next index, as len(memo) in CPython */
    gy_pk_value *none, *t, *f; /* shared constants, in the arena */
} vm;

static const char *op_str(unsigned op, char *buf, size_t n)
{
    const char *s = opcode_name(op);
    if (s)
        snprintf(buf, n, "%s (0x%02x)", s, op);
    else
        snprintf(buf, n, "0x%02x", op);
    return buf;
}

/* Fails naming the pickle, the opcode and its offset. */
static gy_status vm_fail(vm *m, gy_status st, const char *what)
{
    char ob[48];
    return gy_fail(m->err, st, "%s: byte %zu, opcode %s: %s", m->name, m->op_pos,
                   op_str(m->op, ob, sizeof ob), what);
}

static gy_status vm_nomem(vm *m)
{
    return vm_fail(m, GY_ERR_NOMEM, "the unpickled values exceed the memory limit "
                   "(GY_PK_MAX_ARENA) or memory ran out");
}

static gy_pk_value *new_value(vm *m, gy_pk_type type)
{
    gy_pk_value *v = arena_alloc(m->pk, sizeof *v);
    if (v)
        v->type = type;
    return v;
}

static gy_status need(vm *m, size_t n)
{
    if (m->size - m->pos < n)
        return vm_fail(m, GY_ERR_FORMAT, "the pickle ends inside an opcode's argument (truncated)");
    return GY_OK;
}

static uint64_t read_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static gy_status push(vm *m, gy_pk_value *v)
{
    if (!v)
        return vm_nomem(m);
    if (m->sp == m->stack_cap) {
        if (m->stack_cap >= GY_PK_MAX_STACK)
            return vm_fail(m, GY_ERR_FORMAT, "more values on the stack than the limit "
                           "(GY_PK_MAX_STACK)");
        size_t cap = m->stack_cap ? m->stack_cap * 2 : 256;
        if (cap > GY_PK_MAX_STACK)
            cap = GY_PK_MAX_STACK;
        gy_pk_value **s = realloc(m->stack, cap * sizeof *s);
        if (!s)
            return vm_nomem(m);
        m->stack = s;
        m->stack_cap = cap;
    }
    m->stack[m->sp++] = v;
    return GY_OK;
}

/* The stack floor: values below the innermost MARK cannot be popped by ordinary opcodes. */
static size_t floor_of(const vm *m) { return m->nmarks ? m->marks[m->nmarks - 1] : 0; }

static gy_status pop(vm *m, gy_pk_value **out)
{
    if (m->sp <= floor_of(m))
        return vm_fail(m, GY_ERR_FORMAT, "stack underflow (nothing to pop)");
    *out = m->stack[--m->sp];
    return GY_OK;
}

static gy_status top(vm *m, gy_pk_value **out)
{
    if (m->sp <= floor_of(m))
        return vm_fail(m, GY_ERR_FORMAT, "stack underflow (no value on the stack)");
    *out = m->stack[m->sp - 1];
    return GY_OK;
}

/* Pops the innermost MARK: the values above it are m->stack[*first .. m->sp). */
static gy_status pop_mark(vm *m, size_t *first)
{
    if (m->nmarks == 0)
        return vm_fail(m, GY_ERR_FORMAT, "no MARK to close");
    *first = m->marks[--m->nmarks];
    return GY_OK;
}

static gy_status seq_reserve(vm *m, gy_pk_value *s, size_t extra)
{
    if (extra > GY_PK_MAX_ITEMS || s->u.seq.n > GY_PK_MAX_ITEMS - extra)
        return vm_fail(m, GY_ERR_FORMAT, "a container holds more items than the limit "
                       "(GY_PK_MAX_ITEMS)");
    size_t want = s->u.seq.n + extra;
    if (want <= s->u.seq.cap)
        return GY_OK;
    size_t cap = s->u.seq.cap ? s->u.seq.cap * 2 : 4;
    while (cap < want)
        cap *= 2;
    gy_pk_value **items = arena_alloc(m->pk, cap * sizeof *items);
    if (!items)
        return vm_nomem(m);
    if (s->u.seq.n)
        memcpy(items, s->u.seq.items, s->u.seq.n * sizeof *items);
    s->u.seq.items = items;
    s->u.seq.cap = cap;
    return GY_OK;
}

static gy_status dict_reserve(vm *m, gy_pk_value *d, size_t extra)
{
    if (extra > GY_PK_MAX_ITEMS || d->u.dict.n > GY_PK_MAX_ITEMS - extra)
        return vm_fail(m, GY_ERR_FORMAT, "a dict holds more items than the limit "
                       "(GY_PK_MAX_ITEMS)");
    size_t want = d->u.dict.n + extra;
    if (want <= d->u.dict.cap)
        return GY_OK;
    size_t cap = d->u.dict.cap ? d->u.dict.cap * 2 : 4;
    while (cap < want)
        cap *= 2;
    gy_pk_value **k = arena_alloc(m->pk, cap * sizeof *k);
    gy_pk_value **v = k ? arena_alloc(m->pk, cap * sizeof *v) : NULL;
    if (!v)
        return vm_nomem(m);
    if (d->u.dict.n) {
        memcpy(k, d->u.dict.keys, d->u.dict.n * sizeof *k);
        memcpy(v, d->u.dict.vals, d->u.dict.n * sizeof *v);
    }
    d->u.dict.keys = k;
    d->u.dict.vals = v;
    d->u.dict.cap = cap;
    return GY_OK;
}

static gy_pk_value *make_seq(vm *m, gy_pk_type type, gy_pk_value *const *items, size_t n)
{
    gy_pk_value *v = new_value(m, type);
    if (!v)
        return NULL;
    if (n) {
        v->u.seq.items = arena_alloc(m->pk, n * sizeof *items);
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
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned cp;
        if (c == 0)
            return i;
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

static gy_status push_string(vm *m, gy_pk_type type, size_t len)
{
    if (len > GY_PK_MAX_STRING)
        return vm_fail(m, GY_ERR_FORMAT, "a string longer than the limit (GY_PK_MAX_STRING)");
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
            return vm_fail(m, GY_ERR_FORMAT, what);
        }
    }
    gy_pk_value *v = new_value(m, type);
    char *d = v ? arena_alloc(m->pk, len + 1) : NULL;
    if (!d)
        return vm_nomem(m);
    memcpy(d, src, len);
    d[len] = '\0';
    v->u.str.data = d;
    v->u.str.len = len;
    m->pos += len;
    return push(m, v);
}

static gy_status push_int(vm *m, int64_t i)
{
    gy_pk_value *v = new_value(m, GY_PK_INT);
    if (v)
        v->u.i = i;
    return push(m, v);
}

/* ---------------------------------------------------------------------------------------------- */
/* Globals. */

static int str_in(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static int has_prefix_ns(const char *module, const char *ns)
{
    size_t n = strlen(ns);
    return strncmp(module, ns, n) == 0 && (module[n] == '\0' || module[n] == '.');
}

/* The allow-list: namespaces whose classes a checkpoint may name. Nothing is ever imported or
 * called, so this is not what makes the reader safe; it turns a pickle that names os.system,
 * eval or subprocess into a clear refusal instead of an inert record. */
static int global_allowed(const char *module, const char *name)
{
    static const char *const spaces[] = {"torch", "ultralytics", "numpy", NULL};
    static const char *const modules[] = {"collections", "pathlib", "argparse", "types",
                                          "_codecs", "copyreg", "copy_reg", "datetime", NULL};
    static const char *const builtins[] = {"set", "frozenset", "slice", "bytearray", "complex",
                                           "object", "range", "list", "dict", "tuple", "int",
                                           "float", "str", "bool", "bytes", NULL};
    for (const char *const *s = spaces; *s; s++)
        if (has_prefix_ns(module, *s))
            return 1;
    if (str_in(module, modules))
        return 1;
    if (strcmp(module, "builtins") == 0 || strcmp(module, "__builtin__") == 0)
        return str_in(name, builtins);
    return 0;
}

static int is_ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.';
}

static gy_status push_global(vm *m, const char *module, size_t mlen, const char *name,
                             size_t nlen)
{
    if (mlen == 0 || nlen == 0 || mlen > GY_PK_MAX_GLOBAL || nlen > GY_PK_MAX_GLOBAL)
        return vm_fail(m, GY_ERR_FORMAT, "a global with an empty or over-long module or name");
    for (size_t i = 0; i < mlen; i++)
        if (!is_ident_char((unsigned char)module[i]))
            return vm_fail(m, GY_ERR_FORMAT, "a global whose module is not a dotted identifier");
    for (size_t i = 0; i < nlen; i++)
        if (!is_ident_char((unsigned char)name[i]))
            return vm_fail(m, GY_ERR_FORMAT, "a global whose name is not a dotted identifier");
    gy_pk_value *v = new_value(m, GY_PK_GLOBAL);
    char *mod = v ? arena_alloc(m->pk, mlen + 1) : NULL;
    char *nam = mod ? arena_alloc(m->pk, nlen + 1) : NULL;
    if (!nam)
        return vm_nomem(m);
    memcpy(mod, module, mlen);
    memcpy(nam, name, nlen);
    if (!global_allowed(mod, nam)) {
        char what[640];
        snprintf(what, sizeof what, "refused global '%s.%s': a checkpoint may only name classes "
                 "of torch, ultralytics, numpy, collections and a few plain builtins; nothing "
                 "is ever called", mod, nam);
        return vm_fail(m, GY_ERR_UNSUPPORTED, what);
    }
    v->u.global.module = mod;
    v->u.global.name = nam;
    return push(m, v);
}

static gy_status op_global(vm *m)
{
    const char *lines[2];
    size_t lens[2];
    for (int k = 0; k < 2; k++) {
        const unsigned char *start = m->p + m->pos;
        size_t avail = m->size - m->pos;
        size_t lim = avail < GY_PK_MAX_GLOBAL + 1 ? avail : GY_PK_MAX_GLOBAL + 1;
        const unsigned char *nl = memchr(start, '\n', lim);
        if (!nl)
            return vm_fail(m, GY_ERR_FORMAT, "a GLOBAL line without its newline (truncated or "
                           "over-long)");
        lines[k] = (const char *)start;
        lens[k] = (size_t)(nl - start);
        m->pos += lens[k] + 1;
    }
    return push_global(m, lines[0], lens[0], lines[1], lens[1]);
}

/* ---------------------------------------------------------------------------------------------- */
/* Calls. */

static int global_is(const gy_pk_value *g, const char *module, const char *name)
{
    return g && g->type == GY_PK_GLOBAL && strcmp(g->u.global.module, module) == 0 &&
           strcmp(g->u.global.name, name) == 0;
}

static int as_int(const gy_pk_value *v, int64_t *out)
{
    if (!v || (v->type != GY_PK_INT && v->type != GY_PK_BOOL))
        return 0;
    *out = v->u.i;
    return 1;
}

/* torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
 * backward_hooks[, metadata]): a contiguous tensor inside its storage. */
static gy_status rebuild_tensor(vm *m, const gy_pk_value *args, gy_pk_value **out)
{
    if (args->u.seq.n < 4)
        return vm_fail(m, GY_ERR_FORMAT, "_rebuild_tensor_v2 needs (storage, offset, size, "
                       "stride, ...)");
    gy_pk_value *const *a = args->u.seq.items;
    if (a[0]->type != GY_PK_STORAGE)
        return vm_fail(m, GY_ERR_FORMAT, "_rebuild_tensor_v2's first argument is not a storage "
                       "(persistent id)");
    int64_t off;
    if (!as_int(a[1], &off) || off < 0)
        return vm_fail(m, GY_ERR_FORMAT, "_rebuild_tensor_v2's storage offset is not a "
                       "non-negative integer");
    const gy_pk_value *size = a[2], *stride = a[3];
    if (size->type != GY_PK_TUPLE || stride->type != GY_PK_TUPLE ||
        size->u.seq.n != stride->u.seq.n)
        return vm_fail(m, GY_ERR_FORMAT, "_rebuild_tensor_v2's size and stride are not tuples of "
                       "one length");
    if (size->u.seq.n > GY_PK_MAX_DIMS)
        return vm_fail(m, GY_ERR_UNSUPPORTED, "a tensor with more dimensions than supported "
                       "(GY_PK_MAX_DIMS)");
    gy_pk_value *v = new_value(m, GY_PK_TENSOR);
    if (!v)
        return vm_nomem(m);
    gy_pk_tensor *t = &v->u.tensor;
    t->storage = a[0];
    t->offset = (uint64_t)off;
    t->ndim = (int)size->u.seq.n;
    uint64_t numel = 1;
    for (int d = 0; d < t->ndim; d++) {
        int64_t dim;
        if (!as_int(size->u.seq.items[d], &dim) || dim < 0)
            return vm_fail(m, GY_ERR_FORMAT, "a tensor dimension is not a non-negative integer");
        if (dim != 0 && numel > UINT64_MAX / (uint64_t)dim)
            return vm_fail(m, GY_ERR_FORMAT, "a tensor's element count overflows");
        numel *= (uint64_t)dim;
        t->shape[d] = dim;
    }
    t->numel = numel;
    /* Strides: contiguous (row-major) is recorded; any layout must stay inside the storage:
     * offset + sum((size - 1) x stride) < storage numel. Dimensions of size 1 may carry any
     * stride, as torch allows. */
    uint64_t expect = 1, last = 0;
    t->contiguous = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        int64_t st;
        if (!as_int(stride->u.seq.items[d], &st) || st < 0)
            return vm_fail(m, GY_ERR_FORMAT, "a tensor stride is not a non-negative integer");
        if (t->shape[d] > 1 && (uint64_t)st != expect)
            t->contiguous = 0;
        if (t->shape[d] != 0 && expect > UINT64_MAX / (uint64_t)t->shape[d])
            return vm_fail(m, GY_ERR_FORMAT, "a tensor's strides overflow");
        expect *= (uint64_t)(t->shape[d] ? t->shape[d] : 1);
        if (t->shape[d] > 1) {
            uint64_t span = (uint64_t)(t->shape[d] - 1);
            if ((uint64_t)st != 0 && span > (UINT64_MAX / 2) / (uint64_t)st)
                return vm_fail(m, GY_ERR_FORMAT, "a tensor's strides overflow");
            if (span * (uint64_t)st > UINT64_MAX / 2 - last)
                return vm_fail(m, GY_ERR_FORMAT, "a tensor's strides overflow");
            last += span * (uint64_t)st;
        }
    }
    if (numel == 0)
        last = 0;
    const gy_pk_storage *sto = &a[0]->u.storage;
    if (numel && (t->offset >= sto->numel || last >= sto->numel - t->offset)) {
        char what[256];
        snprintf(what, sizeof what, "a tensor of %llu elements at offset %llu lies outside its "
                 "storage '%s' of %llu elements", (unsigned long long)numel,
                 (unsigned long long)t->offset, sto->key, (unsigned long long)sto->numel);
        return vm_fail(m, GY_ERR_FORMAT, what);
    }
    *out = v;
    return GY_OK;
}

static gy_status op_reduce(vm *m)
{
    gy_pk_value *args = NULL, *fn = NULL;
    gy_status s = pop(m, &args);
    if (s == GY_OK)
        s = pop(m, &fn);
    if (s != GY_OK)
        return s;
    if (fn->type != GY_PK_GLOBAL)
        return vm_fail(m, GY_ERR_FORMAT, "REDUCE of something that is not a global");
    if (args->type != GY_PK_TUPLE)
        return vm_fail(m, GY_ERR_FORMAT, "REDUCE arguments are not a tuple");
    gy_pk_value *r = NULL;
    if (global_is(fn, "torch._utils", "_rebuild_tensor_v2")) {
        s = rebuild_tensor(m, args, &r);
        if (s != GY_OK)
            return s;
    } else if (global_is(fn, "torch._utils", "_rebuild_parameter")) {
        if (args->u.seq.n < 1 || args->u.seq.items[0]->type != GY_PK_TENSOR)
            return vm_fail(m, GY_ERR_FORMAT, "_rebuild_parameter's first argument is not a "
                           "tensor");
        r = args->u.seq.items[0];
    } else if (global_is(fn, "collections", "OrderedDict")) {
        if (args->u.seq.n != 0)
            return vm_fail(m, GY_ERR_UNSUPPORTED, "OrderedDict called with arguments (only "
                           "OrderedDict() is evaluated)");
        r = new_value(m, GY_PK_DICT);
    } else {
        r = new_value(m, GY_PK_OBJECT);
        if (r) {
            r->u.obj.cls = fn;
            r->u.obj.args = args;
        }
    }
    return push(m, r);
}

static gy_status op_newobj(vm *m)
{
    gy_pk_value *args = NULL, *cls = NULL;
    gy_status s = pop(m, &args);
    if (s == GY_OK)
        s = pop(m, &cls);
    if (s != GY_OK)
        return s;
    if (cls->type != GY_PK_GLOBAL || args->type != GY_PK_TUPLE)
        return vm_fail(m, GY_ERR_FORMAT, "NEWOBJ needs a class and an argument tuple");
    gy_pk_value *r = new_value(m, GY_PK_OBJECT);
    if (r) {
        r->u.obj.cls = cls;
        r->u.obj.args = args;
    }
    return push(m, r);
}

static gy_status op_build(vm *m)
{
    gy_pk_value *state = NULL, *obj = NULL;
    gy_status s = pop(m, &state);
    if (s == GY_OK)
        s = top(m, &obj);
    if (s != GY_OK)
        return s;
    if (obj->type != GY_PK_OBJECT)
        return vm_fail(m, GY_ERR_UNSUPPORTED, "BUILD on a value that is not an object");
    obj->u.obj.state = state;
    return GY_OK;
}

/* BINPERSID: torch's ('storage', torch.XStorage, key, location, numel). */
static gy_status op_persid(vm *m)
{
    gy_pk_value *pid = NULL;
    gy_status s = pop(m, &pid);
    if (s != GY_OK)
        return s;
    if (pid->type != GY_PK_TUPLE || pid->u.seq.n != 5)
        return vm_fail(m, GY_ERR_FORMAT, "a persistent id that is not torch's 5-tuple "
                       "('storage', type, key, location, numel)");
    gy_pk_value *const *a = pid->u.seq.items;
    int64_t numel;
    if (a[0]->type != GY_PK_STR || strcmp(a[0]->u.str.data, "storage") != 0 ||
        a[1]->type != GY_PK_GLOBAL || a[2]->type != GY_PK_STR || !as_int(a[4], &numel) ||
        numel < 0)
        return vm_fail(m, GY_ERR_FORMAT, "a persistent id that is not torch's 5-tuple "
                       "('storage', type, key, location, numel)");
    static const struct {
        const char *name;
        gy_dtype dt;
    } types[] = {{"HalfStorage", GY_DT_F16}, {"FloatStorage", GY_DT_F32},
                 {"BFloat16Storage", GY_DT_BF16}, {"LongStorage", GY_DT_I64}};
    const gy_pk_value *g = a[1];
    int found = -1;
    if (strcmp(g->u.global.module, "torch") == 0)
        for (int i = 0; i < 4; i++)
            if (strcmp(g->u.global.name, types[i].name) == 0)
                found = i;
    if (found < 0) {
        char what[640];
        snprintf(what, sizeof what, "storage type '%s.%s' is not supported (HalfStorage, "
                 "FloatStorage, BFloat16Storage and LongStorage are)", g->u.global.module,
                 g->u.global.name);
        return vm_fail(m, GY_ERR_UNSUPPORTED, what);
    }
    const char *key = a[2]->u.str.data;
    if (a[2]->u.str.len == 0 || a[2]->u.str.len > 64)
        return vm_fail(m, GY_ERR_FORMAT, "a storage key that is empty or over 64 bytes");
    for (const char *c = key; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              *c == '_'))
            return vm_fail(m, GY_ERR_FORMAT, "a storage key with characters other than letters, "
                           "digits and '_'");
    gy_pk_value *v = new_value(m, GY_PK_STORAGE);
    if (!v)
        return vm_nomem(m);
    v->u.storage.dtype = types[found].dt;
    v->u.storage.type_name = types[found].name;
    v->u.storage.key = key;
    v->u.storage.numel = (uint64_t)numel;
    return push(m, v);
}

/* ---------------------------------------------------------------------------------------------- */
/* Memo. */

static gy_status memo_put(vm *m, uint64_t idx)
{
    if (idx >= GY_PK_MAX_MEMO) {
        char what[128];
        snprintf(what, sizeof what, "memo index %llu is over the limit %u (GY_PK_MAX_MEMO)",
                 (unsigned long long)idx, GY_PK_MAX_MEMO);
        return vm_fail(m, GY_ERR_FORMAT, what);
    }
    gy_pk_value *v = NULL;
    gy_status s = top(m, &v);
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
            return vm_nomem(m);
        memset(mm + m->memo_cap, 0, (cap - m->memo_cap) * sizeof *mm);
        m->memo = mm;
        m->memo_cap = cap;
    }
    if (!m->memo[idx])
        m->memo_len++;
    m->memo[idx] = v;
    return GY_OK;
}

static gy_status memo_get(vm *m, uint64_t idx)
{
    if (idx >= m->memo_cap || !m->memo[idx]) {
        char what[128];
        snprintf(what, sizeof what, "memo index %llu was never stored%s",
                 (unsigned long long)idx, idx >= GY_PK_MAX_MEMO ? " (over GY_PK_MAX_MEMO)" : "");
        return vm_fail(m, GY_ERR_FORMAT, what);
    }
    return push(m, m->memo[idx]);
}

/* ---------------------------------------------------------------------------------------------- */
/* Containers. */

static gy_status op_setitems(vm *m, size_t first)
{
    if (first == 0 || first > m->sp)
        return vm_fail(m, GY_ERR_FORMAT, "SETITEMS without a dict below its MARK");
    size_t n = m->sp - first;
    if (n % 2)
        return vm_fail(m, GY_ERR_FORMAT, "SETITEMS with an odd number of values");
    gy_pk_value *d = m->stack[first - 1];
    if (first - 1 < floor_of(m))
        return vm_fail(m, GY_ERR_FORMAT, "stack underflow (no dict for SETITEMS)");
    if (d->type != GY_PK_DICT)
        return vm_fail(m, GY_ERR_UNSUPPORTED, "SETITEM(S) on a value that is not a dict");
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

static gy_status op_appends(vm *m, size_t first)
{
    if (first == 0 || first - 1 < floor_of(m))
        return vm_fail(m, GY_ERR_FORMAT, "stack underflow (no list for APPEND(S))");
    gy_pk_value *l = m->stack[first - 1];
    if (l->type != GY_PK_LIST)
        return vm_fail(m, GY_ERR_UNSUPPORTED, "APPEND(S) on a value that is not a list");
    size_t n = m->sp - first;
    gy_status s = seq_reserve(m, l, n);
    if (s != GY_OK)
        return s;
    for (size_t i = first; i < m->sp; i++)
        l->u.seq.items[l->u.seq.n++] = m->stack[i];
    m->sp = first;
    return GY_OK;
}

static gy_status op_tuple_n(vm *m, size_t n)
{
    if (m->sp - floor_of(m) < n)
        return vm_fail(m, GY_ERR_FORMAT, "stack underflow (too few values for the tuple)");
    gy_pk_value *t = make_seq(m, GY_PK_TUPLE, m->stack + m->sp - n, n);
    if (!t)
        return vm_nomem(m);
    m->sp -= n;
    return push(m, t);
}

/* ---------------------------------------------------------------------------------------------- */
/* The loop. */

static gy_status step(vm *m, int *done)
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
            return vm_fail(m, GY_ERR_UNSUPPORTED, "pickle protocol above 5");
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
            return vm_fail(m, GY_ERR_FORMAT, "MARKs nested deeper than the limit "
                           "(GY_PK_MAX_MARKS)");
        m->marks[m->nmarks++] = m->sp;
        return GY_OK;
    case '0': /* POP */
        return pop(m, &v);
    case '1': /* POP_MARK */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        m->sp = first;
        return GY_OK;
    case '2': /* DUP */
        if ((s = top(m, &v)) != GY_OK)
            return s;
        return push(m, v);
    case 'N':
        return push(m, m->none);
    case 0x88:
        return push(m, m->t);
    case 0x89:
        return push(m, m->f);
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
            return vm_fail(m, GY_ERR_UNSUPPORTED, "an integer wider than 64 bits");
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
        v = new_value(m, GY_PK_FLOAT);
        if (v)
            memcpy(&v->u.f, &u, sizeof v->u.f);
        return push(m, v);
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
        return push(m, new_value(m, GY_PK_DICT));
    case ']':
        return push(m, new_value(m, GY_PK_LIST));
    case ')':
        return push(m, new_value(m, GY_PK_TUPLE));
    case 't': /* TUPLE */
    case 'l': /* LIST */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        v = make_seq(m, m->op == 't' ? GY_PK_TUPLE : GY_PK_LIST, m->stack + first,
                     m->sp - first);
        if (!v)
            return vm_nomem(m);
        m->sp = first;
        return push(m, v);
    case 'd': /* DICT */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        v = new_value(m, GY_PK_DICT);
        if (!v)
            return vm_nomem(m);
        if ((m->sp - first) % 2)
            return vm_fail(m, GY_ERR_FORMAT, "DICT with an odd number of values");
        if ((s = dict_reserve(m, v, (m->sp - first) / 2)) != GY_OK)
            return s;
        for (size_t i = first; i < m->sp; i += 2) {
            v->u.dict.keys[v->u.dict.n] = m->stack[i];
            v->u.dict.vals[v->u.dict.n++] = m->stack[i + 1];
        }
        m->sp = first;
        return push(m, v);
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
        if (m->sp - floor_of(m) < 3)
            return vm_fail(m, GY_ERR_FORMAT, "stack underflow (SETITEM needs a dict, a key and "
                           "a value)");
        return op_setitems(m, m->sp - 2);
    case 'u': /* SETITEMS */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        return op_setitems(m, first);
    case 'a': /* APPEND */
        if (m->sp - floor_of(m) < 2)
            return vm_fail(m, GY_ERR_FORMAT, "stack underflow (APPEND needs a list and a value)");
        return op_appends(m, m->sp - 1);
    case 'e': /* APPENDS */
        if ((s = pop_mark(m, &first)) != GY_OK)
            return s;
        return op_appends(m, first);
    case 'c':
        return op_global(m);
    case 0x93: { /* STACK_GLOBAL */
        gy_pk_value *name = NULL, *mod = NULL;
        if ((s = pop(m, &name)) != GY_OK || (s = pop(m, &mod)) != GY_OK)
            return s;
        if (name->type != GY_PK_STR || mod->type != GY_PK_STR)
            return vm_fail(m, GY_ERR_FORMAT, "STACK_GLOBAL of values that are not strings");
        return push_global(m, mod->u.str.data, mod->u.str.len, name->u.str.data,
                           name->u.str.len);
    }
    case 'R':
        return op_reduce(m);
    case 0x81:
        return op_newobj(m);
    case 'b':
        return op_build(m);
    case 'Q':
        return op_persid(m);
    }
    return vm_fail(m, GY_ERR_UNSUPPORTED, "unknown or unsupported pickle opcode");
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
    gy_pickle *pk = calloc(1, sizeof *pk);
    if (!pk)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", name);
    vm m;
    memset(&m, 0, sizeof m);
    m.pk = pk;
    m.p = data;
    m.size = size;
    m.name = name;
    m.err = err;
    gy_pk_value *consts = arena_alloc(pk, 3 * sizeof *consts);
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
            s = vm_fail(&m, GY_ERR_FORMAT, m.sp == 0 ? "STOP with an empty stack"
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

/* ---------------------------------------------------------------------------------------------- */
/* Walking. */

const gy_pk_value *gy_pk_dict_get(const gy_pk_value *dict, const char *key)
{
    if (!dict || dict->type != GY_PK_DICT || !key)
        return NULL;
    for (size_t i = dict->u.dict.n; i-- > 0;) {
        const gy_pk_value *k = dict->u.dict.keys[i];
        if (k->type == GY_PK_STR && strcmp(k->u.str.data, key) == 0)
            return dict->u.dict.vals[i];
    }
    return NULL;
}

const gy_pk_value *gy_pk_obj_state(const gy_pk_value *obj)
{
    if (!obj || obj->type != GY_PK_OBJECT || !obj->u.obj.state)
        return NULL;
    const gy_pk_value *st = obj->u.obj.state;
    if (st->type == GY_PK_TUPLE && st->u.seq.n == 2) /* (dict, slots) */
        st = st->u.seq.items[0];
    return st->type == GY_PK_DICT ? st : NULL;
}

int gy_pk_is_class(const gy_pk_value *v, const char *module, const char *name)
{
    return v && v->type == GY_PK_OBJECT && global_is(v->u.obj.cls, module, name);
}

const char *gy_pk_type_name(const gy_pk_value *v)
{
    if (!v)
        return "nothing";
    switch (v->type) {
    case GY_PK_NONE: return "None";
    case GY_PK_BOOL: return "bool";
    case GY_PK_INT: return "int";
    case GY_PK_FLOAT: return "float";
    case GY_PK_STR: return "str";
    case GY_PK_BYTES: return "bytes";
    case GY_PK_TUPLE: return "tuple";
    case GY_PK_LIST: return "list";
    case GY_PK_DICT: return "dict";
    case GY_PK_GLOBAL: return "global";
    case GY_PK_OBJECT: return v->u.obj.cls->u.global.name;
    case GY_PK_STORAGE: return "storage";
    case GY_PK_TENSOR: return "tensor";
    }
    return "?";
}

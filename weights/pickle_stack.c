/* pickle_stack.c - the pickle machine's memory: the arena every value lives in (capped at
 * GY_PK_MAX_ARENA, freed at once), the value stack, and the messages that name the opcode being
 * run. Below pickle.c (the opcode loop) and pickle_torch.c (what torch's names mean), which both
 * use it; it calls neither. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "weights/pickle.h"
#include "weights/pickle_vm.h"

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

void *gy_pkvm_alloc(gy_pickle *pk, size_t size)
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

gy_pickle *gy_pkvm_arena_new(void)
{
    return calloc(1, sizeof(gy_pickle));
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
/* The machine (its state, gy_pkvm, is in pickle_vm.h). */

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
gy_status gy_pkvm_fail(gy_pkvm *m, gy_status st, const char *what)
{
    char ob[48];
    return gy_fail(m->err, st, "%s: byte %zu, opcode %s: %s", m->name, m->op_pos,
                   op_str(m->op, ob, sizeof ob), what);
}

gy_status gy_pkvm_nomem(gy_pkvm *m)
{
    return gy_pkvm_fail(m, GY_ERR_NOMEM, "the unpickled values exceed the memory limit "
                   "(GY_PK_MAX_ARENA) or memory ran out");
}

gy_pk_value *gy_pkvm_new(gy_pkvm *m, gy_pk_type type)
{
    gy_pk_value *v = gy_pkvm_alloc(m->pk, sizeof *v);
    if (v)
        v->type = type;
    return v;
}

gy_status gy_pkvm_push(gy_pkvm *m, gy_pk_value *v)
{
    if (!v)
        return gy_pkvm_nomem(m);
    if (m->sp == m->stack_cap) {
        if (m->stack_cap >= GY_PK_MAX_STACK)
            return gy_pkvm_fail(m, GY_ERR_FORMAT, "more values on the stack than the limit "
                           "(GY_PK_MAX_STACK)");
        size_t cap = m->stack_cap ? m->stack_cap * 2 : 256;
        if (cap > GY_PK_MAX_STACK)
            cap = GY_PK_MAX_STACK;
        gy_pk_value **s = realloc(m->stack, cap * sizeof *s);
        if (!s)
            return gy_pkvm_nomem(m);
        m->stack = s;
        m->stack_cap = cap;
    }
    m->stack[m->sp++] = v;
    return GY_OK;
}

gy_status gy_pkvm_pop(gy_pkvm *m, gy_pk_value **out)
{
    if (m->sp <= gy_pkvm_floor(m))
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "stack underflow (nothing to pop)");
    *out = m->stack[--m->sp];
    return GY_OK;
}

gy_status gy_pkvm_top(gy_pkvm *m, gy_pk_value **out)
{
    if (m->sp <= gy_pkvm_floor(m))
        return gy_pkvm_fail(m, GY_ERR_FORMAT, "stack underflow (no value on the stack)");
    *out = m->stack[m->sp - 1];
    return GY_OK;
}


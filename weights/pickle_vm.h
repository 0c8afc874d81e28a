/* pickle_vm.h - the pickle machine's state, shared by pickle.c (the opcode loop),
 * pickle_torch.c (what names and calls mean) and pickle_stack.c (arena, stack, messages), which
 * the other two call. Internal to weights/. */
#ifndef GY_WEIGHTS_PICKLE_VM_H
#define GY_WEIGHTS_PICKLE_VM_H

#include <stddef.h>
#include <stdint.h>

#include "ghostyolo.h"
#include "weights/pickle.h"

typedef struct gy_pkvm {
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
} gy_pkvm;

/* The stack floor: values below the innermost MARK cannot be popped by ordinary opcodes. */
static inline size_t gy_pkvm_floor(const gy_pkvm *m)
{
    return m->nmarks ? m->marks[m->nmarks - 1] : 0;
}

/* pickle_stack.c */
gy_pickle *gy_pkvm_arena_new(void); /* an empty arena, NULL when out of memory */
void *gy_pkvm_alloc(gy_pickle *pk, size_t size); /* zeroed arena memory, NULL over the cap */
/* Fails naming the pickle, the opcode and its offset: "NAME: byte N, opcode X: what". */
gy_status gy_pkvm_fail(gy_pkvm *m, gy_status st, const char *what);
gy_status gy_pkvm_nomem(gy_pkvm *m);
gy_pk_value *gy_pkvm_new(gy_pkvm *m, gy_pk_type type);
gy_status gy_pkvm_push(gy_pkvm *m, gy_pk_value *v); /* v NULL: out of memory */
gy_status gy_pkvm_pop(gy_pkvm *m, gy_pk_value **out);
gy_status gy_pkvm_top(gy_pkvm *m, gy_pk_value **out);

/* pickle_torch.c: one opcode each */
gy_status gy_pkvm_global(gy_pkvm *m);
gy_status gy_pkvm_push_global(gy_pkvm *m, const char *module, size_t mlen, const char *name,
                              size_t nlen);
gy_status gy_pkvm_reduce(gy_pkvm *m);
gy_status gy_pkvm_newobj(gy_pkvm *m);
gy_status gy_pkvm_build(gy_pkvm *m);
gy_status gy_pkvm_persid(gy_pkvm *m);
/* 1 when g is the global "module name". */
int gy_pkvm_global_is(const gy_pk_value *g, const char *module, const char *name);

#endif

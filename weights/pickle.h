/* pickle.h - a pickle interpreter that executes nothing, for PyTorch checkpoints (data.pkl).
 *
 * It understands the opcodes torch.save writes (protocol 2) plus the few protocol 3/4 additions
 * that carry the same data (FRAME, SHORT_BINUNICODE, BINBYTES, MEMOIZE, STACK_GLOBAL). Every value
 * it builds is plain data:
 *   - GLOBAL records a class or function name ("module name"); nothing is imported. Only names
 *     from an allow-list of namespaces are accepted (torch*, collections, ultralytics*, numpy*,
 *     pathlib, argparse, types, copyreg, _codecs, and a few harmless builtins such as set); any
 *     other (os, posix, subprocess, builtins eval/getattr, ...) is refused naming the global.
 *   - REDUCE is evaluated for three callables only: torch._utils._rebuild_tensor_v2 (a tensor
 *     record: storage, offset, shape, whether its strides are row-major; it must lie inside its
 *     storage), torch._utils._rebuild_parameter (the tensor) and
 *     collections.OrderedDict (an empty dict). Every other call, every NEWOBJ and every BUILD
 *     gives an inert object that keeps its class name, its arguments and its state.
 *   - BINPERSID turns torch's persistent id ('storage', torch.XStorage, key, location, numel)
 *     into a storage record; the storage bytes are read later by the caller, from the archive.
 * A hostile pickle can make the interpreter fail, never run code: every size below is capped and
 * every failure names the opcode and its byte offset.
 *
 * All values live in one arena owned by the gy_pickle result and are freed together. Memoised
 * values are shared (a list in the memo is the same list wherever it is fetched), as in Python;
 * values can therefore form cycles, and every walker of this data must bound its depth. */
#ifndef GY_WEIGHTS_PICKLE_H
#define GY_WEIGHTS_PICKLE_H

#include <stddef.h>
#include <stdint.h>

#include "ghostyolo.h"
#include "weights/safetensors.h"

/* Limits. Each is far above what an ultralytics checkpoint needs (yolov8s: 97 KB of pickle,
 * 7,900 memo entries, stack depth 30, containers of at most 500 items). */
#ifndef GY_PK_MAX_PICKLE
#define GY_PK_MAX_PICKLE ((size_t)64 << 20) /* bytes of data.pkl */
#endif
#define GY_PK_MAX_MEMO (1u << 20)           /* memo indices must be below this */
#define GY_PK_MAX_STACK (1u << 20)          /* values on the stack at once */
#ifndef GY_PK_MAX_MARKS
#define GY_PK_MAX_MARKS 256                 /* MARKs open at once (nesting depth) */
#endif
#define GY_PK_MAX_ITEMS (1u << 20)          /* items in one tuple, list or dict */
#define GY_PK_MAX_STRING ((size_t)16 << 20) /* bytes of one str or bytes value */
#define GY_PK_MAX_GLOBAL 256                /* bytes of a GLOBAL module or name */
#define GY_PK_MAX_ARENA ((size_t)512 << 20) /* bytes of all values together */
#define GY_PK_MAX_DIMS GY_ST_MAX_DIMS        /* tensor dimensions */

typedef enum gy_pk_type {
    GY_PK_NONE,
    GY_PK_BOOL,
    GY_PK_INT,
    GY_PK_FLOAT,
    GY_PK_STR,     /* UTF-8 text, no NUL byte */
    GY_PK_BYTES,
    GY_PK_TUPLE,
    GY_PK_LIST,
    GY_PK_DICT,    /* insertion order kept; a repeated key is kept twice (lookups take the last) */
    GY_PK_GLOBAL,  /* a class or function name, never resolved */
    GY_PK_OBJECT,  /* NEWOBJ, BUILD or a call outside the whitelist: inert */
    GY_PK_STORAGE, /* a persistent id: a storage in the archive */
    GY_PK_TENSOR   /* _rebuild_tensor_v2 / _rebuild_parameter */
} gy_pk_type;

typedef struct gy_pk_value gy_pk_value;

typedef struct gy_pk_storage {
    gy_dtype dtype;
    const char *type_name; /* "HalfStorage" */
    const char *key;       /* entry name under <archive>/data/ */
    uint64_t numel;
} gy_pk_storage;

typedef struct gy_pk_tensor {
    const gy_pk_value *storage; /* a GY_PK_STORAGE */
    uint64_t offset;            /* in elements */
    int ndim;
    int64_t shape[GY_PK_MAX_DIMS];
    uint64_t numel;
    int contiguous; /* row-major strides; only such tensors are read */
} gy_pk_tensor;

struct gy_pk_value {
    gy_pk_type type;
    union {
        int64_t i; /* BOOL (0/1), INT */
        double f;
        struct {
            char *data; /* NUL-terminated */
            size_t len;
        } str; /* STR, BYTES */
        struct {
            gy_pk_value **items;
            size_t n, cap;
        } seq; /* TUPLE, LIST */
        struct {
            gy_pk_value **keys, **vals;
            size_t n, cap;
        } dict;
        struct {
            const char *module, *name;
        } global;
        struct {
            const gy_pk_value *cls; /* a GY_PK_GLOBAL */
            gy_pk_value *args;      /* a tuple (NEWOBJ/REDUCE arguments) */
            gy_pk_value *state;     /* BUILD's state, or NULL */
        } obj;
        gy_pk_storage storage;
        gy_pk_tensor tensor;
    } u;
};

typedef struct gy_pickle gy_pickle;

/* Runs the pickle in data[0..size) (not modified, not kept). display names the pickle in messages
 * ("best.pt:data.pkl"). On success *root is the value STOP returned and *out owns every value. */
gy_status gy_pickle_load(const unsigned char *data, size_t size, const char *display,
                         gy_pickle **out, const gy_pk_value **root, gy_error *err);
void gy_pickle_free(gy_pickle *pk);

/* Helpers for walking values (all accept NULL and return NULL / 0 when absent). */
/* The value of the last string key `key` of a dict. */
const gy_pk_value *gy_pk_dict_get(const gy_pk_value *dict, const char *key);
/* An inert object's state dict (BUILD state, or the dict part of a (dict, slots) state). */
const gy_pk_value *gy_pk_obj_state(const gy_pk_value *obj);
/* 1 when v is an object whose class is exactly "module name". */
int gy_pk_is_class(const gy_pk_value *v, const char *module, const char *name);
/* The class name of an object ("Conv"), the type otherwise ("list"). */
const char *gy_pk_type_name(const gy_pk_value *v);

#endif

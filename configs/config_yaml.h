/* config_yaml.h - internal to configs/config*.c: the node tree collected from libyaml's events
 * and the typing of its scalars (PyYAML safe_load, then ast.literal_eval for string arguments),
 * as configs/config.c needs them to interpret a model YAML. Not part of any public API. */
#ifndef GY_CONFIGS_CONFIG_YAML_H
#define GY_CONFIGS_CONFIG_YAML_H

#include <stddef.h>

#include "ghostyolo.h"
#include "core/error.h"

/* ------------------------------------------------------------------------------------------------
 * Tree built from libyaml events */

enum { YN_SCALAR, YN_SEQ, YN_MAP };

typedef struct ynode {
    int kind;
    int plain;    /* scalar written without quotes or block style: subject to implicit typing */
    int line;     /* 1-based start line */
    size_t text;  /* scalar: offset of its NUL-terminated text in the arena */
    size_t len;
    int first, last, next; /* children / next sibling, -1 when none */
    int count;
} ynode;

typedef struct pctx {
    const char *src;       /* name used in messages */
    const char *doc;       /* the YAML text (to turn byte offsets into lines) */
    size_t doclen;
    gy_error *err;
    ynode *nodes;
    int nnodes, capnodes;
    char *arena;
    size_t arenalen, arenacap;
    int root;
} pctx;

/* Formats "<src>:<line>: <message>" into c->err and returns st. */
gy_status gy_cfg_fail_at(const pctx *c, gy_status st, int line, const char *fmt, ...)
    GY_PRINTF(4, 5);
gy_status gy_cfg_nomem(const pctx *c);

static inline const ynode *gy_cfg_node(const pctx *c, int i) { return &c->nodes[i]; }
static inline const char *gy_cfg_stext(const pctx *c, const ynode *n) { return c->arena + n->text; }

/* Collects the events of text into c's tree (c->src, doc, doclen, err set, root = -1 before). */
gy_status gy_cfg_build_tree(pctx *c, const char *text, size_t len);

/* ------------------------------------------------------------------------------------------------
 * Scalar typing */

typedef enum { V_NULL, V_BOOL, V_INT, V_FLOAT, V_STR } vkind;

typedef struct yval {
    vkind kind;
    long long i;
    double f;
    int overflow; /* V_INT that does not fit a long long */
} yval;

/* ast.literal_eval restricted to the scalar literals: None, True, False, int, float. */
void gy_cfg_resolve_python(const char *s, yval *v);
/* A scalar node's value: PyYAML's implicit typing when plain, else a string. */
void gy_cfg_resolve_node(const pctx *c, const ynode *n, yval *v);
/* How a node reads in a message: "a list", "a mapping", "nothing" or its quoted text (in buf). */
const char *gy_cfg_kind_word(const pctx *c, const ynode *n, char *buf, size_t size);
/* A number (YAML int or float) from a scalar node. */
gy_status gy_cfg_get_number(const pctx *c, const ynode *n, const char *what, double *out);
/* An integer in [lo, hi] from a scalar node (YAML int only). */
gy_status gy_cfg_get_int(const pctx *c, const ynode *n, const char *what, long long lo,
                         long long hi, long long *out);

#endif

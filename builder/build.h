/* build.h - what a YAML module builder sees: the row being built, its inputs, and helpers that
 * emit convolutions and other primitive ops into the graph with ultralytics parameter names.
 *
 * Each module lives in one file (backbone/, neck/, head/) and is listed in detector/registry.c. */
#ifndef GY_BUILDER_BUILD_H
#define GY_BUILDER_BUILD_H

#include "core/error.h"
#include "core/graph.h"
#include "configs/config.h"

typedef struct gy_build {
    gy_graph *g;
    const gy_config *cfg;
    gy_row_stats *rs;     /* the row being built */
    char prefix[32];      /* "model.<i>" */
    gy_error *err;
    double bn_eps;        /* the eps of the BatchNorms this row's builder emits (zoo blocks: 1e-5,
                           * MobileNetV3 rows 1e-3), or 0: the model's (ultralytics sets 1e-3) */
} gy_build;

/* A row after ultralytics' parse_model argument rewriting, e.g. Conv: [c1, c2, k, s],
 * C2f: [c1, c2, n, shortcut]. */
typedef struct gy_block {
    const gy_row *row;
    int nin;
    int in[GY_MAX_FROM];     /* input tensors */
    int in_ch[GY_MAX_FROM];  /* their channels */
    int c2;                  /* output channels decided by parse_model (scaled), or 0 */
    int nargs;
    gy_arg args[GY_MAX_ARGS + 2];
    /* pos[i]: where args[i] stands in the YAML row's argument list, counting from 1 as the row
     * parser's messages do; 0 for a value parse_model put in (the input's channels, the
     * repeats). Messages name an argument by it. */
    signed char pos[GY_MAX_ARGS + 2];
} gy_block;

typedef gy_status (*gy_block_fn)(gy_build *b, const gy_block *blk, int *out);

/* Positional integer / boolean argument with a default when absent; errors name file:line and
 * the argument by its place in the YAML row (blk->pos). */
gy_status gy_block_int(gy_build *b, const gy_block *blk, int idx, int def, int lo, int hi, int *v);
gy_status gy_block_bool(gy_build *b, const gy_block *blk, int idx, int def, int *v);
/* Positional number (int, float or bool) with a default when absent; errors name file:line. */
gy_status gy_block_num(gy_build *b, const gy_block *blk, int idx, double def, double lo, double hi,
                       double *v);
/* Fails with file:line and the module name. */
gy_status gy_block_fail(gy_build *b, const gy_block *blk, gy_status st, const char *fmt, ...)
    GY_PRINTF(4, 5);

/* A general conv2d with full parameter names. */
typedef struct gy_conv_desc {
    char wname[160], bname[160], bnprefix[160];
    int cout, kh, kw, sh, sw, ph, pw, groups;
    gy_act act;
    int res;             /* residual tensor or -1 */
    int res_before_act;
    int fixed;
    int fusable;         /* an ultralytics Conv / DWConv (its BN is folded by fuse()) */
} gy_conv_desc;

/* Emits conv(in) into `out` (an existing tensor/slice with cout channels) or, when out < 0, a new
 * tensor; returns the output tensor id through *result. */
gy_status gy_emit_conv2d(gy_build *b, int in, int out, const gy_conv_desc *d, int *result);

/* ultralytics Conv: Conv2d(c1, c2, k, s, autopad(k), groups=g, bias=False) + BatchNorm2d + act,
 * named "<prefix>.<name>.conv.weight" / "<prefix>.<name>.bn.*" (name "" = the row itself).
 * res >= 0 adds that tensor after the activation. */
gy_status gy_emit_ulconv(gy_build *b, const char *name, int in, int out, int c2, int k, int s,
                         int g, gy_act act, int res, int *result);

/* Adds torch modules to the row's count (ultralytics counts layers as modules), unfused and
 * after fuse(). */
void gy_build_modules(gy_build *b, int unfused, int fused);

/* Full parameter name "<prefix>.<name>" (or "<prefix>" for name "") into buf. */
void gy_build_name(const gy_build *b, const char *name, char *buf, size_t size);

/* Emits a non-conv op; returns its index or fails with NOMEM. */
gy_status gy_emit_op(gy_build *b, const gy_op *op);
/* New tensor / slice / concat with the allocation failure turned into an error. */
gy_status gy_build_tensor(gy_build *b, int c, int *t);
gy_status gy_build_slice(gy_build *b, int t, int c_off, int c, int *out);
gy_status gy_build_concat(gy_build *b, int n, const int *in, int *out);

#endif

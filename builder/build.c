#include "builder/build.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

gy_status gy_block_fail(gy_build *b, const gy_block *blk, gy_status st, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gy_fail(b->err, st, "%s:%d: %s (row %d): %s", b->cfg->path, blk->row->line,
                   blk->row->module, blk->row->index, msg);
}

/* args[idx] as a message names it: "argument 3", the third written in the row; or the repeats
 * parse_model put in (the only value of its own a module reads through these helpers: c1 is
 * read as blk->in_ch). */
static const char *arg_name(const gy_block *blk, int idx, char *buf, size_t size)
{
    if (blk->pos[idx] > 0)
        snprintf(buf, size, "argument %d", blk->pos[idx]);
    else
        snprintf(buf, size, "the repeat count");
    return buf;
}

gy_status gy_block_int(gy_build *b, const gy_block *blk, int idx, int def, int lo, int hi, int *v)
{
    if (idx >= blk->nargs || blk->args[idx].type == GY_ARG_NONE) {
        *v = def;
        return GY_OK;
    }
    const gy_arg *a = &blk->args[idx];
    char name[32];
    if (a->type != GY_ARG_INT && a->type != GY_ARG_NC && a->type != GY_ARG_BOOL)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "%s must be an integer",
                             arg_name(blk, idx, name, sizeof name));
    if (a->i < lo || a->i > hi)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "%s = %lld is outside [%d, %d]",
                             arg_name(blk, idx, name, sizeof name), a->i, lo, hi);
    *v = (int)a->i;
    return GY_OK;
}

gy_status gy_block_num(gy_build *b, const gy_block *blk, int idx, double def, double lo, double hi,
                       double *v)
{
    if (idx >= blk->nargs || blk->args[idx].type == GY_ARG_NONE) {
        *v = def;
        return GY_OK;
    }
    const gy_arg *a = &blk->args[idx];
    char name[32];
    double x;
    if (a->type == GY_ARG_FLOAT)
        x = a->f;
    else if (a->type == GY_ARG_INT || a->type == GY_ARG_NC || a->type == GY_ARG_BOOL)
        x = (double)a->i;
    else
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "%s must be a number",
                             arg_name(blk, idx, name, sizeof name));
    if (!(x >= lo && x <= hi))
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "%s = %g is outside [%g, %g]",
                             arg_name(blk, idx, name, sizeof name), x, lo, hi);
    *v = x;
    return GY_OK;
}

gy_status gy_block_bool(gy_build *b, const gy_block *blk, int idx, int def, int *v)
{
    if (idx >= blk->nargs) {
        *v = def;
        return GY_OK;
    }
    const gy_arg *a = &blk->args[idx];
    if (a->type == GY_ARG_BOOL || a->type == GY_ARG_INT) {
        *v = a->i != 0;
        return GY_OK;
    }
    char name[32];
    return gy_block_fail(b, blk, GY_ERR_FORMAT, "%s must be True or False",
                         arg_name(blk, idx, name, sizeof name));
}

void gy_build_name(const gy_build *b, const char *name, char *buf, size_t size)
{
    if (name && *name)
        snprintf(buf, size, "%s.%s", b->prefix, name);
    else
        snprintf(buf, size, "%s", b->prefix);
}

void gy_build_modules(gy_build *b, int unfused, int fused)
{
    b->rs->modules_unfused += unfused;
    b->rs->modules_fused += fused;
}

static gy_status nomem(gy_build *b)
{
    return gy_fail(b->err, GY_ERR_NOMEM, "%s: out of memory while building row %d", b->cfg->path,
                   b->g->cur_row);
}

gy_status gy_build_tensor(gy_build *b, int c, int *t)
{
    *t = gy_graph_new_tensor(b->g, c);
    return *t < 0 ? nomem(b) : GY_OK;
}

gy_status gy_build_slice(gy_build *b, int t, int c_off, int c, int *out)
{
    *out = gy_graph_slice(b->g, t, c_off, c);
    return *out < 0 ? nomem(b) : GY_OK;
}

gy_status gy_build_concat(gy_build *b, int n, const int *in, int *out)
{
    *out = gy_graph_concat(b->g, n, in);
    return *out < 0 ? nomem(b) : GY_OK;
}

gy_status gy_emit_op(gy_build *b, const gy_op *op)
{
    return gy_graph_add_op(b->g, op) < 0 ? nomem(b) : GY_OK;
}

gy_status gy_emit_conv2d(gy_build *b, int in, int out, const gy_conv_desc *d, int *result)
{
    gy_graph *g = b->g;
    int cin = g->tensors[in].c;
    if (d->groups < 1 || cin % d->groups != 0 || d->cout % d->groups != 0)
        return gy_fail(b->err, GY_ERR_FORMAT,
                       "%s: %s: groups %d do not divide input %d and output %d channels",
                       b->cfg->path, d->wname, d->groups, cin, d->cout);
    if (out < 0) {
        gy_status st = gy_build_tensor(b, d->cout, &out);
        if (st != GY_OK)
            return st;
    }
    gy_conv c;
    memset(&c, 0, sizeof c);
    snprintf(c.wname, sizeof c.wname, "%s", d->wname);
    snprintf(c.bname, sizeof c.bname, "%s", d->bname);
    snprintf(c.bnprefix, sizeof c.bnprefix, "%s", d->bnprefix);
    c.cin = cin;
    c.cout = d->cout;
    c.kh = d->kh;
    c.kw = d->kw;
    c.sh = d->sh;
    c.sw = d->sw;
    c.ph = d->ph;
    c.pw = d->pw;
    c.groups = d->groups;
    c.fixed = d->fixed;
    c.fusable = d->fusable;
    c.bn_eps = b->bn_eps;
    c.unfused_bn_flops = d->bnprefix[0] != '\0';
    int ci = gy_graph_add_conv(g, &c);
    if (ci < 0)
        return nomem(b);
    int bn = d->bnprefix[0] != '\0';
    gy_build_modules(b, 1 + bn, 1 + (bn && !d->fusable)); /* Conv2d (+ BatchNorm2d) */
    gy_op op = {.type = GY_OP_CONV, .nin = 1, .in = {in}, .out = out, .res = d->res,
                .res_before_act = d->res_before_act, .act = d->act, .conv = ci};
    gy_status st = gy_emit_op(b, &op);
    if (st == GY_OK)
        *result = out;
    return st;
}

gy_status gy_emit_ulconv(gy_build *b, const char *name, int in, int out, int c2, int k, int s,
                         int g, gy_act act, int res, int *result)
{
    gy_conv_desc d;
    memset(&d, 0, sizeof d);
    char base[160];
    gy_build_name(b, name, base, sizeof base);
    snprintf(d.wname, sizeof d.wname, "%.140s.conv.weight", base);
    snprintf(d.bnprefix, sizeof d.bnprefix, "%.140s.bn", base);
    d.cout = c2;
    d.kh = d.kw = k;
    d.sh = d.sw = s;
    d.ph = d.pw = k / 2;
    d.groups = g;
    d.act = act;
    d.res = res;
    d.fusable = 1;
    /* the Conv wrapper; its act is the shared default SiLU (counted once per model) or a new
     * nn.Identity */
    gy_build_modules(b, 1 + (act == GY_ACT_NONE), 1 + (act == GY_ACT_NONE));
    if (act == GY_ACT_SILU)
        b->g->default_act = 1;
    return gy_emit_conv2d(b, in, out, &d, result);
}

/* zoo_common.c - conv + BatchNorm, squeeze-and-excite and channel arithmetic of the backbone zoo
 * (see zoo_common.h). */
#include "backbone/zoo_common.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

gy_zconv gy_zconv_sq(const char *conv, const char *bn, int cout, int k, int s, int pad, int groups,
                     gy_act act)
{
    gy_zconv z = {.conv = conv, .bn = bn, .cout = cout, .kh = k, .kw = k, .sh = s, .sw = s,
                  .ph = pad, .pw = pad, .groups = groups, .act = act};
    return z;
}

gy_status gy_zoo_conv(gy_build *b, const gy_zconv *z, int in, int out, int res, int res_before_act,
                      int *result)
{
    gy_conv_desc d;
    memset(&d, 0, sizeof d);
    char base[160];
    gy_build_name(b, z->conv, base, sizeof base);
    snprintf(d.wname, sizeof d.wname, "%.140s.weight", base);
    if (z->bias)
        snprintf(d.bname, sizeof d.bname, "%.140s.bias", base);
    if (z->bn)
        gy_build_name(b, z->bn, d.bnprefix, sizeof d.bnprefix);
    d.cout = z->cout;
    d.kh = z->kh;
    d.kw = z->kw;
    d.sh = z->sh;
    d.sw = z->sw;
    d.ph = z->ph;
    d.pw = z->pw;
    d.groups = z->groups;
    d.act = z->act;
    d.res = res;
    d.res_before_act = res_before_act;
    d.fusable = 0; /* fuse() folds only ultralytics' own Conv layers */
    return gy_emit_conv2d(b, in, out, &d, result);
}

gy_status gy_zoo_op(gy_build *b, gy_op_type type, int in0, int in1, int out, gy_act act)
{
    gy_op op = {.type = type, .nin = in1 >= 0 ? 2 : 1, .in = {in0, in1 >= 0 ? in1 : 0},
                .out = out, .res = -1, .conv = -1, .act = act};
    return gy_emit_op(b, &op);
}

gy_status gy_zoo_se(gy_build *b, const char *reduce, const char *expand, int in, int out,
                    int squeeze, int modules, int *result)
{
    int c = b->g->tensors[in].c, pooled, red, gate;
    gy_status st;
    if ((st = gy_build_tensor(b, c, &pooled)) != GY_OK ||
        (st = gy_zoo_op(b, GY_OP_GAP, in, -1, pooled, GY_ACT_NONE)) != GY_OK)
        return st;
    gy_zconv r = {.conv = reduce, .cout = squeeze, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .groups = 1,
                  .bias = 1, .act = GY_ACT_RELU};
    gy_zconv e = r;
    e.conv = expand;
    e.cout = c;
    e.act = GY_ACT_HARDSIGMOID;
    if ((st = gy_zoo_conv(b, &r, pooled, -1, -1, 0, &red)) != GY_OK ||
        (st = gy_zoo_conv(b, &e, red, -1, -1, 0, &gate)) != GY_OK)
        return st;
    if (out < 0 && (st = gy_build_tensor(b, c, &out)) != GY_OK)
        return st;
    gy_build_modules(b, modules, modules);
    *result = out;
    return gy_zoo_op(b, GY_OP_MUL_CH, in, gate, out, GY_ACT_NONE);
}

gy_status gy_zoo_conv_row(gy_build *b, const gy_block *blk, const gy_zoo_convrow *r, int *out)
{
    int k, s;
    gy_status st;
    if ((st = gy_block_int(b, blk, r->s_first ? 3 : 2, r->k_default, 1, 15, &k)) != GY_OK ||
        (st = gy_block_int(b, blk, r->s_first ? 2 : 3, 1, 1, 8, &s)) != GY_OK)
        return st;
    if (blk->nargs > 4)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, %s], got %d arguments",
                             r->s_first ? "s, k" : "k, s", blk->nargs - 1);
    b->bn_eps = r->eps;
    gy_build_modules(b, 2, 2); /* the row's module and its activation module */
    gy_zconv z = gy_zconv_sq(r->conv, r->bn, blk->c2, k, s, r->torchvision_pad ? (k - 1) / 2 : k / 2,
                             1, r->act);
    return gy_zoo_conv(b, &z, blk->in[0], -1, -1, 0, out);
}

int gy_make_divisible(double v, int divisor)
{
    long long n = (long long)floor(v + divisor / 2.0) / divisor * divisor;
    if (n < divisor)
        n = divisor;
    if ((double)n < 0.9 * v)
        n += divisor;
    return (int)n;
}

int gy_chunk_sizes(int n, int chunks, int *sizes)
{
    int size = (n + chunks - 1) / chunks, count = 0;
    for (int i = 0; i < n; i += size)
        sizes[count++] = n - i < size ? n - i : size;
    return count;
}

long long gy_round_half_even(double v)
{
    double f = floor(v), d = v - f;
    long long r = (long long)f;
    if (d > 0.5 || (d == 0.5 && (r & 1)))
        r++;
    return r;
}

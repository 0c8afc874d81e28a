/* ghost_common.c - plain Conv2d + BatchNorm2d, the GhostNet / GhostNetV2 Ghost module and the C2f
 * shell shared by the ghost_variants C2f blocks (C2f_GhostBottleneck, C2f_GhostBottleneckV2,
 * C2f_g_ghostBottleneck).
 *
 * Ghost module layout: the primary conv writes the first init = ceil(oup / 2) output channels and
 * the cheap depthwise conv reads them and writes the next ones, both straight into the
 * destination, so cat(x1, x2) is free. Only when cat(x1, x2) has more than oup channels (odd oup)
 * does the cheap conv write a scratch tensor whose kept channels are copied. With a residual the
 * primary output goes to a scratch tensor first (the cheap conv must read it before the add). */
#include "backbone/ghost_common.h"

#include <stdio.h>
#include <string.h>

gy_status gy_ghost_convbn(gy_build *b, const char *conv, const char *bn, int in, int out,
                          int cout, int kh, int kw, int stride, int groups, gy_act act, int res,
                          int res_before_act, int *result)
{
    gy_conv_desc d;
    memset(&d, 0, sizeof d);
    char base[160];
    gy_build_name(b, conv, base, sizeof base);
    snprintf(d.wname, sizeof d.wname, "%.140s.weight", base);
    gy_build_name(b, bn, d.bnprefix, sizeof d.bnprefix);
    d.cout = cout;
    d.kh = kh;
    d.kw = kw;
    d.sh = d.sw = stride;
    d.ph = kh / 2;
    d.pw = kw / 2;
    d.groups = groups;
    d.act = act;
    d.res = res;
    d.res_before_act = res_before_act;
    d.fusable = 0; /* plain nn.Conv2d + nn.BatchNorm2d: fuse() leaves them alone */
    return gy_emit_conv2d(b, in, out, &d, result);
}

static gy_status slice(gy_build *b, int t, int off, int c, int *out)
{
    return gy_build_slice(b, t, off, c, out);
}

/* Emits an elementwise op (ADD / COPY / MUL / UPSAMPLE) with two or one inputs. */
static gy_status emit2(gy_build *b, gy_op_type type, int in0, int in1, int out, gy_act act)
{
    gy_op op = {.type = type, .nin = in1 >= 0 ? 2 : 1, .in = {in0, in1 >= 0 ? in1 : 0},
                .out = out, .res = -1, .conv = -1, .act = act};
    return gy_emit_op(b, &op);
}

/* DFC attention of GhostModuleV2 into gate (oup channels at the size of `like`), already
 * upsampled; the caller multiplies by sigmoid(gate). */
static gy_status dfc_gate(gy_build *b, const char *name, int in, int oup, int like, int mode,
                          int *gate)
{
    gy_graph *g = b->g;
    int inp = g->tensors[in].c;
    char cn[128], bn[128];
    int pooled, s0, s1, s2;
    gy_status st = gy_build_tensor(b, inp, &pooled);
    if (st != GY_OK)
        return st;
    /* F.avg_pool2d(x, kernel_size=2, stride=2): functional, no module */
    gy_op pool = {.type = GY_OP_AVGPOOL, .nin = 1, .in = {in}, .out = pooled, .res = -1,
                  .conv = -1, .k = 2, .stride = 2, .pad = 0};
    if ((st = gy_emit_op(b, &pool)) != GY_OK)
        return st;
    gy_build_modules(b, 1, 1); /* short_conv Sequential */
    static const int kh[3] = {1, 1, 5}, kw[3] = {1, 5, 1};
    int *outs[3] = {&s0, &s1, &s2};
    int src = pooled;
    for (int i = 0; i < 3; i++) {
        snprintf(cn, sizeof cn, "%.80s.short_conv.%d", name, 2 * i);
        snprintf(bn, sizeof bn, "%.80s.short_conv.%d", name, 2 * i + 1);
        gy_act act = i == 2 && mode == GY_DFC_GATE_IN_CONV ? GY_ACT_SIGMOID : GY_ACT_NONE;
        if ((st = gy_ghost_convbn(b, cn, bn, src, -1, oup, kh[i], kw[i], 1, i ? oup : 1, act, -1,
                                  0, outs[i])) != GY_OK)
            return st;
        src = *outs[i];
    }
    /* F.interpolate(gate_fn(res), size=out.shape[-2:], mode='nearest'): sigmoid commutes with a
     * nearest resize, so it is applied before (GY_DFC_GATE_IN_CONV) or after it (MUL). */
    if ((st = gy_build_tensor(b, oup, gate)) != GY_OK)
        return st;
    gy_op up = {.type = GY_OP_UPSAMPLE, .nin = 2, .in = {s2, like}, .out = *gate, .res = -1,
                .conv = -1, .scale = 0};
    return gy_emit_op(b, &up);
}

gy_status gy_ghost_module(gy_build *b, const char *name, int in, int dst, int oup, int relu,
                          int res, int dfc, int v2)
{
    gy_status st;
    int init = (oup + 1) / 2; /* math.ceil(oup / ratio), ratio 2; new_channels = init */
    int keep = oup - init;    /* cheap channels kept by [:, :oup] */
    gy_act act = relu ? GY_ACT_RELU : GY_ACT_NONE;
    char pc[128], pb[128], cc[128], cb[128];
    snprintf(pc, sizeof pc, "%.80s.primary_conv.0", name);
    snprintf(pb, sizeof pb, "%.80s.primary_conv.1", name);
    snprintf(cc, sizeof cc, "%.80s.cheap_operation.0", name);
    snprintf(cb, sizeof cb, "%.80s.cheap_operation.1", name);
    /* GhostModule, primary_conv and cheap_operation Sequentials, their ReLU or empty Sequential;
     * V2 adds gate_fn (Sigmoid); the Conv2d / BatchNorm2d pairs are counted when emitted. */
    gy_build_modules(b, 5 + (v2 != 0), 5 + (v2 != 0));
    if (dfc && res >= 0)
        return gy_fail(b->err, GY_ERR_UNSUPPORTED, "%s: %s.%s: DFC attention with a residual",
                       b->cfg->path, b->prefix, name);
    int whole = -1, x1, x2, t;
    if (dfc) {
        /* cat(x1, x2) in a scratch tensor, then dst = cat[:, :oup] * sigmoid(gate) */
        if ((st = gy_build_tensor(b, 2 * init, &whole)) != GY_OK ||
            (st = slice(b, whole, 0, init, &x1)) != GY_OK ||
            (st = slice(b, whole, init, init, &x2)) != GY_OK)
            return st;
    } else {
        if (res >= 0)
            st = gy_build_tensor(b, init, &x1);
        else
            st = slice(b, dst, 0, init, &x1);
        if (st != GY_OK)
            return st;
        if (keep == init)
            st = slice(b, dst, init, init, &x2);
        else
            st = gy_build_tensor(b, init, &x2);
        if (st != GY_OK)
            return st;
    }
    int cres = -1;
    if (!dfc && res >= 0 && keep == init && (st = slice(b, res, init, init, &cres)) != GY_OK)
        return st;
    if ((st = gy_ghost_convbn(b, pc, pb, in, x1, init, 1, 1, 1, 1, act, -1, 0, &t)) != GY_OK ||
        (st = gy_ghost_convbn(b, cc, cb, x1, x2, init, 3, 3, 1, init, act, cres, 0, &t)) != GY_OK)
        return st;
    if (dfc) {
        int gate, kept;
        if ((st = slice(b, whole, 0, oup, &kept)) != GY_OK ||
            (st = dfc_gate(b, name, in, oup, whole, dfc, &gate)) != GY_OK)
            return st;
        return emit2(b, GY_OP_MUL, kept, gate, dst,
                     dfc == GY_DFC_GATE_IN_CONV ? GY_ACT_NONE : GY_ACT_SIGMOID);
    }
    if (res >= 0) { /* out[:, :init] = x1 + res[:, :init] */
        int d0, r0;
        if ((st = slice(b, dst, 0, init, &d0)) != GY_OK ||
            (st = slice(b, res, 0, init, &r0)) != GY_OK ||
            (st = emit2(b, GY_OP_ADD, x1, r0, d0, GY_ACT_NONE)) != GY_OK)
            return st;
    }
    if (keep != init && keep > 0) { /* keep the first oup - init cheap channels */
        int src, d1;
        if ((st = slice(b, x2, 0, keep, &src)) != GY_OK ||
            (st = slice(b, dst, init, keep, &d1)) != GY_OK)
            return st;
        if (res >= 0) {
            int r1;
            if ((st = slice(b, res, init, keep, &r1)) != GY_OK)
                return st;
            return emit2(b, GY_OP_ADD, src, r1, d1, GY_ACT_NONE);
        }
        return emit2(b, GY_OP_COPY, src, -1, d1, GY_ACT_NONE);
    }
    return GY_OK;
}

/* The module file's Conv copy: Conv2d(bias=False) + BatchNorm2d + act, named <name>.conv /
 * <name>.bn; three modules (the wrapper, Conv2d, BatchNorm2d) whether fused or not. */
static gy_status shell_conv(gy_build *b, const char *name, int in, int out, int c2, int *result)
{
    char cn[48], bn[48];
    snprintf(cn, sizeof cn, "%s.conv", name);
    snprintf(bn, sizeof bn, "%s.bn", name);
    gy_build_modules(b, 1, 1);
    return gy_ghost_convbn(b, cn, bn, in, out, c2, 1, 1, 1, 1, GY_ACT_SILU, -1, 0, result);
}

static int is_ghost_shell(const char *module)
{
    return strcmp(module, "C2f_GhostBottleneck") == 0 ||
           strcmp(module, "C2f_GhostBottleneckV2") == 0 ||
           strcmp(module, "C2f_g_ghostBottleneck") == 0;
}

gy_status gy_ghost_c2f_shell(gy_build *b, const gy_block *blk, int extra_args,
                             gy_bottleneck_fn bottleneck, const void *ctx, int *out)
{
    int n, shortcut;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, 1, GY_MAX_REPEATS, &n)) != GY_OK ||
        (st = gy_block_bool(b, blk, 3, 0, &shortcut)) != GY_OK)
        return st;
    if (blk->nargs > 4 + extra_args)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED,
                             "takes at most %d arguments after the channels, got %d",
                             2 + extra_args, blk->nargs - 2);
    /* The Conv copy's default SiLU is one module shared by every instance: count it with the
     * first row of the model that uses one of these shells. */
    int first = 1;
    for (int i = 0; i < blk->row->index; i++)
        if (is_ghost_shell(b->cfg->rows[i].module))
            first = 0;
    if (first)
        gy_build_modules(b, 1, 1);
    return gy_c2f_shell(b, blk, n, shortcut, 1, 0.5, shell_conv, bottleneck, ctx, out);
}

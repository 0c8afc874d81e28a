/* Detect - ultralytics Detect(nc, ch): per level a box branch cv2.i (Conv 3x3, Conv 3x3,
 * Conv2d 1x1 -> 4 * reg_max) and a class branch cv3.i (Conv 3x3, Conv 3x3, Conv2d 1x1 -> nc),
 * concatenated per level (free), then one DETECT op: DFL softmax expectation, anchors at cell
 * centres, dist2bbox as xywh times the stride, class sigmoid. */
#include <stdio.h>
#include <string.h>

#include "head/head.h"

#define GY_REG_MAX 16

static gy_status branch(gy_build *b, const char *name, int in, int cmid, int cout, int dst)
{
    char n0[48], n1[48];
    snprintf(n0, sizeof n0, "%s.0", name);
    snprintf(n1, sizeof n1, "%s.1", name);
    int t0, t1, t2;
    gy_status st;
    if ((st = gy_emit_ulconv(b, n0, in, -1, cmid, 3, 1, 1, GY_ACT_SILU, -1, &t0)) != GY_OK ||
        (st = gy_emit_ulconv(b, n1, t0, -1, cmid, 3, 1, 1, GY_ACT_SILU, -1, &t1)) != GY_OK)
        return st;
    gy_conv_desc d;
    memset(&d, 0, sizeof d);
    char base[160];
    gy_build_name(b, name, base, sizeof base);
    snprintf(d.wname, sizeof d.wname, "%.140s.2.weight", base);
    snprintf(d.bname, sizeof d.bname, "%.140s.2.bias", base);
    d.cout = cout;
    d.kh = d.kw = 1;
    d.sh = d.sw = 1;
    d.groups = 1;
    d.act = GY_ACT_NONE;
    d.res = -1;
    return gy_emit_conv2d(b, t1, dst, &d, &t2);
}

gy_status gy_block_detect(gy_build *b, const gy_block *blk, int *out)
{
    int nc;
    gy_status st = gy_block_int(b, blk, 0, 80, 1, 100000, &nc);
    if (st != GY_OK)
        return st;
    if (blk->nargs > 1) /* parse_model appends the input channels: Detect(nc, ch) */
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "Detect takes [nc], got %d arguments",
                             blk->nargs);
    int nl = blk->nin;
    if (nl < 1 || nl > GY_OP_MAX_IN)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "Detect needs 1 to %d inputs, got %d",
                             GY_OP_MAX_IN, nl);
    int ch0 = blk->in_ch[0];
    /* ultralytics: c2 = max(16, ch0 // 4, reg_max * 4); the 16 never wins (reg_max * 4 = 64) */
    int c2 = ch0 / 4 > GY_REG_MAX * 4 ? ch0 / 4 : GY_REG_MAX * 4;
    int c3 = nc < 100 ? nc : 100;
    if (c3 < ch0)
        c3 = ch0;
    /* Detect, ModuleLists cv2 and cv3, one Sequential per branch, DFL and its Conv2d */
    gy_build_modules(b, 5 + 2 * nl, 5 + 2 * nl);
    gy_op op = {.type = GY_OP_DETECT, .nin = nl, .res = -1, .nc = nc, .reg_max = GY_REG_MAX};
    for (int i = 0; i < nl; i++) {
        int level, box, cls;
        char name[32];
        if ((st = gy_build_tensor(b, 4 * GY_REG_MAX + nc, &level)) != GY_OK ||
            (st = gy_build_slice(b, level, 0, 4 * GY_REG_MAX, &box)) != GY_OK ||
            (st = gy_build_slice(b, level, 4 * GY_REG_MAX, nc, &cls)) != GY_OK)
            return st;
        snprintf(name, sizeof name, "cv2.%d", i);
        if ((st = branch(b, name, blk->in[i], c2, 4 * GY_REG_MAX, box)) != GY_OK)
            return st;
        snprintf(name, sizeof name, "cv3.%d", i);
        if ((st = branch(b, name, blk->in[i], c3, nc, cls)) != GY_OK)
            return st;
        op.in[i] = level;
    }
    /* DFL: a fixed 1x1 conv (1, reg_max, 1, 1) holding the bin values 0 .. reg_max-1. */
    gy_conv dfl;
    memset(&dfl, 0, sizeof dfl);
    gy_build_name(b, "dfl.conv.weight", dfl.wname, sizeof dfl.wname);
    dfl.cin = GY_REG_MAX;
    dfl.cout = 1;
    dfl.kh = dfl.kw = dfl.sh = dfl.sw = dfl.groups = 1;
    dfl.fixed = 1;
    op.dfl_conv = gy_graph_add_conv(b->g, &dfl);
    if (op.dfl_conv < 0)
        return gy_fail(b->err, GY_ERR_NOMEM, "%s: out of memory", b->cfg->path);
    if ((st = gy_build_tensor(b, 4 + nc, out)) != GY_OK)
        return st;
    op.out = *out;
    op.conv = -1;
    return gy_emit_op(b, &op);
}

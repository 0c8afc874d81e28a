/* The G-GhostNet rows of the backbone zoo (../shared/zoo/zoo_modules.py, Huawei's
 * g_ghost_regnet.py):
 *
 *   GGhostBottleneck [c2, s=1, group_width=1]: the RegNet bottleneck 1x1 -> BN -> ReLU -> 3x3 s
 *     (groups c2 // min(c2, group_width)) -> BN -> ReLU -> 1x1 -> BN, + x or + downsample(x)
 *     (1x1 s -> BN, when s != 1 or c1 != c2), ReLU.
 *   GGhostStage [c2, blocks, group_width=1, s=2, cheap_ratio=0.5]: x0 = base(x) (a bottleneck
 *     c1 -> c2); e_0 = x0[:, :raw], e_j = layers[j-1](e_{j-1}) for j = 1 .. blocks-2 (raw -> raw,
 *     group width int(0.75 group_width)); m = merge(cat[x0, e_1 ..]) = GAP -> 1x1 -> BN -> ReLU ->
 *     1x1 -> BN, one value per cheap channel; c = ReLU(BN(1x1(x0[:, raw:])) + m); out =
 *     end(cat[e_last, c]). raw = int(c2 (1 - cheap_ratio) / gw') gw', cheap = c2 - raw.
 * The merge's global pool of the concatenation is the concatenation of each piece's pool (no
 * concat is built); cat[e_last, c] is free (both are whole tensors). BatchNorm eps 1e-5. */
#include <stdio.h>

#include "backbone/zoo_common.h"

/* _RegNetBottleneck(c1, c2, s, downsample, group_width) named "<row>.<name>" ("" = the row) on
 * `in` into `dst` (or a new tensor). identity: -1 = x itself (or the downsample conv when
 * down), else that tensor (the LambdaLayer's slice). */
static gy_status regnet_bottleneck(gy_build *b, const gy_block *blk, const char *name, int in,
                                   int dst, int c2, int s, int gw, int down, int *out)
{
    int groups = c2 / (c2 < gw ? c2 : gw);
    if (c2 % groups != 0)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "%s%sgroups %d (c2 %d // min(c2, group_width "
                             "%d)) do not divide the %d channels", name, *name ? ": " : "", groups,
                             c2, gw, c2);
    char n[8][64];
    static const char *const parts[8] = {"conv1", "bn1", "conv2", "bn2", "conv3", "bn3",
                                         "downsample.0", "downsample.1"};
    for (int i = 0; i < 8; i++)
        snprintf(n[i], sizeof n[i], "%.40s%s%s", name, *name ? "." : "", parts[i]);
    gy_build_modules(b, 2 + down, 2 + down); /* the bottleneck, its ReLU (, downsample) */
    int t1, t2, id = in;
    gy_status st;
    gy_zconv c1z = gy_zconv_sq(n[0], n[1], c2, 1, 1, 0, 1, GY_ACT_RELU);
    gy_zconv c2z = gy_zconv_sq(n[2], n[3], c2, 3, s, 1, groups, GY_ACT_RELU);
    gy_zconv c3z = gy_zconv_sq(n[4], n[5], c2, 1, 1, 0, 1, GY_ACT_RELU);
    if (down) {
        gy_zconv dz = gy_zconv_sq(n[6], n[7], c2, 1, s, 0, 1, GY_ACT_NONE);
        if ((st = gy_zoo_conv(b, &dz, in, -1, -1, 0, &id)) != GY_OK)
            return st;
    }
    if ((st = gy_zoo_conv(b, &c1z, in, -1, -1, 0, &t1)) != GY_OK ||
        (st = gy_zoo_conv(b, &c2z, t1, -1, -1, 0, &t2)) != GY_OK)
        return st;
    return gy_zoo_conv(b, &c3z, t2, dst, id, 1, out);
}

gy_status gy_block_gghost_bottleneck(gy_build *b, const gy_block *blk, int *out)
{
    int s, gw;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, 1, 8, &s)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 1, 1, GY_MAX_CHANNELS, &gw)) != GY_OK)
        return st;
    if (blk->nargs > 4)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, s, group_width], got %d arguments",
                             blk->nargs - 1);
    b->bn_eps = GY_ZOO_EPS;
    int down = s != 1 || blk->in_ch[0] != blk->c2;
    return regnet_bottleneck(b, blk, "", blk->in[0], -1, blk->c2, s, gw, down, out);
}

gy_status gy_block_gghost_stage(gy_build *b, const gy_block *blk, int *out)
{
    int c1 = blk->in_ch[0], c2 = blk->c2, blocks, gw, s;
    double ratio;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 0, 3, GY_MAX_REPEATS, &blocks)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 1, 1, GY_MAX_CHANNELS, &gw)) != GY_OK ||
        (st = gy_block_int(b, blk, 4, 2, 1, 8, &s)) != GY_OK ||
        (st = gy_block_num(b, blk, 5, 0.5, -1e9, 1e9, &ratio)) != GY_OK)
        return st;
    if (blk->nargs < 3)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "needs [c2, blocks, ...]: blocks is missing");
    if (blk->nargs > 6)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, blocks, group_width, s, "
                             "cheap_ratio], got %d arguments", blk->nargs - 1);
    if (!(ratio > 0.0 && ratio < 1.0))
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "cheap_ratio %g is not in (0, 1)", ratio);
    int gw2 = (int)(0.75 * gw);
    if (gw2 < 1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "group_width %d leaves the cheap blocks a "
                             "group width int(0.75 * %d) = 0", gw, gw);
    int raw = (int)(c2 * (1.0 - ratio) / gw2) * gw2, cheap = c2 - raw;
    if (raw < 1 || cheap < 1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "c2 %d with cheap_ratio %g and group width %d "
                             "leaves %d raw and %d cheap channels (both must be at least 1)", c2,
                             ratio, gw2, raw, cheap);
    b->bn_eps = GY_ZOO_EPS;
    /* GGhostStage, merge (Sequential, pool, ReLU), cheap (Sequential), cheap_relu, layers */
    gy_build_modules(b, 7, 7);
    int x0, down = s != 1 || c1 != c2;
    if ((st = regnet_bottleneck(b, blk, "base", blk->in[0], -1, c2, s, gw, down, &x0)) != GY_OK)
        return st;
    /* the merge's pooled input: [x0, e_1, .., e_{blocks-2}] */
    int mc = c2 + raw * (blocks - 2), pooled, piece, e;
    if ((st = gy_build_tensor(b, mc, &pooled)) != GY_OK ||
        (st = gy_build_slice(b, pooled, 0, c2, &piece)) != GY_OK ||
        (st = gy_zoo_op(b, GY_OP_GAP, x0, -1, piece, GY_ACT_NONE)) != GY_OK ||
        (st = gy_build_slice(b, x0, 0, raw, &e)) != GY_OK)
        return st;
    for (int j = 1; j <= blocks - 2; j++) {
        char name[32];
        snprintf(name, sizeof name, "layers.%d", j - 1);
        if (j == 1) /* layers.0.downsample: Sequential(LambdaLayer) whose x[:, :raw] is x */
            gy_build_modules(b, 2, 2);
        if ((st = regnet_bottleneck(b, blk, name, e, -1, raw, 1, gw2, 0, &e)) != GY_OK ||
            (st = gy_build_slice(b, pooled, c2 + raw * (j - 1), raw, &piece)) != GY_OK ||
            (st = gy_zoo_op(b, GY_OP_GAP, e, -1, piece, GY_ACT_NONE)) != GY_OK)
            return st;
    }
    int m1, m2, xc, cc, cat, parts[2];
    gy_zconv mz1 = gy_zconv_sq("merge.1", "merge.2", cheap, 1, 1, 0, 1, GY_ACT_RELU);
    gy_zconv mz2 = gy_zconv_sq("merge.4", "merge.5", cheap, 1, 1, 0, 1, GY_ACT_NONE);
    gy_zconv cz = gy_zconv_sq("cheap.0", "cheap.1", cheap, 1, 1, 0, 1, GY_ACT_NONE);
    if ((st = gy_zoo_conv(b, &mz1, pooled, -1, -1, 0, &m1)) != GY_OK ||
        (st = gy_zoo_conv(b, &mz2, m1, -1, -1, 0, &m2)) != GY_OK ||
        (st = gy_build_slice(b, x0, raw, cheap, &xc)) != GY_OK ||
        (st = gy_zoo_conv(b, &cz, xc, -1, -1, 0, &cc)) != GY_OK ||
        (st = gy_zoo_op(b, GY_OP_ADD_CH, cc, m2, cc, GY_ACT_RELU)) != GY_OK)
        return st;
    parts[0] = e;
    parts[1] = cc;
    if ((st = gy_build_concat(b, 2, parts, &cat)) != GY_OK)
        return st;
    return regnet_bottleneck(b, blk, "end", cat, -1, c2, 1, gw, 0, out);
}

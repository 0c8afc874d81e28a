/* The ShuffleNet rows of the backbone zoo (../shared/zoo/zoo_modules.py):
 *
 *   conv_bn_relu_maxpool [c2, k=3]: conv k stride 2 (pad k//2) -> BN -> ReLU -> MaxPool 3/2 pad 1
 *     (the ShuffleNet v1 / v2 and HS-ResNet stem).
 *   Shuffle_Block [c2, s=1]: torchvision's ShuffleNetV2 InvertedResidual, bf = c2 // 2. s = 1:
 *     out = cat[x[:, :bf], branch2(x[:, bf:])]; s > 1: cat[branch1(x), branch2(x)], branch1 =
 *     dw 3x3 s -> BN -> 1x1 -> BN -> ReLU, branch2 = 1x1 -> BN -> ReLU -> dw 3x3 s -> BN -> 1x1 ->
 *     BN -> ReLU; then channel_shuffle(out, 2): out'[2j + g] = out[g bf + j]. The shuffle reads
 *     the two halves where they are (no concatenation is built).
 *   ShuffleV1Block [c2, s=1, group=3, first_group=0]: Megvii's unit, mid = c2 // 4: 1x1 (groups
 *     1 if first_group else group) -> BN -> ReLU -> dw 3x3 s -> BN -> [group > 1: Megvii shuffle
 *     y[j mid/g + i] = x[i g + j]] -> 1x1 (groups group) -> BN; s = 1: ReLU(main + x); s = 2:
 *     cat[AvgPool2d(3, 2, 1)(x), ReLU(main)] (main with c2 - c1 channels, written in place).
 *   ConvBNReLU [c2, k=1, s=1]: torchvision Conv2dNormActivation: conv k s (pad (k-1)//2) -> BN ->
 *     ReLU.
 * BatchNorm eps 1e-5. */
#include <stdio.h>

#include "backbone/zoo_common.h"

gy_status gy_block_conv_bn_relu_maxpool(gy_build *b, const gy_block *blk, int *out)
{
    int k;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 3, 1, 15, &k)) != GY_OK)
        return st;
    if (blk->nargs > 3)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, k], got %d arguments",
                             blk->nargs - 1);
    b->bn_eps = GY_ZOO_EPS;
    gy_build_modules(b, 4, 4); /* the row, its conv Sequential, ReLU, MaxPool2d */
    int t;
    gy_zconv z = gy_zconv_sq("conv.0", "conv.1", blk->c2, k, 2, k / 2, 1, GY_ACT_RELU);
    if ((st = gy_zoo_conv(b, &z, blk->in[0], -1, -1, 0, &t)) != GY_OK ||
        (st = gy_build_tensor(b, blk->c2, out)) != GY_OK)
        return st;
    gy_op op = {.type = GY_OP_MAXPOOL, .nin = 1, .in = {t}, .out = *out, .res = -1, .conv = -1,
                .k = 3, .stride = 2, .pad = 1};
    return gy_emit_op(b, &op);
}

gy_status gy_block_shuffle_block(gy_build *b, const gy_block *blk, int *out)
{
    int c1 = blk->in_ch[0], c2 = blk->c2, s;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, 1, 3, &s)) != GY_OK)
        return st;
    if (blk->nargs > 3)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, s], got %d arguments",
                             blk->nargs - 1);
    if (c2 % 2)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "c2 %d must be even (two branches of c2 // 2)",
                             c2);
    int bf = c2 / 2;
    if (s == 1 && c1 != c2)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "s 1 needs c1 == c2 (the input is split in "
                             "two halves), got c1 %d and c2 %d", c1, c2);
    b->bn_eps = GY_ZOO_EPS;
    /* the block, branch1 (Sequential, and its ReLU when s > 1), branch2 (Sequential, 2 ReLUs) */
    gy_build_modules(b, 5 + (s > 1), 5 + (s > 1));
    int half[2], x2 = blk->in[0], t1, t2;
    if (s > 1) {
        gy_zconv dw = gy_zconv_sq("branch1.0", "branch1.1", c1, 3, s, 1, c1, GY_ACT_NONE);
        gy_zconv pw = gy_zconv_sq("branch1.2", "branch1.3", bf, 1, 1, 0, 1, GY_ACT_RELU);
        if ((st = gy_zoo_conv(b, &dw, blk->in[0], -1, -1, 0, &t1)) != GY_OK ||
            (st = gy_zoo_conv(b, &pw, t1, -1, -1, 0, &half[0])) != GY_OK)
            return st;
    } else if ((st = gy_build_slice(b, blk->in[0], 0, bf, &half[0])) != GY_OK ||
               (st = gy_build_slice(b, blk->in[0], bf, bf, &x2)) != GY_OK) {
        return st;
    }
    gy_zconv a = gy_zconv_sq("branch2.0", "branch2.1", bf, 1, 1, 0, 1, GY_ACT_RELU);
    gy_zconv dw = gy_zconv_sq("branch2.3", "branch2.4", bf, 3, s, 1, bf, GY_ACT_NONE);
    gy_zconv c = gy_zconv_sq("branch2.5", "branch2.6", bf, 1, 1, 0, 1, GY_ACT_RELU);
    if ((st = gy_zoo_conv(b, &a, x2, -1, -1, 0, &t1)) != GY_OK ||
        (st = gy_zoo_conv(b, &dw, t1, -1, -1, 0, &t2)) != GY_OK ||
        (st = gy_zoo_conv(b, &c, t2, -1, -1, 0, &half[1])) != GY_OK ||
        (st = gy_build_tensor(b, 2 * bf, out)) != GY_OK)
        return st;
    gy_op op = {.type = GY_OP_SHUFFLE, .nin = 2, .in = {half[0], half[1]}, .out = *out, .res = -1,
                .conv = -1, .groups = 2};
    return gy_emit_op(b, &op);
}

gy_status gy_block_shufflev1_block(gy_build *b, const gy_block *blk, int *out)
{
    int c1 = blk->in_ch[0], c2 = blk->c2, s, group, first;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, -1000000, 1000000, &s)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 3, 1, GY_MAX_CHANNELS, &group)) != GY_OK ||
        (st = gy_block_bool(b, blk, 4, 0, &first)) != GY_OK)
        return st;
    if (blk->nargs > 5)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, s, group, first_group], got %d "
                             "arguments", blk->nargs - 1);
    if (s != 1 && s != 2)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "s %d must be 1 or 2", s);
    int mid = c2 / 4, outputs = s == 2 ? c2 - c1 : c2, g1 = first ? 1 : group;
    if (s == 1 && c1 != c2)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "s 1 adds the input: c1 %d must equal c2 %d",
                             c1, c2);
    if (outputs < 1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "s 2 concatenates the pooled input: c2 %d must "
                             "be larger than c1 %d", c2, c1);
    if (mid < 1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "c2 %d leaves mid = c2 // 4 = 0", c2);
    if (c1 % g1 || mid % g1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "groups %d do not divide c1 %d and mid %d "
                             "(the first 1x1 conv)", g1, c1, mid);
    if (mid % group || outputs % group)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "group %d does not divide mid %d and the %d "
                             "main-branch outputs", group, mid, outputs);
    b->bn_eps = GY_ZOO_EPS;
    /* the block, branch_main_1 (Sequential, ReLU), branch_main_2 (Sequential), AvgPool2d */
    gy_build_modules(b, 4 + (s == 2), 4 + (s == 2));
    int t1, t2;
    gy_zconv z1 = gy_zconv_sq("branch_main_1.0", "branch_main_1.1", mid, 1, 1, 0, g1, GY_ACT_RELU);
    gy_zconv z2 = gy_zconv_sq("branch_main_1.3", "branch_main_1.4", mid, 3, s, 1, mid, GY_ACT_NONE);
    if ((st = gy_zoo_conv(b, &z1, blk->in[0], -1, -1, 0, &t1)) != GY_OK ||
        (st = gy_zoo_conv(b, &z2, t1, -1, -1, 0, &t2)) != GY_OK)
        return st;
    if (group > 1) { /* Megvii's order: torchvision's channel_shuffle with mid / group groups */
        int sh;
        if ((st = gy_build_tensor(b, mid, &sh)) != GY_OK)
            return st;
        gy_op op = {.type = GY_OP_SHUFFLE, .nin = 1, .in = {t2}, .out = sh, .res = -1, .conv = -1,
                    .groups = mid / group};
        if ((st = gy_emit_op(b, &op)) != GY_OK)
            return st;
        t2 = sh;
    }
    gy_zconv z3 = gy_zconv_sq("branch_main_2.0", "branch_main_2.1", outputs, 1, 1, 0, group,
                              GY_ACT_RELU);
    if (s == 1)
        return gy_zoo_conv(b, &z3, t2, -1, blk->in[0], 1, out);
    int pool, main_part;
    if ((st = gy_build_tensor(b, c2, out)) != GY_OK ||
        (st = gy_build_slice(b, *out, 0, c1, &pool)) != GY_OK ||
        (st = gy_build_slice(b, *out, c1, outputs, &main_part)) != GY_OK)
        return st;
    gy_op op = {.type = GY_OP_AVGPOOL, .nin = 1, .in = {blk->in[0]}, .out = pool, .res = -1,
                .conv = -1, .k = 3, .stride = 2, .pad = 1, .pool_module = 1};
    if ((st = gy_emit_op(b, &op)) != GY_OK)
        return st;
    return gy_zoo_conv(b, &z3, t2, main_part, -1, 0, &t1);
}

gy_status gy_block_convbnrelu(gy_build *b, const gy_block *blk, int *out)
{
    static const gy_zoo_convrow row = {.k_default = 1, .conv = "0", .bn = "1",
                                       .torchvision_pad = 1, .act = GY_ACT_RELU, .eps = GY_ZOO_EPS};
    return gy_zoo_conv_row(b, blk, &row, out);
}

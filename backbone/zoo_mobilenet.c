/* The MobileNet rows of the backbone zoo (../shared/zoo/zoo_modules.py; torchvision's classes):
 *
 *   ConvBNReLU6 [c2, k=3, s=1]: Conv2dNormActivation conv k s (pad (k-1)//2) -> BN -> ReLU6.
 *   InvertedResidual [c2, s=1, t=6]: MobileNetV2's block; hidden = round(c1 t) (half to even);
 *     [t != 1: 1x1 -> BN -> ReLU6] -> dw 3x3 s -> BN -> ReLU6 -> 1x1 -> BN, + x iff s == 1 and
 *     c1 == c2. BatchNorm eps 1e-5.
 *   conv_bn_hswish [c2, s=1, k=3] (s before k): conv k s -> BN -> hard-swish. eps 1e-3.
 *   MobileNetV3 [c2, hidden, k=3, s=1, use_se=0, use_hs=0]: MobileNetV3's block, act = hard-swish
 *     if use_hs else ReLU; [hidden != c1: 1x1 -> BN -> act] -> dw k s -> BN -> act -> [use_se: SE
 *     with squeeze _make_divisible(hidden // 4, 8), gate hard-sigmoid] -> 1x1 -> BN, + x iff
 *     s == 1 and c1 == c2. eps 1e-3. */
#include <stdio.h>

#include "backbone/zoo_common.h"

/* One torchvision Conv2dNormActivation named "<row>.<name>" ("0"/"1" below it); counts it and
 * its activation module (none when act is GY_ACT_NONE). */
static gy_status cna(gy_build *b, const char *name, int in, int cout, int k, int s, int groups,
                     gy_act act, int res, int *out)
{
    char cn[48], bn[48];
    snprintf(cn, sizeof cn, "%s%s0", name, *name ? "." : "");
    snprintf(bn, sizeof bn, "%s%s1", name, *name ? "." : "");
    gy_build_modules(b, 1 + (act != GY_ACT_NONE), 1 + (act != GY_ACT_NONE));
    gy_zconv z = gy_zconv_sq(cn, bn, cout, k, s, (k - 1) / 2, groups, act);
    return gy_zoo_conv(b, &z, in, -1, res, 0, out);
}

gy_status gy_block_convbnrelu6(gy_build *b, const gy_block *blk, int *out)
{
    static const gy_zoo_convrow row = {.k_default = 3, .conv = "0", .bn = "1",
                                       .torchvision_pad = 1, .act = GY_ACT_RELU6,
                                       .eps = GY_ZOO_EPS};
    return gy_zoo_conv_row(b, blk, &row, out);
}

gy_status gy_block_conv_bn_hswish(gy_build *b, const gy_block *blk, int *out)
{
    static const gy_zoo_convrow row = {.k_default = 3, .s_first = 1, .conv = "0", .bn = "1",
                                       .torchvision_pad = 1, .act = GY_ACT_HARDSWISH,
                                       .eps = GY_ZOO_EPS_MBV3};
    return gy_zoo_conv_row(b, blk, &row, out);
}

gy_status gy_block_inverted_residual(gy_build *b, const gy_block *blk, int *out)
{
    int c1 = blk->in_ch[0], c2 = blk->c2, s;
    double t;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, -1000000, 1000000, &s)) != GY_OK ||
        (st = gy_block_num(b, blk, 3, 6.0, -1e9, 1e9, &t)) != GY_OK)
        return st;
    if (blk->nargs > 4)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, s, t], got %d arguments",
                             blk->nargs - 1);
    if (s != 1 && s != 2)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "stride s %d must be 1 or 2", s);
    long long hidden = t > 0.0 && t < 1e6 ? gy_round_half_even(c1 * t) : 0;
    if (hidden < 1 || hidden > GY_MAX_CHANNELS)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "expand ratio t %g gives %lld hidden channels "
                             "(round(c1 * t) must be 1 .. %d)", t, hidden, GY_MAX_CHANNELS);
    b->bn_eps = GY_ZOO_EPS;
    gy_build_modules(b, 2, 2); /* the block and its conv Sequential */
    int x = blk->in[0], res = s == 1 && c1 == c2 ? blk->in[0] : -1, i = 0;
    char name[16];
    if (t != 1.0) {
        if ((st = cna(b, "conv.0", x, (int)hidden, 1, 1, 1, GY_ACT_RELU6, -1, &x)) != GY_OK)
            return st;
        i = 1;
    }
    snprintf(name, sizeof name, "conv.%d", i);
    if ((st = cna(b, name, x, (int)hidden, 3, s, (int)hidden, GY_ACT_RELU6, -1, &x)) != GY_OK)
        return st;
    char cn[16], bn[16];
    snprintf(cn, sizeof cn, "conv.%d", i + 1);
    snprintf(bn, sizeof bn, "conv.%d", i + 2);
    gy_zconv z = gy_zconv_sq(cn, bn, c2, 1, 1, 0, 1, GY_ACT_NONE);
    return gy_zoo_conv(b, &z, x, -1, res, 0, out);
}

gy_status gy_block_mobilenetv3(gy_build *b, const gy_block *blk, int *out)
{
    int c1 = blk->in_ch[0], c2 = blk->c2, hidden, k, s, se, hs;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 0, 1, GY_MAX_CHANNELS, &hidden)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 3, 1, 15, &k)) != GY_OK ||
        (st = gy_block_int(b, blk, 4, 1, -1000000, 1000000, &s)) != GY_OK ||
        (st = gy_block_bool(b, blk, 5, 0, &se)) != GY_OK ||
        (st = gy_block_bool(b, blk, 6, 0, &hs)) != GY_OK)
        return st;
    if (blk->nargs < 3)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "needs [c2, hidden, ...]: hidden is missing");
    if (blk->nargs > 7)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, hidden, k, s, use_se, use_hs], got "
                             "%d arguments", blk->nargs - 1);
    if (s != 1 && s != 2)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "stride s %d must be 1 or 2", s);
    if (k % 2 == 0)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "kernel size k %d must be odd", k);
    b->bn_eps = GY_ZOO_EPS_MBV3;
    gy_act act = hs ? GY_ACT_HARDSWISH : GY_ACT_RELU;
    gy_build_modules(b, 2, 2); /* the block and its block Sequential */
    int x = blk->in[0], res = s == 1 && c1 == c2 ? blk->in[0] : -1, i = 0;
    char name[16], red[24], exp[24];
    if (hidden != c1) {
        if ((st = cna(b, "block.0", x, hidden, 1, 1, 1, act, -1, &x)) != GY_OK)
            return st;
        i++;
    }
    snprintf(name, sizeof name, "block.%d", i++);
    if ((st = cna(b, name, x, hidden, k, s, hidden, act, -1, &x)) != GY_OK)
        return st;
    if (se) {
        snprintf(red, sizeof red, "block.%d.fc1", i);
        snprintf(exp, sizeof exp, "block.%d.fc2", i++);
        /* SqueezeExcitation, avgpool, activation (ReLU), scale_activation (Hardsigmoid) */
        if ((st = gy_zoo_se(b, red, exp, x, -1, gy_make_divisible(hidden / 4, 8), 4, &x)) != GY_OK)
            return st;
    }
    snprintf(name, sizeof name, "block.%d", i);
    return cna(b, name, x, c2, 1, 1, 1, GY_ACT_NONE, res, out);
}

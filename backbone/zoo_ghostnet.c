/* The GhostNet rows of the backbone zoo (../shared/zoo/zoo_modules.py, Huawei's ghostnet.py and
 * ghostnetv2_torch.py):
 *
 *   ConvBnAct [c2, k=1, s=1]: conv k s (pad k//2) -> BN -> ReLU.
 *   G_bneck [c2, mid, k=3, s=1, se_ratio=0]: ghost1 (c1 -> mid, ReLU) -> [s > 1: depthwise k s
 *     conv_dw -> bn_dw] -> [se_ratio > 0: SE, reduce _make_divisible(mid * se_ratio, 4), gate
 *     hard_sigmoid] -> ghost2 (mid -> c2, linear) + shortcut(x), no activation after the add. The
 *     shortcut is x when c1 == c2 and s == 1, else depthwise k s -> BN -> 1x1 -> BN.
 *   G_bneckV2 [c2, mid, k=3, s=1, se_ratio=0, dfc=1]: G_bneck whose ghost1 is a GhostModuleV2
 *     with DFC attention when dfc != 0 (backbone/ghost_common.c); both ghost modules count their
 *     gate_fn Sigmoid.
 * BatchNorm eps 1e-5. */
#include <stdio.h>

#include "backbone/ghost_common.h"
#include "backbone/zoo_common.h"

gy_status gy_block_convbnact(gy_build *b, const gy_block *blk, int *out)
{
    static const gy_zoo_convrow row = {.k_default = 1, .conv = "conv", .bn = "bn1",
                                       .act = GY_ACT_RELU, .eps = GY_ZOO_EPS};
    return gy_zoo_conv_row(b, blk, &row, out);
}

static gy_status bneck(gy_build *b, const gy_block *blk, int v2, int *out)
{
    int c1 = blk->in_ch[0], c2 = blk->c2, mid, k, s, dfc = 0;
    double se_ratio;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 0, 1, GY_MAX_CHANNELS, &mid)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 3, 1, 15, &k)) != GY_OK ||
        (st = gy_block_int(b, blk, 4, 1, 1, 8, &s)) != GY_OK ||
        (st = gy_block_num(b, blk, 5, 0.0, 0.0, 1e9, &se_ratio)) != GY_OK ||
        (v2 && (st = gy_block_bool(b, blk, 6, 1, &dfc)) != GY_OK))
        return st;
    if (blk->nargs < 3)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "needs [c2, mid, ...]: the hidden channels "
                             "mid are missing");
    if (blk->nargs > 6 + v2)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes at most %d arguments, got %d", 5 + v2,
                             blk->nargs - 1);
    if (k % 2 == 0)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "kernel size k %d must be odd (padding "
                             "(k - 1) // 2 keeps the shortcut's shape only then)", k);
    b->bn_eps = GY_ZOO_EPS;
    /* G_bneck, and its shortcut Sequential (empty, or the four layers counted when emitted) */
    gy_build_modules(b, 2, 2);
    gy_status s0;
    int sc = blk->in[0];
    if (c1 != c2 || s != 1) {
        int t;
        gy_zconv dw = gy_zconv_sq("shortcut.0", "shortcut.1", c1, k, s, (k - 1) / 2, c1,
                                  GY_ACT_NONE);
        gy_zconv pw = gy_zconv_sq("shortcut.2", "shortcut.3", c2, 1, 1, 0, 1, GY_ACT_NONE);
        if ((s0 = gy_zoo_conv(b, &dw, blk->in[0], -1, -1, 0, &t)) != GY_OK ||
            (s0 = gy_zoo_conv(b, &pw, t, -1, -1, 0, &sc)) != GY_OK)
            return s0;
    }
    int x;
    if ((st = gy_build_tensor(b, mid, &x)) != GY_OK ||
        (st = gy_ghost_module(b, "ghost1", blk->in[0], x, mid, 1, -1,
                              v2 && dfc ? GY_DFC_GATE_IN_CONV : 0, v2)) != GY_OK)
        return st;
    if (s > 1) {
        gy_zconv dw = gy_zconv_sq("conv_dw", "bn_dw", mid, k, s, (k - 1) / 2, mid, GY_ACT_NONE);
        if ((st = gy_zoo_conv(b, &dw, x, -1, -1, 0, &x)) != GY_OK)
            return st;
    }
    if (se_ratio > 0.0) {
        /* bounded before _make_divisible rounds it (and before it becomes an int) */
        if (mid * se_ratio > GY_MAX_CHANNELS)
            return gy_block_fail(b, blk, GY_ERR_FORMAT, "se_ratio %g gives the squeeze-and-excite "
                                 "mid x se_ratio = %g channels, more than %d", se_ratio,
                                 mid * se_ratio, GY_MAX_CHANNELS);
        int reduced = gy_make_divisible(mid * se_ratio, 4);
        if ((st = gy_zoo_se(b, "se.conv_reduce", "se.conv_expand", x, -1, reduced, 3, &x)) != GY_OK)
            return st;
    }
    if ((st = gy_build_tensor(b, c2, out)) != GY_OK)
        return st;
    return gy_ghost_module(b, "ghost2", x, *out, c2, 0, sc, 0, v2);
}

gy_status gy_block_g_bneck(gy_build *b, const gy_block *blk, int *out)
{
    return bneck(b, blk, 0, out);
}

gy_status gy_block_g_bneckv2(gy_build *b, const gy_block *blk, int *out)
{
    return bneck(b, blk, 1, out);
}

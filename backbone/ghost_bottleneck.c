/* GhostBottleneck - ultralytics GhostBottleneck(c1, c2, k=3, s=1), c_ = c2 / 2:
 *
 *   conv     = Sequential(GhostConv(c1, c_, 1, 1), DWConv(c_, c_, k, s, act=False) if s == 2
 *              else Identity, GhostConv(c_, c2, 1, 1, act=False))
 *   shortcut = Sequential(DWConv(c1, c1, k, s, act=False), Conv(c1, c2, 1, 1, act=False)) if s == 2
 *              else Identity
 *   out      = conv(x) + shortcut(x)
 *
 * The sum is folded into the last GhostConv (its cv2 adds the residual, its first half gets an
 * ADD op). */
#include <stdio.h>

#include "backbone/ghost_common.h"

gy_status gy_ghost_bottleneck_emit(gy_build *b, const gy_block *blk, const char *name, int in,
                                   int dst, int c2, int k, int s, int *result)
{
    gy_graph *g = b->g;
    int c1 = g->tensors[in].c, c_ = c2 / 2;
    gy_status st;
    if (s != 1 && s != 2)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "GhostBottleneck stride %d (1 or 2)", s);
    if (s == 1 && c1 != c2)
        return gy_block_fail(b, blk, GY_ERR_MISMATCH,
                             "GhostBottleneck with stride 1 adds its input: input channels %d "
                             "must equal output channels %d", c1, c2);
    char p[4][80];
    const char *sub[4] = {"conv.0", "conv.1", "conv.2", "shortcut.0"};
    for (int i = 0; i < 4; i++)
        snprintf(p[i], sizeof p[i], "%s%s%s", name, *name ? "." : "", sub[i]);
    /* GhostBottleneck, the conv Sequential, and Identity or the shortcut Sequential; stride 1
     * adds the Identity in conv.1 */
    gy_build_modules(b, 3 + (s == 1), 3 + (s == 1));
    int h, res = in;
    if ((st = gy_ghostconv_emit(b, blk, p[0], in, -1, c_, 1, 1, 1, GY_ACT_SILU, -1, &h)) != GY_OK)
        return st;
    if (s == 2) {
        char p4[80];
        snprintf(p4, sizeof p4, "%s%sshortcut.1", name, *name ? "." : "");
        int sc;
        if ((st = gy_emit_ulconv(b, p[1], h, -1, c_, k, 2, c_, GY_ACT_NONE, -1, &h)) != GY_OK ||
            (st = gy_emit_ulconv(b, p[3], in, -1, c1, k, 2, c1, GY_ACT_NONE, -1, &sc)) != GY_OK ||
            (st = gy_emit_ulconv(b, p4, sc, -1, c2, 1, 1, 1, GY_ACT_NONE, -1, &res)) != GY_OK)
            return st;
    }
    return gy_ghostconv_emit(b, blk, p[2], h, dst, c2, 1, 1, 1, GY_ACT_NONE, res, result);
}

gy_status gy_block_ghost_bottleneck(gy_build *b, const gy_block *blk, int *out)
{
    int k, s;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 3, 1, 15, &k)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 1, 1, 2, &s)) != GY_OK)
        return st;
    if (blk->nargs > 4)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "GhostBottleneck takes [c2, k, s]");
    if (k % 2 == 0)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "even kernel size %d", k);
    return gy_ghost_bottleneck_emit(b, blk, "", blk->in[0], -1, blk->c2, k, s, out);
}

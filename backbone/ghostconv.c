/* GhostConv - ultralytics GhostConv(c1, c2, k=1, s=1, g=1, act=True):
 *
 *   y = cv1(x) (Conv(c1, c2/2, k, s, g)), out = cat(y, cv2(y)) with cv2 = Conv(c2/2, c2/2, 5, 1,
 *   groups=c2/2) (depthwise 5x5).
 *
 * Both are ultralytics Conv layers (folded by fuse()). The concat is free: cv1 writes the first
 * half of the output and cv2 reads it and writes the second half. */
#include <stdio.h>

#include "backbone/ghost_common.h"

static void join(char *buf, size_t size, const char *name, const char *child)
{
    if (name && *name)
        snprintf(buf, size, "%s.%s", name, child);
    else
        snprintf(buf, size, "%s", child);
}

gy_status gy_ghostconv_emit(gy_build *b, const gy_block *blk, const char *name, int in, int dst,
                            int c2, int k, int s, int g, gy_act act, int res, int *result)
{
    gy_status st;
    int half = c2 / 2;
    if (c2 % 2 != 0 || half < 1)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED,
                             "%s%s%s: GhostConv needs an even output channel count, got %d",
                             b->prefix, *name ? "." : "", name, c2);
    gy_build_modules(b, 1, 1); /* GhostConv */
    char n1[64], n2[64];
    join(n1, sizeof n1, name, "cv1");
    join(n2, sizeof n2, name, "cv2");
    if (dst < 0 && (st = gy_build_tensor(b, c2, &dst)) != GY_OK)
        return st;
    int y, d1, t;
    if ((st = gy_build_slice(b, dst, half, half, &d1)) != GY_OK)
        return st;
    if (res < 0) {
        if ((st = gy_build_slice(b, dst, 0, half, &y)) != GY_OK ||
            (st = gy_emit_ulconv(b, n1, in, y, half, k, s, g, act, -1, &y)) != GY_OK ||
            (st = gy_emit_ulconv(b, n2, y, d1, half, 5, 1, half, act, -1, &t)) != GY_OK)
            return st;
    } else {
        /* cv2 reads y before the residual is added: y goes to a scratch tensor */
        int r0, r1, d0;
        if ((st = gy_build_slice(b, res, 0, half, &r0)) != GY_OK ||
            (st = gy_build_slice(b, res, half, half, &r1)) != GY_OK ||
            (st = gy_build_slice(b, dst, 0, half, &d0)) != GY_OK ||
            (st = gy_emit_ulconv(b, n1, in, -1, half, k, s, g, act, -1, &y)) != GY_OK ||
            (st = gy_emit_ulconv(b, n2, y, d1, half, 5, 1, half, act, r1, &t)) != GY_OK)
            return st;
        gy_op add = {.type = GY_OP_ADD, .nin = 2, .in = {y, r0}, .out = d0, .res = -1,
                     .conv = -1, .act = GY_ACT_NONE};
        if ((st = gy_emit_op(b, &add)) != GY_OK)
            return st;
    }
    *result = dst;
    return GY_OK;
}

gy_status gy_block_ghostconv(gy_build *b, const gy_block *blk, int *out)
{
    int k, s, g, act;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, 1, 15, &k)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 1, 1, 8, &s)) != GY_OK ||
        (st = gy_block_int(b, blk, 4, 1, 1, GY_MAX_CHANNELS, &g)) != GY_OK ||
        (st = gy_block_bool(b, blk, 5, 1, &act)) != GY_OK)
        return st;
    if (blk->nargs > 6)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "GhostConv takes [c2, k, s, g, act]");
    if (k % 2 == 0)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "even kernel size %d", k);
    return gy_ghostconv_emit(b, blk, "", blk->in[0], -1, blk->c2, k, s, g,
                             act ? GY_ACT_SILU : GY_ACT_NONE, -1, out);
}

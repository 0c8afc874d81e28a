/* Conv - ultralytics Conv(c1, c2, k=1, s=1, p=None, g=1, d=1, act=True): conv + BN + SiLU. */
#include "backbone/backbone.h"

gy_status gy_block_conv(gy_build *b, const gy_block *blk, int *out)
{
    int k, s, g, act;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, 1, 15, &k)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 1, 1, 8, &s)) != GY_OK)
        return st;
    if (blk->nargs > 4 && blk->args[4].type != GY_ARG_NONE)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "explicit padding is not supported");
    if ((st = gy_block_int(b, blk, 5, 1, 1, GY_MAX_CHANNELS, &g)) != GY_OK)
        return st;
    if (blk->nargs > 6) {
        int d;
        if ((st = gy_block_int(b, blk, 6, 1, 1, 1, &d)) != GY_OK)
            return st;
    }
    if ((st = gy_block_bool(b, blk, 7, 1, &act)) != GY_OK)
        return st;
    if (blk->nargs > 8)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "Conv takes [c2, k, s, p, g, d, act], got %d "
                             "arguments", blk->nargs - 1);
    return gy_emit_ulconv(b, "", blk->in[0], -1, blk->c2, k, s, g,
                          act ? GY_ACT_SILU : GY_ACT_NONE, -1, out);
}

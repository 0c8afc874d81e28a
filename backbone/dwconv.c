/* DWConv - ultralytics DWConv(c1, c2, k=1, s=1, d=1, act=True): a Conv with
 * groups = gcd(c1, c2) (depthwise when c1 == c2), folded by fuse() like any Conv. */
#include "backbone/backbone.h"

static int gcd(int a, int b)
{
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

gy_status gy_block_dwconv(gy_build *b, const gy_block *blk, int *out)
{
    int k, s, d, act;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, 1, 15, &k)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 1, 1, 8, &s)) != GY_OK ||
        (st = gy_block_int(b, blk, 4, 1, 1, 1, &d)) != GY_OK ||
        (st = gy_block_bool(b, blk, 5, 1, &act)) != GY_OK)
        return st;
    if (blk->nargs > 6)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "DWConv takes [c2, k, s, d, act]");
    if (k % 2 == 0)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "even kernel size %d", k);
    return gy_emit_ulconv(b, "", blk->in[0], -1, blk->c2, k, s, gcd(blk->in_ch[0], blk->c2),
                          act ? GY_ACT_SILU : GY_ACT_NONE, -1, out);
}

/* SPPF - ultralytics SPPF(c1, c2, k=5): cv1, three chained k x k max-pools (stride 1, pad k/2),
 * concat of the four, cv2. The concat is free (each producer writes its slice). */
#include "backbone/backbone.h"

gy_status gy_block_sppf(gy_build *b, const gy_block *blk, int *out)
{
    int k;
    gy_status st = gy_block_int(b, blk, 2, 5, 1, 31, &k);
    if (st != GY_OK)
        return st;
    if (blk->nargs > 3)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "SPPF takes [c2, k], got %d arguments",
                             blk->nargs - 1);
    if (k % 2 == 0)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "even pool size %d changes the shape", k);
    int c = blk->in_ch[0] / 2;
    if (c < 1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "input channels %d too small", blk->in_ch[0]);
    gy_build_modules(b, 2, 2); /* SPPF and its MaxPool2d */
    int cat, s[4];
    if ((st = gy_build_tensor(b, 4 * c, &cat)) != GY_OK)
        return st;
    for (int i = 0; i < 4; i++)
        if ((st = gy_build_slice(b, cat, i * c, c, &s[i])) != GY_OK)
            return st;
    if ((st = gy_emit_ulconv(b, "cv1", blk->in[0], s[0], c, 1, 1, 1, GY_ACT_SILU, -1, &s[0])) != GY_OK)
        return st;
    for (int i = 1; i < 4; i++) {
        gy_op op = {.type = GY_OP_MAXPOOL, .nin = 1, .in = {s[i - 1]}, .out = s[i], .res = -1,
                    .conv = -1, .k = k, .stride = 1, .pad = k / 2};
        if ((st = gy_emit_op(b, &op)) != GY_OK)
            return st;
    }
    return gy_emit_ulconv(b, "cv2", cat, -1, blk->c2, 1, 1, 1, GY_ACT_SILU, -1, out);
}

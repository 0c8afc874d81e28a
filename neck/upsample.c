/* nn.Upsample(size=None, scale_factor=2, mode='nearest'). */
#include <string.h>

#include "neck/neck.h"

gy_status gy_block_upsample(gy_build *b, const gy_block *blk, int *out)
{
    if (blk->nargs > 0 && blk->args[0].type != GY_ARG_NONE)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "a fixed output size is not supported");
    int scale;
    gy_status st;
    /* a float scale_factor (2.0) is taken as torch takes it, when it is a whole number */
    if (blk->nargs > 1 && blk->args[1].type == GY_ARG_FLOAT) {
        double f = blk->args[1].f;
        if (!(f >= 1 && f <= 64) || f != (int)f) /* range first: (int) of NaN or 1e300 is UB */
            return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED,
                                 "scale factor %g is not a whole number in [1, 64]", f);
        scale = (int)f;
    } else if ((st = gy_block_int(b, blk, 1, 1, 1, 64, &scale)) != GY_OK) {
        return st;
    }
    if (blk->nargs > 2 && !(blk->args[2].type == GY_ARG_STR && strcmp(blk->args[2].s, "nearest") == 0))
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "only mode 'nearest' is supported");
    gy_build_modules(b, 1, 1);
    if ((st = gy_build_tensor(b, blk->in_ch[0], out)) != GY_OK)
        return st;
    gy_op op = {.type = GY_OP_UPSAMPLE, .nin = 1, .in = {blk->in[0]}, .out = *out, .res = -1,
                .conv = -1, .scale = scale};
    return gy_emit_op(b, &op);
}

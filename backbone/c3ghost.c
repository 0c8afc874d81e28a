/* C3Ghost - ultralytics C3Ghost(c1, c2, n=1, shortcut=True, g=1, e=0.5), c_ = int(c2 * e):
 *
 *   cv3(cat(m(cv1(x)), cv2(x))), m = Sequential of n GhostBottleneck(c_, c_)
 *
 * (shortcut and g are accepted and unused, as in ultralytics). The concat is free: the last
 * bottleneck writes the first half and cv2 the second half of one storage. */
#include <stdio.h>

#include "backbone/ghost_common.h"

gy_status gy_block_c3ghost(gy_build *b, const gy_block *blk, int *out)
{
    int n, shortcut, g;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, 1, GY_MAX_REPEATS, &n)) != GY_OK ||
        (st = gy_block_bool(b, blk, 3, 1, &shortcut)) != GY_OK ||
        (st = gy_block_int(b, blk, 4, 1, 1, GY_MAX_CHANNELS, &g)) != GY_OK)
        return st;
    double e = 0.5;
    if (blk->nargs > 5) {
        const gy_arg *a = &blk->args[5];
        if (a->type == GY_ARG_FLOAT)
            e = a->f;
        else if (a->type == GY_ARG_INT)
            e = (double)a->i;
        else if (a->type != GY_ARG_NONE)
            return gy_block_fail(b, blk, GY_ERR_FORMAT, "argument e must be a number");
        if (!(e > 0.0 && e <= 4.0))
            return gy_block_fail(b, blk, GY_ERR_FORMAT, "expansion e = %g is out of range", e);
    }
    if (blk->nargs > 6)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "C3Ghost takes [c2, shortcut, g, e]");
    int c_ = (int)(blk->c2 * e);
    if (c_ < 4 || c_ % 4 != 0)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED,
                             "hidden channels %d must be a multiple of 4 (GhostBottleneck)", c_);
    gy_build_modules(b, 2, 2); /* C3Ghost and its Sequential m */
    int cat, left, right, prev, t;
    if ((st = gy_build_tensor(b, 2 * c_, &cat)) != GY_OK ||
        (st = gy_build_slice(b, cat, 0, c_, &left)) != GY_OK ||
        (st = gy_build_slice(b, cat, c_, c_, &right)) != GY_OK ||
        (st = gy_emit_ulconv(b, "cv1", blk->in[0], -1, c_, 1, 1, 1, GY_ACT_SILU, -1, &prev)) !=
            GY_OK ||
        (st = gy_emit_ulconv(b, "cv2", blk->in[0], right, c_, 1, 1, 1, GY_ACT_SILU, -1, &t)) !=
            GY_OK)
        return st;
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "m.%d", i);
        if ((st = gy_ghost_bottleneck_emit(b, blk, name, prev, i == n - 1 ? left : -1, c_, 3, 1,
                                           &prev)) != GY_OK)
            return st;
    }
    return gy_emit_ulconv(b, "cv3", cat, -1, blk->c2, 1, 1, 1, GY_ACT_SILU, -1, out);
}

/* Concat(dimension=1): free - the inputs become slices of one storage where they can. */
#include "neck/neck.h"

gy_status gy_block_concat(gy_build *b, const gy_block *blk, int *out)
{
    int d;
    gy_status st = gy_block_int(b, blk, 0, 1, -100, 100, &d);
    if (st != GY_OK)
        return st;
    if (blk->nargs > 1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "Concat takes [dimension], got %d arguments",
                             blk->nargs);
    if (d != 1)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "only channel concatenation (1) is supported");
    gy_build_modules(b, 1, 1);
    return gy_build_concat(b, blk->nin, blk->in, out);
}

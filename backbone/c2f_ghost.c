/* C2f_GhostBottleneck - the ghost_variants C2f (its own Conv copy for cv1 / cv2, see
 * ghost_common.c) whose n bottlenecks are GhostNet bottlenecks GhostBottleneck(c, c, c):
 *
 *   ghost1 = GhostModule(c, c, relu=True), ghost2 = GhostModule(c, c, relu=False),
 *   m.i(x) = ghost2(ghost1(x)) + shortcut(x), shortcut = identity (an empty Sequential).
 *
 * GhostNet's bottleneck has no switch for its identity shortcut (input and output channels are
 * equal and the stride is 1), so the C2f `shortcut` argument does not remove it. */
#include <stdio.h>

#include "backbone/ghost_common.h"

static gy_status bottleneck(gy_build *b, const gy_block *blk, const void *ctx, const char *name,
                            int index, int in, int dst, int c, int shortcut, int g)
{
    (void)blk;
    (void)ctx;
    (void)index;
    (void)shortcut;
    (void)g;
    gy_build_modules(b, 2, 2); /* GhostBottleneck and its (empty Sequential) shortcut */
    char n1[48], n2[48];
    snprintf(n1, sizeof n1, "%s.ghost1", name);
    snprintf(n2, sizeof n2, "%s.ghost2", name);
    int mid;
    gy_status st = gy_build_tensor(b, c, &mid);
    if (st == GY_OK)
        st = gy_ghost_module(b, n1, in, mid, c, 1, -1, 0, 0);
    if (st == GY_OK)
        st = gy_ghost_module(b, n2, mid, dst, c, 0, in, 0, 0);
    return st;
}

gy_status gy_block_c2f_ghost(gy_build *b, const gy_block *blk, int *out)
{
    return gy_ghost_c2f_shell(b, blk, 0, bottleneck, NULL, out);
}

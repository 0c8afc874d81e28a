/* C2f_g_ghostBottleneck - the ghost_variants C2f (see ghost_common.c) with G-GhostNet
 * bottlenecks g_ghostBottleneck(c, c):
 *
 *   m.i(x) = relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + x)
 *
 * conv1 / conv3 1x1, conv2 3x3 depthwise, all without bias; one ReLU module used three times.
 * The last conv adds the input before its ReLU (res_before_act). As in the other ghost_variants
 * blocks the identity is always added. */
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
    gy_build_modules(b, 2, 2); /* g_ghostBottleneck and its ReLU */
    char cn[3][48], bn[3][48];
    for (int i = 0; i < 3; i++) {
        snprintf(cn[i], sizeof cn[i], "%s.conv%d", name, i + 1);
        snprintf(bn[i], sizeof bn[i], "%s.bn%d", name, i + 1);
    }
    int t1, t2, t3;
    gy_status st;
    if ((st = gy_ghost_convbn(b, cn[0], bn[0], in, -1, c, 1, 1, 1, 1, GY_ACT_RELU, -1, 0, &t1)) !=
            GY_OK ||
        (st = gy_ghost_convbn(b, cn[1], bn[1], t1, -1, c, 3, 3, 1, c, GY_ACT_RELU, -1, 0, &t2)) !=
            GY_OK)
        return st;
    return gy_ghost_convbn(b, cn[2], bn[2], t2, dst, c, 1, 1, 1, 1, GY_ACT_RELU, in, 1, &t3);
}

gy_status gy_block_c2f_g_ghost(gy_build *b, const gy_block *blk, int *out)
{
    return gy_ghost_c2f_shell(b, blk, 0, bottleneck, NULL, out);
}

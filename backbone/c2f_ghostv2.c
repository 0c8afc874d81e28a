/* C2f_GhostBottleneckV2 - the ghost_variants C2f (see ghost_common.c) with GhostNetV2
 * bottlenecks GhostBottleneckV2(c, c, c, layer_id=i):
 *
 *   ghost1 = GhostModuleV2(c, c, relu=True, mode='attn' if layer_id > 1 else 'original'),
 *   ghost2 = GhostModuleV2(c, c, relu=False, mode='original'),
 *   m.i(x) = ghost2(ghost1(x)) + x.
 *
 * 'attn' adds DFC attention (ghost_common.c). YAML: [c2, shortcut, dfc] with dfc = auto (the
 * reference rule above, the default), True (DFC in every bottleneck's ghost1) or False (none).
 * As in C2f_GhostBottleneck the identity shortcut is always there. */
#include <stdio.h>
#include <string.h>

#include "backbone/ghost_common.h"

enum { DFC_AUTO, DFC_ALL, DFC_NONE };

static gy_status bottleneck(gy_build *b, const gy_block *blk, const void *ctx, const char *name,
                            int index, int in, int dst, int c, int shortcut, int g)
{
    (void)blk;
    (void)shortcut;
    (void)g;
    int mode = *(const int *)ctx;
    int dfc = mode == DFC_ALL || (mode == DFC_AUTO && index > 1);
    gy_build_modules(b, 2, 2); /* GhostBottleneckV2 and its (empty Sequential) shortcut */
    char n1[48], n2[48];
    snprintf(n1, sizeof n1, "%s.ghost1", name);
    snprintf(n2, sizeof n2, "%s.ghost2", name);
    int mid;
    gy_status st = gy_build_tensor(b, c, &mid);
    if (st == GY_OK)
        st = gy_ghost_module(b, n1, in, mid, c, 1, -1, dfc ? GY_DFC_GATE_ON_MUL : 0, 1);
    if (st == GY_OK)
        st = gy_ghost_module(b, n2, mid, dst, c, 0, in, 0, 1);
    return st;
}

gy_status gy_block_c2f_ghostv2(gy_build *b, const gy_block *blk, int *out)
{
    int mode = DFC_AUTO;
    if (blk->nargs > 4) {
        const gy_arg *a = &blk->args[4];
        if (a->type == GY_ARG_BOOL)
            mode = a->i ? DFC_ALL : DFC_NONE;
        else if (!(a->type == GY_ARG_NONE || (a->type == GY_ARG_STR && strcmp(a->s, "auto") == 0)))
            return gy_block_fail(b, blk, GY_ERR_FORMAT,
                                 "argument dfc must be auto, True or False");
    }
    return gy_ghost_c2f_shell(b, blk, 1, bottleneck, &mode, out);
}

/* C2f - ultralytics C2f(c1, c2, n=1, shortcut=False, g=1, e=0.5) with Bottleneck blocks.
 *
 *   cv1 (1x1, 2c) -> chunk(2) = y0, y1;  y_{i+2} = m[i](y_{i+1});  cv2(cat(y0 .. y_{n+1}))
 *
 * The concat is free: cv1 writes the first two slices of one storage and every bottleneck
 * appends its slice. C2f variants reuse gy_c2f_shell with their own cv1 / cv2 and bottleneck
 * emitters. */
#include <stdio.h>

#include "backbone/backbone.h"

gy_status gy_c2f_shell(gy_build *b, const gy_block *blk, int n, int shortcut, int g, double e,
                       gy_shell_conv_fn conv, gy_bottleneck_fn bottleneck, const void *ctx,
                       int *out)
{
    int c = (int)(blk->c2 * e); /* self.c = int(c2 * e) */
    if (c < 1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "hidden channels int(c2 %d x e %g) = %d, "
                             "at least 1 needed", blk->c2, e, c);
    gy_build_modules(b, 2, 2); /* the C2f itself and its ModuleList m */
    int cat, y, prev;
    gy_status st;
    if ((st = gy_build_tensor(b, (2 + n) * c, &cat)) != GY_OK ||
        (st = gy_build_slice(b, cat, 0, 2 * c, &y)) != GY_OK ||
        (st = conv(b, "cv1", blk->in[0], y, 2 * c, &y)) != GY_OK ||
        (st = gy_build_slice(b, cat, c, c, &prev)) != GY_OK)
        return st;
    for (int i = 0; i < n; i++) {
        int dst;
        char name[32];
        snprintf(name, sizeof name, "m.%d", i);
        if ((st = gy_build_slice(b, cat, (2 + i) * c, c, &dst)) != GY_OK ||
            (st = bottleneck(b, blk, ctx, name, i, prev, dst, c, shortcut, g)) != GY_OK)
            return st;
        prev = dst;
    }
    return conv(b, "cv2", cat, -1, blk->c2, out);
}

/* cv1 / cv2 of ultralytics' C2f: Conv(c1, c2, 1, 1) with BN (folded by fuse()) and SiLU. */
static gy_status ul_conv1x1(gy_build *b, const char *name, int in, int out, int c2, int *result)
{
    return gy_emit_ulconv(b, name, in, out, c2, 1, 1, 1, GY_ACT_SILU, -1, result);
}

/* ultralytics Bottleneck(c, c, shortcut, g, k=((3, 3), (3, 3)), e=1.0): x + cv2(cv1(x)). */
static gy_status plain_bottleneck(gy_build *b, const gy_block *blk, const void *ctx,
                                  const char *name, int index, int in, int dst, int c,
                                  int shortcut, int g)
{
    (void)blk;
    (void)ctx;
    (void)index;
    gy_build_modules(b, 1, 1); /* Bottleneck */
    char n1[48], n2[48];
    snprintf(n1, sizeof n1, "%s.cv1", name);
    snprintf(n2, sizeof n2, "%s.cv2", name);
    int mid, res = shortcut ? in : -1;
    gy_status st = gy_emit_ulconv(b, n1, in, -1, c, 3, 1, 1, GY_ACT_SILU, -1, &mid);
    if (st != GY_OK)
        return st;
    return gy_emit_ulconv(b, n2, mid, dst, c, 3, 1, g, GY_ACT_SILU, res, &dst);
}

gy_status gy_block_c2f(gy_build *b, const gy_block *blk, int *out)
{
    int n, shortcut, g;
    double e;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, 1, GY_MAX_REPEATS, &n)) != GY_OK ||
        (st = gy_block_bool(b, blk, 3, 0, &shortcut)) != GY_OK ||
        (st = gy_block_int(b, blk, 4, 1, 1, GY_MAX_CHANNELS, &g)) != GY_OK ||
        (st = gy_block_num(b, blk, 5, 0.5, -1e9, 1e9, &e)) != GY_OK)
        return st;
    if (!(e > 0.0 && e <= 4.0))
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "expansion e = %g is out of range", e);
    if (blk->nargs > 6)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "C2f takes [c2, shortcut, g, e], got %d "
                             "arguments", blk->nargs - 2);
    return gy_c2f_shell(b, blk, n, shortcut, g, e, ul_conv1x1, plain_bottleneck, NULL, out);
}

/* The SqueezeNet rows of the backbone zoo (../shared/zoo/zoo_modules.py; torchvision's Fire) and
 * the plain torch row they use:
 *
 *   ConvReLU [c2, k=3, s=1, p=None]: conv k s pad p (None: k // 2) with bias -> ReLU, no BN.
 *   Fire [squeeze, e1, e3] (c2 = e1 + e3): s = ReLU(1x1 conv+bias(x)); out = cat[ReLU(1x1
 *     conv+bias(s)), ReLU(3x3 conv+bias pad 1(s))], both expand convs writing their slice.
 *   nn.MaxPool2d [k, s=k, p=0, dilation=1, return_indices=False, ceil_mode=False]: c2 = c1. */
#include "backbone/zoo_common.h"

gy_status gy_block_convrelu(gy_build *b, const gy_block *blk, int *out)
{
    int k, s, p;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 3, 1, 15, &k)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 1, 1, 8, &s)) != GY_OK ||
        (st = gy_block_int(b, blk, 4, k / 2, 0, 15, &p)) != GY_OK)
        return st;
    if (blk->nargs > 5)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, k, s, p], got %d arguments",
                             blk->nargs - 1);
    gy_build_modules(b, 2, 2); /* the Sequential and its ReLU */
    gy_zconv z = gy_zconv_sq("0", NULL, blk->c2, k, s, p, 1, GY_ACT_RELU);
    z.bias = 1;
    return gy_zoo_conv(b, &z, blk->in[0], -1, -1, 0, out);
}

gy_status gy_block_fire(gy_build *b, const gy_block *blk, int *out)
{
    int sq, e1, e3;
    gy_status st;
    if ((st = gy_block_int(b, blk, 1, 0, 1, GY_MAX_CHANNELS, &sq)) != GY_OK ||
        (st = gy_block_int(b, blk, 2, 0, 1, GY_MAX_CHANNELS, &e1)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 0, 1, GY_MAX_CHANNELS, &e3)) != GY_OK)
        return st;
    if (blk->nargs != 4)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [squeeze, expand1x1, expand3x3], got %d "
                             "arguments", blk->nargs - 1);
    gy_build_modules(b, 4, 4); /* Fire and its three ReLUs */
    int s, a, c;
    gy_zconv zs = gy_zconv_sq("squeeze", NULL, sq, 1, 1, 0, 1, GY_ACT_RELU);
    gy_zconv z1 = gy_zconv_sq("expand1x1", NULL, e1, 1, 1, 0, 1, GY_ACT_RELU);
    gy_zconv z3 = gy_zconv_sq("expand3x3", NULL, e3, 3, 1, 1, 1, GY_ACT_RELU);
    zs.bias = z1.bias = z3.bias = 1;
    if ((st = gy_zoo_conv(b, &zs, blk->in[0], -1, -1, 0, &s)) != GY_OK ||
        (st = gy_build_tensor(b, e1 + e3, out)) != GY_OK ||
        (st = gy_build_slice(b, *out, 0, e1, &a)) != GY_OK ||
        (st = gy_build_slice(b, *out, e1, e3, &c)) != GY_OK ||
        (st = gy_zoo_conv(b, &z1, s, a, -1, 0, &a)) != GY_OK)
        return st;
    return gy_zoo_conv(b, &z3, s, c, -1, 0, &c);
}

gy_status gy_block_maxpool(gy_build *b, const gy_block *blk, int *out)
{
    int k, s, p, d, ri, ceil_mode;
    gy_status st;
    if ((st = gy_block_int(b, blk, 0, 0, 1, 63, &k)) != GY_OK)
        return st;
    if (blk->nargs < 1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "needs the kernel size");
    if ((st = gy_block_int(b, blk, 1, k, 1, 63, &s)) != GY_OK ||
        (st = gy_block_int(b, blk, 2, 0, 0, 31, &p)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 1, 1, 1, &d)) != GY_OK ||
        (st = gy_block_bool(b, blk, 4, 0, &ri)) != GY_OK ||
        (st = gy_block_bool(b, blk, 5, 0, &ceil_mode)) != GY_OK)
        return st;
    if (blk->nargs > 6)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [kernel_size, stride, padding, "
                             "dilation, return_indices, ceil_mode], got %d arguments", blk->nargs);
    if (2 * p > k)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "padding %d is more than half the kernel size "
                             "%d", p, k);
    if (ri)
        return gy_block_fail(b, blk, GY_ERR_UNSUPPORTED, "return_indices True gives a tuple, not a "
                             "feature map");
    gy_build_modules(b, 1, 1);
    if ((st = gy_build_tensor(b, blk->in_ch[0], out)) != GY_OK)
        return st;
    gy_op op = {.type = GY_OP_MAXPOOL, .nin = 1, .in = {blk->in[0]}, .out = *out, .res = -1,
                .conv = -1, .k = k, .stride = s, .pad = p, .ceil_mode = ceil_mode};
    return gy_emit_op(b, &op);
}

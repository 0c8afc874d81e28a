/* The HS-ResNet row of the backbone zoo (../shared/zoo/zoo_modules.py):
 *
 *   HSBottleneck [c2, s=1, split=8]: width = c2 // 4; out = ReLU(BN(1x1(x))); with a downsample
 *     (s != 1 or c1 != c2) out = ReLU(BN(3x3 s(out))) and identity = BN(1x1 s(x)), else out =
 *     HSBlock(out) and identity = x; then ReLU(BN(1x1(out)) + identity).
 *   HSBlock(width, split): the torch.chunk pieces x_0 .. x_{G-1}; group i >= 1 runs
 *     y = ReLU(BN(3x3 conv with bias (cat[x_i, carry]))); every group but the last sends its first
 *     ceil(n / 2) channels to the output and keeps the other floor(n / 2) as the next carry; the
 *     last sends y whole. Output cat[x_0, y_1a, .., y_{G-1}].
 * The concatenations of slices are copies (gy_build_concat). BatchNorm eps 1e-5. */
#include <stdio.h>
#include <stdlib.h>

#include "backbone/zoo_common.h"

static gy_status hsblock(gy_build *b, const gy_block *blk, int in, int width, int split,
                         int *out)
{
    int *sizes = malloc(sizeof *sizes * (size_t)(2 * width + 2));
    int *parts = sizes ? sizes + width + 1 : NULL;
    if (!sizes)
        return gy_fail(b->err, GY_ERR_NOMEM, "%s: out of memory while building row %d",
                       b->cfg->path, blk->row->index);
    int groups = gy_chunk_sizes(width, split, sizes), nparts = 0, off = sizes[0], carry = -1;
    gy_status st = GY_OK;
    /* HSBlock, its ModuleList and the empty Sequential module_list.0 */
    gy_build_modules(b, 3, 3);
    int carry_c = 0;
    for (int i = 1; i < groups && st == GY_OK; i++) { /* the shapes torch.chunk(2) must split */
        int n = sizes[i] + carry_c;
        if (i < groups - 1 && n < 2)
            st = gy_block_fail(b, blk, GY_ERR_FORMAT, "split %d of width %d: HSBlock group %d has "
                               "%d channel, which its chunk(2) cannot split", split, width, i, n);
        carry_c = n / 2;
    }
    if (st == GY_OK)
        st = gy_build_slice(b, in, 0, sizes[0], &parts[nparts++]);
    for (int i = 1; i < groups && st == GY_OK; i++) {
        int xi, gin, y;
        if ((st = gy_build_slice(b, in, off, sizes[i], &xi)) != GY_OK)
            break;
        off += sizes[i];
        gin = xi;
        if (carry >= 0) {
            int two[2] = {xi, carry};
            if ((st = gy_build_concat(b, 2, two, &gin)) != GY_OK)
                break;
        }
        int n = b->g->tensors[gin].c;
        char cn[48], bn[48];
        snprintf(cn, sizeof cn, "hsblock.module_list.%d.0", i);
        snprintf(bn, sizeof bn, "hsblock.module_list.%d.1", i);
        gy_zconv z = gy_zconv_sq(cn, bn, n, 3, 1, 1, 1, GY_ACT_RELU);
        z.bias = 1;
        gy_build_modules(b, 2, 2); /* module_list.i (Sequential) and its ReLU */
        if ((st = gy_zoo_conv(b, &z, gin, -1, -1, 0, &y)) != GY_OK)
            break;
        if (i == groups - 1) {
            parts[nparts++] = y;
        } else {
            int keep = (n + 1) / 2;
            if ((st = gy_build_slice(b, y, 0, keep, &parts[nparts++])) != GY_OK ||
                (st = gy_build_slice(b, y, keep, n - keep, &carry)) != GY_OK)
                break;
        }
    }
    if (st == GY_OK)
        st = nparts == 1 ? (*out = parts[0], GY_OK) : gy_build_concat(b, nparts, parts, out);
    free(sizes);
    return st;
}

gy_status gy_block_hsbottleneck(gy_build *b, const gy_block *blk, int *out)
{
    int c1 = blk->in_ch[0], c2 = blk->c2, s, split;
    gy_status st;
    if ((st = gy_block_int(b, blk, 2, 1, 1, 8, &s)) != GY_OK ||
        (st = gy_block_int(b, blk, 3, 8, -1000000, GY_MAX_CHANNELS, &split)) != GY_OK)
        return st;
    if (blk->nargs > 4)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "takes [c2, s, split], got %d arguments",
                             blk->nargs - 1);
    if (split < 2)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "split %d must be at least 2", split);
    int width = c2 / 4;
    if (width < 1)
        return gy_block_fail(b, blk, GY_ERR_FORMAT, "c2 %d leaves a width c2 // 4 of 0", c2);
    b->bn_eps = GY_ZOO_EPS;
    int down = s != 1 || c1 != c2, id = blk->in[0], t1, t2;
    gy_build_modules(b, 2 + down, 2 + down); /* HSBottleneck, its ReLU (, downsample) */
    gy_zconv z1 = gy_zconv_sq("conv1", "bn1", width, 1, 1, 0, 1, GY_ACT_RELU);
    if ((st = gy_zoo_conv(b, &z1, blk->in[0], -1, -1, 0, &t1)) != GY_OK)
        return st;
    if (down) {
        gy_zconv z2 = gy_zconv_sq("conv2", "bn2", width, 3, s, 1, 1, GY_ACT_RELU);
        gy_zconv zd = gy_zconv_sq("downsample.0", "downsample.1", c2, 1, s, 0, 1, GY_ACT_NONE);
        if ((st = gy_zoo_conv(b, &z2, t1, -1, -1, 0, &t2)) != GY_OK ||
            (st = gy_zoo_conv(b, &zd, blk->in[0], -1, -1, 0, &id)) != GY_OK)
            return st;
    } else if ((st = hsblock(b, blk, t1, width, split, &t2)) != GY_OK) {
        return st;
    }
    gy_zconv z3 = gy_zconv_sq("conv3", "bn3", c2, 1, 1, 0, 1, GY_ACT_RELU);
    return gy_zoo_conv(b, &z3, t2, -1, id, 1, out);
}

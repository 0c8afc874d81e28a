/* zoo_common.h - pieces shared by the backbone-zoo rows (backbone/zoo_*.c, ../shared/zoo): a
 * plain nn.Conv2d (optionally with bias) followed by an optional BatchNorm2d, the two
 * squeeze-and-excite layouts, and the channel arithmetic of the official code (_make_divisible,
 * torch.chunk sizes). Every zoo BatchNorm keeps its module's eps (b->bn_eps, set by the row) and is
 * not folded by ultralytics' fuse(), so it counts as a layer fused and unfused. */
#ifndef GY_BACKBONE_ZOO_COMMON_H
#define GY_BACKBONE_ZOO_COMMON_H

#include "backbone/backbone.h"

#define GY_ZOO_EPS 1e-5      /* PyTorch's default BatchNorm eps, kept by the zoo blocks */
#define GY_ZOO_EPS_MBV3 1e-3 /* torchvision MobileNetV3's */

/* One nn.Conv2d "<row>.<conv>" (weight, and bias when `bias`), then, when bn is not NULL, the
 * BatchNorm2d "<row>.<bn>" (a conv bias is folded through it), then act. */
typedef struct gy_zconv {
    const char *conv, *bn;
    int cout, kh, kw, sh, sw, ph, pw, groups, bias;
    gy_act act;
} gy_zconv;

/* A square k x k conv, stride s, padding pad, no bias. */
gy_zconv gy_zconv_sq(const char *conv, const char *bn, int cout, int k, int s, int pad, int groups,
                     gy_act act);

/* Emits z on `in` into `out` (or a new tensor when out < 0); res >= 0 is added before (or after)
 * the activation. Counts the Conv2d (and BatchNorm2d). */
gy_status gy_zoo_conv(gy_build *b, const gy_zconv *z, int in, int out, int res, int res_before_act,
                      int *result);

/* Squeeze-and-excite on `in` (c channels) into `out`: global average pool -> 1x1 conv with bias
 * `reduce` (c -> squeeze) -> ReLU -> 1x1 conv with bias `expand` (squeeze -> c) -> gate -> in *
 * gate. The gate's hard-sigmoid runs in the expand conv's epilogue. Counts the pool, the two
 * convs and the ReLU and gate modules (`modules`: the SE module and its activation modules). */
gy_status gy_zoo_se(gy_build *b, const char *reduce, const char *expand, int in, int out,
                    int squeeze, int modules, int *result);

/* _make_divisible(v, divisor) of the official code: max(divisor, int(v + divisor / 2) // divisor *
 * divisor), plus divisor when that is below 0.9 v. */
int gy_make_divisible(double v, int divisor);

/* The channel counts torch.chunk(chunks) gives n channels: ceil(n / chunks) each, the last one
 * what is left (there can be fewer than `chunks`). Returns how many; sizes has room for n. */
int gy_chunk_sizes(int n, int chunks, int *sizes);

/* An element-wise or pooling op with one input (and the second in1 >= 0), into out. */
gy_status gy_zoo_op(gy_build *b, gy_op_type type, int in0, int in1, int out, gy_act act);

/* A row that is one conv -> BatchNorm -> activation module (ConvBnAct, ConvBNReLU, ConvBNReLU6,
 * conv_bn_hswish): arguments [c2, k, s] ([c2, s, k] when s_first), the wrapper and its activation
 * module counted. */
typedef struct gy_zoo_convrow {
    int k_default, s_first;
    const char *conv, *bn;  /* names below the row */
    int torchvision_pad;    /* padding (k - 1) // 2 (Conv2dNormActivation), else k // 2 */
    gy_act act;
    double eps;
} gy_zoo_convrow;
gy_status gy_zoo_conv_row(gy_build *b, const gy_block *blk, const gy_zoo_convrow *r, int *out);

/* Python's round() of a non-negative value: halves go to the even neighbour (round(40.5) = 40). */
long long gy_round_half_even(double v);

#endif

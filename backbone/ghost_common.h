/* ghost_common.h - pieces shared by the Ghost modules (backbone/c2f_ghost*.c, ghostconv.c,
 * ghost_bottleneck.c, c3ghost.c): plain Conv2d + BatchNorm2d emitters, the GhostNet Ghost
 * module (with optional GhostNetV2 DFC attention), the C2f shell of the ghost_variants C2f blocks
 * and ultralytics' GhostConv / GhostBottleneck. */
#ifndef GY_BACKBONE_GHOST_COMMON_H
#define GY_BACKBONE_GHOST_COMMON_H

#include "backbone/backbone.h"

/* A plain nn.Conv2d(bias=False) named "<prefix>.<conv>.weight" followed by nn.BatchNorm2d
 * "<prefix>.<bn>.*" (not folded by ultralytics' fuse(), so counted as two modules unfused and
 * fused). kh x kw kernel, padding kh/2, kw/2. Writes into `out` (or a new tensor when out < 0). */
gy_status gy_ghost_convbn(gy_build *b, const char *conv, const char *bn, int in, int out,
                          int cout, int kh, int kw, int stride, int groups, gy_act act, int res,
                          int res_before_act, int *result);

/* GhostNet GhostModule(inp, oup, kernel_size=1, ratio=2, dw_size=3, stride=1, relu), and with
 * dfc set GhostNetV2's GhostModuleV2 in 'attn' mode:
 *   x1 = primary_conv(x) (1x1 conv + BN [+ ReLU]), x2 = cheap_operation(x1) (3x3 depthwise
 *   + BN [+ ReLU]), out = cat(x1, x2)[:, :oup]
 *   attn: out *= nearest_resize(sigmoid(short_conv(avg_pool2d(x, 2, 2))), out size), with
 *   short_conv = 1x1 conv + BN, 1x5 depthwise + BN, 5x1 depthwise + BN.
 * `name` is the module's path below the row ("m.0.ghost1"); `dst` receives the oup channels.
 * res >= 0 (oup channels, not with dfc) is added to the module output (the bottleneck's
 * identity shortcut). v2 adds GhostModuleV2's gate_fn Sigmoid to the module count.
 * dfc: 0 none; GY_DFC_GATE_ON_MUL the sigmoid applied by the multiply, per output element (scalar
 * expf: the C2f_GhostBottleneckV2 path, kept bit for bit); GY_DFC_GATE_IN_CONV the sigmoid in the
 * last short conv's (vector) epilogue on the pooled map, before the resize (they commute), and a
 * plain multiply: a quarter of the sigmoids, all vectorised (the backbone zoo's G_bneckV2). */
#define GY_DFC_GATE_ON_MUL 1
#define GY_DFC_GATE_IN_CONV 2
gy_status gy_ghost_module(gy_build *b, const char *name, int in, int dst, int oup, int relu,
                          int res, int dfc, int v2);

/* The C2f shell of ghost_variants' C2f blocks: C2f(c1, c2, n, shortcut) whose cv1 / cv2 are the
 * module file's own Conv copy (Conv2d + BatchNorm2d + SiLU that fuse() does not fold; its shared
 * SiLU counted once per model) and whose bottlenecks come from `bottleneck`. Arguments after
 * shortcut (index 4 on) are left to the variant: at most `extra_args` of them are accepted. */
gy_status gy_ghost_c2f_shell(gy_build *b, const gy_block *blk, int extra_args,
                             gy_bottleneck_fn bottleneck, const void *ctx, int *out);

/* ultralytics GhostConv(c1, c2, k, s, g, act) named "<prefix>.<name>": cv1 = Conv(c1, c2/2, k, s,
 * g), cv2 = Conv(c2/2, c2/2, 5, 1, g=c2/2), output cat(cv1, cv2) written into dst (c2 channels,
 * or a new tensor when dst < 0). res >= 0 (c2 channels) is added to the output. */
gy_status gy_ghostconv_emit(gy_build *b, const gy_block *blk, const char *name, int in, int dst,
                            int c2, int k, int s, int g, gy_act act, int res, int *result);

/* ultralytics GhostBottleneck(c1, c2, k, s) named "<prefix>.<name>": conv(x) + shortcut(x).
 * blk (the YAML row) names the row in errors. */
gy_status gy_ghost_bottleneck_emit(gy_build *b, const gy_block *blk, const char *name, int in,
                                   int dst, int c2, int k, int s, int *result);

#endif

/* backbone.h - the builders of the backbone's YAML modules (one file each in backbone/), listed
 * by name in detector/registry.c, and the C2f shell shared by plain and Ghost C2f blocks. */
#ifndef GY_BACKBONE_BACKBONE_H
#define GY_BACKBONE_BACKBONE_H

#include "builder/build.h"

gy_status gy_block_conv(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_c2f(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_sppf(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_dwconv(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_ghostconv(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_ghost_bottleneck(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_c3ghost(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_c2f_ghost(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_c2f_ghostv2(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_c2f_g_ghost(gy_build *b, const gy_block *blk, int *out);

/* The backbone zoo (../shared/zoo): one file per network family, zoo_<family>.c. */
gy_status gy_block_convbnact(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_g_bneck(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_g_bneckv2(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_gghost_bottleneck(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_gghost_stage(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_hsbottleneck(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_conv_bn_relu_maxpool(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_shuffle_block(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_shufflev1_block(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_convbnrelu(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_convbnrelu6(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_inverted_residual(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_conv_bn_hswish(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_mobilenetv3(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_convrelu(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_fire(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_maxpool(gy_build *b, const gy_block *blk, int *out);

/* A bottleneck inside a C2f shell: reads `in` (c channels), writes the slice `dst`. */
typedef gy_status (*gy_bottleneck_fn)(gy_build *b, const gy_block *blk, const void *ctx,
                                      const char *name, int index, int in, int dst, int c,
                                      int shortcut, int g);
/* A C2f shell's 1x1 cv1 / cv2 conv named "<prefix>.<name>", into `out` (or a new tensor). */
typedef gy_status (*gy_shell_conv_fn)(gy_build *b, const char *name, int in, int out, int c2,
                                      int *result);
/* C2f's cv1 / split / n bottlenecks / concat / cv2 structure (arguments already parsed; int(c2 *
 * e) hidden channels) with the given cv1/cv2 and bottleneck emitters; counts the C2f and its
 * ModuleList. */
gy_status gy_c2f_shell(gy_build *b, const gy_block *blk, int n, int shortcut, int g, double e,
                       gy_shell_conv_fn conv, gy_bottleneck_fn bottleneck, const void *ctx,
                       int *out);

#endif

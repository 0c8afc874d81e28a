/* registry.c - every YAML module ghostyolo understands, in one table. */
#include "detector/registry.h"

#include <stdio.h>
#include <string.h>

#include "backbone/backbone.h"
#include "head/head.h"
#include "neck/neck.h"

static const gy_module_def modules[] = {
    {"Conv", "ultralytics.nn.modules.conv.Conv", GY_MOD_CHANNELS, gy_block_conv},
    {"C2f", "ultralytics.nn.modules.block.C2f", GY_MOD_CHANNELS_REPS, gy_block_c2f},
    {"SPPF", "ultralytics.nn.modules.block.SPPF", GY_MOD_CHANNELS, gy_block_sppf},
    {"nn.Upsample", "torch.nn.modules.upsampling.Upsample", GY_MOD_PASS, gy_block_upsample},
    {"Concat", "ultralytics.nn.modules.conv.Concat", GY_MOD_CONCAT, gy_block_concat},
    {"Detect", "ultralytics.nn.modules.head.Detect", GY_MOD_DETECT, gy_block_detect},
    {"DWConv", "ultralytics.nn.modules.conv.DWConv", GY_MOD_CHANNELS, gy_block_dwconv},
    {"GhostConv", "ultralytics.nn.modules.conv.GhostConv", GY_MOD_CHANNELS, gy_block_ghostconv},
    {"GhostBottleneck", "ultralytics.nn.modules.block.GhostBottleneck", GY_MOD_CHANNELS,
     gy_block_ghost_bottleneck},
    {"C3Ghost", "ultralytics.nn.modules.block.C3Ghost", GY_MOD_CHANNELS_REPS, gy_block_c3ghost},
    {"C2f_GhostBottleneck", "ultralytics.nn.modules.ghost_variants.C2f_GhostBottleneck",
     GY_MOD_CHANNELS_REPS, gy_block_c2f_ghost},
    {"C2f_GhostBottleneckV2", "ultralytics.nn.modules.ghost_variants.C2f_GhostBottleneckV2",
     GY_MOD_CHANNELS_REPS, gy_block_c2f_ghostv2},
    {"C2f_g_ghostBottleneck", "ultralytics.nn.modules.ghost_variants.C2f_g_ghostBottleneck",
     GY_MOD_CHANNELS_REPS, gy_block_c2f_g_ghost},
    {"nn.MaxPool2d", "torch.nn.modules.pooling.MaxPool2d", GY_MOD_PASS, gy_block_maxpool},
#define ZOO(name, fn) {#name, "ultralytics.nn.modules.zoo_modules." #name, GY_MOD_ZOO, fn}
    ZOO(ConvBnAct, gy_block_convbnact),
    ZOO(G_bneck, gy_block_g_bneck),
    ZOO(G_bneckV2, gy_block_g_bneckv2),
    ZOO(GGhostBottleneck, gy_block_gghost_bottleneck),
    ZOO(GGhostStage, gy_block_gghost_stage),
    ZOO(HSBottleneck, gy_block_hsbottleneck),
    ZOO(conv_bn_relu_maxpool, gy_block_conv_bn_relu_maxpool),
    ZOO(Shuffle_Block, gy_block_shuffle_block),
    ZOO(ShuffleV1Block, gy_block_shufflev1_block),
    ZOO(ConvBNReLU, gy_block_convbnrelu),
    ZOO(ConvBNReLU6, gy_block_convbnrelu6),
    ZOO(InvertedResidual, gy_block_inverted_residual),
    ZOO(conv_bn_hswish, gy_block_conv_bn_hswish),
    ZOO(MobileNetV3, gy_block_mobilenetv3),
    ZOO(ConvReLU, gy_block_convrelu),
    {"Fire", "ultralytics.nn.modules.zoo_modules.Fire", GY_MOD_ZOO_FIRE, gy_block_fire},
#undef ZOO
};

const gy_module_def *gy_module_find(const char *name)
{
    for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
        if (strcmp(modules[i].name, name) == 0)
            return &modules[i];
    return NULL;
}

void gy_module_names(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof modules / sizeof modules[0] && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", modules[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

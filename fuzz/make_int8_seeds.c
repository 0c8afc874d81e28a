/* make_int8_seeds.c - writes small int8 model files (synthetic weights, fixed activation ranges)
 * as seeds for fuzz_int8: a model with every int8 op kind (convs, C2f, SPPF's max pools, nearest
 * upsample, concat, GhostConv's depthwise conv, Detect). usage: make_int8_seeds OUT_DIR */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>

#include "detector/quantize.h"

static const char tiny[] =
    "nc: 2\n"
    "backbone:\n"
    "  - [-1, 1, Conv, [8, 3, 2]]\n"
    "  - [-1, 1, C2f, [8, True]]\n"
    "  - [-1, 1, Conv, [16, 3, 2]]\n"
    "  - [-1, 1, SPPF, [16, 5]]\n"
    "head:\n"
    "  - [-1, 1, nn.Upsample, [None, 2, 'nearest']]\n"
    "  - [[-1, 1], 1, Concat, [1]]\n"
    "  - [-1, 1, GhostConv, [8, 1, 1]]\n"
    "  - [[6, 3], 1, Detect, [nc]]\n";

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_int8_seeds OUT_DIR\n");
        return 64;
    }
    char yaml[4096], out[4096];
    snprintf(yaml, sizeof yaml, "%s/tiny_int8.yaml", argv[1]);
    snprintf(out, sizeof out, "%s/tiny_int8.safetensors", argv[1]);
    FILE *f = fopen(yaml, "w");
    if (!f || fputs(tiny, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "make_int8_seeds: cannot write %s\n", yaml);
        return 73;
    }
    gy_error err;
    if (gy_quantize_synthetic(yaml, out, &err) != GY_OK) {
        fprintf(stderr, "make_int8_seeds: %s\n", err.message);
        return 70;
    }
    remove(yaml);
    return 0;
}

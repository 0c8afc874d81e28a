/* stats.h - per-row numbers of a model, counted the way ultralytics and thop count them. */
#ifndef GY_DETECTOR_STATS_H
#define GY_DETECTOR_STATS_H

#include "detector/model.h"

typedef struct gy_row_numbers {
    long long params_unfused, params_fused;
    long long modules_unfused, modules_fused;
    double ops_unfused, ops_fused; /* thop "ops" (MACs etc.) at the probed input size */
    int out_c, out_h, out_w;       /* output shape at the probed size (Detect: 1 x anchors) */
} gy_row_numbers;

/* Fills rows[0 .. nrows) for an h x w input. */
gy_status gy_model_row_numbers(const gy_model *m, int h, int w, gy_row_numbers *rows,
                               gy_error *err);

/* Parameters of one conv, unfused or after fuse(). */
long long gy_conv_params(const gy_conv *c, int fused);

#endif

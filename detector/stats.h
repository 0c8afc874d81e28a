/* stats.h - per-row numbers of a model, counted the way ultralytics and thop count them. */
#ifndef GY_DETECTOR_STATS_H
#define GY_DETECTOR_STATS_H

#include "runtime/plan.h"
#include "detector/model.h"

typedef struct gy_row_numbers {
    long long params_unfused, params_fused;
    long long modules_unfused, modules_fused;
    double ops_unfused, ops_fused; /* thop "ops" (MACs etc.) at the probed input size */
    int out_c, out_h, out_w;       /* output shape at the probed size (Detect: 1 x anchors) */
} gy_row_numbers;

/* Fills rows[0 .. nrows) for an h x w input. When plan is non-NULL the plan made for that size
 * is handed to the caller (gy_plan_free), else freed. */
gy_status gy_model_row_numbers(const gy_model *m, int h, int w, gy_row_numbers *rows,
                               gy_plan *plan, gy_error *err);

/* The model.info() summary; when ultralytics' probe input cannot run the model (DFC attention
 * pools a 1x1 map), GFLOPs are counted directly at imgsz instead and *probe_failed is set. */
gy_status gy_model_summary_ex(const gy_model *m, int fused, int imgsz, gy_model_summary *out,
                              int *probe_failed, gy_error *err);

#endif

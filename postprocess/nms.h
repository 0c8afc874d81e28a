/* nms.h - ultralytics non_max_suppression for a Detect output (1, 4 + nc, anchors). */
#ifndef GY_POSTPROCESS_NMS_H
#define GY_POSTPROCESS_NMS_H

#include "ghostyolo.h"

typedef struct gy_nms_params {
    float conf;      /* keep candidates whose best class score > conf */
    float iou;       /* suppress when IoU > iou */
    int max_det;
    int max_nms;     /* 30000: candidates kept (best scores) before NMS */
    int agnostic;
    float max_wh;    /* 7680: class offset for per-class NMS */
    const int *classes; /* keep only candidates whose best class is one of these (NULL: all) */
    int num_classes;
    int multi_label; /* 0: one candidate per anchor (its best class); 1: one per class whose
                        score > conf, among anchors whose best score > conf (validation) */
} gy_nms_params;

gy_nms_params gy_nms_default_params(void);

/* pred: channels x anchors (row-major, channels = 4 + nc), xywh then class scores.
 * Writes at most max_det boxes (x1, y1, x2, y2 in input pixels, score, class) into *out
 * (newly allocated, caller frees; NULL when *count is 0), best first; order is deterministic. */
gy_status gy_nms(const float *pred, int channels, int anchors, const gy_nms_params *p,
                 gy_box **out, int *count, gy_error *err);

#endif

/* confusion.h - ultralytics 8.0.126 ConfusionMatrix for detection (utils/metrics.py), fed as its
 * DetectionValidator feeds it: per image with labels, the validation predictions (NMS output)
 * and the labels, both in original-image pixels. */
#ifndef GY_POSTPROCESS_CONFUSION_H
#define GY_POSTPROCESS_CONFUSION_H

#include "ghostyolo.h"

#define GY_CONFUSION_CONF 0.25f /* ConfusionMatrix(nc, conf=0.25, iou_thres=0.45) */
#define GY_CONFUSION_IOU 0.45f

typedef struct gy_confusion {
    int nc;
    float conf, iou;
    /* (nc + 1) x (nc + 1), row-major, counts: row = predicted class (nc: background, a label no
     * prediction matched), column = true class (nc: background, a prediction that matched no
     * label). matrix[nc][nc] stays 0. */
    double *matrix;
} gy_confusion;

gy_status gy_confusion_create(int nc, gy_confusion **out, gy_error *err);
void gy_confusion_free(gy_confusion *cm);

/* ConfusionMatrix.process_batch for one image: dets (x1, y1, x2, y2, score, class) and labels
 * (box and class_id). Only predictions with score > conf take part. Every pair with IoU > iou
 * (float32, as torch's box_iou) is a candidate, whatever the classes; a prediction keeps its
 * highest-IoU label, then a label its highest-IoU prediction (ties as numpy's reversed argsort
 * leaves them: the later candidate wins). A matched label counts at [its prediction's class][its
 * class], an unmatched one at [background][its class]; a prediction left unmatched counts at [its
 * class][background], but only in an image where some pair matched (ultralytics' `if n:`). An
 * image without labels adds nothing (the validator does not call it then). */
gy_status gy_confusion_add(gy_confusion *cm, const gy_box *dets, int ndet, const gy_box *labels,
                           int nlab, gy_error *err);

#endif

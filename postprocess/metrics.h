/* metrics.h - ultralytics 8.0.126 detection metrics (DetectionValidator._process_batch and
 * DetMetrics / ap_per_class): which predictions are true positives at the ten IoU thresholds
 * 0.50:0.05:0.95, then per class precision, recall (at the confidence of maximum mean F1) and the
 * 101-point interpolated AP. */
#ifndef GY_POSTPROCESS_METRICS_H
#define GY_POSTPROCESS_METRICS_H

#include <stdint.h>

#include "ghostyolo.h"

#define GY_METRICS_NIOU 10
#define GY_METRICS_NPX 1000 /* ap_per_class's px = linspace(0, 1, 1000), the curves' x */

/* torch.linspace(0.5, 0.95, 10) in float32, as the validator's iouv. */
void gy_metrics_iou_thresholds(float iouv[GY_METRICS_NIOU]);

/* box_iou of a label and a detection box (x1, y1, x2, y2) in float32 as torch computes it:
 * inter / (area_label + area_det - inter + 1e-7). */
float gy_metrics_iou(const gy_box *label, const gy_box *det);

/* DetectionValidator._process_batch: dets (ndet boxes, NMS order) and labels (nlab boxes, their
 * class in class_id), both x1, y1, x2, y2 in the same pixels. correct[d] gets bit t set when
 * detection d is a true positive at threshold t: IoU >= iouv[t] with a label of its class, each
 * detection matched to its highest-IoU label, each label kept by its lowest-index detection. */
gy_status gy_metrics_match(const gy_box *dets, int ndet, const gy_box *labels, int nlab,
                           uint16_t *correct, gy_error *err);

/* The accumulated statistics of a validation run (ultralytics' self.stats). */
typedef struct gy_metrics gy_metrics;

gy_status gy_metrics_create(int nc, gy_metrics **out, gy_error *err);
void gy_metrics_free(gy_metrics *m);

/* update_metrics for one image: its predictions (score and class of each), their correct masks
 * (from gy_metrics_match; NULL when nlab == 0: all false) and the classes of its labels.
 * Every class must be in [0, nc). Counts the image as seen. */
gy_status gy_metrics_add(gy_metrics *m, const gy_box *dets, const uint16_t *correct, int ndet,
                         const int *label_cls, int nlab, gy_error *err);

typedef struct gy_metrics_class {
    int id;          /* class id; the rows are the classes that have labels, ascending */
    int instances;   /* labels of the class */
    long long predictions; /* predictions of the class (ap_per_class skips a class without) */
    double p, r;     /* at the max-mean-F1 confidence */
    double ap[GY_METRICS_NIOU];
    double ap50, ap50_95;
} gy_metrics_class;

typedef struct gy_metrics_result {
    int images;          /* images seen (backgrounds included) */
    long long instances; /* labels */
    long long predictions;
    double mp, mr, map50, map50_95, fitness;
    int conf_index;      /* index of the max smoothed mean F1 on linspace(0, 1, 1000), -1 if none */
    int nclasses;
    gy_metrics_class *classes; /* nclasses rows, owned by the result */
    /* ap_per_class's curves on px = linspace(0, 1, GY_METRICS_NPX), when it ran (conf_index >= 0;
     * else NULL), GY_METRICS_NPX values per row of classes[]: precision and recall at confidence
     * px (IoU 0.5; zeros for a class without predictions), and the precision envelope at recall
     * px (IoU 0.5; only for a class with predictions: the PR curve ultralytics plots). One block,
     * owned by the result. */
    double *p_curve, *r_curve, *pr_curve;
} gy_metrics_result;

/* DetMetrics.process + mean_results. When no prediction is a true positive anywhere, ultralytics
 * skips the computation: every number is 0 (the rows still list the labelled classes). */
gy_status gy_metrics_compute(const gy_metrics *m, gy_metrics_result *out, gy_error *err);
void gy_metrics_result_clear(gy_metrics_result *r);

/* ultralytics' smooth(y, f): the box filter of nf = round(n * f * 2) // 2 + 1 taps over y padded
 * with its end values (np.convolve 'valid'), into out (n values). For an even nf numpy's output
 * has n + 1 values; ultralytics' uses (n = 1000, f = 0.05 or 0.1) give odd nf, as here. */
void gy_metrics_smooth(const double *y, int n, double f, double *out);

/* numpy.interp(x, xp, fp, left, right) for one x (xp non-decreasing, n >= 1); exposed for tests. */
double gy_np_interp(double x, const double *xp, const double *fp, int n, double left, double right);

#endif

/* plot_curves.h - ultralytics 8.0.126's validation curves (utils/metrics.py plot_pr_curve and
 * plot_mc_curve, 9 x 6 inches at 250 dpi) from the curves of a gy_metrics_result. */
#ifndef GY_POSTPROCESS_PLOT_CURVES_H
#define GY_POSTPROCESS_PLOT_CURVES_H

#include "ghostyolo.h"
#include "postprocess/metrics.h"

/* PR_curve.png: per labelled class with predictions its precision envelope over recall at IoU
 * 0.5, labelled "NAME AP50" in the colour cycle when fewer than 21 classes have labels, thin grey
 * lines otherwise; their mean thick blue, "all classes MAP50 mAP@0.5". names: the model's class
 * names by id. The result must have curves (mr->p_curve). */
gy_status gy_plot_pr_curve(const char *path, const gy_metrics_result *mr, const char *const *names,
                           gy_error *err);

typedef enum gy_curve_kind { GY_CURVE_F1, GY_CURVE_P, GY_CURVE_R } gy_curve_kind;

/* F1_curve.png, P_curve.png, R_curve.png: the metric of each labelled class over confidence, and
 * the mean over classes smoothed (smooth(f = 0.05)) thick blue, "all classes BEST at CONF". */
gy_status gy_plot_mc_curve(const char *path, const gy_metrics_result *mr, const char *const *names,
                           gy_curve_kind kind, gy_error *err);

#endif

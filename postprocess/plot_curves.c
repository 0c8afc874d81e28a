/* plot_curves.c - plot_pr_curve and plot_mc_curve of ultralytics 8.0.126 on the chart primitive:
 * figsize (9, 6), dpi 250, axes [0, 1] x [0, 1], the legend right of the axes (bbox_to_anchor
 * (1.04, 1), upper left), per-class lines 1 pt wide, the all-classes line 3 pt blue.
 *
 * One difference: with fewer than 21 labelled classes ultralytics names the PR lines by position
 * among the labelled classes while it draws only those with predictions, so a class without
 * predictions shifts every later name (and AP) onto the wrong line; here each line carries its
 * own class's name and AP. */
#include "postprocess/plot_curves.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "postprocess/plot_chart.h"

#define CURVE_WIDTH_IN 9.0
#define CURVE_HEIGHT_IN 6.0
#define CURVE_DPI 250.0
#define CURVE_LEGEND_MAX 21 /* 0 < len(names) < 21: a legend entry per class */
#define NPX GY_METRICS_NPX

static const gy_rgb grey = {128 / 255.0, 128 / 255.0, 128 / 255.0}; /* matplotlib 'grey' */
static const gy_rgb blue = {0.0, 0.0, 1.0};                           /* matplotlib 'blue' */

static void linspace(double *px)
{
    for (int k = 0; k < NPX; k++) /* np.linspace(0, 1, 1000) */
        px[k] = k == NPX - 1 ? 1.0 : (double)k * (1.0 / (double)(NPX - 1));
}

static const char *class_name(const char *const *names, int id, char *buf, size_t size)
{
    if (names && names[id])
        return names[id];
    snprintf(buf, size, "class%d", id);
    return buf;
}

static gy_status start(gy_chart **c, const char *title, const char *xl, const char *yl, gy_error *err)
{
    gy_status st = gy_chart_create(CURVE_WIDTH_IN, CURVE_HEIGHT_IN, CURVE_DPI, c, err);
    if (st == GY_OK)
        st = gy_chart_labels(*c, title, xl, yl, err);
    if (st == GY_OK) {
        gy_chart_limits(*c, 0.0, 1.0, 0.0, 1.0);
        gy_chart_legend(*c, GY_LEGEND_OUTSIDE);
    }
    return st;
}

static gy_status finish(gy_chart *c, gy_status st, const char *path, gy_error *err)
{
    if (st == GY_OK)
        st = gy_chart_save(c, path, err);
    gy_chart_free(c);
    return st;
}

gy_status gy_plot_pr_curve(const char *path, const gy_metrics_result *mr, const char *const *names,
                           gy_error *err)
{
    if (!mr || !mr->pr_curve || mr->nclasses < 1)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: no curves to plot", path);
    double px[NPX], mean[NPX];
    linspace(px);
    memset(mean, 0, sizeof mean);
    gy_chart *c = NULL;
    gy_status st = start(&c, "Precision-Recall Curve", "Recall", "Precision", err);
    const int legend = mr->nclasses < CURVE_LEGEND_MAX;
    int drawn = 0;
    for (int k = 0; st == GY_OK && k < mr->nclasses; k++) {
        const gy_metrics_class *row = &mr->classes[k];
        if (row->predictions == 0) /* ap_per_class `continue`s before py.append */
            continue;
        const double *py = mr->pr_curve + (size_t)k * NPX;
        for (int j = 0; j < NPX; j++)
            mean[j] += py[j];
        char label[320], nb[32];
        if (legend)
            snprintf(label, sizeof label, "%s %.3f", class_name(names, row->id, nb, sizeof nb),
                     row->ap50);
        st = gy_chart_line(c, px, py, NPX, legend ? gy_color_cycle(drawn) : grey, 1.0,
                           legend ? label : NULL, err);
        drawn++;
    }
    if (st == GY_OK && drawn > 0) {
        for (int j = 0; j < NPX; j++) /* py.mean(1) */
            mean[j] /= drawn;
        char label[64];
        snprintf(label, sizeof label, "all classes %.3f mAP@0.5", mr->map50);
        st = gy_chart_line(c, px, mean, NPX, blue, 3.0, label, err);
    }
    return finish(c, st, path, err);
}

gy_status gy_plot_mc_curve(const char *path, const gy_metrics_result *mr, const char *const *names,
                           gy_curve_kind kind, gy_error *err)
{
    if (!mr || !mr->p_curve || mr->nclasses < 1)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: no curves to plot", path);
    static const char *const ylabels[3] = {"F1", "Precision", "Recall"};
    const char *yl = ylabels[kind == GY_CURVE_P ? 1 : kind == GY_CURVE_R ? 2 : 0];
    char title[64];
    snprintf(title, sizeof title, "%s-Confidence Curve", yl);
    double px[NPX], mean[NPX], y[NPX], sm[NPX];
    linspace(px);
    memset(mean, 0, sizeof mean);
    gy_chart *c = NULL;
    gy_status st = start(&c, title, "Confidence", yl, err);
    const int legend = mr->nclasses < CURVE_LEGEND_MAX;
    for (int k = 0; st == GY_OK && k < mr->nclasses; k++) {
        const double *p = mr->p_curve + (size_t)k * NPX, *r = mr->r_curve + (size_t)k * NPX;
        for (int j = 0; j < NPX; j++) {
            y[j] = kind == GY_CURVE_P ? p[j] : kind == GY_CURVE_R ? r[j]
                                                                : 2 * p[j] * r[j] / (p[j] + r[j] + 1e-16);
            mean[j] += y[j];
        }
        char nb[32];
        st = gy_chart_line(c, px, y, NPX, legend ? gy_color_cycle(k) : grey, 1.0,
                           legend ? class_name(names, mr->classes[k].id, nb, sizeof nb) : NULL, err);
    }
    if (st == GY_OK) {
        for (int j = 0; j < NPX; j++) /* py.mean(0) */
            mean[j] /= mr->nclasses;
        gy_metrics_smooth(mean, NPX, 0.05, sm);
        int best = 0;
        for (int j = 1; j < NPX; j++)
            if (sm[j] > sm[best])
                best = j;
        char label[96];
        snprintf(label, sizeof label, "all classes %.2f at %.3f", sm[best], px[best]);
        st = gy_chart_line(c, px, sm, NPX, blue, 3.0, label, err);
    }
    return finish(c, st, path, err);
}

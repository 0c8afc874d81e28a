/* plot_chart.h - a line and scatter chart in matplotlib's default look (white axes with four
 * spines, outward ticks at "nice" steps, DejaVu Sans 10 pt labels, 12 pt title, a framed legend),
 * laid out as tight_layout lays it out, written as PNG. Series are drawn in the order added. */
#ifndef GY_POSTPROCESS_PLOT_CHART_H
#define GY_POSTPROCESS_PLOT_CHART_H

#include "ghostyolo.h"
#include "postprocess/plot_canvas.h"

typedef struct gy_chart gy_chart;

typedef enum gy_legend_place {
    GY_LEGEND_NONE = 0,
    GY_LEGEND_INSIDE,  /* the corner of the axes that hides the fewest points (matplotlib 'best') */
    GY_LEGEND_OUTSIDE  /* right of the axes, top-aligned: bbox_to_anchor=(1.04, 1), upper left */
} gy_legend_place;

/* A figure of width x height inches at dpi (matplotlib: figsize, savefig dpi). */
gy_status gy_chart_create(double width_in, double height_in, double dpi, gy_chart **out,
                          gy_error *err);
void gy_chart_free(gy_chart *c);

/* Title and axis labels (NULL: none); copied. */
gy_status gy_chart_labels(gy_chart *c, const char *title, const char *xlabel, const char *ylabel,
                          gy_error *err);
/* Axis limits; a NaN bound comes from the data with matplotlib's 5 % margins. Default: all NaN. */
void gy_chart_limits(gy_chart *c, double x0, double x1, double y0, double y1);
void gy_chart_legend(gy_chart *c, gy_legend_place place);
/* Logarithmic x and / or y axes (matplotlib's xscale / yscale 'log'): the 5 % margins taken in
 * log space, ticks at 1, 2 and 5 times the powers of ten (only the powers when those are too
 * many) labelled as plain numbers; points and line vertices at values <= 0 are left out, as NaN. */
void gy_chart_log_axes(gy_chart *c, int logx, int logy);

#define GY_CHART_MAX_POINTS 1000000 /* points of one series */

/* A polyline through n points (copied), width in points; legend: its legend entry or NULL. */
gy_status gy_chart_line(gy_chart *c, const double *x, const double *y, int n, gy_rgb color,
                        double width_pt, const char *legend, gy_error *err);
/* n round markers of diameter_pt; labels: NULL or n texts (NULL entries allowed) written beside
 * the points; legend: its legend entry or NULL. */
gy_status gy_chart_points(gy_chart *c, const double *x, const double *y, int n, gy_rgb color,
                          double diameter_pt, const char *const *labels, const char *legend,
                          gy_error *err);

/* A box in figure pixels: (x0, y0) its top left corner, (x1, y1) its bottom right. */
typedef struct gy_box4 {
    double x0, y0, x1, y1;
} gy_box4;

/* Where the w x h label of a marker at (px, py) goes: above right of it, off away on each axis;
 * else below right, above left, below left, right (centred vertically), left, above (centred
 * horizontally), below; then the same eight at 2 off and at 3 off. The first of these 24 that
 * lies on the fig_w x fig_h figure and overlaps none of the n obstacles (boxes that only touch
 * do not overlap); when none does, the first of the nearest four on the figure; else the first. */
gy_box4 gy_chart_label_box(double px, double py, double off, double w, double h, double fig_w,
                           double fig_h, const gy_box4 *obstacles, int n);

/* matplotlib's 'best' inside legend: of the four w x h boxes in the corners of the axes box,
 * margin in from both its sides (upper right, upper left, lower left, lower right: corners 0-3),
 * the one holding the fewest of the n points (px[i], py[i]), a point on a box's edge counting
 * as held; of equals, the first. Returns that box and, when corner is not NULL, its number. */
gy_box4 gy_chart_legend_corner(gy_box4 axes, double margin, double w, double h, const double *px,
                               const double *py, int n, int *corner);

/* Draws the chart into path (PNG, through a temporary name). */
gy_status gy_chart_save(gy_chart *c, const char *path, gy_error *err);

#endif

/* plot_chart.c - line and scatter charts drawn as matplotlib draws them by default (rcParams of
 * matplotlib 3.x): font 10 pt, title 12 pt with 6 pt pad, axis labels with 4 pt pad, ticks 3.5 pt
 * long and 0.8 pt wide pointing out with labels 3.5 pt away, spines 0.8 pt, the legend framed
 * (white at alpha 0.8, edge grey 0.8, borderpad 0.4, labelspacing 0.5, handlelength 2,
 * handletextpad 0.8 font sizes), the figure laid out as tight_layout (pad 1.08 font sizes).
 * Ticks (gy_plot_ticks): at most 9 bins and no more than the axis holds (3 label sizes apart along
 * x, 2 along y). */
#include "postprocess/plot_chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

#define FONT_PT 10.0
#define TITLE_PT 12.0
#define POINT_LABEL_PT 9.0

typedef struct series {
    int points; /* 0: a line; 1: markers */
    int n;
    double *x, *y;
    gy_rgb color;
    double width_pt; /* line width or marker diameter */
    char *legend;
    char **labels;   /* markers: n labels or NULL */
} series;

struct gy_chart {
    double width_in, height_in, dpi;
    char *title, *xlabel, *ylabel;
    double lim[4];
    int log[2];       /* logarithmic x, y */
    gy_legend_place legend;
    series *s;
    int ns, caps;
};

gy_status gy_chart_create(double width_in, double height_in, double dpi, gy_chart **out,
                          gy_error *err)
{
    *out = NULL;
    if (!(width_in > 0 && height_in > 0 && dpi > 0))
        return gy_fail(err, GY_ERR_ARGUMENT, "chart: bad size %g x %g in at %g dpi", width_in,
                       height_in, dpi);
    gy_chart *c = calloc(1, sizeof *c);
    if (!c)
        return gy_fail(err, GY_ERR_NOMEM, "chart: out of memory");
    c->width_in = width_in;
    c->height_in = height_in;
    c->dpi = dpi;
    for (int i = 0; i < 4; i++)
        c->lim[i] = NAN;
    *out = c;
    return GY_OK;
}

static void series_free(series *s)
{
    free(s->x);
    free(s->y);
    free(s->legend);
    if (s->labels)
        for (int i = 0; i < s->n; i++)
            free(s->labels[i]);
    free(s->labels);
}

void gy_chart_free(gy_chart *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->ns; i++)
        series_free(&c->s[i]);
    free(c->s);
    free(c->title);
    free(c->xlabel);
    free(c->ylabel);
    free(c);
}

static int dup_opt(const char *s, char **out)
{
    *out = NULL;
    return !s || (*out = gy_strdup(s)) != NULL;
}

gy_status gy_chart_labels(gy_chart *c, const char *title, const char *xlabel, const char *ylabel,
                          gy_error *err)
{
    free(c->title);
    free(c->xlabel);
    free(c->ylabel);
    if (!dup_opt(title, &c->title) || !dup_opt(xlabel, &c->xlabel) || !dup_opt(ylabel, &c->ylabel))
        return gy_fail(err, GY_ERR_NOMEM, "chart: out of memory");
    return GY_OK;
}

void gy_chart_limits(gy_chart *c, double x0, double x1, double y0, double y1)
{
    c->lim[0] = x0;
    c->lim[1] = x1;
    c->lim[2] = y0;
    c->lim[3] = y1;
}

void gy_chart_legend(gy_chart *c, gy_legend_place place)
{
    c->legend = place;
}

void gy_chart_log_axes(gy_chart *c, int logx, int logy)
{
    c->log[0] = logx != 0;
    c->log[1] = logy != 0;
}

static gy_status add_series(gy_chart *c, int points, const double *x, const double *y, int n,
                            gy_rgb color, double width_pt, const char *const *labels,
                            const char *legend, gy_error *err)
{
    if (n < 0 || n > GY_CHART_MAX_POINTS || (n > 0 && (!x || !y)) || !(width_pt >= 0))
        return gy_fail(err, GY_ERR_ARGUMENT, "chart: bad series (%d points)", n);
    if (c->ns == c->caps) {
        int cap = c->caps ? c->caps * 2 : 16;
        series *p = realloc(c->s, sizeof *p * (size_t)cap);
        if (!p)
            return gy_fail(err, GY_ERR_NOMEM, "chart: out of memory");
        c->s = p;
        c->caps = cap;
    }
    series *s = &c->s[c->ns];
    memset(s, 0, sizeof *s);
    s->points = points;
    s->n = n;
    s->color = color;
    s->width_pt = width_pt;
    const size_t bytes = sizeof(double) * (size_t)(n > 0 ? n : 1);
    int ok = (s->x = malloc(bytes)) && (s->y = malloc(bytes)) && dup_opt(legend, &s->legend);
    if (ok && labels) {
        ok = (s->labels = calloc((size_t)(n > 0 ? n : 1), sizeof *s->labels)) != NULL;
        for (int i = 0; ok && i < n; i++)
            ok = dup_opt(labels[i], &s->labels[i]);
    }
    if (!ok) {
        series_free(s);
        return gy_fail(err, GY_ERR_NOMEM, "chart: out of memory for %d points", n);
    }
    if (n > 0) {
        memcpy(s->x, x, sizeof(double) * (size_t)n);
        memcpy(s->y, y, sizeof(double) * (size_t)n);
    }
    c->ns++;
    return GY_OK;
}

gy_status gy_chart_line(gy_chart *c, const double *x, const double *y, int n, gy_rgb color,
                        double width_pt, const char *legend, gy_error *err)
{
    return add_series(c, 0, x, y, n, color, width_pt, NULL, legend, err);
}

gy_status gy_chart_points(gy_chart *c, const double *x, const double *y, int n, gy_rgb color,
                          double diameter_pt, const char *const *labels, const char *legend,
                          gy_error *err)
{
    return add_series(c, 1, x, y, n, color, diameter_pt, labels, legend, err);
}

/* ------------------------------------------------------------------------------------------------ */
/* Layout                                                                                           */

/* A data value in axis space: log10 on a log axis (NaN at values <= 0, left out as NaN is). */
static double to_axis(int log_axis, double v)
{
    return !log_axis ? v : v > 0 ? log10(v) : NAN;
}

/* The range of one axis (0: x, 1: y) in axis space, with 5 % margins where the limit is not set. */
static void axis_limits(const gy_chart *c, int axis, double *lo, double *hi)
{
    double mn = INFINITY, mx = -INFINITY;
    for (int i = 0; i < c->ns; i++)
        for (int k = 0; k < c->s[i].n; k++) {
            const double v = to_axis(c->log[axis], axis ? c->s[i].y[k] : c->s[i].x[k]);
            if (isfinite(v)) {
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
            }
        }
    if (!(mn <= mx)) {
        mn = 0.0;
        mx = 1.0;
    } else if (mn == mx) {
        const double d = mn != 0.0 ? fabs(mn) * 0.05 : 0.05;
        mn -= d;
        mx += d;
    } else {
        const double d = (mx - mn) * 0.05;
        mn -= d;
        mx += d;
    }
    const double l0 = to_axis(c->log[axis], c->lim[2 * axis]);
    const double l1 = to_axis(c->log[axis], c->lim[2 * axis + 1]);
    *lo = isnan(l0) ? mn : l0;
    *hi = isnan(l1) ? mx : l1;
    if (!(*hi > *lo))
        *hi = *lo + 1.0;
}

/* Ticks of a log axis spanning [lo, hi] in log10 units: 1, 2, 5 x 10^k (values in data units),
 * only the powers of ten when that would make more than nbins + 1 ticks. */
static void log_ticks(double lo, double hi, int nbins, gy_ticks *t)
{
    static const double mult[3] = {1.0, 2.0, 5.0};
    t->n = 0;
    for (int pass = 0; pass < 2; pass++) {
        t->n = 0;
        for (int e = (int)floor(lo) - 1; e <= (int)ceil(hi) && t->n < GY_PLOT_MAX_TICKS; e++)
            for (int m = 0; m < (pass ? 1 : 3) && t->n < GY_PLOT_MAX_TICKS; m++) {
                const double v = mult[m] * pow(10.0, e), a = log10(v);
                if (a < lo - 1e-9 || a > hi + 1e-9)
                    continue;
                t->v[t->n] = v;
                snprintf(t->text[t->n], sizeof t->text[t->n], "%g", v);
                t->n++;
            }
        if (t->n <= nbins + 1)
            return;
    }
}

static gy_text_style style(double pt, int h, int v, double angle)
{
    gy_text_style s = {pt, {0, 0, 0}, 0, h, v, angle};
    return s;
}

typedef struct legend_box {
    int n;         /* entries */
    double w, h;   /* pixels */
    double row, pad, handle, gap, spacing;
} legend_box;

static void measure_legend(const gy_chart *c, gy_canvas *cv, legend_box *lb)
{
    const double pt = cv->px_per_pt;
    memset(lb, 0, sizeof *lb);
    gy_text_style ts = style(FONT_PT, 0, 1, 0);
    double maxw = 0.0, th = 0.0;
    for (int i = 0; i < c->ns; i++) {
        if (!c->s[i].legend)
            continue;
        double w, h;
        gy_canvas_text_size(cv, c->s[i].legend, &ts, &w, &h);
        maxw = w > maxw ? w : maxw;
        th = h;
        lb->n++;
    }
    if (lb->n == 0)
        return;
    lb->pad = 0.4 * FONT_PT * pt;
    lb->handle = 2.0 * FONT_PT * pt;
    lb->gap = 0.8 * FONT_PT * pt;
    lb->spacing = 0.5 * FONT_PT * pt;
    lb->row = th > 0.7 * FONT_PT * pt ? th : 0.7 * FONT_PT * pt;
    lb->w = 2 * lb->pad + lb->handle + lb->gap + maxw;
    lb->h = 2 * lb->pad + lb->n * lb->row + (lb->n - 1) * lb->spacing;
}

typedef struct frame {
    double x0, y0, x1, y1; /* axes in pixels: left, top, right, bottom */
    double lo[2], hi[2];   /* limits x, y in axis space (log10 on a log axis) */
    int log[2];
} frame;

static double fx(const frame *f, double x)
{
    return f->x0 + (to_axis(f->log[0], x) - f->lo[0]) / (f->hi[0] - f->lo[0]) * (f->x1 - f->x0);
}

static double fy(const frame *f, double y)
{
    return f->y1 - (to_axis(f->log[1], y) - f->lo[1]) / (f->hi[1] - f->lo[1]) * (f->y1 - f->y0);
}

/* A point the axes can place (finite, and > 0 on a log axis). */
static int placeable(const frame *f, double x, double y)
{
    return isfinite(to_axis(f->log[0], x)) && isfinite(to_axis(f->log[1], y));
}

static void draw_series(gy_canvas *cv, const frame *f, const series *s)
{
    cairo_t *cr = cv->cr;
    const double pt = cv->px_per_pt;
    cairo_save(cr);
    cairo_rectangle(cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
    cairo_clip(cr);
    gy_canvas_set_color(cv, s->color, 1.0);
    if (!s->points) {
        cairo_set_line_width(cr, s->width_pt * pt);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
        int pen = 0;
        for (int k = 0; k < s->n; k++) {
            if (!placeable(f, s->x[k], s->y[k])) { /* a gap, as matplotlib leaves NaN */
                if (pen)
                    cairo_stroke(cr);
                pen = 0;
                continue;
            }
            if (pen)
                cairo_line_to(cr, fx(f, s->x[k]), fy(f, s->y[k]));
            else
                cairo_move_to(cr, fx(f, s->x[k]), fy(f, s->y[k]));
            pen = 1;
        }
        if (pen)
            cairo_stroke(cr);
    } else {
        for (int k = 0; k < s->n; k++) {
            if (!placeable(f, s->x[k], s->y[k]))
                continue;
            cairo_new_sub_path(cr);
            cairo_arc(cr, fx(f, s->x[k]), fy(f, s->y[k]), s->width_pt * pt / 2, 0, 2 * 3.14159265358979);
        }
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

static int overlaps(const gy_box4 *a, const gy_box4 *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

static int on_figure(const gy_box4 *b, double fig_w, double fig_h)
{
    return b->x0 >= 0 && b->y0 >= 0 && b->x1 <= fig_w && b->y1 <= fig_h;
}

#define LABEL_SPOTS 24

gy_box4 gy_chart_label_box(double px, double py, double off, double w, double h, double fig_w,
                           double fig_h, const gy_box4 *obstacles, int n)
{
    gy_box4 cand[LABEL_SPOTS];
    for (int d = 0; d < 3; d++) {
        const double o = off * (1 + d);
        gy_box4 *c = cand + 8 * d;
        c[0] = (gy_box4){px + o, py - o - h, px + o + w, py - o};
        c[1] = (gy_box4){px + o, py + o, px + o + w, py + o + h};
        c[2] = (gy_box4){px - o - w, py - o - h, px - o, py - o};
        c[3] = (gy_box4){px - o - w, py + o, px - o, py + o + h};
        c[4] = (gy_box4){px + o, py - h / 2, px + o + w, py + h / 2};
        c[5] = (gy_box4){px - o - w, py - h / 2, px - o, py + h / 2};
        c[6] = (gy_box4){px - w / 2, py - o - h, px + w / 2, py - o};
        c[7] = (gy_box4){px - w / 2, py + o, px + w / 2, py + o + h};
    }
    for (int q = 0; q < LABEL_SPOTS; q++) {
        if (!on_figure(&cand[q], fig_w, fig_h))
            continue;
        int clear = 1;
        for (int j = 0; j < n && clear; j++)
            clear = !overlaps(&cand[q], &obstacles[j]);
        if (clear)
            return cand[q];
    }
    for (int q = 0; q < 4; q++) /* crowded: the first of the nearest four on the figure */
        if (on_figure(&cand[q], fig_w, fig_h))
            return cand[q];
    return cand[0];
}

/* 0 when the obstacle list cannot be allocated (nothing drawn). */
static int draw_point_labels(gy_canvas *cv, const frame *f, const gy_chart *c)
{
    const double pt = cv->px_per_pt;
    gy_text_style ls = style(POINT_LABEL_PT, 0, 0, 0);
    int total = 0;
    for (int i = 0; i < c->ns; i++)
        total += c->s[i].points ? c->s[i].n : 0;
    /* obstacles: every marker first, then the labels as they are placed */
    if (!total)
        return 1;
    gy_box4 *placed = malloc(sizeof *placed * (size_t)total * 2);
    if (!placed)
        return 0;
    int np = 0;
    for (int i = 0; i < c->ns; i++) {
        const series *s = &c->s[i];
        for (int k = 0; s->points && k < s->n; k++) {
            if (!placeable(f, s->x[k], s->y[k]))
                continue;
            const double px = fx(f, s->x[k]), py = fy(f, s->y[k]), r = s->width_pt * pt / 2;
            placed[np++] = (gy_box4){px - r, py - r, px + r, py + r};
        }
    }
    for (int i = 0; i < c->ns; i++) {
        const series *s = &c->s[i];
        if (!s->points || !s->labels)
            continue;
        for (int k = 0; k < s->n; k++) {
            if (!s->labels[k] || !placeable(f, s->x[k], s->y[k]))
                continue;
            double w, h;
            gy_canvas_text_size(cv, s->labels[k], &ls, &w, &h);
            const double px = fx(f, s->x[k]), py = fy(f, s->y[k]), off = (s->width_pt / 2 + 2) * pt;
            const gy_box4 b = gy_chart_label_box(px, py, off, w, h, cv->width, cv->height, placed, np);
            placed[np++] = b;
            gy_canvas_text(cv, b.x0, b.y0, s->labels[k], &ls);
        }
    }
    free(placed);
    return 1;
}

gy_box4 gy_chart_legend_corner(gy_box4 axes, double margin, double w, double h, const double *px,
                               const double *py, int n, int *corner)
{
    const double cx[4] = {axes.x1 - margin - w, axes.x0 + margin, axes.x0 + margin,
                          axes.x1 - margin - w};
    const double cy[4] = {axes.y0 + margin, axes.y0 + margin, axes.y1 - margin - h,
                          axes.y1 - margin - h};
    long best = -1;
    int bk = 0;
    for (int k = 0; k < 4; k++) {
        long hits = 0;
        for (int i = 0; i < n; i++)
            hits += px[i] >= cx[k] && px[i] <= cx[k] + w && py[i] >= cy[k] && py[i] <= cy[k] + h;
        if (best < 0 || hits < best) {
            best = hits;
            bk = k;
        }
    }
    if (corner)
        *corner = bk;
    return (gy_box4){cx[bk], cy[bk], cx[bk] + w, cy[bk] + h};
}

/* The inside legend's top left corner (gy_chart_legend_corner over the placeable points);
 * 0 when out of memory. */
static int inside_corner(const gy_chart *c, const frame *f, const legend_box *lb, double margin,
                         double *lx, double *ly)
{
    size_t total = 0;
    int n = 0;
    for (int i = 0; i < c->ns; i++)
        total += (size_t)c->s[i].n;
    double *px = malloc(sizeof *px * (total ? 2 * total : 1));
    if (!px)
        return 0;
    double *py = px + total;
    for (int i = 0; i < c->ns; i++)
        for (int j = 0; j < c->s[i].n; j++)
            if (placeable(f, c->s[i].x[j], c->s[i].y[j])) {
                px[n] = fx(f, c->s[i].x[j]);
                py[n++] = fy(f, c->s[i].y[j]);
            }
    const gy_box4 b = gy_chart_legend_corner((gy_box4){f->x0, f->y0, f->x1, f->y1}, margin, lb->w,
                                             lb->h, px, py, n, NULL);
    free(px);
    *lx = b.x0;
    *ly = b.y0;
    return 1;
}

static void rounded_rect(cairo_t *cr, double x, double y, double w, double h, double r)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -1.5707963267948966, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, 1.5707963267948966);
    cairo_arc(cr, x + r, y + h - r, r, 1.5707963267948966, 3.141592653589793);
    cairo_arc(cr, x + r, y + r, r, 3.141592653589793, 4.71238898038469);
    cairo_close_path(cr);
}

static void draw_legend(const gy_chart *c, gy_canvas *cv, const legend_box *lb, double x, double y)
{
    cairo_t *cr = cv->cr;
    const double pt = cv->px_per_pt;
    rounded_rect(cr, x, y, lb->w, lb->h, 0.2 * FONT_PT * pt);
    gy_canvas_set_color(cv, gy_rgb_grey(1.0), 0.8);
    cairo_fill_preserve(cr);
    gy_canvas_set_color(cv, gy_rgb_grey(0.8), 1.0);
    cairo_set_line_width(cr, 1.0 * pt);
    cairo_stroke(cr);
    gy_text_style ts = style(FONT_PT, 0, 1, 0);
    double ry = y + lb->pad;
    for (int i = 0; i < c->ns; i++) {
        const series *s = &c->s[i];
        if (!s->legend)
            continue;
        const double cyy = ry + lb->row / 2, hx = x + lb->pad;
        gy_canvas_set_color(cv, s->color, 1.0);
        if (s->points) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, hx + lb->handle / 2, cyy, s->width_pt * pt / 2, 0, 6.283185307179586);
            cairo_fill(cr);
        } else {
            cairo_set_line_width(cr, s->width_pt * pt);
            cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
            cairo_move_to(cr, hx, cyy);
            cairo_line_to(cr, hx + lb->handle, cyy);
            cairo_stroke(cr);
        }
        gy_canvas_text(cv, hx + lb->handle + lb->gap, cyy, s->legend, &ts);
        ry += lb->row + lb->spacing;
    }
}

gy_status gy_chart_save(gy_chart *c, const char *path, gy_error *err)
{
    gy_canvas cv;
    gy_status st = gy_canvas_create(c->width_in, c->height_in, c->dpi, &cv, err);
    if (st != GY_OK)
        return st;
    const double pt = cv.px_per_pt;
    frame f;
    f.log[0] = c->log[0];
    f.log[1] = c->log[1];
    axis_limits(c, 0, &f.lo[0], &f.hi[0]);
    axis_limits(c, 1, &f.lo[1], &f.hi[1]);
    legend_box lb;
    measure_legend(c, &cv, &lb);
    if (c->legend == GY_LEGEND_NONE)
        lb.n = 0;

    const double pad = 1.08 * FONT_PT * pt, tick_len = 3.5 * pt, tick_pad = 3.5 * pt;
    const double label_pad = 4.0 * pt, title_pad = 6.0 * pt;
    gy_text_style tick_style = style(FONT_PT, 1, 0, 0), ylab = style(FONT_PT, 2, 1, 0);
    double w, h, th = 0.0, xl_h = 0.0, yl_h = 0.0;
    if (c->title)
        gy_canvas_text_size(&cv, c->title, &(gy_text_style){TITLE_PT, {0, 0, 0}, 0, 1, 3, 0}, &w, &th);
    if (c->xlabel)
        gy_canvas_text_size(&cv, c->xlabel, &tick_style, &w, &xl_h);
    if (c->ylabel)
        gy_canvas_text_size(&cv, c->ylabel, &tick_style, &w, &yl_h);
    gy_canvas_text_size(&cv, "0", &tick_style, &w, &h);
    const double tick_h = h;

    /* a first estimate of the axes to count the ticks the axes hold, then the real layout */
    gy_ticks tx, ty;
    double left = pad, right = pad, top = pad + (c->title ? th + title_pad : 0.0);
    const double bottom = pad + (c->xlabel ? xl_h + label_pad : 0.0) + tick_h + tick_pad + tick_len;
    for (int pass = 0; pass < 2; pass++) {
        const double aw_pt = (cv.width - left - right - (lb.n && c->legend == GY_LEGEND_OUTSIDE ? lb.w : 0)) / pt;
        const double ah_pt = (cv.height - top - bottom) / pt;
        const int nx = (int)floor(aw_pt / (FONT_PT * 3)), ny = (int)floor(ah_pt / (FONT_PT * 2));
        (f.log[0] ? log_ticks : gy_plot_ticks)(f.lo[0], f.hi[0], nx < 9 ? nx : 9, &tx);
        (f.log[1] ? log_ticks : gy_plot_ticks)(f.lo[1], f.hi[1], ny < 9 ? ny : 9, &ty);
        double ytw = 0.0;
        for (int i = 0; i < ty.n; i++) {
            gy_canvas_text_size(&cv, ty.text[i], &tick_style, &w, &h);
            ytw = w > ytw ? w : ytw;
        }
        left = pad + (c->ylabel ? yl_h + label_pad : 0.0) + ytw + tick_pad + tick_len;
        right = pad;
        if (tx.n > 0 && !(lb.n && c->legend == GY_LEGEND_OUTSIDE)) { /* the last x label's half */
            gy_canvas_text_size(&cv, tx.text[tx.n - 1], &tick_style, &w, &h);
            if (w / 2 > right - pad / 2)
                right = pad + w / 2 - pad / 2 > pad ? pad + w / 2 - pad / 2 : pad;
        }
    }
    f.x0 = left;
    f.y0 = top;
    f.y1 = cv.height - bottom;
    if (lb.n && c->legend == GY_LEGEND_OUTSIDE) /* axes + 4 % + pad 0.5 + legend + pad */
        f.x1 = left + (cv.width - left - right - lb.w - 0.5 * FONT_PT * pt) / 1.04;
    else
        f.x1 = cv.width - right;
    /* snapped to whole pixels, as matplotlib snaps its spines and ticks: crisp lines */
    f.x0 = round(f.x0);
    f.x1 = round(f.x1);
    f.y0 = round(f.y0);
    f.y1 = round(f.y1);
    if (!(f.x1 - f.x0 > 4 && f.y1 - f.y0 > 4)) {
        gy_canvas_free(&cv);
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: the figure is too small for its labels", path);
    }

    for (int i = 0; i < c->ns; i++)
        draw_series(&cv, &f, &c->s[i]);
    if (!draw_point_labels(&cv, &f, c)) { /* not clipped: a label may reach past the axes */
        gy_canvas_free(&cv);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory for the point labels", path);
    }

    cairo_t *cr = cv.cr;
    gy_canvas_set_color(&cv, gy_rgb_grey(0.0), 1.0);
    const double lw = fmax(1.0, round(0.8 * pt)), off = fmod(lw, 2.0) == 1.0 ? 0.5 : 0.0;
    cairo_set_line_width(cr, lw);
    cairo_rectangle(cr, f.x0 + off, f.y0 + off, f.x1 - f.x0, f.y1 - f.y0);
    cairo_stroke(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    for (int i = 0; i < tx.n; i++) {
        const double x = round(fx(&f, tx.v[i]));
        if (x < f.x0 - 0.5 || x > f.x1 + 0.5)
            continue;
        cairo_move_to(cr, x + off, f.y1);
        cairo_line_to(cr, x + off, f.y1 + tick_len);
        cairo_stroke(cr);
        gy_canvas_text(&cv, x + off, f.y1 + tick_len + tick_pad, tx.text[i], &tick_style);
    }
    for (int i = 0; i < ty.n; i++) {
        const double y = round(fy(&f, ty.v[i]));
        if (y < f.y0 - 0.5 || y > f.y1 + 0.5)
            continue;
        cairo_move_to(cr, f.x0, y + off);
        cairo_line_to(cr, f.x0 - tick_len, y + off);
        cairo_stroke(cr);
        gy_canvas_text(&cv, f.x0 - tick_len - tick_pad, y + off, ty.text[i], &ylab);
    }
    if (c->xlabel)
        gy_canvas_text(&cv, (f.x0 + f.x1) / 2, cv.height - pad - xl_h, c->xlabel,
                       &(gy_text_style){FONT_PT, {0, 0, 0}, 0, 1, 0, 0});
    if (c->ylabel)
        gy_canvas_text(&cv, pad, (f.y0 + f.y1) / 2, c->ylabel,
                       &(gy_text_style){FONT_PT, {0, 0, 0}, 0, 1, 0, 90});
    if (c->title)
        gy_canvas_text(&cv, (f.x0 + f.x1) / 2, f.y0 - title_pad, c->title,
                       &(gy_text_style){TITLE_PT, {0, 0, 0}, 0, 1, 3, 0});
    if (lb.n) {
        double lx = 0.0, ly = 0.0;
        if (c->legend == GY_LEGEND_OUTSIDE) {
            lx = f.x0 + 1.04 * (f.x1 - f.x0) + 0.5 * FONT_PT * pt;
            ly = f.y0 + 0.5 * FONT_PT * pt;
        } else if (!inside_corner(c, &f, &lb, 0.5 * FONT_PT * pt, &lx, &ly)) {
            gy_canvas_free(&cv);
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory placing the legend", path);
        }
        draw_legend(c, &cv, &lb, lx, ly);
    }
    st = gy_canvas_save_png(&cv, path, err);
    gy_canvas_free(&cv);
    return st;
}

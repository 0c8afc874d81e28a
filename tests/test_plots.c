/* test_plots.c - the Cairo plots (postprocess/plot_*.c), read back as images: the chart's axes,
 * line placement and width, legend placement; the confusion matrix's cells (colour of each value,
 * the blank below 0.005 at and past the limit, values written when nc < 30, names as tick labels
 * when 0 < names < 99); ultralytics' curve rules (per-class colours below 21 classes, grey from
 * 21, the PR mean over the classes with predictions only). */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "postprocess/metrics.h"
#include "postprocess/plot_chart.h"
#include "postprocess/plot_curves.h"
#include "postprocess/plot_matrix.h"

static char dir[64];

static const char *out(const char *name)
{
    static char slots[4][256];
    static int next;
    char *s = slots[next++ % 4];
    snprintf(s, 256, "%s/%s", dir, name);
    return s;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gy_test_plots_%d", (int)getpid());
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
    gy_canvas_release_fonts(); /* Cairo's and fontconfig's caches: no leak at the test's exit */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static gy_image *load(const char *path)
{
    gy_image *img;
    gy_error err;
    ck_assert_msg(gy_image_load(path, &img, &err) == GY_OK, "%s", err.message);
    return img;
}

/* (a plain check: ck_assert in these pixel loops would report each call to Check's parent) */
static const unsigned char *px(const gy_image *im, int x, int y)
{
    if (x < 0 || y < 0 || x >= im->width || y >= im->height)
        ck_abort_msg("pixel (%d, %d) outside %dx%d", x, y, im->width, im->height);
    return im->data + ((size_t)y * (size_t)im->width + (size_t)x) * 3;
}

static int is_rgb(const gy_image *im, int x, int y, int r, int g, int b, int tol)
{
    const unsigned char *p = px(im, x, y);
    return abs(p[0] - r) <= tol && abs(p[1] - g) <= tol && abs(p[2] - b) <= tol;
}

static int is_color(const gy_image *im, int x, int y, gy_rgb c)
{
    return is_rgb(im, x, y, (int)lround(c.r * 255), (int)lround(c.g * 255), (int)lround(c.b * 255), 1);
}

/* The axes box: the black spines met going out from (cx, cy). */
typedef struct axes {
    int left, right, top, bottom;
} axes;

static axes find_axes(const gy_image *im, int cx, int cy)
{
    axes a = {-1, -1, -1, -1};
    for (int x = cx; x >= 0 && a.left < 0; x--)
        if (is_rgb(im, x, cy, 0, 0, 0, 0))
            a.left = x;
    for (int x = cx; x < im->width && a.right < 0; x++)
        if (is_rgb(im, x, cy, 0, 0, 0, 0))
            a.right = x;
    for (int y = cy; y >= 0 && a.top < 0; y--)
        if (is_rgb(im, cx, y, 0, 0, 0, 0))
            a.top = y;
    for (int y = cy; y < im->height && a.bottom < 0; y++)
        if (is_rgb(im, cx, y, 0, 0, 0, 0))
            a.bottom = y;
    ck_assert_msg(a.left >= 0 && a.right >= 0 && a.top >= 0 && a.bottom >= 0, "no axes box found");
    return a;
}

/* Rows of column x holding colour c (tolerance 1): first and last. */
static int rows_of(const gy_image *im, int x, int top, int bottom, int r, int g, int b, int *first,
                   int *last)
{
    *first = *last = -1;
    for (int y = top; y <= bottom; y++)
        if (is_rgb(im, x, y, r, g, b, 1)) {
            if (*first < 0)
                *first = y;
            *last = y;
        }
    return *first >= 0;
}

START_TEST(chart_line_and_legend)
{
    gy_chart *c;
    gy_error err;
    const double x[2] = {0.0, 1.0}, y[2] = {0.5, 0.5};
    int right_alone = 0;
    for (int legend = 0; legend < 2; legend++) {
        ck_assert_int_eq(gy_chart_create(9, 6, 100, &c, &err), GY_OK);
        ck_assert_int_eq(gy_chart_labels(c, "Title", "x", "y", &err), GY_OK);
        gy_chart_limits(c, 0, 1, 0, 1);
        gy_chart_legend(c, legend ? GY_LEGEND_OUTSIDE : GY_LEGEND_NONE);
        ck_assert_int_eq(gy_chart_line(c, x, y, 2, (gy_rgb){1, 0, 0}, 3.0, "a red line", &err), GY_OK);
        ck_assert_int_eq(gy_chart_save(c, out("chart.png"), &err), GY_OK);
        gy_chart_free(c);
        gy_image *im = load(out("chart.png"));
        ck_assert_int_eq(im->width, 900); /* figsize x dpi */
        ck_assert_int_eq(im->height, 600);
        ck_assert(is_rgb(im, 0, 0, 255, 255, 255, 0));
        const axes a = find_axes(im, im->width / 3, im->height / 3);
        /* the line: at half the axes height, 3 pt (= 4.17 px at 100 dpi) wide */
        int first, last;
        ck_assert(rows_of(im, (a.left + a.right) / 2, a.top, a.bottom, 255, 0, 0, &first, &last));
        const double mid = (a.top + a.bottom) / 2.0, centre = (first + last) / 2.0;
        ck_assert_msg(fabs(centre - mid) <= 1.0, "line at %g, axes middle %g", centre, mid);
        ck_assert_msg(last - first + 1 >= 3 && last - first + 1 <= 5, "line %d px wide", last - first + 1);
        /* the legend: right of the axes, which shrink to make room for it */
        int ink = 0;
        for (int yy = a.top; yy < a.top + 60; yy++)
            for (int xx = a.right + 5; xx < im->width; xx++)
                ink += !is_rgb(im, xx, yy, 255, 255, 255, 10);
        if (legend) {
            ck_assert_msg(ink > 100, "no legend right of the axes");
            ck_assert_msg(a.right < right_alone - 100, "axes reach %d, %d without legend", a.right,
                          right_alone);
        } else {
            ck_assert_int_eq(ink, 0);
            ck_assert_msg(a.right > im->width * 9 / 10, "axes end at %d of %d", a.right, im->width);
            right_alone = a.right;
        }
        gy_image_free(im);
    }
}
END_TEST

START_TEST(chart_points_and_errors)
{
    gy_chart *c;
    gy_error err;
    const double x[3] = {1.0, 2.0, 3.0}, y[3] = {10.0, 30.0, 20.0};
    const char *labels[3] = {"one", NULL, "three"};
    ck_assert_int_eq(gy_chart_create(6, 4, 100, &c, &err), GY_OK);
    ck_assert_int_eq(gy_chart_points(c, x, y, 3, (gy_rgb){0, 0.5, 0}, 8.0, labels, "pts", &err), GY_OK);
    gy_chart_legend(c, GY_LEGEND_INSIDE);
    ck_assert_int_eq(gy_chart_save(c, out("pts.png"), &err), GY_OK);
    /* a file that cannot be written: an error naming it */
    ck_assert_int_eq(gy_chart_save(c, "/nonexistent-dir/pts.png", &err), GY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent-dir/pts.png"));
    ck_assert_int_eq(gy_chart_points(c, x, NULL, 3, (gy_rgb){0, 0, 0}, 1, NULL, NULL, &err), GY_ERR_ARGUMENT);
    gy_chart_free(c);
    /* a series of GY_CHART_MAX_POINTS is taken, one more is refused */
    double *big = calloc(GY_CHART_MAX_POINTS + 1, sizeof *big);
    ck_assert_ptr_nonnull(big);
    ck_assert_int_eq(gy_chart_create(6, 4, 100, &c, &err), GY_OK);
    ck_assert_int_eq(gy_chart_line(c, big, big, GY_CHART_MAX_POINTS, (gy_rgb){0, 0, 0}, 1, NULL, &err), GY_OK);
    ck_assert_int_eq(gy_chart_line(c, big, big, GY_CHART_MAX_POINTS + 1, (gy_rgb){0, 0, 0}, 1, NULL, &err),
                     GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_chart_line(c, big, big, -1, (gy_rgb){0, 0, 0}, 1, NULL, &err), GY_ERR_ARGUMENT);
    gy_chart_free(c);
    free(big);
    gy_image *im = load(out("pts.png"));
    /* the data limits with 5 % margins: x 0.9 .. 3.1, the middle point x = 2 at 1.1 / 2.2 of the
     * axes, y 9 .. 31, the middle point at the top margin */
    int greens = 0;
    for (int i = 0; i < im->width * im->height; i++)
        greens += is_rgb(im, i % im->width, i / im->width, 0, 128, 0, 1);
    ck_assert_msg(greens > 3 * 30, "markers: %d green pixels", greens); /* 8 pt = 11 px wide */
    const axes a = find_axes(im, im->width / 2, im->height / 2);
    const int mx = (int)lround(a.left + (a.right - a.left) * (1.1 / 2.2));
    const int my = (int)lround(a.top + (a.bottom - a.top) * (1.0 / 22.0));
    ck_assert_msg(is_rgb(im, mx, my, 0, 128, 0, 1), "no marker at (%d, %d)", mx, my);
    gy_image_free(im);
    ck_assert_int_eq(gy_chart_create(0, 4, 100, &c, &err), GY_ERR_ARGUMENT);

    /* a point with a NaN coordinate is left out with its label; a line may be 0 wide */
    const double nx[2] = {0.2, 0.4}, ny[2] = {0.5, NAN};
    const char *nl[2] = {"a", "nan"};
    ck_assert_int_eq(gy_chart_create(6, 4, 100, &c, &err), GY_OK);
    ck_assert_int_eq(gy_chart_points(c, nx, ny, 2, (gy_rgb){0, 0, 0}, 4, nl, NULL, &err), GY_OK);
    ck_assert_int_eq(gy_chart_line(c, nx, nx, 2, (gy_rgb){0, 0, 0}, 0.0, NULL, &err), GY_OK);
    ck_assert_int_eq(gy_chart_line(c, nx, nx, 2, (gy_rgb){0, 0, 0}, -0.5, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(gy_chart_save(c, out("nan.png"), &err) == GY_OK, "%s", err.message);
    gy_chart_free(c);
    /* the smallest figure is 16 x 16 pixels (then too small for the labels), 15 is refused */
    ck_assert_int_eq(gy_chart_create(0.16, 0.16, 100, &c, &err), GY_OK);
    ck_assert_int_eq(gy_chart_save(c, out("tiny.png"), &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "too small for its labels"));
    gy_chart_free(c);
    ck_assert_int_eq(gy_chart_create(0.15, 0.16, 100, &c, &err), GY_OK);
    ck_assert_int_eq(gy_chart_save(c, out("tiny.png"), &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "out of range"));
    gy_chart_free(c);

    /* a label that would leave the figure on the right goes left of its point */
    const double px1[1] = {1.0}, py1[1] = {0.5};
    const char *lab1[1] = {"WWWWWWWW"};
    ck_assert_int_eq(gy_chart_create(6, 4, 100, &c, &err), GY_OK);
    gy_chart_limits(c, 0, 1, 0, 1);
    ck_assert_int_eq(gy_chart_points(c, px1, py1, 1, (gy_rgb){0, 0.5, 0}, 8.0, lab1, NULL, &err), GY_OK);
    ck_assert_int_eq(gy_chart_save(c, out("edge.png"), &err), GY_OK);
    gy_chart_free(c);
    im = load(out("edge.png"));
    const axes e = find_axes(im, im->width / 2, im->height / 2);
    const int ey = (e.top + e.bottom) / 2;
    int left_ink = 0, right_ink = 0;
    for (int yy = ey - 30; yy < ey; yy++) {
        for (int xx = e.right - 120; xx < e.right - 3; xx++)
            left_ink += is_rgb(im, xx, yy, 0, 0, 0, 60);
        for (int xx = e.right + 3; xx < im->width; xx++)
            right_ink += is_rgb(im, xx, yy, 0, 0, 0, 60);
    }
    ck_assert_msg(left_ink > 50 && right_ink == 0, "label ink: %d left, %d right of the point", left_ink,
                  right_ink);
    gy_image_free(im);
}
END_TEST

/* Log axes: with limits 1 .. 100 a point at 10 sits in the middle of each axis, one at 1 and one
 * at 100 on the spines' corners; a point at 0 or below is left out (as NaN); the ticks are the
 * 1-2-5 values inside the limits, or the powers of ten when those are too many. A label that
 * would cover another point's marker moves to a spot clear of it. */
START_TEST(chart_log_axes)
{
    gy_chart *c;
    gy_error err;
    const double x[4] = {1.0, 10.0, 100.0, 0.0}, y[4] = {1.0, 10.0, 100.0, 5.0};
    ck_assert_int_eq(gy_chart_create(6, 6, 100, &c, &err), GY_OK);
    gy_chart_log_axes(c, 1, 1);
    gy_chart_limits(c, 1, 100, 1, 100);
    ck_assert_int_eq(gy_chart_points(c, x, y, 4, (gy_rgb){0, 0.5, 0}, 8.0, NULL, NULL, &err), GY_OK);
    ck_assert_int_eq(gy_chart_save(c, out("log.png"), &err), GY_OK);
    gy_chart_free(c);
    gy_image *im = load(out("log.png"));
    const axes a = find_axes(im, im->width / 2 + 20, im->height / 2 + 20);
    const int mx = (a.left + a.right) / 2, my = (a.top + a.bottom) / 2;
    ck_assert_msg(is_rgb(im, mx, my, 0, 128, 0, 1), "no marker at the middle (%d, %d)", mx, my);
    ck_assert_msg(is_rgb(im, a.left + 2, a.bottom - 2, 0, 128, 0, 1), "no marker at (1, 1)");
    ck_assert_msg(is_rgb(im, a.right - 2, a.top + 2, 0, 128, 0, 1), "no marker at (100, 100)");
    /* x = 0 is off a log axis: no marker at y = 5 on the left spine */
    const int y5 = (int)lround(a.bottom - (a.bottom - a.top) * log10(5.0) / 2.0);
    ck_assert_msg(!is_rgb(im, a.left + 2, y5, 0, 128, 0, 1), "a marker for x = 0");
    int greens = 0;
    for (int i = 0; i < im->width * im->height; i++)
        greens += is_rgb(im, i % im->width, i / im->width, 0, 128, 0, 1);
    gy_image_free(im);
    ck_assert_msg(greens > 2 * 30 && greens < 3 * 130, "three markers: %d green pixels", greens);

    /* a label whose first spot (above right of its point) covers the marker of the point next to
     * it takes another spot */
    const double px[2] = {7.0, 10.0}, py[2] = {8.0, 9.0};
    const char *lab[2] = {"a long label", NULL};
    ck_assert_int_eq(gy_chart_create(6, 6, 100, &c, &err), GY_OK);
    gy_chart_log_axes(c, 1, 1);
    gy_chart_limits(c, 1, 100, 1, 100);
    ck_assert_int_eq(gy_chart_points(c, px, py, 2, (gy_rgb){0, 0.5, 0}, 8.0, lab, NULL, &err), GY_OK);
    ck_assert_int_eq(gy_chart_save(c, out("crowd.png"), &err), GY_OK);
    gy_chart_free(c);
    im = load(out("crowd.png"));
    const axes b = find_axes(im, im->width / 4, im->height / 4);
    const int cx = b.left + (b.right - b.left) / 2;
    const int cy = (int)lround(b.bottom - (b.bottom - b.top) * log10(9.0) / 2.0);
    ck_assert(is_rgb(im, cx, cy, 0, 128, 0, 1));
    int dark = 0; /* label ink inside the marker's disc at (10, 9) (radius 5 px) */
    for (int yy = cy - 4; yy <= cy + 4; yy++)
        for (int xx = cx - 4; xx <= cx + 4; xx++)
            dark += is_rgb(im, xx, yy, 0, 0, 0, 60);
    ck_assert_int_eq(dark, 0);
    gy_image_free(im);
}
END_TEST

/* nc = 3; normalised columns: 199/200 and 1/200 (blank: below 0.005 after the 1e-9), 198/199 and
 * 1/199 (0.005025: coloured), 10/10, and the background column 5/5. */
static const double m3[16] = {199, 0, 0, 5,
                              0, 198, 0, 0,
                              0, 0, 10, 0,
                              1, 1, 0, 0};

typedef struct grid {
    double x0, y0, cell;
} grid;

/* The heatmap's cells from the two darkest (vmax) cells [2][2] and [0][3]: their rows 0-2 give
 * the cell size (the colour bar's darkest band, level with row 0, is thinner), row 2 holds only
 * [2][2]. */
static grid find_grid(const gy_image *im)
{
    const gy_rgb dark = gy_cmap_blues(1.0);
    int y0 = -1, y1 = -1;
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x += 2)
            if (is_color(im, x, y, dark)) {
                if (y0 < 0)
                    y0 = y;
                y1 = y;
                break;
            }
    ck_assert(y1 > y0);
    grid g;
    g.cell = (y1 + 1 - y0) / 3.0;
    g.y0 = y0;
    const int yr = (int)(y0 + 2.5 * g.cell);
    int x0 = -1, x1 = -1;
    for (int x = 0; x < im->width; x++)
        if (is_color(im, x, yr, dark)) {
            if (x0 < 0)
                x0 = x;
            x1 = x;
        }
    ck_assert(x1 > x0);
    ck_assert_msg(fabs((x1 + 1 - x0) - g.cell) <= 1.0, "cells not square: %d vs %g", x1 + 1 - x0, g.cell);
    g.x0 = x0 - 2 * g.cell;
    return g;
}

/* A point a quarter cell off the centre of cell (r, c): clear of the written value. */
static int cell_px(const gy_image *im, const grid *g, int r, int c, gy_rgb expect)
{
    const int x = (int)(g->x0 + (c + 0.2) * g->cell), y = (int)(g->y0 + (r + 0.2) * g->cell);
    return is_color(im, x, y, expect);
}

/* Pixels near the centre of a cell that are not its colour: the written value. */
static int ink_in_cell(const gy_image *im, const grid *g, int r, int c, int *white, int *darkgrey)
{
    const unsigned char *ref = px(im, (int)(g->x0 + (c + 0.1) * g->cell), (int)(g->y0 + (r + 0.1) * g->cell));
    int n = 0;
    *white = *darkgrey = 0;
    for (int y = (int)(g->y0 + (r + 0.35) * g->cell); y < (int)(g->y0 + (r + 0.65) * g->cell); y++)
        for (int x = (int)(g->x0 + (c + 0.25) * g->cell); x < (int)(g->x0 + (c + 0.75) * g->cell); x++) {
            const unsigned char *p = px(im, x, y);
            if (abs(p[0] - ref[0]) > 2 || abs(p[1] - ref[1]) > 2 || abs(p[2] - ref[2]) > 2)
                n++;
            *white += p[0] > 250 && p[1] > 250 && p[2] > 250;
            *darkgrey += p[0] < 60 && p[1] < 60 && p[2] < 60;
        }
    return n;
}

/* Dark grey text pixels (anti-aliased ink of the labels) in the rectangle [x0, x1) x [y0, y1). */
static int grey_ink(const gy_image *im, int x, int y)
{
    const unsigned char *p = px(im, x, y);
    return p[0] < 110 && abs(p[0] - p[1]) < 6 && abs(p[1] - p[2]) < 6;
}

/* The bounding box of the ink band that touches the rectangle's far side from the matrix: rows
 * scanned from y_from toward y_to (or columns, when by_column), the first line with ink opens
 * the band and the first line without closes it. box: {xmin, ymin, xmax, ymax}. */
static int ink_band(const gy_image *im, int x0, int x1, int y0, int y1, int by_column, int from_end,
                    int box[4])
{
    int lo = by_column ? x0 : y0, hi = by_column ? x1 : y1, started = 0;
    box[0] = box[1] = 1 << 30;
    box[2] = box[3] = -1;
    for (int k = 0; k < hi - lo; k++) {
        int line = from_end ? hi - 1 - k : lo + k, any = 0;
        int a0 = by_column ? y0 : x0, a1 = by_column ? y1 : x1;
        for (int a = a0; a < a1; a++) {
            int x = by_column ? line : a, y = by_column ? a : line;
            if (grey_ink(im, x, y)) {
                any = 1;
                box[0] = x < box[0] ? x : box[0];
                box[1] = y < box[1] ? y : box[1];
                box[2] = x > box[2] ? x : box[2];
                box[3] = y > box[3] ? y : box[3];
            }
        }
        if (any)
            started = 1;
        else if (started)
            break;
    }
    return started;
}

/* MaxNLocator(nbins, steps=[1, 2, 2.5, 5, 10]): the smallest nice step with at most nbins bins,
 * the ticks inside [lo, hi] (within 1e-9 of a step at either end, for rounding), labelled with
 * the decimals the step needs and a true minus sign */
static void expect_ticks(double lo, double hi, int nbins, int n, const char *const *text)
{
    gy_ticks t;
    gy_plot_ticks(lo, hi, nbins, &t);
    ck_assert_msg(t.n == n, "[%g, %.12g] nbins %d: %d ticks, want %d", lo, hi, nbins, t.n, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(strcmp(t.text[i], text[i]) == 0, "[%g, %.12g] tick %d: '%s', want '%s'", lo,
                      hi, i, t.text[i], text[i]);
}

/* gy_chart_label_box against its contract, the 24 boxes worked out here from the words: for
 * each k, obstacles inside each of the first k boxes (a point of each outside box k) leave box k
 * the first clear one; an obstacle touching box k's edge does not block it; a box past the
 * figure's edge by a hair is passed over, one exactly at it is taken; crowded, the first of
 * the nearest four on the figure; none on the figure, the first. */
static int inside(const gy_box4 *b, double x, double y, double margin)
{
    return x > b->x0 - margin && x < b->x1 + margin && y > b->y0 - margin && y < b->y1 + margin;
}

static void label_boxes(double px, double py, double off, double w, double h, gy_box4 *want)
{
    for (int k = 0; k < 24; k++) {
        const double o = off * (1 + k / 8);
        const int i = k % 8;
        /* horizontally: right, right, left, left, right, left, centred, centred */
        const int hx = i == 6 || i == 7 ? 0 : (i == 0 || i == 1 || i == 4) ? 1 : -1;
        /* vertically: above, below, above, below, middle, middle, above, below */
        const int vy = i == 4 || i == 5 ? 0 : (i == 0 || i == 2 || i == 6) ? -1 : 1;
        want[k].x0 = hx > 0 ? px + o : hx < 0 ? px - o - w : px - w / 2;
        want[k].x1 = want[k].x0 + w;
        want[k].y0 = vy < 0 ? py - o - h : vy > 0 ? py + o : py - h / 2;
        want[k].y1 = want[k].y0 + h;
    }
}

static void expect_box(gy_box4 got, gy_box4 want, const char *what, int k)
{
    ck_assert_msg(got.x0 == want.x0 && got.y0 == want.y0 && got.x1 == want.x1 && got.y1 == want.y1,
                  "%s %d: got (%g, %g)-(%g, %g), want (%g, %g)-(%g, %g)", what, k, got.x0, got.y0,
                  got.x1, got.y1, want.x0, want.y0, want.x1, want.y1);
}

START_TEST(label_box_order)
{
    const double px = 500, py = 400, off = 6, w = 90, h = 22, W = 1000, H = 800;
    gy_box4 want[24];
    label_boxes(px, py, off, w, h, want);
    gy_box4 obst[24];
    for (int k = 0; k < 24; k++) {
        int n = 0;
        for (int j = 0; j < k; j++) { /* a point of box j at least 1 px outside box k */
            int found = 0;
            for (int gy = 1; gy < 64 && !found; gy++)
                for (int gx = 1; gx < 64 && !found; gx++) {
                    const double x = want[j].x0 + (want[j].x1 - want[j].x0) * gx / 64.0;
                    const double y = want[j].y0 + (want[j].y1 - want[j].y0) * gy / 64.0;
                    if (!inside(&want[k], x, y, 1.0)) {
                        obst[n++] = (gy_box4){x - 0.25, y - 0.25, x + 0.25, y + 0.25};
                        found = 1;
                    }
                }
            ck_assert_msg(found, "box %d has no point outside box %d", j, k);
        }
        expect_box(gy_chart_label_box(px, py, off, w, h, W, H, obst, n), want[k], "blocked before", k);
        /* obstacles touching box k on each side, and one covering it whole, one at a time */
        const gy_box4 b = want[k];
        const gy_box4 touch[4] = {{b.x0 - 5, b.y0, b.x0, b.y1}, {b.x1, b.y0, b.x1 + 5, b.y1},
                                  {b.x0, b.y0 - 5, b.x1, b.y0}, {b.x0, b.y1, b.x1, b.y1 + 5}};
        for (int t = 0; t < 4; t++) {
            obst[n] = touch[t];
            expect_box(gy_chart_label_box(px, py, off, w, h, W, H, obst, n + 1), want[k], "touched", k);
        }
        if (k < 23) {
            obst[n] = (gy_box4){b.x0 + 1, b.y0 + 1, b.x0 + 2, b.y0 + 2};
            gy_box4 got = gy_chart_label_box(px, py, off, w, h, W, H, obst, n + 1);
            ck_assert_msg(!(got.x0 == b.x0 && got.y0 == b.y0), "box %d taken with an obstacle in it", k);
        }
    }
    /* the figure's edges: the point near the right edge, so that box 0 ends exactly on it (taken)
     * or a hair past it (box 1 also past: box 2, above left) */
    {
        double qx = W - off - w, qy = 300;
        gy_box4 e[24];
        label_boxes(qx, qy, off, w, h, e);
        expect_box(gy_chart_label_box(qx, qy, off, w, h, W, H, NULL, 0), e[0], "at the right edge", 0);
        qx += 1e-6;
        label_boxes(qx, qy, off, w, h, e);
        expect_box(gy_chart_label_box(qx, qy, off, w, h, W, H, NULL, 0), e[2], "past the right edge", 2);
        /* each edge alone: left (boxes 2, 3 and 5 past it: box 0 stays), top (0 past: 1), bottom
         * (1 past: 0) */
        label_boxes(off + w - 1e-6, qy, off, w, h, e);
        gy_box4 ob[1] = {{e[0].x0 + 1, e[0].y0 + 1, e[0].x0 + 2, e[0].y0 + 2}}; /* block box 0 */
        expect_box(gy_chart_label_box(off + w - 1e-6, qy, off, w, h, W, H, ob, 1), e[1], "left edge", 1);
        label_boxes(500, off + h - 1e-6, off, w, h, e);
        expect_box(gy_chart_label_box(500, off + h - 1e-6, off, w, h, W, H, NULL, 0), e[1], "top edge", 1);
        label_boxes(500, off + h, off, w, h, e); /* box 0 exactly at the top edge: taken */
        expect_box(gy_chart_label_box(500, off + h, off, w, h, W, H, NULL, 0), e[0], "at the top edge", 0);
        label_boxes(500, H - off - h + 1e-6, off, w, h, e);
        gy_box4 ob0[1] = {{e[1].x0 + 1, e[1].y0 - 2, e[1].x0 + 2, e[1].y0 - 1}}; /* not in box 0 */
        expect_box(gy_chart_label_box(500, H - off - h + 1e-6, off, w, h, W, H, ob0, 1), e[0],
                   "bottom edge", 0);
        label_boxes(500, H - off - h + 1e-6, off, w, h, e);
        gy_box4 blk0[1] = {{e[0].x0 + 1, e[0].y0 + 1, e[0].x0 + 2, e[0].y0 + 2}};
        expect_box(gy_chart_label_box(500, H - off - h + 1e-6, off, w, h, W, H, blk0, 1), e[2],
                   "bottom edge, box 0 blocked", 2);
    }
    /* crowded: an obstacle over the whole figure; the first of the nearest four on it */
    const gy_box4 all[1] = {{-1, -1, W + 1, H + 1}};
    expect_box(gy_chart_label_box(px, py, off, w, h, W, H, all, 1), want[0], "crowded", 0);
    {
        const double qx = W - off - w + 1, qy = 300; /* boxes 0 and 1 past the right edge */
        gy_box4 e[24];
        label_boxes(qx, qy, off, w, h, e);
        expect_box(gy_chart_label_box(qx, qy, off, w, h, W, H, all, 1), e[2], "crowded right", 2);
        const double ry = H - off - h + 1; /* and 2's row fits, 3 does not: 2 */
        label_boxes(qx, ry, off, w, h, e);
        expect_box(gy_chart_label_box(qx, ry, off, w, h, W, H, all, 1), e[2], "crowded corner", 2);
        /* a figure one label high: of the first five only box 4 (right) is on it; crowded, the
         * fallback looks at the nearest four only: box 0 */
        label_boxes(100, h / 2, off, w, h, e);
        expect_box(gy_chart_label_box(100, h / 2, off, w, h, W, h, all, 1), e[0], "one label high", 0);
        expect_box(gy_chart_label_box(100, h / 2, off, w, h, W, h, NULL, 0), e[4], "one label high, clear", 4);
        /* a figure smaller than the label: nothing fits, box 0 */
        label_boxes(10, 10, off, w, h, e);
        expect_box(gy_chart_label_box(10, 10, off, w, h, 50, 20, NULL, 0), e[0], "tiny figure", 0);
        /* only box 3 of the nearest four fits (bottom left corner of a figure just its size,
         * the point in the top right) */
        label_boxes(off + w, 0, off, w, h, e);
        expect_box(gy_chart_label_box(off + w, 0, off, w, h, off + w, off + h, all, 1), e[3],
                   "crowded, only box 3", 3);
    }
}
END_TEST

/* gy_canvas_create's size bounds: at least 16 pixels a side, at most 2^26 pixels (8192 x 8192)
 * in all, each at the bound (made) and past it (refused naming the figure); NaN refused. */
START_TEST(canvas_size_bounds)
{
    static const struct { double w, h; int ok; } cases[] = {
        {16, 16, 1}, {15.75, 16, 0}, {16, 15.75, 0}, {8192, 8192, 1}, {8192, 8193, 0},
        {8193, 8192, 0}, {4096, 16384, 1}, {4096, 16385, 0}, {NAN, 16, 0}, {16, NAN, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_canvas cv;
        gy_error err;
        gy_status st = gy_canvas_create(cases[i].w, cases[i].h, 1.0, &cv, &err);
        if (cases[i].ok) {
            ck_assert_msg(st == GY_OK, "%g x %g: %s", cases[i].w, cases[i].h, err.message);
            ck_assert_int_eq(cv.width, (int)cases[i].w);
            ck_assert_int_eq(cv.height, (int)cases[i].h);
            gy_canvas_free(&cv);
        } else {
            ck_assert_msg(st == GY_ERR_ARGUMENT, "%g x %g: %s", cases[i].w, cases[i].h,
                          st == GY_OK ? "made" : err.message);
            ck_assert_msg(strstr(err.message, "figure at 1 dpi is out of range"), "%s", err.message);
        }
    }
}
END_TEST

/* gy_chart_legend_corner against its contract: the four boxes margin in from the axes' sides
 * (worked out here), the fewest points held wins, the first of equals. A probe point on each edge
 * of each box (its middle, and each vertex) is held; one a hair outside each edge is not. A
 * probe in corner 0 alone moves the legend to corner 1 when held; a probe in corner k > 0 with
 * one point inside each other corner makes a four-way tie (corner 0) when held, else corner k. */
START_TEST(legend_corner_best)
{
    const gy_box4 ax = {100, 50, 500, 350};
    const double m = 10, w = 80, h = 40;
    const gy_box4 box[4] = {{410, 60, 490, 100}, {110, 60, 190, 100}, {110, 300, 190, 340},
                            {410, 300, 490, 340}};
    double px[8] = {0}, py[8] = {0};
    int k = -1;
    gy_box4 b = gy_chart_legend_corner(ax, m, w, h, px, py, 0, &k);
    ck_assert_int_eq(k, 0);
    ck_assert(b.x0 == 410 && b.y0 == 60 && b.x1 == 490 && b.y1 == 100);
    b = gy_chart_legend_corner(ax, m, w, h, px, py, 0, NULL); /* no corner wanted */
    ck_assert(b.x0 == 410 && b.y0 == 60);
    /* counts 2, 1, 1, 0 -> corner 3; 1, 0, 1, 0 -> corner 1 (the first of the fewest) */
    static const int counts[2][4] = {{2, 1, 1, 0}, {1, 0, 1, 0}};
    for (int t = 0; t < 2; t++) {
        int n = 0;
        for (int c = 0; c < 4; c++)
            for (int i = 0; i < counts[t][c]; i++) {
                px[n] = (box[c].x0 + box[c].x1) / 2 + i;
                py[n++] = (box[c].y0 + box[c].y1) / 2;
            }
        b = gy_chart_legend_corner(ax, m, w, h, px, py, n, &k);
        ck_assert_int_eq(k, t ? 1 : 3);
        ck_assert(b.x0 == box[k].x0 && b.y0 == box[k].y0 && b.x1 == box[k].x1 &&
                  b.y1 == box[k].y1);
    }
    for (int c = 0; c < 4; c++) {
        const gy_box4 q = box[c];
        const double mx = (q.x0 + q.x1) / 2, my = (q.y0 + q.y1) / 2;
        const struct { double x, y; int held; } probes[] = {
            {q.x0, my, 1}, {q.x1, my, 1}, {mx, q.y0, 1}, {mx, q.y1, 1},
            {q.x0, q.y0, 1}, {q.x1, q.y0, 1}, {q.x0, q.y1, 1}, {q.x1, q.y1, 1},
            {nextafter(q.x0, -INFINITY), my, 0}, {nextafter(q.x1, INFINITY), my, 0},
            {mx, nextafter(q.y0, -INFINITY), 0}, {mx, nextafter(q.y1, INFINITY), 0}};
        for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++) {
            int n = 0;
            px[n] = probes[p].x;
            py[n++] = probes[p].y;
            for (int o = 0; c > 0 && o < 4; o++)
                if (o != c) {
                    px[n] = (box[o].x0 + box[o].x1) / 2;
                    py[n++] = (box[o].y0 + box[o].y1) / 2;
                }
            gy_chart_legend_corner(ax, m, w, h, px, py, n, &k);
            const int want = c == 0 ? probes[p].held : probes[p].held ? 0 : c;
            ck_assert_msg(k == want, "corner %d probe %zu (%.17g, %.17g): corner %d, want %d", c, p,
                          probes[p].x, probes[p].y, k, want);
        }
    }
}
END_TEST

/* seaborn's relative luminance (utils.relative_luminance): each channel v is linearised as
 * v / 12.92 when v <= 0.03928, else ((v + 0.055) / 1.055) ^ 2.4, and weighted 0.2126, 0.7152,
 * 0.0722. Each channel alone, at the knee, just past it, and at 0, 0.5 and 1. */
START_TEST(luminance_like_seaborn)
{
    const double knee = 0.03928, vs[5] = {0.0, knee, nextafter(knee, 1.0), 0.5, 1.0};
    const double weight[3] = {0.2126, 0.7152, 0.0722};
    for (int ch = 0; ch < 3; ch++)
        for (int i = 0; i < 5; i++) {
            const double v = vs[i];
            const double lin = v <= knee ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
            gy_rgb c = {0.0, 0.0, 0.0};
            *(ch == 0 ? &c.r : ch == 1 ? &c.g : &c.b) = v;
            const double got = gy_rgb_luminance(c), want = weight[ch] * lin;
            ck_assert_msg(fabs(got - want) <= 1e-15, "channel %d at %.17g: %.17g, want %.17g", ch,
                          v, got, want);
        }
    ck_assert_msg(fabs(gy_rgb_luminance(gy_rgb_grey(1.0)) - 1.0) <= 1e-12, "white");
}
END_TEST

START_TEST(ticks_max_n_locator)
{
    static const char *const tenths[6] = {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"};
    expect_ticks(0, 1, 5, 6, tenths);
    static const char *const quarters[4] = {"0.00", "0.25", "0.50", "0.75"};
    expect_ticks(0, 0.9, 4, 4, quarters);
    static const char *const halves[5] = {"\xe2\x88\x92" "1.0", "\xe2\x88\x92" "0.5", "0.0", "0.5", "1.0"};
    expect_ticks(-1, 1, 4, 5, halves);
    static const char *const ints[3] = {"0", "50", "100"};
    expect_ticks(0, 100, 2, 3, ints);
    /* the ends: a tick within 1e-9 step of hi or lo counts, one 1e-8 away does not */
    expect_ticks(0, 1 - 1e-10, 5, 6, tenths);
    expect_ticks(0, 1 - 1e-8, 5, 5, tenths);
    expect_ticks(1e-10, 1, 5, 6, tenths);
    expect_ticks(1e-8, 1, 5, 5, tenths + 1);
    /* the decimals a step needs, up to 10 at most: a step of 1e-10 gets its 10, one of 1e-11
     * stops at 10 (its ticks all print as zeros) */
    static const char *const e10[3] = {"0.0000000000", "0.0000000001", "0.0000000002"};
    expect_ticks(0, 2e-10, 2, 3, e10);
    static const char *const e11[3] = {"0.0000000000", "0.0000000000", "0.0000000000"};
    expect_ticks(0, 2e-11, 2, 3, e11);
}
END_TEST

/* Text anchors: "HHH" (flat top at the cap height, flat bottom on the baseline, no descender)
 * drawn at (x, y) with each vertical anchor: baseline on y; centre of the ascent/descent box on
 * y (the ink's middle within a few pixels of it); top of the box on y (ink starts below); bottom
 * of the box on y (ink ends a descent above); and centred horizontally on x */
START_TEST(text_anchors)
{
    const double size_pt = 40;
    int mid[4], top[4], bottom[4];
    for (int v = 0; v < 4; v++) {
        gy_canvas cv;
        gy_error err;
        ck_assert_int_eq(gy_canvas_create(4, 3, 100, &cv, &err), GY_OK);
        gy_canvas_text(&cv, 200, 150, "HHH", &(gy_text_style){size_pt, {0, 0, 0}, 0, 1, v, 0});
        ck_assert_int_eq(gy_canvas_save_png(&cv, out("anchor.png"), &err), GY_OK);
        gy_canvas_free(&cv);
        gy_image *im = load(out("anchor.png"));
        int box[4];
        ck_assert(ink_band(im, 0, im->width, 0, im->height, 0, 0, box));
        gy_image_free(im);
        top[v] = box[1];
        bottom[v] = box[3];
        mid[v] = (box[0] + box[2]) / 2;
        printf("v %d: ink rows %d-%d, columns %d-%d\n", v, box[1], box[3], box[0], box[2]);
    }
    const double em = size_pt * 100 / 72; /* 55.6 px */
    for (int v = 0; v < 4; v++)
        ck_assert_msg(abs(mid[v] - 200) <= 2, "v %d: centred at x %d", v, mid[v]);
    ck_assert_msg(abs(bottom[2] - 149) <= 1, "baseline: ink ends on row %d", bottom[2]);
    ck_assert_msg(fabs((top[1] + bottom[1]) / 2.0 - 150) <= 0.06 * em, "centre: ink %d-%d", top[1],
                  bottom[1]);
    ck_assert_msg(top[0] > 150 && top[0] < 150 + 0.35 * em, "top: ink from row %d", top[0]);
    ck_assert_msg(bottom[3] < 150 - 0.1 * em && bottom[3] > 150 - 0.4 * em, "bottom: ink to row %d",
                  bottom[3]);
    /* the four differ by the font's fixed offsets: top - baseline = ascent, baseline - bottom =
     * descent, and the centre halfway between top and bottom */
    ck_assert_msg(abs((top[0] + top[3]) / 2 - top[1]) <= 1, "centre %d, top %d, bottom %d", top[1],
                  top[0], top[3]);
}
END_TEST

/* The axis labels: the x label centred under the axes, the y label centred left of them and turned
 * a quarter turn (matplotlib's rotation 90). A row of 60 hyphens is one stroke thick either way; a
 * degree off would drift 4 px along its length. */
START_TEST(chart_axis_labels)
{
    char dashes[61];
    memset(dashes, '-', 60);
    dashes[60] = '\0';
    gy_chart *c;
    gy_error err;
    const double x[2] = {0.0, 1.0}, y[2] = {0.5, 0.5};
    ck_assert_int_eq(gy_chart_create(9, 8, 100, &c, &err), GY_OK);
    ck_assert_int_eq(gy_chart_labels(c, NULL, dashes, dashes, &err), GY_OK);
    gy_chart_limits(c, 0, 1, 0, 1);
    ck_assert_int_eq(gy_chart_line(c, x, y, 2, (gy_rgb){1, 0, 0}, 1.0, NULL, &err), GY_OK);
    ck_assert_int_eq(gy_chart_save(c, out("labels.png"), &err), GY_OK);
    gy_chart_free(c);
    gy_image *im = load(out("labels.png"));
    const axes a = find_axes(im, im->width / 3, im->height / 3);
    int yl[4], xl[4];
    ck_assert(ink_band(im, 0, a.left, 0, im->height, 1, 0, yl));  /* from the left edge */
    ck_assert(ink_band(im, 0, im->width, a.bottom + 1, im->height, 0, 1, xl)); /* from the bottom */
    gy_image_free(im);
    printf("axes x %d-%d y %d-%d; y label x %d-%d y %d-%d; x label x %d-%d y %d-%d\n", a.left,
           a.right, a.top, a.bottom, yl[0], yl[2], yl[1], yl[3], xl[0], xl[2], xl[1], xl[3]);
    ck_assert_msg(yl[3] - yl[1] > 200 && yl[2] - yl[0] + 1 <= 3, "y label %d wide, %d long",
                  yl[2] - yl[0] + 1, yl[3] - yl[1] + 1);
    ck_assert_msg(fabs((yl[1] + yl[3]) / 2.0 - (a.top + a.bottom) / 2.0) <= 1.5,
                  "y label centred at %g, axes at %g", (yl[1] + yl[3]) / 2.0,
                  (a.top + a.bottom) / 2.0);
    ck_assert_msg(xl[2] - xl[0] > 200 && xl[3] - xl[1] + 1 <= 3, "x label %d high, %d long",
                  xl[3] - xl[1] + 1, xl[2] - xl[0] + 1);
    ck_assert_msg(fabs((xl[0] + xl[2]) / 2.0 - (a.left + a.right) / 2.0) <= 1.5,
                  "x label centred at %g, axes at %g", (xl[0] + xl[2]) / 2.0,
                  (a.left + a.right) / 2.0);
}
END_TEST

START_TEST(matrix_cells)
{
    gy_error err;
    const char *names[3] = {"person", "bicycle", "car"};
    ck_assert_int_eq(gy_plot_confusion_matrix(out("cmn.png"), m3, 3, names, 3, 1, &err), GY_OK);
    gy_image *im = load(out("cmn.png"));
    ck_assert_int_eq(im->width, 3000); /* 12 x 9 inches at 250 dpi */
    ck_assert_int_eq(im->height, 2250);
    grid g = find_grid(im);
    const gy_rgb white = {1, 1, 1};
    ck_assert(cell_px(im, &g, 0, 0, gy_cmap_blues(199 / (200 + 1e-9))));
    ck_assert(cell_px(im, &g, 3, 0, white));                              /* 1/200: blank */
    ck_assert(cell_px(im, &g, 3, 1, gy_cmap_blues(1 / (199 + 1e-9))));    /* 1/199: shown */
    ck_assert(!cell_px(im, &g, 3, 1, white));
    ck_assert(cell_px(im, &g, 1, 1, gy_cmap_blues(198 / (199 + 1e-9))));
    ck_assert(cell_px(im, &g, 1, 0, white));                              /* 0 */
    ck_assert(cell_px(im, &g, 3, 3, white));
    /* values written (nc < 30): white on the dark cells, dark grey on the light ones */
    int w, d;
    ck_assert_int_gt(ink_in_cell(im, &g, 2, 2, &w, &d), 20);
    ck_assert(w > 10 && d == 0);
    ck_assert_int_gt(ink_in_cell(im, &g, 3, 1, &w, &d), 20);
    ck_assert(d > 10);
    ck_assert_int_eq(ink_in_cell(im, &g, 1, 0, &w, &d), 0); /* blank cells: nothing written */
    /* the title above, "True" at the bottom and "Predicted" at the left: centred on the matrix
     * (4 x 4 cells), as matplotlib places them */
    const double side = 4 * g.cell, mx = g.x0 + side / 2, my = g.y0 + side / 2;
    int box[4];
    ck_assert(ink_band(im, 0, im->width, 0, (int)g.y0, 0, 0, box));
    double off = (box[0] + box[2]) / 2.0 - mx;
    printf("title: rows %d-%d, %.1f px off the matrix centre\n", box[1], box[3], off);
    ck_assert_msg(fabs(off) <= 4 && box[3] < g.y0, "title centred at %+.1f px", off);
    ck_assert(ink_band(im, (int)g.x0, (int)(g.x0 + side), (int)(g.y0 + side), im->height, 0, 1, box));
    off = (box[0] + box[2]) / 2.0 - mx;
    printf("True: rows %d-%d, %.1f px off\n", box[1], box[3], off);
    ck_assert_msg(fabs(off) <= 4 && box[1] > g.y0 + side, "True centred at %+.1f px", off);
    ck_assert(ink_band(im, 0, (int)g.x0, (int)g.y0, (int)(g.y0 + side), 1, 0, box));
    off = (box[1] + box[3]) / 2.0 - my;
    printf("Predicted: columns %d-%d, %.1f px off\n", box[0], box[2], off);
    ck_assert_msg(fabs(off) <= 4 && box[2] < g.x0, "Predicted centred at %+.1f px", off);
    gy_image_free(im);

    /* counts: vmax 199, the single count is shown */
    ck_assert_int_eq(gy_plot_confusion_matrix(out("cm.png"), m3, 3, names, 3, 0, &err), GY_OK);
    im = load(out("cm.png"));
    const gy_rgb dark = gy_cmap_blues(1.0);
    int found = 0;
    for (int y = 0; y < im->height && !found; y += 3)
        for (int x = 0; x < im->width * 3 / 4 && !found; x += 3)
            found = is_color(im, x, y, dark);
    ck_assert(found);
    gy_image_free(im);
    ck_assert_int_eq(gy_plot_confusion_matrix(out("x.png"), m3, 0, names, 3, 0, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_plot_confusion_matrix("/nonexistent-dir/cm.png", m3, 3, names, 3, 0, &err), GY_ERR_IO);
}
END_TEST

/* A diagonal nc-class matrix with [0][0] twice the others: its cell found as the darkest. */
static double *diag(int nc)
{
    const int n = nc + 1;
    double *m = calloc((size_t)n * n, sizeof *m);
    ck_assert_ptr_nonnull(m);
    for (int i = 0; i < nc; i++)
        m[i * n + i] = i ? 10 : 20;
    return m;
}

static int written_in_cell(const char *path, int nc)
{
    gy_image *im = load(path);
    const gy_rgb dark = gy_cmap_blues(1.0);
    int y0 = -1;
    for (int y = 0; y < im->height && y0 < 0; y++)
        for (int x = 0; x < im->width && y0 < 0; x += 2)
            if (is_color(im, x, y, dark))
                y0 = y;
    ck_assert(y0 >= 0);
    /* cell [0][0]: the first dark run of a row inside it (the colour bar's band is further right) */
    int x0 = 0, x1;
    while (!is_color(im, x0, y0 + 2, dark))
        x0++;
    for (x1 = x0; x1 + 1 < im->width && is_color(im, x1 + 1, y0 + 2, dark); x1++)
        ;
    const grid g = {x0, y0, x1 + 1.0 - x0};
    int w, d;
    const int ink = ink_in_cell(im, &g, nc / 2, nc / 2, &w, &d);
    gy_image_free(im);
    return ink;
}

/* annot=nc < 30: values written at 29 classes, not at 30 */
START_TEST(matrix_annotation_limit)
{
    gy_error err;
    double *m29 = diag(29), *m30 = diag(30);
    ck_assert_int_eq(gy_plot_confusion_matrix(out("m29.png"), m29, 29, NULL, 0, 0, &err), GY_OK);
    ck_assert_int_eq(gy_plot_confusion_matrix(out("m30.png"), m30, 30, NULL, 0, 0, &err), GY_OK);
    ck_assert_int_gt(written_in_cell(out("m29.png"), 29), 5);
    ck_assert_int_eq(written_in_cell(out("m30.png"), 30), 0);
    free(m29);
    free(m30);
}
END_TEST

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *x = gy_test_read(a, &na), *y = gy_test_read(b, &nb);
    const int same = na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

/* names on the axes when 0 < len(names) < 99 and len(names) == nc, else indices */
START_TEST(matrix_names_limit)
{
    gy_error err;
    char **names = malloc(sizeof *names * 99);
    ck_assert_ptr_nonnull(names);
    for (int i = 0; i < 99; i++) {
        names[i] = malloc(16);
        snprintf(names[i], 16, "name%d", i);
    }
    const char *const *cn = (const char *const *)names;
    double *m98 = diag(98), *m99 = diag(99);
    ck_assert_int_eq(gy_plot_confusion_matrix(out("a.png"), m98, 98, cn, 98, 1, &err), GY_OK);
    ck_assert_int_eq(gy_plot_confusion_matrix(out("b.png"), m98, 98, NULL, 0, 1, &err), GY_OK);
    ck_assert(!same_file(out("a.png"), out("b.png")));
    ck_assert_int_eq(gy_plot_confusion_matrix(out("c.png"), m98, 98, cn, 97, 1, &err), GY_OK);
    ck_assert(same_file(out("b.png"), out("c.png"))); /* 97 names for 98 classes: indices */
    ck_assert_int_eq(gy_plot_confusion_matrix(out("a.png"), m99, 99, cn, 99, 1, &err), GY_OK);
    ck_assert_int_eq(gy_plot_confusion_matrix(out("b.png"), m99, 99, NULL, 0, 1, &err), GY_OK);
    ck_assert(same_file(out("a.png"), out("b.png")));
    for (int i = 0; i < 99; i++)
        free(names[i]);
    free(names);
    free(m98);
    free(m99);
}
END_TEST

/* tick labels longer than 24 characters are cut (so a long name cannot crowd the matrix out):
 * two names that differ only after their 24th character give the same picture, at the 24th not */
START_TEST(matrix_long_names)
{
    gy_error err;
    char a[300], b[300];
    const char *na[3] = {"person", a, "car"}, *nb[3] = {"person", b, "car"};
    memset(a, 'a', sizeof a);
    memcpy(b, a, sizeof b);
    a[299] = b[299] = '\0';
    b[24] = 'b'; /* the 25th character */
    ck_assert_int_eq(gy_plot_confusion_matrix(out("la.png"), m3, 3, na, 3, 1, &err), GY_OK);
    ck_assert_int_eq(gy_plot_confusion_matrix(out("lb.png"), m3, 3, nb, 3, 1, &err), GY_OK);
    ck_assert(same_file(out("la.png"), out("lb.png")));
    b[24] = 'a';
    b[23] = 'b'; /* the 24th */
    ck_assert_int_eq(gy_plot_confusion_matrix(out("lb.png"), m3, 3, nb, 3, 1, &err), GY_OK);
    ck_assert(!same_file(out("la.png"), out("lb.png")));
    gy_image *im = load(out("la.png"));
    grid g = find_grid(im); /* the matrix still has its room: cells as wide as with short names */
    ck_assert_msg(g.cell > 300, "cells of %g px", g.cell); /* uncut: 1 px */
    gy_image_free(im);
    /* up to GY_PLOT_MATRIX_MAX_NC classes */
    double *m = diag(GY_PLOT_MATRIX_MAX_NC + 1);
    ck_assert_int_eq(gy_plot_confusion_matrix(out("big.png"), m, GY_PLOT_MATRIX_MAX_NC + 1, NULL, 0, 0, &err),
                     GY_ERR_ARGUMENT);
    free(m);
}
END_TEST

/* Names too long for the cells turn the x tick labels a quarter turn, anchored at their end just
 * below the matrix: a name of 24 hyphens is a vertical stroke at its column's centre whose top
 * lies within the tick pad (7 pt = 24 px at 250 dpi) below the matrix's bottom edge. */
START_TEST(matrix_x_labels_turned)
{
    gy_error err;
    char dashes[25];
    memset(dashes, '-', 24);
    dashes[24] = '\0';
    /* 24 W's are too wide for a cell: every x label turns */
    const char *names[3] = {"person", dashes, "WWWWWWWWWWWWWWWWWWWWWWWW"};
    ck_assert_int_eq(gy_plot_confusion_matrix(out("turned.png"), m3, 3, names, 3, 1, &err), GY_OK);
    gy_image *im = load(out("turned.png"));
    grid g = find_grid(im);
    const int cx = (int)lround(g.x0 + 1.5 * g.cell), bottom = (int)lround(g.y0 + 4 * g.cell);
    int ink[4];
    ck_assert(ink_band(im, cx - 6, cx + 7, bottom + 2, im->height, 1, 0, ink)); /* columns */
    gy_image_free(im);
    printf("turned label: columns %d-%d, rows %d-%d; column centre %d, matrix bottom %d\n", ink[0],
           ink[2], ink[1], ink[3], cx, bottom);
    ck_assert_msg(ink[3] - ink[1] > 150 && ink[2] - ink[0] <= 4, "label %d wide, %d long",
                  ink[2] - ink[0] + 1, ink[3] - ink[1] + 1);
    ck_assert_msg(abs((ink[0] + ink[2]) / 2 - cx) <= 2, "label at x %d, column centre %d",
                  (ink[0] + ink[2]) / 2, cx);
    ck_assert_msg(ink[1] > bottom && ink[1] <= bottom + 24 + 3, "label from row %d, matrix ends at %d",
                  ink[1], bottom);
}
END_TEST

/* A metrics result with k labelled classes whose curves are constants: p = 0.2 + 0.02 row,
 * r = 0.5, PR = 0.3 for a class with predictions, 0.8 for one without (never drawn). */
static void fake_result(gy_metrics_result *r, int k, int without)
{
    memset(r, 0, sizeof *r);
    r->nclasses = k;
    r->classes = calloc((size_t)k, sizeof *r->classes);
    r->p_curve = calloc((size_t)k * 3 * GY_METRICS_NPX, sizeof *r->p_curve);
    ck_assert(r->classes && r->p_curve);
    r->r_curve = r->p_curve + (size_t)k * GY_METRICS_NPX;
    r->pr_curve = r->r_curve + (size_t)k * GY_METRICS_NPX;
    for (int i = 0; i < k; i++) {
        r->classes[i].id = i;
        r->classes[i].predictions = i < without ? 0 : 5;
        for (int j = 0; j < GY_METRICS_NPX; j++) {
            r->p_curve[i * GY_METRICS_NPX + j] = 0.2 + 0.02 * i;
            r->r_curve[i * GY_METRICS_NPX + j] = 0.5;
            r->pr_curve[i * GY_METRICS_NPX + j] = i < without ? 0.8 : 0.3;
        }
    }
    r->conf_index = 0;
}

static int count_rgb(const gy_image *im, int r, int g, int b, int tol)
{
    int n = 0;
    for (int i = 0; i < im->width * im->height; i++)
        n += is_rgb(im, i % im->width, i / im->width, r, g, b, tol);
    return n;
}

/* The PNG writer's chunk lengths in all four bytes: a canvas of noise (incompressible) whose one
 * IDAT chunk is over 16 MiB, so the length's top byte is not zero, reads back pixel for pixel. */
START_TEST(png_chunk_over_16_mib)
{
    gy_canvas c;
    gy_error err;
    ck_assert_int_eq(gy_canvas_create(30.0, 20.0, 100.0, &c, &err), GY_OK); /* 3000 x 2000 */
    ck_assert_int_eq(c.width, 3000);
    ck_assert_int_eq(c.height, 2000);
    cairo_surface_flush(c.surface);
    unsigned char *data = cairo_image_surface_get_data(c.surface);
    int stride = cairo_image_surface_get_stride(c.surface);
    uint64_t st = 0x9e3779b97f4a7c15ULL;
    for (int y = 0; y < c.height; y++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < c.width; x++) {
            st ^= st << 13, st ^= st >> 7, st ^= st << 17;
            row[x] = (uint32_t)st & 0xffffffu;
        }
    }
    cairo_surface_mark_dirty(c.surface);
    ck_assert_int_eq(gy_canvas_save_png(&c, out("noise.png"), &err), GY_OK);
    size_t n;
    unsigned char *file = gy_test_read(out("noise.png"), &n);
    ck_assert_ptr_nonnull(file);
    /* signature, then IHDR, IDAT, IEND, each with its length and its CRC-32 (of type and data),
     * ending at the file's end */
    ck_assert(n > 8 && !memcmp(file, "\x89PNG\r\n\x1a\n", 8));
    static const char *const types[3] = {"IHDR", "IDAT", "IEND"};
    size_t at = 8;
    uint32_t idat = 0;
    for (int k = 0; k < 3; k++) {
        ck_assert_msg(at + 12 <= n, "chunk %d past the end", k);
        uint32_t len = (uint32_t)file[at] << 24 | (uint32_t)file[at + 1] << 16 |
                       (uint32_t)file[at + 2] << 8 | file[at + 3];
        ck_assert_msg(!memcmp(file + at + 4, types[k], 4), "chunk %d is not %s", k, types[k]);
        ck_assert_msg(at + 12 + len <= n, "%s of %u bytes past the end", types[k], len);
        const unsigned char *c4 = file + at + 8 + len;
        uint32_t crc = (uint32_t)c4[0] << 24 | (uint32_t)c4[1] << 16 | (uint32_t)c4[2] << 8 | c4[3];
        ck_assert_msg(crc == (uint32_t)crc32(0L, file + at + 4, (uInt)len + 4), "%s: CRC %08x",
                      types[k], crc);
        if (k == 1)
            idat = len;
        at += 12 + len;
    }
    ck_assert_uint_eq(at, n);
    free(file);
    ck_assert_msg(idat >= (1u << 24), "IDAT of %u bytes", idat);
    gy_image *im = load(out("noise.png"));
    ck_assert_int_eq(im->width, 3000);
    ck_assert_int_eq(im->height, 2000);
    size_t bad = 0;
    for (int y = 0; y < c.height; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < c.width; x++) {
            const unsigned char *p = im->data + ((size_t)y * (size_t)c.width + (size_t)x) * 3;
            bad += p[0] != (unsigned char)(row[x] >> 16) || p[1] != (unsigned char)(row[x] >> 8) ||
                   p[2] != (unsigned char)row[x];
        }
    }
    ck_assert_msg(bad == 0, "%zu pixels differ", bad);
    gy_image_free(im);
    gy_canvas_free(&c);
}
END_TEST

START_TEST(curves_colours_and_mean)
{
    gy_error err;
    gy_metrics_result r;
    /* 20 labelled classes: the colour cycle; 21: grey */
    for (int k = 20; k <= 21; k++) {
        fake_result(&r, k, 0);
        ck_assert_int_eq(gy_plot_mc_curve(out("p.png"), &r, NULL, GY_CURVE_P, &err), GY_OK);
        gy_metrics_result_clear(&r);
        gy_image *im = load(out("p.png"));
        ck_assert_int_eq(im->width, 2250);
        ck_assert_int_eq(im->height, 1500);
        /* (exactly: tab:grey, the cycle's 8th colour, is 127) */
        const int tab_blue = count_rgb(im, 0x1f, 0x77, 0xb4, 1), grey = count_rgb(im, 128, 128, 128, 0);
        if (k == 20)
            ck_assert_msg(tab_blue > 500 && grey < tab_blue / 20, "k 20: %d tab:blue, %d grey", tab_blue, grey);
        else
            ck_assert_msg(tab_blue == 0 && grey > 5000, "k 21: %d tab:blue, %d grey", tab_blue, grey);
        ck_assert_int_gt(count_rgb(im, 0, 0, 255, 1), 1000); /* the all-classes line */
        /* at the mean of the k rows: 0.2 + 0.02 (k - 1) / 2 */
        const axes a = find_axes(im, im->width / 4, im->height / 8);
        int first, last;
        ck_assert(rows_of(im, (a.left + a.right) / 2, a.top + 5, a.bottom - 5, 0, 0, 255, &first, &last));
        const double want = a.bottom - (0.2 + 0.01 * (k - 1)) * (a.bottom - a.top);
        ck_assert_msg(fabs((first + last) / 2.0 - want) <= 2.0, "k %d: mean at rows %d-%d, want %g", k,
                      first, last, want);
        gy_image_free(im);
    }
    /* the PR curve's own rule, the same bound: 20 classes in the colour cycle, 21 in grey */
    for (int k = 20; k <= 21; k++) {
        fake_result(&r, k, 0);
        ck_assert_int_eq(gy_plot_pr_curve(out("pr.png"), &r, NULL, &err), GY_OK);
        gy_metrics_result_clear(&r);
        gy_image *im = load(out("pr.png"));
        const int tab_blue = count_rgb(im, 0x1f, 0x77, 0xb4, 1), grey = count_rgb(im, 128, 128, 128, 3);
        if (k == 20)
            ck_assert_msg(tab_blue > 100, "PR, k 20: %d tab:blue, %d grey",
                          tab_blue, grey);
        else
            ck_assert_msg(tab_blue == 0 && grey > 100, "PR, k 21: %d tab:blue, %d grey", tab_blue,
                          grey);
        gy_image_free(im);
    }
    /* PR: a class without predictions is not drawn, and the mean is over the drawn ones: the
     * thick blue line at 0.3, nothing at 0.8 */
    fake_result(&r, 2, 1);
    ck_assert_int_eq(gy_plot_pr_curve(out("pr.png"), &r, NULL, &err), GY_OK);
    gy_metrics_result_clear(&r);
    gy_image *im = load(out("pr.png"));
    const axes a = find_axes(im, im->width / 4, im->height / 2);
    const int x = (a.left + a.right) / 2;
    int first, last;
    ck_assert(rows_of(im, x, a.top + 5, a.bottom - 5, 0, 0, 255, &first, &last));
    const double y03 = a.bottom - 0.3 * (a.bottom - a.top);
    ck_assert_msg(fabs((first + last) / 2.0 - y03) <= 2.0, "mean at rows %d-%d, 0.3 is %g", first, last, y03);
    const double y08 = a.bottom - 0.8 * (a.bottom - a.top);
    for (int y = (int)y08 - 3; y <= (int)y08 + 3; y++)
        ck_assert_msg(is_rgb(im, x, y, 255, 255, 255, 0), "something drawn at 0.8 (row %d)", y);
    gy_image_free(im);
    /* no curves: an error, no file; each of the three conditions alone (no result; curves
     * missing with classes; classes missing with curves), for both kinds of plot */
    for (int kind = 0; kind < 2; kind++) {
        for (int c = 0; c < 3; c++) {
            fake_result(&r, 2, 0);
            const double *keep_p = r.p_curve;
            if (c == 1) {
                r.p_curve = NULL;
                r.pr_curve = NULL;
            } else if (c == 2) {
                r.nclasses = 0;
            }
            const gy_metrics_result *arg = c == 0 ? NULL : &r;
            memset(&err, 0, sizeof err);
            gy_status st = kind ? gy_plot_mc_curve(out("none.png"), arg, NULL, GY_CURVE_R, &err)
                                : gy_plot_pr_curve(out("none.png"), arg, NULL, &err);
            ck_assert_msg(st == GY_ERR_ARGUMENT, "kind %d, case %d: status %d", kind, c, (int)st);
            char want[300];
            snprintf(want, sizeof want, "%s: no curves to plot", out("none.png"));
            ck_assert_str_eq(err.message, want);
            ck_assert_int_eq(access(out("none.png"), F_OK), -1);
            free(r.classes);
            free((void *)keep_p);
        }
    }
}
END_TEST

static Suite *plots_suite(void)
{
    Suite *s = suite_create("plots");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ticks_max_n_locator);
    tcase_add_test(tc, text_anchors);
    tcase_add_test(tc, chart_axis_labels);
    tcase_add_test(tc, luminance_like_seaborn);
    tcase_add_test(tc, legend_corner_best);
    tcase_add_test(tc, canvas_size_bounds);
    tcase_add_test(tc, matrix_x_labels_turned);
    tcase_add_test(tc, chart_line_and_legend);
    tcase_add_test(tc, png_chunk_over_16_mib);
    tcase_add_test(tc, chart_points_and_errors);
    tcase_add_test(tc, label_box_order);
    tcase_add_test(tc, chart_log_axes);
    tcase_add_test(tc, matrix_cells);
    tcase_add_test(tc, matrix_annotation_limit);
    tcase_add_test(tc, matrix_names_limit);
    tcase_add_test(tc, matrix_long_names);
    tcase_add_test(tc, curves_colours_and_mean);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(plots_suite()); }

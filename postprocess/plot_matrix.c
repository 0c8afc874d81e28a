/* plot_matrix.c - ConfusionMatrix.plot of ultralytics 8.0.126 (seaborn heatmap, 'notebook' context
 * with font_scale 1.0, or 0.8 from 50 classes: ticks 11 pt, labels and title 12 pt, times the
 * scale; seaborn's darkgrid style: no tick marks, labels 7 pt from the cells, dark grey text .15;
 * the axes background white; square cells; a colour bar without outline taking 15 % of the width
 * after a 5 % gap, 20 times as tall as wide). Tick labels along x turn vertical when they do not
 * fit their cell, along y they are vertical unless they do not fit (seaborn's rules). Where the
 * names would overlap (many classes) their size shrinks to the cell pitch so each stays legible. */
#include "postprocess/plot_matrix.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "postprocess/plot_canvas.h"

#define MATRIX_WIDTH_IN 12.0
#define MATRIX_HEIGHT_IN 9.0
#define MATRIX_DPI 250.0
#define ANNOT_PT 8.0
#define TICK_PAD_PT 7.0
#define LABEL_PAD_PT 4.0
#define TITLE_PAD_PT 6.0
#define LABEL_MAX_CHARS 24 /* longer tick labels are cut: the matrix keeps its room */
#define LABEL_BUF (LABEL_MAX_CHARS * 4 + 4)

static const gy_rgb dark = {0.15, 0.15, 0.15};

/* A label cut to LABEL_MAX_CHARS characters (UTF-8), with an ellipsis: into buf, or the name. */
static const char *cut_label(const char *name, char *buf, size_t size)
{
    size_t bytes = 0;
    int chars = 0;
    while (name[bytes] && chars < LABEL_MAX_CHARS) {
        bytes++;
        while ((name[bytes] & 0xc0) == 0x80) /* continuation bytes */
            bytes++;
        chars++;
    }
    if (!name[bytes] || bytes + 4 > size)
        return name[bytes] ? "" : name;
    memcpy(buf, name, bytes);
    memcpy(buf + bytes, "\xe2\x80\xa6", 4); /* U+2026 and the terminator */
    return buf;
}

/* The labels of the n cells: names + "background", or every k-th index. */
static int tick_labels(int n, const char *const *names, int use_names, double cell_px,
                       double font_px, char (*buf)[LABEL_BUF], const char **lab)
{
    if (use_names) {
        for (int i = 0; i < n - 1; i++)
            lab[i] = names[i] ? cut_label(names[i], buf[i], sizeof buf[i]) : "";
        lab[n - 1] = "background";
        return 1;
    }
    int every = (int)ceil(font_px / cell_px); /* seaborn's _auto_ticks: as many as fit */
    if (every < 1)
        every = 1;
    for (int i = 0; i < n; i++) {
        lab[i] = NULL;
        if (i % every == 0) {
            snprintf(buf[i], sizeof buf[i], "%d", i);
            lab[i] = buf[i];
        }
    }
    return every;
}

gy_status gy_plot_confusion_matrix(const char *path, const double *matrix, int nc,
                                   const char *const *names, int nnames, int normalize,
                                   gy_error *err)
{
    if (!matrix || nc < 1 || nc > GY_PLOT_MATRIX_MAX_NC || nnames < 0)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: cannot plot a confusion matrix of %d classes", path, nc);
    const int n = nc + 1;
    double *a = malloc(sizeof *a * (size_t)n * (size_t)n);
    const char **lab = malloc(sizeof *lab * (size_t)n);
    char(*numbuf)[LABEL_BUF] = malloc(sizeof *numbuf * (size_t)n);
    if (!a || !lab || !numbuf) {
        free(a);
        free(lab);
        free(numbuf);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
    }
    /* array = matrix / (column sums + 1e-9) if normalize; array[array < 0.005] = nan */
    double vmax = 0.0;
    for (int c = 0; c < n; c++) {
        double sum = 0.0;
        for (int r = 0; r < n; r++)
            sum += matrix[(size_t)r * n + c];
        for (int r = 0; r < n; r++) {
            double v = matrix[(size_t)r * n + c];
            if (normalize)
                v /= sum + 1e-9;
            if (v < 0.005)
                v = NAN;
            a[(size_t)r * n + c] = v;
            if (v > vmax)
                vmax = v;
        }
    }
    if (!(vmax > 0.0))
        vmax = 1.0;

    gy_canvas cv;
    gy_status status = gy_canvas_create(MATRIX_WIDTH_IN, MATRIX_HEIGHT_IN, MATRIX_DPI, &cv, err);
    if (status != GY_OK) {
        free(a);
        free(lab);
        free(numbuf);
        return status;
    }
    const double pt = cv.px_per_pt, scale = nc < 50 ? 1.0 : 0.8;
    const double tick_pt = 11.0 * scale, label_pt = 12.0 * scale, title_pt = 12.0 * scale;
    const double pad = 1.08 * 12.0 * scale * pt, tick_pad = TICK_PAD_PT * pt;
    const int use_names = nnames > 0 && nnames < 99 && nnames == nc && names;
    char title[64];
    snprintf(title, sizeof title, "Confusion Matrix%s", normalize ? " Normalized" : "");
    double w, h, title_h, xl_h, yl_h;
    gy_canvas_text_size(&cv, title, &(gy_text_style){title_pt, dark, 0, 1, 3, 0}, &w, &title_h);
    gy_canvas_text_size(&cv, "True", &(gy_text_style){label_pt, dark, 0, 1, 3, 0}, &w, &xl_h);
    gy_canvas_text_size(&cv, "Predicted", &(gy_text_style){label_pt, dark, 0, 1, 3, 0}, &w, &yl_h);

    /* first guess of the cell pitch (labels horizontal) to size the tick font, then the layout,
     * again until the side it gives is the side it started from (the tick font and labels then
     * fit the final cells; two or three passes in practice, at most 8) */
    double side = cv.height - 2 * pad - title_h - xl_h, font_pt = tick_pt, max_w = 0.0, lab_h = 0.0;
    double x_room = 0.0, y_room = 0.0, cell = 0.0;
    int x_vertical = 0, y_vertical = 1;
    double cbar_w = 0.0, cbar_lab_w = 0.0;
    for (int pass = 0; pass < 8; pass++) {
        const double prev = side;
        cell = side / n;
        font_pt = tick_pt;
        if (use_names && font_pt * pt > cell * 1.02) /* legible: no row runs into the next */
            font_pt = cell * 1.02 / pt;
        tick_labels(n, names, use_names, cell, font_pt * pt, numbuf, lab);
        max_w = 0.0;
        for (int i = 0; i < n; i++) {
            if (!lab[i])
                continue;
            gy_canvas_text_size(&cv, lab[i], &(gy_text_style){font_pt, dark, 0, 1, 1, 0}, &w, &lab_h);
            max_w = w > max_w ? w : max_w;
        }
        x_vertical = max_w > cell * 0.95;
        y_vertical = !(max_w > cell * 0.95);
        x_room = (x_vertical ? max_w : lab_h) + tick_pad;
        y_room = (y_vertical ? lab_h : max_w) + tick_pad;
        /* the colour bar's tick labels: up to "0.00" or the largest count */
        char big[32];
        snprintf(big, sizeof big, normalize ? "%.1f" : "%.0f", vmax);
        gy_canvas_text_size(&cv, big, &(gy_text_style){tick_pt, dark, 0, 0, 1, 0}, &cbar_lab_w, &h);
        const double left = pad + yl_h + LABEL_PAD_PT * pt + y_room;
        const double right = pad + cbar_lab_w + tick_pad;
        const double top = pad + title_h + TITLE_PAD_PT * pt;
        const double bottom = pad + xl_h + LABEL_PAD_PT * pt + x_room;
        const double box_w = (cv.width - left - right) * 0.80, box_h = cv.height - top - bottom;
        side = box_w < box_h ? box_w : box_h;
        cbar_w = side / 20.0;
        if (side < 8 || side == prev)
            break;
    }
    const double left = pad + yl_h + LABEL_PAD_PT * pt + y_room;
    const double top = pad + title_h + TITLE_PAD_PT * pt;
    const double bottom = pad + xl_h + LABEL_PAD_PT * pt + x_room;
    const double box_h = cv.height - top - bottom;
    if (side < n) /* (cannot happen with the labels cut and nc capped: a pixel per cell at least) */
        side = n;
    cell = side / n;
    /* the matrix, a gap of 4 % of its side and the colour bar, centred across the figure (seaborn
     * leaves the bar where the unshrunk axes ended, often an inch away) */
    const double gap = 0.04 * side, cbar_total = gap + cbar_w + tick_pad + cbar_lab_w;
    const double used = (left - pad) + side + cbar_total;
    const double shift = (cv.width - used) / 2 - pad;
    const double x0 = left + (shift > 0 ? shift : 0), y0 = top + (box_h - side) / 2;
    cairo_t *cr = cv.cr;

    /* cells */
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) {
            const double v = a[(size_t)r * n + c];
            if (isnan(v))
                continue;
            gy_canvas_set_color(&cv, gy_cmap_blues(v / vmax), 1.0);
            /* whole pixels from edge to edge, so neighbouring cells leave no seams */
            const double xa = round(x0 + c * cell), xb = round(x0 + (c + 1) * cell);
            const double ya = round(y0 + r * cell), yb = round(y0 + (r + 1) * cell);
            cairo_rectangle(cr, xa, ya, xb - xa, yb - ya);
            cairo_fill(cr);
        }
    if (nc < 30) /* annot=nc < 30: the value in each coloured cell */
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) {
                const double v = a[(size_t)r * n + c];
                if (isnan(v))
                    continue;
                char text[32];
                snprintf(text, sizeof text, normalize ? "%.2f" : "%.0f", v);
                const gy_rgb col = gy_cmap_blues(v / vmax);
                const gy_rgb ink = gy_rgb_luminance(col) > 0.408 ? dark : gy_rgb_grey(1.0);
                gy_canvas_text(&cv, x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell, text,
                               &(gy_text_style){ANNOT_PT, ink, 0, 1, 1, 0});
            }
    /* tick labels */
    for (int i = 0; i < n; i++) {
        if (!lab[i])
            continue;
        const double cx = x0 + (i + 0.5) * cell, cy = y0 + (i + 0.5) * cell;
        if (x_vertical)
            gy_canvas_text(&cv, cx, y0 + side + tick_pad, lab[i], &(gy_text_style){font_pt, dark, 0, 2, 1, 90});
        else
            gy_canvas_text(&cv, cx, y0 + side + tick_pad, lab[i], &(gy_text_style){font_pt, dark, 0, 1, 0, 0});
        if (y_vertical)
            gy_canvas_text(&cv, x0 - tick_pad, cy, lab[i], &(gy_text_style){font_pt, dark, 0, 1, 3, 90});
        else
            gy_canvas_text(&cv, x0 - tick_pad, cy, lab[i], &(gy_text_style){font_pt, dark, 0, 2, 1, 0});
    }
    /* axis labels and title: centred on the axes box, as matplotlib places them */
    gy_canvas_text(&cv, x0 + side / 2, cv.height - pad, "True", &(gy_text_style){label_pt, dark, 0, 1, 3, 0});
    gy_canvas_text(&cv, x0 - (left - pad), y0 + side / 2, "Predicted",
                   &(gy_text_style){label_pt, dark, 0, 1, 0, 90});
    gy_canvas_text(&cv, x0 + side / 2, y0 - TITLE_PAD_PT * pt, title,
                   &(gy_text_style){title_pt, dark, 0, 1, 3, 0});

    /* the colour bar: as tall as the matrix, 256 bands from 0 to vmax */
    const double bx = x0 + side + gap, by = y0;
    const double bar_h = side;
    for (int k = 0; k < 256; k++) {
        gy_canvas_set_color(&cv, gy_cmap_blues((k + 0.5) / 256.0), 1.0);
        const double ya = round(by + bar_h * (255 - k) / 256.0), yb = round(by + bar_h * (256 - k) / 256.0);
        cairo_rectangle(cr, bx, ya, cbar_w, yb - ya);
        cairo_fill(cr);
    }
    /* its ticks, at most 9 bins, as many as the bar holds two label heights apart */
    {
        int nb = (int)floor(bar_h / pt / (tick_pt * 2));
        gy_ticks t;
        gy_plot_ticks(0.0, vmax, nb < 9 ? nb : 9, &t);
        for (int k = 0; k < t.n; k++)
            gy_canvas_text(&cv, bx + cbar_w + tick_pad, by + bar_h * (1.0 - t.v[k] / vmax), t.text[k],
                           &(gy_text_style){tick_pt, dark, 0, 0, 1, 0});
    }
    status = gy_canvas_save_png(&cv, path, err);
    gy_canvas_free(&cv);
    free(a);
    free(lab);
    free(numbuf);
    return status;
}

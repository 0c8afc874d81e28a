/* plot_canvas.h - the drawing surface under the plots (Cairo): a figure of W x H inches at a dpi,
 * sizes in points (1/72 inch) as matplotlib gives them, text in DejaVu Sans (matplotlib's default
 * font), colours and colour maps, and the PNG (zlib) written through a temporary name. */
#ifndef GY_POSTPROCESS_PLOT_CANVAS_H
#define GY_POSTPROCESS_PLOT_CANVAS_H

#include <cairo.h>

#include "ghostyolo.h"

typedef struct gy_rgb {
    double r, g, b;
} gy_rgb;

typedef struct gy_canvas {
    cairo_surface_t *surface;
    cairo_t *cr;
    int width, height; /* pixels */
    double px_per_pt;  /* dpi / 72 */
} gy_canvas;

/* A white figure of width x height inches at dpi. */
gy_status gy_canvas_create(double width_in, double height_in, double dpi, gy_canvas *c,
                           gy_error *err);
void gy_canvas_free(gy_canvas *c);
/* Writes the figure as an 8-bit RGB PNG to path (through "<path>.tmp.<pid>" and rename). */
gy_status gy_canvas_save_png(gy_canvas *c, const char *path, gy_error *err);

/* Text alignment: h 0 left, 1 centre, 2 right; v 0 top, 1 centre, 2 baseline, 3 bottom (of the
 * font's ascent/descent box, so labels of one row line up whatever their letters). */
typedef struct gy_text_style {
    double size_pt;
    gy_rgb color;
    int bold;
    int h, v;
    double angle_deg; /* counter-clockwise, about the anchor */
} gy_text_style;

/* Width and height (ascent + descent) of text in pixels, unrotated. */
void gy_canvas_text_size(gy_canvas *c, const char *text, const gy_text_style *s, double *w,
                         double *h);
/* Draws text with its anchor at (x, y) pixels. */
void gy_canvas_text(gy_canvas *c, double x, double y, const char *text, const gy_text_style *s);

void gy_canvas_set_color(gy_canvas *c, gy_rgb color, double alpha);

/* Axis ticks as matplotlib's MaxNLocator(nbins, steps=[1, 2, 2.5, 5, 10]) places them: the smallest
 * nice step with at most nbins bins over [lo, hi], the ticks inside, and their labels with the
 * decimals the step needs ("0.0", "0.2", ...; a minus sign for negatives). */
#define GY_PLOT_MAX_TICKS 32
typedef struct gy_ticks {
    int n;
    double v[GY_PLOT_MAX_TICKS];
    char text[GY_PLOT_MAX_TICKS][32];
} gy_ticks;
void gy_plot_ticks(double lo, double hi, int nbins, gy_ticks *t);

/* Releases the process-wide font caches Cairo's text and fontconfig keep (they would otherwise be
 * reported as leaks at exit): cairo_debug_reset_static_data() and FcFini(). Only when nothing in the
 * process uses Cairo or fontconfig any more (a command about to exit, a test); the next text drawn
 * loads them again. */
void gy_canvas_release_fonts(void);

/* matplotlib's default colour cycle (tab10), entry i modulo 10. */
gy_rgb gy_color_cycle(int i);
/* matplotlib's 'Blues' colour map at t in [0, 1], quantised to its 256 entries. */
gy_rgb gy_cmap_blues(double t);
/* Relative luminance (seaborn's rule for the colour of a value written on a cell). */
double gy_rgb_luminance(gy_rgb c);
gy_rgb gy_rgb_grey(double level);

#endif

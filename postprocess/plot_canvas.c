/* plot_canvas.c - a Cairo image surface with matplotlib's units, DejaVu Sans text, colours, and
 * PNG output (png_encode.c) through gy_write_file_atomic. */
#include "postprocess/plot_canvas.h"

#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "postprocess/png_encode.h"

#define CANVAS_MAX_PIXELS (1 << 26) /* 8192 x 8192 */
#define CANVAS_FONT "DejaVu Sans"
#define CANVAS_PI 3.14159265358979323846

gy_status gy_canvas_create(double width_in, double height_in, double dpi, gy_canvas *c,
                           gy_error *err)
{
    memset(c, 0, sizeof *c);
    const double w = width_in * dpi, h = height_in * dpi;
    if (!(w >= 16 && h >= 16 && w * h <= CANVAS_MAX_PIXELS))
        return gy_fail(err, GY_ERR_ARGUMENT, "plot: a %g x %g inch figure at %g dpi is out of range",
                       width_in, height_in, dpi);
    c->width = (int)lround(w);
    c->height = (int)lround(h);
    c->px_per_pt = dpi / 72.0;
    c->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, c->width, c->height);
    if (cairo_surface_status(c->surface) != CAIRO_STATUS_SUCCESS) {
        gy_canvas_free(c);
        return gy_fail(err, GY_ERR_NOMEM, "plot: out of memory for a %d x %d image",
                       (int)lround(w), (int)lround(h));
    }
    c->cr = cairo_create(c->surface);
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS) {
        gy_canvas_free(c);
        return gy_fail(err, GY_ERR_NOMEM, "plot: out of memory drawing on a %d x %d image",
                       (int)lround(w), (int)lround(h));
    }
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_paint(c->cr);
    return GY_OK;
}

void gy_canvas_free(gy_canvas *c)
{
    if (c->cr)
        cairo_destroy(c->cr);
    if (c->surface)
        cairo_surface_destroy(c->surface);
    memset(c, 0, sizeof *c);
}

typedef struct canvas_rows {
    const unsigned char *px;
    int stride, width;
} canvas_rows;

static void canvas_row(void *ctx, int y, unsigned char *o)
{
    const canvas_rows *r = ctx;
    const uint32_t *src = (const uint32_t *)(const void *)(r->px + (size_t)y * (size_t)r->stride);
    for (int x = 0; x < r->width; x++) { /* CAIRO_FORMAT_RGB24: 0xXXRRGGBB in native order */
        *o++ = (unsigned char)(src[x] >> 16);
        *o++ = (unsigned char)(src[x] >> 8);
        *o++ = (unsigned char)src[x];
    }
}

/* 8-bit RGB PNG with no filter and zlib level 6 (gy_png_options_plot): for plots (large flat
 * areas) smaller and about twice as fast as libpng's adaptive filters, which Cairo's writer
 * uses. */
gy_status gy_canvas_save_png(gy_canvas *c, const char *path, gy_error *err)
{
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS)
        return gy_fail(err, GY_ERR_NOMEM, "%s: drawing failed: %s", path,
                       cairo_status_to_string(cairo_status(c->cr)));
    cairo_surface_flush(c->surface);
    canvas_rows r = {cairo_image_surface_get_data(c->surface),
                     cairo_image_surface_get_stride(c->surface), c->width};
    const gy_png_options o = gy_png_options_plot();
    gy_strbuf b = {0};
    gy_status st = gy_png_encode(c->width, c->height, canvas_row, &r, &o, &b, path, err);
    if (st == GY_OK)
        st = gy_write_file_atomic(path, b.s, b.len, err);
    free(b.s);
    return st;
}

static void set_font(gy_canvas *c, const gy_text_style *s)
{
    cairo_select_font_face(c->cr, CANVAS_FONT, CAIRO_FONT_SLANT_NORMAL,
                           s->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(c->cr, s->size_pt * c->px_per_pt);
}

void gy_canvas_text_size(gy_canvas *c, const char *text, const gy_text_style *s, double *w,
                         double *h)
{
    set_font(c, s);
    cairo_text_extents_t te;
    cairo_font_extents_t fe;
    cairo_text_extents(c->cr, text, &te);
    cairo_font_extents(c->cr, &fe);
    *w = te.x_advance;
    *h = fe.ascent + fe.descent;
}

void gy_canvas_text(gy_canvas *c, double x, double y, const char *text, const gy_text_style *s)
{
    if (!text || !*text)
        return;
    set_font(c, s);
    cairo_text_extents_t te;
    cairo_font_extents_t fe;
    cairo_text_extents(c->cr, text, &te);
    cairo_font_extents(c->cr, &fe);
    const double dx = s->h == 0 ? 0.0 : s->h == 1 ? -te.x_advance / 2 : -te.x_advance;
    double dy;
    switch (s->v) {
    case 0: dy = fe.ascent; break;
    case 1: dy = (fe.ascent - fe.descent) / 2; break;
    case 2: dy = 0.0; break;
    default: dy = -fe.descent; break;
    }
    cairo_save(c->cr);
    cairo_translate(c->cr, x, y);
    cairo_rotate(c->cr, -s->angle_deg * CANVAS_PI / 180.0);
    cairo_move_to(c->cr, dx, dy);
    cairo_set_source_rgb(c->cr, s->color.r, s->color.g, s->color.b);
    cairo_show_text(c->cr, text);
    cairo_new_path(c->cr);
    cairo_restore(c->cr);
}

void gy_canvas_set_color(gy_canvas *c, gy_rgb color, double alpha)
{
    cairo_set_source_rgba(c->cr, color.r, color.g, color.b, alpha);
}

/* MaxNLocator(nbins, steps=[1, 2, 2.5, 5, 10]): the smallest nice step with at most nbins bins
 * over [lo, hi], the ticks inside, labelled with the decimals the step needs. */
void gy_plot_ticks(double lo, double hi, int nbins, gy_ticks *t)
{
    static const double mult[4] = {1.0, 2.0, 2.5, 5.0};
    if (nbins < 1)
        nbins = 1;
    const double raw = (hi - lo) / nbins;
    double step = raw;
    int found = 0;
    for (int e = (int)floor(log10(raw)) - 1; e <= (int)floor(log10(raw)) + 2 && !found; e++)
        for (int m = 0; m < 4 && !found; m++) {
            const double st = mult[m] * pow(10.0, e);
            const double bins = ceil(hi / st - 1e-9) - floor(lo / st + 1e-9);
            if (bins <= nbins) {
                step = st;
                found = 1;
            }
        }
    int dec = 0;
    while (dec < 10 && fabs(step * pow(10.0, dec) - round(step * pow(10.0, dec))) >
                           1e-6 * step * pow(10.0, dec))
        dec++;
    t->n = 0;
    for (double k = ceil(lo / step - 1e-9); k <= floor(hi / step + 1e-9) && t->n < GY_PLOT_MAX_TICKS; k++) {
        double v = k * step;
        if (fabs(v) < step * 1e-9)
            v = 0.0;
        t->v[t->n] = v;
        char num[24];
        snprintf(num, sizeof num, "%.*f", dec, fabs(v));
        snprintf(t->text[t->n], sizeof t->text[t->n], "%s%s", v < 0 ? "\xe2\x88\x92" : "", num);
        t->n++;
    }
}

void gy_canvas_release_fonts(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

static gy_rgb hex(unsigned v)
{
    return (gy_rgb){((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0};
}

gy_rgb gy_color_cycle(int i)
{
    /* matplotlib's tab10 (its default property cycle) */
    static const unsigned tab10[10] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                       0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    return hex(tab10[((i % 10) + 10) % 10]);
}

gy_rgb gy_cmap_blues(double t)
{
    /* ColorBrewer's 9-class Blues, the stops of matplotlib's 'Blues', linearly interpolated */
    static const unsigned stops[9] = {0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6,
                                      0x4292c6, 0x2171b5, 0x08519c, 0x08306b};
    if (!(t >= 0.0))
        t = 0.0;
    if (t > 1.0)
        t = 1.0;
    int idx = (int)(t * 256.0); /* the 256-entry lookup table */
    if (idx > 255)
        idx = 255;
    const double u = idx / 255.0 * 8.0;
    int k = (int)u;
    if (k > 7)
        k = 7;
    const double f = u - k;
    const gy_rgb a = hex(stops[k]), b = hex(stops[k + 1]);
    return (gy_rgb){a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

static double lin(double v)
{
    return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

double gy_rgb_luminance(gy_rgb c)
{
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

gy_rgb gy_rgb_grey(double level)
{
    return (gy_rgb){level, level, level};
}

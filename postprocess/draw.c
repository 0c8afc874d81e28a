/* draw.c - box outlines and "name score" labels on an RGB image, in the manner of ultralytics'
 * Annotator (cv2 path): the Colors palette, line width max(round(sum(shape) / 2 * 0.003), 2),
 * labels on a class-coloured background above the box (below its top edge when there is no room),
 * boxes drawn from the last (lowest score) to the first so the best ends on top.
 * Text comes from stb_easy_font (quads) rasterised here; everything is clipped to the image.
 */
#include "postprocess/draw.h"

#include <math.h>
#include <stdio.h>

/* stb_easy_font is a single header whose functions are all static (no implementation macro):
 * included in this one file. When it is not found as a system header its own code warns about
 * unused static functions and a brace-less struct initializer; silence only those, only for it.
 * Its one mutable static (the spacing set by stb_easy_font_spacing) is never written here. */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#endif
#include <stb/stb_easy_font.h>
#include "core/util.h"
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* Glyph rows used by stb_easy_font's printable ASCII (0..8, descenders included). */
#define FONT_ROWS 9
/* Padding around the text, in font pixels. */
#define PAD_X 2
#define PAD_Y 1
#define LABEL_MAX 256
#define SCALE_MAX 64
/* Coordinates are clamped to this before any arithmetic so nothing can overflow. */
#define COORD_LIMIT (1LL << 30)

/* ultralytics/yolo/utils/plotting.py, Colors.hexs (RGB). */
static const unsigned char palette[20][3] = {
    {0xFF, 0x38, 0x38}, {0xFF, 0x9D, 0x97}, {0xFF, 0x70, 0x1F}, {0xFF, 0xB2, 0x1D},
    {0xCF, 0xD2, 0x31}, {0x48, 0xF9, 0x0A}, {0x92, 0xCC, 0x17}, {0x3D, 0xDB, 0x86},
    {0x1A, 0x93, 0x34}, {0x00, 0xD4, 0xBB}, {0x2C, 0x99, 0xA8}, {0x00, 0xC2, 0xFF},
    {0x34, 0x45, 0x93}, {0x64, 0x73, 0xFF}, {0x00, 0x18, 0xEC}, {0x84, 0x38, 0xFF},
    {0x52, 0x00, 0x85}, {0xCB, 0x38, 0xFF}, {0xFF, 0x95, 0xC8}, {0xFF, 0x37, 0xC7},
};

void gy_class_color(int class_id, unsigned char rgb[3])
{
    if (!rgb)
        return;
    int i = class_id % 20; /* Python's % is a floor modulo: negative ids wrap to 0..19 too */
    if (i < 0)
        i += 20;
    rgb[0] = palette[i][0];
    rgb[1] = palette[i][1];
    rgb[2] = palette[i][2];
}

static int image_ok(const gy_image *img)
{
    return img && img->data && img->width > 0 && img->height > 0;
}

static long long clamp_ll(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Fills [x0, x1) x [y0, y1), clipped to the image. */
static void fill_rect(gy_image *img, long long x0, long long y0, long long x1, long long y1,
                      const unsigned char rgb[3])
{
    x0 = clamp_ll(x0, 0, img->width);
    x1 = clamp_ll(x1, 0, img->width);
    y0 = clamp_ll(y0, 0, img->height);
    y1 = clamp_ll(y1, 0, img->height);
    for (long long y = y0; y < y1; y++) {
        unsigned char *row = img->data + ((size_t)y * (size_t)img->width + (size_t)x0) * 3;
        for (long long x = x0; x < x1; x++) {
            row[0] = rgb[0];
            row[1] = rgb[1];
            row[2] = rgb[2];
            row += 3;
        }
    }
}

/* The stroke of thickness t is centred on each edge: it covers t pixels starting t / 2 before the
 * edge (t = 1: the edge itself; t = 3: one pixel either side), like cv2's thick lines. */
void gy_draw_rect(gy_image *img, int x1, int y1, int x2, int y2, int thickness,
                  const unsigned char rgb[3])
{
    if (!image_ok(img) || !rgb)
        return;
    long long ax = x1 < x2 ? x1 : x2, bx = x1 < x2 ? x2 : x1;
    long long ay = y1 < y2 ? y1 : y2, by = y1 < y2 ? y2 : y1;
    long long t = thickness < 1 ? 1 : thickness;
    long long half = t / 2;
    long long ox0 = ax - half, ox1 = bx - half + t; /* outer bounds, exclusive end */
    long long oy0 = ay - half, oy1 = by - half + t;
    fill_rect(img, ox0, oy0, ox1, oy0 + t, rgb);                 /* top */
    fill_rect(img, ox0, oy1 - t, ox1, oy1, rgb);                 /* bottom */
    fill_rect(img, ox0, oy0 + t, ox0 + t, oy1 - t, rgb);         /* left */
    fill_rect(img, ox1 - t, oy0 + t, ox1, oy1 - t, rgb);         /* right */
}

/* Copies text keeping only what stb_easy_font can draw (printable ASCII, one line). */
static void sanitize_text(const char *text, char *buf, size_t cap)
{
    size_t n = 0;
    for (; text[n] && n + 1 < cap; n++) {
        unsigned char c = (unsigned char)text[n];
        buf[n] = (c >= 32 && c <= 126) ? (char)c : '?';
    }
    buf[n] = '\0';
}

static int clamp_scale(int scale)
{
    return scale < 1 ? 1 : scale > SCALE_MAX ? SCALE_MAX : scale;
}

/* Label box size in pixels for sanitized text. */
static void label_size(char *text, int scale, long long *w, long long *h)
{
    *w = ((long long)stb_easy_font_width(text) + 2 * PAD_X) * scale;
    *h = (long long)(FONT_ROWS + 2 * PAD_Y) * scale;
}

/* Rasterises the glyph quads of text with the font's top-left at (ox, oy), magnified by scale. */
static void draw_text(gy_image *img, long long ox, long long oy, char *text, int scale,
                      const unsigned char fg[3])
{
    /* One character at a time into a fixed buffer: no allocation. 64 quads is far more than any
     * glyph uses (11 at most); the buffer is typed for both views stb writes through. */
    union {
        float f[64 * 4 * 4];
        stb_easy_font_color c[64 * 4 * 4];
    } vb;
    long long pen = 0;
    for (char *p = text; *p; p++) {
        char one[2] = {*p, '\0'};
        int quads = stb_easy_font_print(0.0f, 0.0f, one, NULL, &vb, (int)sizeof vb);
        for (int q = 0; q < quads; q++) {
            const float *v0 = &vb.f[(q * 4 + 0) * 4]; /* top-left vertex */
            const float *v2 = &vb.f[(q * 4 + 2) * 4]; /* bottom-right vertex */
            long long qx0 = pen + (long long)v0[0], qy0 = (long long)v0[1];
            long long qx1 = pen + (long long)v2[0], qy1 = (long long)v2[1];
            fill_rect(img, ox + qx0 * scale, oy + qy0 * scale, ox + qx1 * scale, oy + qy1 * scale,
                      fg);
        }
        pen += stb_easy_font_width(one);
    }
}

void gy_draw_label(gy_image *img, int x, int y, const char *text, int scale,
                   const unsigned char bg[3], const unsigned char fg[3])
{
    if (!image_ok(img) || !text || !*text || !bg || !fg)
        return;
    char buf[LABEL_MAX];
    sanitize_text(text, buf, sizeof buf);
    scale = clamp_scale(scale);
    long long w, h;
    label_size(buf, scale, &w, &h);
    long long left = x, top = (long long)y - h + 1; /* (x, y) is the bottom-left pixel */
    if (left + w > img->width)
        left = img->width - w;
    if (left < 0)
        left = 0;
    if (top + h > img->height)
        top = img->height - h;
    if (top < 0)
        top = 0;
    fill_rect(img, left, top, left + w, top + h, bg);
    draw_text(img, left + (long long)PAD_X * scale, top + (long long)PAD_Y * scale, buf, scale, fg);
}

/* int() of a Python float (toward zero), clamped to a range where later arithmetic is safe. */
static int to_pixel(float v)
{
    double d = trunc((double)v);
    const double lim = (double)COORD_LIMIT;
    d = d < -lim ? -lim : d > lim ? lim : d;
    return (int)d;
}

/* White text on dark backgrounds, black on light ones (BT.601 luma). */
static void text_color_for(const unsigned char bg[3], unsigned char fg[3])
{
    unsigned luma = 299u * bg[0] + 587u * bg[1] + 114u * bg[2]; /* x 1000 */
    unsigned char v = luma >= 150000u ? 0 : 255;
    fg[0] = fg[1] = fg[2] = v;
}

void gy_draw_detections(gy_image *img, const gy_box *boxes, int count,
                        const char *(*names)(const void *ctx, int class_id), const void *ctx)
{
    gy_draw_detections_opts(img, boxes, count, names, ctx, NULL);
}

void gy_draw_detections_opts(gy_image *img, const gy_box *boxes, int count,
                             const char *(*names)(const void *ctx, int class_id), const void *ctx,
                             const gy_draw_options *opts)
{
    if (!image_ok(img) || !boxes || count <= 0)
        return;
    gy_draw_options defaults = {0, 0, 0};
    if (!opts)
        opts = &defaults;
    /* Annotator: lw = line_width or max(round(sum(im.shape) / 2 * 0.003), 2) with
     * im.shape = (h, w, 3). */
    double lwd = gy_py_round(((double)img->height + (double)img->width + 3.0) / 2.0 * 0.003);
    if (opts->line_width > 0)
        lwd = opts->line_width;
    int lw = lwd < 2.0 && opts->line_width <= 0 ? 2 : lwd > 1000.0 ? 1000 : (int)lwd;
    /* cv2's text at fontScale lw / 3 is about 7.3 * lw + 3 pixels tall; the label here is
     * 11 * scale pixels tall. */
    int scale = clamp_scale((2 * lw + 2) / 3);
    for (int i = count - 1; i >= 0; i--) {
        const gy_box *b = &boxes[i];
        if (!isfinite(b->x1) || !isfinite(b->y1) || !isfinite(b->x2) || !isfinite(b->y2))
            continue;
        unsigned char color[3], fg[3];
        gy_class_color(b->class_id, color);
        int x1 = to_pixel(b->x1), y1 = to_pixel(b->y1);
        gy_draw_rect(img, x1, y1, to_pixel(b->x2), to_pixel(b->y2), lw, color);

        if (opts->hide_labels)
            continue;
        const char *name = names ? names(ctx, b->class_id) : NULL;
        char idbuf[32];
        if (!name) {
            snprintf(idbuf, sizeof idbuf, "%d", b->class_id);
            name = idbuf;
        }
        char label[LABEL_MAX];
        if (b->score != 0.0f && !opts->hide_conf) /* f'{name} {conf:.2f}' if conf else name */
            snprintf(label, sizeof label, "%s %.2f", name, (double)b->score);
        else
            snprintf(label, sizeof label, "%s", name);
        char clean[LABEL_MAX];
        sanitize_text(label, clean, sizeof clean);
        long long lw_px, lh_px;
        label_size(clean, scale, &lw_px, &lh_px);
        /* Above the box when it fits, else just below its top edge. */
        long long bottom = (long long)y1 - lh_px + 1 >= 0 ? y1 : (long long)y1 + lh_px - 1;
        bottom = clamp_ll(bottom, -COORD_LIMIT, COORD_LIMIT);
        text_color_for(color, fg);
        gy_draw_label(img, x1, (int)bottom, clean, scale, color, fg);
    }
}

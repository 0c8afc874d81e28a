/* draw.h - annotating an RGB image: box outlines and labels (stb_easy_font for text). */
#ifndef GY_POSTPROCESS_DRAW_H
#define GY_POSTPROCESS_DRAW_H

#include "ghostyolo.h"

/* ultralytics' colour palette entry for a class id (RGB). */
void gy_class_color(int class_id, unsigned char rgb[3]);
/* Draws a rectangle outline of the given thickness, clipped to the image. */
void gy_draw_rect(gy_image *img, int x1, int y1, int x2, int y2, int thickness,
                  const unsigned char rgb[3]);
/* Draws label text on a filled background with its bottom-left corner at (x, y) (moved inside the
 * image when needed); scale >= 1 magnifies the 8-pixel font. */
void gy_draw_label(gy_image *img, int x, int y, const char *text, int scale,
                   const unsigned char bg[3], const unsigned char fg[3]);
/* Draws every box with "name score" labels, as ultralytics' plotted results. names(id) may
 * return NULL. */
void gy_draw_detections(gy_image *img, const gy_box *boxes, int count,
                        const char *(*names)(const void *ctx, int class_id), const void *ctx);

/* ultralytics' plotting options (line_width, show_labels, show_conf). */
typedef struct gy_draw_options {
    int line_width;  /* 0: ultralytics' max(round((h + w + 3) / 2 * 0.003), 2); the font follows */
    int hide_labels; /* boxes only */
    int hide_conf;   /* labels without the score */
} gy_draw_options;

/* gy_draw_detections with options (NULL: the defaults). */
void gy_draw_detections_opts(gy_image *img, const gy_box *boxes, int count,
                             const char *(*names)(const void *ctx, int class_id), const void *ctx,
                             const gy_draw_options *opts);

#endif

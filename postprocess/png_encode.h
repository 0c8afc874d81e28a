/* png_encode.h - 8-bit RGB PNG in memory: each row filtered, all of them deflated by zlib into one
 * IDAT chunk. Saved pictures use the settings cv2.imwrite writes PNG with by default (what
 * ultralytics saves): the Sub filter on every row, zlib level 1 (Z_BEST_SPEED), strategy Z_RLE;
 * the plots use no filter and level 6 (flat areas; matplotlib's level). */
#ifndef GY_POSTPROCESS_PNG_ENCODE_H
#define GY_POSTPROCESS_PNG_ENCODE_H

#include <stddef.h>

#include "core/error.h"
#include "core/util.h"

typedef enum gy_png_filter { GY_PNG_FILTER_NONE = 0, GY_PNG_FILTER_SUB = 1 } gy_png_filter;

typedef struct gy_png_options {
    gy_png_filter filter;
    int level;    /* zlib's compression level, 0-9 */
    int strategy; /* zlib's strategy: Z_DEFAULT_STRATEGY, Z_RLE, ... */
} gy_png_options;

/* cv2.imwrite's defaults, and the plots'. */
gy_png_options gy_png_options_cv2(void);
gy_png_options gy_png_options_plot(void);

/* 1 when a width x height picture can be encoded: 1 to 2^26 pixels (8192 x 8192), else 0. */
int gy_png_size_ok(int width, int height);

/* Writes row y of the picture as 3 * width bytes R, G, B into rgb. */
typedef void (*gy_png_row_fn)(void *ctx, int y, unsigned char *rgb);

/* Appends the PNG of a width x height picture (gy_png_size_ok) to out;
 * GY_ERR_NOMEM when memory runs out (out is then to be freed and dropped), GY_ERR_ARGUMENT for a
 * size or option out of range. `path` only names the file in messages. */
gy_status gy_png_encode(int width, int height, gy_png_row_fn row, void *ctx,
                        const gy_png_options *o, gy_strbuf *out, const char *path, gy_error *err);

/* The same for packed rows of RGB bytes, `stride` bytes apart. */
gy_status gy_png_encode_rgb(const unsigned char *rgb, int width, int height, size_t stride,
                            const gy_png_options *o, gy_strbuf *out, const char *path,
                            gy_error *err);

#endif

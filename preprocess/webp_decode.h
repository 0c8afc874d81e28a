/* webp_decode.h - WebP decoding through libwebp, as cv2.imread(path, IMREAD_COLOR) decodes it:
 * RGB out, alpha dropped (not composited), no premultiplication. */
#ifndef GY_PREPROCESS_WEBP_DECODE_H
#define GY_PREPROCESS_WEBP_DECODE_H

#include <stddef.h>

#include "ghostyolo.h"

/* 1 when data is a RIFF container of type WEBP. */
int gy_webp_is_webp(const unsigned char *data, size_t size);

/* Decodes the still WebP in data[0..size) into a new malloc'd w x h RGB buffer (*rgb, caller
 * frees). The size is read from the header and refused when w * h > max_pixels before decoding.
 * Animated WebP is refused. Errors name path. */
gy_status gy_webp_decode(const char *path, const unsigned char *data, size_t size,
                         long long max_pixels, unsigned char **rgb, int *width, int *height,
                         gy_error *err);

#endif

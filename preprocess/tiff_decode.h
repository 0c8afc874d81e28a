/* tiff_decode.h - TIFF decoding through libtiff, as cv2.imread(path, IMREAD_COLOR) reads it: the
 * first page through libtiff's RGBA reader (cv2 reads every 8-bit destination through it: the
 * stored samples of 8-bit grey and RGB, palettes looked up, 16-bit samples mapped to 8 bits by
 * libtiff, unassociated alpha premultiplied by libtiff, then alpha dropped), oriented top-left,
 * RGB out. Floating-point samples are refused (cv2 reads them only as float images). */
#ifndef GY_PREPROCESS_TIFF_DECODE_H
#define GY_PREPROCESS_TIFF_DECODE_H

#include <stddef.h>

#include "ghostyolo.h"

/* 1 when data starts as a TIFF does ("II*\0" or "MM\0*"; BigTIFF: "II+\0" or "MM\0+"). */
int gy_tiff_is_tiff(const unsigned char *data, size_t size);

/* Decodes the first page of the TIFF in data[0..size) into a new malloc'd w x h RGB buffer (*rgb,
 * caller frees). The size is read from the header and refused when w * h > max_pixels before
 * decoding. libtiff's messages go into the error, never to stderr. Errors name path. */
gy_status gy_tiff_decode(const char *path, const unsigned char *data, size_t size,
                         long long max_pixels, unsigned char **rgb, int *width, int *height,
                         gy_error *err);

#endif

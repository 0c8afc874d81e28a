/* jpeg_decode.h - JPEG decoding through libjpeg-turbo, as cv2.imread(path, IMREAD_COLOR) decodes:
 * libjpeg's default decompression parameters, so the pixels are byte-identical to OpenCV's. */
#ifndef GY_PREPROCESS_JPEG_DECODE_H
#define GY_PREPROCESS_JPEG_DECODE_H

#include <stddef.h>

#include "ghostyolo.h"

/* Progressive JPEGs with more scans than this are refused (a many-scan file costs a full pass over
 * the coefficients per scan; real encoders write about 10). */
#define GY_JPEG_MAX_SCANS 1000

/* 1 when data starts with the JPEG signature cv2 recognises (FF D8 FF). */
int gy_jpeg_is_jpeg(const unsigned char *data, size_t size);

/* Decodes the JPEG in data[0..size) into a new malloc'd w x h RGB buffer (*rgb, caller frees).
 * Grey becomes three equal channels; Adobe CMYK/YCCK is read as CMYK and converted like OpenCV
 * (inverted CMYK as Adobe writes it). The width and height come from the header and are refused
 * when w * h > max_pixels before anything is decoded. A truncated file is an error (libjpeg would
 * pad it with grey); other corrupt-data warnings are tolerated as cv2 tolerates them. Errors
 * name path. EXIF orientation is not applied here. */
gy_status gy_jpeg_decode(const char *path, const unsigned char *data, size_t size,
                         long long max_pixels, unsigned char **rgb, int *width, int *height,
                         gy_error *err);

#endif

/* resize.h - uint8 image resizing bit-compatible with OpenCV's cv2.resize (INTER_LINEAR, INTER_AREA).
 * Images are interleaved HWC with `channels` channels (1..4), rows tightly packed. */
#ifndef GY_PREPROCESS_RESIZE_H
#define GY_PREPROCESS_RESIZE_H

#include "ghostyolo.h"

typedef enum gy_interp { GY_INTER_LINEAR, GY_INTER_AREA } gy_interp;

/* Resizes src (sw x sh) into dst (dw x dh), both caller-allocated. Returns GY_ERR_ARGUMENT for
 * non-positive sizes or bad channel counts, GY_ERR_NOMEM when scratch cannot be allocated. */
gy_status gy_resize_u8(const unsigned char *src, int sw, int sh, unsigned char *dst, int dw, int dh,
                       int channels, gy_interp interp, gy_error *err);

#endif

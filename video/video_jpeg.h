/* video_jpeg.h - one JPEG per video frame with libjpeg-turbo (the writer's Motion JPEG). */
#ifndef GY_VIDEO_JPEG_H
#define GY_VIDEO_JPEG_H

#include <stddef.h>

#define GY_VJPEG_QUALITY 90 /* see video_jpeg.c */

typedef struct gy_vjpeg gy_vjpeg;

/* An encoder of width x height RGB frames; NULL when out of memory. */
gy_vjpeg *gy_vjpeg_new(int width, int height, int quality);

/* Compresses one frame (rows of stride bytes) into a baseline JFIF JPEG, YCbCr 4:2:0; *data
 * (owned by the encoder, valid until the next call) and *size receive it. Returns 0, or -1 with
 * libjpeg's message in msg (out of memory: the only error for valid sizes). */
int gy_vjpeg_encode(gy_vjpeg *j, const unsigned char *rgb, size_t stride, const unsigned char **data,
                    size_t *size, char *msg, size_t msg_size);

void gy_vjpeg_free(gy_vjpeg *j);

#endif

/* video_convert.h - a decoded picture to RGB bytes exactly as cv2.VideoCapture gets them. */
#ifndef GY_VIDEO_CONVERT_H
#define GY_VIDEO_CONVERT_H

#include <stddef.h>

#include <libavcodec/avcodec.h>

#include "ghostyolo.h"

typedef struct gy_vconv {
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt; /* what sws was made for (OpenCV makes it once per size) */
    AVFrame *bgr; /* swscale's BGR24 output at the coded size (OpenCV's rgb_picture) */
} gy_vconv;

/* Converts pic (decoded by dec) into *buf (grown as needed, RGB, width x height after turning by
 * rotation degrees clockwise), setting *w and *h. Errors name the source and the frame. */
gy_status gy_vconv_run(gy_vconv *c, const AVFrame *pic, const AVCodecContext *dec, int rotation,
                       unsigned char **buf, size_t *cap, int *w, int *h, const char *name,
                       long long frame, gy_error *err);
void gy_vconv_free(gy_vconv *c);

#endif

/* video_convert.c - the colour conversion of OpenCV's retrieveFrame (cap_ffmpeg_impl.hpp): one
 * swscale context from the decoder's pixel format to BGR24 with SWS_BICUBIC and nothing else (no
 * colour-range or matrix override: swscale's defaults for the format), at the decoder's *coded*
 * size (OpenCV's choice, which decides whether swscale takes its unscaled fast path), into a
 * buffer aligned to 32, then the picture's own size cut out. Then OpenCV's cv::rotate for the
 * display matrix, and BGR to RGB: the bytes are cv2's, in gy_image's channel order. */
#include "video/video_convert.h"

#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "core/error.h"
#include "core/util.h"

/* The coded size swscale runs at: the decoder's, unless it is missing, smaller than the picture
 * or over the pixel cap (then the picture's own). */
static void coded_size(const AVFrame *pic, const AVCodecContext *dec, int *cw, int *ch)
{
    *cw = dec->coded_width;
    *ch = dec->coded_height;
    if (*cw < pic->width || *ch < pic->height || (long long)*cw * *ch > GY_IMAGE_MAX_PIXELS ||
        *cw > pic->width + 64 || *ch > pic->height + 64) {
        *cw = pic->width;
        *ch = pic->height;
    }
}

/* dst (dw x dh RGB) = src (sw x sh BGR rows of `stride` bytes) turned clockwise by rot. */
static void turn_swap(const unsigned char *src, int stride, int sw, int sh, int rot,
                      unsigned char *dst)
{
    if (rot == 0) { /* the common case: rows in order */
        for (int y = 0; y < sh; y++) {
            const unsigned char *p = src + (size_t)y * stride;
            unsigned char *o = dst + (size_t)y * sw * 3;
            for (int x = 0; x < sw; x++, p += 3, o += 3) {
                o[0] = p[2];
                o[1] = p[1];
                o[2] = p[0];
            }
        }
        return;
    }
    int dw = rot == 90 || rot == 270 ? sh : sw;
    int dh = rot == 90 || rot == 270 ? sw : sh;
    for (int y = 0; y < dh; y++) {
        unsigned char *o = dst + (size_t)y * dw * 3;
        for (int x = 0; x < dw; x++) {
            int sx, sy;
            switch (rot) {
            case 90: sx = y; sy = sh - 1 - x; break;        /* ROTATE_90_CLOCKWISE */
            case 180: sx = sw - 1 - x; sy = sh - 1 - y; break;
            case 270: sx = sw - 1 - y; sy = x; break;       /* ROTATE_90_COUNTERCLOCKWISE */
            default: sx = x; sy = y; break;
            }
            const unsigned char *p = src + (size_t)sy * stride + (size_t)sx * 3;
            o[3 * x] = p[2];
            o[3 * x + 1] = p[1];
            o[3 * x + 2] = p[0];
        }
    }
}

gy_status gy_vconv_run(gy_vconv *c, const AVFrame *pic, const AVCodecContext *dec, int rotation,
                       unsigned char **buf, size_t *cap, int *w, int *h, const char *name,
                       long long frame, gy_error *err)
{
    int cw, ch;
    coded_size(pic, dec, &cw, &ch);
    if (!c->sws || c->sws_w != cw || c->sws_h != ch || c->sws_fmt != pic->format) {
        sws_freeContext(c->sws);
        c->sws = sws_getContext(cw, ch, (enum AVPixelFormat)pic->format, cw, ch, AV_PIX_FMT_BGR24,
                                SWS_BICUBIC, NULL, NULL, NULL);
        c->sws_w = cw;
        c->sws_h = ch;
        c->sws_fmt = pic->format;
    }
    if (!c->sws)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: frame %lld: cannot convert %s pictures to BGR",
                       name, frame, av_get_pix_fmt_name((enum AVPixelFormat)pic->format)
                                        ? av_get_pix_fmt_name((enum AVPixelFormat)pic->format)
                                        : "unknown");
    if (!c->bgr || c->bgr->width != cw || c->bgr->height != ch) {
        av_frame_free(&c->bgr);
        c->bgr = av_frame_alloc();
        if (!c->bgr)
            return gy_fail(err, GY_ERR_NOMEM, "%s: frame %lld: out of memory", name, frame);
        c->bgr->format = AV_PIX_FMT_BGR24;
        c->bgr->width = cw;
        c->bgr->height = ch;
        if (av_frame_get_buffer(c->bgr, 32) < 0) {
            av_frame_free(&c->bgr);
            return gy_fail(err, GY_ERR_NOMEM, "%s: frame %lld: out of memory", name, frame);
        }
    }
    if (sws_scale(c->sws, (const uint8_t *const *)pic->data, pic->linesize, 0, pic->height,
                  c->bgr->data, c->bgr->linesize) < 0)
        return gy_fail(err, GY_ERR_FORMAT, "%s: frame %lld: colour conversion failed", name, frame);
    int pw = pic->width, ph = pic->height;
    size_t need;
    if (!gy_mul_size((size_t)pw * 3, (size_t)ph, &need))
        return gy_fail(err, GY_ERR_NOMEM, "%s: frame %lld: frame too large", name, frame);
    if (*cap < need) {
        unsigned char *nb = realloc(*buf, need);
        if (!nb)
            return gy_fail(err, GY_ERR_NOMEM, "%s: frame %lld: out of memory", name, frame);
        *buf = nb;
        *cap = need;
    }
    turn_swap(c->bgr->data[0], c->bgr->linesize[0], pw, ph, rotation, *buf);
    *w = rotation == 90 || rotation == 270 ? ph : pw;
    *h = rotation == 90 || rotation == 270 ? pw : ph;
    return GY_OK;
}

void gy_vconv_free(gy_vconv *c)
{
    sws_freeContext(c->sws);
    c->sws = NULL;
    av_frame_free(&c->bgr);
}

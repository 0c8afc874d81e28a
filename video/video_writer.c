/* video_writer.c - writing a video as ultralytics 8.0.126 does on Linux (cv2.VideoWriter with fourcc
 * MJPG in .avi: Motion JPEG frames, yuvj420p, in AVI with the MJPG tag and OpenCV's bit rate 2 x 3
 * x fps x w x h in the header), or H.264 (libx264, yuv420p, CRF 23 as OpenCV asks for it) in MP4.
 * The Motion JPEG frames come from libjpeg-turbo (video_jpeg.c: half the CPU time of
 * cv2's swscale + FFmpeg mjpeg encoder) and go to libavformat's AVI muxer as packets; H.264's
 * frames go to BGR and through swscale's unscaled BGR24 -> yuv420p converter, as OpenCV's do
 * (it asks for SWS_BICUBIC, which a same-size conversion with a fast path ignores). Odd sides lose
 * their last column or row as in OpenCV. An encoder thread takes queued frames, so encoding overlaps
 * the caller's work; the file is written to "<path>.tmp.<pid>" and renamed by close, after the
 * trailer (MP4's index, AVI's) is written, so a run stopped early still leaves a file that plays. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "core/error.h"
#include "core/util.h"
#include "ghostyolo.h"
#include "video/video_jpeg.h"
#include "video/video_log.h"

struct gy_video_writer {
    gy_video_writer_params p;
    char *path, *tmp;
    int w, h;                  /* the file's size: the frames' size made even */
    AVFormatContext *oc;
    AVStream *st;
    AVCodecContext *enc;       /* H.264 */
    struct SwsContext *sws;
    unsigned char *bgr;        /* H.264: the frame in OpenCV's order, rows of stride bytes, padded */
    gy_vjpeg *jpeg;            /* MJPG */
    AVRational frame_tb;       /* 1 / fps: the frames' pts */
    AVFrame *yuv;
    AVPacket *pkt;
    gy_vlog log;               /* FFmpeg's messages about this file: dropped (no callback) */
    int stride;                /* bytes per row of a slot: w * 3 rounded up to 32, and every slot has
                                  64 more bytes: swscale's SIMD reads past the end of its input
                                  (OpenCV pads its frames the same way) */
    long long written;         /* frames given to the encoder */
    /* the queue (p.queue slots of w x h RGB) and the encoder thread, under mu */
    pthread_t thread;
    int has_thread;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_space;
    unsigned char **slots;
    int head, filled, closing;
    gy_status failed;          /* the first error of the encoder, kept for write and close */
    char failed_msg[GY_ERROR_MESSAGE_MAX];
};

gy_video_writer_params gy_video_writer_default_params(void)
{
    gy_video_writer_params p;
    memset(&p, 0, sizeof p);
    p.codec = GY_VIDEO_CODEC_MJPG;
    p.fps = 30;
    p.queue = 2;
    return p;
}

static gy_status fail_av(gy_video_writer *w, gy_error *err, int e, const char *what)
{
    char b[128];
    if (av_strerror(e, b, sizeof b) < 0)
        snprintf(b, sizeof b, "error %d", e);
    gy_status st = e == AVERROR(ENOMEM) ? GY_ERR_NOMEM : GY_ERR_IO;
    return gy_fail(err, st, "%s: %s (%s)", w->path, what, b);
}

/* Sends frame (NULL: the end) to the encoder and writes the packets that come out. */
static int encode(gy_video_writer *w, AVFrame *frame)
{
    int e = avcodec_send_frame(w->enc, frame);
    while (e >= 0) {
        e = avcodec_receive_packet(w->enc, w->pkt);
        if (e == AVERROR(EAGAIN) || e == AVERROR_EOF)
            return 0;
        if (e < 0)
            return e;
        av_packet_rescale_ts(w->pkt, w->frame_tb, w->st->time_base);
        w->pkt->stream_index = w->st->index;
        e = av_interleaved_write_frame(w->oc, w->pkt); /* takes the packet's reference */
    }
    return e;
}

/* One Motion JPEG frame: compressed, then written as a key-frame packet. */
static int write_jpeg(gy_video_writer *w, const unsigned char *rgb, char *msg, size_t msg_size)
{
    const unsigned char *data;
    size_t size;
    if (gy_vjpeg_encode(w->jpeg, rgb, (size_t)w->stride, &data, &size, msg, msg_size) != 0)
        return AVERROR(ENOMEM); /* libjpeg's only error for a valid frame */
    av_packet_unref(w->pkt);
    w->pkt->data = (uint8_t *)data; /* not reference-counted: av_write_frame does not keep it */
    w->pkt->size = (int)size;
    w->pkt->flags = AV_PKT_FLAG_KEY;
    w->pkt->pts = w->pkt->dts = w->written;
    w->pkt->duration = 1;
    av_packet_rescale_ts(w->pkt, w->frame_tb, w->st->time_base);
    w->pkt->stream_index = w->st->index;
    int e = av_write_frame(w->oc, w->pkt);
    w->pkt->data = NULL;
    w->pkt->size = 0;
    return e;
}

/* The frame's channels in BGR order, as cv2.VideoWriter gets them: swscale converts BGR24 to yuv420p
 * at the same size with its unscaled converter (0.2 ms a 640x480 frame here), RGB24 only through
 * its scaler (1.0 ms); the swap costs less than the difference. */
static void to_bgr(gy_video_writer *w, const unsigned char *rgb)
{
    for (int y = 0; y < w->h; y++) {
        const unsigned char *s = rgb + (size_t)y * w->stride;
        unsigned char *d = w->bgr + (size_t)y * w->stride;
        for (int x = 0; x < w->w; x++) {
            d[3 * x] = s[3 * x + 2];
            d[3 * x + 1] = s[3 * x + 1];
            d[3 * x + 2] = s[3 * x];
        }
    }
}

/* Converts one RGB frame (w x h, rows of w->stride bytes, padded) and encodes it. */
static gy_status encode_rgb(gy_video_writer *w, const unsigned char *rgb, gy_error *err)
{
    gy_vlog *prev = gy_vlog_set_current(&w->log);
    char jmsg[200] = "";
    int e = w->jpeg ? write_jpeg(w, rgb, jmsg, sizeof jmsg) : av_frame_make_writable(w->yuv);
    if (e >= 0 && !w->jpeg) {
        to_bgr(w, rgb);
        const uint8_t *src[1] = {w->bgr};
        int stride[1] = {w->stride};
        sws_scale(w->sws, src, stride, 0, w->h, w->yuv->data, w->yuv->linesize);
        w->yuv->pts = w->written;
        e = encode(w, w->yuv);
    }
    gy_vlog_set_current(prev);
    w->written++;
    if (e < 0) {
        char what[300];
        snprintf(what, sizeof what, "frame %lld: cannot write%s%s", w->written, *jmsg ? ": " : "",
                 jmsg);
        return fail_av(w, err, e, what);
    }
    return GY_OK;
}

static void *encoder(void *arg)
{
    gy_video_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->filled == 0 && !w->closing)
            pthread_cond_wait(&w->cv_work, &w->mu);
        if (w->filled == 0)
            break;
        unsigned char *rgb = w->slots[w->head];
        pthread_mutex_unlock(&w->mu);
        gy_error e;
        gy_status st = w->failed == GY_OK ? encode_rgb(w, rgb, &e) : GY_OK;
        pthread_mutex_lock(&w->mu);
        if (st != GY_OK && w->failed == GY_OK) {
            w->failed = st;
            snprintf(w->failed_msg, sizeof w->failed_msg, "%s", e.message);
        }
        w->head = (w->head + 1) % w->p.queue;
        w->filled--;
        pthread_cond_signal(&w->cv_space);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static gy_status check_params(const char *path, int width, int height, const gy_video_writer_params *p,
                              gy_error *err)
{
    if (p->codec != GY_VIDEO_CODEC_MJPG && p->codec != GY_VIDEO_CODEC_H264)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: codec %d is not one of 0 (MJPG) and 1 (H.264)", path,
                       (int)p->codec);
    if (!(p->fps > 0 && p->fps <= 1000))
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: fps %g is not in (0, 1000]", path, p->fps);
    if (p->queue < 0 || p->queue > 64)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: queue %d is not in [0, 64]", path, p->queue);
    if (width < 2 || height < 2)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: a %dx%d video (each side must be at least 2)", path,
                       width, height);
    if ((long long)width * height > GY_IMAGE_MAX_PIXELS)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: %dx%d video has more than the %lld pixels allowed",
                       path, width, height, (long long)GY_IMAGE_MAX_PIXELS);
    return GY_OK;
}

/* The AVI stream of Motion JPEG frames, as cv2.VideoWriter's: MJPG tag, yuvj420p, 1/fps. */
static gy_status open_mjpeg(gy_video_writer *w, AVRational rate, gy_error *err)
{
    w->jpeg = gy_vjpeg_new(w->w, w->h, GY_VJPEG_QUALITY);
    w->st = avformat_new_stream(w->oc, NULL);
    if (!w->jpeg || !w->st)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", w->path);
    AVCodecParameters *c = w->st->codecpar;
    c->codec_type = AVMEDIA_TYPE_VIDEO;
    c->codec_id = AV_CODEC_ID_MJPEG;
    c->format = AV_PIX_FMT_YUVJ420P;
    c->color_range = AVCOL_RANGE_JPEG;
    c->width = w->w;
    c->height = w->h;
    /* OpenCV: bitrate = min(3 fps w h, INT_MAX / 2), and bit_rate gets 1.5x then + 0.5x it */
    double b = 3.0 * w->p.fps * w->w * w->h;
    if (b > (double)(INT32_MAX / 2))
        b = (double)(INT32_MAX / 2);
    long long rate2 = (long long)(2 * b);
    c->bit_rate = rate2 > INT32_MAX ? INT32_MAX : rate2;
    w->st->time_base = w->frame_tb;
    w->st->avg_frame_rate = rate;
    return GY_OK;
}

static gy_status open_encoder(gy_video_writer *w, gy_error *err)
{
    AVRational rate = av_d2q(w->p.fps, 1000000);
    w->frame_tb = av_inv_q(rate);
    w->pkt = av_packet_alloc();
    if (!w->pkt)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", w->path);
    if (w->p.codec == GY_VIDEO_CODEC_MJPG)
        return open_mjpeg(w, rate, err);
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (!codec)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: this FFmpeg has no libx264 (H.264) encoder",
                       w->path);
    w->enc = avcodec_alloc_context3(codec);
    if (!w->enc)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", w->path);
    AVCodecContext *c = w->enc;
    c->width = w->w;
    c->height = w->h;
    c->time_base = w->frame_tb;
    c->framerate = rate;
    c->opaque = &w->log;
    c->thread_count = 1; /* the encoder thread is the overlap; no more threads on a busy machine */
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    av_opt_set(c->priv_data, "crf", "23", 0);
    /* x264's superfast preset: the encoder shares the cores with inference. On a 640x480 clip
     * at CRF 23 (150 frames, one thread): medium 10.5 ms a frame, veryfast 3.6 ms, superfast 2.4
     * ms with files 1.6x veryfast's (6.3 against 4.0 KiB a frame) read back as close (PSNR 34.1
     * against 33.4 dB); ultrafast 1.6 ms but 6.5x the size */
    av_opt_set(c->priv_data, "preset", "superfast", 0);
    if (w->oc->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int e = avcodec_open2(c, codec, NULL);
    if (e < 0)
        return fail_av(w, err, e, "cannot open the encoder");
    w->st = avformat_new_stream(w->oc, NULL);
    if (!w->st)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", w->path);
    w->st->time_base = c->time_base;
    w->st->avg_frame_rate = rate;
    e = avcodec_parameters_from_context(w->st->codecpar, c);
    if (e < 0)
        return fail_av(w, err, e, "cannot set the stream up");
    w->sws = sws_getContext(w->w, w->h, AV_PIX_FMT_BGR24, w->w, w->h, c->pix_fmt, SWS_BICUBIC, NULL,
                            NULL, NULL);
    w->yuv = av_frame_alloc();
    w->bgr = calloc((size_t)w->stride * w->h + 64, 1);
    if (!w->sws || !w->yuv || !w->bgr)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", w->path);
    w->yuv->format = c->pix_fmt;
    w->yuv->width = w->w;
    w->yuv->height = w->h;
    if (av_frame_get_buffer(w->yuv, 32) < 0)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", w->path);
    return GY_OK;
}

/* Frees everything; removes the temporary file when it is still there. */
static void destroy(gy_video_writer *w)
{
    if (w->has_thread) {
        pthread_mutex_lock(&w->mu);
        w->closing = 1;
        w->failed = w->failed == GY_OK ? GY_ERR_STATE : w->failed; /* skip what is queued */
        pthread_cond_signal(&w->cv_work);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        w->has_thread = 0;
    }
    if (w->oc && w->oc->pb)
        avio_closep(&w->oc->pb);
    if (w->tmp)
        unlink(w->tmp);
    avformat_free_context(w->oc);
    avcodec_free_context(&w->enc);
    gy_vjpeg_free(w->jpeg);
    sws_freeContext(w->sws);
    free(w->bgr);
    av_frame_free(&w->yuv);
    av_packet_free(&w->pkt);
    for (int i = 0; w->slots && i < (w->p.queue ? w->p.queue : 1); i++)
        free(w->slots[i]);
    free(w->slots);
    gy_vlog_unregister(&w->log);
    pthread_cond_destroy(&w->cv_work);
    pthread_cond_destroy(&w->cv_space);
    pthread_mutex_destroy(&w->mu);
    free(w->path);
    free(w->tmp);
    free(w);
}

gy_status gy_video_writer_open(const char *path, int width, int height,
                               const gy_video_writer_params *params, gy_video_writer **out,
                               gy_error *err)
{
    if (!out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_video_writer_open: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_video_writer_open: no path given");
    gy_video_writer_params p = params ? *params : gy_video_writer_default_params();
    gy_status st = check_params(path, width, height, &p, err);
    if (st != GY_OK)
        return st;
    gy_video_writer *w = calloc(1, sizeof *w);
    if (!w)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
    w->p = p;
    w->w = width & ~1;
    w->h = height & ~1;
    w->stride = (w->w * 3 + 31) & ~31;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv_work, NULL);
    pthread_cond_init(&w->cv_space, NULL);
    gy_vlog_register(&w->log, NULL, NULL, path);
    w->path = gy_strdup(path);
    size_t n = strlen(path) + 48;
    w->tmp = malloc(n);
    char *url = malloc(n + 8);
    if (!w->path || !w->tmp || !url) {
        free(url);
        destroy(w);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
    }
    snprintf(w->tmp, n, "%s.tmp.%ld", path, (long)getpid());
    snprintf(url, n + 8, "file:%s", w->tmp); /* "file:": a ':' in the name is not a protocol */
    gy_vlog *prev = gy_vlog_set_current(&w->log);
    int e = avformat_alloc_output_context2(&w->oc, NULL, p.codec == GY_VIDEO_CODEC_H264 ? "mp4" : "avi",
                                           NULL);
    if (e < 0 || !w->oc)
        st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
    else
        st = open_encoder(w, err);
    if (st == GY_OK) {
        w->oc->opaque = &w->log;
        e = avio_open(&w->oc->pb, url, AVIO_FLAG_WRITE);
        if (e < 0) {
            char b[128];
            av_strerror(e, b, sizeof b);
            st = gy_fail(err, GY_ERR_IO, "%s: cannot create %s (%s)", path, w->tmp, b);
        }
    }
    if (st == GY_OK) {
        e = avformat_write_header(w->oc, NULL);
        if (e < 0)
            st = fail_av(w, err, e, "cannot write the header");
    }
    gy_vlog_set_current(prev);
    free(url);
    int nslots = p.queue ? p.queue : 1; /* without a thread, one padded buffer */
    if (st == GY_OK) {
        w->slots = calloc((size_t)nslots, sizeof *w->slots);
        if (!w->slots)
            st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
        for (int i = 0; st == GY_OK && i < nslots; i++) {
            w->slots[i] = calloc((size_t)w->stride * w->h + 64, 1);
            if (!w->slots[i])
                st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
        }
        if (st == GY_OK && p.queue > 0) {
            if (pthread_create(&w->thread, NULL, encoder, w) != 0)
                st = gy_fail(err, GY_ERR_NOMEM, "%s: cannot start the encoder thread", path);
            else
                w->has_thread = 1;
        }
    }
    if (st != GY_OK) {
        destroy(w);
        return st;
    }
    *out = w;
    return GY_OK;
}

/* The frame's rows (the writer's even size cut from the top left) into a padded slot. */
static void copy_rows(const gy_video_writer *w, const gy_image *frame, unsigned char *dst)
{
    for (int y = 0; y < w->h; y++)
        memcpy(dst + (size_t)y * w->stride, frame->data + (size_t)y * frame->width * 3,
               (size_t)w->w * 3);
}

gy_status gy_video_writer_write(gy_video_writer *w, const gy_image *frame, gy_error *err)
{
    if (!w || !frame || !frame->data)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_video_writer_write: %s is NULL",
                       !w ? "the writer" : !frame ? "the frame" : "the frame's data");
    if ((frame->width & ~1) != w->w || (frame->height & ~1) != w->h || frame->width < 2 ||
        frame->height < 2)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: a %dx%d frame in a %dx%d video", w->path,
                       frame->width, frame->height, w->w, w->h);
    if (!w->has_thread) {
        if (w->failed != GY_OK)
            return gy_fail(err, w->failed, "%s", w->failed_msg);
        copy_rows(w, frame, w->slots[0]);
        gy_status st = encode_rgb(w, w->slots[0], err);
        if (st != GY_OK) {
            w->failed = st;
            snprintf(w->failed_msg, sizeof w->failed_msg, "%s", err ? err->message : "");
        }
        return st;
    }
    pthread_mutex_lock(&w->mu);
    while (w->filled == w->p.queue && w->failed == GY_OK)
        pthread_cond_wait(&w->cv_space, &w->mu);
    if (w->failed != GY_OK) {
        gy_status st = gy_fail(err, w->failed, "%s", w->failed_msg);
        pthread_mutex_unlock(&w->mu);
        return st;
    }
    unsigned char *slot = w->slots[(w->head + w->filled) % w->p.queue];
    pthread_mutex_unlock(&w->mu);
    copy_rows(w, frame, slot); /* the slot is ours until filled grows */
    pthread_mutex_lock(&w->mu);
    w->filled++;
    pthread_cond_signal(&w->cv_work);
    pthread_mutex_unlock(&w->mu);
    return GY_OK;
}

gy_status gy_video_writer_close(gy_video_writer *w, gy_error *err)
{
    if (!w)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_video_writer_close: the writer is NULL");
    if (w->has_thread) { /* the encoder finishes what is queued */
        pthread_mutex_lock(&w->mu);
        w->closing = 1;
        pthread_cond_signal(&w->cv_work);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        w->has_thread = 0;
    }
    gy_status st = w->failed;
    if (st != GY_OK)
        gy_fail(err, st, "%s", w->failed_msg);
    gy_vlog *prev = gy_vlog_set_current(&w->log);
    if (st == GY_OK && w->enc) {
        int e = encode(w, NULL);
        if (e < 0)
            st = fail_av(w, err, e, "cannot write the last frames");
    }
    if (st == GY_OK) {
        int e = av_write_trailer(w->oc);
        if (e < 0)
            st = fail_av(w, err, e, "cannot write the trailer");
    }
    if (st == GY_OK) {
        int e = w->oc->pb->error;
        int c = avio_closep(&w->oc->pb);
        if (e < 0 || c < 0)
            st = fail_av(w, err, e < 0 ? e : c, "cannot write");
    }
    gy_vlog_set_current(prev);
    if (st == GY_OK && rename(w->tmp, w->path) != 0)
        st = gy_fail(err, GY_ERR_IO, "%s: cannot rename %s to it (%s)", w->path, w->tmp, strerror(errno));
    destroy(w); /* removes the temporary file if it is still there */
    return st;
}

void gy_video_writer_free(gy_video_writer *w)
{
    if (w)
        destroy(w);
}

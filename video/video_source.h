/* video_source.h - one opened video: FFmpeg's demuxer and decoder, read as cv2.VideoCapture reads
 * (the first video stream; its frame count, fps and display-matrix rotation as OpenCV computes
 * them; grab = read packets and decode until a picture comes out). */
#ifndef GY_VIDEO_SOURCE_H
#define GY_VIDEO_SOURCE_H

#include <stdatomic.h>
#include <stddef.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "ghostyolo.h"
#include "video/video_log.h"

/* The FFmpeg demuxers a file may be read with: ultralytics' video formats (GY_VIDEO_FORMATS). */
#define GY_VIDEO_DEMUXERS "asf,avi,gif,matroska,mov,mpeg,mpegts,mpegvideo,m4v"

/* Decoder errors in a row (packets refused, frames not given) before a video is given up: OpenCV's
 * OPENCV_FFMPEG_DECODE_ATTEMPTS default. */
#define GY_VIDEO_MAX_DECODE_ERRORS 64
/* Packets of other streams in a row before the video stream counts as ended (OpenCV's
 * OPENCV_FFMPEG_READ_ATTEMPTS default). */
#define GY_VIDEO_MAX_OTHER_PACKETS 4096

/* What may stop a blocking FFmpeg call: the owner's stop flag, the caller's interrupt function,
 * and a deadline (streams). Shared by the reader thread and the caller's thread. */
typedef struct gy_vctl {
    atomic_int stop;
    int (*interrupt)(void *user);
    void *interrupt_user;
    atomic_llong deadline_ns; /* CLOCK_MONOTONIC; 0 = none */
    atomic_int timed_out;     /* the last stop was the deadline */
} gy_vctl;

/* Non-zero when a wait should end: stop flag or the caller's interrupt. */
int gy_vctl_stopped(gy_vctl *c);
long long gy_vctl_now_ns(void);

/* An in-memory file (the fuzz harness and tests): read through a custom AVIOContext. */
typedef struct gy_vmem {
    const unsigned char *data;
    size_t size, pos;
} gy_vmem;

typedef struct gy_vsrc {
    const char *name;        /* path or URL (borrowed from the owner) for messages */
    int is_stream;
    int is_web;              /* a file read from an http(s):// URL (in order, over the network) */
    int timeout_ms;
    gy_vctl *ctl;
    gy_vlog *log;
    AVFormatContext *ic;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *pic;            /* the last decoded picture (valid after a grab that got one) */
    AVIOContext *mem_io;     /* for gy_vmem input */
    gy_vmem *mem;
    int stream;              /* the video stream's index */
    int rotation;            /* clockwise degrees: 0, 90, 180, 270 */
    long long nb_frames;     /* the container's frame count (0 = not given) */
    long long frame_count;   /* CAP_PROP_FRAME_COUNT (>= 0) */
    double fps;              /* CAP_PROP_FPS */
    int width, height;       /* the stream's size before rotation */
    long long decoded;       /* pictures grabbed so far (cv2's frame_number) */
    int eof_sent;            /* the decoder was told the input ended */
    int finished;            /* nothing more will come */
    int end_reported;        /* the truncation check at the end was done */
    int errors_in_row;
    char read_error[256];    /* why reading stopped early ("" = it reached the end) */
} gy_vsrc;

/* Opens name (a file, or a URL when is_stream; a file may be an http(s):// URL) or mem (when non-NULL; name is then only for
 * messages), finds the first video stream and opens its decoder. On failure everything is closed
 * and err names the source. */
gy_status gy_vsrc_open(gy_vsrc *s, const char *name, gy_vmem *mem, int is_stream, int timeout_ms,
                       int decode_threads, gy_vctl *ctl, gy_vlog *log, gy_error *err);
/* 1 when name is an http:// or https:// URL (case-insensitive): opened as a file, it is a file on a
 * web server, read through FFmpeg's HTTP(S) client. */
int gy_vsrc_is_web(const char *name);
/* Decodes the next picture into s->pic: *got = 1 with a picture (s->decoded counts it), 0 at the
 * end. GY_ERR_FORMAT: a packet the decoder refused, or frames missing at the end (the source can
 * be grabbed again); other errors end the source. */
gy_status gy_vsrc_grab(gy_vsrc *s, int *got, gy_error *err);
/* The picture's presentation time in seconds from the stream's start, or -1. */
double gy_vsrc_time(const gy_vsrc *s);
void gy_vsrc_close(gy_vsrc *s);

#endif

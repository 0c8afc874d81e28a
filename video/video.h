/* video.h - the gy_video object shared by its parts: video.c (the public calls), video_produce.c
 * (one kept frame: grab, stride, convert), video_file.c (files: a reader thread filling a small
 * queue, in order) and video_stream.c (streams: a reader thread keeping the newest frame,
 * reconnecting). */
#ifndef GY_VIDEO_VIDEO_H
#define GY_VIDEO_VIDEO_H

#include <pthread.h>

#include "ghostyolo.h"
#include "video/video_convert.h"
#include "video/video_log.h"
#include "video/video_source.h"

/* Most frames a file's reader may decode ahead (gy_video_params.queue). */
#define GY_VIDEO_MAX_QUEUE 64

enum { GY_VSLOT_FRAME, GY_VSLOT_ERROR, GY_VSLOT_END };

/* One frame, error or end, as the reader hands it to the caller. */
typedef struct gy_vslot {
    int kind;
    unsigned char *data;
    size_t cap;
    int w, h;
    long long index;
    double time_s;
    gy_status status;          /* GY_VSLOT_ERROR */
    char message[GY_ERROR_MESSAGE_MAX];
} gy_vslot;

struct gy_video {
    gy_video_params p;
    char *source;
    int is_stream;
    gy_vmem *mem;              /* in-memory input (tests, fuzzing), else NULL */
    gy_vctl ctl;
    gy_vlog log;
    gy_vsrc src;
    gy_vconv conv;
    gy_video_info info;
    char format[128], codec[64];
    long long returned;        /* frames handed out (ultralytics' frame counter) */
    int at_end;                /* the end (or a fatal error) was handed out */
    /* the reader thread and what it shares with the caller, under mu */
    pthread_t thread;
    int has_thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;         /* something for the caller (a slot, a newest frame, the end) */
    pthread_cond_t cv_free;    /* files: a slot came free */
    gy_vslot *slots;
    int nslots;
    gy_vslot *held;            /* the slot whose frame the caller holds */
    /* files: a ring of nslots = queue + 1; head = next for the caller, filled = ready slots */
    int head, filled;
    /* streams: `newest` is the latest frame (seq counts them), `back` the one being decoded */
    gy_vslot *newest, *back;
    long long seq, seen;
    int reader_done;           /* the reader thread stopped; `last` says why */
    gy_vslot last;             /* streams: the final error or end */
};

/* Fills slot with the next kept frame (the stride applied), an error or the end, on the thread
 * that calls it. Returns 1 when the slot ends the video (the end or an error other than a
 * decoding one). */
int gy_video_produce(gy_video *v, gy_vslot *slot);

/* Files: starts the reader thread (queue > 0); next in order. */
gy_status gy_video_file_start(gy_video *v, gy_error *err);
gy_status gy_video_file_next(gy_video *v, gy_vslot **out, gy_error *err);
/* Streams: starts the reader thread and waits for the first frame; next = the newest frame. */
gy_status gy_video_stream_start(gy_video *v, gy_error *err);
gy_status gy_video_stream_next(gy_video *v, gy_vslot **out, gy_error *err);
/* Waits on v->cv for at most 50 ms (so the caller's interrupt is polled). */
void gy_video_wait(gy_video *v);

#endif

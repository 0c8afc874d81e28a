/* video.c - the public video reader: gy_video_open (a file, a stream URL, or bytes in memory for
 * the tests and the fuzzer), gy_video_get_info, gy_video_next, gy_video_free. The reading itself
 * is in video_file.c (in order, decoded ahead) and video_stream.c (newest frame). */
#include "video/video.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/util.h"
#include "video/video_open.h"

gy_video_params gy_video_default_params(void)
{
    gy_video_params p;
    memset(&p, 0, sizeof p);
    p.mode = GY_VIDEO_AUTO;
    p.vid_stride = 1;
    p.queue = 2;
    p.decode_threads = 1;
    p.reconnects = 3;
    p.timeout_ms = 30000;
    return p;
}

/* ultralytics' stream URLs (its is_url test, plus udp:// and tcp://). */
static int is_stream_url(const char *s)
{
    static const char *const schemes[] = {"rtsp://", "rtmp://", "http://", "https://", "udp://",
                                          "tcp://"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        size_t k = 0;
        while (k < n && s[k] && tolower((unsigned char)s[k]) == schemes[i][k])
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

/* An http(s):// URL whose path (without query and fragment) ends with one of GY_VIDEO_FORMATS: a
 * video file on a web server, which ultralytics downloads and reads as a file. */
static int is_web_video(const char *s)
{
    if (!gy_vsrc_is_web(s))
        return 0;
    size_t end = strcspn(s, "?#"), dot = end;
    while (dot > 0 && s[dot - 1] != '.' && s[dot - 1] != '/')
        dot--;
    if (dot == 0 || s[dot - 1] != '.' || dot == end)
        return 0;
    const char *f = GY_VIDEO_FORMATS;
    size_t n = end - dot;
    while (*f) {
        size_t k = strcspn(f, " ");
        if (k == n && strncasecmp(f, s + dot, n) == 0)
            return 1;
        f += k;
        while (*f == ' ')
            f++;
    }
    return 0;
}

/* A webcam index, as ultralytics reads "0": only digits. */
static int is_webcam(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static gy_status check_params(const char *source, const gy_video_params *p, gy_error *err)
{
    if (p->mode < GY_VIDEO_AUTO || p->mode > GY_VIDEO_STREAM)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: mode %d is not one of 0 (auto), 1 (file), 2 (stream)",
                       source, (int)p->mode);
    if (p->vid_stride < 1 || p->vid_stride > 1000000)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: vid_stride %d is not in [1, 1000000]", source,
                       p->vid_stride);
    if (p->queue < 0 || p->queue > GY_VIDEO_MAX_QUEUE)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: queue %d is not in [0, %d]", source, p->queue,
                       GY_VIDEO_MAX_QUEUE);
    if (p->decode_threads < 0 || p->decode_threads > 64)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: decode_threads %d is not in [0, 64]", source,
                       p->decode_threads);
    if (p->reconnects < 0 || p->reconnects > 1000)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: reconnects %d is not in [0, 1000]", source,
                       p->reconnects);
    if (p->timeout_ms < 1 || p->timeout_ms > 86400000)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: timeout_ms %d is not in [1, 86400000]", source,
                       p->timeout_ms);
    return GY_OK;
}

gy_status gy_video_open_any(const char *source, gy_vmem *mem, const gy_video_params *params,
                            gy_video **out, gy_error *err)
{
    if (!out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_video_open: out is NULL");
    *out = NULL;
    if (!source || !*source)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_video_open: no source given");
    gy_video_params p = params ? *params : gy_video_default_params();
    gy_status st = check_params(source, &p, err);
    if (st != GY_OK)
        return st;
    if (!mem && is_webcam(source))
        return gy_fail(err, GY_ERR_UNSUPPORTED,
                       "%s: webcam sources are not supported (no camera capture in ghostyolo); give "
                       "a video file or a stream URL (rtsp://, rtmp://, http(s)://, udp://, tcp://)",
                       source);
    gy_video *v = calloc(1, sizeof *v);
    if (!v)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", source);
    v->p = p;
    v->mem = mem;
    v->is_stream = !mem && (p.mode == GY_VIDEO_STREAM ||
                            (p.mode == GY_VIDEO_AUTO && is_stream_url(source) &&
                             !is_web_video(source)));
    v->ctl.interrupt = p.interrupt;
    v->ctl.interrupt_user = p.interrupt_user;
    pthread_mutex_init(&v->mu, NULL);
    pthread_cond_init(&v->cv, NULL);
    pthread_cond_init(&v->cv_free, NULL);
    v->source = gy_strdup(source);
    v->nslots = v->is_stream ? 3 : p.queue + 1;
    v->slots = calloc((size_t)v->nslots, sizeof *v->slots);
    gy_vlog_register(&v->log, p.log, p.log_user, source);
    if (!v->source || !v->slots) {
        gy_video_free(v);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", source);
    }
    st = gy_vsrc_open(&v->src, v->source, mem, v->is_stream, p.timeout_ms, p.decode_threads,
                      &v->ctl, &v->log, err);
    if (st != GY_OK) {
        gy_video_free(v);
        return st;
    }
    int turned = v->src.rotation == 90 || v->src.rotation == 270;
    snprintf(v->format, sizeof v->format, "%s", v->src.ic->iformat->name);
    snprintf(v->codec, sizeof v->codec, "%s", v->src.dec->codec->name);
    v->info.width = turned ? v->src.height : v->src.width;
    v->info.height = turned ? v->src.width : v->src.height;
    v->info.fps = v->src.fps;
    v->info.frame_count = v->src.frame_count;
    v->info.rotation = v->src.rotation;
    v->info.is_stream = v->is_stream;
    v->info.format = v->format;
    v->info.codec = v->codec;
    st = v->is_stream ? gy_video_stream_start(v, err) : gy_video_file_start(v, err);
    if (st != GY_OK) {
        gy_video_free(v);
        return st;
    }
    *out = v;
    return GY_OK;
}

gy_status gy_video_open(const char *source, const gy_video_params *params, gy_video **out,
                        gy_error *err)
{
    return gy_video_open_any(source, NULL, params, out, err);
}

gy_status gy_video_get_info(const gy_video *video, gy_video_info *info)
{
    if (!video || !info)
        return GY_ERR_ARGUMENT;
    *info = video->info;
    return GY_OK;
}

gy_status gy_video_next(gy_video *video, gy_video_frame *frame, gy_error *err)
{
    if (!frame)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_video_next: frame is NULL");
    memset(frame, 0, sizeof *frame);
    frame->time_s = -1;
    if (!video)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_video_next: video is NULL");
    if (video->at_end)
        return GY_OK;
    gy_vslot *s = NULL;
    gy_status st = video->is_stream ? gy_video_stream_next(video, &s, err)
                                    : gy_video_file_next(video, &s, err);
    if (st != GY_OK) {
        video->at_end = 1;
        return st;
    }
    switch (s->kind) {
    case GY_VSLOT_FRAME:
        frame->image.width = s->w;
        frame->image.height = s->h;
        frame->image.data = s->data;
        frame->index = s->index;
        frame->time_s = s->time_s;
        frame->count = ++video->returned;
        return GY_OK;
    case GY_VSLOT_ERROR:
        if (s->status != GY_ERR_FORMAT)
            video->at_end = 1;
        return gy_fail(err, s->status, "%s", s->message);
    default:
        video->at_end = 1;
        return GY_OK;
    }
}

void gy_video_free(gy_video *video)
{
    if (!video)
        return;
    atomic_store(&video->ctl.stop, 1);
    if (video->has_thread) {
        pthread_mutex_lock(&video->mu);
        pthread_cond_broadcast(&video->cv_free);
        pthread_cond_broadcast(&video->cv);
        pthread_mutex_unlock(&video->mu);
        pthread_join(video->thread, NULL);
    }
    gy_vsrc_close(&video->src);
    gy_vconv_free(&video->conv);
    gy_vlog_unregister(&video->log);
    for (int i = 0; i < video->nslots && video->slots; i++)
        free(video->slots[i].data);
    free(video->slots);
    free(video->source);
    pthread_cond_destroy(&video->cv_free);
    pthread_cond_destroy(&video->cv);
    pthread_mutex_destroy(&video->mu);
    free(video);
}

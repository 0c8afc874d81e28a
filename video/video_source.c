/* video_source.c - opening a video and grabbing its pictures as OpenCV's FFmpeg backend
 * (cap_ffmpeg_impl.hpp, CvCapture_FFMPEG::open and grabFrame) does: the first video stream, its
 * decoder with the stream's parameters, CAP_PROP_FPS = av_guess_frame_rate, CAP_PROP_FRAME_COUNT =
 * the container's count or duration x fps rounded, the rotation = minus the display matrix's
 * angle (the sign OpenCV 4.7 fixed). Unlike OpenCV, a packet the decoder refuses is reported and
 * decoding goes on, files are read only with ultralytics' demuxers and the file protocol, and the
 * frame size is capped (FFmpeg's max_pixels, during the probe too) before a frame is allocated. */
#define _POSIX_C_SOURCE 200809L
#include "video/video_source.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "core/error.h"

long long gy_vctl_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int gy_vctl_stopped(gy_vctl *c)
{
    if (atomic_load(&c->stop))
        return 1;
    return c->interrupt && c->interrupt(c->interrupt_user) != 0;
}

/* FFmpeg's interrupt callback: blocking reads and connects poll it. */
static int interrupt_cb(void *opaque)
{
    gy_vctl *c = opaque;
    if (gy_vctl_stopped(c))
        return 1;
    long long d = atomic_load(&c->deadline_ns);
    if (d && gy_vctl_now_ns() > d) {
        atomic_store(&c->timed_out, 1);
        return 1;
    }
    return 0;
}

/* (timed_out stays set until the next open: after a timeout FFmpeg's reader may hand out what it
 * had buffered first, then repeat the error without asking the callback again) */
static void arm_deadline(gy_vsrc *s)
{
    atomic_store(&s->ctl->deadline_ns, s->is_stream || s->is_web
                                           ? gy_vctl_now_ns() + (long long)s->timeout_ms * 1000000LL
                                           : 0);
}

static const char *av_err(int e, char *buf, size_t n)
{
    if (av_strerror(e, buf, n) < 0)
        snprintf(buf, n, "error %d", e);
    return buf;
}

/* The status and message for a failed FFmpeg call: interrupted, timed out, or FFmpeg's reason. */
static gy_status fail_av(gy_vsrc *s, gy_error *err, gy_status st, int e, const char *what)
{
    char b[128];
    if (e == AVERROR_EXIT || e == AVERROR(EINTR)) {
        if (atomic_load(&s->ctl->timed_out))
            return gy_fail(err, GY_ERR_IO, "%s: %s: no answer within %d ms", s->name, what,
                           s->timeout_ms);
        if (gy_vctl_stopped(s->ctl))
            return gy_fail(err, GY_ERR_STATE, "%s: %s: interrupted", s->name, what);
    }
    if (e == AVERROR(ENOMEM))
        return gy_fail(err, GY_ERR_NOMEM, "%s: %s: out of memory", s->name, what);
    return gy_fail(err, st, "%s: %s (%s)", s->name, what, av_err(e, b, sizeof b));
}

static int mem_read(void *opaque, uint8_t *buf, int n)
{
    gy_vmem *m = opaque;
    size_t left = m->size - m->pos;
    if (left == 0)
        return AVERROR_EOF;
    size_t k = (size_t)n < left ? (size_t)n : left;
    memcpy(buf, m->data + m->pos, k);
    m->pos += k;
    return (int)k;
}

static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
    gy_vmem *m = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return (int64_t)m->size;
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)m->pos; break;
    case SEEK_END: base = (int64_t)m->size; break;
    default: return AVERROR(EINVAL);
    }
    if (off < -base || off > (int64_t)m->size - base)
        return AVERROR(EINVAL);
    m->pos = (size_t)(base + off);
    return (int64_t)m->pos;
}

static double r2d(AVRational r) { return r.num == 0 || r.den == 0 ? 0.0 : (double)r.num / r.den; }

/* CAP_PROP_FRAME_COUNT as OpenCV computes it; a negative or absurd count (no duration: a live
 * stream) is 0, unknown. */
static long long cv_frame_count(const AVFormatContext *ic, const AVStream *st, double fps)
{
    if (st->nb_frames > 0)
        return st->nb_frames;
    double sec = (double)ic->duration / AV_TIME_BASE;
    if (sec < 0.000025)
        sec = (double)st->duration * r2d(st->time_base);
    double n = floor(sec * fps + 0.5);
    return n >= 0 && n < 1e15 ? (long long)n : 0;
}

/* The clockwise rotation OpenCV >= 4.7 applies: minus the display matrix's angle, rounded, in
 * [0, 360); only 90, 180 and 270 turn the frames. */
static int display_rotation(const AVStream *st)
{
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!m || size < 9 * sizeof(int32_t))
        return 0;
    double a = av_display_rotation_get((const int32_t *)m);
    if (!isfinite(a))
        return 0;
    long r = -lrint(a);
    if (r < 0)
        r += 360;
    return r == 90 || r == 180 || r == 270 ? (int)r : 0;
}

static gy_status open_decoder(gy_vsrc *s, int decode_threads, gy_error *err)
{
    AVStream *st = s->ic->streams[s->stream];
    const AVCodecParameters *par = st->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: no decoder for %s video", s->name,
                       avcodec_get_name(par->codec_id));
    s->dec = avcodec_alloc_context3(codec);
    if (!s->dec)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", s->name);
    int e = avcodec_parameters_to_context(s->dec, par);
    if (e < 0)
        return fail_av(s, err, GY_ERR_FORMAT, e, "bad stream parameters");
    s->dec->thread_count = decode_threads;
    s->dec->max_pixels = GY_IMAGE_MAX_PIXELS;
    s->dec->opaque = s->log;
    s->dec->pkt_timebase = st->time_base;
    e = avcodec_open2(s->dec, codec, NULL);
    if (e < 0)
        return fail_av(s, err, GY_ERR_FORMAT, e, "cannot open the decoder");
    /* as OpenCV: the stream's size wins over a decoder's own idea of it */
    if (par->width && s->dec->width != par->width)
        s->dec->width = par->width;
    if (par->height && s->dec->height != par->height)
        s->dec->height = par->height;
    s->pkt = av_packet_alloc();
    s->pic = av_frame_alloc();
    if (!s->pkt || !s->pic)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", s->name);
    return GY_OK;
}

static gy_status too_large(const gy_vsrc *s, int w, int h, gy_error *err)
{
    return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: %dx%d video has more than the %lld pixels allowed",
                   s->name, w, h, (long long)GY_IMAGE_MAX_PIXELS);
}

static gy_status open_input(gy_vsrc *s, gy_error *err)
{
    s->ic = avformat_alloc_context();
    if (!s->ic)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", s->name);
    s->ic->interrupt_callback.callback = interrupt_cb;
    s->ic->interrupt_callback.opaque = s->ctl;
    s->ic->opaque = s->log;
    if (s->mem) {
        unsigned char *buf = av_malloc(4096);
        if (!buf)
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", s->name);
        s->mem_io = avio_alloc_context(buf, 4096, 0, s->mem, mem_read, NULL, mem_seek);
        if (!s->mem_io) {
            av_free(buf);
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", s->name);
        }
        s->ic->pb = s->mem_io;
        s->ic->flags |= AVFMT_FLAG_CUSTOM_IO;
    }
    AVDictionary *opts = NULL;
    int e = 0;
    if (!s->is_stream) {
        e = av_dict_set(&opts, "format_whitelist", GY_VIDEO_DEMUXERS, 0);
        if (e >= 0 && !s->mem) /* a web file through HTTP(S) only, a file from the disk only */
            e = av_dict_set(&opts, "protocol_whitelist", s->is_web ? "http,https,tcp,tls" : "file",
                            0);
    } else {
        e = av_dict_set(&opts, "rtsp_flags", "prefer_tcp", 0); /* OpenCV's default */
    }
    if (e < 0) {
        av_dict_free(&opts);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", s->name);
    }
    /* a file is named "file:PATH", so a ':' in its name is never taken for a protocol; a URL's
     * scheme is written in lower case, as FFmpeg knows its protocols ("RTSP://" is rtsp) */
    char *url = NULL;
    if (!s->mem) {
        int net = s->is_stream || s->is_web;
        size_t n = strlen(s->name) + 6;
        url = av_malloc(n);
        if (!url) {
            av_dict_free(&opts);
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", s->name);
        }
        snprintf(url, n, "%s%s", net ? "" : "file:", s->name);
        const char *colon = net ? strstr(url, "://") : NULL;
        for (char *c = url; colon && c < colon; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    arm_deadline(s);
    e = avformat_open_input(&s->ic, url, NULL, &opts);
    av_free(url);
    av_dict_free(&opts); /* (avformat_open_input frees ic on failure) */
    if (e < 0) {
        if (e == AVERROR(ENOENT))
            return gy_fail(err, GY_ERR_IO, "%s: no such file", s->name);
        if (s->is_stream)
            return fail_av(s, err, GY_ERR_IO, e, "cannot open the stream");
        if (s->is_web)
            return fail_av(s, err, GY_ERR_IO, e, "cannot open");
        if (e == AVERROR(EINVAL) || e == AVERROR_INVALIDDATA)
            return gy_fail(err, GY_ERR_FORMAT,
                           "%s: not a video in one of the formats read (%s): unrecognised or "
                           "damaged data", s->name, GY_VIDEO_FORMATS);
        return fail_av(s, err, GY_ERR_IO, e, "cannot open");
    }
    /* a size the demuxer read from the headers, over the cap: refused before any decoding */
    for (unsigned i = 0; i < s->ic->nb_streams; i++) {
        const AVCodecParameters *par = s->ic->streams[i]->codecpar;
        if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
            if ((long long)par->width * par->height > GY_IMAGE_MAX_PIXELS)
                return too_large(s, par->width, par->height, err);
            break;
        }
    }
    /* the probe's decoders are capped like ours, so a huge claimed size is not allocated */
    unsigned n = s->ic->nb_streams;
    AVDictionary **sopts = n ? av_calloc(n, sizeof *sopts) : NULL;
    if (n && !sopts)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", s->name);
    e = 0;
    for (unsigned i = 0; i < n && e >= 0; i++) {
        e = av_dict_set_int(&sopts[i], "max_pixels", GY_IMAGE_MAX_PIXELS, 0);
        if (e >= 0)
            e = av_dict_set(&sopts[i], "threads", "1", 0);
    }
    if (e >= 0)
        e = avformat_find_stream_info(s->ic, sopts);
    for (unsigned i = 0; i < n; i++)
        av_dict_free(&sopts[i]);
    av_free(sopts);
    if (e < 0)
        return fail_av(s, err, s->is_stream ? GY_ERR_IO : GY_ERR_FORMAT, e,
                       "cannot read the stream parameters");
    return GY_OK;
}

int gy_vsrc_is_web(const char *name)
{
    static const char *const schemes[] = {"http://", "https://"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strncasecmp(name, schemes[i], strlen(schemes[i])) == 0)
            return 1;
    return 0;
}

gy_status gy_vsrc_open(gy_vsrc *s, const char *name, gy_vmem *mem, int is_stream, int timeout_ms,
                       int decode_threads, gy_vctl *ctl, gy_vlog *log, gy_error *err)
{
    long long decoded = s->decoded; /* a reopened stream keeps counting */
    memset(s, 0, sizeof *s);
    s->decoded = decoded;
    s->name = name;
    s->mem = mem;
    s->is_stream = is_stream;
    s->is_web = !is_stream && !mem && gy_vsrc_is_web(name);
    s->timeout_ms = timeout_ms;
    s->ctl = ctl;
    s->log = log;
    s->stream = -1;
    atomic_store(&ctl->timed_out, 0);
    gy_vlog *prev_log = gy_vlog_set_current(log);
    gy_status st = open_input(s, err);
    if (st != GY_OK)
        goto fail;
    for (unsigned i = 0; i < s->ic->nb_streams; i++) {
        if (s->ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
            s->stream = (int)i;
            break;
        }
    }
    if (s->stream < 0) {
        st = gy_fail(err, GY_ERR_FORMAT, "%s: no video stream", s->name);
        goto fail;
    }
    const AVStream *vs = s->ic->streams[s->stream];
    int w = vs->codecpar->width, h = vs->codecpar->height;
    if (w < 0 || h < 0) {
        st = gy_fail(err, GY_ERR_FORMAT, "%s: bad frame size %dx%d", s->name, w, h);
        goto fail;
    }
    if (!is_stream && (w == 0 || h == 0)) {
        st = gy_fail(err, GY_ERR_FORMAT, "%s: the frame size is unknown: no picture could be decoded "
                     "(a damaged file, or a size over the %lld pixels allowed)", s->name,
                     (long long)GY_IMAGE_MAX_PIXELS);
        goto fail;
    }
    if ((long long)w * h > GY_IMAGE_MAX_PIXELS) {
        st = too_large(s, w, h, err);
        goto fail;
    }
    st = open_decoder(s, decode_threads, err);
    if (st != GY_OK)
        goto fail;
    s->width = s->dec->width;
    s->height = s->dec->height;
    s->rotation = display_rotation(vs);
    s->fps = r2d(av_guess_frame_rate(s->ic, (AVStream *)vs, NULL));
    s->nb_frames = vs->nb_frames > 0 ? vs->nb_frames : 0;
    s->frame_count = cv_frame_count(s->ic, vs, s->fps);
    atomic_store(&ctl->deadline_ns, 0);
    gy_vlog_set_current(prev_log);
    return GY_OK;
fail:
    atomic_store(&ctl->deadline_ns, 0);
    gy_vsrc_close(s);
    s->decoded = decoded;
    gy_vlog_set_current(prev_log);
    return st;
}

/* A packet or frame the decoder refused: reported with the number of the frame it held up;
 * after GY_VIDEO_MAX_DECODE_ERRORS in a row the source ends. */
static gy_status decode_error(gy_vsrc *s, int e, gy_error *err)
{
    char b[128];
    if (e == AVERROR(ENOMEM)) {
        s->finished = 1;
        return gy_fail(err, GY_ERR_NOMEM, "%s: frame %lld: out of memory", s->name, s->decoded + 1);
    }
    if (++s->errors_in_row >= GY_VIDEO_MAX_DECODE_ERRORS) {
        s->finished = 1;
        s->end_reported = 1;
        return gy_fail(err, GY_ERR_FORMAT, "%s: frame %lld: cannot decode (%s); %d errors in a row: "
                       "giving up", s->name, s->decoded + 1, av_err(e, b, sizeof b),
                       GY_VIDEO_MAX_DECODE_ERRORS);
    }
    return gy_fail(err, GY_ERR_FORMAT, "%s: frame %lld: cannot decode (%s)", s->name,
                   s->decoded + 1, av_err(e, b, sizeof b));
}

/* At the end of a file: the frames its container promised but did not give. */
static gy_status end_check(gy_vsrc *s, gy_error *err)
{
    s->end_reported = 1;
    if (s->is_stream)
        return GY_OK;
    if (s->nb_frames > 0 && s->decoded < s->nb_frames)
        return gy_fail(err, GY_ERR_FORMAT, "%s: frames %lld to %lld of %lld missing: %s", s->name,
                       s->decoded + 1, s->nb_frames, s->nb_frames,
                       s->read_error[0] ? s->read_error : "the file ends early (truncated?)");
    if (s->read_error[0])
        return gy_fail(err, GY_ERR_FORMAT, "%s: reading stopped after frame %lld: %s", s->name,
                       s->decoded, s->read_error);
    return GY_OK;
}

/* Reads the next packet of the video stream and sends it (or, at the end, the flush) to the
 * decoder. Returns 0 when sent, or an FFmpeg error of avcodec_send_packet. */
static int feed(gy_vsrc *s)
{
    int others = 0;
    for (;;) {
        av_packet_unref(s->pkt);
        arm_deadline(s);
        int e = av_read_frame(s->ic, s->pkt);
        atomic_store(&s->ctl->deadline_ns, 0);
        if (e == AVERROR(EAGAIN))
            continue;
        if (e < 0) {
            if (e != AVERROR_EOF) {
                char b[128];
                if (e == AVERROR_EXIT && atomic_load(&s->ctl->timed_out))
                    snprintf(s->read_error, sizeof s->read_error, "no data within %d ms",
                             s->timeout_ms);
                else if (e == AVERROR_EXIT && gy_vctl_stopped(s->ctl))
                    snprintf(s->read_error, sizeof s->read_error, "interrupted");
                else
                    snprintf(s->read_error, sizeof s->read_error, "%s", av_err(e, b, sizeof b));
            }
            s->eof_sent = 1;
            return avcodec_send_packet(s->dec, NULL);
        }
        if (s->pkt->stream_index != s->stream) {
            if (++others > GY_VIDEO_MAX_OTHER_PACKETS) {
                snprintf(s->read_error, sizeof s->read_error,
                         "more than %d packets of other streams in a row", GY_VIDEO_MAX_OTHER_PACKETS);
                s->eof_sent = 1;
                return avcodec_send_packet(s->dec, NULL);
            }
            continue;
        }
        int r = avcodec_send_packet(s->dec, s->pkt);
        av_packet_unref(s->pkt);
        return r;
    }
}

static gy_status grab(gy_vsrc *s, int *got, gy_error *err)
{
    if (s->nb_frames > 0 && s->decoded > s->nb_frames) { /* OpenCV's stop rule */
        s->finished = 1;
        return end_check(s, err);
    }
    for (;;) {
        int e = avcodec_receive_frame(s->dec, s->pic);
        if (e >= 0) {
            if ((long long)s->pic->width * s->pic->height > GY_IMAGE_MAX_PIXELS ||
                s->pic->width <= 0 || s->pic->height <= 0) {
                s->finished = 1;
                s->end_reported = 1;
                return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: frame %lld: %dx%d frame (more than the "
                               "%lld pixels allowed, or empty)", s->name, s->decoded + 1,
                               s->pic->width, s->pic->height, (long long)GY_IMAGE_MAX_PIXELS);
            }
            s->decoded++;
            s->errors_in_row = 0;
            *got = 1;
            return GY_OK;
        }
        if (e == AVERROR_EOF) {
            s->finished = 1;
            return end_check(s, err);
        }
        if (e != AVERROR(EAGAIN))
            return decode_error(s, e, err);
        if (s->eof_sent) { /* drained without an EOF: nothing more */
            s->finished = 1;
            return end_check(s, err);
        }
        e = feed(s);
        if (e < 0 && e != AVERROR_EOF)
            return decode_error(s, e, err);
    }
}

gy_status gy_vsrc_grab(gy_vsrc *s, int *got, gy_error *err)
{
    *got = 0;
    if (!s->dec || s->finished)
        return s->dec && !s->end_reported ? end_check(s, err) : GY_OK;
    gy_vlog *prev = gy_vlog_set_current(s->log); /* FFmpeg's messages here are about this video */
    gy_status st = grab(s, got, err);
    gy_vlog_set_current(prev);
    return st;
}

double gy_vsrc_time(const gy_vsrc *s)
{
    if (!s->ic || !s->pic || s->stream < 0)
        return -1;
    const AVStream *st = s->ic->streams[s->stream];
    int64_t t = s->pic->best_effort_timestamp;
    if (t == AV_NOPTS_VALUE)
        return -1;
    if (st->start_time != AV_NOPTS_VALUE)
        t -= st->start_time;
    return (double)t * r2d(st->time_base);
}

void gy_vsrc_close(gy_vsrc *s)
{
    av_frame_free(&s->pic);
    av_packet_free(&s->pkt);
    avcodec_free_context(&s->dec);
    avformat_close_input(&s->ic);
    if (s->mem_io) {
        av_freep(&s->mem_io->buffer);
        avio_context_free(&s->mem_io);
    }
    s->finished = 1;
    s->end_reported = 1;
}

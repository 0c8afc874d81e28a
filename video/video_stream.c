/* video_stream.c - a stream read as ultralytics' LoadStreams reads one: a reader thread grabs
 * pictures all the time and keeps only the newest kept frame (vid_stride applies to the grabs),
 * so a caller slower than the camera gets the latest picture instead of falling behind; it waits
 * for a frame newer than the last it got. Three buffers rotate: the one being decoded (back), the
 * newest, and the one the caller holds. A lost connection (end of data, read error, timeout) is
 * reopened up to `reconnects` times, each announced through the log callback; a stream whose frame
 * count is known ends after that many pictures, as ultralytics' reader does. */
#define _POSIX_C_SOURCE 200809L
#include "video/video.h"

#include <string.h>
#include <time.h>

#include "core/error.h"

/* Sleeps ms milliseconds unless stopped; returns non-zero when stopped. */
static int pause_ms(gy_video *v, int ms)
{
    for (int t = 0; t < ms; t += 50) {
        if (gy_vctl_stopped(&v->ctl))
            return 1;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return gy_vctl_stopped(&v->ctl);
}

static void finish(gy_video *v, int kind, gy_status st, const char *msg)
{
    pthread_mutex_lock(&v->mu);
    v->last.kind = kind;
    v->last.status = st;
    snprintf(v->last.message, sizeof v->last.message, "%s", msg ? msg : "");
    v->reader_done = 1;
    pthread_cond_broadcast(&v->cv);
    pthread_mutex_unlock(&v->mu);
}

/* Reopens the stream after a loss; returns 1 when reading can go on. */
static int reconnect(gy_video *v, const char *why, char *reason, size_t reason_size)
{
    snprintf(reason, reason_size, "%s", why);
    for (int k = 1; k <= v->p.reconnects; k++) {
        gy_vlog_say(&v->log, GY_LOG_WARNING, "stream lost after frame %lld (%s); reconnecting "
                    "(%d/%d)", v->src.decoded, reason, k, v->p.reconnects);
        if (pause_ms(v, k * 500 < 2000 ? k * 500 : 2000))
            return 0;
        gy_vsrc_close(&v->src);
        gy_error e;
        if (gy_vsrc_open(&v->src, v->source, NULL, 1, v->p.timeout_ms, v->p.decode_threads,
                         &v->ctl, &v->log, &e) == GY_OK) {
            gy_vlog_say(&v->log, GY_LOG_WARNING, "reconnected after frame %lld", v->src.decoded);
            return 1;
        }
        snprintf(reason, reason_size, "%s", gy_vlog_strip_source(v->source, e.message));
        if (gy_vctl_stopped(&v->ctl))
            return 0;
    }
    return 0;
}

static void *stream_reader(void *arg)
{
    gy_video *v = arg;
    char reason[GY_ERROR_MESSAGE_MAX];
    for (;;) {
        if (gy_vctl_stopped(&v->ctl)) {
            finish(v, GY_VSLOT_ERROR, GY_ERR_STATE, "interrupted");
            return NULL;
        }
        int last = gy_video_produce(v, v->back);
        if (v->back->kind == GY_VSLOT_FRAME) {
            pthread_mutex_lock(&v->mu);
            gy_vslot *t = v->newest;
            v->newest = v->back;
            v->back = t;
            v->seq++;
            pthread_cond_broadcast(&v->cv);
            pthread_mutex_unlock(&v->mu);
            continue;
        }
        if (!last) { /* a picture that could not be decoded: the stream goes on */
            gy_vlog_say(&v->log, GY_LOG_WARNING, "%s",
                        gy_vlog_strip_source(v->source, v->back->message));
            continue;
        }
        if (gy_vctl_stopped(&v->ctl)) {
            finish(v, GY_VSLOT_ERROR, GY_ERR_STATE, "interrupted");
            return NULL;
        }
        if (v->src.frame_count > 0 && v->src.decoded >= v->src.frame_count) {
            finish(v, GY_VSLOT_END, GY_OK, NULL); /* a stream of known length, read to its end */
            return NULL;
        }
        if (v->back->kind == GY_VSLOT_ERROR && v->back->status != GY_ERR_IO) {
            finish(v, GY_VSLOT_ERROR, v->back->status, v->back->message);
            return NULL;
        }
        const char *why = v->back->kind == GY_VSLOT_ERROR
                              ? gy_vlog_strip_source(v->source, v->back->message)
                          : v->src.read_error[0] ? v->src.read_error
                                                 : "end of data";
        if (reconnect(v, why, reason, sizeof reason))
            continue;
        if (gy_vctl_stopped(&v->ctl)) {
            finish(v, GY_VSLOT_ERROR, GY_ERR_STATE, "interrupted");
            return NULL;
        }
        char msg[GY_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s: stream lost after frame %lld: %.400s; %d reconnection%s failed",
                 v->source, v->src.decoded, reason, v->p.reconnects, v->p.reconnects == 1 ? "" : "s");
        finish(v, GY_VSLOT_ERROR, GY_ERR_IO, msg);
        return NULL;
    }
}

/* Waits until a frame newer than the caller's last is there or the reader stopped. */
static gy_status wait_newer(gy_video *v, long long than, gy_error *err)
{
    while (v->seq <= than && !v->reader_done) {
        if (gy_vctl_stopped(&v->ctl))
            return gy_fail(err, GY_ERR_STATE, "%s: interrupted", v->source);
        gy_video_wait(v);
    }
    return GY_OK;
}

gy_status gy_video_stream_start(gy_video *v, gy_error *err)
{
    v->back = &v->slots[0];
    v->newest = &v->slots[1];
    v->held = &v->slots[2];
    if (pthread_create(&v->thread, NULL, stream_reader, v) != 0)
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot start the reader thread", v->source);
    v->has_thread = 1;
    pthread_mutex_lock(&v->mu);
    gy_status st = wait_newer(v, 0, err);
    if (st == GY_OK && v->seq == 0) { /* as ultralytics: no first frame, no stream */
        if (v->last.kind == GY_VSLOT_ERROR)
            st = gy_fail(err, v->last.status, "%s", v->last.message);
        else
            st = gy_fail(err, GY_ERR_IO, "%s: the stream ended before its first frame", v->source);
    }
    pthread_mutex_unlock(&v->mu);
    return st;
}

gy_status gy_video_stream_next(gy_video *v, gy_vslot **out, gy_error *err)
{
    pthread_mutex_lock(&v->mu);
    gy_status st = wait_newer(v, v->seen, err);
    if (st == GY_OK) {
        if (v->seq > v->seen) {
            gy_vslot *t = v->held;
            v->held = v->newest;
            v->newest = t;
            v->seen = v->seq;
            *out = v->held;
        } else {
            *out = &v->last;
        }
    }
    pthread_mutex_unlock(&v->mu);
    return st;
}

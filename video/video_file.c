/* video_file.c - a video file read in order: with queue > 0 a reader thread decodes up to `queue`
 * frames ahead into a ring of queue + 1 slots (the caller holds one more), so decoding overlaps the
 * caller's work; with queue 0 the caller's thread decodes in gy_video_next. Frames, decoding
 * errors and the end come out in the order they happened. */
#include "video/video.h"

#include "core/error.h"

static void *reader(void *arg)
{
    gy_video *v = arg;
    for (;;) {
        pthread_mutex_lock(&v->mu);
        while (v->filled >= v->nslots && !atomic_load(&v->ctl.stop))
            pthread_cond_wait(&v->cv_free, &v->mu);
        if (atomic_load(&v->ctl.stop)) {
            pthread_mutex_unlock(&v->mu);
            break;
        }
        gy_vslot *slot = &v->slots[(v->head + v->filled) % v->nslots];
        pthread_mutex_unlock(&v->mu);
        int last = gy_video_produce(v, slot); /* the slot is the reader's until filled grows */
        pthread_mutex_lock(&v->mu);
        v->filled++;
        pthread_cond_signal(&v->cv);
        pthread_mutex_unlock(&v->mu);
        if (last)
            break;
    }
    pthread_mutex_lock(&v->mu);
    v->reader_done = 1;
    pthread_cond_signal(&v->cv);
    pthread_mutex_unlock(&v->mu);
    return NULL;
}

gy_status gy_video_file_start(gy_video *v, gy_error *err)
{
    if (v->p.queue == 0)
        return GY_OK;
    if (pthread_create(&v->thread, NULL, reader, v) != 0)
        return gy_fail(err, GY_ERR_NOMEM, "%s: cannot start the reader thread", v->source);
    v->has_thread = 1;
    return GY_OK;
}

gy_status gy_video_file_next(gy_video *v, gy_vslot **out, gy_error *err)
{
    if (!v->has_thread) {
        gy_video_produce(v, &v->slots[0]);
        *out = &v->slots[0];
        return GY_OK;
    }
    pthread_mutex_lock(&v->mu);
    if (v->held) { /* the caller is done with the frame it held: the reader may reuse it */
        v->held = NULL;
        v->head = (v->head + 1) % v->nslots;
        v->filled--;
        pthread_cond_signal(&v->cv_free);
    }
    while (v->filled == 0 && !v->reader_done) {
        if (gy_vctl_stopped(&v->ctl)) {
            pthread_mutex_unlock(&v->mu);
            return gy_fail(err, GY_ERR_STATE, "%s: interrupted", v->source);
        }
        gy_video_wait(v);
    }
    if (v->filled == 0) { /* the reader stopped without a last slot: stopped from outside */
        pthread_mutex_unlock(&v->mu);
        return gy_fail(err, GY_ERR_STATE, "%s: interrupted", v->source);
    }
    v->held = &v->slots[v->head];
    *out = v->held;
    pthread_mutex_unlock(&v->mu);
    return GY_OK;
}

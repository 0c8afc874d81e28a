/* video_produce.c - one step of a reader: grab pictures until one is kept (ultralytics' vid_stride:
 * grab vid_stride pictures, retrieve the last), convert it, and put it (or the error, or the end)
 * in a slot. Also the caller's bounded wait shared by files and streams. */
#define _POSIX_C_SOURCE 200809L
#include "video/video.h"

#include <errno.h>
#include <time.h>

#include "core/error.h"

static int put_error(gy_vslot *slot, gy_status st, const gy_error *e)
{
    slot->kind = GY_VSLOT_ERROR;
    slot->status = st;
    snprintf(slot->message, sizeof slot->message, "%s", e->message);
    return st != GY_ERR_FORMAT;
}

static int produce(gy_video *v, gy_vslot *slot)
{
    gy_error e;
    for (;;) {
        int got = 0;
        gy_status st = gy_vsrc_grab(&v->src, &got, &e);
        if (st != GY_OK)
            return put_error(slot, st, &e);
        if (!got) {
            slot->kind = GY_VSLOT_END;
            return 1;
        }
        if (v->src.decoded % v->p.vid_stride != 0)
            continue;
        st = gy_vconv_run(&v->conv, v->src.pic, v->src.dec, v->src.rotation, &slot->data,
                          &slot->cap, &slot->w, &slot->h, v->source, v->src.decoded, &e);
        if (st != GY_OK) {
            put_error(slot, st, &e);
            return 1;
        }
        slot->kind = GY_VSLOT_FRAME;
        slot->index = v->src.decoded;
        slot->time_s = gy_vsrc_time(&v->src);
        return 0;
    }
}

int gy_video_produce(gy_video *v, gy_vslot *slot)
{
    gy_vlog *prev = gy_vlog_set_current(&v->log); /* swscale's messages are about it too */
    int last = produce(v, slot);
    gy_vlog_set_current(prev);
    return last;
}

void gy_video_wait(gy_video *v)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    int r = pthread_cond_timedwait(&v->cv, &v->mu, &ts);
    (void)r; /* a timeout only lets the caller poll its interrupt */
}

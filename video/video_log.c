/* video_log.c - the FFmpeg log router: FFmpeg has one process-wide log callback, so the first video
 * opened installs this router once; it finds the video a message is about (the opaque pointer of
 * its format or codec context, checked against the registry of live videos before use, or the
 * video whose reader thread is calling FFmpeg) and hands the message to that video's callback as
 * "<source>: ffmpeg: <message>". A message about no video of ours goes to FFmpeg's default
 * callback, so another FFmpeg user in the process keeps its logging. */
#include "video/video_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static gy_vlog *registry;               /* live logs, guarded by registry_lock */
static _Thread_local gy_vlog *current;  /* the video this thread's FFmpeg calls are about */

static int registered(const gy_vlog *l)
{
    for (const gy_vlog *p = registry; p; p = p->next)
        if (p == l)
            return 1;
    return 0;
}

/* The opaque pointer of a format or codec context (the only kinds whose opaque we set). */
static void *context_opaque(void *avcl)
{
    if (!avcl)
        return NULL;
    const AVClass *c = *(const AVClass **)avcl;
    if (!c || !c->class_name)
        return NULL;
    if (strcmp(c->class_name, "AVFormatContext") == 0)
        return ((AVFormatContext *)avcl)->opaque;
    if (strcmp(c->class_name, "AVCodecContext") == 0)
        return ((AVCodecContext *)avcl)->opaque;
    return NULL;
}

static void deliver(gy_vlog *l, gy_log_level level, const char *text)
{
    if (l->fn)
        l->fn(l->user, level, text);
}

static void router(void *avcl, int level, const char *fmt, va_list vl)
{
    pthread_mutex_lock(&registry_lock);
    gy_vlog *l = context_opaque(avcl);
    if (!l || !registered(l))
        l = current && registered(current) ? current : NULL;
    if (!l) {
        pthread_mutex_unlock(&registry_lock);
        av_log_default_callback(avcl, level, fmt, vl);
        return;
    }
    if (level <= AV_LOG_WARNING && l->fn) { /* errors and warnings; FFmpeg's chatter is dropped */
        char msg[768];
        int n = vsnprintf(msg, sizeof msg, fmt, vl);
        if (n > 0) {
            size_t len = strlen(msg);
            while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
                msg[--len] = '\0';
            const char *who = "";
            if (avcl && *(const AVClass **)avcl) {
                const AVClass *c = *(const AVClass **)avcl;
                who = c->item_name ? c->item_name(avcl) : c->class_name;
            }
            char text[1200];
            snprintf(text, sizeof text, "%s: ffmpeg (%s): %s", l->source, who ? who : "", msg);
            if (len > 0)
                deliver(l, level <= AV_LOG_ERROR ? GY_LOG_WARNING : GY_LOG_INFO, text);
        }
    }
    pthread_mutex_unlock(&registry_lock);
}

static void install(void) { av_log_set_callback(router); }

void gy_vlog_register(gy_vlog *l, gy_log_fn fn, void *user, const char *source)
{
    pthread_once(&install_once, install);
    l->fn = fn;
    l->user = user;
    snprintf(l->source, sizeof l->source, "%s", source ? source : "<video>");
    pthread_mutex_lock(&registry_lock);
    l->next = registry;
    registry = l;
    pthread_mutex_unlock(&registry_lock);
}

void gy_vlog_unregister(gy_vlog *l)
{
    pthread_mutex_lock(&registry_lock);
    for (gy_vlog **p = &registry; *p; p = &(*p)->next) {
        if (*p == l) {
            *p = l->next;
            break;
        }
    }
    if (current == l)
        current = NULL;
    pthread_mutex_unlock(&registry_lock);
}

gy_vlog *gy_vlog_set_current(gy_vlog *l)
{
    gy_vlog *prev = current;
    current = l;
    return prev;
}

void gy_vlog_say(gy_vlog *l, gy_log_level level, const char *fmt, ...)
{
    if (!l || !l->fn)
        return;
    char msg[GY_ERROR_MESSAGE_MAX];
    int n = snprintf(msg, sizeof msg, "%s: ", l->source);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&registry_lock);
    deliver(l, level, msg);
    pthread_mutex_unlock(&registry_lock);
}

const char *gy_vlog_strip_source(const char *source, const char *m)
{
    size_t n = strlen(source);
    return strncmp(m, source, n) == 0 && m[n] == ':' && m[n + 1] == ' ' ? m + n + 2 : m;
}

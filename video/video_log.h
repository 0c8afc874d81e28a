/* video_log.h - FFmpeg's messages about one video routed to that video's log callback instead of
 * stderr (the library never prints); our own warnings go the same way. */
#ifndef GY_VIDEO_LOG_H
#define GY_VIDEO_LOG_H

#include "core/error.h"
#include "ghostyolo.h"

typedef struct gy_vlog {
    gy_log_fn fn;          /* may be NULL: the messages are dropped */
    void *user;
    char source[256];      /* the video's path or URL (shortened) for the messages */
    struct gy_vlog *next;  /* the registry of live logs (video_log.c) */
} gy_vlog;

/* Makes l a destination: FFmpeg contexts whose opaque is l speak to it (set AVFormatContext and
 * AVCodecContext opaque to l), and so do FFmpeg's calls on a thread where l is current. The first
 * call installs the router as FFmpeg's log callback (messages of contexts that are not ours still
 * go to FFmpeg's default callback). */
void gy_vlog_register(gy_vlog *l, gy_log_fn fn, void *user, const char *source);
/* After this no message reaches l (call it after closing l's FFmpeg contexts). */
void gy_vlog_unregister(gy_vlog *l);
/* FFmpeg's calls on this thread speak for l from now on (NULL: for nobody); returns the previous
 * one, to be put back. */
gy_vlog *gy_vlog_set_current(gy_vlog *l);
/* Sends one of our own messages ("<source>: <text>") to l's callback, if any. */
void gy_vlog_say(gy_vlog *l, gy_log_level level, const char *fmt, ...) GY_PRINTF(3, 4);
/* m without the "<source>: " its producer put first (gy_vlog_say adds it again when the message
 * is passed on); m itself when it does not start with exactly that. */
const char *gy_vlog_strip_source(const char *source, const char *m);

#endif

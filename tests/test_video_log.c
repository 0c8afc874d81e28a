/* test_video_log.c - FFmpeg's log router (video/video_log.c): a message reaches the video it is
 * about (its context's opaque, else the video current on the thread), only while that video is
 * registered; errors become warnings, warnings become info, FFmpeg's chatter is dropped and so is
 * an empty line; unregistering one video leaves another current one current. */
#include <stdio.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "testutil.h"
#include "video/video_log.h"

typedef struct inbox {
    int n;
    gy_log_level level;
    char last[1200];
} inbox;

static void collect(void *user, gy_log_level level, const char *message)
{
    inbox *b = user;
    b->n++;
    b->level = level;
    snprintf(b->last, sizeof b->last, "%s", message);
}

START_TEST(routes_by_current_and_registry)
{
    inbox a = {0}, b = {0};
    gy_vlog la, lb;
    gy_vlog_register(&la, collect, &a, "a.mp4");
    gy_vlog_register(&lb, collect, &b, "b.mp4");
    gy_vlog *prev = gy_vlog_set_current(&la);
    av_log(NULL, AV_LOG_ERROR, "boom %d\n", 7);
    ck_assert_int_eq(a.n, 1);
    ck_assert_int_eq(b.n, 0);
    ck_assert_str_eq(a.last, "a.mp4: ffmpeg (): boom 7");
    ck_assert_int_eq(a.level, GY_LOG_WARNING);
    av_log(NULL, AV_LOG_WARNING, "careful\r\n");
    ck_assert_int_eq(a.n, 2);
    ck_assert_int_eq(a.level, GY_LOG_INFO);
    ck_assert_str_eq(a.last, "a.mp4: ffmpeg (): careful");
    av_log(NULL, AV_LOG_INFO, "chatter\n"); /* below a warning: dropped */
    av_log(NULL, AV_LOG_ERROR, "\n");       /* nothing left once the line end is cut */
    ck_assert_int_eq(a.n, 2);
    /* the current video changes; unregistering another one leaves it current */
    ck_assert_ptr_eq(gy_vlog_set_current(&lb), &la);
    gy_vlog_unregister(&la);
    av_log(NULL, AV_LOG_ERROR, "to b\n");
    ck_assert_int_eq(b.n, 1);
    ck_assert_str_eq(b.last, "b.mp4: ffmpeg (): to b");
    ck_assert_int_eq(a.n, 2);
    /* a context whose opaque is a registered video speaks to it, whoever is current */
    AVFormatContext *ctx = avformat_alloc_context();
    ck_assert_ptr_nonnull(ctx);
    gy_vlog_register(&la, collect, &a, "a.mp4");
    ctx->opaque = &la;
    av_log(ctx, AV_LOG_ERROR, "mine\n");
    ck_assert_int_eq(a.n, 3);
    ck_assert_int_eq(b.n, 1);
    ck_assert_msg(strstr(a.last, "a.mp4: ffmpeg (") && strstr(a.last, "): mine"), "%s", a.last);
    /* once unregistered, its context's messages go to the current video instead */
    gy_vlog_unregister(&la);
    av_log(ctx, AV_LOG_ERROR, "orphan\n");
    ck_assert_int_eq(a.n, 3);
    ck_assert_int_eq(b.n, 2);
    /* the current video unregistered: nobody of ours hears (FFmpeg's default callback does) */
    gy_vlog_unregister(&lb);
    av_log(NULL, AV_LOG_ERROR, "to stderr\n");
    ck_assert_int_eq(b.n, 2);
    avformat_free_context(ctx);
    gy_vlog_set_current(prev);
}
END_TEST

START_TEST(own_messages)
{
    inbox a = {0};
    gy_vlog la;
    gy_vlog_register(&la, collect, &a, "clip.avi");
    gy_vlog_say(&la, GY_LOG_WARNING, "frame %d skipped", 3);
    ck_assert_int_eq(a.n, 1);
    ck_assert_int_eq(a.level, GY_LOG_WARNING);
    ck_assert_str_eq(a.last, "clip.avi: frame 3 skipped");
    gy_vlog_say(NULL, GY_LOG_WARNING, "nobody");
    gy_vlog quiet;
    gy_vlog_register(&quiet, NULL, NULL, NULL); /* no callback: dropped; no source: "<video>" */
    ck_assert_str_eq(quiet.source, "<video>");
    gy_vlog_say(&quiet, GY_LOG_INFO, "dropped");
    gy_vlog *prev = gy_vlog_set_current(&quiet);
    av_log(NULL, AV_LOG_ERROR, "dropped too\n");
    gy_vlog_set_current(prev);
    ck_assert_int_eq(a.n, 1);
    gy_vlog_unregister(&quiet);
    gy_vlog_unregister(&la);
}
END_TEST

/* gy_vlog_strip_source takes off exactly "<source>: " and nothing else: each of its three
 * conditions failing alone (another prefix, no colon, a colon without the space) leaves the
 * message whole, as does a message shorter than the source or equal to it. */
START_TEST(strip_source_prefix)
{
    const char *src = "rtsp://cam/1";
    ck_assert_str_eq(gy_vlog_strip_source(src, "rtsp://cam/1: timeout"), "timeout");
    ck_assert_str_eq(gy_vlog_strip_source(src, "rtsp://cam/1: "), "");
    ck_assert_str_eq(gy_vlog_strip_source(src, "rtsp://cam/2: timeout"), "rtsp://cam/2: timeout");
    ck_assert_str_eq(gy_vlog_strip_source(src, "rtsp://cam/1; timeout"), "rtsp://cam/1; timeout");
    ck_assert_str_eq(gy_vlog_strip_source(src, "rtsp://cam/1:timeout"), "rtsp://cam/1:timeout");
    ck_assert_str_eq(gy_vlog_strip_source(src, "rtsp://cam/10: x"), "rtsp://cam/10: x");
    ck_assert_str_eq(gy_vlog_strip_source(src, "rtsp://cam/1"), "rtsp://cam/1");
    ck_assert_str_eq(gy_vlog_strip_source(src, "rtsp"), "rtsp");
    ck_assert_str_eq(gy_vlog_strip_source(src, "xxxx://cam/1: x"), "xxxx://cam/1: x");
    /* the same length, another text, ": " where the source would end */
    ck_assert_str_eq(gy_vlog_strip_source(src, "abcdefghijkl: x"), "abcdefghijkl: x");
    ck_assert_str_eq(gy_vlog_strip_source("", ": x"), "x");
}
END_TEST

static Suite *video_log_suite(void)
{
    Suite *s = suite_create("video_log");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, routes_by_current_and_registry);
    tcase_add_test(tc, own_messages);
    tcase_add_test(tc, strip_source_prefix);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(video_log_suite()); }

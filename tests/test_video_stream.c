/* test_video_stream.c - streams on loopback only: an ffmpeg process started by the test serves a
 * generated test pattern (MPEG-TS, MPEG-2 video, 25 fps, bounded by -t and a listen timeout, killed
 * and reaped by the test, and killed with the test if it dies) to 127.0.0.1 over TCP or UDP. The
 * reader keeps the newest frame (a slow caller skips frames and stays current), reconnects to a
 * restarted server, gives up after its reconnections with the path and frame number, times out on
 * a silent UDP port, is interrupted by the caller; a refused connection and `.streams` lists. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "videotest.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ffmpeg serving `seconds` of testsrc as MPEG-TS to url (tcp listen or udp send). */
static pid_t serve(const char *url, double seconds)
{
    return gy_vt_serve(url, seconds, "320x240");
}

static void gone(pid_t pid)
{
    gy_vt_kill(pid);
    ck_assert_msg(kill(pid, 0) != 0 && errno == ESRCH, "ffmpeg %d still there", (int)pid);
}

typedef struct logbook {
    int reconnecting, reconnected, total;
    char last[512];
} logbook;

static void logger(void *user, gy_log_level level, const char *m)
{
    (void)level;
    logbook *l = user;
    l->total++;
    if (strstr(m, "reconnecting ("))
        l->reconnecting++;
    if (strstr(m, "reconnected after frame"))
        l->reconnected++;
    snprintf(l->last, sizeof l->last, "%s", m);
}

/* Opens url, retrying while the server is not listening yet (up to 5 s). */
static gy_video *open_stream(const char *url, gy_video_params *p)
{
    gy_error err;
    for (int i = 0; i < 100; i++) {
        gy_video *v = NULL;
        gy_status st = gy_video_open(url, p, &v, &err);
        if (st == GY_OK)
            return v;
        ck_assert_msg(st == GY_ERR_IO, "%s", err.message);
        sleep_ms(50);
    }
    ck_abort_msg("%s: no stream within 5 s: %s", url, err.message);
    return NULL;
}

/* A caller four times slower than the camera gets the newest frames: it skips, and stays current. */
START_TEST(tcp_keeps_the_newest_frame)
{
    int port = gy_vt_free_port(0);
    char listen_url[128], url[128];
    snprintf(listen_url, sizeof listen_url, "tcp://127.0.0.1:%d?listen=1&listen_timeout=8000", port);
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", port);
    double t0 = gy_vt_now();
    pid_t srv = serve(listen_url, 3.0);
    logbook lb = {0};
    gy_video_params p = gy_video_default_params();
    p.reconnects = 1;
    p.timeout_ms = 3000;
    p.log = logger;
    p.log_user = &lb;
    gy_video *v = open_stream(url, &p);
    double t_open = gy_vt_now() - t0;
    gy_video_info info;
    gy_video_get_info(v, &info);
    ck_assert_int_eq(info.is_stream, 1);
    ck_assert_int_eq(info.width, 320);
    ck_assert_int_eq(info.height, 240);
    ck_assert(info.fps == 25);
    ck_assert_int_eq(info.frame_count, 0); /* live: unknown */
    long long last = 0;
    int got = 0, skipped = 0;
    gy_status st;
    gy_error err;
    for (;;) {
        gy_video_frame f;
        st = gy_video_next(v, &f, &err);
        if (st != GY_OK || !f.image.data)
            break;
        ck_assert_int_eq(f.image.width, 320);
        ck_assert_int_gt(f.index, last);
        skipped += f.index > last + 1;
        last = f.index;
        ck_assert_int_eq(f.count, ++got);
        sleep_ms(160); /* 4 frame times */
    }
    double t_end = gy_vt_now() - t0;
    ck_assert_int_eq(st, GY_ERR_IO);
    ck_assert_msg(strstr(err.message, url) && strstr(err.message, "stream lost after frame") &&
                  strstr(err.message, "1 reconnection failed"), "%s", err.message);
    ck_assert_int_eq(lb.reconnecting, 1);
    gy_video_free(v);
    gone(srv);
    printf("tcp: first frame after %.2f s, %d frames handed out of %lld decoded (%d skips), "
           "end reported after %.2f s\n", t_open, got, last, skipped, t_end);
    ck_assert_int_ge(last, 50);          /* the reader kept up with 75 frames */
    ck_assert_int_le(got, (int)last / 2); /* and the caller skipped the ones it was too slow for */
    ck_assert_int_gt(skipped, 5);
    ck_assert_msg(t_end < 10, "the end took %.1f s", t_end);
}
END_TEST

/* The server goes away and another takes its port: the reader reconnects, frame numbers go on,
 * and the second loss ends the stream after its reconnections. */
START_TEST(tcp_reconnects_to_a_restarted_server)
{
    int port = gy_vt_free_port(0);
    char listen_url[128], url[128];
    snprintf(listen_url, sizeof listen_url, "tcp://127.0.0.1:%d?listen=1&listen_timeout=8000", port);
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", port);
    double t0 = gy_vt_now();
    pid_t a = serve(listen_url, 1.5), b = -1;
    logbook lb = {0};
    gy_video_params p = gy_video_default_params();
    p.reconnects = 2;
    p.timeout_ms = 3000;
    p.log = logger;
    p.log_user = &lb;
    gy_video *v = open_stream(url, &p);
    long long last = 0, before = 0;
    gy_status st;
    gy_error err;
    for (;;) {
        gy_video_frame f;
        st = gy_video_next(v, &f, &err);
        if (st != GY_OK || !f.image.data)
            break;
        ck_assert_int_gt(f.index, last);
        last = f.index;
        /* the first server accepted its one client and closed its listening socket: the second
         * listens on the same port at once, and waits for the reader to come back */
        if (b < 0)
            b = serve(listen_url, 1.5);
        if (!lb.reconnecting)
            before = last;
    }
    double t_end = gy_vt_now() - t0;
    ck_assert_int_eq(st, GY_ERR_IO);
    ck_assert_msg(strstr(err.message, "2 reconnections failed"), "%s", err.message);
    ck_assert_msg(lb.reconnected >= 1, "no reconnection: %s (log: %s)", err.message, lb.last);
    gy_video_free(v);
    gone(a);
    gone(b);
    printf("tcp reconnect: frames 1 to %lld from the first server, up to %lld after reconnecting, "
           "%d reconnection messages, ended after %.2f s\n", before, last, lb.reconnecting, t_end);
    ck_assert_int_gt(b, 0);
    ck_assert_int_gt(last, before + 20);
    ck_assert_msg(t_end < 15, "took %.1f s", t_end);
}
END_TEST

/* UDP has no end: a sender that stops is a read timeout, reported with the frame number. */
START_TEST(udp_sender_stops_read_times_out)
{
    int port = gy_vt_free_port(1);
    char send_url[128], url[128];
    snprintf(send_url, sizeof send_url, "udp://127.0.0.1:%d?pkt_size=1316", port);
    snprintf(url, sizeof url, "udp://127.0.0.1:%d", port);
    double t0 = gy_vt_now();
    pid_t srv = serve(send_url, 2.5);
    gy_video_params p = gy_video_default_params();
    p.reconnects = 0;
    p.timeout_ms = 1000;
    gy_video *v = open_stream(url, &p);
    int got = 0;
    gy_status st;
    gy_error err;
    for (;;) {
        gy_video_frame f;
        st = gy_video_next(v, &f, &err);
        if (st != GY_OK || !f.image.data)
            break;
        got++;
    }
    double t_end = gy_vt_now() - t0;
    gy_video_free(v);
    gone(srv);
    printf("udp: %d frames, then after %.2f s: %s\n", got, t_end, err.message);
    ck_assert_int_eq(st, GY_ERR_IO);
    ck_assert_msg(strstr(err.message, "no data within 1000 ms") && strstr(err.message, "0 reconnections"),
                  "%s", err.message);
    ck_assert_int_gt(got, 10);
    ck_assert_msg(t_end < 8, "took %.1f s", t_end);
}
END_TEST

/* Nothing arrives: the open times out, or the caller's interrupt stops it, promptly. */
static double interrupt_at;
static int after_deadline(void *user)
{
    (void)user;
    return gy_vt_now() > interrupt_at;
}

START_TEST(silent_port_times_out_or_is_interrupted)
{
    char url[128];
    snprintf(url, sizeof url, "udp://127.0.0.1:%d", gy_vt_free_port(1));
    gy_video_params p = gy_video_default_params();
    p.timeout_ms = 700;
    gy_video *v = NULL;
    gy_error err;
    double t = gy_vt_now();
    ck_assert_int_eq(gy_video_open(url, &p, &v, &err), GY_ERR_IO);
    t = gy_vt_now() - t;
    ck_assert_msg(strstr(err.message, url) && strstr(err.message, "no answer within 700 ms"), "%s",
                  err.message);
    ck_assert_msg(t > 0.6 && t < 3, "timed out after %.2f s", t);
    p.timeout_ms = 30000;
    p.interrupt = after_deadline;
    interrupt_at = gy_vt_now() + 0.3;
    t = gy_vt_now();
    ck_assert_int_eq(gy_video_open(url, &p, &v, &err), GY_ERR_STATE);
    t = gy_vt_now() - t;
    ck_assert_msg(strstr(err.message, "interrupted"), "%s", err.message);
    ck_assert_msg(t < 2, "interrupted after %.2f s", t);
    ck_assert_ptr_null(v);
}
END_TEST

START_TEST(refused_connection)
{
    char url[128];
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", gy_vt_free_port(0));
    gy_video *v = NULL;
    gy_error err;
    ck_assert_int_eq(gy_video_open(url, NULL, &v, &err), GY_ERR_IO);
    ck_assert_msg(strstr(err.message, url) && strstr(err.message, "cannot open the stream"), "%s",
                  err.message);
    /* the same URL forced to be read as a file: not on the file protocol */
    gy_video_params p = gy_video_default_params();
    p.mode = GY_VIDEO_FILE;
    ck_assert_int_ne(gy_video_open(url, &p, &v, &err), GY_OK);
    ck_assert_ptr_null(v);
}
END_TEST

START_TEST(streams_list_files)
{
    char path[600];
    snprintf(path, sizeof path, "%s/list.streams", gy_vt_clips());
    gy_test_write_text(path, "rtsp://cam1/live \t rtsp://cam2/live\r\n\n udp://127.0.0.1:5000\x1f"
                             "tcp://h:1\n");
    gy_stream_list *l = NULL;
    gy_error err;
    ck_assert_msg(gy_stream_list_load(path, &l, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(l->count, 4);
    ck_assert_str_eq(l->sources[0], "rtsp://cam1/live");
    ck_assert_str_eq(l->sources[1], "rtsp://cam2/live");
    ck_assert_str_eq(l->sources[2], "udp://127.0.0.1:5000");
    ck_assert_str_eq(l->sources[3], "tcp://h:1");
    gy_stream_list_free(l);
    gy_test_write_text(path, " \n\t\n");
    ck_assert_int_eq(gy_stream_list_load(path, &l, &err), GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "no sources"), "%s", err.message);
    ck_assert_ptr_null(l);
    /* exactly the most sources, and one more */
    size_t cap = (size_t)(GY_STREAM_LIST_MAX + 1) * 8 + 1;
    char *t = malloc(cap);
    for (int k = 0; k < 2; k++) {
        size_t n = 0;
        for (int i = 0; i < GY_STREAM_LIST_MAX + k; i++)
            n += (size_t)snprintf(t + n, cap - n, "u%d\n", i % 10000);
        gy_test_write_text(path, t);
        gy_status st = gy_stream_list_load(path, &l, &err);
        if (k == 0) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            ck_assert_int_eq(l->count, GY_STREAM_LIST_MAX);
            gy_stream_list_free(l);
        } else {
            ck_assert_int_eq(st, GY_ERR_UNSUPPORTED);
            ck_assert_msg(strstr(err.message, "more than the 1024 sources allowed"), "%s", err.message);
        }
    }
    free(t);
    FILE *f = fopen(path, "wb");
    fwrite("a\0b", 1, 3, f);
    fclose(f);
    ck_assert_int_eq(gy_stream_list_load(path, &l, &err), GY_ERR_FORMAT);
    ck_assert_int_eq(gy_stream_list_load("/nonexistent.streams", &l, &err), GY_ERR_IO);
    ck_assert_int_eq(gy_stream_list_load(NULL, &l, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_stream_list_load(path, NULL, &err), GY_ERR_ARGUMENT);
    gy_stream_list_free(NULL);
}
END_TEST

/* Opens url with the default parameters (GY_VIDEO_AUTO): 1 and its frame count when read as a
 * file (every frame, in order: each frame's hash equals the local clip's), 0 when taken for a
 * stream (which this server, serving files, cannot give: "cannot open the stream"). */
static int read_as_file(const char *url, const char *local, int *frames)
{
    gy_video_params p = gy_video_default_params();
    p.timeout_ms = 5000;
    gy_video *v = NULL, *ref = NULL;
    gy_error err;
    gy_status st = gy_video_open(url, &p, &v, &err);
    if (st != GY_OK) {
        ck_assert_msg(strstr(err.message, "cannot open the stream") != NULL, "%s: %s", url,
                      err.message);
        return 0;
    }
    gy_video_info info;
    gy_video_get_info(v, &info);
    ck_assert_int_eq(info.is_stream, 0);
    ck_assert_msg(gy_video_open(local, NULL, &ref, &err) == GY_OK, "%s", err.message);
    *frames = 0;
    for (;;) {
        gy_video_frame a, b;
        ck_assert_msg(gy_video_next(v, &a, &err) == GY_OK, "%s", err.message);
        ck_assert_msg(gy_video_next(ref, &b, &err) == GY_OK, "%s", err.message);
        ck_assert_int_eq(!a.image.data, !b.image.data);
        if (!a.image.data)
            break;
        char ha[17], hb[17];
        gy_vt_hash(&a.image, 0, ha);
        gy_vt_hash(&b.image, 0, hb);
        ck_assert_msg(strcmp(ha, hb) == 0 && a.index == b.index, "%s frame %lld", url, a.index);
        ++*frames;
    }
    gy_video_free(ref);
    gy_video_free(v);
    return 1;
}

/* An http(s):// URL whose path, without query and fragment, ends with a video extension is a video
 * file on a web server (ultralytics downloads it and reads it as a file): read in order over
 * HTTP, every frame as from the disk; any other http URL is a stream. Loopback only: python3's
 * http.server, started and stopped by the test. */
START_TEST(web_files_in_auto_mode)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/www", gy_vt_clips());
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/clip.webm' && cp '%s' '%s/CLIP.WEBM'", dir,
             gy_vt_clip("vp9.webm"), dir, gy_vt_clip("vp9.webm"), dir);
    ck_assert_int_eq(system(cmd), 0);
    int port = gy_vt_free_port(0);
    char ports[16];
    snprintf(ports, sizeof ports, "%d", port);
    char *argv[] = {"python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, ports,
                    NULL};
    pid_t srv = gy_vt_spawn(argv);
    if (!gy_vt_wait_listen(port, 10000)) {
        gy_vt_kill(srv);
        ck_abort_msg("the HTTP server did not listen");
    }
    static const struct {
        const char *path;
        int file;
    } cases[] = {
        {"http://127.0.0.1:%d/clip.webm", 1},
        {"HTTP://127.0.0.1:%d/CLIP.WEBM", 1},          /* scheme and extension in any case */
        {"http://127.0.0.1:%d/clip.webm?token=1", 1},  /* the query is not part of the name */
        {"http://127.0.0.1:%d/clip.webm#t=2", 1},      /* nor the fragment */
        {"http://127.0.0.1:%d/clip.webmx", 0},         /* not a video extension */
        {"http://127.0.0.1:%d/clip.web", 0},
        {"http://127.0.0.1:%d/clip", 0},               /* no extension */
        {"http://127.0.0.1:%d/clip.webm/", 0},         /* a folder */
        {"http://127.0.0.1:%d/a.webm/clip", 0},        /* the extension of a folder */
        {"http://127.0.0.1:%d/webm", 0},
    };
    char local[512];
    snprintf(local, sizeof local, "%s/clip.webm", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char url[128];
        snprintf(url, sizeof url, cases[i].path, port);
        int frames = 0;
        int file = read_as_file(url, local, &frames);
        ck_assert_msg(file == cases[i].file, "%s read as a %s", url, file ? "file" : "stream");
        if (file)
            ck_assert_int_eq(frames, 30);
    }
    gone(srv);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("video_stream");
    TCase *tc = tcase_create("stream");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, (void (*)(void))gy_vt_clips, gy_vt_cleanup);
    tcase_add_test(tc, tcp_keeps_the_newest_frame);
    tcase_add_test(tc, tcp_reconnects_to_a_restarted_server);
    tcase_add_test(tc, udp_sender_stops_read_times_out);
    tcase_add_test(tc, silent_port_times_out_or_is_interrupted);
    tcase_add_test(tc, refused_connection);
    tcase_add_test(tc, streams_list_files);
    tcase_add_test(tc, web_files_in_auto_mode);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

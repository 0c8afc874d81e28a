/* test_cli_stream.c - streams as sources of the real `ghostyolo detect`, on loopback only: ffmpeg
 * processes started by the test serve a generated test pattern (MPEG-TS over TCP or HTTP, bounded
 * by -t and a listen timeout) and are killed and reaped by the test (and with it, if it dies).
 * LoadStreams' lines ("1/1: URL... Success (inf frames of shape 320x240 at 25.00 FPS)", then
 * "0: 128x160 ... 9.2ms" per round), the reconnections said and bounded, the run's outputs named
 * after the URL (NAME.avi at 30 fps, --json frames from 0), a .streams file read together (frames
 * of different shapes letterboxed square, "0: ..., 1: ..."), streams that cannot be opened, and
 * Ctrl-C in the middle of a stream. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clirun.h"
#include "videotest.h"

static const char *weights(void)
{
    return gy_test_shared("weights/yolov8n.safetensors");
}

static int exists(const char *rel)
{
    return access(tmp_file(rel), F_OK) == 0;
}

static void setup(void)
{
    cli_setup("cli_stream");
}

static void make_clips(void)
{
    gy_vt_clips();
}

static void teardown(void)
{
    cli_teardown();
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A TCP server of `seconds` of testsrc at size on a free port, listening when this returns. */
static pid_t tcp_server(double seconds, const char *size, int *port)
{
    *port = gy_vt_free_port(0);
    char url[128];
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d?listen=1&listen_timeout=20000", *port);
    pid_t pid = gy_vt_serve(url, seconds, size);
    if (!gy_vt_wait_listen(*port, 10000)) {
        gy_vt_kill(pid);
        ck_abort_msg("ffmpeg did not listen on port %d within 10 s", *port);
    }
    return pid;
}

static void gone(pid_t pid)
{
    gy_vt_kill(pid);
    ck_assert_msg(kill(pid, 0) != 0 && errno == ESRCH, "ffmpeg %d still there", (int)pid);
}

/* Runs the real `ghostyolo detect -t 1 ARGS...` in the scratch folder with stdout and stderr in
 * outpath and errpath, as run() does, but as a child that dies with the test and is killed after
 * `seconds`: a stream test leaves no process behind, whatever happens. The exit code, or -1 when
 * it had to be killed. */
static int run_bounded(int seconds, char *const args[])
{
    char *argv[32] = {(char *)gy_test_cli(), "detect", "-t", "1"};
    int n = 4;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = gy_vt_spawn_io(argv, tmp, outpath, errpath);
    int st = gy_vt_wait(pid, seconds * 1000);
    if (st < 0) {
        gy_vt_kill(pid);
        return -1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int lines_starting(const char *text, const char *prefix)
{
    int n = 0;
    size_t k = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n += strncmp(p, prefix, k) == 0;
    return n;
}

static void probe_is(const char *rel, const char *key, const char *want)
{
    char v[128];
    gy_vt_probe(tmp_file(rel), key, v, sizeof v);
    ck_assert_msg(strcmp(v, want) == 0, "%s: %s is '%s', expected '%s'", rel, key, v, want);
}

/* One stream to its end: the open line, a line per round, the lost connection reopened up to 3
 * times (said), the end said, exit 0, within a bounded time; the annotated video at 30 fps with a
 * frame per round; --json frames from 0. */
START_TEST(tcp_stream_to_its_end)
{
    int port;
    pid_t srv = tcp_server(2.0, "320x240", &port);
    char w[512], url[64];
    snprintf(w, sizeof w, "%s", weights());
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", port);
    char *args[] = {"--json", "--imgsz", "160", "-o", "out", "-w", w, url, NULL};
    double t0 = gy_vt_now();
    int rc = run_bounded(60, args);
    double took = gy_vt_now() - t0;
    gone(srv);
    ck_assert_int_eq(rc, 0);
    char *e = read_text(errpath), want[256];
    snprintf(want, sizeof want, "1/1: tcp://127.0.0.1:%d... Success (inf frames of shape 320x240 at "
             "25.00 FPS)\n\n0: 128x160 ", port);
    ck_assert_msg(strncmp(e, want, strlen(want)) == 0, "starts not with '%s':\n%s", want, e);
    int rounds = lines_starting(e, "0: 128x160 ");
    snprintf(want, sizeof want, "ghostyolo detect: warning: tcp://127.0.0.1:%d: stream lost after "
             "frame ", port);
    ck_assert_msg(strstr(e, want) && strstr(e, "(end of data); reconnecting (1/3)\n") &&
                  strstr(e, "reconnecting (3/3)\n"), "%s", e);
    snprintf(want, sizeof want, "ghostyolo detect: tcp://127.0.0.1:%d: stream lost after frame ", port);
    ck_assert_msg(strstr(e, want) && strstr(e, "3 reconnections failed\n"), "%s", e);
    ck_assert_ptr_nonnull(strstr(e, "Speed: "));
    ck_assert_ptr_nonnull(strstr(e, "Results saved to out\n"));
    free(e);
    printf("tcp stream: %d rounds, ended after %.1f s\n", rounds, took);
    ck_assert_int_gt(rounds, 5);
    ck_assert_msg(took < 30, "took %.1f s", took);
    char n[16], rel[64];
    snprintf(n, sizeof n, "%d", rounds);
    snprintf(rel, sizeof rel, "out/127.0.0.1_%d.avi", port);
    probe_is(rel, "nb_read_frames", n);
    probe_is(rel, "r_frame_rate", "30/1");
    probe_is(rel, "width", "320");
    char *o = read_text(outpath);
    snprintf(want, sizeof want, "{\"image\":\"tcp://127.0.0.1:%d\",\"frame\":0,\"width\":320,", port);
    ck_assert_msg(strncmp(o, want, strlen(want)) == 0, "%s", o);
    snprintf(want, sizeof want, "\"frame\":%d,", rounds - 1);
    ck_assert_msg(strstr(o, want) != NULL, "%s", o);
    ck_assert_int_eq(count_of(o, "\n"), rounds);
    free(o);
}
END_TEST

/* A .streams file: its streams opened in turn and read together, a line per round naming each
 * by its place; frames of different shapes are letterboxed to the square imgsz (ultralytics'
 * auto=False for such a batch); one annotated video per stream. An http:// URL without a video
 * extension is a stream, named after its path. */
START_TEST(streams_file_read_together)
{
    int pa;
    pid_t a = tcp_server(3.0, "320x240", &pa);
    int pb = gy_vt_free_port(0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/live.ts", pb);
    pid_t b = gy_vt_serve(url, 3.0, "160x96");
    ck_assert_msg(gy_vt_wait_listen(pb, 10000), "no HTTP server on %d", pb);
    shell("printf '  tcp://127.0.0.1:%d\\n\\n\\thttp://127.0.0.1:%d/live.ts  \\n' > cams.streams", pa, pb);
    char w[512];
    snprintf(w, sizeof w, "%s", weights());
    char *args[] = {"--imgsz", "160", "-o", "out", "-w", w, "cams.streams", NULL};
    int rc = run_bounded(60, args);
    gone(a);
    gone(b);
    ck_assert_int_eq(rc, 0);
    char want[256];
    snprintf(want, sizeof want, "1/2: tcp://127.0.0.1:%d... Success (inf frames of shape 320x240 "
             "at 25.00 FPS)\n2/2: http://127.0.0.1:%d/live.ts... Success (inf frames of shape "
             "160x96 at 25.00 FPS)\n\n0: 160x160 ", pa, pb);
    err_has(want);
    char *e = read_text(errpath);
    int rounds = lines_starting(e, "0: 160x160 ");
    ck_assert_int_ge(rounds, 2); /* (an instrumented build on a busy machine is slow) */
    /* each round: "0: 160x160 <counts>, 1: 160x160 <counts>, X.Yms" */
    for (const char *p = strstr(e, "\n0: 160x160 "); p; p = strstr(p + 1, "\n0: 160x160 ")) {
        const char *nl = strchr(p + 1, '\n');
        const char *second = strstr(p, ", 1: 160x160 ");
        ck_assert_msg(second && nl && second < nl && strncmp(nl - 2, "ms", 2) == 0, "%.*s",
                      nl ? (int)(nl - p) : 80, p);
    }
    free(e);
    char n[16], rel[64];
    snprintf(n, sizeof n, "%d", rounds);
    snprintf(rel, sizeof rel, "out/127.0.0.1_%d.avi", pa);
    probe_is(rel, "nb_read_frames", n);
    probe_is("out/live.avi", "nb_read_frames", n);
    probe_is("out/live.avi", "width", "160");
    probe_is("out/live.avi", "height", "96");
}
END_TEST

/* A stream with objects in it (a clip of bus.jpg served in a loop), saving labels and COCO
 * results but no video (--no-save): the label files and image_ids are NAME_ROUND from round 0,
 * as ultralytics names a stream's; no annotated video. */
START_TEST(stream_outputs_named_by_round)
{
    int port = gy_vt_free_port(0);
    char url[128];
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d?listen=1&listen_timeout=20000", port);
    pid_t srv = gy_vt_serve_file(url, 2.0, gy_vt_clip("h264.mp4"));
    if (!gy_vt_wait_listen(port, 10000)) {
        gy_vt_kill(srv);
        ck_abort_msg("ffmpeg did not listen on port %d within 10 s", port);
    }
    char w[512], src[64];
    snprintf(w, sizeof w, "%s", weights());
    snprintf(src, sizeof src, "tcp://127.0.0.1:%d", port);
    char *args[] = {"--no-save", "--save-txt", "--save-json", "--imgsz", "160", "-o", "out", "-w",
                    w, src, NULL};
    int rc = run_bounded(60, args);
    gone(srv);
    ck_assert_int_eq(rc, 0);
    err_has("0: 96x160 ");
    char rel[96], id[64];
    snprintf(rel, sizeof rel, "out/labels/127.0.0.1_%d_0.txt", port);
    ck_assert_msg(exists(rel), "%s missing", rel);
    snprintf(rel, sizeof rel, "out/labels/127.0.0.1_%d.txt", port);
    ck_assert_msg(!exists(rel), "%s: a stream's frame named as an image", rel);
    snprintf(rel, sizeof rel, "out/127.0.0.1_%d.avi", port);
    ck_assert_msg(!exists(rel), "%s written with --no-save", rel);
    char *pj = read_text(tmp_file("out/predictions.json"));
    snprintf(id, sizeof id, "[{\"image_id\":\"127.0.0.1_%d_0\",", port);
    ck_assert_msg(strncmp(pj, id, strlen(id)) == 0, "%.200s", pj);
    free(pj);
    err_has("Results saved to out\n");
}
END_TEST

/* What cannot be opened: a refused connection, a .streams file naming one, an empty .streams
 * file; each said with the source, exit 65, no run folder. */
START_TEST(streams_that_cannot_be_opened)
{
    int port = gy_vt_free_port(0);
    ck_assert_int_eq(run("detect -w '%s' tcp://127.0.0.1:%d", weights(), port), 65);
    char want[256];
    snprintf(want, sizeof want, "stream 1/1 tcp://127.0.0.1:%d: error: cannot open the stream "
             "(Connection refused)\n", port);
    err_has(want);
    shell("echo tcp://127.0.0.1:%d > dead.streams && : > empty.streams", port);
    ck_assert_int_eq(run("detect -w '%s' dead.streams empty.streams", weights()), 65);
    snprintf(want, sizeof want, "stream 1/2 dead.streams: error: stream 1/1 tcp://127.0.0.1:%d: "
             "cannot open the stream (Connection refused)\n", port);
    err_has(want);
    err_has("stream 2/2 empty.streams: error: ");
    ck_assert(!exists("runs"));
    ck_assert_int_eq(run("detect -q -w '%s' tcp://127.0.0.1:%d", weights(), port), 65);
    snprintf(want, sizeof want, "ghostyolo detect: tcp://127.0.0.1:%d: cannot open the stream "
             "(Connection refused)\n", port);
    err_has(want);
}
END_TEST

/* Ctrl-C while a stream is read: the run stops (exit 130) within the time of a frame or two, the
 * annotated video plays with the frames said, no temporary file is left. */
START_TEST(stream_interrupted)
{
    int port;
    pid_t srv = tcp_server(30.0, "320x240", &port);
    char errfile[256], w[512], url[64];
    snprintf(errfile, sizeof errfile, "%s/run_err.txt", tmp);
    snprintf(w, sizeof w, "%s", weights());
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", port);
    char *argv[] = {(char *)gy_test_cli(), "detect", "-t", "1", "--imgsz", "160", "-o", "out", "-w",
                    w, url, NULL};
    pid_t pid = gy_vt_spawn_io(argv, tmp, NULL, errfile);
    int rounds = 0;
    for (int t = 0; t < 300 && rounds < 5; t++) { /* up to 30 s */
        FILE *f = fopen(errfile, "r");
        char buf[65536];
        size_t k = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[k] = '\0';
        if (f)
            fclose(f);
        rounds = lines_starting(buf, "0: ");
        if (rounds < 5)
            sleep_ms(100);
    }
    if (rounds < 5) {
        gy_vt_kill(pid);
        gone(srv);
    }
    ck_assert_msg(rounds >= 5, "%d rounds within 30 s", rounds);
    double t0 = gy_vt_now();
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int st = gy_vt_wait(pid, 20000);
    double took = gy_vt_now() - t0;
    if (st < 0)
        gy_vt_kill(pid);
    gone(srv);
    ck_assert_msg(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 130, "status %d", st);
    char *e = read_text(errfile);
    rounds = lines_starting(e, "0: ");
    ck_assert_msg(strstr(e, "ghostyolo detect: interrupted (Ctrl-C): stopped after "), "%s", e);
    ck_assert_ptr_null(strstr(e, "reconnecting"));
    free(e);
    printf("stream interrupted: stopped %.2f s after the signal, %d rounds\n", took, rounds);
    ck_assert_msg(took < 5, "stopped %.1f s after the signal", took);
    char n[16], rel[64];
    snprintf(n, sizeof n, "%d", rounds);
    snprintf(rel, sizeof rel, "out/127.0.0.1_%d.avi", port);
    probe_is(rel, "nb_read_frames", n);
    char cmd[256];
    int code;
    snprintf(cmd, sizeof cmd, "find '%s/out' -name '*.tmp*' | wc -l", tmp);
    char *found = gy_vt_run(cmd, &code);
    ck_assert_msg(atoi(found) == 0, "temporary files left: %s", found);
    free(found);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli_stream");
    TCase *tc = tcase_create("cli_stream");
    tcase_set_timeout(tc, 300);
    tcase_add_unchecked_fixture(tc, make_clips, gy_vt_cleanup);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, tcp_stream_to_its_end);
    tcase_add_test(tc, streams_file_read_together);
    tcase_add_test(tc, stream_outputs_named_by_round);
    tcase_add_test(tc, streams_that_cannot_be_opened);
    tcase_add_test(tc, stream_interrupted);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

#define _POSIX_C_SOURCE 200809L
#include "videotest.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/mem.h>
#include <libavutil/sha.h>

static char clip_dir[256];
static cJSON *reference;

double gy_vt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

char *gy_vt_run(const char *cmd, int *code)
{
    FILE *p = popen(cmd, "r");
    ck_assert_msg(p != NULL, "cannot run %s", cmd);
    size_t cap = 4096, n = 0;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    size_t k;
    while ((k = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += k;
        if (cap - n < 2) {
            cap *= 2;
            out = realloc(out, cap);
            ck_assert_ptr_nonnull(out);
        }
    }
    out[n] = '\0';
    int st = pclose(p);
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    return out;
}

const char *gy_vt_clips(void)
{
    if (clip_dir[0])
        return clip_dir;
    snprintf(clip_dir, sizeof clip_dir, "/tmp/gy_video_clips_XXXXXX");
    ck_assert_msg(mkdtemp(clip_dir) != NULL, "cannot make a temporary folder");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' '%s' 2>&1", gy_test_source("tests/video/make_clips.sh"),
             clip_dir, gy_test_shared("images/bus.jpg"));
    int code;
    char *out = gy_vt_run(cmd, &code);
    ck_assert_msg(code == 0, "make_clips.sh failed (%d): %s", code, out);
    free(out);
    return clip_dir;
}

const char *gy_vt_clip(const char *name)
{
    static char slots[8][512];
    static int next;
    char *b = slots[next++ % 8];
    snprintf(b, sizeof slots[0], "%s/%s", gy_vt_clips(), name);
    return b;
}

void gy_vt_cleanup(void)
{
    if (!clip_dir[0])
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", clip_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", clip_dir);
    clip_dir[0] = '\0';
}

void gy_vt_file_sha256(const char *path, char out[65])
{
    size_t n;
    unsigned char *b = gy_test_read(path, &n);
    struct AVSHA *sha = av_sha_alloc();
    ck_assert_ptr_nonnull(sha);
    av_sha_init(sha, 256);
    av_sha_update(sha, b, n);
    unsigned char d[32];
    av_sha_final(sha, d);
    av_free(sha);
    free(b);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

const cJSON *gy_vt_reference(void)
{
    if (!reference) {
        unsigned char *t = gy_test_read(gy_test_source("tests/video/reference.json"), NULL);
        reference = cJSON_Parse((const char *)t);
        free(t);
        ck_assert_msg(reference != NULL, "tests/video/reference.json is not JSON");
    }
    return reference;
}

const cJSON *gy_vt_ref(const char *clip)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(gy_vt_reference(), "clips"), clip);
    ck_assert_msg(e != NULL, "reference.json has no clip %s", clip);
    char sha[65];
    gy_vt_file_sha256(gy_vt_clip(clip), sha);
    const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "sha256"));
    ck_assert_msg(want && strcmp(sha, want) == 0,
                  "%s: the clip made here (sha256 %s) differs from the one tests/video/reference.json "
                  "was made from (%s): has Debian's ffmpeg changed? Rerun tests/video/make_reference.py",
                  clip, sha, want ? want : "none");
    return e;
}

int gy_vt_ref_count(const cJSON *ref, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(ref, key);
    ck_assert_msg(cJSON_IsArray(a), "reference entry has no %s", key);
    return cJSON_GetArraySize(a);
}

const char *gy_vt_ref_frame(const cJSON *ref, const char *key, int i)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(ref, key);
    const char *s = cJSON_GetStringValue(cJSON_GetArrayItem(a, i));
    ck_assert_msg(s != NULL, "reference %s[%d] missing", key, i);
    return s;
}

void gy_vt_hash(const gy_image *img, int rot180, char out[17])
{
    size_t n = (size_t)img->width * img->height * 3;
    unsigned char *bgr = malloc(n);
    ck_assert_ptr_nonnull(bgr);
    for (size_t p = 0; p < n; p += 3) {
        size_t q = rot180 ? n - 3 - p : p;
        bgr[q] = img->data[p + 2];
        bgr[q + 1] = img->data[p + 1];
        bgr[q + 2] = img->data[p];
    }
    struct AVSHA *sha = av_sha_alloc();
    ck_assert_ptr_nonnull(sha);
    av_sha_init(sha, 256);
    av_sha_update(sha, bgr, n);
    unsigned char d[32];
    av_sha_final(sha, d);
    av_free(sha);
    free(bgr);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

pid_t gy_vt_spawn(char *const argv[])
{
    return gy_vt_spawn_io(argv, NULL, NULL, NULL);
}

int gy_vt_wait(pid_t pid, int ms)
{
    for (int t = 0; t <= ms; t += 10) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return st;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

void gy_vt_kill(pid_t pid)
{
    if (pid <= 0)
        return;
    if (gy_vt_wait(pid, 0) >= 0)
        return;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int gy_vt_free_port(int udp)
{
    int fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "socket failed");
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

void gy_vt_probe(const char *path, const char *key, char *val, size_t n)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
             "stream=codec_name,codec_tag_string,width,height,pix_fmt,r_frame_rate,nb_read_frames:"
             "format=format_name -of default=nw=1 '%s'", path);
    int code;
    char *o = gy_vt_run(cmd, &code);
    ck_assert_msg(code == 0, "ffprobe %s failed: %s", path, o);
    val[0] = '\0';
    char k[64];
    snprintf(k, sizeof k, "%s=", key);
    for (char *line = strtok(o, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, k, strlen(k)) == 0)
            snprintf(val, n, "%s", line + strlen(k));
    free(o);
}

pid_t gy_vt_spawn_io(char *const argv[], const char *dir, const char *out, const char *err)
{
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork failed");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
        if (dir && chdir(dir) != 0)
            _exit(126);
        const char *paths[3] = {"/dev/null", out ? out : "/dev/null", err ? err : "/dev/null"};
        for (int i = 0; i < 3; i++) {
            int fd = open(paths[i], i ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY, 0644);
            if (fd >= 0) {
                dup2(fd, i);
                if (fd > 2)
                    close(fd);
            }
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* ffmpeg reading input (-f lavfi's testsrc, or a file looped) and serving it to url. */
static pid_t serve_from(const char *url, double seconds, char *const input[4])
{
    char t[32];
    snprintf(t, sizeof t, "%g", seconds);
    int http = strncmp(url, "http://", 7) == 0;
    char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-re", input[0], input[1], input[2],
                    input[3], "-t", t, "-c:v", "mpeg2video", "-g", "10", "-bf", "0", "-q:v", "4",
                    "-f", "mpegts", http ? "-listen" : (char *)url, http ? "1" : NULL, (char *)url,
                    NULL};
    return gy_vt_spawn(argv);
}

pid_t gy_vt_serve(const char *url, double seconds, const char *size)
{
    char src[96];
    snprintf(src, sizeof src, "testsrc=size=%s:rate=25", size);
    char *input[4] = {"-f", "lavfi", "-i", src};
    return serve_from(url, seconds, input);
}

pid_t gy_vt_serve_file(const char *url, double seconds, const char *path)
{
    char *input[4] = {"-stream_loop", "-1", "-i", (char *)path};
    return serve_from(url, seconds, input);
}

int gy_vt_wait_listen(int port, int ms)
{
    char want[16];
    snprintf(want, sizeof want, ":%04X ", port);
    for (int t = 0; t <= ms; t += 20) {
        FILE *f = fopen("/proc/net/tcp", "r");
        char line[512];
        int found = 0;
        while (f && !found && fgets(line, sizeof line, f)) {
            /* "  0: 0100007F:1F90 00000000:0000 0A ...": local address, remote, state (0A: LISTEN) */
            char *local = strchr(line, ':');
            char *p = local ? strstr(local + 1, want) : NULL;
            found = p && p < line + 24 && strstr(p, " 0A ") == p + 19;
        }
        if (f)
            fclose(f);
        if (found)
            return 1;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

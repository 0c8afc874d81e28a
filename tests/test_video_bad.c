/* test_video_bad.c - bad video input: every case decodes the frames it can, reports the rest with
 * the path and the frame number, never crashes, and prints nothing (FFmpeg's own messages reach the
 * log callback): empty and non-video files, a file truncated with and without its index, bytes
 * overwritten in the middle, a frame size over GY_IMAGE_MAX_PIXELS claimed by the container (refused
 * at open) or by every frame (refused by the decoder before allocating), the same bytes read from
 * memory (the fuzz harness's entry point). */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "video/video_open.h"
#include "videotest.h"

static char tmpdir[256];

static void make_tmp(void)
{
    gy_vt_clips();
    snprintf(tmpdir, sizeof tmpdir, "%s/bad", gy_vt_clips());
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", tmpdir);
    if (system(cmd) != 0)
        ck_abort_msg("cannot make %s", tmpdir);
}

static const char *tmp(const char *name)
{
    static char b[4][512];
    static int k;
    char *p = b[k++ % 4];
    snprintf(p, sizeof b[0], "%s/%s", tmpdir, name);
    return p;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert(n == 0 || fwrite(data, 1, n, f) == n);
    fclose(f);
}

/* A copy of clip with its first `keep` bytes (keep < 0: all), and `patch` bytes at `at` set to v. */
static const char *variant(const char *clip, const char *name, long keep, long at, long patch, int v)
{
    size_t n;
    unsigned char *b = gy_test_read(gy_vt_clip(clip), &n);
    if (keep >= 0 && (size_t)keep < n)
        n = (size_t)keep;
    for (long i = 0; i < patch && (size_t)(at + i) < n; i++)
        b[at + i] = (unsigned char)v;
    const char *p = tmp(name);
    write_bytes(p, b, n);
    free(b);
    return p;
}

/* The clips not in make_clips.sh's default set, made into tmpdir: audio_only.mkv (PCM sound
 * alone) and audio_first.mkv (sound as stream 0, a 6-frame video as stream 1). */
static void make_extra_clips(void)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' '%s' audio_only.mkv audio_first.mkv 2>&1",
             gy_test_source("tests/video/make_clips.sh"), tmpdir, gy_test_shared("images/bus.jpg"));
    int code;
    char *out = gy_vt_run(cmd, &code);
    ck_assert_msg(code == 0, "make_clips.sh failed (%d): %s", code, out);
    free(out);
}

typedef struct logbook {
    int messages;
    char first[512];
} logbook;

static void logger(void *user, gy_log_level level, const char *message)
{
    (void)level;
    logbook *l = user;
    if (l->messages++ == 0)
        snprintf(l->first, sizeof l->first, "%s", message);
}

typedef struct outcome {
    int frames, errors;
    gy_status last_status;
    char first_error[GY_ERROR_MESSAGE_MAX];
    long long last_index;
} outcome;

/* Reads a video to its end: frames and errors (each must name the path). */
static outcome read_through(const char *path, gy_video *v)
{
    outcome o;
    memset(&o, 0, sizeof o);
    for (int guard = 0; guard < 10000; guard++) {
        gy_video_frame f;
        gy_error err;
        gy_status st = gy_video_next(v, &f, &err);
        if (st != GY_OK) {
            ck_assert_msg(strncmp(err.message, path, strlen(path)) == 0, "error without the path: %s",
                          err.message);
            if (o.errors++ == 0)
                snprintf(o.first_error, sizeof o.first_error, "%s", err.message);
            o.last_status = st;
            ck_assert_ptr_null(f.image.data);
            continue;
        }
        if (!f.image.data)
            return o;
        o.frames++;
        o.last_index = f.index;
    }
    ck_abort_msg("%s: no end after 10000 calls", path);
    return o;
}

/* stderr goes to a file while fn runs; fails when anything was printed. */
static int saved_stderr = -1;
static void quiet_begin(void)
{
    fflush(stderr);
    saved_stderr = dup(2);
    int fd = open(tmp("stderr.txt"), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    ck_assert(fd >= 0);
    dup2(fd, 2);
    close(fd);
}
static void quiet_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    size_t n;
    unsigned char *b = gy_test_read(tmp("stderr.txt"), &n);
    ck_assert_msg(n == 0, "the library printed: %.300s", b);
    free(b);
}

static gy_status open_err(const char *path, gy_error *err)
{
    gy_video *v = (gy_video *)&v;
    gy_status st = gy_video_open(path, NULL, &v, err);
    ck_assert_msg(st != GY_OK, "%s opened", path);
    ck_assert_ptr_null(v);
    ck_assert_msg(strncmp(err->message, path, strlen(path)) == 0, "%s", err->message);
    return st;
}

START_TEST(not_videos_are_refused_at_open)
{
    gy_error err;
    quiet_begin();
    const char *empty = tmp("empty.mp4");
    write_bytes(empty, "", 0);
    ck_assert_int_eq(open_err(empty, &err), GY_ERR_FORMAT);
    /* a JPEG named .mp4: FFmpeg recognises it, but its demuxer is not one of the video formats */
    const char *jpg = tmp("bus.mp4");
    size_t n;
    unsigned char *b = gy_test_read(gy_test_shared("images/bus.jpg"), &n);
    write_bytes(jpg, b, n);
    free(b);
    ck_assert_int_eq(open_err(jpg, &err), GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "not a video in one of the formats read"), "%s", err.message);
    const char *txt = tmp("notes.avi");
    write_bytes(txt, "hello, this is not a video\n", 27);
    ck_assert_int_eq(open_err(txt, &err), GY_ERR_FORMAT);
    ck_assert_int_eq(open_err(tmp("missing.mp4"), &err), GY_ERR_IO);
    ck_assert_msg(strstr(err.message, "missing.mp4: no such file"), "%s", err.message);
    /* an MP4 cut before its index (moov at the end) cannot be opened */
    const char *cut = variant("h264.mp4", "cut.mp4", 100000, 0, 0, 0);
    ck_assert_int_eq(open_err(cut, &err), GY_ERR_FORMAT);
    /* sound alone, in a container of the video formats: every stream looked at, none is a video */
    make_extra_clips();
    ck_assert_int_eq(open_err(tmp("audio_only.mkv"), &err), GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "audio_only.mkv: no video stream"), "%s", err.message);
    quiet_end();
}
END_TEST

/* An audio stream before the video one: the video is stream 1, read whole (6 frames, 160x96). */
START_TEST(audio_stream_first)
{
    make_extra_clips();
    const char *path = tmp("audio_first.mkv");
    gy_video *v = NULL;
    gy_error err;
    quiet_begin();
    ck_assert_msg(gy_video_open(path, NULL, &v, &err) == GY_OK, "%s", err.message);
    gy_video_info info;
    ck_assert_int_eq(gy_video_get_info(v, &info), GY_OK);
    ck_assert_int_eq(info.width, 160);
    ck_assert_int_eq(info.height, 96);
    outcome o = read_through(path, v);
    gy_video_free(v);
    quiet_end();
    ck_assert_int_eq(o.errors, 0);
    ck_assert_int_eq(o.frames, 6);
}
END_TEST

/* A file cut short after its index: the frames before the cut, then "frames X to N of N missing". */
START_TEST(truncated_file_reports_the_missing_frames)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' -c copy -movflags +faststart '%s'",
             gy_vt_clip("h264.mp4"), tmp("fast.mp4"));
    int code;
    free(gy_vt_run(cmd, &code));
    ck_assert_int_eq(code, 0);
    struct { const char *src, *name; long keep; int total; } cases[] = {
        {tmp("fast.mp4"), "fast_cut.mp4", 120000, 30},
        {gy_vt_clip("mpeg4.avi"), "cut.avi", 120000, 30},
        {gy_vt_clip("mjpeg.avi"), "cut_mjpeg.avi", 200000, 15},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        unsigned char *b = gy_test_read(cases[i].src, &n);
        const char *p = tmp(cases[i].name);
        write_bytes(p, b, (size_t)cases[i].keep);
        free(b);
        logbook lb = {0};
        gy_video_params vp = gy_video_default_params();
        vp.log = logger;
        vp.log_user = &lb;
        quiet_begin();
        gy_video *v = NULL;
        gy_error err;
        ck_assert_msg(gy_video_open(p, &vp, &v, &err) == GY_OK, "%s", err.message);
        outcome o = read_through(p, v);
        gy_video_free(v);
        quiet_end();
        printf("%s: %d frames, %d errors, first: %s\n", cases[i].name, o.frames, o.errors, o.first_error);
        ck_assert_int_gt(o.frames, 0);
        ck_assert_int_lt(o.frames, cases[i].total);
        ck_assert_int_ge(o.errors, 1);
        char want[128];
        snprintf(want, sizeof want, "of %d missing", cases[i].total);
        ck_assert_msg(strstr(o.first_error, want) || strstr(o.first_error, "cannot decode"), "%s",
                      o.first_error);
    }
}
END_TEST

/* Bytes overwritten in the middle: decoding errors name the frame, the frames around them are
 * decoded, and the video ends normally. */
START_TEST(corrupt_middle_decodes_around_it)
{
    static const char *const clips[] = {"mpeg4.avi", "h264.mp4", "vp9.webm", "mjpeg.avi"};
    const char *clip = clips[_i];
    size_t n;
    free(gy_test_read(gy_vt_clip(clip), &n));
    char name[64];
    snprintf(name, sizeof name, "corrupt_%s", clip);
    const char *p = variant(clip, name, -1, (long)n / 2, 3000, 0x5A);
    logbook lb = {0};
    gy_video_params vp = gy_video_default_params();
    vp.log = logger;
    vp.log_user = &lb;
    quiet_begin();
    gy_video *v = NULL;
    gy_error err;
    ck_assert_msg(gy_video_open(p, &vp, &v, &err) == GY_OK, "%s", err.message);
    outcome o = read_through(p, v);
    gy_video_free(v);
    quiet_end();
    printf("%s: %d frames, %d errors (%s), %d log messages (%s)\n", name, o.frames, o.errors,
           o.first_error, lb.messages, lb.first);
    ck_assert_int_ge(o.frames, 5);
    if (o.errors)
        ck_assert_msg(strstr(o.first_error, ": frame "), "%s", o.first_error);
    if (lb.messages)
        ck_assert_msg(strncmp(lb.first, p, strlen(p)) == 0, "%s", lb.first);
}
END_TEST

static void put_le16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put_le32(unsigned char *p, unsigned v)
{
    put_le16(p, v & 0xFFFF);
    put_le16(p + 2, v >> 16);
}

/* Sets the frame size an AVI's headers claim (avih dwWidth / dwHeight, strf biWidth / biHeight),
 * both found in its first 4 KiB, or fails. */
static void avi_header_size(unsigned char *b, size_t n, unsigned w, unsigned h)
{
    int patched = 0;
    for (size_t i = 0; i + 48 < n && i < 4096; i++) {
        if (memcmp(b + i, "avih", 4) == 0) {
            put_le32(b + i + 8 + 32, w);
            put_le32(b + i + 8 + 36, h);
            patched++;
        }
        if (memcmp(b + i, "strf", 4) == 0) {
            put_le32(b + i + 8 + 4, w);
            put_le32(b + i + 8 + 8, h);
            patched++;
        }
    }
    ck_assert_int_eq(patched, 2);
}

/* The claimed size is refused before a frame is allocated: an AVI whose headers and frames claim
 * 10000 x 10000 and a GIF screen of 65535 x 65535 (refused at open, from the demuxer's
 * headers, before the probe decodes anything), and an AVI whose every JPEG frame claims 65535 x 65535, refused by FFmpeg's
 * decoder (max_pixels) frame by frame. Under ASan a 12 GiB allocation would abort the test. */
START_TEST(huge_frame_size_refused_before_allocation)
{
    gy_error err;
    size_t n;
    unsigned char *b = gy_test_read(gy_vt_clip("clip.gif"), &n);
    put_le16(b + 6, 65535);
    put_le16(b + 8, 65535);
    write_bytes(tmp("huge.gif"), b, n);
    free(b);
    quiet_begin();
    gy_status st = open_err(tmp("huge.gif"), &err);
    quiet_end();
    ck_assert_msg(st == GY_ERR_UNSUPPORTED && strstr(err.message, "65535x65535 video has more than the "
                  "67108864 pixels allowed"), "%s", err.message);

    /* every JPEG's SOF0: height and width 65535 (huge_frames.avi); huge.avi: the AVI headers
     * (avih dwWidth/dwHeight, strf biWidth/biHeight) and the frames claim 10000 x 10000 */
    b = gy_test_read(gy_vt_clip("mjpeg.avi"), &n);
    int sofs = 0;
    for (size_t i = 0; i + 9 < n; i++) {
        if (b[i] == 0xFF && b[i + 1] == 0xC0) {
            b[i + 5] = b[i + 6] = b[i + 7] = b[i + 8] = 0xFF;
            sofs++;
        }
    }
    write_bytes(tmp("huge_frames.avi"), b, n);
    for (size_t i = 0; i + 9 < n; i++) {
        if (b[i] == 0xFF && b[i + 1] == 0xC0 && b[i + 5] == 0xFF && b[i + 7] == 0xFF) {
            b[i + 5] = b[i + 7] = 0x27; /* 10000 x 10000: FFmpeg's own check passes, ours not */
            b[i + 6] = b[i + 8] = 0x10;
        }
    }
    avi_header_size(b, n, 10000, 10000);
    write_bytes(tmp("huge.avi"), b, n);
    free(b);
    ck_assert_int_ge(sofs, 15);
    quiet_begin();
    st = open_err(tmp("huge.avi"), &err);
    ck_assert_msg(st == GY_ERR_UNSUPPORTED && strstr(err.message, "10000x10000 video has more than "
                  "the 67108864 pixels allowed"), "%s", err.message);
    gy_video *v = NULL;
    st = gy_video_open(tmp("huge_frames.avi"), NULL, &v, &err);
    outcome o = {0};
    if (st == GY_OK) {
        o = read_through(tmp("huge_frames.avi"), v);
        gy_video_free(v);
    }
    quiet_end();
    printf("huge_frames.avi: open %s, %d frames, %d errors: %s\n", gy_status_str(st), o.frames,
           o.errors, st == GY_OK ? o.first_error : err.message);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    ck_assert_int_eq(o.frames, 0);
    ck_assert_int_eq(o.errors, 16); /* each frame refused by the decoder, then "frames 1 to 15 of 15 missing" */
    ck_assert_msg(strstr(o.first_error, "huge_frames.avi: frame 1: cannot decode"), "%s", o.first_error);
}
END_TEST

/* The frame size as the headers give it, when no frame decodes to tell it (every JPEG's SOF
 * claims 65535 x 65535): 0 x 0 in avih and strf is an unknown size, refused as such (not as a
 * bad size: FFmpeg gives a size it does not know as 0). */
static const char *sized_avi(const char *name, unsigned w, unsigned h)
{
    size_t n;
    unsigned char *b = gy_test_read(gy_vt_clip("mjpeg.avi"), &n);
    for (size_t i = 0; i + 9 < n; i++)
        if (b[i] == 0xFF && b[i + 1] == 0xC0)
            b[i + 5] = b[i + 6] = b[i + 7] = b[i + 8] = 0xFF;
    avi_header_size(b, n, w, h);
    const char *p = tmp(name);
    write_bytes(p, b, n);
    free(b);
    return p;
}

START_TEST(header_frame_size_unknown_or_bad)
{
    gy_error err;
    quiet_begin();
    const char *zero = sized_avi("zero_size.avi", 0, 0);
    gy_status st = open_err(zero, &err);
    quiet_end();
    ck_assert_msg(st == GY_ERR_FORMAT && strstr(err.message, "zero_size.avi: the frame size is "
                  "unknown: no picture could be decoded"), "%s", err.message);
}
END_TEST

/* One damaged frame in the middle (the 5th JPEG's SOF claims 65535 x 65535): frames 1 to 4 and 6
 * to 15 decode, as cv2's, and the error names frame 5. */
START_TEST(one_bad_frame_is_reported_by_number)
{
    size_t n;
    unsigned char *b = gy_test_read(gy_vt_clip("mjpeg.avi"), &n);
    int sof = 0;
    for (size_t i = 0; i + 9 < n; i++)
        if (b[i] == 0xFF && b[i + 1] == 0xC0 && ++sof == 5)
            b[i + 5] = b[i + 6] = b[i + 7] = b[i + 8] = 0xFF;
    const char *p = tmp("bad_frame5.avi");
    write_bytes(p, b, n);
    free(b);
    const cJSON *ref = gy_vt_ref("mjpeg.avi");
    quiet_begin();
    gy_video *v = NULL;
    gy_error err;
    ck_assert_msg(gy_video_open(p, NULL, &v, &err) == GY_OK, "%s", err.message);
    int k = 0, errors = 0;
    for (;;) {
        gy_video_frame f;
        gy_status st = gy_video_next(v, &f, &err);
        if (st != GY_OK) {
            ck_assert_int_eq(st, GY_ERR_FORMAT);
            if (errors++ == 0)
                ck_assert_msg(strstr(err.message, "bad_frame5.avi: frame 5: cannot decode"), "%s",
                              err.message);
            continue;
        }
        if (!f.image.data)
            break;
        int src = k < 4 ? k : k + 1; /* the file's frame behind this one */
        char h[17];
        gy_vt_hash(&f.image, 0, h);
        ck_assert_msg(strcmp(h, gy_vt_ref_frame(ref, "frames", src)) == 0, "frame %d", src + 1);
        k++;
    }
    gy_video_free(v);
    quiet_end();
    ck_assert_int_eq(k, 14);
    ck_assert_int_eq(errors, 2); /* frame 5, then "frames 15 to 15 of 15 missing" */
}
END_TEST

/* The fuzz harness's entry: the same bytes from memory behave as the file (frames and errors). */
START_TEST(memory_input_reads_as_the_file)
{
    const char *p = variant("mpeg4.avi", "corrupt_mem.avi", -1, 60000, 2000, 0x33);
    size_t n;
    unsigned char *b = gy_test_read(p, &n);
    gy_vmem mem = {b, n, 0};
    gy_video *v = NULL, *w = NULL;
    gy_error err;
    ck_assert_msg(gy_video_open_any(p, &mem, NULL, &v, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_video_open(p, NULL, &w, &err) == GY_OK, "%s", err.message);
    for (;;) {
        gy_video_frame a, c;
        gy_error ea, ec;
        gy_status sa = gy_video_next(v, &a, &ea), sc = gy_video_next(w, &c, &ec);
        ck_assert_int_eq(sa, sc);
        if (sa != GY_OK) {
            ck_assert_str_eq(ea.message, ec.message);
            continue;
        }
        ck_assert_int_eq(a.image.data == NULL, c.image.data == NULL);
        if (!a.image.data)
            break;
        ck_assert_int_eq(a.index, c.index);
        ck_assert_int_eq(memcmp(a.image.data, c.image.data, (size_t)a.image.width * a.image.height * 3), 0);
    }
    gy_video_free(v);
    gy_video_free(w);
    free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("video_bad");
    TCase *tc = tcase_create("bad");
    tcase_set_timeout(tc, 300);
    tcase_add_unchecked_fixture(tc, make_tmp, gy_vt_cleanup);
    tcase_add_test(tc, not_videos_are_refused_at_open);
    tcase_add_test(tc, audio_stream_first);
    tcase_add_test(tc, truncated_file_reports_the_missing_frames);
    tcase_add_loop_test(tc, corrupt_middle_decodes_around_it, 0, 4);
    tcase_add_test(tc, huge_frame_size_refused_before_allocation);
    tcase_add_test(tc, header_frame_size_unknown_or_bad);
    tcase_add_test(tc, one_bad_frame_is_reported_by_number);
    tcase_add_test(tc, memory_input_reads_as_the_file);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

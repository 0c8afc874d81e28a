/* test_video_writer.c - the video writer checked with ffprobe and read back: Motion JPEG in AVI (what
 * ultralytics 8.0.126 writes on Linux; read back at least as close to the frames as the file
 * cv2.VideoWriter writes from them, tests/video/reference.json, and not much larger) and H.264 in MP4 with the codec, size, pixel format, frame
 * count and frame rate asked for; odd sizes cut to even as cv2.VideoWriter does; the same file with
 * or without the encoder thread; a run stopped early leaves a file that plays; an abandoned writer
 * leaves nothing; the temporary name until close; bad arguments one at a time; an unwritable folder
 * and a file-size limit reported with the path, leaving no file. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preprocess/jpeg_decode.h"
#include "video/video_jpeg.h"
#include "videotest.h"

static char outdir[512];

static void setup(void)
{
    gy_vt_clips();
    snprintf(outdir, sizeof outdir, "%s/out", gy_vt_clips());
    mkdir(outdir, 0755);
}

static const char *out(const char *name)
{
    static char b[4][600];
    static int k;
    char *p = b[k++ % 4];
    snprintf(p, sizeof b[0], "%s/%s", outdir, name);
    return p;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void probe(const char *path, const char *key, char *val, size_t n)
{
    gy_vt_probe(path, key, val, n);
}

static void expect(const char *path, const char *key, const char *want)
{
    char v[128];
    probe(path, key, v, sizeof v);
    ck_assert_msg(strcmp(v, want) == 0, "%s: %s is '%s', expected '%s'", path, key, v, want);
}

/* Writes the first `frames` frames of clip (all when 0) with params; returns the frames written. */
static int transcode(const char *clip, const char *path, const gy_video_writer_params *p, int frames)
{
    gy_video *v = NULL;
    gy_error err;
    ck_assert_msg(gy_video_open(gy_vt_clip(clip), NULL, &v, &err) == GY_OK, "%s", err.message);
    gy_video_info info;
    gy_video_get_info(v, &info);
    gy_video_writer *w = NULL;
    ck_assert_msg(gy_video_writer_open(path, info.width, info.height, p, &w, &err) == GY_OK, "%s",
                  err.message);
    int n = 0;
    for (;;) {
        gy_video_frame f;
        ck_assert_int_eq(gy_video_next(v, &f, &err), GY_OK);
        if (!f.image.data || (frames && n == frames))
            break;
        ck_assert_msg(gy_video_writer_write(w, &f.image, &err) == GY_OK, "%s", err.message);
        n++;
        ck_assert_msg(!exists(path), "%s exists before close", path);
    }
    ck_assert_msg(gy_video_writer_close(w, &err) == GY_OK, "%s", err.message);
    gy_video_free(v);
    ck_assert_msg(exists(path), "%s missing after close", path);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    ck_assert_msg(!exists(tmp), "%s left behind", tmp);
    return n;
}

/* The file read back against the clip's frames: the worst per-frame mean absolute difference of a
 * channel (below tol), and the PSNR over all frames into *psnr when given. */
static double compare_back(const char *clip, const char *path, int frames, double tol, double *psnr)
{
    gy_video *a = NULL, *b = NULL;
    gy_error err;
    ck_assert(gy_video_open(gy_vt_clip(clip), NULL, &a, &err) == GY_OK);
    ck_assert_msg(gy_video_open(path, NULL, &b, &err) == GY_OK, "%s", err.message);
    double worst = 0, sq = 0;
    int n = 0;
    for (;;) {
        gy_video_frame fa, fb;
        ck_assert_int_eq(gy_video_next(a, &fa, &err), GY_OK);
        ck_assert_int_eq(gy_video_next(b, &fb, &err), GY_OK);
        if (!fb.image.data)
            break;
        ck_assert_ptr_nonnull(fa.image.data);
        double d[3] = {0, 0, 0};
        for (int y = 0; y < fb.image.height; y++)
            for (int x = 0; x < fb.image.width; x++)
                for (int c = 0; c < 3; c++) {
                    double e = (double)fa.image.data[((size_t)y * fa.image.width + x) * 3 + c] -
                               fb.image.data[((size_t)y * fb.image.width + x) * 3 + c];
                    d[c] += fabs(e);
                    sq += e * e / (3.0 * fb.image.width * fb.image.height);
                }
        for (int c = 0; c < 3; c++) {
            d[c] /= (double)fb.image.width * fb.image.height;
            if (d[c] > worst)
                worst = d[c];
        }
        n++;
    }
    ck_assert_int_eq(n, frames);
    double p = 10 * log10(255.0 * 255.0 / (sq / n));
    printf("%s: %d frames read back, worst mean |difference| per channel %.2f, PSNR %.2f dB\n", path,
           n, worst, p);
    ck_assert_msg(worst < tol, "%s: frames differ from the source by %.2f on average", path, worst);
    gy_video_free(a);
    gy_video_free(b);
    if (psnr)
        *psnr = p;
    return worst;
}

static double writer_ref(const char *clip, const char *key)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(gy_vt_reference(), "writer");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(w, clip), key);
    ck_assert_msg(cJSON_IsNumber(v), "tests/video/reference.json: no writer.%s.%s", clip, key);
    return v->valuedouble;
}

/* The Motion JPEG file against cv2.VideoWriter's (fourcc MJPG) of the same frames
 * (tests/video/reference.json): its frames read back at least as close to the source (PSNR, worst
 * mean difference), in a file at most 1.5 times as large (measured: 1.34 and 1.30 times, at
 * PSNR 38.31 against 37.65 and 35.85 against 35.27 dB). The bytes differ: libjpeg-turbo, not FFmpeg's
 * mjpeg encoder, compresses the frames. */
static void as_close_as_cv2_writer(const char *clip, const char *path, double psnr, double worst)
{
    gy_vt_ref(clip); /* the clip is the one the reference was made from */
    double cv_psnr = writer_ref(clip, "psnr"), cv_worst = writer_ref(clip, "worst_mean_abs");
    double cv_bytes = writer_ref(clip, "bytes");
    struct stat sb;
    ck_assert(stat(path, &sb) == 0);
    printf("%s: %lld bytes (cv2's %.0f, %.2fx), PSNR %.2f dB (cv2's %.2f)\n", path,
           (long long)sb.st_size, cv_bytes, (double)sb.st_size / cv_bytes, psnr, cv_psnr);
    ck_assert_msg(psnr >= cv_psnr, "%s: PSNR %.3f dB, under cv2's %.3f", path, psnr, cv_psnr);
    ck_assert_msg(worst <= cv_worst, "%s: worst mean difference %.3f, over cv2's %.3f", path, worst,
                  cv_worst);
    ck_assert_msg((double)sb.st_size <= 1.5 * cv_bytes, "%s: %lld bytes, over 1.5 x cv2's %.0f", path,
                  (long long)sb.st_size, cv_bytes);
}

START_TEST(mjpg_avi_as_ultralytics_writes_it)
{
    gy_video_writer_params p = gy_video_writer_default_params();
    ck_assert_int_eq(p.codec, GY_VIDEO_CODEC_MJPG);
    ck_assert(p.fps == 30);
    p.fps = 25; /* ultralytics: int(CAP_PROP_FPS) */
    const char *path = out("h264 as mjpg.avi");
    ck_assert_int_eq(transcode("h264.mp4", path, &p, 0), 30);
    expect(path, "codec_name", "mjpeg");
    expect(path, "codec_tag_string", "MJPG");
    expect(path, "format_name", "avi");
    expect(path, "pix_fmt", "yuvj420p");
    expect(path, "width", "640");
    expect(path, "height", "360");
    expect(path, "r_frame_rate", "25/1");
    expect(path, "nb_read_frames", "30");
    double psnr, worst = compare_back("h264.mp4", path, 30, 6, &psnr);
    as_close_as_cv2_writer("h264.mp4", path, psnr, worst);
}
END_TEST

START_TEST(h264_mp4)
{
    gy_video_writer_params p = gy_video_writer_default_params();
    p.codec = GY_VIDEO_CODEC_H264;
    p.fps = 30000.0 / 1001;
    const char *path = out("mpeg4:as h264.mp4"); /* a ':' in the name is no protocol */
    ck_assert_int_eq(transcode("mpeg4.avi", path, &p, 0), 30);
    expect(path, "codec_name", "h264");
    expect(path, "format_name", "mov,mp4,m4a,3gp,3g2,mj2");
    expect(path, "pix_fmt", "yuv420p");
    expect(path, "width", "320");
    expect(path, "height", "240");
    expect(path, "r_frame_rate", "30000/1001");
    expect(path, "nb_read_frames", "30");
    compare_back("mpeg4.avi", path, 30, 8, NULL); /* measured 6.82 */
}
END_TEST

/* 321 x 241 frames make a 320 x 240 file (cv2.VideoWriter drops the last column and row). */
START_TEST(odd_size_cut_to_even)
{
    const char *path = out("odd.avi");
    gy_video_writer_params p = gy_video_writer_default_params();
    p.fps = 25;
    ck_assert_int_eq(transcode("odd.mkv", path, &p, 0), 20);
    expect(path, "width", "320");
    expect(path, "height", "240");
    expect(path, "nb_read_frames", "20");
    expect(path, "r_frame_rate", "25/1");
    double psnr, worst = compare_back("odd.mkv", path, 20, 7, &psnr);
    as_close_as_cv2_writer("odd.mkv", path, psnr, worst);
}
END_TEST

/* The encoder thread changes nothing in the file. */
START_TEST(queue_sizes_write_the_same_file)
{
    gy_video_writer_params p = gy_video_writer_default_params();
    p.queue = 0;
    transcode("vp9.webm", out("q0.avi"), &p, 0);
    p.queue = 1;
    transcode("vp9.webm", out("q1.avi"), &p, 0);
    p.queue = 64;
    transcode("vp9.webm", out("q64.avi"), &p, 0);
    size_t n0, n1, n64;
    unsigned char *a = gy_test_read(out("q0.avi"), &n0), *b = gy_test_read(out("q1.avi"), &n1),
                  *c = gy_test_read(out("q64.avi"), &n64);
    ck_assert(n0 == n1 && n0 == n64);
    ck_assert(memcmp(a, b, n0) == 0 && memcmp(a, c, n0) == 0);
    free(a);
    free(b);
    free(c);
}
END_TEST

/* A run stopped after 7 of 30 frames: close writes the trailer, the file plays (FFmpeg decodes it
 * without a complaint) and holds the 7 frames; for MP4 too (its index is the trailer). */
START_TEST(stopped_early_still_plays)
{
    gy_video_writer_params p = gy_video_writer_default_params();
    p.codec = _i ? GY_VIDEO_CODEC_H264 : GY_VIDEO_CODEC_MJPG;
    const char *path = out(_i ? "early.mp4" : "early.avi");
    ck_assert_int_eq(transcode("h264.mp4", path, &p, 7), 7);
    expect(path, "nb_read_frames", "7");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s' -f null - 2>&1", path);
    int code;
    char *o = gy_vt_run(cmd, &code);
    ck_assert_msg(code == 0 && o[0] == '\0', "%s does not play cleanly: %s", path, o);
    free(o);
}
END_TEST

/* An abandoned writer (gy_video_writer_free without close) leaves neither file nor temporary. */
START_TEST(abandoned_writer_leaves_nothing)
{
    const char *path = out("abandoned.avi");
    gy_video_writer *w = NULL;
    gy_error err;
    ck_assert(gy_video_writer_open(path, 64, 48, NULL, &w, &err) == GY_OK);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    ck_assert_msg(exists(tmp), "no temporary %s while writing", tmp);
    unsigned char px[64 * 48 * 3] = {0};
    gy_image img = {64, 48, px};
    for (int i = 0; i < 10; i++)
        ck_assert(gy_video_writer_write(w, &img, &err) == GY_OK);
    gy_video_writer_free(w);
    ck_assert(!exists(path));
    ck_assert(!exists(tmp));
    gy_video_writer_free(NULL);
}
END_TEST

/* Colours keep their channels: a red, a green and a blue third. */
START_TEST(channels_stay_in_place)
{
    const char *path = out("rgb.avi");
    gy_video_writer *w = NULL;
    gy_error err;
    ck_assert(gy_video_writer_open(path, 96, 32, NULL, &w, &err) == GY_OK);
    unsigned char px[96 * 32 * 3];
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 96; x++)
            for (int c = 0; c < 3; c++)
                px[(y * 96 + x) * 3 + c] = c == x / 32 ? 200 : 20;
    gy_image img = {96, 32, px};
    for (int i = 0; i < 3; i++)
        ck_assert(gy_video_writer_write(w, &img, &err) == GY_OK);
    ck_assert(gy_video_writer_close(w, &err) == GY_OK);
    gy_video *v = NULL;
    ck_assert(gy_video_open(path, NULL, &v, &err) == GY_OK);
    gy_video_frame f;
    ck_assert_int_eq(gy_video_next(v, &f, &err), GY_OK);
    for (int third = 0; third < 3; third++) {
        const unsigned char *q = f.image.data + (16 * 96 + third * 32 + 16) * 3;
        for (int c = 0; c < 3; c++)
            ck_assert_msg(abs((int)q[c] - (c == third ? 200 : 20)) <= 6, "third %d channel %d: %d", third,
                          c, q[c]);
    }
    gy_video_free(v);
}
END_TEST

START_TEST(bad_arguments_one_at_a_time)
{
    const char *path = out("bad.avi");
    gy_video_writer *w = (gy_video_writer *)&w;
    gy_error err;
    struct { int codec; double fps; int queue, width, height; gy_status want; } cases[] = {
        {2, 30, 2, 64, 48, GY_ERR_ARGUMENT},      {-1, 30, 2, 64, 48, GY_ERR_ARGUMENT},
        {0, 0, 2, 64, 48, GY_ERR_ARGUMENT},       {0, 1000.5, 2, 64, 48, GY_ERR_ARGUMENT},
        {0, NAN, 2, 64, 48, GY_ERR_ARGUMENT},     {0, 30, -1, 64, 48, GY_ERR_ARGUMENT},
        {0, 30, 65, 64, 48, GY_ERR_ARGUMENT},     {0, 30, 2, 1, 48, GY_ERR_ARGUMENT},
        {0, 30, 2, 64, 1, GY_ERR_ARGUMENT},       {0, 30, 2, 8193, 8192, GY_ERR_UNSUPPORTED},
        {0, 1000, 64, 2, 2, GY_OK},               {1, 0.5, 0, 2, 2, GY_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_video_writer_params p = gy_video_writer_default_params();
        p.codec = (gy_video_codec)cases[i].codec;
        p.fps = cases[i].fps;
        p.queue = cases[i].queue;
        gy_status st = gy_video_writer_open(path, cases[i].width, cases[i].height, &p, &w, &err);
        ck_assert_msg(st == cases[i].want, "case %zu: %s", i, st ? err.message : "accepted");
        if (st == GY_OK) {
            gy_video_writer_free(w);
        } else {
            ck_assert_ptr_null(w);
            ck_assert_msg(strstr(err.message, "bad.avi: "), "%s", err.message);
        }
    }
    ck_assert_int_eq(gy_video_writer_open(NULL, 64, 48, NULL, &w, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_video_writer_open(path, 64, 48, NULL, NULL, &err), GY_ERR_ARGUMENT);
    /* a frame of another size, and NULLs */
    ck_assert(gy_video_writer_open(path, 65, 49, NULL, &w, &err) == GY_OK);
    unsigned char px[66 * 50 * 3] = {0};
    gy_image ok = {64, 48, px}, wide = {66, 48, px}, none = {64, 48, NULL};
    ck_assert_int_eq(gy_video_writer_write(w, &ok, &err), GY_OK); /* 64 & ~1 == 65 & ~1 */
    ck_assert_int_eq(gy_video_writer_write(w, &wide, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "a 66x48 frame in a 64x48 video"), "%s", err.message);
    ck_assert_int_eq(gy_video_writer_write(w, &none, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_video_writer_write(w, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_video_writer_write(NULL, &ok, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_video_writer_close(w, &err), GY_OK);
    ck_assert_int_eq(gy_video_writer_close(NULL, &err), GY_ERR_ARGUMENT);
}
END_TEST

START_TEST(unwritable_folder)
{
    gy_video_writer *w = NULL;
    gy_error err;
    gy_status st = gy_video_writer_open("/nonexistent-folder/out.avi", 64, 48, NULL, &w, &err);
    ck_assert_int_eq(st, GY_ERR_IO);
    ck_assert_msg(strstr(err.message, "/nonexistent-folder/out.avi: cannot create"), "%s", err.message);
}
END_TEST

/* A file-size limit (as `ulimit -f`, or a full disk): the write or the close fails naming the
 * path, and neither the file nor its temporary remains. */
START_TEST(file_size_limit)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {200000, 200000};
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    const char *path = out(_i ? "limit_q.avi" : "limit.avi");
    gy_video_writer_params p = gy_video_writer_default_params();
    p.queue = _i ? 2 : 0;
    gy_video_writer *w = NULL;
    gy_error err;
    ck_assert(gy_video_writer_open(path, 640, 480, &p, &w, &err) == GY_OK);
    unsigned char *px = malloc(640 * 480 * 3);
    gy_test_rng r = {7};
    for (int i = 0; i < 640 * 480 * 3; i++)
        px[i] = (unsigned char)gy_test_rng_u32(&r); /* noise: big JPEGs */
    gy_image img = {640, 480, px};
    gy_status st = GY_OK;
    int i;
    for (i = 0; i < 200 && st == GY_OK; i++)
        st = gy_video_writer_write(w, &img, &err);
    if (st == GY_OK)
        st = gy_video_writer_close(w, &err);
    else
        gy_video_writer_free(w);
    free(px);
    ck_assert_int_eq(st, GY_ERR_IO);
    ck_assert_msg(strstr(err.message, path) && strstr(err.message, "too large"), "%s", err.message);
    /* the first failure is the one reported, a frame's (not the trailer's that follows it),
     * whether the frames were encoded on the caller's thread or the writer's */
    ck_assert_msg(strstr(err.message, ": frame ") && strstr(err.message, ": cannot write"), "%s",
                  err.message);
    ck_assert_msg(!strstr(err.message, "trailer"), "%s", err.message);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    ck_assert(!exists(path));
    ck_assert(!exists(tmp));
}
END_TEST

/* The JPEG encoder alone (video/video_jpeg.c): a grey-noise frame at quality 100 needs more than
 * the buffer it starts with (a byte a pixel + 4096), so the buffer grows and keeps the bytes
 * written; the frame decodes back (libjpeg) within the error measured; a second, flat frame
 * after the growth; rows are read at the stride given, whatever lies in the padding. */
START_TEST(jpeg_buffer_grows)
{
    enum { W = 320, H = 240, STRIDE = W * 3 + 40 };
    unsigned char *px = malloc((size_t)STRIDE * H);
    gy_test_rng r = {11};
    for (int y = 0; y < H; y++)
        for (int x = 0; x < STRIDE; x++) {
            unsigned char v = (unsigned char)gy_test_rng_u32(&r);
            int i = x / 3;
            if (x < W * 3 && x % 3)
                v = px[y * STRIDE + i * 3]; /* grey: chroma subsampling loses nothing */
            px[y * STRIDE + x] = v;
        }
    gy_vjpeg *j = gy_vjpeg_new(W, H, 100);
    ck_assert_ptr_nonnull(j);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            for (int y = 0; y < H; y++)
                memset(px + (size_t)y * STRIDE, 90, W * 3); /* the padding keeps its noise */
        const unsigned char *data;
        size_t size;
        char msg[200];
        ck_assert_int_eq(gy_vjpeg_encode(j, px, STRIDE, &data, &size, msg, sizeof msg), 0);
        if (pass == 0)
            ck_assert_msg(size > (size_t)W * H + 4096, "%zu bytes: the buffer never grew", size);
        unsigned char *rgb = NULL;
        int w = 0, h = 0;
        gy_error err;
        ck_assert_msg(gy_jpeg_decode("noise.jpg", data, size, 1 << 20, &rgb, &w, &h, &err) == GY_OK,
                      "%s", err.message);
        ck_assert_int_eq(w, W);
        ck_assert_int_eq(h, H);
        int worst = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W * 3; x++) {
                int e = abs((int)rgb[(size_t)y * W * 3 + x] - px[(size_t)y * STRIDE + x]);
                worst = e > worst ? e : worst;
            }
        printf("jpeg pass %d: %zu bytes, max |difference| %d\n", pass, size, worst);
        ck_assert_int_le(worst, pass ? 0 : 3); /* measured 1 and 0 */
        free(rgb);
    }
    gy_vjpeg_free(j);
    gy_vjpeg_free(NULL);
    free(px);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("video_writer");
    TCase *tc = tcase_create("write");
    tcase_set_timeout(tc, 300);
    tcase_add_unchecked_fixture(tc, setup, gy_vt_cleanup);
    tcase_add_test(tc, mjpg_avi_as_ultralytics_writes_it);
    tcase_add_test(tc, h264_mp4);
    tcase_add_test(tc, odd_size_cut_to_even);
    tcase_add_test(tc, queue_sizes_write_the_same_file);
    tcase_add_loop_test(tc, stopped_early_still_plays, 0, 2);
    tcase_add_test(tc, abandoned_writer_leaves_nothing);
    tcase_add_test(tc, channels_stay_in_place);
    tcase_add_test(tc, bad_arguments_one_at_a_time);
    tcase_add_test(tc, unwritable_folder);
    tcase_add_test(tc, jpeg_buffer_grows);
    tcase_add_loop_test(tc, file_size_limit, 0, 2);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* test_video.c - the video reader against ultralytics' reader: every frame of every clip of
 * tests/video/make_clips.sh (H.264/MP4 with a cropped coded height, MPEG-4/AVI with B-frames at
 * 29.97 fps, VP9/WebM, odd-sized VP9/MKV, GIF, MJPEG/AVI, and streams turned 90, 180 and 270
 * degrees by a display matrix) equal byte for byte to cv2.VideoCapture's (the rotated ones to
 * FFmpeg's own autorotated decode, and cv2 4.6's wrong turn checked as such), with CAP_PROP_FPS,
 * CAP_PROP_FRAME_COUNT and the frame size; vid_stride as ultralytics applies it; the queue sizes
 * giving the same frames; parameters and arguments refused one at a time. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "videotest.h"

static const char *const CLIPS[] = {"h264.mp4", "mpeg4.avi", "vp9.webm", "odd.mkv", "clip.gif",
                                    "mjpeg.avi", "rot90.mp4", "rot180.mp4", "rot270.mp4"};
#define NCLIPS (int)(sizeof CLIPS / sizeof CLIPS[0])

static gy_video *open_ok(const char *path, const gy_video_params *p)
{
    gy_video *v = NULL;
    gy_error err;
    gy_status st = gy_video_open(path, p, &v, &err);
    ck_assert_msg(st == GY_OK, "%s: %s", path, err.message);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* Reads every frame and checks its hash against the reference's frames[i * stride + stride - 1]. */
static int read_all(const char *clip, const gy_video_params *p, const cJSON *ref, const char *key)
{
    gy_video *v = open_ok(gy_vt_clip(clip), p);
    int stride = p ? p->vid_stride : 1;
    int n = gy_vt_ref_count(ref, key);
    int k = 0;
    for (;;) {
        gy_video_frame f;
        gy_error err;
        gy_status st = gy_video_next(v, &f, &err);
        ck_assert_msg(st == GY_OK, "%s frame %d: %s", clip, k + 1, err.message);
        if (!f.image.data)
            break;
        int i = k * stride + stride - 1;
        ck_assert_msg(i < n, "%s: more frames than cv2 reads (%d)", clip, n);
        char h[17];
        gy_vt_hash(&f.image, 0, h);
        ck_assert_msg(strcmp(h, gy_vt_ref_frame(ref, key, i)) == 0,
                      "%s: frame %d (%dx%d) differs from the reference (%s vs %s)", clip, i + 1,
                      f.image.width, f.image.height, h, gy_vt_ref_frame(ref, key, i));
        ck_assert_int_eq(f.index, i + 1);
        ck_assert_int_eq(f.count, k + 1);
        k++;
    }
    ck_assert_int_eq(k, n / stride);
    /* the end stays the end */
    gy_video_frame f;
    gy_error err;
    ck_assert_int_eq(gy_video_next(v, &f, &err), GY_OK);
    ck_assert_ptr_null(f.image.data);
    gy_video_free(v);
    return k;
}

START_TEST(every_frame_as_ultralytics_gets_it)
{
    const char *clip = CLIPS[_i];
    const cJSON *ref = gy_vt_ref(clip);
    gy_video *v = open_ok(gy_vt_clip(clip), NULL);
    gy_video_info info;
    ck_assert_int_eq(gy_video_get_info(v, &info), GY_OK);
    ck_assert_int_eq(info.width, cJSON_GetObjectItem(ref, "width")->valueint);
    ck_assert_int_eq(info.height, cJSON_GetObjectItem(ref, "height")->valueint);
    /* CAP_PROP_FPS and CAP_PROP_FRAME_COUNT exactly as cv2 gives them */
    ck_assert_msg(info.fps == cJSON_GetObjectItem(ref, "fps")->valuedouble, "%s: fps %.17g vs %.17g",
                  clip, info.fps, cJSON_GetObjectItem(ref, "fps")->valuedouble);
    ck_assert_int_eq(info.frame_count, (long long)cJSON_GetObjectItem(ref, "frame_count")->valuedouble);
    ck_assert_int_eq(info.rotation, (360 - cJSON_GetObjectItem(ref, "orientation_meta")->valueint) % 360);
    ck_assert_int_eq(info.is_stream, 0);
    gy_video_free(v);
    int n = read_all(clip, NULL, ref, "frames");
    printf("%s: %d of %d frames equal to the reference (%s), %dx%d, %.6g fps, count %lld\n", clip, n,
           gy_vt_ref_count(ref, "frames"),
           cJSON_GetStringValue(cJSON_GetObjectItem(ref, "reference")), info.width, info.height,
           info.fps, info.frame_count);
}
END_TEST

/* OpenCV 4.6 (Debian's) turns a 90-degree stream the wrong way: its frames are ours turned by 180
 * degrees for 90 and 270, and ours for 180. */
START_TEST(cv2_4_6_turns_90_degrees_the_wrong_way)
{
    static const char *const rot[] = {"rot90.mp4", "rot180.mp4", "rot270.mp4"};
    const char *clip = rot[_i];
    const cJSON *ref = gy_vt_ref(clip);
    gy_video *v = open_ok(gy_vt_clip(clip), NULL);
    int n = gy_vt_ref_count(ref, "cv2_4_6_frames");
    for (int i = 0; i < n; i++) {
        gy_video_frame f;
        gy_error err;
        ck_assert_int_eq(gy_video_next(v, &f, &err), GY_OK);
        ck_assert_ptr_nonnull(f.image.data);
        char straight[17], turned[17];
        gy_vt_hash(&f.image, 0, straight);
        gy_vt_hash(&f.image, 1, turned);
        const char *cv46 = gy_vt_ref_frame(ref, "cv2_4_6_frames", i);
        if (_i == 1) {
            ck_assert_str_eq(straight, cv46);
        } else {
            ck_assert_str_eq(turned, cv46);
            ck_assert_str_ne(straight, cv46);
        }
    }
    gy_video_free(v);
}
END_TEST

/* vid_stride s keeps frames s, 2s, ... and drops a last partial group (ultralytics grabs s
 * frames, then retrieves: a failed grab ends the video). */
START_TEST(vid_stride_keeps_every_nth_frame)
{
    static const int strides[] = {2, 3, 7, 30, 31};
    const cJSON *ref = gy_vt_ref("h264.mp4");
    gy_video_params p = gy_video_default_params();
    p.vid_stride = strides[_i];
    int n = read_all("h264.mp4", &p, ref, "frames");
    ck_assert_int_eq(n, 30 / strides[_i]);
}
END_TEST

/* No reader thread, a queue of 1 and the largest queue: the same frames in the same order. */
START_TEST(queue_sizes_give_the_same_frames)
{
    static const int queues[] = {0, 1, 64};
    gy_video_params p = gy_video_default_params();
    p.queue = queues[_i];
    read_all("mpeg4.avi", &p, gy_vt_ref("mpeg4.avi"), "frames");
    p.vid_stride = 4;
    read_all("odd.mkv", &p, gy_vt_ref("odd.mkv"), "frames");
}
END_TEST

/* FFmpeg's decoding threads (frame threads for H.264) give the same pixels. */
START_TEST(decode_threads_give_the_same_frames)
{
    gy_video_params p = gy_video_default_params();
    p.decode_threads = 0;
    read_all("h264.mp4", &p, gy_vt_ref("h264.mp4"), "frames");
    p.decode_threads = 3;
    read_all("vp9.webm", &p, gy_vt_ref("vp9.webm"), "frames");
}
END_TEST

START_TEST(frame_times_and_counters)
{
    gy_video *v = open_ok(gy_vt_clip("mjpeg.avi"), NULL);
    for (int i = 1; i <= 15; i++) {
        gy_video_frame f;
        gy_error err;
        ck_assert_int_eq(gy_video_next(v, &f, &err), GY_OK);
        ck_assert_int_eq(f.index, i);
        ck_assert_int_eq(f.count, i);
        ck_assert_msg(fabs(f.time_s - (i - 1) / 15.0) < 1e-9, "frame %d at %g s", i, f.time_s);
        ck_assert_int_eq(f.image.width, 320);
        ck_assert_int_eq(f.image.height, 240);
    }
    gy_video_free(v);
}
END_TEST

/* A file given in GY_VIDEO_STREAM mode is read as a stream (newest frame) of known length: the
 * reader ends after the container's frame count, and a caller that keeps up sees every frame. */
START_TEST(file_in_stream_mode_ends_after_its_frames)
{
    gy_video_params p = gy_video_default_params();
    p.mode = GY_VIDEO_STREAM;
    gy_video *v = open_ok(gy_vt_clip("clip.gif"), &p);
    gy_video_info info;
    gy_video_get_info(v, &info);
    ck_assert_int_eq(info.is_stream, 1);
    long long last = 0;
    int n = 0;
    for (;;) {
        gy_video_frame f;
        gy_error err;
        gy_status st = gy_video_next(v, &f, &err);
        ck_assert_msg(st == GY_OK, "%s", err.message);
        if (!f.image.data)
            break;
        ck_assert_int_gt(f.index, last); /* newer every time */
        last = f.index;
        n++;
    }
    ck_assert_int_eq(last, 12);
    ck_assert_int_ge(n, 1);
    gy_video_free(v);
}
END_TEST

static int always(void *user)
{
    (void)user;
    return 1;
}

START_TEST(interrupt_stops_next)
{
    gy_video_params p = gy_video_default_params();
    p.interrupt = always;
    gy_video *v = NULL;
    gy_error err;
    gy_status st = gy_video_open(gy_vt_clip("h264.mp4"), &p, &v, &err);
    ck_assert_int_eq(st, GY_ERR_STATE);
    ck_assert_msg(strstr(err.message, "interrupted") && strstr(err.message, "h264.mp4"), "%s", err.message);
    ck_assert_ptr_null(v);
}
END_TEST

START_TEST(webcam_index_is_refused)
{
    gy_video *v = (gy_video *)&v;
    gy_error err;
    ck_assert_int_eq(gy_video_open("0", NULL, &v, &err), GY_ERR_UNSUPPORTED);
    ck_assert_ptr_null(v);
    ck_assert_msg(strncmp(err.message, "0: webcam", 9) == 0, "%s", err.message);
    ck_assert_int_eq(gy_video_open("12", NULL, &v, &err), GY_ERR_UNSUPPORTED);
    /* a name with a digit and more is a file name */
    ck_assert_int_eq(gy_video_open("0.mp4", NULL, &v, &err), GY_ERR_IO);
    ck_assert_msg(strstr(err.message, "0.mp4: no such file"), "%s", err.message);
}
END_TEST

/* Each parameter out of range on its own, at one past each bound; the bounds themselves pass. */
START_TEST(parameters_out_of_range)
{
    const char *clip = gy_vt_clip("clip.gif");
    struct { int field, value, ok; } cases[] = {
        {0, -1, 0}, {0, 3, 0}, {0, 2, 1}, {1, 0, 0}, {1, 1000001, 0}, {1, 1000000, 1},
        {2, -1, 0}, {2, 65, 0}, {2, 64, 1}, {3, -1, 0}, {3, 65, 0}, {3, 64, 1},
        {4, -1, 0}, {4, 1001, 0}, {4, 1000, 1}, {5, 0, 0}, {5, 86400001, 0}, {5, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_video_params p = gy_video_default_params();
        int *f[] = {(int *)&p.mode, &p.vid_stride, &p.queue, &p.decode_threads, &p.reconnects,
                    &p.timeout_ms};
        *f[cases[i].field] = cases[i].value;
        gy_video *v = NULL;
        gy_error err;
        gy_status st = gy_video_open(clip, &p, &v, &err);
        if (cases[i].ok) {
            ck_assert_msg(st == GY_OK, "case %zu: %s", i, err.message);
            gy_video_free(v);
        } else {
            ck_assert_msg(st == GY_ERR_ARGUMENT, "case %zu accepted", i);
            ck_assert_ptr_null(v);
            ck_assert_msg(strstr(err.message, "clip.gif: "), "%s", err.message);
        }
    }
}
END_TEST

START_TEST(null_arguments)
{
    gy_video *v;
    gy_error err;
    gy_video_frame f;
    gy_video_info info;
    ck_assert_int_eq(gy_video_open(NULL, NULL, &v, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_video_open("", NULL, &v, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_video_open("x.mp4", NULL, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_video_next(NULL, &f, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(f.image.data);
    ck_assert_int_eq(gy_video_get_info(NULL, &info), GY_ERR_ARGUMENT);
    v = open_ok(gy_vt_clip("clip.gif"), NULL);
    ck_assert_int_eq(gy_video_next(v, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_video_get_info(v, NULL), GY_ERR_ARGUMENT);
    gy_video_free(v);
    gy_video_free(NULL);
}
END_TEST

/* Freeing a video with its reader thread blocked on a full queue, or mid-way, returns at once. */
START_TEST(free_midway)
{
    for (int q = 1; q <= 3; q++) {
        gy_video_params p = gy_video_default_params();
        p.queue = q;
        gy_video *v = open_ok(gy_vt_clip("h264.mp4"), &p);
        gy_video_frame f;
        gy_error err;
        for (int i = 0; i < q; i++)
            ck_assert_int_eq(gy_video_next(v, &f, &err), GY_OK);
        double t = gy_vt_now();
        gy_video_free(v);
        ck_assert_msg(gy_vt_now() - t < 1.0, "free took %.2f s", gy_vt_now() - t);
    }
}
END_TEST

static void make_clips(void) { gy_vt_clips(); }

int main(void)
{
    Suite *s = suite_create("video");
    TCase *tc = tcase_create("read");
    tcase_set_timeout(tc, 300);
    tcase_add_unchecked_fixture(tc, make_clips, gy_vt_cleanup);
    tcase_add_loop_test(tc, every_frame_as_ultralytics_gets_it, 0, NCLIPS);
    tcase_add_loop_test(tc, cv2_4_6_turns_90_degrees_the_wrong_way, 0, 3);
    tcase_add_loop_test(tc, vid_stride_keeps_every_nth_frame, 0, 5);
    tcase_add_loop_test(tc, queue_sizes_give_the_same_frames, 0, 3);
    tcase_add_test(tc, decode_threads_give_the_same_frames);
    tcase_add_test(tc, frame_times_and_counters);
    tcase_add_test(tc, file_in_stream_mode_ends_after_its_frames);
    tcase_add_test(tc, interrupt_stops_next);
    tcase_add_test(tc, webcam_index_is_refused);
    tcase_add_test(tc, parameters_out_of_range);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, free_midway);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

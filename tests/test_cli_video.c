/* test_cli_video.c - video files as sources of the real `ghostyolo detect` (issue 23): the
 * progress lines in ultralytics 8.0.126's words, a folder's / pattern's / list's images before its
 * videos, standard input, GIF as a video, --vid-stride and vid_stride= at and past their bounds,
 * the outputs of every frame (labels/NAME_FRAME.txt, crops, COCO image_id NAME_FRAME, --json with
 * "frame"), the annotated video (ffprobe: codec, frame count, integer fps of the source; MJPG/AVI
 * and H.264/MP4), each frame's boxes equal to `detect` on that frame saved as PNG, a truncated
 * video, a video file over HTTP on loopback, and Ctrl-C (SIGINT) and SIGTERM ending a run with a
 * playable video and no temporary file. The clips are tests/video/make_clips.sh's. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    cli_setup("cli_video");
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

/* Lines of text starting with prefix. */
static int lines_starting(const char *text, const char *prefix)
{
    int n = 0;
    size_t k = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n += strncmp(p, prefix, k) == 0;
    return n;
}

/* Files in a folder of the scratch folder (recursively), whose name contains what. */
static int files_in(const char *rel, const char *what)
{
    DIR *d = opendir(tmp_file(rel));
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[512];
        snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        struct stat sb;
        if (stat(tmp_file(sub), &sb) == 0 && S_ISDIR(sb.st_mode))
            n += files_in(sub, what);
        else
            n += strstr(e->d_name, what) != NULL;
    }
    closedir(d);
    return n;
}

static void probe_is(const char *rel, const char *key, const char *want)
{
    char v[128];
    gy_vt_probe(tmp_file(rel), key, v, sizeof v);
    ck_assert_msg(strcmp(v, want) == 0, "%s: %s is '%s', expected '%s'", rel, key, v, want);
}

/* Every line of a video's progress, in ultralytics' words: "video 1/1 (k/30) PATH: HxW counts,
 * X.Yms" for k = 1..n, in order, then the speed and the run folder. */
START_TEST(progress_lines)
{
    ck_assert_int_eq(run("detect --imgsz 320 -w '%s' '%s'", weights(), gy_vt_clip("mpeg4.avi")), 0);
    char *e = read_text(errpath);
    const char *p = e;
    for (int k = 1; k <= 30; k++) {
        char head[512];
        snprintf(head, sizeof head, "video 1/1 (%d/30) %s: 256x320 ", k, gy_vt_clip("mpeg4.avi"));
        ck_assert_msg(strncmp(p, head, strlen(head)) == 0, "line %d is not '%s...':\n%s", k, head, p);
        const char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        /* "2 persons, 1 bus, 23.4ms": class counts, then the inference time */
        ck_assert_msg(nl - p > 6 && strncmp(nl - 2, "ms", 2) == 0 && strstr(p, " bus, ") < nl,
                      "line %d: %.*s", k, (int)(nl - p), p);
        p = nl + 1;
    }
    ck_assert_msg(strncmp(p, "Speed: ", 7) == 0 && strstr(p, "per image at shape (1, 3, 256, 320)\n"),
                  "%s", p);
    err_has("Results saved to runs/detect/predict\n");
    ck_assert_int_eq(lines_starting(e, "video "), 30);
    free(e);
    /* an empty frame: "(no detections), " */
    shell("ffmpeg -nostdin -v error -f lavfi -i color=gray:size=160x96:rate=5 -frames:v 3 -c:v "
          "mpeg4 grey.avi");
    ck_assert_int_eq(run("detect --no-save --imgsz 160 -w '%s' grey.avi", weights()), 0);
    err_has("video 1/1 (1/3) grey.avi: 96x160 (no detections), ");
    err_has("video 1/1 (3/3) grey.avi: 96x160 (no detections), ");
    err_lacks("(4/3)");
}
END_TEST

/* A folder, a pattern and a list give their images first, then their videos, each in name order,
 * counted together ("video 3/3"); standard input keeps the order it is given in ("?"). */
START_TEST(images_then_videos)
{
    shell("mkdir -p f && cp '%s' f/a.gif && cp '%s' f/b.jpg && cp '%s' f/c.avi && cp f/b.jpg f/d.png "
          "&& echo x > f/e.txt", gy_vt_clip("clip.gif"), gy_test_shared("images/bus.jpg"),
          gy_vt_clip("mjpeg.avi"));
    shell("printf 'f/c.avi\\nf/d.png\\nf/a.gif\\nf/b.jpg\\n' > list.txt");
    /* a folder and a pattern: b.jpg, d.png, then a.gif, c.avi; the list: its images in its order
     * (d.png, b.jpg), then its videos in its order (c.avi, a.gif) */
    static const char *const srcs[] = {"f", "'f/*'", "list.txt"};
    static const char *const want[][4] = {
        {"image 1/4 f/b.jpg: ", "image 2/4 f/d.png: ", "video 3/4 (1/12) f/a.gif: ",
         "video 4/4 (1/15) f/c.avi: "},
        {"image 1/4 f/b.jpg: ", "image 2/4 f/d.png: ", "video 3/4 (1/12) f/a.gif: ",
         "video 4/4 (1/15) f/c.avi: "},
        {"image 1/4 f/d.png: ", "image 2/4 f/b.jpg: ", "video 3/4 (1/15) f/c.avi: ",
         "video 4/4 (1/12) f/a.gif: "},
    };
    for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
        ck_assert_int_eq(run("detect --no-save --imgsz 160 -w '%s' %s", weights(), srcs[i]), 0);
        char *e = read_text(errpath);
        const char *last = e;
        for (int k = 0; k < 4; k++) {
            const char *at = strstr(e, want[i][k]);
            ck_assert_msg(at && at >= last, "%s: '%s' missing or out of order:\n%s", srcs[i],
                          want[i][k], e);
            last = at;
        }
        ck_assert_int_eq(lines_starting(e, i < 2 ? "video 3/4 (" : "video 4/4 ("), 12);
        ck_assert_int_eq(lines_starting(e, i < 2 ? "video 4/4 (" : "video 3/4 ("), 15);
        ck_assert_ptr_null(strstr(e, "e.txt"));
        free(e);
    }
    /* two: the video after the image */
    shell("mkdir -p g && cp f/a.gif f/b.jpg g/");
    ck_assert_int_eq(run("detect --no-save --imgsz 160 -w '%s' g", weights()), 0);
    err_has("image 1/2 g/b.jpg: ");
    err_has("video 2/2 (1/12) g/a.gif: ");
    /* standard input: each line as it comes */
    ck_assert_int_eq(run("detect --no-save --imgsz 160 -w '%s' - < list.txt", weights()), 0);
    char *e = read_text(errpath);
    const char *c = strstr(e, "video 1/? (1/15) f/c.avi: "), *d = strstr(e, "image 2/? f/d.png: ");
    const char *a = strstr(e, "video 3/? (12/12) f/a.gif: "), *b = strstr(e, "image 4/? f/b.jpg: ");
    ck_assert_msg(c && d && a && b && c < d && d < a && a < b, "stdin order:\n%s", e);
    free(e);
}
END_TEST

/* GIF is a video (ultralytics 8.0.126's VID_FORMATS): every frame, an annotated .avi, labels per
 * frame; a video under an image's name is read by content. */
START_TEST(gif_is_a_video)
{
    shell("cp '%s' anim.gif && cp '%s' movie.jpg", gy_vt_clip("clip.gif"), gy_vt_clip("h264.mp4"));
    ck_assert_int_eq(run("detect --save-txt --imgsz 160 -o out -w '%s' anim.gif movie.jpg",
                         weights()), 0);
    err_has("video 1/2 (1/12) anim.gif: ");
    err_has("video 1/2 (12/12) anim.gif: ");
    err_has("video 2/2 (30/30) movie.jpg: ");
    ck_assert(!exists("out/anim.png") && !exists("out/anim.gif"));
    probe_is("out/anim.avi", "nb_read_frames", "12");
    probe_is("out/anim.avi", "r_frame_rate", "10/1");
    probe_is("out/movie.avi", "nb_read_frames", "30");
    ck_assert(exists("out/labels/anim_1.txt") && exists("out/labels/anim_12.txt"));
    ck_assert(!exists("out/labels/anim_0.txt") && !exists("out/labels/anim_13.txt"));
}
END_TEST

/* Each frame's outputs: labels/NAME_FRAME.txt (frames from 1), crops named as ultralytics names
 * them (NAME.jpg, NAME2.jpg, ... one per box), COCO image_id "NAME_FRAME", --json with "frame";
 * the annotated video plays: ffprobe's codec, frame count and the source's integer fps (29.97 ->
 * 29), as ultralytics writes it. */
START_TEST(outputs_per_frame)
{
    shell("cp '%s' clip.avi && cp '%s' bus.jpg", gy_vt_clip("mpeg4.avi"),
          gy_test_shared("images/bus.jpg"));
    ck_assert_int_eq(run("detect --json --save-txt --save-conf --save-crop --save-json --imgsz 320 "
                         "-w '%s' clip.avi bus.jpg", weights()), 0);
    char *o = read_text(outpath);
    int boxes = 0, with_boxes = 0, frame = 0;
    for (char *line = strtok(o, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        ck_assert_ptr_nonnull(j);
        if (strcmp(cJSON_GetObjectItem(j, "image")->valuestring, "bus.jpg") == 0) {
            ck_assert_ptr_null(cJSON_GetObjectItem(j, "frame")); /* an image has none */
            ck_assert_int_eq(frame, 30);
            cJSON_Delete(j);
            continue;
        }
        frame++;
        ck_assert_str_eq(cJSON_GetObjectItem(j, "image")->valuestring, "clip.avi");
        ck_assert_int_eq(cJSON_GetObjectItem(j, "frame")->valueint, frame);
        ck_assert_int_eq(cJSON_GetObjectItem(j, "width")->valueint, 320);
        int n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "detections"));
        boxes += n;
        with_boxes += n > 0;
        char rel[64];
        snprintf(rel, sizeof rel, "runs/detect/predict/labels/clip_%d.txt", frame);
        if (n) { /* one line per box: class cx cy w h conf */
            char *t = read_text(tmp_file(rel));
            ck_assert_int_eq(count_of(t, "\n"), n);
            free(t);
        } else {
            ck_assert_msg(!exists(rel), "%s for a frame without boxes", rel);
        }
        cJSON_Delete(j);
    }
    free(o);
    ck_assert_int_eq(frame, 30);
    ck_assert_int_gt(with_boxes, 25);
    ck_assert_int_eq(files_in("runs/detect/predict/labels", "clip_"), with_boxes);
    ck_assert(exists("runs/detect/predict/labels/bus.txt"));
    ck_assert(!exists("runs/detect/predict/labels/clip_0.txt"));
    ck_assert(!exists("runs/detect/predict/labels/clip.txt"));
    char want[96];
    snprintf(want, sizeof want, "%d labels saved to runs/detect/predict/labels\n", with_boxes + 1);
    err_has(want);
    /* crops: clip.jpg, clip2.jpg, ... every box of every frame once */
    ck_assert_int_eq(files_in("runs/detect/predict/crops", "clip"), boxes);
    ck_assert(exists("runs/detect/predict/crops/person/clip.jpg"));
    ck_assert(exists("runs/detect/predict/crops/person/clip2.jpg"));
    ck_assert(exists("runs/detect/predict/crops/bus/clip30.jpg"));
    ck_assert(!exists("runs/detect/predict/crops/bus/clip1.jpg"));
    /* an image after the video: its own series, from its own name */
    ck_assert(exists("runs/detect/predict/crops/person/bus.jpg"));
    ck_assert(exists("runs/detect/predict/crops/bus/bus.jpg"));
    /* COCO results: image_id "clip_FRAME", the frames of the label files */
    char *pj = read_text(tmp_file("runs/detect/predict/predictions.json"));
    cJSON *list = cJSON_Parse(pj);
    free(pj);
    ck_assert_int_gt(cJSON_GetArraySize(list), boxes); /* and bus.jpg's */
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "image_id")->valuestring,
                     "clip_1");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, boxes - 1), "image_id")->valuestring,
                     "clip_30");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, boxes), "image_id")->valuestring,
                     "bus");
    cJSON_Delete(list);
    /* the annotated video */
    probe_is("runs/detect/predict/clip.avi", "codec_name", "mjpeg");
    probe_is("runs/detect/predict/clip.avi", "nb_read_frames", "30");
    probe_is("runs/detect/predict/clip.avi", "r_frame_rate", "29/1");
    probe_is("runs/detect/predict/clip.avi", "width", "320");
    probe_is("runs/detect/predict/clip.avi", "height", "240");
    ck_assert_int_eq(files_in("runs/detect/predict", ".tmp"), 0);
}
END_TEST

/* --vid-stride N (vid_stride=N): frames N, 2N, ...; "(k/int(count/N))"; bounds 1 and 1000000. */
START_TEST(vid_stride)
{
    shell("cp '%s' clip.avi", gy_vt_clip("mpeg4.avi"));
    const char *forms[] = {"--vid-stride 4", "vid_stride=4", "--vid-stride=4"};
    char first[4096] = "";
    for (int f = 0; f < 3; f++) {
        ck_assert_int_eq(run("detect --json --save-txt --imgsz 160 -o s%d %s -w '%s' clip.avi", f,
                             forms[f], weights()), 0);
        err_has("video 1/1 (1/7) clip.avi: ");
        err_has("video 1/1 (7/7) clip.avi: ");
        err_lacks("(8/7)");
        char *e = read_text(errpath);
        ck_assert_int_eq(lines_starting(e, "video "), 7);
        free(e);
        char *o = read_text(outpath);
        ck_assert_int_eq(count_of(o, "\n"), 7);
        ck_assert_int_eq(count_of(o, "\"frame\":7,"), 1);
        if (f == 0)
            snprintf(first, sizeof first, "%s", o);
        else
            ck_assert_str_eq(o, first);
        free(o);
        char rel[64];
        snprintf(rel, sizeof rel, "s%d/clip.avi", f);
        probe_is(rel, "nb_read_frames", "7");
    }
    /* frame k of the stride run is frame 4k of the whole video */
    ck_assert_int_eq(run("detect --json --no-save --imgsz 160 -w '%s' clip.avi", weights()), 0);
    char *all = read_text(outpath);
    char *fourth = strstr(all, "\"frame\":4,");
    ck_assert_ptr_nonnull(fourth);
    char *stride1 = strstr(first, "\"frame\":1,");
    ck_assert_ptr_nonnull(stride1);
    ck_assert_int_eq(strncmp(fourth + 10, stride1 + 10, strcspn(stride1, "\n") - 10), 0);
    free(all);
    /* bounds: 1 and 1000000 taken (no frame at 1000000: nothing saved), 0 and 1000001 refused */
    ck_assert_int_eq(run("detect --no-save --imgsz 160 --vid-stride 1 -w '%s' clip.avi", weights()), 0);
    err_has("video 1/1 (30/30) clip.avi: ");
    ck_assert_int_eq(run("detect --imgsz 160 --vid-stride 1000000 -o big -w '%s' clip.avi",
                         weights()), 0);
    err_lacks("video 1/1 (");
    ck_assert(!exists("big"));
    ck_assert_int_eq(run("detect --vid-stride 0 -w '%s' clip.avi", weights()), 64);
    err_has("ghostyolo detect: --vid-stride '0': must be an integer from 1 to 1000000\n");
    ck_assert_int_eq(run("detect --vid-stride 1000001 -w '%s' clip.avi", weights()), 64);
    err_has("--vid-stride '1000001': must be an integer from 1 to 1000000\n");
    ck_assert_int_eq(run("detect vid_stride=0 -w '%s' clip.avi", weights()), 64);
    err_has("'vid_stride=0': must be an integer from 1 to 1000000\n");
    ck_assert_int_eq(run("detect vid_stride=2.5 -w '%s' clip.avi", weights()), 64);
    err_has("'vid_stride=2.5' is of invalid type float. 'vid_stride' must be an int");
    ck_assert(!exists("runs"));
}
END_TEST

/* The annotated video's frame rate: the source's integer fps (ultralytics' int(CAP_PROP_FPS)), at
 * least 1: 1 fps stays 1, 0.5 fps (int 0) is written at 30 as a stream is; at most the writer's
 * 1000: 1000 stays, 1001 is written at 1000. */
START_TEST(writer_fps)
{
    static const struct {
        const char *rate, *want;
    } cases[] = {{"1", "1/1"}, {"1/2", "30/1"}, {"1000", "1000/1"}, {"1001", "1000/1"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* (H.264 in MP4 keeps 1001 fps; MPEG-4 in AVI would store 600) */
        shell("ffmpeg -nostdin -v error -y -f lavfi -i color=gray:size=64x48:rate=%s -frames:v 3 "
              "-c:v libx264 -threads 1 r%zu.mp4", cases[i].rate, i);
        ck_assert_int_eq(run("detect --imgsz 64 -o out -w '%s' r%zu.mp4", weights(), i), 0);
        char rel[32];
        snprintf(rel, sizeof rel, "out/r%zu.avi", i);
        probe_is(rel, "r_frame_rate", cases[i].want);
        probe_is(rel, "nb_read_frames", "3");
    }
}
END_TEST

/* --video-codec h264: H.264 in NAME.mp4 at the source's integer fps; rotated and odd-sized
 * sources: the turned size, odd sides less one (as cv2.VideoWriter); an unknown codec refused. */
START_TEST(video_codec)
{
    ck_assert_int_eq(run("detect --imgsz 160 -o h --video-codec h264 -w '%s' '%s' '%s' '%s'",
                         weights(), gy_vt_clip("h264.mp4"), gy_vt_clip("rot90.mp4"),
                         gy_vt_clip("odd.mkv")), 0);
    probe_is("h/h264.mp4", "codec_name", "h264");
    probe_is("h/h264.mp4", "nb_read_frames", "30");
    probe_is("h/h264.mp4", "r_frame_rate", "25/1");
    probe_is("h/h264.mp4", "width", "640");
    probe_is("h/h264.mp4", "height", "360");
    probe_is("h/rot90.mp4", "width", "240"); /* 320x240 turned by 90 degrees */
    probe_is("h/rot90.mp4", "height", "320");
    probe_is("h/rot90.mp4", "nb_read_frames", "20");
    probe_is("h/odd.mp4", "width", "320");
    probe_is("h/odd.mp4", "height", "240");
    ck_assert(!exists("h/h264.avi"));
    err_has("video 2/3 (1/20) ");
    err_has(": 160x128 "); /* rot90's frames are portrait: 160 high, 128 wide */
    ck_assert_int_eq(run("detect --imgsz 160 -o m --video-codec MJPG -w '%s' '%s'", weights(),
                         gy_vt_clip("odd.mkv")), 0);
    probe_is("m/odd.avi", "codec_name", "mjpeg");
    probe_is("m/odd.avi", "width", "320");
    probe_is("m/odd.avi", "height", "240");
    probe_is("m/odd.avi", "nb_read_frames", "20");
    ck_assert_int_eq(run("detect --video-codec vp9 -w '%s' '%s'", weights(), gy_vt_clip("odd.mkv")),
                     64);
    err_has("ghostyolo detect: --video-codec 'vp9': must be mjpg or h264\n");
    ck_assert_int_eq(run("detect --video-codec '' -w '%s' '%s'", weights(), gy_vt_clip("odd.mkv")),
                     64);
    err_has("--video-codec '': must be mjpg or h264\n");
}
END_TEST

/* The JSON of a picture without "image" and "frame": what the boxes are. */
static char *boxes_only(const char *line)
{
    cJSON *j = cJSON_Parse(line);
    ck_assert_msg(j != NULL, "not JSON: %s", line);
    cJSON_DeleteItemFromObject(j, "image");
    cJSON_DeleteItemFromObject(j, "frame");
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return t;
}

/* Done-means: every frame's detections equal `detect` on that frame saved as PNG (the frame
 * decoded through the library, saved with gy_image_save), exactly, for H.264/MP4, MPEG-4/AVI,
 * VP9/WebM, a 90-degree rotation flag and odd sides. */
START_TEST(frames_equal_png_detect)
{
    static const char *const clips[] = {"h264.mp4", "mpeg4.avi", "vp9.webm", "rot90.mp4",
                                        "odd.mkv"};
    shell("mkdir frames");
    int total = 0;
    for (size_t c = 0; c < sizeof clips / sizeof clips[0]; c++) {
        gy_video *v = NULL;
        gy_error err;
        ck_assert_msg(gy_video_open(gy_vt_clip(clips[c]), NULL, &v, &err) == GY_OK, "%s", err.message);
        int n = 0;
        for (;;) {
            gy_video_frame f;
            ck_assert_msg(gy_video_next(v, &f, &err) == GY_OK, "%s", err.message);
            if (!f.image.data)
                break;
            char rel[64];
            snprintf(rel, sizeof rel, "frames/%zu_%03lld.png", c, f.index);
            ck_assert_msg(gy_image_save(&f.image, tmp_file(rel), &err) == GY_OK, "%s", err.message);
            n++;
        }
        gy_video_free(v);
        ck_assert_int_eq(run("detect --json --no-save --imgsz 320 -w '%s' '%s'", weights(),
                             gy_vt_clip(clips[c])), 0);
        char *vid = read_text(outpath);
        ck_assert_int_eq(run("detect --json --no-save --imgsz 320 -w '%s' 'frames/%zu_*.png'",
                             weights(), c), 0);
        char *png = read_text(outpath);
        ck_assert_int_eq(count_of(vid, "\n"), n);
        ck_assert_int_eq(count_of(png, "\n"), n);
        char *sv = NULL, *sp = NULL;
        char *lv = strtok_r(vid, "\n", &sv), *lp = strtok_r(png, "\n", &sp);
        for (int k = 1; lv && lp; k++) {
            char *a = boxes_only(lv), *b = boxes_only(lp);
            ck_assert_msg(strcmp(a, b) == 0, "%s frame %d:\nvideo %s\npng   %s", clips[c], k, a, b);
            ck_assert_msg(strstr(lv, "\"frame\":") != NULL, "%s", lv);
            free(a);
            free(b);
            lv = strtok_r(NULL, "\n", &sv);
            lp = strtok_r(NULL, "\n", &sp);
        }
        free(vid);
        free(png);
        total += n;
    }
    printf("frames_equal_png_detect: %d frames of %zu clips, boxes equal\n", total,
           sizeof clips / sizeof clips[0]);
    ck_assert_int_eq(total, 130);
}
END_TEST

/* A truncated video: the frames it has, then the rest reported with the path and frame numbers,
 * exit 65; the annotated video holds the frames read. */
START_TEST(truncated_video)
{
    shell("head -c 120000 '%s' > cut.avi", gy_vt_clip("mpeg4.avi"));
    ck_assert_int_eq(run("detect --imgsz 160 -o out -w '%s' cut.avi", weights()), 65);
    char *e = read_text(errpath);
    int got = lines_starting(e, "video 1/1 (");
    ck_assert_msg(got > 3 && got < 30, "%d frames:\n%s", got, e);
    char want[128];
    snprintf(want, sizeof want, "video 1/1 cut.avi: error: frames %d to 30 of 30 missing: ", got + 1);
    ck_assert_msg(strstr(e, want) != NULL, "lacks '%s':\n%s", want, e);
    free(e);
    char n[16];
    snprintf(n, sizeof n, "%d", got);
    probe_is("out/cut.avi", "nb_read_frames", n);
}
END_TEST

/* A video file on a web server (loopback: python3's http.server, started and stopped here): read
 * in order as a file (ultralytics downloads it), named after the URL's file; a missing one is an
 * error naming the URL. */
START_TEST(web_video_file)
{
    shell("mkdir www && ffmpeg -nostdin -v error -i '%s' -c copy -movflags +faststart www/clip.mp4",
          gy_vt_clip("h264.mp4"));
    int port = gy_vt_free_port(0);
    char ports[16], dir[256];
    snprintf(ports, sizeof ports, "%d", port);
    snprintf(dir, sizeof dir, "%s/www", tmp);
    char *argv[] = {"python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, ports,
                    NULL};
    pid_t srv = gy_vt_spawn(argv);
    int code = 1;
    for (int i = 0; i < 100 && code != 0; i++) { /* up to 5 s for the server to listen */
        char cmd[128];
        snprintf(cmd, sizeof cmd, "exec 3<>/dev/tcp/127.0.0.1/%d", port);
        char full[192];
        snprintf(full, sizeof full, "bash -c '%s' 2>/dev/null", cmd);
        code = system(full);
        if (code)
            sleep_ms(50);
    }
    ck_assert_msg(code == 0, "the HTTP server did not listen");
    ck_assert_int_eq(run("detect --imgsz 160 --save-txt -o out -w '%s' "
                         "http://127.0.0.1:%d/clip.mp4?x=1 http://127.0.0.1:%d/missing.mp4",
                         weights(), port, port), 65);
    gy_vt_kill(srv);
    char want[160];
    snprintf(want, sizeof want, "video 1/2 (30/30) http://127.0.0.1:%d/clip.mp4?x=1: ", port);
    err_has(want);
    snprintf(want, sizeof want, "video 2/2 http://127.0.0.1:%d/missing.mp4: error: cannot open "
             "(Server returned 404 Not Found)\n", port);
    err_has(want);
    probe_is("out/clip.avi", "nb_read_frames", "30");
    ck_assert(exists("out/labels/clip_30.txt"));
}
END_TEST

/* Runs detect on a long clip in the background, stops it with sig after `after` frames, and
 * checks the ending: the exit code, a video that plays with every frame said, the COCO file, no
 * temporary file. */
static void stop_with(int sig, int after, const char *codec, int want_rc)
{
    char errfile[256], w[512];
    snprintf(errfile, sizeof errfile, "%s/run_err.txt", tmp);
    snprintf(w, sizeof w, "%s", weights());
    char *argv[] = {(char *)gy_test_cli(), "detect", "-t", "1", "--imgsz", "160", "--save-json",
                    "--save-txt", "--video-codec", (char *)codec, "-o", "out", "-w", w, "long.mp4",
                    NULL};
    unlink(errfile); /* (an earlier run's) */
    pid_t pid = gy_vt_spawn_io(argv, tmp, NULL, errfile);
    char said[32];
    snprintf(said, sizeof said, "video 1/1 (%d/", after);
    int seen = 0;
    for (int t = 0; t < 600 && !seen; t++) { /* up to 60 s */
        FILE *f = fopen(errfile, "r"); /* (made by the child when it starts) */
        char buf[65536];
        size_t k = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[k] = '\0';
        if (f)
            fclose(f);
        seen = strstr(buf, said) != NULL;
        if (!seen)
            sleep_ms(100);
    }
    if (!seen)
        gy_vt_kill(pid);
    ck_assert_msg(seen, "no frame %d within 60 s", after);
    ck_assert_int_eq(kill(pid, sig), 0);
    int st = gy_vt_wait(pid, 20000);
    if (st < 0)
        gy_vt_kill(pid);
    ck_assert_msg(st >= 0, "still running 20 s after the signal");
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == want_rc, "status %d", st);
    char *e = (char *)gy_test_read(errfile, NULL);
    int frames = lines_starting(e, "video 1/1 (");
    ck_assert_msg(frames >= after && frames < 200, "%d frames:\n%s", frames, e);
    ck_assert_msg(strstr(e, sig == SIGINT ? "ghostyolo detect: interrupted (Ctrl-C): stopped after "
                                          : "ghostyolo detect: interrupted (SIGTERM): stopped after "),
                  "%s", e);
    ck_assert_ptr_nonnull(strstr(e, "Results saved to out\n"));
    free(e);
    char n[16], rel[64];
    snprintf(n, sizeof n, "%d", frames);
    snprintf(rel, sizeof rel, "out/long.%s", strcmp(codec, "h264") == 0 ? "mp4" : "avi");
    probe_is(rel, "nb_read_frames", n);
    probe_is(rel, "r_frame_rate", "25/1");
    ck_assert_int_eq(files_in("out", ".tmp"), 0);
    char *pj = read_text(tmp_file("out/predictions.json"));
    cJSON *list = cJSON_Parse(pj);
    ck_assert_msg(list && cJSON_IsArray(list), "predictions.json: %s", pj);
    cJSON_Delete(list);
    free(pj);
    shell("rm -r out");
}

/* Ctrl-C (SIGINT) to the real binary in the middle of a video: it stops after the frame it is on
 * (exit 130), the annotated video has its trailer (ffprobe counts the frames said), the COCO file
 * is written, and no temporary file is left; SIGTERM the same (exit 143), H.264 too. */
START_TEST(interrupted_run)
{
    shell("ffmpeg -nostdin -v error -loop 1 -i '%s' -vf \"zoompan=z='1+0.002*on':d=1:fps=25:"
          "s=320x240\" -frames:v 400 -c:v libx264 -threads 1 -pix_fmt yuv420p long.mp4",
          gy_test_shared("images/bus.jpg"));
    stop_with(SIGINT, 5, "mjpg", 130);
    stop_with(SIGTERM, 3, "h264", 143);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli_video");
    TCase *tc = tcase_create("cli_video");
    tcase_set_timeout(tc, 600);
    tcase_add_unchecked_fixture(tc, make_clips, gy_vt_cleanup);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, progress_lines);
    tcase_add_test(tc, images_then_videos);
    tcase_add_test(tc, gif_is_a_video);
    tcase_add_test(tc, outputs_per_frame);
    tcase_add_test(tc, vid_stride);
    tcase_add_test(tc, video_codec);
    tcase_add_test(tc, writer_fps);
    tcase_add_test(tc, frames_equal_png_detect);
    tcase_add_test(tc, truncated_video);
    tcase_add_test(tc, web_video_file);
    tcase_add_test(tc, interrupted_run);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

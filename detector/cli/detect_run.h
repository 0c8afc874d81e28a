/* detect_run.h - one run of `ghostyolo detect`: its options and state, the step every picture
 * goes through (an image, a frame of a video or of a stream: detect, then the --json line, label
 * file, crops and COCO entry: detect_picture.c), and the readers of each kind of source: image
 * files (detect_image.c), video files (detect_video.c) and streams (detect_stream.c). cmd_detect.c
 * parses the options and hands each source to its reader. Calls go one way: cmd_detect.c ->
 * detect_image.c, detect_stream.c -> detect_video.c -> detect_picture.c. */
#ifndef GY_CLI_DETECT_RUN_H
#define GY_CLI_DETECT_RUN_H

#include <stddef.h>

#include "detector/cli/detect_outputs.h"
#include "ghostyolo.h"

typedef struct detect_opts {
    const char *config, *weights, *imgsz, *classes, *dir, *project, *name, *video_codec;
    int threads, square, agnostic, json, no_save, save_txt, save_conf, save_crop, save_json;
    int line_width, hide_labels, hide_conf, exist_ok, quiet, vid_stride, h264;
    gy_detect_params dp;
} detect_opts;

#define DETECT_PATH_MAX 4352

typedef struct run_state {
    const detect_opts *o;
    gy_model *model;
    gy_session *sess;
    int nc;
    int saving;                     /* anything is written to the run folder */
    char run[DETECT_PATH_MAX];      /* the run folder */
    char run_top[DETECT_PATH_MAX];  /* the first folder this run made (removed again when empty) */
    out_names used;                 /* the output names given so far */
    out_coco *coco;
    out_crops crops;
    int seen;                       /* pictures detected */
    int failed;                     /* sources (or parts of them) that could not be read */
    int labels;                     /* label files written */
    int wrote;                      /* files written into the run folder */
    double pre_ms, inf_ms, post_ms;
    int last_h, last_w;
} run_state;

/* What a picture is: where it comes from and the name its outputs get. */
typedef struct picture {
    const char *source; /* the path or URL as given */
    const char *name;   /* the source's name in the run folder (its file stem, made unique) */
    long long frame;    /* -1 for an image; a video file's frame (from 1), a stream's (from 0) */
} picture;

/* Detects the objects in img with dp (*out: the boxes, for the caller to free), counts it in the
 * speed summary, prints its --json line and writes its label file (labels/NAME.txt, a frame's
 * labels/NAME_FRAME.txt), crops and COCO entry. Returns 0; 65 (or 70, out of memory) when the
 * detector refuses the picture, err->status then saying so and why (for the caller to report);
 * or the exit code of an output that failed (said; err->status GY_OK). */
int detect_picture(run_state *r, gy_image *img, const picture *p, const gy_detect_params *dp,
                   gy_detections **out, gy_error *err);
/* The middle of a progress line, as ultralytics writes it: "384x640 2 persons, 1 car, " or
 * "384x640 (no detections), ". */
void detect_summary(const run_state *r, const gy_detections *d, char *buf, size_t size);
/* Draws the boxes on img as --line-width, --hide-labels and --hide-conf say. */
void detect_draw(const run_state *r, gy_image *img, const gy_detections *d);
/* A source (or part of one) that cannot be read: "WORD 3/9 path: error: reason" ("3/?" when the
 * total is not known, total < 0), or with -q "ghostyolo detect: path: reason". */
void detect_report_bad(const run_state *r, const char *word, int index, int total,
                       const char *path, const char *reason);
/* message without the "path: " the library often starts it with. */
const char *detect_reason(const char *path, const char *message);

/* The readers. Each returns 0, 65 when its source (or a part of it) could not be read (said), or
 * a fatal exit code (an output that cannot be written, out of memory). They stop early when
 * cli_interrupted() says so, leaving complete files. */
int detect_image(run_state *r, const char *path, int index, int total);
/* A video file (or an http(s) URL of one): every frame (vid_stride), "video 1/2 (13/300) path:
 * ..." lines, the annotated video STEM.avi (STEM.mp4 with h264) at the integer fps. */
int detect_video(run_state *r, const char *path, int index, int total);
/* n streams read together (one URL, or a .streams file's: path, the source item index of total),
 * the newest frame of each in turn, "0: 480x640 ..., 1: ... 12.3ms" lines, one annotated video
 * per stream at 30 fps. A stream lost for good (after its reconnections) ends them, said: that
 * is how a stream ends, not an error. */
int detect_streams(run_state *r, const char *const *urls, int n, const char *path, int index,
                   int total);

/* The log of one video source: its warnings (lost connections, reconnections) are said, and the
 * first DETECT_FFMPEG_SAID of FFmpeg's own error messages about it. */
#define DETECT_FFMPEG_SAID 5
typedef struct detect_vlog {
    const char *source;
    int ffmpeg_said;
} detect_vlog;
/* The video reader's parameters for this run: mode, vid_stride, the Ctrl-C flag as the interrupt,
 * log as the log (filled in). */
gy_video_params detect_video_params(const run_state *r, gy_video_mode mode, detect_vlog *log,
                                    const char *source);

/* The annotated video of one source: opened at its first frame (that frame's size), so a source
 * without frames leaves no file. */
typedef struct detect_vout {
    gy_video_writer *w;
    int width, height; /* the frames' size */
    int warned;        /* a frame of another size was said */
} detect_vout;
/* Draws d on img and writes it to RUN/NAME.avi (MJPG) or RUN/NAME.mp4 (H.264, --video-codec
 * h264) at fps, opening the file first when needed; a frame of another size than the first is
 * left out, said once. 0 or an exit code (said). */
int detect_vout_frame(run_state *r, detect_vout *out, const char *name, gy_image *img,
                      const gy_detections *d, double fps);
/* Finishes the file (encoder drained, trailer written, renamed) and counts it; nothing when it
 * was never opened. 0 or an exit code (said). */
int detect_vout_close(run_state *r, detect_vout *out);

#endif

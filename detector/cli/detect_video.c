/* detect_video.c - video files as sources of `ghostyolo detect`, as ultralytics' LoadImages reads
 * a video: every frame in order (every vid_stride-th), decoded ahead on the library's reader
 * thread while the frame before is detected; per frame the line "video 1/2 (13/300) path: 384x640
 * 2 persons, 9.2ms" and the picture's outputs (labels/NAME_13.txt, ...); the annotated frames go
 * to NAME.avi (MJPG, what ultralytics 8.0.126 writes on Linux) or NAME.mp4 (H.264) at the integer
 * fps of the source, encoded on the writer's own thread. Also the video reader's parameters and
 * the annotated-video writer that the streams share. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "detector/cli/cli.h"
#include "detector/cli/detect_run.h"

static void video_log(void *user, gy_log_level level, const char *message)
{
    detect_vlog *l = user;
    if (strstr(message, ": ffmpeg (")) {
        /* FFmpeg's own words: its warnings are chatter, its errors said a few times per video */
        if (level != GY_LOG_WARNING || l->ffmpeg_said > DETECT_FFMPEG_SAID)
            return;
        if (l->ffmpeg_said++ == DETECT_FFMPEG_SAID) {
            cli_say("warning: %s: further messages of FFmpeg about it are not shown", l->source);
            return;
        }
    }
    cli_say("%s%s", level == GY_LOG_WARNING ? "warning: " : "", message);
}

gy_video_params detect_video_params(const run_state *r, gy_video_mode mode, detect_vlog *log,
                                    const char *source)
{
    gy_video_params p = gy_video_default_params();
    p.mode = mode;
    p.vid_stride = r->o->vid_stride;
    p.interrupt = cli_interrupt_poll;
    log->source = source;
    log->ffmpeg_said = 0;
    p.log = video_log;
    p.log_user = log;
    return p;
}

int detect_vout_frame(run_state *r, detect_vout *out, const char *name, gy_image *img,
                      const gy_detections *d, double fps)
{
    gy_error err;
    gy_status st;
    if (!out->w) {
        char path[DETECT_PATH_MAX + 1200];
        snprintf(path, sizeof path, "%s/%s.%s", r->run, name, r->o->h264 ? "mp4" : "avi");
        gy_video_writer_params wp = gy_video_writer_default_params();
        wp.codec = r->o->h264 ? GY_VIDEO_CODEC_H264 : GY_VIDEO_CODEC_MJPG;
        wp.fps = fps;
        if ((st = gy_video_writer_open(path, img->width, img->height, &wp, &out->w, &err)) != GY_OK) {
            cli_error(&err);
            return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_CANTCREAT;
        }
        out->width = img->width;
        out->height = img->height;
    }
    if (img->width != out->width || img->height != out->height) {
        if (!out->warned++)
            cli_say("warning: %s/%s: a %dx%d frame in a %dx%d video is left out of it (and so are "
                    "the next of another size)", r->run, name, img->width, img->height,
                    out->width, out->height);
        return 0;
    }
    detect_draw(r, img, d);
    if ((st = gy_video_writer_write(out->w, img, &err)) != GY_OK) {
        cli_error(&err);
        return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_CANTCREAT;
    }
    return 0;
}

int detect_vout_close(run_state *r, detect_vout *out)
{
    if (!out->w)
        return 0;
    gy_error err;
    gy_status st = gy_video_writer_close(out->w, &err);
    out->w = NULL;
    if (st != GY_OK) {
        cli_error(&err);
        return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_CANTCREAT;
    }
    r->wrote++;
    return 0;
}

/* ultralytics writes at int(CAP_PROP_FPS); a source without a frame rate (or under 1 fps) is
 * written at 30, as its streams are, and the writer's ceiling of 1000 is kept. */
static double writer_fps(double fps)
{
    int f = (int)fps;
    return f < 1 ? 30 : f > 1000 ? 1000 : f;
}

int detect_video(run_state *r, const char *path, int index, int total)
{
    const detect_opts *o = r->o;
    detect_vlog lg;
    gy_video_params vp = detect_video_params(r, GY_VIDEO_FILE, &lg, path);
    gy_video *v = NULL;
    gy_error err;
    gy_status st = gy_video_open(path, &vp, &v, &err);
    if (st != GY_OK) {
        if (cli_interrupted())
            return 0;
        detect_report_bad(r, "video", index, total, path, detect_reason(path, err.message));
        return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_DATAERR;
    }
    gy_video_info info;
    gy_video_get_info(v, &info);
    /* LoadImages: frames = int(CAP_PROP_FRAME_COUNT / vid_stride) */
    long long frames = info.frame_count / o->vid_stride;
    char name[1100] = "", idx[32];
    if (total >= 0)
        snprintf(idx, sizeof idx, "%d/%d", index, total);
    else
        snprintf(idx, sizeof idx, "%d/?", index);
    int rc = 0, bad = 0;
    if (r->saving) {
        int renamed;
        if (out_unique_stem(&r->used, path, name, sizeof name, &renamed) != 0)
            rc = EXIT_SOFTWARE;
        else if (renamed)
            cli_say("warning: %s has the file stem of an earlier source; its results are saved "
                    "as %s", path, name);
    }
    detect_vout out = {0};
    while (!rc) {
        gy_video_frame f;
        st = gy_video_next(v, &f, &err);
        if (cli_interrupted())
            break;
        if (st != GY_OK) {
            /* a part that could not be decoded (the video goes on), or the end of reading */
            detect_report_bad(r, "video", index, total, path, detect_reason(path, err.message));
            bad = 1;
            if (st == GY_ERR_FORMAT)
                continue;
            rc = st == GY_ERR_NOMEM ? EXIT_SOFTWARE : 0;
            break;
        }
        if (!f.image.data)
            break;
        picture p = {path, name, f.count};
        gy_detections *d = NULL;
        rc = detect_picture(r, &f.image, &p, &o->dp, &d, &err);
        if (rc && err.status != GY_OK) { /* the detector refused the frame */
            char why[GY_ERROR_MESSAGE_MAX + 32];
            snprintf(why, sizeof why, "frame %lld: %s", f.index, err.message);
            detect_report_bad(r, "video", index, total, path, why);
            bad = 1;
            rc = rc == EXIT_DATAERR ? 0 : rc;
            continue;
        }
        if (!rc && r->saving && !o->no_save)
            rc = detect_vout_frame(r, &out, name, &f.image, d, writer_fps(info.fps));
        if (!rc && !o->quiet) {
            char counts[2048];
            detect_summary(r, d, counts, sizeof counts);
            fprintf(stderr, "video %s (%lld/%lld) %s: %s%.1fms\n", idx, f.count, frames, path,
                    counts, d->timing.inference_ms);
        }
        gy_detections_free(d);
        if (cli_interrupted())
            break;
    }
    int closed = detect_vout_close(r, &out); /* also when stopped: a file that plays */
    gy_video_free(v);
    if (!rc)
        rc = closed;
    return rc ? rc : bad ? EXIT_DATAERR : 0;
}

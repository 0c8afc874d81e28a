/* detect_stream.c - streams as sources of `ghostyolo detect`, as ultralytics' LoadStreams reads
 * them: each stream is opened (its first frame read) with a line "1/2: URL... Success (inf frames
 * of shape 640x480 at 25.00 FPS)", then, until a stream ends or Ctrl-C, the newest frame of every
 * stream is taken in turn (the library's reader threads keep decoding, so a slow model never falls
 * behind the camera) and detected; one progress line per round, "0: 480x640 2 persons, 1: 480x640
 * (no detections), 25.1ms". A stream's outputs are named after its URL (labels/NAME_N.txt with N
 * ultralytics' round counter from 0), its annotated video NAME.avi at 30 fps. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/cli/cli.h"
#include "detector/cli/detect_run.h"

#define NAME_MAX_BYTES 1100

/* A stream's name in the run folder: the last part of the URL's path without its extension, or
 * for a URL without a path its host and port ("127.0.0.1_5000"); characters other than letters,
 * digits, '.', '-' and '_' become '_'. */
static void stream_name(const char *url, char *buf, size_t size)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *end = p + strcspn(p, "?#");
    while (end > p && end[-1] == '/')
        end--;
    const char *base = p, *stop = end;
    for (const char *q = p; q < end; q++)
        if (*q == '/')
            base = q + 1;
    if (base != p) { /* a path: its last part without the extension */
        for (const char *q = end; q > base + 1; q--)
            if (q[-1] == '.') {
                stop = q - 1;
                break;
            }
    }
    size_t n = 0;
    for (const char *q = base; q < stop && n + 1 < size; q++)
        buf[n++] = isalnum((unsigned char)*q) || *q == '.' || *q == '-' || *q == '_' ? *q : '_';
    buf[n] = '\0';
    if (n == 0)
        snprintf(buf, size, "stream");
}

/* The source item the streams come from (a URL, or a .streams file), for its error line. */
typedef struct source_of {
    const char *path;
    int index, total;
} source_of;

typedef struct stream {
    gy_video *v;
    detect_vlog log;
    char name[NAME_MAX_BYTES];
    detect_vout out;
    gy_video_frame f;
    gy_detections *d;
} stream;

/* Opens the n streams as LoadStreams does, saying each; 0, or 65 (said) / 70 when one fails. */
static int open_all(run_state *r, const char *const *urls, int n, stream *s, const source_of *from)
{
    for (int i = 0; i < n; i++) {
        gy_video_params vp = detect_video_params(r, GY_VIDEO_STREAM, &s[i].log, urls[i]);
        gy_error err;
        gy_status st = gy_video_open(urls[i], &vp, &s[i].v, &err);
        if (st != GY_OK) {
            if (cli_interrupted())
                return 0;
            const char *why = detect_reason(urls[i], err.message);
            if (strcmp(from->path, urls[i]) == 0) {
                detect_report_bad(r, "stream", from->index, from->total, urls[i], why);
            } else { /* a stream of a .streams file */
                char what[GY_ERROR_MESSAGE_MAX + 64];
                snprintf(what, sizeof what, "stream %d/%d %s: %s", i + 1, n, urls[i], why);
                detect_report_bad(r, "stream", from->index, from->total, from->path, what);
            }
            return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_DATAERR;
        }
        gy_video_info info;
        gy_video_get_info(s[i].v, &info);
        /* fps % 100, 30 when unknown; frames: the count, inf when unknown */
        double fps = isfinite(info.fps) ? fmod(info.fps, 100.0) : 0;
        if (!(fps > 0))
            fps = 30;
        char frames[32];
        if (info.frame_count > 0)
            snprintf(frames, sizeof frames, "%lld", info.frame_count);
        else
            snprintf(frames, sizeof frames, "inf");
        if (!r->o->quiet)
            fprintf(stderr, "%d/%d: %s... Success (%s frames of shape %dx%d at %.2f FPS)\n", i + 1,
                    n, urls[i], frames, info.width, info.height, fps);
        if (r->saving) {
            char base[NAME_MAX_BYTES];
            int renamed;
            stream_name(urls[i], base, sizeof base);
            if (out_unique_name(&r->used, base, "", s[i].name, sizeof s[i].name, &renamed) != 0)
                return EXIT_SOFTWARE;
            if (renamed)
                cli_say("warning: %s has the name of an earlier source; its results are saved as "
                        "%s", urls[i], s[i].name);
        }
    }
    if (!r->o->quiet)
        fprintf(stderr, "\n");
    return 0;
}

/* One round: the newest frame of every stream, detected. *ended when a stream ended (said). */
static int round_of(run_state *r, const char *const *urls, int n, stream *s, long long count,
                    int *ended)
{
    const detect_opts *o = r->o;
    gy_error err;
    for (int i = 0; i < n; i++) {
        gy_status st = gy_video_next(s[i].v, &s[i].f, &err);
        if (cli_interrupted()) {
            *ended = 1;
            return 0;
        }
        if (st != GY_OK || !s[i].f.image.data) {
            /* as LoadStreams: when one stream's reader is gone, the run ends */
            *ended = 1;
            if (st == GY_OK)
                cli_say("%s: the stream ended", urls[i]);
            else
                cli_say("%s", err.message);
            return st == GY_OK || st == GY_ERR_IO ? 0 : st == GY_ERR_NOMEM ? EXIT_SOFTWARE
                                                                            : EXIT_DATAERR;
        }
    }
    /* frames of different shapes are letterboxed to the square imgsz (ultralytics' auto=False) */
    gy_detect_params dp = o->dp;
    for (int i = 1; i < n; i++)
        if (s[i].f.image.width != s[0].f.image.width || s[i].f.image.height != s[0].f.image.height)
            dp.square = 1;
    size_t cap = (size_t)n * 2100 + 64, used = 0;
    char *line = o->quiet ? NULL : malloc(cap);
    double ms = 0;
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        picture p = {urls[i], s[i].name, count};
        rc = detect_picture(r, &s[i].f.image, &p, &dp, &s[i].d, &err);
        if (rc) {
            if (err.status != GY_OK)
                cli_say("%s: frame %lld: %s", urls[i], s[i].f.index, err.message);
            break;
        }
        ms += s[i].d->timing.inference_ms;
        if (r->saving && !o->no_save)
            rc = detect_vout_frame(r, &s[i].out, s[i].name, &s[i].f.image, s[i].d, 30);
        if (line) {
            used += (size_t)snprintf(line + used, cap - used, "%d: ", i);
            detect_summary(r, s[i].d, line + used, cap - used);
            used += strlen(line + used);
        }
    }
    if (!rc && line)
        fprintf(stderr, "%s%.1fms\n", line, ms);
    free(line);
    for (int i = 0; i < n; i++) {
        gy_detections_free(s[i].d);
        s[i].d = NULL;
    }
    return rc;
}

int detect_streams(run_state *r, const char *const *urls, int n, const char *path, int index,
                   int total)
{
    const source_of from = {path, index, total};
    stream *s = calloc((size_t)n, sizeof *s);
    if (!s) {
        cli_say("out of memory opening %d streams", n);
        return EXIT_SOFTWARE;
    }
    int rc = open_all(r, urls, n, s, &from);
    int ended = rc != 0 || cli_interrupted();
    for (long long count = 0; !ended && !rc; count++)
        rc = round_of(r, urls, n, s, count, &ended);
    for (int i = 0; i < n; i++) {
        int closed = detect_vout_close(r, &s[i].out); /* also when stopped: a file that plays */
        rc = rc ? rc : closed;
        gy_video_free(s[i].v);
    }
    free(s);
    return rc;
}

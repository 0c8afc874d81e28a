/* detect_image.c - image files as sources of `ghostyolo detect`: load, the picture step, the
 * progress line "image 3/128 path: 480x640 4 persons, 1 bus, 41.2ms", the annotated copy (see
 * detect_run.h); a file that turns out to be a video is handed to the video reader. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "detector/cli/cli.h"
#include "detector/cli/detect_run.h"

int detect_image(run_state *r, const char *path, int index, int total)
{
    const detect_opts *o = r->o;
    gy_image *img = NULL;
    gy_error err;
    gy_status st;
    if ((st = gy_image_load(path, &img, &err)) != GY_OK) {
        const char *why = detect_reason(path, err.message);
        /* a video under another name (told apart by content, as images are) */
        if (st == GY_ERR_UNSUPPORTED && strncmp(why, "a video file (", 14) == 0)
            return detect_video(r, path, index, total);
        detect_report_bad(r, "image", index, total, path, why);
        return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_DATAERR;
    }
    char stem[1100] = "";
    if (r->saving) {
        int renamed;
        if (out_unique_stem(&r->used, path, stem, sizeof stem, &renamed) != 0) {
            gy_image_free(img);
            return EXIT_SOFTWARE;
        }
        if (renamed)
            cli_say("warning: %s has the file stem of an earlier source; its results are saved "
                    "as %s", path, stem);
    }
    picture p = {path, stem, -1};
    gy_detections *d = NULL;
    int rc = detect_picture(r, img, &p, &o->dp, &d, &err);
    if (rc && err.status != GY_OK) /* the detector refused the image */
        detect_report_bad(r, "image", index, total, path, err.message);
    if (!rc && r->saving && !o->no_save) {
        detect_draw(r, img, d);
        rc = out_save_annotated(r->run, stem, path, img);
        r->wrote += !rc;
    }
    if (d && !o->quiet) {
        char counts[2048];
        detect_summary(r, d, counts, sizeof counts);
        if (total >= 0)
            fprintf(stderr, "image %d/%d %s: %s%.1fms\n", index, total, path, counts,
                    d->timing.inference_ms);
        else
            fprintf(stderr, "image %d/? %s: %s%.1fms\n", index, path, counts,
                    d->timing.inference_ms);
    }
    gy_detections_free(d);
    gy_image_free(img);
    return rc;
}

/* detect_picture.c - the step every picture of `ghostyolo detect` goes through, whatever its
 * source (an image file, a frame of a video or of a stream): detect, the --json line, the label
 * file, crops and COCO entry; and the pieces of the progress lines (see detect_run.h). */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/cli/cli.h"
#include "detector/cli/detect_run.h"
#include "postprocess/draw.h"

static double round_to(double v, double scale)
{
    return round(v * scale) / scale;
}

/* One JSON object on stdout: the source, the frame (frame >= 0), the sizes and the boxes. */
static int print_json(const picture *p, const gy_image *img, const gy_detections *d,
                      const gy_model *model)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_CreateArray();
    int ok = o && arr;
    if (ok) {
        ok = cJSON_AddStringToObject(o, "image", p->source) &&
             (p->frame < 0 || cJSON_AddNumberToObject(o, "frame", (double)p->frame)) &&
             cJSON_AddNumberToObject(o, "width", img->width) &&
             cJSON_AddNumberToObject(o, "height", img->height) &&
             cJSON_AddNumberToObject(o, "input_width", d->input_width) &&
             cJSON_AddNumberToObject(o, "input_height", d->input_height);
        if (ok)
            cJSON_AddItemToObject(o, "detections", arr);
        else
            cJSON_Delete(arr);
    } else {
        cJSON_Delete(arr);
    }
    for (int i = 0; i < d->count && ok; i++) {
        const gy_box *b = &d->boxes[i];
        cJSON *det = cJSON_CreateObject();
        double xyxy[4] = {round_to(b->x1, 1e3), round_to(b->y1, 1e3), round_to(b->x2, 1e3),
                          round_to(b->y2, 1e3)};
        cJSON *box = cJSON_CreateDoubleArray(xyxy, 4);
        ok = det && box && cJSON_AddItemToArray(arr, det);
        if (!ok) {
            cJSON_Delete(det);
            cJSON_Delete(box);
            break;
        }
        ok = cJSON_AddNumberToObject(det, "class_id", b->class_id) &&
             cJSON_AddStringToObject(det, "name", gy_model_class_name(model, b->class_id)) &&
             cJSON_AddNumberToObject(det, "score", round_to(b->score, 1e6)) &&
             cJSON_AddItemToObject(det, "box", box);
    }
    char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!text) {
        cli_say("out of memory writing JSON");
        return EXIT_SOFTWARE;
    }
    int rc = printf("%s\n", text) < 0 || fflush(stdout) != 0 ? EXIT_CANTCREAT : 0;
    free(text);
    return rc;
}

void detect_summary(const run_state *r, const gy_detections *d, char *buf, size_t size)
{
    /* Results.verbose(): "4 persons, 1 bus, " per class in class order, or "(no detections), " */
    size_t used = (size_t)snprintf(buf, size, "%dx%d ", d->input_height, d->input_width);
    if (d->count == 0) {
        snprintf(buf + used, size - used, "(no detections), ");
        return;
    }
    for (int c = 0; c < r->nc && used < size; c++) {
        int n = 0;
        for (int i = 0; i < d->count; i++)
            n += d->boxes[i].class_id == c;
        if (n)
            used += (size_t)snprintf(buf + used, size - used, "%d %s%s, ", n,
                                     gy_model_class_name(r->model, c), n > 1 ? "s" : "");
    }
}

const char *detect_reason(const char *path, const char *message)
{
    size_t n = strlen(path);
    if (strncmp(message, path, n) == 0 && message[n] == ':' && message[n + 1] == ' ')
        return message + n + 2;
    return message;
}

void detect_report_bad(const run_state *r, const char *word, int index, int total,
                       const char *path, const char *reason)
{
    if (r->o->quiet)
        fprintf(stderr, "ghostyolo detect: %s: %s\n", path, reason);
    else if (total >= 0)
        fprintf(stderr, "%s %d/%d %s: error: %s\n", word, index, total, path, reason);
    else
        fprintf(stderr, "%s %d/? %s: error: %s\n", word, index, path, reason);
}

static const char *name_of(const void *ctx, int id)
{
    return gy_model_class_name(ctx, id);
}

void detect_draw(const run_state *r, gy_image *img, const gy_detections *d)
{
    gy_draw_options dopt = {r->o->line_width, r->o->hide_labels, r->o->hide_conf};
    gy_draw_detections_opts(img, d->boxes, d->count, name_of, r->model, &dopt);
}

int detect_picture(run_state *r, gy_image *img, const picture *p, const gy_detect_params *dp,
                   gy_detections **out, gy_error *err)
{
    const detect_opts *o = r->o;
    gy_detections *d = NULL;
    gy_status st;
    *out = NULL;
    err->status = GY_OK;
    err->message[0] = '\0';
    if ((st = gy_detect(r->sess, img, dp, &d, err)) != GY_OK)
        return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_DATAERR;
    r->seen++;
    r->pre_ms += d->timing.preprocess_ms;
    r->inf_ms += d->timing.inference_ms;
    r->post_ms += d->timing.postprocess_ms;
    r->last_h = d->input_height;
    r->last_w = d->input_width;
    int rc = o->json ? print_json(p, img, d, r->model) : 0;
    /* a frame's label file and COCO image_id are NAME_FRAME (ultralytics' txt_path); its crops
     * are named after the source, as ultralytics names them (NAME.jpg, NAME2.jpg, ...) */
    char stem[1200];
    if (p->frame >= 0)
        snprintf(stem, sizeof stem, "%s_%lld", p->name, p->frame);
    else
        snprintf(stem, sizeof stem, "%s", p->name);
    if (!rc && r->saving && o->save_txt) {
        rc = out_save_labels(r->run, stem, img, d, o->save_conf);
        r->labels += !rc && d->count > 0;
        r->wrote += !rc && d->count > 0;
    }
    if (!rc && r->saving && o->save_crop) {
        rc = out_save_crops(r->run, p->name, img, d, r->model, &r->crops);
        r->wrote += !rc && d->count > 0;
    }
    if (!rc && r->saving && o->save_json)
        rc = p->frame >= 0 ? out_coco_add_id(&r->coco, stem, d->boxes, d->count)
                           : out_coco_add(&r->coco, p->source, d->boxes, d->count);
    if (rc) {
        gy_detections_free(d);
        return rc;
    }
    *out = d;
    return 0;
}


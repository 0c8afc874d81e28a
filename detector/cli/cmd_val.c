/* ghostyolo val: ultralytics' validation metrics of a model on a dataset YAML. A progress bar on
 * stderr; the ultralytics table (or with --json one JSON object) on stdout; with --save-json the
 * predictions as COCO results in runs/detect/val{,2,3,...}/predictions.json. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detector/cli/cli.h"
#include "detector/cli/detect_outputs.h"

typedef struct progress_state {
    int tty;
    int last_decile;
} progress_state;

static int progress_cb(void *user, int done, int total, const char *image)
{
    progress_state *ps = user;
    (void)image;
    const int width = 30;
    int fill = total > 0 ? (int)((long long)done * width / total) : width;
    if (ps->tty) {
        fprintf(stderr, "\r  val: %3d%% [", total > 0 ? (int)(100LL * done / total) : 100);
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : ' ', stderr);
        fprintf(stderr, "] %d/%d", done, total);
        ps->last_decile = 0; /* something is on the line */
        if (done == total)
            fputc('\n', stderr);
    } else {
        int decile = total > 0 ? (int)(10LL * done / total) : 10;
        if (decile != ps->last_decile || done == total) {
            ps->last_decile = decile;
            fprintf(stderr, "  val: %d/%d images\n", done, total);
        }
    }
    fflush(stderr);
    return 0;
}

/* Per image: its boxes into the COCO results (--save-json). */
static int json_image(void *user, const char *image, int width, int height, const gy_box *boxes,
                      int count)
{
    (void)width;
    (void)height;
    return out_coco_add(user, image, boxes, count) != 0;
}

static void print_table(const gy_val_result *r)
{
    printf("%22s%11s%11s%11s%11s%11s%11s\n", "Class", "Images", "Instances", "Box(P", "R", "mAP50",
           "mAP50-95)");
    printf("%22s%11d%11lld%11.3g%11.3g%11.3g%11.3g\n", "all", r->images, r->instances, r->p, r->r,
           r->map50, r->map50_95);
    for (int i = 0; i < r->num_classes; i++) {
        const gy_val_class *c = &r->classes[i];
        printf("%22s%11d%11d%11.3g%11.3g%11.3g%11.3g\n", c->name ? c->name : "?", c->images,
               c->instances, c->p, c->r, c->map50, c->map50_95);
    }
}

static int print_json(const gy_val_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *classes = cJSON_CreateArray();
    cJSON *speed = cJSON_CreateObject();
    int ok = o && classes && speed;
    if (ok) {
        ok = cJSON_AddNumberToObject(o, "images", r->images) &&
             cJSON_AddNumberToObject(o, "instances", (double)r->instances) &&
             cJSON_AddNumberToObject(o, "P", r->p) && cJSON_AddNumberToObject(o, "R", r->r) &&
             cJSON_AddNumberToObject(o, "mAP50", r->map50) &&
             cJSON_AddNumberToObject(o, "mAP50_95", r->map50_95) &&
             cJSON_AddNumberToObject(o, "predictions", (double)r->predictions);
        if (ok && cJSON_AddItemToObject(o, "classes", classes))
            classes = NULL;
        else
            ok = 0;
        if (ok && cJSON_AddItemToObject(o, "speed_ms", speed)) {
            ok = cJSON_AddNumberToObject(speed, "preprocess", r->speed_ms.preprocess) &&
                 cJSON_AddNumberToObject(speed, "inference", r->speed_ms.inference) &&
                 cJSON_AddNumberToObject(speed, "postprocess", r->speed_ms.postprocess);
            speed = NULL;
        } else {
            ok = 0;
        }
    }
    cJSON *arr = ok ? cJSON_GetObjectItem(o, "classes") : NULL;
    for (int i = 0; ok && i < r->num_classes; i++) {
        const gy_val_class *c = &r->classes[i];
        cJSON *co = cJSON_CreateObject();
        ok = co && cJSON_AddItemToArray(arr, co);
        if (!ok) {
            cJSON_Delete(co);
            break;
        }
        ok = cJSON_AddNumberToObject(co, "id", c->id) &&
             cJSON_AddStringToObject(co, "name", c->name ? c->name : "") &&
             cJSON_AddNumberToObject(co, "images", c->images) &&
             cJSON_AddNumberToObject(co, "instances", c->instances) &&
             cJSON_AddNumberToObject(co, "P", c->p) && cJSON_AddNumberToObject(co, "R", c->r) &&
             cJSON_AddNumberToObject(co, "mAP50", c->map50) &&
             cJSON_AddNumberToObject(co, "mAP50_95", c->map50_95);
    }
    char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    cJSON_Delete(classes);
    cJSON_Delete(speed);
    if (!text) {
        fprintf(stderr, "ghostyolo val: out of memory writing JSON\n");
        return EXIT_SOFTWARE;
    }
    int rc = printf("%s\n", text) < 0 ? EXIT_CANTCREAT : 0;
    free(text);
    return rc;
}

static const char val_about[] =
    "ultralytics' validation metrics (P, R, mAP50, mAP50-95, overall and per class) of a model on\n"
    "a dataset YAML (path, val, names) with YOLO labels, with ultralytics' validator settings:\n"
    "multi-label NMS, rectangular inputs with half a stride of padding. Progress on stderr, the\n"
    "table (or JSON) on stdout.";

int cmd_val(int argc, char **argv)
{
    const char *config = NULL, *weights = NULL, *data = NULL;
    int threads = 0, json = 0, save = 0;
    gy_val_params vp = gy_val_default_params();
    cli_list extra = {0};
    const cli_opt opts[] = {
        {"-w", "--weights", CLI_STRING, &weights, "WEIGHTS", "the model's weights", 0, 0},
        {"-m", "--model", CLI_STRING, &config, "CONFIG",
         "model YAML (default: the one stored in the weights)", 0, 0},
        {NULL, "--data", CLI_STRING, &data, "DATA.yaml", "ultralytics dataset YAML", 0, 0},
        {NULL, "--imgsz", CLI_INT, &vp.imgsz, "N", "input size (long side), a multiple of 32", 32,
         8192},
        {NULL, "--conf", CLI_FLOAT, &vp.conf, "X", "confidence threshold", 0, 1},
        {NULL, "--iou", CLI_FLOAT, &vp.iou, "X", "NMS IoU threshold", 0, 1},
        {NULL, "--max-det", CLI_INT, &vp.max_det, "N", "most boxes per image", 1, 100000},
        {"-t", "--threads", CLI_INT, &threads, "N", "threads (0 = all cores)", 0, 1024},
        {NULL, "--json", CLI_FLAG, &json, NULL, "one JSON object on stdout instead of the table", 0,
         0},
        {NULL, "--save-json", CLI_FLAG, &save, NULL,
         "COCO results in runs/detect/val*/predictions.json", 0, 0},
    };
    const cli_verb verb = {"val", "-w WEIGHTS --data DATA.yaml [options]", val_about, opts,
                           (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &extra);
    if (rc) {
        free(extra.items);
        return rc == CLI_HELP ? EXIT_OK : rc;
    }
    if (extra.count > 0) {
        fprintf(stderr, "ghostyolo val: unexpected argument '%s'\n", extra.items[0]);
        rc = EXIT_USAGE;
    }
    if (!rc && (!weights || !data)) {
        fprintf(stderr, "ghostyolo val: needs -w WEIGHTS and --data DATA.yaml\n");
        rc = EXIT_USAGE;
    }
    if (!rc && vp.imgsz % 32) {
        char v[32];
        snprintf(v, sizeof v, "%d", vp.imgsz);
        cli_bad_value(&verb, "--imgsz", v, "must be a multiple of 32");
        rc = EXIT_USAGE;
    }
    free(extra.items);
    if (rc)
        return rc;

    gy_model_params mp = gy_model_default_params();
    mp.log = cli_log;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = threads;
    gy_model *model = NULL;
    gy_session *sess = NULL;
    gy_val_result *res = NULL;
    gy_error err;
    gy_status st;
    progress_state ps = {isatty(STDERR_FILENO), -1};
    out_coco *preds = NULL;
    if (save) {
        vp.on_image = json_image;
        vp.on_image_user = &preds;
    }
    if ((st = gy_model_load(config, weights, &mp, &model, &err)) != GY_OK ||
        (st = gy_session_create(model, &sp, &sess, &err)) != GY_OK ||
        (st = gy_val(sess, data, &vp, progress_cb, &ps, &res, &err)) != GY_OK) {
        if (ps.tty && ps.last_decile >= 0)
            fputc('\n', stderr);
        cli_error(&err);
        out_coco_free(preds);
        gy_session_free(sess);
        gy_model_free(model);
        /* a bad option value was refused above: what the library still refuses is the data */
        return st == GY_ERR_ARGUMENT ? EXIT_DATAERR : cli_exit_for(st);
    }
    if (json)
        rc = print_json(res);
    else
        print_table(res);
    if (fflush(stdout) != 0)
        rc = EXIT_CANTCREAT;
    fprintf(stderr, "Speed: %.1fms preprocess, %.1fms inference, %.1fms postprocess per image\n",
            res->speed_ms.preprocess, res->speed_ms.inference, res->speed_ms.postprocess);
    if (save) {
        char run[4096];
        int r = out_make_run_dir(NULL, "runs/detect", "val", 0, run, sizeof run);
        if (!r)
            r = out_coco_write(preds, run, res->coco_ids);
        if (!r)
            fprintf(stderr, "Saving %s/predictions.json\n", run);
        if (r && !rc)
            rc = r;
        out_coco_free(preds);
    }
    gy_val_result_free(res);
    gy_session_free(sess);
    gy_model_free(model);
    return rc;
}

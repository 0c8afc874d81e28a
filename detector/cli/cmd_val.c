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

#include "cli.h"
#include "core/util.h"

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

/* ultralytics' coco80_to_coco91_class */
static const int coco91[80] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 13, 14, 15, 16, 17,
                               18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36,
                               37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53,
                               54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73,
                               74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90};

static double round_to(double v, double scale) { return round(v * scale) / scale; }

/* pred_to_json: one COCO result per box; category_id is the class id here and is mapped to COCO's
 * ids when the run turns out to be on COCO's val2017 (known at the end). */
static int json_image(void *user, const char *image, int width, int height, const gy_box *boxes,
                      int count)
{
    cJSON *arr = user;
    (void)width;
    (void)height;
    char stem[256];
    gy_path_stem(image, stem, sizeof stem);
    int numeric = stem[0] != '\0';
    for (const char *q = stem; *q; q++)
        numeric &= isdigit((unsigned char)*q) != 0;
    for (int i = 0; i < count; i++) {
        const gy_box *b = &boxes[i];
        /* xyxy2xywh, then the centre moved to the top-left corner (float32) */
        const float w = b->x2 - b->x1, h = b->y2 - b->y1;
        const float cx = (b->x1 + b->x2) / 2.0f, cy = (b->y1 + b->y2) / 2.0f;
        const double xywh[4] = {round_to(cx - w / 2.0f, 1e3), round_to(cy - h / 2.0f, 1e3),
                                round_to(w, 1e3), round_to(h, 1e3)};
        cJSON *o = cJSON_CreateObject();
        cJSON *bb = cJSON_CreateDoubleArray(xywh, 4);
        if (!o || !bb || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(bb);
            return 1;
        }
        int ok = (numeric ? cJSON_AddNumberToObject(o, "image_id", strtod(stem, NULL)) != NULL
                          : cJSON_AddStringToObject(o, "image_id", stem) != NULL) &&
                 cJSON_AddNumberToObject(o, "category_id", b->class_id) &&
                 cJSON_AddItemToObject(o, "bbox", bb);
        if (!ok || !cJSON_AddNumberToObject(o, "score", round_to(b->score, 1e5)))
            return 1;
    }
    return 0;
}

/* increment_path('runs/detect/val'): the first of val, val2, val3, ... that does not exist. */
static int make_run_dir(char *dir, size_t size)
{
    if (mkdir("runs", 0777) != 0 && errno != EEXIST)
        return -1;
    if (mkdir("runs/detect", 0777) != 0 && errno != EEXIST)
        return -1;
    for (int n = 1; n < 10000; n++) {
        if (n == 1)
            snprintf(dir, size, "runs/detect/val");
        else
            snprintf(dir, size, "runs/detect/val%d", n);
        if (mkdir(dir, 0777) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

static int save_json(cJSON *arr, int coco_ids)
{
    if (coco_ids) {
        cJSON *o;
        cJSON_ArrayForEach(o, arr)
        {
            cJSON *c = cJSON_GetObjectItem(o, "category_id");
            if (c && c->valueint >= 0 && c->valueint < 80)
                cJSON_SetNumberValue(c, coco91[c->valueint]);
        }
    }
    char dir[64], path[96];
    if (make_run_dir(dir, sizeof dir) != 0) {
        fprintf(stderr, "ghostyolo val: cannot create a folder under runs/detect: %s\n", strerror(errno));
        return EXIT_CANTCREAT;
    }
    snprintf(path, sizeof path, "%s/predictions.json", dir);
    char *text = cJSON_PrintUnformatted(arr);
    if (!text) {
        fprintf(stderr, "ghostyolo val: out of memory writing %s\n", path);
        return EXIT_SOFTWARE;
    }
    gy_error err;
    gy_status st = gy_write_file_atomic(path, text, strlen(text), &err);
    free(text);
    if (st != GY_OK) {
        cli_error(&err);
        return EXIT_CANTCREAT;
    }
    fprintf(stderr, "Saving %s\n", path);
    return 0;
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

int cmd_val(int argc, char **argv)
{
    const char *config = NULL, *weights = NULL, *data = NULL;
    int threads = 0, json = 0, save = 0;
    gy_val_params vp = gy_val_default_params();
    cli_list extra = {0};
    cli_opt opts[] = {
        {"-m", "--model", CLI_STRING, &config},  {"-w", "--weights", CLI_STRING, &weights},
        {NULL, "--data", CLI_STRING, &data},     {NULL, "--imgsz", CLI_INT, &vp.imgsz},
        {NULL, "--conf", CLI_FLOAT, &vp.conf},   {NULL, "--iou", CLI_FLOAT, &vp.iou},
        {NULL, "--max-det", CLI_INT, &vp.max_det}, {"-t", "--threads", CLI_INT, &threads},
        {NULL, "--json", CLI_FLAG, &json},       {NULL, "--save-json", CLI_FLAG, &save},
    };
    int rc = cli_parse("val", argc, argv, 2, opts, sizeof opts / sizeof opts[0], &extra);
    if (!rc && extra.count > 0) {
        fprintf(stderr, "ghostyolo val: unexpected argument '%s'\n", extra.items[0]);
        rc = EXIT_USAGE;
    }
    if (!rc && (!weights || !data)) {
        fprintf(stderr, "ghostyolo val: needs -w WEIGHTS and --data DATA.yaml\n");
        rc = EXIT_USAGE;
    }
    if (!rc && (vp.imgsz < 32 || vp.imgsz % 32 || vp.imgsz > 8192)) {
        fprintf(stderr, "ghostyolo val: --imgsz %d must be a multiple of 32 in [32, 8192]\n", vp.imgsz);
        rc = EXIT_USAGE;
    }
    if (!rc && !(vp.conf >= 0 && vp.conf <= 1)) {
        fprintf(stderr, "ghostyolo val: --conf %g must be in [0, 1]\n", (double)vp.conf);
        rc = EXIT_USAGE;
    }
    if (!rc && !(vp.iou >= 0 && vp.iou <= 1)) {
        fprintf(stderr, "ghostyolo val: --iou %g must be in [0, 1]\n", (double)vp.iou);
        rc = EXIT_USAGE;
    }
    if (!rc && vp.max_det < 1) {
        fprintf(stderr, "ghostyolo val: --max-det %d must be at least 1\n", vp.max_det);
        rc = EXIT_USAGE;
    }
    if (!rc && threads < 0) {
        fprintf(stderr, "ghostyolo val: --threads %d must be >= 0 (0 = all cores)\n", threads);
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
    cJSON *preds = NULL;
    if (save) {
        if (!(preds = cJSON_CreateArray())) {
            fprintf(stderr, "ghostyolo val: out of memory\n");
            return EXIT_SOFTWARE;
        }
        vp.on_image = json_image;
        vp.on_image_user = preds;
    }
    if ((st = gy_model_load(config, weights, &mp, &model, &err)) != GY_OK ||
        (st = gy_session_create(model, &sp, &sess, &err)) != GY_OK ||
        (st = gy_val(sess, data, &vp, progress_cb, &ps, &res, &err)) != GY_OK) {
        if (ps.tty && ps.last_decile >= 0)
            fputc('\n', stderr);
        cli_error(&err);
        cJSON_Delete(preds);
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
    if (preds) {
        int r = save_json(preds, res->coco_ids);
        if (r && !rc)
            rc = r;
        cJSON_Delete(preds);
    }
    gy_val_result_free(res);
    gy_session_free(sess);
    gy_model_free(model);
    return rc;
}

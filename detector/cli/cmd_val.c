/* ghostyolo val: ultralytics' validation metrics of a model on a dataset YAML. On stderr the fused
 * model summary, the dataset scan and its warnings, a progress bar; the ultralytics table (or with
 * --json one JSON object) on stdout; in the run folder runs/detect/val{,2,3,...} (made before the
 * run, so an unwritable one stops it at once) the plots (--plots, default true) and with
 * --save-json the predictions as COCO results (predictions.json). */
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
#include "detector/stats.h"
#include "postprocess/plot_canvas.h"

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
             cJSON_AddNumberToObject(o, "predictions", (double)r->predictions) &&
             cJSON_AddNumberToObject(o, "label_files", r->label_files) &&
             cJSON_AddNumberToObject(o, "backgrounds", r->backgrounds) &&
             cJSON_AddNumberToObject(o, "corrupt", r->corrupt);
        /* ConfusionMatrix.matrix: rows predicted class then background, columns true class then
         * background */
        cJSON *cm = ok ? cJSON_AddArrayToObject(o, "confusion_matrix") : NULL;
        ok = ok && cm;
        for (int i = 0; ok && i <= r->nc; i++) {
            cJSON *row = cJSON_CreateDoubleArray(r->confusion_matrix + (size_t)i * (size_t)(r->nc + 1),
                                                 r->nc + 1);
            ok = row && cJSON_AddItemToArray(cm, row);
            if (!ok)
                cJSON_Delete(row);
        }
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
    "multi-label NMS, rectangular inputs with half a stride of padding. An image whose labels are\n"
    "corrupt is left out with a warning, as ultralytics' dataset scan does. Progress on stderr, the\n"
    "table (or JSON) on stdout; plots (PR_curve.png, F1_curve.png, P_curve.png, R_curve.png,\n"
    "confusion_matrix.png, confusion_matrix_normalized.png) in runs/detect/val, val2, ...";

/* a case-insensitive equality */
static int same_word(const char *a, const char *b)
{
    while (*a && *b && tolower((unsigned char)*a) == tolower((unsigned char)*b))
        a++, b++;
    return *a == '\0' && *b == '\0';
}

/* ultralytics' booleans: true/false in any case, 1/0 */
static int parse_bool(const char *text, int *out)
{
    if (same_word(text, "true") || !strcmp(text, "1"))
        return (*out = 1), 1;
    if (same_word(text, "false") || !strcmp(text, "0"))
        return (*out = 0), 1;
    return 0;
}

/* The library's diagnostics: the scan line as ultralytics prints it, warnings as the CLI does. */
static void val_log(void *user, gy_log_level level, const char *message)
{
    (void)user;
    if (level == GY_LOG_INFO)
        fprintf(stderr, "val: %s\n", message);
    else
        fprintf(stderr, "ghostyolo val: warning: %s\n", message);
}

/* ultralytics' "YOLOv8n summary (fused): 168 layers, 3151904 parameters, 0 gradients, 8.7 GFLOPs"
 * (the validator's model is fused and frozen; GFLOPs at 640, none when its probe cannot run). */
static int print_summary(const gy_model *model)
{
    gy_model_info info;
    gy_model_summary sum;
    gy_error err;
    int failed = 0;
    gy_model_get_info(model, &info);
    if (gy_model_summary_ex(model, 1, 640, &sum, &failed, &err) != GY_OK) {
        cli_error(&err);
        return cli_exit_for(err.status);
    }
    char name[256];
    size_t o = 0;
    for (const char *p = info.name ? info.name : "Model"; *p && o + 5 < sizeof name;) {
        if (!strncmp(p, "yolo", 4)) { /* Path(yaml_file).stem.replace('yolo', 'YOLO') */
            memcpy(name + o, "YOLO", 4);
            o += 4;
            p += 4;
        } else {
            name[o++] = *p++;
        }
    }
    name[o] = '\0';
    fprintf(stderr, "%s summary (fused): %lld layers, %lld parameters, 0 gradients", name, sum.layers,
            sum.params);
    if (!failed)
        fprintf(stderr, ", %.1f GFLOPs", sum.gflops);
    fputc('\n', stderr);
    return 0;
}

int cmd_val(int argc, char **argv)
{
    const char *config = NULL, *weights = NULL, *data = NULL, *plots_text = "true";
    const char *project = "runs/detect", *name = "val";
    int threads = 0, json = 0, save = 0, plots = 1, exist_ok = 0;
    gy_val_params vp = gy_val_default_params();
    cli_list extra = {0};
    const cli_opt opts[] = {
        {"-w", "--weights", CLI_STRING, &weights, "WEIGHTS", "the model's weights", 0, 0},
        {"-m", "--model", CLI_STRING, &config, "CONFIG",
         "model YAML (default: the one stored in the weights)", 0, 0},
        {NULL, "--data", CLI_STRING, &data, "DATA.yaml", "ultralytics dataset YAML", 0, 0},
        {NULL, "--imgsz", CLI_INT, &vp.imgsz, "N",
         "input size (long side); rounded up to the stride", 1, GY_IMGSZ_MAX},
        {NULL, "--conf", CLI_FLOAT, &vp.conf, "X", "confidence threshold", 0, 1},
        {NULL, "--iou", CLI_FLOAT, &vp.iou, "X", "NMS IoU threshold", 0, 1},
        {NULL, "--max-det", CLI_INT, &vp.max_det, "N", "most boxes per image", 1, 100000},
        {"-t", "--threads", CLI_INT, &threads, "N", "threads (0 = all cores)", 0, 1024},
        {NULL, "--json", CLI_FLAG, &json, NULL, "one JSON object on stdout instead of the table", 0,
         0},
        {NULL, "--save-json", CLI_FLAG, &save, NULL,
         "COCO results in the run folder's predictions.json", 0, 0},
        {NULL, "--plots", CLI_STRING, &plots_text, "BOOL",
         "save the PR, F1, P, R curves and the confusion matrices in the run folder", 0, 0},
        {NULL, "--project", CLI_STRING, &project, "DIR", "the run folder's parent", 0, 0},
        {NULL, "--name", CLI_STRING, &name, "NAME", "the run folder (name, name2, ...)", 0, 0},
        {NULL, "--exist-ok", CLI_FLAG, &exist_ok, NULL, "reuse the run folder NAME", 0, 0},
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
    if (!rc && !parse_bool(plots_text, &plots)) {
        cli_bad_value(&verb, "--plots", plots_text, "must be true or false");
        rc = EXIT_USAGE;
    }
    if (!rc && (!project[0] || !name[0] || strchr(name, '/'))) {
        fprintf(stderr, "ghostyolo val: --project and --name must not be empty, and --name is one "
                        "folder name\n");
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
    char run[4096] = "", run_top[4096] = "";
    if ((st = gy_model_load(config, weights, &mp, &model, &err)) != GY_OK ||
        (st = gy_session_create(model, &sp, &sess, &err)) != GY_OK) {
        cli_error(&err);
        gy_session_free(sess);
        gy_model_free(model);
        return cli_exit_for(st);
    }
    /* check_imgsz: up to a multiple of the largest stride, with ultralytics' warning */
    gy_model_info info;
    gy_model_get_info(model, &info);
    int stride = 32;
    for (int i = 0; i < info.num_strides; i++)
        stride = info.strides[i] > stride ? info.strides[i] : stride;
    const int asked = vp.imgsz;
    vp.imgsz = (asked + stride - 1) / stride * stride;
    if (vp.imgsz != asked)
        fprintf(stderr, "ghostyolo val: warning: --imgsz %d must be a multiple of the model's stride "
                        "%d, updating to %d\n", asked, stride, vp.imgsz);
    if (vp.imgsz > GY_IMGSZ_MAX) {
        char v[32];
        snprintf(v, sizeof v, "%d", asked);
        cli_bad_value(&verb, "--imgsz", v, "is over 8192 once rounded up to the stride");
        rc = EXIT_USAGE;
    }
    if (!rc)
        rc = print_summary(model);
    /* the run folder first, as ultralytics' validator makes it: an unwritable one stops here */
    if (!rc && (plots || save))
        rc = out_claim_run_dir(NULL, project, name, exist_ok, run, sizeof run, run_top,
                               sizeof run_top);
    if (rc) {
        gy_session_free(sess);
        gy_model_free(model);
        return rc;
    }
    if (save) {
        vp.on_image = json_image;
        vp.on_image_user = &preds;
    }
    vp.log = val_log;
    if ((st = gy_val(sess, data, &vp, progress_cb, &ps, &res, &err)) != GY_OK) {
        if (ps.tty && ps.last_decile >= 0)
            fputc('\n', stderr);
        cli_error(&err);
        if (run[0])
            out_drop_run_dir(run, run_top); /* the folders it made, when still empty */
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
        int r = out_coco_write(preds, run, res->coco_ids);
        if (!r)
            fprintf(stderr, "Saving %s/predictions.json\n", run);
        if (r && !rc)
            rc = r;
        out_coco_free(preds);
    }
    if (plots && (st = gy_val_save_plots(res, run, &err)) != GY_OK) {
        cli_error(&err);
        if (!rc)
            rc = st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_CANTCREAT;
    }
    if (run[0])
        fprintf(stderr, "Results saved to %s\n", run);
    if (plots)
        gy_canvas_release_fonts(); /* the command ends: Cairo's font caches go with it */
    gy_val_result_free(res);
    gy_session_free(sess);
    gy_model_free(model);
    return rc;
}

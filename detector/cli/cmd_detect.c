/* ghostyolo detect: sources in (files, folders, patterns, lists, stdin: see sources.h); per image a
 * progress line on stderr as ultralytics prints it, annotated copies, label files, crops and COCO
 * results in a run folder (see detect_outputs.h); with --json one JSON object per image on stdout.
 * A bad image is reported with its path and the reason, the run goes on, and the exit code is 65. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "detector/cli/cli.h"
#include "detector/cli/detect_outputs.h"
#include "detector/cli/sources.h"
#include "postprocess/draw.h"

typedef struct detect_opts {
    const char *config, *weights, *imgsz, *classes, *dir, *project, *name;
    int threads, square, agnostic, json, no_save, save_txt, save_conf, save_crop, save_json;
    int line_width, hide_labels, hide_conf, exist_ok, quiet;
    gy_detect_params dp;
} detect_opts;

static double round_to(double v, double scale)
{
    return round(v * scale) / scale;
}

static int print_json(const char *path, const gy_image *img, const gy_detections *d,
                      const gy_model *model)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_CreateArray();
    int ok = o && arr;
    if (ok) {
        ok = cJSON_AddStringToObject(o, "image", path) && cJSON_AddNumberToObject(o, "width", img->width) &&
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
        fprintf(stderr, "ghostyolo detect: out of memory writing JSON\n");
        return EXIT_SOFTWARE;
    }
    int rc = printf("%s\n", text) < 0 || fflush(stdout) != 0 ? EXIT_CANTCREAT : 0;
    free(text);
    return rc;
}

/* Results.verbose(): "4 persons, 1 bus, " per class in class order, or "(no detections), ". */
static void verbose_counts(const gy_detections *d, const gy_model *model, int nc, char *buf,
                           size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (d->count == 0) {
        snprintf(buf, size, "(no detections), ");
        return;
    }
    for (int c = 0; c < nc && used < size; c++) {
        int n = 0;
        for (int i = 0; i < d->count; i++)
            n += d->boxes[i].class_id == c;
        if (n)
            used += (size_t)snprintf(buf + used, size - used, "%d %s%s, ", n,
                                     gy_model_class_name(model, c), n > 1 ? "s" : "");
    }
}

/* "640" or "480,640"; each rounded up to a multiple of stride with a warning (check_imgsz). */
static int parse_imgsz(const cli_verb *verb, const char *text, int stride, int quiet,
                       gy_detect_params *dp)
{
    long v[2];
    int n = 0;
    const char *p = text;
    char *end;
    while (n < 2) {
        errno = 0;
        v[n] = strtol(p, &end, 10);
        if (errno || end == p || v[n] < 1 || v[n] > GY_IMGSZ_MAX)
            break;
        n++;
        if (*end != ',')
            break;
        p = end + 1;
    }
    if (n == 0 || *end != '\0' || (n == 2 && end == p)) {
        cli_bad_value(verb, "--imgsz", text,
                      "must be a size from 1 to 8192, or HEIGHT,WIDTH with each from 1 to 8192");
        return EXIT_USAGE;
    }
    long r[2];
    for (int i = 0; i < n; i++)
        r[i] = (v[i] + stride - 1) / stride * stride;
    if ((r[0] != v[0] || (n == 2 && r[1] != v[1])) && !quiet) {
        if (n == 1)
            fprintf(stderr, "ghostyolo detect: warning: --imgsz %ld must be a multiple of the "
                            "model's stride %d, updating to %ld\n", v[0], stride, r[0]);
        else
            fprintf(stderr, "ghostyolo detect: warning: --imgsz %ld,%ld must be a multiple of the "
                            "model's stride %d, updating to %ld,%ld\n", v[0], v[1], stride, r[0], r[1]);
    }
    if (n == 1) {
        dp->imgsz = (int)r[0];
    } else {
        dp->imgsz = (int)(r[0] > r[1] ? r[0] : r[1]);
        dp->imgsz_h = (int)r[0];
        dp->imgsz_w = (int)r[1];
    }
    return 0;
}

/* "0,2,5": class ids of the model. *ids is allocated. */
static int parse_classes(const cli_verb *verb, const char *text, int nc, int **ids, int *count)
{
    *ids = NULL;
    *count = 0;
    size_t cap = strlen(text) / 2 + 1;
    int *out = malloc(sizeof *out * cap);
    if (!out)
        return EXIT_SOFTWARE;
    const char *p = text;
    int n = 0;
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 0 || v >= nc || (*end != ',' && *end != '\0')) {
            char why[160];
            snprintf(why, sizeof why, "must be class ids separated by commas, each from 0 to %d "
                                      "(the model has %d classes)", nc - 1, nc);
            cli_bad_value(verb, "--classes", text, why);
            free(out);
            return EXIT_USAGE;
        }
        out[n++] = (int)v;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    *ids = out;
    *count = n;
    return 0;
}

/* The library's message often starts with the path already: do not say it twice. */
static const char *reason_of(const char *path, const char *message)
{
    size_t n = strlen(path);
    if (strncmp(message, path, n) == 0 && message[n] == ':' && message[n + 1] == ' ')
        return message + n + 2;
    return message;
}

static void report_bad(const detect_opts *o, int index, int total, const char *path,
                       const char *reason)
{
    if (o->quiet) {
        fprintf(stderr, "ghostyolo detect: %s: %s\n", path, reason);
    } else if (total >= 0) {
        fprintf(stderr, "image %d/%d %s: error: %s\n", index, total, path, reason);
    } else {
        fprintf(stderr, "image %d/? %s: error: %s\n", index, path, reason);
    }
}

typedef struct run_state {
    const detect_opts *o;
    const cli_verb *verb;
    gy_model *model;
    gy_session *sess;
    int nc;
    int saving;
    char run[4352];
    out_names used;
    out_coco *coco;
    int seen, failed, labels;
    int wrote;        /* files written into the run folder */
    char run_top[4352]; /* the first folder this run made (removed again when left empty) */
    double pre_ms, inf_ms, post_ms;
    int last_h, last_w;
} run_state;

/* One good image path: load, detect, report, save. Returns 0, 65 for a bad image, or a fatal
 * exit code (output failure, out of memory). */
static int process(run_state *r, const char *path, int index, int total)
{
    const detect_opts *o = r->o;
    gy_image *img = NULL;
    gy_detections *d = NULL;
    gy_error err;
    gy_status st;
    int rc = 0;
    if ((st = gy_image_load(path, &img, &err)) != GY_OK) {
        report_bad(o, index, total, path, reason_of(path, err.message));
        return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_DATAERR;
    }
    if ((st = gy_detect(r->sess, img, &o->dp, &d, &err)) != GY_OK) {
        /* the options were checked: what gy_detect still refuses is the image */
        report_bad(o, index, total, path, err.message);
        gy_image_free(img);
        return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_DATAERR;
    }
    r->seen++;
    r->pre_ms += d->timing.preprocess_ms;
    r->inf_ms += d->timing.inference_ms;
    r->post_ms += d->timing.postprocess_ms;
    r->last_h = d->input_height;
    r->last_w = d->input_width;
    if (o->json)
        rc = print_json(path, img, d, r->model);
    char stem[1100];
    if (!rc && r->saving) {
        int renamed;
        if (out_unique_stem(&r->used, path, stem, sizeof stem, &renamed) != 0)
            rc = EXIT_SOFTWARE;
        else if (renamed)
            cli_say("warning: %s has the file stem of an earlier image; its results are saved "
                    "as %s", path, stem);
    }
    if (!rc && r->saving && o->save_txt) {
        rc = out_save_labels(r->run, stem, img, d, o->save_conf);
        r->labels += !rc && d->count > 0;
        r->wrote += !rc && d->count > 0;
    }
    if (!rc && r->saving && o->save_crop) {
        rc = out_save_crops(r->run, stem, img, d, r->model);
        r->wrote += !rc && d->count > 0;
    }
    if (!rc && r->saving && o->save_json)
        rc = out_coco_add(&r->coco, path, d->boxes, d->count);
    if (!rc && r->saving && !o->no_save) {
        gy_draw_options dopt = {o->line_width, o->hide_labels, o->hide_conf};
        rc = out_save_annotated(r->run, stem, path, img, d, r->model, &dopt);
        r->wrote += !rc;
    }
    if (!o->quiet) {
        char counts[2048];
        verbose_counts(d, r->model, r->nc, counts, sizeof counts);
        if (total >= 0)
            fprintf(stderr, "image %d/%d %s: %dx%d %s%.1fms\n", index, total, path,
                    d->input_height, d->input_width, counts, d->timing.inference_ms);
        else
            fprintf(stderr, "image %d/? %s: %dx%d %s%.1fms\n", index, path, d->input_height,
                    d->input_width, counts, d->timing.inference_ms);
    }
    gy_detections_free(d);
    gy_image_free(img);
    return rc;
}

static const char detect_about[] =
    "Finds objects in images, as ultralytics' predict does, and writes the results to a run\n"
    "folder (runs/detect/predict, then predict2, predict3, ...; see --project, --name, -o).\n"
    "SOURCE is an image file; a folder (its images sorted by name; subfolders are passed over,\n"
    "counted in one line); a glob pattern such as 'images/*.jpg'; a .txt file listing one path\n"
    "per line (relative to the list's folder); or - to read paths from standard input as they\n"
    "come. Videos and URLs are refused for now. Per image a line on stderr (image 3/128 path:\n"
    "480x640 4 persons, 1 bus, 41.2ms), then the speed per image and the run folder. A bad image\n"
    "is reported and skipped; the exit code is then 65. A run that saves nothing leaves no run\n"
    "folder. Two images with one file stem are saved as NAME and NAME_2, or NAME_gif for a\n"
    "NAME.gif after a NAME.png (said on stderr). As with ultralytics' yolo CLI, options may be\n"
    "given as key=value (model=yolov8n.pt source=bus.jpg conf=0.5 save_txt=True), and\n"
    "'ghostyolo predict' is this verb.";

int cmd_detect(int argc, char **argv)
{
    detect_opts o;
    memset(&o, 0, sizeof o);
    o.imgsz = "640";
    static const char default_project[] = "runs/detect", default_name[] = "predict";
    o.project = default_project;
    o.name = default_name;
    o.dp = gy_detect_default_params();
    cli_list sources = {0};
    const cli_opt opts[] = {
        {"-w", "--weights", CLI_STRING, &o.weights, "WEIGHTS",
         "the model's weights (.pt checkpoint or .safetensors)", 0, 0},
        {"-m", "--model", CLI_STRING, &o.config, "CONFIG",
         "model YAML (default: the one stored in the weights); a bare name such as yolov8n.yaml "
         "is also looked for among the shipped configs", 0, 0},
        {NULL, "--imgsz", CLI_STRING, &o.imgsz, "SIZE",
         "input size: the long side, or HEIGHT,WIDTH; rounded up to the stride", 0, 0},
        {NULL, "--conf", CLI_FLOAT, &o.dp.conf, "X", "confidence threshold", 0, 1},
        {NULL, "--iou", CLI_FLOAT, &o.dp.iou, "X", "NMS IoU threshold", 0, 1},
        {NULL, "--max-det", CLI_INT, &o.dp.max_det, "N", "most boxes per image", 1, 100000},
        {NULL, "--classes", CLI_STRING, &o.classes, "IDS",
         "keep only these class ids, e.g. 0,2 (default all)", 0, 0},
        {NULL, "--agnostic", CLI_FLAG, &o.agnostic, NULL, "class-agnostic NMS", 0, 0},
        {NULL, "--square", CLI_FLAG, &o.square, NULL,
         "letterbox to a square SIZE x SIZE instead of the smallest stride rectangle", 0, 0},
        {"-t", "--threads", CLI_INT, &o.threads, "N", "threads (0 = all cores)", 0, 1024},
        {NULL, "--save-txt", CLI_FLAG, &o.save_txt, NULL,
         "YOLO label files labels/NAME.txt: class cx cy w h, normalised (none without boxes)", 0, 0},
        {NULL, "--save-conf", CLI_FLAG, &o.save_conf, NULL,
         "with --save-txt: the confidence as a sixth column", 0, 0},
        {NULL, "--save-crop", CLI_FLAG, &o.save_crop, NULL,
         "each box cut out to crops/CLASS/NAME.jpg", 0, 0},
        {NULL, "--save-json", CLI_FLAG, &o.save_json, NULL,
         "COCO results predictions.json (image_id, category_id, bbox x,y,w,h, score; COCO's 91 "
         "ids when the model has 80 classes)", 0, 0},
        {NULL, "--no-save", CLI_FLAG, &o.no_save, NULL, "no annotated images", 0, 0},
        {NULL, "--line-width", CLI_INT, &o.line_width, "N",
         "box line width in pixels; the label font follows (0 = scaled to the image)", 0, 1000},
        {NULL, "--hide-labels", CLI_FLAG, &o.hide_labels, NULL, "draw boxes without labels", 0, 0},
        {NULL, "--hide-conf", CLI_FLAG, &o.hide_conf, NULL, "labels without the score", 0, 0},
        {NULL, "--json", CLI_FLAG, &o.json, NULL, "one JSON object per image on stdout", 0, 0},
        {NULL, "--project", CLI_STRING, &o.project, "DIR", "folder of the run folders", 0, 0},
        {NULL, "--name", CLI_STRING, &o.name, "NAME", "run folder name, numbered when it exists", 0, 0},
        {NULL, "--exist-ok", CLI_FLAG, &o.exist_ok, NULL,
         "reuse PROJECT/NAME instead of numbering a new one", 0, 0},
        {"-o", "--output", CLI_STRING, &o.dir, "DIR",
         "write into exactly this folder (instead of PROJECT/NAME)", 0, 0},
        {"-q", "--quiet", CLI_FLAG, &o.quiet, NULL, "no progress lines or summary", 0, 0},
    };
    const cli_verb verb = {"detect", "-w WEIGHTS [options] SOURCE...", detect_about, opts,
                           (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &sources);
    if (rc) {
        free(sources.items);
        return rc == CLI_HELP ? EXIT_OK : rc;
    }
    if (!o.weights || sources.count == 0) {
        fprintf(stderr, "ghostyolo detect: needs -w WEIGHTS and at least one SOURCE "
                        "(see 'ghostyolo detect --help')\n");
        free(sources.items);
        return EXIT_USAGE;
    }
    /* contradictory or incomplete options */
    const char *clash = NULL;
    if (o.dir && o.project != default_project)
        clash = "-o/--output and --project are alternatives: give one";
    else if (o.dir && o.name != default_name)
        clash = "-o/--output and --name are alternatives: give one";
    else if (o.dir && o.exist_ok)
        clash = "--exist-ok applies to PROJECT/NAME run folders, not to -o/--output";
    else if (o.save_conf && !o.save_txt)
        clash = "--save-conf needs --save-txt (it adds a column to the label files)";
    if (clash) {
        fprintf(stderr, "ghostyolo detect: %s\n", clash);
        free(sources.items);
        return EXIT_USAGE;
    }
    if (!o.name[0] || strchr(o.name, '/')) {
        cli_bad_value(&verb, "--name", o.name, "must be a folder name without '/'");
        free(sources.items);
        return EXIT_USAGE;
    }
    o.dp.square = o.square;
    o.dp.agnostic = o.agnostic;

    run_state r;
    memset(&r, 0, sizeof r);
    r.o = &o;
    r.verb = &verb;
    gy_model_params mp = gy_model_default_params();
    mp.log = cli_log;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = o.threads;
    gy_error err;
    gy_status st;
    char cfgbuf[CLI_PATH_MAX];
    const char *config = o.config ? cli_find_config(o.config, cfgbuf, sizeof cfgbuf) : NULL;
    if ((st = gy_model_load(config, o.weights, &mp, &r.model, &err)) != GY_OK ||
        (st = gy_session_create(r.model, &sp, &r.sess, &err)) != GY_OK) {
        cli_error(&err);
        gy_model_free(r.model);
        free(sources.items);
        return cli_exit_for(st);
    }
    gy_model_info info;
    gy_model_get_info(r.model, &info);
    r.nc = info.nc;
    int stride = 32;
    for (int i = 0; i < info.num_strides; i++)
        stride = info.strides[i] > stride ? info.strides[i] : stride;
    int *class_ids = NULL;
    rc = parse_imgsz(&verb, o.imgsz, stride, o.quiet, &o.dp);
    if (!rc && o.classes) {
        rc = parse_classes(&verb, o.classes, r.nc, &class_ids, &o.dp.num_classes);
        o.dp.classes = class_ids;
    }
    r.saving = !o.no_save || o.save_txt || o.save_crop || o.save_json;
    cli_sources *src = NULL;
    if (!rc && (rc = cli_sources_open((const char *const *)sources.items, sources.count, stdin,
                                      &src)) != 0)
        cli_say("out of memory listing the sources");
    int total = src ? cli_sources_total(src) : 0;
    cli_source_item it;
    int index = 0, fatal = 0, got = 0;
    /* the first source is resolved before the run folder is made: no images, no folder */
    if (!rc)
        got = cli_sources_next(src, &it);
    if (!rc && got == 0) {
        const char *first;
        int dirs = cli_sources_skipped_dirs(src, &first);
        if (dirs)
            cli_say("no images in the sources given (%d folder%s passed over, e.g. %s: folders "
                    "inside a source folder are not searched)", dirs, dirs == 1 ? "" : "s", first);
        else
            cli_say("no images in the sources given");
        rc = EXIT_NOINPUT;
    }
    if (!rc && got == 1 && r.saving)
        rc = out_claim_run_dir(o.dir, o.project, o.name, o.exist_ok, r.run, sizeof r.run,
                               r.run_top, sizeof r.run_top);
    for (; !rc && !fatal && got == 1; got = fatal ? 0 : cli_sources_next(src, &it)) {
        index++;
        int r1;
        if (it.error) {
            report_bad(&o, index, total, it.path, it.error);
            r1 = EXIT_DATAERR;
        } else {
            r1 = process(&r, it.path, index, total);
        }
        if (r1 == EXIT_DATAERR)
            r.failed++;
        else if (r1)
            fatal = r1;
    }
    if (!rc && !fatal && got < 0) {
        cli_say("out of memory listing the sources");
        fatal = EXIT_SOFTWARE;
    }
    if (!rc && !fatal && r.saving && o.save_json && r.seen) {
        fatal = out_coco_write(r.coco, r.run, r.nc == 80);
        r.wrote += !fatal;
    }
    /* a run that saved nothing (every input failed, or nothing to save) leaves no folder */
    if (index > 0 && r.saving && !r.wrote)
        out_drop_run_dir(r.run, r.run_top); /* only empty folders: whatever else is there stays */
    if (!rc && !o.quiet) {
        const char *first;
        int dirs = src ? cli_sources_skipped_dirs(src, &first) : 0;
        if (dirs)
            fprintf(stderr, "%d folder%s inside the source folders passed over (not searched), e.g. "
                            "%s\n", dirs, dirs == 1 ? "" : "s", first);
        if (r.seen)
            fprintf(stderr, "Speed: %.1fms preprocess, %.1fms inference, %.1fms postprocess per "
                            "image at shape (1, 3, %d, %d)\n", r.pre_ms / r.seen, r.inf_ms / r.seen,
                    r.post_ms / r.seen, r.last_h, r.last_w);
        if (r.saving && r.wrote) {
            fprintf(stderr, "Results saved to %s\n", r.run);
            if (o.save_txt)
                fprintf(stderr, "%d label%s saved to %s/labels\n", r.labels,
                        r.labels == 1 ? "" : "s", r.run);
        } else if (r.saving && r.seen) {
            fprintf(stderr, "Nothing to save: no boxes found\n");
        }
    }
    if (!rc)
        rc = fatal ? fatal : r.failed ? EXIT_DATAERR : EXIT_OK;
    cli_sources_free(src);
    out_coco_free(r.coco);
    out_names_free(&r.used);
    free(class_ids);
    gy_session_free(r.sess);
    gy_model_free(r.model);
    free(sources.items);
    return rc;
}

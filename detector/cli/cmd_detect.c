/* ghostyolo detect: images in; annotated copies and YOLO label files written to a folder (through
 * a temporary file and rename); with --json one JSON object per image on stdout. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb/stb_image_write.h>

#include "detector/cli/cli.h"
#include "core/util.h"
#include "postprocess/draw.h"

typedef struct membuf {
    unsigned char *data;
    size_t size, cap;
    int failed;
} membuf;

static void mem_write(void *ctx, void *data, int size)
{
    membuf *m = ctx;
    if (m->failed || size <= 0)
        return;
    if (m->size + (size_t)size > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1 << 16;
        while (cap < m->size + (size_t)size)
            cap *= 2;
        unsigned char *p = realloc(m->data, cap);
        if (!p) {
            m->failed = 1;
            return;
        }
        m->data = p;
        m->cap = cap;
    }
    memcpy(m->data + m->size, data, (size_t)size);
    m->size += (size_t)size;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static const char *name_of(const void *ctx, int id)
{
    return gy_model_class_name(ctx, id);
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    if (n < e)
        return 0;
    for (size_t i = 0; i < e; i++)
        if ((path[n - e + i] | 0x20) != ext[i])
            return 0;
    return 1;
}

/* Annotated image and label file into dir; 0 or an exit code. */
static int save_outputs(const char *dir, const char *path, gy_image *img, const gy_detections *d,
                        const gy_model *model)
{
    char stem[256], out[4352];
    gy_path_stem(path, stem, sizeof stem);
    gy_draw_detections(img, d->boxes, d->count, name_of, model);
    membuf m = {0};
    int png = has_ext(path, ".png");
    int ok = png ? stbi_write_png_to_func(mem_write, &m, img->width, img->height, 3, img->data,
                                          img->width * 3)
                 : stbi_write_jpg_to_func(mem_write, &m, img->width, img->height, 3, img->data, 95);
    gy_error err;
    if (!ok || m.failed) {
        free(m.data);
        fprintf(stderr, "ghostyolo detect: %s: cannot encode the annotated image\n", path);
        return EXIT_CANTCREAT;
    }
    snprintf(out, sizeof out, "%s/%s.%s", dir, stem, png ? "png" : "jpg");
    gy_status st = gy_write_file_atomic(out, m.data, m.size, &err);
    free(m.data);
    if (st != GY_OK) {
        cli_error(&err);
        return EXIT_CANTCREAT;
    }
    /* labels/<stem>.txt: class cx cy w h conf, normalised (ultralytics save_txt + save_conf) */
    char *txt = malloc((size_t)d->count * 96 + 1);
    if (!txt)
        return EXIT_SOFTWARE;
    size_t used = 0;
    txt[0] = '\0';
    for (int i = 0; i < d->count; i++) {
        const gy_box *b = &d->boxes[i];
        used += (size_t)snprintf(txt + used, 96, "%d %.6f %.6f %.6f %.6f %.5f\n", b->class_id,
                                 (b->x1 + b->x2) / 2.0 / img->width, (b->y1 + b->y2) / 2.0 / img->height,
                                 (b->x2 - b->x1) / (double)img->width,
                                 (b->y2 - b->y1) / (double)img->height, b->score);
    }
    snprintf(out, sizeof out, "%s/labels", dir);
    if (make_dirs(out) != 0) {
        free(txt);
        fprintf(stderr, "ghostyolo detect: cannot create %s: %s\n", out, strerror(errno));
        return EXIT_CANTCREAT;
    }
    snprintf(out, sizeof out, "%s/labels/%s.txt", dir, stem);
    st = gy_write_file_atomic(out, txt, used, &err);
    free(txt);
    if (st != GY_OK) {
        cli_error(&err);
        return EXIT_CANTCREAT;
    }
    return 0;
}

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

int cmd_detect(int argc, char **argv)
{
    const char *config = NULL, *weights = NULL, *dir = "runs/detect";
    int threads = 0, square = 0, agnostic = 0, json = 0, nosave = 0;
    gy_detect_params dp = gy_detect_default_params();
    cli_list images = {0};
    cli_opt opts[] = {
        {"-m", "--model", CLI_STRING, &config},  {"-w", "--weights", CLI_STRING, &weights},
        {NULL, "--imgsz", CLI_INT, &dp.imgsz},   {NULL, "--conf", CLI_FLOAT, &dp.conf},
        {NULL, "--iou", CLI_FLOAT, &dp.iou},     {NULL, "--max-det", CLI_INT, &dp.max_det},
        {NULL, "--square", CLI_FLAG, &square},   {NULL, "--agnostic", CLI_FLAG, &agnostic},
        {NULL, "--json", CLI_FLAG, &json},       {"-o", "--output", CLI_STRING, &dir},
        {NULL, "--no-save", CLI_FLAG, &nosave},  {"-t", "--threads", CLI_INT, &threads},
    };
    int rc = cli_parse("detect", argc, argv, 2, opts, sizeof opts / sizeof opts[0], &images);
    if (!rc && (!weights || images.count == 0)) {
        fprintf(stderr, "ghostyolo detect: needs -w WEIGHTS and at least one IMAGE\n");
        rc = EXIT_USAGE;
    }
    if (!rc && (dp.imgsz <= 0 || dp.imgsz % 32 || dp.imgsz > 8192 || !(dp.conf >= 0 && dp.conf <= 1) ||
                !(dp.iou >= 0 && dp.iou <= 1) || dp.max_det < 1 || threads < 0)) {
        fprintf(stderr, "ghostyolo detect: --imgsz must be a multiple of 32 up to 8192, --conf and "
                        "--iou in [0, 1], --max-det >= 1, --threads >= 0\n");
        rc = EXIT_USAGE;
    }
    if (rc) {
        free(images.items);
        return rc;
    }
    dp.square = square;
    dp.agnostic = agnostic;
    gy_model_params mp = gy_model_default_params();
    mp.log = cli_log;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = threads;
    gy_model *model = NULL;
    gy_session *sess = NULL;
    gy_error err;
    gy_status st;
    if ((st = gy_model_load(config, weights, &mp, &model, &err)) != GY_OK ||
        (st = gy_session_create(model, &sp, &sess, &err)) != GY_OK) {
        cli_error(&err);
        gy_model_free(model);
        free(images.items);
        return cli_exit_for(st);
    }
    if (!nosave && make_dirs(dir) != 0) {
        fprintf(stderr, "ghostyolo detect: cannot create %s: %s\n", dir, strerror(errno));
        rc = EXIT_CANTCREAT;
    }
    for (int i = 0; i < images.count && rc != EXIT_CANTCREAT; i++) {
        const char *path = images.items[i];
        gy_image *img = NULL;
        gy_detections *d = NULL;
        int r = 0;
        if ((st = gy_image_load(path, &img, &err)) != GY_OK) {
            cli_error(&err); /* names the file */
            r = cli_exit_for(st);
        } else if ((st = gy_detect(sess, img, &dp, &d, &err)) != GY_OK) {
            fprintf(stderr, "ghostyolo: %s: %s\n", path, err.message);
            /* the options were checked above: what gy_detect still refuses is the image */
            r = st == GY_ERR_ARGUMENT ? EXIT_DATAERR : cli_exit_for(st);
        } else {
            if (json)
                r = print_json(path, img, d, model);
            if (!r && !nosave)
                r = save_outputs(dir, path, img, d, model);
        }
        if (r && !rc)
            rc = r;
        gy_detections_free(d);
        gy_image_free(img);
    }
    gy_session_free(sess);
    gy_model_free(model);
    free(images.items);
    return rc;
}

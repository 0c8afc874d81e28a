/* detect_outputs.c - the files `ghostyolo detect` writes (see detect_outputs.h). */
#define _POSIX_C_SOURCE 200809L
#include "detector/cli/detect_outputs.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb/stb_image_write.h>

#include "detector/cli/cli.h"
#include "core/util.h"

#define PATH_CAP 4352

int out_make_dirs(const char *path)
{
    char buf[PATH_CAP];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
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

int out_make_run_dir(const char *dir, const char *project, const char *name, int exist_ok,
                     char *out, size_t size)
{
    return out_make_run_dir_for("detect", dir, project, name, exist_ok, out, size);
}

int out_make_run_dir_for(const char *verb, const char *dir, const char *project, const char *name,
                         int exist_ok, char *out, size_t size)
{
    if (dir) {
        if ((size_t)snprintf(out, size, "%s", dir) >= size || out_make_dirs(out) != 0) {
            fprintf(stderr, "ghostyolo %s: cannot create %s: %s\n", verb, dir, strerror(errno));
            return EXIT_CANTCREAT;
        }
        return 0;
    }
    char base[PATH_CAP];
    if ((size_t)snprintf(base, sizeof base, "%s/%s", project, name) >= sizeof base ||
        out_make_dirs(project) != 0) {
        fprintf(stderr, "ghostyolo %s: cannot create %s: %s\n", verb, project, strerror(errno));
        return EXIT_CANTCREAT;
    }
    if (exist_ok) {
        if ((size_t)snprintf(out, size, "%s", base) >= size || out_make_dirs(out) != 0) {
            fprintf(stderr, "ghostyolo %s: cannot create %s: %s\n", verb, base, strerror(errno));
            return EXIT_CANTCREAT;
        }
        return 0;
    }
    /* increment_path: name, name2, name3, ...; mkdir claims the folder atomically, so two runs
     * started together never share one */
    for (int n = 1; n < 10000; n++) {
        if (n == 1)
            snprintf(out, size, "%s", base);
        else if ((size_t)snprintf(out, size, "%s%d", base, n) >= size)
            break;
        if (mkdir(out, 0777) == 0)
            return 0;
        if (errno != EEXIST)
            break;
    }
    fprintf(stderr, "ghostyolo %s: cannot create a run folder %s...: %s\n", verb, base,
            strerror(errno));
    return EXIT_CANTCREAT;
}

int out_unique_stem(out_names *used, const char *path, char *stem, size_t size, int *renamed)
{
    char base[1024];
    gy_path_stem(path, base, sizeof base);
    *renamed = 0;
    snprintf(stem, size, "%s", base);
    for (int n = 2;; n++) {
        int taken = 0;
        for (size_t i = 0; i < used->count && !taken; i++)
            taken = strcmp(used->names[i], stem) == 0;
        if (!taken)
            break;
        snprintf(stem, size, "%s_%d", base, n);
        *renamed = 1;
    }
    if (used->count == used->cap) {
        size_t cap = used->cap ? used->cap * 2 : 64;
        char **p = realloc(used->names, sizeof *p * cap);
        if (!p)
            return -1;
        used->names = p;
        used->cap = cap;
    }
    size_t len = strlen(stem) + 1;
    if (!(used->names[used->count] = malloc(len)))
        return -1;
    memcpy(used->names[used->count++], stem, len);
    return 0;
}

void out_names_free(out_names *used)
{
    for (size_t i = 0; i < used->count; i++)
        free(used->names[i]);
    free(used->names);
    used->names = NULL;
    used->count = used->cap = 0;
}

static int write_file(const char *path, const void *data, size_t size)
{
    gy_error err;
    if (gy_write_file_atomic(path, data, size, &err) != GY_OK) {
        cli_error(&err);
        return EXIT_CANTCREAT;
    }
    return 0;
}

static int make_dir_or_say(const char *dir)
{
    if (out_make_dirs(dir) != 0) {
        fprintf(stderr, "ghostyolo detect: cannot create %s: %s\n", dir, strerror(errno));
        return EXIT_CANTCREAT;
    }
    return 0;
}

int out_save_labels(const char *run, const char *stem, const gy_image *img, const gy_detections *d,
                    int save_conf)
{
    if (d->count == 0)
        return 0; /* ultralytics writes no file for an image without detections */
    char path[PATH_CAP];
    snprintf(path, sizeof path, "%s/labels", run);
    int rc = make_dir_or_say(path);
    if (rc)
        return rc;
    size_t cap = (size_t)d->count * 96 + 1, used = 0;
    char *txt = malloc(cap);
    if (!txt)
        return EXIT_SOFTWARE;
    /* Boxes.xywhn in float32: xyxy2xywh then divided by (w, h, w, h); printed with %g */
    const float fw = (float)img->width, fh = (float)img->height;
    for (int i = 0; i < d->count; i++) {
        const gy_box *b = &d->boxes[i];
        float cx = (b->x1 + b->x2) / 2.0f, cy = (b->y1 + b->y2) / 2.0f;
        float w = b->x2 - b->x1, h = b->y2 - b->y1;
        used += (size_t)snprintf(txt + used, cap - used, "%d %g %g %g %g", b->class_id,
                                 (double)(cx / fw), (double)(cy / fh), (double)(w / fw),
                                 (double)(h / fh));
        if (save_conf)
            used += (size_t)snprintf(txt + used, cap - used, " %g", (double)b->score);
        used += (size_t)snprintf(txt + used, cap - used, "\n");
    }
    snprintf(path, sizeof path, "%s/labels/%s.txt", run, stem);
    rc = write_file(path, txt, used);
    free(txt);
    return rc;
}

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

typedef enum { ENC_JPG, ENC_PNG, ENC_BMP } encoding;

/* Encodes w x h RGB pixels (row stride in bytes) and writes them atomically to path. */
static int encode_to(const char *path, encoding enc, int w, int h, const unsigned char *px,
                     int stride)
{
    membuf m = {0};
    int ok;
    if (enc == ENC_PNG) {
        ok = stbi_write_png_to_func(mem_write, &m, w, h, 3, px, stride);
    } else if (enc == ENC_BMP || stride != w * 3) {
        /* stb's JPEG and BMP writers take packed rows: pack a crop first */
        unsigned char *packed = malloc((size_t)w * (size_t)h * 3);
        if (!packed)
            return EXIT_SOFTWARE;
        for (int y = 0; y < h; y++)
            memcpy(packed + (size_t)y * (size_t)w * 3, px + (size_t)y * (size_t)stride,
                   (size_t)w * 3);
        ok = enc == ENC_BMP ? stbi_write_bmp_to_func(mem_write, &m, w, h, 3, packed)
                            : stbi_write_jpg_to_func(mem_write, &m, w, h, 3, packed, 95);
        free(packed);
    } else {
        ok = stbi_write_jpg_to_func(mem_write, &m, w, h, 3, px, 95);
    }
    if (!ok || m.failed || m.size == 0) {
        free(m.data);
        fprintf(stderr, "ghostyolo detect: %s: cannot encode the image\n", path);
        return EXIT_CANTCREAT;
    }
    int rc = write_file(path, m.data, m.size);
    free(m.data);
    return rc;
}

static int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

int out_save_crops(const char *run, const char *stem, const gy_image *img, const gy_detections *d,
                   const gy_model *model)
{
    for (int i = 0; i < d->count; i++) {
        const gy_box *b = &d->boxes[i];
        /* save_one_box(gain=1.02, pad=10, square=False): xyxy -> xywh, wh * 1.02 + 10, back to
         * xyxy, .long() (toward zero), clip to the image */
        float cx = (b->x1 + b->x2) / 2.0f, cy = (b->y1 + b->y2) / 2.0f;
        float w = (b->x2 - b->x1) * 1.02f + 10.0f, h = (b->y2 - b->y1) * 1.02f + 10.0f;
        double x1 = trunc((double)(cx - w / 2.0f)), y1 = trunc((double)(cy - h / 2.0f));
        double x2 = trunc((double)(cx + w / 2.0f)), y2 = trunc((double)(cy + h / 2.0f));
        x1 = fmax(0.0, fmin(x1, img->width));
        x2 = fmax(0.0, fmin(x2, img->width));
        y1 = fmax(0.0, fmin(y1, img->height));
        y2 = fmax(0.0, fmin(y2, img->height));
        int cw = (int)(x2 - x1), ch = (int)(y2 - y1);
        if (cw <= 0 || ch <= 0)
            continue;
        const char *name = gy_model_class_name(model, b->class_id);
        char folder[256], dir[PATH_CAP], path[PATH_CAP + 64];
        snprintf(folder, sizeof folder, "%s", name && name[0] ? name : "unknown");
        for (char *p = folder; *p; p++)
            if (*p == '/' || (p == folder && *p == '.'))
                *p = '_'; /* a class name is one folder, never a path */
        snprintf(dir, sizeof dir, "%s/crops/%s", run, folder);
        int rc = make_dir_or_say(dir);
        if (rc)
            return rc;
        /* increment_path on the file: stem.jpg, stem2.jpg, stem3.jpg, ... */
        snprintf(path, sizeof path, "%s/%s.jpg", dir, stem);
        for (int n = 2; file_exists(path) && n < 100000; n++)
            snprintf(path, sizeof path, "%s/%s%d.jpg", dir, stem, n);
        const unsigned char *px =
            img->data + ((size_t)y1 * (size_t)img->width + (size_t)x1) * 3;
        if ((rc = encode_to(path, ENC_JPG, cw, ch, px, img->width * 3)) != 0)
            return rc;
    }
    return 0;
}

static const char *ext_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot ? dot + 1 : "";
}

static const char *name_of(const void *ctx, int id)
{
    return gy_model_class_name(ctx, id);
}

int out_save_annotated(const char *run, const char *stem, const char *path, gy_image *img,
                       const gy_detections *d, const gy_model *model, const gy_draw_options *opts)
{
    const char *ext = ext_of(path);
    encoding enc = ENC_PNG;
    const char *out_ext = "png";
    if (strcasecmp(ext, "jpg") == 0 || strcasecmp(ext, "jpeg") == 0) {
        enc = ENC_JPG;
        out_ext = ext;
    } else if (strcasecmp(ext, "bmp") == 0) {
        enc = ENC_BMP;
        out_ext = ext;
    } else if (strcasecmp(ext, "png") == 0) {
        out_ext = ext;
    }
    gy_draw_detections_opts(img, d->boxes, d->count, name_of, model, opts);
    char out[PATH_CAP + 64];
    snprintf(out, sizeof out, "%s/%s.%s", run, stem, out_ext);
    return encode_to(out, enc, img->width, img->height, img->data, img->width * 3);
}

/* ultralytics.yolo.utils.ops.coco80_to_coco91_class() */
static const int coco91[80] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 13, 14, 15, 16, 17,
                               18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36,
                               37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53,
                               54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73,
                               74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90};

struct out_coco {
    cJSON *list;
};

static double round_to(double v, double scale)
{
    return round(v * scale) / scale;
}

int out_coco_add(out_coco **coco, const char *path, const gy_box *boxes, int count)
{
    if (!*coco) {
        *coco = calloc(1, sizeof **coco);
        if (!*coco || !((*coco)->list = cJSON_CreateArray()))
            return EXIT_SOFTWARE;
    }
    char stem[1024];
    gy_path_stem(path, stem, sizeof stem);
    int numeric = stem[0] != '\0' && strlen(stem) < 16;
    for (const char *p = stem; *p && numeric; p++)
        numeric = isdigit((unsigned char)*p);
    for (int i = 0; i < count; i++) {
        const gy_box *b = &boxes[i];
        /* pred_to_json: xyxy2xywh, then the centre moved to the top-left corner, in float32 */
        const float w = b->x2 - b->x1, h = b->y2 - b->y1;
        const float cx = (b->x1 + b->x2) / 2.0f, cy = (b->y1 + b->y2) / 2.0f;
        const double xywh[4] = {round_to(cx - w / 2.0f, 1e3), round_to(cy - h / 2.0f, 1e3),
                                round_to(w, 1e3), round_to(h, 1e3)};
        cJSON *o = cJSON_CreateObject();
        cJSON *box = cJSON_CreateDoubleArray(xywh, 4);
        int ok = o && box && cJSON_AddItemToArray((*coco)->list, o);
        if (!ok) {
            cJSON_Delete(o);
            cJSON_Delete(box);
            return EXIT_SOFTWARE;
        }
        /* image_id: int(stem) when the stem is numeric, else the stem (ultralytics' validator) */
        ok = (numeric ? cJSON_AddNumberToObject(o, "image_id", atof(stem)) != NULL
                      : cJSON_AddStringToObject(o, "image_id", stem) != NULL) &&
             cJSON_AddNumberToObject(o, "category_id", b->class_id) &&
             cJSON_AddItemToObject(o, "bbox", box) &&
             cJSON_AddNumberToObject(o, "score", round_to(b->score, 1e5));
        if (!ok)
            return EXIT_SOFTWARE;
    }
    return 0;
}

int out_coco_write(out_coco *coco, const char *run, int coco91_ids)
{
    if (coco && coco91_ids) {
        cJSON *o;
        cJSON_ArrayForEach(o, coco->list)
        {
            cJSON *c = cJSON_GetObjectItem(o, "category_id");
            if (c && c->valueint >= 0 && c->valueint < 80)
                cJSON_SetNumberValue(c, coco91[c->valueint]);
        }
    }
    cJSON *empty = NULL;
    cJSON *list = coco ? coco->list : (empty = cJSON_CreateArray());
    char *text = list ? cJSON_PrintUnformatted(list) : NULL;
    cJSON_Delete(empty);
    if (!text) {
        fprintf(stderr, "ghostyolo detect: out of memory writing predictions.json\n");
        return EXIT_SOFTWARE;
    }
    char path[PATH_CAP + 32];
    snprintf(path, sizeof path, "%s/predictions.json", run);
    int rc = write_file(path, text, strlen(text));
    free(text);
    return rc;
}

void out_coco_free(out_coco *coco)
{
    if (!coco)
        return;
    cJSON_Delete(coco->list);
    free(coco);
}

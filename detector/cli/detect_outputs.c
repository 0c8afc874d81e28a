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
#include "postprocess/png_encode.h"

#define PATH_CAP 4352

/* mkdir -p, noting in top (when not NULL and still empty) the first folder it made. */
static int make_dirs_noting(const char *path, char *top, size_t top_size)
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
        if (mkdir(buf, 0777) == 0) {
            if (top && !top[0])
                snprintf(top, top_size, "%s", buf);
        } else if (errno != EEXIST) {
            return -1;
        }
        *p = '/';
    }
    if (mkdir(buf, 0777) == 0) {
        if (top && !top[0])
            snprintf(top, top_size, "%s", buf);
    } else {
        struct stat sb;
        if (errno != EEXIST)
            return -1;
        if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            errno = ENOTDIR; /* a file of that name */
            return -1;
        }
    }
    return 0;
}

int out_make_dirs(const char *path)
{
    return make_dirs_noting(path, NULL, 0);
}

/* 1 when path names something that is not a folder (said, naming what the path was given as). */
static int not_a_folder(const char *path, const char *given_as)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || S_ISDIR(sb.st_mode))
        return 0;
    cli_say("%s %s: a file of that name exists; %s names a folder to write into", given_as, path,
            given_as);
    return 1;
}

int out_claim_run_dir(const char *dir, const char *project, const char *name, int exist_ok,
                      char *out, size_t size, char *top, size_t top_size)
{
    struct stat sb;
    top[0] = '\0';
    if (dir) {
        if (not_a_folder(dir, "-o"))
            return EXIT_CANTCREAT;
        if ((size_t)snprintf(out, size, "%s", dir) >= size ||
            make_dirs_noting(out, top, top_size) != 0) {
            cli_say("cannot create %s: %s", dir, strerror(errno));
            return EXIT_CANTCREAT;
        }
        return 0;
    }
    char base[PATH_CAP];
    if (not_a_folder(project, "--project"))
        return EXIT_CANTCREAT;
    if ((size_t)snprintf(base, sizeof base, "%s/%s", project, name) >= sizeof base ||
        make_dirs_noting(project, top, top_size) != 0) {
        cli_say("cannot create %s: %s", project, strerror(errno));
        return EXIT_CANTCREAT;
    }
    if (exist_ok) {
        if (stat(base, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
            cli_say("%s: a file of that name exists, not a run folder to reuse", base);
            return EXIT_CANTCREAT;
        }
        if ((size_t)snprintf(out, size, "%s", base) >= size ||
            make_dirs_noting(out, top, top_size) != 0) {
            cli_say("cannot create %s: %s", base, strerror(errno));
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
        if (mkdir(out, 0777) == 0) {
            if (!top[0])
                snprintf(top, top_size, "%s", out);
            return 0;
        }
        if (errno != EEXIST)
            break;
    }
    cli_say("cannot create a run folder %s...: %s", base, strerror(errno));
    return EXIT_CANTCREAT;
}

int out_make_run_dir(const char *dir, const char *project, const char *name, int exist_ok,
                     char *out, size_t size)
{
    char top[PATH_CAP];
    return out_claim_run_dir(dir, project, name, exist_ok, out, size, top, sizeof top);
}

void out_drop_run_dir(const char *run, const char *top)
{
    if (!top[0])
        return;
    char buf[PATH_CAP];
    snprintf(buf, sizeof buf, "%s", run);
    size_t top_len = strlen(top);
    /* from the run folder up to the first folder this run made, each only while empty */
    while (strlen(buf) >= top_len && rmdir(buf) == 0) {
        char *slash = strrchr(buf, '/');
        if (!slash || strlen(buf) == top_len)
            break;
        *slash = '\0';
    }
}

static const char *ext_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot ? dot + 1 : "";
}

/* The index of the name in used, or -1. */
static long find_name(const out_names *used, const char *name)
{
    for (size_t i = 0; i < used->count; i++)
        if (strcmp(used->names[i], name) == 0)
            return (long)i;
    return -1;
}

int out_unique_stem(out_names *used, const char *path, char *stem, size_t size, int *renamed)
{
    char base[1024];
    gy_path_stem(path, base, sizeof base);
    return out_unique_name(used, base, ext_of(path), stem, size, renamed);
}

int out_unique_name(out_names *used, const char *base, const char *ext, char *stem, size_t size,
                    int *renamed)
{
    *renamed = 0;
    snprintf(stem, size, "%s", base);
    long holder = find_name(used, stem);
    if (holder >= 0) {
        /* bus.mp4 after bus.png: bus_mp4 (then bus_mp4_2, ...); x.jpg after another x.jpg: x_2 */
        char with_ext[1100];
        if (ext[0] && strcasecmp(used->exts[holder], ext) != 0)
            snprintf(with_ext, sizeof with_ext, "%s_%s", base, ext);
        else
            snprintf(with_ext, sizeof with_ext, "%s", base);
        snprintf(stem, size, "%s", with_ext);
        for (int n = 2; find_name(used, stem) >= 0; n++)
            snprintf(stem, size, "%s_%d", with_ext, n);
        *renamed = 1;
    }
    if (used->count == used->cap) {
        size_t cap = used->cap ? used->cap * 2 : 64;
        char **p = realloc(used->names, sizeof *p * cap);
        if (!p)
            return -1;
        used->names = p;
        if (!(p = realloc(used->exts, sizeof *p * cap)))
            return -1;
        used->exts = p;
        used->cap = cap;
    }
    size_t len = strlen(stem) + 1, elen = strlen(ext) + 1;
    char *name = malloc(len), *e = malloc(elen);
    if (!name || !e) {
        free(name);
        free(e);
        return -1;
    }
    memcpy(name, stem, len);
    memcpy(e, ext, elen);
    used->names[used->count] = name;
    used->exts[used->count++] = e;
    return 0;
}

void out_names_free(out_names *used)
{
    for (size_t i = 0; i < used->count; i++) {
        free(used->names[i]);
        free(used->exts[i]);
    }
    free(used->names);
    free(used->exts);
    used->names = used->exts = NULL;
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
        cli_say("cannot create %s: %s", dir, strerror(errno));
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

/* stb's output callback: the encoded bytes go into a gy_strbuf (binary-safe). */
static void mem_write(void *ctx, void *data, int size)
{
    if (size > 0)
        gy_strbuf_put(ctx, data, (size_t)size);
}

typedef enum { ENC_JPG, ENC_PNG, ENC_BMP } encoding;

/* Encodes w x h RGB pixels (row stride in bytes) and writes them atomically to path. */
static int encode_to(const char *path, encoding enc, int w, int h, const unsigned char *px,
                     int stride)
{
    gy_strbuf m = {0};
    int ok;
    if (enc == ENC_PNG) { /* cv2.imwrite's settings */
        const gy_png_options o = gy_png_options_cv2();
        gy_error err;
        ok = gy_png_encode_rgb(px, w, h, (size_t)stride, &o, &m, path, &err) == GY_OK;
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
    if (!ok || m.bad || m.len == 0) {
        free(m.s);
        cli_say("%s: cannot encode the image", path);
        return EXIT_CANTCREAT;
    }
    int rc = write_file(path, m.s, m.len);
    free(m.s);
    return rc;
}

static int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

void out_crops_free(out_crops *c)
{
    for (int i = 0; i < c->count; i++)
        free(c->stem[i]);
    free(c->stem);
    free(c->next);
    memset(c, 0, sizeof *c);
}

/* Room in series for class id. 0, or -1 out of memory. */
static int crops_room(out_crops *c, int id)
{
    if (id < c->count)
        return 0;
    int count = id + 1;
    char **stem = realloc(c->stem, sizeof *stem * (size_t)count);
    if (!stem)
        return -1;
    c->stem = stem;
    long *next = realloc(c->next, sizeof *next * (size_t)count);
    if (!next)
        return -1;
    c->next = next;
    for (int i = c->count; i < count; i++) {
        c->stem[i] = NULL;
        c->next[i] = 1;
    }
    c->count = count;
    return 0;
}

/* dir/stem.jpg for n = 1, else dir/stemN.jpg (increment_path with sep ''). */
static void crop_name(char *path, size_t size, const char *dir, const char *stem, long n)
{
    if (n == 1)
        snprintf(path, size, "%s/%s.jpg", dir, stem);
    else
        snprintf(path, size, "%s/%s%ld.jpg", dir, stem, n);
}

int out_save_crops(const char *run, const char *stem, const gy_image *img, const gy_detections *d,
                   const gy_model *model, out_crops *series)
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
        /* increment_path on the file: stem.jpg, stem2.jpg, stem3.jpg, ... (the first free one);
         * a series of this stem goes on from its last number */
        int cid = b->class_id;
        if (series && (cid < 0 || crops_room(series, cid) != 0))
            series = NULL; /* (an id the model does not have, or no memory: try from 1) */
        long n = series && series->stem[cid] && strcmp(series->stem[cid], stem) == 0
                     ? series->next[cid] : 1;
        crop_name(path, sizeof path, dir, stem, n);
        while (file_exists(path) && n < 1000000000L)
            crop_name(path, sizeof path, dir, stem, ++n);
        const unsigned char *px =
            img->data + ((size_t)y1 * (size_t)img->width + (size_t)x1) * 3;
        if ((rc = encode_to(path, ENC_JPG, cw, ch, px, img->width * 3)) != 0)
            return rc;
        if (series) {
            if (!series->stem[cid] || strcmp(series->stem[cid], stem) != 0) {
                free(series->stem[cid]);
                size_t len = strlen(stem) + 1;
                if ((series->stem[cid] = malloc(len)) != NULL)
                    memcpy(series->stem[cid], stem, len);
            }
            series->next[cid] = n + 1;
        }
    }
    return 0;
}

int out_save_annotated(const char *run, const char *stem, const char *path, const gy_image *img)
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
    char stem[1024];
    gy_path_stem(path, stem, sizeof stem);
    return out_coco_add_id(coco, stem, boxes, count);
}

int out_coco_add_id(out_coco **coco, const char *id, const gy_box *boxes, int count)
{
    if (!*coco) {
        *coco = calloc(1, sizeof **coco);
        if (!*coco || !((*coco)->list = cJSON_CreateArray()))
            return EXIT_SOFTWARE;
    }
    int numeric = id[0] != '\0' && strlen(id) < 16;
    for (const char *p = id; *p && numeric; p++)
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
        ok = (numeric ? cJSON_AddNumberToObject(o, "image_id", atof(id)) != NULL
                      : cJSON_AddStringToObject(o, "image_id", id) != NULL) &&
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
        cli_say("out of memory writing predictions.json");
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

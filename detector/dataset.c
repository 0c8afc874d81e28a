/* dataset.c - ultralytics 8.0.126 detection datasets: check_det_dataset (YAML keys, names, path
 * resolution), BaseDataset.get_img_files (image list) and verify_image_label (label files).
 *
 * Deliberate differences from ultralytics, each towards a clear error or the documented meaning:
 *   - a relative `path` is relative to the YAML's folder (ultralytics: its DATASETS_DIR setting);
 *   - only the requested split is required (ultralytics also requires `train`);
 *   - a relative line of a .txt list is relative to the list's folder (ultralytics: only lines
 *     starting with "./"; others relative to the working directory);
 *   - a bad label line is an error naming file:line (ultralytics drops the image with a warning);
 *     each line is a box (5 columns) or a polygon (odd count >= 7) on its own (ultralytics
 *     reads every row of a file as a polygon once one row has more than 6 columns);
 *   - a label class must be < nc (ultralytics' check lets nc itself through);
 *   - directories are walked for regular files only, following symlinks up to a depth limit. */
#define _XOPEN_SOURCE 700
#include "detector/dataset.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/util.h"
#include "configs/config_yaml.h"

#define DATASET_MAX_YAML_BYTES ((size_t)1 << 20)
#define DATASET_MAX_LIST_BYTES ((size_t)256 << 20)
#define DATASET_MAX_DEPTH 32
#define DATASET_MAX_NAME 256

/* ultralytics IMG_FORMATS */
static const char *const img_formats[] = {"bmp", "dng", "jpeg", "jpg", "mpo", "png",
                                          "tif", "tiff", "webp", "pfm"};

/* x.split('.')[-1].lower() in IMG_FORMATS */
static int is_image_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *ext = dot ? dot + 1 : path;
    size_t n = strlen(ext);
    for (size_t k = 0; k < sizeof img_formats / sizeof img_formats[0]; k++) {
        if (strlen(img_formats[k]) != n)
            continue;
        size_t i = 0;
        while (i < n && tolower((unsigned char)ext[i]) == img_formats[k][i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

/* "<dir>/<rel>" or rel itself when absolute; NULL when out of memory. */
static char *join_path(const char *dir, const char *rel)
{
    if (rel[0] == '/' || !dir || !dir[0])
        return gy_strdup(rel);
    size_t a = strlen(dir), b = strlen(rel);
    char *s = malloc(a + b + 2);
    if (!s)
        return NULL;
    memcpy(s, dir, a);
    size_t k = a;
    if (k == 0 || s[k - 1] != '/')
        s[k++] = '/';
    memcpy(s + k, rel, b + 1);
    return s;
}

/* The folder part of path ("." when none); new string or NULL. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return gy_strdup(".");
    if (slash == path)
        return gy_strdup("/");
    size_t n = (size_t)(slash - path);
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    memcpy(s, path, n);
    s[n] = '\0';
    return s;
}

/* ------------------------------------------------------------------------------------------------ */
/* Image lists                                                                                      */

typedef struct strlist {
    char **items;
    int count, cap;
} strlist;

static void strlist_free(strlist *l)
{
    for (int i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Takes ownership of s (freed on failure). */
static gy_status strlist_push(strlist *l, char *s, const char *src, gy_error *err)
{
    if (!s)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory listing images", src);
    if (l->count >= GY_DATASET_MAX_IMAGES) {
        free(s);
        return gy_fail(err, GY_ERR_FORMAT, "%s: more than %d images", src, GY_DATASET_MAX_IMAGES);
    }
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 256;
        char **p = realloc(l->items, sizeof *p * (size_t)cap);
        if (!p) {
            free(s);
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory listing images", src);
        }
        l->items = p;
        l->cap = cap;
    }
    l->items[l->count++] = s;
    return GY_OK;
}

/* ultralytics' recursive glob of '**' then '*.*' under dir (hidden entries skipped): the regular
 * image files. */
static gy_status walk_dir(const char *dir, int depth, strlist *out, gy_error *err)
{
    if (depth > DATASET_MAX_DEPTH)
        return gy_fail(err, GY_ERR_FORMAT, "%s: folders nested more than %d deep (a symlink loop?)",
                       dir, DATASET_MAX_DEPTH);
    DIR *d = opendir(dir);
    if (!d)
        return gy_fail(err, GY_ERR_IO, "%s: cannot open the folder: %s", dir, strerror(errno));
    gy_status st = GY_OK;
    struct dirent *e;
    while (st == GY_OK && (errno = 0, e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') /* glob skips hidden entries, ".", ".." */
            continue;
        char *p = join_path(dir, e->d_name);
        if (!p) {
            st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory listing images", dir);
            break;
        }
        struct stat sb;
        if (stat(p, &sb) != 0) { /* a dangling symlink: glob would list it; the image load fails */
            free(p);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            st = walk_dir(p, depth + 1, out, err);
            free(p);
        } else if (S_ISREG(sb.st_mode) && strchr(e->d_name, '.') && is_image_name(p)) {
            st = strlist_push(out, p, dir, err);
        } else {
            free(p);
        }
    }
    if (st == GY_OK && errno != 0)
        st = gy_fail(err, GY_ERR_IO, "%s: cannot read the folder: %s", dir, strerror(errno));
    closedir(d);
    return st;
}

/* A .txt list: one path per line; relative lines are relative to the list's folder. */
static gy_status read_list(const char *path, strlist *out, gy_error *err)
{
    unsigned char *text;
    size_t size;
    gy_status st = gy_read_file(path, DATASET_MAX_LIST_BYTES, &text, &size, err);
    if (st != GY_OK)
        return st;
    if (memchr(text, 0, size)) {
        free(text);
        return gy_fail(err, GY_ERR_FORMAT, "%s: a NUL byte in an image list", path);
    }
    char *parent = dir_of(path);
    if (!parent) {
        free(text);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
    }
    char *line = (char *)text;
    while (st == GY_OK && line && *line) {
        char *nl = strchr(line, '\n');
        char *next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        size_t n = strlen(line);
        while (n && isspace((unsigned char)line[n - 1]))
            line[--n] = '\0';
        while (isspace((unsigned char)*line))
            line++;
        if (*line && is_image_name(line)) {
            const char *rel = strncmp(line, "./", 2) == 0 ? line + 2 : line;
            st = strlist_push(out, join_path(parent, rel), path, err);
        }
        line = next;
    }
    free(parent);
    free(text);
    return st;
}

/* One entry of the split: a folder or a list file; entry is already joined to the root. */
static gy_status add_source(const char *entry, const char *yaml, strlist *out, gy_error *err)
{
    struct stat sb;
    if (stat(entry, &sb) != 0)
        return gy_fail(err, GY_ERR_IO, "%s: images not found: %s does not exist", yaml, entry);
    if (S_ISDIR(sb.st_mode))
        return walk_dir(entry, 0, out, err);
    if (S_ISREG(sb.st_mode))
        return read_list(entry, out, err);
    return gy_fail(err, GY_ERR_IO, "%s: %s is neither a folder nor a file", yaml, entry);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ------------------------------------------------------------------------------------------------ */
/* The YAML                                                                                         */

static const ynode *map_get(const pctx *c, const ynode *map, const char *key)
{
    for (int k = map->first; k >= 0; k = gy_cfg_node(c, gy_cfg_node(c, k)->next)->next) {
        const ynode *kn = gy_cfg_node(c, k);
        if (kn->kind == YN_SCALAR && strcmp(gy_cfg_stext(c, kn), key) == 0)
            return gy_cfg_node(c, kn->next);
    }
    return NULL;
}

/* A plain empty, "~", "null" scalar: YAML's null. */
static int is_null(const pctx *c, const ynode *n)
{
    if (!n)
        return 1;
    if (n->kind != YN_SCALAR || !n->plain)
        return 0;
    const char *s = gy_cfg_stext(c, n);
    return !s[0] || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static gy_status set_name(const pctx *c, const ynode *v, char **slot)
{
    if (!v || v->kind != YN_SCALAR || is_null(c, v))
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, v ? v->line : 0, "a class name must be a text");
    const char *s = gy_cfg_stext(c, v);
    if (strlen(s) > DATASET_MAX_NAME)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, v->line, "a class name longer than %d characters",
                              DATASET_MAX_NAME);
    if (*slot)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, v->line, "class name given twice");
    *slot = gy_strdup(s);
    return *slot ? GY_OK : gy_cfg_nomem(c);
}

/* names: list, or mapping of ids 0..n-1 (check_class_names); or nc alone. */
static gy_status read_names(const pctx *c, const ynode *root, gy_dataset *ds)
{
    const ynode *names = map_get(c, root, "names");
    const ynode *ncn = map_get(c, root, "nc");
    long long nc = -1;
    gy_status st;
    if (ncn && !is_null(c, ncn) &&
        (st = gy_cfg_get_int(c, ncn, "nc", 1, GY_DATASET_MAX_NC, &nc)) != GY_OK)
        return st;
    if (names && is_null(c, names))
        names = NULL;
    if (!names && nc < 0)
        return gy_fail(c->err, GY_ERR_FORMAT, "%s: neither 'names' nor 'nc' is given", c->src);
    int n = names ? names->count : (int)nc;
    if (names && names->kind == YN_MAP)
        n = names->count / 2;
    if (names && names->kind == YN_SCALAR)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, names->line,
                              "'names' must be a list or a mapping of class ids to names");
    if (n < 1 || n > GY_DATASET_MAX_NC)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, names ? names->line : ncn->line,
                              "%d classes; a dataset has 1 to %d", n, GY_DATASET_MAX_NC);
    if (names && nc >= 0 && nc != n)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, ncn->line, "'names' has %d entries but 'nc' is %lld",
                              n, nc);
    ds->names = calloc((size_t)n, sizeof *ds->names);
    if (!ds->names)
        return gy_cfg_nomem(c);
    ds->nc = n;
    if (!names) {
        for (int i = 0; i < n; i++) {
            char buf[32];
            snprintf(buf, sizeof buf, "class_%d", i);
            if (!(ds->names[i] = gy_strdup(buf)))
                return gy_cfg_nomem(c);
        }
        return GY_OK;
    }
    if (names->kind == YN_SEQ) {
        int i = 0;
        for (int k = names->first; k >= 0; k = gy_cfg_node(c, k)->next, i++)
            if ((st = set_name(c, gy_cfg_node(c, k), &ds->names[i])) != GY_OK)
                return st;
        return GY_OK;
    }
    for (int k = names->first; k >= 0; k = gy_cfg_node(c, gy_cfg_node(c, k)->next)->next) {
        const ynode *kn = gy_cfg_node(c, k);
        long long id;
        if (kn->kind != YN_SCALAR)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, kn->line, "a class id must be an integer");
        if ((st = gy_cfg_get_int(c, kn, "class id", 0, n - 1, &id)) != GY_OK) {
            gy_fail(c->err, GY_ERR_FORMAT, "%s:%d: %d-class dataset requires class ids 0-%d (got '%s')",
                    c->src, kn->line, n, n - 1, gy_cfg_stext(c, kn));
            return GY_ERR_FORMAT;
        }
        if ((st = set_name(c, gy_cfg_node(c, kn->next), &ds->names[id])) != GY_OK)
            return st;
    }
    return GY_OK;
}

/* A path-valued scalar as text (NULL for null). */
static gy_status path_text(const pctx *c, const ynode *n, const char *key, const char **out)
{
    *out = NULL;
    if (!n || is_null(c, n))
        return GY_OK;
    if (n->kind != YN_SCALAR)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, n->line, "'%s' must be a path", key);
    *out = gy_cfg_stext(c, n);
    return GY_OK;
}

/* Resolves one split entry against the root, as check_det_dataset does (including its retry
 * without a leading "../"). */
static gy_status split_entry(const pctx *c, const char *root, const char *rel, strlist *images,
                             int *coco)
{
    char *p = join_path(root, rel);
    if (!p)
        return gy_cfg_nomem(c);
    struct stat sb;
    if (stat(p, &sb) != 0 && strncmp(rel, "../", 3) == 0) {
        char *q = join_path(root, rel + 3);
        if (!q) {
            free(p);
            return gy_cfg_nomem(c);
        }
        if (stat(q, &sb) == 0) {
            free(p);
            p = q;
        } else {
            free(q);
        }
    }
    char *real = realpath(p, NULL);
    const char *used = real ? real : p;
    const size_t n = strlen(used), tail = strlen("/val2017.txt");
    if (coco)
        *coco = strstr(used, "coco") && n >= tail && strcmp(used + n - tail, "/val2017.txt") == 0;
    gy_status st = add_source(used, c->src, images, c->err);
    free(real);
    free(p);
    return st;
}

static gy_status interpret(const pctx *c, const char *split, gy_dataset *ds)
{
    if (c->root < 0 || gy_cfg_node(c, c->root)->kind != YN_MAP)
        return gy_fail(c->err, GY_ERR_FORMAT, "%s: a dataset YAML must be a mapping (path, %s, names)",
                       c->src, split);
    const ynode *root = gy_cfg_node(c, c->root);
    gy_status st = read_names(c, root, ds);
    if (st != GY_OK)
        return st;
    const char *path;
    if ((st = path_text(c, map_get(c, root, "path"), "path", &path)) != GY_OK)
        return st;
    char *ydir = dir_of(ds->yaml_path);
    char *joined = ydir ? (path ? join_path(ydir, path) : gy_strdup(ydir)) : NULL;
    free(ydir);
    if (!joined)
        return gy_cfg_nomem(c);
    ds->root = realpath(joined, NULL);
    if (!ds->root) {
        st = gy_fail(c->err, GY_ERR_IO, "%s: dataset root %s: %s", c->src, joined, strerror(errno));
        free(joined);
        return st;
    }
    free(joined);

    const ynode *sn = map_get(c, root, split);
    if (!sn || is_null(c, sn))
        return gy_fail(c->err, GY_ERR_FORMAT, "%s: no '%s:' images given", c->src, split);
    strlist images = {0};
    if (sn->kind == YN_SCALAR) {
        st = split_entry(c, ds->root, gy_cfg_stext(c, sn), &images, &ds->coco);
    } else if (sn->kind == YN_SEQ) {
        for (int k = sn->first; k >= 0 && st == GY_OK; k = gy_cfg_node(c, k)->next) {
            const char *rel;
            const ynode *en = gy_cfg_node(c, k);
            if ((st = path_text(c, en, split, &rel)) != GY_OK)
                break;
            if (!rel) {
                st = gy_cfg_fail_at(c, GY_ERR_FORMAT, en->line, "an empty entry in '%s'", split);
                break;
            }
            st = split_entry(c, ds->root, rel, &images, NULL);
        }
    } else {
        st = gy_cfg_fail_at(c, GY_ERR_FORMAT, sn->line, "'%s' must be a path or a list of paths",
                            split);
    }
    if (st == GY_OK && images.count == 0)
        st = gy_fail(c->err, GY_ERR_FORMAT, "%s: no images found for '%s'", c->src, split);
    if (st != GY_OK) {
        strlist_free(&images);
        return st;
    }
    qsort(images.items, (size_t)images.count, sizeof *images.items, cmp_str);
    ds->images = images.items;
    ds->nimages = images.count;
    return GY_OK;
}

gy_status gy_dataset_load(const char *yaml_path, const char *split, gy_dataset **out, gy_error *err)
{
    if (!out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_dataset_load: out is NULL");
    *out = NULL;
    if (!yaml_path || !yaml_path[0])
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_dataset_load: no dataset YAML given");
    if (!split)
        split = "val";
    if (strcmp(split, "val") && strcmp(split, "train") && strcmp(split, "test"))
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_dataset_load: split '%s' is not val, train or test",
                       split);
    /* a folder or other non-file: gy_read_file says so */
    unsigned char *text;
    size_t len;
    gy_status st = gy_read_file(yaml_path, DATASET_MAX_YAML_BYTES, &text, &len, err);
    if (st != GY_OK)
        return st;
    gy_dataset *ds = calloc(1, sizeof *ds);
    if (!ds || !(ds->yaml_path = gy_strdup(yaml_path))) {
        free(ds);
        free(text);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", yaml_path);
    }
    pctx c;
    memset(&c, 0, sizeof c);
    c.src = yaml_path;
    c.doc = (const char *)text;
    c.doclen = len;
    c.err = err;
    c.root = -1;
    st = gy_cfg_build_tree(&c, (const char *)text, len);
    if (st == GY_OK)
        st = interpret(&c, split, ds);
    free(c.nodes);
    free(c.arena);
    free(text);
    if (st != GY_OK) {
        gy_dataset_free(ds);
        return st;
    }
    *out = ds;
    return GY_OK;
}

void gy_dataset_free(gy_dataset *ds)
{
    if (!ds)
        return;
    for (int i = 0; ds->names && i < ds->nc; i++)
        free(ds->names[i]);
    free(ds->names);
    for (int i = 0; i < ds->nimages; i++)
        free(ds->images[i]);
    free(ds->images);
    free(ds->root);
    free(ds->yaml_path);
    free(ds);
}

char *gy_dataset_label_path(const char *image_path)
{
    /* sb.join(x.rsplit(sa, 1)).rsplit('.', 1)[0] + '.txt' */
    size_t n = strlen(image_path);
    char *s = malloc(n + 5);
    if (!s)
        return NULL;
    memcpy(s, image_path, n + 1);
    char *hit = NULL;
    for (char *p = strstr(s, "/images/"); p; p = strstr(p + 1, "/images/"))
        hit = p;
    if (hit)
        memcpy(hit, "/labels/", 8);
    char *dot = strrchr(s, '.');
    if (dot)
        *dot = '\0';
    strcat(s, ".txt");
    return s;
}

/* ------------------------------------------------------------------------------------------------ */
/* Labels                                                                                           */

typedef struct row5 {
    float v[5];
} row5;

static int row_cmp(const void *pa, const void *pb)
{
    const row5 *a = pa, *b = pb;
    for (int k = 0; k < 5; k++) {
        if (a->v[k] < b->v[k])
            return -1;
        if (a->v[k] > b->v[k])
            return 1;
    }
    return 0;
}

#define LABEL_MAX_TOKENS 4097 /* class + 2048 polygon points */

/* Parses one line into rows[*n]; 0 when blank, 1 when a row was added, else an error. */
static gy_status parse_line(const char *path, int lineno, char *line, int nc, row5 *row, int *added,
                            gy_error *err)
{
    *added = 0;
    float vals[LABEL_MAX_TOKENS];
    int nt = 0;
    char *p = line;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (nt == LABEL_MAX_TOKENS)
            return gy_fail(err, GY_ERR_FORMAT, "%s:%d: more than %d values on a line", path, lineno,
                           LABEL_MAX_TOKENS);
        char *end;
        errno = 0;
        double d = strtod(p, &end);
        if (end == p || (*end && !isspace((unsigned char)*end)) || !isfinite(d) || errno == ERANGE) {
            char *tok_end = p;
            while (*tok_end && !isspace((unsigned char)*tok_end))
                tok_end++;
            return gy_fail(err, GY_ERR_FORMAT, "%s:%d: '%.*s' is not a number", path, lineno,
                           (int)(tok_end - p > 40 ? 40 : tok_end - p), p);
        }
        vals[nt++] = (float)d;
        p = end;
    }
    if (nt == 0)
        return GY_OK;
    if (nt != 5 && (nt < 7 || nt % 2 == 0))
        return gy_fail(err, GY_ERR_FORMAT,
                       "%s:%d: %d values; a label is 'class x y w h' (5) or a polygon 'class x1 y1 "
                       "x2 y2 x3 y3 ...' (odd count >= 7)",
                       path, lineno, nt);
    float cls = vals[0];
    if (cls < 0 || cls != floorf(cls) || cls >= (float)nc)
        return gy_fail(err, GY_ERR_FORMAT, "%s:%d: class %g is not an integer in [0, %d)", path,
                       lineno, (double)cls, nc);
    for (int i = 1; i < nt; i++)
        if (!(vals[i] >= 0.0f && vals[i] <= 1.0f))
            return gy_fail(err, GY_ERR_FORMAT,
                           "%s:%d: coordinate %g is outside [0, 1] (labels are normalised)", path,
                           lineno, (double)vals[i]);
    row->v[0] = cls;
    if (nt == 5) {
        for (int k = 1; k < 5; k++)
            row->v[k] = vals[k];
    } else { /* segments2boxes: min/max of the points, xyxy2xywh in float32 */
        float x1 = vals[1], y1 = vals[2], x2 = vals[1], y2 = vals[2];
        for (int i = 1; i + 1 < nt; i += 2) {
            x1 = fminf(x1, vals[i]);
            x2 = fmaxf(x2, vals[i]);
            y1 = fminf(y1, vals[i + 1]);
            y2 = fmaxf(y2, vals[i + 1]);
        }
        row->v[1] = (x1 + x2) / 2.0f;
        row->v[2] = (y1 + y2) / 2.0f;
        row->v[3] = x2 - x1;
        row->v[4] = y2 - y1;
    }
    *added = 1;
    return GY_OK;
}

gy_status gy_labels_read(const char *path, int nc, gy_label **out, int *n, int *found, gy_error *err)
{
    if (!path || !out || !n || !found)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_labels_read: NULL argument");
    *out = NULL;
    *n = 0;
    *found = 0;
    if (nc < 1)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: class count %d must be positive", path, nc);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return GY_OK; /* os.path.isfile(lb_file) is False: a background image */
        return gy_fail(err, GY_ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (!S_ISREG(sb.st_mode))
        return GY_OK; /* not a file: os.path.isfile is False */
    unsigned char *text;
    size_t size;
    gy_status st = gy_read_file(path, GY_LABELS_MAX_BYTES, &text, &size, err);
    if (st != GY_OK)
        return st;
    *found = 1;
    if (memchr(text, 0, size)) {
        free(text);
        return gy_fail(err, GY_ERR_FORMAT, "%s: a NUL byte in a label file", path);
    }
    row5 *rows = NULL;
    int count = 0, cap = 0, lineno = 0;
    char *line = (char *)text;
    while (line && st == GY_OK) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        row5 r;
        int added;
        st = parse_line(path, lineno, line, nc, &r, &added, err);
        if (st == GY_OK && added) {
            if (count == GY_LABELS_MAX_BOXES) {
                st = gy_fail(err, GY_ERR_FORMAT, "%s:%d: more than %d labels in one file", path,
                             lineno, GY_LABELS_MAX_BOXES);
                break;
            }
            if (count == cap) {
                int nc2 = cap ? cap * 2 : 64;
                row5 *q = realloc(rows, sizeof *q * (size_t)nc2);
                if (!q) {
                    st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory reading labels", path);
                    break;
                }
                rows = q;
                cap = nc2;
            }
            rows[count++] = r;
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    if (st != GY_OK) {
        free(rows);
        return st;
    }
    if (count == 0) {
        free(rows);
        return GY_OK;
    }
    /* np.unique(lb, axis=0, return_index=True): only when a row repeats, then sorted rows */
    row5 *sorted = malloc(sizeof *sorted * (size_t)count);
    gy_label *labels = malloc(sizeof *labels * (size_t)count);
    if (!sorted || !labels) {
        free(rows);
        free(sorted);
        free(labels);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory reading labels", path);
    }
    memcpy(sorted, rows, sizeof *rows * (size_t)count);
    qsort(sorted, (size_t)count, sizeof *sorted, row_cmp);
    int uniq = 0;
    for (int i = 0; i < count; i++)
        if (uniq == 0 || row_cmp(&sorted[uniq - 1], &sorted[i]) != 0)
            sorted[uniq++] = sorted[i];
    const row5 *use = uniq < count ? sorted : rows;
    for (int i = 0; i < uniq; i++) {
        labels[i].class_id = (int)use[i].v[0];
        labels[i].x = use[i].v[1];
        labels[i].y = use[i].v[2];
        labels[i].w = use[i].v[3];
        labels[i].h = use[i].v[4];
    }
    free(rows);
    free(sorted);
    *out = labels;
    *n = uniq;
    return GY_OK;
}

/* dataset.c - ultralytics 8.0.126 detection datasets: check_det_dataset (YAML keys, names, path
 * resolution), BaseDataset.get_img_files (image list) and verify_image_label (label files).
 *
 * Deliberate differences from ultralytics, each towards a clear error or the documented meaning:
 *   - a relative `path` is relative to the YAML's folder (ultralytics: its DATASETS_DIR setting);
 *   - only the requested split is required (ultralytics also requires `train`);
 *   - a relative line of a .txt list is relative to the list's folder (ultralytics: only lines
 *     starting with "./"; others relative to the working directory);
 *   - a label class must be an integer below nc (ultralytics' check, int(max class) <= nc, lets
 *     nc itself and fractions through; its validator then never matches such a label, prints a
 *     class twice or fails on the name of class nc): such a file is corrupt here;
 *   - a label file over GY_LABELS_MAX_BYTES or GY_LABELS_MAX_BOXES rows is an error (ultralytics
 *     reads it whatever its size);
 *   - Python's float() also reads non-ASCII digits; here a number is ASCII;
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
/* Labels (verify_image_label)                                                                      */

/* Python's str.isspace / str.splitlines on UTF-8 text: the byte length of the whitespace character
 * at p (0 when none) and whether it ends a line. ASCII: \t \n \v \f \r, 0x1c-0x1f and space (lines
 * end at \n \r \v \f 0x1c-0x1e); beyond: U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
 * U+202F, U+205F, U+3000 (U+0085, U+2028 and U+2029 end lines). */
static int py_space(const unsigned char *p, const unsigned char *end, int *is_break)
{
    const size_t left = (size_t)(end - p);
    *is_break = 0;
    if (left == 0)
        return 0;
    const unsigned c = p[0];
    if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) {
        *is_break = c != ' ' && c != '\t' && c != 0x1f;
        return 1;
    }
    if (c == 0xc2 && left >= 2 && (p[1] == 0x85 || p[1] == 0xa0)) {
        *is_break = p[1] == 0x85;
        return 2;
    }
    if (left < 3)
        return 0;
    const unsigned cp = ((c & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
    if ((c & 0xf0) != 0xe0 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
        return 0;
    if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0x202f || cp == 0x205f || cp == 0x3000) {
        *is_break = cp == 0x2028 || cp == 0x2029;
        return 3;
    }
    return 0;
}

/* Python's float(token) for ASCII tokens: [sign] (digits [. [digits]] | . digits) [(e|E) [sign]
 * digits], digits with single '_' between digits, or [sign] inf, infinity, nan (any case). The
 * token is rewritten in place without its underscores (tok[len] must be readable: the text is
 * NUL-terminated). Then to float32 as numpy converts: through a double. */
static int py_float(char *tok, size_t len, float *out)
{
    size_t i = 0;
    if (i < len && (tok[i] == '+' || tok[i] == '-'))
        i++;
    static const char *const words[] = {"inf", "infinity", "nan"};
    for (size_t w = 0; w < 3; w++) {
        const size_t n = strlen(words[w]);
        if (len - i != n)
            continue;
        size_t k = 0;
        while (k < n && tolower((unsigned char)tok[i + k]) == words[w][k])
            k++;
        if (k == n) {
            const float v = w == 2 ? NAN : INFINITY;
            *out = tok[0] == '-' ? -v : v;
            return 1;
        }
    }
    /* digits: a digit, then digits each optionally after one '_' */
#define PY_DIGITS(count)                                                                           \
    do {                                                                                           \
        count = 0;                                                                                 \
        while (i < len && (isdigit((unsigned char)tok[i]) ||                                       \
                           (tok[i] == '_' && count > 0 && i + 1 < len &&                           \
                            isdigit((unsigned char)tok[i + 1])))) {                                \
            count += tok[i] != '_';                                                                \
            i++;                                                                                   \
        }                                                                                          \
    } while (0)
    size_t ints, fracs = 0, exps;
    PY_DIGITS(ints);
    if (i < len && tok[i] == '.') {
        i++;
        PY_DIGITS(fracs);
    }
    if (ints == 0 && fracs == 0)
        return 0;
    if (i < len && (tok[i] == 'e' || tok[i] == 'E')) {
        i++;
        if (i < len && (tok[i] == '+' || tok[i] == '-'))
            i++;
        PY_DIGITS(exps);
        if (exps == 0)
            return 0;
    }
#undef PY_DIGITS
    if (i != len)
        return 0;
    size_t o = 0;
    for (size_t k = 0; k < len; k++)
        if (tok[k] != '_')
            tok[o++] = tok[k];
    const char after = tok[o]; /* the text's next byte (its NUL terminator at the end) */
    tok[o] = '\0';
    *out = (float)strtod(tok, NULL); /* overflow gives inf, as numpy's cast does */
    tok[o] = after;
    return 1;
}

typedef struct label_row {
    size_t first; /* index of its class in the values */
    int count;    /* values on the line */
    int line;
} label_row;

typedef struct label_text {
    float *vals;
    size_t nvals, capvals;
    label_row *rows;
    int nrows, caprows;
} label_text;

static void label_text_free(label_text *t)
{
    free(t->vals);
    free(t->rows);
}

static int push_val(label_text *t, float v)
{
    if (t->nvals == t->capvals) {
        size_t cap = t->capvals ? t->capvals * 2 : 256;
        float *p = realloc(t->vals, sizeof *p * cap);
        if (!p)
            return 0;
        t->vals = p;
        t->capvals = cap;
    }
    t->vals[t->nvals++] = v;
    return 1;
}

static int push_row(label_text *t, label_row r)
{
    if (t->nrows == t->caprows) {
        int cap = t->caprows ? t->caprows * 2 : 64;
        label_row *p = realloc(t->rows, sizeof *p * (size_t)cap);
        if (!p)
            return 0;
        t->rows = p;
        t->caprows = cap;
    }
    t->rows[t->nrows++] = r;
    return 1;
}

#define CORRUPT(...) (snprintf(out->why, sizeof out->why, __VA_ARGS__), out->corrupt = 1, GY_OK)

/* [x.split() for x in text.strip().splitlines() if len(x)], every value converted. */
static gy_status split_rows(const char *path, char *text, size_t size, label_text *t,
                            gy_label_file *out, gy_error *err)
{
    const unsigned char *u = (const unsigned char *)text, *end = u + size;
    int brk, n;
    const unsigned char *s = u, *e = end;
    while (s < e && (n = py_space(s, e, &brk)) > 0) /* strip() */
        s += n;
    while (e > s) {
        const unsigned char *q = e - 1;
        while (q > s && (*q & 0xc0) == 0x80) /* back to the start of the last character */
            q--;
        if ((n = py_space(q, end, &brk)) == 0 || q + n != e)
            break;
        e = q;
    }
    int line = 1;
    for (const unsigned char *p = u; p < s;) { /* the lines strip() removed */
        n = py_space(p, end, &brk);
        line += brk && !(p[0] == '\r' && p + 1 < end && p[1] == '\n');
        p += n;
    }
    const unsigned char *p = s;
    while (p < e) {
        /* one line: up to its break (\r\n is one break) */
        const unsigned char *q = p;
        while (q < e && !((n = py_space(q, e, &brk)) > 0 && brk))
            q += (n > 0 ? (size_t)n : 1u);
        const unsigned char *next = q;
        if (q < e) {
            next = q + n;
            if (q[0] == '\r' && next < e && next[0] == '\n')
                next++;
        }
        if (q > p) { /* len(x) > 0: whitespace alone still makes a (empty) row */
            if (t->nrows == GY_LABELS_MAX_BOXES)
                return gy_fail(err, GY_ERR_FORMAT, "%s:%d: more than %d labels in one file", path,
                               line, GY_LABELS_MAX_BOXES);
            label_row r = {t->nvals, 0, line};
            const unsigned char *a = p;
            while (a < q) {
                if ((n = py_space(a, q, &brk)) > 0) {
                    a += n;
                    continue;
                }
                const unsigned char *b = a;
                while (b < q && py_space(b, q, &brk) == 0)
                    b++;
                float v;
                if (!py_float((char *)a, (size_t)(b - a), &v))
                    return CORRUPT("could not convert string to float: '%.*s' (line %d)",
                                   (int)(b - a > 40 ? 40 : b - a), (const char *)a, line);
                if (!push_val(t, v))
                    return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory reading labels", path);
                r.count++;
                a = b;
            }
            if (!push_row(t, r))
                return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory reading labels", path);
        }
        line++;
        p = next;
    }
    return GY_OK;
}

typedef struct row5 {
    float v[5];
    int line;
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

/* The rows as (cls, x, y, w, h): boxes as they are, or, when any row has more than 6 values, every
 * row as a polygon "cls x1 y1 x2 y2 ..." turned into its bounding box (segments2boxes). */
static gy_status make_boxes(const label_text *t, row5 *rows, gy_label_file *out)
{
    int seg = 0;
    for (int i = 0; i < t->nrows; i++)
        seg |= t->rows[i].count > 6;
    for (int i = 0; i < t->nrows; i++) {
        const label_row *r = &t->rows[i];
        const float *v = t->vals + r->first;
        rows[i].line = r->line;
        if (!seg) {
            if (r->count != t->rows[0].count)
                return CORRUPT("rows of %d and %d values (lines %d and %d)", t->rows[0].count,
                               r->count, t->rows[0].line, r->line);
            if (r->count != 5)
                return CORRUPT("labels require 5 columns, %d columns detected", r->count);
            memcpy(rows[i].v, v, sizeof rows[i].v);
            continue;
        }
        if (r->count == 0)
            return CORRUPT("a blank row among polygon rows (line %d)", r->line);
        const int coords = r->count - 1;
        if (coords == 0 || coords % 2)
            return CORRUPT("%d coordinates are not x, y points (line %d)", coords, r->line);
        float x1 = v[1], y1 = v[2], x2 = v[1], y2 = v[2];
        for (int k = 1; k + 1 < r->count; k += 2) { /* min/max as numpy's (NaN wins) */
            x1 = (v[k] < x1 || isnan(v[k])) && !isnan(x1) ? v[k] : x1;
            x2 = (v[k] > x2 || isnan(v[k])) && !isnan(x2) ? v[k] : x2;
            y1 = (v[k + 1] < y1 || isnan(v[k + 1])) && !isnan(y1) ? v[k + 1] : y1;
            y2 = (v[k + 1] > y2 || isnan(v[k + 1])) && !isnan(y2) ? v[k + 1] : y2;
        }
        rows[i].v[0] = v[0];
        rows[i].v[1] = (x1 + x2) / 2.0f; /* xyxy2xywh in float32 */
        rows[i].v[2] = (y1 + y2) / 2.0f;
        rows[i].v[3] = x2 - x1;
        rows[i].v[4] = y2 - y1;
    }
    return GY_OK;
}

/* The assertions of verify_image_label, in its order: coordinates <= 1, no negative value, the
 * class. ultralytics lets class nc itself (and fractions, int() truncating) through and then fails
 * or miscounts later; here a class must be an integer below nc. */
static gy_status check_rows(const row5 *rows, int n, int nc, gy_label_file *out)
{
    for (int i = 0; i < n; i++)
        for (int k = 1; k < 5; k++)
            if (!(rows[i].v[k] <= 1.0f))
                return CORRUPT("non-normalized or out of bounds coordinate %g (line %d)",
                               (double)rows[i].v[k], rows[i].line);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 5; k++)
            if (!(rows[i].v[k] >= 0.0f))
                return CORRUPT("negative label value %g (line %d)", (double)rows[i].v[k],
                               rows[i].line);
    for (int i = 0; i < n; i++) {
        const float c = rows[i].v[0];
        if (c >= (float)nc)
            return CORRUPT("Label class %g exceeds dataset class count %d. Possible class labels "
                           "are 0-%d (line %d)", (double)c, nc, nc - 1, rows[i].line);
        if (c != floorf(c))
            return CORRUPT("label class %g is not an integer (line %d)", (double)c, rows[i].line);
    }
    return GY_OK;
}

void gy_label_file_clear(gy_label_file *f)
{
    if (!f)
        return;
    free(f->labels);
    memset(f, 0, sizeof *f);
}

gy_status gy_labels_scan(const char *path, int nc, gy_label_file *out, gy_error *err)
{
    if (!path || !out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_labels_scan: NULL argument");
    memset(out, 0, sizeof *out);
    if (nc < 1)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: class count %d must be positive", path, nc);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return GY_OK; /* os.path.isfile(lb_file) is False (it is on any stat error): a background */
    out->found = 1;
    unsigned char *text;
    size_t size;
    gy_status st = gy_read_file(path, GY_LABELS_MAX_BYTES, &text, &size, err);
    if (st == GY_ERR_IO) /* open() failed inside verify_image_label's try: corrupt */
        return CORRUPT("%.400s", err->message);
    if (st != GY_OK)
        return st;
    const size_t bad = gy_utf8_invalid_at(text, size);
    if (bad < size) {
        const unsigned byte = text[bad];
        free(text);
        return CORRUPT("'utf-8' codec can't decode byte 0x%02x in position %zu", byte, bad);
    }
    label_text t = {0};
    row5 *rows = NULL;
    st = split_rows(path, (char *)text, size, &t, out, err);
    free(text);
    if (st == GY_OK && !out->corrupt && t.nrows > 0) {
        if (!(rows = malloc(sizeof *rows * (size_t)t.nrows)))
            st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory reading labels", path);
        else if ((st = make_boxes(&t, rows, out)) == GY_OK && !out->corrupt)
            st = check_rows(rows, t.nrows, nc, out);
    }
    const int count = t.nrows;
    label_text_free(&t);
    if (st != GY_OK || out->corrupt || count == 0) {
        free(rows);
        return st;
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
    out->labels = labels;
    out->n = uniq;
    out->duplicates = count - uniq;
    return GY_OK;
}

#undef CORRUPT

gy_status gy_labels_read(const char *path, int nc, gy_label **out, int *n, int *found, gy_error *err)
{
    if (!path || !out || !n || !found)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_labels_read: NULL argument");
    *out = NULL;
    *n = 0;
    *found = 0;
    gy_label_file f;
    gy_status st = gy_labels_scan(path, nc, &f, err);
    if (st != GY_OK)
        return st;
    if (f.corrupt)
        return gy_fail(err, GY_ERR_FORMAT, "%s: corrupt labels: %s", path, f.why);
    *out = f.labels;
    *n = f.n;
    *found = f.found;
    return GY_OK;
}

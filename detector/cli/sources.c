/* sources.c - expands detect's sources into a stream of image paths and errors (see sources.h). */
#define _POSIX_C_SOURCE 200809L
#include "detector/cli/sources.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "detector/cli/cli.h"
#include "detector/cli/path_lines.h"

typedef struct item {
    char *path;
    char *error;
    cli_source_kind kind;
} item;

typedef struct queue {
    item *items;
    size_t count, cap, next;
} queue;

struct cli_sources {
    const char *const *args;
    int nargs, arg;  /* the argument being expanded */
    FILE *in;
    int has_stdin;
    queue q;          /* expanded items waiting */
    item cur;         /* the item last returned (owned) */
    cli_path_lines stdin_lines; /* the reader of "-" */
    int stdin_started;
    int total;
    int nomem;
    int skipped_dirs;   /* folders found inside source folders or matched by patterns */
    char *first_skipped; /* the first of them */
};

/* What detect takes, by name: the one place that says it. ultralytics 8.0.126's IMG_FORMATS and
 * VID_FORMATS (gif is a video there: every frame is read). */
static const char *const image_exts[] = {"bmp", "dng", "jpeg", "jpg", "mpo", "pfm", "png", "tif",
                                         "tiff", "webp"};
static const char *const video_exts[] = {"asf", "avi", "gif", "m4v", "mkv", "mov", "mp4", "mpeg",
                                         "mpg", "ts", "wmv", "webm"};
/* streams: ultralytics' is_url schemes, and udp:// and tcp:// that FFmpeg reads; the first two
 * are web addresses, which may also name a video or an image file */
static const char *const url_schemes[] = {"http://", "https://", "rtsp://", "rtmp://", "udp://",
                                          "tcp://"};

#define N_OF(a) (sizeof a / sizeof a[0])

/* 1 when the name [name, end) has one of the extensions (after its last '/' and '.'). */
static int ext_in(const char *name, const char *end, const char *const *exts, size_t n)
{
    const char *base = name, *dot = NULL;
    for (const char *p = name; p < end; p++) {
        if (*p == '/')
            base = p + 1, dot = NULL;
        else if (*p == '.')
            dot = p;
    }
    if (!dot || dot < base)
        return 0;
    size_t len = (size_t)(end - dot - 1);
    for (size_t i = 0; i < n; i++)
        if (strlen(exts[i]) == len && strncasecmp(dot + 1, exts[i], len) == 0)
            return 1;
    return 0;
}

/* The index of path's URL scheme in url_schemes, or -1. */
static int scheme_of(const char *path)
{
    for (size_t i = 0; i < N_OF(url_schemes); i++)
        if (strncasecmp(path, url_schemes[i], strlen(url_schemes[i])) == 0)
            return (int)i;
    return -1;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

cli_source_kind cli_source_kind_of(const char *path)
{
    int scheme = scheme_of(path);
    if (scheme >= 0) {
        if (scheme > 1)
            return CLI_SOURCE_STREAM;
        /* a web address: its path (without the query and fragment) may name a file */
        const char *end = path + strcspn(path, "?#");
        if (ext_in(path, end, video_exts, N_OF(video_exts)))
            return CLI_SOURCE_VIDEO;
        if (ext_in(path, end, image_exts, N_OF(image_exts)))
            return CLI_SOURCE_URL;
        return CLI_SOURCE_STREAM;
    }
    if (all_digits(path))
        return CLI_SOURCE_WEBCAM;
    const char *end = path + strlen(path);
    static const char *const streams[] = {"streams"};
    if (ext_in(path, end, streams, 1))
        return CLI_SOURCE_STREAM_LIST;
    if (ext_in(path, end, video_exts, N_OF(video_exts)))
        return CLI_SOURCE_VIDEO;
    if (ext_in(path, end, image_exts, N_OF(image_exts)))
        return CLI_SOURCE_IMAGE;
    return CLI_SOURCE_OTHER;
}

const char *cli_source_word(cli_source_kind kind)
{
    switch (kind) {
    case CLI_SOURCE_VIDEO:
        return "video";
    case CLI_SOURCE_STREAM:
    case CLI_SOURCE_STREAM_LIST:
    case CLI_SOURCE_WEBCAM:
        return "stream";
    default:
        return "image";
    }
}

/* Why a source of this kind cannot be read, or NULL. */
static const char *unsupported(cli_source_kind k)
{
    if (k == CLI_SOURCE_URL)
        return "an image URL: not supported (download the image and give its path)";
    if (k == CLI_SOURCE_WEBCAM)
        return "a webcam index: not supported (ghostyolo has no camera capture; give a video file "
               "or a stream URL such as rtsp://HOST/PATH)";
    return NULL;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void push(cli_sources *s, const char *path, const char *error, cli_source_kind kind)
{
    queue *q = &s->q;
    if (q->count == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        item *p = realloc(q->items, sizeof *p * cap);
        if (!p) {
            s->nomem = 1;
            return;
        }
        q->items = p;
        q->cap = cap;
    }
    item it = {dup_str(path), error ? dup_str(error) : NULL, kind};
    if (!it.path || (error && !it.error)) {
        free(it.path);
        free(it.error);
        s->nomem = 1;
        return;
    }
    q->items[q->count++] = it;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void skip_dir(cli_sources *s, const char *path)
{
    if (s->skipped_dirs++ == 0 && !(s->first_skipped = dup_str(path)))
        s->nomem = 1;
}

/* A name found in a folder or by a pattern: an image or a video is an item; a folder is passed
 * over and counted (ultralytics' glob does not recurse); other files are passed over. */
static void add_found(cli_sources *s, const char *path)
{
    cli_source_kind k = cli_source_kind_of(path);
    int wanted = k == CLI_SOURCE_IMAGE || k == CLI_SOURCE_VIDEO;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (wanted)
            push(s, path, strerror(errno), k); /* a dangling link */
    } else if (S_ISDIR(sb.st_mode)) {
        skip_dir(s, path);
    } else if (wanted) {
        push(s, path, !S_ISREG(sb.st_mode) ? "not a regular file" : NULL, k);
    }
}

/* A folder: its images and videos sorted by name; subfolders and other files are passed over. */
static void expand_dir(cli_sources *s, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        push(s, dir, strerror(errno), CLI_SOURCE_IMAGE);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ".", ".." and hidden entries, as a "*.*" glob skips them */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(names, sizeof *p * cap);
            if (!p) {
                s->nomem = 1;
                break;
            }
            names = p;
        }
        if (!(names[n] = dup_str(e->d_name))) {
            s->nomem = 1;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    for (size_t i = 0; i < n; i++) {
        size_t len = dl + strlen(names[i]) + 2;
        char *path = malloc(len);
        if (!path) {
            s->nomem = 1;
            break;
        }
        snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", names[i]);
        add_found(s, path);
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int has_glob_chars(const char *p)
{
    return strpbrk(p, "*?[") != NULL;
}

/* A file, folder, pattern or URL (not a list). */
static void expand_path(cli_sources *s, const char *path)
{
    struct stat sb;
    cli_source_kind k = cli_source_kind_of(path);
    if (scheme_of(path) >= 0) {
        push(s, path, unsupported(k), k);
        return;
    }
    if (stat(path, &sb) == 0) {
        /* a file of any other name is an image if its content says so ("0" too: a file) */
        cli_source_kind as = k == CLI_SOURCE_VIDEO || k == CLI_SOURCE_STREAM_LIST ? k
                                                                                  : CLI_SOURCE_IMAGE;
        if (S_ISDIR(sb.st_mode))
            expand_dir(s, path);
        else
            push(s, path, !S_ISREG(sb.st_mode) ? "not a regular file" : NULL, as);
        return;
    }
    if (k == CLI_SOURCE_WEBCAM) {
        push(s, path, unsupported(k), k);
        return;
    }
    int saved = errno;
    if (!has_glob_chars(path)) {
        push(s, path, strerror(saved), k == CLI_SOURCE_OTHER ? CLI_SOURCE_IMAGE : k);
        return;
    }
    glob_t g;
    int rc = glob(path, 0, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        push(s, path, "no file matches this pattern", CLI_SOURCE_IMAGE);
    } else if (rc != 0) {
        push(s, path, rc == GLOB_NOSPACE ? "out of memory expanding the pattern"
                                         : "cannot read a folder of this pattern", CLI_SOURCE_IMAGE);
    } else {
        /* glob sorts by strcoll; in the C locale (never changed here) that is byte order */
        size_t before = s->q.count;
        for (size_t i = 0; i < g.gl_pathc; i++)
            add_found(s, g.gl_pathv[i]);
        if (s->q.count == before)
            push(s, path, "the pattern matches no image or video file", CLI_SOURCE_IMAGE);
    }
    if (rc != GLOB_NOMATCH)
        globfree(&g);
}

static int ends_with_txt(const char *p)
{
    size_t n = strlen(p);
    return n > 4 && strcasecmp(p + n - 4, ".txt") == 0;
}

/* A .txt list: one path per line, relative to the list's folder (at most GY_LIST_MAX_LINES). */
static void expand_list(cli_sources *s, const char *list)
{
    FILE *f = fopen(list, "r");
    if (!f) {
        push(s, list, strerror(errno), CLI_SOURCE_IMAGE);
        return;
    }
    const char *slash = strrchr(list, '/');
    size_t dl = slash ? (size_t)(slash - list) + 1 : 0; /* the folder with its slash */
    cli_path_lines r;
    cli_path_lines_init(&r, f, list, dl, GY_LIST_MAX_LINES);
    const char *path;
    int rc;
    while (!s->nomem && (rc = cli_path_lines_next(&r, &path)) != 0) {
        if (rc == 1) {
            expand_path(s, path);
        } else if (rc == -3) {
            s->nomem = 1;
        } else {
            push(s, list, r.why, CLI_SOURCE_IMAGE);
            if (rc == -2)
                break;
        }
    }
    cli_path_lines_free(&r);
    fclose(f);
}

/* The items from `from` on: the videos moved after the rest, each part in its order (ultralytics'
 * LoadImages reads a source's images first, then its videos). */
static void videos_last(cli_sources *s, size_t from)
{
    queue *q = &s->q;
    size_t n = q->count - from, k = 0;
    if (n < 2)
        return;
    item *t = malloc(sizeof *t * n);
    if (!t) {
        s->nomem = 1;
        return;
    }
    for (size_t i = from; i < q->count; i++)
        if (q->items[i].kind != CLI_SOURCE_VIDEO)
            t[k++] = q->items[i];
    for (size_t i = from; i < q->count; i++)
        if (q->items[i].kind == CLI_SOURCE_VIDEO)
            t[k++] = q->items[i];
    memcpy(q->items + from, t, sizeof *t * n);
    free(t);
}

/* One argument or line of standard input: a list, or a file, folder, pattern or URL. */
static void expand_arg(cli_sources *s, const char *arg)
{
    struct stat sb;
    size_t from = s->q.count;
    if (ends_with_txt(arg) && stat(arg, &sb) == 0 && S_ISREG(sb.st_mode))
        expand_list(s, arg);
    else
        expand_path(s, arg);
    videos_last(s, from);
}

int cli_sources_open(const char *const *args, int count, FILE *in, cli_sources **out)
{
    cli_sources *s = calloc(1, sizeof *s);
    if (!s)
        return EXIT_SOFTWARE;
    s->args = args;
    s->nargs = count;
    s->in = in;
    for (int i = 0; i < count; i++)
        if (strcmp(args[i], "-") == 0)
            s->has_stdin = 1;
    s->total = -1;
    if (!s->has_stdin) {
        /* expand everything now: the progress lines can then say "3/128" */
        for (; s->arg < count && !s->nomem; s->arg++)
            expand_arg(s, args[s->arg]);
        s->total = (int)s->q.count;
    }
    if (s->nomem) {
        cli_sources_free(s);
        return EXIT_SOFTWARE;
    }
    *out = s;
    return 0;
}

int cli_sources_total(const cli_sources *s)
{
    return s->total;
}

int cli_sources_skipped_dirs(const cli_sources *s, const char **first)
{
    *first = s->first_skipped;
    return s->skipped_dirs;
}

int cli_sources_next(cli_sources *s, cli_source_item *out)
{
    free(s->cur.path);
    free(s->cur.error);
    s->cur.path = s->cur.error = NULL;
    while (s->q.next == s->q.count) {
        s->q.next = s->q.count = 0;
        if (s->arg >= s->nargs || s->nomem)
            return 0;
        const char *a = s->args[s->arg];
        if (strcmp(a, "-") == 0) {
            /* one line at a time, so a pipe is processed as it arrives */
            if (!s->in) {
                s->arg++;
                continue;
            }
            if (!s->stdin_started) {
                cli_path_lines_init(&s->stdin_lines, s->in, NULL, 0, 0);
                s->stdin_started = 1;
            }
            const char *p;
            int rc = cli_path_lines_next(&s->stdin_lines, &p);
            if (rc == 0) {
                s->arg++;
                continue;
            }
            if (rc == 1) {
                size_t from = s->q.count;
                expand_path(s, p);
                videos_last(s, from);
            } else if (rc == -3) {
                s->nomem = 1;
            } else {
                push(s, "-", s->stdin_lines.why, CLI_SOURCE_IMAGE);
            }
            if (rc == -2)
                s->arg++;
        } else {
            expand_arg(s, a);
            s->arg++;
        }
        if (s->nomem)
            return -1;
    }
    s->cur = s->q.items[s->q.next++];
    out->path = s->cur.path;
    out->error = s->cur.error;
    out->kind = s->cur.kind;
    return 1;
}

void cli_sources_free(cli_sources *s)
{
    if (!s)
        return;
    for (size_t i = s->q.next; i < s->q.count; i++) {
        free(s->q.items[i].path);
        free(s->q.items[i].error);
    }
    free(s->q.items);
    free(s->cur.path);
    free(s->cur.error);
    free(s->first_skipped);
    if (s->stdin_started)
        cli_path_lines_free(&s->stdin_lines);
    free(s);
}

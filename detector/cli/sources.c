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

/* What detect takes, by name: the one place that says it (a video source will be a kind here).
 * Images: ultralytics' IMG_FORMATS and gif (a video format in ultralytics, read here as its first
 * frame until videos are sources); videos: ultralytics' VID_FORMATS without gif. */
static const char *const image_exts[] = {"bmp", "dng", "gif", "jpeg", "jpg", "mpo",
                                         "pfm", "png", "tif", "tiff", "webp"};
static const char *const video_exts[] = {"asf", "avi", "m4v", "mkv", "mov", "mp4",
                                         "mpeg", "mpg", "ts", "wmv", "webm"};
/* ultralytics' is_url test for a source */
static const char *const url_schemes[] = {"http://", "https://", "rtsp://", "rtmp://", "tcp://"};

#define N_OF(a) (sizeof a / sizeof a[0])

static int ext_in(const char *path, const char *const *exts, size_t n)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(dot + 1, exts[i]) == 0)
            return 1;
    return 0;
}

cli_source_kind cli_source_kind_of(const char *path)
{
    for (size_t i = 0; i < N_OF(url_schemes); i++)
        if (strncasecmp(path, url_schemes[i], strlen(url_schemes[i])) == 0)
            return CLI_SOURCE_URL;
    if (ext_in(path, video_exts, N_OF(video_exts)))
        return CLI_SOURCE_VIDEO;
    if (ext_in(path, image_exts, N_OF(image_exts)))
        return CLI_SOURCE_IMAGE;
    return CLI_SOURCE_OTHER;
}

int cli_is_image_name(const char *path)
{
    return cli_source_kind_of(path) == CLI_SOURCE_IMAGE;
}

/* Why a source of this kind cannot be read, or NULL. */
static const char *unsupported(cli_source_kind k)
{
    if (k == CLI_SOURCE_URL)
        return "a URL: not supported (download the file and give its path)";
    if (k == CLI_SOURCE_VIDEO)
        return "a video file: not supported yet";
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

static void push(cli_sources *s, const char *path, const char *error)
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
    item it = {dup_str(path), error ? dup_str(error) : NULL};
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

/* A name found in a folder or by a pattern: an image (or a video, refused for now) is an item;
 * a folder is passed over and counted (ultralytics' glob does not recurse); other files are
 * passed over. */
static void add_found(cli_sources *s, const char *path)
{
    cli_source_kind k = cli_source_kind_of(path);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (k == CLI_SOURCE_IMAGE || k == CLI_SOURCE_VIDEO)
            push(s, path, strerror(errno)); /* a dangling link */
    } else if (S_ISDIR(sb.st_mode)) {
        skip_dir(s, path);
    } else if (k == CLI_SOURCE_IMAGE || k == CLI_SOURCE_VIDEO) {
        push(s, path, !S_ISREG(sb.st_mode) ? "not a regular file" : unsupported(k));
    }
}

/* A folder: its images sorted by name; subfolders and other files are passed over. */
static void expand_dir(cli_sources *s, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        push(s, dir, strerror(errno));
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

/* A file, folder or pattern (not a list). */
static void expand_path(cli_sources *s, const char *path)
{
    struct stat sb;
    cli_source_kind k = cli_source_kind_of(path);
    if (k == CLI_SOURCE_URL) {
        push(s, path, unsupported(k));
        return;
    }
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            expand_dir(s, path);
        else
            push(s, path, !S_ISREG(sb.st_mode) ? "not a regular file" : unsupported(k));
        return;
    }
    int saved = errno;
    if (!has_glob_chars(path)) {
        push(s, path, strerror(saved));
        return;
    }
    glob_t g;
    int rc = glob(path, 0, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        push(s, path, "no file matches this pattern");
    } else if (rc != 0) {
        push(s, path, rc == GLOB_NOSPACE ? "out of memory expanding the pattern"
                                         : "cannot read a folder of this pattern");
    } else {
        /* glob sorts by strcoll; in the C locale (never changed here) that is byte order */
        size_t before = s->q.count;
        for (size_t i = 0; i < g.gl_pathc; i++)
            add_found(s, g.gl_pathv[i]);
        if (s->q.count == before)
            push(s, path, "the pattern matches no image file");
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
        push(s, list, strerror(errno));
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
            push(s, list, r.why);
            if (rc == -2)
                break;
        }
    }
    cli_path_lines_free(&r);
    fclose(f);
}

static void expand_arg(cli_sources *s, const char *arg)
{
    struct stat sb;
    if (ends_with_txt(arg) && stat(arg, &sb) == 0 && S_ISREG(sb.st_mode))
        expand_list(s, arg);
    else
        expand_path(s, arg);
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
            if (rc == 1)
                expand_path(s, p);
            else if (rc == -3)
                s->nomem = 1;
            else
                push(s, "-", s->stdin_lines.why);
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

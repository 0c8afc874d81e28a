/* path_lines.c - one path a line, with limits (see path_lines.h). */
#define _POSIX_C_SOURCE 200809L
#include "detector/cli/path_lines.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void cli_path_lines_init(cli_path_lines *r, FILE *f, const char *prefix, size_t prefix_len,
                         long max_lines)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    r->prefix = prefix ? prefix : "";
    r->prefix_len = prefix ? prefix_len : 0;
    r->max_lines = max_lines;
}

/* "scheme://...": a URL (a stream), never taken from the list's folder. */
static int is_url(const char *p, size_t len)
{
    size_t i = 0;
    if (len == 0 || !isalpha((unsigned char)p[0]))
        return 0;
    while (i < len && (isalnum((unsigned char)p[i]) || p[i] == '+' || p[i] == '-' || p[i] == '.'))
        i++;
    return i + 3 <= len && memcmp(p + i, "://", 3) == 0;
}

int cli_path_lines_next(cli_path_lines *r, const char **path)
{
    *path = NULL;
    for (;;) {
        ssize_t n = getline(&r->line, &r->line_cap, r->f);
        if (n < 0) {
            if (ferror(r->f)) {
                snprintf(r->why, sizeof r->why, "read error after line %ld", r->lineno);
                return -2;
            }
            return 0;
        }
        r->lineno++;
        if (r->max_lines > 0 && r->lineno > r->max_lines) {
            snprintf(r->why, sizeof r->why, "more than the %ld lines allowed in a list", r->max_lines);
            return -2;
        }
        char *p = r->line;
        size_t len = (size_t)n;
        while (len > 0 && strchr(" \t\r\n", p[len - 1]) && p[len - 1] != '\0')
            len--;
        while (len > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        if (len == 0)
            continue;
        if (memchr(p, '\0', len)) {
            snprintf(r->why, sizeof r->why, "line %ld holds a NUL byte", r->lineno);
            return -1;
        }
        if (len > GY_LIST_MAX_LINE_BYTES) {
            snprintf(r->why, sizeof r->why, "line %ld is longer than the %d bytes allowed for a path",
                     r->lineno, GY_LIST_MAX_LINE_BYTES);
            return -1;
        }
        size_t pre = p[0] == '/' || is_url(p, len) ? 0 : r->prefix_len;
        size_t need = pre + len + 1;
        if (need > r->path_cap) {
            char *q = realloc(r->path, need);
            if (!q)
                return -3;
            r->path = q;
            r->path_cap = need;
        }
        memcpy(r->path, r->prefix, pre);
        memcpy(r->path + pre, p, len);
        r->path[pre + len] = '\0';
        *path = r->path;
        return 1;
    }
}

void cli_path_lines_free(cli_path_lines *r)
{
    free(r->line);
    free(r->path);
    r->line = r->path = NULL;
    r->line_cap = r->path_cap = 0;
}

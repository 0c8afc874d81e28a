/* path_lines.h - the one-path-a-line reader behind detect's `.txt` lists and `-` (standard input):
 * blank lines skipped, surrounding blanks and CR/LF trimmed, relative paths of a list taken from
 * the list's folder (URLs, scheme://..., kept as they are), and the limits below. It only splits
 * and checks text (no file system access), so fuzz/fuzz_path_lines.c feeds it arbitrary bytes. */
#ifndef GY_CLI_PATH_LINES_H
#define GY_CLI_PATH_LINES_H

#include <stddef.h>
#include <stdio.h>

/* Most lines read from one .txt list (standard input streams and has no line limit). */
#ifndef GY_LIST_MAX_LINES
#define GY_LIST_MAX_LINES 1000000
#endif
/* Longest path on one line (bytes after trimming), list or standard input. */
#ifndef GY_LIST_MAX_LINE_BYTES
#define GY_LIST_MAX_LINE_BYTES 4096
#endif

typedef struct cli_path_lines {
    FILE *f;
    const char *prefix;   /* prepended to relative paths ("" for none) */
    size_t prefix_len;
    long max_lines;       /* 0: no limit */
    long lineno;          /* lines read so far */
    char *line;           /* getline buffer */
    size_t line_cap;
    char *path;           /* the last path returned (owned) */
    size_t path_cap;
    char why[128];        /* the last error */
} cli_path_lines;

/* prefix is borrowed (the list's folder with its slash, or "" / NULL). */
void cli_path_lines_init(cli_path_lines *r, FILE *f, const char *prefix, size_t prefix_len,
                         long max_lines);
/* The next path: 1 and *path (valid until the next call), 0 at the end of the input, or
 *  -1: this line is bad (r->why says why, the line number is r->lineno); reading may go on;
 *  -2: stop: too many lines or a read error (r->why);
 *  -3: out of memory. */
int cli_path_lines_next(cli_path_lines *r, const char **path);
void cli_path_lines_free(cli_path_lines *r);

#endif

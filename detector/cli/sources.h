/* sources.h - what `ghostyolo detect` accepts as sources, in the manner of ultralytics:
 *   - an image file;
 *   - a folder: its images (files whose extension is an image format), sorted by name (byte
 *     order). Hidden entries and files of other extensions are passed over, as ultralytics' "*.*"
 *     glob does, and so are subfolders (not searched; counted for one line of the summary);
 *   - a glob pattern (quoted, so the shell left it alone): the matching images, sorted;
 *   - a .txt file: one path per line, relative paths taken from the list's folder;
 *   - "-": paths read from standard input, one per line, each handled as soon as it is read.
 * Anything that is not a regular file, and what cannot be read yet (a URL, a video file), becomes
 * an error item naming it; the caller goes on. The kinds (image, video, URL) are decided here
 * only: cli_source_kind_of. */
#ifndef GY_CLI_SOURCES_H
#define GY_CLI_SOURCES_H

#include <stdio.h>

typedef struct cli_sources cli_sources;

typedef struct cli_source_item {
    const char *path;  /* borrowed until the next call */
    const char *error; /* NULL for an image to read; else why path is not one */
} cli_source_item;

/* Expands args (everything but "-", which is read lazily from in). Returns 0 or an exit code
 * (out of memory). */
int cli_sources_open(const char *const *args, int count, FILE *in, cli_sources **out);
/* 1 and the next item, 0 at the end, or -1 out of memory. */
int cli_sources_next(cli_sources *s, cli_source_item *item);
/* The number of items when known in advance (no "-" among the sources), else -1. */
int cli_sources_total(const cli_sources *s);
void cli_sources_free(cli_sources *s);

/* Folders passed over (inside source folders, or matched by a pattern); *first: the first one. */
int cli_sources_skipped_dirs(const cli_sources *s, const char **first);

typedef enum cli_source_kind {
    CLI_SOURCE_IMAGE, /* bmp dng gif jpeg jpg mpo pfm png tif tiff webp */
    CLI_SOURCE_VIDEO, /* asf avi m4v mkv mov mp4 mpeg mpg ts wmv webm: refused for now */
    CLI_SOURCE_URL,   /* http:// https:// rtsp:// rtmp:// tcp://: refused */
    CLI_SOURCE_OTHER
} cli_source_kind;
/* A source's kind by its name (the scheme, else the extension, case-insensitive). */
cli_source_kind cli_source_kind_of(const char *path);
/* 1 when the file name has an image extension. */
int cli_is_image_name(const char *path);

#endif

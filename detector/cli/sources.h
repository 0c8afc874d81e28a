/* sources.h - what `ghostyolo detect` accepts as sources, in the manner of ultralytics:
 *   - an image file (told apart by content, whatever its name);
 *   - a video file (asf avi gif m4v mkv mov mp4 mpeg mpg ts wmv webm), also as an http(s):// URL
 *     whose path ends so (read in order over HTTP, where ultralytics downloads it first);
 *   - a stream URL (rtsp:// rtmp:// http(s):// udp:// tcp://) or a `.streams` file of them;
 *   - a folder: its images and videos (by extension), sorted by name (byte order). Hidden entries
 *     and files of other extensions are passed over, as ultralytics' "*.*" glob does, and so are
 *     subfolders (not searched; counted for one line of the summary);
 *   - a glob pattern (quoted, so the shell left it alone): the matching images and videos, sorted;
 *   - a .txt file: one path per line, relative paths taken from the list's folder;
 *   - "-": paths read from standard input, one per line, each handled as soon as it is read.
 * A folder, pattern or list gives its images first, then its videos (ultralytics' LoadImages
 * order). Anything that is not a regular file, and what cannot be read (a webcam index, an image
 * URL), becomes an error item naming it; the caller goes on. The kinds are decided here only:
 * cli_source_kind_of. */
#ifndef GY_CLI_SOURCES_H
#define GY_CLI_SOURCES_H

#include <stdio.h>

typedef struct cli_sources cli_sources;

typedef enum cli_source_kind {
    CLI_SOURCE_IMAGE,       /* bmp dng jpeg jpg mpo pfm png tif tiff webp */
    CLI_SOURCE_VIDEO,       /* asf avi gif m4v mkv mov mp4 mpeg mpg ts wmv webm (ultralytics'
                               VID_FORMATS: a GIF is a video, every frame), or an http(s):// URL
                               of one */
    CLI_SOURCE_STREAM,      /* rtsp:// rtmp:// http:// https:// udp:// tcp:// */
    CLI_SOURCE_STREAM_LIST, /* a .streams file: streams read together */
    CLI_SOURCE_WEBCAM,      /* a webcam index ("0"): refused */
    CLI_SOURCE_URL,         /* an http(s):// URL of an image: refused */
    CLI_SOURCE_OTHER        /* any other name: an image when its content says so */
} cli_source_kind;
/* A source's kind by its name (the scheme, else the extension, case-insensitive; a URL's query
 * and fragment are not part of its name). */
cli_source_kind cli_source_kind_of(const char *path);

typedef struct cli_source_item {
    const char *path;     /* borrowed until the next call */
    const char *error;    /* NULL for a source to read; else why path cannot be read */
    cli_source_kind kind; /* IMAGE (an image, or a file whose content decides), VIDEO, STREAM or
                             STREAM_LIST; for an error item, the kind its name has */
} cli_source_item;

/* The word for a kind in the progress lines: "image", "video" or "stream". */
const char *cli_source_word(cli_source_kind kind);

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

#endif

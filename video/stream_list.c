/* stream_list.c - ultralytics' `.streams` files: the sources of a batch of streams, separated by
 * white space (LoadStreams reads them with Path.read_text().rsplit()). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "ghostyolo.h"

#define GY_STREAM_LIST_MAX_BYTES ((size_t)1 << 20)

/* Python's str.split() separators among ASCII: the C white space and the separators 0x1C-0x1F. */
static int py_space(unsigned char c) { return isspace(c) || (c >= 0x1C && c <= 0x1F); }

void gy_stream_list_free(gy_stream_list *list)
{
    if (!list)
        return;
    for (int i = 0; i < list->count; i++)
        free(list->sources[i]);
    free(list->sources);
    free(list);
}

gy_status gy_stream_list_load(const char *path, gy_stream_list **out, gy_error *err)
{
    if (!out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_stream_list_load: out is NULL");
    *out = NULL;
    if (!path)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_stream_list_load: path is NULL");
    unsigned char *text;
    size_t n;
    gy_status st = gy_read_file(path, GY_STREAM_LIST_MAX_BYTES, &text, &n, err);
    if (st != GY_OK)
        return st;
    gy_stream_list *l = calloc(1, sizeof *l);
    if (l)
        l->sources = calloc(GY_STREAM_LIST_MAX, sizeof *l->sources);
    if (!l || !l->sources) {
        free(text);
        gy_stream_list_free(l);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < n;) {
        while (i < n && py_space(text[i]))
            i++;
        size_t j = i;
        while (j < n && !py_space(text[j]) && text[j] != '\0')
            j++;
        if (j < n && text[j] == '\0') {
            st = gy_fail(err, GY_ERR_FORMAT, "%s: a NUL byte at offset %zu: not a text file", path, j);
            break;
        }
        if (j == i)
            break;
        if (l->count == GY_STREAM_LIST_MAX) {
            st = gy_fail(err, GY_ERR_UNSUPPORTED, "%s: more than the %d sources allowed", path,
                         GY_STREAM_LIST_MAX);
            break;
        }
        char *s = malloc(j - i + 1);
        if (!s) {
            st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
        memcpy(s, text + i, j - i);
        s[j - i] = '\0';
        l->sources[l->count++] = s;
        i = j;
    }
    free(text);
    if (st == GY_OK && l->count == 0)
        st = gy_fail(err, GY_ERR_FORMAT, "%s: no sources in the list", path);
    if (st != GY_OK) {
        gy_stream_list_free(l);
        return st;
    }
    *out = l;
    return GY_OK;
}

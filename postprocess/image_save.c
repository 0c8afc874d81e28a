/* image_save.c - gy_image_save: an RGB image encoded in memory by stb_image_write (JPEG quality
 * 95, PNG, BMP, picked by the path's extension as cv2.imwrite picks it) and written atomically. */
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image_write.h>

#include "core/error.h"
#include "core/util.h"

typedef enum { FMT_NONE, FMT_JPG, FMT_PNG, FMT_BMP } image_format;

/* The format named by the extension of path's last component (letter case ignored). */
static image_format format_of(const char *path, const char **ext)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    *ext = dot ? dot : "";
    if (!dot)
        return FMT_NONE;
    char low[8];
    size_t n = strlen(dot + 1);
    if (n == 0 || n >= sizeof low)
        return FMT_NONE;
    for (size_t i = 0; i <= n; i++) {
        char c = dot[1 + i];
        low[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    if (strcmp(low, "jpg") == 0 || strcmp(low, "jpeg") == 0)
        return FMT_JPG;
    if (strcmp(low, "png") == 0)
        return FMT_PNG;
    if (strcmp(low, "bmp") == 0)
        return FMT_BMP;
    return FMT_NONE;
}

/* The encoded bytes, grown as stb hands them over; failed is set when memory runs out. */
typedef struct encoded {
    unsigned char *data;
    size_t size, cap;
    int failed;
} encoded;

static void append(void *ctx, void *data, int size)
{
    encoded *e = ctx;
    if (e->failed || size <= 0)
        return;
    if ((size_t)size > e->cap - e->size) {
        size_t cap = e->cap ? e->cap : (size_t)1 << 16;
        while (cap - e->size < (size_t)size)
            cap *= 2;
        unsigned char *p = realloc(e->data, cap);
        if (!p) {
            e->failed = 1;
            return;
        }
        e->data = p;
        e->cap = cap;
    }
    memcpy(e->data + e->size, data, (size_t)size);
    e->size += (size_t)size;
}

gy_status gy_image_save(const gy_image *image, const char *path, gy_error *err)
{
    if (!image || !path || !*path)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_image_save: image and path must be given");
    if (!image->data || image->width <= 0 || image->height <= 0 ||
        (long long)image->width * image->height > GY_IMAGE_MAX_PIXELS)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: the image is empty or too large (%dx%d)", path,
                       image->width, image->height);
    const char *ext;
    image_format fmt = format_of(path, &ext);
    if (fmt == FMT_NONE)
        return gy_fail(err, GY_ERR_UNSUPPORTED,
                       "%s: cannot write images with the extension '%s' (.jpg, .jpeg, .png or .bmp)",
                       path, ext);
    encoded e = {0};
    int w = image->width, h = image->height, ok;
    if (fmt == FMT_JPG)
        ok = stbi_write_jpg_to_func(append, &e, w, h, 3, image->data, 95);
    else if (fmt == FMT_PNG)
        ok = stbi_write_png_to_func(append, &e, w, h, 3, image->data, w * 3);
    else
        ok = stbi_write_bmp_to_func(append, &e, w, h, 3, image->data);
    if (e.failed) {
        free(e.data);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory encoding a %dx%d image", path, w, h);
    }
    if (!ok || e.size == 0) {
        free(e.data);
        return gy_fail(err, GY_ERR_STATE, "%s: the encoder failed on a %dx%d image", path, w, h);
    }
    gy_status st = gy_write_file_atomic(path, e.data, e.size, err);
    free(e.data);
    return st;
}

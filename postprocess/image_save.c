/* image_save.c - gy_image_save: an RGB image encoded in memory (JPEG quality 95 and BMP by
 * stb_image_write, PNG by png_encode.c with cv2's settings; picked by the path's extension as
 * cv2.imwrite picks it) and written atomically. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image_write.h>

#include "core/error.h"
#include "core/util.h"
#include "postprocess/png_encode.h"

typedef enum { FMT_NONE, FMT_JPG, FMT_PNG, FMT_BMP } image_format;

/* a equals lower (a lower-case name) with ASCII letter case ignored. */
static int same_name(const char *a, const char *lower)
{
    for (; *lower; a++, lower++)
        if (tolower((unsigned char)*a) != *lower) /* (also where a ends first) */
            return 0;
    return *a == '\0';
}

/* The format named by the extension of path's last component. */
static image_format format_of(const char *path, const char **ext)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    *ext = dot ? dot : "";
    if (!dot)
        return FMT_NONE;
    if (same_name(dot + 1, "jpg") || same_name(dot + 1, "jpeg") || same_name(dot + 1, "jpe"))
        return FMT_JPG;
    if (same_name(dot + 1, "png"))
        return FMT_PNG;
    if (same_name(dot + 1, "bmp"))
        return FMT_BMP;
    return FMT_NONE;
}

/* stb's output callback: the encoded bytes go into a gy_strbuf (binary-safe: it keeps a length). */
static void append(void *ctx, void *data, int size)
{
    gy_strbuf_put(ctx, data, (size_t)size);
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
                       "%s: cannot write images with the extension '%s' (.jpg, .jpeg, .jpe, .png or .bmp)",
                       path, ext);
    gy_strbuf e = {0};
    int w = image->width, h = image->height, ok;
    if (fmt == FMT_PNG) {
        const gy_png_options o = gy_png_options_cv2();
        gy_status st = gy_png_encode_rgb(image->data, w, h, 3 * (size_t)w, &o, &e, path, err);
        if (st == GY_OK)
            st = gy_write_file_atomic(path, e.s, e.len, err);
        free(e.s);
        return st;
    }
    if (fmt == FMT_JPG)
        ok = stbi_write_jpg_to_func(append, &e, w, h, 3, image->data, 95);
    else
        ok = stbi_write_bmp_to_func(append, &e, w, h, 3, image->data);
    if (e.bad) {
        free(e.s);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory encoding a %dx%d image", path, w, h);
    }
    if (!ok) { /* (stb fails only on arguments checked above) */
        free(e.s);
        return gy_fail(err, GY_ERR_STATE, "%s: the encoder failed on a %dx%d image", path, w, h);
    }
    gy_status st = gy_write_file_atomic(path, e.s, e.len, err);
    free(e.s);
    return st;
}

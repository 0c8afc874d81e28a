/* webp_decode.c - libwebp decoding to RGB with the header checked first. */
#include "preprocess/webp_decode.h"

#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>

#include "core/error.h"
#include "core/util.h"

int gy_webp_is_webp(const unsigned char *data, size_t size)
{
    return size >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0;
}

static const char *status_text(VP8StatusCode s)
{
    switch (s) {
    case VP8_STATUS_OK: return "ok";
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "suspended";
    case VP8_STATUS_USER_ABORT: return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "not enough data (truncated file?)";
    }
    return "unknown error";
}

gy_status gy_webp_decode(const char *path, const unsigned char *data, size_t size,
                         long long max_pixels, unsigned char **rgb, int *width, int *height,
                         gy_error *err)
{
    *rgb = NULL;
    *width = *height = 0;
    WebPBitstreamFeatures f;
    VP8StatusCode s = WebPGetFeatures(data, size, &f);
    if (s != VP8_STATUS_OK)
        return gy_fail(err, GY_ERR_FORMAT, "%s: not a readable WebP (libwebp: %s)", path, status_text(s));
    if (f.width <= 0 || f.height <= 0)
        return gy_fail(err, GY_ERR_FORMAT, "%s: WebP has a zero dimension (%dx%d)", path, f.width,
                       f.height);
    if ((long long)f.width * f.height > max_pixels)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: %dx%d image has more than the %lld pixels allowed",
                       path, f.width, f.height, max_pixels);
    if (f.has_animation)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: animated WebP is not supported", path);
    size_t bytes, stride = (size_t)f.width * 3;
    unsigned char *out;
    if (!gy_mul_size(stride, (size_t)f.height, &bytes) || !(out = malloc(bytes)))
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory decoding a %dx%d image", path, f.width,
                       f.height);
    WebPDecoderConfig cfg;
    if (!WebPInitDecoderConfig(&cfg)) {
        free(out);
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: libwebp version mismatch", path);
    }
    cfg.output.colorspace = MODE_RGB;
    cfg.output.is_external_memory = 1;
    cfg.output.u.RGBA.rgba = out;
    cfg.output.u.RGBA.stride = (int)stride;
    cfg.output.u.RGBA.size = bytes;
    s = WebPDecode(data, size, &cfg);
    WebPFreeDecBuffer(&cfg.output);
    if (s != VP8_STATUS_OK) {
        free(out);
        return gy_fail(err, s == VP8_STATUS_OUT_OF_MEMORY ? GY_ERR_NOMEM : GY_ERR_FORMAT,
                       "%s: cannot decode WebP (libwebp: %s)", path, status_text(s));
    }
    if (cfg.output.width != f.width || cfg.output.height != f.height) {
        free(out);
        return gy_fail(err, GY_ERR_FORMAT, "%s: header says %dx%d but libwebp produced %dx%d", path,
                       f.width, f.height, cfg.output.width, cfg.output.height);
    }
    *rgb = out;
    *width = f.width;
    *height = f.height;
    return GY_OK;
}

/* jpeg_decode.c - libjpeg-turbo decoding with cv2.imread's settings (OpenCV 4.x JpegDecoder,
 * IMREAD_COLOR): the header is read, the output colour space is set to RGB (CMYK for 4-component
 * files) and every other decompression parameter keeps libjpeg's default (islow IDCT, fancy
 * upsampling, no block smoothing change). libjpeg reports errors through a setjmp error manager
 * here, never by exit(), and prints nothing. */
#include "preprocess/jpeg_decode.h"

#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE and size_t declared first */
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "core/error.h"
#include "core/util.h"

int gy_jpeg_is_jpeg(const unsigned char *data, size_t size)
{
    return size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
}

/* Everything the decoding steps share; it lives in the caller of the functions that call setjmp,
 * so its members keep their values across a longjmp. */
typedef struct jpeg_ctx {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int scans_exceeded;
    unsigned char *rgb;  /* output, malloc'd */
    unsigned char *cmyk; /* one CMYK row, malloc'd */
} jpeg_ctx;

static jpeg_ctx *ctx_of(j_common_ptr cinfo)
{
    /* cinfo is the first member of jpeg_ctx */
    return (jpeg_ctx *)(void *)cinfo;
}

static void on_error_exit(j_common_ptr cinfo)
{
    jpeg_ctx *c = ctx_of(cinfo);
    cinfo->err->format_message(cinfo, c->message);
    longjmp(c->jump, 1);
}

/* Warnings (level -1) and traces: nothing is printed. A premature end of file is an error for us;
 * libjpeg would pad the image with grey and carry on. */
static void on_emit_message(j_common_ptr cinfo, int level)
{
    if (level < 0) {
        cinfo->err->num_warnings++;
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
            jpeg_ctx *c = ctx_of(cinfo);
            cinfo->err->format_message(cinfo, c->message);
            longjmp(c->jump, 1);
        }
    }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void on_progress(j_common_ptr cinfo)
{
    jpeg_ctx *c = ctx_of(cinfo);
    if (c->cinfo.input_scan_number > GY_JPEG_MAX_SCANS) {
        c->scans_exceeded = 1;
        snprintf(c->message, sizeof c->message, "more than %d scans", GY_JPEG_MAX_SCANS);
        longjmp(c->jump, 1);
    }
}

/* Reads the header. Returns 0 after a libjpeg error (message in c->message). */
static int read_header(jpeg_ctx *c, const unsigned char *data, size_t size)
{
    if (setjmp(c->jump))
        return 0;
    jpeg_create_decompress(&c->cinfo);
    c->cinfo.progress = &c->progress;
    jpeg_mem_src(&c->cinfo, data, (unsigned long)size);
    jpeg_read_header(&c->cinfo, TRUE);
    return 1;
}

/* OpenCV's CMYK -> BGR for IMREAD_COLOR, written here for RGB: libjpeg hands Adobe's inverted
 * CMYK through unchanged, so each channel is k - (255 - v) * k / 256 (integer shift). */
static void cmyk_row_to_rgb(const unsigned char *cmyk, unsigned char *rgb, unsigned w)
{
    for (unsigned x = 0; x < w; x++, cmyk += 4, rgb += 3) {
        const int k = cmyk[3];
        rgb[0] = (unsigned char)(k - (((255 - cmyk[0]) * k) >> 8));
        rgb[1] = (unsigned char)(k - (((255 - cmyk[1]) * k) >> 8));
        rgb[2] = (unsigned char)(k - (((255 - cmyk[2]) * k) >> 8));
    }
}

/* Decompresses into c->rgb (already allocated, output_width x output_height x 3). Returns 0 after
 * a libjpeg error (message in c->message). */
static int read_pixels(jpeg_ctx *c)
{
    if (setjmp(c->jump))
        return 0;
    struct jpeg_decompress_struct *ci = &c->cinfo;
    jpeg_start_decompress(ci);
    const size_t stride = (size_t)ci->output_width * 3;
    while (ci->output_scanline < ci->output_height) {
        unsigned char *row = c->rgb + (size_t)ci->output_scanline * stride;
        if (c->cmyk) {
            JSAMPROW in = c->cmyk;
            if (jpeg_read_scanlines(ci, &in, 1) != 1)
                break;
            cmyk_row_to_rgb(c->cmyk, row, ci->output_width);
        } else {
            JSAMPROW rows[8];
            JDIMENSION n = ci->output_height - ci->output_scanline;
            if (n > 8)
                n = 8;
            for (JDIMENSION i = 0; i < n; i++)
                rows[i] = row + (size_t)i * stride;
            if (jpeg_read_scanlines(ci, rows, n) == 0)
                break;
        }
    }
    if (ci->output_scanline < ci->output_height) {
        snprintf(c->message, sizeof c->message, "decoder stopped at row %u of %u",
                 (unsigned)ci->output_scanline, (unsigned)ci->output_height);
        return 0;
    }
    jpeg_finish_decompress(ci);
    return 1;
}

gy_status gy_jpeg_decode(const char *path, const unsigned char *data, size_t size,
                         long long max_pixels, unsigned char **rgb, int *width, int *height,
                         gy_error *err)
{
    *rgb = NULL;
    *width = *height = 0;
    if (size > (size_t)0xFFFFFFFFu)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "%s: JPEG file of %zu bytes is too large", path, size);
    jpeg_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory for the JPEG decoder", path);
    c->cinfo.err = jpeg_std_error(&c->jerr);
    c->jerr.error_exit = on_error_exit;
    c->jerr.emit_message = on_emit_message;
    c->jerr.output_message = on_output_message;
    c->progress.progress_monitor = on_progress;

    gy_status st = GY_OK;
    if (!read_header(c, data, size)) {
        st = gy_fail(err, GY_ERR_FORMAT, "%s: not a readable JPEG (libjpeg: %s)", path, c->message);
        goto done;
    }
    struct jpeg_decompress_struct *ci = &c->cinfo;
    const unsigned long long w = ci->image_width, h = ci->image_height;
    if (w == 0 || h == 0) {
        st = gy_fail(err, GY_ERR_FORMAT, "%s: JPEG has a zero dimension (%llux%llu)", path, w, h);
        goto done;
    }
    if (w * h > (unsigned long long)max_pixels) {
        st = gy_fail(err, GY_ERR_UNSUPPORTED, "%s: %llux%llu image has more than the %lld pixels allowed",
                     path, w, h, max_pixels);
        goto done;
    }
    /* As OpenCV: RGB out for 1 and 3 components (grey is repeated), CMYK out for 4 (libjpeg turns
     * YCCK into CMYK itself). */
    if (ci->num_components == 4) {
        ci->out_color_space = JCS_CMYK;
        if (!(c->cmyk = malloc((size_t)w * 4))) {
            st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory for a %llu-pixel CMYK row", path, w);
            goto done;
        }
    } else {
        ci->out_color_space = JCS_RGB;
    }
    size_t bytes;
    if (!gy_mul_size((size_t)(w * h), 3, &bytes) || !(c->rgb = malloc(bytes))) {
        st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory decoding a %llux%llu image", path, w, h);
        goto done;
    }
    if (!read_pixels(c)) {
        if (c->scans_exceeded)
            st = gy_fail(err, GY_ERR_UNSUPPORTED, "%s: progressive JPEG with %s", path, c->message);
        else if (c->jerr.msg_code == JWRN_JPEG_EOF)
            st = gy_fail(err, GY_ERR_FORMAT, "%s: truncated JPEG (libjpeg: %s)", path, c->message);
        else
            st = gy_fail(err, GY_ERR_FORMAT, "%s: cannot decode JPEG (libjpeg: %s)", path, c->message);
        goto done;
    }
    const int want_components = ci->num_components == 4 ? 4 : 3;
    if (ci->output_width != w || ci->output_height != h || ci->output_components != want_components) {
        st = gy_fail(err, GY_ERR_FORMAT, "%s: header says %llux%llu but libjpeg produced %ux%u", path,
                     w, h, (unsigned)ci->output_width, (unsigned)ci->output_height);
        goto done;
    }
    *rgb = c->rgb;
    c->rgb = NULL;
    *width = (int)w;
    *height = (int)h;

done:
    jpeg_destroy_decompress(&c->cinfo);
    free(c->rgb);
    free(c->cmyk);
    free(c);
    return st;
}

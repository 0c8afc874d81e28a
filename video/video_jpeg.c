/* video_jpeg.c - the writer's Motion JPEG frames, compressed by libjpeg-turbo straight from RGB.
 *
 * cv2.VideoWriter (fourcc MJPG) converts each frame to yuvj420p with swscale and compresses it with
 * FFmpeg's mjpeg encoder; that took 3.0 ms of CPU a 640x480 frame here, 10 % of a core beside
 * inference. libjpeg-turbo's SIMD colour conversion, 2x2 chroma averaging and islow DCT take about
 * half of it (1.5 ms). The frames are the same kind (baseline JFIF, full-range BT.601 YCbCr, 4:2:0,
 * standard Huffman tables), so the file is what a Motion JPEG AVI reader expects; the bytes differ
 * from cv2's. Quality GY_VJPEG_QUALITY = 90 reads back at least as close to the input as cv2's
 * file does (tests/test_video_writer.c measures both: PSNR 38.46 against 37.65 dB on its clip), in
 * files 1.35 times as large.
 * libjpeg's errors come back through a setjmp error manager (never exit()); the output goes to
 * a buffer kept from frame to frame that grows by realloc. */
#include "video/video_jpeg.h"

#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE and size_t declared first */
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

struct gy_vjpeg {
    struct jpeg_compress_struct c; /* first: the callbacks find the encoder from it */
    struct jpeg_error_mgr jerr;
    struct jpeg_destination_mgr dest;
    jmp_buf jump;
    int width, height, quality;
    unsigned char *buf; /* the current frame's bytes */
    size_t cap;
};

static gy_vjpeg *of(j_common_ptr c)
{
    return (gy_vjpeg *)(void *)c;
}

static void on_error_exit(j_common_ptr c)
{
    longjmp(of(c)->jump, 1);
}

static void on_emit_message(j_common_ptr c, int level)
{
    (void)c;
    (void)level; /* compression has no warnings worth a word; nothing is printed */
}

static void dest_init(j_compress_ptr c)
{
    gy_vjpeg *j = of((j_common_ptr)c);
    j->dest.next_output_byte = j->buf;
    j->dest.free_in_buffer = j->cap;
}

/* The buffer is full: twice the size, the bytes kept. */
static boolean dest_grow(j_compress_ptr c)
{
    gy_vjpeg *j = of((j_common_ptr)c);
    unsigned char *b = realloc(j->buf, j->cap * 2);
    if (!b)
        ERREXIT(c, JERR_OUT_OF_MEMORY);
    j->dest.next_output_byte = b + j->cap;
    j->dest.free_in_buffer = j->cap;
    j->buf = b;
    j->cap *= 2;
    return TRUE;
}

static void dest_term(j_compress_ptr c)
{
    (void)c;
}

/* libjpeg's compressor set up in j; -1 when it runs out of memory. */
static int create(gy_vjpeg *j)
{
    j->c.err = jpeg_std_error(&j->jerr);
    j->jerr.error_exit = on_error_exit;
    j->jerr.emit_message = on_emit_message;
    if (setjmp(j->jump)) {
        jpeg_destroy_compress(&j->c);
        return -1;
    }
    jpeg_create_compress(&j->c);
    j->dest.init_destination = dest_init;
    j->dest.empty_output_buffer = dest_grow;
    j->dest.term_destination = dest_term;
    j->c.dest = &j->dest;
    return 0;
}

gy_vjpeg *gy_vjpeg_new(int width, int height, int quality)
{
    gy_vjpeg *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->width = width;
    j->height = height;
    j->quality = quality;
    /* a quality-90 frame of a real scene takes about 0.35 bytes a pixel; noise grows it */
    j->cap = (size_t)width * height + 4096;
    j->buf = malloc(j->cap);
    if (!j->buf || create(j) != 0) {
        free(j->buf);
        free(j);
        return NULL;
    }
    return j;
}

int gy_vjpeg_encode(gy_vjpeg *j, const unsigned char *rgb, size_t stride, const unsigned char **data,
                    size_t *size, char *msg, size_t msg_size)
{
    struct jpeg_compress_struct *c = &j->c;
    if (setjmp(j->jump)) {
        char m[JMSG_LENGTH_MAX];
        j->jerr.format_message((j_common_ptr)c, m);
        snprintf(msg, msg_size, "%s", m);
        jpeg_abort_compress(c);
        return -1;
    }
    c->image_width = (JDIMENSION)j->width;
    c->image_height = (JDIMENSION)j->height;
    c->input_components = 3;
    c->in_color_space = JCS_RGB;
    jpeg_set_defaults(c); /* YCbCr 4:2:0, islow DCT, standard Huffman tables, JFIF marker */
    jpeg_set_quality(c, j->quality, TRUE);
    jpeg_start_compress(c, TRUE);
    while (c->next_scanline < c->image_height) { /* 16 rows: one band of 4:2:0 blocks */
        JSAMPROW rows[16];
        JDIMENSION n = c->image_height - c->next_scanline;
        n = n < 16 ? n : 16;
        for (JDIMENSION i = 0; i < n; i++)
            rows[i] = (JSAMPROW)(rgb + (size_t)(c->next_scanline + i) * stride);
        jpeg_write_scanlines(c, rows, n);
    }
    jpeg_finish_compress(c);
    *data = j->buf;
    *size = j->cap - j->dest.free_in_buffer;
    return 0;
}

void gy_vjpeg_free(gy_vjpeg *j)
{
    if (!j)
        return;
    jpeg_destroy_compress(&j->c);
    free(j->buf);
    free(j);
}

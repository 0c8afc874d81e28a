/* test_video_convert.c - the colour conversion of decoded pictures (video/video_convert.c) on
 * pictures built in memory: RGB24 comes back byte for byte (swscale's RGB24 -> BGR24 is exact and
 * the conversion swaps back), flat YUV 4:2:0 gives the flat colour of swscale's limited-range
 * BT.601, one converter keeps up with a picture whose format or size changes between frames,
 * a coded size larger than the picture (codec alignment) leaves its pixels as they are, and each
 * quarter turn moves the corner pixels where cv::rotate puts them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>

#include "testutil.h"
#include "video/video_convert.h"

/* A w x h picture of the format, its buffers allocated (rows aligned to 32). */
static AVFrame *new_frame(enum AVPixelFormat fmt, int w, int h)
{
    AVFrame *f = av_frame_alloc();
    ck_assert_ptr_nonnull(f);
    f->format = fmt;
    f->width = w;
    f->height = h;
    ck_assert_int_eq(av_frame_get_buffer(f, 32), 0);
    return f;
}

/* A w x h RGB24 picture whose pixel (x, y) is (x * 16 + 1, y * 16 + 2, x + y + 3). */
static AVFrame *rgb_picture(int w, int h)
{
    AVFrame *f = new_frame(AV_PIX_FMT_RGB24, w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *p = f->data[0] + (size_t)y * f->linesize[0] + (size_t)x * 3;
            p[0] = (unsigned char)(x * 16 + 1);
            p[1] = (unsigned char)(y * 16 + 2);
            p[2] = (unsigned char)(x + y + 3);
        }
    return f;
}

static AVFrame *flat_yuv(int w, int h, int Y, int U, int V)
{
    AVFrame *f = new_frame(AV_PIX_FMT_YUV420P, w, h);
    for (int y = 0; y < h; y++)
        memset(f->data[0] + (size_t)y * f->linesize[0], Y, (size_t)w);
    for (int y = 0; y < (h + 1) / 2; y++) {
        memset(f->data[1] + (size_t)y * f->linesize[1], U, (size_t)(w + 1) / 2);
        memset(f->data[2] + (size_t)y * f->linesize[2], V, (size_t)(w + 1) / 2);
    }
    return f;
}

typedef struct conv_out {
    unsigned char *buf;
    size_t cap;
    int w, h;
} conv_out;

static void convert(gy_vconv *c, const AVFrame *pic, const AVCodecContext *dec, int rot,
                    conv_out *o)
{
    gy_error err;
    ck_assert_msg(gy_vconv_run(c, pic, dec, rot, &o->buf, &o->cap, &o->w, &o->h, "mem.mp4", 1, &err) ==
                      GY_OK,
                  "%s", err.message);
}

static void expect_rgb_identity(const conv_out *o, int w, int h)
{
    ck_assert_int_eq(o->w, w);
    ck_assert_int_eq(o->h, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const unsigned char *p = o->buf + ((size_t)y * w + x) * 3;
            ck_assert_msg(p[0] == (unsigned char)(x * 16 + 1) && p[1] == (unsigned char)(y * 16 + 2) &&
                              p[2] == (unsigned char)(x + y + 3),
                          "pixel (%d, %d) = %d %d %d", x, y, p[0], p[1], p[2]);
        }
}

/* flat grey (Y 126, U = V = 128, limited range) is 128 on every channel of every pixel, +-1 */
static void expect_flat(const conv_out *o, int w, int h, int want)
{
    ck_assert_int_eq(o->w, w);
    ck_assert_int_eq(o->h, h);
    for (size_t i = 0; i < (size_t)w * h * 3; i++)
        ck_assert_msg(abs(o->buf[i] - want) <= 1, "byte %zu = %d, want %d", i, o->buf[i], want);
}

START_TEST(formats_and_sizes_change)
{
    AVCodecContext dec;
    memset(&dec, 0, sizeof dec);
    gy_vconv c;
    memset(&c, 0, sizeof c);
    conv_out o = {NULL, 0, 0, 0};
    AVFrame *rgb = rgb_picture(12, 10), *yuv = flat_yuv(12, 10, 126, 128, 128);
    AVFrame *rgb2 = rgb_picture(16, 10), *yuv2 = flat_yuv(12, 14, 126, 128, 128);
    /* the converter made for one format must not convert the next picture of another one */
    convert(&c, rgb, &dec, 0, &o);
    expect_rgb_identity(&o, 12, 10);
    convert(&c, yuv, &dec, 0, &o);
    expect_flat(&o, 12, 10, 128);
    convert(&c, rgb, &dec, 0, &o);
    expect_rgb_identity(&o, 12, 10);
    /* nor one made for a size the next picture has not: the width alone changes, then the
     * height alone */
    convert(&c, rgb2, &dec, 0, &o);
    expect_rgb_identity(&o, 16, 10);
    convert(&c, rgb, &dec, 0, &o);
    expect_rgb_identity(&o, 12, 10);
    convert(&c, yuv, &dec, 0, &o);
    convert(&c, yuv2, &dec, 0, &o);
    expect_flat(&o, 12, 14, 128);
    AVFrame *rgb3 = rgb_picture(12, 14);
    convert(&c, rgb3, &dec, 0, &o);
    expect_rgb_identity(&o, 12, 14);
    av_frame_free(&rgb3);
    /* a coded size a little larger than the picture (codec alignment) is converted at that
     * size and cut: the visible pixels are the same */
    dec.coded_width = 16;
    dec.coded_height = 16;
    convert(&c, rgb, &dec, 0, &o);
    expect_rgb_identity(&o, 12, 10);
    gy_vconv_free(&c);
    av_frame_free(&rgb);
    av_frame_free(&yuv);
    av_frame_free(&rgb2);
    av_frame_free(&yuv2);
    free(o.buf);
}
END_TEST

/* cv::rotate: 90 clockwise puts the picture's bottom-left pixel at the top left; 180 the
 * bottom-right; 270 (counter-clockwise) the top-right; and the sides swap for 90 and 270 */
START_TEST(quarter_turns)
{
    AVCodecContext dec;
    memset(&dec, 0, sizeof dec);
    gy_vconv c;
    memset(&c, 0, sizeof c);
    conv_out o = {NULL, 0, 0, 0};
    const int w = 5, h = 3;
    AVFrame *rgb = rgb_picture(w, h);
    static const int rots[4] = {0, 90, 180, 270};
    /* the source pixel that lands at the output's top-left and top-right corners */
    static const int tl[4][2] = {{0, 0}, {0, 2}, {4, 2}, {4, 0}};
    static const int tr[4][2] = {{4, 0}, {0, 0}, {0, 2}, {4, 2}};
    for (int k = 0; k < 4; k++) {
        convert(&c, rgb, &dec, rots[k], &o);
        int ow = rots[k] % 180 ? h : w, oh = rots[k] % 180 ? w : h;
        ck_assert_int_eq(o.w, ow);
        ck_assert_int_eq(o.h, oh);
        const unsigned char *a = o.buf, *b = o.buf + (size_t)(ow - 1) * 3;
        ck_assert_msg(a[0] == tl[k][0] * 16 + 1 && a[1] == tl[k][1] * 16 + 2,
                      "rotation %d: top-left from (%d, %d)", rots[k], (a[0] - 1) / 16, (a[1] - 2) / 16);
        ck_assert_msg(b[0] == tr[k][0] * 16 + 1 && b[1] == tr[k][1] * 16 + 2,
                      "rotation %d: top-right from (%d, %d)", rots[k], (b[0] - 1) / 16, (b[1] - 2) / 16);
    }
    gy_vconv_free(&c);
    av_frame_free(&rgb);
    free(o.buf);
}
END_TEST

static Suite *video_convert_suite(void)
{
    Suite *s = suite_create("video_convert");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, formats_and_sizes_change);
    tcase_add_test(tc, quarter_turns);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(video_convert_suite()); }

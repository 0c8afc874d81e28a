/* test_jpeg.c - JPEG decoding as cv2.imread decodes it: the cv2 decodes in
 * ../shared/reference/jpeg/ and ../shared/reference/resize/bus_decoded_cv2_bgr.u8 byte for byte,
 * CMYK and YCCK as OpenCV converts them, and the refusals (pixel cap from the header, truncated
 * and broken files). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>

#include "testutil.h"

static void temp_path(char *buf, size_t n, const char *suffix)
{
    static int counter;
    snprintf(buf, n, "/tmp/gy_test_jpeg_%d_%d%s", (int)getpid(), counter++, suffix);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_msg(n == 0 || fwrite(data, 1, n, f) == n, "cannot write %s", path);
    ck_assert_int_eq(fclose(f), 0);
}

/* Loads jpeg_path and compares it with the cv2 decode (HWC BGR) in decoded_path, byte for byte. */
static void compare_with_cv2(const char *jpeg_path, const char *decoded_path, int h, int w)
{
    gy_image *img = NULL;
    gy_error err;
    ck_assert_msg(gy_image_load(jpeg_path, &img, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(img->width, w);
    ck_assert_int_eq(img->height, h);
    size_t n;
    unsigned char *bgr = gy_test_read(decoded_path, &n);
    ck_assert_msg(n == (size_t)w * (size_t)h * 3, "%s: %zu bytes, expected %dx%dx3", decoded_path,
                  n, h, w);
    size_t ndiff = 0;
    int maxd = 0;
    for (size_t p = 0; p < n / 3; p++)
        for (int c = 0; c < 3; c++) {
            int d = abs((int)img->data[p * 3 + c] - (int)bgr[p * 3 + 2 - c]);
            ndiff += d != 0;
            maxd = d > maxd ? d : maxd;
        }
    printf("%s: %dx%d, %zu of %zu bytes differ from cv2.imread (max %d)\n", jpeg_path, w, h, ndiff,
           n, maxd);
    ck_assert_msg(ndiff == 0, "%s: %zu bytes differ from cv2 (max abs diff %d)", jpeg_path, ndiff,
                  maxd);
    free(bgr);
    gy_image_free(img);
}

/* The three files of reference/jpeg/index.json (grey, 4:4:4, progressive 4:2:0 odd width). */
START_TEST(test_reference_jpegs)
{
    cJSON *index = NULL;
    {
        char *text = (char *)gy_test_read(gy_test_shared("reference/jpeg/index.json"), NULL);
        index = cJSON_Parse(text);
        free(text);
    }
    ck_assert_msg(index != NULL, "reference/jpeg/index.json does not parse");
    const cJSON *cases = cJSON_GetObjectItem(index, "cases");
    ck_assert_int_eq(cJSON_GetArraySize(cases), 3);
    for (int i = 0; i < 3; i++) {
        const cJSON *c = cJSON_GetArrayItem(cases, i);
        char jrel[256], drel[256];
        snprintf(jrel, sizeof jrel, "reference/jpeg/%s", cJSON_GetObjectItem(c, "jpeg")->valuestring);
        snprintf(drel, sizeof drel, "reference/jpeg/%s", cJSON_GetObjectItem(c, "decoded")->valuestring);
        const cJSON *hwc = cJSON_GetObjectItem(c, "hwc");
        char jpath[1024];
        snprintf(jpath, sizeof jpath, "%s", gy_test_shared(jrel));
        compare_with_cv2(jpath, gy_test_shared(drel), cJSON_GetArrayItem(hwc, 0)->valueint,
                         cJSON_GetArrayItem(hwc, 1)->valueint);
    }
    cJSON_Delete(index);
}
END_TEST

/* bus.jpg: 4:2:0 baseline, the image of the detection references. */
START_TEST(test_bus_jpeg)
{
    char jpath[1024];
    snprintf(jpath, sizeof jpath, "%s", gy_test_shared("images/bus.jpg"));
    compare_with_cv2(jpath, gy_test_shared("reference/resize/bus_decoded_cv2_bgr.u8"), 1080, 810);
}
END_TEST

/* A 16x16 4-component JPEG (quality 100, no subsampling) of four constant 8x8 blocks, written
 * with libjpeg as CMYK or YCCK (libjpeg adds the Adobe marker). Constant blocks survive the DCT
 * exactly at quality 100. */
static unsigned char *write_cmyk_jpeg(const unsigned char block[4][4], J_COLOR_SPACE space,
                                      unsigned long *size)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    *size = 0;
    jpeg_mem_dest(&c, &out, size);
    c.image_width = 16;
    c.image_height = 16;
    c.input_components = 4;
    c.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_colorspace(&c, space);
    jpeg_set_quality(&c, 100, TRUE);
    for (int k = 0; k < c.num_components; k++)
        c.comp_info[k].h_samp_factor = c.comp_info[k].v_samp_factor = 1;
    jpeg_start_compress(&c, TRUE);
    unsigned char row[16 * 4];
    for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++)
            memcpy(row + 4 * x, block[(y / 8) * 2 + x / 8], 4);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    return out;
}

/* OpenCV's inverted-CMYK rule, per channel: k - (255 - v) * k >> 8 (R from C, G from M, B from Y). */
static int cv2_channel(int v, int k) { return k - (((255 - v) * k) >> 8); }

static void check_cmyk(J_COLOR_SPACE space, int tolerance)
{
    static const unsigned char block[4][4] = {
        {255, 255, 255, 255}, /* white in Adobe's inverted CMYK */
        {0, 0, 0, 255},       /* cv2 gives 1, not 0 */
        {200, 100, 50, 255},
        {200, 100, 50, 128},
    };
    unsigned long size;
    unsigned char *jpg = write_cmyk_jpeg(block, space, &size);
    char path[256];
    temp_path(path, sizeof path, ".jpg");
    write_file(path, jpg, size);
    free(jpg);
    gy_image *img;
    gy_error err;
    ck_assert_msg(gy_image_load(path, &img, &err) == GY_OK, "%s", err.message);
    remove(path);
    ck_assert_int_eq(img->width, 16);
    ck_assert_int_eq(img->height, 16);
    for (int b = 0; b < 4; b++)
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++) {
                const size_t row = (size_t)(b / 2) * 8 + (size_t)y;
                const size_t col = (size_t)(b % 2) * 8 + (size_t)x;
                const unsigned char *px = img->data + (row * 16 + col) * 3;
                for (int ch = 0; ch < 3; ch++) {
                    int want = cv2_channel(block[b][ch], block[b][3]);
                    ck_assert_msg(abs(px[ch] - want) <= tolerance,
                                  "block %d (%d,%d) channel %d: %d, expected %d", b, x, y, ch,
                                  px[ch], want);
                }
            }
    /* the literal values of the first blocks, worked out by hand */
    ck_assert_int_le(abs(img->data[0] - 255), tolerance);
    ck_assert_int_le(abs(img->data[8 * 3] - 1), tolerance);
    ck_assert_int_le(abs(img->data[(8 * 16) * 3] - 201), tolerance);     /* 255 - (55 * 255 >> 8) */
    ck_assert_int_le(abs(img->data[(8 * 16 + 8) * 3 + 2] - 26), tolerance); /* 128 - (205 * 128 >> 8) */
    gy_image_free(img);
}

START_TEST(test_cmyk) { check_cmyk(JCS_CMYK, 0); }
END_TEST

/* YCCK goes through libjpeg's RGB<->YCC conversion of the CMY part: a rounding step each way. */
START_TEST(test_ycck) { check_cmyk(JCS_YCCK, 2); }
END_TEST

/* bus.jpg with its SOF0 size patched: refused from the header alone, before any decoding. */
START_TEST(test_pixel_cap_from_header)
{
    size_t n;
    unsigned char *jpg = gy_test_read(gy_test_shared("images/bus.jpg"), &n);
    size_t sof = 0;
    for (size_t i = 2; i + 9 < n; i++)
        if (jpg[i] == 0xFF && jpg[i + 1] == 0xC0) {
            sof = i;
            break;
        }
    ck_assert_msg(sof != 0, "bus.jpg has no SOF0 marker");
    ck_assert_int_eq(jpg[sof + 5] << 8 | jpg[sof + 6], 1080);
    /* 8193 x 8192 is one row over the 8192 x 8192 cap */
    jpg[sof + 5] = 8192 >> 8;
    jpg[sof + 6] = 8192 & 0xFF;
    jpg[sof + 7] = 8193 >> 8;
    jpg[sof + 8] = 8193 & 0xFF;
    ck_assert_int_eq(GY_IMAGE_MAX_PIXELS, 8192LL * 8192);
    char path[256];
    temp_path(path, sizeof path, ".jpg");
    write_file(path, jpg, n);
    gy_image *img = (gy_image *)&img;
    gy_error err;
    ck_assert_int_eq(gy_image_load(path, &img, &err), GY_ERR_UNSUPPORTED);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "8193x8192"));
    ck_assert_ptr_nonnull(strstr(err.message, "67108864"));
    remove(path);
    free(jpg);
}
END_TEST

START_TEST(test_broken_jpegs)
{
    size_t n;
    unsigned char *jpg = gy_test_read(gy_test_shared("images/bus.jpg"), &n);
    char path[256];
    gy_image *img = (gy_image *)&img;
    gy_error err;

    /* cut in the middle of the scan: libjpeg would pad with grey; we refuse */
    temp_path(path, sizeof path, ".jpg");
    write_file(path, jpg, n * 6 / 10);
    ck_assert_int_eq(gy_image_load(path, &img, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_msg(strstr(err.message, "truncated") != NULL, "%s", err.message);
    remove(path);

    /* cut inside the header */
    temp_path(path, sizeof path, ".jpg");
    write_file(path, jpg, 100);
    ck_assert_int_eq(gy_image_load(path, &img, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_msg(strstr(err.message, "libjpeg") != NULL, "%s", err.message);
    remove(path);

    /* the JPEG signature followed by text */
    static const char junk[] = "\xFF\xD8\xFFthis is not a JPEG at all";
    temp_path(path, sizeof path, ".jpg");
    write_file(path, junk, sizeof junk - 1);
    ck_assert_int_eq(gy_image_load(path, &img, &err), GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    remove(path);

    /* every scan byte flipped: an error or an image, never a crash (ASan watches) */
    for (size_t i = n / 3; i < n - 2; i += 97)
        jpg[i] ^= 0x5A;
    temp_path(path, sizeof path, ".jpg");
    write_file(path, jpg, n);
    if (gy_image_load(path, &img, &err) == GY_OK) {
        ck_assert_int_eq(img->width, 810);
        gy_image_free(img);
    } else {
        ck_assert_ptr_nonnull(strstr(err.message, path));
    }
    remove(path);
    free(jpg);
}
END_TEST

/* A valid progressive 8x8 JPEG with 1137 scans (each AC coefficient of each component in its own
 * scan, first pass at Al = 5 and five refinements) is refused: more than GY_JPEG_MAX_SCANS (1000);
 * the same image with 10 scans (libjpeg's simple progression) decodes. */
static unsigned char *write_progressive(int many_scans, unsigned long *size, int *nscans)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    *size = 0;
    jpeg_mem_dest(&c, &out, size);
    c.image_width = 8;
    c.image_height = 8;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 100, TRUE);
    static jpeg_scan_info scans[3 + 63 * 3 * 6];
    if (many_scans) {
        int n = 0;
        for (int k = 0; k < 3; k++)
            scans[n++] = (jpeg_scan_info){1, {k, 0, 0, 0}, 0, 0, 0, 0};
        for (int s = 1; s <= 63; s++)
            for (int k = 0; k < 3; k++)
                for (int ah = 0; ah <= 5; ah++) /* Al 5, then refinements Ah 5..1 -> Al Ah-1 */
                    scans[n++] = ah == 0 ? (jpeg_scan_info){1, {k, 0, 0, 0}, s, s, 0, 5}
                                         : (jpeg_scan_info){1, {k, 0, 0, 0}, s, s, 6 - ah, 5 - ah};
        c.scan_info = scans;
        c.num_scans = n;
    } else {
        jpeg_simple_progression(&c);
    }
    *nscans = c.num_scans;
    jpeg_start_compress(&c, TRUE);
    unsigned char row[8 * 3];
    for (int y = 0; y < 8; y++) {
        for (int i = 0; i < 24; i++)
            row[i] = (unsigned char)(y * 29 + i * 7);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    return out;
}

START_TEST(test_scan_limit)
{
    for (int many = 0; many <= 1; many++) {
        unsigned long size;
        int nscans;
        unsigned char *jpg = write_progressive(many, &size, &nscans);
        ck_assert_int_eq(nscans, many ? 1137 : 10);
        char path[256];
        temp_path(path, sizeof path, ".jpg");
        write_file(path, jpg, size);
        free(jpg);
        gy_image *img = NULL;
        gy_error err;
        gy_status st = gy_image_load(path, &img, &err);
        remove(path);
        if (!many) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            ck_assert_int_eq(img->width, 8);
            gy_image_free(img);
        } else {
            ck_assert_int_eq(st, GY_ERR_UNSUPPORTED);
            ck_assert_ptr_nonnull(strstr(err.message, path));
            ck_assert_msg(strstr(err.message, "more than 1000 scans") != NULL, "%s", err.message);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jpeg");
    TCase *tc = tcase_create("cv2");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_reference_jpegs);
    tcase_add_test(tc, test_bus_jpeg);
    tcase_add_test(tc, test_cmyk);
    tcase_add_test(tc, test_ycck);
    tcase_add_test(tc, test_pixel_cap_from_header);
    tcase_add_test(tc, test_broken_jpegs);
    tcase_add_test(tc, test_scan_limit);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

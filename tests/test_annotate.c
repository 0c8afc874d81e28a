/* test_annotate.c - the public drawing and saving calls: gy_annotate draws exactly what the
 * internal drawing draws with the matching options and the given class names, refuses each bad
 * argument alone (leaving the image untouched), and gy_image_save writes PNG and BMP that decode
 * back to the same pixels, JPEG close to them, picks the format by extension, refuses the others
 * and leaves no file behind when it fails. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postprocess/draw.h"
#include "testutil.h"

static gy_image *pattern(int w, int h)
{
    gy_image *img = malloc(sizeof *img);
    ck_assert_ptr_nonnull(img);
    img->width = w;
    img->height = h;
    img->data = malloc((size_t)w * (size_t)h * 3);
    ck_assert_ptr_nonnull(img->data);
    for (size_t i = 0; i < (size_t)w * (size_t)h * 3; i++)
        img->data[i] = (unsigned char)(i * 31 + i / 977);
    return img;
}

static gy_image *copy_of(const gy_image *src)
{
    gy_image *img = pattern(src->width, src->height);
    memcpy(img->data, src->data, (size_t)src->width * (size_t)src->height * 3);
    return img;
}

static void image_del(gy_image *img)
{
    free(img->data);
    free(img);
}

static int same_pixels(const gy_image *a, const gy_image *b)
{
    return a->width == b->width && a->height == b->height &&
           memcmp(a->data, b->data, (size_t)a->width * (size_t)a->height * 3) == 0;
}

static gy_model *load_v8n(void)
{
    gy_model *m = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(NULL, gy_test_shared("weights/yolov8n.safetensors"), NULL, &m,
                                &err) == GY_OK, "%s", err.message);
    return m;
}

static const char *model_names(const void *ctx, int id)
{
    return gy_model_class_name(ctx, id);
}

static const char *fixed_name(const void *ctx, int id)
{
    (void)id;
    return ctx;
}

/* a bus, two persons and a class id the model does not have (its label is the id) */
static gy_box BOXES[] = {
    {30.5f, 40.2f, 300.9f, 200.1f, 0.87f, 5},
    {10.0f, 3.0f, 90.0f, 230.0f, 0.61f, 0},
    {200.0f, 100.0f, 310.0f, 220.0f, 0.3f, 0},
    {150.0f, 150.0f, 180.0f, 170.0f, 0.5f, 91},
};

START_TEST(annotate_draws_as_the_drawing_code)
{
    gy_model *m = load_v8n();
    const char *names[80];
    for (int i = 0; i < 80; i++)
        names[i] = gy_model_class_name(m, i);
    ck_assert_str_eq(names[5], "bus");
    gy_detections dets = {4, BOXES, 0, 0, {0, 0, 0}};
    gy_error err;
    gy_annotate_params d = gy_annotate_default_params();
    ck_assert_int_eq(d.line_width, 0);
    ck_assert_int_eq(d.labels, 1);
    ck_assert_int_eq(d.conf, 1);
    gy_image *base = pattern(320, 240);
    /* defaults, then each parameter changed alone, against the options they stand for */
    struct {
        gy_annotate_params p;
        gy_draw_options o;
    } cases[] = {
        {d, {0, 0, 0}},
        {{5, 1, 1}, {5, 0, 0}},
        {{1, 1, 1}, {1, 0, 0}},
        {{GY_ANNOTATE_LINE_MAX, 1, 1}, {GY_ANNOTATE_LINE_MAX, 0, 0}},
        {{0, 0, 1}, {0, 1, 0}},
        {{0, 1, 0}, {0, 0, 1}},
    };
    gy_image *previous = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_image *got = copy_of(base), *want = copy_of(base);
        ck_assert_msg(gy_annotate(got, &dets, names, 80, &cases[i].p, &err) == GY_OK, "%s",
                      err.message);
        gy_draw_detections_opts(want, BOXES, 4, model_names, m, &cases[i].o);
        ck_assert_msg(same_pixels(got, want), "case %zu differs from the drawing code", i);
        ck_assert_msg(!same_pixels(got, base), "case %zu drew nothing", i);
        if (previous) /* each case draws something different from the defaults */
            ck_assert_msg(!same_pixels(got, previous), "case %zu draws as the defaults", i);
        else
            previous = copy_of(got);
        image_del(got);
        image_del(want);
    }
    /* NULL params are the defaults; the names are the ones given ("bus 0.87", not "5 0.87") */
    gy_image *got = copy_of(base), *ids = copy_of(base);
    ck_assert_int_eq(gy_annotate(got, &dets, names, 80, NULL, &err), GY_OK);
    ck_assert(same_pixels(got, previous));
    gy_draw_detections_opts(ids, BOXES, 4, NULL, NULL, NULL);
    ck_assert(!same_pixels(got, ids));
    /* without names, with no entries, or NULL entries, the labels are the class ids */
    const char *none_named[80] = {0};
    const char *const *tables[] = {NULL, names, none_named};
    const int counts[] = {80, 0, 80};
    for (int i = 0; i < 3; i++) {
        image_del(got);
        got = copy_of(base);
        ck_assert_int_eq(gy_annotate(got, &dets, tables[i], counts[i], NULL, &err), GY_OK);
        ck_assert_msg(same_pixels(got, ids), "table %d: labels are not the ids", i);
    }
    /* the array's last entry is used, the one past it is not: 6 names label the bus (id 5),
     * 5 names do not */
    gy_detections bus = {1, BOXES, 0, 0, {0, 0, 0}};
    gy_image *bus_named = copy_of(base), *bus_id = copy_of(base);
    gy_draw_detections_opts(bus_named, BOXES, 1, fixed_name, "bus", NULL);
    gy_draw_detections_opts(bus_id, BOXES, 1, NULL, NULL, NULL);
    for (int n = 5; n <= 6; n++) {
        image_del(got);
        got = copy_of(base);
        ck_assert_int_eq(gy_annotate(got, &bus, names, n, NULL, &err), GY_OK);
        ck_assert_msg(same_pixels(got, n == 6 ? bus_named : bus_id), "%d names", n);
    }
    /* no boxes: nothing drawn, and the box array may then be NULL */
    gy_detections none = {0, NULL, 0, 0, {0, 0, 0}};
    image_del(got);
    got = copy_of(base);
    ck_assert_int_eq(gy_annotate(got, &none, names, 80, NULL, &err), GY_OK);
    ck_assert(same_pixels(got, base));
    image_del(got);
    image_del(bus_named);
    image_del(bus_id);
    image_del(ids);
    image_del(previous);
    image_del(base);
    gy_model_free(m);
}
END_TEST

START_TEST(annotate_arguments)
{
    gy_error err;
    gy_image *img = pattern(64, 48), *orig = copy_of(img);
    gy_detections dets = {1, BOXES, 0, 0, {0, 0, 0}};
    gy_annotate_params p = gy_annotate_default_params();
    ck_assert_int_eq(gy_annotate(NULL, &dets, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "must not be NULL"));
    ck_assert_int_eq(gy_annotate(img, NULL, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "must not be NULL"));
    /* the image: data, each side, the pixel limit */
    gy_image bad = *img;
    bad.data = NULL;
    ck_assert_int_eq(gy_annotate(&bad, &dets, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "empty or too large (64x48)"));
    static const int sizes[][2] = {{0, 48}, {64, 0}, {-1, 48}, {64, -1}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bad = *img;
        bad.width = sizes[i][0];
        bad.height = sizes[i][1];
        ck_assert_int_eq(gy_annotate(&bad, &dets, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(err.message, "empty or too large"));
    }
    /* at the limit (no boxes, so the pixels are never touched) and one past it */
    gy_detections none = {0, NULL, 0, 0, {0, 0, 0}};
    bad = *img;
    bad.width = (int)GY_IMAGE_MAX_PIXELS;
    bad.height = 1;
    ck_assert_int_eq(gy_annotate(&bad, &none, NULL, 0, &p, &err), GY_OK);
    bad.width = (int)GY_IMAGE_MAX_PIXELS + 1;
    ck_assert_int_eq(gy_annotate(&bad, &none, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "too large"));
    bad.width = (int)(GY_IMAGE_MAX_PIXELS / 2) + 1;
    bad.height = 2;
    ck_assert_int_eq(gy_annotate(&bad, &none, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
    /* the names' count */
    ck_assert_int_eq(gy_annotate(img, &dets, NULL, -1, &p, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "num_names is -1"));
    /* the boxes */
    gy_detections d2 = {-1, BOXES, 0, 0, {0, 0, 0}};
    ck_assert_int_eq(gy_annotate(img, &d2, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "-1 boxes"));
    d2 = (gy_detections){1, NULL, 0, 0, {0, 0, 0}};
    ck_assert_int_eq(gy_annotate(img, &d2, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "1 boxes and no box array"));
    /* line_width: 0 .. GY_ANNOTATE_LINE_MAX */
    p.line_width = -1;
    ck_assert_int_eq(gy_annotate(img, &dets, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "line_width must be 0 (automatic) or 1 .. 1000, got -1"));
    p.line_width = GY_ANNOTATE_LINE_MAX + 1;
    ck_assert_int_eq(gy_annotate(img, &dets, NULL, 0, &p, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "got 1001"));
    ck_assert_msg(same_pixels(img, orig), "a refused call drew");
    p.line_width = GY_ANNOTATE_LINE_MAX;
    ck_assert_int_eq(gy_annotate(img, &dets, NULL, 0, &p, &err), GY_OK);
    ck_assert(!same_pixels(img, orig));
    image_del(img);
    image_del(orig);
}
END_TEST

static char dir[64];

static const char *in_dir(const char *name)
{
    static char buf[4][160];
    static int slot;
    char *b = buf[slot++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Nothing but the listed names in the folder (no temporary file left behind). */
static int files_in_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    int n = -1;
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

START_TEST(save_round_trip)
{
    gy_error err;
    gy_image *img = pattern(37, 23);
    /* lossless: PNG and BMP decode to the same pixels, whatever the letter case */
    static const char *lossless[] = {"a.png", "b.bmp", "c.PNG", "d.Bmp"};
    for (size_t i = 0; i < 4; i++) {
        const char *path = in_dir(lossless[i]);
        ck_assert_msg(gy_image_save(img, path, &err) == GY_OK, "%s", err.message);
        gy_image *back = NULL;
        ck_assert_msg(gy_image_load(path, &back, &err) == GY_OK, "%s", err.message);
        ck_assert_msg(same_pixels(back, img), "%s does not decode to the pixels saved", path);
        gy_image_free(back);
    }
    /* the PNG signature and BMP's "BM" name the format the extension asked for */
    size_t n;
    unsigned char *png = gy_test_read(in_dir("c.PNG"), &n);
    ck_assert(n > 8 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
    free(png);
    unsigned char *bmp = gy_test_read(in_dir("b.bmp"), &n);
    ck_assert(n == 54 + (size_t)(37 * 3 + 1) * 23 && bmp[0] == 'B' && bmp[1] == 'M');
    free(bmp);
    /* JPEG (quality 95): a smooth image comes back within a few levels */
    gy_image *smooth = pattern(64, 48);
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 64; x++) {
            unsigned char *q = smooth->data + ((size_t)y * 64 + (size_t)x) * 3;
            q[0] = (unsigned char)(x * 4);
            q[1] = (unsigned char)(y * 5);
            q[2] = 128;
        }
    static const char *jpegs[] = {"e.jpg", "f.jpeg", "g.JPG", "h.JpEg", "i.jpe"};
    for (size_t i = 0; i < 5; i++) {
        const char *path = in_dir(jpegs[i]);
        ck_assert_msg(gy_image_save(smooth, path, &err) == GY_OK, "%s", err.message);
        unsigned char *raw = gy_test_read(path, &n);
        ck_assert(n > 3 && raw[0] == 0xFF && raw[1] == 0xD8 && raw[2] == 0xFF);
        free(raw);
        gy_image *back = NULL;
        ck_assert_msg(gy_image_load(path, &back, &err) == GY_OK, "%s", err.message);
        ck_assert_int_eq(back->width, 64);
        ck_assert_int_eq(back->height, 48);
        int worst = 0;
        for (size_t k = 0; k < 64 * 48 * 3; k++) {
            int dlt = abs((int)back->data[k] - (int)smooth->data[k]);
            worst = dlt > worst ? dlt : worst;
        }
        ck_assert_msg(worst <= 6, "%s: a pixel is %d levels off", path, worst);
        gy_image_free(back);
    }
    /* an existing file is replaced */
    ck_assert_int_eq(gy_image_save(smooth, in_dir("a.png"), &err), GY_OK);
    gy_image *back = NULL;
    ck_assert_int_eq(gy_image_load(in_dir("a.png"), &back, &err), GY_OK);
    ck_assert(same_pixels(back, smooth));
    gy_image_free(back);
    ck_assert_int_eq(files_in_dir(), 9);
    image_del(smooth);
    image_del(img);
}
END_TEST

START_TEST(save_errors)
{
    gy_error err;
    gy_image *img = pattern(8, 8);
    int before = files_in_dir();
    /* extensions cv2 would write but this library does not, none, an empty one, a folder's */
    static const char *names[] = {"x.gif", "x.webp", "x.tif", "x", "x.", "x.jpgg", "x.jpegxyzw",
                                  "x.jp", "x.pn", "x.bm", "x.png.txt", ".png"};
    static const char *shown[] = {"'.gif'", "'.webp'", "'.tif'", "''", "'.'", "'.jpgg'",
                                  "'.jpegxyzw'", "'.jp'", "'.pn'", "'.bm'", "'.txt'", NULL};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *path = in_dir(names[i]);
        gy_status st = gy_image_save(img, path, &err);
        if (!shown[i]) { /* ".png" is a name with the extension png, as cv2 reads it */
            ck_assert_int_eq(st, GY_OK);
            ck_assert_int_eq(remove(path), 0);
            continue;
        }
        ck_assert_msg(st == GY_ERR_UNSUPPORTED, "%s: %s", names[i], gy_status_str(st));
        ck_assert_ptr_nonnull(strstr(err.message, path));
        ck_assert_msg(strstr(err.message, shown[i]), "%s", err.message);
        ck_assert_ptr_nonnull(strstr(err.message, ".jpg, .jpeg, .jpe, .png or .bmp"));
    }
    /* a dot in a folder's name is no extension */
    ck_assert_int_eq(mkdir(in_dir("d.png"), 0755), 0);
    ck_assert_int_eq(gy_image_save(img, in_dir("d.png/out"), &err), GY_ERR_UNSUPPORTED);
    ck_assert_int_eq(gy_image_save(img, in_dir("d.png/out.bmp"), &err), GY_OK);
    ck_assert_int_eq(remove(in_dir("d.png/out.bmp")), 0);
    ck_assert_int_eq(rmdir(in_dir("d.png")), 0);
    /* a folder that does not exist: an i/o error naming the path, no file */
    const char *nowhere = in_dir("missing/out.png");
    ck_assert_int_eq(gy_image_save(img, nowhere, &err), GY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "missing/out.png"));
    ck_assert(!exists(in_dir("missing")));
    /* a path that is a folder: refused, the folder kept */
    ck_assert_int_eq(mkdir(in_dir("e.png"), 0755), 0);
    ck_assert_int_eq(gy_image_save(img, in_dir("e.png"), &err), GY_ERR_IO);
    ck_assert(exists(in_dir("e.png")));
    ck_assert_int_eq(rmdir(in_dir("e.png")), 0);
    /* arguments */
    ck_assert_int_eq(gy_image_save(NULL, in_dir("a.png"), &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_image_save(img, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_image_save(img, "", &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "must be given"));
    gy_image bad = *img;
    bad.data = NULL;
    ck_assert_int_eq(gy_image_save(&bad, in_dir("a.png"), &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "empty or too large (8x8)"));
    static const int sizes[][2] = {{0, 8}, {8, 0}, {-8, 8}, {8, -8}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bad = *img;
        bad.width = sizes[i][0];
        bad.height = sizes[i][1];
        ck_assert_int_eq(gy_image_save(&bad, in_dir("a.png"), &err), GY_ERR_ARGUMENT);
    }
    /* the pixel limit: at it the size passes (the extension is refused next), past it not */
    bad = *img;
    bad.width = (int)GY_IMAGE_MAX_PIXELS;
    bad.height = 1;
    ck_assert_int_eq(gy_image_save(&bad, in_dir("a.gif"), &err), GY_ERR_UNSUPPORTED);
    bad.width = (int)GY_IMAGE_MAX_PIXELS + 1;
    ck_assert_int_eq(gy_image_save(&bad, in_dir("a.gif"), &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "too large"));
    ck_assert_int_eq(files_in_dir(), before);
    image_del(img);
}
END_TEST

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/gy_test_annotate_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

int main(void)
{
    Suite *s = suite_create("annotate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, annotate_draws_as_the_drawing_code);
    tcase_add_test(tc, annotate_arguments);
    suite_add_tcase(s, tc);
    TCase *io = tcase_create("save");
    tcase_add_checked_fixture(io, make_dir, remove_dir);
    tcase_add_test(io, save_round_trip);
    tcase_add_test(io, save_errors);
    suite_add_tcase(s, io);
    return gy_test_run(s);
}

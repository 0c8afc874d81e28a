/* test_api.c - the public API's contract where the numerical tests do not reach: argument checks
 * of sessions, rows and detection parameters, the log callback, gy_status_str, the BatchNorm eps
 * taken from the weights' metadata (and its default), and what agnostic NMS and max_det change. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "weights/safetensors.h"
#include "weights/safetensors_write.h"

static gy_model *load_v8n(void)
{
    gy_model *m = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(NULL, gy_test_shared("weights/yolov8n.safetensors"), NULL, &m, &err) ==
                      GY_OK, "%s", err.message);
    return m;
}

START_TEST(session_arguments)
{
    gy_model *m = load_v8n();
    gy_session *s = NULL;
    gy_error err;
    gy_session_params sp = gy_session_default_params();
    ck_assert_int_eq(sp.num_threads, 0);
    ck_assert_int_eq(gy_session_create(NULL, &sp, &s, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_session_create(m, &sp, NULL, &err), GY_ERR_ARGUMENT);
    sp.num_threads = -1;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "num_threads -1"));
    sp.num_threads = 1025;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(s);
    sp.num_threads = 1;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_OK);

    /* sizes: positive, at most 16384 per side */
    static const int bad[][2] = {{0, 64}, {64, 0}, {-32, 64}, {64, -1}, {16385, 32}, {32, 16385}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(gy_session_reserve(s, bad[i][0], bad[i][1], &err), GY_ERR_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(err.message, "must be positive, at most 16384"));
    }
    /* any size whose shapes agree through the graph; the others name the first row where they
     * do not (yolov8n: a 2x upsample meets the backbone map in the Concat of row 11 or 14) */
    static const struct { int h, w; const char *msg; } shapes[] = {
        {48, 64, "row 11 (Concat): inputs 3x4 and 4x4"},
        {64, 100, "row 11 (Concat): inputs 4x7 and 4x8"},
        {33, 32, "row 11 (Concat): inputs 3x2 and 4x2"},
        {64, 50, "row 14 (Concat): inputs 8x7 and 8x8"}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        ck_assert_int_eq(gy_session_reserve(s, shapes[i].h, shapes[i].w, &err), GY_ERR_ARGUMENT);
        ck_assert_msg(strstr(err.message, shapes[i].msg), "%dx%d: %s", shapes[i].h, shapes[i].w,
                      err.message);
    }
    ck_assert_int_eq(gy_session_reserve(s, 60, 90, &err), GY_OK); /* maps 8x12, 4x6, 2x3 */
    ck_assert_int_eq(gy_session_reserve(NULL, 64, 64, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_session_reserve(s, 64, 96, &err), GY_OK);

    /* gy_forward refuses the same sizes and NULLs */
    float *in = calloc(3 * 64 * 96, sizeof *in);
    ck_assert_ptr_nonnull(in);
    gy_output out;
    ck_assert_int_eq(gy_forward(s, in, 64, 100, &out, &err), GY_ERR_ARGUMENT);
    /* 60x90 gives the maps of 64x96: the same anchors, decoded with the model's strides */
    ck_assert_int_eq(gy_forward(s, in, 60, 90, &out, &err), GY_OK);
    ck_assert_int_eq(out.anchors, 8 * 12 + 4 * 6 + 2 * 3);
    ck_assert_int_eq(gy_forward(s, NULL, 64, 96, &out, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_forward(s, in, 64, 96, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_forward(s, in, 64, 96, &out, &err), GY_OK);
    /* anchors: (8x12) + (4x6) + (2x3) cells of a 64x96 input at strides 8, 16, 32 */
    ck_assert_int_eq(out.anchors, 8 * 12 + 4 * 6 + 2 * 3);
    ck_assert_int_eq(out.channels, 84);
    free(in);
    gy_session_free(s);
    gy_model_free(m);
}
END_TEST

START_TEST(rows_and_names)
{
    gy_model *m = load_v8n();
    gy_model_info info;
    ck_assert_int_eq(gy_model_get_info(m, &info), GY_OK);
    ck_assert_int_eq(info.num_rows, 23);
    gy_row_info r;
    ck_assert_int_eq(gy_model_get_row(m, -1, &r), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_get_row(m, info.num_rows, &r), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_get_row(m, 0, NULL), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_get_row(NULL, 0, &r), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_get_row(m, info.num_rows - 1, &r), GY_OK);
    ck_assert_int_eq(r.index, 22);
    ck_assert_str_eq(r.module, "ultralytics.nn.modules.head.Detect");
    ck_assert_ptr_null(gy_model_class_name(m, -1));
    ck_assert_ptr_null(gy_model_class_name(m, 80));
    ck_assert_str_eq(gy_model_class_name(m, 79), "toothbrush");
    ck_assert_int_eq(gy_model_get_info(NULL, &info), GY_ERR_ARGUMENT);
    gy_model_free(m);
}
END_TEST

START_TEST(status_strings)
{
    static const struct { gy_status s; const char *text; } expect[] = {
        {GY_OK, "ok"},
        {GY_ERR_ARGUMENT, "bad argument"},
        {GY_ERR_IO, "input/output error"},
        {GY_ERR_FORMAT, "malformed data"},
        {GY_ERR_MISMATCH, "mismatch"},
        {GY_ERR_UNSUPPORTED, "unsupported"},
        {GY_ERR_NOMEM, "out of memory"},
        {GY_ERR_STATE, "bad state"},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        ck_assert_str_eq(gy_status_str(expect[i].s), expect[i].text);
    ck_assert_str_eq(gy_status_str((gy_status)99), "unknown status");
}
END_TEST

typedef struct log_seen {
    int calls, warnings;
    char last[512];
} log_seen;

static void on_log(void *user, gy_log_level level, const char *message)
{
    log_seen *l = user;
    l->calls++;
    l->warnings += level == GY_LOG_WARNING;
    snprintf(l->last, sizeof l->last, "%s", message);
}

START_TEST(log_callback)
{
    /* a Ghost table YAML has scales but no scale in its name: ultralytics warns and takes 'n' */
    log_seen seen = {0, 0, ""};
    gy_model_params mp = gy_model_default_params();
    mp.log = on_log;
    mp.log_user = &seen;
    gy_model *m = NULL;
    gy_error err;
    ck_assert_int_eq(gy_model_load(gy_test_shared("configs/YOLOv8_C2f_GhostBottlenecks.yaml"), NULL,
                                   &mp, &m, &err),
                     GY_OK);
    ck_assert_int_eq(seen.warnings, 1);
    ck_assert_msg(strstr(seen.last, "no model scale passed. Assuming scale='n'") != NULL, "%s",
                  seen.last);
    gy_model_free(m);
    /* an explicit scale: no warning */
    seen.calls = seen.warnings = 0;
    mp.scale = "n";
    ck_assert_int_eq(gy_model_load(gy_test_shared("configs/YOLOv8_C2f_GhostBottlenecks.yaml"), NULL,
                                   &mp, &m, &err),
                     GY_OK);
    ck_assert_int_eq(seen.warnings, 0);
    gy_model_free(m);
}
END_TEST

/* ----- BatchNorm eps from the metadata ----- */

/* yolov8n.safetensors written again with bn_eps set to `eps` (NULL: the key removed). */
static void write_with_eps(const char *eps, const char *path)
{
    gy_safetensors *st = NULL;
    gy_error err;
    ck_assert_int_eq(gy_st_open(gy_test_shared("weights/yolov8n.safetensors"), &st, &err), GY_OK);
    int k = -1;
    for (int i = 0; i < st->meta_count; i++)
        if (strcmp(st->meta[i].key, "bn_eps") == 0)
            k = i;
    ck_assert_int_ge(k, 0);
    gy_st_meta orig = st->meta[k];
    if (eps) {
        st->meta[k].value = (char *)eps;
    } else { /* the last entry takes its place for the write; everything is put back after */
        st->meta[k] = st->meta[st->meta_count - 1];
        st->meta_count--;
    }
    ck_assert_msg(gy_st_write(st, NULL, path, &err) == GY_OK, "%s", err.message);
    if (!eps) {
        st->meta_count++;
        st->meta[st->meta_count - 1] = st->meta[k];
    }
    st->meta[k] = orig;
    gy_st_close(st);
}

static float *forward_file(const char *weights, gy_status *status, gy_error *err)
{
    gy_model *m = NULL;
    *status = gy_model_load(NULL, weights, NULL, &m, err);
    if (*status != GY_OK)
        return NULL;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = 1;
    gy_session *s = NULL;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, err), GY_OK);
    enum { H = 64, W = 64 };
    float *in = malloc(sizeof(float) * 3 * H * W);
    ck_assert_ptr_nonnull(in);
    for (int i = 0; i < 3 * H * W; i++)
        in[i] = (float)((i * 7919) % 256) / 255.0f;
    gy_output o;
    ck_assert_int_eq(gy_forward(s, in, H, W, &o, err), GY_OK);
    size_t n = (size_t)o.channels * (size_t)o.anchors;
    float *copy = malloc(n * sizeof *copy);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, o.data, n * sizeof *copy);
    free(in);
    gy_session_free(s);
    gy_model_free(m);
    return copy;
}

START_TEST(bn_eps_metadata)
{
    char dir[64], p_none[96], p_big[96], p_bad[96], p_zero[96];
    snprintf(dir, sizeof dir, "/tmp/gy_test_api_%d", (int)getpid());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(p_none, sizeof p_none, "%s/none.safetensors", dir);
    snprintf(p_big, sizeof p_big, "%s/big.safetensors", dir);
    snprintf(p_bad, sizeof p_bad, "%s/bad.safetensors", dir);
    snprintf(p_zero, sizeof p_zero, "%s/zero.safetensors", dir);
    write_with_eps(NULL, p_none);
    write_with_eps("0.1", p_big);
    write_with_eps("abc", p_bad);
    write_with_eps("0", p_zero);

    gy_status st;
    gy_error err;
    const size_t n = 84 * (8 * 8 + 4 * 4 + 2 * 2);
    float *ref = forward_file(gy_test_shared("weights/yolov8n.safetensors"), &st, &err);
    ck_assert_ptr_nonnull(ref);
    /* no bn_eps in the metadata: ultralytics' 1e-3, so the very same output as the file's 0.001 */
    float *none = forward_file(p_none, &st, &err);
    ck_assert_ptr_nonnull(none);
    ck_assert_int_eq(memcmp(ref, none, n * sizeof *ref), 0);
    /* 0.1 is used: the output moves */
    float *big = forward_file(p_big, &st, &err);
    ck_assert_ptr_nonnull(big);
    double maxdiff = 0;
    for (size_t i = 0; i < n; i++)
        maxdiff = fmax(maxdiff, fabs((double)big[i] - ref[i]));
    ck_assert_msg(maxdiff > 0.01, "bn_eps 0.1 changed the output by only %g", maxdiff);
    /* not a small positive number: refused, naming the file and the value */
    ck_assert_ptr_null(forward_file(p_bad, &st, &err));
    ck_assert_int_eq(st, GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "bn_eps 'abc'") && strstr(err.message, "bad.safetensors"), "%s",
                  err.message);
    ck_assert_ptr_null(forward_file(p_zero, &st, &err));
    ck_assert_int_eq(st, GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "bn_eps '0'") != NULL, "%s", err.message);
    free(ref);
    free(none);
    free(big);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ----- detection parameters ----- */

START_TEST(detect_arguments)
{
    gy_model *m = load_v8n();
    gy_session *s = NULL;
    gy_error err;
    ck_assert_int_eq(gy_session_create(m, NULL, &s, &err), GY_OK);
    gy_image *img = NULL;
    ck_assert_int_eq(gy_image_load(gy_test_shared("images/bus.jpg"), &img, &err), GY_OK);
    gy_detections *d = NULL;
    gy_detect_params p = gy_detect_default_params();
    ck_assert_int_eq(p.imgsz, 640);
    ck_assert_float_eq(p.conf, 0.25f);
    ck_assert_float_eq(p.iou, 0.7f);
    ck_assert_int_eq(p.max_det, 300);
    ck_assert_int_eq(p.agnostic, 0);
    ck_assert_int_eq(p.square, 0);

    struct { const char *what; gy_detect_params p; } bad[8];
    int nb = 0;
    bad[nb].what = "conf";
    bad[nb].p = p;
    bad[nb++].p.conf = 1.5f;
    bad[nb].what = "conf";
    bad[nb].p = p;
    bad[nb++].p.conf = -0.1f;
    bad[nb].what = "iou";
    bad[nb].p = p;
    bad[nb++].p.iou = 1.01f;
    bad[nb].what = "max_det";
    bad[nb].p = p;
    bad[nb++].p.max_det = 0;
    bad[nb].what = "imgsz";
    bad[nb].p = p;
    bad[nb++].p.imgsz = 100;
    for (int i = 0; i < nb; i++) {
        ck_assert_int_eq(gy_detect(s, img, &bad[i].p, &d, &err), GY_ERR_ARGUMENT);
        ck_assert_msg(strstr(err.message, bad[i].what) != NULL, "%s: %s", bad[i].what, err.message);
        ck_assert_ptr_null(d);
    }
    ck_assert_int_eq(gy_detect(NULL, img, &p, &d, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_detect(s, NULL, &p, &d, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_detect(s, img, &p, NULL, &err), GY_ERR_ARGUMENT);
    /* a caller-filled image with pixels but a side of 0 or less, each side on its own */
    static const int sides[4][2] = {{0, 10}, {10, 0}, {-1, 10}, {10, -1}};
    for (int i = 0; i < 4; i++) {
        gy_image bad_img = {.width = sides[i][0], .height = sides[i][1], .data = img->data};
        ck_assert_int_eq(gy_detect(s, &bad_img, &p, &d, &err), GY_ERR_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(err.message, "the image is empty or too large"));
        ck_assert_ptr_null(d);
    }

    /* imgsz_h and imgsz_w take over from imgsz only when both are positive: each side 0 or
     * negative alone (the other a valid 320) leaves the square imgsz letterbox */
    {
        gy_detections *sq = NULL;
        ck_assert_int_eq(gy_detect(s, img, &p, &sq, &err), GY_OK);
        static const int hw_sides[4][2] = {{0, 320}, {320, 0}, {-32, 320}, {320, -32}};
        for (int i = 0; i < 4; i++) {
            gy_detections *hw = NULL;
            gy_detect_params q = p;
            q.imgsz_h = hw_sides[i][0];
            q.imgsz_w = hw_sides[i][1];
            ck_assert_msg(gy_detect(s, img, &q, &hw, &err) == GY_OK, "%d x %d: %s", q.imgsz_h, q.imgsz_w,
                          err.message);
            ck_assert_int_eq(hw->count, sq->count);
            ck_assert_int_eq(hw->input_width, sq->input_width);
            ck_assert_int_eq(hw->input_height, sq->input_height);
            gy_detections_free(hw);
        }
        /* both positive: they take over (a 320 x 320 target differs from the default 640) */
        gy_detections *hw = NULL;
        gy_detect_params q = p;
        q.imgsz_h = q.imgsz_w = 320;
        ck_assert_msg(gy_detect(s, img, &q, &hw, &err) == GY_OK, "%s", err.message);
        ck_assert_int_eq(sq->input_width > sq->input_height ? sq->input_width : sq->input_height, 640);
        ck_assert_int_eq(hw->input_width > hw->input_height ? hw->input_width : hw->input_height, 320);
        gy_detections_free(hw);
        gy_detections_free(sq);
    }
    /* NULL params are the defaults; max_det keeps the best boxes */
    gy_detections *all = NULL, *two = NULL;
    ck_assert_int_eq(gy_detect(s, img, NULL, &all, &err), GY_OK);
    ck_assert_int_eq(all->count, 6);
    p.max_det = 2;
    ck_assert_int_eq(gy_detect(s, img, &p, &two, &err), GY_OK);
    ck_assert_int_eq(two->count, 2);
    ck_assert_int_eq(memcmp(two->boxes, all->boxes, 2 * sizeof *two->boxes), 0);
    gy_detections *one = NULL; /* the smallest max_det */
    p.max_det = 1;
    ck_assert_msg(gy_detect(s, img, &p, &one, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(one->count, 1);
    ck_assert_int_eq(memcmp(one->boxes, all->boxes, sizeof *one->boxes), 0);
    gy_detections_free(one);
    for (int i = 0; i < all->count; i++) { /* clipped to the image */
        ck_assert(all->boxes[i].x1 >= 0 && all->boxes[i].x2 <= img->width);
        ck_assert(all->boxes[i].y1 >= 0 && all->boxes[i].y2 <= img->height);
    }
    gy_detections_free(all);
    gy_detections_free(two);
    gy_image_free(img);
    gy_session_free(s);
    gy_model_free(m);
}
END_TEST

/* Agnostic NMS suppresses across classes: on coco128's 000000000042.jpg at conf 0.1 yolov8n finds
 * boxes of different classes overlapping with IoU > 0.7, so agnostic keeps fewer, none of which
 * overlap that much. */
static double iou(const gy_box *a, const gy_box *b)
{
    double iw = fmin(a->x2, b->x2) - fmax(a->x1, b->x1), ih = fmin(a->y2, b->y2) - fmax(a->y1, b->y1);
    if (iw <= 0 || ih <= 0)
        return 0;
    double inter = iw * ih;
    return inter / ((a->x2 - a->x1) * (a->y2 - a->y1) + (b->x2 - b->x1) * (b->y2 - b->y1) - inter);
}

static int overlapping_pairs(const gy_detections *d)
{
    int n = 0;
    for (int i = 0; i < d->count; i++)
        for (int j = i + 1; j < d->count; j++)
            n += iou(&d->boxes[i], &d->boxes[j]) > 0.7;
    return n;
}

START_TEST(agnostic_changes_result)
{
    gy_model *m = load_v8n();
    gy_session *s = NULL;
    gy_error err;
    ck_assert_int_eq(gy_session_create(m, NULL, &s, &err), GY_OK);
    gy_image *img = NULL;
    ck_assert_int_eq(gy_image_load(gy_test_shared("datasets/coco128/images/train2017/000000000042.jpg"),
                                   &img, &err),
                     GY_OK);
    gy_detect_params p = gy_detect_default_params();
    p.conf = 0.1f;
    gy_detections *per_class = NULL, *agnostic = NULL;
    ck_assert_int_eq(gy_detect(s, img, &p, &per_class, &err), GY_OK);
    p.agnostic = 1;
    ck_assert_int_eq(gy_detect(s, img, &p, &agnostic, &err), GY_OK);
    ck_assert_int_ge(overlapping_pairs(per_class), 1);
    ck_assert_int_eq(overlapping_pairs(agnostic), 0);
    ck_assert_int_lt(agnostic->count, per_class->count);
    /* the best box survives either way */
    ck_assert_int_eq(memcmp(&agnostic->boxes[0], &per_class->boxes[0], sizeof(gy_box)), 0);
    gy_detections_free(per_class);
    gy_detections_free(agnostic);
    gy_image_free(img);
    gy_session_free(s);
    gy_model_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_add_test(tc, session_arguments);
    tcase_add_test(tc, rows_and_names);
    tcase_add_test(tc, status_strings);
    tcase_add_test(tc, log_callback);
    tcase_add_test(tc, bn_eps_metadata);
    tcase_add_test(tc, detect_arguments);
    tcase_add_test(tc, agnostic_changes_result);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

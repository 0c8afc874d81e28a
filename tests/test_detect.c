/* Detections on bus.jpg against ultralytics' own (../shared/reference/detections_yolov8{n,s}.json):
 * same class for each, box IoU >= 0.999, |score difference| <= 1e-4, nothing extra.
 * With bus.jpg decoded as cv2 decodes it (libjpeg-turbo), measured: max |score difference|
 * 1.25e-6 (the reference rounds scores to 6 digits), min IoU 0.99996 (with stb_image's decode:
 * 0.0049 and 0.9982). */
#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tables.h"
#include "testutil.h"

static double iou(const double *a, const double *b)
{
    double iw = fmin(a[2], b[2]) - fmax(a[0], b[0]), ih = fmin(a[3], b[3]) - fmax(a[1], b[1]);
    if (iw <= 0 || ih <= 0)
        return 0;
    double inter = iw * ih;
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/* Matches detections (count, each x1 y1 x2 y2 score class) against a reference list. */
static void match(const char *what, const double (*got)[6], int count, const cJSON *ref)
{
    int nref = cJSON_GetArraySize(ref);
    ck_assert_msg(nref > 0, "%s: empty reference", what);
    int *used = calloc((size_t)count + 1, sizeof *used);
    ck_assert_ptr_nonnull(used);
    for (int r = 0; r < nref; r++) {
        const cJSON *d = cJSON_GetArrayItem(ref, r);
        const cJSON *xy = cJSON_GetObjectItem(d, "xyxy");
        double rb[4];
        for (int k = 0; k < 4; k++)
            rb[k] = cJSON_GetArrayItem(xy, k)->valuedouble;
        int cls = cJSON_GetObjectItem(d, "class_id")->valueint;
        double conf = cJSON_GetObjectItem(d, "confidence")->valuedouble;
        int best = -1;
        double best_iou = 0;
        for (int i = 0; i < count; i++) {
            if (used[i] || (int)got[i][5] != cls)
                continue;
            double v = iou(got[i], rb);
            if (v > best_iou) {
                best_iou = v;
                best = i;
            }
        }
        ck_assert_msg(best >= 0 && best_iou >= 0.9, "%s: reference %d (class %d, %.3f) not found "
                      "(best IoU %.3f)", what, r, cls, conf, best_iou);
        printf("%s: ref %d class %2d score %.6f vs %.6f (diff %+.8f), IoU %.6f\n", what, r, cls, conf,
               got[best][4], got[best][4] - conf, best_iou);
        ck_assert_msg(fabs(got[best][4] - conf) <= 1e-4, "%s: reference %d score %.6f vs ours %.6f",
                      what, r, conf, got[best][4]);
        ck_assert_msg(best_iou >= 0.999, "%s: reference %d box IoU %.5f < 0.999", what, r, best_iou);
        used[best] = 1;
    }
    for (int i = 0; i < count; i++)
        ck_assert_msg(used[i], "%s: extra detection class %d score %.3f", what, (int)got[i][5],
                      got[i][4]);
    free(used);
}

static cJSON *reference(const char *model)
{
    char rel[128];
    snprintf(rel, sizeof rel, "reference/detections_%s.json", model);
    return gy_test_read_json(gy_test_shared(rel));
}

static void library_case(const char *model)
{
    char rel[128];
    snprintf(rel, sizeof rel, "weights/%s.safetensors", model);
    gy_model *m = NULL;
    gy_session *s = NULL;
    gy_image *img = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(NULL, gy_test_shared(rel), NULL, &m, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_session_create(m, NULL, &s, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_image_load(gy_test_shared("images/bus.jpg"), &img, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(img->width, 810);
    ck_assert_int_eq(img->height, 1080);
    cJSON *ref = reference(model);
    static const char *const sections[2] = {"predictor", "square640"};
    for (int sq = 0; sq < 2; sq++) {
        gy_detect_params dp = gy_detect_default_params();
        dp.square = sq;
        gy_detections *d = NULL;
        ck_assert_msg(gy_detect(s, img, &dp, &d, &err) == GY_OK, "%s", err.message);
        ck_assert_int_eq(d->input_width, sq ? 640 : 480);
        ck_assert_int_eq(d->input_height, 640);
        double(*got)[6] = calloc((size_t)d->count + 1, sizeof *got);
        ck_assert_ptr_nonnull(got);
        for (int i = 0; i < d->count; i++) {
            const gy_box *b = &d->boxes[i];
            double row[6] = {b->x1, b->y1, b->x2, b->y2, b->score, b->class_id};
            memcpy(got[i], row, sizeof row);
            ck_assert(b->x1 >= 0 && b->y1 >= 0 && b->x2 <= 810 && b->y2 <= 1080);
            if (i)
                ck_assert(d->boxes[i - 1].score >= b->score);
        }
        char what[64];
        snprintf(what, sizeof what, "%s %s", model, sections[sq]);
        const cJSON *dets = cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(ref, sections[sq]), "bus"), "detections");
        match(what, (const double(*)[6])got, d->count, dets);
        free(got);
        gy_detections_free(d);
    }
    cJSON_Delete(ref);
    gy_image_free(img);
    gy_session_free(s);
    gy_model_free(m);
}

START_TEST(bus_yolov8n) { library_case("yolov8n"); }
END_TEST

START_TEST(bus_yolov8s) { library_case("yolov8s"); }
END_TEST

/* The CLI: --json output parsed back, annotated image and labels written. */
START_TEST(cli_json_yolov8n)
{
    char dir[64], cmd[12288], out[96];
    snprintf(dir, sizeof dir, "/tmp/gy_test_detect_%d", (int)getpid());
    snprintf(out, sizeof out, "%s.json", dir);
    snprintf(cmd, sizeof cmd, "'%s' detect --json --save-txt --save-conf -w '%s' -o '%s' '%s' > '%s'", gy_test_cli(),
             gy_test_shared("weights/yolov8n.safetensors"), dir, gy_test_shared("images/bus.jpg"), out);
    ck_assert_int_eq(system(cmd), 0);
    cJSON *j = gy_test_read_json(out);
    ck_assert_int_eq(cJSON_GetObjectItem(j, "width")->valueint, 810);
    ck_assert_int_eq(cJSON_GetObjectItem(j, "height")->valueint, 1080);
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(j, "image")->valuestring, "bus.jpg"));
    const cJSON *dets = cJSON_GetObjectItem(j, "detections");
    int n = cJSON_GetArraySize(dets);
    double(*got)[6] = calloc((size_t)n + 1, sizeof *got);
    ck_assert_ptr_nonnull(got);
    for (int i = 0; i < n; i++) {
        const cJSON *d = cJSON_GetArrayItem(dets, i);
        for (int k = 0; k < 4; k++)
            got[i][k] = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "box"), k)->valuedouble;
        got[i][4] = cJSON_GetObjectItem(d, "score")->valuedouble;
        got[i][5] = cJSON_GetObjectItem(d, "class_id")->valueint;
        if (got[i][5] == 5)
            ck_assert_str_eq(cJSON_GetObjectItem(d, "name")->valuestring, "bus");
    }
    cJSON *ref = reference("yolov8n");
    match("cli yolov8n predictor", (const double(*)[6])got, n,
          cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(ref, "predictor"), "bus"),
                              "detections"));
    char path[160];
    snprintf(path, sizeof path, "%s/bus.jpg", dir);
    size_t size;
    free(gy_test_read(path, &size));
    ck_assert_uint_gt(size, 10000);
    snprintf(path, sizeof path, "%s/labels/bus.txt", dir);
    char *labels = (char *)gy_test_read(path, NULL);
    int lines = 0;
    for (char *p = labels; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, n);
    ck_assert_int_eq(atoi(labels), (int)got[0][5]);
    free(labels);
    free(got);
    cJSON_Delete(ref);
    cJSON_Delete(j);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, out);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The many-images pattern of the header: one model, one session per thread. Two threads run their
 * own session on the same image at the same time, several times, and get identical boxes, equal
 * to a single-threaded reference run. */
typedef struct thread_job {
    const gy_model *model;
    const gy_image *img;
    gy_detect_params dp;
    int rounds;
    gy_detections *last;
    int failed;
    char message[GY_ERROR_MESSAGE_MAX];
} thread_job;

static void *thread_main(void *arg)
{
    thread_job *j = arg;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = 1;
    gy_session *s = NULL;
    gy_error err;
    if (gy_session_create(j->model, &sp, &s, &err) != GY_OK) {
        j->failed = 1;
        snprintf(j->message, sizeof j->message, "%s", err.message);
        return NULL;
    }
    for (int r = 0; r < j->rounds && !j->failed; r++) {
        gy_detections_free(j->last);
        j->last = NULL;
        if (gy_detect(s, j->img, &j->dp, &j->last, &err) != GY_OK) {
            j->failed = 1;
            snprintf(j->message, sizeof j->message, "%s", err.message);
        }
    }
    gy_session_free(s);
    return NULL;
}

START_TEST(two_sessions_in_two_threads)
{
    gy_model *m = NULL;
    gy_session *s = NULL;
    gy_image *img = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(NULL, gy_test_shared("weights/yolov8n.safetensors"), NULL, &m, &err) == GY_OK,
                  "%s", err.message);
    ck_assert_msg(gy_image_load(gy_test_shared("images/bus.jpg"), &img, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_session_create(m, NULL, &s, &err) == GY_OK, "%s", err.message);
    gy_detections *ref = NULL;
    ck_assert_msg(gy_detect(s, img, NULL, &ref, &err) == GY_OK, "%s", err.message); /* NULL: defaults */
    ck_assert_int_ge(ref->count, 5);
    thread_job jobs[2];
    pthread_t th[2];
    for (int t = 0; t < 2; t++) {
        memset(&jobs[t], 0, sizeof jobs[t]);
        jobs[t].model = m;
        jobs[t].img = img;
        jobs[t].dp = gy_detect_default_params();
        jobs[t].rounds = 2;
        ck_assert_int_eq(pthread_create(&th[t], NULL, thread_main, &jobs[t]), 0);
    }
    for (int t = 0; t < 2; t++)
        ck_assert_int_eq(pthread_join(th[t], NULL), 0);
    for (int t = 0; t < 2; t++) {
        ck_assert_msg(!jobs[t].failed, "thread %d: %s", t, jobs[t].message);
        const gy_detections *d = jobs[t].last;
        ck_assert_int_eq(d->count, ref->count);
        for (int i = 0; i < d->count; i++) {
            const gy_box *a = &d->boxes[i], *b = &ref->boxes[i];
            ck_assert_msg(a->x1 == b->x1 && a->y1 == b->y1 && a->x2 == b->x2 && a->y2 == b->y2 &&
                              a->score == b->score && a->class_id == b->class_id,
                          "thread %d box %d differs: %g %g %g %g %g vs %g %g %g %g %g", t, i,
                          (double)a->x1, (double)a->y1, (double)a->x2, (double)a->y2,
                          (double)a->score, (double)b->x1, (double)b->y1, (double)b->x2,
                          (double)b->y2, (double)b->score);
        }
        ck_assert(d->timing.inference_ms > 0.0 && d->timing.preprocess_ms > 0.0 &&
                  d->timing.postprocess_ms >= 0.0);
        gy_detections_free(jobs[t].last);
    }
    gy_detections_free(ref);
    gy_session_free(s);
    gy_image_free(img);
    gy_model_free(m);
}
END_TEST

/* The class filter of gy_detect_params: only the listed classes, and exactly the boxes of those
 * classes an unfiltered run finds (NMS is per class, so filtering first changes nothing else). */
START_TEST(class_filter)
{
    gy_model *m = NULL;
    gy_session *s = NULL;
    gy_image *img = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(NULL, gy_test_shared("weights/yolov8n.safetensors"), NULL, &m, &err) == GY_OK,
                  "%s", err.message);
    ck_assert_msg(gy_image_load(gy_test_shared("images/bus.jpg"), &img, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_session_create(m, NULL, &s, &err) == GY_OK, "%s", err.message);
    gy_detect_params dp = gy_detect_default_params();
    gy_detections *all = NULL, *only = NULL;
    ck_assert_msg(gy_detect(s, img, &dp, &all, &err) == GY_OK, "%s", err.message);
    const int want[1] = {5}; /* bus */
    dp.classes = want;
    dp.num_classes = 1;
    ck_assert_msg(gy_detect(s, img, &dp, &only, &err) == GY_OK, "%s", err.message);
    int k = 0, buses = 0;
    for (int i = 0; i < all->count; i++) {
        if (all->boxes[i].class_id != 5)
            continue;
        buses++;
        ck_assert_int_lt(k, only->count);
        ck_assert(memcmp(&all->boxes[i], &only->boxes[k], sizeof(gy_box)) == 0);
        k++;
    }
    ck_assert_int_ge(buses, 1);
    ck_assert_int_lt(buses, all->count);
    ck_assert_int_eq(only->count, buses);
    gy_detections_free(only);
    dp.num_classes = -1;
    ck_assert_int_eq(gy_detect(s, img, &dp, &only, &err), GY_ERR_ARGUMENT);
    gy_detections_free(all);
    gy_session_free(s);
    gy_image_free(img);
    gy_model_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("detect");
    TCase *tc = tcase_create("bus");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, bus_yolov8n);
    tcase_add_test(tc, bus_yolov8s);
    tcase_add_test(tc, cli_json_yolov8n);
    tcase_add_test(tc, two_sessions_in_two_threads);
    tcase_add_test(tc, class_filter);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* test_threads.c - one shared model, several threads at once: four threads each with its own
 * session run detect on different images at different sizes and letterbox modes, while a fifth
 * thread computes the stats report (counted, and measured with synthetic weights on its own model)
 * and reads the model's info. Every thread's boxes must equal those of a single-thread run, byte for
 * byte. Built with -DGY_TSAN=ON this is the ThreadSanitizer test (CI): no race may be reported.
 * Sessions use one OpenMP thread each (the pattern the header documents for one session per thread),
 * so the library's own threading is what is checked; see README "Sanitizers" for the OpenMP note. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define NJOBS 6
#define NTHREADS 4

typedef struct job {
    const char *image; /* under ../shared */
    int imgsz;
    int square;
} job;

static const job jobs[NJOBS] = {
    {"images/bus.jpg", 320, 0},
    {"images/bus.jpg", 256, 1},
    {"reference/jpeg/coco_000000000009.jpg", 288, 0},
    {"reference/jpeg/grey_000000000086.jpg", 320, 1},
    {"datasets/coco128/images/train2017/000000000025.jpg", 224, 0},
    {"datasets/coco128/images/train2017/000000000030.jpg", 352, 0},
};

typedef struct result {
    int count;
    gy_box boxes[300];
    int in_w, in_h;
} result;

static gy_model *model;
static gy_image *images[NJOBS];
static result want[NJOBS];

static gy_status run_job(gy_session *s, int j, result *out, gy_error *err)
{
    gy_detect_params dp = gy_detect_default_params();
    dp.imgsz = jobs[j].imgsz;
    dp.square = jobs[j].square;
    dp.conf = 0.1f;
    gy_detections *d = NULL;
    gy_status st = gy_detect(s, images[j], &dp, &d, err);
    if (st != GY_OK)
        return st;
    memset(out, 0, sizeof *out);
    out->count = d->count < 300 ? d->count : 300;
    memcpy(out->boxes, d->boxes, sizeof(gy_box) * (size_t)out->count);
    out->in_w = d->input_width;
    out->in_h = d->input_height;
    gy_detections_free(d);
    return GY_OK;
}

typedef struct worker {
    int id;
    result got[NJOBS];
    int done[NJOBS];
    gy_status st;
    gy_error err;
} worker;

static void *detect_thread(void *arg)
{
    worker *w = arg;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = 1;
    gy_session *s = NULL;
    w->st = gy_session_create(model, &sp, &s, &w->err);
    if (w->st != GY_OK)
        return NULL;
    /* each thread its own order of jobs, three of them: sizes change within a session */
    for (int n = 0; n < 3 && w->st == GY_OK; n++) {
        int j = (w->id + n * 2) % NJOBS;
        w->st = run_job(s, j, &w->got[j], &w->err);
        w->done[j] = w->st == GY_OK;
    }
    gy_session_free(s);
    return NULL;
}

typedef struct stats_worker {
    gy_status st;
    gy_error err;
    long long params;
    double gflops;
} stats_worker;

static void *stats_thread(void *arg)
{
    stats_worker *w = arg;
    gy_stats_params sp = gy_stats_default_params();
    gy_stats *s = NULL;
    w->st = gy_model_stats(model, &sp, &s, &w->err);
    if (w->st != GY_OK)
        return NULL;
    w->params = s->fused.params;
    w->gflops = s->fused.gflops;
    gy_stats_free(s);
    gy_model_info info;
    gy_model_get_info(model, &info);
    if (info.nc != 80 || strcmp(gy_model_class_name(model, 5), "bus") != 0) {
        w->st = GY_ERR_STATE;
        snprintf(w->err.message, sizeof w->err.message, "model info changed under the threads");
        return NULL;
    }
    /* measured stats run the network: a model of its own with synthetic weights, one thread */
    gy_model_params mp = gy_model_default_params();
    mp.synthetic_weights = 1;
    gy_model *m2 = NULL;
    w->st = gy_model_load(gy_test_source("configs/yolov8.yaml"), NULL, &mp, &m2, &w->err);
    if (w->st != GY_OK)
        return NULL;
    sp.imgsz = 128;
    sp.measure = 1;
    sp.runs = 1;
    sp.num_threads = 1;
    w->st = gy_model_stats(m2, &sp, &s, &w->err);
    if (w->st == GY_OK)
        gy_stats_free(s);
    gy_model_free(m2);
    return NULL;
}

START_TEST(sessions_in_threads_match_one_thread)
{
    gy_error err;
    ck_assert_msg(gy_model_load(NULL, gy_test_shared("weights/yolov8n.safetensors"), NULL, &model, &err) ==
                      GY_OK, "%s", err.message);
    for (int j = 0; j < NJOBS; j++)
        ck_assert_msg(gy_image_load(gy_test_shared(jobs[j].image), &images[j], &err) == GY_OK, "%s",
                      err.message);
    /* single thread, one session, every job */
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = 1;
    gy_session *s;
    ck_assert(gy_session_create(model, &sp, &s, &err) == GY_OK);
    for (int j = 0; j < NJOBS; j++) {
        ck_assert_msg(run_job(s, j, &want[j], &err) == GY_OK, "%s", err.message);
        ck_assert_int_ge(want[j].count, 1);
    }
    gy_session_free(s);

    static worker w[NTHREADS];
    stats_worker sw;
    memset(&sw, 0, sizeof sw);
    pthread_t th[NTHREADS], st;
    for (int t = 0; t < NTHREADS; t++) {
        memset(&w[t], 0, sizeof w[t]);
        w[t].id = t;
        ck_assert_int_eq(pthread_create(&th[t], NULL, detect_thread, &w[t]), 0);
    }
    ck_assert_int_eq(pthread_create(&st, NULL, stats_thread, &sw), 0);
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    pthread_join(st, NULL);

    int compared = 0;
    for (int t = 0; t < NTHREADS; t++) {
        ck_assert_msg(w[t].st == GY_OK, "thread %d: %s", t, w[t].err.message);
        for (int j = 0; j < NJOBS; j++) {
            if (!w[t].done[j])
                continue;
            ck_assert_int_eq(w[t].got[j].count, want[j].count);
            ck_assert_int_eq(w[t].got[j].in_w, want[j].in_w);
            ck_assert_int_eq(w[t].got[j].in_h, want[j].in_h);
            ck_assert_msg(memcmp(w[t].got[j].boxes, want[j].boxes, sizeof(gy_box) * (size_t)want[j].count) == 0,
                          "thread %d, %s at %d: boxes differ from the single-thread run", t, jobs[j].image,
                          jobs[j].imgsz);
            compared++;
        }
    }
    ck_assert_int_eq(compared, NTHREADS * 3);
    ck_assert_msg(sw.st == GY_OK, "stats thread: %s", sw.err.message);
    ck_assert_int_eq(sw.params, 3151904); /* yolov8n fused, as ultralytics prints it */
    printf("%d detect threads x 3 jobs + stats: %d results identical to one thread\n", NTHREADS, compared);
    for (int j = 0; j < NJOBS; j++)
        gy_image_free(images[j]);
    gy_model_free(model);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("shared model");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, sessions_in_threads_match_one_thread);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* test_alloc_fail.c - allocation failure on every path: the k-th allocation made by our own code
 * fails, for every k, during model load (YAML, safetensors, .pt), session creation and reserve, detect
 * and the stats report. Each failure must return GY_ERR_NOMEM with a message (or leave the call
 * succeeding when the failing allocation had a fallback), hand out no object, leak nothing (the ASan
 * build runs LeakSanitizer over all of it), and leave the objects it was given usable: the next call
 * with working allocation succeeds and gives the same boxes.
 *
 * The hook is the linker's: this executable is linked with -Wl,--wrap=malloc,... (CMakeLists.txt),
 * which sends every malloc/calloc/realloc/aligned_alloc/posix_memalign/strdup call of the objects
 * linked statically (the library and this test) to the __wrap_ functions below; the library keeps
 * no allocator globals. Allocations inside shared libraries (libyaml, cJSON, libjpeg, libwebp,
 * libc) are not counted: their failures come back through their own error paths. */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image_write.h>
#include <unistd.h>

#include "detector/quantize.h"
#include "testutil.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);
int __wrap_posix_memalign(void **p, size_t align, size_t n);
char *__wrap_strdup(const char *s);

static atomic_long alloc_count;  /* allocations since arm() */
static atomic_long alloc_fail_at; /* the one that fails (1-based); 0 = none */

static int should_fail(void)
{
    long fail = atomic_load(&alloc_fail_at);
    if (fail == 0)
        return 0;
    return atomic_fetch_add(&alloc_count, 1) + 1 == fail;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { return should_fail() ? NULL : __real_aligned_alloc(a, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
    return should_fail() ? 12 /* ENOMEM */ : __real_posix_memalign(p, a, n);
}
char *__wrap_strdup(const char *s) { return should_fail() ? NULL : __real_strdup(s); }

static void arm(long k)
{
    atomic_store(&alloc_count, 0);
    atomic_store(&alloc_fail_at, k);
}

/* Disarms; returns 1 when the armed failure actually happened. */
static int disarm(void)
{
    long k = atomic_load(&alloc_fail_at);
    atomic_store(&alloc_fail_at, 0);
    return k > 0 && atomic_load(&alloc_count) >= k;
}

/* A failure's status and message: GY_ERR_NOMEM, or a documented error whose message says memory. */
static void check_failure(gy_status st, const gy_error *err, const char *what, long k)
{
    ck_assert_msg(st != GY_OK, "%s: allocation %ld failed but the call succeeded", what, k);
    ck_assert_msg(err->message[0] != '\0', "%s: allocation %ld: no message", what, k);
    ck_assert_msg(st == GY_ERR_NOMEM, "%s: allocation %ld: status %s, not GY_ERR_NOMEM: %s", what, k,
                  gy_status_str(st), err->message);
}

static gy_model *load_ok(void)
{
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(NULL, gy_test_shared("weights/yolov8n.safetensors"), NULL, &m, &err);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    return m;
}

static void model_load_path(const char *weights, const char *rel)
{
    long k;
    for (k = 1;; k++) {
        gy_model *m = (gy_model *)1;
        gy_error err;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_model_load(NULL, weights, NULL, &m, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "load without failure: %s", err.message);
            gy_model_free(m);
            break;
        }
        if (st == GY_OK) { /* the failing allocation had a fallback: the model must be whole */
            gy_model_free(m);
            continue;
        }
        check_failure(st, &err, "gy_model_load", k);
        ck_assert_msg(m == NULL, "gy_model_load: allocation %ld: a model was handed out", k);
    }
    printf("model load (%s): %ld allocations, each failed once\n", rel, k - 1);
}

static void model_load_each(const char *rel)
{
    model_load_path(gy_test_shared(rel), rel);
}

START_TEST(model_load_every_allocation)
{
    model_load_each("weights/yolov8n.safetensors");
}
END_TEST

START_TEST(pt_load_every_allocation)
{
    model_load_each("weights/yolov8n.pt");
}
END_TEST

START_TEST(config_load_every_allocation)
{
    const char *cfg = gy_test_source("configs/YOLOv8_C2f_GhostBottleneckV2s.yaml");
    gy_model_params p = gy_model_default_params();
    p.synthetic_weights = 1;
    long k;
    for (k = 1;; k++) {
        gy_model *m = (gy_model *)1;
        gy_error err;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_model_load(cfg, NULL, &p, &m, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "load without failure: %s", err.message);
            gy_model_free(m);
            break;
        }
        if (st == GY_OK) {
            gy_model_free(m);
            continue;
        }
        check_failure(st, &err, "gy_model_load (YAML, synthetic weights)", k);
        ck_assert(m == NULL);
    }
    printf("model load (Ghost V2 YAML, synthetic weights): %ld allocations, each failed once\n", k - 1);
}
END_TEST

START_TEST(stats_every_allocation)
{
    gy_model *m = load_ok();
    gy_stats_params sp = gy_stats_default_params();
    long k;
    for (k = 1;; k++) {
        gy_stats *s = (gy_stats *)1;
        gy_error err;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_model_stats(m, &sp, &s, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "stats without failure: %s", err.message);
            ck_assert_int_eq(s->fused.params, 3151904);
            gy_stats_free(s);
            break;
        }
        if (st == GY_OK) {
            gy_stats_free(s);
            continue;
        }
        check_failure(st, &err, "gy_model_stats", k);
        ck_assert(s == NULL);
    }
    printf("stats: %ld allocations, each failed once\n", k - 1);
    gy_model_free(m);
}
END_TEST

/* The boxes of one detect call, for comparison. */
typedef struct boxes {
    int count;
    gy_box b[300];
} boxes;

static void keep(boxes *out, const gy_detections *d)
{
    out->count = d->count < 300 ? d->count : 300;
    memcpy(out->b, d->boxes, sizeof(gy_box) * (size_t)out->count);
}

START_TEST(session_and_detect_every_allocation)
{
    gy_model *m = load_ok();
    gy_image *img;
    gy_error err;
    ck_assert_msg(gy_image_load(gy_test_shared("images/bus.jpg"), &img, &err) == GY_OK, "%s", err.message);
    gy_detect_params dp = gy_detect_default_params();
    dp.imgsz = 320; /* smaller than 640 to keep the many runs short */
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = 1;

    /* the reference boxes */
    gy_session *ref;
    ck_assert(gy_session_create(m, &sp, &ref, &err) == GY_OK);
    gy_detections *d;
    ck_assert_msg(gy_detect(ref, img, &dp, &d, &err) == GY_OK, "%s", err.message);
    boxes want;
    keep(&want, d);
    ck_assert_int_ge(want.count, 3);
    gy_detections_free(d);
    gy_session_free(ref);

    /* session creation */
    long k, create_allocs, reserve_allocs, detect_allocs;
    for (k = 1;; k++) {
        gy_session *s = (gy_session *)1;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_session_create(m, &sp, &s, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            gy_session_free(s);
            break;
        }
        if (st == GY_OK) {
            gy_session_free(s);
            continue;
        }
        check_failure(st, &err, "gy_session_create", k);
        ck_assert(s == NULL);
    }
    create_allocs = k - 1;

    /* reserve on one session: after each failure the same session must work */
    gy_session *s;
    ck_assert(gy_session_create(m, &sp, &s, &err) == GY_OK);
    for (k = 1;; k++) {
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_session_reserve(s, 256, 320, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            break;
        }
        if (st != GY_OK)
            check_failure(st, &err, "gy_session_reserve", k);
        /* a different size, then the failed one again, with working allocation */
        ck_assert_msg(gy_session_reserve(s, 224, 224, &err) == GY_OK, "after failure %ld: %s", k, err.message);
        ck_assert_msg(gy_session_reserve(s, 256, 320, &err) == GY_OK, "after failure %ld: %s", k, err.message);
        ck_assert_msg(gy_session_reserve(s, 224, 224, &err) == GY_OK, "after failure %ld: %s", k, err.message);
    }
    reserve_allocs = k - 1;

    /* detect: each failure, then the same session detects the same boxes */
    for (k = 1;; k++) {
        gy_detections *got = (gy_detections *)1;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_detect(s, img, &dp, &got, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            gy_detections_free(got);
            break;
        }
        if (st == GY_OK) {
            gy_detections_free(got);
        } else {
            check_failure(st, &err, "gy_detect", k);
            ck_assert(got == NULL);
        }
        ck_assert_msg(gy_detect(s, img, &dp, &got, &err) == GY_OK, "after failure %ld: %s", k, err.message);
        boxes again;
        keep(&again, got);
        gy_detections_free(got);
        ck_assert_int_eq(again.count, want.count);
        ck_assert_msg(memcmp(again.b, want.b, sizeof(gy_box) * (size_t)want.count) == 0,
                      "after failure %ld the boxes differ", k);
    }
    detect_allocs = k - 1;
    printf("session create: %ld allocations, reserve: %ld, detect (bus.jpg at 320): %ld; each failed once\n",
           create_allocs, reserve_allocs, detect_allocs);
    gy_session_free(s);
    gy_image_free(img);
    gy_model_free(m);
}
END_TEST

/* int8: writing an int8 file (a small model, synthetic weights), loading it (the int8 binder,
 * analysis, packing), reserving a session (the int8 plan, arena, bound steps) and detecting. */
static const char tiny_int8_yaml[] =
    "nc: 2\nbackbone:\n  - [-1, 1, Conv, [8, 3, 2]]\n  - [-1, 1, C2f, [8, True]]\n"
    "  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, SPPF, [16, 5]]\nhead:\n"
    "  - [-1, 1, nn.Upsample, [None, 2, 'nearest']]\n  - [[-1, 1], 1, Concat, [1]]\n"
    "  - [-1, 1, GhostConv, [8, 1, 1]]\n  - [[6, 3], 1, Detect, [nc]]\n";

START_TEST(int8_every_allocation)
{
    char dir[] = "/tmp/gy_alloc_int8_XXXXXX", yaml[64], q[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(yaml, sizeof yaml, "%s/tiny.yaml", dir);
    snprintf(q, sizeof q, "%s/tiny_int8.safetensors", dir);
    gy_test_write_text(yaml, tiny_int8_yaml);
    gy_error err;
    long k;
    for (k = 1;; k++) {
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_quantize_synthetic(yaml, q, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            break;
        }
        if (st != GY_OK) {
            check_failure(st, &err, "gy_quantize_synthetic", k);
            ck_assert_int_ne(access(q, F_OK), 0); /* no file left behind */
        } else {
            ck_assert_int_eq(unlink(q), 0);
        }
    }
    printf("int8 file (synthetic): %ld allocations, each failed once\n", k - 1);
    model_load_path(q, "tiny int8 model");
    gy_model *m;
    ck_assert_msg(gy_model_load(NULL, q, NULL, &m, &err) == GY_OK, "%s", err.message);
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = 1;
    gy_session *s;
    ck_assert(gy_session_create(m, &sp, &s, &err) == GY_OK);
    for (k = 1;; k++) {
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_session_reserve(s, 64, 96, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            break;
        }
        if (st != GY_OK)
            check_failure(st, &err, "gy_session_reserve (int8)", k);
        ck_assert_msg(gy_session_reserve(s, 32, 32, &err) == GY_OK, "after failure %ld: %s", k, err.message);
        ck_assert_msg(gy_session_reserve(s, 64, 96, &err) == GY_OK, "after failure %ld: %s", k, err.message);
        ck_assert_msg(gy_session_reserve(s, 32, 32, &err) == GY_OK, "after failure %ld: %s", k, err.message);
    }
    printf("int8 session reserve: %ld allocations, each failed once\n", k - 1);
    gy_image *img;
    ck_assert(gy_image_load(gy_test_shared("images/bus.jpg"), &img, &err) == GY_OK);
    gy_detect_params dp = gy_detect_default_params();
    dp.imgsz = 128;
    dp.conf = 0.0f;
    gy_detections *d;
    ck_assert_msg(gy_detect(s, img, &dp, &d, &err) == GY_OK, "%s", err.message);
    boxes want;
    keep(&want, d);
    gy_detections_free(d);
    for (k = 1;; k++) {
        gy_detections *got = (gy_detections *)1;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_detect(s, img, &dp, &got, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            gy_detections_free(got);
            break;
        }
        if (st == GY_OK)
            gy_detections_free(got);
        else
            check_failure(st, &err, "gy_detect (int8)", k);
        ck_assert_msg(gy_detect(s, img, &dp, &got, &err) == GY_OK, "after failure %ld: %s", k, err.message);
        boxes again;
        keep(&again, got);
        gy_detections_free(got);
        ck_assert_int_eq(again.count, want.count);
        ck_assert_msg(memcmp(again.b, want.b, sizeof(gy_box) * (size_t)want.count) == 0,
                      "after failure %ld the boxes differ", k);
    }
    printf("int8 detect: %ld allocations, each failed once\n", k - 1);
    gy_image_free(img);
    gy_session_free(s);
    gy_model_free(m);
    unlink(q);
    unlink(yaml);
    rmdir(dir);
}
END_TEST

START_TEST(image_load_every_allocation)
{
    /* a PNG and a BMP (stb_image's decoders are compiled into the library, so their allocations
     * are counted) next to the JPEG (libjpeg-turbo allocates for itself) */
    static unsigned char px[37 * 23 * 3];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (unsigned char)(i * 7 + i / 111);
    char png[64], bmp[64];
    snprintf(png, sizeof png, "/tmp/gy_alloc_fail_%ld.png", (long)getpid());
    snprintf(bmp, sizeof bmp, "/tmp/gy_alloc_fail_%ld.bmp", (long)getpid());
    ck_assert(stbi_write_png(png, 37, 23, 3, px, 37 * 3));
    ck_assert(stbi_write_bmp(bmp, 37, 23, 3, px));
    const char *paths[] = {gy_test_shared("images/bus.jpg"), png, bmp};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const char *path = paths[i];
        long k;
        for (k = 1;; k++) {
            gy_image *img = (gy_image *)1;
            gy_error err;
            memset(&err, 0, sizeof err);
            arm(k);
            gy_status st = gy_image_load(path, &img, &err);
            int failed = disarm();
            if (!failed) {
                ck_assert_msg(st == GY_OK, "%s", err.message);
                gy_image_free(img);
                break;
            }
            if (st == GY_OK) {
                gy_image_free(img);
                continue;
            }
            check_failure(st, &err, "gy_image_load", k);
            ck_assert(img == NULL);
        }
        printf("image load %s: %ld allocations, each failed once\n", paths[i], k - 1);
    }
    remove(png);
    remove(bmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc_fail");
    TCase *tc = tcase_create("every allocation");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, image_load_every_allocation);
    tcase_add_test(tc, config_load_every_allocation);
    tcase_add_test(tc, stats_every_allocation);
    tcase_add_test(tc, session_and_detect_every_allocation);
    tcase_add_test(tc, model_load_every_allocation);
    tcase_add_test(tc, pt_load_every_allocation);
    tcase_add_test(tc, int8_every_allocation);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

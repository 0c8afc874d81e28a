/* test_alloc_fail.c - allocation failure on every path: the k-th allocation made by our own code
 * fails, for every k, during model load (YAML, safetensors, .pt), session creation and reserve, detect
 * and the stats report, validation (dataset scan, labels, metrics, confusion matrix) and a chart.
 * The model loaders (thousands of allocations, each run a whole reload) go by call site instead:
 * every allocation call fails at its first and at its second use in a run (site mode, below).
 * Each failure must return GY_ERR_NOMEM with a message (or leave the call
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
#include <sys/stat.h>

#include <stb/stb_image_write.h>
#include <unistd.h>

#include "detector/quantize.h"
#include "testutil.h"

#include "postprocess/plot_chart.h"
#include "postprocess/plot_matrix.h"

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

/* Site mode, for the loaders (whose allocations number in the thousands, each a reload): a run
 * fails the first allocation made from a call site (the caller's address) at its first or second
 * use in the run, unless that (site, use) pair has failed in an earlier run; the loop ends with a
 * run that failed nothing. So every allocation call of the loader fails, as its first and its
 * second use (a loop's cleanup of what its earlier rounds built), in ~2 x sites runs instead of
 * one run per allocation. One thread at a time (a spin lock), like the loaders. */
#define SITE_SLOTS 8192
typedef struct site_use {
    const void *site;
    int uses;   /* this run's uses so far */
    int failed; /* bit u: use u has failed in some run */
} site_use;
static site_use site_table[SITE_SLOTS];
static atomic_int site_mode;        /* 1: site mode armed */
static atomic_int site_failed_run;  /* this run has failed one allocation */
static atomic_flag site_lock = ATOMIC_FLAG_INIT;

static site_use *site_find(const void *site)
{
    size_t h = ((size_t)site >> 4) * 2654435761u % SITE_SLOTS;
    for (size_t i = 0; i < SITE_SLOTS; i++) {
        site_use *e = &site_table[(h + i) % SITE_SLOTS];
        if (e->site == site || e->site == NULL) {
            e->site = site;
            return e;
        }
    }
    return NULL;
}

static int site_should_fail(const void *site)
{
    while (atomic_flag_test_and_set(&site_lock)) {
    }
    int fail = 0;
    site_use *e = site_find(site);
    if (e != NULL) {
        int u = e->uses++;
        if (!atomic_load(&site_failed_run) && u < 2 && !(e->failed & (1 << u))) {
            e->failed |= 1 << u;
            atomic_store(&site_failed_run, 1);
            fail = 1;
        }
    }
    atomic_flag_clear(&site_lock);
    return fail;
}

static int should_fail_from(const void *site)
{
    if (atomic_load(&site_mode))
        return site_should_fail(site);
    long fail = atomic_load(&alloc_fail_at);
    if (fail == 0)
        return 0;
    return atomic_fetch_add(&alloc_count, 1) + 1 == fail;
}

#define should_fail() should_fail_from(__builtin_return_address(0))

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { return should_fail() ? NULL : __real_aligned_alloc(a, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
    return should_fail() ? 12 /* ENOMEM */ : __real_posix_memalign(p, a, n);
}
char *__wrap_strdup(const char *s) { return should_fail() ? NULL : __real_strdup(s); }

/* Site mode: forget every (site, use) pair that failed (a new loader to go through). */
static void sites_reset(void)
{
    memset(site_table, 0, sizeof site_table);
}

/* Arms one site-mode run. */
static void arm_sites(void)
{
    for (size_t i = 0; i < SITE_SLOTS; i++)
        site_table[i].uses = 0;
    atomic_store(&site_failed_run, 0);
    atomic_store(&site_mode, 1);
}

/* Disarms site mode; returns 1 when the run failed an allocation. */
static int disarm_sites(void)
{
    atomic_store(&site_mode, 0);
    return atomic_load(&site_failed_run);
}

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
    /* and says so: not a later step's failure on what the allocation should have given */
    ck_assert_msg(strstr(err->message, "memory") || strstr(err->message, "allocat"),
                  "%s: allocation %ld: the message does not say memory: %s", what, k, err->message);
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
    sites_reset();
    for (k = 1;; k++) {
        gy_model *m = (gy_model *)1;
        gy_error err;
        memset(&err, 0, sizeof err);
        arm_sites();
        gy_status st = gy_model_load(NULL, weights, NULL, &m, &err);
        int failed = disarm_sites();
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
    printf("model load (%s): %ld runs, each allocation call failed at its first and second use\n",
           rel, k - 1);
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

static void config_load_each(const char *cfg, const char *what);

START_TEST(config_load_every_allocation)
{
    config_load_each(gy_test_source("configs/YOLOv8_C2f_GhostBottleneckV2s.yaml"), "Ghost V2 YAML");
}
END_TEST

/* Every backbone-zoo row (and the nn.MaxPool2d row) in one small model. */
START_TEST(zoo_config_load_every_allocation)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_alloc_zoo_%d.yaml", (int)getpid());
    gy_test_write_text(path, "nc: 2\n"
                             "backbone:\n"
                             "  - [-1, 1, ConvBnAct, [16, 3, 2]]\n"
                             "  - [-1, 1, G_bneck, [24, 36, 3, 2, 0.25]]\n"
                             "  - [-1, 1, G_bneckV2, [24, 47, 3, 1, 0.25, 1]]\n"
                             "  - [-1, 1, GGhostBottleneck, [24, 1, 8]]\n"
                             "  - [-1, 1, GGhostStage, [48, 3, 8, 2, 0.5]]\n"
                             "  - [-1, 1, HSBottleneck, [48, 1, 5]]\n"
                             "  - [-1, 1, conv_bn_relu_maxpool, [24]]\n"
                             "  - [-1, 1, Shuffle_Block, [24, 1]]\n"
                             "  - [-1, 1, ShuffleV1Block, [48, 2, 3, 0]]\n"
                             "  - [-1, 1, ConvBNReLU, [24, 1, 1]]\n"
                             "  - [-1, 1, ConvBNReLU6, [24, 3, 1]]\n"
                             "  - [-1, 1, InvertedResidual, [24, 1, 6]]\n"
                             "  - [-1, 1, conv_bn_hswish, [16, 1, 1]]\n"
                             "  - [-1, 1, MobileNetV3, [16, 48, 3, 1, 1, 1]]\n"
                             "  - [-1, 1, ConvReLU, [16, 3, 1]]\n"
                             "  - [-1, 1, Fire, [8, 8, 8]]\n"
                             "  - [-1, 1, nn.MaxPool2d, [3, 1, 1, 1, False, True]]\n"
                             "head:\n"
                             "  - [[-1], 1, Detect, [nc]]\n");
    config_load_each(path, "zoo YAML");
    unlink(path);
}
END_TEST

/* A zoo checkpoint: torchvision classes, per-BatchNorm eps. */
START_TEST(zoo_pt_load_every_allocation)
{
    model_load_each("parity/zoo_mobilenetv3_pt_224x320/weights.pt");
}
END_TEST

static void config_load_each(const char *cfg, const char *what)
{
    gy_model_params p = gy_model_default_params();
    p.synthetic_weights = 1;
    long k;
    sites_reset();
    for (k = 1;; k++) {
        gy_model *m = (gy_model *)1;
        gy_error err;
        memset(&err, 0, sizeof err);
        arm_sites();
        gy_status st = gy_model_load(cfg, NULL, &p, &m, &err);
        int failed = disarm_sites();
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
    printf("model load (%s, synthetic weights): %ld runs, each allocation call failed at its first "
           "and second use\n", what, k - 1);
}

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

/* A reserve that succeeded although one of its allocations failed (a fallback) must leave a
 * session that runs at that size: a forward pass with working allocation. */
static void forward_works(gy_session *s, int h, int w, long k, const char *what)
{
    float *x = calloc((size_t)3 * h * w, sizeof *x);
    ck_assert_ptr_nonnull(x);
    gy_output out;
    gy_error err;
    ck_assert_msg(gy_forward(s, x, h, w, &out, &err) == GY_OK,
                  "%s succeeded with allocation %ld failing, then a %dx%d forward fails: %s", what, k,
                  h, w, err.message);
    free(x);
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
        else
            forward_works(s, 256, 320, k, "gy_session_reserve");
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
        else
            forward_works(s, 64, 96, k, "gy_session_reserve (int8)");
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

START_TEST(image_save_every_allocation)
{
    /* the encoder's growing buffer and the temporary name: each failure is GY_ERR_NOMEM and
     * leaves no file */
    static unsigned char px[300 * 200 * 3];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (unsigned char)(i * 13 + i / 301);
    gy_image img = {300, 200, px};
    static const char *exts[] = {"png", "jpg", "bmp"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/gy_alloc_fail_save_%ld.%s", (long)getpid(), exts[i]);
        long k;
        for (k = 1;; k++) {
            gy_error err;
            memset(&err, 0, sizeof err);
            arm(k);
            gy_status st = gy_image_save(&img, path, &err);
            int failed = disarm();
            if (!failed) {
                ck_assert_msg(st == GY_OK, "%s", err.message);
                break;
            }
            check_failure(st, &err, "gy_image_save", k);
            ck_assert_msg(access(path, F_OK) != 0, "%s: written after failure %ld", path, k);
        }
        ck_assert_int_gt(k, 2); /* at least the buffer and the temporary name were failed */
        printf("image save %s: %ld allocations, each failed once\n", exts[i], k - 1);
        remove(path);
    }
}
END_TEST

/* gy_val on a one-image dataset (a duplicate label row, so the scan removes one) at imgsz 64:
 * every allocation of the YAML, the label scan, the forward's reserve, NMS, metrics and the
 * confusion matrix; the same session then gives the same result. */
START_TEST(val_every_allocation)
{
    char dir[64], cmd[1024], path[256], names[1024] = "names: [";
    snprintf(dir, sizeof dir, "/tmp/gy_alloc_fail_val_%ld", (long)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/images' '%s/labels' && cp '%s' '%s/images/a.jpg'",
             dir, dir, dir, gy_test_shared("images/bus.jpg"), dir);
    ck_assert_int_eq(system(cmd), 0);
    for (int i = 0; i < 80; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%sc%d", i ? ", " : "", i);
    strcat(names, "]\nval: images\n");
    snprintf(path, sizeof path, "%s/labels/a.txt", dir);
    gy_test_write_text(path, "5 0.5 0.45 0.95 0.5\n0 0.2 0.65 0.2 0.55\n0 0.2 0.65 0.2 0.55\n");
    snprintf(path, sizeof path, "%s/d.yaml", dir);
    gy_test_write_text(path, names);
    gy_model *m = load_ok();
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = 1;
    gy_session *s;
    gy_error err;
    ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_OK);
    gy_val_params vp = gy_val_default_params();
    vp.imgsz = 64;
    gy_val_result *ref;
    ck_assert_msg(gy_val(s, path, &vp, NULL, NULL, &ref, &err) == GY_OK, "%s", err.message);
    long k;
    for (k = 1;; k++) {
        gy_val_result *r = (gy_val_result *)1;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_val(s, path, &vp, NULL, NULL, &r, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            gy_val_result_free(r);
            break;
        }
        if (st == GY_OK) {
            gy_val_result_free(r);
            continue;
        }
        check_failure(st, &err, "gy_val", k);
        ck_assert(r == NULL);
    }
    gy_val_result *again;
    ck_assert_msg(gy_val(s, path, &vp, NULL, NULL, &again, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(again->predictions, ref->predictions);
    ck_assert_int_eq(again->instances, 2);
    ck_assert(again->map50_95 == ref->map50_95);
    ck_assert(memcmp(again->confusion_matrix, ref->confusion_matrix, sizeof(double) * 81 * 81) == 0);
    printf("val (one image at 64): %ld allocations, each failed once\n", k - 1);
    gy_val_result_free(again);
    gy_val_result_free(ref);
    gy_session_free(s);
    gy_model_free(m);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A small chart with a line, labelled points and a legend, drawn and written as PNG. */
/* The video writer (Motion JPEG, frames encoded on the caller's thread and through the queue):
 * every allocation of ours during open, three frames and close fails once; the failure is an
 * out-of-memory status with a message, and neither the file nor its temporary is left behind.
 * FFmpeg's own allocations are not counted (a shared library). */
START_TEST(video_writer_every_allocation)
{
    char path[64], tmp[96];
    snprintf(path, sizeof path, "/tmp/gy_alloc_fail_video_%ld.avi", (long)getpid());
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    static unsigned char px[64 * 48 * 3];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (unsigned char)(i * 7);
    const gy_image frame = {64, 48, px};
    for (int queue = 0; queue <= 2; queue += 2) {
        gy_video_writer_params p = gy_video_writer_default_params();
        p.queue = queue;
        long k;
        for (k = 1;; k++) {
            gy_video_writer *w = NULL;
            gy_error err;
            memset(&err, 0, sizeof err);
            arm(k);
            gy_status st = gy_video_writer_open(path, 64, 48, &p, &w, &err);
            for (int f = 0; f < 3 && st == GY_OK; f++)
                st = gy_video_writer_write(w, &frame, &err);
            if (st == GY_OK) {
                st = gy_video_writer_close(w, &err);
                w = NULL;
            }
            int failed = disarm();
            gy_video_writer_free(w);
            struct stat sb;
            ck_assert_msg(stat(tmp, &sb) != 0, "allocation %ld: the temporary is left", k);
            if (!failed) {
                ck_assert_msg(st == GY_OK, "%s", err.message);
                ck_assert_int_eq(stat(path, &sb), 0);
                unlink(path);
                break;
            }
            check_failure(st, &err, "video writer", k);
            ck_assert_msg(stat(path, &sb) != 0, "allocation %ld: a file despite the failure", k);
        }
        printf("video writer (queue %d): %ld allocations, each failed once\n", queue, k - 1);
    }
}
END_TEST

/* The video reader: a 5-frame Motion JPEG clip (written by the library's writer) opened and read
 * to its end, every allocation of ours failing once. A failure is an out-of-memory status with a
 * message from open or from a frame (the frames before it intact); it never reads as an early
 * end of the video. */
START_TEST(video_reader_every_allocation)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_alloc_fail_read_%ld.avi", (long)getpid());
    static unsigned char px[64 * 48 * 3];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (unsigned char)(i * 5);
    const gy_image frame = {64, 48, px};
    gy_video_writer *w = NULL;
    gy_error err;
    ck_assert_msg(gy_video_writer_open(path, 64, 48, NULL, &w, &err) == GY_OK, "%s", err.message);
    for (int f = 0; f < 5; f++)
        ck_assert_msg(gy_video_writer_write(w, &frame, &err) == GY_OK, "%s", err.message);
    ck_assert_msg(gy_video_writer_close(w, &err) == GY_OK, "%s", err.message);
    long k;
    for (k = 1;; k++) {
        gy_video *v = NULL;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_video_open(path, NULL, &v, &err);
        int frames = 0, wrong_size = 0; /* no assertion while armed: Check allocates too */
        while (st == GY_OK) {
            gy_video_frame f;
            st = gy_video_next(v, &f, &err);
            if (st != GY_OK || !f.image.data)
                break;
            wrong_size += f.image.width != 64 || f.image.height != 48;
            frames++;
        }
        int failed = disarm();
        ck_assert_int_eq(wrong_size, 0);
        gy_video_free(v);
        if (!failed) {
            ck_assert_msg(st == GY_OK && frames == 5, "%d frames: %s", frames, err.message);
            break;
        }
        if (st == GY_OK) /* a fallback kept every frame */
            ck_assert_msg(frames == 5, "allocation %ld: the video ended after %d frames", k,
                          frames);
        else
            check_failure(st, &err, "video reader", k);
    }
    printf("video reader: %ld allocations, each failed once\n", k - 1);
    unlink(path);
}
END_TEST

START_TEST(chart_every_allocation)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_alloc_fail_chart_%ld.png", (long)getpid());
    const double x[3] = {1, 2, 3}, y[3] = {3, 1, 2};
    const char *labels[3] = {"a", "b", NULL};
    long k;
    for (k = 1;; k++) {
        gy_chart *c = NULL;
        gy_error err;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_chart_create(3, 2, 60, &c, &err);
        if (st == GY_OK)
            st = gy_chart_labels(c, "t", "x", "y", &err);
        if (st == GY_OK)
            st = gy_chart_line(c, x, y, 3, (gy_rgb){1, 0, 0}, 1, "line", &err);
        if (st == GY_OK)
            st = gy_chart_points(c, x, y, 3, (gy_rgb){0, 0, 1}, 4, labels, "points", &err);
        if (st == GY_OK) {
            gy_chart_legend(c, GY_LEGEND_INSIDE);
            st = gy_chart_save(c, path, &err);
        }
        int failed = disarm();
        gy_chart_free(c);
        if (!failed) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            break;
        }
        /* a chart keeps every string and point it is given and has no fallback: a failed
         * allocation fails the call (a title, label or legend entry silently lost is a wrong
         * picture) */
        ck_assert_msg(st != GY_OK, "chart: allocation %ld failed but the calls succeeded", k);
        check_failure(st, &err, "chart", k);
    }
    printf("chart: %ld allocations, each failed once\n", k - 1);
    /* the confusion matrix picture (3 classes, named, values written) */
    static const double m[16] = {5, 0, 0, 1, 0, 3, 1, 0, 0, 0, 7, 2, 1, 1, 0, 0};
    const char *names[3] = {"a", "b", "c"};
    for (k = 1;; k++) {
        gy_error err;
        memset(&err, 0, sizeof err);
        arm(k);
        gy_status st = gy_plot_confusion_matrix(path, m, 3, names, 3, 1, &err);
        int failed = disarm();
        if (!failed) {
            ck_assert_msg(st == GY_OK, "%s", err.message);
            break;
        }
        if (st != GY_OK)
            check_failure(st, &err, "confusion matrix plot", k);
    }
    printf("confusion matrix plot: %ld allocations, each failed once\n", k - 1);
    remove(path);
    gy_canvas_release_fonts();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc_fail");
    TCase *tc = tcase_create("every allocation");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, image_load_every_allocation);
    tcase_add_test(tc, image_save_every_allocation);
    tcase_add_test(tc, config_load_every_allocation);
    tcase_add_test(tc, zoo_config_load_every_allocation);
    tcase_add_test(tc, zoo_pt_load_every_allocation);
    tcase_add_test(tc, stats_every_allocation);
    tcase_add_test(tc, session_and_detect_every_allocation);
    tcase_add_test(tc, model_load_every_allocation);
    tcase_add_test(tc, pt_load_every_allocation);
    tcase_add_test(tc, val_every_allocation);
    tcase_add_test(tc, chart_every_allocation);
    tcase_add_test(tc, video_writer_every_allocation);
    tcase_add_test(tc, video_reader_every_allocation);
    tcase_add_test(tc, int8_every_allocation);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* test_regress.c - replays the regression inputs of tests/regress/<target>/ (fuzzer findings and
 * other hostile inputs, small files) through the entry point of the fuzz harness of that name:
 *   image/        gy_image_decode_memory
 *   safetensors/  gy_st_parse
 *   model_yaml/   gy_model_load, then gy_model_stats
 *   labels/       gy_labels_read (80 classes)
 * Each must be refused with a message naming the file (a file whose name contains ".ok." must load),
 * within 2 s, with no sanitizer report (the ASan build runs this test too). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detector/dataset.h"
#include "preprocess/image.h"
#include "testutil.h"
#include "weights/safetensors.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static gy_status replay(const char *target, const char *path, gy_error *err)
{
    if (strcmp(target, "image") == 0) {
        size_t n;
        unsigned char *b = gy_test_read(path, &n);
        gy_image *img = NULL;
        gy_status st = gy_image_decode_memory(b, n, path, &img, err);
        gy_image_free(img);
        free(b);
        return st;
    }
    if (strcmp(target, "safetensors") == 0) {
        size_t n;
        unsigned char *b = gy_test_read(path, &n);
        gy_safetensors *st = NULL;
        gy_status s = gy_st_parse(b, n, path, &st, err); /* takes b */
        gy_st_close(st);
        return s;
    }
    if (strcmp(target, "model_yaml") == 0) {
        gy_model *m = NULL;
        gy_status st = gy_model_load(path, NULL, NULL, &m, err);
        if (st == GY_OK) {
            gy_stats *s = NULL;
            st = gy_model_stats(m, NULL, &s, err);
            gy_stats_free(s);
        }
        gy_model_free(m);
        return st;
    }
    if (strcmp(target, "labels") == 0) {
        gy_label *l = NULL;
        int n, found;
        gy_status st = gy_labels_read(path, 80, &l, &n, &found, err);
        free(l);
        return st;
    }
    ck_abort_msg("tests/regress/%s: no entry point for this folder", target);
    return GY_ERR_STATE;
}

START_TEST(replay_all)
{
    static const char *const targets[] = {"image", "safetensors", "model_yaml", "labels"};
    int total = 0;
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        char dirpath[1024];
        snprintf(dirpath, sizeof dirpath, "%s/tests/regress/%s", GY_SOURCE_DIR, targets[t]);
        DIR *d = opendir(dirpath);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dirpath, e->d_name);
            gy_error err;
            memset(&err, 0, sizeof err);
            double t0 = now();
            gy_status st = replay(targets[t], path, &err);
            double secs = now() - t0;
            int want_ok = strstr(e->d_name, ".ok.") != NULL;
            ck_assert_msg((st == GY_OK) == want_ok, "%s: status %s: %s", path, gy_status_str(st), err.message);
            if (st != GY_OK)
                ck_assert_msg(strstr(err.message, e->d_name), "%s: the message does not name the file: %s", path,
                              err.message);
            ck_assert_msg(secs < 2.0, "%s: took %.2f s", path, secs);
            printf("%s/%s: %s in %.3f s: %.200s\n", targets[t], e->d_name, gy_status_str(st), secs, err.message);
            total++;
        }
        closedir(d);
    }
    ck_assert_msg(total > 0, "no regression inputs found under %s/tests/regress", GY_SOURCE_DIR);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("regress");
    TCase *tc = tcase_create("replay");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, replay_all);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

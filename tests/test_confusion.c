/* test_confusion.c - ultralytics 8.0.126's ConfusionMatrix.process_batch (postprocess/confusion.c):
 * hand-made images whose counts follow from the algorithm by hand (the quirks included: no false
 * positives in an image where nothing matched, a prediction keeps its best label before a label
 * keeps its best prediction, ties to the later candidate, the strict thresholds), then random runs
 * against tests/reference/confusion_matrix.py, a numpy restatement of ultralytics' code. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postprocess/confusion.h"
#include "postprocess/metrics.h"

#ifndef GY_PYTHON
#define GY_PYTHON "/usr/bin/python3"
#endif

#define NC 3
#define W (NC + 1)
#define BG NC

static gy_box box(float x1, float y1, float x2, float y2, float score, int cls)
{
    gy_box b = {x1, y1, x2, y2, score, cls};
    return b;
}

static gy_confusion *fresh(void)
{
    gy_confusion *cm;
    gy_error err;
    ck_assert_int_eq(gy_confusion_create(NC, &cm, &err), GY_OK);
    return cm;
}

static void add(gy_confusion *cm, const gy_box *d, int nd, const gy_box *l, int nl)
{
    gy_error err;
    ck_assert_msg(gy_confusion_add(cm, d, nd, l, nl, &err) == GY_OK, "%s", err.message);
}

/* the cells that are not zero, as "row,col=count ..." */
static void expect(const gy_confusion *cm, const char *cells)
{
    char got[512] = "";
    for (int r = 0; r < W; r++)
        for (int c = 0; c < W; c++)
            if (cm->matrix[r * W + c] != 0.0)
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%d,%d=%g", got[0] ? " " : "",
                         r, c, cm->matrix[r * W + c]);
    ck_assert_msg(strcmp(got, cells) == 0, "matrix cells '%s', expected '%s'", got, cells);
}

START_TEST(matched_and_confused)
{
    gy_confusion *cm = fresh();
    const gy_box l[2] = {box(0, 0, 10, 10, 1, 0), box(20, 20, 30, 30, 1, 1)};
    const gy_box d[2] = {box(0, 0, 10, 10, 0.9f, 0), box(20, 20, 30, 30, 0.8f, 2)};
    add(cm, d, 2, l, 2);
    /* label 0 found as class 0; label 1 (class 1) found as class 2 */
    expect(cm, "0,0=1 2,1=1");
    gy_confusion_free(cm);
}
END_TEST

/* detections[:, 4] > conf: a score of exactly 0.25 does not take part */
START_TEST(conf_threshold)
{
    gy_confusion *cm = fresh();
    const gy_box l[1] = {box(0, 0, 10, 10, 1, 0)};
    gy_box d[1] = {box(0, 0, 10, 10, 0.25f, 0)};
    add(cm, d, 1, l, 1);
    expect(cm, "3,0=1");
    d[0].score = 0.25000003f; /* the next float32 above */
    add(cm, d, 1, l, 1);
    expect(cm, "0,0=1 3,0=1");
    gy_confusion_free(cm);
}
END_TEST

/* iou > iou_thres, in float32: IoU exactly 0.45f is no match, 0.46 is */
START_TEST(iou_threshold)
{
    gy_confusion *cm = fresh();
    const gy_box l[1] = {box(0, 0, 100, 100, 1, 1)};
    gy_box d[1] = {box(0, 0, 100, 45, 0.9f, 1)};
    ck_assert_float_eq(gy_metrics_iou(&l[0], &d[0]), 0.45f);
    add(cm, d, 1, l, 1);
    expect(cm, "3,1=1"); /* no match: the label is a miss, and no false positive (no match at all) */
    d[0].y2 = 46;
    add(cm, d, 1, l, 1);
    expect(cm, "1,1=1 3,1=1");
    gy_confusion_free(cm);
}
END_TEST

/* `if n:` - in an image where no pair matched, unmatched predictions are not counted */
START_TEST(no_match_no_false_positive)
{
    gy_confusion *cm = fresh();
    const gy_box l[2] = {box(0, 0, 10, 10, 1, 0), box(20, 20, 30, 30, 1, 1)};
    const gy_box far[2] = {box(50, 50, 60, 60, 0.9f, 0), box(70, 70, 80, 80, 0.9f, 2)};
    add(cm, far, 2, l, 1);
    expect(cm, "3,0=1");
    /* the same predictions next to one that matches: now both count at [class][background] */
    const gy_box three[3] = {far[0], far[1], box(20, 20, 30, 30, 0.6f, 1)};
    add(cm, three, 3, l, 2);
    expect(cm, "0,3=1 1,1=1 2,3=1 3,0=2");
    /* predictions under the confidence threshold are never false positives */
    const gy_box low[2] = {box(20, 20, 30, 30, 0.6f, 1), box(50, 50, 60, 60, 0.2f, 0)};
    add(cm, low, 2, l + 1, 1);
    expect(cm, "0,3=1 1,1=2 2,3=1 3,0=2");
    gy_confusion_free(cm);
}
END_TEST

/* an image without labels adds nothing; an image without predictions counts its labels as
 * misses */
START_TEST(empty_sides)
{
    gy_confusion *cm = fresh();
    const gy_box d[1] = {box(0, 0, 10, 10, 0.9f, 0)};
    add(cm, d, 1, NULL, 0);
    expect(cm, "");
    const gy_box l[3] = {box(0, 0, 10, 10, 1, 0), box(0, 0, 10, 10, 1, 2), box(5, 5, 9, 9, 1, 2)};
    add(cm, NULL, 0, l, 3);
    expect(cm, "3,0=1 3,2=2");
    gy_confusion_free(cm);
}
END_TEST

/* two predictions on one label: the higher IoU takes it, the other is a false positive */
START_TEST(duplicates)
{
    gy_confusion *cm = fresh();
    const gy_box l[1] = {box(0, 0, 10, 10, 1, 0)};
    const gy_box d[2] = {box(0, 0, 10, 7, 0.95f, 1), box(0, 0, 10, 9, 0.5f, 0)}; /* IoU .7, .9 */
    add(cm, d, 2, l, 1);
    expect(cm, "0,0=1 1,3=1");
    gy_confusion_free(cm);
}
END_TEST

/* one prediction over two labels keeps the higher IoU; the other label is a miss even though the
 * prediction overlapped it past the threshold */
START_TEST(one_prediction_two_labels)
{
    gy_confusion *cm = fresh();
    const gy_box l[2] = {box(0, 0, 10, 10, 1, 0), box(0, 0, 10, 8, 1, 1)};
    const gy_box d[1] = {box(0, 0, 10, 8.5f, 0.9f, 2)}; /* IoU .85 with label 0, .94 with 1 */
    add(cm, d, 1, l, 2);
    expect(cm, "2,1=1 3,0=1");
    gy_confusion_free(cm);
}
END_TEST

/* greedy in two steps: each prediction picks its best label first, then each label its best
 * prediction. Prediction 0 prefers label 0 (.9) over label 1 (.8); prediction 1 also picks
 * label 0 (.85). Label 0 keeps prediction 0; label 1 stays a miss (no prediction chose it),
 * prediction 1 is a false positive. */
START_TEST(two_step_greedy)
{
    gy_confusion *cm = fresh();
    const gy_box l[2] = {box(0, 0, 10, 10, 1, 0), box(0, 0, 10, 8, 1, 1)};
    const gy_box d[2] = {box(0, 0, 10, 9, 0.9f, 0), box(0, 0, 10, 11.7647059f, 0.8f, 2)};
    ck_assert(gy_metrics_iou(&l[0], &d[0]) > gy_metrics_iou(&l[1], &d[0]));
    ck_assert(gy_metrics_iou(&l[0], &d[1]) > gy_metrics_iou(&l[1], &d[1]));
    ck_assert(gy_metrics_iou(&l[1], &d[0]) > 0.45f && gy_metrics_iou(&l[0], &d[1]) < gy_metrics_iou(&l[0], &d[0]));
    add(cm, d, 2, l, 2);
    expect(cm, "0,0=1 2,3=1 3,1=1");
    gy_confusion_free(cm);
}
END_TEST

/* equal IoUs: numpy's reversed argsort puts the later candidate first, so a prediction equally
 * close to two labels takes the later label, and a label equally close to two predictions the
 * later prediction */
START_TEST(ties)
{
    gy_confusion *cm = fresh();
    const gy_box l2[2] = {box(0, 0, 10, 10, 1, 0), box(0, 0, 10, 10, 1, 1)};
    const gy_box d1[1] = {box(0, 0, 10, 10, 0.9f, 2)};
    add(cm, d1, 1, l2, 2);
    expect(cm, "2,1=1 3,0=1");
    gy_confusion_free(cm);
    cm = fresh();
    const gy_box l1[1] = {box(0, 0, 10, 10, 1, 0)};
    const gy_box d2[2] = {box(0, 0, 10, 10, 0.9f, 1), box(0, 0, 10, 10, 0.8f, 2)};
    add(cm, d2, 2, l1, 1);
    expect(cm, "1,3=1 2,0=1");
    gy_confusion_free(cm);
}
END_TEST

START_TEST(bad_arguments)
{
    gy_confusion *cm = fresh();
    gy_error err;
    const gy_box l[1] = {box(0, 0, 10, 10, 1, NC)};
    const gy_box d[1] = {box(0, 0, 10, 10, 0.9f, -1)};
    const gy_box ok[1] = {box(0, 0, 10, 10, 0.9f, NC - 1)};
    ck_assert_int_eq(gy_confusion_add(cm, ok, 1, l, 1, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_confusion_add(cm, d, 1, ok, 1, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_confusion_add(cm, NULL, 1, ok, 1, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_confusion_add(cm, ok, 1, NULL, 1, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_confusion_add(cm, ok, -1, ok, 1, &err), GY_ERR_ARGUMENT);
    expect(cm, "");
    gy_confusion_free(cm);
    ck_assert_int_eq(gy_confusion_create(0, &cm, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(cm);
    ck_assert_int_eq(gy_confusion_create(1, &cm, &err), GY_OK);
    gy_confusion_free(cm);
}
END_TEST

/* Random runs against the numpy restatement: boxes on a small field so that they overlap often,
 * 0 to 6 labels and 0 to 9 predictions per image. */
START_TEST(random_against_numpy)
{
    char in[64], out[64], cmd[512];
    snprintf(in, sizeof in, "/tmp/gy_test_confusion_%d.in", (int)getpid());
    snprintf(out, sizeof out, "/tmp/gy_test_confusion_%d.out", (int)getpid());
    FILE *f = fopen(in, "w");
    ck_assert_ptr_nonnull(f);
    gy_test_rng rng = {20240611};
    enum { RUNS = 40, IMAGES = 25 };
    double *mine = malloc(sizeof *mine * RUNS * W * W);
    ck_assert_ptr_nonnull(mine);
    for (int run = 0; run < RUNS; run++) {
        gy_confusion *cm = fresh();
        for (int im = 0; im < IMAGES; im++) {
            gy_box d[9], l[6];
            const int nd = gy_test_rng_int(&rng, 0, 9), nl = gy_test_rng_int(&rng, 0, 6);
            for (int k = 0; k < nd + nl; k++) {
                const float x = 20.0f * (gy_test_rng_float(&rng) + 1.0f), y = 20.0f * (gy_test_rng_float(&rng) + 1.0f);
                const float w = 4.0f + 8.0f * (gy_test_rng_float(&rng) + 1.0f), h = 4.0f + 8.0f * (gy_test_rng_float(&rng) + 1.0f);
                const gy_box b = box(x, y, x + w, y + h, (gy_test_rng_float(&rng) + 1.0f) / 2.0f,
                                     gy_test_rng_int(&rng, 0, NC - 1));
                if (k < nd)
                    d[k] = b;
                else
                    l[k - nd] = b;
            }
            add(cm, d, nd, l, nl);
            fprintf(f, "%d|", NC);
            for (int k = 0; k < nd; k++)
                fprintf(f, "%s%.9g %.9g %.9g %.9g %.9g %d", k ? "," : "", d[k].x1, d[k].y1, d[k].x2,
                        d[k].y2, d[k].score, d[k].class_id);
            fprintf(f, "|");
            for (int k = 0; k < nl; k++)
                fprintf(f, "%s%d %.9g %.9g %.9g %.9g", k ? "," : "", l[k].class_id, l[k].x1, l[k].y1,
                        l[k].x2, l[k].y2);
            fprintf(f, "\n");
        }
        fprintf(f, "=\n");
        memcpy(mine + run * W * W, cm->matrix, sizeof *mine * W * W);
        gy_confusion_free(cm);
    }
    ck_assert_int_eq(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "'%s' '%s' < '%s' > '%s'", GY_PYTHON,
             gy_test_source("tests/reference/confusion_matrix.py"), in, out);
    ck_assert_msg(system(cmd) == 0, "%s failed (it needs numpy: Debian's python3-numpy)", cmd);
    f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    long long total = 0, compared = 0;
    for (int run = 0; run < RUNS; run++) {
        for (int r = 0; r < W; r++)
            for (int c = 0; c < W; c++) {
                long long v;
                ck_assert_int_eq(fscanf(f, "%lld", &v), 1);
                ck_assert_msg((double)v == mine[run * W * W + r * W + c],
                              "run %d cell [%d][%d]: numpy %lld, ours %g", run, r, c, v,
                              mine[run * W * W + r * W + c]);
                total += v;
                compared++;
            }
        char sep[4];
        ck_assert_int_eq(fscanf(f, "%3s", sep), 1);
        ck_assert_str_eq(sep, "=");
    }
    fclose(f);
    ck_assert_int_eq(compared, RUNS * W * W);
    ck_assert_int_gt(total, RUNS * IMAGES); /* the runs are not empty */
    free(mine);
    unlink(in);
    unlink(out);
}
END_TEST

static Suite *confusion_suite(void)
{
    Suite *s = suite_create("confusion");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, matched_and_confused);
    tcase_add_test(tc, conf_threshold);
    tcase_add_test(tc, iou_threshold);
    tcase_add_test(tc, no_match_no_false_positive);
    tcase_add_test(tc, empty_sides);
    tcase_add_test(tc, duplicates);
    tcase_add_test(tc, one_prediction_two_labels);
    tcase_add_test(tc, two_step_greedy);
    tcase_add_test(tc, ties);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, random_against_numpy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(confusion_suite()); }

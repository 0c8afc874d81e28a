/* test_metrics.c - the validator's matching and ap_per_class on hand-made cases. Every expected
 * number is worked out in the comment above its assertion from ultralytics' definitions:
 *   AP = trapz over x = 0, 0.01, ..., 1 of np.interp(x, [0, recall.., 1], envelope([1, prec.., 0]));
 *   at x = 1 np.interp takes the last sentinel, 0, so a perfect class scores
 *   99 * 0.01 * 1 + 0.01 * (1 + 0) / 2 = 0.995.
 *   P and R are read at the first maximum of the smoothed mean F1 over px = linspace(0, 1, 1000);
 *   below the lowest confidence np.interp gives the last point of each curve. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "postprocess/metrics.h"

#define TOL 1e-12

static gy_box box(float x1, float y1, float x2, float y2, float score, int cls)
{
    gy_box b;
    b.x1 = x1;
    b.y1 = y1;
    b.x2 = x2;
    b.y2 = y2;
    b.score = score;
    b.class_id = cls;
    return b;
}

/* Matches and adds one image; returns nothing, fails the test on error. */
static void add_image(gy_metrics *m, const gy_box *dets, int ndet, const gy_box *labels, int nlab)
{
    gy_error err;
    uint16_t correct[64];
    int cls[64];
    ck_assert_int_le(ndet, 64);
    ck_assert_int_le(nlab, 64);
    ck_assert_msg(gy_metrics_match(dets, ndet, labels, nlab, correct, &err) == GY_OK, "%s",
                  err.message);
    for (int i = 0; i < nlab; i++)
        cls[i] = labels[i].class_id;
    ck_assert_msg(gy_metrics_add(m, dets, correct, ndet, cls, nlab, &err) == GY_OK, "%s",
                  err.message);
}

static gy_metrics *new_metrics(int nc)
{
    gy_metrics *m = NULL;
    gy_error err;
    ck_assert_msg(gy_metrics_create(nc, &m, &err) == GY_OK, "%s", err.message);
    return m;
}

static void compute(const gy_metrics *m, gy_metrics_result *r)
{
    gy_error err;
    ck_assert_msg(gy_metrics_compute(m, r, &err) == GY_OK, "%s", err.message);
}

static void assert_overall(const gy_metrics_result *r, double p, double rec, double map50,
                           double map)
{
    ck_assert_double_eq_tol(r->mp, p, TOL);
    ck_assert_double_eq_tol(r->mr, rec, TOL);
    ck_assert_double_eq_tol(r->map50, map50, TOL);
    ck_assert_double_eq_tol(r->map50_95, map, TOL);
}

START_TEST(iou_thresholds)
{
    float v[GY_METRICS_NIOU + 1];
    v[GY_METRICS_NIOU] = -1.0f; /* a guard: exactly GY_METRICS_NIOU values are written */
    gy_metrics_iou_thresholds(v);
    ck_assert_float_eq(v[GY_METRICS_NIOU], -1.0f);
    ck_assert_float_eq(v[0], 0.5f);
    ck_assert_float_eq(v[9], 0.95f);
    for (int i = 0; i < GY_METRICS_NIOU; i++)
        ck_assert_float_eq_tol(v[i], 0.5f + 0.05f * (float)i, 1e-6f);
}
END_TEST

START_TEST(np_interp)
{
    const double xp[] = {0.0, 1.0, 1.0, 3.0}, fp[] = {10.0, 20.0, 30.0, 50.0};
    /* between points: linear; at a repeated xp: the last of the run; outside: left/right */
    ck_assert_double_eq_tol(gy_np_interp(0.5, xp, fp, 4, -1, -2), 15.0, TOL);
    ck_assert_double_eq_tol(gy_np_interp(1.0, xp, fp, 4, -1, -2), 30.0, TOL);
    ck_assert_double_eq_tol(gy_np_interp(2.0, xp, fp, 4, -1, -2), 40.0, TOL);
    ck_assert_double_eq_tol(gy_np_interp(3.0, xp, fp, 4, -1, -2), 50.0, TOL);
    ck_assert_double_eq_tol(gy_np_interp(-0.1, xp, fp, 4, -1, -2), -1.0, TOL);
    ck_assert_double_eq_tol(gy_np_interp(3.1, xp, fp, 4, -1, -2), -2.0, TOL);
    /* one point: left below, right above, the value on it */
    ck_assert_double_eq_tol(gy_np_interp(0.0, xp, fp, 1, -1, -2), 10.0, TOL);
    ck_assert_double_eq_tol(gy_np_interp(0.5, xp, fp, 1, -1, -2), -2.0, TOL);
}
END_TEST

/* Two labels found exactly: each class curve is precision 1, recall 1 below the lowest score,
 * so AP = 0.995 at every threshold, and F1 = 1 from px = 0 on: P = R = 1. */
START_TEST(perfect)
{
    gy_metrics *m = new_metrics(3);
    gy_box labels[2] = {box(10, 10, 50, 60, 1, 0), box(100, 20, 140, 90, 1, 0)};
    gy_box dets[2] = {box(10, 10, 50, 60, 0.9f, 0), box(100, 20, 140, 90, 0.8f, 0)};
    add_image(m, dets, 2, labels, 2);
    gy_metrics_result r;
    compute(m, &r);
    ck_assert_int_eq(r.images, 1);
    ck_assert_int_eq(r.instances, 2);
    ck_assert_int_eq(r.predictions, 2);
    ck_assert_int_eq(r.nclasses, 1);
    ck_assert_int_eq(r.classes[0].id, 0);
    ck_assert_int_eq(r.classes[0].instances, 2);
    assert_overall(&r, 1.0, 1.0, 0.995, 0.995);
    ck_assert_int_eq(r.conf_index, 0);
    for (int t = 0; t < GY_METRICS_NIOU; t++)
        ck_assert_double_eq_tol(r.classes[0].ap[t], 0.995, TOL);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);
}
END_TEST

/* Labels and no detections: no true positive anywhere, ultralytics skips ap_per_class: zeros. */
START_TEST(none)
{
    gy_metrics *m = new_metrics(2);
    gy_box labels[2] = {box(10, 10, 50, 60, 1, 1), box(0, 0, 5, 5, 1, 0)};
    add_image(m, NULL, 0, labels, 2);
    gy_metrics_result r;
    compute(m, &r);
    ck_assert_int_eq(r.images, 1);
    ck_assert_int_eq(r.instances, 2);
    ck_assert_int_eq(r.predictions, 0);
    ck_assert_int_eq(r.nclasses, 2);
    ck_assert_int_eq(r.classes[1].id, 1);
    assert_overall(&r, 0, 0, 0, 0);
    ck_assert_double_eq(r.classes[1].p, 0.0);
    ck_assert_double_eq(r.classes[1].ap50, 0.0);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);
}
END_TEST

/* One label, a false positive ranked above the true positive (scores 0.9 FP, 0.8 TP):
 * precision [0, 1/2], recall [0, 1]; envelope over [0, 0, 1, 1] x [1, 0, 1/2, 0] is
 * [1, 1/2, 1/2, 0]; np.interp at x = 0 takes the last xp = 0, i.e. 1/2, so
 * AP = 99 * 0.01 * 0.5 + 0.01 * (0.5 + 0) / 2 = 0.4975. Below px = 0.8: P = 1/2, R = 1, F1 = 2/3,
 * constant, so the first maximum of the smoothed mean is at px = 0: P = 0.5, R = 1.
 * Ranked below the true positive instead, the FP leaves the envelope at 1: AP = 0.995. */
START_TEST(one_false_positive)
{
    gy_metrics *m = new_metrics(1);
    gy_box label = box(10, 10, 50, 60, 1, 0);
    gy_box dets[2] = {box(200, 200, 250, 260, 0.9f, 0), box(10, 10, 50, 60, 0.8f, 0)};
    add_image(m, dets, 2, &label, 1);
    gy_metrics_result r;
    compute(m, &r);
    assert_overall(&r, 0.5, 1.0, 0.4975, 0.4975);
    ck_assert_int_eq(r.conf_index, 0);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);

    m = new_metrics(1);
    dets[0].score = 0.7f;
    add_image(m, dets, 2, &label, 1);
    compute(m, &r);
    ck_assert_double_eq_tol(r.map50, 0.995, TOL);
    ck_assert_double_eq_tol(r.map50_95, 0.995, TOL);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);

    /* equal confidences keep their order (np.argsort(-conf) of fewer than 16 values is an
     * insertion sort: stable): the false positive first scores as if it were higher, the true
     * positive first as if it were */
    for (int tp_first = 0; tp_first < 2; tp_first++) {
        m = new_metrics(1);
        gy_box tied[2] = {box(200, 200, 250, 260, 0.8f, 0), box(10, 10, 50, 60, 0.8f, 0)};
        if (tp_first) {
            gy_box t = tied[0];
            tied[0] = tied[1];
            tied[1] = t;
        }
        add_image(m, tied, 2, &label, 1);
        compute(m, &r);
        const double want = tp_first ? 0.995 : 0.4975;
        ck_assert_double_eq_tol(r.map50, want, TOL);
        gy_metrics_result_clear(&r);
        gy_metrics_free(m);
    }
}
END_TEST

/* Duplicates: two detections on one label. Each detection picks the label; the label keeps the
 * lowest-index detection (the NMS order), even when the other overlaps it better: with IoU 0.62
 * for detection 0 and 1.0 for detection 1, detection 0 is the TP at 0.50, 0.55, 0.60 (bits 0-2)
 * and detection 1 only where detection 0 no longer qualifies, 0.65 ... 0.95 (bits 3-9). */
START_TEST(duplicates)
{
    gy_error err;
    gy_box label = box(0, 0, 10, 10, 1, 0);
    gy_box dets[2] = {box(0, 0, 10, 10, 0.9f, 0), box(0, 0, 10, 10, 0.8f, 0)};
    uint16_t correct[2];
    ck_assert(gy_metrics_match(dets, 2, &label, 1, correct, &err) == GY_OK);
    ck_assert_uint_eq(correct[0], 0x3FF);
    ck_assert_uint_eq(correct[1], 0);

    dets[0].y2 = 6.2f;
    ck_assert(gy_metrics_match(dets, 2, &label, 1, correct, &err) == GY_OK);
    ck_assert_uint_eq(correct[0], 0x007);
    ck_assert_uint_eq(correct[1], 0x3F8);

    /* two exact duplicates: the second is a FP below the TP; AP 0.995 (see one_false_positive) */
    dets[0].y2 = 10.0f;
    gy_metrics *m = new_metrics(1);
    add_image(m, dets, 2, &label, 1);
    gy_metrics_result r;
    compute(m, &r);
    ck_assert_double_eq_tol(r.map50_95, 0.995, TOL);
    /* F1 is 2/3 up to px 0.8, rises with P (from 1/2 to 1) up to index 899 (px 0.8999) and is 0
     * from index 900 (px > 0.9, recall 0). Unsmoothed its maximum is index 899; the box filter
     * (101 points) gains while the entering point exceeds the leaving one, i.e. until the window
     * reaches index 900: the maximum is at 899 - 50 = 849, px = 849 / 999, where
     * P = 1 + (0.5 - 1) / (-0.8 - -0.9) * (-px - -0.9) (np.interp over -conf in float32), R = 1. */
    ck_assert_int_eq(r.conf_index, 849);
    const double x = -(849.0 * (1.0 / 999.0)), x0 = (double)-0.9f, x1 = (double)-0.8f;
    ck_assert_double_eq_tol(r.mp, (0.5 - 1.0) / (x1 - x0) * (x - x0) + 1.0, TOL);
    ck_assert_double_eq_tol(r.mr, 1.0, TOL);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);
}
END_TEST

/* The smoothing's right edge: 50 exact TPs at conf 1.0 and one FP at 0.999. Up to index 998
 * (px <= 998/999 < 0.999) P = 50/51, R = 1, F1 = 100/101; at index 999 (px = 1) only the TPs:
 * F1 = 1. smooth() pads the curve with copies of its last value, so the box filter (101 points)
 * rises while index 999 enters more often: at j >= 950 it holds f1[949..999] and j - 949 more
 * copies of f1[999]; the maximum is at j = 999 with P = R = 1 (with one of those copies lost the
 * mean at 999 would fall below the mean at 949). */
START_TEST(smoothing_right_edge)
{
    gy_box labels[50], dets[51];
    for (int i = 0; i < 50; i++) {
        float x = (float)(i % 10) * 20.0f, y = (float)(i / 10) * 20.0f;
        labels[i] = box(x, y, x + 10, y + 10, 1, 0);
        dets[i] = box(x, y, x + 10, y + 10, 1.0f, 0);
    }
    dets[50] = box(500, 500, 510, 510, 0.999f, 0);
    gy_metrics *m = new_metrics(1);
    add_image(m, dets, 51, labels, 50);
    gy_metrics_result r;
    compute(m, &r);
    ck_assert_int_eq(r.conf_index, 999);
    ck_assert_double_eq_tol(r.mp, 1.0, TOL);
    ck_assert_double_eq_tol(r.mr, 1.0, TOL);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);
}
END_TEST

/* n boxes ending right where an inaccessible page begins: a read past the last one faults. */
static gy_box *boxes_before_guard(int n, void **map, size_t *maplen)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t bytes = (size_t)n * sizeof(gy_box);
    const size_t data_pages = (bytes + page - 1) / page;
    *maplen = (data_pages + 1) * page;
    *map = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(*map != MAP_FAILED);
    unsigned char *guard = (unsigned char *)*map + data_pages * page;
    ck_assert_int_eq(mprotect(guard, page, PROT_NONE), 0);
    return (gy_box *)(guard - bytes);
}

/* gy_metrics_match reads labels[0 .. nlab) and dets[0 .. ndet) only (both arrays here end at a
 * guard page); the lowest-index detection of three on the single label takes it at every IoU. */
START_TEST(match_stays_in_its_arrays)
{
    void *lmap, *dmap;
    size_t llen, dlen;
    gy_box *label = boxes_before_guard(1, &lmap, &llen);
    gy_box *dets = boxes_before_guard(3, &dmap, &dlen);
    label[0] = box(0, 0, 10, 10, 1, 0);
    dets[0] = box(0, 0, 10, 10, 0.9f, 0);
    dets[1] = box(0, 0, 10, 10, 0.8f, 0);
    dets[2] = box(20, 20, 30, 30, 0.7f, 0);
    uint16_t correct[3];
    gy_error err;
    ck_assert(gy_metrics_match(dets, 3, label, 1, correct, &err) == GY_OK);
    ck_assert_uint_eq(correct[0], 0x3FF);
    ck_assert_uint_eq(correct[1], 0);
    ck_assert_uint_eq(correct[2], 0);
    munmap(lmap, llen);
    munmap(dmap, dlen);
}
END_TEST

/* A detection overlapping its label with IoU 0.72 (a 100 x 72 box in a 100 x 100 label) is a TP at
 * 0.50 ... 0.70 (5 thresholds) and a FP above: AP 0.995 five times and 0 five times,
 * mAP50-95 = 0.4975; mAP50 = 0.995. Another class's label does not match it. */
START_TEST(iou_levels_and_class)
{
    gy_metrics *m = new_metrics(2);
    gy_box labels[2] = {box(0, 0, 100, 100, 1, 0), box(0, 0, 100, 72, 1, 1)};
    gy_box det = box(0, 0, 100, 72, 0.9f, 0);
    gy_error err;
    uint16_t correct;
    ck_assert(gy_metrics_match(&det, 1, labels, 2, &correct, &err) == GY_OK);
    ck_assert_uint_eq(correct, 0x01F);
    add_image(m, &det, 1, labels, 1);
    gy_metrics_result r;
    compute(m, &r);
    assert_overall(&r, 1.0, 1.0, 0.995, 0.4975);
    for (int t = 0; t < GY_METRICS_NIOU; t++)
        ck_assert_double_eq_tol(r.classes[0].ap[t], t < 5 ? 0.995 : 0.0, TOL);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);
}
END_TEST

/* A background image (no labels) with a detection scored 0.95 and a labelled image found
 * exactly (0.9): the background's box is a FP above the TP, as in one_false_positive:
 * P 0.5, R 1, mAP 0.4975. An empty background image only counts as seen. */
START_TEST(background_image)
{
    gy_metrics *m = new_metrics(1);
    gy_box fp = box(5, 5, 20, 20, 0.95f, 0);
    add_image(m, &fp, 1, NULL, 0);
    gy_box label = box(10, 10, 50, 60, 1, 0);
    gy_box tp = box(10, 10, 50, 60, 0.9f, 0);
    add_image(m, &tp, 1, &label, 1);
    add_image(m, NULL, 0, NULL, 0);
    gy_metrics_result r;
    compute(m, &r);
    ck_assert_int_eq(r.images, 3);
    ck_assert_int_eq(r.instances, 1);
    ck_assert_int_eq(r.predictions, 2);
    assert_overall(&r, 0.5, 1.0, 0.4975, 0.4975);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);
}
END_TEST

/* Predictions of a class without labels are left out of every number (ap_per_class loops over
 * the labelled classes only): class 0 found exactly stays perfect despite class 1's boxes.
 * A labelled class without predictions is a row of zeros in the means: with class 0 perfect
 * (F1 1 below px 0.9) and class 2 at 0, mean F1 is 1/2 from px 0: P = R = (1 + 0) / 2,
 * mAP50 = mAP50-95 = 0.995 / 2. */
START_TEST(class_absent_from_labels)
{
    gy_metrics *m = new_metrics(3);
    gy_box label = box(10, 10, 50, 60, 1, 0);
    gy_box dets[3] = {box(10, 10, 50, 60, 0.9f, 0), box(10, 10, 50, 60, 0.99f, 1),
                      box(70, 70, 90, 90, 0.95f, 1)};
    add_image(m, dets, 3, &label, 1);
    gy_metrics_result r;
    compute(m, &r);
    ck_assert_int_eq(r.nclasses, 1);
    assert_overall(&r, 1.0, 1.0, 0.995, 0.995);
    gy_metrics_result_clear(&r);

    gy_box missed = box(300, 300, 320, 330, 1, 2);
    add_image(m, NULL, 0, &missed, 1);
    compute(m, &r);
    ck_assert_int_eq(r.nclasses, 2);
    ck_assert_int_eq(r.classes[1].id, 2);
    ck_assert_double_eq(r.classes[1].p, 0.0);
    ck_assert_double_eq(r.classes[1].r, 0.0);
    ck_assert_double_eq(r.classes[1].ap50_95, 0.0);
    assert_overall(&r, 0.5, 0.5, 0.4975, 0.4975);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);
}
END_TEST

/* The curves ap_per_class keeps for the plots. Class 0: two labels, predictions at 0.9 (TP), 0.8
 * (FP), 0.7 (TP): recall 0.5, 0.5, 1; precision 1, 0.5, 2/3. Class 1: one label, no prediction
 * (its rows stay 0, it has no PR curve); class 2: a prediction, no label (not a row).
 *   p at px: np.interp(-px, -conf, precision, left=1): below conf 0.7 the last point, 2/3; between
 *   0.7 and 0.8 the line from 2/3 to 1/2; above 0.9, 1. r likewise with left=0: 1, ..., 0.
 *   PR: np.interp(px, mrec, mpre) with mrec = 0, .5, .5, 1, 1 and the envelope mpre = 1, 1, 2/3,
 *   2/3, 0: 1 below recall 0.5, 2/3 from 0.5 (the later of the equal recalls) up to 1, and at 1
 *   the last point, 0. */
START_TEST(curves)
{
    gy_metrics *m = new_metrics(3);
    gy_box labels[3] = {box(0, 0, 10, 10, 1, 0), box(20, 20, 30, 30, 1, 0), box(50, 50, 60, 60, 1, 1)};
    gy_box dets[4] = {box(0, 0, 10, 10, 0.9f, 0), box(80, 80, 90, 90, 0.8f, 0),
                      box(20, 20, 30, 30, 0.7f, 0), box(80, 0, 90, 10, 0.6f, 2)};
    add_image(m, dets, 4, labels, 3);
    gy_metrics_result r;
    compute(m, &r);
    ck_assert_int_eq(r.nclasses, 2);
    ck_assert_ptr_nonnull(r.p_curve);
    ck_assert_int_eq(r.classes[0].predictions, 3);
    ck_assert_int_eq(r.classes[1].predictions, 0);
    const double *p = r.p_curve, *rc = r.r_curve, *pr = r.pr_curve;
    const int N = GY_METRICS_NPX;
    ck_assert_double_eq_tol(p[0], 2.0 / 3.0, TOL);
    ck_assert_double_eq_tol(rc[0], 1.0, TOL);
    ck_assert_double_eq_tol(p[N - 1], 1.0, TOL);  /* px = 1: above every confidence */
    ck_assert_double_eq_tol(rc[N - 1], 0.0, TOL);
    /* px = 750/999 = 0.7508: between 0.7 (2/3) and 0.8 (1/2), over -conf in float32 */
    const double x = -(750.0 * (1.0 / 999.0)), x0 = (double)-0.8f, x1 = (double)-0.7f;
    ck_assert_double_eq_tol(p[750], 0.5 + (2.0 / 3.0 - 0.5) / (x1 - x0) * (x - x0), TOL);
    ck_assert_double_eq_tol(pr[0], 1.0, TOL);
    ck_assert_double_eq_tol(pr[499], 1.0, TOL);     /* recall 0.4995 */
    ck_assert_double_eq_tol(pr[500], 2.0 / 3.0, TOL); /* recall 0.5005 */
    ck_assert_double_eq_tol(pr[998], 2.0 / 3.0, TOL);
    ck_assert_double_eq_tol(pr[N - 1], 0.0, TOL);
    for (int k = 0; k < N; k++) /* the class without predictions: zeros */
        ck_assert(p[N + k] == 0.0 && rc[N + k] == 0.0 && pr[N + k] == 0.0);
    gy_metrics_result_clear(&r);
    ck_assert_ptr_null(r.p_curve);
    gy_metrics_free(m);

    /* no true positive: no curves */
    m = new_metrics(1);
    add_image(m, dets + 1, 1, labels, 1);
    compute(m, &r);
    ck_assert_ptr_null(r.p_curve);
    ck_assert_ptr_null(r.pr_curve);
    gy_metrics_result_clear(&r);
    gy_metrics_free(m);

    /* smooth(): 2 * round(n f) / 2 + 1 taps, the ends padded with the end values */
    double y[10] = {0, 0, 0, 0, 0, 10, 0, 0, 0, 0}, out[10];
    gy_metrics_smooth(y, 10, 0.2, out); /* nf = round(4) // 2 + 1 = 3: a window of 3 */
    ck_assert_double_eq_tol(out[4], 10.0 / 3.0, TOL);
    ck_assert_double_eq_tol(out[5], 10.0 / 3.0, TOL);
    ck_assert_double_eq_tol(out[6], 10.0 / 3.0, TOL);
    ck_assert_double_eq_tol(out[3], 0.0, TOL);
    ck_assert_double_eq_tol(out[7], 0.0, TOL);
    double edge[4] = {3, 0, 0, 6}, eo[4];
    gy_metrics_smooth(edge, 4, 0.5, eo); /* nf = round(4) // 2 + 1 = 3; padded 3 | 3 0 0 6 | 6 */
    ck_assert_double_eq_tol(eo[0], 2.0, TOL);
    ck_assert_double_eq_tol(eo[3], 4.0, TOL);
}
END_TEST

START_TEST(bad_arguments)
{
    gy_error err;
    gy_metrics *m = NULL;
    ck_assert_int_eq(gy_metrics_create(0, &m, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(err.message, "metrics: class count 0 is not in [1, 100000]"));
    /* the class count's bounds: 1 and 100000 (Detect's limit) made, 100001 refused */
    ck_assert_int_eq(gy_metrics_create(100001, &m, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(err.message, "metrics: class count 100001 is not in [1, 100000]"));
    static const int made[2] = {1, 100000};
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(gy_metrics_create(made[i], &m, &err) == GY_OK, "%s", err.message);
        gy_metrics_free(m);
        m = NULL;
    }
    m = new_metrics(2);
    int cls = 2;
    ck_assert_int_eq(gy_metrics_add(m, NULL, NULL, 0, &cls, 1, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "label class 2"));
    cls = -1;
    ck_assert_int_eq(gy_metrics_add(m, NULL, NULL, 0, &cls, 1, &err), GY_ERR_ARGUMENT);
    gy_box d = box(0, 0, 1, 1, 0.5f, 5);
    ck_assert_int_eq(gy_metrics_add(m, &d, NULL, 1, NULL, 0, &err), GY_ERR_ARGUMENT);
    d.class_id = 2; /* nc 2: classes 0 and 1 */
    ck_assert_int_eq(gy_metrics_add(m, &d, NULL, 1, NULL, 0, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "prediction class 2 is not in [0, 2)"));
    d.class_id = -1;
    ck_assert_int_eq(gy_metrics_add(m, &d, NULL, 1, NULL, 0, &err), GY_ERR_ARGUMENT);
    /* a missing array is refused when its count is positive, each side alone */
    cls = 0;
    ck_assert_int_eq(gy_metrics_add(m, NULL, NULL, 1, &cls, 1, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "bad arguments"));
    d.class_id = 0;
    ck_assert_int_eq(gy_metrics_add(m, &d, NULL, 1, NULL, 1, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "bad arguments"));
    ck_assert_int_eq(gy_metrics_add(m, &d, NULL, -1, &cls, 1, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_metrics_add(m, &d, NULL, 1, &cls, -1, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_metrics_add(NULL, &d, NULL, 1, &cls, 1, &err), GY_ERR_ARGUMENT);
    d.class_id = 1; /* the last class is fine */
    uint16_t tp = 0;
    ck_assert_int_eq(gy_metrics_add(m, &d, &tp, 1, NULL, 0, &err), GY_OK);
    d.class_id = 0;
    d.score = NAN;
    ck_assert_int_eq(gy_metrics_add(m, &d, NULL, 1, NULL, 0, &err), GY_ERR_ARGUMENT);
    gy_metrics_free(m);
    /* matching: a negative count on either side alone is refused, naming both counts */
    uint16_t correct[1];
    ck_assert_int_eq(gy_metrics_match(&d, -1, &d, 1, correct, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "(-1 detections, 1 labels)"));
    ck_assert_int_eq(gy_metrics_match(&d, 1, &d, -1, correct, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "(1 detections, -1 labels)"));
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, iou_thresholds);
    tcase_add_test(tc, np_interp);
    tcase_add_test(tc, perfect);
    tcase_add_test(tc, none);
    tcase_add_test(tc, one_false_positive);
    tcase_add_test(tc, duplicates);
    tcase_add_test(tc, smoothing_right_edge);
    tcase_add_test(tc, match_stays_in_its_arrays);
    tcase_add_test(tc, iou_levels_and_class);
    tcase_add_test(tc, background_image);
    tcase_add_test(tc, class_absent_from_labels);
    tcase_add_test(tc, curves);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(metrics_suite()); }

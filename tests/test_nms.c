/* test_nms.c - gy_nms on cases whose answer is known by construction, and on a random case checked
 * against a deliberately naive reference written here. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "postprocess/nms.h"

/* A (4 + nc) x anchors prediction filled anchor by anchor. */
typedef struct pred_buf {
    int nc, anchors;
    float *data;
} pred_buf;

static pred_buf pred_new(int nc, int anchors)
{
    pred_buf p;
    p.nc = nc;
    p.anchors = anchors;
    p.data = calloc((size_t)(4 + nc) * (size_t)anchors, sizeof(float));
    ck_assert_ptr_nonnull(p.data);
    return p;
}

static void pred_set_box(pred_buf *p, int a, float cx, float cy, float w, float h)
{
    p->data[0 * p->anchors + a] = cx;
    p->data[1 * p->anchors + a] = cy;
    p->data[2 * p->anchors + a] = w;
    p->data[3 * p->anchors + a] = h;
}

/* Box given as xyxy with exact halves, stored as xywh. */
static void pred_set_xyxy(pred_buf *p, int a, float x1, float y1, float x2, float y2)
{
    pred_set_box(p, a, (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1);
}

static void pred_set_score(pred_buf *p, int a, int c, float s)
{
    p->data[(4 + c) * p->anchors + a] = s;
}

static int run_nms(const pred_buf *p, const gy_nms_params *prm, gy_box **out)
{
    gy_error err;
    int count = -1;
    *out = (gy_box *)(uintptr_t)1; /* must be overwritten */
    gy_status st = gy_nms(p->data, 4 + p->nc, p->anchors, prm, out, &count, &err);
    ck_assert_msg(st == GY_OK, "gy_nms failed: %s", err.message);
    ck_assert_int_ge(count, 0);
    if (count == 0)
        ck_assert_ptr_null(*out);
    else
        ck_assert_ptr_nonnull(*out);
    return count;
}

START_TEST(test_defaults)
{
    gy_nms_params p = gy_nms_default_params();
    ck_assert_float_eq(p.conf, 0.25f);
    ck_assert_float_eq(p.iou, 0.7f);
    ck_assert_int_eq(p.max_det, 300);
    ck_assert_int_eq(p.max_nms, 30000);
    ck_assert_int_eq(p.agnostic, 0);
    ck_assert_float_eq(p.max_wh, 7680.0f);
}
END_TEST

START_TEST(test_xywh_to_xyxy)
{
    pred_buf p = pred_new(2, 1);
    pred_set_box(&p, 0, 10.5f, 20.25f, 3.0f, 5.5f);
    pred_set_score(&p, 0, 1, 0.9f);
    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 1);
    ck_assert_float_eq(out[0].x1, 9.0f);
    ck_assert_float_eq(out[0].y1, 17.5f);
    ck_assert_float_eq(out[0].x2, 12.0f);
    ck_assert_float_eq(out[0].y2, 23.0f);
    ck_assert_float_eq(out[0].score, 0.9f);
    ck_assert_int_eq(out[0].class_id, 1);
    free(out);
    free(p.data);
}
END_TEST

/* IoU 0.8 (0,0,10,10 vs 0,0,10,8) is suppressed at 0.7; IoU 0.6 (vs 0,0,10,6) is kept. */
START_TEST(test_same_class_overlap)
{
    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;

    pred_buf p = pred_new(3, 2);
    pred_set_xyxy(&p, 0, 0, 0, 10, 10);
    pred_set_xyxy(&p, 1, 0, 0, 10, 8);
    pred_set_score(&p, 0, 2, 0.8f);
    pred_set_score(&p, 1, 2, 0.9f);
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 1);
    ck_assert_float_eq(out[0].score, 0.9f);
    ck_assert_float_eq(out[0].y2, 8.0f);
    free(out);

    pred_set_xyxy(&p, 1, 0, 0, 10, 6);
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert_float_eq(out[0].score, 0.9f);
    ck_assert_float_eq(out[0].y2, 6.0f);
    ck_assert_float_eq(out[1].score, 0.8f);
    ck_assert_float_eq(out[1].y2, 10.0f);
    free(out);

    /* IoU exactly 0.6 with threshold 0.6: not > so kept; just below it: suppressed. */
    prm.iou = 0.6f;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    free(out);
    prm.iou = 0.59f;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 1);
    free(out);
    free(p.data);
}
END_TEST

START_TEST(test_classes_and_agnostic)
{
    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;
    pred_buf p = pred_new(3, 2);
    pred_set_xyxy(&p, 0, 0, 0, 10, 10);
    pred_set_xyxy(&p, 1, 0, 0, 10, 8); /* IoU 0.8 */
    pred_set_score(&p, 0, 0, 0.8f);
    pred_set_score(&p, 1, 2, 0.9f);
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(out[0].class_id, 2);
    ck_assert_int_eq(out[1].class_id, 0);
    /* the output boxes are not offset by class */
    ck_assert_float_eq(out[0].x1, 0.0f);
    ck_assert_float_eq(out[0].x2, 10.0f);
    free(out);

    prm.agnostic = 1;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(out[0].class_id, 2);
    ck_assert_float_eq(out[0].score, 0.9f);
    free(out);

    /* max_wh 0 also makes every class share one space. */
    prm.agnostic = 0;
    prm.max_wh = 0.0f;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 1);
    free(out);
    free(p.data);
}
END_TEST

START_TEST(test_conf_strict)
{
    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;
    pred_buf p = pred_new(1, 3);
    pred_set_xyxy(&p, 0, 0, 0, 10, 10);
    pred_set_xyxy(&p, 1, 100, 0, 110, 10);
    pred_set_xyxy(&p, 2, 200, 0, 210, 10);
    pred_set_score(&p, 0, 0, 0.25f);                        /* == conf: dropped */
    pred_set_score(&p, 1, 0, nextafterf(0.25f, 1.0f));      /* just above: kept */
    pred_set_score(&p, 2, 0, nextafterf(0.25f, 0.0f));      /* just below: dropped */
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 1);
    ck_assert_float_eq(out[0].x1, 100.0f);
    free(out);

    prm.conf = 0.0f; /* score 0 is not > 0 */
    pred_set_score(&p, 0, 0, 0.0f);
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    free(out);
    free(p.data);
}
END_TEST

START_TEST(test_all_below)
{
    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;
    pred_buf p = pred_new(4, 50);
    for (int a = 0; a < 50; a++) {
        pred_set_xyxy(&p, a, (float)a, 0, (float)a + 5, 5);
        for (int c = 0; c < 4; c++)
            pred_set_score(&p, a, c, 0.01f * (float)c);
    }
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_null(out);
    free(p.data);

    /* no anchors at all */
    gy_error err;
    int count = -1;
    out = (gy_box *)(uintptr_t)1;
    ck_assert_int_eq(gy_nms(NULL, 84, 0, &prm, &out, &count, &err), GY_OK);
    ck_assert_int_eq(count, 0);
    ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_max_det)
{
    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;
    pred_buf p = pred_new(2, 6);
    const float scores[6] = {0.5f, 0.9f, 0.3f, 0.7f, 0.8f, 0.6f};
    for (int a = 0; a < 6; a++) {
        pred_set_xyxy(&p, a, 20.0f * (float)a, 0, 20.0f * (float)a + 10, 10); /* disjoint */
        pred_set_score(&p, a, a % 2, scores[a]);
    }
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 6);
    for (int i = 1; i < n; i++)
        ck_assert(out[i - 1].score > out[i].score);
    free(out);

    prm.max_det = 3;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 3);
    ck_assert_float_eq(out[0].score, 0.9f);
    ck_assert_float_eq(out[0].x1, 20.0f);
    ck_assert_float_eq(out[1].score, 0.8f);
    ck_assert_float_eq(out[1].x1, 80.0f);
    ck_assert_float_eq(out[2].score, 0.7f);
    ck_assert_float_eq(out[2].x1, 60.0f);
    free(out);
    free(p.data);
}
END_TEST

START_TEST(test_max_nms)
{
    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;
    pred_buf p = pred_new(1, 5);
    const float scores[5] = {0.4f, 0.9f, 0.6f, 0.8f, 0.5f};
    for (int a = 0; a < 5; a++) {
        pred_set_xyxy(&p, a, 20.0f * (float)a, 0, 20.0f * (float)a + 10, 10);
        pred_set_score(&p, a, 0, scores[a]);
    }
    prm.max_nms = 2;
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert_float_eq(out[0].score, 0.9f);
    ck_assert_float_eq(out[1].score, 0.8f);
    free(out);

    /* The truncation happens before NMS: the 0.9 box suppresses the 0.8 box, and the 0.6 box that
     * would otherwise come next was dropped by max_nms. */
    pred_set_xyxy(&p, 3, 20, 0, 30, 10);
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 1);
    ck_assert_float_eq(out[0].score, 0.9f);
    free(out);
    prm.max_nms = 3;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert_float_eq(out[1].score, 0.6f);
    free(out);
    free(p.data);
}
END_TEST

/* multi_label (the validator's NMS): an anchor yields one candidate per class scoring > conf;
 * boxes of different classes never suppress each other, same-class overlaps still do. */
START_TEST(test_multi_label)
{
    gy_nms_params prm = gy_nms_default_params();
    ck_assert_int_eq(prm.multi_label, 0);
    prm.conf = 0.1f;
    gy_box *out;
    pred_buf p = pred_new(3, 3);
    pred_set_xyxy(&p, 0, 0, 0, 10, 10);
    pred_set_score(&p, 0, 0, 0.9f);
    pred_set_score(&p, 0, 2, 0.5f);
    pred_set_score(&p, 0, 1, 0.1f); /* not > conf */
    pred_set_xyxy(&p, 1, 0, 0, 10, 9); /* IoU 0.9 with anchor 0 */
    pred_set_score(&p, 1, 2, 0.6f);
    pred_set_score(&p, 1, 0, 0.3f);
    pred_set_xyxy(&p, 2, 50, 50, 60, 60);
    pred_set_score(&p, 2, 1, 0.05f); /* best score below conf: no candidate at all */

    /* single label: anchor 0 as class 0 (0.9), anchor 1 as class 2 (0.6) */
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(out[0].class_id, 0);
    ck_assert_int_eq(out[1].class_id, 2);
    free(out);

    /* multi label: candidates (0,c0,.9) (1,c2,.6) (0,c2,.5) (1,c0,.3); per class the better box
     * suppresses the other: c0 keeps anchor 0, c2 keeps anchor 1 */
    prm.multi_label = 1;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert_float_eq(out[0].score, 0.9f);
    ck_assert_int_eq(out[0].class_id, 0);
    ck_assert_float_eq(out[1].score, 0.6f);
    ck_assert_int_eq(out[1].class_id, 2);
    ck_assert_float_eq(out[1].y2, 9.0f);
    free(out);

    /* separate the two boxes: all four candidates survive, best first */
    pred_set_xyxy(&p, 1, 20, 20, 30, 29);
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 4);
    const float scores[4] = {0.9f, 0.6f, 0.5f, 0.3f};
    const int classes[4] = {0, 2, 2, 0};
    for (int i = 0; i < 4; i++) {
        ck_assert_float_eq(out[i].score, scores[i]);
        ck_assert_int_eq(out[i].class_id, classes[i]);
    }
    free(out);
    /* a class list with a count of 0 filters nothing (num_classes <= 0: no filter) */
    const int only2[1] = {2};
    prm.classes = only2;
    prm.num_classes = 0;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 4);
    free(out);
    prm.num_classes = 1; /* and with its count, only class 2 */
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(out[0].class_id, 2);
    ck_assert_int_eq(out[1].class_id, 2);
    free(out);
    prm.classes = NULL;
    prm.num_classes = 0;
    prm.max_det = 3;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 3);
    free(out);
    free(p.data);
}
END_TEST

START_TEST(test_ties)
{
    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;

    /* Equal scores, disjoint boxes: lower anchor first. */
    pred_buf p = pred_new(2, 4);
    for (int a = 0; a < 4; a++) {
        pred_set_xyxy(&p, a, 20.0f * (float)(3 - a), 0, 20.0f * (float)(3 - a) + 10, 10);
        pred_set_score(&p, a, 0, 0.5f);
    }
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(out[i].x1, 20.0f * (float)(3 - i));
    free(out);

    /* Equal scores, overlapping, same class: the lower anchor survives. */
    pred_set_xyxy(&p, 2, 0, 0, 10, 10);
    pred_set_xyxy(&p, 3, 0, 0, 10, 9);
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 3);
    ck_assert_float_eq(out[2].y2, 10.0f);
    free(out);
    pred_set_xyxy(&p, 2, 0, 0, 10, 9);
    pred_set_xyxy(&p, 3, 0, 0, 10, 10);
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 3);
    ck_assert_float_eq(out[2].y2, 9.0f);
    free(out);

    /* Equal class scores: the first class wins (torch.max). */
    pred_buf q = pred_new(3, 1);
    pred_set_xyxy(&q, 0, 0, 0, 10, 10);
    pred_set_score(&q, 0, 0, 0.1f);
    pred_set_score(&q, 0, 1, 0.7f);
    pred_set_score(&q, 0, 2, 0.7f);
    n = run_nms(&q, &prm, &out);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(out[0].class_id, 1);
    free(out);

    /* Ties with max_nms truncation: the lower anchors are the ones kept. */
    prm.max_nms = 2;
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert_float_eq(out[0].x1, 60.0f);
    ck_assert_float_eq(out[1].x1, 40.0f);
    free(out);
    free(q.data);
    free(p.data);
}
END_TEST

START_TEST(test_nan)
{
    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;
    pred_buf p = pred_new(2, 5);
    for (int a = 0; a < 5; a++)
        pred_set_xyxy(&p, a, 20.0f * (float)a, 0, 20.0f * (float)a + 10, 10);
    pred_set_score(&p, 0, 0, NAN);          /* only score NaN */
    pred_set_score(&p, 1, 0, 0.9f);         /* NaN in another class: torch's max is NaN: dropped */
    pred_set_score(&p, 1, 1, NAN);
    pred_set_score(&p, 2, 0, NAN);
    pred_set_score(&p, 2, 1, 0.95f);
    pred_set_score(&p, 3, 1, 0.6f);          /* normal */
    pred_set_score(&p, 4, 0, -NAN);
    pred_set_score(&p, 4, 1, INFINITY);      /* +inf is a valid (huge) score */
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 1);
    ck_assert_float_eq(out[0].score, 0.6f);
    free(out);

    pred_set_score(&p, 4, 0, 0.0f);
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert(isinf(out[0].score));
    ck_assert_int_eq(out[0].class_id, 1);
    free(out);

    /* A NaN box is kept (its IoU with anything is NaN, never > iou) and suppresses nothing. */
    pred_set_box(&p, 3, NAN, 5, 10, 10);
    pred_set_xyxy(&p, 4, 60, 0, 70, 10);
    pred_set_score(&p, 4, 1, 0.7f);
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2);
    ck_assert_float_eq(out[0].score, 0.7f);
    ck_assert(isnan(out[1].x1));
    free(out);
    free(p.data);
}
END_TEST

START_TEST(test_arguments)
{
    gy_nms_params ok = gy_nms_default_params();
    float pred[6 * 2] = {0};
    gy_box *out;
    int count;
    gy_error err;
    struct {
        const char *what;
        int channels, anchors;
        int null_pred, null_out, null_count, null_params;
        gy_nms_params p;
    } bad[16];
    int nb = 0;
#define BAD(w, ch, an, np, no, nc_, npar, field, value)                                            \
    do {                                                                                           \
        bad[nb].what = w;                                                                          \
        bad[nb].channels = ch;                                                                     \
        bad[nb].anchors = an;                                                                      \
        bad[nb].null_pred = np;                                                                    \
        bad[nb].null_out = no;                                                                     \
        bad[nb].null_count = nc_;                                                                  \
        bad[nb].null_params = npar;                                                                \
        bad[nb].p = ok;                                                                            \
        bad[nb].p.field = value;                                                                   \
        nb++;                                                                                      \
    } while (0)
    BAD("channels 4", 4, 2, 0, 0, 0, 0, max_det, 300);
    BAD("channels -1", -1, 2, 0, 0, 0, 0, max_det, 300);
    BAD("anchors -1", 6, -1, 0, 0, 0, 0, max_det, 300);
    BAD("NULL pred", 6, 2, 1, 0, 0, 0, max_det, 300);
    BAD("NULL out", 6, 2, 0, 1, 0, 0, max_det, 300);
    BAD("NULL count", 6, 2, 0, 0, 1, 0, max_det, 300);
    BAD("NULL params", 6, 2, 0, 0, 0, 1, max_det, 300);
    BAD("conf NaN", 6, 2, 0, 0, 0, 0, conf, NAN);
    BAD("conf 1.5", 6, 2, 0, 0, 0, 0, conf, 1.5f);
    BAD("conf -0.1", 6, 2, 0, 0, 0, 0, conf, -0.1f);
    BAD("iou inf", 6, 2, 0, 0, 0, 0, iou, INFINITY);
    BAD("iou -0.1", 6, 2, 0, 0, 0, 0, iou, -0.1f);
    BAD("max_det 0", 6, 2, 0, 0, 0, 0, max_det, 0);
    BAD("max_nms 0", 6, 2, 0, 0, 0, 0, max_nms, 0);
    BAD("max_wh NaN", 6, 2, 0, 0, 0, 0, max_wh, NAN);
    BAD("max_wh -1", 6, 2, 0, 0, 0, 0, max_wh, -1.0f);
#undef BAD
    for (int i = 0; i < nb; i++) {
        out = (gy_box *)(uintptr_t)1;
        count = 7;
        err.message[0] = '\0';
        gy_status st = gy_nms(bad[i].null_pred ? NULL : pred, bad[i].channels, bad[i].anchors,
                              bad[i].null_params ? NULL : &bad[i].p, bad[i].null_out ? NULL : &out,
                              bad[i].null_count ? NULL : &count, &err);
        ck_assert_msg(st == GY_ERR_ARGUMENT, "%s: status %d", bad[i].what, (int)st);
        ck_assert_msg(strncmp(err.message, "nms: ", 5) == 0 && strlen(err.message) > 10,
                      "%s: message '%s'", bad[i].what, err.message);
        if (!bad[i].null_out)
            ck_assert_ptr_null(out);
        if (!bad[i].null_count)
            ck_assert_int_eq(count, 0);
    }
    /* a NULL error pointer is fine */
    ck_assert_int_eq(gy_nms(pred, 4, 2, &ok, &out, &count, NULL), GY_ERR_ARGUMENT);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* The naive reference: same rules, written the slow obvious way (anchor-major scan, repeated     */
/* selection of the best remaining box instead of sorting, IoU recomputed from scratch).          */

typedef struct ref_det {
    int anchor, class_id;
    float score;
    float x1, y1, x2, y2;
} ref_det;

/* float32 IoU exactly as torchvision's kernel, on class-offset boxes. */
static float ref_iou(const ref_det *a, const ref_det *b, float oa, float ob)
{
    float ax1 = a->x1 + oa, ay1 = a->y1 + oa, ax2 = a->x2 + oa, ay2 = a->y2 + oa;
    float bx1 = b->x1 + ob, by1 = b->y1 + ob, bx2 = b->x2 + ob, by2 = b->y2 + ob;
    float area_a = (ax2 - ax1) * (ay2 - ay1);
    float area_b = (bx2 - bx1) * (by2 - by1);
    float ix1 = ax1 < bx1 ? bx1 : ax1;
    float iy1 = ay1 < by1 ? by1 : ay1;
    float ix2 = bx2 < ax2 ? bx2 : ax2;
    float iy2 = by2 < ay2 ? by2 : ay2;
    float w = 0.0f < ix2 - ix1 ? ix2 - ix1 : 0.0f;
    float h = 0.0f < iy2 - iy1 ? iy2 - iy1 : 0.0f;
    float inter = w * h;
    return inter / (area_a + area_b - inter);
}

/* 1 when a ranks before b: higher score, then lower anchor. */
static int ref_before(const ref_det *a, const ref_det *b)
{
    return a->score > b->score || (a->score == b->score && a->anchor < b->anchor);
}

static int ref_nms(const float *pred, int nc, int anchors, const gy_nms_params *p, gy_box *out)
{
    ref_det *all = calloc((size_t)anchors, sizeof *all);
    ck_assert_ptr_nonnull(all);
    int n = 0;
    for (int a = 0; a < anchors; a++) {
        int best_c = -1;
        float best = 0;
        int has_nan = 0;
        for (int c = 0; c < nc; c++) {
            float v = pred[(4 + c) * anchors + a];
            if (isnan(v))
                has_nan = 1;
            else if (best_c < 0 || v > best) {
                best = v;
                best_c = c;
            }
        }
        if (has_nan || !(best > p->conf))
            continue;
        float cx = pred[a], cy = pred[anchors + a], w = pred[2 * anchors + a],
              h = pred[3 * anchors + a];
        ref_det d = {a, best_c, best, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
        all[n++] = d;
    }
    /* keep the max_nms best by repeated selection */
    char *taken = calloc((size_t)n + 1, 1);
    ref_det *cand = calloc((size_t)n + 1, sizeof *cand);
    ck_assert_ptr_nonnull(taken);
    ck_assert_ptr_nonnull(cand);
    int k = 0;
    while (k < n && k < p->max_nms) {
        int bi = -1;
        for (int i = 0; i < n; i++)
            if (!taken[i] && (bi < 0 || ref_before(&all[i], &all[bi])))
                bi = i;
        taken[bi] = 1;
        cand[k++] = all[bi];
    }
    /* greedy NMS by repeated selection of the best box not yet decided */
    char *state = calloc((size_t)k + 1, 1); /* 0 open, 1 kept, 2 suppressed */
    ck_assert_ptr_nonnull(state);
    int kept = 0;
    for (;;) {
        int bi = -1;
        for (int i = 0; i < k; i++)
            if (state[i] == 0 && (bi < 0 || ref_before(&cand[i], &cand[bi])))
                bi = i;
        if (bi < 0)
            break;
        state[bi] = 1;
        if (kept < p->max_det) {
            gy_box b = {cand[bi].x1, cand[bi].y1, cand[bi].x2, cand[bi].y2, cand[bi].score,
                        cand[bi].class_id};
            out[kept] = b;
        }
        kept++;
        float ob = p->agnostic ? 0.0f : (float)cand[bi].class_id * p->max_wh;
        for (int j = 0; j < k; j++) {
            if (state[j] != 0)
                continue;
            float oj = p->agnostic ? 0.0f : (float)cand[j].class_id * p->max_wh;
            if ((double)ref_iou(&cand[bi], &cand[j], ob, oj) > (double)p->iou)
                state[j] = 2;
        }
    }
    free(state);
    free(cand);
    free(taken);
    free(all);
    return kept < p->max_det ? kept : p->max_det;
}

static uint32_t lcg_next(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8; /* 24 bits */
}

static float lcg_unit(uint32_t *s) { return (float)lcg_next(s) / 16777216.0f; }

static void compare_with_reference(const float *pred, int nc, int anchors, const gy_nms_params *prm,
                                   int min_expected)
{
    gy_box *ref = calloc((size_t)anchors + 1, sizeof *ref);
    ck_assert_ptr_nonnull(ref);
    int nref = ref_nms(pred, nc, anchors, prm, ref);
    gy_box *out;
    int count = -1;
    gy_error err;
    ck_assert_int_eq(gy_nms(pred, 4 + nc, anchors, prm, &out, &count, &err), GY_OK);
    ck_assert_int_eq(count, nref);
    ck_assert_int_ge(count, min_expected);
    for (int i = 0; i < count; i++) {
        ck_assert_msg(memcmp(&out[i].x1, &ref[i].x1, 5 * sizeof(float)) == 0 &&
                          out[i].class_id == ref[i].class_id,
                      "detection %d differs: (%g %g %g %g %g %d) vs reference (%g %g %g %g %g %d)",
                      i, (double)out[i].x1, (double)out[i].y1, (double)out[i].x2,
                      (double)out[i].y2, (double)out[i].score, out[i].class_id, (double)ref[i].x1,
                      (double)ref[i].y1, (double)ref[i].x2, (double)ref[i].y2,
                      (double)ref[i].score, ref[i].class_id);
    }
    free(out);
    free(ref);
}

START_TEST(test_random_vs_reference)
{
    const int nc = 5, anchors = 2000;
    float *pred = calloc((size_t)(4 + nc) * anchors, sizeof *pred);
    ck_assert_ptr_nonnull(pred);
    uint32_t seed = 12345u;
    for (int a = 0; a < anchors; a++) {
        /* crowded boxes in a 300x300 field so that many overlap; sizes 8..72 */
        pred[a] = 300.0f * lcg_unit(&seed);
        pred[anchors + a] = 300.0f * lcg_unit(&seed);
        pred[2 * anchors + a] = 8.0f + 64.0f * lcg_unit(&seed);
        pred[3 * anchors + a] = 8.0f + 64.0f * lcg_unit(&seed);
        for (int c = 0; c < nc; c++) {
            float s = lcg_unit(&seed);
            if (a % 3 == 0)
                s = floorf(s * 16.0f) / 16.0f; /* coarse scores: many ties */
            pred[(4 + c) * anchors + a] = s;
        }
        if (a % 97 == 0)
            pred[(4 + (a % nc)) * anchors + a] = NAN;
    }
    gy_nms_params prm = gy_nms_default_params();
    compare_with_reference(pred, nc, anchors, &prm, 50);
    prm.agnostic = 1;
    compare_with_reference(pred, nc, anchors, &prm, 20);
    prm.agnostic = 0;
    prm.iou = 0.3f;
    prm.max_nms = 700;
    compare_with_reference(pred, nc, anchors, &prm, 20);
    prm.iou = 0.7f;
    prm.max_det = 40;
    compare_with_reference(pred, nc, anchors, &prm, 40);
    prm = gy_nms_default_params();
    prm.conf = 0.001f;
    prm.iou = 0.5f;
    compare_with_reference(pred, nc, anchors, &prm, 50);
    /* a small class offset makes classes interact through the offset boxes, as in ultralytics */
    prm.max_wh = 13.5f;
    compare_with_reference(pred, nc, anchors, &prm, 20);
    free(pred);
}
END_TEST

/* The border case of coco128 000000000110.jpg with yolov8n (640x480, so input pixels are image
 * pixels): two class-53 pizzas whose exact IoU is just above 0.7. ultralytics adds 53 * 7680 to
 * the coordinates in float32 before torchvision's float32 kernel, where the IoU rounds to 0.69999
 * and the lower-scored box is KEPT. Without the offset (agnostic), float32 gives 0.7000023 and it
 * is suppressed. The float32 inputs were found by search so that both sides of 0.7 are hit. */
START_TEST(test_border_class_offset_float32)
{
    const float a_box[4] = {0x1.2e8cccp+8f, 0x1.b2999ap+8f, 0x1.594cccp+8f, 0x1.68ccccp+6f};
    const float b_box[4] = {0x1.f7799p+7f, 0x1.b2a666p+8f, 0x1.e48cb8p+7f, 0x1.6ap+6f};
    pred_buf p = pred_new(80, 2);
    pred_set_box(&p, 0, a_box[0], a_box[1], a_box[2], a_box[3]);
    pred_set_box(&p, 1, b_box[0], b_box[1], b_box[2], b_box[3]);
    pred_set_score(&p, 0, 53, 0.644f);
    pred_set_score(&p, 1, 53, 0.354f);

    /* The exact IoU of the two float32 xyxy boxes (double is exact enough here: the margin is
     * 2e-6) is above the threshold: plain arithmetic would suppress B. */
    double a[4], b[4];
    for (int k = 0; k < 2; k++) {
        a[k] = (double)(a_box[k] - a_box[k + 2] / 2.0f);
        a[k + 2] = (double)(a_box[k] + a_box[k + 2] / 2.0f);
        b[k] = (double)(b_box[k] - b_box[k + 2] / 2.0f);
        b[k + 2] = (double)(b_box[k] + b_box[k + 2] / 2.0f);
    }
    const double iw = fmin(a[2], b[2]) - fmax(a[0], b[0]), ih = fmin(a[3], b[3]) - fmax(a[1], b[1]);
    const double exact = iw * ih / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - iw * ih);
    ck_assert_msg(exact > 0.7 && exact < 0.70001, "exact IoU %.9f", exact);

    gy_nms_params prm = gy_nms_default_params();
    gy_box *out;
    int n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 2); /* ultralytics keeps the 0.354 pizza */
    ck_assert_float_eq(out[1].score, 0.354f);
    ck_assert_int_eq(out[1].class_id, 53);
    ck_assert_float_eq(out[1].x1, (float)b[0]); /* not offset */
    free(out);

    prm.agnostic = 1; /* no offset: float32 IoU 0.7000023 > 0.7 */
    n = run_nms(&p, &prm, &out);
    ck_assert_int_eq(n, 1);
    ck_assert_float_eq(out[0].score, 0.644f);
    free(out);
    free(p.data);
}
END_TEST

static Suite *nms_suite(void)
{
    Suite *s = suite_create("nms");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_xywh_to_xyxy);
    tcase_add_test(tc, test_same_class_overlap);
    tcase_add_test(tc, test_classes_and_agnostic);
    tcase_add_test(tc, test_conf_strict);
    tcase_add_test(tc, test_all_below);
    tcase_add_test(tc, test_max_det);
    tcase_add_test(tc, test_max_nms);
    tcase_add_test(tc, test_ties);
    tcase_add_test(tc, test_multi_label);
    tcase_add_test(tc, test_nan);
    tcase_add_test(tc, test_arguments);
    tcase_add_test(tc, test_random_vs_reference);
    tcase_add_test(tc, test_border_class_offset_float32);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(nms_suite()); }

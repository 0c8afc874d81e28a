/* nms.c - ultralytics 8.0.126 non_max_suppression (detection, one image, best class only) followed
 * by torchvision's CPU nms kernel, with the same float32 arithmetic.
 *
 * What is mirrored, step by step (ultralytics/yolo/utils/ops.py and torchvision nms_kernel.cpp):
 *   1. candidates: the best class score of an anchor is compared with conf in float32 ("> conf",
 *      strict). torch's amax/max propagate NaN, so an anchor with any NaN class score has a NaN
 *      best score and is never a candidate. The class is the first index of the maximum
 *      (torch.max).
 *   2. xywh2xyxy in float32: x1 = x - w / 2, y1 = y - h / 2, x2 = x + w / 2, y2 = y + h / 2.
 *   3. when there are more than max_nms candidates, only the max_nms best scores are kept.
 *   4. per-class NMS by offsetting the boxes by class * max_wh (float32; no offset when agnostic).
 *   5. torchvision: order by score descending; areas (x2 - x1) * (y2 - y1) of the offset boxes;
 *      walking that order, a kept box suppresses every later box whose
 *      inter / (area_i + area_j - inter) (float32) is > iou (compared in double, as torchvision
 *      compares the float overlap with its double threshold); then the first max_det kept boxes.
 * With multi_label (the validator's setting), step 1 makes one candidate per (anchor, class) whose
 * class score is > conf among the anchors whose best score is > conf, anchor-major, class ascending.
 * torch's sorts do not promise an order for equal scores; here equal scores are ordered by anchor
 * index (lower first), then class, so the result is deterministic. The output keeps the NMS order
 * (best first) and the original (not offset) boxes.
 */
#include "postprocess/nms.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/util.h"

gy_nms_params gy_nms_default_params(void)
{
    gy_nms_params p;
    p.conf = 0.25f;
    p.iou = 0.7f;
    p.max_det = 300;
    p.max_nms = 30000;
    p.agnostic = 0;
    p.max_wh = 7680.0f;
    p.classes = NULL;
    p.num_classes = 0;
    p.multi_label = 0;
    return p;
}

typedef struct nms_candidate {
    float score;
    int anchor;
    int class_id;
} nms_candidate;

typedef struct nms_box {
    float x1, y1, x2, y2;     /* xyxy in input pixels */
    float ox1, oy1, ox2, oy2; /* offset by class for per-class NMS */
    float area;               /* of the offset box, as torchvision computes it */
} nms_box;

/* Score descending, then anchor ascending. Scores here are never NaN (they passed "> conf"). */
static int candidate_cmp(const void *pa, const void *pb)
{
    const nms_candidate *a = pa;
    const nms_candidate *b = pb;
    if (a->score > b->score)
        return -1;
    if (a->score < b->score)
        return 1;
    if (a->anchor != b->anchor)
        return (a->anchor > b->anchor) - (a->anchor < b->anchor);
    return (a->class_id > b->class_id) - (a->class_id < b->class_id);
}

static int class_listed(const gy_nms_params *p, int class_id)
{
    for (int i = 0; i < p->num_classes; i++)
        if (p->classes[i] == class_id)
            return 1;
    return 0;
}

/* std::max / std::min as torchvision uses them (including what they do with NaN). */
static float max_like_std(float a, float b) { return (a < b) ? b : a; }
static float min_like_std(float a, float b) { return (b < a) ? b : a; }

static gy_status check_args(const float *pred, int channels, int anchors, const gy_nms_params *p,
                            gy_box **out, int *count, gy_error *err)
{
    if (!out || !count)
        return gy_fail(err, GY_ERR_ARGUMENT, "nms: out and count must not be NULL");
    if (!p)
        return gy_fail(err, GY_ERR_ARGUMENT, "nms: params must not be NULL");
    if (channels < 5)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "nms: %d channels; a Detect output has 4 box channels and at least 1 class",
                       channels);
    if (anchors < 0)
        return gy_fail(err, GY_ERR_ARGUMENT, "nms: negative anchor count %d", anchors);
    if (anchors > 0 && !pred)
        return gy_fail(err, GY_ERR_ARGUMENT, "nms: pred must not be NULL");
    if (!isfinite(p->conf) || p->conf < 0.0f || p->conf > 1.0f)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "nms: confidence threshold %g is not between 0.0 and 1.0", (double)p->conf);
    if (!isfinite(p->iou) || p->iou < 0.0f || p->iou > 1.0f)
        return gy_fail(err, GY_ERR_ARGUMENT, "nms: IoU threshold %g is not between 0.0 and 1.0",
                       (double)p->iou);
    if (p->max_det < 1)
        return gy_fail(err, GY_ERR_ARGUMENT, "nms: max_det %d must be at least 1", p->max_det);
    if (p->max_nms < 1)
        return gy_fail(err, GY_ERR_ARGUMENT, "nms: max_nms %d must be at least 1", p->max_nms);
    if (!isfinite(p->max_wh) || p->max_wh < 0.0f)
        return gy_fail(err, GY_ERR_ARGUMENT, "nms: class offset max_wh %g must be finite and >= 0",
                       (double)p->max_wh);
    size_t total;
    if (!gy_mul_size((size_t)channels, (size_t)anchors, &total) ||
        !gy_mul_size(total, sizeof(float), &total))
        return gy_fail(err, GY_ERR_NOMEM, "nms: %d x %d prediction is too large", channels,
                       anchors);
    return GY_OK;
}

/* Best class per anchor (channel-major scan, cache friendly). best[a] becomes NaN when any class
 * score of the anchor is NaN, as torch.amax would give. */
static void best_classes(const float *pred, int nc, int anchors, float *best, int *cls)
{
    const float *row = pred + (size_t)4 * (size_t)anchors;
    for (int a = 0; a < anchors; a++) {
        best[a] = row[a];
        cls[a] = 0;
    }
    for (int c = 1; c < nc; c++) {
        row = pred + (size_t)(4 + c) * (size_t)anchors;
        for (int a = 0; a < anchors; a++) {
            float v = row[a];
            if (v > best[a]) {
                best[a] = v;
                cls[a] = c;
            } else if (isnan(v)) {
                best[a] = v;
            }
        }
    }
}

/* multi_label: (cls > conf).nonzero() on the candidate anchors, anchor-major, class ascending. */
static int class_kept(const gy_nms_params *p, int class_id)
{
    return !p->classes || p->num_classes <= 0 || class_listed(p, class_id);
}

/* multi_label rows of anchor a; with a class filter, ultralytics filters these (anchor, class) rows
 * by their own class. */
static size_t multi_label_count(const float *pred, int nc, size_t na, size_t a,
                                const gy_nms_params *p)
{
    size_t k = 0;
    for (int c = 0; c < nc; c++)
        k += pred[(size_t)(4 + c) * na + a] > p->conf && class_kept(p, c);
    return k;
}

static size_t multi_label_fill(const float *pred, int nc, size_t na, size_t a,
                               const gy_nms_params *p, nms_candidate *cand, size_t n)
{
    for (int c = 0; c < nc; c++) {
        const float v = pred[(size_t)(4 + c) * na + a];
        if (v > p->conf && class_kept(p, c)) {
            cand[n].score = v;
            cand[n].anchor = (int)a;
            cand[n].class_id = c;
            n++;
        }
    }
    return n;
}

gy_status gy_nms(const float *pred, int channels, int anchors, const gy_nms_params *p,
                 gy_box **out, int *count, gy_error *err)
{
    gy_status st = check_args(pred, channels, anchors, p, out, count, err);
    if (st != GY_OK) {
        if (out)
            *out = NULL;
        if (count)
            *count = 0;
        return st;
    }
    *out = NULL;
    *count = 0;
    if (anchors == 0)
        return GY_OK;

    const int nc = channels - 4;
    const size_t na = (size_t)anchors;
    float *best = NULL;
    int *cls = NULL;
    nms_candidate *cand = NULL;
    nms_box *boxes = NULL;
    unsigned char *suppressed = NULL;
    int *keep = NULL;
    gy_box *result = NULL;
    size_t bytes;

    if (!gy_mul_size(na, sizeof *best, &bytes) || !(best = malloc(bytes)) ||
        !gy_mul_size(na, sizeof *cls, &bytes) || !(cls = malloc(bytes))) {
        st = gy_fail(err, GY_ERR_NOMEM, "nms: cannot allocate scores for %d anchors", anchors);
        goto done;
    }
    best_classes(pred, nc, anchors, best, cls);

    /* 1. candidates: best score > conf, in float32 (NaN compares false); with a class filter,
     * ultralytics then keeps only the candidates whose best class is listed (before max_nms). */
    const float conf = p->conf;
    if (!p->multi_label)
        for (size_t a = 0; a < na; a++)
            if (best[a] > conf && !class_kept(p, cls[a]))
                best[a] = -1.0f;
    size_t n = 0;
    for (size_t a = 0; a < na; a++)
        if (best[a] > conf)
            n += p->multi_label ? multi_label_count(pred, nc, na, a, p) : 1;
    if (n == 0)
        goto done;
    if (!gy_mul_size(n, sizeof *cand, &bytes) || !(cand = malloc(bytes))) {
        st = gy_fail(err, GY_ERR_NOMEM, "nms: cannot allocate %zu candidates", n);
        goto done;
    }
    n = 0;
    for (size_t a = 0; a < na; a++) {
        if (best[a] > conf && p->multi_label) {
            n = multi_label_fill(pred, nc, na, a, p, cand, n);
        } else if (best[a] > conf) {
            cand[n].score = best[a];
            cand[n].anchor = (int)a;
            cand[n].class_id = cls[a];
            n++;
        }
    }
    free(best);
    best = NULL;
    free(cls);
    cls = NULL;

    /* 3 + 5 (ordering). torchvision orders by score itself; sorting once here gives the same order
     * and, when there are too many candidates, the max_nms best. */
    qsort(cand, n, sizeof *cand, candidate_cmp);
    if (n > (size_t)p->max_nms)
        n = (size_t)p->max_nms;

    /* 2 + 4: boxes, class offsets and areas. */
    if (!gy_mul_size(n, sizeof *boxes, &bytes) || !(boxes = malloc(bytes)) ||
        !(suppressed = calloc(n, 1))) {
        st = gy_fail(err, GY_ERR_NOMEM, "nms: cannot allocate %zu boxes", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const size_t a = (size_t)cand[i].anchor;
        const float cx = pred[a];
        const float cy = pred[na + a];
        const float w = pred[2 * na + a];
        const float h = pred[3 * na + a];
        nms_box *b = &boxes[i];
        b->x1 = cx - w / 2.0f;
        b->y1 = cy - h / 2.0f;
        b->x2 = cx + w / 2.0f;
        b->y2 = cy + h / 2.0f;
        if (p->agnostic) {
            b->ox1 = b->x1;
            b->oy1 = b->y1;
            b->ox2 = b->x2;
            b->oy2 = b->y2;
        } else {
            /* The offset is rounded to float32 on its own before it is added (no contraction). */
            const float offset = (float)cand[i].class_id * p->max_wh;
            b->ox1 = b->x1 + offset;
            b->oy1 = b->y1 + offset;
            b->ox2 = b->x2 + offset;
            b->oy2 = b->y2 + offset;
        }
        const float dw = b->ox2 - b->ox1;
        const float dh = b->oy2 - b->oy1;
        b->area = dw * dh;
    }

    /* 5. greedy suppression in score order; at most max_det boxes are kept (boxes kept later
     * never change the earlier ones, so stopping at max_det gives torchvision's prefix). */
    const size_t max_keep = n < (size_t)p->max_det ? n : (size_t)p->max_det;
    if (!gy_mul_size(max_keep, sizeof *keep, &bytes) || !(keep = malloc(bytes))) {
        st = gy_fail(err, GY_ERR_NOMEM, "nms: cannot allocate %zu kept indices", max_keep);
        goto done;
    }
    const double iou_thres = (double)p->iou;
    size_t kept = 0;
    for (size_t i = 0; i < n && kept < max_keep; i++) {
        if (suppressed[i])
            continue;
        keep[kept++] = (int)i;
        const nms_box *bi = &boxes[i];
        for (size_t j = i + 1; j < n; j++) {
            if (suppressed[j])
                continue;
            const nms_box *bj = &boxes[j];
            const float xx1 = max_like_std(bi->ox1, bj->ox1);
            const float yy1 = max_like_std(bi->oy1, bj->oy1);
            const float xx2 = min_like_std(bi->ox2, bj->ox2);
            const float yy2 = min_like_std(bi->oy2, bj->oy2);
            const float iw = max_like_std(0.0f, xx2 - xx1);
            const float ih = max_like_std(0.0f, yy2 - yy1);
            const float inter = iw * ih;
            const float uni = bi->area + bj->area - inter;
            const float ovr = inter / uni;
            if ((double)ovr > iou_thres)
                suppressed[j] = 1;
        }
    }

    if (!gy_mul_size(kept, sizeof *result, &bytes) || !(result = malloc(bytes))) {
        st = gy_fail(err, GY_ERR_NOMEM, "nms: cannot allocate %zu detections", kept);
        goto done;
    }
    for (size_t k = 0; k < kept; k++) {
        const size_t i = (size_t)keep[k];
        result[k].x1 = boxes[i].x1;
        result[k].y1 = boxes[i].y1;
        result[k].x2 = boxes[i].x2;
        result[k].y2 = boxes[i].y2;
        result[k].score = cand[i].score;
        result[k].class_id = cand[i].class_id;
    }
    *out = result;
    *count = (int)kept;
    result = NULL;

done:
    free(best);
    free(cls);
    free(cand);
    free(boxes);
    free(suppressed);
    free(keep);
    free(result);
    return st;
}

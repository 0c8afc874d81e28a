/* confusion.c - ultralytics 8.0.126 ConfusionMatrix.process_batch (task detect).
 *
 *   detections = detections[detections[:, 4] > conf]
 *   iou = box_iou(labels[:, 1:], detections[:, :4]); x = torch.where(iou > iou_thres)
 *   matches = [label, detection, iou] (label-major, as torch.where lists them)
 *   if more than one: sort by iou descending (argsort()[::-1]), keep the first of each detection
 *   (np.unique: the result ordered by detection), sort by iou descending again, keep the first of
 *   each label (ordered by label)
 *   each label: matched -> matrix[det class, label class] += 1, else matrix[nc, label class] += 1
 *   if any match: each detection in no match -> matrix[det class, nc] += 1
 *
 * numpy's argsort()[::-1] of equal IoUs: its default sort is stable on small arrays, so reversing
 * puts the later of two equal entries first; the same order is used here at every size. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "postprocess/confusion.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "postprocess/metrics.h"

#define CONFUSION_MAX_NC 100000

gy_status gy_confusion_create(int nc, gy_confusion **out, gy_error *err)
{
    if (!out)
        return gy_fail(err, GY_ERR_ARGUMENT, "confusion matrix: out is NULL");
    *out = NULL;
    if (nc < 1 || nc > CONFUSION_MAX_NC)
        return gy_fail(err, GY_ERR_ARGUMENT, "confusion matrix: class count %d is not in [1, %d]",
                       nc, CONFUSION_MAX_NC);
    size_t cells;
    gy_confusion *cm = calloc(1, sizeof *cm);
    if (!cm || !gy_mul_size((size_t)nc + 1, (size_t)nc + 1, &cells) ||
        !(cm->matrix = calloc(cells, sizeof *cm->matrix))) {
        free(cm);
        return gy_fail(err, GY_ERR_NOMEM, "confusion matrix: out of memory for %d classes", nc);
    }
    cm->nc = nc;
    cm->conf = GY_CONFUSION_CONF;
    cm->iou = GY_CONFUSION_IOU;
    *out = cm;
    return GY_OK;
}

void gy_confusion_free(gy_confusion *cm)
{
    if (!cm)
        return;
    free(cm->matrix);
    free(cm);
}

typedef struct match {
    int label, det; /* det: index among the kept (score > conf) detections */
    float iou;
    int pos;        /* position before the sort: ties put the later first */
} match;

static int by_iou_desc(const void *pa, const void *pb)
{
    const match *a = pa, *b = pb;
    if (a->iou != b->iou)
        return a->iou > b->iou ? -1 : 1;
    return (a->pos < b->pos) - (a->pos > b->pos);
}

/* Sorts by IoU (descending, ties later first) and keeps the first match of each key (label or
 * detection), ordered by that key ascending: np.unique(matches[:, k], return_index=True). */
static int unique_best(match *m, int n, int by_label, int nkeys, int *first)
{
    for (int i = 0; i < n; i++)
        m[i].pos = i;
    qsort(m, (size_t)n, sizeof *m, by_iou_desc);
    for (int k = 0; k < nkeys; k++)
        first[k] = -1;
    for (int i = 0; i < n; i++) {
        const int key = by_label ? m[i].label : m[i].det;
        if (first[key] < 0)
            first[key] = i;
    }
    /* gather in key order; entries move only towards the front, so in place is safe with a
     * copy of the winners */
    int out = 0;
    for (int k = 0; k < nkeys; k++)
        if (first[k] >= 0)
            first[out++] = first[k];
    match *tmp = malloc(sizeof *tmp * (size_t)(out ? out : 1));
    if (!tmp)
        return -1;
    for (int i = 0; i < out; i++)
        tmp[i] = m[first[i]];
    memcpy(m, tmp, sizeof *m * (size_t)out);
    free(tmp);
    return out;
}

gy_status gy_confusion_add(gy_confusion *cm, const gy_box *dets, int ndet, const gy_box *labels,
                           int nlab, gy_error *err)
{
    if (!cm || ndet < 0 || nlab < 0 || (ndet > 0 && !dets) || (nlab > 0 && !labels))
        return gy_fail(err, GY_ERR_ARGUMENT, "confusion matrix: bad arguments (%d detections, %d labels)",
                       ndet, nlab);
    const int nc = cm->nc;
    for (int i = 0; i < nlab; i++)
        if (labels[i].class_id < 0 || labels[i].class_id >= nc)
            return gy_fail(err, GY_ERR_ARGUMENT, "confusion matrix: label class %d is not in [0, %d)",
                           labels[i].class_id, nc);
    for (int i = 0; i < ndet; i++)
        if (dets[i].class_id < 0 || dets[i].class_id >= nc)
            return gy_fail(err, GY_ERR_ARGUMENT,
                           "confusion matrix: prediction class %d is not in [0, %d)", dets[i].class_id, nc);
    if (nlab == 0)
        return GY_OK;
    const size_t w = (size_t)nc + 1;
    int *kept = NULL, *first = NULL, *used = NULL;
    match *m = NULL;
    size_t cells = 0;
    int nk = 0, nm = 0;
    if (ndet > 0 && !(kept = malloc(sizeof *kept * (size_t)ndet)))
        goto nomem;
    for (int i = 0; i < ndet; i++)
        if (dets[i].score > cm->conf)
            kept[nk++] = i;
    if (nk > 0) {
        if (!gy_mul_size((size_t)nk, (size_t)nlab, &cells) || !(m = malloc(sizeof *m * cells)) ||
            !(first = malloc(sizeof *first * (size_t)(nk > nlab ? nk : nlab))) ||
            !(used = calloc((size_t)nk, sizeof *used)))
            goto nomem;
        for (int l = 0; l < nlab; l++)
            for (int d = 0; d < nk; d++) {
                const float v = gy_metrics_iou(&labels[l], &dets[kept[d]]);
                if (v > cm->iou)
                    m[nm++] = (match){l, d, v, 0};
            }
        if (nm > 1) {
            if ((nm = unique_best(m, nm, 0, nk, first)) < 0 || (nm = unique_best(m, nm, 1, nlab, first)) < 0)
                goto nomem;
        }
    }
    /* m is now ordered by label, one entry per matched label */
    for (int l = 0, j = 0; l < nlab; l++) {
        const size_t gc = (size_t)labels[l].class_id;
        while (j < nm && m[j].label < l)
            j++;
        if (j < nm && m[j].label == l) {
            cm->matrix[(size_t)dets[kept[m[j].det]].class_id * w + gc] += 1.0;
            used[m[j].det] = 1;
        } else {
            cm->matrix[(size_t)nc * w + gc] += 1.0;
        }
    }
    if (nm > 0)
        for (int d = 0; d < nk; d++)
            if (!used[d])
                cm->matrix[(size_t)dets[kept[d]].class_id * w + (size_t)nc] += 1.0;
    free(kept);
    free(first);
    free(used);
    free(m);
    return GY_OK;
nomem:
    free(kept);
    free(first);
    free(used);
    free(m);
    return gy_fail(err, GY_ERR_NOMEM, "confusion matrix: out of memory for %d x %d pairs", nlab, ndet);
}

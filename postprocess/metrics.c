/* metrics.c - ultralytics 8.0.126 DetectionValidator._process_batch and ap_per_class.
 *
 * Matching (ultralytics/yolo/v8/detect/val.py, utils/metrics.py box_iou), per image, float32 like
 * torch: inter = clamp(min(x2) - max(x1), 0) * clamp(min(y2) - max(y1), 0);
 * iou = inter / (area_label + area_det - inter + 1e-7). For each threshold t the candidate pairs
 * are iou >= iouv[t] with equal classes, listed label-major; sorted by IoU descending (numpy's
 * argsort()[::-1]: among equal IoUs the later pair comes first), the first pair of each detection
 * is kept, the survivors are ordered by detection index, and the first pair of each label is kept
 * (the re-sort by IoU is commented out in 8.0.126, so a label goes to its lowest-index detection).
 *
 * ap_per_class (utils/metrics.py), double precision like numpy:
 *   predictions sorted by confidence descending (stable here; numpy's quicksort leaves ties to
 *   chance); per labelled class: cumulative TP/FP, recall = tpc / (n_l + 1e-16),
 *   precision = tpc / (tpc + fpc); p and r curves by np.interp at -linspace(0, 1, 1000) over
 *   -conf (left 1 for precision, 0 for recall); AP per threshold = trapz of np.interp on
 *   linspace(0, 1, 101) of the precision envelope with sentinels (0, 1) and (1, 0).
 *   f1 = 2 p r / (p + r + 1e-16); the column of max smooth(mean over classes, f = 0.1) gives P, R.
 * Means use numpy's pairwise summation order. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "postprocess/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

#define METRICS_NPX GY_METRICS_NPX
#define METRICS_NAP 101    /* compute_ap's 101-point interpolation */
#define METRICS_EPS 1e-16
#define METRICS_MAX_NC 100000

void gy_metrics_iou_thresholds(float iouv[GY_METRICS_NIOU])
{
    /* torch's CPU linspace: step = (end - start) / (steps - 1) in the dtype; the first half counts
     * up from start, the second half down from end. */
    const float start = 0.5f, end = 0.95f;
    const int steps = GY_METRICS_NIOU;
    const float step = (end - start) / (float)(steps - 1);
    const int halfway = steps / 2;
    for (int i = 0; i < steps; i++)
        iouv[i] = i < halfway ? start + step * (float)i : end - step * (float)(steps - i - 1);
}

/* ------------------------------------------------------------------------------------------------ */
/* Matching                                                                                         */

float gy_metrics_iou(const gy_box *l, const gy_box *d)
{
    const float iw = fmaxf(fminf(l->x2, d->x2) - fmaxf(l->x1, d->x1), 0.0f);
    const float ih = fmaxf(fminf(l->y2, d->y2) - fmaxf(l->y1, d->y1), 0.0f);
    const float inter = iw * ih;
    const float a1 = (l->x2 - l->x1) * (l->y2 - l->y1);
    const float a2 = (d->x2 - d->x1) * (d->y2 - d->y1);
    const float den = a1 + a2 - inter + 1e-7f;
    return inter / den;
}

gy_status gy_metrics_match(const gy_box *dets, int ndet, const gy_box *labels, int nlab,
                           uint16_t *correct, gy_error *err)
{
    if (ndet < 0 || nlab < 0 || (ndet > 0 && (!dets || !correct)) || (nlab > 0 && !labels))
        return gy_fail(err, GY_ERR_ARGUMENT, "metrics: bad match arguments (%d detections, %d labels)",
                       ndet, nlab);
    if (ndet == 0)
        return GY_OK;
    memset(correct, 0, sizeof *correct * (size_t)ndet);
    if (nlab == 0)
        return GY_OK;
    size_t cells, bytes;
    float *iou = NULL;
    int *best = NULL, *owner = NULL;
    if (!gy_mul_size((size_t)ndet, (size_t)nlab, &cells) || !gy_mul_size(cells, sizeof *iou, &bytes) ||
        !(iou = malloc(bytes)) || !(best = malloc(sizeof *best * (size_t)ndet)) ||
        !(owner = malloc(sizeof *owner * (size_t)nlab))) {
        free(iou);
        free(best);
        return gy_fail(err, GY_ERR_NOMEM, "metrics: cannot allocate a %d x %d IoU matrix", nlab, ndet);
    }
    for (int l = 0; l < nlab; l++)
        for (int d = 0; d < ndet; d++)
            iou[(size_t)l * (size_t)ndet + (size_t)d] = gy_metrics_iou(&labels[l], &dets[d]);

    float iouv[GY_METRICS_NIOU];
    gy_metrics_iou_thresholds(iouv);
    for (int t = 0; t < GY_METRICS_NIOU; t++) {
        /* each detection's label: highest IoU among the candidates, ties to the higher label
         * index (the reversed ascending sort puts the later pair first) */
        for (int d = 0; d < ndet; d++) {
            best[d] = -1;
            float bv = 0.0f;
            for (int l = 0; l < nlab; l++) {
                const float v = iou[(size_t)l * (size_t)ndet + (size_t)d];
                if (!(v >= iouv[t]) || labels[l].class_id != dets[d].class_id)
                    continue;
                if (best[d] < 0 || v >= bv) {
                    best[d] = l;
                    bv = v;
                }
            }
        }
        /* each label keeps its lowest-index detection */
        for (int l = 0; l < nlab; l++)
            owner[l] = -1;
        for (int d = 0; d < ndet; d++)
            if (best[d] >= 0 && owner[best[d]] < 0)
                owner[best[d]] = d;
        for (int l = 0; l < nlab; l++)
            if (owner[l] >= 0)
                correct[owner[l]] |= (uint16_t)(1u << t);
    }
    free(iou);
    free(best);
    free(owner);
    return GY_OK;
}

/* ------------------------------------------------------------------------------------------------ */
/* Accumulation                                                                                     */

struct gy_metrics {
    int nc;
    int seen;
    size_t n, cap;
    float *conf;
    int *cls;
    uint16_t *tp;
    long long *nt; /* labels per class */
};

gy_status gy_metrics_create(int nc, gy_metrics **out, gy_error *err)
{
    if (!out)
        return gy_fail(err, GY_ERR_ARGUMENT, "metrics: out is NULL");
    *out = NULL;
    if (nc < 1 || nc > METRICS_MAX_NC)
        return gy_fail(err, GY_ERR_ARGUMENT, "metrics: class count %d is not in [1, %d]", nc,
                       METRICS_MAX_NC);
    gy_metrics *m = calloc(1, sizeof *m);
    if (!m || !(m->nt = calloc((size_t)nc, sizeof *m->nt))) {
        free(m);
        return gy_fail(err, GY_ERR_NOMEM, "metrics: out of memory");
    }
    m->nc = nc;
    *out = m;
    return GY_OK;
}

void gy_metrics_free(gy_metrics *m)
{
    if (!m)
        return;
    free(m->conf);
    free(m->cls);
    free(m->tp);
    free(m->nt);
    free(m);
}

static int grow(void **p, size_t cap, size_t elem)
{
    size_t bytes;
    if (!gy_mul_size(cap, elem, &bytes))
        return 0;
    void *q = realloc(*p, bytes);
    if (!q)
        return 0;
    *p = q;
    return 1;
}

gy_status gy_metrics_add(gy_metrics *m, const gy_box *dets, const uint16_t *correct, int ndet,
                         const int *label_cls, int nlab, gy_error *err)
{
    if (!m || ndet < 0 || nlab < 0 || (ndet > 0 && !dets) || (nlab > 0 && !label_cls))
        return gy_fail(err, GY_ERR_ARGUMENT, "metrics: bad arguments to add an image");
    for (int i = 0; i < nlab; i++)
        if (label_cls[i] < 0 || label_cls[i] >= m->nc)
            return gy_fail(err, GY_ERR_ARGUMENT, "metrics: label class %d is not in [0, %d)",
                           label_cls[i], m->nc);
    for (int i = 0; i < ndet; i++)
        if (dets[i].class_id < 0 || dets[i].class_id >= m->nc || !isfinite(dets[i].score))
            return gy_fail(err, GY_ERR_ARGUMENT,
                           "metrics: prediction class %d is not in [0, %d) or its score is not finite",
                           dets[i].class_id, m->nc);
    if ((size_t)ndet > m->cap - m->n) {
        size_t cap = m->cap ? m->cap : 1024;
        while (cap - m->n < (size_t)ndet) {
            if (cap > ((size_t)-1) / 4)
                return gy_fail(err, GY_ERR_NOMEM, "metrics: too many predictions");
            cap *= 2;
        }
        if (!grow((void **)&m->conf, cap, sizeof *m->conf) || !grow((void **)&m->cls, cap, sizeof *m->cls) ||
            !grow((void **)&m->tp, cap, sizeof *m->tp))
            return gy_fail(err, GY_ERR_NOMEM, "metrics: out of memory storing %zu predictions", cap);
        m->cap = cap;
    }
    m->seen++;
    for (int i = 0; i < ndet; i++) {
        m->conf[m->n] = dets[i].score;
        m->cls[m->n] = dets[i].class_id;
        m->tp[m->n] = (nlab > 0 && correct) ? correct[i] : 0;
        m->n++;
    }
    for (int i = 0; i < nlab; i++)
        m->nt[label_cls[i]]++;
    return GY_OK;
}

/* ------------------------------------------------------------------------------------------------ */
/* numpy pieces                                                                                     */

/* numpy's pairwise_sum for doubles (blocks of 8 up to 128 elements, halves above). */
static double pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        size_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[i + (size_t)j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

static double np_mean(const double *a, size_t n)
{
    return n ? (0.0 + pairwise_sum(a, n)) / (double)n : 0.0;
}

double gy_np_interp(double x, const double *xp, const double *fp, int n, double left, double right)
{
    if (isnan(x))
        return x;
    if (n == 1)
        return x < xp[0] ? left : x > xp[0] ? right : fp[0];
    if (x > xp[n - 1])
        return right;
    if (x < xp[0])
        return left;
    /* numpy's search returns j with xp[j] <= x < xp[j + 1]: the last xp[j] <= x */
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (x >= xp[mid])
            lo = mid + 1;
        else
            hi = mid;
    }
    const int j = lo - 1;
    if (j == n - 1 || xp[j] == x)
        return fp[j];
    const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
    double v = slope * (x - xp[j]) + fp[j];
    if (isnan(v)) {
        v = slope * (x - xp[j + 1]) + fp[j + 1];
        if (isnan(v) && fp[j] == fp[j + 1])
            v = fp[j];
    }
    return v;
}

/* np.linspace(0, 1, num) */
static double linspace01(int k, int num)
{
    if (k == num - 1)
        return 1.0;
    return (double)k * (1.0 / (double)(num - 1));
}

/* compute_ap: recall, precision of n points (scratch holds 2 * (n + 2) doubles). */
static double compute_ap(const double *recall, const double *precision, int n, double *scratch)
{
    double *mrec = scratch, *mpre = scratch + n + 2;
    mrec[0] = 0.0;
    mpre[0] = 1.0;
    for (int i = 0; i < n; i++) {
        mrec[i + 1] = recall[i];
        mpre[i + 1] = precision[i];
    }
    mrec[n + 1] = 1.0;
    mpre[n + 1] = 0.0;
    for (int i = n; i >= 0; i--) /* np.flip(np.maximum.accumulate(np.flip(mpre))) */
        if (!(mpre[i] >= mpre[i + 1]) && !isnan(mpre[i]))
            mpre[i] = mpre[i + 1];
    double y[METRICS_NAP], x[METRICS_NAP], terms[METRICS_NAP - 1];
    for (int k = 0; k < METRICS_NAP; k++) {
        x[k] = linspace01(k, METRICS_NAP);
        y[k] = gy_np_interp(x[k], mrec, mpre, n + 2, mpre[0], mpre[n + 1]);
    }
    for (int k = 0; k < METRICS_NAP - 1; k++) /* np.trapz: d * (y[1:] + y[:-1]) / 2.0 */
        terms[k] = (x[k + 1] - x[k]) * (y[k + 1] + y[k]) / 2.0;
    return 0.0 + pairwise_sum(terms, METRICS_NAP - 1);
}

/* ------------------------------------------------------------------------------------------------ */
/* ap_per_class                                                                                     */

typedef struct sort_item {
    float conf;
    size_t index;
} sort_item;

static int conf_desc(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    if (a->conf > b->conf)
        return -1;
    if (a->conf < b->conf)
        return 1;
    return (a->index > b->index) - (a->index < b->index);
}

void gy_metrics_result_clear(gy_metrics_result *r)
{
    if (!r)
        return;
    free(r->classes);
    free(r->p_curve); /* the block of the three curves */
    memset(r, 0, sizeof *r);
    r->conf_index = -1;
}

/* Curves and APs of one class; preds are the class's prediction indices in confidence order. */
static void class_curves(const gy_metrics *m, const size_t *preds, size_t np_, long long n_l,
                         double *pcurve, double *rcurve, double *prcurve, double *ap, double *work)
{
    /* work: conf (np_), recall (10 * np_), precision (10 * np_), scratch 2 * (np_ + 2) */
    double *xc = work;
    double *rec = xc + np_;
    double *prec = rec + (size_t)GY_METRICS_NIOU * np_;
    double *scratch = prec + (size_t)GY_METRICS_NIOU * np_;
    for (int t = 0; t < GY_METRICS_NIOU; t++) {
        double tpc = 0.0, fpc = 0.0;
        double *rt = rec + (size_t)t * np_, *pt = prec + (size_t)t * np_;
        for (size_t k = 0; k < np_; k++) {
            const int hit = (m->tp[preds[k]] >> t) & 1;
            tpc += hit;
            fpc += 1 - hit;
            rt[k] = tpc / ((double)n_l + METRICS_EPS);
            pt[k] = tpc / (tpc + fpc);
        }
    }
    for (size_t k = 0; k < np_; k++)
        xc[k] = (double)(-m->conf[preds[k]]); /* -conf[i] in float32 */
    for (int k = 0; k < METRICS_NPX; k++) {
        const double x = -linspace01(k, METRICS_NPX);
        rcurve[k] = gy_np_interp(x, xc, rec, (int)np_, 0.0, rec[np_ - 1]);
        pcurve[k] = gy_np_interp(x, xc, prec, (int)np_, 1.0, prec[np_ - 1]);
    }
    for (int t = 0; t < GY_METRICS_NIOU; t++) {
        ap[t] = compute_ap(rec + (size_t)t * np_, prec + (size_t)t * np_, (int)np_, scratch);
        if (t == 0) /* py.append(np.interp(px, mrec, mpre)): the envelope compute_ap left */
            for (int k = 0; k < METRICS_NPX; k++)
                prcurve[k] = gy_np_interp(linspace01(k, METRICS_NPX), scratch, scratch + np_ + 2,
                                          (int)np_ + 2, scratch[np_ + 2], scratch[2 * np_ + 3]);
    }
}

void gy_metrics_smooth(const double *y, int n, double f, double *out)
{
    const int nf = (int)gy_py_round(n * f * 2) / 2 + 1, half = nf / 2;
    const double w = 1.0 / (double)nf;
    for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int q = j - half; q <= j + half; q++) {
            const int qc = q < 0 ? 0 : q >= n ? n - 1 : q;
            s += y[qc] * w;
        }
        out[j] = s;
    }
}

gy_status gy_metrics_compute(const gy_metrics *m, gy_metrics_result *out, gy_error *err)
{
    if (!m || !out)
        return gy_fail(err, GY_ERR_ARGUMENT, "metrics: NULL argument");
    memset(out, 0, sizeof *out);
    out->conf_index = -1;
    out->images = m->seen;
    out->predictions = (long long)m->n;
    int nrows = 0;
    for (int c = 0; c < m->nc; c++) {
        out->instances += m->nt[c];
        nrows += m->nt[c] > 0;
    }
    if (nrows == 0)
        return GY_OK;
    out->classes = calloc((size_t)nrows, sizeof *out->classes);
    if (!out->classes)
        return gy_fail(err, GY_ERR_NOMEM, "metrics: out of memory");
    out->nclasses = nrows;
    for (int c = 0, k = 0; c < m->nc; c++)
        if (m->nt[c] > 0) {
            out->classes[k].id = c;
            out->classes[k].instances = (int)m->nt[c];
            k++;
        }
    int any_tp = 0;
    for (size_t i = 0; i < m->n && !any_tp; i++)
        any_tp = m->tp[i] != 0;
    if (!any_tp) /* get_stats: `if len(stats) and stats[0].any()` */
        return GY_OK;

    gy_status st = GY_OK;
    sort_item *order = NULL;
    size_t *preds = NULL, *count = NULL, *start = NULL;
    double *curves = NULL, *work = NULL, *f1mean = NULL, *vals = NULL;
    size_t n = m->n, bytes;
    if (!gy_mul_size(n, sizeof *order, &bytes) || !(order = malloc(bytes ? bytes : 1)) ||
        !gy_mul_size(n, sizeof *preds, &bytes) || !(preds = malloc(bytes ? bytes : 1)) ||
        !(count = calloc((size_t)m->nc, sizeof *count)) ||
        !(start = calloc((size_t)m->nc, sizeof *start)) ||
        !gy_mul_size((size_t)nrows, 3 * METRICS_NPX * sizeof *curves, &bytes) ||
        !(curves = malloc(bytes)) || !(f1mean = malloc(METRICS_NPX * sizeof *f1mean)) ||
        !(vals = malloc((size_t)nrows * GY_METRICS_NIOU * sizeof *vals))) {
        st = gy_fail(err, GY_ERR_NOMEM, "metrics: cannot allocate the curves of %zu predictions", n);
        goto done;
    }
    /* i = np.argsort(-conf) */
    for (size_t i = 0; i < n; i++) {
        order[i].conf = m->conf[i];
        order[i].index = i;
    }
    qsort(order, n, sizeof *order, conf_desc);
    /* the predictions of each class, in that order */
    for (size_t i = 0; i < n; i++)
        count[m->cls[i]]++;
    size_t maxc = 0;
    for (int c = 0, acc = 0; c < m->nc; c++) {
        start[c] = (size_t)acc;
        acc += (int)count[c];
        if (count[c] > maxc)
            maxc = count[c];
        count[c] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        const size_t p = order[i].index;
        const int c = m->cls[p];
        preds[start[c] + count[c]++] = p;
    }
    /* work: conf + 10 recall + 10 precision curves + compute_ap scratch */
    if (!gy_mul_size(maxc + 4, 2 * GY_METRICS_NIOU + 3, &bytes) ||
        !gy_mul_size(bytes, sizeof *work, &bytes) || !(work = malloc(bytes))) {
        st = gy_fail(err, GY_ERR_NOMEM, "metrics: cannot allocate the curves of %zu predictions", maxc);
        goto done;
    }
    /* curves: the p rows, then the r rows, then the PR rows */
#define P_ROW(k) (curves + (size_t)(k) * METRICS_NPX)
#define R_ROW(k) (curves + ((size_t)nrows + (size_t)(k)) * METRICS_NPX)
#define PR_ROW(k) (curves + (2 * (size_t)nrows + (size_t)(k)) * METRICS_NPX)
    for (int k = 0; k < nrows; k++) {
        gy_metrics_class *row = &out->classes[k];
        const size_t np_ = count[row->id];
        row->predictions = (long long)np_;
        if (np_ == 0) {
            memset(P_ROW(k), 0, METRICS_NPX * sizeof *curves);
            memset(R_ROW(k), 0, METRICS_NPX * sizeof *curves);
            memset(PR_ROW(k), 0, METRICS_NPX * sizeof *curves);
            continue;
        }
        class_curves(m, preds + start[row->id], np_, row->instances, P_ROW(k), R_ROW(k), PR_ROW(k),
                     row->ap, work);
    }
    /* f1 = 2 * p * r / (p + r + eps); its mean over classes (row by row), smoothed */
    for (int j = 0; j < METRICS_NPX; j++)
        f1mean[j] = 0.0;
    for (int k = 0; k < nrows; k++) {
        const double *pc = P_ROW(k), *rc = R_ROW(k);
        for (int j = 0; j < METRICS_NPX; j++)
            f1mean[j] += 2.0 * pc[j] * rc[j] / (pc[j] + rc[j] + METRICS_EPS);
    }
    for (int j = 0; j < METRICS_NPX; j++)
        f1mean[j] /= (double)nrows;
    {
        /* smooth(f1.mean(0), 0.1).argmax() */
        double sm[METRICS_NPX];
        gy_metrics_smooth(f1mean, METRICS_NPX, 0.1, sm);
        int besti = 0;
        for (int j = 1; j < METRICS_NPX; j++)
            if (sm[j] > sm[besti])
                besti = j;
        out->conf_index = besti;
    }
    for (int k = 0; k < nrows; k++) {
        gy_metrics_class *row = &out->classes[k];
        row->p = P_ROW(k)[out->conf_index];
        row->r = R_ROW(k)[out->conf_index];
        row->ap50 = row->ap[0];
        row->ap50_95 = np_mean(row->ap, GY_METRICS_NIOU);
        for (int t = 0; t < GY_METRICS_NIOU; t++)
            vals[(size_t)k * GY_METRICS_NIOU + (size_t)t] = row->ap[t];
    }
    out->map50_95 = np_mean(vals, (size_t)nrows * GY_METRICS_NIOU);
    for (int k = 0; k < nrows; k++)
        vals[k] = out->classes[k].ap50;
    out->map50 = np_mean(vals, (size_t)nrows);
    for (int k = 0; k < nrows; k++)
        vals[k] = out->classes[k].p;
    out->mp = np_mean(vals, (size_t)nrows);
    for (int k = 0; k < nrows; k++)
        vals[k] = out->classes[k].r;
    out->mr = np_mean(vals, (size_t)nrows);
    /* fitness: (np.array([mp, mr, map50, map]) * [0, 0, 0.1, 0.9]).sum() */
    out->fitness = 0.0 + out->mp * 0.0 + out->mr * 0.0 + out->map50 * 0.1 + out->map50_95 * 0.9;
    out->p_curve = curves;
    out->r_curve = R_ROW(0);
    out->pr_curve = PR_ROW(0);
    curves = NULL;
#undef P_ROW
#undef R_ROW
#undef PR_ROW

done:
    free(order);
    free(preds);
    free(count);
    free(start);
    free(curves);
    free(work);
    free(f1mean);
    free(vals);
    return st;
}

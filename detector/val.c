/* val.c - gy_val: ultralytics 8.0.126 DetectionValidator with batch 1 over a dataset YAML.
 * The dataset scan first (YOLODataset.cache_labels: verify_image_label per image, corrupt images
 * dropped with a warning, "N images, M backgrounds, K corrupt"; no labels at all is refused as its
 * get_labels refuses it). Per image: decode, the validator's rectangle input, forward,
 * multi-label NMS, boxes and labels to original pixels, matching and the confusion matrix; then
 * DetMetrics over all images. Plots on demand (gy_val_save_plots). */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/util.h"
#include "detector/dataset.h"
#include "detector/model.h"
#include "detector/session.h"
#include "postprocess/confusion.h"
#include "postprocess/metrics.h"
#include "postprocess/nms.h"
#include "postprocess/plot_curves.h"
#include "postprocess/plot_matrix.h"
#include "preprocess/val_input.h"

#define VAL_RECT_PAD 0.5 /* YOLODataset pad for validation */
#define VAL_MIN_SIDE 10  /* verify_image_label: assert (shape[0] > 9) & (shape[1] > 9) */

struct gy_val_plots {
    gy_metrics_result mr;
    const char *const *names;
    int nnames;
};

gy_val_params gy_val_default_params(void)
{
    gy_val_params p;
    memset(&p, 0, sizeof p);
    p.imgsz = 640;
    p.conf = 0.001f;
    p.iou = 0.7f;
    p.max_det = 300;
    p.split = "val";
    return p;
}

void gy_val_result_free(gy_val_result *r)
{
    if (!r)
        return;
    free(r->classes);
    free(r->confusion_matrix);
    if (r->plots)
        gy_metrics_result_clear(&r->plots->mr);
    free(r->plots);
    free(r);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

typedef struct val_run {
    gy_session *s;
    const gy_val_params *p;
    gy_dataset *ds;
    gy_label_file *labels; /* per image of the dataset */
    int *keep;             /* the images validated (not corrupt), in order */
    int nkeep;
    int label_files, backgrounds, corrupt;
    gy_metrics *metrics;
    gy_confusion *cm;
    float *input;
    size_t input_cap;
    gy_box *lboxes;
    int *lcls;
    int lcap;
    double t_pre, t_inf, t_post;
} val_run;

static void vlog(const val_run *v, gy_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void vlog(const val_run *v, gy_log_level level, const char *fmt, ...)
{
    if (!v->p->log)
        return;
    char msg[GY_ERROR_MESSAGE_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    v->p->log(v->p->log_user, level, msg);
}

/* cache_labels: every label file verified, the counts, the scan line, then the warnings; no label
 * at all is get_labels' error. */
static gy_status scan_labels(val_run *v, gy_error *err)
{
    const gy_dataset *ds = v->ds;
    v->labels = calloc((size_t)ds->nimages, sizeof *v->labels);
    v->keep = malloc(sizeof *v->keep * (size_t)ds->nimages);
    if (!v->labels || !v->keep)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory for %d label sets", ds->yaml_path,
                       ds->nimages);
    /* the scan names Path(label_files[0]).parent, as ultralytics' cache path does */
    char *where = gy_dataset_label_path(ds->images[0]);
    if (!where)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", ds->images[0]);
    char *slash = strrchr(where, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(where, "."); /* (a label path always holds ".txt": room for ".") */
    long long total = 0;
    gy_status st = GY_OK;
    for (int i = 0; i < ds->nimages && st == GY_OK; i++) {
        char *lp = gy_dataset_label_path(ds->images[i]);
        if (!lp) {
            st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", ds->images[i]);
            break;
        }
        gy_label_file *f = &v->labels[i];
        st = gy_labels_scan(lp, ds->nc, f, err);
        free(lp);
        v->label_files += f->found;
        v->backgrounds += !f->found || (!f->corrupt && f->n == 0);
        v->corrupt += f->corrupt;
        if (st != GY_OK || f->corrupt)
            continue;
        v->keep[v->nkeep++] = i;
        total += f->n;
        if (f->n > v->lcap)
            v->lcap = f->n;
    }
    if (st != GY_OK) {
        free(where);
        return st;
    }
    vlog(v, GY_LOG_INFO, "Scanning %s... %d images, %d backgrounds, %d corrupt", where,
         v->label_files, v->backgrounds, v->corrupt);
    for (int i = 0; i < ds->nimages; i++) {
        const gy_label_file *f = &v->labels[i];
        if (f->corrupt)
            vlog(v, GY_LOG_WARNING, "%s: ignoring corrupt image/label: %s", ds->images[i], f->why);
        else if (f->duplicates)
            vlog(v, GY_LOG_WARNING, "%s: %d duplicate labels removed", ds->images[i], f->duplicates);
    }
    if (total == 0)
        gy_fail(err, GY_ERR_FORMAT,
                "%s: no labels found (%d images, %d backgrounds, %d corrupt), can not compute "
                "metrics without labels",
                where, v->label_files, v->backgrounds, v->corrupt);
    free(where);
    if (total == 0)
        return GY_ERR_FORMAT;
    if (v->lcap > 0 && (!(v->lboxes = malloc(sizeof *v->lboxes * (size_t)v->lcap)) ||
                        !(v->lcls = malloc(sizeof *v->lcls * (size_t)v->lcap))))
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory for labels", ds->yaml_path);
    return GY_OK;
}

/* Loads one image; an image that cannot be decoded or is too small is corrupt: *img stays NULL,
 * the warning is logged and the image counted (ultralytics' scan drops it). */
static gy_status load_image(val_run *v, const char *path, gy_image **img, gy_error *err)
{
    gy_error e;
    gy_status st = gy_image_load(path, img, &e);
    if (st == GY_ERR_NOMEM) {
        if (err)
            *err = e;
        return st;
    }
    if (st != GY_OK) {
        *img = NULL;
        v->corrupt++;
        vlog(v, GY_LOG_WARNING, "%s: ignoring corrupt image/label: %s", path, e.message);
        return GY_OK;
    }
    if ((*img)->width < VAL_MIN_SIDE || (*img)->height < VAL_MIN_SIDE) {
        v->corrupt++;
        vlog(v, GY_LOG_WARNING, "%s: ignoring corrupt image/label: image size (%d, %d) <10 pixels",
             path, (*img)->height, (*img)->width);
        gy_image_free(*img);
        *img = NULL;
    }
    return GY_OK;
}

static gy_status val_image(val_run *v, int i, gy_error *err)
{
    const char *path = v->ds->images[i];
    double t0 = now_ms();
    gy_image *img = NULL;
    gy_status st = load_image(v, path, &img, err);
    if (st != GY_OK || !img)
        return st;
    gy_val_geometry g;
    st = gy_val_geometry_compute(img->width, img->height, v->p->imgsz, gy_model_stride(v->s->model),
                                 VAL_RECT_PAD, &g, err);
    if (st != GY_OK) {
        gy_error_prefix(err, "%s", path);
        gy_image_free(img);
        return st;
    }
    size_t need = (size_t)3 * (size_t)g.out_w * (size_t)g.out_h;
    if (need > v->input_cap) {
        float *buf = malloc(sizeof *buf * need);
        if (!buf) {
            gy_image_free(img);
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory for a %dx%d input", path, g.out_w,
                           g.out_h);
        }
        free(v->input);
        v->input = buf;
        v->input_cap = need;
    }
    st = gy_val_input(img, &g, v->input, err);
    gy_image_free(img);
    if (st != GY_OK) {
        gy_error_prefix(err, "%s", path);
        return st;
    }
    double t1 = now_ms();
    gy_output o;
    if ((st = gy_forward(v->s, v->input, g.out_h, g.out_w, &o, err)) != GY_OK)
        return st;
    double t2 = now_ms();
    gy_nms_params np = gy_nms_default_params();
    np.conf = v->p->conf;
    np.iou = v->p->iou;
    np.max_det = v->p->max_det;
    np.multi_label = 1;
    gy_box *dets = NULL;
    int ndet = 0;
    if ((st = gy_nms(o.data, o.channels, o.anchors, &np, &dets, &ndet, err)) != GY_OK)
        return st;
    for (int k = 0; k < ndet; k++) {
        float b[4] = {dets[k].x1, dets[k].y1, dets[k].x2, dets[k].y2};
        gy_val_unmap(&g, b);
        dets[k].x1 = b[0];
        dets[k].y1 = b[1];
        dets[k].x2 = b[2];
        dets[k].y2 = b[3];
    }
    double t3 = now_ms();
    if (v->p->on_image && v->p->on_image(v->p->on_image_user, path, g.src_w, g.src_h, dets, ndet) != 0) {
        free(dets);
        return gy_fail(err, GY_ERR_STATE, "gy_val: stopped by the image callback at %s", path);
    }
    v->t_pre += t1 - t0;
    v->t_inf += t2 - t1;
    v->t_post += t3 - t2;

    const gy_label_file *il = &v->labels[i];
    for (int k = 0; k < il->n; k++) {
        const gy_label *l = &il->labels[k];
        float b[4];
        gy_val_label_box(&g, l->x, l->y, l->w, l->h, b);
        v->lboxes[k].x1 = b[0];
        v->lboxes[k].y1 = b[1];
        v->lboxes[k].x2 = b[2];
        v->lboxes[k].y2 = b[3];
        v->lboxes[k].score = 1.0f;
        v->lboxes[k].class_id = l->class_id;
        v->lcls[k] = l->class_id;
    }
    uint16_t *correct = NULL;
    if (ndet > 0 && !(correct = malloc(sizeof *correct * (size_t)ndet))) {
        free(dets);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
    }
    st = gy_metrics_match(dets, ndet, v->lboxes, il->n, correct, err);
    if (st == GY_OK)
        st = gy_metrics_add(v->metrics, dets, correct, ndet, v->lcls, il->n, err);
    if (st == GY_OK) /* update_metrics calls the matrix only for an image with labels */
        st = gy_confusion_add(v->cm, dets, ndet, v->lboxes, il->n, err);
    if (st != GY_OK)
        gy_error_prefix(err, "%s", path);
    free(correct);
    free(dets);
    return st;
}

/* Moves the metrics result and the confusion matrix into the result. */
static gy_status make_result(val_run *v, gy_metrics_result *mr, gy_val_result **out, gy_error *err)
{
    gy_val_result *r = calloc(1, sizeof *r);
    if (!r || !(r->plots = calloc(1, sizeof *r->plots)) ||
        (mr->nclasses > 0 && !(r->classes = calloc((size_t)mr->nclasses, sizeof *r->classes)))) {
        if (r)
            free(r->plots);
        free(r);
        return gy_fail(err, GY_ERR_NOMEM, "gy_val: out of memory");
    }
    r->images = mr->images;
    r->instances = mr->instances;
    r->predictions = mr->predictions;
    r->p = mr->mp;
    r->r = mr->mr;
    r->map50 = mr->map50;
    r->map50_95 = mr->map50_95;
    r->fitness = mr->fitness;
    r->num_classes = mr->nclasses;
    r->coco_ids = v->ds->coco;
    r->label_files = v->label_files;
    r->backgrounds = v->backgrounds;
    r->corrupt = v->corrupt;
    r->nc = v->cm->nc;
    r->confusion_matrix = v->cm->matrix;
    v->cm->matrix = NULL;
    for (int k = 0; k < mr->nclasses; k++) {
        const gy_metrics_class *c = &mr->classes[k];
        gy_val_class *o = &r->classes[k];
        o->id = c->id;
        o->name = gy_model_class_name(v->s->model, c->id);
        o->images = mr->images;
        o->instances = c->instances;
        o->p = c->p;
        o->r = c->r;
        o->map50 = c->ap50;
        o->map50_95 = c->ap50_95;
    }
    const double n = mr->images > 0 ? (double)mr->images : 1.0;
    r->speed_ms.preprocess = v->t_pre / n;
    r->speed_ms.inference = v->t_inf / n;
    r->speed_ms.postprocess = v->t_post / n;
    r->plots->mr = *mr;
    memset(mr, 0, sizeof *mr);
    r->plots->names = (const char *const *)v->s->model->names;
    r->plots->nnames = v->s->model->nnames;
    *out = r;
    return GY_OK;
}

gy_status gy_val(gy_session *s, const char *data_yaml, const gy_val_params *params,
                 gy_val_progress_fn progress, void *user, gy_val_result **out, gy_error *err)
{
    if (!s || !data_yaml || !out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_val: session, data_yaml and out must not be NULL");
    *out = NULL;
    gy_val_params defaults = gy_val_default_params();
    if (!params)
        params = &defaults;
    const int stride = gy_model_stride(s->model);
    if (params->imgsz < stride || params->imgsz > 8192 || params->imgsz % stride)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_val: imgsz %d must be a multiple of %d up to 8192",
                       params->imgsz, stride);
    if (!(params->conf >= 0.0f && params->conf <= 1.0f) || !(params->iou >= 0.0f && params->iou <= 1.0f) ||
        params->max_det < 1)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "gy_val: conf and iou must be in [0, 1] and max_det >= 1 (got %g, %g, %d)",
                       (double)params->conf, (double)params->iou, params->max_det);
    if (!s->model->has_weights)
        return gy_fail(err, GY_ERR_STATE, "gy_val: the model has no weights");

    val_run v;
    memset(&v, 0, sizeof v);
    v.s = s;
    v.p = params;
    gy_metrics_result mr;
    memset(&mr, 0, sizeof mr);
    gy_status st = gy_dataset_load(data_yaml, params->split ? params->split : "val", &v.ds, err);
    if (st != GY_OK)
        goto done;
    if (v.ds->nc != s->model->nnames) {
        st = gy_fail(err, GY_ERR_MISMATCH, "%s: the dataset has %d classes but the model has %d",
                     data_yaml, v.ds->nc, s->model->nnames);
        goto done;
    }
    if ((st = scan_labels(&v, err)) != GY_OK ||
        (st = gy_metrics_create(v.ds->nc, &v.metrics, err)) != GY_OK ||
        (st = gy_confusion_create(v.ds->nc, &v.cm, err)) != GY_OK)
        goto done;
    for (int k = 0; k < v.nkeep; k++) {
        const int i = v.keep[k];
        if ((st = val_image(&v, i, err)) != GY_OK)
            goto done;
        if (progress && progress(user, k + 1, v.nkeep, v.ds->images[i]) != 0) {
            st = gy_fail(err, GY_ERR_STATE, "gy_val: stopped by the progress callback after %d of %d images",
                         k + 1, v.nkeep);
            goto done;
        }
    }
    if ((st = gy_metrics_compute(v.metrics, &mr, err)) != GY_OK)
        goto done;
    st = make_result(&v, &mr, out, err);

done:
    gy_metrics_result_clear(&mr);
    if (v.labels)
        for (int i = 0; i < v.ds->nimages; i++)
            gy_label_file_clear(&v.labels[i]);
    free(v.labels);
    free(v.keep);
    free(v.lboxes);
    free(v.lcls);
    free(v.input);
    gy_metrics_free(v.metrics);
    gy_confusion_free(v.cm);
    gy_dataset_free(v.ds);
    return st;
}

gy_status gy_val_save_plots(const gy_val_result *r, const char *dir, gy_error *err)
{
    if (!r || !dir || !r->plots || !r->confusion_matrix)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_val_save_plots: a result of gy_val and a folder are needed");
    const struct gy_val_plots *p = r->plots;
    char path[4096];
#define PLOT_PATH(name)                                                                            \
    ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) < sizeof path                         \
         ? GY_OK                                                                                   \
         : gy_fail(err, GY_ERR_ARGUMENT, "%s: the folder name is too long", dir))
    gy_status st = GY_OK;
    if (p->mr.p_curve) { /* DetMetrics.process ran: ap_per_class plotted its curves */
        static const struct {
            const char *name;
            int kind;
        } mc[3] = {{"F1_curve.png", GY_CURVE_F1}, {"P_curve.png", GY_CURVE_P}, {"R_curve.png", GY_CURVE_R}};
        if ((st = PLOT_PATH("PR_curve.png")) != GY_OK ||
            (st = gy_plot_pr_curve(path, &p->mr, p->names, err)) != GY_OK)
            return st;
        for (int k = 0; k < 3; k++)
            if ((st = PLOT_PATH(mc[k].name)) != GY_OK ||
                (st = gy_plot_mc_curve(path, &p->mr, p->names, (gy_curve_kind)mc[k].kind, err)) != GY_OK)
                return st;
    }
    for (int normalize = 1; normalize >= 0 && r->nc <= GY_PLOT_MATRIX_MAX_NC; normalize--)
        if ((st = PLOT_PATH(normalize ? "confusion_matrix_normalized.png" : "confusion_matrix.png")) != GY_OK ||
            (st = gy_plot_confusion_matrix(path, r->confusion_matrix, r->nc, p->names, p->nnames,
                                           normalize, err)) != GY_OK)
            return st;
#undef PLOT_PATH
    return GY_OK;
}

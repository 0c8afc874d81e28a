/* val.c - gy_val: ultralytics 8.0.126 DetectionValidator with batch 1 over a dataset YAML.
 * Per image: decode, the validator's rectangle input, forward, multi-label NMS, boxes and labels
 * to original pixels, matching; then DetMetrics over all images. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/util.h"
#include "detector/dataset.h"
#include "detector/model.h"
#include "detector/session.h"
#include "postprocess/metrics.h"
#include "postprocess/nms.h"
#include "preprocess/val_input.h"

#define VAL_RECT_PAD 0.5 /* YOLODataset pad for validation */

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
    free(r);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

typedef struct image_labels {
    gy_label *labels;
    int n;
} image_labels;

typedef struct val_run {
    gy_session *s;
    const gy_val_params *p;
    gy_dataset *ds;
    image_labels *labels;
    gy_metrics *metrics;
    float *input;
    size_t input_cap;
    gy_box *lboxes;
    int *lcls;
    int lcap;
    double t_pre, t_inf, t_post;
} val_run;

static gy_status read_all_labels(val_run *v, gy_error *err)
{
    const gy_dataset *ds = v->ds;
    v->labels = calloc((size_t)ds->nimages, sizeof *v->labels);
    if (!v->labels)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory for %d label sets", ds->yaml_path,
                       ds->nimages);
    for (int i = 0; i < ds->nimages; i++) {
        char *lp = gy_dataset_label_path(ds->images[i]);
        if (!lp)
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", ds->images[i]);
        int found;
        gy_status st = gy_labels_read(lp, ds->nc, &v->labels[i].labels, &v->labels[i].n, &found, err);
        free(lp);
        if (st != GY_OK)
            return st;
        if (v->labels[i].n > v->lcap)
            v->lcap = v->labels[i].n;
    }
    if (v->lcap > 0 && (!(v->lboxes = malloc(sizeof *v->lboxes * (size_t)v->lcap)) ||
                        !(v->lcls = malloc(sizeof *v->lcls * (size_t)v->lcap))))
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory for labels", ds->yaml_path);
    return GY_OK;
}

static gy_status val_image(val_run *v, int i, gy_error *err)
{
    const char *path = v->ds->images[i];
    double t0 = now_ms();
    gy_image *img = NULL;
    gy_status st = gy_image_load(path, &img, err);
    if (st != GY_OK)
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

    const image_labels *il = &v->labels[i];
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
    if (st != GY_OK)
        gy_error_prefix(err, "%s", path);
    free(correct);
    free(dets);
    return st;
}

static gy_status make_result(const val_run *v, const gy_metrics_result *mr, gy_val_result **out,
                             gy_error *err)
{
    gy_val_result *r = calloc(1, sizeof *r);
    if (!r || (mr->nclasses > 0 && !(r->classes = calloc((size_t)mr->nclasses, sizeof *r->classes)))) {
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
    if ((st = read_all_labels(&v, err)) != GY_OK || (st = gy_metrics_create(v.ds->nc, &v.metrics, err)) != GY_OK)
        goto done;
    for (int i = 0; i < v.ds->nimages; i++) {
        if ((st = val_image(&v, i, err)) != GY_OK)
            goto done;
        if (progress && progress(user, i + 1, v.ds->nimages, v.ds->images[i]) != 0) {
            st = gy_fail(err, GY_ERR_STATE, "gy_val: stopped by the progress callback after %d of %d images",
                         i + 1, v.ds->nimages);
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
            free(v.labels[i].labels);
    free(v.labels);
    free(v.lboxes);
    free(v.lcls);
    free(v.input);
    gy_metrics_free(v.metrics);
    gy_dataset_free(v.ds);
    return st;
}

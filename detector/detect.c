/* detect.c - gy_detect: letterbox -> forward -> NMS -> boxes in original-image pixels. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "detector/session.h"
#include "postprocess/nms.h"
#include "postprocess/scale_boxes.h"
#include "preprocess/letterbox.h"

gy_detect_params gy_detect_default_params(void)
{
    gy_detect_params p;
    memset(&p, 0, sizeof p);
    p.imgsz = 640;
    p.conf = 0.25f;
    p.iou = 0.7f;
    p.max_det = 300;
    return p;
}

void gy_detections_free(gy_detections *d)
{
    if (!d)
        return;
    free(d->boxes);
    free(d);
}

gy_status gy_detect(gy_session *s, const gy_image *img, const gy_detect_params *params,
                    gy_detections **out, gy_error *err)
{
    if (!s || !img || !out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_detect: session, image and out must not be NULL");
    *out = NULL;
    gy_detect_params defaults = gy_detect_default_params();
    if (!params)
        params = &defaults;
    if (!img->data || img->width <= 0 || img->height <= 0 ||
        (long long)img->width * img->height > GY_IMAGE_MAX_PIXELS)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_detect: the image is empty or too large (%dx%d)",
                       img->width, img->height);
    if (!(params->conf >= 0.0f && params->conf <= 1.0f) || !(params->iou >= 0.0f && params->iou <= 1.0f) ||
        params->max_det < 1)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "gy_detect: conf and iou must be in [0, 1] and max_det >= 1 (got %g, %g, %d)",
                       (double)params->conf, (double)params->iou, params->max_det);
    if (params->num_classes < 0 || (params->num_classes > 0 && !params->classes))
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "gy_detect: the class filter has %d classes and %s list",
                       params->num_classes, params->classes ? "a" : "no");
    double t0 = omp_get_wtime();
    gy_letterbox lb;
    int use_hw = params->imgsz_h > 0 && params->imgsz_w > 0;
    gy_status st = gy_letterbox_compute_hw(img->width, img->height,
                                           use_hw ? params->imgsz_h : params->imgsz,
                                           use_hw ? params->imgsz_w : params->imgsz,
                                           gy_model_stride(s->model), params->square, &lb, err);
    if (st != GY_OK)
        return st;
    size_t need = (size_t)3 * lb.out_w * lb.out_h;
    if (need > s->input_cap) {
        float *buf = malloc(sizeof *buf * need);
        if (!buf)
            return gy_fail(err, GY_ERR_NOMEM, "gy_detect: out of memory for a %dx%d input",
                           lb.out_w, lb.out_h);
        free(s->input);
        s->input = buf;
        s->input_cap = need;
    }
    if ((st = gy_letterbox_image(img, &lb, s->input, err)) != GY_OK)
        return st;
    double t1 = omp_get_wtime();
    gy_output o;
    if ((st = gy_forward(s, s->input, lb.out_h, lb.out_w, &o, err)) != GY_OK)
        return st;
    gy_nms_params np = gy_nms_default_params();
    np.conf = params->conf;
    np.iou = params->iou;
    np.max_det = params->max_det;
    np.agnostic = params->agnostic;
    np.classes = params->classes;
    np.num_classes = params->num_classes;
    double t2 = omp_get_wtime();
    gy_detections *d = calloc(1, sizeof *d);
    if (!d)
        return gy_fail(err, GY_ERR_NOMEM, "gy_detect: out of memory");
    if ((st = gy_nms(o.data, o.channels, o.anchors, &np, &d->boxes, &d->count, err)) != GY_OK) {
        free(d);
        return st;
    }
    for (int i = 0; i < d->count; i++) {
        gy_box *b = &d->boxes[i];
        float xyxy[4] = {b->x1, b->y1, b->x2, b->y2};
        gy_letterbox_unmap(&lb, xyxy, 1, 4);
        b->x1 = xyxy[0];
        b->y1 = xyxy[1];
        b->x2 = xyxy[2];
        b->y2 = xyxy[3];
    }
    d->input_width = lb.out_w;
    d->input_height = lb.out_h;
    double t3 = omp_get_wtime();
    d->timing.preprocess_ms = (t1 - t0) * 1e3;
    d->timing.inference_ms = (t2 - t1) * 1e3;
    d->timing.postprocess_ms = (t3 - t2) * 1e3;
    *out = d;
    return GY_OK;
}

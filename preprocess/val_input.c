/* val_input.c - ultralytics 8.0.126 validation input (settings.rect_rule of the reference):
 *   load_image (yolo/data/base.py): r = imgsz / max(h0, w0); when r != 1 the image is resized to
 *     (min(ceil(w0 r), imgsz), min(ceil(h0 r), imgsz)), INTER_AREA when r < 1, else INTER_LINEAR.
 *   set_rectangle: ar = h0 / w0; s = [ar, 1] if ar < 1, [1, 1 / ar] if ar > 1, else [1, 1];
 *     shape = ceil(s * imgsz / stride + pad) * stride (numpy doubles).
 *   LetterBox(new_shape=shape, auto=False, scaleup=False): r = min(H / h, W / w, 1);
 *     new_unpad = round(w r), round(h r); dw, dh = (W - new_w) / 2, (H - new_h) / 2;
 *     top/bottom = round(dh -/+ 0.1), left/right = round(dw -/+ 0.1); INTER_LINEAR when resizing;
 *     border 114. ratio_pad = ((load_h / h0, load_w / w0), (dw, dh)).
 *   scale_boxes(ratio_pad): boxes -= (dw, dh); boxes /= load_h / h0; clip to (w0, h0); float32.
 * Floating-point expressions must not be contracted into fused multiply-adds. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "preprocess/val_input.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "preprocess/letterbox.h"
#include "preprocess/resize.h"

#define VAL_MAX_IMGSZ 8192

gy_status gy_val_geometry_compute(int src_w, int src_h, int imgsz, int stride, double pad,
                                  gy_val_geometry *g, gy_error *err)
{
    if (!g)
        return gy_fail(err, GY_ERR_ARGUMENT, "val geometry: NULL result");
    memset(g, 0, sizeof *g);
    if (src_w <= 0 || src_h <= 0)
        return gy_fail(err, GY_ERR_ARGUMENT, "val geometry: image size %dx%d is not positive",
                       src_w, src_h);
    if (stride < 1 || stride > 256 || imgsz < stride || imgsz > VAL_MAX_IMGSZ || imgsz % stride)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "val geometry: imgsz %d must be a multiple of the stride %d up to %d", imgsz,
                       stride, VAL_MAX_IMGSZ);
    if (!(pad >= 0.0 && pad <= 4.0))
        return gy_fail(err, GY_ERR_ARGUMENT, "val geometry: pad %g is not in [0, 4]", pad);
    g->src_w = src_w;
    g->src_h = src_h;

    /* load_image */
    const double r0 = (double)imgsz / (double)(src_h > src_w ? src_h : src_w);
    g->load_w = src_w;
    g->load_h = src_h;
    if (r0 != 1.0) {
        double lw = ceil(src_w * r0), lh = ceil(src_h * r0);
        g->load_w = (int)(lw < imgsz ? lw : imgsz);
        g->load_h = (int)(lh < imgsz ? lh : imgsz);
        if (g->load_w < 1 || g->load_h < 1)
            return gy_fail(err, GY_ERR_ARGUMENT, "val geometry: a %dx%d image is too elongated",
                           src_w, src_h);
        g->load_area = r0 < 1.0;
    }

    /* set_rectangle with batch 1 */
    const double ar = (double)src_h / (double)src_w;
    double sh = 1.0, sw = 1.0;
    if (ar < 1.0)
        sh = ar;
    else if (ar > 1.0)
        sw = 1.0 / ar;
    const double oh = ceil(sh * imgsz / stride + pad) * stride;
    const double ow = ceil(sw * imgsz / stride + pad) * stride;
    if (!(oh >= stride && ow >= stride && oh <= 2 * VAL_MAX_IMGSZ && ow <= 2 * VAL_MAX_IMGSZ))
        return gy_fail(err, GY_ERR_ARGUMENT, "val geometry: a %dx%d image gives a %gx%g input",
                       src_w, src_h, ow, oh);
    g->out_h = (int)oh;
    g->out_w = (int)ow;

    /* LetterBox(auto=False, scaleup=False) */
    double r = fmin((double)g->out_h / g->load_h, (double)g->out_w / g->load_w);
    r = fmin(r, 1.0);
    g->new_w = (int)gy_py_round(g->load_w * r);
    g->new_h = (int)gy_py_round(g->load_h * r);
    if (g->new_w < 1 || g->new_h < 1)
        return gy_fail(err, GY_ERR_ARGUMENT, "val geometry: a %dx%d image is too elongated", src_w,
                       src_h);
    g->dw = (g->out_w - g->new_w) / 2.0;
    g->dh = (g->out_h - g->new_h) / 2.0;
    g->top = (int)gy_py_round(g->dh - 0.1);
    g->bottom = (int)gy_py_round(g->dh + 0.1);
    g->left = (int)gy_py_round(g->dw - 0.1);
    g->right = (int)gy_py_round(g->dw + 0.1);
    /* copyMakeBorder's output is new + paddings; with integer sizes it equals the rectangle */
    if (g->new_w + g->left + g->right != g->out_w || g->new_h + g->top + g->bottom != g->out_h)
        return gy_fail(err, GY_ERR_ARGUMENT, "val geometry: inconsistent padding for %dx%d", src_w,
                       src_h);
    g->gain = (double)g->load_h / (double)src_h;
    return GY_OK;
}

gy_status gy_val_input(const gy_image *img, const gy_val_geometry *g, float *dst, gy_error *err)
{
    if (!img || !img->data || !g || !dst)
        return gy_fail(err, GY_ERR_ARGUMENT, "val input: NULL argument");
    if (img->width != g->src_w || img->height != g->src_h)
        return gy_fail(err, GY_ERR_ARGUMENT, "val input: the image is %dx%d, the geometry is for %dx%d",
                       img->width, img->height, g->src_w, g->src_h);
    gy_image loaded = *img;
    unsigned char *buf = NULL;
    if (g->load_w != g->src_w || g->load_h != g->src_h) {
        size_t bytes;
        if (!gy_mul_size((size_t)g->load_w * (size_t)g->load_h, 3, &bytes) || !(buf = malloc(bytes)))
            return gy_fail(err, GY_ERR_NOMEM, "val input: cannot allocate a %dx%d image", g->load_w,
                           g->load_h);
        gy_status st = gy_resize_u8(img->data, img->width, img->height, buf, g->load_w, g->load_h, 3,
                                    g->load_area ? GY_INTER_AREA : GY_INTER_LINEAR, err);
        if (st != GY_OK) {
            free(buf);
            return st;
        }
        loaded.width = g->load_w;
        loaded.height = g->load_h;
        loaded.data = buf;
    }
    gy_letterbox lb;
    lb.src_w = g->load_w;
    lb.src_h = g->load_h;
    lb.new_w = g->new_w;
    lb.new_h = g->new_h;
    lb.out_w = g->out_w;
    lb.out_h = g->out_h;
    lb.left = g->left;
    lb.right = g->right;
    lb.top = g->top;
    lb.bottom = g->bottom;
    gy_status st = gy_letterbox_image(&loaded, &lb, dst, err);
    free(buf);
    return st;
}

void gy_val_unmap(const gy_val_geometry *g, float xyxy[4])
{
    const float px = (float)g->dw, py = (float)g->dh, gain = (float)g->gain;
    const float mx = (float)g->src_w, my = (float)g->src_h;
    for (int k = 0; k < 4; k++) {
        const int is_x = (k & 1) == 0;
        float v = (xyxy[k] - (is_x ? px : py)) / gain;
        const float hi = is_x ? mx : my;
        if (v < 0.0f) /* clamp_(0, hi); NaN stays NaN */
            v = 0.0f;
        if (v > hi)
            v = hi;
        xyxy[k] = v;
    }
}

void gy_val_label_box(const gy_val_geometry *g, float x, float y, float w, float h, float xyxy[4])
{
    /* LetterBox._update_labels: xywh2xyxy (numpy float32), denormalize by the loaded size,
     * scale by r (1 here), add (dw, dh) */
    const float lw = (float)g->load_w, lh = (float)g->load_h;
    const float r = (float)fmin(fmin((double)g->out_h / g->load_h, (double)g->out_w / g->load_w), 1.0);
    float x1 = x - w / 2.0f, y1 = y - h / 2.0f, x2 = x + w / 2.0f, y2 = y + h / 2.0f;
    x1 = x1 * lw * r + (float)g->dw;
    x2 = x2 * lw * r + (float)g->dw;
    y1 = y1 * lh * r + (float)g->dh;
    y2 = y2 * lh * r + (float)g->dh;
    /* Format: xyxy2xywh, normalise by the input size */
    const float W = (float)g->out_w, H = (float)g->out_h;
    const float cx = (x1 + x2) / 2.0f / W, cy = (y1 + y2) / 2.0f / H;
    const float bw = (x2 - x1) / W, bh = (y2 - y1) / H;
    /* validator: xywh2xyxy (torch) * (W, H, W, H), then scale_boxes */
    xyxy[0] = (cx - bw / 2.0f) * W;
    xyxy[1] = (cy - bh / 2.0f) * H;
    xyxy[2] = (cx + bw / 2.0f) * W;
    xyxy[3] = (cy + bh / 2.0f) * H;
    gy_val_unmap(g, xyxy);
}

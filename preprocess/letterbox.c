/* letterbox.c - ultralytics 8.0.126 LetterBox and the network tensor (scale_boxes, the way back,
 * is postprocess/scale_boxes.c).
 *
 * Geometry (ultralytics/yolo/data/augment.py LetterBox.__call__, Python doubles):
 *   r = min(imgsz / h, imgsz / w); new_unpad = (round(w * r), round(h * r)) with Python's round
 *   (half to even); dw, dh = imgsz - new_unpad; rect mode: dw, dh = dw % stride, dh % stride;
 *   dw /= 2; dh /= 2; top, bottom = round(dh - 0.1), round(dh + 0.1); same for left, right.
 * The image is resized with cv2 INTER_LINEAR only when its size changes, padded with 114,
 * and the predictor divides the float32 tensor by 255. */
#include "preprocess/letterbox.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "preprocess/resize.h"

#define GY_LETTERBOX_MAX_IMGSZ GY_IMGSZ_MAX
#define GY_LETTERBOX_MAX_STRIDE 256
#define GY_LETTERBOX_PAD 114

gy_status gy_letterbox_compute(int src_w, int src_h, int imgsz, int stride, int square,
                               gy_letterbox *lb, gy_error *err)
{
    return gy_letterbox_compute_hw(src_w, src_h, imgsz, imgsz, stride, square, lb, err);
}

gy_status gy_letterbox_compute_hw(int src_w, int src_h, int imgsz_h, int imgsz_w, int stride,
                                  int square, gy_letterbox *lb, gy_error *err)
{
    if (!lb)
        return gy_fail(err, GY_ERR_ARGUMENT, "letterbox: NULL result pointer");
    memset(lb, 0, sizeof *lb);
    if (src_w <= 0 || src_h <= 0)
        return gy_fail(err, GY_ERR_ARGUMENT, "letterbox: image size must be positive (got %dx%d)",
                       src_w, src_h);
    if (stride < 1 || stride > GY_LETTERBOX_MAX_STRIDE)
        return gy_fail(err, GY_ERR_ARGUMENT, "letterbox: stride must be 1..%d (got %d)",
                       GY_LETTERBOX_MAX_STRIDE, stride);
    for (int k = 0; k < 2; k++) {
        int imgsz = k ? imgsz_w : imgsz_h;
        if (imgsz <= 0 || imgsz > GY_LETTERBOX_MAX_IMGSZ || imgsz % stride != 0)
            return gy_fail(err, GY_ERR_ARGUMENT,
                           "letterbox: imgsz must be a positive multiple of the stride %d up to %d (got %d)",
                           stride, GY_LETTERBOX_MAX_IMGSZ, imgsz);
    }

    double r = fmin((double)imgsz_h / src_h, (double)imgsz_w / src_w);
    double nw = gy_py_round(src_w * r), nh = gy_py_round(src_h * r);
    if (nw < 1 || nh < 1)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "letterbox: a %dx%d image shrinks to %.0fx%.0f at imgsz %dx%d (too elongated)",
                       src_w, src_h, nw, nh, imgsz_h, imgsz_w);
    int new_w = (int)nw, new_h = (int)nh; /* new_w <= imgsz_w, new_h <= imgsz_h */
    int dw = imgsz_w - new_w, dh = imgsz_h - new_h;
    if (!square) {
        dw %= stride;
        dh %= stride;
    }
    double half_w = dw / 2.0, half_h = dh / 2.0;
    lb->src_w = src_w;
    lb->src_h = src_h;
    lb->new_w = new_w;
    lb->new_h = new_h;
    lb->top = (int)gy_py_round(half_h - 0.1);
    lb->bottom = (int)gy_py_round(half_h + 0.1);
    lb->left = (int)gy_py_round(half_w - 0.1);
    lb->right = (int)gy_py_round(half_w + 0.1);
    lb->out_w = new_w + lb->left + lb->right;
    lb->out_h = new_h + lb->top + lb->bottom;
    return GY_OK;
}

/* A geometry is usable when its parts are positive and add up. */
int gy_letterbox_valid(const gy_letterbox *lb)
{
    return lb->src_w > 0 && lb->src_h > 0 && lb->new_w > 0 && lb->new_h > 0 && lb->left >= 0 &&
           lb->right >= 0 && lb->top >= 0 && lb->bottom >= 0 &&
           lb->new_w <= GY_LETTERBOX_MAX_IMGSZ && lb->new_h <= GY_LETTERBOX_MAX_IMGSZ &&
           lb->out_w <= GY_LETTERBOX_MAX_IMGSZ && lb->out_h <= GY_LETTERBOX_MAX_IMGSZ &&
           lb->out_w == lb->new_w + lb->left + lb->right &&
           lb->out_h == lb->new_h + lb->top + lb->bottom;
}

gy_status gy_letterbox_image(const gy_image *img, const gy_letterbox *lb, float *dst, gy_error *err)
{
    if (!img || !img->data || !lb || !dst)
        return gy_fail(err, GY_ERR_ARGUMENT, "letterbox: NULL %s",
                       !img ? "image" : !img->data ? "image data" : !lb ? "geometry" : "output tensor");
    if (!gy_letterbox_valid(lb))
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "letterbox: inconsistent geometry (src %dx%d, new %dx%d, out %dx%d, pad "
                       "l%d r%d t%d b%d)",
                       lb->src_w, lb->src_h, lb->new_w, lb->new_h, lb->out_w, lb->out_h, lb->left,
                       lb->right, lb->top, lb->bottom);
    if (img->width != lb->src_w || img->height != lb->src_h)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "letterbox: the image is %dx%d but the geometry was computed for %dx%d",
                       img->width, img->height, lb->src_w, lb->src_h);

    const unsigned char *pix = img->data;
    unsigned char *resized = NULL;
    if (lb->new_w != lb->src_w || lb->new_h != lb->src_h) {
        size_t bytes;
        if (!gy_mul_size((size_t)lb->new_w * (size_t)lb->new_h, 3, &bytes))
            return gy_fail(err, GY_ERR_NOMEM, "letterbox: %dx%d image is too large", lb->new_w,
                           lb->new_h);
        resized = malloc(bytes);
        if (!resized)
            return gy_fail(err, GY_ERR_NOMEM, "letterbox: cannot allocate %zu bytes for the resized image",
                           bytes);
        gy_status st = gy_resize_u8(img->data, img->width, img->height, resized, lb->new_w,
                                    lb->new_h, 3, GY_INTER_LINEAR, err);
        if (st != GY_OK) {
            free(resized);
            return st;
        }
        pix = resized;
    }

    /* torch: uint8 -> float32, then / 255 in float32. */
    float lut[256];
    for (int v = 0; v < 256; v++)
        lut[v] = (float)v / 255.0f;
    const float pad = lut[GY_LETTERBOX_PAD];

    size_t plane = (size_t)lb->out_w * (size_t)lb->out_h;
    for (int c = 0; c < 3; c++) {
        float *o = dst + (size_t)c * plane;
        for (int y = 0; y < lb->out_h; y++) {
            float *row = o + (size_t)y * (size_t)lb->out_w;
            int sy = y - lb->top;
            if (sy < 0 || sy >= lb->new_h) {
                for (int x = 0; x < lb->out_w; x++)
                    row[x] = pad;
                continue;
            }
            const unsigned char *s = pix + (size_t)sy * (size_t)lb->new_w * 3 + (size_t)c;
            for (int x = 0; x < lb->left; x++)
                row[x] = pad;
            float *mid = row + lb->left;
            for (int x = 0; x < lb->new_w; x++)
                mid[x] = lut[s[(size_t)x * 3]];
            for (int x = lb->left + lb->new_w; x < lb->out_w; x++)
                row[x] = pad;
        }
    }
    free(resized);
    return GY_OK;
}

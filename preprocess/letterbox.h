/* letterbox.h - ultralytics LetterBox geometry, pre-processing to the network tensor, and
 * the geometry postprocess/scale_boxes.c uses to map boxes back to the original image. */
#ifndef GY_PREPROCESS_LETTERBOX_H
#define GY_PREPROCESS_LETTERBOX_H

#include "ghostyolo.h"

typedef struct gy_letterbox {
    int src_w, src_h;     /* original image */
    int new_w, new_h;     /* resized image before padding (new_unpad) */
    int out_w, out_h;     /* network input (multiple of stride in rect mode) */
    int left, top, right, bottom; /* padding */
} gy_letterbox;

/* The geometry of ultralytics LetterBox(new_shape=(imgsz, imgsz), auto=!square, stride,
 * scaleup=True, center=True) for an image of src_w x src_h. In rect mode (square == 0) the
 * padding is taken modulo stride, giving the minimal stride-multiple rectangle. */
gy_status gy_letterbox_compute(int src_w, int src_h, int imgsz, int stride, int square,
                               gy_letterbox *lb, gy_error *err);

/* The same with new_shape = (imgsz_h, imgsz_w), as ultralytics' imgsz=[h, w]. */
gy_status gy_letterbox_compute_hw(int src_w, int src_h, int imgsz_h, int imgsz_w, int stride,
                                  int square, gy_letterbox *lb, gy_error *err);

/* Resizes (cv2 INTER_LINEAR compatible) and pads with 114 into a float32 NCHW tensor
 * (1, 3, out_h, out_w), values /255, channel order RGB as in the image. dst holds
 * 3 * out_h * out_w floats. */
gy_status gy_letterbox_image(const gy_image *img, const gy_letterbox *lb, float *dst, gy_error *err);

/* 1 when the geometry is consistent (positive sizes, padding that adds up). */
int gy_letterbox_valid(const gy_letterbox *lb);

#endif

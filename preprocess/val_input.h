/* val_input.h - the input geometry of ultralytics' validator (YOLODataset with rect=True, batch 1):
 * load_image's resize, the per-image rectangle padded by half a stride, LetterBox(auto=False,
 * scaleup=False), and scale_boxes with the float padding (ratio_pad) for predictions and labels. */
#ifndef GY_PREPROCESS_VAL_INPUT_H
#define GY_PREPROCESS_VAL_INPUT_H

#include "ghostyolo.h"

typedef struct gy_val_geometry {
    int src_w, src_h;   /* the image as decoded */
    int load_w, load_h; /* after BaseDataset.load_image (long side imgsz, ceil) */
    int load_area;      /* 1: that resize is INTER_AREA (shrinking), 0: INTER_LINEAR */
    int out_w, out_h;   /* the batch (rect) shape: network input */
    int new_w, new_h;   /* LetterBox's resize of the loaded image (equal to load_* in practice) */
    int top, bottom, left, right;
    double dw, dh;      /* LetterBox's half paddings, floats: what scale_boxes subtracts */
    double gain;        /* ratio_pad[0][0] = load_h / src_h: what scale_boxes divides by */
} gy_val_geometry;

/* For an image of src_w x src_h at imgsz (multiple of stride), rectangle pad `pad` (0.5). */
gy_status gy_val_geometry_compute(int src_w, int src_h, int imgsz, int stride, double pad,
                                  gy_val_geometry *g, gy_error *err);

/* The network tensor (1, 3, out_h, out_w) float32 RGB /255 for img (src_w x src_h, RGB). */
gy_status gy_val_input(const gy_image *img, const gy_val_geometry *g, float *dst, gy_error *err);

/* scale_boxes(ratio_pad) in float32: xyxy in network pixels -> original pixels, clipped. */
void gy_val_unmap(const gy_val_geometry *g, float xyxy[4]);

/* A normalised xywh label -> xyxy original pixels along the validator's float32 path (denormalise
 * by the loaded size, add the float padding, normalise by the input, then as predictions). */
void gy_val_label_box(const gy_val_geometry *g, float x, float y, float w, float h, float xyxy[4]);

#endif

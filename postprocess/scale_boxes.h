/* scale_boxes.h - ultralytics scale_boxes: boxes from network-input pixels back to the original
 * image, through the letterbox geometry that made the input. */
#ifndef GY_POSTPROCESS_SCALE_BOXES_H
#define GY_POSTPROCESS_SCALE_BOXES_H

#include "preprocess/letterbox.h"

/* ultralytics scale_boxes: removes the padding, divides by the gain, clips to the image.
 * boxes: n * 4 floats x1, y1, x2, y2 in network-input pixels, rewritten in place. */
void gy_letterbox_unmap(const gy_letterbox *lb, float *boxes, int n, int stride_floats);

#endif

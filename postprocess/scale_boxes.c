/* scale_boxes.c - ultralytics 8.0.126 ops.scale_boxes for a letterboxed image.
 * gain and pad are Python doubles/ints computed from the shapes; the boxes are a float32 tensor,
 * so the subtraction and the division by gain run in float32 with gain rounded to float32 (torch
 * casts the Python scalar to the tensor's dtype). */
#include "postprocess/scale_boxes.h"

#include <math.h>
#include <stddef.h>

#include "core/util.h"

void gy_letterbox_unmap(const gy_letterbox *lb, float *boxes, int n, int stride_floats)
{
    if (!lb || !boxes || n <= 0 || stride_floats < 4 || !gy_letterbox_valid(lb))
        return;
    /* ops.scale_boxes(img1_shape=(out_h, out_w), boxes, img0_shape=(src_h, src_w)) */
    double gain = fmin((double)lb->out_h / lb->src_h, (double)lb->out_w / lb->src_w);
    double padx = gy_py_round((lb->out_w - lb->src_w * gain) / 2 - 0.1);
    double pady = gy_py_round((lb->out_h - lb->src_h * gain) / 2 - 0.1);
    const float fgain = (float)gain, fpadx = (float)padx, fpady = (float)pady;
    const float maxx = (float)lb->src_w, maxy = (float)lb->src_h;
    for (int i = 0; i < n; i++) {
        float *b = boxes + (size_t)i * (size_t)stride_floats;
        for (int k = 0; k < 4; k++) {
            int is_x = (k & 1) == 0;
            float v = (b[k] - (is_x ? fpadx : fpady)) / fgain;
            float hi = is_x ? maxx : maxy;
            /* torch clamp_(0, hi): NaN stays NaN */
            if (v < 0.f)
                v = 0.f;
            if (v > hi)
                v = hi;
            b[k] = v;
        }
    }
}

/* decode.h - Detect's inference decode: DFL, anchors, dist2bbox, class sigmoid. */
#ifndef GY_KERNELS_DETECT_DECODE_H
#define GY_KERNELS_DETECT_DECODE_H

/* levels[l]: (4 * reg_max + nc) planes of hs[l] x ws[l] (box logits, then class logits).
 * bins: the DFL conv weights (reg_max values, normally 0 .. reg_max-1).
 * out: (4 + nc) rows of `anchors` floats: cx, cy, w, h in input pixels, then class sigmoids;
 * anchors ordered level by level, row-major inside a level. */
void gy_detect_decode(int nl, const float *const *levels, const int *hs, const int *ws,
                      const int *strides, int nc, int reg_max, const float *bins, float *out,
                      int anchors, int nthreads);

#endif

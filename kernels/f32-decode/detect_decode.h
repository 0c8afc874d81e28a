/* detect_decode.h - Detect's inference decode: DFL, anchors, dist2bbox, class sigmoid. */
#ifndef GY_KERNELS_DETECT_DECODE_H
#define GY_KERNELS_DETECT_DECODE_H

/* levels[l]: (4 * reg_max + nc) planes of hs[l] x ws[l] (box logits, then class logits).
 * bins: the DFL conv weights (reg_max values, normally 0 .. reg_max-1).
 * out: (4 + nc) rows of `anchors` floats: cx, cy, w, h in input pixels, then class sigmoids;
 * anchors ordered level by level, row-major inside a level. */
void gy_detect_decode(int nl, const float *const *levels, const int *hs, const int *ws,
                      const int *strides, int nc, int reg_max, const float *bins, float *out,
                      int anchors, int nthreads);

/* Task form (see kernels.h): blocks of anchors inside one level. gy_detect_decode above is the
 * reference. The AVX2 task decodes 8 anchors per vector with a polynomial exp (within float32
 * noise of expf). */
#include <stddef.h>

#include "kernels/kernels.h"

#define GY_DECODE_MAX_LEVELS 8

typedef struct gy_decode_run {
    int nl;
    const float *levels[GY_DECODE_MAX_LEVELS];
    int hs[GY_DECODE_MAX_LEVELS], ws[GY_DECODE_MAX_LEVELS], strides[GY_DECODE_MAX_LEVELS];
    int nc, reg_max;      /* reg_max <= 64 */
    const float *bins;
    float *out;
    int anchors;
    gy_isa isa;
} gy_decode_run;

size_t gy_f32_detect_decode_tasks(const gy_decode_run *r);
void gy_f32_detect_decode_task(const gy_decode_run *r, size_t task, float *scratch);
void gy_f32_detect_decode_task__generic(const gy_decode_run *r, size_t task, float *scratch);
void gy_f32_detect_decode_task__avx2(const gy_decode_run *r, size_t task, float *scratch);
/* Which level, first anchor in it and count a task covers; returns the level's first column in
 * the output (shared by the variants). */
/* Anchors [pos0, pos0 + count) of level l (output columns from base + pos0), as the reference. */
void gy_f32_detect_decode_range__generic(const gy_decode_run *r, int l, int base, int pos0,
                                         int count);
int gy_f32_detect_decode_span(const gy_decode_run *r, size_t task, int *level, int *pos0,
                              int *count);

#endif

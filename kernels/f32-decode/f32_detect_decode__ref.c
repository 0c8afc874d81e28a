/* f32_detect_decode__ref.c - the reference Detect decode, as ultralytics' Detect.forward in
 * inference:
 *   dist = DFL(box) = sum_i softmax(box_side)_i * bins_i  (per side: left, top, right, bottom)
 *   anchor = (x + 0.5, y + 0.5); x1y1 = anchor - lt; x2y2 = anchor + rb
 *   xywh = ((x1y1 + x2y2) / 2, x2y2 - x1y1) * stride; classes = sigmoid(cls) */
#include "kernels/f32-decode/detect_decode.h"

#include <math.h>
#include <stddef.h>

#define GY_MAX_REG 64

void gy_detect_decode(int nl, const float *const *levels, const int *hs, const int *ws,
                      const int *strides, int nc, int reg_max, const float *bins, float *out,
                      int anchors, int nthreads)
{
    int base = 0;
    for (int l = 0; l < nl; l++) {
        int hw = hs[l] * ws[l];
        const float *map = levels[l];
        float stride = (float)strides[l];
#pragma omp parallel for num_threads(nthreads) schedule(static)
        for (int pos = 0; pos < hw; pos++) {
            float dist[4];
            for (int side = 0; side < 4; side++) {
                float e[GY_MAX_REG];
                float m = -INFINITY;
                for (int i = 0; i < reg_max; i++) {
                    e[i] = map[(size_t)(side * reg_max + i) * hw + pos];
                    if (e[i] > m)
                        m = e[i];
                }
                float sum = 0.0f;
                for (int i = 0; i < reg_max; i++) {
                    e[i] = expf(e[i] - m);
                    sum += e[i];
                }
                float d = 0.0f;
                for (int i = 0; i < reg_max; i++)
                    d += (e[i] / sum) * bins[i];
                dist[side] = d;
            }
            float ax = (float)(pos % ws[l]) + 0.5f, ay = (float)(pos / ws[l]) + 0.5f;
            float x1 = ax - dist[0], y1 = ay - dist[1], x2 = ax + dist[2], y2 = ay + dist[3];
            size_t a = (size_t)(base + pos);
            out[0 * (size_t)anchors + a] = (x1 + x2) / 2.0f * stride;
            out[1 * (size_t)anchors + a] = (y1 + y2) / 2.0f * stride;
            out[2 * (size_t)anchors + a] = (x2 - x1) * stride;
            out[3 * (size_t)anchors + a] = (y2 - y1) * stride;
            for (int c = 0; c < nc; c++) {
                float v = map[(size_t)(4 * reg_max + c) * hw + pos];
                out[(size_t)(4 + c) * anchors + a] = 1.0f / (1.0f + expf(-v));
            }
        }
        base += hw;
    }
}

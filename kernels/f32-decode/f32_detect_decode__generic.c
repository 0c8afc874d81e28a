/* f32_detect_decode__generic.c - the Detect decode (reference: f32_detect_decode__ref.c) in task
 * form: a task is a block of DECODE_BLOCK anchors of one level; the generic task decodes them one
 * by one exactly as the reference does. The AVX2 variant shares the task split and the anchor
 * range decode for its tail; the dispatcher is f32_detect_decode.c. */
#include <math.h>

#include "kernels/f32-decode/detect_decode.h"

#define DECODE_BLOCK 128
#define GY_MAX_REG 64

size_t gy_f32_detect_decode_tasks(const gy_decode_run *r)
{
    size_t n = 0;
    for (int l = 0; l < r->nl; l++)
        n += ((size_t)r->hs[l] * r->ws[l] + DECODE_BLOCK - 1) / DECODE_BLOCK;
    return n ? n : 1;
}

int gy_f32_detect_decode_span(const gy_decode_run *r, size_t task, int *level, int *pos0,
                              int *count)
{
    int base = 0;
    for (int l = 0; l < r->nl; l++) {
        int hw = r->hs[l] * r->ws[l];
        size_t nt = ((size_t)hw + DECODE_BLOCK - 1) / DECODE_BLOCK;
        if (task < nt) {
            *level = l;
            *pos0 = (int)task * DECODE_BLOCK;
            *count = hw - *pos0 < DECODE_BLOCK ? hw - *pos0 : DECODE_BLOCK;
            return base;
        }
        task -= nt;
        base += hw;
    }
    *level = 0;
    *pos0 = 0;
    *count = 0;
    return 0;
}

void gy_f32_detect_decode_range__generic(const gy_decode_run *r, int l, int base, int pos0,
                                         int count)
{
    int hw = r->hs[l] * r->ws[l], reg = r->reg_max;
    const float *map = r->levels[l];
    float stride = (float)r->strides[l];
    size_t A = (size_t)r->anchors;
    for (int pos = pos0; pos < pos0 + count; pos++) {
        float dist[4];
        for (int side = 0; side < 4; side++) {
            float e[GY_MAX_REG];
            float m = -INFINITY;
            for (int i = 0; i < reg; i++) {
                e[i] = map[(size_t)(side * reg + i) * hw + pos];
                if (e[i] > m)
                    m = e[i];
            }
            float sum = 0.0f;
            for (int i = 0; i < reg; i++) {
                e[i] = expf(e[i] - m);
                sum += e[i];
            }
            float d = 0.0f;
            for (int i = 0; i < reg; i++)
                d += (e[i] / sum) * r->bins[i];
            dist[side] = d;
        }
        float ax = (float)(pos % r->ws[l]) + 0.5f, ay = (float)(pos / r->ws[l]) + 0.5f;
        float x1 = ax - dist[0], y1 = ay - dist[1], x2 = ax + dist[2], y2 = ay + dist[3];
        size_t a = (size_t)(base + pos);
        r->out[0 * A + a] = (x1 + x2) / 2.0f * stride;
        r->out[1 * A + a] = (y1 + y2) / 2.0f * stride;
        r->out[2 * A + a] = (x2 - x1) * stride;
        r->out[3 * A + a] = (y2 - y1) * stride;
        for (int c = 0; c < r->nc; c++) {
            float v = map[(size_t)(4 * reg + c) * hw + pos];
            r->out[(size_t)(4 + c) * A + a] = 1.0f / (1.0f + expf(-v));
        }
    }
}

void gy_f32_detect_decode_task__generic(const gy_decode_run *r, size_t task, float *scratch)
{
    (void)scratch;
    int l, pos0, count;
    int base = gy_f32_detect_decode_span(r, task, &l, &pos0, &count);
    gy_f32_detect_decode_range__generic(r, l, base, pos0, count);
}


/* qu8_maxpool.c - max pooling on uint8 NHWC maps: the maximum of the bytes is the byte of the
 * maximum (quantization is monotonic), so with the input's scale and zero point on the output it
 * is exact; padding never wins (the window is clipped, which is what -inf padding means). One
 * task per output row; the inner loop runs over the channels (the compiler vectorises it). When
 * the output's quantization differs, the maxima go through the requantizing table. */
#include <string.h>

#include "kernels/kernels_qu8.h"

size_t gy_qu8_maxpool_tasks(const gy_qu8_pool_run *r)
{
    return (size_t)r->out.h;
}

void gy_qu8_maxpool_task(const gy_qu8_pool_run *r, size_t task)
{
    const int oy = (int)task, c = r->out.c;
    int y0 = oy * r->stride - r->pad, y1 = y0 + r->k;
    y0 = y0 < 0 ? 0 : y0;
    y1 = y1 > r->in.h ? r->in.h : y1;
    for (int ox = 0; ox < r->out.w; ox++) {
        int x0 = ox * r->stride - r->pad, x1 = x0 + r->k;
        x0 = x0 < 0 ? 0 : x0;
        x1 = x1 > r->in.w ? r->in.w : x1;
        uint8_t *dst = r->out.data + (size_t)oy * r->out.rstride + (size_t)ox * r->out.pstride;
        memset(dst, 0, (size_t)c);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) {
                const uint8_t *src = r->in.data + (size_t)y * r->in.rstride + (size_t)x * r->in.pstride;
                for (int j = 0; j < c; j++)
                    dst[j] = src[j] > dst[j] ? src[j] : dst[j];
            }
        if (r->lut)
            for (int j = 0; j < c; j++)
                dst[j] = r->lut[dst[j]];
    }
}

/* qu8_convert.c - float32 NCHW planes <-> uint8 NHWC maps, at the edges of the int8 graph (the
 * network input, float layers, the Detect head): the dispatcher, and the portable task. One task
 * per row. Quantize: clamp(round(fma(v, 1 / scale, zp)), 0, 255); dequantize: (q - zp) * scale. */
#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

size_t gy_qu8_convert_tasks(const gy_qu8_convert_run *r)
{
    return (size_t)r->q.h;
}

void gy_qu8_convert_task__generic(const gy_qu8_convert_run *r, size_t task)
{
    const int y = (int)task, w = r->q.w;
    const size_t plane = (size_t)r->q.h * (size_t)w;
    uint8_t *row = r->q.data + (size_t)y * r->q.rstride;
    float *f = r->f + (size_t)y * (size_t)w;
    if (r->to_u8) {
        const float inv = 1.0f / r->q.scale, zp = (float)r->q.zp;
        for (int c = 0; c < r->q.c; c++)
            for (int x = 0; x < w; x++)
                row[(size_t)x * r->q.pstride + (size_t)c] = gy_qu8_quant1(f[(size_t)c * plane + (size_t)x], inv, zp);
    } else {
        for (int c = 0; c < r->q.c; c++)
            for (int x = 0; x < w; x++)
                f[(size_t)c * plane + (size_t)x] =
                    (float)((int)row[(size_t)x * r->q.pstride + (size_t)c] - r->q.zp) * r->q.scale;
    }
}

void gy_qu8_convert_task(const gy_qu8_convert_run *r, size_t task)
{
#if defined(__x86_64__) || defined(__i386__)
    if (r->qisa == GY_QISA_AVX512VNNI && r->to_u8 && r->q.pstride == 4 && r->q.c <= 4) {
        gy_qu8_convert_task__avx512(r, task);
        return;
    }
    if (r->qisa == GY_QISA_AVX2 && r->to_u8 && r->q.pstride == 4 && r->q.c <= 4) {
        gy_qu8_convert_task__avx2(r, task);
        return;
    }
#endif
    gy_qu8_convert_task__generic(r, task);
}

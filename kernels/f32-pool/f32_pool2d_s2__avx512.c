/* f32_pool2d_s2__avx512.c - stride-2 max and average pooling with AVX-512, 16 outputs per vector
 * on the row ring of f32_pool2d_s2.h (the same results as the portable task, bit for bit). */
#include "kernels/f32-pool/f32_pool2d_s2.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <math.h>

#include "kernels/x32-split2/x32_split2.h"

#define T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define INLINE512 T512 static inline __attribute__((always_inline))

INLINE512 __mmask16 lanes16(int n)
{
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u);
}

/* acc, then v: the reference's `if (v > m || isnan(v)) m = v` (maxps returns its second operand
 * on ties and NaN; a NaN v is blended in). */
INLINE512 __m512 max_step(__m512 acc, __m512 v)
{
    __m512 m = _mm512_max_ps(v, acc);
    return _mm512_mask_mov_ps(m, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), v);
}

/* One channel; AVG and K constant in the inlined copies. div: the divisor's column factors. */
INLINE512 void channel(const int AVG, const int K, const gy_pool_run *r, int ch, gy_pool_ring *g,
                       const float *divx)
{
    const float *plane = r->in + (size_t)ch * r->ih * r->iw;
    float *dst = r->out + (size_t)ch * r->oh * r->ow;
    int off[GY_POOL_MAX_K];
    for (int kx = 0; kx < K; kx++)
        off[kx] = (kx & 1) * g->phase_len + kx / 2;
    gy_pool_ring_reset(g, r);
    for (int oy = 0; oy < r->oh; oy++) {
        const float *rows[GY_POOL_MAX_K];
        int nr = 0, y0 = oy * 2 - r->pad;
        for (int ky = 0; ky < K; ky++)
            if (y0 + ky >= 0 && y0 + ky < r->ih)
                rows[nr++] = gy_pool_ring_row(g, r, plane, y0 + ky, gy_x32_split2__avx512);
        float *d = dst + (size_t)oy * r->ow;
        __m512 sy = _mm512_set1_ps(0.0f);
        if (AVG) {
            int a, b, span;
            gy_avgpool_window(oy, K, 2, r->pad, r->ih, &a, &b, &span);
            sy = _mm512_set1_ps((float)span);
        }
        for (int x = 0; x < r->ow; x += 16) {
            __m512 acc = AVG ? _mm512_setzero_ps() : _mm512_set1_ps(-INFINITY);
            for (int i = 0; i < nr; i++)
                for (int kx = 0; kx < K; kx++) {
                    __m512 v = _mm512_loadu_ps(rows[i] + off[kx] + x);
                    acc = AVG ? _mm512_add_ps(acc, v) : max_step(acc, v);
                }
            if (AVG) /* span_y * span_x, both small integers: exact in float */
                acc = _mm512_div_ps(acc, _mm512_mul_ps(sy, _mm512_loadu_ps(divx + x)));
            if (r->ow - x >= 16)
                _mm512_storeu_ps(d + x, acc);
            else
                _mm512_mask_storeu_ps(d + x, lanes16(r->ow - x), acc);
        }
    }
}

T512 static void task(const int AVG, const gy_pool_run *r, size_t t, float *scratch)
{
    int c0, c1;
    gy_pool_task_channels(r, t, &c0, &c1);
    gy_pool_ring g;
    gy_pool_ring_init(&g, r, AVG ? 0.0f : -INFINITY, scratch);
    /* the column factors of the average's divisors, after the ring (16 floats of slack) */
    float *divx = scratch + gy_pool_s2_ring_floats(r);
    if (AVG)
        for (int ox = 0; ox < r->ow + 16; ox++) {
            int a, b, span = 1;
            if (ox < r->ow)
                gy_avgpool_window(ox, r->k, 2, r->pad, r->iw, &a, &b, &span);
            divx[ox] = (float)span;
        }
    for (int ch = c0; ch < c1; ch++) {
        if (r->k == 3)
            AVG ? channel(1, 3, r, ch, &g, divx) : channel(0, 3, r, ch, &g, divx);
        else if (r->k == 2)
            AVG ? channel(1, 2, r, ch, &g, divx) : channel(0, 2, r, ch, &g, divx);
        else
            AVG ? channel(1, r->k, r, ch, &g, divx) : channel(0, r->k, r, ch, &g, divx);
    }
}

T512 void gy_f32_maxpool2d_s2_task__avx512(const gy_pool_run *r, size_t t, float *scratch)
{
    task(0, r, t, scratch);
}

T512 void gy_f32_avgpool2d_s2_task__avx512(const gy_pool_run *r, size_t t, float *scratch)
{
    task(1, r, t, scratch);
}

#endif

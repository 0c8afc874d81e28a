/* f32_pool2d__generic.c - max and average pooling in task form (blocks of channels), portable C,
 * and the task split the vector variants share. Max pooling with stride 1 (SPPF's 5x5) is
 * separable: the max over each row's window first, then over the column of those; exact, as max
 * is. The dispatcher is f32_pool2d.c. */
#include <math.h>

#include "kernels/f32-pool/f32_pool2d_s2.h"
#include "kernels/kernels.h"

#define POOL_PIXELS 8192 /* output pixels per task, at least one channel */

static int chans_per_task(const gy_pool_run *r)
{
    int plane = r->oh * r->ow;
    int per = plane >= POOL_PIXELS ? 1 : (POOL_PIXELS + plane - 1) / plane;
    return per > r->c ? (r->c > 0 ? r->c : 1) : per;
}

static size_t ntasks(const gy_pool_run *r)
{
    int per = chans_per_task(r);
    size_t n = (size_t)(r->c + per - 1) / (size_t)per;
    return n ? n : 1;
}

static inline float nanmax(float m, float v)
{
    return v > m || isnan(v) ? v : m;
}

size_t gy_f32_maxpool2d_tasks(const gy_pool_run *r) { return ntasks(r); }

void gy_pool_task_channels(const gy_pool_run *r, size_t task, int *c0, int *c1)
{
    int per = chans_per_task(r);
    *c0 = (int)task * per;
    *c1 = *c0 + per < r->c ? *c0 + per : r->c;
}

/* Stride 1: the row pass's ih rows of ow, between pad rows of -inf above and below (the vector
 * tasks' column pass reads them; the generic one uses the first ih rows), then the AVX2 task's
 * row buffer (a row between -inf margins, ow rounded up to 8 plus k - 1). */
size_t gy_f32_maxpool2d_scratch_floats(const gy_pool_run *r)
{
    if (r->stride == 1)
        return (size_t)(r->ih + 2 * r->pad) * r->ow + (size_t)r->ow + (size_t)r->k + 7;
    size_t rows = (size_t)r->ih * r->ow; /* the strided row pass's rows */
    size_t ring = gy_pool_s2_eligible(r) ? gy_pool_s2_ring_floats(r) : 0;
    return rows > ring ? rows : ring;
}

/* The vector stride-2 task: its ring and a row of divisors (plus a vector of slack). */
size_t gy_f32_avgpool2d_scratch_floats(const gy_pool_run *r)
{
    return gy_pool_s2_eligible(r) ? gy_pool_s2_ring_floats(r) + (size_t)r->ow + 16 : 0;
}

/* The windowed max of one input row into ow values (stride 1, -inf outside). */
static void row_max(const float *row, int iw, int ow, int k, int pad, float *dst)
{
    for (int ox = 0; ox < ow; ox++) {
        int lo = ox - pad, kx0 = lo < 0 ? -lo : 0, kx1 = iw - lo < k ? iw - lo : k;
        float m = -INFINITY;
        for (int kx = kx0; kx < kx1; kx++)
            m = nanmax(m, row[lo + kx]);
        dst[ox] = m;
    }
}

/* The windowed max of one input row at stride s into ow values: the border windows clipped, the
 * interior ones (inside [0, iw)) in a loop over the outputs per tap, which the compiler
 * vectorises. The same result as row_max taken at every s-th column. */
static void row_max_strided(const float *row, int iw, int ow, int k, int s, int pad, float *dst)
{
    int xa = (pad + s - 1) / s, xb = iw - k + pad >= 0 ? (iw - k + pad) / s + 1 : 0;
    if (xb > ow)
        xb = ow;
    if (xa > xb)
        xa = xb;
    for (int ox = 0; ox < ow; ox++) {
        if (ox == xa && xb > xa) {
            for (int x = xa; x < xb; x++)
                dst[x] = row[x * s - pad];
            for (int kx = 1; kx < k; kx++)
                for (int x = xa; x < xb; x++)
                    dst[x] = nanmax(dst[x], row[x * s - pad + kx]);
            ox = xb - 1;
            continue;
        }
        int lo = ox * s - pad, kx0 = lo < 0 ? -lo : 0, kx1 = iw - lo < k ? iw - lo : k;
        float m = -INFINITY;
        for (int kx = kx0; kx < kx1; kx++)
            m = nanmax(m, row[lo + kx]);
        dst[ox] = m;
    }
}

/* Stride > 1: the row pass (each input row's windowed max at the stride) into the scratch, then
 * the column pass over the output rows' windows. Row first, then column: the last NaN of a window
 * in row-major order wins, as in the reference. */
static void maxpool_channel_strided(const gy_pool_run *r, const float *src, float *dst,
                                    float *rows)
{
    for (int y = 0; y < r->ih; y++)
        row_max_strided(src + (size_t)y * r->iw, r->iw, r->ow, r->k, r->stride, r->pad,
                        rows + (size_t)y * r->ow);
    for (int oy = 0; oy < r->oh; oy++) {
        int lo = oy * r->stride - r->pad, ky0 = lo < 0 ? -lo : 0;
        int ky1 = r->ih - lo < r->k ? r->ih - lo : r->k;
        float *d = dst + (size_t)oy * r->ow;
        for (int ox = 0; ox < r->ow; ox++)
            d[ox] = -INFINITY;
        for (int ky = ky0; ky < ky1; ky++) {
            const float *s = rows + (size_t)(lo + ky) * r->ow;
            for (int ox = 0; ox < r->ow; ox++)
                d[ox] = nanmax(d[ox], s[ox]);
        }
    }
}

void gy_f32_maxpool2d_task__generic(const gy_pool_run *r, size_t task, float *scratch)
{
    int c0, c1;
    gy_pool_task_channels(r, task, &c0, &c1);
    for (int ch = c0; ch < c1; ch++) {
        const float *src = r->in + (size_t)ch * r->ih * r->iw;
        float *dst = r->out + (size_t)ch * r->oh * r->ow;
        if (r->stride != 1) {
            maxpool_channel_strided(r, src, dst, scratch);
            continue;
        }
        for (int y = 0; y < r->ih; y++)
            row_max(src + (size_t)y * r->iw, r->iw, r->ow, r->k, r->pad, scratch + (size_t)y * r->ow);
        for (int oy = 0; oy < r->oh; oy++) {
            int lo = oy - r->pad, ky0 = lo < 0 ? -lo : 0, ky1 = r->ih - lo < r->k ? r->ih - lo : r->k;
            float *d = dst + (size_t)oy * r->ow;
            for (int ox = 0; ox < r->ow; ox++)
                d[ox] = -INFINITY;
            for (int ky = ky0; ky < ky1; ky++) {
                const float *s = scratch + (size_t)(lo + ky) * r->ow;
                for (int ox = 0; ox < r->ow; ox++)
                    d[ox] = nanmax(d[ox], s[ox]);
            }
        }
    }
}


size_t gy_f32_avgpool2d_tasks(const gy_pool_run *r) { return ntasks(r); }

/* Average pooling: the reference's order (rows of the window outer, columns inner, padding
 * skipped, one float sum per output) with the interior of each output row in a loop over ox that
 * the compiler vectorises; the border columns take the reference's clipped windows. */
void gy_f32_avgpool2d_task__generic(const gy_pool_run *r, size_t task, float *scratch)
{
    (void)scratch;
    int c0, c1;
    gy_pool_task_channels(r, task, &c0, &c1);
    int k = r->k, s = r->stride, p = r->pad;
    /* interior columns: the whole window inside the input */
    int xa = (p + s - 1) / s, xb = r->iw - k + p >= 0 ? (r->iw - k + p) / s + 1 : 0;
    if (xb > r->ow)
        xb = r->ow;
    if (xa > xb)
        xa = xb;
    for (int ch = c0; ch < c1; ch++) {
        const float *src = r->in + (size_t)ch * r->ih * r->iw;
        float *dst = r->out + (size_t)ch * r->oh * r->ow;
        for (int oy = 0; oy < r->oh; oy++) {
            int y0, y1, sy;
            gy_avgpool_window(oy, k, s, p, r->ih, &y0, &y1, &sy);
            float *d = dst + (size_t)oy * r->ow;
            for (int ox = 0; ox < r->ow; ox++) {
                if (ox == xa && xb > xa) { /* the interior run */
                    float div = (float)(sy * k);
                    for (int x = xa; x < xb; x++)
                        d[x] = 0.0f;
                    for (int y = y0; y < y1; y++) {
                        const float *row = src + (size_t)y * r->iw;
                        for (int kx = 0; kx < k; kx++)
                            for (int x = xa; x < xb; x++)
                                d[x] += row[x * s + kx - p];
                    }
                    for (int x = xa; x < xb; x++)
                        d[x] /= div;
                    ox = xb - 1;
                    continue;
                }
                int x0, x1, sx;
                gy_avgpool_window(ox, k, s, p, r->iw, &x0, &x1, &sx);
                float sum = 0.0f;
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++)
                        sum += src[(size_t)y * r->iw + x];
                d[ox] = sum / (float)(sy * sx);
            }
        }
    }
}

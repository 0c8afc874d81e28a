/* quant_ranges.c - calibration statistics of one tensor and the range methods of `ghostyolo
 * quantize` (detector/quant_ranges.h). */
#include "detector/quant_ranges.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gy_qstat_init(gy_qstat *s)
{
    memset(s, 0, sizeof *s);
    s->lo = INFINITY;
    s->hi = -INFINITY;
}

void gy_qstat_free(gy_qstat *s)
{
    free(s->hist);
    s->hist = NULL;
}

void gy_qstat_minmax(gy_qstat *s, const float *v, size_t n)
{
    float lo = (float)s->lo, hi = (float)s->hi;
    for (size_t i = 0; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    s->lo = lo;
    s->hi = hi;
}

int gy_qstat_hist_begin(gy_qstat *s)
{
    free(s->hist);
    s->hist = calloc(GY_QSTAT_BINS, sizeof *s->hist);
    if (!s->hist)
        return 0;
    s->hlo = s->lo < 0.0 ? s->lo : 0.0;
    s->hhi = s->hi > 0.0 ? s->hi : 0.0;
    if (!(s->hhi > s->hlo))
        s->hhi = s->hlo + 1e-6;
    s->count = 0;
    return 1;
}

void gy_qstat_hist(gy_qstat *s, const float *v, size_t n)
{
    const double k = GY_QSTAT_BINS / (s->hhi - s->hlo);
    for (size_t i = 0; i < n; i++) {
        long b = (long)(((double)v[i] - s->hlo) * k);
        b = b < 0 ? 0 : b >= GY_QSTAT_BINS ? GY_QSTAT_BINS - 1 : b;
        s->hist[b]++;
    }
    s->count += n;
}

gy_qact gy_qact_from_range(double lo, double hi)
{
    gy_qact a;
    lo = lo < 0.0 ? lo : 0.0; /* 0 must be exact: the zero point */
    hi = hi > 0.0 ? hi : 0.0;
    if (!(hi - lo > 1e-8))
        hi = lo + 1e-8 > 1e-3 ? lo + 1e-8 : 1e-3;
    a.scale = (float)((hi - lo) / 255.0);
    double z = nearbyint(-lo / (double)a.scale);
    a.zp = z < 0 ? 0 : z > 255 ? 255 : (int)z;
    a.set = 1;
    return a;
}

/* The value below which a fraction q of the histogram lies (interpolated in the bin). */
static double quantile(const gy_qstat *s, double q)
{
    const double w = (s->hhi - s->hlo) / GY_QSTAT_BINS;
    double target = q * (double)s->count, acc = 0.0;
    for (int b = 0; b < GY_QSTAT_BINS; b++) {
        double nb = (double)s->hist[b];
        if (acc + nb >= target && nb > 0)
            return s->hlo + w * (b + (target - acc) / nb);
        acc += nb;
    }
    return s->hhi;
}

/* Expected squared error of quantizing the histogram to [a, b]: rounding noise s^2 / 12 inside,
 * the distance to the bound outside. Prefix sums make each candidate O(1). */
typedef struct prefix {
    double *n, *nv, *nv2; /* sums over bins [0, k) of count, count * v, count * v^2 */
} prefix;

static double clip_err(const prefix *p, int k0, int k1, double bound)
{
    /* sum over bins [k0, k1) of n (v - bound)^2 */
    double n = p->n[k1] - p->n[k0], nv = p->nv[k1] - p->nv[k0], nv2 = p->nv2[k1] - p->nv2[k0];
    return nv2 - 2.0 * bound * nv + bound * bound * n;
}

static gy_qact mse_range(const gy_qstat *s)
{
    const int B = GY_QSTAT_BINS;
    const double w = (s->hhi - s->hlo) / B;
    prefix p;
    p.n = calloc((size_t)B + 1, sizeof(double));
    p.nv = calloc((size_t)B + 1, sizeof(double));
    p.nv2 = calloc((size_t)B + 1, sizeof(double));
    if (!p.n || !p.nv || !p.nv2) {
        free(p.n);
        free(p.nv);
        free(p.nv2);
        return gy_qact_from_range(s->lo, s->hi);
    }
    for (int b = 0; b < B; b++) {
        double v = s->hlo + w * (b + 0.5), n = (double)s->hist[b];
        p.n[b + 1] = p.n[b] + n;
        p.nv[b + 1] = p.nv[b] + n * v;
        p.nv2[b + 1] = p.nv2[b] + n * v * v;
    }
    /* the zero's bin: a runs over edges at or below it, b over edges at or above it */
    int z = (int)((0.0 - s->hlo) / w);
    z = z < 0 ? 0 : z > B ? B : z;
    double best = INFINITY, ba = s->hlo, bb = s->hhi;
    const int na = 48, nb = 384;
    for (int i = 0; i <= na; i++) {
        int ka = (int)((long)z * i / na); /* bins [0, ka) clipped at the bottom */
        double a = s->hlo + w * ka;
        for (int j = 0; j <= nb; j++) {
            int kb = B - (int)((long)(B - z) * j / nb); /* bins [kb, B) clipped at the top */
            if (kb <= z)
                kb = z + 1 <= B ? z + 1 : B;
            double bnd = s->hlo + w * kb;
            double sc = ((bnd > 0 ? bnd : 0) - (a < 0 ? a : 0)) / 255.0;
            double inside = p.n[kb] - p.n[ka];
            double e = inside * sc * sc / 12.0 + clip_err(&p, 0, ka, a) + clip_err(&p, kb, B, bnd);
            if (e < best) {
                best = e;
                ba = a;
                bb = bnd;
            }
        }
    }
    free(p.n);
    free(p.nv);
    free(p.nv2);
    return gy_qact_from_range(ba, bb);
}

gy_qact gy_qstat_range(const gy_qstat *s, int method, double percentile)
{
    if (method == GY_QUANT_MINMAX || !s->hist || s->count == 0)
        return gy_qact_from_range(s->lo, s->hi);
    if (method == GY_QUANT_PERCENTILE) {
        double q = percentile / 100.0;
        return gy_qact_from_range(quantile(s, 1.0 - q), quantile(s, q));
    }
    return mse_range(s);
}

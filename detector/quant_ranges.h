/* quant_ranges.h - what `ghostyolo quantize` learns about one tensor from the calibration images
 * (its minimum and maximum, then a histogram of GY_QSTAT_BINS bins over [min(lo, 0), max(hi, 0)])
 * and the range methods that turn it into a uint8 scale and zero point:
 *   minmax      the observed range;
 *   percentile  the p and 100 - p percentiles (interpolated in the histogram);
 *   mse         the range minimising the expected squared error: rounding noise scale^2 / 12
 *               for the values inside plus the squared distance of the clipped ones, searched
 *               over 49 lower x 385 upper bin edges with prefix sums.
 * The range always includes 0 (so the zero point is exact). */
#ifndef GY_DETECTOR_QUANT_RANGES_H
#define GY_DETECTOR_QUANT_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/qgraph.h"

#define GY_QSTAT_BINS 2048

typedef struct gy_qstat {
    double lo, hi;      /* observed */
    double hlo, hhi;    /* histogram range */
    uint64_t *hist;
    uint64_t count;
} gy_qstat;

void gy_qstat_init(gy_qstat *s);
void gy_qstat_free(gy_qstat *s);
void gy_qstat_minmax(gy_qstat *s, const float *v, size_t n);
/* Allocates the histogram over the observed range; 0 when out of memory. */
int gy_qstat_hist_begin(gy_qstat *s);
void gy_qstat_hist(gy_qstat *s, const float *v, size_t n);
/* method: GY_QUANT_MINMAX, GY_QUANT_PERCENTILE (percentile in (50, 100]) or GY_QUANT_MSE. */
gy_qact gy_qstat_range(const gy_qstat *s, int method, double percentile);
/* Scale and zero point of [lo, hi] (widened to include 0). */
gy_qact gy_qact_from_range(double lo, double hi);

#endif

/* quantize.h - the quantizer's internal entry point for tests and fuzz seeds (the public one,
 * gy_quantize, is in ghostyolo.h). */
#ifndef GY_DETECTOR_QUANTIZE_H
#define GY_DETECTOR_QUANTIZE_H

#include "ghostyolo.h"

/* An int8 model file for a config with synthetic weights (bind.c's) and fixed activation ranges
 * ([-0.5, 12.25]; the input 1/255), without calibration: a small valid file in seconds. */
gy_status gy_quantize_synthetic(const char *config_path, const char *out_path, gy_error *err);

#endif

/* quant_ctx.h - what the pieces of `ghostyolo quantize` share (quantize.c drives them):
 * quant_run.c runs a configuration of the model on the calibration images (calibration,
 * evaluation), quant_write.c writes the int8 file. */
#ifndef GY_DETECTOR_QUANT_CTX_H
#define GY_DETECTOR_QUANT_CTX_H

#include <stdint.h>

#include "core/error.h"
#include "detector/dataset.h"
#include "detector/model.h"
#include "detector/quant_ranges.h"
#include "runtime/qplan.h"
#include "runtime/qrun.h"

typedef struct image_in {
    float *x;
    int h, w;
} image_in;

typedef struct qctx {
    const gy_quantize_params *p;
    gy_model *m;
    gy_dataset *ds;
    int nimg, nsens, nthreads, in_root;
    int *candidate;       /* per conv: quantized in the full model */
    int8_t **wq;          /* per conv: int8 weights */
    float **ws;           /* per conv: their scales */
    gy_qact *acts;        /* per storage: calibrated */
    double **mean_f;      /* per storage read by a conv: per channel, the float model's mean */
    image_in *sens_in;    /* the sensitivity images' inputs */
    float **ref;          /* ... and the float model's outputs */
    gy_error *err;
} qctx;


/* A configuration planned for one input size (re-planned when the size changes). */
typedef struct qexec {
    gy_qplan plan;
    uint8_t *arena;
    float *scratch;
    gy_qwork *work;
    int h, w, ok;
} qexec;

/* quant_run.c */
void gy_quant_report(const qctx *c, const char *fmt, ...) GY_PRINTF(2, 3);
void gy_quant_progress(const qctx *c, const char *phase, int done, int total);
/* Calibration image i letterboxed as gy_detect does (in->x allocated). */
gy_status gy_quant_load_input(const qctx *c, int i, image_in *in, gy_error *err);
void gy_qexec_free(qexec *x);
gy_status gy_qexec_run(qexec *x, const qctx *c, const gy_qgraph *q, const image_in *in,
                       int keep_all, gy_error *err);
const float *gy_qexec_output(const qexec *x);
/* Two passes of the all-float model (fq) over the calibration images: min / max and channel
 * means, then histograms, of every storage with needs[r]; keeps the sensitivity images and the
 * float outputs. */
gy_status gy_quant_calibrate(qctx *c, const gy_qgraph *fq, const int *needs, gy_qstat *stats,
                             gy_error *err);
/* Mean Detect-output error of configuration q against the float outputs on the sensitivity
 * images (README "int8"). */
gy_status gy_quant_eval(const qctx *c, const gy_qgraph *q, double *result, gy_error *err);
/* Multiply-adds of each conv at imgsz x imgsz, and their total. */
gy_status gy_quant_conv_macs(const qctx *c, double *macs, double *total, gy_error *err);

/* quant_write.c: the int8 file (weights/qbind.c has the layout), through a temporary file. */
gy_status gy_quant_write(const qctx *c, const gy_qgraph *q, const char *config_path,
                         const char *weights_path, const char *out_path, const char *how,
                         gy_error *err);

#endif

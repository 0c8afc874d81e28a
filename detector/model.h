/* model.h - the inside of gy_model: the parsed config, the graph with bound weights, the
 * per-row build table and the class names. Immutable after gy_model_load. */
#ifndef GY_DETECTOR_MODEL_H
#define GY_DETECTOR_MODEL_H

#include "core/graph.h"
#include "configs/config.h"
#include "kernels/cpu/cpu_kind.h"
#include "kernels/kernels.h"
#include "runtime/qgraph.h"

struct gy_model {
    gy_config *cfg;
    gy_graph graph;
    gy_row_stats *rows;   /* cfg->nrows entries */
    int nrows;
    char **names;         /* nc class names: from the weights, else "class<i>" (ultralytics) */
    int nnames;
    char name[256];
    char config_path[1024];
    int has_weights;
    int nstrides;
    int strides[8];
    double bn_eps;
    gy_isa isa;           /* the kernels' instruction set (GY_ISA or the CPU's best) */
    gy_cpu_kind cpu;      /* the machine, detected at load */
    gy_tune tune;         /* the kernels' tuning for it (or GY_TUNE's, for tests) */
    size_t packed_bytes;  /* weights repacked for the kernels */
    gy_qgraph *q;         /* an int8 model (weights from `ghostyolo quantize`), else NULL */
};

/* max(largest Detect stride, 32): the letterbox multiple and ultralytics' get_flops() probe. */
int gy_model_stride(const gy_model *model);

/* parse_model: builds model->graph and model->rows from model->cfg. */
gy_status gy_model_build_graph(gy_model *model, gy_error *err);

#endif

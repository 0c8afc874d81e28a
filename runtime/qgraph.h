/* qgraph.h - the int8 side of a model: which convolutions run in int8 (their int8 weights,
 * per-channel scales and packed kernels), the quantization (scale, zero point) of every tensor
 * storage that int8 ops read or write, and the analysis both the loader and the quantizer use
 * to decide it:
 *
 *   - a conv runs in int8 when it has int8 weights; every other op follows the data: max pool,
 *     upsample, copy and add run on uint8 when their output storage is uint8; mul, avg pool and
 *     the Detect decode always run in float;
 *   - a root storage is uint8 when an int8 op reads it (so int8 convs whose outputs only float
 *     ops read, the Detect head's last convs, write dequantized floats and lose nothing to
 *     rounding); the network input stays float and is quantized for the first conv;
 *   - storages need a scale and zero point when they are uint8, or when an int8 op reads them
 *     while they are float (the network input);
 *   - a uint8 storage keeps a border of zero points as wide as the largest padding of the int8
 *     convs that read it.
 *
 * Names: a conv is its weight name without ".weight" ("model.2.cv1.conv"); another op is
 * "model.<row>.<kind>.<j>" (kind maxpool, avgpool, upsample, copy, mul, add, detect; j counts
 * that kind in the row); a root storage is named after the first op that writes it, the network
 * input's is "input". The int8 file stores "<storage>.act_scale" and "<storage>.act_zero_point". */
#ifndef GY_RUNTIME_QGRAPH_H
#define GY_RUNTIME_QGRAPH_H

#include "core/graph.h"
#include "kernels/kernels_qu8.h"

#define GY_INT8_FORMAT_VERSION 1

enum { GY_QDT_F32 = 0, GY_QDT_U8 = 1 };

typedef struct gy_qact {
    float scale;
    int zp;
    int set;           /* 1 when scale and zp hold values */
} gy_qact;

typedef struct gy_qconv {
    int int8;          /* runs in int8 (w, wscale set); else the float conv of the graph */
    int8_t *w;         /* [cout][cin / groups][kh][kw] */
    float *wscale;     /* per output channel: weight = wscale * w */
    gy_qu8_conv k;     /* packed for the int8 kernels (gy_qgraph_prepare) */
    float *mul, *add;  /* the epilogue per output channel (gy_qgraph_prepare) */
} gy_qconv;

typedef struct gy_qgraph {
    int nconvs, nstorages;
    gy_qconv *convs;   /* one per graph conv */
    gy_qact *act;      /* one per storage (roots used) */
    int *dtype;        /* per root storage: GY_QDT_U8 or GY_QDT_F32 (gy_qgraph_analyse) */
    int *needs_act;    /* per root storage: 1 when it needs a scale and zero point */
    int *border;       /* per root storage: border pixels of a uint8 storage */
    int *op_int8;      /* per op: 1 when the op runs on uint8 */
    gy_qisa qisa;      /* the kernels the int8 convs are packed for */
} gy_qgraph;

gy_status gy_qgraph_create(const gy_graph *g, gy_qgraph **out, gy_error *err);
void gy_qgraph_free(gy_qgraph *q);

/* Decides dtype, needs_act, border and op_int8 from the convs' int8 flags. */
gy_status gy_qgraph_analyse(const gy_graph *g, gy_qgraph *q, gy_error *err);

/* Packs the int8 convs for the kernels of qisa and computes their epilogues from the weights'
 * scales, the graph's float biases (g->convs[i].b) and the input storages' quantization
 * (analysed, every needed act set). */
gy_status gy_qgraph_prepare(const gy_graph *g, gy_qgraph *q, gy_qisa qisa, gy_error *err);

/* Names (see the top): of conv i, of op i, of root storage s. */
void gy_qgraph_conv_name(const gy_graph *g, int conv, char *buf, size_t size);
void gy_qgraph_op_name(const gy_graph *g, int op, char *buf, size_t size);
void gy_qgraph_storage_name(const gy_graph *g, int storage, char *buf, size_t size);

/* 1 when conv i can run in int8: one CONV op runs it and its activation is one the int8
 * epilogue computes (none, SiLU, ReLU, sigmoid); activations added to the graph later stay
 * float until the epilogue learns them. */
int gy_qgraph_conv_int8_capable(const gy_graph *g, int conv);

/* The op that writes a root storage first, or -1 (the network input). */
int gy_qgraph_first_writer(const gy_graph *g, int root);

/* Bytes of the tensors an int8 model file holds: the int8 weights with their scales, the float
 * convs, the biases and the activation parameters (bench). */
size_t gy_qgraph_weight_bytes(const gy_graph *g, const gy_qgraph *q);

#endif

/* graph.h - the flat list of primitive ops that YAML blocks emit, the tensors they read and
 * write, and the convolution parameters bound from the weights.
 *
 * Tensors are channel slices of storages. With batch 1 and NCHW layout a channel slice is one
 * contiguous range, so concatenation is free: a storage can be placed inside a larger storage
 * (its parent) at a channel offset, and every producer then writes straight into its slice.
 * Spatial sizes are not known at build time; the plan (plan.h) infers them per input size. */
#ifndef GY_CORE_GRAPH_H
#define GY_CORE_GRAPH_H

#include <stddef.h>

#include "ghostyolo.h"

/* Activations applied in a conv's epilogue (or to an elementwise op's second input):
 * relu6(x) = min(max(x, 0), 6), hardswish(x) = x * relu6(x + 3) / 6, hardsigmoid(x) =
 * relu6(x + 3) / 6 (torch's formulas, division by 6 included). */
typedef enum gy_act {
    GY_ACT_NONE, GY_ACT_SILU, GY_ACT_RELU, GY_ACT_SIGMOID,
    GY_ACT_RELU6, GY_ACT_HARDSWISH, GY_ACT_HARDSIGMOID
} gy_act;

typedef enum gy_op_type {
    GY_OP_CONV,      /* conv2d (groups, stride, pad) + bias + activation (+ residual) */
    GY_OP_MAXPOOL,   /* k x k, stride, pad (-inf padding); ceil_mode rounds the output size up */
    GY_OP_AVGPOOL,   /* k x k, stride, floor; pad > 0: zero padding counted (count_include_pad) */
    GY_OP_UPSAMPLE,  /* nearest; by `scale`, or to the size of tensor in[1] when scale == 0 */
    GY_OP_COPY,      /* in[0] -> out (a concat input that cannot alias) */
    GY_OP_MUL,       /* out = in[0] * act(in[1]) elementwise (in[1] may be upsampled first) */
    GY_OP_ADD,       /* out = in[0] + in[1] */
    GY_OP_DETECT,    /* Detect decode: in[0..nl-1] level maps -> (4 + nc, anchors) */
    GY_OP_GAP,       /* global average pool: out (c x 1 x 1) = mean of each plane of in[0] */
    GY_OP_MUL_CH,    /* out = in[0] * act(in[1]) with in[1] one value per channel (c x 1 x 1) */
    GY_OP_ADD_CH,    /* out = act(in[0] + in[1]) with in[1] one value per channel (c x 1 x 1) */
    GY_OP_SHUFFLE    /* channel shuffle of the inputs' concatenation X (C channels, `groups` | C):
                      * out[j * groups + i] = X[i * (C / groups) + j] (torchvision's
                      * channel_shuffle; Megvii's order is this with C / g groups) */
} gy_op_type;

#define GY_OP_MAX_IN 8

typedef struct gy_op {
    gy_op_type type;
    int row;               /* YAML row that emitted it */
    int nin;
    int in[GY_OP_MAX_IN];  /* tensor ids */
    int out;               /* tensor id */
    int res;               /* CONV: tensor added to the result, or -1 */
    int res_before_act;    /* CONV: act(conv + res) instead of act(conv) + res */
    gy_act act;
    int conv;              /* CONV: index into graph->convs */
    int k, stride, pad;    /* pools */
    int scale;             /* UPSAMPLE */
    /* DETECT */
    int nc, reg_max, dfl_conv; /* dfl_conv: index of the DFL conv parameters (bin weights) */
    int strides[GY_OP_MAX_IN]; /* the model's strides per level (set after the stride probe of
                                * gy_model_load; 0 until then: the plan derives them) */
    int ceil_mode;         /* MAXPOOL: output ceil((in + 2 pad - k) / stride) + 1 (torch's rule) */
    int groups;            /* SHUFFLE */
    int pool_module;       /* AVGPOOL: an nn.AvgPool2d module (thop counts one op per output
                            * element), not the functional F.avg_pool2d (counted as nothing) */
} gy_op;

/* A convolution's parameters: weight names as in the ultralytics state_dict, and after binding
 * the BatchNorm-folded float32 weights and bias. */
typedef struct gy_conv {
    char wname[160];     /* "<p>.conv.weight" or "<p>.weight" */
    char bname[160];     /* conv bias name, "" if the conv has none */
    char bnprefix[160];  /* BatchNorm prefix ("<p>.bn"), "" if none */
    double bn_eps;       /* the BatchNorm's own eps (zoo blocks: 1e-5 or 1e-3), or 0: the model's
                          * (ultralytics' 1e-3, or the weights' bn_eps metadata) */
    int cin, cout, kh, kw, sh, sw, ph, pw, groups;
    int fixed;           /* parameters without gradient (DFL) */
    int fusable;         /* an ultralytics Conv: fuse() folds its BN (stats count it fused) */
    int unfused_bn_flops;/* stats: its BN layer runs unfused (counted by thop, 4 per element) */
    float *w;            /* cout * (cin/groups) * kh * kw, owned by the graph after binding */
    float *b;            /* cout */
    /* Set by the kernels' gy_conv_pack (kernels/kernels.h) after binding: the weights in the
     * layout the fast kernel of instruction set `isa` reads, owned by the graph. */
    float *wpack;
    size_t wpack_floats;
    int isa;
    int tune;            /* the kernels' tuning variant (gy_tune) */
} gy_conv;

typedef struct gy_storage {
    int c;        /* channels */
    int parent;   /* storage this one lives in, or -1 */
    int c_off;    /* channel offset inside the parent */
    int row;      /* the YAML row that created it (a concatenation's storage: the Concat row) */
} gy_storage;

typedef struct gy_tensor {
    int storage;
    int c_off;    /* channel offset inside the storage */
    int c;
} gy_tensor;

/* Per-YAML-row bookkeeping for the build table and statistics. */
typedef struct gy_row_stats {
    int first_op, end_op;       /* ops [first_op, end_op) */
    int first_conv, end_conv;   /* convs [first_conv, end_conv) */
    int out;                    /* output tensor */
    int out_ch;
    int n;                      /* repeats after scaling (as printed) */
    long long extra_params;     /* parameters outside convs (none for now) */
    long long modules_unfused;  /* torch modules the row stands for */
    long long modules_fused;
    char module[96];
    char args[192];
    char from[64];
} gy_row_stats;

typedef struct gy_graph {
    gy_op *ops;
    int nops, cap_ops;
    gy_tensor *tensors;
    int ntensors, cap_tensors;
    gy_storage *storages;
    int nstorages, cap_storages;
    gy_conv *convs;
    int nconvs, cap_convs;
    int input;        /* tensor id of the network input */
    int output;       /* tensor id of the Detect output, -1 until set */
    int cur_row;      /* row being built (recorded in ops) */
    char (*row_names)[64]; /* nrows YAML module names ("Concat"), for shape errors; may be NULL */
    int nrows;
    int default_act;  /* 1 when some Conv uses ultralytics' shared default SiLU module */
} gy_graph;

void gy_graph_init(gy_graph *g);
void gy_graph_free(gy_graph *g);

/* A new tensor with its own storage of c channels; returns its id or -1 on allocation failure. */
int gy_graph_new_tensor(gy_graph *g, int c);
/* A view of channels [c_off, c_off + c) of tensor t; -1 on failure. */
int gy_graph_slice(gy_graph *g, int t, int c_off, int c);
/* Concatenation along channels: returns a tensor covering all inputs in order. Inputs that are
 * whole storages of their own become slices of the result (free); the others are copied by a
 * COPY op. -1 on allocation failure. */
int gy_graph_concat(gy_graph *g, int n, const int *in);

/* Appends an op (a copy of *op with row set); returns its index or -1. */
int gy_graph_add_op(gy_graph *g, const gy_op *op);
/* Appends a conv parameter record; returns its index or -1. */
int gy_graph_add_conv(gy_graph *g, const gy_conv *c);

/* Parameters of one conv as torch counts them (weights, conv bias, BatchNorm weight and bias),
 * unfused or after ultralytics' fuse() (which folds the BN of its own Conv layers only). */
long long gy_conv_params(const gy_conv *c, int fused);

/* The root storage of a storage and the channel offset of tensor t inside that root. */
int gy_graph_root(const gy_graph *g, int storage, int *c_off);

#endif

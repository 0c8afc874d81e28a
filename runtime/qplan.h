/* qplan.h - the int8 runtime's plan for one input size: the graph's ops as steps, with the
 * conversions between float and uint8 the analysis (qgraph.h) calls for, and one byte arena for
 * all buffers laid out by liveness.
 *
 * Buffers: each root storage of the graph in its dtype (uint8 NHWC with its border and channels
 * rounded up to 4 bytes per pixel, or float NCHW), plus "shadows": a tensor in the other dtype,
 * made by a conversion step just before the op that reads it (quantize for an int8 op reading a
 * float tensor, dequantize for a float op reading a uint8 one) or just after a float op that
 * writes into a uint8 storage (the op writes the shadow, the step quantizes it into place). */
#ifndef GY_RUNTIME_QPLAN_H
#define GY_RUNTIME_QPLAN_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/plan.h"
#include "runtime/qgraph.h"

typedef enum gy_qstep_kind {
    GY_QS_QCONV,     /* int8 conv: uint8 in, uint8 or float out */
    GY_QS_FCONV,     /* float conv */
    GY_QS_QMAXPOOL,  /* uint8 max pool */
    GY_QS_QCOPY,     /* uint8 nearest upsample or copy */
    GY_QS_QADD,      /* uint8 add */
    GY_QS_FOP,       /* a float pool / upsample / copy / mul / add */
    GY_QS_DETECT,    /* the Detect decode (float) */
    GY_QS_QUANT,     /* float tensor -> uint8 tensor */
    GY_QS_DEQUANT    /* uint8 tensor -> float tensor */
} gy_qstep_kind;

typedef struct gy_qbuf {
    int dtype;         /* GY_QDT_U8 / GY_QDT_F32 */
    int c, h, w, border;
    size_t pstride;    /* uint8: bytes per pixel (c rounded up to 4) */
    size_t bytes, offset;
    int first, last;   /* steps that write it first and use it last */
    gy_qact act;       /* uint8: its quantization */
    int storage;       /* the root storage it holds, or -1 for a shadow */
} gy_qbuf;

typedef struct gy_qview {
    int buf;           /* -1: none */
    int c_off, c;
} gy_qview;

typedef struct gy_qstep {
    gy_qstep_kind kind;
    int op;            /* the graph op this step runs or serves */
    int nin;
    gy_qview in[GY_OP_MAX_IN];
    gy_qview res, out;
    int fill_border;   /* buffer whose border this step fills (extra tasks), or -1 */
    int lut;           /* requantizing table index, or -1 */
} gy_qstep;

typedef struct gy_qplan {
    gy_plan shapes;    /* the float plan: tensor sizes, float scratch, Detect anchors */
    gy_qbuf *bufs;
    int nbufs, cap_bufs;
    gy_qstep *steps;
    int nsteps, cap_steps;
    uint8_t (*luts)[256];
    int nluts;
    size_t arena_bytes;
    size_t scratch_floats;  /* per thread */
    int in_buf, out_buf;    /* the float input and the Detect output buffers */
} gy_qplan;

/* Plans an h x w input. keep_all: no two buffers share memory (calibration reads every tensor
 * after the forward). */
gy_status gy_qplan_make(const gy_graph *g, const gy_qgraph *q, int h, int w, int keep_all,
                        gy_qplan *p, gy_error *err);
void gy_qplan_free(gy_qplan *p);

/* The uint8 map / float pointer of a view inside an arena. */
gy_qu8_map gy_qplan_map(const gy_qplan *p, uint8_t *arena, gy_qview v);
float *gy_qplan_floats(const gy_qplan *p, uint8_t *arena, gy_qview v);

#endif

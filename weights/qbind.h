/* qbind.h - an int8 model file (the layout is at the top of qbind.c) to the graph and its int8
 * side. */
#ifndef GY_WEIGHTS_QBIND_H
#define GY_WEIGHTS_QBIND_H

#include "core/graph.h"
#include "runtime/qgraph.h"
#include "weights/safetensors.h"

/* Fills the float convs' folded weights and every conv's bias in g, and a new int8 graph with
 * the int8 convs' weights and scales and the activations' scales and zero points (analysed).
 * Errors name the file and the tensor. */
gy_status gy_qmodel_bind(gy_graph *g, const gy_safetensors *st, gy_qgraph **out, gy_error *err);

#endif

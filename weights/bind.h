/* bind.h - weights to graph, by ultralytics state_dict names, with BatchNorm folding. */
#ifndef GY_WEIGHTS_BIND_H
#define GY_WEIGHTS_BIND_H

#include "core/graph.h"
#include "weights/safetensors.h"

/* Fills every conv's folded w/b. Fails listing all missing and unexpected tensor names
 * (num_batches_tracked aside) and the first wrong shape. eps: the model's BatchNorm epsilon (1e-3,
 * or the weights' bn_eps); a BatchNorm folds with its own: the weights' bn_eps_exceptions metadata
 * (a JSON object of BatchNorm name -> eps) when present, else its module's (gy_conv.bn_eps). */
gy_status gy_model_bind(gy_graph *g, const gy_safetensors *st, double eps, gy_error *err);

/* Deterministic pseudo-random weights (scaled to keep activations bounded) for every conv, and
 * the DFL bins 0 .. reg_max-1: lets a model without a weights file run, e.g. for timing. */
gy_status gy_model_synthetic_weights(gy_graph *g, gy_error *err);

#endif

/* yaml_emit.h - the model YAML stored in a checkpoint (a pickled dict) back to YAML text, as
 * PyYAML's yaml.safe_dump(d, sort_keys=False, default_flow_style=None) writes it (the text of the
 * safetensors 'config' metadata), and Python's repr() of a float. */
#ifndef GY_WEIGHTS_YAML_EMIT_H
#define GY_WEIGHTS_YAML_EMIT_H

#include <stddef.h>

#include "ghostyolo.h"
#include "weights/pickle.h"

#define GY_YAML_EMIT_MAX_DEPTH 32             /* nesting of lists and dicts */
#define GY_YAML_EMIT_MAX_TEXT ((size_t)1 << 20) /* bytes of YAML produced */

/* Dumps a dict (tuples are written as lists; None, bool, int, float and str scalars). Byte for
 * byte what PyYAML writes, except that PyYAML folds flow lists longer than 80 columns onto
 * several lines and this writes them on one (the same data either way). *text is NUL-terminated,
 * caller frees. Errors name `display` and the path of the offending value. */
gy_status gy_yaml_emit(const gy_pk_value *dict, const char *display, char **text, gy_error *err);

/* Python's repr(float) ("0.001", "1e-05", "1e+16", "inf", "nan") into buf (at least 32 bytes). */
void gy_py_float_repr(double x, char *buf, size_t size);

#endif

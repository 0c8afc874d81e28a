/* safetensors_write.h - writing a gy_safetensors object as a safetensors file, in the layout of
 * the official writer (the files under ../shared/weights/ are byte-identical to its output). */
#ifndef GY_WEIGHTS_SAFETENSORS_WRITE_H
#define GY_WEIGHTS_SAFETENSORS_WRITE_H

#include <stddef.h>

#include "ghostyolo.h"
#include "weights/safetensors.h"

/* Serialises st into a new buffer (caller frees):
 *   - 8-byte little-endian header length, then the header: compact JSON, tensors ordered by dtype
 *     size (largest first) then name, each {"dtype","shape","data_offsets"} with contiguous
 *     offsets in that order, then "__metadata__" (keys listed in meta_order first, in that order,
 *     then any others by name); strings escaped as serde_json does; padded with spaces to a
 *     multiple of 8 bytes;
 *   - the tensor bytes in header order.
 * meta_order may be NULL. */
gy_status gy_st_serialize(const gy_safetensors *st, const char *const *meta_order,
                          unsigned char **out, size_t *size, gy_error *err);
/* gy_st_serialize, then written to path through a temporary file and rename(). */
gy_status gy_st_write(const gy_safetensors *st, const char *const *meta_order, const char *path,
                      gy_error *err);

#endif

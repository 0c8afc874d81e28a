/* pt_checkpoint.h - ultralytics .pt checkpoints read without Python and without running the pickle.
 *
 * A PyTorch checkpoint is a zip archive: <name>/data.pkl (the pickled checkpoint dict) and one
 * entry <name>/data/<key> per tensor storage. The pickle runs in the non-executing interpreter of
 * pickle.h; from the checkpoint's `ema` model (or `model` when there is no EMA, as ultralytics'
 * own loader picks) this takes:
 *   - the state_dict: `_parameters` and `_buffers` (minus `_non_persistent_buffers_set`) of every
 *     module reached through `_modules`, under ultralytics' dotted names (model.0.conv.weight);
 *   - the model's `yaml` dict, dumped to YAML text as PyYAML does (metadata `config`);
 *   - `names` (metadata `names`, JSON {"0": "person", ...}), `stride` (`[8, 16, 32]`), the eps of
 *     the BatchNorm2d modules (`bn_eps`; all must agree), `imgsz` from `train_args`;
 * and returns them as the same gy_safetensors object the safetensors reader makes, so binding,
 * shape checks and their errors are shared. Metadata also has `format` and `source` (the file
 * name), as weights/convert_pt.py writes.
 *
 * Every storage must be an entry of the archive whose size is exactly numel x dtype size, and
 * every tensor must lie inside its storage; sizes are overflow-checked. */
#ifndef GY_WEIGHTS_PT_CHECKPOINT_H
#define GY_WEIGHTS_PT_CHECKPOINT_H

#include <stddef.h>

#include "ghostyolo.h"
#include "weights/safetensors.h"

#ifndef GY_PT_MAX_FILE
#define GY_PT_MAX_FILE ((size_t)8 << 30) /* bytes of a .pt file */
#endif
#define GY_PT_MAX_MODULE_DEPTH 64        /* nesting of _modules */
#define GY_PT_MAX_NAME 1024              /* bytes of a dotted state_dict name */
#define GY_PT_MAX_TENSORS 1000000        /* state_dict entries */
#define GY_PT_MAX_WALK (1u << 24)        /* dict entries looked at while walking the modules */
#define GY_PT_MAX_META ((size_t)16 << 20) /* bytes of one metadata text (names, ...) */

/* The metadata keys in the order weights/convert_pt.py writes them (the safetensors writer keeps
 * this order): a NULL-terminated constant list. */
const char *const *gy_pt_meta_order(void);

/* 1 when the bytes are a zip archive (the caller then expects a PyTorch checkpoint). */
int gy_pt_sniff(const unsigned char *data, size_t size);

/* Reads a checkpoint held in memory; takes ownership of buf (freed on every path). display names
 * the file in messages and gives the `source` metadata (its last path component). */
gy_status gy_pt_parse(unsigned char *buf, size_t size, const char *display, gy_safetensors **out,
                      gy_error *err);

/* Opens a weights file of either kind, told apart by content: a zip archive is read as a PyTorch
 * checkpoint, anything else as safetensors. */
gy_status gy_weights_open(const char *path, gy_safetensors **out, gy_error *err);

#endif

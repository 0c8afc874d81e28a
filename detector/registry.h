/* registry.h - the table of YAML module names: how parse_model treats their arguments and
 * which builder emits their ops. */
#ifndef GY_DETECTOR_REGISTRY_H
#define GY_DETECTOR_REGISTRY_H

#include "builder/build.h"

typedef enum gy_module_kind {
    GY_MOD_CHANNELS,      /* c1 = ch[f], c2 = scaled args[0]; args = [c1, c2, ...] */
    GY_MOD_CHANNELS_REPS, /* the same, plus n inserted as args[2] and the row built once */
    GY_MOD_CONCAT,        /* c2 = sum of input channels */
    GY_MOD_DETECT,        /* the input channel list appended to args */
    GY_MOD_PASS,          /* c2 = ch[f] */
    GY_MOD_ZOO,           /* backbone zoo: c1 = ch[f] inserted, c2 = args[0] unscaled (no width
                           * gain, no max_channels); args = [c1, *args], n repeats the block */
    GY_MOD_ZOO_FIRE       /* the same with c2 = args[1] + args[2] (SqueezeNet's Fire) */
} gy_module_kind;

typedef struct gy_module_def {
    const char *name;       /* as written in the YAML */
    const char *torch_type; /* as ultralytics prints it */
    gy_module_kind kind;
    gy_block_fn build;
} gy_module_def;

/* NULL when the name is unknown. */
const gy_module_def *gy_module_find(const char *name);
/* Comma-separated list of the known names into buf (for error messages). */
void gy_module_names(char *buf, size_t size);

#endif

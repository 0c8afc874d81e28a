/* neck.h - the builders of the neck's YAML modules (one file each in neck/), listed by name in
 * detector/registry.c. */
#ifndef GY_NECK_NECK_H
#define GY_NECK_NECK_H

#include "builder/build.h"

gy_status gy_block_upsample(gy_build *b, const gy_block *blk, int *out);
gy_status gy_block_concat(gy_build *b, const gy_block *blk, int *out);

#endif

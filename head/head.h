/* head.h - the builders of the head's YAML modules (one file each in head/), listed by name in
 * detector/registry.c. */
#ifndef GY_HEAD_HEAD_H
#define GY_HEAD_HEAD_H

#include "builder/build.h"

gy_status gy_block_detect(gy_build *b, const gy_block *blk, int *out);

#endif

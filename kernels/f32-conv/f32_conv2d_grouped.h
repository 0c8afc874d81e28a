/* f32_conv2d_grouped.h - grouped convolutions run as one dense conv per group when the group's
 * dense conv takes a faster kernel than the grouped GEMM (f32_conv2d_grouped.c; used by
 * f32_conv2d.c, internal to kernels/). */
#ifndef GY_KERNELS_F32_CONV2D_GROUPED_H
#define GY_KERNELS_F32_CONV2D_GROUPED_H

#include "kernels/kernels.h"

/* 1 < groups < cin and each group's dense conv is Winograd-eligible (3x3 stride 1) or takes the
 * direct stride-2 kernel of `isa` (AVX2 / AVX-512, at least 16 output channels per group). */
int gy_grouped_eligible(const gy_conv *c, int isa);
/* gy_grouped_eligible, each group taking the direct stride-2 kernel. */
int gy_grouped_s2(const gy_conv *c, int isa);
/* *v = the dense conv of group g of c, with its block of c's packed weights. */
void gy_grouped_view(const gy_conv *c, int g, gy_conv *v);
/* c->wpack = each group's weights packed by its kernel, one block per group. */
gy_status gy_grouped_pack(gy_conv *c, gy_isa isa, gy_error *err);
size_t gy_grouped_scratch_floats(const gy_conv *c, int oh, int ow);
/* groups x the dense kernel's tasks for one group; task t runs task t % n of group t / n. */
size_t gy_grouped_tasks(const gy_conv_run *r);
void gy_grouped_task(const gy_conv_run *r, size_t task, float *scratch);

#endif

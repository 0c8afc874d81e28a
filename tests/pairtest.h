/* pairtest.h - the runtime checks shared by the fused-pair tests (test_dwpw, test_pwdw,
 * test_pws2). */
#ifndef GY_TEST_PAIRTEST_H
#define GY_TEST_PAIRTEST_H

#include "kernels/kernels.h"
#include "runtime/plan.h"
#include "testutil.h"

/* A graph input of K channels -> a 1x1 conv to second->cin channels -> `second` (its geometry;
 * weights drawn here, w_scale, biases 0.5) on an H x H input, both with activation act, packed
 * for the best ISA. Checks that the plan marks op 0 `fused` (0: two ops of their own), gives a
 * fused pointwise output no memory (the arena holds the input and the output, apart) and op 1 no
 * task of its own, and that the run on 1 and 2 threads equals the two ops run by hand, bit for
 * bit. */
void gy_test_pointwise_pair_runtime(gy_test_rng *rng, int K, int H, const gy_conv *second,
                                    float w_scale, gy_act act, int fused);

/* Runs plan p of graph g on 1 and 2 threads with x (nin floats) in tensor `in` and checks that
 * tensor `out` then holds want (nout floats), bit for bit; H names the case in a failure. */
void gy_test_plan_gives(const gy_graph *g, const gy_plan *p, gy_isa isa, const float *x,
                        size_t nin, int in, const float *want, size_t nout, int out, int H);

#endif

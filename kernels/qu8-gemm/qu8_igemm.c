/* qu8_igemm.c - the register-tile shapes of the int8 implicit-GEMM kernels, one place for the
 * weight packing (qu8-conv) and the tiles to agree on: output channels per vector (nr), vectors
 * per block, pixels per tile (mr).
 *   AVX-512 VNNI: 16 channels per zmm, blocks of 4 (64 channels) x 6 pixels = 24 accumulators
 *                 (+ 4 weight vectors + 1 broadcast = 29 of 32 registers); 3 vectors x 8 pixels;
 *                 1 or 2 vectors x 8 pixels.
 *   AVX2:         8 channels per ymm, blocks of 2 (16 channels) x 5 pixels = 10 accumulators
 *                 (+ 2 weights, broadcast, product, ones = 15 of 16); 1 vector x 8 pixels.
 *   portable:     8 channels, blocks of 4, 4 pixels (plain C loops). */
#include "kernels/kernels_qu8.h"

int gy_qu8_igemm_nr(gy_qisa q)
{
    return q == GY_QISA_AVX512VNNI ? 16 : 8;
}

int gy_qu8_igemm_max_nv(gy_qisa q)
{
    return q == GY_QISA_AVX2 ? 2 : 4;
}

int gy_qu8_igemm_mr(gy_qisa q, int nv)
{
    switch (q) {
    case GY_QISA_AVX512VNNI: return nv >= 4 ? 6 : 8;
    case GY_QISA_AVX2: return nv >= 2 ? 5 : 8;
    case GY_QISA_GENERIC: break;
    }
    return 4;
}

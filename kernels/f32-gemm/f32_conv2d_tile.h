/* f32_conv2d_tile.h - the register-tile micro-kernels of the packed convolution GEMM, one per
 * instruction set (internal to kernels/). A tile computes rows x NR outputs over kc values of K
 * from a packed A panel (kc steps of MRP floats, the rows' weights) and a packed B panel (kc
 * steps of NR floats, the im2col columns), adds what the earlier K chunks left in the output
 * unless `first`, and on the `last` chunk applies bias, residual and activation. */
#ifndef GY_KERNELS_F32_CONV2D_TILE_H
#define GY_KERNELS_F32_CONV2D_TILE_H

#include "kernels/kernels.h"

typedef struct gy_tile {
    float *c;             /* output of the tile's first row and column */
    size_t ldc;           /* floats between output rows (one output plane) */
    int rows, cols;       /* rows <= MRP, cols <= NR actually stored */
    int first, last;
    const float *bias;    /* the tile's first row's bias, or NULL */
    const float *res;     /* residual of the tile's first row and column, or NULL */
    int res_before_act;
    gy_act act;
    size_t ldb;           /* floats from one k to the next in B; 0: a packed panel (NR) */
    const float *pf;      /* NULL, or 32 floats at each k (ldb apart) to prefetch for a later
                           * tile (AVX-512: the next column panel of B read in place) */
    const float *pfa;     /* NULL, or the A panel (kc steps of MRP floats) of a later tile to
                           * prefetch (AVX-512: weights met for the first time) */
} gy_tile;

/* Floats from one packed B panel ([kc][nr]) to the next: one cache line more than the panel, so
 * that the panels a packer writes row by row do not all fall in one L1 set (kc * nr * 4 bytes is
 * a multiple of 4 KiB whenever kc is a multiple of 32; measured: the 1x1 pack ran 2x slower). */
static inline size_t gy_panel_stride(int kc, int nr)
{
    return (size_t)kc * (size_t)nr + 16;
}

/* MRP 12, NR 32 (AVX-512: 24 zmm accumulators). */
#define GY_TILE512_MR 12
#define GY_TILE512_NR 32
void gy_f32_conv_tile__avx512(int kc, const float *a, const float *b, const gy_tile *t);
/* The GEMM of one output pixel (f32_gemv__avx512.c): rows outputs out[0, rows) (one per output
 * channel, contiguous) from the packed A panels of the AVX-512 tile (a: the first row's panel)
 * and the K input values x, summed in K chunks of kc as the tile sums them, then bias, residual
 * (res[0, rows) or NULL) and activation: the AVX-512 tile's bits. */
typedef struct gy_gemv {
    int K, kc, rows;
    const float *a, *x, *bias, *res;
    float *out;
    int res_before_act;
    gy_act act;
} gy_gemv;
void gy_f32_gemv__avx512(const gy_gemv *g);

/* MRP 6, NR 16 (AVX2 + FMA: 12 ymm accumulators). */
#define GY_TILE256_MR 6
#define GY_TILE256_NR 16
void gy_f32_conv_tile__avx2(int kc, const float *a, const float *b, const gy_tile *t);

#endif

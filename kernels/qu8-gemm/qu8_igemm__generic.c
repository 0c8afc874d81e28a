/* qu8_igemm__generic.c - the portable int8 tile: mr pixels x nv * 8 output channels, int32
 * accumulators in plain C over the packed weights [taps][kc / 4][sets][nv * 8][4] (the layout
 * of every family; the portable one is packed with 8-channel vectors and one set). */
#include <string.h>

#include "kernels/kernels_qu8.h"
#include "kernels/qu8-vmath/qu8_epilogue.h"

#define NCOL 32 /* 4 vectors of 8 */

void gy_qu8_igemm_tile__generic(const gy_qu8_tile *t)
{
    int32_t acc[GY_QU8_TILE_MR][NCOL];
    const int ncol = t->nv * 8, kc4 = t->kc / 4, sets = t->sets;
    memset(acc, 0, sizeof acc);
    for (int m = 0; m < t->mr; m++) {
        const int8_t *w = t->w;
        for (int tap = 0; tap < t->ntaps; tap++) {
            const uint8_t *a = t->a + m * t->pstep + t->tapoff[tap];
            for (int k4 = 0; k4 < kc4; k4++, a += 4) {
                const int x0 = a[0], x1 = a[1], x2 = a[2], x3 = a[3];
                for (int s = 0; s < sets; s++, w += 4 * ncol)
                    for (int n = 0; n < ncol; n++)
                        acc[m][n] += x0 * w[4 * n] + x1 * w[4 * n + 1] + x2 * w[4 * n + 2] +
                                     x3 * w[4 * n + 3];
            }
        }
    }
    for (int m = 0; m < t->mr; m++)
        for (int n = 0; n < t->nvalid; n++)
            gy_qu8_store1(t, gy_qu8_epilogue1(t, acc[m][n], n, m), n, m);
}

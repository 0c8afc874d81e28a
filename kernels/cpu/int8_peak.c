/* int8_peak.c - the int8 limit's portable loop: 16 independent chains of 4 byte products
 * summed into an int32, as the compiler vectorises it (no VNNI, no -mavx2). */
#include "kernels/kernels_qu8.h"

#define CHAINS 16

double gy_int8_peak_run__generic(long iters, int *sink)
{
    uint32_t c[CHAINS]; /* unsigned: the sums wrap instead of overflowing */
    uint8_t a[4] = {3, 5, 7, 11};
    int8_t b[4] = {-2, 3, -5, 7};
    for (int j = 0; j < CHAINS; j++)
        c[j] = (uint32_t)j;
    for (long i = 0; i < iters; i++) {
        for (int j = 0; j < CHAINS; j++)
            c[j] += (uint32_t)(a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]);
        a[i & 3] ^= (uint8_t)(c[0] & 1); /* keeps the loop from being folded */
    }
    uint32_t s = 0;
    for (int j = 0; j < CHAINS; j++)
        s += c[j];
    *sink = (int)(s & 0x7fffffff);
    return 2.0 * 4 * CHAINS * (double)iters;
}

/* x32_split2.h - a row of 32-bit values split into its even and odd columns: even[j] = src[2j],
 * odd[j] = src[2j + 1], for the columns below n; nothing past them is written. Stride-2 kernels
 * (depthwise convolution, pooling) read each phase as a contiguous run. The vector variants split
 * 32 columns (AVX2: 16) with two loads and two permutes. */
#ifndef GY_KERNELS_X32_SPLIT2_H
#define GY_KERNELS_X32_SPLIT2_H

static inline void gy_x32_split2__generic(const float *src, int n, float *even, float *odd)
{
    for (int x = 0; x + 1 < n; x += 2) {
        even[x / 2] = src[x];
        odd[x / 2] = src[x + 1];
    }
    if (n & 1)
        even[n / 2] = src[n - 1];
}

#if defined(__x86_64__) || defined(__i386__)
void gy_x32_split2__avx2(const float *src, int n, float *even, float *odd);
void gy_x32_split2__avx512(const float *src, int n, float *even, float *odd);
#endif

#endif

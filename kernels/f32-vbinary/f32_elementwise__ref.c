/* f32_elementwise__ref.c - the reference kernel: y = a * act(b) or a + act(b), element by
 * element. */
#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"

void gy_f32_binary_act(int mul, const float *a, const float *b, gy_act act, float *y, size_t n,
                       int nthreads)
{
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (size_t i = 0; i < n; i++)
        y[i] = mul ? a[i] * gy_act_apply(act, b[i]) : a[i] + gy_act_apply(act, b[i]);
}

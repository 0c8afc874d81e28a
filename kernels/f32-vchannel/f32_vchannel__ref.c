/* f32_vchannel__ref.c - the reference per-channel operations: y = x * act(p[ch]) or
 * y = act(x + p[ch]), element by element. */
#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"

void gy_f32_channel_op(int mul, const float *x, const float *p, gy_act act, float *y, int c,
                       size_t plane)
{
    for (int ch = 0; ch < c; ch++)
        for (size_t i = 0; i < plane; i++) {
            size_t k = (size_t)ch * plane + i;
            y[k] = mul ? x[k] * gy_act_apply(act, p[ch]) : gy_act_apply(act, x[k] + p[ch]);
        }
}

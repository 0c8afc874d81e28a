/* x32_shuffle__ref.c - the reference channel shuffle: every element of every output channel from
 * the definition out[j * g + i] = X[i * (c / g) + j], X the concatenation of the inputs. */
#include "kernels/kernels.h"

void gy_x32_shuffle(const gy_shuffle_run *r)
{
    int per_group = r->c / r->groups, per_in = r->c / r->nin;
    for (int i = 0; i < r->groups; i++)
        for (int j = 0; j < per_group; j++) {
            int src = i * per_group + j;
            const float *x = r->in[src / per_in] + (size_t)(src % per_in) * r->plane;
            float *y = r->out + (size_t)(j * r->groups + i) * r->plane;
            for (size_t k = 0; k < r->plane; k++)
                y[k] = x[k];
        }
}

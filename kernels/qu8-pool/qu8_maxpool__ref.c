/* qu8_maxpool__ref.c - the reference: per channel and output, the largest input byte of the
 * window inside the map (requantized through the table when there is one). */
#include "kernels/kernels_qu8.h"

void gy_qu8_maxpool__ref(const gy_qu8_pool_run *r)
{
    for (int j = 0; j < r->out.c; j++)
        for (int oy = 0; oy < r->out.h; oy++)
            for (int ox = 0; ox < r->out.w; ox++) {
                int m = -1;
                for (int ky = 0; ky < r->k; ky++)
                    for (int kx = 0; kx < r->k; kx++) {
                        int y = oy * r->stride - r->pad + ky, x = ox * r->stride - r->pad + kx;
                        if (y < 0 || y >= r->in.h || x < 0 || x >= r->in.w)
                            continue;
                        int v = r->in.data[(size_t)y * r->in.rstride + (size_t)x * r->in.pstride + (size_t)j];
                        m = v > m ? v : m;
                    }
                uint8_t q = (uint8_t)(m < 0 ? 0 : m);
                r->out.data[(size_t)oy * r->out.rstride + (size_t)ox * r->out.pstride + (size_t)j] =
                    r->lut ? r->lut[q] : q;
            }
}

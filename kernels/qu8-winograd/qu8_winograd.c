/* qu8_winograd.c - integer Winograd F(2x2, 3x3) for the AVX2 int8 path: which convs take it,
 * the weight transform and packing, the scratch a task needs.
 *
 * Why: without VNNI, an int8 multiply-add costs as much multiplier throughput as an int16 one
 * (vpmaddubsw + vpmaddwd per 32 products, or vpmaddwd per 16), so the AVX2 int8 conv only has
 * twice the float kernels' rate, and the float 3x3 convs run Winograd (2.25 times fewer
 * multiplies). F(2x2, 3x3) in integers is exact: with G4 = 2 G = [[2,0,0],[1,1,1],[1,-1,1],
 * [0,0,2]], U = G4 g G4^T is an integer (|U| <= 9 * 128), the input transform V = B^T (x - z) B
 * has |V| <= 4 * 255, the 16 products summed over the input channels (vpmaddwd on channel pairs)
 * give M, and A^T M A is 4 times the convolution's exact sum, so a shift by 2 and adding back
 * z * sum(w) gives the int32 accumulator of the direct kernel, bit for bit; the epilogue is the
 * shared one. Sums wrap in int32 (vector adds); only the final value, which fits, matters.
 *
 * Weights, per block of 16 output channels: [16 positions][cin rounded up to 16, in pairs]
 * [16 channels][2] int16. A task is one row of 2x2 output tiles (two output rows), all output
 * channels: the input of 6 tiles is transformed once into the scratch, then each block runs 16
 * small GEMMs (6 tiles x 16 channels over the channel pairs), the output transform and the
 * epilogue. */
#include "kernels/kernels_qu8.h"

int gy_qu8_winograd_eligible(const gy_qu8_conv *c)
{
    return c->qisa == GY_QISA_AVX2 && c->kh == 3 && c->kw == 3 && c->sh == 1 && c->sw == 1 &&
           c->ph == 1 && c->pw == 1 && c->groups == 1 && c->cin >= 16 && c->cout >= 16 &&
           c->cin <= 1024; /* 4 x the exact sum stays inside int32 */
}

static int pairs(const gy_qu8_conv *c)
{
    return (c->cin + 15) / 16 * 8;
}

size_t gy_qu8_winograd_pack_bytes(const gy_qu8_conv *c)
{
    size_t blocks = (size_t)(c->cout + 15) / 16;
    return blocks * 16 * (size_t)pairs(c) * 32 * sizeof(int16_t);
}

void gy_qu8_winograd_pack(const gy_qu8_conv *c, const int8_t *w, int16_t *dst)
{
    static const int g4[4][3] = {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}};
    const int kp = pairs(c), blocks = (c->cout + 15) / 16;
    for (int b = 0; b < blocks; b++)
        for (int xi = 0; xi < 4; xi++)
            for (int nu = 0; nu < 4; nu++)
                for (int k = 0; k < kp; k++)
                    for (int n = 0; n < 16; n++)
                        for (int h = 0; h < 2; h++) {
                            const int o = b * 16 + n, ci = 2 * k + h;
                            int u = 0;
                            if (o < c->cout && ci < c->cin) {
                                const int8_t *g = w + ((size_t)o * (size_t)c->cin + (size_t)ci) * 9;
                                for (int i = 0; i < 3; i++)
                                    for (int j = 0; j < 3; j++)
                                        u += g4[xi][i] * g[3 * i + j] * g4[nu][j];
                            }
                            *dst++ = (int16_t)u;
                        }
}

size_t gy_qu8_winograd_tasks(const gy_qu8_conv_run *r)
{
    return (size_t)(r->oh + 1) / 2;
}

size_t gy_qu8_winograd_scratch_bytes(const gy_qu8_conv *c)
{
    /* V: 16 positions x 6 tiles x pairs (int32 each); M: 16 positions x 6 tiles x 16 channels */
    return (size_t)16 * GY_QU8_WINO_TILES * (size_t)pairs(c) * 4 +
           (size_t)16 * GY_QU8_WINO_TILES * 16 * 4 + 64;
}

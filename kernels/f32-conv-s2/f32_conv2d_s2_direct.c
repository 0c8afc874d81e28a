/* f32_conv2d_s2_direct.c - eligibility, weight packing and the task split of the direct
 * stride-2 convolution (f32_conv2d_s2_direct.h). A task owns a group of output rows and a group
 * of output channel blocks; the groups are sized so that a task's packed weights stay in L2
 * (about 256 KiB) and a conv has about GY_S2_TASKS tasks. */
#include <stdlib.h>

#include "core/error.h"
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct.h"

#define GY_S2_TASKS 8             /* tasks wanted per conv: 4 per thread on 2 cores */
#define GY_S2_WBYTES (256 * 1024) /* packed weights per task, at most (unless one block is more) */

/* Not the 1x1 unpadded convs: their packed GEMM (a strided copy of the input into the B panels,
 * f32_conv2d.c) runs HS-ResNet's three shortcuts (160 -> 80, 80 -> 40, 40 -> 20) 1.6, 1.5 and
 * 1.2x (AVX-512) and 1.7, 1.4 and 1.3x (AVX2) faster than this kernel (kernels/README.md). */
int gy_s2_direct_eligible(const gy_conv *c, int isa)
{
    return (isa == GY_ISA_AVX512 || isa == GY_ISA_AVX2) && c->groups == 1 && c->sw == 2 &&
           c->sh >= 1 && !(c->kh == 1 && c->kw == 1 && c->ph == 0 && c->pw == 0);
}

static int block(const gy_conv *c)
{
    return gy_s2_conv_block(c, c->isa, c->tune);
}

static int nblocks(const gy_conv *c)
{
    return (c->cout + block(c) - 1) / block(c);
}

gy_status gy_s2_direct_pack(gy_conv *c, gy_isa isa, gy_error *err)
{
    size_t cb = (size_t)gy_s2_conv_block(c, (int)isa, c->tune), K = (size_t)c->cin * c->kh * c->kw;
    size_t nb = (size_t)(c->cout + (int)cb - 1) / cb, n = nb * K * cb;
    float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    if (!p)
        return gy_fail(err, GY_ERR_NOMEM, "packing the weights of %s: out of memory (%zu floats)",
                       c->wname, n);
    for (size_t b = 0; b < nb; b++)
        for (size_t k = 0; k < K; k++)
            for (size_t j = 0; j < cb; j++) {
                size_t co = b * cb + j;
                p[(b * K + k) * cb + j] = co < (size_t)c->cout ? c->w[co * K + k] : 0.0f;
            }
    c->wpack = p;
    c->wpack_floats = n;
    return GY_OK;
}

size_t gy_s2_direct_scratch_floats(const gy_conv *c, int oh, int ow)
{
    (void)oh, (void)ow; /* the widest window: the AVX-512 tile's (GY_S2_P >= GY_S2_P256) */
    return (size_t)c->cin * c->kh * (2 * GY_S2_P + (size_t)c->kw);
}

/* rows per task group and blocks per channel group */
static void split(const gy_conv_run *r, int *rows, int *blocks)
{
    const gy_conv *c = r->p;
    int nb = nblocks(c);
    size_t wblock = (size_t)c->cin * c->kh * c->kw * (size_t)block(c) * sizeof(float);
    int per = (int)(GY_S2_WBYTES / wblock);
    if (per < 1)
        per = 1;
    if (per > nb)
        per = nb;
    int cg = (nb + per - 1) / per;
    int rg = (GY_S2_TASKS + cg - 1) / cg;
    if (rg > r->oh)
        rg = r->oh;
    if (rg < 1)
        rg = 1;
    *rows = (r->oh + rg - 1) / rg;
    *blocks = per;
}

size_t gy_s2_direct_tasks(const gy_conv_run *r)
{
    int rows, blocks;
    split(r, &rows, &blocks);
    size_t rg = (size_t)(r->oh + rows - 1) / rows, cg = (size_t)(nblocks(r->p) + blocks - 1) / blocks;
    return rg * cg;
}

void gy_s2_direct_task(const gy_conv_run *r, size_t task, float *scratch)
{
    int rows, blocks;
    split(r, &rows, &blocks);
    int nb = nblocks(r->p);
    size_t cg = (size_t)(nb + blocks - 1) / blocks;
    int oy0 = (int)(task / cg) * rows, cb0 = (int)(task % cg) * blocks;
    int oy1 = oy0 + rows < r->oh ? oy0 + rows : r->oh, cb1 = cb0 + blocks < nb ? cb0 + blocks : nb;
    if (r->p->isa == GY_ISA_AVX512)
        gy_f32_conv2d_s2_direct__avx512(r, oy0, oy1, cb0, cb1, scratch);
    else
        gy_f32_conv2d_s2_direct__avx2(r, oy0, oy1, cb0, cb1, scratch);
}

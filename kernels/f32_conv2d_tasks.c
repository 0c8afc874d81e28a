/* f32_conv2d_tasks.c - INTERIM ADAPTER: today's convolution kernels (f32_conv2d.c's GEMM,
 * f32_dwconv2d.c) in the task form the runtime calls, until the task-form conv kernels replace
 * this file. A task is one block of output channels x output columns of one group: it unfolds
 * just its columns (im2col) into the thread's scratch and runs the GEMM on them with one thread;
 * 1x1 stride-1 convs read the input planes in place. Depthwise convs split by channels. */
#include <string.h>

#include "kernels/kernels.h"

#define NCOL 256        /* most output columns per GEMM task (a multiple of the GEMM's 16) */
#define MIN_TASKS 16    /* columns, then output channels, are split until an op has this many */
#define COL_FLOATS 65536 /* im2col block per task (256 KiB, stays in L2) when K allows */
#define DW_PIXELS 8192  /* output pixels per depthwise task, at least one channel */

typedef struct conv_split {
    int dw;
    int ncol, nchunks;   /* output columns per task, column blocks */
    int mchunk, mchunks; /* output channels per task, channel blocks (per group) */
} conv_split;

static int is_depthwise(const gy_conv *c)
{
    return c->groups > 1 && c->groups == c->cin && c->cout == c->cin;
}

static int is_pointwise(const gy_conv *c)
{
    return c->kh == 1 && c->kw == 1 && c->sh == 1 && c->sw == 1 && c->ph == 0 && c->pw == 0;
}

static void split_of(const gy_conv_run *r, conv_split *s)
{
    const gy_conv *c = r->p;
    int n = r->oh * r->ow;
    memset(s, 0, sizeof *s);
    if (is_depthwise(c)) {
        s->dw = 1;
        s->mchunk = n >= DW_PIXELS ? 1 : (DW_PIXELS + n - 1) / n;
        if (s->mchunk > c->cout)
            s->mchunk = c->cout;
        s->mchunks = (c->cout + s->mchunk - 1) / s->mchunk;
        s->nchunks = 1;
        return;
    }
    int cout_g = c->cout / c->groups;
    long k = (long)(c->cin / c->groups) * c->kh * c->kw;
    /* columns first (im2col is done once per task, so splitting channels repeats it) */
    int ncol = (n / MIN_TASKS + 15) / 16 * 16;
    if (ncol > NCOL)
        ncol = NCOL;
    if (!is_pointwise(c) && (long)ncol * k > COL_FLOATS)
        ncol = (int)(COL_FLOATS / k) / 16 * 16;
    if (ncol < 16)
        ncol = 16;
    s->ncol = n < ncol ? n : ncol;
    s->nchunks = (n + s->ncol - 1) / s->ncol;
    s->mchunk = cout_g;
    for (;;) {
        s->mchunks = (cout_g + s->mchunk - 1) / s->mchunk;
        if ((long)c->groups * s->mchunks * s->nchunks >= MIN_TASKS || s->mchunk <= 12)
            break;
        s->mchunk = ((s->mchunk + 1) / 2 + 5) / 6 * 6;
    }
}

size_t gy_f32_conv2d_tasks(const gy_conv_run *r)
{
    conv_split s;
    split_of(r, &s);
    return s.dw ? (size_t)s.mchunks : (size_t)r->p->groups * s.mchunks * s.nchunks;
}

size_t gy_f32_conv2d_scratch_floats(const gy_conv_run *r)
{
    const gy_conv *c = r->p;
    if (is_depthwise(c) || is_pointwise(c))
        return 0;
    conv_split s;
    split_of(r, &s);
    return (size_t)(c->cin / c->groups) * c->kh * c->kw * (size_t)s.ncol;
}

/* Unfolds columns [n0, n0 + nc) of group grp into col[(ci * kh + ky) * kw + kx][j]. */
static void im2col_cols(const gy_conv_run *r, int grp, int n0, int nc, float *col)
{
    const gy_conv *c = r->p;
    int cin_g = c->cin / c->groups;
    int rows = cin_g * c->kh * c->kw;
    for (int row = 0; row < rows; row++) {
        int kx = row % c->kw, ky = (row / c->kw) % c->kh, ci = row / (c->kw * c->kh);
        const float *plane = r->in + (size_t)(grp * cin_g + ci) * r->ih * r->iw;
        float *d = col + (size_t)row * nc;
        for (int j = 0; j < nc;) {
            int oy = (n0 + j) / r->ow, ox0 = (n0 + j) % r->ow;
            int len = r->ow - ox0 < nc - j ? r->ow - ox0 : nc - j;
            int iy = oy * c->sh - c->ph + ky;
            if (iy < 0 || iy >= r->ih) {
                memset(d + j, 0, sizeof *d * (size_t)len);
            } else {
                const float *src = plane + (size_t)iy * r->iw;
                for (int t = 0; t < len; t++) {
                    int ix = (ox0 + t) * c->sw - c->pw + kx;
                    d[j + t] = ix >= 0 && ix < r->iw ? src[ix] : 0.0f;
                }
            }
            j += len;
        }
    }
}

void gy_f32_conv2d_task(const gy_conv_run *r, size_t task, float *scratch)
{
    const gy_conv *c = r->p;
    conv_split s;
    split_of(r, &s);
    size_t in_plane = (size_t)r->ih * r->iw, n = (size_t)r->oh * r->ow;
    if (s.dw) {
        int ch0 = (int)task * s.mchunk;
        int cnt = c->cout - ch0 < s.mchunk ? c->cout - ch0 : s.mchunk;
        gy_conv sub = *c;
        sub.cin = sub.cout = sub.groups = cnt;
        sub.w = c->w + (size_t)ch0 * c->kh * c->kw;
        sub.b = c->b ? c->b + ch0 : NULL;
        gy_conv_run sr = *r;
        sr.p = &sub;
        sr.in = r->in + (size_t)ch0 * in_plane;
        sr.out = r->out + (size_t)ch0 * n;
        sr.res = r->res ? r->res + (size_t)ch0 * n : NULL;
        sr.nthreads = 1;
        sr.scratch = NULL;
        gy_f32_dwconv2d(&sr);
        return;
    }
    int per_group = s.mchunks * s.nchunks;
    int grp = (int)(task / (size_t)per_group), rem = (int)(task % (size_t)per_group);
    int mi = rem / s.nchunks, ni = rem % s.nchunks;
    int cin_g = c->cin / c->groups, cout_g = c->cout / c->groups;
    int K = cin_g * c->kh * c->kw;
    int n0 = ni * s.ncol, nc = (int)n - n0 < s.ncol ? (int)n - n0 : s.ncol;
    int m0 = mi * s.mchunk, mc = cout_g - m0 < s.mchunk ? cout_g - m0 : s.mchunk;
    const float *B;
    int ldb;
    if (is_pointwise(c)) {
        B = r->in + (size_t)grp * cin_g * in_plane + n0;
        ldb = (int)n;
    } else {
        im2col_cols(r, grp, n0, nc, scratch);
        B = scratch;
        ldb = nc;
    }
    size_t o = (size_t)grp * cout_g + (size_t)m0;
    gy_f32_gemm_epilogue(mc, nc, K, c->w + o * K, B, ldb, r->out + o * n + n0, (int)n,
                         c->b ? c->b + o : NULL, r->res ? r->res + o * n + n0 : NULL, (int)n,
                         r->res_before_act, r->act, 1);
}

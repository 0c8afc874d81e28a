/* qu8_conv2d.c - the int8 convolution dispatcher: weight packing for each kernel family, the
 * split into tasks, and which kernel runs a task. Depthwise convs (groups == cin == cout) go to
 * qu8-dwconv, one output row and up to 64 channels per task; the others to the implicit GEMM of
 * qu8-gemm: one task per (group, block of output channels, output row), the row cut into tiles
 * of consecutive pixels. A tile reads each tap of each pixel at a fixed offset from the pixel
 * (the input's border holds the padding), so there is no im2col buffer and no bounds check.
 *
 * On the AVX2 path, 3x3 stride-1 convs (groups 1, 16 to 1024 input channels) take the exact
 * integer Winograd of qu8-winograd instead (packed for it, tasks by rows of 2x2 tiles).
 *
 * Packed weights of the implicit GEMM, per group, per block of nv vectors of nr channels:
 *     [taps][kc / 4][sets][nv * nr][4]   (kc = input channels per group rounded up to 4)
 * zeros for the padding channels, so the 4-byte reads past a pixel's last channel multiply
 * whatever they read by 0. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "kernels/kernels_qu8.h"

#define MAX_TAPS 256

void gy_qu8_conv_release(gy_qu8_conv *c)
{
    free(c->pack);
    free(c->wsum);
    c->pack = NULL;
    c->wsum = NULL;
    c->pack_bytes = 0;
}

static int nvec(const gy_qu8_conv *c)
{
    int nr = gy_qu8_igemm_nr(c->qisa);
    return (c->cout_g + nr - 1) / nr;
}

static int nblocks(const gy_qu8_conv *c)
{
    int mx = gy_qu8_igemm_max_nv(c->qisa);
    return (nvec(c) + mx - 1) / mx;
}

/* Bytes of one full block and of one group. */
static size_t block_bytes(const gy_qu8_conv *c)
{
    return (size_t)c->kh * c->kw * (size_t)c->kc * (size_t)c->sets *
           (size_t)gy_qu8_igemm_nr(c->qisa) * (size_t)gy_qu8_igemm_max_nv(c->qisa);
}

static size_t group_bytes(const gy_qu8_conv *c)
{
    return (size_t)c->kh * c->kw * (size_t)c->kc * (size_t)c->sets *
           (size_t)gy_qu8_igemm_nr(c->qisa) * (size_t)nvec(c);
}

/* Can a vpmaddubsw pair of these two weights saturate (with inputs up to 255)? */
static int pair_unsafe(int a, int b)
{
    return ((a > 0 && b > 0) || (a < 0 && b < 0)) && abs(a) + abs(b) > 128;
}

static int w_at(const gy_qu8_conv *c, const int8_t *w, int g, int oc, int ci, int tap)
{
    if (oc >= c->cout_g || ci >= c->cin_g)
        return 0;
    return w[((size_t)(g * c->cout_g + oc) * (size_t)c->cin_g + (size_t)ci) * (size_t)(c->kh * c->kw) +
             (size_t)tap];
}

static int split_half(int v, int set)
{
    int a = v < -64 ? -64 : v > 63 ? 63 : v;
    return set == 0 ? a : v - a;
}

static void pack_igemm(gy_qu8_conv *c, const int8_t *w)
{
    const int nr = gy_qu8_igemm_nr(c->qisa), mx = gy_qu8_igemm_max_nv(c->qisa);
    const int taps = c->kh * c->kw, kc4 = c->kc / 4, nv_all = nvec(c);
    int8_t *dst = c->pack;
    for (int g = 0; g < c->groups; g++)
        for (int b = 0; b < nblocks(c); b++) {
            int ch0 = b * mx * nr, nv = nv_all - b * mx < mx ? nv_all - b * mx : mx;
            for (int tap = 0; tap < taps; tap++)
                for (int k4 = 0; k4 < kc4; k4++)
                    for (int s = 0; s < c->sets; s++)
                        for (int n = 0; n < nv * nr; n++)
                            for (int q = 0; q < 4; q++) {
                                int v = w_at(c, w, g, ch0 + n, 4 * k4 + q, tap);
                                *dst++ = (int8_t)(c->sets == 2 ? split_half(v, s) : v);
                            }
        }
}

static void pack_dw(gy_qu8_conv *c, const int8_t *w)
{
    const int cpad = (c->cout + 15) / 16 * 16, taps = c->kh * c->kw;
    int32_t *dst = (int32_t *)(void *)c->pack;
    for (int t = 0; t < taps; t++)
        for (int ch = 0; ch < cpad; ch++)
            dst[t * cpad + ch] = ch < c->cout ? (int32_t)(uint16_t)(int16_t)w[(size_t)ch * taps + t] : 0;
}

gy_status gy_qu8_conv_pack(gy_qu8_conv *c, const int8_t *w, gy_qisa q, gy_error *err)
{
    gy_qu8_conv_release(c);
    if (c->groups < 1 || c->cin % c->groups || c->cout % c->groups || c->kh < 1 || c->kw < 1 ||
        c->sh < 1 || c->sw < 1 || c->ph < 0 || c->pw < 0)
        return gy_fail(err, GY_ERR_ARGUMENT, "int8 conv: bad geometry");
    if (c->kh * c->kw > MAX_TAPS)
        return gy_fail(err, GY_ERR_UNSUPPORTED, "int8 conv: a %dx%d window has more than %d taps",
                       c->kh, c->kw, MAX_TAPS);
    c->qisa = q;
    c->cin_g = c->cin / c->groups;
    c->cout_g = c->cout / c->groups;
    c->kc = (c->cin_g + 3) / 4 * 4;
    c->depthwise = c->groups > 1 && c->groups == c->cin && c->groups == c->cout;
    c->sets = 1;
    c->winograd = gy_qu8_winograd_eligible(c);
    const int taps = c->kh * c->kw;
    c->wsum = calloc((size_t)c->cout, sizeof *c->wsum);
    if (!c->wsum)
        return gy_fail(err, GY_ERR_NOMEM, "int8 conv: out of memory");
    for (int oc = 0; oc < c->cout; oc++)
        for (size_t k = 0; k < (size_t)c->cin_g * (size_t)taps; k++)
            c->wsum[oc] += w[(size_t)oc * (size_t)c->cin_g * (size_t)taps + k];
    if (c->depthwise) {
        c->pack_bytes = (size_t)taps * (size_t)((c->cout + 15) / 16 * 16) * sizeof(int32_t);
    } else if (c->winograd) {
        c->pack_bytes = gy_qu8_winograd_pack_bytes(c);
    } else {
        if (q == GY_QISA_AVX2)
            for (int g = 0; g < c->groups && c->sets == 1; g++)
                for (int oc = 0; oc < c->cout_g && c->sets == 1; oc++)
                    for (int tap = 0; tap < taps && c->sets == 1; tap++)
                        for (int ci = 0; ci < c->kc; ci += 2)
                            if (pair_unsafe(w_at(c, w, g, oc, ci, tap), w_at(c, w, g, oc, ci + 1, tap)))
                                c->sets = 2;
        c->pack_bytes = group_bytes(c) * (size_t)c->groups;
    }
    c->pack = aligned_alloc(64, (c->pack_bytes + 63) / 64 * 64 + 64);
    if (!c->pack) {
        gy_qu8_conv_release(c);
        return gy_fail(err, GY_ERR_NOMEM, "int8 conv: out of memory for %zu bytes of weights",
                       c->pack_bytes);
    }
    if (c->depthwise)
        pack_dw(c, w);
    else if (c->winograd)
        gy_qu8_winograd_pack(c, w, (int16_t *)(void *)c->pack);
    else
        pack_igemm(c, w);
    return GY_OK;
}

#define DW_CHANNELS 64

size_t gy_qu8_conv2d_tasks(const gy_qu8_conv_run *r)
{
    const gy_qu8_conv *p = r->p;
    if (p->depthwise)
        return (size_t)r->oh * (size_t)((p->cout + DW_CHANNELS - 1) / DW_CHANNELS);
    if (p->winograd)
        return gy_qu8_winograd_tasks(r);
    return (size_t)p->groups * (size_t)nblocks(p) * (size_t)r->oh;
}

size_t gy_qu8_conv2d_scratch_bytes(const gy_qu8_conv *p)
{
    return p->winograd ? gy_qu8_winograd_scratch_bytes(p) : 0;
}

static void dw_task(const gy_qu8_conv_run *r, size_t task)
{
    const gy_qu8_conv *p = r->p;
    gy_qu8_dw_row d = {.r = r, .oy = (int)(task % (size_t)r->oh), .ox0 = 0, .n = r->ow};
    d.c0 = (int)(task / (size_t)r->oh) * DW_CHANNELS;
    d.c1 = d.c0 + DW_CHANNELS < p->cout ? d.c0 + DW_CHANNELS : p->cout;
#if defined(__x86_64__) || defined(__i386__)
    if (p->qisa == GY_QISA_AVX512VNNI) {
        gy_qu8_dwconv_row__avx512(&d);
        return;
    }
    if (p->qisa == GY_QISA_AVX2) {
        gy_qu8_dwconv_row__avx2(&d);
        return;
    }
#endif
    gy_qu8_dwconv_row__generic(&d);
}

void gy_qu8_conv2d_task(const gy_qu8_conv_run *r, size_t task, void *scratch)
{
    const gy_qu8_conv *p = r->p;
    if (p->depthwise) {
        dw_task(r, task);
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    if (p->winograd) { /* packed only for AVX2 */
        gy_qu8_winograd_task__avx2(r, task, scratch);
        return;
    }
#endif
    const int oy = (int)(task % (size_t)r->oh);
    const int nb = nblocks(p), b = (int)(task / (size_t)r->oh % (size_t)nb);
    const int g = (int)(task / (size_t)r->oh / (size_t)nb);
    const int nr = gy_qu8_igemm_nr(p->qisa), mx = gy_qu8_igemm_max_nv(p->qisa);
    const int nv_all = nvec(p), nv = nv_all - b * mx < mx ? nv_all - b * mx : mx;
    const int ch0 = b * mx * nr; /* first channel of the block inside the group */
    const int chg = g * p->cout_g + ch0; /* ... in the output */
    const int mr = gy_qu8_igemm_mr(p->qisa, nv);
    ptrdiff_t tapoff[MAX_TAPS];
    for (int ky = 0; ky < p->kh; ky++)
        for (int kx = 0; kx < p->kw; kx++)
            tapoff[ky * p->kw + kx] = (ptrdiff_t)ky * (ptrdiff_t)r->in.rstride +
                                      (ptrdiff_t)kx * (ptrdiff_t)r->in.pstride;
    gy_qu8_tile t;
    memset(&t, 0, sizeof t);
    t.pstep = (ptrdiff_t)p->sw * (ptrdiff_t)r->in.pstride;
    t.tapoff = tapoff;
    t.ntaps = p->kh * p->kw;
    t.kc = p->kc;
    t.w = p->pack + (size_t)g * group_bytes(p) + (size_t)b * block_bytes(p);
    t.nv = nv;
    t.nvalid = p->cout_g - ch0 < nv * nr ? p->cout_g - ch0 : nv * nr;
    t.sets = p->sets;
    t.mul = r->mul + chg;
    t.add = r->add + chg;
    t.act = r->act;
    if (r->res) {
        t.res_pstride = (ptrdiff_t)r->res->pstride;
        t.res_scale = r->res->scale;
        t.res_zp = r->res->zp;
        t.res_before_act = r->res_before_act;
    }
    if (r->out.data) {
        t.out_pstride = (ptrdiff_t)r->out.pstride;
        t.out_inv_scale = 1.0f / r->out.scale;
        t.out_zp = (float)r->out.zp;
    } else {
        t.outf_plane = (size_t)r->oh * (size_t)r->ow;
    }
    const uint8_t *row = r->in.data + (ptrdiff_t)(oy * p->sh - p->ph) * (ptrdiff_t)r->in.rstride +
                         (ptrdiff_t)g * p->cin_g;
    for (int ox0 = 0; ox0 < r->ow; ox0 += mr) {
        t.mr = r->ow - ox0 < mr ? r->ow - ox0 : mr;
        t.a = row + (ptrdiff_t)(ox0 * p->sw - p->pw) * (ptrdiff_t)r->in.pstride;
        if (r->res)
            t.res = r->res->data + (ptrdiff_t)oy * (ptrdiff_t)r->res->rstride +
                    (ptrdiff_t)ox0 * t.res_pstride + chg;
        if (r->out.data)
            t.out = r->out.data + (ptrdiff_t)oy * (ptrdiff_t)r->out.rstride +
                    (ptrdiff_t)ox0 * t.out_pstride + chg;
        else
            t.outf = r->outf + (size_t)chg * t.outf_plane + (size_t)oy * (size_t)r->ow + (size_t)ox0;
        switch (p->qisa) {
#if defined(__x86_64__) || defined(__i386__)
        case GY_QISA_AVX512VNNI: gy_qu8_igemm_tile__avx512vnni(&t); break;
        case GY_QISA_AVX2: gy_qu8_igemm_tile__avx2(&t); break;
#endif
        default: gy_qu8_igemm_tile__generic(&t); break;
        }
    }
}

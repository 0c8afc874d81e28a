/* f32_conv2d.c - the fast convolution's dispatch (depthwise: f32_dwconv2d.c; 3x3 stride 1:
 * f32_conv2d_winograd.c; dense stride 2 on AVX2 / AVX-512: f32_conv2d_s2_direct.c) and the
 * packed GEMM for every other conv.
 *
 * out[cout][oh*ow] = W[cout][K] x col[K][oh*ow], K = cin/groups * kh * kw, per group. The
 * weights are packed once (gy_conv_pack) into panels of MRP rows, [panel][K][MRP], zero-padded.
 * A task owns one block of up to MC output channels and NC output pixels; for each chunk of at
 * most KC values of K it builds the im2col columns of its pixels straight into panels of NR
 * columns, [panel][kc][NR], in its thread's scratch (1x1 stride-1 convs copy rows of the input,
 * 1x1 stride-2 ones the even columns of every sh-th row, channel by channel, the others gather
 * shifted rows with zero padding), then runs the register tile over every
 * (row panel, column panel) pair. Chunks accumulate in the output; the last one applies bias,
 * residual and activation and stores into the output planes, which may be a channel slice of a
 * concat buffer. The tile is per instruction set: AVX-512 12x32, AVX2 6x16, portable 4x16. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct.h"
#include "kernels/f32-conv/f32_conv2d_grouped.h"
#include "kernels/f32-gemm/f32_conv2d_tile.h"
#include "kernels/f32-im2col/f32_im2col_s2.h"
#include "kernels/f32-vmath/f32_vmath.h"
#include "kernels/kernels.h"
#include "kernels/f32-winograd/winograd.h"

#define NC 256 /* most output pixels per task (multiple of every NR) */
#define KC 256 /* most K values per chunk */
/* most K values per chunk of a 1x1 conv: one chunk for every K of the zoo and YOLOv8 (up to the
 * SPPF's 4096), so that each output tile is loaded and stored once (its B panel then streams
 * from L2, which feeds the tile's two loads per 24 FMAs easily). Measured on Zen 5 against
 * 256: the 20x20 1x1 convs of HS-ResNet 10-15 % faster (2048 -> 1024: 8.8 -> 7.6 ms). */
#define KC_PW 4096
#define MC_UNIT 12 /* task row blocks are multiples of every MRP */
#define MC_MIN 96
#define GY_CONV_TASKS 8 /* tasks wanted per conv: 4 per thread on 2 cores */
#define GEN_MR 4
#define GEN_NR 16

static int is_depthwise(const gy_conv *c)
{
    return c->groups > 1 && c->groups == c->cin && c->cout == c->cin && c->sw <= GY_DW_MAX_STRIDE &&
           c->kh * c->kw <= GY_DW_MAX_TAPS;
}

static int is_pointwise(const gy_conv *c)
{
    return c->kh == 1 && c->kw == 1 && c->sh == 1 && c->sw == 1 && c->ph == 0 && c->pw == 0;
}

/* 1x1 unpadded with horizontal stride 2 (not the direct stride-2 kernel's: gy_s2_direct_eligible):
 * B is a strided copy of the input, every element a read of a line it half uses. */
static int is_pointwise_s2(const gy_conv *c)
{
    return c->kh == 1 && c->kw == 1 && c->sw == 2 && c->ph == 0 && c->pw == 0;
}

static int kc_limit(const gy_conv *c)
{
    return is_pointwise(c) || is_pointwise_s2(c) ? KC_PW : KC;
}

static int isa_mr(int isa)
{
    return isa == GY_ISA_AVX512 ? GY_TILE512_MR : isa == GY_ISA_AVX2 ? GY_TILE256_MR : GEN_MR;
}

static int isa_nr(int isa)
{
    return isa == GY_ISA_AVX512 ? GY_TILE512_NR : isa == GY_ISA_AVX2 ? GY_TILE256_NR : GEN_NR;
}

/* How one conv's GEMM is cut into tasks. */
typedef struct split {
    int K, N, cout_g;
    int kc, nk;       /* chunk length and count (kc * nk >= K) */
    int ncb, nb;      /* pixel blocks: nb blocks of ncb pixels */
    int mb, mc;       /* row blocks: mb blocks of mc rows */
} split;

static void make_split(const gy_conv *c, int oh, int ow, split *s)
{
    s->cout_g = c->cout / c->groups;
    s->K = c->cin / c->groups * c->kh * c->kw;
    s->N = oh * ow;
    s->nk = (s->K + kc_limit(c) - 1) / kc_limit(c);
    s->kc = (s->K + s->nk - 1) / s->nk;
    /* Enough tasks for 2+ threads (up to GY_CONV_TASKS, each above ~2 MFLOP), cut where it costs
     * least: every pixel block re-reads all the weights (M x K from L3), every row block packs
     * its B panels again (N x K gathers, measured ~3x the cost of a weight read; 1x1 convs read
     * B in place and pack almost nothing; 1x1 stride-2 convs pack from memory, a half-used line
     * per element: 10, measured on HS-ResNet's 512 -> 1024 at 80 -> 40 and 1024 -> 2048 at
     * 40 -> 20, 3-10 % faster than 3). Pixel blocks are NC, NC/2 or NC/4; row blocks are
     * multiples of 12 and at least MC_MIN rows. */
    double flops = 2.0 * s->cout_g * (double)s->K * s->N;
    /* compared as a double first: a huge conv's flops / 2e6 is far outside int's range */
    double tasks_wanted = flops / 2e6;
    int want = tasks_wanted >= GY_CONV_TASKS ? GY_CONV_TASKS
                                             : tasks_wanted < 1.0 ? 1 : (int)tasks_wanted;
    int mpanels = (s->cout_g + MC_UNIT - 1) / MC_UNIT;
    int max_mb = s->cout_g / MC_MIN;
    if (max_mb > mpanels)
        max_mb = mpanels;
    if (max_mb < 1)
        max_mb = 1;
    double bcost = is_pointwise(c) ? 0.2 : is_pointwise_s2(c) ? 10.0 : 3.0, best = -1.0;
    int best_nc = NC, best_mb = 1, best_tasks = 0;
    for (int nc = NC; nc >= NC / 4; nc /= 2) {
        int nb = (s->N + nc - 1) / nc;
        for (int mb = 1; mb <= max_mb; mb++) {
            int per = (mpanels + mb - 1) / mb;
            int mbr = (s->cout_g + per * MC_UNIT - 1) / (per * MC_UNIT); /* real row blocks */
            int tasks = nb * mbr;
            double cost = (double)nb * s->cout_g + bcost * mbr * (double)s->N;
            int enough = tasks >= want, best_enough = best_tasks >= want;
            if (best < 0.0 || (enough && !best_enough) || (enough == best_enough &&
                (enough ? cost < best : tasks > best_tasks))) {
                best = cost;
                best_nc = nc;
                best_mb = mb;
                best_tasks = tasks;
            }
        }
    }
    s->ncb = best_nc;
    s->nb = (s->N + best_nc - 1) / best_nc;
    int per = (mpanels + best_mb - 1) / best_mb;
    s->mc = per * MC_UNIT;
    s->mb = (s->cout_g + s->mc - 1) / s->mc;
}

/* A 1x1 conv packs its B panels when its input planes are a multiple of 4 KiB (see the task) and
 * enough rows share them (measured at 160x160: 64 and 96 -> 64 channels 1.16 and 1.09x faster
 * packed, 32 and 48 -> 32 channels 1.21 and 1.22x faster in place). */
static int pointwise_packs(const gy_conv *c, int ih, int iw)
{
    return c->cout / c->groups >= 64 && (size_t)ih * iw * sizeof(float) % 4096 == 0;
}

int gy_f32_conv2d_kc(const gy_conv *c)
{
    int K = c->cin / c->groups * c->kh * c->kw, nk = (K + kc_limit(c) - 1) / kc_limit(c);
    return (K + nk - 1) / nk;
}

size_t gy_f32_conv2d_scratch_floats(const gy_conv *c, int oh, int ow)
{
    if (is_depthwise(c))
        return gy_f32_dwconv2d_scratch_floats(c, oh, ow);
    if (gy_grouped_eligible(c, c->isa))
        return gy_grouped_scratch_floats(c, oh, ow);
    if (gy_winograd_eligible(c))
        return gy_winograd_scratch_floats(c, oh, ow);
    if (gy_s2_direct_eligible(c, c->isa))
        return gy_s2_direct_scratch_floats(c, oh, ow);
    split s;
    make_split(c, oh, ow, &s);
    size_t cols = (size_t)(s.N < s.ncb ? (s.N + 31) / 32 * 32 : s.ncb);
    if (is_pointwise(c) && !pointwise_packs(c, oh, ow))
        cols = 32; /* B read in place: only a last partial panel is packed */
    return (size_t)s.kc * cols + 16 * (cols / 16 + 1); /* + the panels' skew */
}

size_t gy_conv_packed_bytes(const gy_conv *c)
{
    return c->wpack_floats * sizeof(float);
}

gy_status gy_conv_pack(gy_conv *c, gy_isa isa, gy_error *err)
{
    return gy_conv_pack_tuned(c, isa, isa == GY_ISA_AVX512 ? GY_TUNE_FULL512 : GY_TUNE_BASE, err);
}

gy_status gy_conv_pack_tuned(gy_conv *c, gy_isa isa, gy_tune tune, gy_error *err)
{
    free(c->wpack);
    c->wpack = NULL;
    c->wpack_floats = 0;
    c->isa = (int)isa;
    c->tune = (int)tune;
    if (is_depthwise(c) || !c->w)
        return GY_OK; /* the depthwise kernel reads the weights as they are */
    if (gy_grouped_eligible(c, (int)isa))
        return gy_grouped_pack(c, isa, err);
    if (gy_winograd_eligible(c))
        return gy_winograd_pack(c, isa, err);
    if (gy_s2_direct_eligible(c, (int)isa))
        return gy_s2_direct_pack(c, isa, err);
    int mr = isa_mr(isa), groups = c->groups;
    int cout_g = c->cout / groups, K = c->cin / groups * c->kh * c->kw;
    size_t panels = (size_t)(cout_g + mr - 1) / mr;
    size_t n = (size_t)groups * panels * (size_t)K * (size_t)mr;
    float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    if (!p)
        return gy_fail(err, GY_ERR_NOMEM, "packing the weights of %s: out of memory (%zu floats)",
                       c->wname, n);
    for (int g = 0; g < groups; g++)
        for (size_t pn = 0; pn < panels; pn++) {
            float *dst = p + ((size_t)g * panels + pn) * (size_t)K * mr;
            for (int k = 0; k < K; k++)
                for (int i = 0; i < mr; i++) {
                    size_t row = pn * (size_t)mr + (size_t)i;
                    dst[(size_t)k * mr + i] =
                        row < (size_t)cout_g ? c->w[((size_t)g * cout_g + row) * K + k] : 0.0f;
                }
        }
    c->wpack = p;
    c->wpack_floats = n;
    return GY_OK;
}

size_t gy_f32_conv2d_tasks(const gy_conv_run *r)
{
    if (is_depthwise(r->p))
        return gy_f32_dwconv2d_tasks(r);
    if (gy_grouped_eligible(r->p, r->p->isa))
        return gy_grouped_tasks(r);
    if (gy_winograd_eligible(r->p))
        return gy_winograd_tasks(r);
    if (gy_s2_direct_eligible(r->p, r->p->isa))
        return gy_s2_direct_tasks(r);
    split s;
    make_split(r->p, r->oh, r->ow, &s);
    return (size_t)r->p->groups * s.mb * s.nb;
}

/* line[0, n1 - n0) = row k of the im2col matrix (k -> ci, ky, kx) over output pixels [n0, n1). */
static inline __attribute__((always_inline)) void
im2col_line(const gy_conv_run *r, int grp, int k, int n0, int n1, float *line)
{
    const gy_conv *c = r->p;
    int kx = k % c->kw, ky = (k / c->kw) % c->kh, ci = k / (c->kw * c->kh);
    const float *plane = r->in + (size_t)(grp * (c->cin / c->groups) + ci) * r->ih * r->iw;
    int oy = n0 / r->ow, ox = n0 % r->ow, sw = c->sw;
    /* ix = ox * sw + off is inside [0, iw) for ox in [xlo, xhi) */
    int off = kx - c->pw;
    int xlo = off >= 0 ? 0 : (-off + sw - 1) / sw;
    int xhi = r->iw - off > 0 ? (r->iw - off + sw - 1) / sw : 0;
    if (xhi > r->ow)
        xhi = r->ow;
    if (xlo > xhi)
        xlo = xhi;
    for (int n = n0; n < n1; oy++, ox = 0) {
        int len = r->ow - ox < n1 - n ? r->ow - ox : n1 - n;
        float *d = line + (n - n0);
        int iy = oy * c->sh - c->ph + ky;
        n += len;
        if (iy < 0 || iy >= r->ih) {
            memset(d, 0, sizeof *d * (size_t)len);
            continue;
        }
        const float *src = plane + (size_t)iy * r->iw;
        int a = xlo > ox ? xlo : ox, b = xhi < ox + len ? xhi : ox + len;
        if (a > ox + len) /* the whole run in the left padding (padding wider than the filter) */
            a = ox + len;
        if (b < a)
            b = a;
        for (int x = ox; x < a; x++)
            d[x - ox] = 0.0f;
        if (sw == 1) {
            if (b > a)
                memcpy(d + (a - ox), src + a + off, sizeof *d * (size_t)(b - a));
        } else if (sw == 2) {
            for (int x = a; x < b; x++)
                d[x - ox] = src[2 * x + off];
        } else {
            for (int x = a; x < b; x++)
                d[x - ox] = src[x * sw + off];
        }
        for (int x = b; x < ox + len; x++)
            d[x - ox] = 0.0f;
    }
}

/* B panels for K values [k0, k0 + kc) and pixels [n0, n1): dst[panel][kc][nr]. Compiled once
 * per instruction set below, so that the gathers vectorise with the widest vectors. */
static inline __attribute__((always_inline)) void pack_b(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1, int nr,
                   float *dst)
{
    const gy_conv *c = r->p;
    int cols = n1 - n0, npan = (cols + nr - 1) / nr;
    float line[NC];
    size_t plane = (size_t)r->ih * r->iw;
    int pw = is_pointwise(c);
    for (int k = 0; k < kc; k++) {
        const float *src;
        if (pw) {
            src = r->in + (size_t)(grp * (c->cin / c->groups) + k0 + k) * plane + n0;
        } else {
            im2col_line(r, grp, k0 + k, n0, n1, line);
            src = line;
        }
        for (int p = 0; p < npan; p++) {
            float *d = dst + (size_t)p * gy_panel_stride(kc, nr) + (size_t)k * nr;
            int w = cols - p * nr;
            if (w >= nr) { /* nr is a constant in each instance: an inline vector copy */
                memcpy(d, src + p * nr, sizeof *d * (size_t)nr);
                continue;
            }
            memcpy(d, src + p * nr, sizeof *d * (size_t)w);
            memset(d + w, 0, sizeof *d * (size_t)(nr - w));
        }
    }
}

static void pack_b_generic(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1, int nr,
                           float *dst)
{
    (void)nr;
    pack_b(r, grp, k0, kc, n0, n1, GEN_NR, dst);
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) static void
pack_b_avx2(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1, int nr, float *dst)
{
    (void)nr;
    if (r->p->sw == 2) {
        gy_f32_im2col_s2__avx2(r, grp, k0, kc, n0, n1, dst);
        return;
    }
    pack_b(r, grp, k0, kc, n0, n1, GY_TILE256_NR, dst);
}

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) static void
pack_b_avx512(const gy_conv_run *r, int grp, int k0, int kc, int n0, int n1, int nr, float *dst)
{
    (void)nr;
    if (r->p->sw == 2) {
        gy_f32_im2col_s2__avx512(r, grp, k0, kc, n0, n1, dst);
        return;
    }
    pack_b(r, grp, k0, kc, n0, n1, GY_TILE512_NR, dst);
}
#else
#define pack_b_avx2 pack_b_generic
#define pack_b_avx512 pack_b_generic
#endif

/* The portable tile: GEN_MR x GEN_NR in a block the compiler vectorises. */
static void tile_generic(int kc, const float *a, const float *b, const gy_tile *t)
{
    float acc[GEN_MR][GEN_NR];
    memset(acc, 0, sizeof acc);
    size_t ldb = t->ldb ? t->ldb : GEN_NR;
    for (int k = 0; k < kc; k++) {
        for (int i = 0; i < GEN_MR; i++)
            for (int j = 0; j < GEN_NR; j++)
                acc[i][j] += a[i] * b[j];
        a += GEN_MR;
        b += ldb;
    }
    for (int i = 0; i < t->rows; i++) {
        float *dst = t->c + (size_t)i * t->ldc;
        const float *res = t->res ? t->res + (size_t)i * t->ldc : NULL;
        float bias = t->bias ? t->bias[i] : 0.0f;
        for (int j = 0; j < t->cols; j++) {
            float v = acc[i][j] + (t->first ? 0.0f : dst[j]);
            if (t->last) {
                v += bias;
                if (res && t->res_before_act)
                    v += res[j];
                v = gy_act_apply(t->act, v);
                if (res && !t->res_before_act)
                    v += res[j];
            }
            dst[j] = v;
        }
    }
}

void gy_f32_conv2d_task(const gy_conv_run *r, size_t task, float *scratch)
{
    const gy_conv *c = r->p;
    if (is_depthwise(c)) {
        gy_f32_dwconv2d_task(r, task, scratch);
        return;
    }
    if (gy_grouped_eligible(c, c->isa)) {
        gy_grouped_task(r, task, scratch);
        return;
    }
    if (gy_winograd_eligible(c)) {
        gy_winograd_task(r, task, scratch);
        return;
    }
    if (gy_s2_direct_eligible(c, c->isa)) {
        gy_s2_direct_task(r, task, scratch);
        return;
    }
    split s;
    make_split(c, r->oh, r->ow, &s);
    int per_grp = s.mb * s.nb;
    int grp = (int)(task / (size_t)per_grp), rem = (int)(task % (size_t)per_grp);
    int m0 = rem / s.nb * s.mc, n0 = rem % s.nb * s.ncb;
    int m1 = m0 + s.mc < s.cout_g ? m0 + s.mc : s.cout_g, n1 = n0 + s.ncb < s.N ? n0 + s.ncb : s.N;
    gy_isa isa = (gy_isa)c->isa;
    int mr = isa_mr(isa), nr = isa_nr(isa);
    size_t panels = (size_t)(s.cout_g + mr - 1) / mr;
#if defined(__x86_64__) || defined(__i386__)
    if (isa == GY_ISA_AVX512 && is_pointwise(c) && s.N == 1) { /* a 1x1 map: one column */
        size_t ch = (size_t)grp * s.cout_g + (size_t)m0;
        gy_gemv g = {.K = s.K, .kc = s.kc, .rows = m1 - m0,
                     .a = c->wpack + (size_t)grp * panels * (size_t)s.K * mr + (size_t)(m0 / mr) * s.K * mr,
                     .x = r->in + (size_t)grp * (size_t)s.K, .bias = c->b ? c->b + ch : NULL,
                     .res = r->res ? r->res + ch : NULL, .out = r->out + ch,
                     .res_before_act = r->res_before_act, .act = r->act};
        gy_f32_gemv__avx512(&g);
        return;
    }
#endif
    void (*tile)(int, const float *, const float *, const gy_tile *) =
        isa == GY_ISA_AVX512 ? gy_f32_conv_tile__avx512
        : isa == GY_ISA_AVX2 ? gy_f32_conv_tile__avx2 : tile_generic;
    void (*pack)(const gy_conv_run *, int, int, int, int, int, int, float *) =
        isa == GY_ISA_AVX512 ? pack_b_avx512 : isa == GY_ISA_AVX2 ? pack_b_avx2 : pack_b_generic;
    const float *wg = c->wpack + (size_t)grp * panels * (size_t)s.K * mr;
    int npan = (n1 - n0 + nr - 1) / nr;
    size_t ch0 = (size_t)grp * s.cout_g;
    /* 1x1 stride-1 convs read full column panels straight from the input planes (B row k is
     * input channel k); only a last partial panel is packed (zero-padded). Except on planes whose
     * size is a multiple of 4 KiB with 64 output channels or more: there every row of a column
     * panel falls in the same L1 sets, so the panels are packed, and each row panel runs over all
     * of them in turn (its output rows are then written as sequential streams, not 12 lines of
     * one set per tile). */
    int direct = is_pointwise(c) && !pointwise_packs(c, r->ih, r->iw);
    int mouter = is_pointwise(c) && !direct;
    size_t plane = (size_t)r->ih * r->iw;
    const float *in_g = r->in + (size_t)grp * (size_t)(c->cin / c->groups) * plane;
    int full = direct ? (n1 - n0) / nr : 0;
    int nm = (m1 - m0 + mr - 1) / mr;
    for (int k0 = 0; k0 < s.K; k0 += s.kc) {
        int kc = s.K - k0 < s.kc ? s.K - k0 : s.kc;
        if (!direct)
            pack(r, grp, k0, kc, n0, n1, nr, scratch);
        else if (full < npan)
            pack(r, grp, k0, kc, n0 + full * nr, n1, nr, scratch);
        for (int it = 0; it < npan * nm; it++) {
            int p = mouter ? it % npan : it / nm, m = m0 + mr * (mouter ? it / npan : it % nm);
            int n = n0 + p * nr;
            const float *b = scratch + (size_t)p * gy_panel_stride(kc, nr);
            size_t ldb = 0;
            if (p < full) {
                b = in_g + (size_t)k0 * plane + (size_t)n;
                ldb = plane;
            } else if (direct) {
                b = scratch;
            }
            const float *a = wg + (size_t)(m / mr) * s.K * mr + (size_t)k0 * mr;
            size_t ch = ch0 + (size_t)m;
            gy_tile t = {.ldc = (size_t)s.N, .rows = m1 - m < mr ? m1 - m : mr,
                         .first = k0 == 0, .last = k0 + kc >= s.K,
                         .bias = c->b ? c->b + ch : NULL,
                         .res_before_act = r->res_before_act, .act = r->act, .ldb = ldb};
            t.c = r->out + ch * (size_t)s.N + (size_t)n;
            t.res = r->res ? r->res + ch * (size_t)s.N + (size_t)n : NULL;
            t.cols = n1 - n < nr ? n1 - n : nr;
            if (ldb && m == m0) {
                /* the first row panel reads its B rows from L3 or memory: it prefetches the
                 * next column panel's (or the next pixel block's first) for the others */
                int nx = p + 1 < full ? n + nr : n1;
                if (nx + nr <= s.N)
                    t.pf = in_g + (size_t)k0 * plane + (size_t)nx;
            }
            /* the first tile of a row panel (in this K chunk) prefetches the next row panel's
             * weights, which come from memory on their first use in the forward pass */
            if (p == 0 && m + mr < m1)
                t.pfa = a + (size_t)s.K * mr;
            tile(kc, a, b, &t);
        }
    }
}

void gy_f32_conv2d_serial(const gy_conv_run *r, float *scratch)
{
    size_t n = gy_f32_conv2d_tasks(r);
    for (size_t t = 0; t < n; t++)
        gy_f32_conv2d_task(r, t, scratch);
}

void gy_f32_conv2d_pointwise_rows(const gy_conv *c, int m0, int m1, const float *b, size_t ldb,
                                  int n, float *out, const float *res, size_t ldc,
                                  int res_before_act, gy_act act)
{
    gy_isa isa = (gy_isa)c->isa;
    int mr = isa_mr(isa), nr = isa_nr(isa), K = c->cin, kcs = gy_f32_conv2d_kc(c);
    void (*tile)(int, const float *, const float *, const gy_tile *) =
        isa == GY_ISA_AVX512 ? gy_f32_conv_tile__avx512
        : isa == GY_ISA_AVX2 ? gy_f32_conv_tile__avx2 : tile_generic;
    for (int k0 = 0; k0 < K; k0 += kcs) {
        int kc = K - k0 < kcs ? K - k0 : kcs;
        for (int x = 0; x < n; x += nr) /* a column panel of B stays in L1 for every row panel */
            for (int m = m0; m < m1; m += mr) {
                size_t at = (size_t)(m - m0) * ldc + (size_t)x;
                gy_tile t = {.c = out + at, .ldc = ldc, .rows = m1 - m < mr ? m1 - m : mr,
                             .cols = n - x < nr ? n - x : nr, .first = k0 == 0,
                             .last = k0 + kc >= K, .bias = c->b ? c->b + m : NULL,
                             .res = res ? res + at : NULL, .res_before_act = res_before_act,
                             .act = act, .ldb = ldb};
                tile(kc, c->wpack + (size_t)m * K + (size_t)k0 * mr, b + (size_t)k0 * ldb + x, &t);
            }
    }
}

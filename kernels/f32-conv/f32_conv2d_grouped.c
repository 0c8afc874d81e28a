/* f32_conv2d_grouped.c - grouped convolutions (1 < groups < channels) as `groups` dense convs.
 *
 * Group g of a grouped conv reads input channels [g * cin_g, (g + 1) * cin_g) and writes output
 * channels [g * cout_g, (g + 1) * cout_g); in NCHW both are contiguous runs of planes, so the
 * group is exactly a dense conv (groups 1) on those planes. When that dense conv takes a faster
 * kernel than the grouped GEMM (Winograd F(4x4, 3x3) for 3x3 stride 1, the direct stride-2 kernel
 * on AVX2 / AVX-512), each group runs as one: its weights are packed by that kernel, one block per
 * group in c->wpack, and its tasks are the dense kernel's tasks on the group's view (the conv's
 * parameters with cin_g, cout_g, groups 1, its weight, bias and packed block; the run's input,
 * output and residual moved to the group's planes). G-GhostNet's grouped 3x3 convs (group width
 * 48) are such convs. Other grouped convs (grouped 1x1, narrow groups) keep the per-group GEMM of
 * f32_conv2d.c. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "kernels/f32-conv-s2/f32_conv2d_s2_direct.h"
#include "kernels/f32-conv/f32_conv2d_grouped.h"
#include "kernels/f32-winograd/winograd.h"

#define S2_MIN_COUT 16 /* narrower groups waste most lanes of the direct tile's channel blocks */

/* The dense conv of group g (no packed weights). */
static void group_view(const gy_conv *c, int g, gy_conv *v)
{
    *v = *c;
    int cin_g = c->cin / c->groups, cout_g = c->cout / c->groups;
    v->cin = cin_g;
    v->cout = cout_g;
    v->groups = 1;
    v->w = c->w ? c->w + (size_t)g * cout_g * cin_g * c->kh * c->kw : NULL;
    v->b = c->b ? c->b + (size_t)g * cout_g : NULL;
    v->wpack = NULL;
    v->wpack_floats = 0;
}

typedef enum view_kind { VIEW_NONE, VIEW_WINOGRAD, VIEW_S2 } view_kind;

static view_kind kind_of(const gy_conv *c, int isa)
{
    if (c->groups <= 1 || c->groups == c->cin || c->cin % c->groups || c->cout % c->groups)
        return VIEW_NONE;
    gy_conv v;
    group_view(c, 0, &v);
    if (gy_winograd_eligible(&v))
        return VIEW_WINOGRAD;
    if (gy_s2_direct_eligible(&v, isa) && v.cout >= S2_MIN_COUT)
        return VIEW_S2;
    return VIEW_NONE;
}

int gy_grouped_eligible(const gy_conv *c, int isa)
{
    return kind_of(c, isa) != VIEW_NONE;
}

/* Floats between two groups' packed blocks: the block rounded up to a cache line. */
static size_t group_stride(const gy_conv *c)
{
    return c->wpack_floats / (size_t)c->groups;
}

gy_status gy_grouped_pack(gy_conv *c, gy_isa isa, gy_error *err)
{
    view_kind k = kind_of(c, (int)isa);
    float *all = NULL;
    size_t stride = 0;
    for (int g = 0; g < c->groups; g++) {
        gy_conv v;
        group_view(c, g, &v);
        v.isa = (int)isa;
        gy_status st = k == VIEW_WINOGRAD ? gy_winograd_pack(&v, isa, err)
                                          : gy_s2_direct_pack(&v, isa, err);
        if (st != GY_OK) {
            free(all);
            return st;
        }
        if (!all) {
            stride = (v.wpack_floats + 15) / 16 * 16;
            all = aligned_alloc(64, stride * (size_t)c->groups * sizeof(float));
            if (!all) {
                free(v.wpack);
                return gy_fail(err, GY_ERR_NOMEM,
                               "packing the weights of %s: out of memory (%zu floats)", c->wname,
                               stride * (size_t)c->groups);
            }
        }
        memcpy(all + (size_t)g * stride, v.wpack, v.wpack_floats * sizeof(float));
        memset(all + (size_t)g * stride + v.wpack_floats, 0,
               (stride - v.wpack_floats) * sizeof(float));
        free(v.wpack);
    }
    c->wpack = all;
    c->wpack_floats = stride * (size_t)c->groups;
    c->isa = (int)isa;
    return GY_OK;
}

size_t gy_grouped_scratch_floats(const gy_conv *c, int oh, int ow)
{
    gy_conv v;
    group_view(c, 0, &v);
    return kind_of(c, c->isa) == VIEW_WINOGRAD ? gy_winograd_scratch_floats(&v, oh, ow)
                                               : gy_s2_direct_scratch_floats(&v, oh, ow);
}

int gy_grouped_s2(const gy_conv *c, int isa)
{
    return kind_of(c, isa) == VIEW_S2;
}

void gy_grouped_view(const gy_conv *c, int g, gy_conv *v)
{
    group_view(c, g, v);
    v->wpack = c->wpack + (size_t)g * group_stride(c);
    v->wpack_floats = group_stride(c);
}

/* The run of group g on its view v. */
static void group_run(const gy_conv_run *r, int g, gy_conv *v, gy_conv_run *rv)
{
    const gy_conv *c = r->p;
    gy_grouped_view(c, g, v);
    *rv = *r;
    rv->p = v;
    rv->threads = (r->threads + c->groups - 1) / c->groups; /* the groups are tasks already */
    size_t in_plane = (size_t)r->ih * r->iw, out_plane = (size_t)r->oh * r->ow;
    rv->in = r->in ? r->in + (size_t)g * v->cin * in_plane : NULL;
    rv->out = r->out ? r->out + (size_t)g * v->cout * out_plane : NULL;
    rv->res = r->res ? r->res + (size_t)g * v->cout * out_plane : NULL;
}

static size_t tasks_per_group(const gy_conv_run *r, view_kind k)
{
    gy_conv v;
    gy_conv_run rv;
    group_run(r, 0, &v, &rv);
    return k == VIEW_WINOGRAD ? gy_winograd_tasks(&rv) : gy_s2_direct_tasks(&rv);
}

size_t gy_grouped_tasks(const gy_conv_run *r)
{
    return (size_t)r->p->groups * tasks_per_group(r, kind_of(r->p, r->p->isa));
}

void gy_grouped_task(const gy_conv_run *r, size_t task, float *scratch)
{
    view_kind k = kind_of(r->p, r->p->isa);
    size_t per = tasks_per_group(r, k);
    gy_conv v;
    gy_conv_run rv;
    group_run(r, (int)(task / per), &v, &rv);
    if (k == VIEW_WINOGRAD)
        gy_winograd_task(&rv, task % per, scratch);
    else
        gy_s2_direct_task(&rv, task % per, scratch);
}

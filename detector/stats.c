/* stats.c - layers, parameters and FLOPs as ultralytics' model.info() reports them.
 *
 * layers: torch modules (DetectionModel, its Sequential, the shared default SiLU once, and what
 *   each builder recorded). params: conv weights, conv biases, BatchNorm weight and bias; after
 *   fuse() an ultralytics Conv has weight + bias and no BatchNorm.
 * FLOPs (thop 0.1.1 rules): Conv2d = output elements x (cin / groups) x kh x kw (no bias);
 *   BatchNorm2d = 4 per element (affine); nearest Upsample = 1 per output element; Detect's DFL
 *   Conv2d = 4 x anchors x reg_max (it runs in the probe); nn.AvgPool2d = 1 per output element;
 *   nn.AdaptiveAvgPool2d(1) = (input plane + 1) per output element; max pools, activations and
 *   functional ops (F.avg_pool2d, F.interpolate, adds, products, shuffles) = 0;
 *   GFLOPs = 2 x ops / 1e9. */
#include "detector/stats.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "runtime/plan.h"

gy_status gy_model_row_numbers(const gy_model *m, int h, int w, gy_row_numbers *rows,
                               gy_plan *keep, gy_error *err)
{
    const gy_graph *g = &m->graph;
    gy_plan p;
    gy_status st = gy_plan_make(g, h, w, &p, err);
    if (st != GY_OK)
        return st;
    for (int r = 0; r < m->nrows; r++) {
        const gy_row_stats *rs = &m->rows[r];
        gy_row_numbers *n = &rows[r];
        memset(n, 0, sizeof *n);
        n->modules_unfused = rs->modules_unfused;
        n->modules_fused = rs->modules_fused;
        for (int c = rs->first_conv; c < rs->end_conv; c++) {
            n->params_unfused += gy_conv_params(&g->convs[c], 0);
            n->params_fused += gy_conv_params(&g->convs[c], 1);
        }
        for (int i = rs->first_op; i < rs->end_op; i++) {
            const gy_op *op = &g->ops[i];
            double out_elems = (double)g->tensors[op->out].c * p.th[op->out] * p.tw[op->out];
            if (op->type == GY_OP_CONV) {
                const gy_conv *c = &g->convs[op->conv];
                double macs = out_elems * (c->cin / c->groups) * c->kh * c->kw;
                double bn = c->unfused_bn_flops ? 4.0 * out_elems : 0.0;
                n->ops_unfused += macs + bn;
                n->ops_fused += macs + (c->fusable ? 0.0 : bn);
            } else if (op->type == GY_OP_DETECT) {
                /* DFL's Conv2d(reg_max, 1, 1): output (1, 1, 4, anchors), reg_max MACs each */
                double dfl = 4.0 * p.anchors * op->reg_max;
                n->ops_unfused += dfl;
                n->ops_fused += dfl;
            } else if ((op->type == GY_OP_UPSAMPLE && op->scale > 0) ||
                       (op->type == GY_OP_AVGPOOL && op->pool_module)) {
                n->ops_unfused += out_elems;
                n->ops_fused += out_elems;
            } else if (op->type == GY_OP_GAP) {
                /* nn.AdaptiveAvgPool2d(1): (kernel adds + 1 division) per output element */
                double gap = ((double)p.th[op->in[0]] * p.tw[op->in[0]] + 1.0) * out_elems;
                n->ops_unfused += gap;
                n->ops_fused += gap;
            }
        }
        n->out_c = g->tensors[rs->out].c;
        n->out_h = p.th[rs->out];
        n->out_w = p.tw[rs->out];
    }
    if (keep)
        *keep = p;
    else
        gy_plan_free(&p);
    return GY_OK;
}

gy_status gy_model_summary_ex(const gy_model *m, int fused, int imgsz, gy_model_summary *out,
                              int *probe_failed, gy_error *err)
{
    if (!m || !out || imgsz <= 0 || imgsz % 32)
        return gy_fail(err, GY_ERR_ARGUMENT, "model summary: bad arguments (imgsz %d)", imgsz);
    int probe = gy_model_stride(m); /* get_flops(): a stride x stride input */
    gy_row_numbers *rows = calloc((size_t)m->nrows, sizeof *rows);
    if (!rows)
        return gy_fail(err, GY_ERR_NOMEM, "out of memory");
    double scale = ((double)imgsz / probe) * ((double)imgsz / probe);
    gy_status st = gy_model_row_numbers(m, probe, probe, rows, NULL, NULL);
    if (probe_failed)
        *probe_failed = st != GY_OK;
    if (st != GY_OK) { /* the probe is too small for this model: count at imgsz directly */
        scale = 1.0;
        st = gy_model_row_numbers(m, imgsz, imgsz, rows, NULL, err);
    }
    if (st != GY_OK) {
        free(rows);
        return st;
    }
    memset(out, 0, sizeof *out);
    out->layers = 2 + m->graph.default_act; /* DetectionModel, its Sequential, shared SiLU */
    double ops = 0.0;
    for (int r = 0; r < m->nrows; r++) {
        out->layers += fused ? rows[r].modules_fused : rows[r].modules_unfused;
        out->params += fused ? rows[r].params_fused : rows[r].params_unfused;
        ops += fused ? rows[r].ops_fused : rows[r].ops_unfused;
    }
    long long fixed = 0;
    for (int c = 0; c < m->graph.nconvs; c++)
        if (m->graph.convs[c].fixed)
            fixed += gy_conv_params(&m->graph.convs[c], fused);
    out->gradients = out->params - fixed;
    out->gflops = ops * 2.0 / 1e9 * scale;
    free(rows);
    return GY_OK;
}

gy_status gy_model_get_summary(const gy_model *m, int fused, int imgsz, gy_model_summary *out,
                               gy_error *err)
{
    return gy_model_summary_ex(m, fused, imgsz, out, NULL, err);
}

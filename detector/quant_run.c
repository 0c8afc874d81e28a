/* quant_run.c - running the quantizer's configurations (quant_ctx.h): calibration images
 * letterboxed as gy_detect does, a configuration planned and bound per input size, the
 * calibration passes, the error of a configuration's Detect output against the float model's. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/quant_ctx.h"
#include "preprocess/letterbox.h"

void gy_quant_report(const qctx *c, const char *fmt, ...)
{
    if (!c->p->report)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->p->report(c->p->user, line);
}

void gy_quant_progress(const qctx *c, const char *phase, int done, int total)
{
    if (c->p->progress)
        c->p->progress(c->p->user, phase, done, total);
}

gy_status gy_quant_load_input(const qctx *c, int i, image_in *in, gy_error *err)
{
    gy_image *img = NULL;
    gy_status st = gy_image_load(c->ds->images[i], &img, err);
    if (st != GY_OK)
        return st;
    gy_letterbox lb;
    st = gy_letterbox_compute_hw(img->width, img->height, c->p->imgsz, c->p->imgsz,
                                 gy_model_stride(c->m), 0, &lb, err);
    if (st == GY_OK) {
        in->h = lb.out_h;
        in->w = lb.out_w;
        in->x = malloc(sizeof *in->x * 3 * (size_t)lb.out_h * (size_t)lb.out_w);
        if (!in->x)
            st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", c->ds->images[i]);
        else
            st = gy_letterbox_image(img, &lb, in->x, err);
    }
    gy_image_free(img);
    if (st != GY_OK) {
        free(in->x);
        in->x = NULL;
        gy_error_prefix(err, "%s", c->ds->images[i]);
    }
    return st;
}

/* ---- Running a configuration ------------------------------------------------------------------ */


void gy_qexec_free(qexec *x)
{
    gy_qrun_unbind(x->work);
    gy_qplan_free(&x->plan);
    free(x->arena);
    free(x->scratch);
    memset(x, 0, sizeof *x);
}

gy_status gy_qexec_run(qexec *x, const qctx *c, const gy_qgraph *q, const image_in *in,
                           int keep_all, gy_error *err)
{
    const gy_graph *g = &c->m->graph;
    if (!x->ok || x->h != in->h || x->w != in->w) {
        gy_qexec_free(x);
        gy_status st = gy_qplan_make(g, q, in->h, in->w, keep_all, &x->plan, err);
        if (st != GY_OK)
            return st;
        x->arena = aligned_alloc(64, (x->plan.arena_bytes + 63) / 64 * 64 + 64);
        x->scratch = aligned_alloc(64, (x->plan.scratch_floats * sizeof(float) * (size_t)c->nthreads + 63) / 64 * 64 + 64);
        if (!x->arena || !x->scratch) {
            gy_qexec_free(x);
            return gy_fail(err, GY_ERR_NOMEM, "out of memory for the activations of a %dx%d input",
                           in->h, in->w);
        }
        if ((st = gy_qrun_bind(g, q, &x->plan, x->arena, c->m->isa, &x->work, err)) != GY_OK) {
            gy_qexec_free(x);
            return st;
        }
        x->h = in->h;
        x->w = in->w;
        x->ok = 1;
    }
    gy_qview v = {x->plan.in_buf, 0, 3};
    memcpy(gy_qplan_floats(&x->plan, x->arena, v), in->x, sizeof(float) * 3 * (size_t)in->h * (size_t)in->w);
    gy_qrun_args a = {.plan = &x->plan, .work = x->work, .scratch = x->scratch,
                      .nthreads = c->nthreads};
    gy_qrun(&a);
    return GY_OK;
}

const float *gy_qexec_output(const qexec *x)
{
    gy_qview v = {x->plan.out_buf, 0, 0};
    return gy_qplan_floats(&x->plan, x->arena, v);
}

/* ---- Calibration ------------------------------------------------------------------------------ */

/* Passes over the calibration images of the all-float run: 0 min/max, 1 histograms. */
gy_status gy_quant_calibrate(qctx *c, const gy_qgraph *fq, const int *needs, gy_qstat *stats,
                           gy_error *err)
{
    const gy_graph *g = &c->m->graph;
    int *buf_of = malloc(sizeof *buf_of * (size_t)(g->nstorages + 1));
    if (!buf_of)
        return gy_fail(err, GY_ERR_NOMEM, "out of memory");
    gy_status st = GY_OK;
    for (int pass = 0; pass < 2 && st == GY_OK; pass++) {
        if (pass == 1)
            for (int r = 0; r < g->nstorages && st == GY_OK; r++)
                if (needs[r] && r != c->in_root && !gy_qstat_hist_begin(&stats[r]))
                    st = gy_fail(err, GY_ERR_NOMEM, "out of memory for histograms");
        qexec x;
        memset(&x, 0, sizeof x);
        for (int i = 0; i < c->nimg && st == GY_OK; i++) {
            image_in in = {0};
            if ((st = gy_quant_load_input(c, i, &in, err)) != GY_OK ||
                (st = gy_qexec_run(&x, c, fq, &in, 1, err)) != GY_OK) {
                free(in.x);
                break;
            }
            for (int r = 0; r < g->nstorages; r++)
                buf_of[r] = -1;
            for (int b = 0; b < x.plan.nbufs; b++)
                if (x.plan.bufs[b].storage >= 0)
                    buf_of[x.plan.bufs[b].storage] = b;
#pragma omp parallel for num_threads(c->nthreads) schedule(dynamic)
            for (int r = 0; r < g->nstorages; r++) {
                if (!needs[r] || buf_of[r] < 0)
                    continue;
                const gy_qbuf *u = &x.plan.bufs[buf_of[r]];
                gy_qview v = {buf_of[r], 0, u->c};
                const float *d = gy_qplan_floats(&x.plan, x.arena, v);
                size_t plane = (size_t)u->h * (size_t)u->w, n = (size_t)u->c * plane;
                if (pass == 0 && c->mean_f[r])
                    for (int ch = 0; ch < u->c; ch++) {
                        double sum = 0.0;
                        for (size_t k = 0; k < plane; k++)
                            sum += d[(size_t)ch * plane + k];
                        c->mean_f[r][ch] += sum / (double)plane / c->nimg;
                    }
                if (r == c->in_root)
                    continue;
                if (pass == 0)
                    gy_qstat_minmax(&stats[r], d, n);
                else
                    gy_qstat_hist(&stats[r], d, n);
            }
            if (pass == 1 && i < c->nsens) { /* keep the sensitivity images and outputs */
                size_t n = (size_t)g->tensors[g->output].c * (size_t)x.plan.shapes.anchors;
                c->ref[i] = malloc(sizeof(float) * (n ? n : 1));
                if (!c->ref[i]) {
                    free(in.x);
                    st = gy_fail(err, GY_ERR_NOMEM, "out of memory");
                    break;
                }
                memcpy(c->ref[i], gy_qexec_output(&x), sizeof(float) * n);
                c->sens_in[i] = in;
            } else {
                free(in.x);
            }
            gy_quant_progress(c, pass == 0 ? "calibrate" : "histogram", i + 1, c->nimg);
        }
        gy_qexec_free(&x);
    }
    free(buf_of);
    return st;
}

static double output_error(const qexec *x, const float *ref, const float *out, int nch)
{
    const gy_qplan *p = &x->plan;
    const int A = p->shapes.anchors;
    int level_end[GY_OP_MAX_IN], nl = 0;
    for (int k = 0; k < p->nsteps; k++)
        if (p->steps[k].kind == GY_QS_DETECT) {
            int a = 0;
            for (int l = 0; l < p->steps[k].nin; l++) {
                const gy_qbuf *u = &p->bufs[p->steps[k].in[l].buf];
                a += u->h * u->w;
                level_end[nl++] = a;
            }
        }
    double num = 0.0, den = 0.0;
    int l = 0;
    for (int a = 0; a < A; a++) {
        while (l < nl - 1 && a >= level_end[l])
            l++;
        const double stride = p->shapes.strides[l] > 0 ? p->shapes.strides[l] : 1;
        double best = 0.0, e = 0.0;
        for (int ch = 4; ch < nch; ch++) {
            double r = ref[(size_t)ch * A + a], d = r - out[(size_t)ch * A + a];
            best = r > best ? r : best;
            e += d * d;
        }
        for (int ch = 0; ch < 4; ch++) {
            double d = (ref[(size_t)ch * A + a] - out[(size_t)ch * A + a]) / stride;
            e += d * d;
        }
        num += best * e;
        den += best;
    }
    return den > 0 ? num / den : 0.0;
}

gy_status gy_quant_eval(const qctx *c, const gy_qgraph *q, double *result, gy_error *err)
{
    const gy_graph *g = &c->m->graph;
    qexec x;
    memset(&x, 0, sizeof x);
    double total = 0.0;
    gy_status st = GY_OK;
    for (int i = 0; i < c->nsens && st == GY_OK; i++) {
        if ((st = gy_qexec_run(&x, c, q, &c->sens_in[i], 0, err)) == GY_OK)
            total += output_error(&x, c->ref[i], gy_qexec_output(&x), g->tensors[g->output].c);
    }
    gy_qexec_free(&x);
    *result = c->nsens ? total / c->nsens : 0.0;
    return st;
}

/* Multiply-adds of each conv at a square imgsz input. */
gy_status gy_quant_conv_macs(const qctx *c, double *macs, double *total, gy_error *err)
{
    const gy_graph *g = &c->m->graph;
    gy_plan p;
    gy_status st = gy_plan_make(g, c->p->imgsz, c->p->imgsz, &p, err);
    if (st != GY_OK)
        return st;
    *total = 0.0;
    for (int i = 0; i < g->nconvs; i++)
        macs[i] = 0.0;
    for (int k = 0; k < g->nops; k++) {
        const gy_op *op = &g->ops[k];
        if (op->type != GY_OP_CONV)
            continue;
        const gy_conv *cv = &g->convs[op->conv];
        macs[op->conv] = (double)p.th[op->out] * p.tw[op->out] * cv->cout * (cv->cin / cv->groups) *
                         cv->kh * cv->kw;
        *total += macs[op->conv];
    }
    gy_plan_free(&p);
    return GY_OK;
}


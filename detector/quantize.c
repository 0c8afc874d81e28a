/* quantize.c - gy_quantize: static post-training int8 quantization of a float model.
 *
 *   1. the float model runs on the calibration images (letterboxed as gy_detect does) through the
 *      int8 runtime with every conv in float and no buffer reuse, so every tensor the int8 model
 *      will quantize can be read after each forward: first its minimum and maximum, then (second
 *      pass) a histogram over that range; the range method turns it into a scale and zero point
 *      (quant_ranges.c). The network input is exact with scale 1/255 and zero point 0;
 *   2. every conv's BatchNorm-folded weights become int8, symmetric, one scale per output channel
 *      (max |w| / 127, or / 63 with 7-bit weights);
 *   3. sensitivity: each conv alone in int8 (the rest float) on the sensitivity images, the error
 *      of the Detect output against the float model's (class scores and box sides in strides,
 *      weighted by the float score); the worst are kept in float within the budget;
 *   4. the chosen model's error is reported and the file written (weights/qbind.c describes it).
 * The runs are in quant_run.c, the file in quant_write.c. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/quant_ctx.h"
#include "detector/quantize.h"

gy_quantize_params gy_quantize_default_params(void)
{
    gy_quantize_params p;
    memset(&p, 0, sizeof p);
    p.calib_images = 128;
    p.imgsz = 640;
    p.method = GY_QUANT_MSE;
    p.percentile = 99.99;
    p.weight_bits = 7;
    p.auto_float = -1;
    p.float_budget = 0.05;
    p.sensitivity_images = 16;
    p.bias_correction = 1;
    return p;
}

/* --auto-float -1: every conv in int8 (README "int8": two float convs cost yolov8n 25 %) */
#define DEFAULT_AUTO_FLOAT 0

/* ---- Configurations --------------------------------------------------------------------------- */

static int is_candidate_conv(const gy_graph *g, int i)
{
    return !g->convs[i].fixed && g->convs[i].w && gy_qgraph_conv_int8_capable(g, i);
}

static void quantize_weights(const gy_conv *cv, int bits, int8_t *w, float *scale)
{
    const int qmax = bits == 7 ? 63 : 127;
    const size_t per = (size_t)(cv->cin / cv->groups) * (size_t)cv->kh * (size_t)cv->kw;
    for (int o = 0; o < cv->cout; o++) {
        const float *src = cv->w + (size_t)o * per;
        float m = 0.0f;
        for (size_t k = 0; k < per; k++)
            m = fabsf(src[k]) > m ? fabsf(src[k]) : m;
        double s = m > 0.0f && isnormal(m / (float)qmax) ? (double)m / qmax : 1.0;
        scale[o] = (float)s;
        for (size_t k = 0; k < per; k++) {
            double q = nearbyint((double)src[k] / (double)scale[o]);
            w[(size_t)o * per + k] = (int8_t)(q < -qmax ? -qmax : q > qmax ? qmax : q);
        }
    }
}

/* A new int8 graph where the convs with flag[i] run in int8, analysed, its activations from the
 * calibration, packed. */
static gy_status make_config(const qctx *c, const int *flag, gy_qgraph **out, gy_error *err)
{
    const gy_graph *g = &c->m->graph;
    gy_qgraph *q;
    gy_status st = gy_qgraph_create(g, &q, err);
    for (int i = 0; i < g->nconvs && st == GY_OK; i++) {
        if (!flag[i])
            continue;
        const gy_conv *cv = &g->convs[i];
        size_t n = (size_t)cv->cout * (size_t)(cv->cin / cv->groups) * (size_t)cv->kh * (size_t)cv->kw;
        gy_qconv *qc = &q->convs[i];
        qc->int8 = 1;
        qc->w = malloc(n ? n : 1);
        qc->wscale = malloc(sizeof *qc->wscale * (size_t)cv->cout);
        if (!qc->w || !qc->wscale) {
            st = gy_fail(err, GY_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy(qc->w, c->wq[i], n);
        memcpy(qc->wscale, c->ws[i], sizeof *qc->wscale * (size_t)cv->cout);
    }
    if (st == GY_OK)
        st = gy_qgraph_analyse(g, q, err);
    for (int r = 0; r < g->nstorages && st == GY_OK; r++) {
        if (!q->needs_act[r])
            continue;
        q->act[r] = c->acts[r];
        if (!q->act[r].set) {
            char name[200];
            gy_qgraph_storage_name(g, r, name, sizeof name);
            st = gy_fail(err, GY_ERR_STATE, "%s: no calibration statistics", name);
        }
    }
    if (st == GY_OK)
        st = gy_qgraph_prepare(g, q, gy_qisa_for(c->m->isa), err);
    if (st != GY_OK) {
        gy_qgraph_free(q);
        return st;
    }
    *out = q;
    return GY_OK;
}

/* The Detect output's error against the float model's: per anchor, the squared differences of
 * the class scores and of the box (in units of the level's stride), weighted by the float
 * model's best score, averaged over anchors and images. */
/* ---- Bias correction ------------------------------------------------------------------------ */

/* A conv's output before the activation is linear in its input, so its mean over the pixels is
 * sum_k (sum over taps of w[c][k]) * mean(x[k]) + b[c]: int8 weights shift it by
 * sum_k (sum over taps of w[c][k] - s[c] q[c][k]) * mean(x[k]), which is added back to the bias
 * with the input means of the float model on the calibration images (the "bias correction" of
 * data-free quantization, with measured means). Correcting for the int8 model's own input means
 * as well (its upstream errors) was tried: every layer then also undoes what the layers before it
 * already corrected, and yolov8n lost 0.03 to 0.14 mAP50-95. */
static void bias_correct(qctx *c, const int *flag)
{
    gy_graph *g = &c->m->graph;
    double worst = 0.0;
    for (int k = 0; k < g->nops; k++) {
        const gy_op *op = &g->ops[k];
        if (op->type != GY_OP_CONV || !flag[op->conv])
            continue;
        gy_conv *cv = &g->convs[op->conv];
        int off, r = gy_graph_root(g, g->tensors[op->in[0]].storage, &off);
        off += g->tensors[op->in[0]].c_off;
        if (!c->mean_f[r])
            continue;
        const int cin_g = cv->cin / cv->groups, cout_g = cv->cout / cv->groups, taps = cv->kh * cv->kw;
        for (int o = 0; o < cv->cout; o++) {
            const int gi = o / cout_g;
            double delta = 0.0;
            for (int ci = 0; ci < cin_g; ci++) {
                double d = 0.0;
                for (int t = 0; t < taps; t++) {
                    size_t wi = ((size_t)o * cin_g + (size_t)ci) * (size_t)taps + (size_t)t;
                    d += (double)cv->w[wi] - (double)c->ws[op->conv][o] * c->wq[op->conv][wi];
                }
                delta += d * c->mean_f[r][off + gi * cin_g + ci];
            }
            cv->b[o] = (float)(cv->b[o] + delta);
            worst = fabs(delta) > worst ? fabs(delta) : worst;
        }
    }
    gy_quant_report(c, "bias correction: largest change %.4g", worst);
}

/* ---- The whole ------------------------------------------------------------------------------ */

static int name_matches(const char *conv, const char *pattern)
{
    size_t n = strlen(pattern);
    return strncmp(conv, pattern, n) == 0 && (conv[n] == '\0' || conv[n] == '.');
}

static const char *method_name(int m)
{
    return m == GY_QUANT_MINMAX ? "minmax" : m == GY_QUANT_PERCENTILE ? "percentile" : "mse";
}

static gy_status check_params(const gy_quantize_params *p, gy_error *err)
{
    if (!p->data)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_quantize: a dataset YAML (data) is required");
    if (p->calib_images < 1 || p->calib_images > 100000)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_quantize: calib_images %d is outside 1..100000",
                       p->calib_images);
    if (p->imgsz < 32 || p->imgsz > GY_IMGSZ_MAX || p->imgsz % 32)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_quantize: imgsz %d must be a multiple of 32 up "
                       "to %d", p->imgsz, GY_IMGSZ_MAX);
    if ((int)p->method < GY_QUANT_MINMAX || (int)p->method > GY_QUANT_MSE)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_quantize: unknown method %d", (int)p->method);
    if (!(p->percentile > 50.0 && p->percentile <= 100.0))
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_quantize: percentile %g is outside (50, 100]",
                       p->percentile);
    if (p->weight_bits != 7 && p->weight_bits != 8)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_quantize: weight_bits %d is not 7 or 8",
                       p->weight_bits);
    if (p->auto_float < -1 || !(p->float_budget >= 0.0 && p->float_budget <= 1.0))
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_quantize: auto_float %d (>= -1) or float_budget "
                       "%g (0 to 1) out of range", p->auto_float, p->float_budget);
    if (p->sensitivity_images < 1 || p->num_threads < 0 || p->num_keep_float < 0 ||
        (p->num_keep_float > 0 && !p->keep_float))
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_quantize: sensitivity_images must be >= 1, "
                       "num_threads and num_keep_float >= 0 (with a list)");
    return GY_OK;
}

static void free_ctx(qctx *c)
{
    const gy_graph *g = c->m ? &c->m->graph : NULL;
    for (int i = 0; g && i < g->nconvs; i++) {
        if (c->wq)
            free(c->wq[i]);
        if (c->ws)
            free(c->ws[i]);
    }
    free(c->wq);
    free(c->ws);
    for (int i = 0; i < c->nsens; i++) {
        if (c->sens_in)
            free(c->sens_in[i].x);
        if (c->ref)
            free(c->ref[i]);
    }
    free(c->sens_in);
    free(c->ref);
    free(c->acts);
    free(c->candidate);
    for (int r = 0; c->mean_f && g && r < g->nstorages; r++)
        free(c->mean_f[r]);
    free(c->mean_f);
    gy_dataset_free(c->ds);
    gy_model_free(c->m);
}

typedef struct ranked {
    int conv;
    double err;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    double x = ((const ranked *)a)->err, y = ((const ranked *)b)->err;
    return x < y ? 1 : x > y ? -1 : ((const ranked *)a)->conv - ((const ranked *)b)->conv;
}

static gy_status choose_float(qctx *c, int *flag, char *kept, size_t kept_size, gy_error *err)
{
    const gy_graph *g = &c->m->graph;
    const gy_quantize_params *p = c->p;
    int limit = p->auto_float < 0 ? DEFAULT_AUTO_FLOAT : p->auto_float;
    if (limit == 0)
        return GY_OK;
    double *macs = calloc((size_t)g->nconvs + 1, sizeof *macs), total = 0.0;
    ranked *r = calloc((size_t)g->nconvs + 1, sizeof *r);
    int *one = calloc((size_t)g->nconvs + 1, sizeof *one);
    gy_status st = macs && r && one ? gy_quant_conv_macs(c, macs, &total, err)
                                    : gy_fail(err, GY_ERR_NOMEM, "out of memory");
    int nr = 0, ncand = 0;
    for (int i = 0; i < g->nconvs; i++)
        ncand += flag[i];
    for (int i = 0; i < g->nconvs && st == GY_OK; i++) {
        if (!flag[i])
            continue;
        memset(one, 0, sizeof *one * (size_t)g->nconvs);
        one[i] = 1;
        gy_qgraph *q = NULL;
        double e = 0.0;
        if ((st = make_config(c, one, &q, err)) == GY_OK)
            st = gy_quant_eval(c, q, &e, err);
        gy_qgraph_free(q);
        r[nr].conv = i;
        r[nr++].err = e;
        gy_quant_progress(c, "sensitivity", nr, ncand);
    }
    if (st == GY_OK) {
        qsort(r, (size_t)nr, sizeof *r, cmp_ranked);
        char name[200];
        gy_quant_report(c, "sensitivity (each conv alone in int8; output error against float), worst first:");
        for (int k = 0; k < nr && k < 8; k++) {
            gy_qgraph_conv_name(g, r[k].conv, name, sizeof name);
            gy_quant_report(c, "  %-28s %.3e  (%.2f%% of the multiply-adds)", name, r[k].err,
                   total > 0 ? 100.0 * macs[r[k].conv] / total : 0.0);
        }
        double used = 0.0;
        int chosen = 0;
        char mine[2048] = "";
        for (int k = 0; k < nr && chosen < limit; k++) {
            if (used + macs[r[k].conv] > p->float_budget * total)
                continue;
            used += macs[r[k].conv];
            flag[r[k].conv] = 0;
            chosen++;
            gy_qgraph_conv_name(g, r[k].conv, name, sizeof name);
            snprintf(kept + strlen(kept), kept_size - strlen(kept), "%s%s", kept[0] ? "," : "", name);
            snprintf(mine + strlen(mine), sizeof mine - strlen(mine), "%s%s", mine[0] ? "," : "", name);
        }
        gy_quant_report(c, "kept in float by sensitivity: %s (%d of at most %d, %.2f%% of the multiply-adds, "
               "budget %.1f%%)", chosen ? mine : "none", chosen, limit,
               total > 0 ? 100.0 * used / total : 0.0, 100.0 * p->float_budget);
    }
    free(macs);
    free(r);
    free(one);
    return st;
}

gy_status gy_quantize(const char *config_path, const char *weights_path,
                      const gy_quantize_params *params, const char *out_path, gy_error *err)
{
    gy_quantize_params defaults = gy_quantize_default_params();
    const gy_quantize_params *p = params ? params : &defaults;
    gy_status st = check_params(p, err);
    if (st != GY_OK)
        return st;
    if (!weights_path || !out_path)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_quantize: weights and an output path are required");
    qctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.err = err;
    c.nthreads = p->num_threads ? p->num_threads : omp_get_num_procs();
    gy_model_params mp = gy_model_default_params();
    if ((st = gy_model_load(config_path, weights_path, &mp, &c.m, err)) != GY_OK)
        return st;
    if (c.m->q) {
        free_ctx(&c);
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: already an int8 model", weights_path);
    }
    const gy_graph *g = &c.m->graph;
    c.in_root = gy_graph_root(g, g->tensors[g->input].storage, NULL);
    st = gy_dataset_load(p->data, p->split ? p->split : "train", &c.ds, err);
    if (st != GY_OK && !p->split) {
        gy_error e2;
        if (gy_dataset_load(p->data, "val", &c.ds, &e2) == GY_OK)
            st = GY_OK;
    }
    if (st != GY_OK) {
        free_ctx(&c);
        return st;
    }
    c.nimg = c.ds->nimages < p->calib_images ? c.ds->nimages : p->calib_images;
    c.nsens = c.nimg < p->sensitivity_images ? c.nimg : p->sensitivity_images;
    if (c.nimg < 1) {
        free_ctx(&c);
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: the split has no images to calibrate on", p->data);
    }
    int *flag = calloc((size_t)g->nconvs + 1, sizeof *flag);
    c.candidate = calloc((size_t)g->nconvs + 1, sizeof *c.candidate);
    c.wq = calloc((size_t)g->nconvs + 1, sizeof *c.wq);
    c.ws = calloc((size_t)g->nconvs + 1, sizeof *c.ws);
    c.acts = calloc((size_t)g->nstorages + 1, sizeof *c.acts);
    c.sens_in = calloc((size_t)c.nsens + 1, sizeof *c.sens_in);
    c.ref = calloc((size_t)c.nsens + 1, sizeof *c.ref);
    gy_qstat *stats = calloc((size_t)g->nstorages + 1, sizeof *stats);
    if (!flag || !c.candidate || !c.wq || !c.ws || !c.acts || !c.sens_in || !c.ref || !stats)
        st = gy_fail(err, GY_ERR_NOMEM, "out of memory");
    char kept[4096] = "";
    /* user's float convs; the rest are candidates */
    for (int k = 0; k < p->num_keep_float && st == GY_OK; k++) {
        int hit = 0;
        char name[200];
        for (int i = 0; i < g->nconvs; i++) {
            gy_qgraph_conv_name(g, i, name, sizeof name);
            if (name_matches(name, p->keep_float[k]) && is_candidate_conv(g, i)) {
                hit = 1;
                c.candidate[i] = -1;
            }
        }
        if (!hit)
            st = gy_fail(err, GY_ERR_ARGUMENT, "keep-float: '%s' names no convolution of %s",
                         p->keep_float[k], c.m->name);
        else
            snprintf(kept + strlen(kept), sizeof kept - strlen(kept), "%s%s", kept[0] ? "," : "",
                     p->keep_float[k]);
    }
    for (int i = 0; i < g->nconvs && st == GY_OK; i++) {
        if (c.candidate[i] < 0 || !is_candidate_conv(g, i)) {
            c.candidate[i] = 0;
            continue;
        }
        const gy_conv *cv = &g->convs[i];
        size_t n = (size_t)cv->cout * (size_t)(cv->cin / cv->groups) * (size_t)cv->kh * (size_t)cv->kw;
        c.candidate[i] = 1;
        c.wq[i] = malloc(n ? n : 1);
        c.ws[i] = malloc(sizeof *c.ws[i] * (size_t)cv->cout);
        if (!c.wq[i] || !c.ws[i])
            st = gy_fail(err, GY_ERR_NOMEM, "out of memory");
        else
            quantize_weights(cv, p->weight_bits, c.wq[i], c.ws[i]);
    }
    /* the storages the full model quantizes, calibrated with every conv in float */
    gy_qgraph *full = NULL, *fq = NULL;
    if (st == GY_OK && (st = gy_qgraph_create(g, &full, err)) == GY_OK) {
        for (int i = 0; i < g->nconvs; i++)
            full->convs[i].int8 = c.candidate[i];
        st = gy_qgraph_analyse(g, full, err);
    }
    if (st == GY_OK && (st = gy_qgraph_create(g, &fq, err)) == GY_OK)
        st = gy_qgraph_analyse(g, fq, err);
    /* channel means of every storage an int8-capable conv reads (bias correction) */
    if (st == GY_OK && p->bias_correction && !(c.mean_f = calloc((size_t)g->nstorages + 1, sizeof *c.mean_f)))
        st = gy_fail(err, GY_ERR_NOMEM, "out of memory");
    for (int k = 0; st == GY_OK && p->bias_correction && k < g->nops; k++) {
        const gy_op *op = &g->ops[k];
        if (op->type != GY_OP_CONV || !c.candidate[op->conv])
            continue;
        int r = gy_graph_root(g, g->tensors[op->in[0]].storage, NULL);
        if (!c.mean_f[r] && !(c.mean_f[r] = calloc((size_t)g->storages[r].c, sizeof **c.mean_f)))
            st = gy_fail(err, GY_ERR_NOMEM, "out of memory");
    }
    for (int r = 0; stats && r < g->nstorages; r++)
        gy_qstat_init(&stats[r]);
    if (st == GY_OK) {
        char mdesc[64];
        if (p->method == GY_QUANT_PERCENTILE)
            snprintf(mdesc, sizeof mdesc, "percentile %g", p->percentile);
        else
            snprintf(mdesc, sizeof mdesc, "%s", method_name(p->method));
        gy_quant_report(&c, "calibration: %d images of %s (split %s), ranges by %s, %d-bit weights",
               c.nimg, p->data, p->split ? p->split : "train", mdesc, p->weight_bits);
        st = gy_quant_calibrate(&c, fq, full->needs_act, stats, err);
    }
    for (int r = 0; st == GY_OK && r < g->nstorages; r++) {
        if (!full->needs_act[r])
            continue;
        if (r == c.in_root)
            c.acts[r] = gy_qact_from_range(0.0, 1.0); /* pixels / 255: exact */
        else
            c.acts[r] = gy_qstat_range(&stats[r], p->method, p->percentile);
    }
    for (int i = 0; st == GY_OK && i < g->nconvs; i++)
        flag[i] = c.candidate[i];
    if (st == GY_OK)
        st = choose_float(&c, flag, kept, sizeof kept, err);
    if (st == GY_OK && p->bias_correction)
        bias_correct(&c, flag);
    gy_qgraph *q = NULL;
    double e_final = 0.0;
    if (st == GY_OK && (st = make_config(&c, flag, &q, err)) == GY_OK &&
        (st = gy_quant_eval(&c, q, &e_final, err)) == GY_OK) {
        int n8 = 0, nf = 0;
        for (int i = 0; i < g->nconvs; i++) {
            n8 += q->convs[i].int8;
            nf += is_candidate_conv(g, i) && !q->convs[i].int8;
        }
        gy_quant_report(&c, "int8: %d convs, float32: %d (%s); output error against float on %d images: %.3e",
               n8, nf, kept[0] ? kept : "none", c.nsens, e_final);
        char how[4608];
        snprintf(how, sizeof how,
                 "{\"method\": \"%s\", \"percentile\": %g, \"calib_images\": %d, \"split\": \"%s\", "
                 "\"imgsz\": %d, \"weight_bits\": %d, \"keep_float\": \"%s\", \"bias_correction\": %s, "
                 "\"output_error\": %.4e}",
                 method_name(p->method), p->percentile, c.nimg, p->split ? p->split : "train",
                 p->imgsz, p->weight_bits, kept, p->bias_correction ? "true" : "false", e_final);
        st = gy_quant_write(&c, q, config_path, weights_path, out_path, how, err);
    }
    gy_qgraph_free(q);
    gy_qgraph_free(full);
    gy_qgraph_free(fq);
    for (int r = 0; stats && r < g->nstorages; r++)
        gy_qstat_free(&stats[r]);
    free(stats);
    free(flag);
    free_ctx(&c);
    return st;
}

gy_status gy_quantize_synthetic(const char *config_path, const char *out_path, gy_error *err)
{
    gy_quantize_params p = gy_quantize_default_params();
    qctx c;
    memset(&c, 0, sizeof c);
    c.p = &p;
    c.err = err;
    c.nthreads = 1;
    gy_model_params mp = gy_model_default_params();
    mp.synthetic_weights = 1;
    gy_status st = gy_model_load(config_path, NULL, &mp, &c.m, err);
    if (st != GY_OK)
        return st;
    const gy_graph *g = &c.m->graph;
    int *flag = calloc((size_t)g->nconvs + 1, sizeof *flag);
    c.wq = calloc((size_t)g->nconvs + 1, sizeof *c.wq);
    c.ws = calloc((size_t)g->nconvs + 1, sizeof *c.ws);
    c.acts = calloc((size_t)g->nstorages + 1, sizeof *c.acts);
    if (!flag || !c.wq || !c.ws || !c.acts)
        st = gy_fail(err, GY_ERR_NOMEM, "out of memory");
    for (int i = 0; i < g->nconvs && st == GY_OK; i++) {
        if (!is_candidate_conv(g, i))
            continue;
        const gy_conv *cv = &g->convs[i];
        size_t n = (size_t)cv->cout * (size_t)(cv->cin / cv->groups) * (size_t)cv->kh * (size_t)cv->kw;
        flag[i] = 1;
        c.wq[i] = malloc(n ? n : 1);
        c.ws[i] = malloc(sizeof *c.ws[i] * (size_t)cv->cout);
        if (!c.wq[i] || !c.ws[i])
            st = gy_fail(err, GY_ERR_NOMEM, "out of memory");
        else
            quantize_weights(cv, 8, c.wq[i], c.ws[i]);
    }
    int in_root = gy_graph_root(g, g->tensors[g->input].storage, NULL);
    for (int r = 0; st == GY_OK && r < g->nstorages; r++)
        c.acts[r] = r == in_root ? gy_qact_from_range(0.0, 1.0) : gy_qact_from_range(-0.5, 12.25);
    gy_qgraph *q = NULL;
    if (st == GY_OK && (st = make_config(&c, flag, &q, err)) == GY_OK)
        st = gy_quant_write(&c, q, config_path, NULL, out_path, "{\"method\": \"synthetic\"}", err);
    gy_qgraph_free(q);
    free(flag);
    free_ctx(&c);
    return st;
}

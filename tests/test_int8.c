/* int8 models end to end: gy_quantize on a parity case's random-weight yolov8n (calibrated on
 * four coco128 images at 320), the file loaded back through gy_model_load, its output against the
 * float model's, the same bytes from every int8 kernel family (GY_ISA), a model whose convs all
 * stay float equal to the float runtime bit for bit, every corrupt or inconsistent file refused
 * with a message naming the tensor, the Ghost C2f variants (their int8 output's error against
 * float32), the CLI verbs on an int8 file.
 * Slow (CK_RUN_CASE=coco128): yolov8n and yolov8s calibrated on the first 32 coco128 images and
 * validated on all 128 against ultralytics' float32 mAP. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "kernels/kernels.h"
#include "detector/model.h"
#include "detector/quant_ranges.h"
#include "detector/quantize.h"
#include "kernels/f32-decode/detect_decode.h"
#include "kernels/kernels_qu8.h"
#include "runtime/plan.h"
#include "parity.h"
#include "testutil.h"
#include "weights/safetensors.h"
#include "weights/safetensors_write.h"

/* Mean errors of the random-weight cases' int8 outputs against float32, a few times the measured
 * ones (printed by the tests; README "int8"). */
#define BOX_MEAN_V8N 4.0  /* measured 1.27 px */
#define CLS_MEAN_V8N 0.05 /* 0.016 */
/* ghost_n_640, ghostv2_n_640, gghost_n_640: measured box 2.23, 1.37, 1.46 px; class 0.051, 0.023,
 * 0.026; ghostv2_dfc_320 (DFC attention): 7.0 px, 0.157 */
static const double box_mean_ghost[4] = {7.0, 4.5, 4.5, 21.0};
static const double cls_mean_ghost[4] = {0.15, 0.07, 0.08, 0.45};

static char tmpdir[64];

static const char *tmp(const char *name)
{
    static char buf[256][256]; /* enough that no test reuses a slot */
    static int slot;
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/gy_int8_XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    }
    char *b = buf[slot++ % 256];
    snprintf(b, 256, "%s/%s", tmpdir, name);
    return b;
}

static const char *coco(void)
{
    return gy_test_shared("datasets/coco128/coco128.yaml");
}

/* Quantizes a parity case (its model.yaml and weights) on `images` coco128 images at imgsz. */
static void quantize_case(const char *case_name, const char *out, int images, int imgsz,
                          const char *const *keep, int nkeep, int auto_float)
{
    char cfg[512], w[512];
    gy_test_parity_path(cfg, sizeof cfg, case_name, "model.yaml");
    gy_test_parity_path(w, sizeof w, case_name, "weights.safetensors");
    gy_quantize_params qp = gy_quantize_default_params();
    qp.data = coco();
    qp.calib_images = images;
    qp.sensitivity_images = 2;
    qp.imgsz = imgsz;
    qp.keep_float = keep;
    qp.num_keep_float = nkeep;
    qp.auto_float = auto_float;
    gy_error err;
    gy_status st = gy_quantize(cfg, w, &qp, out, &err);
    ck_assert_msg(st == GY_OK, "quantize %s: %s", case_name, err.message);
}

/* The raw output of a model file (config NULL: from the file) on the case's input. */
static int half_input; /* forward(): the case's input subsampled to half its size */

static float *forward(const char *case_name, const char *config, const char *weights, int *nout,
                      const char **dtype)
{
    char in[512], cj[512];
    gy_test_parity_path(in, sizeof in, case_name, "input.f32");
    gy_test_parity_path(cj, sizeof cj, case_name, "case.json");
    size_t n;
    float *x = gy_test_read_f32(in, 0, &n);
    int side = (int)sqrt((double)(n / 3));
    int h = side, w = side;
    ck_assert_int_eq((size_t)3 * h * w, n);
    if (half_input) { /* every other pixel (the portable kernels are slow at 640) */
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h / 2; y++)
                for (int xx = 0; xx < w / 2; xx++)
                    x[((size_t)c * (h / 2) + y) * (w / 2) + xx] = x[((size_t)c * h + 2 * y) * w + 2 * xx];
        h /= 2;
        w /= 2;
    }
    gy_model *m;
    gy_session *s;
    gy_error err;
    ck_assert_msg(gy_model_load(config, weights, NULL, &m, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(gy_session_create(m, NULL, &s, &err), GY_OK);
    gy_output o;
    ck_assert_msg(gy_forward(s, x, h, w, &o, &err) == GY_OK, "%s", err.message);
    *nout = o.channels * o.anchors;
    float *y = malloc(sizeof *y * (size_t)*nout);
    ck_assert_ptr_nonnull(y);
    memcpy(y, o.data, sizeof *y * (size_t)*nout);
    if (dtype) {
        gy_model_info info;
        gy_model_get_info(m, &info);
        *dtype = strcmp(info.dtype, "int8") == 0 ? "int8" : "float32";
    }
    gy_session_free(s);
    gy_model_free(m);
    free(x);
    return y;
}

/* Box rows (4 x anchors) and class rows compared: mean and max abs difference of each. */
typedef struct diff {
    double box_mean, box_max, cls_mean, cls_max;
} diff;

static diff compare(const float *a, const float *b, int n, int channels)
{
    int anchors = n / channels;
    diff r = {0, 0, 0, 0};
    for (int i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (i / anchors < 4) {
            r.box_mean += d;
            r.box_max = d > r.box_max ? d : r.box_max;
        } else {
            r.cls_mean += d;
            r.cls_max = d > r.cls_max ? d : r.cls_max;
        }
    }
    r.box_mean /= 4.0 * anchors;
    r.cls_mean /= (double)(channels - 4) * anchors;
    return r;
}

START_TEST(quantize_load_run)
{
    const char *q = tmp("v8n.safetensors");
    quantize_case("v8n_640", q, 4, 320, NULL, 0, 1);
    /* 7-bit weights (the default): every output channel's largest |weight| is exactly 63 */
    gy_safetensors *st;
    gy_error serr;
    ck_assert_msg(gy_st_open(q, &st, &serr) == GY_OK, "%s", serr.message);
    int int8_tensors = 0;
    for (int i = 0; i < st->count; i++) {
        const gy_st_tensor *t = &st->tensors[i];
        if (t->dtype != GY_DT_I8)
            continue;
        int8_tensors++;
        const int8_t *w = (const int8_t *)(const void *)(st->data + t->offset);
        size_t per = t->numel / (size_t)t->shape[0];
        for (int64_t o = 0; o < t->shape[0]; o++) {
            int mx = 0;
            for (size_t k = 0; k < per; k++)
                mx = abs(w[(size_t)o * per + k]) > mx ? abs(w[(size_t)o * per + k]) : mx;
            ck_assert_msg(mx == 63, "%s[%lld]: max |w| %d", t->name, (long long)o, mx);
        }
    }
    ck_assert_int_eq(int8_tensors, 62); /* 63 convs, one kept in float */
    gy_st_close(st);
    int n8, nf;
    const char *dt;
    float *y8 = forward("v8n_640", NULL, q, &n8, &dt);
    ck_assert_str_eq(dt, "int8");
    char cfg[512], w[512];
    gy_test_parity_path(cfg, sizeof cfg, "v8n_640", "model.yaml");
    gy_test_parity_path(w, sizeof w, "v8n_640", "weights.safetensors");
    float *yf = forward("v8n_640", cfg, w, &nf, &dt);
    ck_assert_str_eq(dt, "float32");
    ck_assert_int_eq(n8, nf);
    diff d = compare(y8, yf, n8, 84);
    printf("v8n_640 (random weights) int8 vs float32: |box| mean %.3f max %.2f px, |class score| "
           "mean %.5f max %.4f\n", d.box_mean, d.box_max, d.cls_mean, d.cls_max);
    ck_assert(d.box_mean < BOX_MEAN_V8N && d.cls_mean < CLS_MEAN_V8N);
    free(y8);
    free(yf);
    /* every conv in int8: every int8 kernel family gives the same bytes, so the outputs differ
     * only by the float Detect decode's vector exp (measured: 1.8e-4 px, 1.2e-7) */
    const char *q0 = tmp("v8n_all.safetensors");
    quantize_case("v8n_640", q0, 4, 320, NULL, 0, 0);
    half_input = 1;
    y8 = forward("v8n_640", NULL, q0, &n8, NULL);
    static const char *const isas[] = {"generic", "avx2", "avx512"};
    for (int i = 0; i <= (int)gy_cpu_best_isa(); i++) {
        setenv("GY_ISA", isas[i], 1);
        int n2;
        float *y2 = forward("v8n_640", NULL, q0, &n2, NULL);
        diff e = compare(y2, y8, n8, 84);
        ck_assert_msg(e.box_max <= 1e-3 && e.cls_max <= 1e-6, "GY_ISA=%s: %g px, %g", isas[i],
                      e.box_max, e.cls_max);
        free(y2);
    }
    unsetenv("GY_ISA");
    half_input = 0;
    free(y8);
}
END_TEST

/* A synthetic quantization of a model whose graph holds exactly as many convs as its conv array
 * has room for (64, the array's first capacity): every loop over the convs stays inside it (one
 * step too far reads past the allocation; CI's ASan build sees it). */
static int conv_count(const char *yaml)
{
    gy_model_params mp = gy_model_default_params();
    mp.synthetic_weights = 1;
    gy_model *m = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(yaml, NULL, &mp, &m, &err) == GY_OK, "%s", err.message);
    int n = m->graph.nconvs;
    ck_assert_int_le(n, m->graph.cap_convs);
    gy_model_free(m);
    return n;
}

static void conv_rows_yaml(const char *path, int rows)
{
    char yaml[8192];
    size_t k = (size_t)snprintf(yaml, sizeof yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n");
    for (int i = 1; i < rows; i++)
        k += (size_t)snprintf(yaml + k, sizeof yaml - k, "  - [-1, 1, Conv, [16, 1, 1]]\n");
    snprintf(yaml + k, sizeof yaml - k, "head:\n  - [[-1], 1, Detect, [nc]]\n");
    gy_test_write_text(path, yaml);
}

START_TEST(synthetic_at_the_conv_capacity)
{
    const char *yaml = tmp("convs64.yaml"), *q = tmp("convs64.safetensors");
    conv_rows_yaml(yaml, 1);
    int rows = 64 - (conv_count(yaml) - 1); /* Detect's convs on top of one per row */
    conv_rows_yaml(yaml, rows);
    gy_model_params mp = gy_model_default_params();
    mp.synthetic_weights = 1;
    gy_model *m = NULL;
    gy_error err;
    ck_assert_msg(gy_model_load(yaml, NULL, &mp, &m, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(m->graph.nconvs, 64);
    ck_assert_int_eq(m->graph.cap_convs, 64);
    gy_model_free(m);
    ck_assert_msg(gy_quantize_synthetic(yaml, q, &err) == GY_OK, "%s", err.message);
    struct stat sb;
    ck_assert_int_eq(stat(q, &sb), 0);
    ck_assert_int_gt(sb.st_size, 0);
}
END_TEST

/* Only convs with an int8 epilogue (no activation, SiLU, ReLU, sigmoid) are quantized: a conv
 * followed by ReLU6 (ConvBNReLU6) or hardswish (conv_bn_hswish) keeps float weights, and so does
 * DFL's fixed conv; the Conv (SiLU) and the head's convs are int8. */
START_TEST(only_int8_capable_convs_are_quantized)
{
    const char *yaml = tmp("capable.yaml"), *q = tmp("capable.safetensors");
    gy_test_write_text(yaml, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                             "  - [-1, 1, ConvBNReLU6, [16, 3, 1]]\n"
                             "  - [-1, 1, conv_bn_hswish, [16, 1, 3]]\n"
                             "head:\n  - [[2], 1, Detect, [nc]]\n");
    gy_error err;
    ck_assert_msg(gy_quantize_synthetic(yaml, q, &err) == GY_OK, "%s", err.message);
    gy_safetensors *st;
    ck_assert_msg(gy_st_open(q, &st, &err) == GY_OK, "%s", err.message);
    int int8 = 0, float_w = 0;
    for (int i = 0; i < st->count; i++) {
        const gy_st_tensor *t = &st->tensors[i];
        const size_t len = strlen(t->name);
        if (len < 7 || strcmp(t->name + len - 7, ".weight") != 0 || t->ndim != 4)
            continue;
        const int is8 = t->dtype == GY_DT_I8;
        const int row0 = !strncmp(t->name, "model.0.", 8), head = !strncmp(t->name, "model.3.", 8);
        const int dfl = strstr(t->name, ".dfl.") != NULL;
        ck_assert_msg(is8 == ((row0 || head) && !dfl), "%s: %s", t->name, is8 ? "int8" : "float");
        int8 += is8;
        float_w += !is8;
    }
    gy_st_close(st);
    ck_assert_int_ge(int8, 2);
    ck_assert_int_ge(float_w, 3); /* the ReLU6 and hardswish convs, DFL */
}
END_TEST

/* Every conv kept in float: the int8 runtime runs the float kernels and must give the float
 * runtime's bytes. */
START_TEST(all_float_is_float)
{
    const char *q = tmp("v8n_float.safetensors");
    const char *keep[] = {"model"};
    quantize_case("v8n_640", q, 2, 320, keep, 1, 0);
    /* 7-bit weights (the default): every output channel's largest |weight| is exactly 63 */
    gy_safetensors *st;
    gy_error serr;
    ck_assert_msg(gy_st_open(q, &st, &serr) == GY_OK, "%s", serr.message);
    int int8_tensors = 0;
    for (int i = 0; i < st->count; i++) {
        const gy_st_tensor *t = &st->tensors[i];
        if (t->dtype != GY_DT_I8)
            continue;
        int8_tensors++;
        const int8_t *w = (const int8_t *)(const void *)(st->data + t->offset);
        size_t per = t->numel / (size_t)t->shape[0];
        for (int64_t o = 0; o < t->shape[0]; o++) {
            int mx = 0;
            for (size_t k = 0; k < per; k++)
                mx = abs(w[(size_t)o * per + k]) > mx ? abs(w[(size_t)o * per + k]) : mx;
            ck_assert_msg(mx == 63, "%s[%lld]: max |w| %d", t->name, (long long)o, mx);
        }
    }
    ck_assert_int_eq(int8_tensors, 0); /* every conv kept in float */
    gy_st_close(st);
    int n8, nf;
    const char *dt;
    float *y8 = forward("v8n_640", NULL, q, &n8, &dt);
    ck_assert_str_eq(dt, "int8"); /* an int8 model file, with no int8 layer */
    char cfg[512], w[512];
    gy_test_parity_path(cfg, sizeof cfg, "v8n_640", "model.yaml");
    gy_test_parity_path(w, sizeof w, "v8n_640", "weights.safetensors");
    float *yf = forward("v8n_640", cfg, w, &nf, NULL);
    ck_assert_int_eq(n8, nf);
    ck_assert_msg(memcmp(y8, yf, sizeof *yf * (size_t)nf) == 0,
                  "the int8 runtime's float path differs from the float runtime");
    free(y8);
    free(yf);
}
END_TEST

/* ---- An independent int8 runtime --------------------------------------------------------------
 * The graph run op by op with the reference kernels on plain buffers (uint8 NHWC without borders
 * or channel padding, float NCHW), each uint8 input quantized from its float storage when needed,
 * the requantizing tables built here: the int8 runtime (plan, steps, conversions, borders,
 * tables, slices, arena sharing) must give the same output; only the Detect decode's vector exp
 * may differ (1e-3 px, 1e-6). */
typedef struct refrt {
    const gy_graph *g;
    const gy_qgraph *q;
    gy_plan p;
    void **buf; /* per root storage */
} refrt;

static gy_qu8_map ref_map(refrt *r, int t)
{
    int off, root = gy_graph_root(r->g, r->g->tensors[t].storage, &off);
    off += r->g->tensors[t].c_off;
    gy_qu8_map m;
    memset(&m, 0, sizeof m);
    m.h = r->p.th[t];
    m.w = r->p.tw[t];
    m.c = r->g->tensors[t].c;
    m.pstride = (size_t)r->g->storages[root].c;
    m.rstride = m.pstride * (size_t)m.w;
    m.scale = r->q->act[root].scale;
    m.zp = r->q->act[root].zp;
    ck_assert_int_eq(r->q->dtype[root], GY_QDT_U8);
    m.data = (uint8_t *)r->buf[root] + off;
    return m;
}

static float *ref_floats(refrt *r, int t)
{
    int off, root = gy_graph_root(r->g, r->g->tensors[t].storage, &off);
    off += r->g->tensors[t].c_off;
    int in_root = gy_graph_root(r->g, r->g->tensors[r->g->input].storage, NULL);
    ck_assert(root == in_root || r->q->dtype[root] == GY_QDT_F32);
    return (float *)r->buf[root] + (size_t)off * (size_t)r->p.th[t] * (size_t)r->p.tw[t];
}

/* Tensor t as uint8: its own map, or its float storage quantized into `tmp` (caller frees). */
static gy_qu8_map ref_u8(refrt *r, int t, uint8_t **tmp)
{
    int root = gy_graph_root(r->g, r->g->tensors[t].storage, NULL);
    int in_root = gy_graph_root(r->g, r->g->tensors[r->g->input].storage, NULL);
    *tmp = NULL;
    if (root != in_root)
        return ref_map(r, t);
    gy_qu8_map m;
    memset(&m, 0, sizeof m);
    m.h = r->p.th[t];
    m.w = r->p.tw[t];
    m.c = m.pstride = (size_t)r->g->tensors[t].c;
    m.rstride = m.pstride * (size_t)m.w;
    m.scale = r->q->act[root].scale;
    m.zp = r->q->act[root].zp;
    *tmp = m.data = malloc(m.rstride * (size_t)m.h + 1);
    ck_assert_ptr_nonnull(m.data);
    const float *f = ref_floats(r, t);
    for (int c = 0; c < m.c; c++)
        for (int y = 0; y < m.h; y++)
            for (int x = 0; x < m.w; x++)
                m.data[y * m.rstride + x * m.pstride + c] =
                    gy_qu8_quantize1(f[((size_t)c * m.h + y) * m.w + x], 1.0f / m.scale, (float)m.zp);
    return m;
}

static const uint8_t *ref_lut(const gy_qu8_map *in, const gy_qu8_map *out, uint8_t lut[256])
{
    if (in->scale == out->scale && in->zp == out->zp)
        return NULL;
    gy_qu8_requant_lut(in->scale, in->zp, out->scale, out->zp, lut);
    return lut;
}

static float *reference_forward(const gy_model *m, const float *x, int h, int w, int *nout)
{
    refrt r = {.g = &m->graph, .q = m->q};
    gy_error err;
    ck_assert_int_eq(gy_plan_make(r.g, h, w, &r.p, &err), GY_OK);
    r.buf = calloc((size_t)r.g->nstorages, sizeof *r.buf);
    ck_assert_ptr_nonnull(r.buf);
    for (int t = 0; t < r.g->ntensors; t++) {
        int root = gy_graph_root(r.g, r.g->tensors[t].storage, NULL);
        if (r.buf[root] || r.p.th[t] < 0)
            continue;
        size_t n = (size_t)r.g->storages[root].c * (size_t)r.p.th[t] * (size_t)r.p.tw[t];
        r.buf[root] = calloc(n + 1, r.q->dtype[root] == GY_QDT_U8 ? 1 : sizeof(float));
        ck_assert_ptr_nonnull(r.buf[root]);
    }
    memcpy(ref_floats(&r, r.g->input), x, sizeof(float) * 3 * (size_t)h * (size_t)w);
    for (int i = 0; i < r.g->nops; i++) {
        const gy_op *op = &r.g->ops[i];
        uint8_t lut[256], *t0 = NULL, *t1 = NULL;
        switch (op->type) {
        case GY_OP_CONV: {
            const gy_qconv *qc = &r.q->convs[op->conv];
            ck_assert_msg(qc->int8, "the reference runtime runs all-int8 models");
            gy_qu8_map res;
            gy_qu8_conv_run run = {.p = &qc->k, .w = qc->w, .in = ref_u8(&r, op->in[0], &t0),
                                   .oh = r.p.th[op->out], .ow = r.p.tw[op->out], .mul = qc->mul,
                                   .add = qc->add, .act = op->act,
                                   .res_before_act = op->res_before_act};
            if (op->res >= 0) {
                res = ref_u8(&r, op->res, &t1);
                run.res = &res;
            }
            int root = gy_graph_root(r.g, r.g->tensors[op->out].storage, NULL);
            if (r.q->dtype[root] == GY_QDT_U8)
                run.out = ref_map(&r, op->out);
            else
                run.outf = ref_floats(&r, op->out);
            gy_qu8_conv2d__ref(&run);
            break;
        }
        case GY_OP_MAXPOOL: {
            gy_qu8_pool_run pr = {.in = ref_map(&r, op->in[0]), .out = ref_map(&r, op->out),
                                  .k = op->k, .stride = op->stride, .pad = op->pad};
            pr.lut = ref_lut(&pr.in, &pr.out, lut);
            gy_qu8_maxpool__ref(&pr);
            break;
        }
        case GY_OP_UPSAMPLE:
        case GY_OP_COPY: {
            gy_qu8_copy_run cr = {.in = ref_map(&r, op->in[0]), .out = ref_map(&r, op->out)};
            cr.lut = ref_lut(&cr.in, &cr.out, lut);
            gy_qu8_copy__ref(&cr);
            break;
        }
        case GY_OP_ADD: {
            gy_qu8_map a = ref_map(&r, op->in[0]), b = ref_map(&r, op->in[1]), o = ref_map(&r, op->out);
            for (int y = 0; y < o.h; y++)
                for (int xx = 0; xx < o.w; xx++)
                    for (int c = 0; c < o.c; c++) {
                        int qa = a.data[y * a.rstride + xx * a.pstride + c];
                        int qb = b.data[y * b.rstride + xx * b.pstride + c];
                        float v = fmaf((float)(qb - b.zp), b.scale, (float)(qa - a.zp) * a.scale);
                        o.data[y * o.rstride + xx * o.pstride + c] = gy_qu8_quantize1(v, 1.0f / o.scale, (float)o.zp);
                    }
            break;
        }
        case GY_OP_DETECT: {
            const float *lv[GY_OP_MAX_IN];
            int hs[GY_OP_MAX_IN], ws[GY_OP_MAX_IN];
            for (int l = 0; l < op->nin; l++) {
                lv[l] = ref_floats(&r, op->in[l]);
                hs[l] = r.p.th[op->in[l]];
                ws[l] = r.p.tw[op->in[l]];
            }
            gy_detect_decode(op->nin, lv, hs, ws, r.p.strides, op->nc, op->reg_max,
                             r.g->convs[op->dfl_conv].w, ref_floats(&r, op->out), r.p.anchors, 1);
            break;
        }
        default:
            ck_abort_msg("op type %d is not in the reference runtime", (int)op->type);
        }
        free(t0);
        free(t1);
    }
    *nout = r.g->tensors[r.g->output].c * r.p.anchors;
    float *y = malloc(sizeof *y * (size_t)*nout);
    ck_assert_ptr_nonnull(y);
    memcpy(y, ref_floats(&r, r.g->output), sizeof *y * (size_t)*nout);
    for (int s = 0; s < r.g->nstorages; s++)
        free(r.buf[s]);
    free(r.buf);
    gy_plan_free(&r.p);
    return y;
}

static gy_safetensors *open_st(const char *path)
{
    gy_safetensors *st;
    gy_error err;
    ck_assert_msg(gy_st_open(path, &st, &err) == GY_OK, "%s", err.message);
    return st;
}

/* The runtime (1 and 2 threads) against the reference runtime on the case's input at 160x160. */
static void compare_with_reference(const char *case_name, const char *q)
{
    gy_model *m;
    gy_error err;
    ck_assert_msg(gy_model_load(NULL, q, NULL, &m, &err) == GY_OK, "%s", err.message);
    char in[512];
    gy_test_parity_path(in, sizeof in, case_name, "input.f32");
    size_t n;
    float *x = gy_test_read_f32(in, 0, &n);
    int side = (int)sqrt((double)(n / 3));
    for (int c = 0; c < 3; c++) /* 160x160: every fourth pixel (the reference conv is slow) */
        for (int y = 0; y < side / 4; y++)
            for (int xx = 0; xx < side / 4; xx++)
                x[((size_t)c * (side / 4) + y) * (side / 4) + xx] = x[((size_t)c * side + 4 * y) * side + 4 * xx];
    side /= 4;
    int nr;
    float *yr = reference_forward(m, x, side, side, &nr);
    for (int threads = 1; threads <= 2; threads++) {
        gy_session_params sp = gy_session_default_params();
        sp.num_threads = threads;
        gy_session *s;
        ck_assert_int_eq(gy_session_create(m, &sp, &s, &err), GY_OK);
        gy_output o;
        ck_assert_msg(gy_forward(s, x, side, side, &o, &err) == GY_OK, "%s", err.message);
        ck_assert_int_eq(o.channels * o.anchors, nr);
        diff d = compare(o.data, yr, nr, o.channels);
        const char *file = strrchr(q, '/') ? strrchr(q, '/') + 1 : q;
        printf("%s (%s) int8 runtime (%d threads) against the reference runtime: max %.2g px, %.2g\n",
               case_name, file, threads, d.box_max, d.cls_max);
        ck_assert_msg(d.box_max <= 1e-3 && d.cls_max <= 1e-6, "%s (%s): %g px, %g", case_name, file,
                      d.box_max, d.cls_max);
        gy_session_free(s);
    }
    free(yr);
    free(x);
    gy_model_free(m);
}

/* A copy of the int8 file `src` with every activation's zero point (field ".act_zero_point") or
 * scale (".act_scale") set to one value. */
static void write_uniform_acts(const char *src, const char *field, double value, const char *path)
{
    gy_safetensors *st = open_st(src);
    unsigned char *data = malloc(st->data_size + 1);
    ck_assert_ptr_nonnull(data);
    memcpy(data, st->data, st->data_size);
    int edited = 0;
    for (int i = 0; i < st->count; i++) {
        const gy_st_tensor *t = &st->tensors[i];
        size_t l = strlen(t->name), f = strlen(field);
        if (l < f || strcmp(t->name + l - f, field) != 0)
            continue;
        if (t->dtype == GY_DT_I32) {
            int32_t v = (int32_t)value;
            memcpy(data + t->offset, &v, 4);
        } else {
            float v = (float)value;
            memcpy(data + t->offset, &v, 4);
        }
        edited++;
    }
    ck_assert_int_gt(edited, 40);
    gy_safetensors out = *st;
    out.data = data;
    gy_error err;
    ck_assert_msg(gy_st_write(&out, NULL, path, &err) == GY_OK, "%s", err.message);
    free(data);
    gy_st_close(st);
}

/* An output channel whose folded weights are all below float's normal range (a BatchNorm gamma
 * of 1e-39, stored as float32): m / qmax would be a subnormal scale, whose products with the
 * activation scales lose their bits or flush to zero; the channel quantizes to scale 1 and zero
 * weights instead. A channel of exact zeros does the same; the channels beside them keep 63. */
START_TEST(subnormal_channel_weights)
{
    char w[512];
    gy_test_parity_path(w, sizeof w, "v8n_640", "weights.safetensors");
    gy_safetensors *st = open_st(w);
    unsigned char *data = malloc(st->data_size + 32 * 4);
    ck_assert_ptr_nonnull(data);
    memcpy(data, st->data, st->data_size);
    gy_st_tensor *tensors = malloc(sizeof *tensors * (size_t)st->count);
    ck_assert_ptr_nonnull(tensors);
    memcpy(tensors, st->tensors, sizeof *tensors * (size_t)st->count);
    int found = 0;
    for (int i = 0; i < st->count; i++) {
        if (strcmp(tensors[i].name, "model.2.cv1.bn.weight") != 0)
            continue;
        ck_assert_int_eq(tensors[i].numel, 32);
        float gamma[32];
        for (int c = 0; c < 32; c++)
            gamma[c] = c == 0 ? 1e-39f : c == 1 ? 0.0f : 1.0f;
        ck_assert(fpclassify(gamma[0]) == FP_SUBNORMAL);
        memcpy(data + st->data_size, gamma, sizeof gamma);
        tensors[i].dtype = GY_DT_F32;
        tensors[i].offset = st->data_size;
        tensors[i].nbytes = sizeof gamma;
        found = 1;
    }
    ck_assert(found);
    gy_safetensors out = *st;
    out.data = data;
    out.data_size = st->data_size + 32 * 4;
    out.tensors = tensors;
    const char *edited = tmp("subnormal.safetensors"), *q = tmp("subnormal_q.safetensors");
    gy_error err;
    ck_assert_msg(gy_st_write(&out, NULL, edited, &err) == GY_OK, "%s", err.message);
    free(tensors);
    free(data);
    gy_st_close(st);

    char cfg[512];
    gy_test_parity_path(cfg, sizeof cfg, "v8n_640", "model.yaml");
    gy_quantize_params qp = gy_quantize_default_params();
    qp.data = coco();
    qp.calib_images = 1;
    qp.sensitivity_images = 1;
    qp.imgsz = 160;
    qp.auto_float = 0;
    ck_assert_msg(gy_quantize(cfg, edited, &qp, q, &err) == GY_OK, "%s", err.message);
    st = open_st(q);
    const gy_st_tensor *tw = NULL, *ts = NULL;
    for (int i = 0; i < st->count; i++) {
        if (!strcmp(st->tensors[i].name, "model.2.cv1.conv.weight"))
            tw = &st->tensors[i];
        if (!strcmp(st->tensors[i].name, "model.2.cv1.conv.weight_scale"))
            ts = &st->tensors[i];
    }
    ck_assert(tw && ts && tw->dtype == GY_DT_I8 && ts->dtype == GY_DT_F32);
    const int8_t *q8 = (const int8_t *)(const void *)(st->data + tw->offset);
    float scale[32];
    memcpy(scale, st->data + ts->offset, sizeof scale);
    for (int c = 0; c < 32; c++) {
        int mx = 0;
        for (int k = 0; k < 32; k++)
            mx = abs(q8[c * 32 + k]) > mx ? abs(q8[c * 32 + k]) : mx;
        if (c < 2) {
            ck_assert_msg(scale[c] == 1.0f && mx == 0, "channel %d: scale %g, max |w| %d", c,
                          (double)scale[c], mx);
        } else {
            ck_assert_msg(isnormal(scale[c]) && mx == 63, "channel %d: scale %g, max |w| %d", c,
                          (double)scale[c], mx);
        }
    }
    gy_st_close(st);
}
END_TEST

START_TEST(runtime_against_reference)
{
    static const char *const cases[] = {"v8n_640", "ghost_n_640", "gghost_n_640"};
    for (int k = 0; k < 3; k++) {
        char q[256];
        snprintf(q, sizeof q, "%s", tmp("ref.safetensors"));
        quantize_case(cases[k], q, 2, 320, NULL, 0, 0);
        compare_with_reference(cases[k], q);
        if (k)
            continue;
        /* every activation with one zero point (their scales differ), then with one scale (their
         * zero points differ): each copy and max-pool between two of them requantizes exactly
         * when the pair differs in either, as the reference does */
        write_uniform_acts(q, ".act_zero_point", 10, tmp("zp10.safetensors"));
        compare_with_reference(cases[k], tmp("zp10.safetensors"));
        write_uniform_acts(q, ".act_scale", 0.05, tmp("scale005.safetensors"));
        compare_with_reference(cases[k], tmp("scale005.safetensors"));
    }
}
END_TEST

/* Float and int8 meeting at an op: one conv kept in float feeds, in turn, the first input of a
 * bottleneck's residual add (x + cv2(cv1(x)), x from model.2.cv1, which also feeds C2f's Concat),
 * its second input (model.2.m.0.cv2), and a later add's second input (model.4.m.1.cv2). The
 * int8 op reads the float tensor converted to its own uint8 scale: the output stays within the
 * int8 error of the float model's (the reference runtime runs all-int8 models only). */
START_TEST(float_feeding_int8)
{
    char cfg[512], w[512];
    gy_test_parity_path(cfg, sizeof cfg, "v8n_640", "model.yaml");
    gy_test_parity_path(w, sizeof w, "v8n_640", "weights.safetensors");
    half_input = 1;
    int nf, n8;
    float *yf = forward("v8n_640", cfg, w, &nf, NULL);
    static const char *const mixed[3] = {"model.2.cv1", "model.2.m.0.cv2", "model.4.m.1.cv2"};
    for (int f = 0; f < 3; f++) {
        const char *mq = tmp("mixed.safetensors");
        quantize_case("v8n_640", mq, 1, 160, &mixed[f], 1, 0);
        float *y8 = forward("v8n_640", NULL, mq, &n8, NULL);
        ck_assert_int_eq(n8, nf);
        diff d = compare(y8, yf, n8, 84);
        printf("v8n_640 with %s in float: |box| mean %.3f px, |class score| mean %.5f\n", mixed[f],
               d.box_mean, d.cls_mean);
        /* measured 0.56-0.58 px and 0.0085-0.0089 (calibrated on one image at 160) */
        ck_assert_msg(d.box_mean < 2.0 && d.cls_mean < 0.03, "%s kept in float: %g px, %g", mixed[f],
                      d.box_mean, d.cls_mean);
        free(y8);
    }
    half_input = 0;
    free(yf);
}
END_TEST

/* ---- Corrupt files ---------------------------------------------------------------------------- */

typedef struct edit {
    const char *tensor;     /* the tensor to change, remove ("-") or add ("+") */
    int op;                 /* 0 set float value, 1 set int value, 2 dtype, 3 shape, 4 remove,
                               5 add, 6 metadata value, 7 remove metadata */
    double value;
    const char *text;
    const char *expect;     /* in the message */
} edit;


/* A copy of `src` with one edit, written to path. */
static void write_edited(const gy_safetensors *src, const edit *e, const char *path)
{
    int n = src->count;
    gy_st_tensor *t = calloc((size_t)n + 1, sizeof *t);
    unsigned char *data = malloc(src->data_size + 64);
    ck_assert(t && data);
    memcpy(data, src->data, src->data_size);
    int k = 0;
    for (int i = 0; i < n; i++) {
        const gy_st_tensor *s = &src->tensors[i];
        if (e->op == 4 && strcmp(s->name, e->tensor) == 0)
            continue;
        t[k] = *s;
        if (strcmp(s->name, e->tensor) == 0) {
            unsigned char *p = data + s->offset;
            if (e->op == 0) {
                float v = (float)e->value;
                memcpy(p, &v, 4);
            } else if (e->op == 1) {
                int32_t v = (int32_t)e->value;
                memcpy(p, &v, 4);
            } else if (e->op == 2) {
                t[k].dtype = (gy_dtype)(int)e->value; /* same element size */
            } else if (e->op == 3) {
                t[k].shape[0] -= 1;
                t[k].numel = t[k].numel / (size_t)s->shape[0] * (size_t)t[k].shape[0];
                t[k].nbytes = t[k].numel * gy_dtype_size(t[k].dtype);
            }
        }
        k++;
    }
    if (e->op == 5) {
        t[k] = src->tensors[0];
        t[k].name = (char *)e->tensor;
        k++;
    }
    gy_st_meta meta[32];
    int nm = 0;
    for (int i = 0; i < src->meta_count && nm < 32; i++) {
        int match = strcmp(src->meta[i].key, e->tensor) == 0;
        if (match && e->op == 7)
            continue;
        meta[nm] = src->meta[i];
        if (match && e->op == 6)
            meta[nm].value = (char *)e->text;
        nm++;
    }
    gy_safetensors out = *src;
    out.tensors = t;
    out.count = k;
    out.data = data;
    out.meta = meta;
    out.meta_count = nm;
    gy_error err;
    ck_assert_msg(gy_st_write(&out, NULL, path, &err) == GY_OK, "%s", err.message);
    free(t);
    free(data);
}

START_TEST(corrupt_files_refused)
{
    char good[256];
    snprintf(good, sizeof good, "%s", tmp("good.safetensors"));
    const char *keep[] = {"model.22.cv2.0.2"};
    quantize_case("v8n_640", good, 2, 320, keep, 1, 0);
    gy_safetensors *st = open_st(good);
    /* a float conv exists (auto_float 1): find it, and an int8 one */
    const char *fw = NULL;
    for (int i = 0; i < st->count && !fw; i++) {
        const gy_st_tensor *t = &st->tensors[i];
        size_t l = strlen(t->name);
        if (t->dtype == GY_DT_F32 && t->ndim == 4 && l > 7 && strcmp(t->name + l - 7, ".weight") == 0 &&
            !strstr(t->name, "dfl"))
            fw = t->name;
    }
    ck_assert_ptr_nonnull(fw);
    static const edit edits[] = {
        {"model.2.cv1.conv.act_scale", 0, 0.0, NULL, "model.2.cv1.conv.act_scale\"[0] = 0"},
        {"model.2.cv1.conv.act_scale", 0, NAN, NULL, "act_scale\"[0] = nan"},
        {"model.2.cv1.conv.act_scale", 0, -0.5, NULL, "act_scale\"[0] = -0.5 is not a positive"},
        {"model.2.cv1.conv.act_scale", 0, INFINITY, NULL, "act_scale\"[0] = inf"},
        {"model.2.cv1.conv.act_scale", 0, 1e-40, NULL, "act_scale\"[0] = 9.99995e-41 is not a positive normal float"},
        {"model.2.cv1.conv.act_zero_point", 1, 256, NULL, "act_zero_point\" = 256 is outside 0..255"},
        {"model.2.cv1.conv.act_zero_point", 1, -1, NULL, "act_zero_point\" = -1 is outside 0..255"},
        {"model.2.cv1.conv.act_zero_point", 2, GY_DT_F32, NULL,
         "\"model.2.cv1.conv.act_zero_point\" has dtype F32, the int8 model needs I32"},
        {"model.1.conv.weight_scale", 0, 0.0, NULL, "model.1.conv.weight_scale\"[0] = 0"},
        {"model.1.conv.bias", 0, NAN, NULL, "model.1.conv.bias\"[0] = nan is not a finite"},
        {"model.1.conv.weight_scale", 3, 0, NULL, "\"model.1.conv.weight_scale\" has shape [31], the model needs [32]"},
        {"model.1.conv.weight", 3, 0, NULL, "\"model.1.conv.weight\" has shape [31, 16, 3, 3]"},
        {"model.1.conv.bias", 4, 0, NULL, "has no tensor \"model.1.conv.bias\""},
        {"model.1.conv.weight_scale", 4, 0, NULL, "has no tensor \"model.1.conv.weight_scale\""},
        {"model.2.cv1.conv.act_scale", 4, 0, NULL, "has no tensor \"model.2.cv1.conv.act_scale\""},
        {"model.99.extra", 5, 0, NULL, "tensor \"model.99.extra\" is not part of this int8 model"},
        {"int8_version", 6, 0, "2", "int8 model format version '2'"},
        {"int8_version", 7, 0, NULL, "has no int8_version metadata"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        const char *bad = tmp("bad.safetensors");
        write_edited(st, &edits[i], bad);
        gy_model *m = NULL;
        gy_error err;
        gy_status s = gy_model_load(NULL, bad, NULL, &m, &err);
        ck_assert_msg(s != GY_OK && !m, "edit %zu (%s) was accepted", i, edits[i].tensor);
        ck_assert_msg(strstr(err.message, edits[i].expect) && strstr(err.message, bad),
                      "edit %zu: message '%s' lacks '%s'", i, err.message, edits[i].expect);
    }
    /* the zero point's bounds themselves load */
    for (int zp = 0; zp <= 255; zp += 255) {
        edit ez = {"model.2.cv1.conv.act_zero_point", 1, zp, NULL, NULL};
        const char *edge = tmp("edge.safetensors");
        write_edited(st, &ez, edge);
        gy_model *me = NULL;
        gy_error eerr;
        ck_assert_msg(gy_model_load(NULL, edge, NULL, &me, &eerr) == GY_OK, "zero point %d: %s", zp,
                      eerr.message);
        gy_model_free(me);
    }
    /* a float conv's weight with another dtype is refused naming it */
    edit e32 = {fw, 2, GY_DT_I32, NULL, "\" has dtype I32, the int8 model needs F32"};
    const char *bad = tmp("bad.safetensors");
    write_edited(st, &e32, bad);
    gy_model *m = NULL;
    gy_error err;
    ck_assert_int_ne(gy_model_load(NULL, bad, NULL, &m, &err), GY_OK);
    ck_assert_msg(strstr(err.message, fw) && strstr(err.message, e32.expect), "%s", err.message);
    /* the good file still loads */
    ck_assert_msg(gy_model_load(NULL, good, NULL, &m, &err) == GY_OK, "%s", err.message);
    gy_model_free(m);
    gy_st_close(st);
}
END_TEST

/* The Ghost C2f variants (random weights) quantize and run; their int8 output against float32. */
START_TEST(ghost_variants)
{
    static const char *const cases[] = {"ghost_n_640", "ghostv2_n_640", "gghost_n_640",
                                        "ghostv2_dfc_320"};
    for (int i = 0; i < 4; i++) {
        const char *q = tmp("ghost.safetensors");
        quantize_case(cases[i], q, 2, 320, NULL, 0, 0);
        int n8, nf;
        float *y8 = forward(cases[i], NULL, q, &n8, NULL);
        char cfg[512], w[512];
        gy_test_parity_path(cfg, sizeof cfg, cases[i], "model.yaml");
        gy_test_parity_path(w, sizeof w, cases[i], "weights.safetensors");
        float *yf = forward(cases[i], cfg, w, &nf, NULL);
        ck_assert_int_eq(n8, nf);
        diff d = compare(y8, yf, n8, 5);
        printf("%s int8 vs float32: |box| mean %.3f max %.2f px, |class score| mean %.5f max "
               "%.4f\n", cases[i], d.box_mean, d.box_max, d.cls_mean, d.cls_max);
        ck_assert(d.box_mean < box_mean_ghost[i] && d.cls_mean < cls_mean_ghost[i]);
        free(y8);
        if (i == 0) {
            /* a float conv inside the int8 backbone: the C2f's first conv (model.2.cv1), whose
             * output the Ghost bottlenecks read and add */
            const char *keep[] = {"model.2.cv1"};
            quantize_case(cases[i], q, 2, 320, keep, 1, 0);
            y8 = forward(cases[i], NULL, q, &n8, NULL);
            d = compare(y8, yf, n8, 5);
            printf("%s int8 (model.2.cv1 in float) vs float32: |box| mean %.3f max %.2f px, "
                   "|class score| mean %.5f max %.4f\n", cases[i], d.box_mean, d.box_max,
                   d.cls_mean, d.cls_max);
            ck_assert(d.box_mean < box_mean_ghost[i] && d.cls_mean < cls_mean_ghost[i]);
            free(y8);
        }
        free(yf);
    }
}
END_TEST

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *path)
{
    size_t n;
    unsigned char *b = gy_test_read(path, &n);
    char *s = realloc(b, n + 1);
    ck_assert_ptr_nonnull(s);
    s[n] = '\0';
    return s;
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

START_TEST(cli_verbs)
{
    char cmd[4096], cfg[512], w[512];
    gy_test_parity_path(cfg, sizeof cfg, "v8n_640", "model.yaml");
    gy_test_parity_path(w, sizeof w, "v8n_640", "weights.safetensors");
    const char *q = tmp("cli.safetensors"), *out = tmp("out.txt"), *errf = tmp("err.txt");
    snprintf(cmd, sizeof cmd, "%s quantize -m %s -w %s --data %s --calib-images 2 --imgsz 160 "
             "--sensitivity-images 1 --auto-float 1 --keep-float model.22.cv3 -t 2 -o %s > %s 2> %s",
             gy_test_cli(), cfg, w, coco(), q, out, errf);
    ck_assert_int_eq(run(cmd), 0);
    char *text = slurp(out), *progress = slurp(errf);
    ck_assert_ptr_nonnull(strstr(text, "kept in float by sensitivity: model."));
    ck_assert_ptr_nonnull(strstr(text, "(1 of at most 1, "));
    ck_assert_ptr_nonnull(strstr(text, "int8: 53 convs, float32: 10 (model.22.cv3,model."));
    ck_assert_ptr_nonnull(strstr(progress, "sensitivity: "));
    /* the sensitivity table: 8 rows of a measured error (positive: int8 is not exact), worst
     * first; the worst fits the 5 % budget, so it is the one kept */
    {
        const char *row = strstr(text, "worst first:\n");
        ck_assert_ptr_nonnull(row);
        row = strchr(row, '\n') + 1;
        char first[64] = "";
        double prev = INFINITY;
        for (int i = 0; i < 8; i++) {
            char name[64];
            double e, share;
            ck_assert_msg(sscanf(row, " %63s %lf (%lf%%", name, &e, &share) == 3, "row %d: %.60s", i, row);
            ck_assert_msg(e > 0.0 && e <= prev && isfinite(e), "row %d: %s %g after %g", i, name, e, prev);
            ck_assert_msg(share > 0.0 && share < 5.0, "row %d: %s %g%%", i, name, share);
            prev = e;
            if (i == 0)
                snprintf(first, sizeof first, "%s", name);
            row = strchr(row, '\n') + 1;
        }
        char want[128];
        snprintf(want, sizeof want, "kept in float by sensitivity: %s (1 of at most 1", first);
        ck_assert_msg(strstr(text, want) != NULL, "want '%s' in:\n%s", want, text);
        const char *fin = strstr(text, "output error against float on 1 images: ");
        ck_assert_ptr_nonnull(fin);
        double e = strtod(fin + strlen("output error against float on 1 images: "), NULL);
        ck_assert_msg(e > 0.0 && e < 1.0, "final output error %g", e);
    }
    /* one pass of each kind over the calibration images: min/max, then histograms */
    ck_assert_int_eq(count_of(progress, "calibrate: 1/2"), 1);
    ck_assert_int_eq(count_of(progress, "calibrate: 2/2"), 1);
    ck_assert_int_eq(count_of(progress, "histogram: 1/2"), 1);
    ck_assert_int_eq(count_of(progress, "histogram: 2/2"), 1);
    free(text);
    free(progress);
    /* every verb loads it */
    snprintf(cmd, sizeof cmd, "%s bench -w %s --imgsz 160 --iters 2 --warmup 0 --json > %s",
             gy_test_cli(), q, out);
    ck_assert_int_eq(run(cmd), 0);
    text = slurp(out);
    ck_assert_ptr_nonnull(strstr(text, "\"dtype\":\"int8\""));
    ck_assert_ptr_nonnull(strstr(text, "\"share_of_int8_peak\":"));
    /* its weight bytes are the tensor bytes of the file: all of it but the 8-byte length and
     * the JSON header */
    {
        FILE *f = fopen(q, "rb");
        ck_assert_ptr_nonnull(f);
        unsigned char len[8];
        ck_assert_int_eq(fread(len, 1, 8, f), 8);
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        long size = ftell(f);
        fclose(f);
        unsigned long long hl = 0;
        for (int i = 7; i >= 0; i--)
            hl = hl << 8 | len[i];
        const char *wb = strstr(text, "\"weight_bytes\":");
        ck_assert_ptr_nonnull(wb);
        double bytes = strtod(wb + strlen("\"weight_bytes\":"), NULL);
        ck_assert_msg(bytes == (double)((unsigned long long)size - 8 - hl), "weight_bytes %.0f, file %ld, "
                      "header %llu", bytes, size, hl);
    }
    /* its activations are uint8 (float only where a float conv reads or writes them, plus the
     * borders), in buffers that share memory when their lifetimes do not overlap: its arena is
     * below the float model's (measured 0.72 of it at 160; with no sharing it would be 3.6) */
    {
        const char *ab = strstr(text, "\"arena_bytes\":");
        ck_assert_ptr_nonnull(ab);
        double a8 = strtod(ab + strlen("\"arena_bytes\":"), NULL);
        char fout[300];
        snprintf(fout, sizeof fout, "%s", tmp("float_bench.json"));
        snprintf(cmd, sizeof cmd, "%s bench -m %s -w %s --imgsz 160 --iters 1 --warmup 0 --json > %s",
                 gy_test_cli(), cfg, w, fout);
        ck_assert_int_eq(run(cmd), 0);
        char *ft = slurp(fout);
        ab = strstr(ft, "\"arena_bytes\":");
        ck_assert_ptr_nonnull(ab);
        double af = strtod(ab + strlen("\"arena_bytes\":"), NULL);
        ck_assert_msg(a8 > 0 && a8 < af, "int8 arena %.0f bytes, float %.0f", a8, af);
        free(ft);
    }
    free(text);
    snprintf(cmd, sizeof cmd, "%s stats -w %s > %s", gy_test_cli(), q, out);
    ck_assert_int_eq(run(cmd), 0);
    text = slurp(out);
    struct stat sb;
    ck_assert_int_eq(stat(q, &sb), 0);
    char want[128];
    snprintf(want, sizeof want, "weights file: %.0f KiB, int8", (double)sb.st_size / 1024.0);
    ck_assert_msg(strstr(text, want), "stats lacks '%s'", want);
    free(text);
    snprintf(cmd, sizeof cmd, "%s detect -q --no-save --json -w %s %s > %s", gy_test_cli(), q,
             gy_test_shared("images/bus.jpg"), out);
    ck_assert_int_eq(run(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s info -w %s > %s", gy_test_cli(), q, out);
    ck_assert_int_eq(run(cmd), 0);
    char in[512];
    gy_test_parity_path(in, sizeof in, "v8n_640", "input.f32");
    snprintf(cmd, sizeof cmd, "%s forward -w %s --input %s --shape 1,3,640,640 -o %s > %s",
             gy_test_cli(), q, in, tmp("fwd.f32"), out);
    ck_assert_int_eq(run(cmd), 0);
    struct stat fs;
    ck_assert_int_eq(stat(tmp("fwd.f32"), &fs), 0);
    ck_assert_int_eq(fs.st_size, 4 * 84 * 8400);
    /* bad options */
    static const struct {
        const char *args;
        int rc;
        const char *msg;
    } bad[] = {
        {"--method kl", 64, "--method 'kl': must be mse, percentile or minmax"},
        {"--weight-bits 6", 64, "--weight-bits '6'"},
        {"--calib-images 0", 64, "--calib-images '0'"},
        {"--imgsz 100", 64, "--imgsz '100': must be a multiple of 32"},
        {"--keep-float model.77", 65, "keep-float: 'model.77' names no convolution"},
        {"--percentile 40 --method percentile", 64, "--percentile '40'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(cmd, sizeof cmd, "%s quantize -m %s -w %s --data %s --calib-images 1 --imgsz 160 "
                 "%s -o %s 2> %s", gy_test_cli(), cfg, w, coco(), bad[i].args, tmp("x.safetensors"),
                 errf);
        if (strstr(bad[i].args, "calib-images 0"))
            snprintf(cmd, sizeof cmd, "%s quantize -m %s -w %s --data %s --imgsz 160 %s -o %s 2> %s",
                     gy_test_cli(), cfg, w, coco(), bad[i].args, tmp("x.safetensors"), errf);
        ck_assert_int_eq(run(cmd), bad[i].rc);
        text = slurp(errf);
        ck_assert_msg(strstr(text, bad[i].msg), "'%s': %s", bad[i].args, text);
        free(text);
        ck_assert_msg(access(tmp("x.safetensors"), F_OK) != 0, "%s wrote a file", bad[i].args);
    }
    snprintf(cmd, sizeof cmd, "%s quantize -m %s -w %s 2> %s", gy_test_cli(), cfg, w, errf);
    ck_assert_int_eq(run(cmd), 64);
    snprintf(cmd, sizeof cmd, "%s quantize -m %s -w %s --data %s --calib-images 1 --imgsz 160 "
             "--auto-float 0 -o /nonexistent/dir/q.safetensors 2> %s", gy_test_cli(), cfg, w, coco(),
             errf);
    ck_assert_int_eq(run(cmd), 73);
    snprintf(cmd, sizeof cmd, "%s quantize -w %s --data %s -o %s 2> %s", gy_test_cli(), q, coco(),
             tmp("y.safetensors"), errf);
    ck_assert_int_eq(run(cmd), 65);
    text = slurp(errf);
    ck_assert_ptr_nonnull(strstr(text, "already an int8 model"));
    free(text);
}
END_TEST

/* Every parameter of gy_quantize at its bounds and one past them: a refused value names the
 * parameter (GY_ERR_ARGUMENT) before anything is loaded; an accepted one goes on to the weights,
 * which here do not exist (GY_ERR_IO naming them). */
START_TEST(quantize_parameters)
{
    const char *nope = "/nonexistent/w.safetensors";
    const struct {
        const char *field;
        double value;
        int ok;
    } cases[] = {
        {"calib_images", 0, 0},       {"calib_images", 1, 1},        {"calib_images", 100000, 1},
        {"calib_images", 100001, 0},  {"imgsz", 0, 0},               {"imgsz", 32, 1},
        {"imgsz", 48, 0},             {"imgsz", 8192, 1},            {"imgsz", 8224, 0},
        {"method", -1, 0},            {"method", 0, 1},              {"method", 2, 1},
        {"method", 3, 0},             {"percentile", 50, 0},         {"percentile", 50.001, 1},
        {"percentile", 100, 1},       {"percentile", 100.001, 0},    {"weight_bits", 6, 0},
        {"weight_bits", 7, 1},        {"weight_bits", 8, 1},         {"weight_bits", 9, 0},
        {"auto_float", -2, 0},        {"auto_float", -1, 1},         {"float_budget", -0.001, 0},
        {"float_budget", 0, 1},       {"float_budget", 1, 1},        {"float_budget", 1.001, 0},
        {"sensitivity_images", 0, 0}, {"sensitivity_images", 1, 1},  {"num_threads", -1, 0},
        {"num_threads", 0, 1},        {"num_keep_float", 1, 0},      {"num_keep_float", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gy_quantize_params qp = gy_quantize_default_params();
        qp.data = coco();
        double v = cases[i].value;
        const char *f = cases[i].field;
        if (!strcmp(f, "calib_images")) qp.calib_images = (int)v;
        else if (!strcmp(f, "imgsz")) qp.imgsz = (int)v;
        else if (!strcmp(f, "method")) qp.method = (gy_quant_method)(int)v;
        else if (!strcmp(f, "percentile")) qp.percentile = v;
        else if (!strcmp(f, "weight_bits")) qp.weight_bits = (int)v;
        else if (!strcmp(f, "auto_float")) qp.auto_float = (int)v;
        else if (!strcmp(f, "float_budget")) qp.float_budget = v;
        else if (!strcmp(f, "sensitivity_images")) qp.sensitivity_images = (int)v;
        else if (!strcmp(f, "num_threads")) qp.num_threads = (int)v;
        else if (!strcmp(f, "num_keep_float")) qp.num_keep_float = (int)v; /* with no list */
        gy_error err;
        gy_status st = gy_quantize(NULL, nope, &qp, tmp("never.safetensors"), &err);
        if (cases[i].ok)
            ck_assert_msg(st == GY_ERR_IO && strstr(err.message, nope), "%s = %g: %s", f, v, err.message);
        else
            ck_assert_msg(st == GY_ERR_ARGUMENT && strstr(err.message, f), "%s = %g: %s", f, v,
                          err.message);
    }
    gy_quantize_params qp = gy_quantize_default_params();
    gy_error err;
    ck_assert_int_eq(gy_quantize(NULL, nope, &qp, "x", &err), GY_ERR_ARGUMENT); /* no data */
    ck_assert_ptr_nonnull(strstr(err.message, "data"));
    qp.data = coco();
    ck_assert_int_eq(gy_quantize(NULL, NULL, &qp, "x", &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_quantize(NULL, nope, &qp, NULL, &err), GY_ERR_ARGUMENT);
}
END_TEST

/* Which split calibrates: "train" unless one is named; with none named and no train split, the
 * val split; a named split that is missing is an error. A dataset whose train list holds 2
 * coco128 images and val list 3, calibrating on up to 10: the count the progress reports. */
static void count_calib(void *user, const char *phase, int done, int total)
{
    (void)done;
    if (strcmp(phase, "calibrate") == 0)
        *(int *)user = total;
}

static const char *split_yaml(const char *name, int with_train)
{
    const char *root = gy_test_shared("datasets/coco128");
    char lists[2][512];
    static const char *const imgs[3] = {"000000000009.jpg", "000000000025.jpg", "000000000030.jpg"};
    for (int k = 0; k < 2; k++) {
        snprintf(lists[k], sizeof lists[k], "%s", tmp(k ? "val.txt" : "train.txt"));
        FILE *f = fopen(lists[k], "w");
        ck_assert_ptr_nonnull(f);
        for (int i = 0; i < (k ? 3 : 2); i++)
            fprintf(f, "%s/images/train2017/%s\n", root, imgs[i]);
        fclose(f);
    }
    const char *y = tmp(name);
    FILE *f = fopen(y, "w");
    ck_assert_ptr_nonnull(f);
    if (with_train)
        fprintf(f, "train: %s\n", lists[0]);
    fprintf(f, "val: %s\nnames:\n", lists[1]);
    for (int c = 0; c < 80; c++)
        fprintf(f, "  %d: c%d\n", c, c);
    fclose(f);
    return y;
}

START_TEST(calibration_split)
{
    char cfg[512], w[512];
    gy_test_parity_path(cfg, sizeof cfg, "v8n_640", "model.yaml");
    gy_test_parity_path(w, sizeof w, "v8n_640", "weights.safetensors");
    gy_quantize_params qp = gy_quantize_default_params();
    qp.calib_images = 10;
    qp.sensitivity_images = 1;
    qp.imgsz = 64;
    qp.num_threads = 2;
    qp.progress = count_calib;
    int total = 0;
    qp.user = &total;
    gy_error err;
    char both[512], only_val[512];
    snprintf(both, sizeof both, "%s", split_yaml("both.yaml", 1));
    snprintf(only_val, sizeof only_val, "%s", split_yaml("val_only.yaml", 0));
    qp.data = both;
    ck_assert_msg(gy_quantize(cfg, w, &qp, tmp("s.safetensors"), &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(total, 2); /* train */
    qp.split = "val";
    ck_assert_msg(gy_quantize(cfg, w, &qp, tmp("s.safetensors"), &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(total, 3);
    qp.split = NULL;
    qp.data = only_val;
    ck_assert_msg(gy_quantize(cfg, w, &qp, tmp("s.safetensors"), &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(total, 3); /* no train split: val */
    qp.split = "train";
    ck_assert_int_ne(gy_quantize(cfg, w, &qp, tmp("s.safetensors"), &err), GY_OK);
    ck_assert_msg(strstr(err.message, "train"), "%s", err.message);
}
END_TEST

/* The range method is named in the report ("ranges by minmax", "percentile 99.5", "mse") and in
 * the file's "quantization" metadata ("method": ...), for each of the three. */
static void keep_report(void *user, const char *line)
{
    if (strstr(line, "calibration: "))
        snprintf((char *)user, 512, "%s", line);
}

START_TEST(method_named)
{
    char cfg[512], w[512];
    gy_test_parity_path(cfg, sizeof cfg, "v8n_640", "model.yaml");
    gy_test_parity_path(w, sizeof w, "v8n_640", "weights.safetensors");
    static const struct { gy_quant_method m; const char *report, *meta; } cases[] = {
        {GY_QUANT_MINMAX, "ranges by minmax,", "\"method\": \"minmax\""},
        {GY_QUANT_PERCENTILE, "ranges by percentile 99.5,", "\"method\": \"percentile\""},
        {GY_QUANT_MSE, "ranges by mse,", "\"method\": \"mse\""},
    };
    for (int i = 0; i < 3; i++) {
        gy_quantize_params qp = gy_quantize_default_params();
        qp.data = split_yaml("m.yaml", 1);
        qp.calib_images = 2;
        qp.sensitivity_images = 1;
        qp.imgsz = 64;
        qp.num_threads = 2;
        qp.method = cases[i].m;
        qp.percentile = 99.5;
        char line[512] = "";
        qp.report = keep_report;
        qp.user = line;
        gy_error err;
        ck_assert_msg(gy_quantize(cfg, w, &qp, tmp("m.safetensors"), &err) == GY_OK, "%s",
                      err.message);
        ck_assert_msg(strstr(line, cases[i].report), "method %d: %s", (int)cases[i].m, line);
        gy_safetensors *st;
        ck_assert_msg(gy_st_open(tmp("m.safetensors"), &st, &err) == GY_OK, "%s", err.message);
        const char *how = gy_st_meta_get(st, "quantization");
        ck_assert_msg(how && strstr(how, cases[i].meta), "method %d: %s", (int)cases[i].m,
                      how ? how : "(none)");
        gy_st_close(st);
    }
}
END_TEST

/* The range methods on known data: 10000 values spread evenly over [0, 10] and one at 1000. */
START_TEST(range_methods)
{
    gy_qact a = gy_qact_from_range(-1.0, 3.0);
    ck_assert(fabsf(a.scale - 4.0f / 255.0f) < 1e-9f && a.zp == 64 && a.set);
    a = gy_qact_from_range(0.5, 2.0); /* widened to 0 */
    ck_assert(fabsf(a.scale - 2.0f / 255.0f) < 1e-9f && a.zp == 0);
    a = gy_qact_from_range(-2.0, -1.0);
    ck_assert(fabsf(a.scale - 2.0f / 255.0f) < 1e-9f && a.zp == 255);
    a = gy_qact_from_range(0.0, 0.0); /* an all-zero tensor still gets a usable scale */
    ck_assert(a.scale > 0.0f && isnormal(a.scale) && a.zp == 0);
    float *v = malloc(sizeof *v * 10001);
    ck_assert_ptr_nonnull(v);
    for (int i = 0; i < 10000; i++)
        v[i] = (float)i / 1000.0f;
    v[10000] = 1000.0f;
    gy_qstat st;
    gy_qstat_init(&st);
    gy_qstat_minmax(&st, v, 5000);
    gy_qstat_minmax(&st, v + 5000, 5001); /* accumulates */
    ck_assert(st.lo == 0.0 && st.hi == 1000.0);
    ck_assert(gy_qstat_hist_begin(&st));
    gy_qstat_hist(&st, v, 10001);
    ck_assert_int_eq((int)st.count, 10001);
    gy_qact mm = gy_qstat_range(&st, GY_QUANT_MINMAX, 99.99);
    gy_qact pc = gy_qstat_range(&st, GY_QUANT_PERCENTILE, 99.9);
    gy_qact ms = gy_qstat_range(&st, GY_QUANT_MSE, 99.99);
    double hi_mm = (255 - mm.zp) * mm.scale, hi_pc = (255 - pc.zp) * pc.scale, hi_ms = (255 - ms.zp) * ms.scale;
    printf("ranges of [0, 10] + one 1000: minmax %.3f, percentile 99.9 %.3f, mse %.3f\n", hi_mm,
           hi_pc, hi_ms);
    ck_assert(fabs(hi_mm - 1000.0) < 1e-3 && mm.zp == 0);
    /* the 99.9th percentile of the even part: 9.99 (within a histogram bin of 1000 / 2048) */
    ck_assert(fabs(hi_pc - 9.99) < 0.5 && pc.zp == 0);
    /* one outlier in 10001 costs more clipped ((1000 - 10)^2) than kept (10000 x step^2 / 12):
     * mse keeps (most of) it */
    ck_assert(hi_ms > 900.0 && ms.zp == 0);
    /* an all-zero tensor with a histogram (its range is empty: the histogram gets a width of its
     * own) gets, by every method, the scale of the empty range */
    {
        static const float zeros[64];
        gy_qstat zs;
        gy_qstat_init(&zs);
        gy_qstat_minmax(&zs, zeros, 64);
        ck_assert(gy_qstat_hist_begin(&zs));
        ck_assert(zs.hhi > zs.hlo && zs.hlo == 0.0);
        gy_qstat_hist(&zs, zeros, 64);
        ck_assert_int_eq((int)zs.count, 64);
        ck_assert_int_eq((int)zs.hist[0], 64);
        gy_qact empty = gy_qact_from_range(0.0, 0.0);
        for (int m = GY_QUANT_MINMAX; m <= GY_QUANT_MSE; m++) {
            gy_qact q = gy_qstat_range(&zs, m, 99.99);
            ck_assert_msg(q.scale == empty.scale && q.zp == 0, "method %d: scale %g zp %d", m,
                          (double)q.scale, q.zp);
        }
        gy_qstat_free(&zs);
    }
    /* with no histogram every method falls back to the observed range */
    gy_qstat bare;
    gy_qstat_init(&bare);
    gy_qstat_minmax(&bare, v, 10001);
    ck_assert(fabsf(gy_qstat_range(&bare, GY_QUANT_MSE, 99.99).scale - mm.scale) < 1e-9f);
    gy_qstat_free(&bare);
    gy_qstat_free(&st);
    free(v);
    /* a bell-shaped tensor (sums of 4 uniforms, 200000 values): mse clips the sparse tails, and
     * its range's actual squared error is the smallest of the three */
    const int n = 200000;
    v = malloc(sizeof *v * (size_t)n);
    ck_assert_ptr_nonnull(v);
    gy_test_rng rng = {42};
    for (int i = 0; i < n; i++)
        v[i] = (gy_test_rng_float(&rng) + gy_test_rng_float(&rng) + gy_test_rng_float(&rng) +
                gy_test_rng_float(&rng)) * 2.0f;
    gy_qstat_init(&st);
    gy_qstat_minmax(&st, v, (size_t)n);
    ck_assert(gy_qstat_hist_begin(&st));
    gy_qstat_hist(&st, v, (size_t)n);
    gy_qact r[3] = {gy_qstat_range(&st, GY_QUANT_MINMAX, 99.99),
                    gy_qstat_range(&st, GY_QUANT_PERCENTILE, 99.99),
                    gy_qstat_range(&st, GY_QUANT_MSE, 99.99)};
    double e[3];
    for (int m = 0; m < 3; m++) {
        e[m] = 0.0;
        for (int i = 0; i < n; i++) {
            double q = fmin(255, fmax(0, nearbyint(v[i] / r[m].scale + r[m].zp)));
            double d = (q - r[m].zp) * r[m].scale - v[i];
            e[m] += d * d / n;
        }
    }
    printf("bell: squared error minmax %.3g, percentile %.3g, mse %.3g (ranges %.2f, %.2f, %.2f "
           "wide)\n", e[0], e[1], e[2], 255 * r[0].scale, 255 * r[1].scale, 255 * r[2].scale);
    ck_assert(r[2].scale < r[0].scale);
    ck_assert(e[2] < e[0] && e[2] <= e[1] * 1.05);
    gy_qstat_free(&st);
    free(v);
}
END_TEST

/* ---- coco128 (slow) --------------------------------------------------------------------------- */

static void coco128_case(const char *model, double map50, double map50_95)
{
    char w[256];
    snprintf(w, sizeof w, "weights/%s.safetensors", model);
    const char *q = tmp("coco.safetensors");
    gy_quantize_params qp = gy_quantize_default_params();
    qp.data = coco();
    qp.calib_images = 32; /* calibrated on the first 32, validated on all 128 */
    gy_error err;
    ck_assert_msg(gy_quantize(NULL, gy_test_shared(w), &qp, q, &err) == GY_OK, "%s", err.message);
    gy_model *m;
    gy_session *s;
    gy_val_result *r;
    ck_assert_int_eq(gy_model_load(NULL, q, NULL, &m, &err), GY_OK);
    ck_assert_int_eq(gy_session_create(m, NULL, &s, &err), GY_OK);
    ck_assert_msg(gy_val(s, coco(), NULL, NULL, NULL, &r, &err) == GY_OK, "%s", err.message);
    printf("%s int8 (32 calibration images): mAP50 %.4f (float32 %.4f), mAP50-95 %.4f (float32 "
           "%.4f)\n", model, r->map50, map50, r->map50_95, map50_95);
    ck_assert(r->map50 >= map50 - 0.005);
    ck_assert(r->map50_95 >= map50_95 - 0.005);
    gy_val_result_free(r);
    gy_session_free(s);
    gy_model_free(m);
}

/* the float32 numbers of ../shared/reference/val_coco128.json (ultralytics) */
START_TEST(coco128_yolov8n) { coco128_case("yolov8n", 0.6184, 0.4666); }
END_TEST
START_TEST(coco128_yolov8s) { coco128_case("yolov8s", 0.7799, 0.6090); }
END_TEST

int main(void)
{
    /* the scratch folder exists before the forked tests share it (and is removed below) */
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gy_int8_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("int8");
    TCase *fast = tcase_create("fast"); /* CK_RUN_CASE=fast */
    tcase_set_timeout(fast, 600);
    tcase_add_test(fast, quantize_load_run);
    tcase_add_test(fast, all_float_is_float);
    tcase_add_test(fast, corrupt_files_refused);
    tcase_add_test(fast, ghost_variants);
    tcase_add_test(fast, cli_verbs);
    tcase_add_test(fast, range_methods);
    tcase_add_test(fast, quantize_parameters);
    tcase_add_test(fast, runtime_against_reference);
    tcase_add_test(fast, calibration_split);
    tcase_add_test(fast, method_named);
    tcase_add_test(fast, subnormal_channel_weights);
    tcase_add_test(fast, float_feeding_int8);
    tcase_add_test(fast, synthetic_at_the_conv_capacity);
    tcase_add_test(fast, only_int8_capable_convs_are_quantized);
    suite_add_tcase(s, fast);
    TCase *slow = tcase_create("coco128");
    tcase_set_timeout(slow, 3000);
    tcase_add_test(slow, coco128_yolov8n);
    tcase_add_test(slow, coco128_yolov8s);
    suite_add_tcase(s, slow);
    int rc = gy_test_run(s);
    if (tmpdir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            rc = EXIT_FAILURE;
    }
    return rc;
}

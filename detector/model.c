/* model.c - gy_model_load: config (file or weights metadata) -> graph -> weights bound and
 * BatchNorm folded -> strides; plus the model's read-only accessors. */
#include "detector/model.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "runtime/plan.h"
#include "core/util.h"
#include "weights/bind.h"
#include "weights/qbind.h"
#include "weights/pt_checkpoint.h"
#include "weights/safetensors.h"

gy_model_params gy_model_default_params(void)
{
    gy_model_params p;
    memset(&p, 0, sizeof p);
    return p;
}

static void free_names(char **names, int n)
{
    if (!names)
        return;
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void gy_model_free(gy_model *m)
{
    if (!m)
        return;
    gy_qgraph_free(m->q);
    gy_graph_free(&m->graph);
    gy_config_free(m->cfg);
    free(m->rows);
    free_names(m->names, m->nnames);
    free(m);
}

/* Class names from the "names" metadata: a JSON object {"0": "person", ...} or a list. */
static gy_status load_names(gy_model *m, const char *json, const char *path, gy_error *err)
{
    cJSON *root = cJSON_Parse(json);
    if (!root || (!cJSON_IsObject(root) && !cJSON_IsArray(root))) {
        cJSON_Delete(root);
        return gy_fail(err, GY_ERR_FORMAT, "%s: metadata 'names' is not a JSON object or list", path);
    }
    int nc = m->cfg->nc;
    m->names = calloc((size_t)nc, sizeof *m->names);
    if (!m->names) {
        cJSON_Delete(root);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
    }
    m->nnames = nc;
    gy_status st = GY_OK;
    int idx = 0;
    for (cJSON *it = root->child; it && st == GY_OK; it = it->next, idx++) {
        long id = idx;
        if (cJSON_IsObject(root)) {
            char *end;
            id = strtol(it->string, &end, 10);
            if (*it->string == '\0' || *end != '\0' || id < 0) {
                st = gy_fail(err, GY_ERR_FORMAT, "%s: metadata 'names' key '%s' is not a class id",
                             path, it->string);
                break;
            }
        }
        if (!cJSON_IsString(it)) {
            st = gy_fail(err, GY_ERR_FORMAT, "%s: metadata 'names' entry %ld is not a string", path, id);
            break;
        }
        if (id >= nc) /* names for classes the model does not have (nc overridden): ignore */
            continue;
        free(m->names[id]);
        m->names[id] = gy_strdup(it->valuestring);
        if (!m->names[id])
            st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", path);
    }
    cJSON_Delete(root);
    return st;
}

/* ultralytics' default names: class0, class1, ... for every class without one. */
static gy_status fill_generic_names(gy_model *m, gy_error *err)
{
    int nc = m->cfg->nc;
    if (!m->names) {
        m->names = calloc((size_t)nc, sizeof *m->names);
        if (!m->names)
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", m->cfg->path);
        m->nnames = nc;
    }
    for (int i = 0; i < nc; i++) {
        if (m->names[i])
            continue;
        char buf[32];
        snprintf(buf, sizeof buf, "class%d", i);
        m->names[i] = gy_strdup(buf);
        if (!m->names[i])
            return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", m->cfg->path);
    }
    return GY_OK;
}

/* The weights' class count against the config's, before the tensor-by-tensor check (whose first
 * complaint, about a hidden layer whose width follows nc, would not say so): Detect's class convs
 * (ultralytics' cv3.<level>.2, nc outputs each) tell the weights' nc. */
static gy_status check_class_count(const gy_graph *g, const gy_safetensors *st, const char *path,
                                   int nc, gy_error *err)
{
    static const char tail[] = ".2.weight";
    for (int i = 0; i < g->nconvs; i++) {
        const char *n = g->convs[i].wname, *cv3 = strstr(n, ".cv3.");
        size_t len = strlen(n);
        if (!cv3 || len < sizeof tail || strcmp(n + len - (sizeof tail - 1), tail) != 0)
            continue;
        const gy_st_tensor *t = gy_st_find(st, n);
        if (t && t->ndim == 4 && t->shape[0] != g->convs[i].cout)
            return gy_fail(err, GY_ERR_MISMATCH,
                           "%s: the weights have %lld classes (Detect %.*s has %lld outputs), the "
                           "config asks for %d", path, (long long)t->shape[0],
                           (int)(len - (sizeof ".weight" - 1)), n, (long long)t->shape[0], nc);
    }
    return GY_OK;
}

/* The float binder, after checking that the file is no int8 model without its version. */
static gy_status bind_float(gy_graph *g, const gy_safetensors *st, double eps, gy_error *err)
{
    for (int i = 0; i < st->count; i++)
        if (st->tensors[i].dtype == GY_DT_I8 || st->tensors[i].dtype == GY_DT_I32)
            return gy_fail(err, GY_ERR_FORMAT, "%s: tensor \"%s\" is %s but the file has no "
                           "int8_version metadata (not an int8 model from ghostyolo quantize)",
                           st->path, st->tensors[i].name, gy_dtype_name(st->tensors[i].dtype));
    return gy_model_bind(g, st, eps, err);
}

static void log_msg(const gy_model_params *p, gy_log_level lvl, const char *msg)
{
    if (p->log && msg && *msg)
        p->log(p->log_user, lvl, msg);
}

gy_status gy_model_load(const char *config_path, const char *weights_path,
                        const gy_model_params *params, gy_model **out, gy_error *err)
{
    if (!out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_model_load: out is NULL");
    *out = NULL;
    if (!config_path && !weights_path)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_model_load: give a config, a weights file, or both");
    gy_model_params defaults = gy_model_default_params();
    if (!params)
        params = &defaults;
    if (params->nc < 0 || params->nc > 100000)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_model_load: nc %d is out of range", params->nc);
    gy_model *m = calloc(1, sizeof *m);
    if (!m)
        return gy_fail(err, GY_ERR_NOMEM, "gy_model_load: out of memory");
    gy_graph_init(&m->graph);
    m->bn_eps = 1e-3;
    gy_safetensors *st = NULL;
    gy_status s = GY_OK;
    if (weights_path)
        s = gy_weights_open(weights_path, &st, err);
    if (s == GY_OK && config_path) {
        s = gy_config_load_file(config_path, params->scale, params->nc, &m->cfg, err);
    } else if (s == GY_OK) {
        const char *text = gy_st_meta_get(st, "config");
        if (!text) {
            s = gy_fail(err, GY_ERR_ARGUMENT,
                        "%s: the weights carry no model config (metadata 'config'); pass a YAML",
                        weights_path);
        } else {
            char display[1100];
            snprintf(display, sizeof display, "%s:config", weights_path);
            s = gy_config_load_string(text, strlen(text), display, params->scale, params->nc,
                                      &m->cfg, err);
        }
    }
    if (s == GY_OK) {
        snprintf(m->name, sizeof m->name, "%s", m->cfg->name);
        snprintf(m->config_path, sizeof m->config_path, "%s",
                 config_path ? m->cfg->path : "<weights metadata>");
        log_msg(params, GY_LOG_WARNING, m->cfg->warning);
        s = gy_model_build_graph(m, err);
    }
    if (s == GY_OK && st) {
        const char *eps = gy_st_meta_get(st, "bn_eps");
        if (eps) {
            char *end;
            double v = strtod(eps, &end);
            if (end == eps || *end != '\0' || !(v > 0.0 && v < 1.0))
                s = gy_fail(err, GY_ERR_FORMAT, "%s: metadata bn_eps '%s' is not a small positive "
                            "number", weights_path, eps);
            else
                m->bn_eps = v;
        }
        if (s == GY_OK)
            s = check_class_count(&m->graph, st, weights_path, m->cfg->nc, err);
        if (s == GY_OK && gy_st_meta_get(st, "int8_version"))
            s = gy_qmodel_bind(&m->graph, st, &m->q, err);
        else if (s == GY_OK)
            s = bind_float(&m->graph, st, m->bn_eps, err);
        const char *names = gy_st_meta_get(st, "names");
        if (s == GY_OK && names)
            s = load_names(m, names, weights_path, err);
        m->has_weights = s == GY_OK;
    }
    if (s == GY_OK && !st && params->synthetic_weights) {
        s = gy_model_synthetic_weights(&m->graph, err);
        m->has_weights = s == GY_OK;
    }
    /* The kernels' instruction set: the best the CPU has unless GY_ISA asks for a lower one
     * (read once per load), and their tuning for the kind of machine (GY_TUNE: a test's
     * override); the weights are packed for both. */
    if (s == GY_OK)
        s = gy_isa_select(getenv("GY_ISA"), &m->isa, err);
    if (s == GY_OK) {
        gy_cpu_kind_detect(&m->cpu);
        s = gy_tune_select(&m->cpu, m->isa, getenv("GY_TUNE"), &m->tune, err);
    }
    for (int i = 0; s == GY_OK && m->has_weights && i < m->graph.nconvs; i++) {
        /* int8 convs have no float weights: nothing to pack */
        s = gy_conv_pack_tuned(&m->graph.convs[i], m->isa, m->tune, err);
        m->packed_bytes += gy_conv_packed_bytes(&m->graph.convs[i]);
    }
    if (s == GY_OK && m->q) {
        s = gy_qgraph_prepare(&m->graph, m->q, gy_qisa_for(m->isa), err);
        for (int i = 0; i < m->graph.nconvs; i++)
            m->packed_bytes += m->q->convs[i].k.pack_bytes;
        if (s != GY_OK)
            gy_error_prefix(err, "%s", weights_path);
    }
    if (s == GY_OK)
        s = fill_generic_names(m, err);
    if (s == GY_OK) {
        gy_plan probe;
        s = gy_plan_make(&m->graph, 256, 256, &probe, err);
        int probe_strides[GY_OP_MAX_IN] = {0};
        if (s == GY_OK) {
            memcpy(probe_strides, probe.strides, sizeof(int) * (size_t)probe.nstrides);
            m->nstrides = probe.nstrides;
            memcpy(m->strides, probe.strides, sizeof(int) * (size_t)probe.nstrides);
            gy_plan_free(&probe);
            /* Detect decodes with these strides at every input size (ultralytics computes them
             * once from its 256x256 probe), not with input / level size */
            for (int i = 0; i < m->graph.nops; i++)
                if (m->graph.ops[i].type == GY_OP_DETECT)
                    memcpy(m->graph.ops[i].strides, probe_strides, sizeof probe_strides);
        } else {
            /* the config's own name: a YAML's path, or "<weights>:config" for the one in the
             * weights' metadata (config_path then reads "<weights metadata>": no file named) */
            gy_error_prefix(err, "%s: computing the strides on a 256x256 input", m->cfg->path);
        }
    }
    gy_st_close(st);
    if (s != GY_OK) {
        gy_model_free(m);
        return s;
    }
    *out = m;
    return GY_OK;
}

int gy_model_stride(const gy_model *m)
{
    int s = 32;
    for (int i = 0; i < m->nstrides; i++)
        if (m->strides[i] > s)
            s = m->strides[i];
    return s;
}

gy_status gy_model_get_info(const gy_model *m, gy_model_info *info)
{
    if (!m || !info)
        return GY_ERR_ARGUMENT;
    memset(info, 0, sizeof *info);
    info->name = m->name;
    info->config_path = m->config_path;
    info->scale = m->cfg->scale;
    info->scale_source = m->cfg->scale_source;
    info->warning = m->cfg->warning;
    info->depth = m->cfg->depth;
    info->width = m->cfg->width;
    info->max_channels = m->cfg->max_channels;
    info->nc = m->cfg->nc;
    info->num_rows = m->nrows;
    info->has_weights = m->has_weights;
    info->reg_max = 16;
    info->num_strides = m->nstrides;
    memcpy(info->strides, m->strides, sizeof m->strides);
    info->kernel_isa = gy_isa_name(m->isa);
    info->packed_weight_bytes = m->packed_bytes;
    info->dtype = m->q ? "int8" : "float32";
    info->int8_kernel_isa = m->q ? gy_qisa_name(m->q->qisa) : "";
    return GY_OK;
}

const char *gy_model_class_name(const gy_model *m, int id)
{
    if (!m || id < 0 || id >= m->cfg->nc)
        return NULL;
    return m->names[id];
}

gy_status gy_model_get_row(const gy_model *m, int index, gy_row_info *row)
{
    if (!m || !row || index < 0 || index >= m->nrows)
        return GY_ERR_ARGUMENT;
    const gy_row_stats *rs = &m->rows[index];
    memset(row, 0, sizeof *row);
    row->index = index;
    snprintf(row->from, sizeof row->from, "%s", rs->from);
    row->n = rs->n;
    for (int c = rs->first_conv; c < rs->end_conv; c++) {
        row->params += gy_conv_params(&m->graph.convs[c], 0);
        row->params_fused += gy_conv_params(&m->graph.convs[c], 1);
    }
    snprintf(row->module, sizeof row->module, "%s", rs->module);
    snprintf(row->args, sizeof row->args, "%s", rs->args);
    return GY_OK;
}

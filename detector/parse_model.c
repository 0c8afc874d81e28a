/* parse_model.c - ultralytics' parse_model: walks the YAML rows, applies the scaling and argument
 * rules of each module kind and calls the module builders, which emit the graph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "detector/model.h"
#include "detector/registry.h"

static void format_args(const gy_block *blk, const int *detect_ch, int nch, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < blk->nargs && used < size; i++) {
        char a[80];
        gy_arg_format(&blk->args[i], a, sizeof a);
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", a);
    }
    if (detect_ch && used < size) {
        used += (size_t)snprintf(buf + used, size - used, "%s[", blk->nargs ? ", " : "");
        for (int i = 0; i < nch && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s%d", i ? ", " : "", detect_ch[i]);
        if (used < size)
            used += (size_t)snprintf(buf + used, size - used, "]");
    }
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

static gy_arg int_arg(long long v)
{
    gy_arg a;
    memset(&a, 0, sizeof a);
    a.type = GY_ARG_INT;
    a.i = v;
    return a;
}

/* parse_model has just put a value of its own at args[at] (nargs counts it): the YAML positions
 * from there on move up one, and the new value has none. */
static void shift_positions(gy_block *blk, int at)
{
    memmove(&blk->pos[at + 1], &blk->pos[at], (size_t)(blk->nargs - 1 - at));
    blk->pos[at] = 0;
}

gy_status gy_model_build_graph(gy_model *model, gy_error *err)
{
    const gy_config *cfg = model->cfg;
    gy_graph *g = &model->graph;
    gy_graph_init(g);
    model->rows = calloc((size_t)cfg->nrows, sizeof *model->rows);
    if (!model->rows)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", cfg->path);
    model->nrows = cfg->nrows;
    g->row_names = calloc((size_t)cfg->nrows + 1, sizeof *g->row_names);
    if (!g->row_names)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", cfg->path);
    g->nrows = cfg->nrows;
    for (int i = 0; i < cfg->nrows; i++)
        snprintf(g->row_names[i], sizeof g->row_names[i], "%s", cfg->rows[i].module);
    int *ch = calloc((size_t)cfg->nrows, sizeof *ch);
    int *outs = calloc((size_t)cfg->nrows, sizeof *outs);
    if (!ch || !outs) {
        free(ch);
        free(outs);
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", cfg->path);
    }
    long total_repeats = 0;
    gy_status st = GY_OK;
    g->input = gy_graph_new_tensor(g, cfg->ch);
    if (g->input < 0)
        st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", cfg->path);
    for (int i = 0; i < cfg->nrows && st == GY_OK; i++) {
        const gy_row *row = &cfg->rows[i];
        gy_row_stats *rs = &model->rows[i];
        gy_build b = {.g = g, .cfg = cfg, .rs = rs, .err = err};
        snprintf(b.prefix, sizeof b.prefix, "model.%d", i);
        g->cur_row = i;
        const gy_module_def *def = gy_module_find(row->module);
        if (!def) {
            char known[512];
            gy_module_names(known, sizeof known);
            st = gy_fail(err, GY_ERR_UNSUPPORTED, "%s:%d: unknown module '%s' in row %d (known: %s)",
                         cfg->path, row->line, row->module, i, known);
            break;
        }
        gy_block blk;
        memset(&blk, 0, sizeof blk);
        blk.row = row;
        blk.nin = row->nfrom;
        for (int j = 0; j < row->nfrom; j++) {
            int f = row->from[j] < 0 ? i + row->from[j] : row->from[j];
            if (f < 0) { /* only row 0 may read the network input */
                blk.in[j] = g->input;
                blk.in_ch[j] = cfg->ch;
            } else {
                blk.in[j] = outs[f];
                blk.in_ch[j] = ch[f];
            }
        }
        int n = gy_config_repeats(cfg, row->repeats);
        rs->n = n;
        total_repeats += n;
        if (total_repeats > GY_MAX_TOTAL_REPEATS) {
            st = gy_fail(err, GY_ERR_FORMAT,
                         "%s:%d: row %d brings the model to %ld repeated blocks, more than the %d "
                         "allowed in all", cfg->path, row->line, i, total_repeats, GY_MAX_TOTAL_REPEATS);
            break;
        }
        int c2 = blk.in_ch[0];
        blk.nargs = row->nargs;
        memcpy(blk.args, row->args, sizeof row->args);
        for (int j = 0; j < row->nargs; j++)
            blk.pos[j] = (signed char)(j + 1);
        if (def->kind == GY_MOD_CHANNELS || def->kind == GY_MOD_CHANNELS_REPS) {
            if (row->nfrom != 1 || row->nargs < 1 ||
                (row->args[0].type != GY_ARG_INT && row->args[0].type != GY_ARG_NC)) {
                st = gy_fail(err, GY_ERR_FORMAT,
                             "%s:%d: %s needs one input and output channels as first argument",
                             cfg->path, row->line, row->module);
                break;
            }
            c2 = (int)row->args[0].i;
            if (c2 != cfg->nc)
                c2 = gy_config_channels(cfg, c2);
            blk.args[0] = int_arg(blk.in_ch[0]);
            blk.args[1] = int_arg(c2);
            for (int j = 1; j < row->nargs; j++)
                blk.args[j + 1] = row->args[j];
            blk.nargs = row->nargs + 1;
            shift_positions(&blk, 0);
            if (def->kind == GY_MOD_CHANNELS_REPS) {
                memmove(&blk.args[3], &blk.args[2], sizeof(gy_arg) * (size_t)(blk.nargs - 2));
                blk.args[2] = int_arg(n);
                blk.nargs++;
                shift_positions(&blk, 2);
                n = 1;
            }
        } else if (def->kind == GY_MOD_ZOO || def->kind == GY_MOD_ZOO_FIRE) {
            /* zoo rows: Module(c1, *args) with the backbone's official widths (no width gain) */
            int need = def->kind == GY_MOD_ZOO_FIRE ? 3 : 1;
            if (row->nfrom != 1 || row->nargs < need) {
                st = gy_fail(err, GY_ERR_FORMAT, "%s:%d: %s (row %d) needs one input and %s as "
                             "first argument%s", cfg->path, row->line, row->module, i,
                             need == 3 ? "squeeze, expand1x1 and expand3x3 channels"
                                       : "its output channels", need == 3 ? "s" : "");
                break;
            }
            c2 = 0;
            for (int j = need == 3 ? 1 : 0; j < need && st == GY_OK; j++) {
                const gy_arg *a = &row->args[j];
                if ((a->type != GY_ARG_INT && a->type != GY_ARG_NC) || a->i < 1 ||
                    a->i > GY_MAX_CHANNELS)
                    st = gy_fail(err, GY_ERR_FORMAT, "%s:%d: %s (row %d): argument %d must be a "
                                 "channel count from 1 to %d", cfg->path, row->line, row->module,
                                 i, j + 1, GY_MAX_CHANNELS);
                else
                    c2 += (int)a->i;
            }
            if (st != GY_OK)
                break;
            if (c2 > GY_MAX_CHANNELS) {
                st = gy_fail(err, GY_ERR_FORMAT, "%s:%d: %s (row %d) gives %d channels, more than "
                             "%d", cfg->path, row->line, row->module, i, c2, GY_MAX_CHANNELS);
                break;
            }
            blk.args[0] = int_arg(blk.in_ch[0]);
            for (int j = 0; j < row->nargs; j++)
                blk.args[j + 1] = row->args[j];
            blk.nargs = row->nargs + 1;
            shift_positions(&blk, 0);
        } else if (def->kind == GY_MOD_CONCAT) {
            c2 = 0;
            for (int j = 0; j < blk.nin; j++)
                c2 += blk.in_ch[j];
            if (c2 > GY_MAX_CHANNELS) {
                st = gy_fail(err, GY_ERR_FORMAT, "%s:%d: Concat gives %d channels, more than %d",
                             cfg->path, row->line, c2, GY_MAX_CHANNELS);
                break;
            }
        } else if (row->nfrom != 1 && def->kind == GY_MOD_PASS) {
            st = gy_fail(err, GY_ERR_FORMAT, "%s:%d: %s takes exactly one input", cfg->path,
                         row->line, row->module);
            break;
        }
        blk.c2 = c2;
        rs->first_op = g->nops;
        rs->first_conv = g->nconvs;
        int out = -1;
        if (n > 1) { /* nn.Sequential of n copies: model.i.0, model.i.1, ... */
            gy_build_modules(&b, 1, 1);
            int in0 = blk.in[0];
            for (int r = 0; r < n && st == GY_OK; r++) {
                snprintf(b.prefix, sizeof b.prefix, "model.%d.%d", i, r);
                if (r > 0) {
                    if (blk.in_ch[0] != c2) {
                        st = gy_fail(err, GY_ERR_FORMAT,
                                     "%s:%d: %s repeated %d times needs equal input and output "
                                     "channels (%d != %d)", cfg->path, row->line, row->module, n,
                                     blk.in_ch[0], c2);
                        break;
                    }
                    blk.in[0] = out;
                }
                st = def->build(&b, &blk, &out);
            }
            blk.in[0] = in0;
        } else {
            st = def->build(&b, &blk, &out);
        }
        if (st != GY_OK)
            break;
        rs->end_op = g->nops;
        rs->end_conv = g->nconvs;
        rs->out = out;
        rs->out_ch = def->kind == GY_MOD_DETECT ? g->tensors[out].c : c2;
        outs[i] = out;
        ch[i] = rs->out_ch;
        snprintf(rs->module, sizeof rs->module, "%s", def->torch_type);
        gy_row_format_from(row, rs->from, sizeof rs->from);
        format_args(&blk, def->kind == GY_MOD_DETECT ? blk.in_ch : NULL, blk.nin, rs->args,
                    sizeof rs->args);
        if (def->kind == GY_MOD_DETECT) {
            if (i != cfg->nrows - 1) {
                st = gy_fail(err, GY_ERR_UNSUPPORTED, "%s:%d: Detect must be the last row",
                             cfg->path, row->line);
                break;
            }
            g->output = out;
        }
    }
    if (st == GY_OK && g->output < 0)
        st = gy_fail(err, GY_ERR_FORMAT, "%s: the last row must be a Detect head", cfg->path);
    free(ch);
    free(outs);
    return st;
}

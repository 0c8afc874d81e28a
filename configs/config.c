/* config.c - ultralytics model YAML (8.0.126 semantics) read with libyaml's event API.
 *
 * Two passes: the events are first collected into a small tree (refusing aliases, anchors, tags,
 * deep nesting and extra documents), then the tree is interpreted with the same typing rules as
 * PyYAML's safe_load (YAML 1.1 plain-scalar resolution) followed by parse_model's
 * ast.literal_eval / locals() lookup for string arguments. Every error names the source and the
 * 1-based line.
 *
 * This file is the interpretation (scales, rows, the scale choice) and the load API; the tree and
 * the scalar typing are in config_yaml.c, the scaling and printing rules in config_format.c. */
#include "configs/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/util.h"
#include "configs/config_yaml.h"

#define CFG_MAX_BYTES GY_YAML_MAX_BYTES /* YAML text cap */
#define CFG_MAX_TOP_KEYS 256
#define CFG_MAX_NC GY_MAX_NC
#define CFG_MAX_MULTIPLE 16.0

/* ------------------------------------------------------------------------------------------------
 * Interpretation */

static int find_scale(const gy_config *cfg, const char *key)
{
    for (int i = 0; i < cfg->nscales; i++)
        if (!strcmp(cfg->scales[i].key, key))
            return i;
    return -1;
}

static void list_scales(const gy_config *cfg, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < cfg->nscales && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", cfg->scales[i].key);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static gy_status parse_scales(const pctx *c, const ynode *map, gy_config *cfg)
{
    char w[64];
    if (map->kind == YN_SCALAR) {
        yval v;
        gy_cfg_resolve_node(c, map, &v);
        if (v.kind == V_NULL)
            return GY_OK; /* `scales:` with no value: as if absent */
    }
    if (map->kind != YN_MAP)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, map->line,
                              "scales must be a mapping key: [depth, width, max_channels], got %s",
                              gy_cfg_kind_word(c, map, w, sizeof w));
    for (int k = map->first; k >= 0; k = gy_cfg_node(c, gy_cfg_node(c, k)->next)->next) {
        const ynode *key = gy_cfg_node(c, k);
        const ynode *val = gy_cfg_node(c, key->next);
        if (key->kind != YN_SCALAR || key->len == 0 || key->len >= sizeof cfg->scales[0].key)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, key->line,
                                  "a scale name must be a short word (1 to %zu characters), got %s",
                                  sizeof cfg->scales[0].key - 1,
                                  gy_cfg_kind_word(c, key, w, sizeof w));
        if (find_scale(cfg, gy_cfg_stext(c, key)) >= 0)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, key->line, "scale '%s' is defined twice",
                                  gy_cfg_stext(c, key));
        if (cfg->nscales == GY_MAX_SCALES)
            return gy_cfg_fail_at(c, GY_ERR_UNSUPPORTED, key->line, "more than %d scales",
                                  GY_MAX_SCALES);
        if (val->kind != YN_SEQ || val->count != 3)
            return gy_cfg_fail_at(
                c, GY_ERR_FORMAT, val->line,
                "scale '%s' must be a list [depth, width, max_channels], got %s%s",
                gy_cfg_stext(c, key), val->kind == YN_SEQ ? "a list of " : "",
                val->kind == YN_SEQ
                    ? (val->count < 3 ? "fewer than 3 values" : "more than 3 values")
                    : gy_cfg_kind_word(c, val, w, sizeof w));
        gy_scale_def *sd = &cfg->scales[cfg->nscales];
        snprintf(sd->key, sizeof sd->key, "%s", gy_cfg_stext(c, key));
        const ynode *e0 = gy_cfg_node(c, val->first);
        const ynode *e1 = gy_cfg_node(c, e0->next);
        const ynode *e2 = gy_cfg_node(c, e1->next);
        gy_status st = gy_cfg_get_number(c, e0, "scale depth", &sd->depth);
        if (st == GY_OK)
            st = gy_cfg_get_number(c, e1, "scale width", &sd->width);
        if (st != GY_OK)
            return st;
        if (!(sd->depth > 0 && sd->depth <= CFG_MAX_MULTIPLE))
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, e0->line,
                                  "scale '%s': depth %g is not in (0, %g]", sd->key, sd->depth,
                                  CFG_MAX_MULTIPLE);
        if (!(sd->width > 0 && sd->width <= CFG_MAX_MULTIPLE))
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, e1->line,
                                  "scale '%s': width %g is not in (0, %g]", sd->key, sd->width,
                                  CFG_MAX_MULTIPLE);
        long long mc;
        st = gy_cfg_get_int(c, e2, "max_channels", 1, GY_MAX_CHANNELS, &mc);
        if (st != GY_OK)
            return st;
        sd->max_channels = (int)mc;
        cfg->nscales++;
    }
    return GY_OK;
}

static gy_status parse_multiple(const pctx *c, const ynode *n, const char *what, double *out)
{
    gy_status st = gy_cfg_get_number(c, n, what, out);
    if (st != GY_OK)
        return st;
    if (!(*out > 0 && *out <= CFG_MAX_MULTIPLE))
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, n->line, "%s %g is not in (0, %g]", what, *out,
                              CFG_MAX_MULTIPLE);
    return GY_OK;
}

static gy_status parse_from(const pctx *c, const ynode *fn, int index, gy_row *row)
{
    char w[64];
    int items[GY_MAX_FROM];
    int n = 0;
    if (fn->kind == YN_SCALAR) {
        items[n++] = (int)(fn - c->nodes);
        row->from_is_list = 0;
    } else if (fn->kind == YN_SEQ) {
        if (fn->count == 0)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, fn->line, "row %d: `from` is an empty list",
                                  index);
        if (fn->count > GY_MAX_FROM)
            return gy_cfg_fail_at(c, GY_ERR_UNSUPPORTED, fn->line,
                                  "row %d: `from` lists %d inputs, more than the %d supported",
                                  index, fn->count, GY_MAX_FROM);
        for (int k = fn->first; k >= 0; k = gy_cfg_node(c, k)->next)
            items[n++] = k;
        row->from_is_list = 1;
    } else {
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, fn->line,
                              "row %d: `from` must be an integer or a list of integers, got %s",
                              index, gy_cfg_kind_word(c, fn, w, sizeof w));
    }
    for (int j = 0; j < n; j++) {
        const ynode *e = gy_cfg_node(c, items[j]);
        yval v;
        if (e->kind == YN_SCALAR)
            gy_cfg_resolve_node(c, e, &v);
        if (e->kind != YN_SCALAR || v.kind != V_INT)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, e->line,
                                  "row %d: `from` must be an integer or a list of integers, got %s",
                                  index, gy_cfg_kind_word(c, e, w, sizeof w));
        long long f = v.i;
        if (!v.overflow && f == -1 && index == 0) {
            row->from[j] = -1; /* the network input */
            continue;
        }
        if (v.overflow)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, e->line, "row %d: `from` %s is out of range",
                                  index, gy_cfg_kind_word(c, e, w, sizeof w));
        long long abs_idx = f < 0 ? index + f : f;
        if (abs_idx < 0)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, e->line,
                                  "row %d: `from` %s points before the first row%s", index,
                                  gy_cfg_kind_word(c, e, w, sizeof w),
                                  index == 0 ? " (row 0 may only use -1, the input)" : "");
        if (abs_idx >= index)
            return gy_cfg_fail_at(
                c, GY_ERR_FORMAT, e->line,
                "row %d: `from` %lld points to row %lld, which is not an earlier row", index, f,
                abs_idx);
        row->from[j] = (int)f;
    }
    row->nfrom = n;
    return GY_OK;
}

static gy_status parse_arg(const pctx *c, const ynode *an, int index, int j, gy_arg *a)
{
    char w[64];
    memset(a, 0, sizeof *a);
    if (an->kind != YN_SCALAR)
        return gy_cfg_fail_at(c, GY_ERR_UNSUPPORTED, an->line,
                              "row %d: argument %d is %s; nested list arguments are not supported",
                              index, j + 1, an->kind == YN_SEQ ? "a list" : "a mapping");
    const char *s = gy_cfg_stext(c, an);
    yval v;
    gy_cfg_resolve_node(c, an, &v);
    if (v.kind == V_STR) /* parse_model: locals()[a] if a in locals() else ast.literal_eval(a) */
        gy_cfg_resolve_python(s, &v);
    switch (v.kind) {
    case V_NULL:
        a->type = GY_ARG_NONE;
        return GY_OK;
    case V_BOOL:
        a->type = GY_ARG_BOOL;
        a->i = v.i;
        return GY_OK;
    case V_INT:
        if (v.overflow || v.i > GY_MAX_CHANNELS)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, an->line,
                                  "row %d: argument %d (%s) is absurdly large (limit %d)", index,
                                  j + 1, gy_cfg_kind_word(c, an, w, sizeof w), GY_MAX_CHANNELS);
        if (v.i < 0)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, an->line,
                                  "row %d: argument %d (%lld) is negative", index, j + 1, v.i);
        a->type = GY_ARG_INT;
        a->i = v.i;
        return GY_OK;
    case V_FLOAT:
        if (!isfinite(v.f) || fabs(v.f) > GY_MAX_CHANNELS)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, an->line,
                                  "row %d: argument %d (%s) is not a sensible number", index, j + 1,
                                  gy_cfg_kind_word(c, an, w, sizeof w));
        if (v.f < 0)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, an->line,
                                  "row %d: argument %d (%s) is negative", index, j + 1,
                                  gy_cfg_kind_word(c, an, w, sizeof w));
        a->type = GY_ARG_FLOAT;
        a->f = v.f;
        return GY_OK;
    case V_STR:
        break;
    }
    if (!strcmp(s, "nc")) {
        a->type = GY_ARG_NC; /* resolved once nc is final */
        return GY_OK;
    }
    if (an->len >= sizeof a->s)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, an->line,
                              "row %d: argument %d is a string of %zu characters (limit %zu)",
                              index, j + 1, an->len, sizeof a->s - 1);
    a->type = GY_ARG_STR;
    memcpy(a->s, s, an->len + 1);
    return GY_OK;
}

static gy_status parse_row(const pctx *c, const ynode *rn, int index, gy_row *row)
{
    char w[64];
    row->index = index;
    row->line = rn->line;
    if (rn->kind == YN_SEQ && rn->count != 4)
        return gy_cfg_fail_at(
            c, GY_ERR_FORMAT, rn->line,
            "row %d must be a list of 4 items [from, repeats, module, args], got %d "
            "items",
            index, rn->count);
    if (rn->kind != YN_SEQ)
        return gy_cfg_fail_at(
            c, GY_ERR_FORMAT, rn->line,
            "row %d must be a list of 4 items [from, repeats, module, args], got %s", index,
            gy_cfg_kind_word(c, rn, w, sizeof w));
    const ynode *fn = gy_cfg_node(c, rn->first);
    const ynode *nn = gy_cfg_node(c, fn->next);
    const ynode *mn = gy_cfg_node(c, nn->next);
    const ynode *an = gy_cfg_node(c, mn->next);

    gy_status st = parse_from(c, fn, index, row);
    if (st != GY_OK)
        return st;

    yval v;
    if (nn->kind == YN_SCALAR)
        gy_cfg_resolve_node(c, nn, &v);
    if (nn->kind != YN_SCALAR || v.kind != V_INT)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, nn->line,
                              "row %d: repeats must be a positive integer, got %s", index,
                              gy_cfg_kind_word(c, nn, w, sizeof w));
    if (v.overflow || v.i < 1 || v.i > GY_MAX_REPEATS)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, nn->line,
                              "row %d: repeats %s is out of range [1, %d]", index,
                              gy_cfg_kind_word(c, nn, w, sizeof w), GY_MAX_REPEATS);
    row->repeats = (int)v.i;

    if (mn->kind == YN_SCALAR)
        gy_cfg_resolve_node(c, mn, &v);
    if (mn->kind != YN_SCALAR || v.kind != V_STR || mn->len == 0)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, mn->line,
                              "row %d: the module must be a name, got %s", index,
                              gy_cfg_kind_word(c, mn, w, sizeof w));
    if (mn->len >= sizeof row->module)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, mn->line,
                              "row %d: module name of %zu characters is too long (limit %zu)",
                              index, mn->len, sizeof row->module - 1);
    const char *mod = gy_cfg_stext(c, mn);
    for (const char *p = mod; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
            return gy_cfg_fail_at(
                c, GY_ERR_FORMAT, mn->line,
                "row %d: module name '%s' has a character other than letters, digits, "
                "'_' and '.'",
                index, mod);
    memcpy(row->module, mod, mn->len + 1);

    if (an->kind != YN_SEQ)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, an->line, "row %d: args must be a list, got %s",
                              index, gy_cfg_kind_word(c, an, w, sizeof w));
    if (an->count > GY_MAX_ARGS)
        return gy_cfg_fail_at(c, GY_ERR_UNSUPPORTED, an->line,
                              "row %d: %d arguments, more than the %d supported", index, an->count,
                              GY_MAX_ARGS);
    int j = 0;
    for (int k = an->first; k >= 0; k = gy_cfg_node(c, k)->next, j++) {
        st = parse_arg(c, gy_cfg_node(c, k), index, j, &row->args[j]);
        if (st != GY_OK)
            return st;
    }
    row->nargs = j;
    return GY_OK;
}

static gy_status row_list(const pctx *c, const ynode *key, const ynode *val, int *out)
{
    char w[64];
    if (val->kind != YN_SEQ)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, val->line, "%s must be a list of rows, got %s",
                              gy_cfg_stext(c, key), gy_cfg_kind_word(c, val, w, sizeof w));
    *out = (int)(val - c->nodes);
    return GY_OK;
}

typedef struct seen_keys {
    int nc, scales, depth, width, scale, ch, backbone, head, yaml_file; /* key node index or -1 */
} seen_keys;

/* The scales of ultralytics' yolov8.yaml, to name the scale of an older YAML that gives
 * depth_multiple / width_multiple instead (the official checkpoints store such a YAML). */
static const struct {
    const char *key;
    double depth, width;
} v8_scales[] = {{"n", 0.33, 0.25}, {"s", 0.33, 0.50}, {"m", 0.67, 0.75}, {"l", 1.00, 1.00},
                 {"x", 1.00, 1.25}};

/* The position of the scale letter of re.search(r'yolov\d+([nslmx])', name) (case-sensitive,
 * leftmost match; *has_letter 1), else of the end of the first yolov<digits> (*has_letter 0), or
 * -1 when name has no yolov<digits>. */
static long scale_letter_at(const char *name, int *has_letter)
{
    long first = -1;
    *has_letter = 0;
    for (const char *p = strstr(name, "yolov"); p; p = strstr(p + 1, "yolov")) {
        const char *q = p + 5;
        if (!isdigit((unsigned char)*q))
            continue;
        while (isdigit((unsigned char)*q))
            q++;
        if (*q && strchr("nslmx", *q)) {
            *has_letter = 1;
            return q - name;
        }
        if (first < 0)
            first = q - name;
    }
    return first;
}

/* A model built at an explicitly chosen scale is named for it, as ultralytics names its scaled
 * files: yolov8n.yaml at scale x is yolov8x, yolov8.yaml at scale s is yolov8s. */
static void name_for_scale(char *name, size_t size, const char *scale)
{
    int has_letter = 0;
    long at = scale_letter_at(name, &has_letter);
    if (at < 0 || strlen(scale) != 1 || !strchr("nslmx", scale[0]))
        return;
    if (has_letter) {
        name[at] = scale[0];
    } else if (strlen(name) + 2 <= size) {
        memmove(name + at + 1, name + at, strlen(name + at) + 1);
        name[at] = scale[0];
    }
}

static gy_status interpret(const pctx *c, const char *guess_name, const char *scale_override,
                           int nc_override, gy_config *cfg)
{
    char w[64];
    if (c->root < 0)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, 1, "the YAML is empty");
    const ynode *root = gy_cfg_node(c, c->root);
    if (root->kind != YN_MAP)
        return gy_cfg_fail_at(
            c, GY_ERR_FORMAT, root->line,
            "the top level must be a mapping (nc:, backbone:, head:, ...), got %s",
            gy_cfg_kind_word(c, root, w, sizeof w));
    if (root->count / 2 > CFG_MAX_TOP_KEYS)
        return gy_cfg_fail_at(c, GY_ERR_UNSUPPORTED, root->line, "more than %d top-level keys",
                              CFG_MAX_TOP_KEYS);

    seen_keys sk = {-1, -1, -1, -1, -1, -1, -1, -1, -1}; /* key node indices */
    struct {
        const char *name;
        int *slot;
    } known[] = {{"nc", &sk.nc},
                 {"scales", &sk.scales},
                 {"depth_multiple", &sk.depth},
                 {"width_multiple", &sk.width},
                 {"scale", &sk.scale},
                 {"ch", &sk.ch},
                 {"backbone", &sk.backbone},
                 {"head", &sk.head},
                 {"yaml_file", &sk.yaml_file}};
    for (int k = root->first; k >= 0; k = gy_cfg_node(c, gy_cfg_node(c, k)->next)->next) {
        const ynode *key = gy_cfg_node(c, k);
        const ynode *val = gy_cfg_node(c, key->next);
        if (key->kind != YN_SCALAR)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, key->line,
                                  "a top-level key must be a word, got %s",
                                  gy_cfg_kind_word(c, key, w, sizeof w));
        const char *name = gy_cfg_stext(c, key);
        for (int p = root->first; p != k; p = gy_cfg_node(c, gy_cfg_node(c, p)->next)->next)
            if (!strcmp(gy_cfg_stext(c, gy_cfg_node(c, p)), name))
                return gy_cfg_fail_at(c, GY_ERR_FORMAT, key->line,
                                      "duplicate top-level key '%.64s' (first at line %d)", name,
                                      gy_cfg_node(c, p)->line);
        if (!strcmp(name, "activation")) {
            yval v;
            if (val->kind == YN_SCALAR)
                gy_cfg_resolve_node(c, val, &v);
            if (val->kind != YN_SCALAR || v.kind != V_NULL)
                return gy_cfg_fail_at(c, GY_ERR_UNSUPPORTED, key->line,
                                      "activation: %s is not supported; only the default SiLU is "
                                      "implemented (remove the key)",
                                      gy_cfg_kind_word(c, val, w, sizeof w));
            continue;
        }
        for (size_t q = 0; q < sizeof known / sizeof known[0]; q++)
            if (!strcmp(name, known[q].name))
                *known[q].slot = k;
        /* other keys (kpt_shape, inplace, ...) do not affect a detection model */
    }

#define VAL(keyidx) gy_cfg_node(c, gy_cfg_node(c, keyidx)->next)
    long long v;
    gy_status st;
    if (sk.nc < 0)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, root->line,
                              "missing required key 'nc' (class count)");
    st = gy_cfg_get_int(c, VAL(sk.nc), "nc", 1, CFG_MAX_NC, &v);
    if (st != GY_OK)
        return st;
    cfg->nc = (int)v;
    cfg->ch = 3;
    if (sk.ch >= 0) {
        st = gy_cfg_get_int(c, VAL(sk.ch), "ch (input channels)", 1, GY_MAX_CHANNELS, &v);
        if (st != GY_OK)
            return st;
        cfg->ch = (int)v;
    }
    if (sk.scales >= 0 && (st = parse_scales(c, VAL(sk.scales), cfg)) != GY_OK)
        return st;
    cfg->depth_multiple = cfg->width_multiple = 1.0;
    if (sk.depth >= 0 &&
        (st = parse_multiple(c, VAL(sk.depth), "depth_multiple", &cfg->depth_multiple)) != GY_OK)
        return st;
    if (sk.width >= 0 &&
        (st = parse_multiple(c, VAL(sk.width), "width_multiple", &cfg->width_multiple)) != GY_OK)
        return st;
    cfg->has_multiples = sk.depth >= 0 || sk.width >= 0;
    if (sk.scale >= 0) {
        const ynode *sn = VAL(sk.scale);
        yval sv;
        if (sn->kind == YN_SCALAR)
            gy_cfg_resolve_node(c, sn, &sv);
        if (sn->kind != YN_SCALAR || sn->len >= sizeof cfg->yaml_scale)
            return gy_cfg_fail_at(c, GY_ERR_FORMAT, sn->line, "scale must be a scale name, got %s",
                                  gy_cfg_kind_word(c, sn, w, sizeof w));
        if (sv.kind != V_NULL)
            memcpy(cfg->yaml_scale, gy_cfg_stext(c, sn), sn->len + 1);
    }
    if (sk.yaml_file >= 0) { /* ultralytics names a model after it (model_info) */
        const ynode *yn = VAL(sk.yaml_file);
        if (yn->kind == YN_SCALAR && yn->len < sizeof cfg->yaml_file)
            memcpy(cfg->yaml_file, gy_cfg_stext(c, yn), yn->len + 1);
    }
    if (sk.backbone < 0)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, root->line, "missing required key 'backbone'");
    if (sk.head < 0)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, root->line, "missing required key 'head'");
    int bb = -1, hd = -1;
    if ((st = row_list(c, gy_cfg_node(c, sk.backbone), VAL(sk.backbone), &bb)) != GY_OK ||
        (st = row_list(c, gy_cfg_node(c, sk.head), VAL(sk.head), &hd)) != GY_OK)
        return st;

    /* rows */
    int total = gy_cfg_node(c, bb)->count + gy_cfg_node(c, hd)->count;
    if (total == 0)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, gy_cfg_node(c, bb)->line,
                              "backbone and head have no rows");
    if (total > GY_MAX_ROWS) {
        int k = gy_cfg_node(c, bb)->first, idx = 0;
        const ynode *list = gy_cfg_node(c, bb);
        if (list->count <= GY_MAX_ROWS) {
            idx = list->count;
            list = gy_cfg_node(c, hd);
            k = list->first;
        }
        for (; k >= 0 && idx < GY_MAX_ROWS; k = gy_cfg_node(c, k)->next)
            idx++;
        return gy_cfg_fail_at(c, GY_ERR_UNSUPPORTED, k >= 0 ? gy_cfg_node(c, k)->line : list->line,
                              "more than %d rows", GY_MAX_ROWS);
    }
    cfg->rows = calloc((size_t)total, sizeof *cfg->rows);
    if (!cfg->rows)
        return gy_cfg_nomem(c);
    cfg->nbackbone = gy_cfg_node(c, bb)->count;
    int index = 0;
    for (int part = 0; part < 2; part++) {
        for (int k = gy_cfg_node(c, part ? hd : bb)->first; k >= 0; k = gy_cfg_node(c, k)->next) {
            st = parse_row(c, gy_cfg_node(c, k), index, &cfg->rows[index]);
            if (st != GY_OK)
                return st;
            index++;
            cfg->nrows = index;
        }
    }

    /* nc override, then the arguments that name nc */
    if (nc_override > 0)
        cfg->nc = nc_override;
    for (int i = 0; i < cfg->nrows; i++)
        for (int j = 0; j < cfg->rows[i].nargs; j++)
            if (cfg->rows[i].args[j].type == GY_ARG_NC)
                cfg->rows[i].args[j].i = cfg->nc;

    /* scale */
    char avail[GY_MAX_SCALES * 18];
    list_scales(cfg, avail, sizeof avail);
    int have_override = scale_override && scale_override[0];
    if (cfg->nscales > 0) {
        int idx;
        if (have_override) {
            idx = find_scale(cfg, scale_override);
            if (idx < 0)
                return gy_fail(c->err, GY_ERR_ARGUMENT,
                               "%s:%d: scale '%.32s' is not defined in scales (available: %s)",
                               c->src, gy_cfg_node(c, sk.scales)->line, scale_override, avail);
            cfg->scale_source = "parameter";
        } else if (cfg->yaml_scale[0]) {
            idx = find_scale(cfg, cfg->yaml_scale);
            if (idx < 0)
                return gy_cfg_fail_at(c, GY_ERR_FORMAT, VAL(sk.scale)->line,
                                      "scale '%s' is not defined in scales (available: %s)",
                                      cfg->yaml_scale, avail);
            cfg->scale_source = "yaml scale key";
        } else {
            char guess[16];
            gy_guess_scale(guess_name, guess, sizeof guess);
            idx = guess[0] ? find_scale(cfg, guess) : -1;
            if (idx >= 0) {
                cfg->scale_source = "file name";
            } else {
                idx = 0;
                cfg->scale_source = "first scale (default)";
                /* named, so that several models' warnings can be told apart */
                const char *base = strrchr(guess_name, '/') ? strrchr(guess_name, '/') + 1
                                                            : guess_name;
                if (guess[0])
                    snprintf(cfg->warning, sizeof cfg->warning,
                             "%.80s: scale '%s' from the file name is not in scales (%.100s). "
                             "Assuming scale='%s'.",
                             base, guess, avail, cfg->scales[0].key);
                else
                    snprintf(cfg->warning, sizeof cfg->warning,
                             "%.120s: no model scale passed. Assuming scale='%s'.", base,
                             cfg->scales[0].key);
            }
        }
        snprintf(cfg->scale, sizeof cfg->scale, "%s", cfg->scales[idx].key);
        if (have_override || cfg->yaml_scale[0])
            name_for_scale(cfg->name, sizeof cfg->name, cfg->scale);
        cfg->depth = cfg->scales[idx].depth;
        cfg->width = cfg->scales[idx].width;
        cfg->max_channels = cfg->scales[idx].max_channels;
    } else {
        if (have_override)
            return gy_fail(c->err, GY_ERR_ARGUMENT,
                           "%s:%d: scale '%.32s' requested, but the file defines no scales%s",
                           c->src, root->line, scale_override,
                           cfg->has_multiples ? " (it uses depth_multiple/width_multiple)" : "");
        cfg->scale[0] = '\0';
        cfg->scale_source = cfg->has_multiples ? "depth/width multiples" : "none";
        cfg->depth = cfg->depth_multiple;
        cfg->width = cfg->width_multiple;
        for (size_t i = 0; cfg->has_multiples && i < sizeof v8_scales / sizeof v8_scales[0]; i++)
            if (cfg->depth == v8_scales[i].depth && cfg->width == v8_scales[i].width)
                snprintf(cfg->scale, sizeof cfg->scale, "%s", v8_scales[i].key);
        cfg->max_channels = INT_MAX;
    }
#undef VAL
    return GY_OK;
}

static gy_status load_text(const char *text, size_t len, const char *display,
                           const char *given_name, const char *scale_override, int nc_override,
                           gy_config **out, gy_error *err)
{
    if (len > CFG_MAX_BYTES)
        return gy_fail(err, GY_ERR_FORMAT, "%s: the YAML is %zu bytes, more than the %zu allowed",
                       display, len, CFG_MAX_BYTES);
    if (nc_override < 0 || nc_override > CFG_MAX_NC)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: class count override %d is out of range [1, %d]",
                       display, nc_override, CFG_MAX_NC);
    gy_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return gy_fail(err, GY_ERR_NOMEM, "%s: out of memory", display);
    snprintf(cfg->path, sizeof cfg->path, "%s", display);
    gy_path_stem(given_name, cfg->name, sizeof cfg->name);
    cfg->scale_source = "none";

    pctx c;
    memset(&c, 0, sizeof c);
    c.src = display;
    c.doc = text;
    c.doclen = len;
    c.err = err;
    c.root = -1;
    gy_status st = gy_cfg_build_tree(&c, text, len);
    if (st == GY_OK)
        st = interpret(&c, given_name, scale_override, nc_override, cfg);
    free(c.nodes);
    free(c.arena);
    if (st != GY_OK) {
        gy_config_free(cfg);
        return st;
    }
    *out = cfg;
    return GY_OK;
}

gy_status gy_config_load_string(const char *text, size_t len, const char *display_name,
                                const char *scale_override, int nc_override, gy_config **out,
                                gy_error *err)
{
    if (!out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_config_load_string: out is NULL");
    *out = NULL;
    if (!display_name || !display_name[0])
        display_name = "<string>";
    if (!text && len)
        return gy_fail(err, GY_ERR_ARGUMENT, "%s: YAML text is NULL", display_name);
    gy_status st = load_text(text ? text : "", len, display_name, display_name, scale_override,
                             nc_override, out, err);
    /* YAML text stored with weights: ultralytics names the model after its yaml_file key when it
     * has one (a YAML file read from disk is named after the file, as ultralytics names it) */
    if (st == GY_OK && (*out)->yaml_file[0])
        gy_path_stem((*out)->yaml_file, (*out)->name, sizeof (*out)->name);
    return st;
}

/* ultralytics' yaml_model_load: re.sub(r'(\d+)([nslmx])(.+)?$', r'\1\3', path). The first run of
 * digits followed by one of n/s/m/l/x loses that letter. ultralytics applies it to the whole path;
 * here it applies to the file name only, so folders such as "exp2s/" or "v8n/" are left alone.
 * Returns 0 when the rule does not apply. */
int gy_config_unified_path(const char *path, char *out, size_t size)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    size_t start = slash ? (size_t)(slash - path) + 1 : 0;
    for (size_t i = start; i < n;) {
        if (!isdigit((unsigned char)path[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && isdigit((unsigned char)path[j]))
            j++;
        if (j < n && strchr("nslmx", path[j])) {
            if (n >= size)
                return 0;
            memcpy(out, path, j);
            memcpy(out + j, path + j + 1, n - j); /* includes the NUL */
            return strchr(out + j, '\n') == NULL; /* (.+)? does not cross a newline */
        }
        i = j;
    }
    return 0;
}

gy_status gy_config_load_file(const char *path, const char *scale_override, int nc_override,
                              gy_config **out, gy_error *err)
{
    if (!out)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_config_load_file: out is NULL");
    *out = NULL;
    if (!path || !path[0])
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_config_load_file: no path given");
    if (strlen(path) >= sizeof((gy_config *)0)->path)
        return gy_fail(err, GY_ERR_ARGUMENT, "%.64s...: path too long", path);
    char unified[sizeof((gy_config *)0)->path];
    const char *use = path;
    struct stat sb;
    if (stat(path, &sb) != 0 && errno == ENOENT) {
        if (!gy_config_unified_path(path, unified, sizeof unified))
            return gy_fail(err, GY_ERR_IO, "%s: no such file", path);
        if (stat(unified, &sb) != 0)
            return gy_fail(err, GY_ERR_IO,
                           "%s: no such file, nor %s (the unified name ultralytics also tries)",
                           path, unified);
        use = unified;
    }
    /* a folder or other non-file: gy_read_file says so */
    unsigned char *data;
    size_t size;
    gy_status st = gy_read_file(use, CFG_MAX_BYTES, &data, &size, err);
    if (st != GY_OK)
        return st;
    st = load_text((const char *)data, size, use, path, scale_override, nc_override, out, err);
    free(data);
    return st;
}

void gy_config_free(gy_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->rows);
    free(cfg);
}

void gy_guess_scale(const char *path, char *out, size_t outsize)
{
    if (!out || outsize == 0)
        return;
    out[0] = '\0';
    if (!path)
        return;
    char stem[1024];
    gy_path_stem(path, stem, sizeof stem);
    int has_letter;
    long at = scale_letter_at(stem, &has_letter);
    if (has_letter && outsize >= 2) {
        out[0] = stem[at];
        out[1] = '\0';
    }
}

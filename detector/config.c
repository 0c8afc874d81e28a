/* config.c - ultralytics model YAML (8.0.126 semantics) read with libyaml's event API.
 *
 * Two passes: the events are first collected into a small tree (refusing aliases, anchors, tags,
 * deep nesting and extra documents), then the tree is interpreted with the same typing rules as
 * PyYAML's safe_load (YAML 1.1 plain-scalar resolution) followed by parse_model's
 * ast.literal_eval / locals() lookup for string arguments. Every error names the source and the
 * 1-based line. */
#include "detector/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "core/error.h"
#include "core/util.h"

#define CFG_MAX_BYTES ((size_t)1 << 20) /* YAML text cap */
#define CFG_MAX_DEPTH 5                 /* map > list > row > args > (nested arg, refused later) */
#define CFG_MAX_TOP_KEYS 256
#define CFG_MAX_NC 100000
#define CFG_MAX_MULTIPLE 16.0
#define CFG_MAX_NUMBER_CHARS 400

/* ------------------------------------------------------------------------------------------------
 * Tree built from libyaml events */

enum { YN_SCALAR, YN_SEQ, YN_MAP };

typedef struct ynode {
    int kind;
    int plain;    /* scalar written without quotes or block style: subject to implicit typing */
    int line;     /* 1-based start line */
    size_t text;  /* scalar: offset of its NUL-terminated text in the arena */
    size_t len;
    int first, last, next; /* children / next sibling, -1 when none */
    int count;
} ynode;

typedef struct pctx {
    const char *src;       /* name used in messages */
    const char *doc;       /* the YAML text (to turn byte offsets into lines) */
    size_t doclen;
    gy_error *err;
    ynode *nodes;
    int nnodes, capnodes;
    char *arena;
    size_t arenalen, arenacap;
    int root;
} pctx;

static gy_status fail_at(const pctx *c, gy_status st, int line, const char *fmt, ...)
    GY_PRINTF(4, 5);

static gy_status fail_at(const pctx *c, gy_status st, int line, const char *fmt, ...)
{
    char msg[GY_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gy_fail(c->err, st, "%s:%d: %s", c->src, line, msg);
}

static gy_status nomem(const pctx *c)
{
    return gy_fail(c->err, GY_ERR_NOMEM, "%s: out of memory while reading the model YAML", c->src);
}

static const ynode *node(const pctx *c, int i) { return &c->nodes[i]; }
static const char *stext(const pctx *c, const ynode *n) { return c->arena + n->text; }

static int add_node(pctx *c, int kind, int line, int parent)
{
    if (c->nnodes == c->capnodes) {
        int cap = c->capnodes ? c->capnodes * 2 : 256;
        if (cap <= c->capnodes || (size_t)cap > SIZE_MAX / sizeof(ynode))
            return -1;
        ynode *p = realloc(c->nodes, (size_t)cap * sizeof(ynode));
        if (!p)
            return -1;
        c->nodes = p;
        c->capnodes = cap;
    }
    int idx = c->nnodes++;
    ynode *n = &c->nodes[idx];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->first = n->last = n->next = -1;
    if (parent >= 0) {
        ynode *p = &c->nodes[parent];
        if (p->last >= 0)
            c->nodes[p->last].next = idx;
        else
            p->first = idx;
        p->last = idx;
        p->count++;
    } else {
        c->root = idx;
    }
    return idx;
}

static int add_text(pctx *c, const unsigned char *s, size_t len, size_t *off)
{
    if (len > SIZE_MAX - c->arenalen - 1)
        return 0;
    size_t need = c->arenalen + len + 1;
    if (need > c->arenacap) {
        size_t cap = c->arenacap ? c->arenacap : 4096;
        while (cap < need)
            cap *= 2;
        char *p = realloc(c->arena, cap);
        if (!p)
            return 0;
        c->arena = p;
        c->arenacap = cap;
    }
    *off = c->arenalen;
    if (len)
        memcpy(c->arena + c->arenalen, s, len);
    c->arena[c->arenalen + len] = '\0';
    c->arenalen = need;
    return 1;
}

static int line_of_offset(const pctx *c, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && i < c->doclen; i++)
        if (c->doc[i] == '\n')
            line++;
    return line;
}

static gy_status syntax_error(const pctx *c, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return nomem(c);
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_READER_ERROR)
        return fail_at(c, GY_ERR_FORMAT, line_of_offset(c, p->problem_offset),
                       "YAML syntax error: %s (byte %zu)", problem, p->problem_offset);
    int line = (int)p->problem_mark.line + 1;
    if (p->context)
        return fail_at(c, GY_ERR_FORMAT, line, "YAML syntax error: %s (%s started at line %d)",
                       problem, p->context, (int)p->context_mark.line + 1);
    return fail_at(c, GY_ERR_FORMAT, line, "YAML syntax error: %s", problem);
}

static gy_status check_node_props(const pctx *c, int line, const yaml_char_t *anchor,
                                  const yaml_char_t *tag)
{
    if (anchor)
        return fail_at(c, GY_ERR_UNSUPPORTED, line,
                       "YAML anchor '&%.64s' is not allowed (anchors and aliases are refused)",
                       (const char *)anchor);
    if (tag)
        return fail_at(c, GY_ERR_UNSUPPORTED, line, "YAML tag '%.64s' is not allowed",
                       (const char *)tag);
    return GY_OK;
}

static gy_status build_tree(pctx *c, const char *text, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return nomem(c);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int stack[CFG_MAX_DEPTH];
    int depth = 0, docs = 0, done = 0;
    gy_status st = GY_OK;
    while (!done && st == GY_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            st = syntax_error(c, &p);
            break;
        }
        int line = (int)ev.start_mark.line + 1;
        int parent = depth ? stack[depth - 1] : -1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (docs++)
                st = fail_at(c, GY_ERR_FORMAT, line,
                             "a second YAML document; a model file holds exactly one");
            break;
        case YAML_ALIAS_EVENT:
            st = fail_at(c, GY_ERR_UNSUPPORTED, line,
                         "YAML alias '*%.64s' is not allowed (anchors and aliases are refused)",
                         (const char *)ev.data.alias.anchor);
            break;
        case YAML_SCALAR_EVENT: {
            st = check_node_props(c, line, ev.data.scalar.anchor, ev.data.scalar.tag);
            if (st != GY_OK)
                break;
            if (memchr(ev.data.scalar.value, 0, ev.data.scalar.length)) {
                st = fail_at(c, GY_ERR_FORMAT, line, "a NUL character inside a value");
                break;
            }
            int idx = add_node(c, YN_SCALAR, line, parent);
            size_t off;
            if (idx < 0 || !add_text(c, ev.data.scalar.value, ev.data.scalar.length, &off)) {
                st = nomem(c);
                break;
            }
            c->nodes[idx].text = off;
            c->nodes[idx].len = ev.data.scalar.length;
            c->nodes[idx].plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            int is_seq = ev.type == YAML_SEQUENCE_START_EVENT;
            st = is_seq ? check_node_props(c, line, ev.data.sequence_start.anchor,
                                           ev.data.sequence_start.tag)
                        : check_node_props(c, line, ev.data.mapping_start.anchor,
                                           ev.data.mapping_start.tag);
            if (st != GY_OK)
                break;
            if (depth == CFG_MAX_DEPTH) {
                st = fail_at(c, GY_ERR_FORMAT, line,
                             "%s nested %d levels deep; a model YAML never needs more than %d",
                             is_seq ? "a list" : "a mapping", depth + 1, CFG_MAX_DEPTH - 1);
                break;
            }
            int idx = add_node(c, is_seq ? YN_SEQ : YN_MAP, line, parent);
            if (idx < 0) {
                st = nomem(c);
                break;
            }
            stack[depth++] = idx;
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return st;
}

/* ------------------------------------------------------------------------------------------------
 * Scalar typing */

typedef enum { V_NULL, V_BOOL, V_INT, V_FLOAT, V_STR } vkind;

typedef struct yval {
    vkind kind;
    long long i;
    double f;
    int overflow; /* V_INT that does not fit a long long */
} yval;

static int is_digit_base(int ch, int base)
{
    if (base == 2)
        return ch == '0' || ch == '1';
    if (base == 8)
        return ch >= '0' && ch <= '7';
    if (base == 10)
        return ch >= '0' && ch <= '9';
    return isxdigit((unsigned char)ch) != 0;
}

static int digit_value(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    return tolower((unsigned char)ch) - 'a' + 10;
}

/* Digits of base with '_' allowed anywhere (YAML 1.1); at least one digit. */
static int accumulate_loose(const char *s, int base, int neg, yval *v)
{
    unsigned long long acc = 0;
    int ndigits = 0, ovf = 0;
    for (; *s; s++) {
        if (*s == '_')
            continue;
        if (!is_digit_base(*s, base))
            return 0;
        unsigned d = (unsigned)digit_value(*s);
        if (acc > (ULLONG_MAX - d) / (unsigned)base)
            ovf = 1;
        else
            acc = acc * (unsigned)base + d;
        ndigits++;
    }
    if (!ndigits)
        return 0;
    if (!ovf && acc > (unsigned long long)LLONG_MAX + (neg ? 1u : 0u))
        ovf = 1;
    v->kind = V_INT;
    v->overflow = ovf;
    v->i = ovf ? 0 : neg ? (acc == (unsigned long long)LLONG_MAX + 1u ? LLONG_MIN : -(long long)acc)
                         : (long long)acc;
    return 1;
}

/* Python: digit (["_"] digit)*, with an optional leading "_" after a base prefix. */
static int accumulate_python(const char *s, int base, int neg, int lead_underscore, yval *v)
{
    const char *p = s;
    if (lead_underscore && *p == '_')
        p++;
    if (!is_digit_base(*p, base))
        return 0;
    for (const char *q = p; *q; q++) {
        if (*q == '_') {
            if (!is_digit_base(q[1], base))
                return 0;
        } else if (!is_digit_base(*q, base)) {
            return 0;
        }
    }
    return accumulate_loose(p, base, neg, v);
}

static double c_strtod(char *buf)
{
    char *end;
    double v = strtod(buf, &end);
    if (*end == '\0')
        return v;
    /* The C library may be using a locale whose decimal point is not '.'. */
    const struct lconv *lc = localeconv();
    char *dot = strchr(buf, '.');
    if (lc && lc->decimal_point && strlen(lc->decimal_point) == 1 && dot) {
        *dot = lc->decimal_point[0];
        v = strtod(buf, &end);
    }
    return *end == '\0' ? v : NAN;
}

/* Converts a validated decimal float text (underscores allowed) to a double. */
static void to_float(const char *s, yval *v)
{
    char buf[CFG_MAX_NUMBER_CHARS + 1];
    size_t n = 0;
    v->kind = V_FLOAT;
    for (; *s; s++) {
        if (*s == '_')
            continue;
        if (n == CFG_MAX_NUMBER_CHARS) {
            v->f = HUGE_VAL; /* absurd; refused as not finite */
            return;
        }
        buf[n++] = *s;
    }
    buf[n] = '\0';
    v->f = c_strtod(buf);
}

/* Scans [0-9][0-9_]* (yaml) or digit(["_"]digit)* (python); returns the end or NULL. */
static const char *scan_digits(const char *p, int python)
{
    if (!isdigit((unsigned char)*p))
        return NULL;
    p++;
    for (;;) {
        if (isdigit((unsigned char)*p))
            p++;
        else if (*p == '_' && (!python || isdigit((unsigned char)p[1])))
            p++;
        else
            return p;
    }
}

static int yaml_float(const char *s, yval *v)
{
    const char *p = s;
    int sign = *p == '+' || *p == '-';
    p += sign;
    if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF")) {
        v->kind = V_FLOAT;
        v->f = *s == '-' ? -HUGE_VAL : HUGE_VAL;
        return 1;
    }
    if (!sign && (!strcmp(p, ".nan") || !strcmp(p, ".NaN") || !strcmp(p, ".NAN"))) {
        v->kind = V_FLOAT;
        v->f = NAN;
        return 1;
    }
    if (*p == '.') { /* \.[0-9][0-9_]*, unsigned only */
        if (sign || !isdigit((unsigned char)p[1]))
            return 0;
        p = scan_digits(p + 1, 0);
    } else {
        p = scan_digits(p, 0);
        if (!p || *p != '.')
            return 0;
        p++;
        while (isdigit((unsigned char)*p) || *p == '_')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        if (p[1] != '+' && p[1] != '-')
            return 0;
        p += 2;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p)
        return 0;
    to_float(s, v);
    return 1;
}

static int yaml_int(const char *s, yval *v)
{
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (p[0] == '0' && p[1] == 'b')
        return accumulate_loose(p + 2, 2, neg, v);
    if (p[0] == '0' && p[1] == 'x')
        return accumulate_loose(p + 2, 16, neg, v);
    if (p[0] == '0' && p[1] != '\0')
        return accumulate_loose(p + 1, 8, neg, v);
    if (p[0] >= '0' && p[0] <= '9')
        return accumulate_loose(p, 10, neg, v);
    return 0;
}

/* PyYAML SafeLoader's implicit typing of a plain scalar (YAML 1.1). */
static void resolve_yaml(const char *s, yval *v)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    static const char *const trues[] = {"yes", "Yes", "YES", "true", "True",
                                        "TRUE", "on",  "On",  "ON"};
    static const char *const falses[] = {"no",    "No", "NO", "false", "False",
                                         "FALSE", "off", "Off", "OFF"};
    memset(v, 0, sizeof *v);
    for (size_t k = 0; k < sizeof nulls / sizeof nulls[0]; k++)
        if (!strcmp(s, nulls[k])) {
            v->kind = V_NULL;
            return;
        }
    for (size_t k = 0; k < sizeof trues / sizeof trues[0]; k++) {
        if (!strcmp(s, trues[k]) || !strcmp(s, falses[k])) {
            v->kind = V_BOOL;
            v->i = !strcmp(s, trues[k]);
            return;
        }
    }
    if (yaml_int(s, v) || yaml_float(s, v))
        return;
    memset(v, 0, sizeof *v);
    v->kind = V_STR;
}

/* ast.literal_eval restricted to the scalar literals: None, True, False, int, float. */
static void resolve_python(const char *s, yval *v)
{
    memset(v, 0, sizeof *v);
    v->kind = V_STR;
    if (!strcmp(s, "None")) {
        v->kind = V_NULL;
        return;
    }
    if (!strcmp(s, "True") || !strcmp(s, "False")) {
        v->kind = V_BOOL;
        v->i = s[0] == 'T';
        return;
    }
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (p[0] == '0' && p[1] && strchr("xXoObB", p[1])) {
        int base = (p[1] == 'x' || p[1] == 'X') ? 16 : (p[1] == 'o' || p[1] == 'O') ? 8 : 2;
        if (!accumulate_python(p + 2, base, neg, 1, v))
            memset(v, 0, sizeof *v), v->kind = V_STR;
        return;
    }
    /* decimal int: nonzero digit first, or only zeros */
    const char *e = scan_digits(p, 1);
    if (e && *e == '\0') {
        int zeros_only = 1;
        for (const char *q = p; *q; q++)
            if (*q != '0' && *q != '_')
                zeros_only = 0;
        if ((p[0] != '0' || zeros_only) && accumulate_python(p, 10, neg, 0, v))
            return;
        memset(v, 0, sizeof *v);
        v->kind = V_STR;
        return;
    }
    /* float: digitpart '.' [digitpart] [exp] | '.' digitpart [exp] | digitpart exp */
    const char *q = p;
    int mant = 0;
    if (*q == '.') {
        q = scan_digits(q + 1, 1);
        mant = q != NULL;
    } else if ((q = scan_digits(q, 1)) != NULL) {
        mant = 1;
        if (*q == '.') {
            q++;
            if (isdigit((unsigned char)*q))
                q = scan_digits(q, 1);
        } else if (*q != 'e' && *q != 'E') {
            mant = 0;
        }
    }
    if (!mant || !q)
        return;
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        q = scan_digits(q, 1);
        if (!q)
            return;
    }
    if (*q)
        return;
    to_float(s, v);
}

static void resolve_node(const pctx *c, const ynode *n, yval *v)
{
    if (n->plain) {
        resolve_yaml(stext(c, n), v);
    } else {
        memset(v, 0, sizeof *v);
        v->kind = V_STR;
    }
}

static const char *kind_word(const pctx *c, const ynode *n, char *buf, size_t size)
{
    if (n->kind == YN_SEQ)
        return "a list";
    if (n->kind == YN_MAP)
        return "a mapping";
    if (n->len == 0 && n->plain)
        return "nothing";
    snprintf(buf, size, "'%.40s'%s", stext(c, n), n->len > 40 ? "..." : "");
    return buf;
}

/* A number (YAML int or float) from a scalar node. */
static gy_status get_number(const pctx *c, const ynode *n, const char *what, double *out)
{
    char w[64];
    if (n->kind == YN_SCALAR) {
        yval v;
        resolve_node(c, n, &v);
        if (v.kind == V_INT && !v.overflow) {
            *out = (double)v.i;
            return GY_OK;
        }
        if (v.kind == V_FLOAT && isfinite(v.f)) {
            *out = v.f;
            return GY_OK;
        }
    }
    return fail_at(c, GY_ERR_FORMAT, n->line, "%s must be a finite number, got %s", what,
                   kind_word(c, n, w, sizeof w));
}

/* An integer in [lo, hi] from a scalar node (YAML int only). */
static gy_status get_int(const pctx *c, const ynode *n, const char *what, long long lo,
                         long long hi, long long *out)
{
    char w[64];
    yval v;
    if (n->kind != YN_SCALAR)
        return fail_at(c, GY_ERR_FORMAT, n->line, "%s must be an integer, got %s", what,
                       kind_word(c, n, w, sizeof w));
    resolve_node(c, n, &v);
    if (v.kind != V_INT)
        return fail_at(c, GY_ERR_FORMAT, n->line, "%s must be an integer, got %s", what,
                       kind_word(c, n, w, sizeof w));
    if (v.overflow || v.i < lo || v.i > hi)
        return fail_at(c, GY_ERR_FORMAT, n->line, "%s %s is out of range [%lld, %lld]", what,
                       kind_word(c, n, w, sizeof w), lo, hi);
    *out = v.i;
    return GY_OK;
}

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
        resolve_node(c, map, &v);
        if (v.kind == V_NULL)
            return GY_OK; /* `scales:` with no value: as if absent */
    }
    if (map->kind != YN_MAP)
        return fail_at(c, GY_ERR_FORMAT, map->line,
                       "scales must be a mapping key: [depth, width, max_channels], got %s",
                       kind_word(c, map, w, sizeof w));
    for (int k = map->first; k >= 0; k = node(c, node(c, k)->next)->next) {
        const ynode *key = node(c, k);
        const ynode *val = node(c, key->next);
        if (key->kind != YN_SCALAR || key->len == 0 || key->len >= sizeof cfg->scales[0].key)
            return fail_at(c, GY_ERR_FORMAT, key->line,
                           "a scale name must be a short word (1 to %zu characters), got %s",
                           sizeof cfg->scales[0].key - 1, kind_word(c, key, w, sizeof w));
        if (find_scale(cfg, stext(c, key)) >= 0)
            return fail_at(c, GY_ERR_FORMAT, key->line, "scale '%s' is defined twice",
                           stext(c, key));
        if (cfg->nscales == GY_MAX_SCALES)
            return fail_at(c, GY_ERR_UNSUPPORTED, key->line, "more than %d scales",
                           GY_MAX_SCALES);
        if (val->kind != YN_SEQ || val->count != 3)
            return fail_at(c, GY_ERR_FORMAT, val->line,
                           "scale '%s' must be a list [depth, width, max_channels], got %s%s",
                           stext(c, key), val->kind == YN_SEQ ? "a list of " : "",
                           val->kind == YN_SEQ ? (val->count < 3 ? "fewer than 3 values"
                                                                 : "more than 3 values")
                                               : kind_word(c, val, w, sizeof w));
        gy_scale_def *sd = &cfg->scales[cfg->nscales];
        snprintf(sd->key, sizeof sd->key, "%s", stext(c, key));
        const ynode *e0 = node(c, val->first);
        const ynode *e1 = node(c, e0->next);
        const ynode *e2 = node(c, e1->next);
        gy_status st = get_number(c, e0, "scale depth", &sd->depth);
        if (st == GY_OK)
            st = get_number(c, e1, "scale width", &sd->width);
        if (st != GY_OK)
            return st;
        if (!(sd->depth > 0 && sd->depth <= CFG_MAX_MULTIPLE))
            return fail_at(c, GY_ERR_FORMAT, e0->line, "scale '%s': depth %g is not in (0, %g]",
                           sd->key, sd->depth, CFG_MAX_MULTIPLE);
        if (!(sd->width > 0 && sd->width <= CFG_MAX_MULTIPLE))
            return fail_at(c, GY_ERR_FORMAT, e1->line, "scale '%s': width %g is not in (0, %g]",
                           sd->key, sd->width, CFG_MAX_MULTIPLE);
        long long mc;
        st = get_int(c, e2, "max_channels", 1, GY_MAX_CHANNELS, &mc);
        if (st != GY_OK)
            return st;
        sd->max_channels = (int)mc;
        cfg->nscales++;
    }
    return GY_OK;
}

static gy_status parse_multiple(const pctx *c, const ynode *n, const char *what, double *out)
{
    gy_status st = get_number(c, n, what, out);
    if (st != GY_OK)
        return st;
    if (!(*out > 0 && *out <= CFG_MAX_MULTIPLE))
        return fail_at(c, GY_ERR_FORMAT, n->line, "%s %g is not in (0, %g]", what, *out,
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
            return fail_at(c, GY_ERR_FORMAT, fn->line, "row %d: `from` is an empty list", index);
        if (fn->count > GY_MAX_FROM)
            return fail_at(c, GY_ERR_UNSUPPORTED, fn->line,
                           "row %d: `from` lists %d inputs, more than the %d supported", index,
                           fn->count, GY_MAX_FROM);
        for (int k = fn->first; k >= 0; k = node(c, k)->next)
            items[n++] = k;
        row->from_is_list = 1;
    } else {
        return fail_at(c, GY_ERR_FORMAT, fn->line,
                       "row %d: `from` must be an integer or a list of integers, got %s", index,
                       kind_word(c, fn, w, sizeof w));
    }
    for (int j = 0; j < n; j++) {
        const ynode *e = node(c, items[j]);
        yval v;
        if (e->kind == YN_SCALAR)
            resolve_node(c, e, &v);
        if (e->kind != YN_SCALAR || v.kind != V_INT)
            return fail_at(c, GY_ERR_FORMAT, e->line,
                           "row %d: `from` must be an integer or a list of integers, got %s",
                           index, kind_word(c, e, w, sizeof w));
        long long f = v.i;
        if (!v.overflow && f == -1 && index == 0) {
            row->from[j] = -1; /* the network input */
            continue;
        }
        if (v.overflow)
            return fail_at(c, GY_ERR_FORMAT, e->line, "row %d: `from` %s is out of range", index,
                           kind_word(c, e, w, sizeof w));
        long long abs_idx = f < 0 ? index + f : f;
        if (abs_idx < 0)
            return fail_at(c, GY_ERR_FORMAT, e->line,
                           "row %d: `from` %s points before the first row%s", index,
                           kind_word(c, e, w, sizeof w),
                           index == 0 ? " (row 0 may only use -1, the input)" : "");
        if (abs_idx >= index)
            return fail_at(c, GY_ERR_FORMAT, e->line,
                           "row %d: `from` %lld points to row %lld, which is not an earlier row",
                           index, f, abs_idx);
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
        return fail_at(c, GY_ERR_UNSUPPORTED, an->line,
                       "row %d: argument %d is %s; nested list arguments are not supported",
                       index, j + 1, an->kind == YN_SEQ ? "a list" : "a mapping");
    const char *s = stext(c, an);
    yval v;
    resolve_node(c, an, &v);
    if (v.kind == V_STR) /* parse_model: locals()[a] if a in locals() else ast.literal_eval(a) */
        resolve_python(s, &v);
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
            return fail_at(c, GY_ERR_FORMAT, an->line,
                           "row %d: argument %d (%s) is absurdly large (limit %d)", index, j + 1,
                           kind_word(c, an, w, sizeof w), GY_MAX_CHANNELS);
        if (v.i < 0)
            return fail_at(c, GY_ERR_FORMAT, an->line,
                           "row %d: argument %d (%lld) is negative", index, j + 1, v.i);
        a->type = GY_ARG_INT;
        a->i = v.i;
        return GY_OK;
    case V_FLOAT:
        if (!isfinite(v.f) || fabs(v.f) > GY_MAX_CHANNELS)
            return fail_at(c, GY_ERR_FORMAT, an->line,
                           "row %d: argument %d (%s) is not a sensible number", index, j + 1,
                           kind_word(c, an, w, sizeof w));
        if (v.f < 0)
            return fail_at(c, GY_ERR_FORMAT, an->line, "row %d: argument %d (%s) is negative",
                           index, j + 1, kind_word(c, an, w, sizeof w));
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
        return fail_at(c, GY_ERR_FORMAT, an->line,
                       "row %d: argument %d is a string of %zu characters (limit %zu)", index,
                       j + 1, an->len, sizeof a->s - 1);
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
        return fail_at(c, GY_ERR_FORMAT, rn->line,
                       "row %d must be a list of 4 items [from, repeats, module, args], got %d "
                       "items",
                       index, rn->count);
    if (rn->kind != YN_SEQ)
        return fail_at(c, GY_ERR_FORMAT, rn->line,
                       "row %d must be a list of 4 items [from, repeats, module, args], got %s",
                       index, kind_word(c, rn, w, sizeof w));
    const ynode *fn = node(c, rn->first);
    const ynode *nn = node(c, fn->next);
    const ynode *mn = node(c, nn->next);
    const ynode *an = node(c, mn->next);

    gy_status st = parse_from(c, fn, index, row);
    if (st != GY_OK)
        return st;

    yval v;
    if (nn->kind == YN_SCALAR)
        resolve_node(c, nn, &v);
    if (nn->kind != YN_SCALAR || v.kind != V_INT)
        return fail_at(c, GY_ERR_FORMAT, nn->line,
                       "row %d: repeats must be a positive integer, got %s", index,
                       kind_word(c, nn, w, sizeof w));
    if (v.overflow || v.i < 1 || v.i > GY_MAX_REPEATS)
        return fail_at(c, GY_ERR_FORMAT, nn->line,
                       "row %d: repeats %s is out of range [1, %d]", index,
                       kind_word(c, nn, w, sizeof w), GY_MAX_REPEATS);
    row->repeats = (int)v.i;

    if (mn->kind == YN_SCALAR)
        resolve_node(c, mn, &v);
    if (mn->kind != YN_SCALAR || v.kind != V_STR || mn->len == 0)
        return fail_at(c, GY_ERR_FORMAT, mn->line, "row %d: the module must be a name, got %s",
                       index, kind_word(c, mn, w, sizeof w));
    if (mn->len >= sizeof row->module)
        return fail_at(c, GY_ERR_FORMAT, mn->line,
                       "row %d: module name of %zu characters is too long (limit %zu)", index,
                       mn->len, sizeof row->module - 1);
    const char *mod = stext(c, mn);
    for (const char *p = mod; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
            return fail_at(c, GY_ERR_FORMAT, mn->line,
                           "row %d: module name '%s' has a character other than letters, digits, "
                           "'_' and '.'",
                           index, mod);
    memcpy(row->module, mod, mn->len + 1);

    if (an->kind != YN_SEQ)
        return fail_at(c, GY_ERR_FORMAT, an->line, "row %d: args must be a list, got %s", index,
                       kind_word(c, an, w, sizeof w));
    if (an->count > GY_MAX_ARGS)
        return fail_at(c, GY_ERR_UNSUPPORTED, an->line,
                       "row %d: %d arguments, more than the %d supported", index, an->count,
                       GY_MAX_ARGS);
    int j = 0;
    for (int k = an->first; k >= 0; k = node(c, k)->next, j++) {
        st = parse_arg(c, node(c, k), index, j, &row->args[j]);
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
        return fail_at(c, GY_ERR_FORMAT, val->line, "%s must be a list of rows, got %s",
                       stext(c, key), kind_word(c, val, w, sizeof w));
    *out = (int)(val - c->nodes);
    return GY_OK;
}

typedef struct seen_keys {
    int nc, scales, depth, width, scale, ch, backbone, head; /* key node index or -1 */
} seen_keys;

static gy_status interpret(const pctx *c, const char *guess_name, const char *scale_override,
                           int nc_override, gy_config *cfg)
{
    char w[64];
    if (c->root < 0)
        return fail_at(c, GY_ERR_FORMAT, 1, "the YAML is empty");
    const ynode *root = node(c, c->root);
    if (root->kind != YN_MAP)
        return fail_at(c, GY_ERR_FORMAT, root->line,
                       "the top level must be a mapping (nc:, backbone:, head:, ...), got %s",
                       kind_word(c, root, w, sizeof w));
    if (root->count / 2 > CFG_MAX_TOP_KEYS)
        return fail_at(c, GY_ERR_UNSUPPORTED, root->line, "more than %d top-level keys",
                       CFG_MAX_TOP_KEYS);

    seen_keys sk = {-1, -1, -1, -1, -1, -1, -1, -1}; /* key node indices */
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
                 {"head", &sk.head}};
    for (int k = root->first; k >= 0; k = node(c, node(c, k)->next)->next) {
        const ynode *key = node(c, k);
        const ynode *val = node(c, key->next);
        if (key->kind != YN_SCALAR)
            return fail_at(c, GY_ERR_FORMAT, key->line, "a top-level key must be a word, got %s",
                           kind_word(c, key, w, sizeof w));
        const char *name = stext(c, key);
        for (int p = root->first; p != k; p = node(c, node(c, p)->next)->next)
            if (!strcmp(stext(c, node(c, p)), name))
                return fail_at(c, GY_ERR_FORMAT, key->line,
                               "duplicate top-level key '%.64s' (first at line %d)", name,
                               node(c, p)->line);
        if (!strcmp(name, "activation")) {
            yval v;
            if (val->kind == YN_SCALAR)
                resolve_node(c, val, &v);
            if (val->kind != YN_SCALAR || v.kind != V_NULL)
                return fail_at(c, GY_ERR_UNSUPPORTED, key->line,
                               "activation: %s is not supported; only the default SiLU is "
                               "implemented (remove the key)",
                               kind_word(c, val, w, sizeof w));
            continue;
        }
        for (size_t q = 0; q < sizeof known / sizeof known[0]; q++)
            if (!strcmp(name, known[q].name))
                *known[q].slot = k;
        /* other keys (kpt_shape, inplace, yaml_file, ...) do not affect a detection model */
    }

#define VAL(keyidx) node(c, node(c, keyidx)->next)
    long long v;
    gy_status st;
    if (sk.nc < 0)
        return fail_at(c, GY_ERR_FORMAT, root->line, "missing required key 'nc' (class count)");
    st = get_int(c, VAL(sk.nc), "nc", 1, CFG_MAX_NC, &v);
    if (st != GY_OK)
        return st;
    cfg->nc = (int)v;
    cfg->ch = 3;
    if (sk.ch >= 0) {
        st = get_int(c, VAL(sk.ch), "ch (input channels)", 1, GY_MAX_CHANNELS, &v);
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
            resolve_node(c, sn, &sv);
        if (sn->kind != YN_SCALAR || sn->len >= sizeof cfg->yaml_scale)
            return fail_at(c, GY_ERR_FORMAT, sn->line, "scale must be a scale name, got %s",
                           kind_word(c, sn, w, sizeof w));
        if (sv.kind != V_NULL)
            memcpy(cfg->yaml_scale, stext(c, sn), sn->len + 1);
    }
    if (sk.backbone < 0)
        return fail_at(c, GY_ERR_FORMAT, root->line, "missing required key 'backbone'");
    if (sk.head < 0)
        return fail_at(c, GY_ERR_FORMAT, root->line, "missing required key 'head'");
    int bb = -1, hd = -1;
    if ((st = row_list(c, node(c, sk.backbone), VAL(sk.backbone), &bb)) != GY_OK ||
        (st = row_list(c, node(c, sk.head), VAL(sk.head), &hd)) != GY_OK)
        return st;

    /* rows */
    int total = node(c, bb)->count + node(c, hd)->count;
    if (total == 0)
        return fail_at(c, GY_ERR_FORMAT, node(c, bb)->line, "backbone and head have no rows");
    if (total > GY_MAX_ROWS) {
        int k = node(c, bb)->first, idx = 0;
        const ynode *list = node(c, bb);
        if (list->count <= GY_MAX_ROWS) {
            idx = list->count;
            list = node(c, hd);
            k = list->first;
        }
        for (; k >= 0 && idx < GY_MAX_ROWS; k = node(c, k)->next)
            idx++;
        return fail_at(c, GY_ERR_UNSUPPORTED, k >= 0 ? node(c, k)->line : list->line,
                       "more than %d rows", GY_MAX_ROWS);
    }
    cfg->rows = calloc((size_t)total, sizeof *cfg->rows);
    if (!cfg->rows)
        return nomem(c);
    cfg->nbackbone = node(c, bb)->count;
    int index = 0;
    for (int part = 0; part < 2; part++) {
        for (int k = node(c, part ? hd : bb)->first; k >= 0; k = node(c, k)->next) {
            st = parse_row(c, node(c, k), index, &cfg->rows[index]);
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
                               c->src, node(c, sk.scales)->line,
                               scale_override, avail);
            cfg->scale_source = "parameter";
        } else if (cfg->yaml_scale[0]) {
            idx = find_scale(cfg, cfg->yaml_scale);
            if (idx < 0)
                return fail_at(c, GY_ERR_FORMAT, VAL(sk.scale)->line,
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
                if (guess[0])
                    snprintf(cfg->warning, sizeof cfg->warning,
                             "scale '%s' from the file name is not in scales (%.120s). "
                             "Assuming scale='%s'.",
                             guess, avail, cfg->scales[0].key);
                else
                    snprintf(cfg->warning, sizeof cfg->warning,
                             "no model scale passed. Assuming scale='%s'.", cfg->scales[0].key);
            }
        }
        snprintf(cfg->scale, sizeof cfg->scale, "%s", cfg->scales[idx].key);
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
    gy_status st = build_tree(&c, text, len);
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
    return load_text(text ? text : "", len, display_name, display_name, scale_override,
                     nc_override, out, err);
}

/* ultralytics' yaml_model_load: re.sub(r'(\d+)([nslmx])(.+)?$', r'\1\3', path). The first run of
 * digits followed by one of n/s/m/l/x loses that letter. Returns 0 when the rule does not apply. */
static int unified_path(const char *path, char *out, size_t size)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < n;) {
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
        if (!unified_path(path, unified, sizeof unified))
            return gy_fail(err, GY_ERR_IO, "%s: no such file", path);
        if (stat(unified, &sb) != 0)
            return gy_fail(err, GY_ERR_IO,
                           "%s: no such file, nor %s (the unified name ultralytics also tries)",
                           path, unified);
        use = unified;
    }
    if (stat(use, &sb) == 0 && !S_ISREG(sb.st_mode))
        return gy_fail(err, GY_ERR_IO, "%s: not a regular file", use);
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
    /* re.search(r'yolov\d+([nslmx])', stem): case-sensitive, leftmost match */
    for (const char *p = strstr(stem, "yolov"); p; p = strstr(p + 1, "yolov")) {
        const char *q = p + 5;
        if (!isdigit((unsigned char)*q))
            continue;
        while (isdigit((unsigned char)*q))
            q++;
        if (*q && strchr("nslmx", *q)) {
            if (outsize >= 2) {
                out[0] = *q;
                out[1] = '\0';
            }
            return;
        }
    }
}

/* Python's round() on a double: to nearest, ties to even. */
static double py_round(double x)
{
    double f = floor(x);
    double d = x - f;
    if (d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0.0))
        f += 1.0;
    return f;
}

int gy_config_repeats(const gy_config *cfg, int n)
{
    if (n <= 1)
        return n;
    double r = py_round((double)n * cfg->depth);
    if (r < 1.0)
        return 1;
    return r >= (double)INT_MAX ? INT_MAX : (int)r;
}

int gy_config_channels(const gy_config *cfg, int c)
{
    int m = c < cfg->max_channels ? c : cfg->max_channels;
    double x = ceil((double)m * cfg->width / 8.0) * 8.0;
    if (x >= (double)INT_MAX)
        return INT_MAX;
    if (x <= (double)INT_MIN)
        return INT_MIN;
    return (int)x;
}

/* ------------------------------------------------------------------------------------------------
 * Python repr of argument values */

static void py_float_repr(double v, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, "%sinf", v < 0 ? "-" : "");
        return;
    }
    const char *sign = signbit(v) ? "-" : "";
    if (v == 0) {
        snprintf(buf, size, "%s0.0", sign);
        return;
    }
    /* shortest digit string that reads back to the same double */
    char e[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, fabs(v));
        if (strtod(e, NULL) == fabs(v))
            break;
    }
    char digits[32];
    int nd = 0, exp10 = 0;
    const char *p = e;
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p) && nd < (int)sizeof digits - 1)
            digits[nd++] = *p;
    if (*p == 'e')
        exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    int decpt = exp10 + 1; /* value = 0.DIGITS x 10^decpt */
    char t[64];
    size_t k = 0;
    if (decpt > -4 && decpt <= 16) { /* Python repr: fixed notation in this range */
        if (decpt <= 0) {
            t[k++] = '0';
            t[k++] = '.';
            for (int z = 0; z < -decpt; z++)
                t[k++] = '0';
            for (int d = 0; d < nd; d++)
                t[k++] = digits[d];
        } else {
            for (int d = 0; d < decpt; d++)
                t[k++] = d < nd ? digits[d] : '0';
            t[k++] = '.';
            if (decpt >= nd)
                t[k++] = '0';
            for (int d = decpt; d < nd; d++)
                t[k++] = digits[d];
        }
        t[k] = '\0';
        snprintf(buf, size, "%s%s", sign, t);
    } else {
        snprintf(buf, size, "%s%c%s%se%c%02d", sign, digits[0], nd > 1 ? "." : "", digits + 1,
                 exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    }
}

static void py_str_repr(const char *s, char *buf, size_t size)
{
    char q = (strchr(s, '\'') && !strchr(s, '"')) ? '"' : '\'';
    size_t used = 0;
#define PUT(ch)                                                                                    \
    do {                                                                                           \
        if (used + 1 < size)                                                                       \
            buf[used++] = (char)(ch);                                                              \
    } while (0)
    PUT(q);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '\\' || *p == (unsigned char)q) {
            PUT('\\');
            PUT(*p);
        } else if (*p == '\n' || *p == '\r' || *p == '\t') {
            PUT('\\');
            PUT(*p == '\n' ? 'n' : *p == '\r' ? 'r' : 't');
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", *p);
            for (const char *e = esc; *e; e++)
                PUT(*e);
        } else {
            PUT(*p);
        }
    }
    PUT(q);
#undef PUT
    if (size)
        buf[used < size ? used : size - 1] = '\0';
}

void gy_arg_format(const gy_arg *a, char *buf, size_t bufsize)
{
    if (!buf || bufsize == 0)
        return;
    if (!a) {
        buf[0] = '\0';
        return;
    }
    switch (a->type) {
    case GY_ARG_NONE:
        snprintf(buf, bufsize, "None");
        return;
    case GY_ARG_BOOL:
        snprintf(buf, bufsize, "%s", a->i ? "True" : "False");
        return;
    case GY_ARG_INT:
    case GY_ARG_NC:
        snprintf(buf, bufsize, "%lld", a->i);
        return;
    case GY_ARG_FLOAT:
        py_float_repr(a->f, buf, bufsize);
        return;
    case GY_ARG_STR: {
        char s[sizeof a->s];
        memcpy(s, a->s, sizeof s);
        s[sizeof s - 1] = '\0';
        py_str_repr(s, buf, bufsize);
        return;
    }
    }
    buf[0] = '\0';
}

void gy_row_format_from(const gy_row *row, char *buf, size_t size)
{
    size_t used = 0;
    int bracket = row->nfrom != 1 || row->from_is_list;
    used += (size_t)snprintf(buf, size, "%s", bracket ? "[" : "");
    for (int i = 0; i < row->nfrom && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%d", i ? ", " : "", row->from[i]);
    if (bracket && used < size)
        snprintf(buf + used, size - used, "]");
}

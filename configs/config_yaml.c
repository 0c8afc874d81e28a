/* config_yaml.c - the first half of reading a model YAML: libyaml's events collected into a small
 * node tree (refusing aliases, anchors, tags, deep nesting and extra documents), and the typing of
 * its scalars the way PyYAML's safe_load (YAML 1.1 plain-scalar resolution) and parse_model's
 * ast.literal_eval see them, with the typed getters configs/config.c interprets the tree with. */
#include "configs/config_yaml.h"

#include <ctype.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define CFG_MAX_DEPTH 5 /* map > list > row > args > (nested arg, refused later) */
#define CFG_MAX_NUMBER_CHARS 400

/* ------------------------------------------------------------------------------------------------
 * Tree built from libyaml events */

gy_status gy_cfg_fail_at(const pctx *c, gy_status st, int line, const char *fmt, ...)
{
    char msg[GY_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gy_fail(c->err, st, "%s:%d: %s", c->src, line, msg);
}

gy_status gy_cfg_nomem(const pctx *c)
{
    return gy_fail(c->err, GY_ERR_NOMEM, "%s: out of memory while reading the model YAML", c->src);
}

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
        return gy_cfg_nomem(c);
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_READER_ERROR)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, line_of_offset(c, p->problem_offset),
                              "YAML syntax error: %s (byte %zu)", problem, p->problem_offset);
    int line = (int)p->problem_mark.line + 1;
    if (p->context)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, line,
                              "YAML syntax error: %s (%s started at line %d)", problem, p->context,
                              (int)p->context_mark.line + 1);
    return gy_cfg_fail_at(c, GY_ERR_FORMAT, line, "YAML syntax error: %s", problem);
}

static gy_status check_node_props(const pctx *c, int line, const yaml_char_t *anchor,
                                  const yaml_char_t *tag)
{
    if (anchor)
        return gy_cfg_fail_at(
            c, GY_ERR_UNSUPPORTED, line,
            "YAML anchor '&%.64s' is not allowed (anchors and aliases are refused)",
            (const char *)anchor);
    if (tag)
        return gy_cfg_fail_at(c, GY_ERR_UNSUPPORTED, line, "YAML tag '%.64s' is not allowed",
                              (const char *)tag);
    return GY_OK;
}

gy_status gy_cfg_build_tree(pctx *c, const char *text, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return gy_cfg_nomem(c);
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
                st = gy_cfg_fail_at(c, GY_ERR_FORMAT, line,
                                    "a second YAML document; a model file holds exactly one");
            break;
        case YAML_ALIAS_EVENT:
            st = gy_cfg_fail_at(
                c, GY_ERR_UNSUPPORTED, line,
                "YAML alias '*%.64s' is not allowed (anchors and aliases are refused)",
                (const char *)ev.data.alias.anchor);
            break;
        case YAML_SCALAR_EVENT: {
            st = check_node_props(c, line, ev.data.scalar.anchor, ev.data.scalar.tag);
            if (st != GY_OK)
                break;
            if (memchr(ev.data.scalar.value, 0, ev.data.scalar.length)) {
                st = gy_cfg_fail_at(c, GY_ERR_FORMAT, line, "a NUL character inside a value");
                break;
            }
            int idx = add_node(c, YN_SCALAR, line, parent);
            size_t off;
            if (idx < 0 || !add_text(c, ev.data.scalar.value, ev.data.scalar.length, &off)) {
                st = gy_cfg_nomem(c);
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
                st = gy_cfg_fail_at(
                    c, GY_ERR_FORMAT, line,
                    "%s nested %d levels deep; a model YAML never needs more than %d",
                    is_seq ? "a list" : "a mapping", depth + 1, CFG_MAX_DEPTH - 1);
                break;
            }
            int idx = add_node(c, is_seq ? YN_SEQ : YN_MAP, line, parent);
            if (idx < 0) {
                st = gy_cfg_nomem(c);
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
void gy_cfg_resolve_python(const char *s, yval *v)
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

void gy_cfg_resolve_node(const pctx *c, const ynode *n, yval *v)
{
    if (n->plain) {
        resolve_yaml(gy_cfg_stext(c, n), v);
    } else {
        memset(v, 0, sizeof *v);
        v->kind = V_STR;
    }
}

const char *gy_cfg_kind_word(const pctx *c, const ynode *n, char *buf, size_t size)
{
    if (n->kind == YN_SEQ)
        return "a list";
    if (n->kind == YN_MAP)
        return "a mapping";
    if (n->len == 0 && n->plain)
        return "nothing";
    snprintf(buf, size, "'%.40s'%s", gy_cfg_stext(c, n), n->len > 40 ? "..." : "");
    return buf;
}

/* A number (YAML int or float) from a scalar node. */
gy_status gy_cfg_get_number(const pctx *c, const ynode *n, const char *what, double *out)
{
    char w[64];
    if (n->kind == YN_SCALAR) {
        yval v;
        gy_cfg_resolve_node(c, n, &v);
        if (v.kind == V_INT && !v.overflow) {
            *out = (double)v.i;
            return GY_OK;
        }
        if (v.kind == V_FLOAT && isfinite(v.f)) {
            *out = v.f;
            return GY_OK;
        }
    }
    return gy_cfg_fail_at(c, GY_ERR_FORMAT, n->line, "%s must be a finite number, got %s", what,
                          gy_cfg_kind_word(c, n, w, sizeof w));
}

/* An integer in [lo, hi] from a scalar node (YAML int only). */
gy_status gy_cfg_get_int(const pctx *c, const ynode *n, const char *what, long long lo,
                         long long hi, long long *out)
{
    char w[64];
    yval v;
    if (n->kind != YN_SCALAR)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, n->line, "%s must be an integer, got %s", what,
                              gy_cfg_kind_word(c, n, w, sizeof w));
    gy_cfg_resolve_node(c, n, &v);
    if (v.kind != V_INT)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, n->line, "%s must be an integer, got %s", what,
                              gy_cfg_kind_word(c, n, w, sizeof w));
    if (v.overflow || v.i < lo || v.i > hi)
        return gy_cfg_fail_at(c, GY_ERR_FORMAT, n->line, "%s %s is out of range [%lld, %lld]", what,
                              gy_cfg_kind_word(c, n, w, sizeof w), lo, hi);
    *out = v.i;
    return GY_OK;
}

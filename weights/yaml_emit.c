/* yaml_emit.c - PyYAML-compatible dump of a pickled YAML dict (see yaml_emit.h).
 *
 * PyYAML with default_flow_style=None writes a list or dict in flow style ([a, b], {k: v}) when
 * none of its items is a list or dict, else in block style. Block sequences inside a mapping are
 * not indented ("key:\n- item"), nested block mappings are indented by 2, and a block collection
 * inside a sequence item starts on the item's line ("- - -1\n  - 1"). Strings are plain unless
 * plain text would read back as something else (true, null, 12, 1.5, ...) or holds characters
 * with a meaning in YAML; those are single-quoted, and text with control or non-ASCII characters
 * is double-quoted with PyYAML's escapes (safe_dump does not allow unicode by default). */
#include "weights/yaml_emit.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

void gy_py_float_repr(double x, char *buf, size_t size)
{
    if (isnan(x)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, size, x < 0 ? "-inf" : "inf");
        return;
    }
    if (x == 0) {
        snprintf(buf, size, signbit(x) ? "-0.0" : "0.0");
        return;
    }
    /* Shortest digits that read back to x. */
    char e[40];
    for (int p = 0; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p, x);
        if (strtod(e, NULL) == x)
            break;
    }
    const char *s = e;
    int neg = *s == '-';
    if (neg)
        s++;
    char digits[24];
    int nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && nd < (int)sizeof digits - 1)
            digits[nd++] = *s;
    int exp10 = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    char out[64];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++)
                out[o++] = i < nd ? digits[i] : '0';
            out[o++] = '.';
            if (nd > exp10 + 1)
                for (int i = exp10 + 1; i < nd; i++)
                    out[o++] = digits[i];
            else
                out[o++] = '0';
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -exp10 - 1; i++)
                out[o++] = '0';
            for (int i = 0; i < nd; i++)
                out[o++] = digits[i];
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (int i = 1; i < nd; i++)
                out[o++] = digits[i];
        }
        snprintf(out + o, sizeof out - o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    }
    snprintf(buf, size, "%s", out);
}

typedef struct emitter {
    char *buf;
    size_t len, cap;
    int failed; /* 1: over the size cap or out of memory */
    const char *display;
    gy_error *err;
    char path[256]; /* where in the dict, for messages */
} emitter;

static void put(emitter *e, const char *s, size_t n)
{
    if (e->failed)
        return;
    if (n > GY_YAML_EMIT_MAX_TEXT - e->len) {
        e->failed = 1;
        return;
    }
    if (e->len + n + 1 > e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 1024;
        while (cap < e->len + n + 1)
            cap *= 2;
        char *b = realloc(e->buf, cap);
        if (!b) {
            e->failed = 1;
            return;
        }
        e->buf = b;
        e->cap = cap;
    }
    memcpy(e->buf + e->len, s, n);
    e->len += n;
    e->buf[e->len] = '\0';
}

static void puts_(emitter *e, const char *s) { put(e, s, strlen(s)); }

static void indent_to(emitter *e, int indent)
{
    put(e, "\n", 1);
    for (int i = 0; i < indent; i++)
        put(e, " ", 1);
}

static int is_collection(const gy_pk_value *v)
{
    return v->type == GY_PK_LIST || v->type == GY_PK_TUPLE || v->type == GY_PK_DICT;
}

/* Flow style when no item is itself a list or dict. */
static int is_flow(const gy_pk_value *v)
{
    if (v->type == GY_PK_DICT) {
        for (size_t i = 0; i < v->u.dict.n; i++)
            if (is_collection(v->u.dict.keys[i]) || is_collection(v->u.dict.vals[i]))
                return 0;
        return 1;
    }
    for (size_t i = 0; i < v->u.seq.n; i++)
        if (is_collection(v->u.seq.items[i]))
            return 0;
    return 1;
}

static int word_in(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* Plain style: starts with a letter or '_', no space at the end, not a word YAML 1.1 reads as a
 * bool or null, and inside only letters, digits, spaces and punctuation without a meaning there
 * (everything but : # , ? [ ] { } and control or non-ASCII characters). A letter first rules out
 * numbers, timestamps and leading indicators. PyYAML writes all of these plain too; a few strings
 * it would also write plain (a ':' not followed by a space in block context, a leading '-') are
 * quoted here, which reads back the same. */
static int plain_ok(const char *s, size_t n)
{
    static const char *const words[] = {"yes", "Yes", "YES", "no", "No", "NO", "true", "True",
                                         "TRUE", "false", "False", "FALSE", "on", "On", "ON",
                                         "off", "Off", "OFF", "null", "Null", "NULL", NULL};
    if (n == 0 || s[n - 1] == ' ')
        return 0;
    unsigned char c0 = (unsigned char)s[0];
    if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F || strchr(":#,?[]{}", c))
            return 0;
    }
    return !word_in(s, words);
}

static void emit_double_quoted(emitter *e, const char *s, size_t n)
{
    put(e, "\"", 1);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        unsigned cp = c;
        size_t len = 1;
        if (c >= 0xF0)
            len = 4, cp = c & 0x07u;
        else if (c >= 0xE0)
            len = 3, cp = c & 0x0Fu;
        else if (c >= 0xC0)
            len = 2, cp = c & 0x1Fu;
        for (size_t k = 1; k < len && i + k < n; k++)
            cp = cp << 6 | ((unsigned char)s[i + k] & 0x3Fu);
        i += len;
        char b[16];
        switch (cp) {
        case '"': puts_(e, "\\\""); continue;
        case '\\': puts_(e, "\\\\"); continue;
        case '\0': puts_(e, "\\0"); continue;
        case '\a': puts_(e, "\\a"); continue;
        case '\b': puts_(e, "\\b"); continue;
        case '\t': puts_(e, "\\t"); continue;
        case '\n': puts_(e, "\\n"); continue;
        case '\v': puts_(e, "\\v"); continue;
        case '\f': puts_(e, "\\f"); continue;
        case '\r': puts_(e, "\\r"); continue;
        case 0x1B: puts_(e, "\\e"); continue;
        case 0x85: puts_(e, "\\N"); continue;
        case 0xA0: puts_(e, "\\_"); continue;
        case 0x2028: puts_(e, "\\L"); continue;
        case 0x2029: puts_(e, "\\P"); continue;
        default: break;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            b[0] = (char)cp;
            put(e, b, 1);
        } else {
            if (cp <= 0xFF)
                snprintf(b, sizeof b, "\\x%02X", cp);
            else if (cp <= 0xFFFF)
                snprintf(b, sizeof b, "\\u%04X", cp);
            else
                snprintf(b, sizeof b, "\\U%08X", cp);
            puts_(e, b);
        }
    }
    put(e, "\"", 1);
}

static void emit_string(emitter *e, const char *s, size_t n)
{
    if (plain_ok(s, n)) {
        put(e, s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F) {
            emit_double_quoted(e, s, n);
            return;
        }
    }
    put(e, "'", 1);
    for (size_t i = 0; i < n; i++)
        put(e, s[i] == '\'' ? "''" : s + i, s[i] == '\'' ? 2 : 1);
    put(e, "'", 1);
}

static gy_status bad_value(emitter *e, const gy_pk_value *v)
{
    return gy_fail(e->err, GY_ERR_UNSUPPORTED, "%s: the model yaml holds a %s at %s; only "
                   "dicts, lists and None/bool/int/float/str values are read", e->display,
                   gy_pk_type_name(v), e->path[0] ? e->path : "its top level");
}

static gy_status emit_scalar(emitter *e, const gy_pk_value *v)
{
    char b[48];
    switch (v->type) {
    case GY_PK_NONE: puts_(e, "null"); return GY_OK;
    case GY_PK_BOOL: puts_(e, v->u.i ? "true" : "false"); return GY_OK;
    case GY_PK_INT:
        snprintf(b, sizeof b, "%lld", (long long)v->u.i);
        puts_(e, b);
        return GY_OK;
    case GY_PK_FLOAT:
        if (isnan(v->u.f)) {
            puts_(e, ".nan");
        } else if (isinf(v->u.f)) {
            puts_(e, v->u.f < 0 ? "-.inf" : ".inf");
        } else {
            gy_py_float_repr(v->u.f, b, sizeof b);
            if (!strchr(b, '.') && strchr(b, 'e')) { /* PyYAML: 1e-05 -> 1.0e-05 */
                char t[56];
                const char *ep = strchr(b, 'e');
                snprintf(t, sizeof t, "%.*s.0%s", (int)(ep - b), b, ep);
                puts_(e, t);
            } else {
                puts_(e, b);
            }
        }
        return GY_OK;
    case GY_PK_STR: emit_string(e, v->u.str.data, v->u.str.len); return GY_OK;
    default: return bad_value(e, v);
    }
}

static gy_status emit_node(emitter *e, const gy_pk_value *v, int indent, int depth, int in_seq);

static gy_status emit_flow(emitter *e, const gy_pk_value *v)
{
    gy_status s = GY_OK;
    if (v->type == GY_PK_DICT) {
        puts_(e, "{");
        for (size_t i = 0; i < v->u.dict.n && s == GY_OK && !e->failed; i++) {
            if (i)
                puts_(e, ", ");
            s = emit_scalar(e, v->u.dict.keys[i]);
            puts_(e, ": ");
            if (s == GY_OK)
                s = emit_scalar(e, v->u.dict.vals[i]);
        }
        puts_(e, "}");
    } else {
        puts_(e, "[");
        for (size_t i = 0; i < v->u.seq.n && s == GY_OK && !e->failed; i++) {
            if (i)
                puts_(e, ", ");
            s = emit_scalar(e, v->u.seq.items[i]);
        }
        puts_(e, "]");
    }
    return s;
}

/* A block sequence whose items start at column `indent`; the first item continues the current
 * line when `inline_first` (inside another sequence item). */
static gy_status emit_block_seq(emitter *e, const gy_pk_value *v, int indent, int depth,
                                int inline_first)
{
    size_t plen = strlen(e->path);
    for (size_t i = 0; i < v->u.seq.n && !e->failed; i++) {
        if (i || !inline_first)
            indent_to(e, indent);
        puts_(e, "- ");
        snprintf(e->path + plen, sizeof e->path - plen, "[%zu]", i);
        gy_status s = emit_node(e, v->u.seq.items[i], indent + 2, depth + 1, 1);
        if (s != GY_OK)
            return s;
    }
    e->path[plen] = '\0';
    return GY_OK;
}

static gy_status emit_block_map(emitter *e, const gy_pk_value *v, int indent, int depth,
                                int inline_first)
{
    size_t plen = strlen(e->path);
    for (size_t i = 0; i < v->u.dict.n && !e->failed; i++) {
        const gy_pk_value *k = v->u.dict.keys[i], *val = v->u.dict.vals[i];
        if (i || !inline_first)
            indent_to(e, indent);
        if (k->type == GY_PK_STR)
            snprintf(e->path + plen, sizeof e->path - plen, "%s%.60s", plen ? "." : "",
                     k->u.str.data);
        gy_status s = emit_scalar(e, k);
        if (s != GY_OK)
            return s;
        puts_(e, ":");
        if (is_collection(val) && !is_flow(val)) {
            if (val->type == GY_PK_DICT)
                s = emit_block_map(e, val, indent + 2, depth + 1, 0);
            else
                s = emit_block_seq(e, val, indent, depth + 1, 0); /* indentless */
        } else {
            puts_(e, " ");
            s = emit_node(e, val, indent + 2, depth + 1, 0);
        }
        if (s != GY_OK)
            return s;
    }
    e->path[plen] = '\0';
    return GY_OK;
}

static gy_status emit_node(emitter *e, const gy_pk_value *v, int indent, int depth, int in_seq)
{
    if (e->failed) /* over the size cap: stop walking (the caller reports it) */
        return GY_OK;
    if (depth > GY_YAML_EMIT_MAX_DEPTH)
        return gy_fail(e->err, GY_ERR_FORMAT, "%s: the model yaml is nested deeper than %d "
                       "levels (or refers to itself) at %s", e->display, GY_YAML_EMIT_MAX_DEPTH,
                       e->path);
    if (!is_collection(v))
        return emit_scalar(e, v);
    if (is_flow(v))
        return emit_flow(e, v);
    if (v->type == GY_PK_DICT)
        return emit_block_map(e, v, indent, depth, in_seq);
    return emit_block_seq(e, v, indent, depth, in_seq);
}

gy_status gy_yaml_emit(const gy_pk_value *dict, const char *display, char **text, gy_error *err)
{
    if (!text)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_yaml_emit needs an output pointer");
    *text = NULL;
    emitter e;
    memset(&e, 0, sizeof e);
    e.display = display ? display : "<yaml>";
    e.err = err;
    if (!dict || dict->type != GY_PK_DICT)
        return gy_fail(err, GY_ERR_FORMAT, "%s: the model yaml is a %s, not a dict", e.display,
                       gy_pk_type_name(dict));
    gy_status s;
    if (is_flow(dict)) {
        s = emit_flow(&e, dict);
    } else {
        s = emit_block_map(&e, dict, 0, 0, 1);
    }
    puts_(&e, "\n");
    if (s == GY_OK && e.failed)
        s = gy_fail(err, GY_ERR_NOMEM, "%s: the model yaml text is over %zu bytes or memory ran "
                    "out", e.display, GY_YAML_EMIT_MAX_TEXT);
    if (s != GY_OK) {
        free(e.buf);
        return s;
    }
    *text = e.buf;
    return GY_OK;
}

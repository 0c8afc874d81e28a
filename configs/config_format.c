/* config_format.c - ultralytics' numeric rules for a config (Python's round, scaled repeats and
 * channels) and the way it prints rows and arguments (Python repr of floats and strings). */
#include "configs/config.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"

int gy_config_repeats(const gy_config *cfg, int n)
{
    if (n <= 1)
        return n;
    double r = gy_py_round((double)n * cfg->depth);
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

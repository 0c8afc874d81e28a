/* args.c - option parsing with getopt_long from one table per verb, which also prints the help. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/cli/cli.h"

static int has_range(const cli_opt *o)
{
    return o->min < o->max;
}

static void range_text(const cli_opt *o, char *buf, size_t size)
{
    if (o->kind == CLI_INT)
        snprintf(buf, size, "an integer from %.0f to %.0f", o->min, o->max);
    else
        snprintf(buf, size, "a number from %g to %g", o->min, o->max);
}

/* The option as a message names it: "--conf '1.5'", or for a key=value argument "'conf=1.5'". */
static void shown_as(const cli_opt *o, const char *val, const char *key, char *buf, size_t size)
{
    if (key)
        snprintf(buf, size, "'%s=%s'", key, val);
    else
        snprintf(buf, size, "%s '%s'", o->long_name, val);
}

int cli_set_option(const cli_verb *verb, const cli_opt *o, const char *val, const char *key)
{
    char *end, range[96], shown[512];
    switch (o->kind) {
    case CLI_STRING:
        *(const char **)o->dst = val;
        return 0;
    case CLI_INT: {
        errno = 0;
        long v = strtol(val, &end, 10);
        if (errno || end == val || *end || v < -2000000000L || v > 2000000000L ||
            (has_range(o) && (v < o->min || v > o->max))) {
            if (has_range(o))
                range_text(o, range, sizeof range);
            else
                snprintf(range, sizeof range, "an integer");
            shown_as(o, val, key, shown, sizeof shown);
            fprintf(stderr, "ghostyolo %s: %s: must be %s\n", verb->name, shown, range);
            return EXIT_USAGE;
        }
        *(int *)o->dst = (int)v;
        return 0;
    }
    case CLI_FLOAT: {
        errno = 0;
        float v = strtof(val, &end);
        if (errno || end == val || *end || !isfinite(v) ||
            (has_range(o) && (v < o->min || v > o->max))) {
            if (has_range(o))
                range_text(o, range, sizeof range);
            else
                snprintf(range, sizeof range, "a number");
            shown_as(o, val, key, shown, sizeof shown);
            fprintf(stderr, "ghostyolo %s: %s: must be %s\n", verb->name, shown, range);
            return EXIT_USAGE;
        }
        *(float *)o->dst = v;
        return 0;
    }
    case CLI_LIST: {
        cli_list *l = o->dst;
        const char **items = realloc(l->items, sizeof *items * (size_t)(l->count + 1));
        if (!items) {
            fprintf(stderr, "ghostyolo %s: out of memory\n", verb->name);
            return EXIT_SOFTWARE;
        }
        l->items = items;
        l->items[l->count++] = val;
        return 0;
    }
    case CLI_FLAG:
        *(int *)o->dst = 1;
        return 0;
    }
    return 0;
}

void cli_bad_value(const cli_verb *verb, const char *option, const char *value, const char *why)
{
    fprintf(stderr, "ghostyolo %s: %s '%s': %s\n", verb->name, option, value, why);
}

static void default_text(const cli_opt *o, char *buf, size_t size)
{
    buf[0] = '\0';
    switch (o->kind) {
    case CLI_INT:
        snprintf(buf, size, " (default %d)", *(const int *)o->dst);
        break;
    case CLI_FLOAT:
        snprintf(buf, size, " (default %g)", (double)*(const float *)o->dst);
        break;
    case CLI_STRING:
        if (*(const char *const *)o->dst)
            snprintf(buf, size, " (default %s)", *(const char *const *)o->dst);
        break;
    case CLI_FLAG:
    case CLI_LIST:
        break;
    }
}

#define HELP_INDENT 29
#define HELP_WIDTH 100

/* Prints text from column HELP_INDENT, wrapped at HELP_WIDTH with a hanging indent. */
static void print_wrapped(const char *text, FILE *f)
{
    int col = HELP_INDENT;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == 0)
            break;
        if (col > HELP_INDENT && col + 1 + (int)w > HELP_WIDTH) {
            fprintf(f, "\n%*s", HELP_INDENT, "");
            col = HELP_INDENT;
        }
        if (col > HELP_INDENT) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", (int)w, p);
        col += (int)w;
        p += w;
    }
    fputc('\n', f);
}

void cli_help(const cli_verb *verb, FILE *f)
{
    fprintf(f, "usage: ghostyolo %s %s\n\n%s\n\noptions (or, in brackets, the key=value "
               "argument of ultralytics' yolo CLI):\n", verb->name, verb->synopsis, verb->about);
    for (int i = 0; i <= verb->nopts; i++) {
        const cli_opt *o = i < verb->nopts ? &verb->opts[i] : NULL;
        char left[96], text[1024], def[128] = "", range[96] = "";
        if (o)
            snprintf(left, sizeof left, "%s%s%s%s%s", o->short_name ? o->short_name : "  ",
                     o->short_name ? ", " : "  ", o->long_name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "-h, --help");
        fprintf(f, "  %-*s", HELP_INDENT - 3, left);
        if (strlen(left) > HELP_INDENT - 3)
            fprintf(f, "\n  %-*s", HELP_INDENT - 3, "");
        fputc(' ', f);
        if (o) {
            default_text(o, def, sizeof def);
            if (has_range(o) && (o->kind == CLI_INT || o->kind == CLI_FLOAT)) {
                char r[80];
                range_text(o, r, sizeof r);
                snprintf(range, sizeof range, "; %s", r);
            }
        }
        char keybuf[96], key[112] = "";
        if (o && cli_option_key(o, keybuf, sizeof keybuf))
            snprintf(key, sizeof key, " [%s]", keybuf);
        snprintf(text, sizeof text, "%s%s%s%s", o ? o->help : "this help", def, range, key);
        print_wrapped(text, f);
    }
}

int cli_parse(const cli_verb *verb, int argc, char **argv, cli_list *pos)
{
    int n = verb->nopts;
    struct option *lopts = calloc((size_t)n + 2, sizeof *lopts);
    char *shorts = malloc((size_t)n * 2 + 4);
    char **args = malloc(sizeof *args * (size_t)(argc > 1 ? argc : 2));
    char progname[64];
    int rc = 0;
    if (!lopts || !shorts || !args) {
        fprintf(stderr, "ghostyolo %s: out of memory\n", verb->name);
        rc = EXIT_SOFTWARE;
        goto done;
    }
    size_t ns = 0;
    shorts[ns++] = '-'; /* positional arguments come back in order, as option 1 */
    for (int i = 0; i < n; i++) {
        const cli_opt *o = &verb->opts[i];
        int takes = o->kind != CLI_FLAG;
        lopts[i].name = o->long_name + 2;
        lopts[i].has_arg = takes ? required_argument : no_argument;
        lopts[i].flag = NULL;
        lopts[i].val = 256 + i;
        if (o->short_name) {
            shorts[ns++] = o->short_name[1];
            if (takes)
                shorts[ns++] = ':';
        }
    }
    lopts[n].name = "help";
    lopts[n].has_arg = no_argument;
    lopts[n].val = 'h';
    shorts[ns++] = 'h';
    shorts[ns] = '\0';
    /* getopt names the program as argv[0] in its messages: "ghostyolo detect: ..." */
    snprintf(progname, sizeof progname, "ghostyolo %s", verb->name);
    args[0] = progname;
    for (int i = 2; i < argc; i++)
        args[i - 1] = argv[i];
    int nargs = argc > 1 ? argc - 1 : 1;
    optind = 0; /* glibc: full re-initialisation */
    opterr = 1;
    int c;
    while (!rc && (c = getopt_long(nargs, args, shorts, lopts, NULL)) != -1) {
        const cli_opt *o = NULL;
        if (c == 'h') {
            cli_help(verb, stdout);
            rc = CLI_HELP;
        } else if (c == 1) {
            cli_opt po = {NULL, "argument", CLI_LIST, pos, NULL, NULL, 0, 0};
            rc = cli_set_option(verb, &po, optarg, NULL);
        } else if (c >= 256 && c < 256 + n) {
            o = &verb->opts[c - 256];
        } else if (c != '?') {
            for (int i = 0; i < n && !o; i++)
                if (verb->opts[i].short_name && verb->opts[i].short_name[1] == c)
                    o = &verb->opts[i];
        }
        if (o)
            rc = cli_set_option(verb, o, optarg, NULL);
        else if (c == '?') {
            fprintf(stderr, "(see 'ghostyolo %s --help')\n", verb->name);
            rc = EXIT_USAGE;
        }
    }
    /* key=value arguments as the yolo CLI takes them (keys.c); not after "--", after which
     * every remaining argument is positional */
    if (!rc)
        rc = cli_apply_keys(verb, pos);
    for (int i = optind; !rc && i < nargs; i++) {
        cli_opt po = {NULL, "argument", CLI_LIST, pos, NULL, NULL, 0, 0};
        rc = cli_set_option(verb, &po, args[i], NULL);
    }
done:
    free(lopts);
    free(shorts);
    free(args);
    return rc;
}

int cli_exit_for(gy_status st)
{
    switch (st) {
    case GY_OK: return EXIT_OK;
    case GY_ERR_IO: return EXIT_NOINPUT;
    case GY_ERR_ARGUMENT: return EXIT_USAGE;
    case GY_ERR_NOMEM:
    case GY_ERR_STATE: return EXIT_SOFTWARE;
    case GY_ERR_FORMAT:
    case GY_ERR_MISMATCH:
    case GY_ERR_UNSUPPORTED: return EXIT_DATAERR;
    }
    return EXIT_SOFTWARE;
}

/* The verb being run, for the prefix of every message ("ghostyolo detect: ..."): the program's
 * own name in the sense of getopt's argv[0], set once by main before the verb runs. */
static const char *verb_running;

void cli_set_verb(const char *name)
{
    verb_running = name;
}

void cli_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (verb_running)
        fprintf(stderr, "ghostyolo %s: ", verb_running);
    else
        fputs("ghostyolo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_error(const gy_error *err)
{
    cli_say("%s", err->message);
}

void cli_log(void *user, gy_log_level level, const char *message)
{
    (void)user;
    cli_say("%s: %s", level == GY_LOG_WARNING ? "warning" : "info", message);
}

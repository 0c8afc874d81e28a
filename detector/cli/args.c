/* args.c - a small table-driven option parser (-m X, --model X, --model=X, flags). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/cli/cli.h"

static int set_value(const char *verb, const cli_opt *o, const char *name, const char *val)
{
    char *end;
    switch (o->kind) {
    case CLI_STRING:
        *(const char **)o->dst = val;
        return 0;
    case CLI_INT: {
        errno = 0;
        long v = strtol(val, &end, 10);
        if (errno || end == val || *end || v < -1000000000L || v > 1000000000L) {
            fprintf(stderr, "ghostyolo %s: %s needs an integer, got '%s'\n", verb, name, val);
            return EXIT_USAGE;
        }
        *(int *)o->dst = (int)v;
        return 0;
    }
    case CLI_FLOAT: {
        errno = 0;
        float v = strtof(val, &end);
        if (errno || end == val || *end || !isfinite(v)) {
            fprintf(stderr, "ghostyolo %s: %s needs a number, got '%s'\n", verb, name, val);
            return EXIT_USAGE;
        }
        *(float *)o->dst = v;
        return 0;
    }
    case CLI_LIST: {
        cli_list *l = o->dst;
        const char **items = realloc(l->items, sizeof *items * (size_t)(l->count + 1));
        if (!items) {
            fprintf(stderr, "ghostyolo %s: out of memory\n", verb);
            return EXIT_SOFTWARE;
        }
        l->items = items;
        l->items[l->count++] = val;
        return 0;
    }
    case CLI_FLAG:
        break;
    }
    return 0;
}

int cli_parse(const char *verb, int argc, char **argv, int first, const cli_opt *opts, int nopts,
              cli_list *pos)
{
    int only_positional = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            cli_opt po = {NULL, NULL, CLI_LIST, pos};
            int rc = set_value(verb, &po, "argument", a);
            if (rc)
                return rc;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const cli_opt *o = NULL;
        for (int k = 0; k < nopts && !o; k++) {
            const char *ln = opts[k].long_name, *sn = opts[k].short_name;
            if ((ln && strlen(ln) == len && strncmp(a, ln, len) == 0) ||
                (sn && !eq && strcmp(a, sn) == 0))
                o = &opts[k];
        }
        if (!o) {
            fprintf(stderr, "ghostyolo %s: unknown option '%s' (see 'ghostyolo help')\n", verb, a);
            return EXIT_USAGE;
        }
        if (o->kind == CLI_FLAG) {
            if (eq) {
                fprintf(stderr, "ghostyolo %s: %s takes no value\n", verb, o->long_name);
                return EXIT_USAGE;
            }
            *(int *)o->dst = 1;
            continue;
        }
        const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!val) {
            fprintf(stderr, "ghostyolo %s: %s needs a value\n", verb, a);
            return EXIT_USAGE;
        }
        int rc = set_value(verb, o, o->long_name, val);
        if (rc)
            return rc;
    }
    return 0;
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

void cli_error(const gy_error *err)
{
    fprintf(stderr, "ghostyolo: %s\n", err->message);
}

void cli_log(void *user, gy_log_level level, const char *message)
{
    (void)user;
    fprintf(stderr, "ghostyolo: %s: %s\n", level == GY_LOG_WARNING ? "warning" : "info", message);
}

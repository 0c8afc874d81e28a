/* cli.h - the ghostyolo command line: verbs, option parsing, exit codes (sysexits). */
#ifndef GY_CLI_H
#define GY_CLI_H

#include "ghostyolo.h"

enum {
    EXIT_OK = 0,
    EXIT_USAGE = 64,    /* bad command line */
    EXIT_DATAERR = 65,  /* bad input data (malformed YAML, weights, image, tensor) */
    EXIT_NOINPUT = 66,  /* an input file cannot be opened or read */
    EXIT_SOFTWARE = 70, /* internal error, out of memory */
    EXIT_CANTCREAT = 73 /* an output cannot be written */
};

typedef enum cli_kind { CLI_FLAG, CLI_STRING, CLI_INT, CLI_FLOAT, CLI_LIST } cli_kind;

/* An option: -s / --long, of a kind, stored in dst (int*, const char**, int*, float*, or for
 * CLI_LIST a cli_list*). */
typedef struct cli_opt {
    const char *short_name; /* "-m" or NULL */
    const char *long_name;  /* "--model" */
    cli_kind kind;
    void *dst;
} cli_opt;

typedef struct cli_list {
    const char **items;
    int count;
} cli_list;

/* Parses argv[first..]; positional arguments go to *pos (argv pointers, caller frees *pos).
 * Returns 0, or prints the problem and returns EXIT_USAGE. */
int cli_parse(const char *verb, int argc, char **argv, int first, const cli_opt *opts, int nopts,
              cli_list *pos);

/* Exit code for a failed library call on an input (IO -> 66, data -> 65, memory -> 70). */
int cli_exit_for(gy_status st);
/* Prints "ghostyolo: <message>" to stderr. */
void cli_error(const gy_error *err);
/* Log callback printing warnings to stderr. */
void cli_log(void *user, gy_log_level level, const char *message);

int cmd_forward(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_detect(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_convert(int argc, char **argv);

#endif

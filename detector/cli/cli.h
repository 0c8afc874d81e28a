/* cli.h - the ghostyolo command line: verbs, option parsing, exit codes (sysexits). */
#ifndef GY_CLI_H
#define GY_CLI_H

#include <stdio.h>

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
 * CLI_LIST a cli_list*). The same table drives getopt_long and the --help text, so the two cannot
 * drift apart. CLI_INT and CLI_FLOAT values outside [min, max] are refused with a message naming
 * the option, the value and the range (when min < max). */
typedef struct cli_opt {
    const char *short_name; /* "-m" or NULL */
    const char *long_name;  /* "--model" */
    cli_kind kind;
    void *dst;
    const char *arg;        /* the value's name in the help ("WEIGHTS"); NULL for flags */
    const char *help;       /* one line; the default is added from *dst */
    double min, max;        /* the allowed range of a number */
} cli_opt;

typedef struct cli_list {
    const char **items;
    int count;
} cli_list;

/* A verb: its usage line, what it does, its options. */
typedef struct cli_verb {
    const char *name;       /* "detect" */
    const char *synopsis;   /* "-w WEIGHTS [options] SOURCE..." */
    const char *about;      /* paragraph(s) printed under the usage line */
    const cli_opt *opts;
    int nopts;
} cli_verb;

/* cli_parse's result when it printed the verb's help (-h/--help): exit 0. */
#define CLI_HELP (-1)

/* Parses argv[2..] (argv[1] is the verb) with getopt_long: --opt=value, --opt value, -o value,
 * unambiguous abbreviations of long options, "--" ends the options; positional arguments go to
 * *pos (argv pointers, caller frees pos->items). Returns 0; CLI_HELP after printing the help on
 * stdout; or EXIT_USAGE after printing the problem. */
int cli_parse(const cli_verb *verb, int argc, char **argv, cli_list *pos);
/* Prints a verb's usage and options. */
void cli_help(const cli_verb *verb, FILE *f);
/* Prints "ghostyolo VERB: OPTION 'VALUE': ..." for a value the command refuses after parsing. */
void cli_bad_value(const cli_verb *verb, const char *option, const char *value, const char *why);

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
int cmd_val(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_quantize(int argc, char **argv);

/* Room for a path the CLI builds (a folder and a file name). */
#define CLI_PATH_MAX 4160

/* The folder holding the configs that ship with this binary, found relative to the executable
 * (<bin>/../share/ghostyolo/configs when installed, <build>/../configs in a checkout), or NULL. */
const char *cli_configs_dir(void);
/* A config argument as given, or, when it is a bare file name that does not exist here, the
 * shipped config of that name (unified names too: yolov8n.yaml -> yolov8.yaml at scale n).
 * buf holds the result when it is not the argument itself. */
const char *cli_find_config(const char *arg, char *buf, size_t size);
/* 1 when path is a weights file (safetensors or a .pt checkpoint): by its extension, else by its
 * first bytes. */
int cli_is_weights_file(const char *path);

/* A model to load: a config, weights (config NULL: the YAML in the weights' metadata) or both. */
typedef struct cli_model_ref {
    const char *config;
    const char *weights;
} cli_model_ref;
typedef struct cli_model_list {
    cli_model_ref *items;
    int count;
} cli_model_list;
int cli_model_list_add(cli_model_list *l, const char *config, const char *weights);
/* From -m/positional arguments (positional safetensors count as weights) and -w arguments: one
 * config with one weights file is one model; otherwise each is its own model. 0 or an exit code. */
int cli_model_list_make(const cli_list *configs, const cli_list *weights, cli_model_list *out);

#endif

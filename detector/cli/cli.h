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
    EXIT_CANTCREAT = 73, /* an output cannot be written */
    EXIT_INTERRUPTED = 128 /* + the signal: stopped by Ctrl-C (130) or SIGTERM (143), as a shell
                              reports it */
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
/* Sets option o from the text val as the parser does (ranges checked); key: NULL, or the
 * key=value argument's key, which the messages then name ('conf=1.5'). 0 or EXIT_USAGE. */
int cli_set_option(const cli_verb *verb, const cli_opt *o, const char *val, const char *key);
/* The key=value arguments among the positional arguments pos (keys.c): each is applied to the
 * verb's option of that key (conf= to --conf, ...) and taken out of pos; "source=" adds a
 * positional argument. 0, or EXIT_USAGE after printing the problem (an unknown key with the
 * close matches, as ultralytics lists them; a value of the wrong type). */
int cli_apply_keys(const cli_verb *verb, cli_list *pos);
/* The key=value form of option o ("conf=X", "show_labels=False") in buf, or NULL when none. */
const char *cli_option_key(const cli_opt *o, char *buf, size_t size);
/* Python's difflib: SequenceMatcher(None, x, word).ratio(), and get_close_matches(word,
 * possibilities, n, cutoff) into out (at most n, best first); returns how many (close_matches.c). */
double cli_similarity(const char *x, const char *word);
int cli_close_matches(const char *word, const char *const *possibilities, int count, int n,
                      double cutoff, const char **out);
/* Prints a verb's usage and options. */
void cli_help(const cli_verb *verb, FILE *f);
/* Prints "ghostyolo VERB: OPTION 'VALUE': ..." for a value the command refuses after parsing. */
void cli_bad_value(const cli_verb *verb, const char *option, const char *value, const char *why);

/* The verb being run (main sets it before running the verb): every message of the run starts
 * "ghostyolo VERB: ". */
void cli_set_verb(const char *name);
/* wait_policy.c: main keeps its arguments; cli_passive_wait(threads) then runs the program again
 * with OMP_WAIT_POLICY=passive when threads is not 1 and no wait policy was given (it returns
 * only when nothing was done or the re-execution failed). */
void cli_keep_argv(char **argv);
void cli_passive_wait(int threads);
/* Prints "ghostyolo VERB: <fmt ...>" and a newline to stderr. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ctrl-C (interrupt.c): between install and restore, SIGINT and SIGTERM only set a flag, which
 * cli_interrupted() returns (the signal's number, else 0) and cli_interrupt_poll (a gy_video
 * interrupt callback) reads, so a run can stop cleanly. A run stopped so exits EXIT_INTERRUPTED +
 * the signal. */
void cli_interrupt_install(void);
void cli_interrupt_restore(void);
int cli_interrupted(void);
int cli_interrupt_poll(void *user);

/* Exit code for a failed library call on an input (IO -> 66, data -> 65, memory -> 70). */
int cli_exit_for(gy_status st);
/* Prints "ghostyolo VERB: <message>" to stderr. */
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

/* ultralytics' display name: the file stem with "yolo" written "YOLO" (info and stats alike). */
void cli_display_name(const char *stem, char *buf, size_t size);
/* The scale as printed: its key ("n"), or the depth/width multiples ("0.5/0.5") of a YAML that
 * has them and matches no scale of yolov8.yaml. */
void cli_scale_text(const gy_model_info *info, char *buf, size_t size);
/* ultralytics' build table: the header and a row (from, n, params, module, arguments), without
 * the newline; a module name of 45 characters or more is followed by one space. */
void cli_print_build_head(void);
void cli_print_build_row(const gy_row_info *r);

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

/* config.h - ultralytics model YAML parsed with libyaml, plus ultralytics' scaling rules.
 *
 * The file has `nc`, optional `scales` (key -> [depth, width, max_channels]) or the older
 * `depth_multiple` / `width_multiple`, an optional explicit `scale:` key, and `backbone` + `head`
 * lists of rows `[from, repeats, module, args]` in flow or block style. */
#ifndef GY_CONFIGS_CONFIG_H
#define GY_CONFIGS_CONFIG_H

#include <stddef.h>

#include "ghostyolo.h"

/* Limits of a model YAML (README "Limits"; each can be changed at build time with -DNAME=value). */
#ifndef GY_YAML_MAX_BYTES
#define GY_YAML_MAX_BYTES ((size_t)1 << 20) /* the YAML text */
#endif
#ifndef GY_MAX_ROWS
#define GY_MAX_ROWS 512 /* backbone + head rows (layers) */
#endif
#ifndef GY_MAX_CHANNELS
#define GY_MAX_CHANNELS 65536 /* channels of a row's argument, max_channels, ch */
#endif
#ifndef GY_MAX_REPEATS
#define GY_MAX_REPEATS 1024 /* a row's repeats, before depth scaling */
#endif
#ifndef GY_MAX_TOTAL_REPEATS
#define GY_MAX_TOTAL_REPEATS 4096 /* repeats of all rows together, after depth scaling */
#endif
#ifndef GY_MAX_NC
#define GY_MAX_NC 100000 /* classes */
#endif
#define GY_MAX_FROM 16
#define GY_MAX_ARGS 16
#define GY_MAX_SCALES 16

typedef enum gy_arg_type {
    GY_ARG_NONE,  /* None / null / ~ */
    GY_ARG_INT,
    GY_ARG_FLOAT,
    GY_ARG_BOOL,
    GY_ARG_STR,   /* a string that is not a Python literal, e.g. nearest */
    GY_ARG_NC     /* the bare word nc: i resolved to the config's nc */
} gy_arg_type;

typedef struct gy_arg {
    gy_arg_type type;
    long long i;   /* INT, BOOL (0/1), NC (resolved class count) */
    double f;      /* FLOAT */
    char s[64];    /* STR */
} gy_arg;

typedef struct gy_row {
    int index;            /* 0-based row number across backbone then head */
    int nfrom;
    int from[GY_MAX_FROM];/* as written: negative = relative */
    int from_is_list;     /* 1 when written as a list ([-1] or [-1, 6]), 0 for a bare int */
    int repeats;          /* as written (before depth scaling) */
    char module[64];
    int nargs;
    gy_arg args[GY_MAX_ARGS];
    int line;             /* 1-based line in the YAML text */
} gy_row;

typedef struct gy_scale_def {
    char key[16];
    double depth, width;
    int max_channels;
} gy_scale_def;

typedef struct gy_config {
    char path[1024];          /* file actually read, or the display name given */
    char name[256];           /* stem of the path the user gave (before the yolov8s->yolov8 rule),
                                 with the scale letter of an explicitly chosen scale (yolov8n.yaml
                                 at scale x: yolov8x); for YAML text with a yaml_file key (stored
                                 in weights), that file's stem */
    char yaml_file[256];      /* the yaml_file key, "" if none */
    int nc;                   /* after override */
    int ch;                   /* input channels (ch: key, default 3) */
    int nscales;
    gy_scale_def scales[GY_MAX_SCALES];
    int has_multiples;
    double depth_multiple, width_multiple;
    char yaml_scale[16];      /* explicit `scale:` key, "" if none */
    int nrows, nbackbone;
    gy_row *rows;
    /* resolved scale */
    char scale[16];           /* "" when no scales, but for depth/width multiples equal to a
                                 scale of yolov8.yaml (0.33/0.25: "n") */
    const char *scale_source; /* "parameter", "yaml scale key", "file name", "first scale (default)",
                                 "depth/width multiples", "none" */
    double depth, width;
    int max_channels;         /* INT_MAX-like large value when unlimited */
    char warning[512];        /* "" or why the scale was defaulted */
} gy_config;

/* Loads a YAML file. If path does not exist and its name matches ultralytics' rule
 * (digits + n/s/m/l/x before the extension, e.g. yolov8s.yaml), the unified file (yolov8.yaml)
 * is read instead; the scale letter then comes from the given name.
 * scale_override: NULL or a scale key; nc_override: 0 or a class count. */
gy_status gy_config_load_file(const char *path, const char *scale_override, int nc_override,
                              gy_config **out, gy_error *err);
/* Parses YAML text. display_name names the source in messages and is used for the file-name
 * scale guess (pass e.g. "yolov8n.yaml", or "<weights metadata>"). */
gy_status gy_config_load_string(const char *text, size_t len, const char *display_name,
                                const char *scale_override, int nc_override, gy_config **out,
                                gy_error *err);
void gy_config_free(gy_config *cfg);

/* ultralytics' guess_model_scale: the letter after r'yolov\d+' in the file stem (n/s/m/l/x),
 * case-sensitive; writes "" when there is none. */
void gy_guess_scale(const char *path, char *out, size_t outsize);

/* ultralytics' unified config name, on the file name only: "dir/yolov8n.yaml" -> "dir/yolov8.yaml"
 * (the first digits followed by n/s/m/l/x lose that letter). Writes it to out and returns 1, or
 * returns 0 when the rule does not apply (or out is too small). */
int gy_config_unified_path(const char *path, char *out, size_t size);

/* Scaled repeats: max(round(n * depth), 1) when n > 1, else n (ultralytics). */
int gy_config_repeats(const gy_config *cfg, int n);
/* Scaled channels: make_divisible(min(c, max_channels) * width, 8) = ceil(x / 8) * 8. */
int gy_config_channels(const gy_config *cfg, int c);

/* A row's `from` as ultralytics prints it: a bare int ("-1") or a list ("[-1, 6]"). */
void gy_row_format_from(const gy_row *row, char *buf, size_t bufsize);

/* Arguments as ultralytics prints them: True/False, None, 'nearest', 1.5, ... into buf, cut to
 * bufsize and terminated; a NULL `a` gives "". With no buf or a bufsize of 0 nothing is written. */
void gy_arg_format(const gy_arg *a, char *buf, size_t bufsize);

#endif

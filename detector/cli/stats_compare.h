/* stats_compare.h - the comparison part of `ghostyolo stats` (stats_compare.c): the table of
 * several models, the --zoo model list and the --plot chart of measured milliseconds against
 * GFLOPs. */
#ifndef GY_CLI_STATS_COMPARE_H
#define GY_CLI_STATS_COMPARE_H

#include <cjson/cJSON.h>

#include "detector/cli/cli.h"

#define CLI_STATS_MAX_THREADS 2 /* thread counts timed per model: 1 and all cores */

/* One model of the comparison. */
typedef struct cli_stats_entry {
    gy_stats *s;       /* the report; owned by the caller */
    char scale[64];    /* as printed (cli_scale_text) */
    int reference;     /* --zoo: one of the reference models, not a zoo backbone */
    double gflops_640; /* fused GFLOPs counted directly at the input size (the rows' sum) */
    double ms[CLI_STATS_MAX_THREADS]; /* median forward ms at each timed thread count, or -1 */
} cli_stats_entry;

/* The comparison's timed thread counts. */
typedef struct cli_stats_threads {
    int n;                            /* 0: not measured */
    int count[CLI_STATS_MAX_THREADS]; /* 1, then all cores (or --threads) when that is more */
} cli_stats_threads;

/* --zoo: the ten configs of configs/zoo, then the references (YOLOv8n, YOLOv8s, the three Ghost
 * C2f variants). Appends to l; scale_of[i] / reference_of[i] get each added model's scale (NULL:
 * from its name) and role. `scale` is the --scale given, or NULL for n. 0 or an exit code. */
#define CLI_ZOO_MODELS 15
int cli_stats_zoo_list(cli_model_list *l, const char *scale, const char **scale_of,
                       int *reference_of);

/* The comparison table (Markdown): ultralytics' layers, parameters and GFLOPs (fused unless
 * unfused), with zoo set the GFLOPs counted at the input size beside them, the checkpoint size,
 * and the measured ms per thread count with ms per GFLOP. */
void cli_stats_print_table(const cli_stats_entry *e, int n, int fused, int zoo,
                           const cli_stats_threads *t);
/* One entry's comparison numbers added to its model's JSON object o (several models or --zoo):
 * gflops_640, with zoo set reference, and when timed timings [{threads, ms, ms_per_gflop}]. */
void cli_stats_entry_json(const cli_stats_entry *e, const cli_stats_threads *t, int zoo, cJSON *o);

/* The chart of measured ms at t->count[0] threads against gflops_640, one labelled point per
 * model (references in their own colour), a line of YOLOv8n's ms per GFLOP when it is among
 * them; written to path (PNG). */
gy_status cli_stats_plot(const cli_stats_entry *e, int n, const cli_stats_threads *t,
                         const char *path, gy_error *err);

#endif

/* ghostyolo stats: per model the ultralytics build table extended with output shapes, GFLOPs,
 * activation memory (and measured milliseconds), the summaries unfused and fused, the checkpoint
 * size estimate; with several models a comparison table in the published layout (stats_compare.c,
 * which also holds --zoo and --plot). */
#include <cjson/cJSON.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detector/cli/cli.h"
#include "detector/cli/stats_compare.h"
#include "postprocess/plot_canvas.h"

/* The row's output: Detect's is the head's (1, 4 + nc, anchors), not a feature map. */
static int is_head(const gy_stats_row *r)
{
    const char *dot = strrchr(r->info.module, '.');
    return strcmp(dot ? dot + 1 : r->info.module, "Detect") == 0;
}

static void print_text(const gy_stats *s, const char *scale, int measured)
{
    char name[256];
    cli_display_name(s->name, name, sizeof name);
    printf("%s: %s, scale '%s' (%s), nc=%d, input %dx%d\n\n", name, s->config, scale,
           s->scale_source, s->nc, s->imgsz, s->imgsz);
    cli_print_build_head();
    printf(" %-20s%9s%9s%s\n", "shape", "GFLOPs", "act MiB", measured ? "       ms" : "");
    for (int i = 0; i < s->num_rows; i++) {
        const gy_stats_row *r = &s->rows[i];
        char shape[64];
        if (is_head(r)) /* (1, 84, 8400) */
            snprintf(shape, sizeof shape, "(1, %d, %d)", r->out_c, r->out_h * r->out_w);
        else
            snprintf(shape, sizeof shape, "(1, %d, %d, %d)", r->out_c, r->out_h, r->out_w);
        cli_print_build_row(&r->info);
        printf(" %-20s%9.3f%9.2f", shape, r->gflops_fused, r->act_mib);
        if (measured)
            printf("%9.2f", r->ms);
        printf("\n");
    }
    const char *note = s->gflops_probe_failed ? " (counted at the input size: ultralytics' 32x32 "
                                                "probe cannot run this model and prints none)" : "";
    printf("%s summary: %lld layers, %lld parameters, %lld gradients, %.1f GFLOPs%s\n", name,
           s->unfused.layers, s->unfused.params, s->unfused.gradients, s->unfused.gflops, note);
    printf("%s summary (fused): %lld layers, %lld parameters, %lld gradients, %.1f GFLOPs%s\n", name,
           s->fused.layers, s->fused.params, s->fused.gradients, s->fused.gflops, note);
    printf("checkpoint estimate: %.0f KiB (fp16, %lld state_dict tensors); activation arena %.1f MiB",
           s->kb, s->state_dict_tensors, s->arena_mib);
    if (measured)
        printf("; forward %.2f ms (median)", s->ms);
    printf("\n");
}

/* The weights file's size in KiB (-1 without one) and the model's data type. */
static double file_kib(const char *path)
{
    struct stat sb;
    return path && stat(path, &sb) == 0 ? (double)sb.st_size / 1024.0 : -1.0;
}

static const char *model_dtype(const gy_model *m)
{
    gy_model_info info;
    return gy_model_get_info(m, &info) == GY_OK ? info.dtype : "float32";
}

static cJSON *summary_json(const gy_model_summary *m)
{
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddNumberToObject(o, "layers", (double)m->layers);
        cJSON_AddNumberToObject(o, "params", (double)m->params);
        cJSON_AddNumberToObject(o, "gradients", (double)m->gradients);
        cJSON_AddNumberToObject(o, "gflops", m->gflops);
    }
    return o;
}

static cJSON *model_json(const cli_stats_entry *e, int measured, const cli_stats_threads *t,
                         int zoo, int compare)
{
    const gy_stats *s = e->s;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    char name[256];
    cli_display_name(s->name, name, sizeof name);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "config", s->config);
    cJSON_AddStringToObject(o, "scale", s->scale);
    cJSON_AddStringToObject(o, "scale_source", s->scale_source);
    cJSON_AddNumberToObject(o, "nc", s->nc);
    cJSON_AddNumberToObject(o, "imgsz", s->imgsz);
    cJSON_AddItemToObject(o, "fused", summary_json(&s->fused));
    cJSON_AddItemToObject(o, "unfused", summary_json(&s->unfused));
    cJSON_AddBoolToObject(o, "gflops_probe_failed", s->gflops_probe_failed);
    cJSON_AddNumberToObject(o, "kb", s->kb);
    cJSON_AddNumberToObject(o, "state_dict_tensors", (double)s->state_dict_tensors);
    cJSON_AddNumberToObject(o, "arena_mib", s->arena_mib);
    if (measured)
        cJSON_AddNumberToObject(o, "ms", s->ms);
    if (compare) /* one model's JSON stays the library's report (the Python binding's dict) */
        cli_stats_entry_json(e, t, zoo, o); /* gflops_640, reference, timings */
    cJSON *rows = cJSON_AddArrayToObject(o, "rows");
    for (int i = 0; rows && i < s->num_rows; i++) {
        const gy_stats_row *r = &s->rows[i];
        cJSON *j = cJSON_CreateObject();
        if (!j || !cJSON_AddItemToArray(rows, j)) {
            cJSON_Delete(j);
            break;
        }
        cJSON_AddNumberToObject(j, "i", r->info.index);
        cJSON *from = cJSON_Parse(r->info.from); /* "-1" or "[-1, 6]" are JSON already */
        cJSON_AddItemToObject(j, "from", from ? from : cJSON_CreateString(r->info.from));
        cJSON_AddNumberToObject(j, "n", r->info.n);
        cJSON_AddNumberToObject(j, "params", (double)r->info.params);
        cJSON_AddNumberToObject(j, "params_fused", (double)r->info.params_fused);
        cJSON_AddStringToObject(j, "module", r->info.module);
        cJSON_AddStringToObject(j, "args", r->info.args);
        /* as the library gives it (Detect's: [1, 4 + nc, 1, anchors]); the text shows the
         * head's output shape */
        int shape[4] = {1, r->out_c, r->out_h, r->out_w};
        cJSON_AddItemToObject(j, "shape", cJSON_CreateIntArray(shape, 4));
        cJSON_AddNumberToObject(j, "layers", (double)r->layers);
        cJSON_AddNumberToObject(j, "layers_fused", (double)r->layers_fused);
        cJSON_AddNumberToObject(j, "gflops", r->gflops_fused);
        cJSON_AddNumberToObject(j, "gflops_unfused", r->gflops);
        cJSON_AddNumberToObject(j, "act_mib", r->act_mib);
        if (measured)
            cJSON_AddNumberToObject(j, "ms", r->ms);
    }
    return o;
}

/* With no config: the published table - YOLOv8s and its three Ghost variants, nc=1 - from
 * ./configs, else the installed configs. yolov8s.yaml is not a file: as in ultralytics it resolves
 * to yolov8.yaml at scale s, so the check looks for yolov8.yaml. */
static const char *const table_configs[4] = {
    "yolov8s.yaml", "YOLOv8_C2f_GhostBottleneckV2s.yaml", "YOLOv8_C2f_GhostBottlenecks.yaml",
    "YOLOv8_C2f_g_ghostBottlenecks.yaml"};

static int default_configs(cli_list *configs, char paths[4][1200])
{
    const char *shipped = cli_configs_dir();
    const char *dirs[2] = {"configs", shipped ? shipped : "configs"};
    for (int d = 0; d < 2; d++) {
        int found = 1;
        for (int k = 0; k < 4 && found; k++) {
            snprintf(paths[k], 1200, "%s/%s", dirs[d], k ? table_configs[k] : "yolov8.yaml");
            FILE *f = fopen(paths[k], "r");
            if (k == 0)
                snprintf(paths[k], 1200, "%s/%s", dirs[d], table_configs[k]);
            found = f != NULL;
            if (f)
                fclose(f);
        }
        if (!found)
            continue;
        const char **items = malloc(sizeof *items * 4);
        if (!items)
            return EXIT_SOFTWARE;
        for (int k = 0; k < 4; k++)
            items[k] = paths[k];
        configs->items = items;
        configs->count = 4;
        return 0;
    }
    fprintf(stderr, "ghostyolo stats: no config given and the table configs (%s, ...) are neither in "
                    "./configs nor in %s\n", table_configs[0],
            shipped ? shipped : "a configs folder beside the executable");
    return EXIT_NOINPUT;
}

/* The comparison's thread counts: 1, then --threads or all cores when that is more. */
static cli_stats_threads timed_threads(int measure, int threads)
{
    cli_stats_threads t = {0, {0, 0}};
    if (!measure)
        return t;
    int most = threads ? threads : omp_get_num_procs();
    t.count[t.n++] = 1;
    if (most > 1)
        t.count[t.n++] = most;
    return t;
}

/* Model k's comparison numbers: the GFLOPs at the input size and, measured, the median forward ms
 * at each thread count (all[k] was timed at the last one). */
static gy_status compare_entry(const gy_model *m, gy_stats *s, const gy_stats_params *sp,
                               const cli_stats_threads *t, cli_stats_entry *e, gy_error *err)
{
    e->s = s;
    e->gflops_640 = 0.0;
    for (int r = 0; r < s->num_rows; r++)
        e->gflops_640 += s->rows[r].gflops_fused;
    for (int k = 0; k < CLI_STATS_MAX_THREADS; k++)
        e->ms[k] = -1.0;
    for (int k = 0; k < t->n; k++) {
        if (k == t->n - 1) {
            e->ms[k] = s->ms;
            continue;
        }
        gy_stats_params p = *sp;
        p.num_threads = t->count[k];
        gy_stats *other = NULL;
        gy_status st = gy_model_stats(m, &p, &other, err);
        if (st != GY_OK)
            return st;
        e->ms[k] = other->ms;
        gy_stats_free(other);
    }
    return GY_OK;
}

int cmd_stats(int argc, char **argv)
{
    const char *scale = NULL, *plot = NULL;
    int nc = 0, json = 0, measure = 0, unfused = 0, threads = 0, zoo = 0;
    gy_stats_params sp = gy_stats_default_params();
    cli_list configs = {0}, weights = {0}; /* -m CONFIG and bare paths alike */
    const cli_opt opts[] = {
        {"-m", "--model", CLI_LIST, &configs, "CONFIG", "model YAML (repeatable)", 0, 0},
        {"-w", "--weights", CLI_LIST, &weights, "WEIGHTS",
         "weights; alone, the YAML in their metadata (repeatable)", 0, 0},
        {NULL, "--zoo", CLI_FLAG, &zoo, NULL,
         "the ten backbone-zoo configs (configs/zoo, scale n unless --scale, nc 80 unless --nc) "
         "and their references (YOLOv8n/s, the three Ghost C2f variants): the comparison table "
         "only", 0, 0},
        {NULL, "--scale", CLI_STRING, &scale, "X", "scale key (n, s, m, l, x)", 0, 0},
        {NULL, "--nc", CLI_INT, &nc, "N", "class count (0 = the YAML's; 1 for the default table)",
         0, 100000},
        {NULL, "--imgsz", CLI_INT, &sp.imgsz, "N", "square input size, a multiple of 32", 32, GY_IMGSZ_MAX},
        {NULL, "--json", CLI_FLAG, &json, NULL, "the report as JSON on stdout", 0, 0},
        {NULL, "--measure", CLI_FLAG, &measure, NULL,
         "run the model and time each row (synthetic weights without -w); the comparison times "
         "each model at 1 thread and at --threads", 0, 0},
        {NULL, "--runs", CLI_INT, &sp.runs, "N", "timed runs with --measure (median)", 1, 10000},
        {NULL, "--plot", CLI_STRING, &plot, "FILE.png",
         "a chart of measured ms (1 thread) against GFLOPs, one labelled point per model "
         "(implies --measure)", 0, 0},
        {NULL, "--unfused", CLI_FLAG, &unfused, NULL, "comparison table of unfused models", 0, 0},
        {"-t", "--threads", CLI_INT, &threads, "N", "threads with --measure (0 = all cores)", 0,
         1024},
    };
    const cli_verb verb = {
        "stats", "[-m CONFIG | -w WEIGHTS | MODEL... | --zoo] [options]",
        "Per row and per model: layers, parameters, GFLOPs, output shapes, activation memory,\n"
        "checkpoint size (and measured times); with several models a comparison table. A MODEL is a\n"
        "config YAML or weights (-w, or a positional .safetensors: the YAML in their metadata).\n"
        "Without one: the published table (YOLOv8s and its Ghost variants, nc=1).",
        opts, (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &configs);
    if (rc) {
        free(configs.items);
        free(weights.items);
        return rc == CLI_HELP ? EXIT_OK : rc;
    }
    if (plot)
        measure = 1;
    char defaults[4][1200];
    if (configs.count == 0 && weights.count == 0 && !zoo) {
        rc = default_configs(&configs, defaults);
        if (!nc)
            nc = 1; /* the published table was trained on one class */
    }
    if (zoo && !nc)
        nc = 80; /* the Ghost C2f YAMLs say 1: every model of the comparison with COCO's 80 */
    if (!rc && sp.imgsz % 32) {
        char v[16];
        snprintf(v, sizeof v, "%d", sp.imgsz);
        cli_bad_value(&verb, "--imgsz", v, "must be a multiple of 32");
        rc = EXIT_USAGE;
    }
    cli_model_list list = {NULL, 0};
    if (!rc && (configs.count || weights.count))
        rc = cli_model_list_make(&configs, &weights, &list);
    int given = list.count, count = given + (zoo ? CLI_ZOO_MODELS : 0);
    const char **scale_of = calloc((size_t)count + 1, sizeof *scale_of);
    int *reference_of = calloc((size_t)count + 1, sizeof *reference_of);
    if (!rc && (!scale_of || !reference_of))
        rc = EXIT_SOFTWARE;
    for (int k = 0; !rc && k < given; k++)
        scale_of[k] = scale;
    if (!rc && zoo)
        rc = cli_stats_zoo_list(&list, scale, scale_of + given, reference_of + given);
    cli_stats_threads t = timed_threads(measure, threads);
    sp.measure = measure;
    /* the row timings at --threads; a comparison also times the models at 1 thread */
    sp.num_threads = t.n ? t.count[t.n - 1] : threads;
    gy_model **models = calloc((size_t)count + 1, sizeof *models);
    gy_stats **all = calloc((size_t)count + 1, sizeof *all);
    cli_stats_entry *entries = calloc((size_t)count + 1, sizeof *entries);
    if (!rc && (!models || !all || !entries)) {
        fprintf(stderr, "ghostyolo stats: out of memory\n");
        rc = EXIT_SOFTWARE;
    }
    int compare = count > 1 || plot;
    for (int k = 0; k < count && !rc; k++) {
        gy_model_params mp = gy_model_default_params();
        mp.scale = scale_of[k];
        mp.nc = nc;
        mp.log = cli_log;
        mp.synthetic_weights = measure && !list.items[k].weights;
        gy_error err;
        char buf[CLI_PATH_MAX];
        const char *cfg = list.items[k].config;
        if (cfg)
            cfg = cli_find_config(cfg, buf, sizeof buf);
        gy_status st = gy_model_load(cfg, list.items[k].weights, &mp, &models[k], &err);
        if (st == GY_OK) {
            gy_model_info info;
            gy_model_get_info(models[k], &info);
            cli_scale_text(&info, entries[k].scale, sizeof entries[k].scale);
            entries[k].reference = reference_of[k];
            st = gy_model_stats(models[k], &sp, &all[k], &err);
        }
        if (st == GY_OK)
            st = compare_entry(models[k], all[k], &sp, compare ? &t : &(cli_stats_threads){0},
                               &entries[k], &err);
        if (st != GY_OK) {
            cli_error(&err);
            rc = cli_exit_for(st);
        }
    }
    if (!rc && json) {
        cJSON *root = cJSON_CreateObject();
        cJSON *arr = root ? cJSON_AddArrayToObject(root, "models") : NULL;
        for (int k = 0; arr && k < count; k++) {
            cJSON *mo = model_json(&entries[k], measure, compare ? &t : &(cli_stats_threads){0},
                                   zoo, compare);
            if (mo && list.items[k].weights) {
                cJSON_AddStringToObject(mo, "dtype", model_dtype(models[k]));
                cJSON_AddNumberToObject(mo, "weights_file_kib", file_kib(list.items[k].weights));
            }
            cJSON_AddItemToArray(arr, mo);
        }
        char *text = arr ? cJSON_Print(root) : NULL;
        cJSON_Delete(root);
        if (!text) {
            fprintf(stderr, "ghostyolo stats: out of memory writing JSON\n");
            rc = EXIT_SOFTWARE;
        } else {
            if (printf("%s\n", text) < 0)
                rc = EXIT_CANTCREAT;
            free(text);
        }
    } else if (!rc) {
        for (int k = 0; k < count && !zoo; k++) {
            print_text(all[k], entries[k].scale, measure);
            if (list.items[k].weights)
                printf("weights file: %.0f KiB, %s (%s)\n", file_kib(list.items[k].weights),
                       model_dtype(models[k]), list.items[k].weights);
            if (k + 1 < count)
                printf("\n");
        }
        if (count > 1)
            cli_stats_print_table(entries, count, !unfused, zoo, &t);
    }
    if (!rc && plot) {
        gy_error err;
        gy_status st = cli_stats_plot(entries, count, &t, plot, &err);
        gy_canvas_release_fonts(); /* the command ends: Cairo's font caches go with it */
        if (st != GY_OK) {
            cli_error(&err);
            rc = st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_CANTCREAT;
        }
    }
    if (!rc && fflush(stdout) != 0)
        rc = EXIT_CANTCREAT;
    for (int k = 0; k < count; k++) {
        if (all)
            gy_stats_free(all[k]);
        if (models)
            gy_model_free(models[k]);
    }
    free(all);
    free(entries);
    free(scale_of);
    free(reference_of);
    free(models);
    free(list.items);
    free(configs.items);
    free(weights.items);
    return rc;
}

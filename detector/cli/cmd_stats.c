/* ghostyolo stats: per model the ultralytics build table extended with output shapes, GFLOPs,
 * activation memory (and measured milliseconds), the summaries unfused and fused, the checkpoint
 * size estimate; with several models a comparison table in the published layout. */
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detector/cli/cli.h"

/* The row's output: Detect's is the head's (1, 4 + nc, anchors), not a feature map. */
static int is_head(const gy_stats_row *r)
{
    const char *dot = strrchr(r->info.module, '.');
    return strcmp(dot ? dot + 1 : r->info.module, "Detect") == 0;
}

/* The scale as printed (cli_scale_text) of a model. */
typedef char scale_text[64];

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

static void print_table(gy_stats **all, const scale_text *scales, int n, int fused, int measured)
{
    printf("\n| model | scale | layers | parameters | GFLOPs | kb |%s\n", measured ? " ms |" : "");
    printf("|---|---|---|---|---|---|%s\n", measured ? "---|" : "");
    for (int k = 0; k < n; k++) {
        const gy_stats *s = all[k];
        const gy_model_summary *m = fused ? &s->fused : &s->unfused;
        char name[256];
        cli_display_name(s->name, name, sizeof name);
        printf("| %s | %s | %lld | %lld | %.1f | %.0f |", name, scales[k], m->layers, m->params,
               m->gflops, s->kb);
        if (measured)
            printf(" %.1f |", s->ms);
        printf("\n");
    }
    printf("\n%s models, nc=%d, %dx%d input; scale as resolved per model (see above)%s\n",
           fused ? "fused" : "unfused", all[0]->nc, all[0]->imgsz, all[0]->imgsz,
           measured ? "; ms = measured median forward time on this machine" : "");
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

static cJSON *model_json(const gy_stats *s, int measured)
{
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

int cmd_stats(int argc, char **argv)
{
    const char *scale = NULL;
    int nc = 0, json = 0, measure = 0, unfused = 0, threads = 0;
    gy_stats_params sp = gy_stats_default_params();
    cli_list configs = {0}, weights = {0}; /* -m CONFIG and bare paths alike */
    const cli_opt opts[] = {
        {"-m", "--model", CLI_LIST, &configs, "CONFIG", "model YAML (repeatable)", 0, 0},
        {"-w", "--weights", CLI_LIST, &weights, "WEIGHTS",
         "weights; alone, the YAML in their metadata (repeatable)", 0, 0},
        {NULL, "--scale", CLI_STRING, &scale, "X", "scale key (n, s, m, l, x)", 0, 0},
        {NULL, "--nc", CLI_INT, &nc, "N", "class count (0 = the YAML's; 1 for the default table)",
         0, 100000},
        {NULL, "--imgsz", CLI_INT, &sp.imgsz, "N", "square input size, a multiple of 32", 32, GY_IMGSZ_MAX},
        {NULL, "--json", CLI_FLAG, &json, NULL, "the report as JSON on stdout", 0, 0},
        {NULL, "--measure", CLI_FLAG, &measure, NULL,
         "run the model and time each row (synthetic weights without -w)", 0, 0},
        {NULL, "--runs", CLI_INT, &sp.runs, "N", "timed runs with --measure (median)", 1, 10000},
        {NULL, "--unfused", CLI_FLAG, &unfused, NULL, "comparison table of unfused models", 0, 0},
        {"-t", "--threads", CLI_INT, &threads, "N", "threads with --measure (0 = all cores)", 0,
         1024},
    };
    const cli_verb verb = {
        "stats", "[-m CONFIG | -w WEIGHTS | MODEL...] [options]",
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
    char defaults[4][1200];
    if (configs.count == 0 && weights.count == 0) {
        rc = default_configs(&configs, defaults);
        if (!nc)
            nc = 1; /* the published table was trained on one class */
    }
    if (!rc && sp.imgsz % 32) {
        char v[16];
        snprintf(v, sizeof v, "%d", sp.imgsz);
        cli_bad_value(&verb, "--imgsz", v, "must be a multiple of 32");
        rc = EXIT_USAGE;
    }
    cli_model_list list = {NULL, 0};
    if (!rc)
        rc = cli_model_list_make(&configs, &weights, &list);
    sp.measure = measure;
    sp.num_threads = threads;
    int count = list.count;
    gy_model **models = calloc((size_t)count + 1, sizeof *models);
    gy_stats **all = calloc((size_t)count + 1, sizeof *all);
    scale_text *scales = calloc((size_t)count + 1, sizeof *scales);
    if (!rc && (!models || !all || !scales)) {
        fprintf(stderr, "ghostyolo stats: out of memory\n");
        rc = EXIT_SOFTWARE;
    }
    for (int k = 0; k < count && !rc; k++) {
        gy_model_params mp = gy_model_default_params();
        mp.scale = scale;
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
            cli_scale_text(&info, scales[k], sizeof scales[k]);
            st = gy_model_stats(models[k], &sp, &all[k], &err);
        }
        if (st != GY_OK) {
            cli_error(&err);
            rc = cli_exit_for(st);
        }
    }
    if (!rc && json) {
        cJSON *root = cJSON_CreateObject();
        cJSON *arr = root ? cJSON_AddArrayToObject(root, "models") : NULL;
        for (int k = 0; arr && k < count; k++) {
            cJSON *mo = model_json(all[k], measure);
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
        for (int k = 0; k < count; k++) {
            print_text(all[k], scales[k], measure);
            if (list.items[k].weights)
                printf("weights file: %.0f KiB, %s (%s)\n", file_kib(list.items[k].weights),
                       model_dtype(models[k]), list.items[k].weights);
            if (k + 1 < count)
                printf("\n");
        }
        if (count > 1)
            print_table(all, scales, count, !unfused, measure);
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
    free(scales);
    free(models);
    free(list.items);
    free(configs.items);
    free(weights.items);
    return rc;
}

/* ghostyolo info: ultralytics' build table (parse_model printout) and model summaries, of configs
 * or of weights alone (the YAML stored in their metadata). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "detector/cli/cli.h"

static void summary_line(const char *name, const char *tag, const gy_model_summary *s, int imgsz)
{
    printf("%s summary%s: %lld layers, %lld parameters, %lld gradients, %.1f GFLOPs (at %dx%d)\n",
           name, tag, s->layers, s->params, s->gradients, s->gflops, imgsz, imgsz);
}

static const char info_about[] =
    "Prints the ultralytics build table and the model summary (unfused and fused) of each MODEL:\n"
    "a config YAML (-m, or a bare name such as yolov8n.yaml found among the shipped configs) or a\n"
    "weights file (-w, or a positional .safetensors), which uses the YAML stored in its metadata.";

int cmd_info(int argc, char **argv)
{
    const char *scale = NULL;
    int nc = 0, imgsz = 640;
    cli_list configs = {0}, weights = {0}; /* -m CONFIG and bare paths alike */
    const cli_opt opts[] = {
        {"-m", "--model", CLI_LIST, &configs, "CONFIG", "model YAML (repeatable)", 0, 0},
        {"-w", "--weights", CLI_LIST, &weights, "WEIGHTS",
         "weights; alone, the YAML in their metadata (repeatable)", 0, 0},
        {NULL, "--scale", CLI_STRING, &scale, "X", "scale key (n, s, m, l, x)", 0, 0},
        {NULL, "--nc", CLI_INT, &nc, "N", "class count (0 = the YAML's)", 0, 100000},
        {NULL, "--imgsz", CLI_INT, &imgsz, "N", "input size for GFLOPs, a multiple of 32", 32, GY_IMGSZ_MAX},
    };
    const cli_verb verb = {"info", "[-m CONFIG | -w WEIGHTS | MODEL...] [options]", info_about,
                           opts, (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &configs);
    cli_model_list models = {NULL, 0};
    if (!rc && imgsz % 32) {
        char v[16];
        snprintf(v, sizeof v, "%d", imgsz);
        cli_bad_value(&verb, "--imgsz", v, "must be a multiple of 32");
        rc = EXIT_USAGE;
    }
    if (!rc)
        rc = cli_model_list_make(&configs, &weights, &models);
    if (!rc && models.count == 0) {
        fprintf(stderr, "ghostyolo info: needs -m CONFIG or -w WEIGHTS (see 'ghostyolo info --help')\n");
        rc = EXIT_USAGE;
    }
    for (int k = 0; k < models.count && !rc; k++) {
        gy_model_params mp = gy_model_default_params();
        mp.scale = scale;
        mp.nc = nc;
        mp.log = cli_log;
        gy_model *model;
        gy_error err;
        char buf[CLI_PATH_MAX];
        const char *cfg = models.items[k].config;
        if (cfg)
            cfg = cli_find_config(cfg, buf, sizeof buf);
        gy_status st = gy_model_load(cfg, models.items[k].weights, &mp, &model, &err);
        if (st != GY_OK) {
            cli_error(&err);
            rc = cli_exit_for(st);
            break;
        }
        gy_model_info info;
        gy_model_get_info(model, &info);
        char name[256], scale_text[64];
        cli_display_name(info.name, name, sizeof name);
        cli_scale_text(&info, scale_text, sizeof scale_text);
        printf("%s: %s, scale '%s' (%s), nc=%d\n\n", name, info.config_path, scale_text,
               info.scale_source, info.nc);
        cli_print_build_head();
        printf("\n");
        for (int i = 0; i < info.num_rows; i++) {
            gy_row_info r;
            gy_model_get_row(model, i, &r);
            cli_print_build_row(&r);
            printf("\n");
        }
        gy_model_summary su, sf;
        if ((st = gy_model_get_summary(model, 0, imgsz, &su, &err)) != GY_OK ||
            (st = gy_model_get_summary(model, 1, imgsz, &sf, &err)) != GY_OK) {
            cli_error(&err);
            rc = cli_exit_for(st);
        } else {
            summary_line(name, "", &su, imgsz);
            summary_line(name, " (fused)", &sf, imgsz);
        }
        if (k + 1 < models.count)
            printf("\n");
        gy_model_free(model);
    }
    free(models.items);
    free(configs.items);
    free(weights.items);
    return rc == CLI_HELP ? EXIT_OK : rc;
}

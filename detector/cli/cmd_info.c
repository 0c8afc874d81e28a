/* ghostyolo info: ultralytics' build table (parse_model printout) and model summaries. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static void summary_line(const char *name, const char *tag, const gy_model_summary *s, int imgsz)
{
    printf("%s summary%s: %lld layers, %lld parameters, %lld gradients, %.1f GFLOPs (at %dx%d)\n",
           name, tag, s->layers, s->params, s->gradients, s->gflops, imgsz, imgsz);
}

int cmd_info(int argc, char **argv)
{
    const char *scale = NULL, *weights = NULL;
    int nc = 0, imgsz = 640;
    cli_list configs = {0}; /* -m CONFIG and bare config paths alike */
    cli_opt opts[] = {
        {"-m", "--model", CLI_LIST, &configs},
        {"-w", "--weights", CLI_STRING, &weights},
        {NULL, "--scale", CLI_STRING, &scale},
        {NULL, "--nc", CLI_INT, &nc},
        {NULL, "--imgsz", CLI_INT, &imgsz},
    };
    int rc = cli_parse("info", argc, argv, 2, opts, sizeof opts / sizeof opts[0], &configs);
    if (!rc && ((configs.count == 0 && !weights) || (weights && configs.count > 1) ||
                imgsz <= 0 || imgsz % 32 || nc < 0)) {
        fprintf(stderr, "ghostyolo info: needs -m CONFIG... or -w WEIGHTS [-m CONFIG] (and --imgsz "
                        "a positive multiple of 32, --nc >= 1)\n");
        rc = EXIT_USAGE;
    }
    /* -w alone: the config stored in the weights (a .pt checkpoint's model yaml) */
    int nmodels = configs.count ? configs.count : 1;
    for (int k = 0; k < nmodels && !rc; k++) {
        gy_model_params mp = gy_model_default_params();
        mp.scale = scale;
        mp.nc = nc;
        mp.log = cli_log;
        gy_model *model;
        gy_error err;
        gy_status st = gy_model_load(configs.count ? configs.items[k] : NULL, weights, &mp,
                                     &model, &err);
        if (st != GY_OK) {
            cli_error(&err);
            rc = cli_exit_for(st);
            break;
        }
        gy_model_info info;
        gy_model_get_info(model, &info);
        printf("%s: %s, scale '%s' (%s), nc=%d\n\n", info.name, info.config_path, info.scale,
               info.scale_source, info.nc);
        printf("%3s%20s%3s%10s  %-45s%-30s\n", "", "from", "n", "params", "module", "arguments");
        for (int i = 0; i < info.num_rows; i++) {
            gy_row_info r;
            gy_model_get_row(model, i, &r);
            printf("%3d%20s%3d%10lld  %-45s%-30s\n", r.index, r.from, r.n, r.params, r.module, r.args);
        }
        gy_model_summary su, sf;
        if ((st = gy_model_get_summary(model, 0, imgsz, &su, &err)) != GY_OK ||
            (st = gy_model_get_summary(model, 1, imgsz, &sf, &err)) != GY_OK) {
            cli_error(&err);
            rc = cli_exit_for(st);
        } else {
            summary_line(info.name, "", &su, imgsz);
            summary_line(info.name, " (fused)", &sf, imgsz);
        }
        if (k + 1 < nmodels)
            printf("\n");
        gy_model_free(model);
    }
    free(configs.items);
    return rc;
}

/* stats_compare.c - the comparison of several models in `ghostyolo stats`: the Markdown table,
 * the --zoo list (the backbone zoo and its references) and the --plot chart of measured time
 * against GFLOPs. FLOPs are not speed (ShuffleNet V2's lesson): the table gives both, and
 * milliseconds per GFLOP, side by side. */
#include "detector/cli/stats_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "postprocess/plot_chart.h"

/* configs/zoo, in the order: the GhostNet family, HS-ResNet, then the networks they are
 * measured against */
static const char *const zoo_configs[10] = {
    "yolov8-ghostnet.yaml", "yolov8-ghostnetv2.yaml", "yolov8-g-ghostnet.yaml",
    "yolov8-hsnet.yaml", "yolov8-shufflenetv1.yaml", "yolov8-shufflenetv2.yaml",
    "yolov8-mobilenetv2.yaml", "yolov8-mobilenetv3.yaml", "yolov8-mobilenetv3-small.yaml",
    "yolov8-squeezenet.yaml"};
/* the references: plain YOLOv8 (scale from the name) and the three Ghost C2f variants */
static const char *const ref_configs[5] = {
    "yolov8n.yaml", "yolov8s.yaml", "YOLOv8_C2f_GhostBottlenecks.yaml",
    "YOLOv8_C2f_GhostBottleneckV2s.yaml", "YOLOv8_C2f_g_ghostBottlenecks.yaml"};

int cli_stats_zoo_list(cli_model_list *l, const char *scale, const char **scale_of,
                       int *reference_of)
{
    for (int i = 0; i < CLI_ZOO_MODELS; i++) {
        int ref = i >= 10;
        const char *cfg = ref ? ref_configs[i - 10] : zoo_configs[i];
        if (cli_model_list_add(l, cfg, NULL))
            return EXIT_SOFTWARE;
        /* yolov8n / yolov8s take the scale of their names; the others --scale, else n (the
         * first scale, which ultralytics would take with a warning) */
        scale_of[l->count - 1] = ref && i < 12 ? NULL : scale ? scale : "n";
        reference_of[l->count - 1] = ref;
    }
    return 0;
}

static double per_gflop(const cli_stats_entry *e, int k)
{
    return e->ms[k] >= 0 && e->gflops_640 > 0 ? e->ms[k] / e->gflops_640 : -1.0;
}

void cli_stats_print_table(const cli_stats_entry *e, int n, int fused, int zoo,
                           const cli_stats_threads *t)
{
    printf("\n| model | scale | layers | parameters | GFLOPs |%s kb |", zoo ? " GFLOPs 640 |" : "");
    for (int k = 0; k < t->n; k++)
        printf(" ms %dT |", t->count[k]);
    for (int k = 0; k < t->n; k++)
        printf(" ms/GFLOP %dT |", t->count[k]);
    printf("\n|---|---|---|---|---|%s---|", zoo ? "---|" : "");
    for (int k = 0; k < 2 * t->n; k++)
        printf("---|");
    printf("\n");
    int refs = 0;
    for (int i = 0; i < n; i++) {
        const gy_stats *s = e[i].s;
        const gy_model_summary *m = fused ? &s->fused : &s->unfused;
        char name[256];
        cli_display_name(s->name, name, sizeof name);
        refs += e[i].reference;
        printf("| %s%s | %s | %lld | %lld | ", name, e[i].reference ? " (ref)" : "", e[i].scale,
               m->layers, m->params);
        if (s->gflops_probe_failed) /* ultralytics prints no GFLOPs: the direct count */
            printf("(%.1f) |", m->gflops);
        else
            printf("%.1f |", m->gflops);
        if (zoo)
            printf(" %.1f |", e[i].gflops_640);
        printf(" %.0f |", s->kb);
        for (int k = 0; k < t->n; k++)
            printf(" %.1f |", e[i].ms[k]);
        for (int k = 0; k < t->n; k++)
            printf(" %.2f |", per_gflop(&e[i], k));
        printf("\n");
    }
    printf("\n%s models, nc=%d, %dx%d input; scale as resolved per model%s\n",
           fused ? "fused" : "unfused", e[0].s->nc, e[0].s->imgsz, e[0].s->imgsz,
           zoo ? "" : " (see above)");
    printf("GFLOPs: ultralytics' number (thop on a 32x32 input, times (imgsz / 32)^2; in "
           "brackets where that probe cannot run the model and the count at the input size "
           "stands in)%s\n",
           zoo ? "; GFLOPs 640: thop counted directly at the input size (fused), exact for "
                 "squeeze-and-excite and global pools, which the probe counts (imgsz / 32)^2 times"
               : "");
    if (t->n)
        printf("ms: median forward time on this machine at 1 thread and at %d (synthetic weights "
               "unless given); ms/GFLOP: ms over the GFLOPs counted at the input size\n",
               t->n > 1 ? t->count[1] : 1);
    if (refs)
        printf("(ref): a reference, not a zoo backbone: plain YOLOv8 and the Ghost C2f variants\n");
}

void cli_stats_entry_json(const cli_stats_entry *e, const cli_stats_threads *t, int zoo, cJSON *o)
{
    if (zoo)
        cJSON_AddBoolToObject(o, "reference", e->reference);
    cJSON_AddNumberToObject(o, "gflops_640", e->gflops_640);
    cJSON *arr = t->n ? cJSON_AddArrayToObject(o, "timings") : NULL;
    for (int k = 0; arr && k < t->n; k++) {
        cJSON *j = cJSON_CreateObject();
        if (!j || !cJSON_AddItemToArray(arr, j)) {
            cJSON_Delete(j);
            break;
        }
        cJSON_AddNumberToObject(j, "threads", t->count[k]);
        cJSON_AddNumberToObject(j, "ms", e->ms[k]);
        cJSON_AddNumberToObject(j, "ms_per_gflop", per_gflop(e, k));
    }
}

/* A point's label: the display name without a leading "YOLOv8-", "YOLOv8n-" (any scale letter)
 * or "YOLOv8_" (the zoo's and the Ghost variants' common prefix). */
static void short_name(const gy_stats *s, char *buf, size_t size)
{
    char name[256];
    cli_display_name(s->name, name, sizeof name);
    const char *p = name;
    if (!strncmp(p, "YOLOv8", 6)) {
        const char *q = p + 6;
        if (*q && strchr("nsmlx", *q) && (q[1] == '-' || q[1] == '_'))
            q++;
        if (*q == '-' || *q == '_')
            p = q + 1;
    }
    /* the Ghost C2f variants: C2f-Ghost, C2f-GhostV2, C2f-g_ghost */
    static const char *const ghost[3][2] = {{"C2f_GhostBottlenecks", "C2f-Ghost"},
                                            {"C2f_GhostBottleneckV2s", "C2f-GhostV2"},
                                            {"C2f_g_ghostBottlenecks", "C2f-g_ghost"}};
    for (int i = 0; i < 3; i++)
        if (!strcmp(p, ghost[i][0]))
            p = ghost[i][1];
    snprintf(buf, size, "%s", p);
}

gy_status cli_stats_plot(const cli_stats_entry *e, int n, const cli_stats_threads *t,
                         const char *path, gy_error *err)
{
    double *x = calloc((size_t)n * 2 + 2, sizeof *x), *y = x ? x + n : NULL;
    char (*names)[256] = calloc((size_t)n + 1, sizeof *names);
    const char **labels = calloc((size_t)n + 1, sizeof *labels);
    gy_chart *c = NULL;
    gy_status st = GY_OK;
    if (!x || !names || !labels) {
        st = gy_fail(err, GY_ERR_NOMEM, "%s: out of memory for the chart", path);
        goto done;
    }
    char title[160], ylabel[64];
    snprintf(title, sizeof title, "Forward time against GFLOPs (%dx%d, %d thread%s)",
             e[0].s->imgsz, e[0].s->imgsz, t->count[0], t->count[0] > 1 ? "s" : "");
    snprintf(ylabel, sizeof ylabel, "measured ms (median, %d thread%s)", t->count[0],
             t->count[0] > 1 ? "s" : "");
    if ((st = gy_chart_create(9.0, 6.0, 100.0, &c, err)) != GY_OK ||
        (st = gy_chart_labels(c, title, "GFLOPs (fused, counted at the input size)", ylabel,
                              err)) != GY_OK)
        goto done;
    /* log-log axes: the models span 7 to 60 GFLOPs and 40 to 600 ms, and a constant ms per
     * GFLOP is a straight line; YOLOv8n's drawn as one: points above it spend more time per FLOP
     * than plain YOLOv8n does */
    double rate = -1.0, x0 = INFINITY, x1 = 0.0, y0 = INFINITY, y1 = 0.0;
    int refs = 0;
    for (int i = 0; i < n; i++) {
        refs += e[i].reference;
        char nm[256];
        short_name(e[i].s, nm, sizeof nm);
        if (!strcmp(nm, "YOLOv8n") && e[i].reference)
            rate = per_gflop(&e[i], 0);
        if (e[i].ms[0] > 0 && e[i].gflops_640 > 0) {
            x0 = fmin(x0, e[i].gflops_640);
            x1 = fmax(x1, e[i].gflops_640);
            y0 = fmin(y0, e[i].ms[0]);
            y1 = fmax(y1, e[i].ms[0]);
        }
    }
    gy_chart_log_axes(c, 1, 1);
    if (x1 > 0) /* a margin of 15 % each side (the labels need room) */
        gy_chart_limits(c, x0 / 1.15, x1 * 1.15, y0 / 1.15, y1 * 1.15);
    if (rate > 0 && x1 > 0) {
        double lx[2] = {x0 / 1.15, x1 * 1.15}, ly[2] = {rate * lx[0], rate * lx[1]};
        char leg[96];
        snprintf(leg, sizeof leg, "YOLOv8n's %.2f ms per GFLOP", rate);
        if ((st = gy_chart_line(c, lx, ly, 2, (gy_rgb){0.6, 0.6, 0.6}, 1.0, leg, err)) != GY_OK)
            goto done;
    }
    /* the zoo's points, then the references' */
    for (int pass = 0; pass < 2; pass++) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (e[i].reference != pass || e[i].ms[0] < 0)
                continue;
            x[m] = e[i].gflops_640;
            y[m] = e[i].ms[0];
            short_name(e[i].s, names[m], sizeof names[m]);
            labels[m] = names[m];
            m++;
        }
        if (!m)
            continue;
        gy_rgb col = pass ? (gy_rgb){1.0, 0.498, 0.055} : (gy_rgb){0.122, 0.467, 0.706};
        const char *leg = pass ? "references (YOLOv8, Ghost C2f)" : refs ? "backbone zoo" : NULL;
        if ((st = gy_chart_points(c, x, y, m, col, 7.0, labels, leg, err)) != GY_OK)
            goto done;
    }
    gy_chart_legend(c, GY_LEGEND_INSIDE);
    st = gy_chart_save(c, path, err);
done:
    gy_chart_free(c);
    free(x);
    free(names);
    free(labels);
    return st;
}

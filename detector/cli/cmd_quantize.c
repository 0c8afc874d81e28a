/* ghostyolo quantize: static post-training int8 quantization (gy_quantize) of a float model into
 * an int8 model file that every verb loads like a weights file. Progress on stderr (as val's),
 * the choices and measured errors on stdout. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detector/cli/cli.h"

typedef struct qprogress {
    int tty;
    char phase[32];
    int last_decile;
} qprogress;

static void on_progress(void *user, const char *phase, int done, int total)
{
    qprogress *ps = user;
    if (strcmp(ps->phase, phase) != 0) {
        snprintf(ps->phase, sizeof ps->phase, "%s", phase);
        ps->last_decile = -1;
    }
    const int width = 30;
    if (ps->tty) {
        int fill = total > 0 ? (int)((long long)done * width / total) : width;
        fprintf(stderr, "\r  %s: %3d%% [", phase, total > 0 ? (int)(100LL * done / total) : 100);
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : ' ', stderr);
        fprintf(stderr, "] %d/%d", done, total);
        if (done == total)
            fputc('\n', stderr);
    } else {
        int decile = total > 0 ? (int)(10LL * done / total) : 10;
        if (decile != ps->last_decile || done == total) {
            ps->last_decile = decile;
            fprintf(stderr, "  %s: %d/%d\n", phase, done, total);
        }
    }
    fflush(stderr);
}

static void on_report(void *user, const char *line)
{
    (void)user;
    printf("%s\n", line);
    fflush(stdout);
}

static const char quantize_about[] =
    "Static post-training int8 quantization: calibrates the activations (uint8, a scale and zero\n"
    "point per tensor) on the dataset's images letterboxed as detect does, quantizes the conv\n"
    "weights (BatchNorm folded) to int8 with one scale per output channel, keeps the named and\n"
    "the most sensitive convs in float32 (each conv quantized alone, its error on the Detect\n"
    "output), and writes an int8 model file that every verb loads with -w.";

int cmd_quantize(int argc, char **argv)
{
    const char *config = NULL, *weights = NULL, *output = NULL, *method = "mse";
    gy_quantize_params qp = gy_quantize_default_params();
    float percentile = (float)qp.percentile, budget = (float)qp.float_budget; /* CLI_FLOAT: float */
    cli_list keep = {0}, extra = {0};
    int no_bias = 0;
    const cli_opt opts[] = {
        {"-w", "--weights", CLI_STRING, &weights, "WEIGHTS", "the float model's weights", 0, 0},
        {"-m", "--model", CLI_STRING, &config, "CONFIG",
         "model YAML (default: the one stored in the weights)", 0, 0},
        {NULL, "--data", CLI_STRING, &qp.data, "DATA.yaml", "dataset YAML of the calibration images",
         0, 0},
        {NULL, "--split", CLI_STRING, &qp.split, "SPLIT",
         "the dataset split to calibrate on (default train, else val)", 0, 0},
        {NULL, "--calib-images", CLI_INT, &qp.calib_images, "N", "the split's first N images", 1,
         100000},
        {NULL, "--imgsz", CLI_INT, &qp.imgsz, "N", "letterbox size (long side), a multiple of 32", 32,
         8192},
        {NULL, "--method", CLI_STRING, &method, "M",
         "activation ranges: mse (least squared error), percentile or minmax", 0, 0},
        {NULL, "--percentile", CLI_FLOAT, &percentile, "P", "the percentile of --method percentile",
         50.001, 100},
        {NULL, "--weight-bits", CLI_INT, &qp.weight_bits, "B",
         "7 (AVX2 CPUs without VNNI never split a weight pair; as accurate as 8 on coco128) or 8",
         7, 8},
        {NULL, "--keep-float", CLI_LIST, &keep, "LAYERS",
         "convs kept in float32, comma-separated names (a name covers the convs below it, e.g. "
         "model.22.cv2); repeatable", 0, 0},
        {NULL, "--auto-float", CLI_INT, &qp.auto_float, "N",
         "most sensitive convs kept in float (-1 = the default, 0: int8 is fastest and meets the accuracy on coco128)", -1, 1000},
        {NULL, "--float-budget", CLI_FLOAT, &budget, "F",
         "fraction of the multiply-adds --auto-float may keep in float", 0, 1},
        {NULL, "--sensitivity-images", CLI_INT, &qp.sensitivity_images, "N",
         "images of the sensitivity and of the final error", 1, 10000},
        {NULL, "--no-bias-correction", CLI_FLAG, &no_bias, NULL,
         "keep the biases as they are (default: corrected for the mean quantization error)", 0, 0},
        {"-t", "--threads", CLI_INT, &qp.num_threads, "N", "threads (0 = all cores)", 0, 1024},
        {"-o", "--output", CLI_STRING, &output, "OUT.safetensors", "the int8 model file", 0, 0},
    };
    const cli_verb verb = {"quantize",
                           "-w WEIGHTS [-m CONFIG] --data DATA.yaml [options] -o OUT.safetensors",
                           quantize_about, opts, (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &extra);
    if (rc) {
        free(keep.items);
        free(extra.items);
        return rc == CLI_HELP ? EXIT_OK : rc;
    }
    qp.bias_correction = !no_bias;
    if (percentile != (float)qp.percentile) /* keep the exact defaults when not given */
        qp.percentile = percentile;
    if (budget != (float)qp.float_budget)
        qp.float_budget = budget;
    if (extra.count > 0) {
        fprintf(stderr, "ghostyolo quantize: unexpected argument '%s'\n", extra.items[0]);
        rc = EXIT_USAGE;
    }
    if (!rc && (!weights || !qp.data || !output)) {
        fprintf(stderr, "ghostyolo quantize: needs -w WEIGHTS, --data DATA.yaml and -o OUT\n");
        rc = EXIT_USAGE;
    }
    if (!rc && qp.imgsz % 32) {
        char v[32];
        snprintf(v, sizeof v, "%d", qp.imgsz);
        cli_bad_value(&verb, "--imgsz", v, "must be a multiple of 32");
        rc = EXIT_USAGE;
    }
    if (!rc) {
        if (strcmp(method, "mse") == 0)
            qp.method = GY_QUANT_MSE;
        else if (strcmp(method, "percentile") == 0)
            qp.method = GY_QUANT_PERCENTILE;
        else if (strcmp(method, "minmax") == 0)
            qp.method = GY_QUANT_MINMAX;
        else {
            cli_bad_value(&verb, "--method", method, "must be mse, percentile or minmax");
            rc = EXIT_USAGE;
        }
    }
    /* --keep-float a,b --keep-float c: one list of names */
    char **names = NULL;
    int nnames = 0;
    for (int i = 0; !rc && i < keep.count; i++) {
        char *copy = strdup(keep.items[i]), *save = NULL;
        if (!copy) {
            rc = EXIT_SOFTWARE;
            break;
        }
        for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
            char **nn = realloc(names, sizeof *nn * (size_t)(nnames + 1));
            char *t = strdup(tok);
            if (!nn || !t) {
                free(t);
                if (nn)
                    names = nn;
                rc = EXIT_SOFTWARE;
                break;
            }
            names = nn;
            names[nnames++] = t;
        }
        free(copy);
    }
    if (rc == EXIT_SOFTWARE)
        fprintf(stderr, "ghostyolo quantize: out of memory\n");
    if (!rc) {
        qprogress ps = {isatty(STDERR_FILENO), "", -1};
        qp.keep_float = (const char *const *)names;
        qp.num_keep_float = nnames;
        qp.progress = on_progress;
        qp.report = on_report;
        qp.user = &ps;
        gy_error err;
        gy_status st = gy_quantize(config, weights, &qp, output, &err);
        if (st != GY_OK) {
            if (ps.tty && ps.phase[0])
                fputc('\n', stderr);
            cli_error(&err);
            rc = st == GY_ERR_IO && strstr(err.message, output) ? EXIT_CANTCREAT
                 : st == GY_ERR_ARGUMENT                        ? EXIT_DATAERR
                                                                : cli_exit_for(st);
        } else {
            printf("Saved %s\n", output);
        }
    }
    for (int i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    free(keep.items);
    free(extra.items);
    return rc;
}

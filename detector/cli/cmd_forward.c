/* ghostyolo forward: raw float32 NCHW tensor in, raw Detect output (1, 4+nc, anchors) out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/cli/cli.h"
#include "core/util.h"

static int parse_shape(const char *s, int *h, int *w)
{
    int n, c;
    char tail;
    if (sscanf(s, "%d,%d,%d,%d%c", &n, &c, h, w, &tail) != 4 || n != 1 || c != 3)
        return 0;
    return *h > 0 && *w > 0;
}

int cmd_forward(int argc, char **argv)
{
    const char *config = NULL, *weights = NULL, *input = NULL, *shape = NULL, *output = NULL;
    const char *scale = NULL;
    int nc = 0, threads = 0;
    cli_list pos = {0};
    const cli_opt opts[] = {
        {"-m", "--model", CLI_STRING, &config, "CONFIG",
         "model YAML (default: the one in the weights)", 0, 0},
        {"-w", "--weights", CLI_STRING, &weights, "WEIGHTS", "weights (.safetensors)", 0, 0},
        {"-i", "--input", CLI_STRING, &input, "IN.f32", "float32 NCHW input tensor", 0, 0},
        {NULL, "--shape", CLI_STRING, &shape, "1,3,H,W", "the input's shape", 0, 0},
        {"-o", "--output", CLI_STRING, &output, "OUT.f32", "where the raw output goes", 0, 0},
        {NULL, "--nc", CLI_INT, &nc, "N", "class count (0 = the YAML's)", 0, 100000},
        {NULL, "--scale", CLI_STRING, &scale, "X", "scale key (n, s, m, l, x)", 0, 0},
        {"-t", "--threads", CLI_INT, &threads, "N", "threads (0 = all cores)", 0, 1024},
    };
    const cli_verb verb = {"forward", "-w WEIGHTS --input IN.f32 --shape 1,3,H,W -o OUT.f32 [options]",
                           "Runs the network on a raw tensor and writes the raw head output\n"
                           "(1, 4+nc, anchors) as float32, for parity checks.",
                           opts, (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &pos);
    int npos = pos.count;
    free(pos.items);
    if (rc)
        return rc == CLI_HELP ? EXIT_OK : rc;
    int h, w;
    if (npos || !weights || !input || !shape || !output) {
        fprintf(stderr, "ghostyolo forward: needs -w WEIGHTS --input IN.f32 --shape 1,3,H,W "
                        "-o OUT.f32 [-m CONFIG] and no other arguments\n");
        return EXIT_USAGE;
    }
    if (!parse_shape(shape, &h, &w)) {
        fprintf(stderr, "ghostyolo forward: --shape must be 1,3,H,W with positive H and W, got '%s'\n",
                shape);
        return EXIT_USAGE;
    }
    gy_error err;
    unsigned char *data;
    size_t size;
    gy_status st = gy_read_file(input, (size_t)3 * 16384 * 16384 * 4, &data, &size, &err);
    if (st != GY_OK) {
        cli_error(&err);
        return cli_exit_for(st);
    }
    size_t want = (size_t)3 * h * w * sizeof(float);
    if (size != want) {
        fprintf(stderr, "ghostyolo forward: %s: %zu bytes, but shape 1,3,%d,%d needs %zu\n", input,
                size, h, w, want);
        free(data);
        return EXIT_DATAERR;
    }
    float *x = malloc(want);
    if (!x) {
        free(data);
        fprintf(stderr, "ghostyolo forward: out of memory\n");
        return EXIT_SOFTWARE;
    }
    memcpy(x, data, want); /* little-endian host assumed, as the file format */
    free(data);
    gy_model_params mp = gy_model_default_params();
    mp.scale = scale;
    mp.nc = nc;
    mp.log = cli_log;
    gy_model *model = NULL;
    gy_session *sess = NULL;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = threads;
    gy_output out;
    rc = EXIT_OK;
    if ((st = gy_model_load(config, weights, &mp, &model, &err)) != GY_OK ||
        (st = gy_session_create(model, &sp, &sess, &err)) != GY_OK ||
        (st = gy_forward(sess, x, h, w, &out, &err)) != GY_OK) {
        cli_error(&err);
        rc = cli_exit_for(st);
    } else if ((st = gy_write_file_atomic(output, out.data,
                                          sizeof(float) * (size_t)out.channels * out.anchors,
                                          &err)) != GY_OK) {
        cli_error(&err);
        rc = EXIT_CANTCREAT;
    } else {
        printf("(1, %d, %d)\n", out.channels, out.anchors);
    }
    gy_session_free(sess);
    gy_model_free(model);
    free(x);
    return rc;
}

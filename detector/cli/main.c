/* main.c - ghostyolo: verbs detect, val, info, stats, forward, bench, convert, quantize. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "detector/cli/cli.h"

typedef struct verb_entry {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} verb_entry;

static const verb_entry verbs[] = {
    {"detect", cmd_detect, "find objects in images, folders, patterns, lists or stdin"},
    {"val", cmd_val, "ultralytics' validation metrics (P, R, mAP50, mAP50-95) on a dataset"},
    {"info", cmd_info, "the ultralytics build table and model summary"},
    {"stats", cmd_stats, "per-row and per-model layers, parameters, GFLOPs, size; comparisons"},
    {"forward", cmd_forward, "raw head output of a raw input tensor (parity checks)"},
    {"bench", cmd_bench, "forward-pass timing beside the machine's GEMM rate"},
    {"convert", cmd_convert, "an ultralytics .pt checkpoint to safetensors, without Python"},
    {"quantize", cmd_quantize, "int8 post-training quantization (calibrated on a dataset)"},
};
#define NVERBS ((int)(sizeof verbs / sizeof verbs[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: ghostyolo VERB [options] [arguments]\n\nverbs:\n");
    for (int i = 0; i < NVERBS; i++)
        fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
    fprintf(f, "  %-8s %s\n", "help", "this text and every verb's options");
    fprintf(f, "\n'ghostyolo VERB --help' shows a verb's options.\n"
               "exit codes: 0 ok, 64 usage, 65 bad data, 66 unreadable input, 70 internal,\n"
               "            73 output failure\n");
}

/* The global help: the verb list, then each verb's own help (from its option table). */
static int full_help(void)
{
    usage(stdout);
    for (int i = 0; i < NVERBS; i++) {
        char prog[] = "ghostyolo", help[] = "--help";
        char name[16];
        snprintf(name, sizeof name, "%s", verbs[i].name);
        char *args[] = {prog, name, help, NULL};
        printf("\n");
        fflush(stdout);
        if (verbs[i].run(3, args) != EXIT_OK)
            return EXIT_SOFTWARE;
    }
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_CANTCREAT;
}

int main(int argc, char **argv)
{
    /* over a file-size limit (ulimit -f) a write must fail with EFBIG and be reported (exit 73,
     * the temporary file removed), not kill the process and leave the temporary behind */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *verb = argv[1];
    for (int i = 0; i < NVERBS; i++)
        if (strcmp(verb, verbs[i].name) == 0)
            return verbs[i].run(argc, argv);
    if (strcmp(verb, "help") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)
        return full_help();
    if (strcmp(verb, "--version") == 0) {
        printf("ghostyolo %s\n", GY_VERSION_STRING);
        return EXIT_OK;
    }
    fprintf(stderr, "ghostyolo: unknown verb '%s'\n", verb);
    usage(stderr);
    return EXIT_USAGE;
}

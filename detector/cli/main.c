/* main.c - ghostyolo: verbs detect (also predict), val, info, stats, forward, bench, convert,
 * quantize; help [VERB], version. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
    fprintf(f, "  %-8s %s\n", "predict", "another name of detect (ultralytics' mode)");
    fprintf(f, "  %-8s %s\n", "help", "this text and every verb's options; help VERB: that verb's");
    fprintf(f, "  %-8s %s\n", "version", "the version");
    fprintf(f, "\n'ghostyolo VERB --help' shows a verb's options. Options also come as yolo's\n"
               "key=value arguments: ghostyolo detect model=yolov8n.pt source=bus.jpg conf=0.5\n"
               "exit codes: 0 ok, 64 usage, 65 bad data, 66 unreadable input, 70 internal,\n"
               "            73 output failure\n");
}

static const verb_entry *find_verb(const char *name)
{
    if (strcmp(name, "predict") == 0) /* ultralytics' mode name for detect */
        name = "detect";
    for (int i = 0; i < NVERBS; i++)
        if (strcmp(name, verbs[i].name) == 0)
            return &verbs[i];
    return NULL;
}

/* A verb's help, through the verb itself (its option table prints it). */
static int verb_help(const verb_entry *v)
{
    char prog[] = "ghostyolo", help[] = "--help";
    char name[16];
    snprintf(name, sizeof name, "%s", v->name);
    char *args[] = {prog, name, help, NULL};
    cli_set_verb(v->name);
    fflush(stdout);
    return v->run(3, args);
}

/* The global help: the verb list, then each verb's own help (from its option table). */
static int full_help(void)
{
    usage(stdout);
    for (int i = 0; i < NVERBS; i++) {
        printf("\n");
        if (verb_help(&verbs[i]) != EXIT_OK)
            return EXIT_SOFTWARE;
    }
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_CANTCREAT;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

int main(int argc, char **argv)
{
    /* over a file-size limit (ulimit -f) a write must fail with EFBIG and be reported (exit 73,
     * the temporary file removed), not kill the process and leave the temporary behind */
    signal(SIGXFSZ, SIG_IGN);
    cli_keep_argv(argv); /* detect may run itself again (wait_policy.c) */
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *verb = argv[1];
    /* yolo's TASK MODE order: `ghostyolo detect predict ...`, `ghostyolo detect val ...` (the
     * mode word, unless a file of that name is meant) */
    if (strcmp(verb, "detect") == 0 && argc > 2 &&
        (strcmp(argv[2], "predict") == 0 || strcmp(argv[2], "val") == 0) && !exists(argv[2])) {
        argv++;
        argc--;
        verb = argv[1];
    }
    const verb_entry *v = find_verb(verb);
    if (v) {
        cli_set_verb(v->name);
        return v->run(argc, argv);
    }
    if (strcmp(verb, "help") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
        if (argc == 2)
            return full_help();
        const verb_entry *h = find_verb(argv[2]);
        if (argc == 3 && h)
            return verb_help(h) == EXIT_OK && fflush(stdout) == 0 ? EXIT_OK : EXIT_CANTCREAT;
        fprintf(stderr, "ghostyolo help: unknown verb '%s'\n", argv[2]);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(verb, "--version") == 0 || strcmp(verb, "version") == 0) {
        printf("ghostyolo %s\n", GY_VERSION_STRING);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_CANTCREAT;
    }
    fprintf(stderr, "ghostyolo: unknown verb '%s'\n", verb);
    usage(stderr);
    return EXIT_USAGE;
}

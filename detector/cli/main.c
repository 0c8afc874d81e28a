/* main.c - ghostyolo: verbs forward, detect, info, stats, bench, convert. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ghostyolo VERB [options]\n"
            "\n"
            "WEIGHTS is a safetensors file or an ultralytics .pt checkpoint (told apart by content)\n"
            "\n"
            "  detect  -w WEIGHTS [-m CONFIG] [--imgsz 640] [--conf 0.25] [--iou 0.7]\n"
            "          [--max-det 300] [--square] [--agnostic] [--json] [-o DIR] [--threads N]\n"
            "          IMAGE...\n"
            "          find objects; writes annotated images (and YOLO label files) to DIR,\n"
            "          with --json one JSON object per image on stdout\n"
            "  info    -m CONFIG... | -w WEIGHTS [-m CONFIG] [--scale X] [--nc N] [--imgsz 640]\n"
            "          the ultralytics build table and model summary\n"
            "  stats   [CONFIG... | -w WEIGHTS [-m CONFIG]] [--nc N] [--scale X] [--imgsz 640]\n"
            "          [--json] [--unfused]\n"
            "          [--measure [--runs 5] [--threads N]]\n"
            "          per-row and per-model layers, parameters, GFLOPs, size; with several\n"
            "          configs a comparison table (--measure times each row); no CONFIG: the\n"
            "          published table (YOLOv8s and its Ghost variants, nc=1)\n"
            "  forward -w WEIGHTS [-m CONFIG] --input IN.f32 --shape 1,3,H,W -o OUT.f32\n"
            "          [--nc N] [--scale X] [--threads N]\n"
            "          raw head output (1, 4+nc, anchors) as float32 for parity checks\n"
            "  bench   -w WEIGHTS | -m CONFIG [--imgsz 640] [--runs 10] [--threads N]\n"
            "          forward-pass timing beside the machine's GEMM rate (same run)\n"
            "  convert CHECKPOINT.pt [-o OUT.safetensors]\n"
            "          an ultralytics .pt checkpoint to safetensors (state_dict, config, names,\n"
            "          stride, bn_eps), read without Python and without running its pickle\n"
            "  help    this text\n"
            "\n"
            "exit codes: 0 ok, 64 usage, 65 bad data, 66 unreadable input, 70 internal,\n"
            "            73 output failure\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "forward") == 0)
        return cmd_forward(argc, argv);
    if (strcmp(verb, "info") == 0)
        return cmd_info(argc, argv);
    if (strcmp(verb, "detect") == 0)
        return cmd_detect(argc, argv);
    if (strcmp(verb, "bench") == 0)
        return cmd_bench(argc, argv);
    if (strcmp(verb, "stats") == 0)
        return cmd_stats(argc, argv);
    if (strcmp(verb, "convert") == 0)
        return cmd_convert(argc, argv);
    if (strcmp(verb, "help") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(verb, "--version") == 0) {
        printf("ghostyolo %s\n", GY_VERSION_STRING);
        return EXIT_OK;
    }
    fprintf(stderr, "ghostyolo: unknown verb '%s'\n", verb);
    usage(stderr);
    return EXIT_USAGE;
}

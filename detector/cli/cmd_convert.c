/* ghostyolo convert: an ultralytics .pt checkpoint (or any weights file ghostyolo reads) to a
 * safetensors file in the layout of weights/convert_pt.py, with no Python. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector/cli/cli.h"
#include "weights/pt_checkpoint.h"
#include "weights/safetensors.h"
#include "weights/safetensors_write.h"

/* IN without its extension + ".safetensors", as convert_pt.py names its output. */
static char *default_output(const char *in)
{
    const char *base = strrchr(in, '/');
    base = base ? base + 1 : in;
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - in) : strlen(in);
    char *out = malloc(stem + sizeof ".safetensors");
    if (out) {
        memcpy(out, in, stem);
        memcpy(out + stem, ".safetensors", sizeof ".safetensors");
    }
    return out;
}

int cmd_convert(int argc, char **argv)
{
    const char *output = NULL;
    cli_list pos = {0};
    const cli_opt opts[] = {
        {"-o", "--output", CLI_STRING, &output, "OUT.safetensors",
         "the output file (default: the input's name with .safetensors)", 0, 0},
    };
    const cli_verb verb = {"convert", "CHECKPOINT.pt [-o OUT.safetensors]",
                           "Writes an ultralytics .pt checkpoint (or any weights file ghostyolo reads) as\n"
                           "safetensors in the layout of weights/convert_pt.py: the unfused state_dict in its\n"
                           "stored dtypes and __metadata__ (format, source, config, names, stride, bn_eps,\n"
                           "imgsz). The checkpoint's pickle is read, never run.",
                           opts, (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &pos);
    if (rc == CLI_HELP) {
        free(pos.items);
        return EXIT_OK;
    }
    if (!rc && pos.count != 1) {
        fprintf(stderr, "ghostyolo convert: needs one input checkpoint: convert IN.pt "
                        "[-o OUT.safetensors]\n");
        rc = EXIT_USAGE;
    }
    if (rc) {
        free(pos.items);
        return rc;
    }
    const char *in = pos.items[0];
    char *defout = output ? NULL : default_output(in);
    if (!output && !defout) {
        free(pos.items);
        fprintf(stderr, "ghostyolo convert: out of memory\n");
        return EXIT_SOFTWARE;
    }
    const char *out = output ? output : defout;
    gy_error err;
    gy_safetensors *st = NULL;
    gy_status s = gy_weights_open(in, &st, &err);
    if (s != GY_OK) {
        cli_error(&err);
        rc = cli_exit_for(s);
    } else if ((s = gy_st_write(st, gy_pt_meta_order(), out, &err)) != GY_OK) {
        cli_error(&err);
        rc = s == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_CANTCREAT;
    } else {
        int has[GY_DT_COUNT] = {0};
        for (int i = 0; i < st->count; i++)
            has[st->tensors[i].dtype] = 1;
        char dtypes[64] = "";
        for (int d = 0; d < GY_DT_COUNT; d++)
            if (has[d])
                snprintf(dtypes + strlen(dtypes), sizeof dtypes - strlen(dtypes), "%s%s",
                         dtypes[0] ? ", " : "", gy_dtype_name((gy_dtype)d));
        const char *stride = gy_st_meta_get(st, "stride"), *eps = gy_st_meta_get(st, "bn_eps");
        printf("%s: %d tensors (%s), config %s, stride %s, bn_eps %s\n", out, st->count, dtypes,
               gy_st_meta_get(st, "config") ? "included" : "absent", stride ? stride : "?",
               eps ? eps : "?");
    }
    gy_st_close(st);
    free(defout);
    free(pos.items);
    return rc;
}

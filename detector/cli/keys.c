/* keys.c - key=value arguments as ultralytics' yolo CLI (8.0.126, cfg/__init__.py) takes them:
 * `ghostyolo detect model=yolov8n.pt source=bus.jpg conf=0.5 imgsz=640 save_txt=True` means what
 * the option form means. Each key maps to the verb's option of the same meaning (conf= to --conf,
 * show_labels=False to --hide-labels, ...), so a verb takes the keys of the options it has.
 *
 * As yolo: "k = v", "k= v" and "k =v" are merged first; a value is read as Python's eval reads it
 * (True/False/None in any case, int, float, a list or tuple, else a string) and must have the
 * type of its key (bool keys take True or False, or the bare key for True); a key yolo does not
 * know is refused with the close matches difflib finds among yolo's keys ("'cnf' is not a valid
 * YOLO argument. Similar arguments are i.e. ['conf', 'cfg']."); a yolo key ghostyolo does not use
 * is refused as such; keys of settings ghostyolo fixes (device=cpu, half=False, batch=1) take only
 * that value. An argument that names an existing file is a file, whatever its characters. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "detector/cli/cli.h"

/* ultralytics 8.0.126's arguments (cfg/default.yaml) with the defaults its messages show (NULL:
 * None), then the tasks, modes and special commands, which complete yolo's list of valid keys. */
static const struct {
    const char *key, *def;
} yolo_keys[] = {
    {"task", "detect"}, {"mode", "train"}, {"model", NULL}, {"data", NULL}, {"epochs", "100"},
    {"patience", "50"}, {"batch", "16"}, {"imgsz", "640"}, {"save", "True"},
    {"save_period", "-1"}, {"cache", "False"}, {"device", NULL}, {"workers", "8"},
    {"project", NULL}, {"name", NULL}, {"exist_ok", "False"}, {"pretrained", "True"},
    {"optimizer", "auto"}, {"verbose", "True"}, {"seed", "0"}, {"deterministic", "True"},
    {"single_cls", "False"}, {"rect", "False"}, {"cos_lr", "False"}, {"close_mosaic", "10"},
    {"resume", "False"}, {"amp", "True"}, {"fraction", "1.0"}, {"profile", "False"},
    {"overlap_mask", "True"}, {"mask_ratio", "4"}, {"dropout", "0.0"}, {"val", "True"},
    {"split", "val"}, {"save_json", "False"}, {"save_hybrid", "False"}, {"conf", NULL},
    {"iou", "0.7"}, {"max_det", "300"}, {"half", "False"}, {"dnn", "False"}, {"plots", "True"},
    {"source", NULL}, {"show", "False"}, {"save_txt", "False"}, {"save_conf", "False"},
    {"save_crop", "False"}, {"show_labels", "True"}, {"show_conf", "True"}, {"vid_stride", "1"},
    {"line_width", NULL}, {"visualize", "False"}, {"augment", "False"}, {"agnostic_nms", "False"},
    {"classes", NULL}, {"retina_masks", "False"}, {"boxes", "True"}, {"format", "torchscript"},
    {"keras", "False"}, {"optimize", "False"}, {"int8", "False"}, {"dynamic", "False"},
    {"simplify", "False"}, {"opset", NULL}, {"workspace", "4"}, {"nms", "False"},
    {"lr0", "0.01"}, {"lrf", "0.01"}, {"momentum", "0.937"}, {"weight_decay", "0.0005"},
    {"warmup_epochs", "3.0"}, {"warmup_momentum", "0.8"}, {"warmup_bias_lr", "0.1"},
    {"box", "7.5"}, {"cls", "0.5"}, {"dfl", "1.5"}, {"pose", "12.0"}, {"kobj", "1.0"},
    {"label_smoothing", "0.0"}, {"nbs", "64"}, {"hsv_h", "0.015"}, {"hsv_s", "0.7"},
    {"hsv_v", "0.4"}, {"degrees", "0.0"}, {"translate", "0.1"}, {"scale", "0.5"},
    {"shear", "0.0"}, {"perspective", "0.0"}, {"flipud", "0.0"}, {"fliplr", "0.5"},
    {"mosaic", "1.0"}, {"mixup", "0.0"}, {"copy_paste", "0.0"}, {"cfg", NULL},
    {"v5loader", "False"}, {"tracker", "botsort.yaml"},
    /* TASKS (pose is one already), MODES (val) and the special commands (cfg): valid keys
     * without a shown default */
    {"detect", NULL}, {"segment", NULL}, {"classify", NULL}, {"train", NULL},
    {"predict", NULL}, {"export", NULL}, {"track", NULL}, {"help", NULL}, {"checks", NULL},
    {"version", NULL}, {"settings", NULL}, {"hub", NULL}, {"login", NULL}, {"copy-cfg", NULL},
};
#define N_YOLO_KEYS ((int)(sizeof yolo_keys / sizeof yolo_keys[0]))
/* the first entries are default.yaml's (those a bare key or a default can name) */
#define N_YOLO_CFG_KEYS 96

typedef enum key_kind {
    K_NUMBER,  /* int or float (the option checks its range) */
    K_INT,     /* int only (yolo's CFG_INT_KEYS) */
    K_BOOL,    /* True/False to a flag */
    K_NOT,     /* True/False to the opposite flag (show_labels=False: --hide-labels) */
    K_TEXT,    /* a string (numbers as written) */
    K_SIZE,    /* imgsz: an int, or [h, w] for the options that take "H,W" */
    K_LIST,    /* classes: an int or a list of ints, "0,2" */
    K_MODEL,   /* weights to --weights, a YAML to --model */
    K_SOURCE,  /* a positional argument of detect */
    K_FIXED,   /* only the value ghostyolo has */
    K_MODE     /* task=detect, mode=<this verb's mode> */
} key_kind;

/* ghostyolo's keys: the option each sets, or the value ghostyolo fixes and why. */
static const struct {
    const char *key;
    key_kind kind;
    const char *option; /* long option, or for K_FIXED the one value taken */
    const char *why;    /* K_FIXED: what any other value asks for */
} keys[] = {
    {"model", K_MODEL, NULL, NULL},
    {"source", K_SOURCE, NULL, NULL},
    {"data", K_TEXT, "--data", NULL},
    {"conf", K_NUMBER, "--conf", NULL},
    {"iou", K_NUMBER, "--iou", NULL},
    {"imgsz", K_SIZE, "--imgsz", NULL},
    {"max_det", K_INT, "--max-det", NULL},
    {"classes", K_LIST, "--classes", NULL},
    {"agnostic_nms", K_BOOL, "--agnostic", NULL},
    {"save", K_NOT, "--no-save", NULL},
    {"save_txt", K_BOOL, "--save-txt", NULL},
    {"save_conf", K_BOOL, "--save-conf", NULL},
    {"save_crop", K_BOOL, "--save-crop", NULL},
    {"save_json", K_BOOL, "--save-json", NULL},
    {"project", K_TEXT, "--project", NULL},
    {"name", K_TEXT, "--name", NULL},
    {"exist_ok", K_BOOL, "--exist-ok", NULL},
    {"line_width", K_INT, "--line-width", NULL},
    {"vid_stride", K_INT, "--vid-stride", NULL},
    {"show_labels", K_NOT, "--hide-labels", NULL},
    {"show_conf", K_NOT, "--hide-conf", NULL},
    {"verbose", K_NOT, "--quiet", NULL},
    {"plots", K_BOOL, "--plots", NULL},
    {"task", K_MODE, "detect", NULL},
    {"mode", K_MODE, NULL, NULL},
    {"device", K_FIXED, "cpu", "ghostyolo runs on the CPU only (device=cpu)"},
    {"half", K_FIXED, "False", "half precision (FP16) is not supported: ghostyolo computes in "
                               "float32 on the CPU"},
    {"batch", K_FIXED, "1", "ghostyolo runs one image at a time (batch=1)"},
    {"dnn", K_FIXED, "False", "there is no OpenCV DNN backend: ghostyolo is its own"},
    {"show", K_FIXED, "False", "no window is shown: the annotated images are saved"},
    {"visualize", K_FIXED, "False", "feature maps are not saved"},
    {"augment", K_FIXED, "False", "test-time augmentation is not supported"},
};
#define N_KEYS ((int)(sizeof keys / sizeof keys[0]))

/* The verbs whose fixed settings (device, half, batch, ...) mean something. */
static int runs_images(const cli_verb *verb)
{
    return !strcmp(verb->name, "detect") || !strcmp(verb->name, "val") ||
           !strcmp(verb->name, "bench");
}

/* The mode word of a verb, as mode= names it. */
static const char *mode_of(const cli_verb *verb)
{
    if (!strcmp(verb->name, "detect"))
        return "predict";
    if (!strcmp(verb->name, "val"))
        return "val";
    return NULL;
}

static const cli_opt *find_opt(const cli_verb *verb, const char *long_name)
{
    for (int i = 0; long_name && i < verb->nopts; i++)
        if (!strcmp(verb->opts[i].long_name, long_name))
            return &verb->opts[i];
    return NULL;
}

static int find_yolo(const char *key)
{
    for (int i = 0; i < N_YOLO_KEYS; i++)
        if (!strcmp(yolo_keys[i].key, key))
            return i;
    return -1;
}

static int find_key(const char *key)
{
    for (int i = 0; i < N_KEYS; i++)
        if (!strcmp(keys[i].key, key))
            return i;
    return -1;
}

/* A Python literal as yolo's eval reads it. */
typedef enum lit_type { L_NONE, L_BOOL, L_INT, L_FLOAT, L_LIST, L_STR } lit_type;

static const char *type_name(lit_type t)
{
    static const char *const n[] = {"NoneType", "bool", "int", "float", "tuple", "str"};
    return n[t];
}

static int is_int_text(const char *s, const char *end)
{
    if (s < end && (*s == '+' || *s == '-'))
        s++;
    if (s == end)
        return 0;
    for (; s < end; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int is_float_text(const char *s, const char *end)
{
    char buf[64];
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    int digit = 0;
    for (size_t i = 0; i < n; i++) {
        digit |= isdigit((unsigned char)buf[i]) != 0;
        if (!strchr("0123456789+-.eE", buf[i]))
            return 0; /* not inf, nan, hex: eval would not read them as numbers */
    }
    char *e;
    errno = 0;
    strtod(buf, &e);
    return digit && *e == '\0' && errno == 0;
}

/* Reads value: its type, and in out the text the option takes ("0,2" for a list). */
static lit_type read_literal(const char *value, char *out, size_t size)
{
    size_t n = strlen(value);
    if (n >= 2 && (value[0] == '\'' || value[0] == '"') && value[n - 1] == value[0]) {
        snprintf(out, size, "%.*s", (int)(n - 2), value + 1);
        return L_STR;
    }
    snprintf(out, size, "%s", value);
    if (!strcasecmp(value, "none"))
        return L_NONE;
    if (!strcasecmp(value, "true") || !strcasecmp(value, "false"))
        return L_BOOL;
    if (is_int_text(value, value + n))
        return L_INT;
    if (is_float_text(value, value + n))
        return L_FLOAT;
    /* [0, 2], (480, 640) or 0,2: the numbers, comma-separated */
    const char *p = value, *end = value + n;
    int bracketed = n >= 2 && ((value[0] == '[' && value[n - 1] == ']') ||
                               (value[0] == '(' && value[n - 1] == ')'));
    if (!bracketed && !strchr(value, ','))
        return L_STR;
    if (bracketed) {
        p++;
        end--;
    }
    size_t used = 0;
    out[0] = '\0';
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        const char *q = p;
        while (q < end && *q != ',')
            q++;
        const char *e = q;
        while (e > p && e[-1] == ' ')
            e--;
        if (e == p && q == end && used > 0)
            break; /* a trailing comma: (640,) */
        if (!is_int_text(p, e) && !is_float_text(p, e)) {
            snprintf(out, size, "%s", value);
            return L_STR;
        }
        used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%.*s",
                                 used ? "," : "", (int)(e - p), p);
        p = q < end ? q + 1 : q;
    }
    return used ? L_LIST : L_STR;
}

/* "'cnf' is not a valid YOLO argument. Similar arguments are i.e. ['conf', 'cfg']." */
static void not_a_key(const cli_verb *verb, const char *key)
{
    const char *names[N_YOLO_KEYS], *best[3];
    for (int i = 0; i < N_YOLO_KEYS; i++)
        names[i] = yolo_keys[i].key;
    int n = cli_close_matches(key, names, N_YOLO_KEYS, 3, 0.6, best);
    char list[512] = "";
    size_t used = 0;
    for (int i = 0; i < n && used < sizeof list; i++) {
        int y = find_yolo(best[i]);
        const char *def = y < N_YOLO_CFG_KEYS ? yolo_keys[y].def : NULL;
        used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s%s%s'", i ? ", " : "",
                                 best[i], def ? "=" : "", def ? def : "");
    }
    fprintf(stderr, "ghostyolo %s: '%s' is not a valid YOLO argument.%s%s%s (see 'ghostyolo %s "
            "--help')\n", verb->name, key, n ? " Similar arguments are i.e. [" : "", list,
            n ? "]." : "", verb->name);
}

static int type_error(const cli_verb *verb, const char *key, const char *value, lit_type t,
                      const char *want)
{
    fprintf(stderr, "ghostyolo %s: '%s=%s' is of invalid type %s. %s\n", verb->name, key, value,
            type_name(t), want);
    return EXIT_USAGE;
}

static int not_taken(const cli_verb *verb, const char *key)
{
    fprintf(stderr, "ghostyolo %s: '%s' is a YOLO argument that ghostyolo %s does not take (see "
            "'ghostyolo %s --help')\n", verb->name, key, verb->name, verb->name);
    return EXIT_USAGE;
}

/* Values the options keep pointers to, for the life of the process (reachable from here). */
static char **kept;
static size_t nkept, capkept;

static const char *keep(const char *text)
{
    if (nkept == capkept) {
        size_t cap = capkept ? capkept * 2 : 16;
        char **p = realloc(kept, sizeof *p * cap);
        if (!p)
            return NULL;
        kept = p;
        capkept = cap;
    }
    size_t n = strlen(text) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    memcpy(s, text, n);
    kept[nkept++] = s;
    return s;
}

/* Sets o from text, a copy of which lives as long as the option may point to it. */
static int set_kept(const cli_verb *verb, const cli_opt *o, const char *text, const char *key)
{
    const char *v = keep(text);
    if (!v) {
        fprintf(stderr, "ghostyolo %s: out of memory\n", verb->name);
        return EXIT_SOFTWARE;
    }
    return cli_set_option(verb, o, v, key);
}

static int add_positional(const cli_verb *verb, cli_list *pos, const char *value)
{
    cli_opt po = {NULL, "argument", CLI_LIST, pos, NULL, NULL, 0, 0};
    return cli_set_option(verb, &po, value, NULL);
}

/* Applies key=value (value NULL: the bare key). 0 or an exit code (message printed). */
static int apply(const cli_verb *verb, const char *key, const char *value, cli_list *pos)
{
    int k = find_key(key);
    if (k < 0)
        return find_yolo(key) >= 0 ? not_taken(verb, key) : (not_a_key(verb, key), EXIT_USAGE);
    key_kind kind = keys[k].kind;
    const cli_opt *o = find_opt(verb, keys[k].option);
    int bool_key = kind == K_BOOL || kind == K_NOT ||
                   (kind == K_FIXED && (!strcmp(keys[k].option, "False") ||
                                        !strcmp(keys[k].option, "True")));
    if (!value) {
        if (bool_key) {
            value = "True"; /* yolo: a bare bool key is True */
        } else {
            /* the value in force: ghostyolo's default */
            char def[64] = "...";
            if (o && o->kind == CLI_FLOAT)
                snprintf(def, sizeof def, "%g", (double)*(const float *)o->dst);
            else if (o && o->kind == CLI_INT)
                snprintf(def, sizeof def, "%d", *(const int *)o->dst);
            else if (o && o->kind == CLI_STRING && *(const char *const *)o->dst)
                snprintf(def, sizeof def, "%s", *(const char *const *)o->dst);
            fprintf(stderr, "ghostyolo %s: '%s' is a valid YOLO argument but is missing an '=' sign "
                    "to set its value, i.e. try '%s=%s'\n", verb->name, key, key, def);
            return EXIT_USAGE;
        }
    }
    if (!value[0]) {
        fprintf(stderr, "ghostyolo %s: missing '%s' value\n", verb->name, key);
        return EXIT_USAGE;
    }
    char text[1024], want[160];
    lit_type t = read_literal(value, text, sizeof text);
    switch (kind) {
    case K_MODE: {
        const char *is = keys[k].option ? keys[k].option : mode_of(verb);
        if (is && t == L_STR && !strcmp(text, is))
            return 0;
        fprintf(stderr, "ghostyolo %s: '%s=%s': ghostyolo %s is %s=%s\n", verb->name, key, value,
                verb->name, key, is ? is : "(none)");
        return EXIT_USAGE;
    }
    case K_FIXED:
        if (!runs_images(verb))
            return not_taken(verb, key);
        if (!strcasecmp(text, keys[k].option) || (t == L_NONE && !strcmp(key, "device")))
            return 0;
        fprintf(stderr, "ghostyolo %s: '%s=%s': %s\n", verb->name, key, value, keys[k].why);
        return EXIT_USAGE;
    case K_SOURCE: {
        if (strcmp(verb->name, "detect") != 0) /* detect's positional arguments are sources */
            return not_taken(verb, key);
        const char *v = keep(text);
        return v ? add_positional(verb, pos, v) : EXIT_SOFTWARE;
    }
    case K_MODEL: {
        /* by content, as -w/-m are told apart: weights, else a YAML */
        o = find_opt(verb, cli_is_weights_file(text) ? "--weights" : "--model");
        if (!o)
            return not_taken(verb, key);
        return set_kept(verb, o, text, key);
    }
    default:
        break;
    }
    if (!o)
        return not_taken(verb, key);
    if (bool_key) {
        if (t == L_NONE)
            text[0] = 'F'; /* None is falsy */
        else if (t != L_BOOL) {
            snprintf(want, sizeof want, "'%s' must be a bool (i.e. '%s=True' or '%s=False')", key,
                     key, key);
            return type_error(verb, key, value, t, want);
        }
        int on = (text[0] == 't' || text[0] == 'T') != (kind == K_NOT);
        *(int *)o->dst = on;
        return 0;
    }
    if (t == L_NONE)
        return 0; /* None: the default */
    switch (kind) {
    case K_INT:
        if (t != L_INT) {
            snprintf(want, sizeof want, "'%s' must be an int (i.e. '%s=8')", key, key);
            return type_error(verb, key, value, t, want);
        }
        break;
    case K_NUMBER:
        if (t != L_INT && t != L_FLOAT) {
            snprintf(want, sizeof want, "Valid '%s' types are int (i.e. '%s=0') or float (i.e. "
                     "'%s=0.5')", key, key, key);
            return type_error(verb, key, value, t, want);
        }
        break;
    case K_SIZE:
    case K_LIST:
        if (t != L_INT && t != L_LIST) {
            snprintf(want, sizeof want, "'%s' must be an int or a list of ints (i.e. '%s=%s')",
                     key, key, kind == K_SIZE ? "640" : "[0, 2]");
            return type_error(verb, key, value, t, want);
        }
        break;
    default:
        break;
    }
    return set_kept(verb, o, text, key);
}

/* key=value: key a word of letters, digits, '_' and '-' (a path such as dir/a=b.jpg is not). */
static int split_key(const char *arg, char *key, size_t size, const char **value)
{
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    if (n == 0 || n >= size || !(isalpha((unsigned char)arg[0]) || arg[0] == '_'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)arg[i]) && arg[i] != '_' && arg[i] != '-')
            return 0;
    memcpy(key, arg, n);
    key[n] = '\0';
    *value = eq ? eq + 1 : NULL;
    return 1;
}

const char *cli_option_key(const cli_opt *o, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!strcmp(o->long_name, "--weights") || !strcmp(o->long_name, "--model"))
        snprintf(buf, size, "model=%s", o->arg ? o->arg : "");
    for (int i = 0; !buf[0] && i < N_KEYS; i++) {
        if (!keys[i].option || strcmp(keys[i].option, o->long_name) != 0)
            continue;
        if (keys[i].kind == K_NOT)
            snprintf(buf, size, "%s=False", keys[i].key);
        else if (keys[i].kind == K_BOOL)
            snprintf(buf, size, "%s=True", keys[i].key);
        else
            snprintf(buf, size, "%s=%s", keys[i].key, o->arg ? o->arg : "");
    }
    return buf[0] ? buf : NULL;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* A key=value argument (or a bare key yolo knows): not an existing file, and a key word. */
static int is_key_arg(const char *a)
{
    char key[64];
    const char *value;
    return !exists(a) && split_key(a, key, sizeof key, &value) && (value || find_yolo(key) >= 0);
}

/* A word that yolo's merge_equals_args would join with its neighbours into key=value. */
static int is_key_word(const char *a)
{
    char key[64];
    const char *value;
    return !exists(a) && split_key(a, key, sizeof key, &value);
}

static char *join(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

int cli_apply_keys(const cli_verb *verb, cli_list *pos)
{
    int n = pos->count, rc = 0;
    const char **args = pos->items;
    pos->items = NULL; /* rebuilt: the plain arguments and source= values, in order */
    pos->count = 0;
    for (int i = 0; i < n && !rc; i++) {
        const char *a = args[i];
        char *merged = NULL;
        int merging = 1;
        /* yolo's merge_equals_args: "k = v", "k= v", "k =v" (only into a key) */
        if (i + 2 < n && !strcmp(args[i + 1], "=") && is_key_word(a) && !strchr(a, '=')) {
            merged = join(a, "=", args[i + 2]);
            i += 2;
        } else if (i + 1 < n && a[0] && a[strlen(a) - 1] == '=' && is_key_word(a) &&
                   !strchr(args[i + 1], '=')) {
            merged = join(a, "", args[i + 1]);
            i += 1;
        } else if (i + 1 < n && args[i + 1][0] == '=' && args[i + 1][1] && is_key_word(a) &&
                   !strchr(a, '=')) {
            merged = join(a, "", args[i + 1]);
            i += 1;
        } else if (!is_key_arg(a)) {
            rc = add_positional(verb, pos, a);
            continue;
        } else {
            merging = 0;
        }
        const char *arg = merging ? merged : a;
        if (!arg) {
            fprintf(stderr, "ghostyolo %s: out of memory\n", verb->name);
            rc = EXIT_SOFTWARE;
            break;
        }
        char key[64];
        const char *value;
        split_key(arg, key, sizeof key, &value);
        rc = apply(verb, key, value, pos);
        free(merged);
    }
    free(args);
    return rc;
}

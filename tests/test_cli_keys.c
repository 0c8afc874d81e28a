/* test_cli_keys.c - key=value arguments as ultralytics' yolo CLI takes them, through the binary:
 * the key form gives what the option form gives (files and JSON compared byte for byte), for
 * detect (and predict), val, info, stats and bench; yolo's spellings (spaces around '=', True/
 * False in any case, bare bool keys, lists and tuples); its type errors; unknown keys with the
 * close matches Python's difflib gives (the expected lists computed with difflib.get_close_matches
 * over yolo 8.0.126's keys); keys ghostyolo does not use or fixes; help VERB and version. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clirun.h"
#include "testutil.h"

static const char *weights(void)
{
    return gy_test_shared("weights/yolov8n.safetensors");
}

static const char *bus(void)
{
    return gy_test_shared("images/bus.jpg");
}

static void setup(void)
{
    cli_setup("cli_keys");
}

static void teardown(void)
{
    cli_teardown();
}

/* stdout of the last run (caller frees) */
static char *out_text(void)
{
    return read_text(outpath);
}

/* stdout without the timings (val's "speed_ms", the last key) */
static char *out_untimed(void)
{
    char *t = out_text(), *speed = strstr(t, ",\"speed_ms\"");
    if (speed)
        *speed = '\0';
    return t;
}

/* Runs args_a then args_b (printf-free strings) and checks both exit 0 with the same stdout. */
static void same_stdout(const char *a, const char *b)
{
    ck_assert_msg(run("%s", a) == 0, "%s failed", a);
    char *x = out_untimed();
    ck_assert_msg(run("%s", b) == 0, "%s failed", b);
    char *y = out_untimed();
    ck_assert_msg(x[0] != '\0', "%s printed nothing", a);
    ck_assert_msg(strcmp(x, y) == 0, "'%s' and '%s' differ:\n%s\n---\n%s", a, b, x, y);
    free(x);
    free(y);
}

/* The command: the key form and the option form write the same files. */
START_TEST(detect_keys_equal_options)
{
    shell("cp '%s' bus.jpg", bus());
    ck_assert_int_eq(run("detect model='%s' source=bus.jpg conf=0.5 imgsz=640 save_txt=True "
                         "-o kv", weights()), 0);
    ck_assert_int_eq(run("detect -w '%s' --conf 0.5 --imgsz 640 --save-txt -o opt bus.jpg",
                         weights()), 0);
    shell("cmp kv/bus.jpg opt/bus.jpg && cmp kv/labels/bus.txt opt/labels/bus.txt");
    /* predict is detect; yolo's TASK MODE order too; keys before or after the verb's options */
    char a[4096], b[4096];
    snprintf(a, sizeof a, "detect --json --no-save -w '%s' --conf 0.5 --iou 0.5 --max-det 3 "
             "--classes 0,5 --agnostic --imgsz 320,480 bus.jpg", weights());
    static const char *const forms[] = {
        "predict --json save=False model='%s' conf=0.5 iou=0.5 max_det=3 classes=[0,5] "
        "agnostic_nms=True imgsz=[320,480] source=bus.jpg",
        "detect predict --json save=false model='%s' conf = 0.5 iou= 0.5 max_det =3 "
        "classes=0,5 agnostic_nms imgsz='(320, 480)' bus.jpg",
        "detect --json model='%s' save=FALSE conf=.5 iou=5e-1 max_det=3 classes='[0, 5]' "
        "agnostic_nms=TRUE imgsz=320,480 task=detect mode=predict device=cpu half=False batch=1 "
        "source=bus.jpg",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        snprintf(b, sizeof b, forms[i], weights());
        same_stdout(a, b);
    }
    /* drawing keys: show_labels / show_conf / line_width against the hide options */
    ck_assert_int_eq(run("detect -w '%s' -o k2 imgsz=160 show_labels=False line_width=3 bus.jpg",
                         weights()), 0);
    ck_assert_int_eq(run("detect -w '%s' -o o2 --imgsz 160 --hide-labels --line-width 3 bus.jpg", weights()), 0);
    shell("cmp k2/bus.jpg o2/bus.jpg");
    ck_assert_int_eq(run("detect -w '%s' -o k3 imgsz=160 show_conf=False save_crop save_conf=True "
                         "save_txt=True save_json=True bus.jpg", weights()), 0);
    ck_assert_int_eq(run("detect -w '%s' -o o3 --imgsz 160 --hide-conf --save-crop --save-conf --save-txt "
                         "--save-json bus.jpg", weights()), 0);
    shell("diff -r k3 o3");
    /* project / name / exist_ok, and verbose=False as -q */
    ck_assert_int_eq(run("detect -w '%s' project=p name=run exist_ok=True verbose=False imgsz=160 bus.jpg",
                         weights()), 0);
    ck_assert_int_eq(run("detect -w '%s' project=p name=run exist_ok imgsz=160 bus.jpg", weights()), 0);
    ck_assert_int_eq(access(tmp_file("p/run/bus.jpg"), F_OK), 0);
    ck_assert_int_ne(access(tmp_file("p/run2"), F_OK), 0);
    ck_assert_int_eq(run("detect -w '%s' --no-save verbose=False imgsz=160 bus.jpg", weights()), 0);
    char *e = read_text(errpath);
    ck_assert_msg(e[0] == '\0', "verbose=False printed:\n%s", e);
    free(e);
}
END_TEST

/* A file named like an argument is a file; after "--" nothing is a key. */
START_TEST(files_that_look_like_keys)
{
    shell("cp '%s' 'conf=0.9.jpg' && cp '%s' save_txt", bus(), bus());
    ck_assert_int_eq(run("detect --no-save --imgsz 160 -w '%s' conf=0.9.jpg", weights()), 0);
    err_has("image 1/1 conf=0.9.jpg: 160x128 ");
    ck_assert_int_eq(run("detect --no-save --imgsz 160 -w '%s' save_txt", weights()), 0); /* read by content */
    err_has("image 1/1 save_txt: 160x128 ");
    ck_assert_int_eq(run("detect --no-save -w '%s' -- conf=0.5", weights()), 65);
    err_has("image 1/1 conf=0.5: error: No such file or directory");
    /* a path is not a key: dir/a=b.jpg */
    shell("mkdir d && cp '%s' 'd/a=b.jpg'", bus());
    ck_assert_int_eq(run("detect --no-save -w '%s' d/x=y.jpg", weights()), 65);
    err_has("image 1/1 d/x=y.jpg: error: No such file or directory");
}
END_TEST

/* Type and value errors in yolo's words, exit 64, nothing run. */
START_TEST(type_errors)
{
    static const char *const cases[][2] = {
        {"save_txt=1", "'save_txt=1' is of invalid type int. 'save_txt' must be a bool (i.e. "
                       "'save_txt=True' or 'save_txt=False')\n"},
        {"save_txt=yes", "'save_txt=yes' is of invalid type str. 'save_txt' must be a bool"},
        {"max_det=2.5", "'max_det=2.5' is of invalid type float. 'max_det' must be an int (i.e. "
                        "'max_det=8')\n"},
        {"conf=abc", "'conf=abc' is of invalid type str. Valid 'conf' types are int (i.e. "
                     "'conf=0') or float (i.e. 'conf=0.5')\n"},
        {"conf=1.5", "'conf=1.5': must be a number from 0 to 1\n"},
        {"iou=-1", "'iou=-1': must be a number from 0 to 1\n"},
        {"classes=[0,x]", "'classes=[0,x]' is of invalid type str. 'classes' must be an int or a "
                          "list of ints (i.e. 'classes=[0, 2]')\n"},
        {"classes=[0,80]", "--classes '0,80': must be class ids separated by commas"},
        {"imgsz=big", "'imgsz=big' is of invalid type str."},
        {"line_width=-1", "'line_width=-1': must be an integer from 0 to 1000\n"},
        {"conf", "'conf' is a valid YOLO argument but is missing an '=' sign to set its value, i.e. "
                 "try 'conf=0.25'\n"},
        {"conf=", "missing 'conf' value\n"},
        {"half=True", "'half=True': half precision (FP16) is not supported"},
        {"device=0", "'device=0': ghostyolo runs on the CPU only (device=cpu)\n"},
        {"batch=16", "'batch=16': ghostyolo runs one image at a time (batch=1)\n"},
        {"show=True", "'show=True': no window is shown"},
        {"mode=train", "'mode=train': ghostyolo detect is mode=predict\n"},
        {"task=segment", "'task=segment': ghostyolo detect is task=detect\n"},
        {"epochs=3", "'epochs' is a YOLO argument that ghostyolo detect does not take"},
        {"data=coco128.yaml", "'data' is a YOLO argument that ghostyolo detect does not take"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run("detect -w '%s' '%s' %s", weights(), bus(), cases[i][0]);
        ck_assert_msg(rc == 64, "%s: exit %d", cases[i][0], rc);
        char want[512];
        snprintf(want, sizeof want, "ghostyolo detect: %s", cases[i][1]);
        err_has(want);
        err_lacks("image 1/1");
    }
}
END_TEST

/* Unknown keys: refused with the close matches of difflib.get_close_matches(key, yolo's keys)
 * (n 3, cutoff 0.6), shown as yolo shows them (key=default when the default is not None). */
START_TEST(unknown_keys)
{
    static const char *const cases[][2] = {
        {"cnf", "['conf', 'cfg']"},
        {"imgsize", "['imgsz=640', 'optimize=False', 'visualize=False']"},
        {"save_text", "['save_txt=False', 'save=True', 'save_period=-1']"},
        {"clases", "['classes', 'classify', 'cls=0.5']"},
        {"max-det", "['max_det=300']"},
        {"hide_labels", "['show_labels=True']"},
        {"exists_ok", "['exist_ok=False']"},
        {"weights", "['weight_decay=0.0005']"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(run("detect -w '%s' %s=1 '%s'", weights(), cases[i][0], bus()), 64);
        char want[512];
        snprintf(want, sizeof want, "ghostyolo detect: '%s' is not a valid YOLO argument. Similar "
                 "arguments are i.e. %s. (see 'ghostyolo detect --help')\n", cases[i][0],
                 cases[i][1]);
        err_has(want);
    }
    ck_assert_int_eq(run("detect -w '%s' thres=0.5 '%s'", weights(), bus()), 64);
    err_has("ghostyolo detect: 'thres' is not a valid YOLO argument. (see 'ghostyolo detect --help')\n");
}
END_TEST

/* The other verbs take the keys of their options. */
START_TEST(other_verbs)
{
    /* info and stats: model= is a config or weights by content; imgsz= */
    same_stdout("info -m yolov8n.yaml --imgsz 320", "info model=yolov8n.yaml imgsz=320");
    char a[4096], b[4096];
    snprintf(a, sizeof a, "stats --json -w '%s' --imgsz 320", weights());
    snprintf(b, sizeof b, "stats --json model='%s' imgsz=320", weights());
    same_stdout(a, b);
    ck_assert_int_eq(run("info model=yolov8n.yaml source=bus.jpg"), 64);
    err_has("ghostyolo info: 'source' is a YOLO argument that ghostyolo info does not take");
    ck_assert_int_eq(run("stats model=yolov8n.yaml device=cpu"), 64);
    err_has("ghostyolo stats: 'device' is a YOLO argument that ghostyolo stats does not take");
    /* bench: model=, imgsz=, the fixed settings */
    ck_assert_int_eq(run("bench --json model=yolov8n.yaml imgsz=64 device=cpu half=False "
                         "--iters 1 --warmup 0 --threads 1"), 0);
    char *o = out_text();
    ck_assert_ptr_nonnull(strstr(o, "\"imgsz\":64"));
    ck_assert_ptr_nonnull(strstr(o, "\"synthetic_weights\":true"));
    free(o);
    ck_assert_int_eq(run("bench model=yolov8n.yaml imgsz=64 half=True"), 64);
    err_has("ghostyolo bench: 'half=True': half precision (FP16) is not supported");
    /* val: model=, data=, conf=, iou=, imgsz=, max_det=, on a one-image dataset */
    char names[2048] = "names: [";
    for (int i = 0; i < 80; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%sc%d", i ? ", " : "", i);
    strcat(names, "]\nval: images\n");
    shell("mkdir -p ds/images ds/labels && cp '%s' ds/images/bus.jpg && printf '5 0.5 0.5 0.9 "
          "0.5\\n0 0.2 0.6 0.2 0.5\\n' > ds/labels/bus.txt", bus());
    gy_test_write_text(tmp_file("ds/d.yaml"), names);
    snprintf(a, sizeof a, "val --json -t 1 -w '%s' --data ds/d.yaml --imgsz 320 --conf 0.01 "
             "--iou 0.6 --max-det 100", weights());
    snprintf(b, sizeof b, "detect val --json -t 1 model='%s' data=ds/d.yaml imgsz=320 conf=0.01 "
             "iou=0.6 max_det=100 mode=val batch=1", weights());
    same_stdout(a, b);
    snprintf(b, sizeof b, "val -w '%s' data=ds/d.yaml save_txt=True", weights());
    ck_assert_int_eq(run("%s", b), 64);
    err_has("ghostyolo val: 'save_txt' is a YOLO argument that ghostyolo val does not take");
}
END_TEST

/* help VERB prints that verb's help only; version. */
START_TEST(help_and_version)
{
    ck_assert_int_eq(run("help detect"), 0);
    char *o = out_text();
    ck_assert_int_eq(strncmp(o, "usage: ghostyolo detect ", 24), 0);
    ck_assert_int_eq(count_of(o, "usage: "), 1);
    ck_assert_ptr_nonnull(strstr(o, "[conf=X]"));
    ck_assert_ptr_nonnull(strstr(o, "[show_labels=False]"));
    free(o);
    ck_assert_int_eq(run("help predict"), 0);
    o = out_text();
    ck_assert_int_eq(strncmp(o, "usage: ghostyolo detect ", 24), 0);
    free(o);
    ck_assert_int_eq(run("help"), 0);
    o = out_text();
    ck_assert_int_eq(count_of(o, "usage: ghostyolo "), 9); /* the overview and the eight verbs */
    free(o);
    ck_assert_int_eq(run("help bogus"), 64);
    err_has("ghostyolo help: unknown verb 'bogus'");
    ck_assert_int_eq(run("version"), 0);
    o = out_text();
    ck_assert_str_eq(o, "ghostyolo " GY_VERSION_STRING "\n");
    free(o);
    ck_assert_int_eq(run("--version"), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli_keys");
    TCase *tc = tcase_create("cli_keys");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, detect_keys_equal_options);
    tcase_add_test(tc, files_that_look_like_keys);
    tcase_add_test(tc, type_errors);
    tcase_add_test(tc, unknown_keys);
    tcase_add_test(tc, other_verbs);
    tcase_add_test(tc, help_and_version);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

/* Model building against ultralytics: the per-row build tables and model.info() summaries in
 * ../shared/stats, weights binding and its errors, weights-only loading. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/graph.h"
#include "detector/model.h"
#include "runtime/plan.h"
#include "tables.h"
#include "testutil.h"

/* gy_graph_concat (core/graph.h): inputs that are whole storages of their own become slices of the
 * result with no op; a storage given twice is not its own slice, so both of its uses are copied. */
START_TEST(concat_aliases_whole_storages)
{
    gy_graph g;
    gy_graph_init(&g);
    int a = gy_graph_new_tensor(&g, 4), b = gy_graph_new_tensor(&g, 6);
    ck_assert(a >= 0 && b >= 0);
    const int ab[2] = {a, b};
    int out = gy_graph_concat(&g, 2, ab);
    ck_assert_int_ge(out, 0);
    ck_assert_int_eq(g.nops, 0);
    int root = g.tensors[out].storage, off = -1;
    ck_assert_int_eq(gy_graph_root(&g, g.tensors[a].storage, &off), root);
    ck_assert_int_eq(off, 0);
    ck_assert_int_eq(gy_graph_root(&g, g.tensors[b].storage, &off), root);
    ck_assert_int_eq(off, 4);
    int c = gy_graph_new_tensor(&g, 3);
    const int cc[2] = {c, c};
    ck_assert_int_ge(gy_graph_concat(&g, 2, cc), 0);
    ck_assert_int_eq(g.nops, 2);
    ck_assert_int_eq(g.ops[0].type, GY_OP_COPY);
    ck_assert_int_eq(g.ops[1].type, GY_OP_COPY);
    gy_graph_free(&g);
}
END_TEST

/* gy_plan_make: the per-channel operand of MUL_CH / ADD_CH (squeeze-and-excite's scale) must be
 * 1x1; one of H x 1, 1 x W or H x W is refused naming the row and its module, each side alone,
 * and a GAP's 1x1 output is taken. */
static gy_status plan_per_channel(gy_op_type type, int operand_is_gap, int h, int w, gy_error *err)
{
    gy_graph g;
    gy_graph_init(&g);
    int x = gy_graph_new_tensor(&g, 4), gap = gy_graph_new_tensor(&g, 4), out = gy_graph_new_tensor(&g, 4);
    ck_assert(x >= 0 && gap >= 0 && out >= 0);
    gy_op pool = {.type = GY_OP_GAP, .nin = 1, .in = {x}, .out = gap, .res = -1, .conv = -1};
    gy_op op = {.type = type, .nin = 2, .in = {x, operand_is_gap ? gap : x}, .out = out,
                .res = -1, .conv = -1};
    g.cur_row = 1; /* gy_graph_add_op records the row being built */
    ck_assert(gy_graph_add_op(&g, &pool) >= 0);
    g.cur_row = 2;
    ck_assert(gy_graph_add_op(&g, &op) >= 0);
    g.input = x;
    g.output = out;
    g.nrows = 3;
    g.row_names = calloc(3, sizeof *g.row_names);
    ck_assert_ptr_nonnull(g.row_names);
    snprintf(g.row_names[2], sizeof g.row_names[2], "SE");
    gy_plan p;
    gy_status st = gy_plan_make(&g, h, w, &p, err);
    if (st == GY_OK)
        gy_plan_free(&p);
    gy_graph_free(&g);
    return st;
}

START_TEST(per_channel_operand_is_1x1)
{
    static const gy_op_type types[2] = {GY_OP_MUL_CH, GY_OP_ADD_CH};
    static const int sizes[3][2] = {{5, 1}, {1, 7}, {5, 7}};
    for (int t = 0; t < 2; t++) {
        gy_error err;
        ck_assert_msg(plan_per_channel(types[t], 1, 5, 7, &err) == GY_OK, "%s", err.message);
        for (int k = 0; k < 3; k++) {
            memset(&err, 0, sizeof err);
            ck_assert_int_eq(plan_per_channel(types[t], 0, sizes[k][0], sizes[k][1], &err),
                             GY_ERR_MISMATCH);
            char want[96];
            snprintf(want, sizeof want, "row 2 (SE): a per-channel operand of %dx%d", sizes[k][0], sizes[k][1]);
            ck_assert_str_eq(err.message, want);
        }
    }
}
END_TEST

/* A shape error names the row of the op: "row R (Module)" when the graph has row names and R is
 * one of its rows, else "row R" (no names; R at the row count; R = -1). An ADD of the input and
 * its global pool (5x7 and 1x1) disagrees. What it blames depends on whether a Detect head
 * after it has its strides (stride 8, as model loading sets them after its probe: the input
 * size) or not (0, the probe itself, or -1, no head: the model's wiring). */
static void plan_add_mismatch_at(int row, int names, int stride, const char *want)
{
    gy_graph g;
    gy_graph_init(&g);
    int x = gy_graph_new_tensor(&g, 4), gap = gy_graph_new_tensor(&g, 4), out = gy_graph_new_tensor(&g, 4);
    ck_assert(x >= 0 && gap >= 0 && out >= 0);
    gy_op pool = {.type = GY_OP_GAP, .nin = 1, .in = {x}, .out = gap, .res = -1, .conv = -1};
    gy_op add = {.type = GY_OP_ADD, .nin = 2, .in = {x, gap}, .out = out, .res = -1, .conv = -1};
    g.cur_row = 0;
    ck_assert(gy_graph_add_op(&g, &pool) >= 0);
    g.cur_row = row;
    ck_assert(gy_graph_add_op(&g, &add) >= 0);
    g.input = x;
    g.output = out;
    if (stride >= 0) {
        int det = gy_graph_new_tensor(&g, 4);
        ck_assert(det >= 0);
        gy_op head = {.type = GY_OP_DETECT, .nin = 1, .in = {out}, .out = det, .res = -1,
                      .conv = -1, .strides = {stride}};
        ck_assert(gy_graph_add_op(&g, &head) >= 0);
        g.output = det;
    }
    g.nrows = 3;
    if (names) {
        g.row_names = calloc(3, sizeof *g.row_names);
        ck_assert_ptr_nonnull(g.row_names);
        for (int i = 0; i < 3; i++)
            snprintf(g.row_names[i], sizeof g.row_names[i], "M%d", i);
    }
    gy_plan p;
    gy_error err;
    ck_assert_int_eq(gy_plan_make(&g, 5, 7, &p, &err), GY_ERR_ARGUMENT);
    char full[256];
    if (stride > 0)
        snprintf(full, sizeof full, "%s: inputs 5x7 and 1x1 (this input size does not suit the "
                 "model's strides; a multiple of its largest stride always does)", want);
    else
        snprintf(full, sizeof full, "%s: inputs 5x7 and 1x1 (the model joins maps of different "
                 "sizes: check the from indices, strides and upsampling of the rows before)", want);
    ck_assert_str_eq(err.message, full);
    gy_graph_free(&g);
}

static void plan_add_mismatch(int row, int names, const char *want)
{
    static const int strides[] = {-1, 0, 8};
    for (int i = 0; i < 3; i++)
        plan_add_mismatch_at(row, names, strides[i], want);
}

/* gy_plan_make's arena: biggest storage first, each at the lowest offset clear of the placed
 * storages whose lifetimes (first write .. last read) overlap its own; two that only touch
 * (one ends where the other starts) do not overlap. A chain of copies on a 4x4 input: x (1
 * channel, 16 floats) -> A (4, 64) -> B (4, 64) -> C (4, 64) -> D (1, 16). A goes at 0, B (lives
 * with A) at 64, C (lives with B only) at 0, right below B; x (with A) at 64, D (with C) at 64:
 * 128 floats in all. */
START_TEST(arena_lowest_offset_that_fits)
{
    gy_graph g;
    gy_graph_init(&g);
    static const int ch[5] = {1, 4, 4, 4, 1};
    int t[5];
    for (int i = 0; i < 5; i++) {
        t[i] = gy_graph_new_tensor(&g, ch[i]);
        ck_assert(t[i] >= 0);
    }
    for (int i = 0; i < 4; i++) {
        gy_op op = {.type = GY_OP_COPY, .nin = 1, .in = {t[i]}, .out = t[i + 1], .res = -1,
                    .conv = -1};
        ck_assert(gy_graph_add_op(&g, &op) >= 0);
    }
    g.input = t[0];
    g.output = t[4];
    gy_plan p;
    gy_error err;
    ck_assert_msg(gy_plan_make(&g, 4, 4, &p, &err) == GY_OK, "%s", err.message);
    static const size_t want[5] = {64, 0, 64, 0, 64};
    for (int i = 0; i < 5; i++)
        ck_assert_msg(p.toff[t[i]] == want[i], "tensor %d at %zu, want %zu", i, p.toff[t[i]],
                      want[i]);
    ck_assert_uint_eq(p.arena_floats, 128);
    gy_plan_free(&p);
    gy_graph_free(&g);
}
END_TEST

START_TEST(shape_error_names_the_row)
{
    plan_add_mismatch(2, 1, "row 2 (M2)");
    plan_add_mismatch(0, 1, "row 0 (M0)");
    plan_add_mismatch(2, 0, "row 2");
    plan_add_mismatch(3, 1, "row 3");
    plan_add_mismatch(-1, 1, "row -1");
}
END_TEST

START_TEST(yolov8_tables_nc80)
{
    static const struct { const char *config, *table, *key; } cases[] = {
        {"configs/yolov8n.yaml", "stats/yolov8n_nc80.layers.txt", "yolov8n_nc80"},
        {"configs/yolov8s.yaml", "stats/yolov8s_nc80.layers.txt", "yolov8s_nc80"},
        {"configs/yolov8m.yaml", "stats/yolov8m_nc80.layers.txt", "yolov8m_nc80"},
    };
    cJSON *j = gy_test_expected_table();
    for (size_t i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", GY_SOURCE_DIR, cases[i].config); /* resolves to yolov8.yaml */
        gy_model *m = gy_test_load(path, NULL, NULL, 80);
        gy_model_info info;
        gy_model_get_info(m, &info);
        char scale[2] = {cases[i].key[6], 0};
        ck_assert_str_eq(info.scale, scale);
        ck_assert_str_eq(info.scale_source, "file name");
        gy_test_check_rows(m, cases[i].table);
        gy_test_check_summary(m, cases[i].key, gy_test_expected_entry(j, "extra", cases[i].key));
        gy_model_free(m);
    }
    cJSON_Delete(j);
}
END_TEST

/* The l and x scales, against the summaries ultralytics prints in its yolov8.yaml (model.info(),
 * unfused, nc 80, GFLOPs to one decimal). At x the Detect box branch is ch0 / 4 = 80 wide, the
 * only scale where that term beats 4 * reg_max = 64. */
START_TEST(yolov8_l_x_summaries)
{
    static const struct { const char *scale; long long layers, params, grads; const char *gflops; } cases[] = {
        {"l", 365, 43691520, 43691504, "165.7"},
        {"x", 365, 68229648, 68229632, "258.5"},
    };
    for (size_t i = 0; i < 2; i++) {
        gy_model *m = gy_test_load(gy_test_source("configs/yolov8.yaml"), NULL, cases[i].scale, 80);
        gy_model_summary sum;
        gy_error err;
        ck_assert_msg(gy_model_get_summary(m, 0, 640, &sum, &err) == GY_OK, "%s", err.message);
        ck_assert_int_eq(sum.layers, cases[i].layers);
        ck_assert_int_eq(sum.params, cases[i].params);
        ck_assert_int_eq(sum.gradients, cases[i].grads);
        char g[32];
        snprintf(g, sizeof g, "%.1f", sum.gflops);
        ck_assert_str_eq(g, cases[i].gflops);
        gy_model_free(m);
    }
}
END_TEST

START_TEST(yolov8s_table_nc1)
{
    cJSON *j = gy_test_expected_table();
    gy_model *m = gy_test_load(gy_test_shared("configs/yolov8s.yaml"), NULL, NULL, 1);
    gy_test_check_rows(m, "stats/YOLOv8s.layers.txt");
    gy_test_check_summary(m, "YOLOv8s", gy_test_expected_entry(j, "table", "YOLOv8s"));
    gy_model_free(m);
    cJSON_Delete(j);
}
END_TEST

START_TEST(weights_only_load)
{
    /* The official checkpoint carries its YAML (depth_multiple/width_multiple) and class names. */
    gy_model *m = gy_test_load(NULL, gy_test_shared("weights/yolov8n.safetensors"), NULL, 0);
    gy_model_info info;
    gy_model_get_info(m, &info);
    ck_assert_int_eq(info.nc, 80);
    ck_assert_int_eq(info.has_weights, 1);
    ck_assert_int_eq(info.num_strides, 3);
    ck_assert_int_eq(info.strides[0], 8);
    ck_assert_int_eq(info.strides[2], 32);
    ck_assert_double_eq_tol(info.depth, 0.33, 1e-12);
    ck_assert_str_eq(gy_model_class_name(m, 0), "person");
    ck_assert_str_eq(gy_model_class_name(m, 5), "bus");
    ck_assert_str_eq(gy_model_class_name(m, 79), "toothbrush");
    ck_assert_ptr_null(gy_model_class_name(m, 80));
    ck_assert_ptr_null(gy_model_class_name(m, -1));
    gy_model_free(m);
    /* without names: ultralytics' class<i> */
    m = gy_test_load(gy_test_shared("parity/v8n_640/model.yaml"), NULL, NULL, 0);
    ck_assert_str_eq(gy_model_class_name(m, 7), "class7");
    gy_session *s;
    gy_error err;
    ck_assert_int_eq(gy_session_create(m, NULL, &s, &err), GY_OK);
    float x[3 * 32 * 32] = {0};
    gy_output out;
    ck_assert_int_eq(gy_forward(s, x, 32, 32, &out, &err), GY_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(err.message, "without weights"));
    gy_session_free(s);
    gy_model_free(m);
}
END_TEST

START_TEST(weights_wrong_scale)
{
    /* yolov8n weights with the s-scale graph: shape mismatch named */
    gy_model_params p = gy_model_default_params();
    p.scale = "s";
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"),
                                 gy_test_shared("weights/yolov8n.safetensors"), &p, &m, &err);
    ck_assert_int_eq(st, GY_ERR_MISMATCH);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(err.message, "yolov8n.safetensors"));
    ck_assert_ptr_nonnull(strstr(err.message, "wrong shape"));
    ck_assert_ptr_nonnull(strstr(err.message, "model.0.conv.weight has shape [16, 3, 3, 3], the model needs [32, 3, 3, 3]"));
    /* nc mismatch: class branch shapes differ */
    p.scale = NULL;
    p.nc = 3;
    st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"),
                       gy_test_shared("weights/yolov8n.safetensors"), &p, &m, &err);
    ck_assert_int_eq(st, GY_ERR_MISMATCH);
    char want[1200];
    snprintf(want, sizeof want, "%s: the weights have 80 classes (Detect model.22.cv3.0.2 has 80 "
             "outputs), the config asks for 3", gy_test_shared("weights/yolov8n.safetensors"));
    ck_assert_str_eq(err.message, want);
    /* and from the weights' own YAML, .pt or safetensors */
    const char *const files[] = {gy_test_shared("weights/yolov8n.pt"),
                                 gy_test_shared("weights/yolov8s.safetensors")};
    for (int i = 0; i < 2; i++) {
        p.nc = 1;
        ck_assert_int_eq(gy_model_load(NULL, files[i], &p, &m, &err), GY_ERR_MISMATCH);
        snprintf(want, sizeof want, "%s: the weights have 80 classes (Detect model.22.cv3.0.2 has "
                 "80 outputs), the config asks for 1", files[i]);
        ck_assert_str_eq(err.message, want);
    }
    /* the class count that fits loads */
    p.nc = 80;
    ck_assert_int_eq(gy_model_load(NULL, files[0], &p, &m, &err), GY_OK);
    gy_model_free(m);
}
END_TEST

/* How many "model.99." names a message part lists. */
static int count_of_names(const char *text)
{
    int n = 0;
    for (const char *p = strstr(text, "model.99."); p; p = strstr(p + 1, "model.99."))
        n++;
    return n;
}

/* Writes a copy of a safetensors file with the header edited by `edit` and `extra` zero bytes
 * after the data. */
static void rewrite_plus(const char *src, const char *dst, void (*edit)(cJSON *), size_t extra)
{
    size_t size;
    unsigned char *buf = gy_test_read(src, &size);
    size_t n;
    cJSON *j = gy_test_st_header(buf, size, &n);
    edit(j);
    char *out = cJSON_PrintUnformatted(j);
    unsigned long long m = strlen(out);
    FILE *f = fopen(dst, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 8; i++)
        fputc((int)(m >> (8 * i)) & 0xff, f);
    fwrite(out, 1, m, f);
    fwrite(buf + 8 + n, 1, size - 8 - n, f);
    for (size_t i = 0; i < extra; i++)
        fputc(0, f);
    fclose(f);
    free(out);
    cJSON_Delete(j);
    free(buf);
}

static void rewrite(const char *src, const char *dst, void (*edit)(cJSON *))
{
    rewrite_plus(src, dst, edit, 0);
}

static void rename_two(cJSON *j)
{
    cJSON *a = cJSON_DetachItemFromObject(j, "model.0.conv.weight");
    cJSON_AddItemToObject(j, "model.0.conv.weigth", a);
    cJSON *b = cJSON_DetachItemFromObject(j, "model.22.dfl.conv.weight");
    cJSON_AddItemToObject(j, "model.22.dfl.extra", b);
}

/* Detect's box branch (cv2.<level>.2, 4 x reg_max outputs) is not a class branch: its last conv
 * reshaped to [32, 128, 1, 1] (the same 4096 floats) is a wrong shape, said as such, not a class
 * count (only cv3.<level>.2 tells the weights' classes). */
static void reshape_box_conv(cJSON *j)
{
    cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "model.22.cv2.0.2.weight");
    ck_assert_ptr_nonnull(t);
    cJSON *shape = cJSON_GetObjectItemCaseSensitive(t, "shape");
    ck_assert_int_eq(cJSON_GetArrayItem(shape, 0)->valueint, 64);
    ck_assert_int_eq(cJSON_GetArrayItem(shape, 1)->valueint, 64);
    cJSON_ReplaceItemInArray(shape, 0, cJSON_CreateNumber(32));
    cJSON_ReplaceItemInArray(shape, 1, cJSON_CreateNumber(128));
}

START_TEST(weights_box_branch_is_no_class_count)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_box_%d.safetensors", (int)getpid());
    rewrite(gy_test_shared("parity/v8n_640/weights.safetensors"), path, reshape_box_conv);
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"), path, NULL, &m, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_MISMATCH);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, "model.22.cv2.0.2.weight has shape [32, 128, 1, 1], the model "
                                      "needs [64, 64, 1, 1]") && !strstr(err.message, "classes"),
                  "%s", err.message);
}
END_TEST

/* The lists of names fill what is left of the message (GY_ERROR_MESSAGE_MAX bytes with its NUL),
 * whole names only: a name that would not fit is counted, "(and 1 more)", never cut. With the
 * message before the name P bytes long, a name of 1022 - P characters is listed (P + name + the
 * NUL, with room for a ';' kept), one of 1023 - P only counted. */
static int long_name_len;

static void rename_dfl_long(cJSON *j)
{
    char name[1100];
    memset(name, 'x', sizeof name);
    name[long_name_len] = '\0';
    cJSON *b = cJSON_DetachItemFromObject(j, "model.22.dfl.conv.weight");
    cJSON_AddItemToObject(j, name, b);
}

START_TEST(weights_unexpected_long_name)
{
    char path[64], head[256];
    snprintf(path, sizeof path, "/tmp/gy_test_model_long_%d.safetensors", (int)getpid());
    int p = snprintf(head, sizeof head, "%s: the weights do not fit the model: 1 missing: "
                     "model.22.dfl.conv.weight; 1 unexpected: ", path);
    for (long_name_len = 1022 - p; long_name_len <= 1023 - p; long_name_len++) {
        rewrite(gy_test_shared("parity/v8n_640/weights.safetensors"), path, rename_dfl_long);
        gy_model *m = NULL;
        gy_error err;
        gy_status st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"), path, NULL, &m,
                                     &err);
        remove(path);
        ck_assert_int_eq(st, GY_ERR_MISMATCH);
        ck_assert_msg(strncmp(err.message, head, (size_t)p) == 0, "%s", err.message);
        const char *rest = err.message + p;
        if (long_name_len == 1022 - p) {
            ck_assert_int_eq((int)strlen(rest), long_name_len);
            ck_assert_int_eq((int)strspn(rest, "x"), long_name_len);
        } else {
            ck_assert_str_eq(rest, "(and 1 more)");
        }
    }
}
END_TEST

/* Many names: as many whole ones as fit, then how many more; the missing list leaves the
 * unexpected one room (half of what is left each). */
static void rename_many(cJSON *j)
{
    const char *drop[] = {"model.22.dfl.conv.weight", "model.0.conv.weight", "model.0.bn.weight",
                          "model.0.bn.bias", "model.0.bn.running_mean", "model.0.bn.running_var"};
    for (int k = 0; k < 6; k++) {
        cJSON *b = cJSON_DetachItemFromObject(j, drop[k]);
        ck_assert_ptr_nonnull(b);
        char name[300];
        snprintf(name, sizeof name, "model.99.a_rather_long_module_name_%d_%0200d.weight", k, 0);
        cJSON_AddItemToObject(j, name, b);
    }
}

START_TEST(weights_name_lists_capped)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_many_%d.safetensors", (int)getpid());
    rewrite(gy_test_shared("parity/v8n_640/weights.safetensors"), path, rename_many);
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"), path, NULL, &m, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_MISMATCH);
    printf("%s\n", err.message);
    ck_assert_msg(strstr(err.message, " 6 missing: model.0.conv.weight, model.0.bn.weight, "
                                      "model.0.bn.bias, model.0.bn.running_mean, "
                                      "model.0.bn.running_var, model.22.dfl.conv.weight;"), "%s",
                  err.message);
    /* 246-character names: whole ones while they fit, then the count; one more would not fit
     * (its ", " and the NUL) */
    const char *u = strstr(err.message, " 6 unexpected: ");
    ck_assert_ptr_nonnull(u);
    int shown = count_of_names(u);
    ck_assert_int_ge(shown, 1);
    char more[32];
    snprintf(more, sizeof more, " (and %d more)", 6 - shown);
    size_t len = strlen(err.message), name_len = strlen("model.99.a_rather_long_module_name_0_") +
                                                  200 + strlen(".weight");
    ck_assert_msg(len > strlen(more) && strcmp(err.message + len - strlen(more), more) == 0, "%s",
                  err.message);
    ck_assert_uint_gt(len - strlen(more) + 2 + name_len + 1, GY_ERROR_MESSAGE_MAX - strlen(more));
    /* no name cut: every listed one ends in ".weight" */
    for (const char *p = strstr(u, "model.99."); p; p = strstr(p + 1, "model.99."))
        ck_assert_int_eq(strncmp(p + name_len - 7, ".weight", 7), 0);
}
END_TEST

/* One tensor more than the model has, named "extra_" and 40 'e's (longer than "(and 1 more)"),
 * 4 bytes after the data. */
#define EXTRA_NAME "extra_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

static void add_extra(cJSON *j)
{
    long long end = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, j)
    {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
        if (cJSON_IsArray(o) && (long long)cJSON_GetArrayItem(o, 1)->valuedouble > end)
            end = (long long)cJSON_GetArrayItem(o, 1)->valuedouble;
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "dtype", "F32");
    cJSON *shape = cJSON_AddArrayToObject(e, "shape");
    cJSON_AddItemToArray(shape, cJSON_CreateNumber(1));
    cJSON *off = cJSON_AddArrayToObject(e, "data_offsets");
    cJSON_AddItemToArray(off, cJSON_CreateNumber((double)end));
    cJSON_AddItemToArray(off, cJSON_CreateNumber((double)end + 4));
    cJSON_AddItemToObject(j, EXTRA_NAME, e);
}

/* The list's head is written only with room for its count: a file path that leaves exactly
 * room for " 1 unexpected: (and 1 more);" and the NUL gets them (the name does not fit; the last
 * ';' is dropped, as always), one byte longer gets neither, and the message never runs past its
 * buffer (GY_ERROR_MESSAGE_MAX with the NUL). With room to spare the name is listed. */
START_TEST(weights_list_head_at_the_bound)
{
    static const char why[] = ": the weights do not fit the model:";
    static const char list[] = " 1 unexpected: (and 1 more)"; /* its ';' dropped at the end */
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/gy_test_model_deep_%d", (int)getpid());
    for (int extra = 0; extra <= 1; extra++) {
        /* the path: dir / 200-character components / a name that makes it exactly `len` long */
        size_t len = GY_ERROR_MESSAGE_MAX - 1 - sizeof list - (sizeof why - 1) + (size_t)extra;
        char path[1200], cmd[1400];
        size_t n = (size_t)snprintf(path, sizeof path, "%s", dir);
        while (len - n > 220) {
            n += (size_t)snprintf(path + n, sizeof path - n, "/%0200d", 0);
            snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
            ck_assert_int_eq(system(cmd), 0);
        }
        size_t name = len - n - 1 - (sizeof ".safetensors" - 1);
        path[n++] = '/';
        memset(path + n, 'w', name);
        snprintf(path + n + name, sizeof path - n - name, ".safetensors");
        ck_assert_uint_eq(strlen(path), len);
        rewrite_plus(gy_test_shared("parity/v8n_640/weights.safetensors"), path, add_extra, 4);
        gy_model *m = NULL;
        gy_error err;
        gy_status st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"), path, NULL, &m,
                                     &err);
        remove(path);
        ck_assert_int_eq(st, GY_ERR_MISMATCH);
        char want[1400];
        snprintf(want, sizeof want, "%s%s%s", path, why, extra == 0 ? list : "");
        ck_assert_uint_lt(strlen(err.message), GY_ERROR_MESSAGE_MAX);
        ck_assert_msg(strcmp(err.message, want) == 0, "path of %zu: ...%s (%zu bytes, want %zu)", len,
                      err.message + len, strlen(err.message), strlen(want));
    }
    /* room to spare: the name itself */
    char path[128];
    snprintf(path, sizeof path, "%s/short.safetensors", dir);
    rewrite_plus(gy_test_shared("parity/v8n_640/weights.safetensors"), path, add_extra, 4);
    gy_model *m = NULL;
    gy_error err;
    ck_assert_int_eq(gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"), path, NULL, &m, &err),
                     GY_ERR_MISMATCH);
    char want[400];
    snprintf(want, sizeof want, "%s%s 1 unexpected: " EXTRA_NAME, path, why);
    ck_assert_str_eq(err.message, want);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(weights_missing_and_unexpected)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_%d.safetensors", (int)getpid());
    rewrite(gy_test_shared("parity/v8n_640/weights.safetensors"), path, rename_two);
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(gy_test_shared("parity/v8n_640/model.yaml"), path, NULL, &m, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_MISMATCH);
    ck_assert_msg(strstr(err.message, "2 missing: model.0.conv.weight, model.22.dfl.conv.weight") != NULL,
                  "%s", err.message);
    ck_assert_msg(strstr(err.message, "2 unexpected: model.0.conv.weigth, model.22.dfl.extra") != NULL,
                  "%s", err.message);
}
END_TEST

/* SPPF(c1, c2, k): the pool size is the argument after the channels; an even k would change the
 * shape (pad k // 2 on both sides) and is refused, an odd one is accepted. */
START_TEST(sppf_pool_size_argument)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_sppf_%d.yaml", (int)getpid());
    gy_test_write_text(path, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                             "  - [-1, 1, SPPF, [16, 4]]\nhead:\n  - [[1], 1, Detect, [nc]]\n");
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(path, NULL, NULL, &m, &err);
    ck_assert_int_eq(st, GY_ERR_UNSUPPORTED);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, "even pool size 4") != NULL, "%s", err.message);
    gy_test_write_text(path, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                             "  - [-1, 1, SPPF, [16, 3]]\nhead:\n  - [[1], 1, Detect, [nc]]\n");
    st = gy_model_load(path, NULL, NULL, &m, &err);
    remove(path);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    gy_model_free(m);
}
END_TEST

/* Conv's 8th argument (c1, c2, k, s, p, g, d, act): act=False gives ultralytics' nn.Identity (no
 * activation, one more torch module than a Conv on the shared default SiLU). */
START_TEST(conv_act_false)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_act_%d.yaml", (int)getpid());
    gy_test_write_text(path, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2, None, 1, 1, False]]\n"
                             "  - [-1, 1, Conv, [16, 3, 2, None, 1, 1, True]]\n"
                             "  - [-1, 1, Conv, [16, 3, 2]]\nhead:\n  - [[2], 1, Detect, [nc]]\n");
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(path, NULL, NULL, &m, &err);
    remove(path);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    static const char *const names[3] = {"model.0.conv.weight", "model.1.conv.weight",
                                         "model.2.conv.weight"};
    static const gy_act want[3] = {GY_ACT_NONE, GY_ACT_SILU, GY_ACT_SILU};
    for (int r = 0; r < 3; r++) {
        int found = 0;
        for (int i = 0; i < m->graph.nops; i++) {
            const gy_op *op = &m->graph.ops[i];
            if (op->type != GY_OP_CONV || strcmp(m->graph.convs[op->conv].wname, names[r]) != 0)
                continue;
            found++;
            ck_assert_msg(op->act == want[r], "%s: activation %d, expected %d", names[r],
                          (int)op->act, (int)want[r]);
        }
        ck_assert_msg(found == 1, "%s: %d conv ops", names[r], found);
    }
    /* Conv + Conv2d + BatchNorm2d + Identity vs Conv + Conv2d + BatchNorm2d */
    ck_assert_int_eq(m->rows[0].modules_unfused, 4);
    ck_assert_int_eq(m->rows[1].modules_unfused, 3);
    ck_assert_int_eq(m->rows[2].modules_unfused, 3);
    gy_model_free(m);
}
END_TEST

/* A repeated module's shortcut (the row's argument 2; args[3] once parse_model has put in c1 and
 * n) must be a boolean, for C3Ghost (which ignores it, as ultralytics does) as for C2f; the
 * message numbers it as the row is written. */
START_TEST(shortcut_must_be_boolean)
{
    static const char *const modules[2] = {"C2f", "C3Ghost"};
    char path[64], text[256];
    snprintf(path, sizeof path, "/tmp/gy_test_model_sc_%d.yaml", (int)getpid());
    for (int i = 0; i < 2; i++) {
        for (int bad = 0; bad < 2; bad++) {
            snprintf(text, sizeof text, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                     "  - [-1, 1, %s, [16, %s]]\nhead:\n  - [[1], 1, Detect, [nc]]\n",
                     modules[i], bad ? "0.5" : "False");
            gy_test_write_text(path, text);
            gy_model *m = NULL;
            gy_error err;
            gy_status st = gy_model_load(path, NULL, NULL, &m, &err);
            if (bad) {
                ck_assert_msg(st == GY_ERR_FORMAT, "%s shortcut 0.5: status %d (%s)", modules[i],
                              (int)st, st == GY_OK ? "accepted" : err.message);
                ck_assert_msg(strstr(err.message, ":4:") != NULL &&
                              strstr(err.message, "(row 1): argument 2 must be True or False") != NULL,
                              "%s", err.message);
                ck_assert_ptr_null(m);
            } else {
                ck_assert_msg(st == GY_OK, "%s shortcut False: %s", modules[i], err.message);
                gy_model_free(m);
            }
        }
    }
    remove(path);
}
END_TEST

START_TEST(config_errors_reach_the_caller)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_%d.yaml", (int)getpid());
    gy_test_write_text(path, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                             "  - [-1, 1, Frobnicate, [16]]\nhead:\n  - [[0], 1, Detect, [nc]]\n");
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(path, NULL, NULL, &m, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(err.message, ":4: unknown module 'Frobnicate'") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_model_load(NULL, NULL, NULL, &m, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_model_load("/nonexistent/x.yaml", NULL, NULL, &m, &err), GY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/x.yaml"));
}
END_TEST

/* The edges of what the builders and the planner accept: a C2f of 2 output channels (c = 1), a
 * C3Ghost with e = 4 (the largest), and a 2x upsample to exactly 65536 pixels per side. */
START_TEST(smallest_and_largest_accepted)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_edge_%d.yaml", (int)getpid());
    gy_test_write_text(path, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                             "  - [-1, 1, C2f, [2, True]]\n"
                             "  - [-1, 1, C3Ghost, [16, True, 1, 4.0]]\n"
                             "head:\n  - [[2], 1, Detect, [nc]]\n");
    gy_model *m = gy_test_load(path, NULL, NULL, 0);
    gy_row_info r;
    ck_assert_int_eq(gy_model_get_row(m, 2, &r), GY_OK);
    ck_assert_str_eq(r.module, "ultralytics.nn.modules.block.C3Ghost");
    gy_model_free(m);
    gy_test_write_text(path, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                             "  - [-1, 1, nn.Upsample, [None, 2, 'nearest']]\n"
                             "  - [-1, 1, Conv, [16, 3, 2]]\n"
                             "head:\n  - [[2], 1, Detect, [nc]]\n");
    m = gy_test_load(path, NULL, NULL, 0);
    remove(path);
    gy_plan p;
    gy_error err;
    ck_assert_msg(gy_plan_make(&m->graph, 32, GY_PLAN_MAX_SIDE, &p, &err) == GY_OK, "%s",
                  err.message);
    ck_assert_int_eq(p.tw[m->graph.ops[1].out], GY_PLAN_MAX_SIDE);
    gy_plan_free(&p);
    ck_assert_msg(gy_plan_make(&m->graph, GY_PLAN_MAX_SIDE, 32, &p, &err) == GY_OK, "%s",
                  err.message);
    ck_assert_int_eq(p.th[m->graph.ops[1].out], GY_PLAN_MAX_SIDE);
    gy_plan_free(&p);
    gy_model_free(m);
}
END_TEST

/* Sizes that would overflow: found by fuzzing the YAML -> graph -> plan path. */
START_TEST(absurd_sizes_are_refused)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_model_%d.yaml", (int)getpid());
    /* four 64x upsamples of a 128x128 map: 2^31 pixels per side */
    gy_test_write_text(path, "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n"
                             "  - [-1, 1, nn.Upsample, [None, 64, 'nearest']]\n"
                             "  - [-1, 1, nn.Upsample, [None, 64, 'nearest']]\n"
                             "  - [-1, 1, nn.Upsample, [None, 64, 'nearest']]\n"
                             "  - [-1, 1, nn.Upsample, [None, 64, 'nearest']]\n"
                             "head:\n  - [[4], 1, Detect, [nc]]\n");
    gy_model *m = NULL;
    gy_error err;
    gy_status st = gy_model_load(path, NULL, NULL, &m, &err);
    ck_assert_int_eq(st, GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "row 2 (nn.Upsample): upsampling 8192x8192 by 64 exceeds "
                                      "65536 pixels per side") != NULL, "%s", err.message);
    /* channels doubling by concatenation: 16 * 2^13 > 65536 */
    char yaml[2048] = "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n";
    for (int i = 0; i < 13; i++)
        strcat(yaml, "  - [[-1, -1], 1, Concat, [1]]\n");
    strcat(yaml, "head:\n  - [[13], 1, Detect, [nc]]\n");
    gy_test_write_text(path, yaml);
    st = gy_model_load(path, NULL, NULL, &m, &err);
    remove(path);
    ck_assert_int_eq(st, GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, ":16: Concat gives 131072 channels, more than 65536") != NULL,
                  "%s", err.message);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, concat_aliases_whole_storages);
    tcase_add_test(tc, per_channel_operand_is_1x1);
    tcase_add_test(tc, shape_error_names_the_row);
    tcase_add_test(tc, arena_lowest_offset_that_fits);
    tcase_add_test(tc, smallest_and_largest_accepted);
    tcase_add_test(tc, yolov8_tables_nc80);
    tcase_add_test(tc, yolov8s_table_nc1);
    tcase_add_test(tc, yolov8_l_x_summaries);
    tcase_add_test(tc, weights_only_load);
    tcase_add_test(tc, weights_wrong_scale);
    tcase_add_test(tc, weights_missing_and_unexpected);
    tcase_add_test(tc, weights_unexpected_long_name);
    tcase_add_test(tc, weights_box_branch_is_no_class_count);
    tcase_add_test(tc, weights_name_lists_capped);
    tcase_add_test(tc, weights_list_head_at_the_bound);
    tcase_add_test(tc, sppf_pool_size_argument);
    tcase_add_test(tc, conv_act_false);
    tcase_add_test(tc, shortcut_must_be_boolean);
    tcase_add_test(tc, config_errors_reach_the_caller);
    tcase_add_test(tc, absurd_sizes_are_refused);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}

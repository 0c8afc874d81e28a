#include "core/graph.h"

#include <stdlib.h>
#include <string.h>

/* Grows *arr (of elem bytes each) so that index n fits; returns 0 on failure. */
static int grow(void **arr, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return 1;
    int ncap = *cap ? *cap * 2 : 64;
    while (ncap <= n)
        ncap *= 2;
    void *p = realloc(*arr, (size_t)ncap * elem);
    if (!p)
        return 0;
    *arr = p;
    *cap = ncap;
    return 1;
}

void gy_graph_init(gy_graph *g)
{
    memset(g, 0, sizeof *g);
    g->input = -1;
    g->output = -1;
}

void gy_graph_free(gy_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->nconvs; i++) {
        free(g->convs[i].w);
        free(g->convs[i].b);
        free(g->convs[i].wpack);
    }
    free(g->ops);
    free(g->row_names);
    free(g->tensors);
    free(g->storages);
    free(g->convs);
    gy_graph_init(g);
}

static int new_storage(gy_graph *g, int c)
{
    if (!grow((void **)&g->storages, &g->cap_storages, g->nstorages, sizeof *g->storages))
        return -1;
    g->storages[g->nstorages] = (gy_storage){.c = c, .parent = -1, .c_off = 0, .row = g->cur_row};
    return g->nstorages++;
}

static int new_view(gy_graph *g, int storage, int c_off, int c)
{
    if (!grow((void **)&g->tensors, &g->cap_tensors, g->ntensors, sizeof *g->tensors))
        return -1;
    g->tensors[g->ntensors] = (gy_tensor){.storage = storage, .c_off = c_off, .c = c};
    return g->ntensors++;
}

int gy_graph_new_tensor(gy_graph *g, int c)
{
    int s = new_storage(g, c);
    return s < 0 ? -1 : new_view(g, s, 0, c);
}

int gy_graph_slice(gy_graph *g, int t, int c_off, int c)
{
    gy_tensor src = g->tensors[t];
    return new_view(g, src.storage, src.c_off + c_off, c);
}

int gy_graph_root(const gy_graph *g, int storage, int *c_off)
{
    int off = 0;
    while (g->storages[storage].parent >= 0) {
        off += g->storages[storage].c_off;
        storage = g->storages[storage].parent;
    }
    if (c_off)
        *c_off = off;
    return storage;
}

/* Can tensor t become a slice of a new concat storage? Only a whole storage that is not already
 * placed somewhere, is not the network input, and is not used twice in this concat. */
static int can_alias(const gy_graph *g, int t, int n, const int *in, int pos)
{
    const gy_tensor *x = &g->tensors[t];
    const gy_storage *s = &g->storages[x->storage];
    if (t == g->input || s->parent >= 0 || x->c_off != 0 || x->c != s->c)
        return 0;
    for (int j = 0; j < n; j++)
        if (j != pos && g->tensors[in[j]].storage == x->storage)
            return 0;
    return 1;
}

int gy_graph_concat(gy_graph *g, int n, const int *in)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += g->tensors[in[i]].c;
    int s = new_storage(g, total);
    if (s < 0)
        return -1;
    int out = new_view(g, s, 0, total);
    if (out < 0)
        return -1;
    int off = 0;
    for (int i = 0; i < n; i++) {
        int t = in[i];
        int c = g->tensors[t].c;
        if (can_alias(g, t, n, in, i)) {
            gy_storage *st = &g->storages[g->tensors[t].storage];
            st->parent = s;
            st->c_off = off;
        } else {
            int dst = new_view(g, s, off, c);
            if (dst < 0)
                return -1;
            gy_op op = {.type = GY_OP_COPY, .nin = 1, .in = {t}, .out = dst, .res = -1, .conv = -1};
            if (gy_graph_add_op(g, &op) < 0)
                return -1;
        }
        off += c;
    }
    return out;
}

int gy_graph_add_op(gy_graph *g, const gy_op *op)
{
    if (!grow((void **)&g->ops, &g->cap_ops, g->nops, sizeof *g->ops))
        return -1;
    g->ops[g->nops] = *op;
    g->ops[g->nops].row = g->cur_row;
    return g->nops++;
}

int gy_graph_add_conv(gy_graph *g, const gy_conv *c)
{
    if (!grow((void **)&g->convs, &g->cap_convs, g->nconvs, sizeof *g->convs))
        return -1;
    g->convs[g->nconvs] = *c;
    g->convs[g->nconvs].w = NULL;
    g->convs[g->nconvs].b = NULL;
    return g->nconvs++;
}

long long gy_conv_params(const gy_conv *c, int fused)
{
    long long p = (long long)c->cout * (c->cin / c->groups) * c->kh * c->kw;
    int bn = c->bnprefix[0] != '\0';
    if (fused && bn && c->fusable)
        return p + c->cout;
    if (c->bname[0])
        p += c->cout;
    if (bn)
        p += 2LL * c->cout;
    return p;
}

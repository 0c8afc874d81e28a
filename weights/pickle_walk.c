/* pickle_walk.c - reading the values the pickle machine built (see pickle.h). */
#include "weights/pickle.h"

#include <string.h>

#include "weights/pickle_vm.h"

const gy_pk_value *gy_pk_dict_get(const gy_pk_value *dict, const char *key)
{
    if (!dict || dict->type != GY_PK_DICT || !key)
        return NULL;
    for (size_t i = dict->u.dict.n; i-- > 0;) {
        const gy_pk_value *k = dict->u.dict.keys[i];
        if (k->type == GY_PK_STR && strcmp(k->u.str.data, key) == 0)
            return dict->u.dict.vals[i];
    }
    return NULL;
}

const gy_pk_value *gy_pk_obj_state(const gy_pk_value *obj)
{
    if (!obj || obj->type != GY_PK_OBJECT || !obj->u.obj.state)
        return NULL;
    const gy_pk_value *st = obj->u.obj.state;
    if (st->type == GY_PK_TUPLE && st->u.seq.n == 2) /* (dict, slots) */
        st = st->u.seq.items[0];
    return st->type == GY_PK_DICT ? st : NULL;
}

int gy_pk_is_class(const gy_pk_value *v, const char *module, const char *name)
{
    return v && v->type == GY_PK_OBJECT && gy_pkvm_global_is(v->u.obj.cls, module, name);
}

const char *gy_pk_type_name(const gy_pk_value *v)
{
    if (!v)
        return "nothing";
    switch (v->type) {
    case GY_PK_NONE: return "None";
    case GY_PK_BOOL: return "bool";
    case GY_PK_INT: return "int";
    case GY_PK_FLOAT: return "float";
    case GY_PK_STR: return "str";
    case GY_PK_BYTES: return "bytes";
    case GY_PK_TUPLE: return "tuple";
    case GY_PK_LIST: return "list";
    case GY_PK_DICT: return "dict";
    case GY_PK_GLOBAL: return "global";
    case GY_PK_OBJECT: return v->u.obj.cls->u.global.name;
    case GY_PK_STORAGE: return "storage";
    case GY_PK_TENSOR: return "tensor";
    }
    return "?";
}


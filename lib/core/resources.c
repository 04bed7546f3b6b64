/* resources.c: the one place that knows which JSON key of the store's batched statements
 * carries which resource column (see the BULK_RESOURCES_ADD and PATCH_RESOURCES_UPDATE texts
 * in sql.h). Builds rows only; never runs a statement. */
#include "core/resources.h"

#include <math.h>

#include "base/arena.h"

enum res_kind { RK_STR, RK_BOOL, RK_NUM, RK_REGION };

static const struct {
    const char *key;
    enum res_kind kind;
} columns[RES_FIELD_COUNT] = {
    [RES_PRIMARY_REGION] = { "rg", RK_REGION },
    [RES_IS_ACTIVE] = { "ia", RK_BOOL },
    [RES_TYPE] = { "rt", RK_STR },
    [RES_EMPLOYMENT_TYPE] = { "et", RK_STR },
    [RES_CATEGORY] = { "ca", RK_STR },
    [RES_HOME_ADDRESS] = { "ha", RK_STR },
    [RES_MOBILE_PHONE] = { "mp", RK_STR },
    [RES_COUNTRY_CODE] = { "cc", RK_STR },
    [RES_NOTIFICATION_TYPE] = { "nt", RK_STR },
    [RES_WORKING_HOUR_TYPE] = { "wh", RK_STR },
    [RES_GEO_LATITUDE] = { "la", RK_NUM },
    [RES_GEO_LONGITUDE] = { "lo", RK_NUM },
};

/* Adds the fields of r that are set or cleared to o under their keys: for the store's
 * statements (the primary region resolved as region_id, booleans as 0/1) or, stored, as the
 * kept form of a resource (the region by its id, booleans as booleans). 0, or -1 when out of
 * memory. */
static int add_fields(json_object *o, const struct resource_spec *r, long long region_id,
                      int stored)
{
    for (int i = 0; i < RES_FIELD_COUNT; i++) {
        const struct res_value *v = &r->f[i];
        json_object *val = NULL;
        if (v->state == RES_ABSENT)
            continue;
        if (v->state == RES_SET) {
            switch (columns[i].kind) {
            case RK_STR: val = json_object_new_string(v->s); break;
            case RK_BOOL:
                val = stored ? json_object_new_boolean(v->b) : json_object_new_int(v->b ? 1 : 0);
                break;
            case RK_NUM: val = json_object_new_double(v->d); break;
            case RK_REGION:
                val = stored ? json_object_new_string(v->s) : json_object_new_int64(region_id);
                break;
            }
            if (val == NULL)
                return -1;
        }
        if (json_object_object_add(o, columns[i].key, val) != 0) {
            json_object_put(val);
            return -1;
        }
    }
    if (r->custom_json != NULL) {
        json_object *cf = json_object_new_string(r->custom_json);
        if (cf == NULL || json_object_object_add(o, "cf", cf) != 0) {
            json_object_put(cf);
            return -1;
        }
    }
    return 0;
}

int resources_json_fields(json_object *row, const struct resource_spec *r, long long region_id)
{
    return add_fields(row, r, region_id, 0);
}

json_object *resources_spec_json(const struct resource_spec *r)
{
    json_object *o = json_object_new_object();
    if (o != NULL && add_fields(o, r, 0, 1) != 0) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

int resources_spec_parse(struct arena *a, json_object *o, struct resource_spec **out)
{
    if (!json_object_is_type(o, json_type_object))
        return -1;
    struct resource_spec *r = arena_calloc(a, 1, sizeof *r);
    if (r == NULL)
        return -1;
    for (int i = 0; i < RES_FIELD_COUNT; i++) {
        json_object *v;
        if (!json_object_object_get_ex(o, columns[i].key, &v))
            continue;
        struct res_value *f = &r->f[i];
        if (v == NULL) {
            f->state = RES_CLEAR;
            continue;
        }
        f->state = RES_SET;
        switch (columns[i].kind) {
        case RK_STR:
        case RK_REGION:
            if (!json_object_is_type(v, json_type_string))
                return -1;
            f->s = json_object_get_string(v);
            break;
        case RK_BOOL:
            if (!json_object_is_type(v, json_type_boolean))
                return -1;
            f->b = json_object_get_boolean(v);
            break;
        case RK_NUM:
            if (!json_object_is_type(v, json_type_double) &&
                !json_object_is_type(v, json_type_int))
                return -1;
            f->d = json_object_get_double(v);
            if (!isfinite(f->d))
                return -1;
            break;
        }
    }
    json_object *cf;
    if (json_object_object_get_ex(o, "cf", &cf)) {
        if (!json_object_is_type(cf, json_type_string))
            return -1;
        r->custom_json = json_object_get_string(cf);
    }
    *out = r;
    return 0;
}

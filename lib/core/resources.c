/* resources.c: the one place that knows which JSON key of the store's batched statements
 * carries which resource column (see the BULK_RESOURCES_ADD and PATCH_RESOURCES_UPDATE texts
 * in sql.h). Builds rows only; never runs a statement. */
#include "core/resources.h"

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

void resources_json_fields(json_object *row, const struct resource_spec *r, long long region_id)
{
    for (int i = 0; i < RES_FIELD_COUNT; i++) {
        const struct res_value *v = &r->f[i];
        json_object *val = NULL;
        if (v->state == RES_ABSENT)
            continue;
        if (v->state == RES_SET) {
            switch (columns[i].kind) {
            case RK_STR: val = json_object_new_string(v->s); break;
            case RK_BOOL: val = json_object_new_int(v->b ? 1 : 0); break;
            case RK_NUM: val = json_object_new_double(v->d); break;
            case RK_REGION: val = json_object_new_int64(region_id); break;
            }
        }
        json_object_object_add(row, columns[i].key, val);
    }
    if (r->custom_json != NULL)
        json_object_object_add(row, "cf", json_object_new_string(r->custom_json));
}

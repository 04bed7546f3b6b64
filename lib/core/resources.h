/* resources.h: the schedulable side of a user (a "resource"): its fields as the store knows
 * them, and how one change to them is described. Shared by batched creation (users_bulk) and
 * batched updates (users_patch). Dialects fill these from their own field names; the store
 * maps each field to its column (resources.c). */
#ifndef PROV_RESOURCES_H
#define PROV_RESOURCES_H

#include <json-c/json.h>

/* The built-in role a user must hold exactly when it has a resource. */
#define RESOURCE_ROLE_NAME "Resource"

enum res_field {
    RES_PRIMARY_REGION = 0,  /* string: a region id of the tenant (required on creation) */
    RES_IS_ACTIVE,           /* bool (required on creation) */
    RES_TYPE,                /* string <= 255 */
    RES_EMPLOYMENT_TYPE,     /* string <= 255 */
    RES_CATEGORY,            /* string <= 255 */
    RES_HOME_ADDRESS,        /* string <= 1024 */
    RES_MOBILE_PHONE,        /* string <= 32 */
    RES_COUNTRY_CODE,        /* ISO 3166-1 alpha-2, upper case */
    RES_NOTIFICATION_TYPE,   /* "sms" | "push" */
    RES_WORKING_HOUR_TYPE,   /* "Availability" | "Shift" */
    RES_GEO_LATITUDE,        /* number */
    RES_GEO_LONGITUDE,       /* number */
    RES_FIELD_COUNT
};

enum res_state {
    RES_ABSENT = 0,   /* not given: left as it is (absent on creation) */
    RES_SET,          /* set to the value */
    RES_CLEAR         /* cleared (SQL NULL); never for the two required fields */
};

struct res_value {
    enum res_state state;
    const char *s;   /* string fields (borrowed) */
    double d;        /* number fields */
    int b;           /* bool fields */
};

struct resource_spec {
    struct res_value f[RES_FIELD_COUNT];
    /* custom fields: the text of a JSON object, or NULL for none. It is applied as an RFC 7396
     * merge patch (a null member removes a field) to the current fields, {} for a new
     * resource. */
    const char *custom_json;
};

/* Adds the fields of r that are RES_SET (their value) or RES_CLEAR (null) to row, under the
 * keys the store's statements read; the primary region is given resolved, as region_id.
 * 0, or -1 when out of memory. */
int resources_json_fields(json_object *row, const struct resource_spec *r, long long region_id);

struct arena;
/* r as a JSON object of its own, the primary region by its id (the stored form of a user to
 * import, users_import.h): a new reference, or NULL when out of memory. */
json_object *resources_spec_json(const struct resource_spec *r);
/* The resource_spec of such an object (arena; strings borrowed from o). 0, or -1 when o is not
 * one (or out of memory). */
int resources_spec_parse(struct arena *a, json_object *o, struct resource_spec **out);

#endif

/* skedulo_decode.c: Skedulo user objects (seed 000, docs/CONTRACT.md section 5) into the store's
 * structs: the POST form (also how a task item is stored) and the PATCH form, field by field with
 * the first problem reported by field name; and the whole-request checks on a body (a non-empty
 * array within the limit, the Resource role rule). Every value is type-checked, UTF-8 checked and
 * bounded here by the field-rule tables below (codec/fields.h); the store gets only valid data.
 * Never touches SQL. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/country.h"
#include "base/valid.h"
#include "codec/fields.h"
#include "core/limits.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"

/* A region id: looked up among the tenant's regions, never stored as text. */
enum { REGION_ID_CHARS = 64, MAX_CUSTOM = 100, CUSTOM_KEY_MAX = 64 };

static int valid_phone(const char *s, size_t n)
{
    size_t digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (strchr("+-(). ", s[i]) == NULL || s[i] == '\0')
            return 0;
    }
    return digits >= 3;
}

/* Accepted in either case (stored in upper case). */
static int valid_country(const char *s, size_t n)
{
    char up[3] = { 0 };
    for (size_t i = 0; i < n && i < 2; i++)
        up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    return country_alpha2_valid(up, n);
}

static int valid_notification(const char *s, size_t n)
{
    (void)n;
    return strcmp(s, "sms") == 0 || strcmp(s, "push") == 0;
}

static int valid_hours(const char *s, size_t n)
{
    (void)n;
    return strcmp(s, "Availability") == 0 || strcmp(s, "Shift") == 0;
}

/* The user's own fields. Decoding follows the code below (the first problem in a fixed order,
 * named by the field), each value checked against its rule here. */
enum user_slot { U_EMAIL, U_FIRST, U_LAST, U_ROLES, U_REGIONS, U_SEND, U_ACTIVE, U_MANAGED };
static const struct field_rule user_rules[] = {
    [U_EMAIL] = { "email", FT_STRING, FIELD_REQUIRED, 1, LIMIT_EMAIL_BYTES, valid_email, 0 },
    [U_FIRST] = { "firstName", FT_STRING, FIELD_CHARS, 1, LIMIT_VENDOR_NAME_CHARS, NULL, 0 },
    [U_LAST] = { "lastName", FT_STRING, FIELD_REQUIRED | FIELD_CHARS, 1, LIMIT_VENDOR_NAME_CHARS,
                 NULL, 0 },
    [U_ROLES] = { "roles", FT_STRING_ARRAY, FIELD_CHARS, 1, LIMIT_ROLE_CHARS, NULL,
                  SK_MAX_LIST },
    [U_REGIONS] = { "regions", FT_STRING_ARRAY, FIELD_CHARS, 1, REGION_ID_CHARS, NULL,
                    SK_MAX_LIST },
    [U_SEND] = { "sendInvitation", FT_BOOL, 0, 0, 0, NULL, 0 },
    [U_ACTIVE] = { "isActive", FT_BOOL, 0, 0, 0, NULL, 0 },     /* PATCH only */
    [U_MANAGED] = { "isManaged", FT_BOOL, 0, 0, 0, NULL, 0 },   /* PATCH only */
};

/* The resource's fields, by their name in the JSON, indexed by the store's field. */
static const struct field_rule res_rules[RES_FIELD_COUNT] = {
    [RES_PRIMARY_REGION] = { "primaryRegionId", FT_STRING, FIELD_CHARS, 1, REGION_ID_CHARS, NULL,
                             0 },
    [RES_IS_ACTIVE] = { "isActive", FT_BOOL, 0, 0, 0, NULL, 0 },
    [RES_TYPE] = { "resourceType", FT_STRING, FIELD_CHARS, 1, LIMIT_RESOURCE_TEXT_CHARS, NULL,
                   0 },
    [RES_EMPLOYMENT_TYPE] = { "employmentType", FT_STRING, FIELD_CHARS, 1,
                              LIMIT_RESOURCE_TEXT_CHARS, NULL, 0 },
    [RES_CATEGORY] = { "category", FT_STRING, FIELD_CHARS, 1, LIMIT_RESOURCE_TEXT_CHARS, NULL,
                       0 },
    [RES_HOME_ADDRESS] = { "homeAddress", FT_STRING, FIELD_CHARS, 1, LIMIT_HOME_ADDRESS_CHARS,
                           NULL, 0 },
    [RES_MOBILE_PHONE] = { "mobilePhone", FT_STRING, FIELD_CHARS, 1, LIMIT_PHONE_CHARS,
                           valid_phone, 0 },
    [RES_COUNTRY_CODE] = { "countryCode", FT_STRING, FIELD_CHARS, 1, LIMIT_COUNTRY_CODE_CHARS,
                           valid_country, 0 },
    [RES_NOTIFICATION_TYPE] = { "notificationType", FT_STRING, FIELD_CHARS, 1, 4,
                                valid_notification, 0 },
    [RES_WORKING_HOUR_TYPE] = { "workingHourType", FT_STRING, FIELD_CHARS, 1, 12, valid_hours,
                                0 },
    [RES_GEO_LATITUDE] = { "geoLatitude", FT_NUMBER, 0, 0, 90, NULL, 0 },
    [RES_GEO_LONGITUDE] = { "geoLongitude", FT_NUMBER, 0, 0, 180, NULL, 0 },
};
enum { NRES = sizeof res_rules / sizeof res_rules[0] };

/* v (not NULL) against rule r, with the configured byte limit. */
static int value_ok(struct ctx *c, const struct field_rule *r, json_object *v)
{
    return fields_value_ok(r, v, c->core.cfg->string_max);
}

/* A trimmed email (NULL: not a string) under the email rule. */
static int email_ok(const char *email)
{
    return email != NULL &&
           fields_string_ok(&user_rules[U_EMAIL], email, strlen(email), LIMIT_EMAIL_BYTES);
}

static int problem(struct sk_problem *pb, enum sk_fail f, const char *arg)
{
    pb->fail = f;
    pb->arg = arg;
    return -1;
}

const char *sk_trimmed_email(struct ctx *c, json_object *user)
{
    json_object *v = NULL;
    if (!json_object_is_type(user, json_type_object) ||
        !json_object_object_get_ex(user, "email", &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    fields_trim_span(&s, &n);
    return arena_strndup(c->core.arena, s, n);
}

const char *sk_user_key(struct ctx *c, json_object *user, size_t i)
{
    const char *e = sk_trimmed_email(c, user);
    if (e != NULL && *e != '\0' && strlen(e) <= c->core.cfg->string_max)
        return e;
    const char *k = arena_printf(c->core.arena, "users[%zu]", i);
    return k != NULL ? k : "users[?]";
}

/* A list under rule r (an array of at most r->max_items texts), copied into the arena. */
static int string_list(struct ctx *c, const struct field_rule *r, json_object *v,
                       const char *const **out, size_t *n)
{
    if (!value_ok(c, r, v))
        return -1;
    size_t len = json_object_array_length(v);
    const char **list = arena_calloc(c->core.arena, len + 1, sizeof *list);
    if (list == NULL)
        return -1;
    for (size_t i = 0; i < len; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        /* copies: the handler releases each user's tree once it is decoded */
        list[i] = arena_strndup(c->core.arena, json_object_get_string(e),
                                (size_t)json_object_get_string_len(e));
        if (list[i] == NULL)
            return -1;
    }
    *out = list;
    *n = len;
    return 0;
}

/* A checked string's copy in the arena (the handlers release each user's tree once it is
 * decoded, so nothing decoded may point into it); NULL only when the arena is out of memory,
 * reported as the field's problem. */
static const char *copy(struct ctx *c, json_object *v)
{
    return arena_strndup(c->core.arena, json_object_get_string(v),
                         (size_t)json_object_get_string_len(v));
}

/* Field "name" of obj, or NULL when absent; *is_null tells a JSON null from absence. */
static json_object *member(json_object *obj, const char *name, int *is_null)
{
    json_object *v = NULL;
    *is_null = 0;
    if (!json_object_object_get_ex(obj, name, &v))
        return NULL;
    if (v == NULL)
        *is_null = 1;
    return v;
}

/* One value of a known resource field. */
static int res_value(struct ctx *c, const struct field_rule *r, json_object *v,
                     struct res_value *out)
{
    out->state = RES_SET;
    if (!value_ok(c, r, v))
        return -1;
    switch (r->type) {
    case FT_BOOL:
        out->b = json_object_get_boolean(v);
        return 0;
    case FT_NUMBER:
        out->d = json_object_get_double(v);
        return 0;
    default:
        break;
    }
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    if (r == &res_rules[RES_COUNTRY_CODE]) {
        /* stored in upper case (valid_country has checked the two letters) */
        char up[3] = { 0 };
        for (size_t i = 0; i < n && i < 2; i++)
            up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
        out->s = arena_strdup(c->core.arena, up);
    } else {
        out->s = arena_strndup(c->core.arena, s, n);
    }
    return out->s != NULL ? 0 : -1;
}

/* Custom field names: a letter, then letters, digits and '_' (Salesforce-style "Skill__c"). */
static int custom_name_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > CUSTOM_KEY_MAX ||
        !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z')))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
              (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return 0;
    return 1;
}

/* A custom field's value: a boolean, a finite number, or free text. */
static int custom_value_ok(struct ctx *c, json_object *v)
{
    static const struct field_rule number = { "custom", FT_NUMBER, 0, 0, 0, NULL, 0 };
    static const struct field_rule text = { "custom", FT_STRING, FIELD_MULTILINE, 0, 0, NULL, 0 };
    return json_object_is_type(v, json_type_boolean) || value_ok(c, &number, v) ||
           value_ok(c, &text, v);
}

/* A known resource field's value; null is absent on creation, clears on update (but the two
 * required fields cannot be cleared). */
static int known_field(struct ctx *c, const struct field_rule *rule, json_object *v, int patch,
                       struct resource_spec *r)
{
    enum res_field f = (enum res_field)(rule - res_rules);
    if (v != NULL)
        return res_value(c, rule, v, &r->f[f]);
    if (!patch)
        return 0;
    if (f == RES_PRIMARY_REGION || f == RES_IS_ACTIVE)
        return -1;
    r->f[f].state = RES_CLEAR;
    return 0;
}

/* The resource object; patch: nulls clear (custom fields: a merge patch). */
static int decode_resource(struct ctx *c, json_object *obj, int patch, struct resource_spec **out,
                           struct sk_problem *pb)
{
    int rc = -1;
    const char *bad = "resource";
    json_object *custom = NULL;
    size_t ncustom = 0;
    struct resource_spec *r = arena_alloc(c->core.arena, sizeof *r);
    if (r == NULL)
        goto done;
    json_object_object_foreach(obj, key, v)
    {
        const struct field_rule *rule = fields_find(res_rules, NRES, key);
        if (rule != NULL) {
            if (known_field(c, rule, v, patch, r) != 0) {
                const char *path = arena_printf(c->core.arena, "resource.%s", rule->name);
                bad = path != NULL ? path : "resource";
                goto done;
            }
            continue;
        }
        if (!custom_name_ok(key) || ++ncustom > MAX_CUSTOM ||
            (v != NULL && !custom_value_ok(c, v))) {
            const char *path = arena_printf(c->core.arena, "resource.%s", key);
            bad = path != NULL ? path : "resource";
            goto done;
        }
        if (v == NULL && !patch)
            continue;
        if (custom == NULL && (custom = json_object_new_object()) == NULL)
            goto done;
        if (json_object_object_add(custom, key, json_object_get(v)) != 0) {
            json_object_put(v);
            goto done;
        }
    }
    if (custom != NULL &&
        (r->custom_json = arena_strdup(
             c->core.arena, json_object_to_json_string_ext(
                           custom, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE))) ==
            NULL)
        goto done;
    *out = r;
    rc = 0;
done:
    json_object_put(custom);
    return rc == 0 ? 0 : problem(pb, SK_FAIL_INVALID_FIELD, bad);
}

int sk_decode_user(struct ctx *c, json_object *obj, struct bulk_user *u, struct sk_problem *pb)
{
    int isnull;
    json_object *v;
    memset(u, 0, sizeof *u);
    u->invite = 1;
    if (!json_object_is_type(obj, json_type_object))
        return problem(pb, SK_FAIL_INVALID_FIELD, "user");
    /* email: required, trimmed */
    if ((v = member(obj, "email", &isnull)) == NULL)
        return problem(pb, SK_FAIL_MISSING_FIELD, "email");
    const char *email = sk_trimmed_email(c, obj);
    if (!email_ok(email))
        return problem(pb, SK_FAIL_INVALID_FIELD, "email");
    u->email = email;
    if ((v = member(obj, "firstName", &isnull)) != NULL) {
        if (!value_ok(c, &user_rules[U_FIRST], v))
            return problem(pb, SK_FAIL_INVALID_FIELD, "firstName");
        if ((u->first_name = copy(c, v)) == NULL)
            return problem(pb, SK_FAIL_INVALID_FIELD, "firstName");
    }
    if ((v = member(obj, "lastName", &isnull)) == NULL)
        return problem(pb, SK_FAIL_MISSING_FIELD, "lastName");
    if (!value_ok(c, &user_rules[U_LAST], v))
        return problem(pb, SK_FAIL_INVALID_FIELD, "lastName");
    if ((u->last_name = copy(c, v)) == NULL)
        return problem(pb, SK_FAIL_INVALID_FIELD, "lastName");
    if ((v = member(obj, "roles", &isnull)) != NULL &&
        string_list(c, &user_rules[U_ROLES], v, &u->roles, &u->nroles) != 0)
        return problem(pb, SK_FAIL_INVALID_FIELD, "roles");
    if ((v = member(obj, "regions", &isnull)) != NULL &&
        string_list(c, &user_rules[U_REGIONS], v, &u->regions, &u->nregions) != 0)
        return problem(pb, SK_FAIL_INVALID_FIELD, "regions");
    if ((v = member(obj, "sendInvitation", &isnull)) != NULL) {
        if (!value_ok(c, &user_rules[U_SEND], v))
            return problem(pb, SK_FAIL_INVALID_FIELD, "sendInvitation");
        u->invite = json_object_get_boolean(v);
    }
    if ((v = member(obj, "resource", &isnull)) != NULL) {
        struct resource_spec *r = NULL;
        if (!json_object_is_type(v, json_type_object))
            return problem(pb, SK_FAIL_INVALID_FIELD, "resource");
        if (decode_resource(c, v, 0, &r, pb) != 0)
            return -1;
        /* sk_check_resource_roles has refused a resource without these two */
        if (r->f[RES_PRIMARY_REGION].state != RES_SET)
            return problem(pb, SK_FAIL_MISSING_FIELD, "resource.primaryRegionId");
        if (r->f[RES_IS_ACTIVE].state != RES_SET)
            return problem(pb, SK_FAIL_MISSING_FIELD, "resource.isActive");
        u->resource = r;
    }
    return 0;
}

int sk_decode_patch(struct ctx *c, const char *oid, json_object *obj, struct user_patch *p,
                    struct sk_problem *pb)
{
    int isnull;
    json_object *v;
    memset(p, 0, sizeof *p);
    p->oid = oid;
    if (!json_object_is_type(obj, json_type_object))
        return problem(pb, SK_FAIL_INVALID_FIELD, "user");
    /* at the top level a JSON null leaves the field unchanged */
    if ((v = member(obj, "email", &isnull)) != NULL) {
        const char *email = sk_trimmed_email(c, obj);
        if (!email_ok(email))
            return problem(pb, SK_FAIL_INVALID_FIELD, "email");
        p->email = email;
    }
    if ((v = member(obj, "firstName", &isnull)) != NULL) {
        if (!value_ok(c, &user_rules[U_FIRST], v))
            return problem(pb, SK_FAIL_INVALID_FIELD, "firstName");
        p->set_first_name = 1;
        if ((p->first_name = copy(c, v)) == NULL)
            return problem(pb, SK_FAIL_INVALID_FIELD, "firstName");
    }
    if ((v = member(obj, "lastName", &isnull)) != NULL) {
        if (!value_ok(c, &user_rules[U_LAST], v))
            return problem(pb, SK_FAIL_INVALID_FIELD, "lastName");
        if ((p->last_name = copy(c, v)) == NULL)
            return problem(pb, SK_FAIL_INVALID_FIELD, "lastName");
    }
    if ((v = member(obj, "roles", &isnull)) != NULL) {
        if (string_list(c, &user_rules[U_ROLES], v, &p->roles, &p->nroles) != 0)
            return problem(pb, SK_FAIL_INVALID_FIELD, "roles");
        p->set_roles = 1;
    }
    if ((v = member(obj, "regions", &isnull)) != NULL) {
        if (string_list(c, &user_rules[U_REGIONS], v, &p->regions, &p->nregions) != 0)
            return problem(pb, SK_FAIL_INVALID_FIELD, "regions");
        p->set_regions = 1;
    }
    if ((v = member(obj, "isActive", &isnull)) != NULL) {
        if (!value_ok(c, &user_rules[U_ACTIVE], v))
            return problem(pb, SK_FAIL_INVALID_FIELD, "isActive");
        p->set_active = 1;
        p->active = json_object_get_boolean(v);
    }
    if ((v = member(obj, "isManaged", &isnull)) != NULL) {
        if (!value_ok(c, &user_rules[U_MANAGED], v))
            return problem(pb, SK_FAIL_INVALID_FIELD, "isManaged");
        p->set_managed = 1;
        p->managed = json_object_get_boolean(v);
    }
    if ((v = member(obj, "resource", &isnull)) != NULL) {
        struct resource_spec *r = NULL;
        if (!json_object_is_type(v, json_type_object))
            return problem(pb, SK_FAIL_INVALID_FIELD, "resource");
        if (decode_resource(c, v, 1, &r, pb) != 0)
            return -1;
        p->resource = r;
    }
    return 0;
}

void sk_too_many_users(struct ctx *c, size_t n, size_t max)
{
    char msg[128];
    snprintf(msg, sizeof msg, "Too many users in one request: %zu (the limit is %zu)", n, max);
    sk_fail_error(c, SK_ERR_BAD_REQUEST, msg);
}

json_object *sk_user_array(struct ctx *c, json_object *body, unsigned max)
{
    if (body == NULL || !json_object_is_type(body, json_type_array) ||
        json_object_array_length(body) == 0) {
        sk_fail_error(c, SK_ERR_BAD_REQUEST,
                      "The request body must be a non-empty JSON array of users");
        return NULL;
    }
    size_t n = json_object_array_length(body);
    if (n > max) {
        sk_too_many_users(c, n, max);
        return NULL;
    }
    return body;
}

/* A resource counts only when it names its primary region and says whether it is active. */
static int has_complete_resource(json_object *user, int *has_object)
{
    json_object *r = NULL, *v = NULL;
    *has_object = json_object_object_get_ex(user, "resource", &r) && r != NULL;
    if (!*has_object || !json_object_is_type(r, json_type_object))
        return 0;
    return json_object_object_get_ex(r, "primaryRegionId", &v) && v != NULL &&
           json_object_object_get_ex(r, "isActive", &v) && v != NULL;
}

static int has_resource_role(json_object *user)
{
    json_object *roles = NULL;
    if (!json_object_object_get_ex(user, "roles", &roles) ||
        !json_object_is_type(roles, json_type_array))
        return 0;
    for (size_t i = 0; i < json_object_array_length(roles); i++) {
        json_object *e = json_object_array_get_idx(roles, i);
        if (json_object_is_type(e, json_type_string) &&
            strcmp(json_object_get_string(e), RESOURCE_ROLE_NAME) == 0)
            return 1;
    }
    return 0;
}

int sk_role_rule_broken(json_object *user)
{
    if (!json_object_is_type(user, json_type_object))
        return 0;
    int has_object;
    int complete = has_complete_resource(user, &has_object);
    int role = has_resource_role(user);
    return has_object ? !(complete && role) : role;
}

int sk_check_resource_roles(struct ctx *c, json_object *users)
{
    struct buf list = { 0 };
    size_t n = json_object_array_length(users), bad = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *u = json_object_array_get_idx(users, i);
        if (!sk_role_rule_broken(u))
            continue;
        buf_puts(&list, bad++ ? ", " : "");
        buf_puts(&list, sk_user_key(c, u, i));
    }
    if (bad == 0)
        return 0;
    if (list.failed)
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
    else
        sk_fail_error(c, SK_ERR_RESOURCE_ROLE, list.data);
    buf_free(&list);
    return -1;
}

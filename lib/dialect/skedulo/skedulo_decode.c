/* skedulo_decode.c: Skedulo user objects (seed 000, docs/CONTRACT.md section 5) into the store's
 * structs: the POST form (also how a task item is stored) and the PATCH form, field by field with
 * the first problem reported by field name; and the whole-request checks on a body (a non-empty
 * array within the limit, the Resource role rule). Every value is type-checked, UTF-8 checked and
 * bounded here; the store gets only valid data. Never touches SQL. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/country.h"
#include "base/utf8.h"
#include "base/valid.h"
#include "codec/fields.h"
#include "core/limits.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"

enum { NAME_CHARS = 255, ROLE_CHARS = LIMIT_ROLE_CHARS, REGION_BYTES = 64, MAX_CUSTOM = 100,
       CUSTOM_KEY_MAX = 64 };

enum rk { RK_STR, RK_BOOL, RK_NUM };

/* The resource's fields: name in the JSON, the store's field, kind, bounds, validator. */
static const struct res_rule {
    const char *name;
    const char *path;       /* for messages */
    enum res_field field;
    enum rk kind;
    size_t max_chars;
    int (*valid)(const char *s, size_t n);
    double lo, hi;
} res_rules[] = {
    { "primaryRegionId", "resource.primaryRegionId", RES_PRIMARY_REGION, RK_STR, REGION_BYTES,
      NULL, 0, 0 },
    { "isActive", "resource.isActive", RES_IS_ACTIVE, RK_BOOL, 0, NULL, 0, 0 },
    { "resourceType", "resource.resourceType", RES_TYPE, RK_STR, LIMIT_RESOURCE_TEXT_CHARS, NULL,
      0, 0 },
    { "employmentType", "resource.employmentType", RES_EMPLOYMENT_TYPE, RK_STR,
      LIMIT_RESOURCE_TEXT_CHARS, NULL, 0, 0 },
    { "category", "resource.category", RES_CATEGORY, RK_STR, LIMIT_RESOURCE_TEXT_CHARS, NULL, 0,
      0 },
    { "homeAddress", "resource.homeAddress", RES_HOME_ADDRESS, RK_STR, LIMIT_HOME_ADDRESS_CHARS,
      NULL, 0, 0 },
    { "mobilePhone", "resource.mobilePhone", RES_MOBILE_PHONE, RK_STR, LIMIT_PHONE_CHARS, NULL, 0,
      0 },
    { "countryCode", "resource.countryCode", RES_COUNTRY_CODE, RK_STR, 2, NULL, 0, 0 },
    { "notificationType", "resource.notificationType", RES_NOTIFICATION_TYPE, RK_STR, 4, NULL,
      0, 0 },
    { "workingHourType", "resource.workingHourType", RES_WORKING_HOUR_TYPE, RK_STR, 12, NULL,
      0, 0 },
    { "geoLatitude", "resource.geoLatitude", RES_GEO_LATITUDE, RK_NUM, 0, NULL, -90, 90 },
    { "geoLongitude", "resource.geoLongitude", RES_GEO_LONGITUDE, RK_NUM, 0, NULL, -180, 180 },
};
enum { NRES = sizeof res_rules / sizeof res_rules[0] };

static size_t utf8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* A single-line text of 1..max_chars characters (and at most the configured byte limit). */
static int text_ok(struct ctx *c, json_object *v, size_t max_chars)
{
    if (!json_object_is_type(v, json_type_string))
        return 0;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    return n > 0 && n <= c->core.cfg->string_max && text_check(s, n, TEXT_SINGLE_LINE) == TEXT_OK &&
           utf8_chars(s, n) <= max_chars;
}

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

static int one_of(const char *s, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, v[i]) == 0)
            return 1;
    return 0;
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

/* An array of distinct-or-not strings, each a text of 1..max characters, at most SK_MAX_LIST
 * of them, copied into the arena. */
static int string_list(struct ctx *c, json_object *v, size_t max_chars, const char *const **out,
                       size_t *n)
{
    if (!json_object_is_type(v, json_type_array))
        return -1;
    size_t len = json_object_array_length(v);
    if (len > SK_MAX_LIST)
        return -1;
    const char **list = arena_calloc(c->core.arena, len + 1, sizeof *list);
    if (list == NULL)
        return -1;
    for (size_t i = 0; i < len; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        if (!text_ok(c, e, max_chars))
            return -1;
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

static const struct res_rule *res_rule(const char *name)
{
    for (size_t i = 0; i < NRES; i++)
        if (strcmp(res_rules[i].name, name) == 0)
            return &res_rules[i];
    return NULL;
}

/* One value of a known resource field. */
static int res_value(struct ctx *c, const struct res_rule *r, json_object *v,
                     struct res_value *out)
{
    static const char *const notif[] = { "sms", "push" };
    static const char *const hours[] = { "Availability", "Shift" };
    out->state = RES_SET;
    switch (r->kind) {
    case RK_BOOL:
        if (!json_object_is_type(v, json_type_boolean))
            return -1;
        out->b = json_object_get_boolean(v);
        return 0;
    case RK_NUM: {
        if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
            return -1;
        double d = json_object_get_double(v);
        if (!isfinite(d) || d < r->lo || d > r->hi)
            return -1;
        out->d = d;
        return 0;
    }
    case RK_STR:
        break;
    }
    if (!text_ok(c, v, r->max_chars))
        return -1;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    switch (r->field) {
    case RES_MOBILE_PHONE:
        if (!valid_phone(s, n))
            return -1;
        break;
    case RES_COUNTRY_CODE: {
        /* accepted in either case, stored in upper case */
        char up[3] = { 0 };
        for (size_t i = 0; i < n && i < 2; i++)
            up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
        if (!country_alpha2_valid(up, n))
            return -1;
        s = arena_strdup(c->core.arena, up);
        break;
    }
    case RES_NOTIFICATION_TYPE:
        if (!one_of(s, notif, 2))
            return -1;
        break;
    case RES_WORKING_HOUR_TYPE:
        if (!one_of(s, hours, 2))
            return -1;
        break;
    default:
        break;
    }
    out->s = r->field == RES_COUNTRY_CODE ? s : arena_strndup(c->core.arena, s, n);
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

static int custom_value_ok(struct ctx *c, json_object *v)
{
    if (json_object_is_type(v, json_type_boolean) || json_object_is_type(v, json_type_int))
        return 1;
    if (json_object_is_type(v, json_type_double))
        return isfinite(json_object_get_double(v));
    if (!json_object_is_type(v, json_type_string))
        return 0;
    size_t n = (size_t)json_object_get_string_len(v);
    return n <= c->core.cfg->string_max &&
           text_check(json_object_get_string(v), n, TEXT_MULTI_LINE) == TEXT_OK;
}

/* A known resource field's value; null is absent on creation, clears on update (but the two
 * required fields cannot be cleared). */
static int known_field(struct ctx *c, const struct res_rule *rule, json_object *v, int patch,
                       struct resource_spec *r)
{
    if (v != NULL)
        return res_value(c, rule, v, &r->f[rule->field]);
    if (!patch)
        return 0;
    if (rule->field == RES_PRIMARY_REGION || rule->field == RES_IS_ACTIVE)
        return -1;
    r->f[rule->field].state = RES_CLEAR;
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
        const struct res_rule *rule = res_rule(key);
        if (rule != NULL) {
            if (known_field(c, rule, v, patch, r) != 0) {
                bad = rule->path;
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
    if (email == NULL || !valid_email(email, strlen(email)) || strlen(email) > EMAIL_MAX)
        return problem(pb, SK_FAIL_INVALID_FIELD, "email");
    u->email = email;
    if ((v = member(obj, "firstName", &isnull)) != NULL) {
        if (!text_ok(c, v, NAME_CHARS))
            return problem(pb, SK_FAIL_INVALID_FIELD, "firstName");
        if ((u->first_name = copy(c, v)) == NULL)
            return problem(pb, SK_FAIL_INVALID_FIELD, "firstName");
    }
    if ((v = member(obj, "lastName", &isnull)) == NULL)
        return problem(pb, SK_FAIL_MISSING_FIELD, "lastName");
    if (!text_ok(c, v, NAME_CHARS))
        return problem(pb, SK_FAIL_INVALID_FIELD, "lastName");
    if ((u->last_name = copy(c, v)) == NULL)
        return problem(pb, SK_FAIL_INVALID_FIELD, "lastName");
    if ((v = member(obj, "roles", &isnull)) != NULL &&
        string_list(c, v, ROLE_CHARS, &u->roles, &u->nroles) != 0)
        return problem(pb, SK_FAIL_INVALID_FIELD, "roles");
    if ((v = member(obj, "regions", &isnull)) != NULL &&
        string_list(c, v, REGION_BYTES, &u->regions, &u->nregions) != 0)
        return problem(pb, SK_FAIL_INVALID_FIELD, "regions");
    if ((v = member(obj, "sendInvitation", &isnull)) != NULL) {
        if (!json_object_is_type(v, json_type_boolean))
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
        if (email == NULL || !valid_email(email, strlen(email)) || strlen(email) > EMAIL_MAX)
            return problem(pb, SK_FAIL_INVALID_FIELD, "email");
        p->email = email;
    }
    if ((v = member(obj, "firstName", &isnull)) != NULL) {
        if (!text_ok(c, v, NAME_CHARS))
            return problem(pb, SK_FAIL_INVALID_FIELD, "firstName");
        p->set_first_name = 1;
        if ((p->first_name = copy(c, v)) == NULL)
            return problem(pb, SK_FAIL_INVALID_FIELD, "firstName");
    }
    if ((v = member(obj, "lastName", &isnull)) != NULL) {
        if (!text_ok(c, v, NAME_CHARS))
            return problem(pb, SK_FAIL_INVALID_FIELD, "lastName");
        if ((p->last_name = copy(c, v)) == NULL)
            return problem(pb, SK_FAIL_INVALID_FIELD, "lastName");
    }
    if ((v = member(obj, "roles", &isnull)) != NULL) {
        if (string_list(c, v, ROLE_CHARS, &p->roles, &p->nroles) != 0)
            return problem(pb, SK_FAIL_INVALID_FIELD, "roles");
        p->set_roles = 1;
    }
    if ((v = member(obj, "regions", &isnull)) != NULL) {
        if (string_list(c, v, REGION_BYTES, &p->regions, &p->nregions) != 0)
            return problem(pb, SK_FAIL_INVALID_FIELD, "regions");
        p->set_regions = 1;
    }
    if ((v = member(obj, "isActive", &isnull)) != NULL) {
        if (!json_object_is_type(v, json_type_boolean))
            return problem(pb, SK_FAIL_INVALID_FIELD, "isActive");
        p->set_active = 1;
        p->active = json_object_get_boolean(v);
    }
    if ((v = member(obj, "isManaged", &isnull)) != NULL) {
        if (!json_object_is_type(v, json_type_boolean))
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

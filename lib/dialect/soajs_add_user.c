/* soajs_add_user.c: POST /urac/admin/addUser (seed 002, SOAJS.md). Decodes the form or JSON
 * body into a struct user_spec, applies the checks in SOAJS.md's order (172/173, 413, 424,
 * 408, 611, 402) and maps the store's result to 400/403/414. Never touches SQL. */
#include "soajs_add_user.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "config.h"
#include "ctx.h"
#include "dialect.h"
#include "fields.h"
#include "json_in.h"
#include "mail.h"
#include "password.h"
#include "soajs.h"
#include "tenants.h"
#include "users.h"
#include "valid.h"

enum { MAX_GROUPS = 100 };

static int valid_status(const char *s, size_t n)
{
    (void)n;
    return strcmp(s, "active") == 0 || strcmp(s, "inactive") == 0 ||
           strcmp(s, "pendingNew") == 0;
}

/* Table order is the order of 172's list: username, firstName, lastName, email, tId, tCode. */
static const struct field_rule rules[] = {
    { "username", FT_STRING, FIELD_REQUIRED, 1, 50, valid_username, 0 },
    { "firstName", FT_STRING, FIELD_REQUIRED, 1, 0, NULL, 0 },
    { "lastName", FT_STRING, FIELD_REQUIRED, 1, 0, NULL, 0 },
    { "email", FT_STRING, FIELD_REQUIRED, 1, EMAIL_MAX, valid_email, 0 },
    /* the format of tId decides 611, not 173 (SOAJS.md) */
    { "tId", FT_STRING, FIELD_REQUIRED, 0, 0, NULL, 0 },
    { "tCode", FT_STRING, FIELD_REQUIRED, 0, 0, NULL, 0 },
    { "profile", FT_OBJECT, 0, 0, 0, NULL, 0 },
    { "groups", FT_STRING_ARRAY, 0, 1, 64, NULL, MAX_GROUPS },
    { "status", FT_STRING, 0, 0, 0, valid_status, 0 },
    { "password", FT_STRING, 0, 0, PASSWORD_MAX_BYTES, NULL, 0 },
    { "confirmation", FT_STRING, 0, 0, PASSWORD_MAX_BYTES, NULL, 0 },
    { "pin", FT_OBJECT, 0, 0, 0, NULL, 0 },
};
enum { NRULES = sizeof rules / sizeof rules[0] };

static const struct field_rule pin_code_rule = { "code", FT_STRING, 0, 1, 64, NULL, 0 };

/* tId and tCode come from the query first, then the body: query values replace body ones. */
static int merge_query(struct ctx *c, json_object *body)
{
    char msg[128];
    const json_object *q = req_query(c, msg, sizeof msg);
    if (q == NULL) {
        soajs_error(c, 400, msg);
        return -1;
    }
    static const char *const names[] = { "tId", "tCode" };
    for (size_t i = 0; i < 2; i++) {
        json_object *v = fields_get(q, names[i]);
        if (v != NULL)
            json_object_object_add(body, names[i], json_object_get(v));
    }
    return 0;
}

/* A profile given as a string must hold a JSON object: it is replaced by that object. Returns
 * 1 when the string does not (413 after the field checks), else 0. */
static int unwrap_profile(struct ctx *c, json_object *body)
{
    json_object *p = fields_get(body, "profile");
    if (p == NULL || !json_object_is_type(p, json_type_string))
        return 0;
    json_object *obj = NULL;
    char msg[128];
    size_t len = (size_t)json_object_get_string_len(p);
    if (len <= c->cfg->string_max &&
        json_in_parse(json_object_get_string(p), len, c->cfg->json_max_depth, &obj, msg,
                      sizeof msg) == JSON_IN_OK &&
        json_object_is_type(obj, json_type_object)) {
        json_object_object_add(body, "profile", obj);
        return 0;
    }
    json_object_put(obj);
    json_object_object_del(body, "profile");
    return 1;
}

/* pin must be exactly {code: string, allowed: boolean}. Form bodies carry "true"/"false". */
static int pin_ok(struct ctx *c, json_object *pin, int form)
{
    if (form) {
        json_object *a = fields_get(pin, "allowed");
        json_object *nv = a != NULL ? fields_coerce_value(a, FT_BOOL, 1) : NULL;
        if (nv != NULL)
            json_object_object_add(pin, "allowed", nv);
    }
    if (json_object_object_length(pin) != 2)
        return 0;
    json_object *code = fields_get(pin, "code"), *allowed = fields_get(pin, "allowed");
    return code != NULL && allowed != NULL && json_object_is_type(code, json_type_string) &&
           json_object_is_type(allowed, json_type_boolean) &&
           fields_string_ok(&pin_code_rule, json_object_get_string(code),
                            (size_t)json_object_get_string_len(code), c->cfg->string_max);
}

/* Distinct group codes as a JSON array text in the arena; *count receives how many. */
static const char *group_codes(struct ctx *c, json_object *groups, unsigned *count)
{
    json_object *uniq = json_object_new_array();
    const char *out = NULL;
    *count = 0;
    if (uniq == NULL)
        return NULL;
    size_t n = json_object_array_length(groups);
    for (size_t i = 0; i < n; i++) {
        const char *g = json_object_get_string(json_object_array_get_idx(groups, i));
        int seen = 0;
        for (size_t k = 0; k < json_object_array_length(uniq) && !seen; k++)
            seen = strcmp(json_object_get_string(json_object_array_get_idx(uniq, k)), g) == 0;
        if (!seen)
            json_object_array_add(uniq, json_object_new_string(g));
    }
    *count = (unsigned)json_object_array_length(uniq);
    out = arena_strdup(c->arena, json_object_to_json_string_ext(uniq, JSON_C_TO_STRING_PLAIN));
    json_object_put(uniq);
    return out;
}

/* Step 4: the tenant named by tId/tCode must be the key's tenant or one of its sub-tenants. */
static const struct tenant *target_tenant(struct ctx *c, const char *tid, const char *tcode,
                                          int *db_down)
{
    *db_down = 0;
    if (!valid_oid(tid, strlen(tid)))
        return NULL;
    char lower[OID_HEX_LEN + 1];
    for (size_t i = 0; i <= OID_HEX_LEN; i++)
        lower[i] = (char)tolower((unsigned char)tid[i]);
    /* the key's own tenant (the usual case) came with the key: one round trip fewer */
    if (c->tenant->oid != NULL && strcmp(c->tenant->oid, lower) == 0)
        return strcmp(c->tenant->code, tcode) == 0 ? c->tenant : NULL;
    struct tenant *t = NULL;
    enum tenant_status ts = tenant_by_oid(c->db, c->arena, lower, &t);
    if (ts == TENANT_DB) {
        *db_down = 1;
        return NULL;
    }
    if (ts != TENANT_OK || strcmp(t->code, tcode) != 0)
        return NULL;
    if (t->id != c->tenant->id && t->parent_id != c->tenant->id)
        return NULL;
    return t;
}

static void answer_store_error(struct ctx *c, enum users_status us)
{
    switch (us) {
    case USERS_EXISTS: soajs_fail(c, SOAJS_USER_EXISTS); return;
    case USERS_DB_UNAVAILABLE: soajs_fail(c, SOAJS_DB_CONNECTION); return;
    case USERS_TOKEN_FAILED: soajs_fail(c, SOAJS_REGISTER_FAILED); return;
    case USERS_UNKNOWN_GROUP: {
        struct field_report rep = { .invalid = { "groups" }, .ninvalid = 1 };
        soajs_fail_fields(c, &rep);
        return;
    }
    default: soajs_fail(c, SOAJS_ADD_FAILED); return;
    }
}

void soajs_add_user(struct ctx *c)
{
    if (soajs_authenticate(c) != 0)
        return;
    json_object *body = soajs_body(c);
    if (body == NULL || merge_query(c, body) != 0)
        return;
    int form = c->req.media != MEDIA_JSON;
    if (form)
        fields_coerce_form(body, rules, NRULES, c->cfg->json_max_depth);
    fields_trim(body, "email");
    int bad_profile = unwrap_profile(c, body);

    /* 1. missing (172) and invalid (173) fields */
    struct field_report rep;
    fields_check(body, rules, NRULES, c->cfg->string_max, &rep);
    json_object *pin = fields_get(body, "pin");
    if (pin != NULL && json_object_is_type(pin, json_type_object) && !pin_ok(c, pin, form) &&
        rep.ninvalid < FIELDS_MAX_REPORT)
        rep.invalid[rep.ninvalid++] = "pin";
    if (soajs_fail_fields(c, &rep))
        return;
    if (bad_profile) {
        soajs_fail(c, SOAJS_BAD_PROFILE);
        return;
    }

    const char *status = fields_str(body, "status");
    const char *password = fields_str(body, "password");
    const char *confirmation = fields_str(body, "confirmation");
    if (status == NULL)
        status = "pendingNew";
    int has_password = password != NULL && *password != '\0';
    /* 2. a pending account never has a password; an active or inactive one always has */
    if (strcmp(status, "pendingNew") == 0 ? has_password : !has_password) {
        soajs_fail(c, SOAJS_PENDING_PASSWORD);
        return;
    }
    /* 3. the confirmation must repeat the password */
    if (has_password && (confirmation == NULL || strcmp(password, confirmation) != 0)) {
        soajs_fail(c, SOAJS_PASSWORD_MISMATCH);
        return;
    }
    /* 4. the tenant the user goes to */
    int db_down;
    const struct tenant *t = target_tenant(c, fields_str(body, "tId"), fields_str(body, "tCode"),
                                           &db_down);
    if (t == NULL) {
        soajs_fail(c, db_down ? SOAJS_DB_CONNECTION : SOAJS_BAD_TENANT);
        return;
    }
    /* 5. username and email free in that tenant. The unique indexes decide when the user row is
     * inserted (users_create answers USERS_EXISTS before writing anything else), so a new user
     * without a password costs no query of its own; with a password, ask first anyway: hashing
     * it takes far longer than the query, and a taken name should not cost a hash */
    struct user_spec spec = {
        .tenant = t,
        .origin = "soajs",
        .username = fields_str(body, "username"),
        .email = fields_str(body, "email"),
        .first_name = fields_str(body, "firstName"),
        .last_name = fields_str(body, "lastName"),
        .password = has_password ? password : NULL,
        .status = status,
        .token = strcmp(status, "pendingNew") == 0 ? USER_TOKEN_SET_PASSWORD : USER_TOKEN_NONE,
        .set_mail_kind = MAIL_SET_PASSWORD,
    };
    enum users_status us = has_password ? users_check_free(c, t, spec.username, spec.email)
                                        : USERS_OK;
    if (us != USERS_OK) {
        answer_store_error(c, us);
        return;
    }
    json_object *profile = fields_get(body, "profile");
    if (profile != NULL)
        spec.profile_json = arena_strdup(
            c->arena, json_object_to_json_string_ext(profile, JSON_C_TO_STRING_PLAIN));
    json_object *groups = fields_get(body, "groups");
    if (groups != NULL)
        spec.group_codes_json = group_codes(c, groups, &spec.ngroup_codes);
    if (pin != NULL) {
        spec.pin_code = fields_str(pin, "code");
        spec.pin_allowed = json_object_get_boolean(fields_get(pin, "allowed"));
    }
    if ((profile != NULL && spec.profile_json == NULL) ||
        (groups != NULL && spec.group_codes_json == NULL)) {
        soajs_error(c, 500, "out of memory");
        return;
    }
    /* 6. store */
    struct user_result res;
    us = users_create(c, &spec, &res);
    if (us != USERS_OK) {
        answer_store_error(c, us);
        return;
    }
    json_object *data = json_object_new_object();
    if (data == NULL) {
        soajs_error(c, 500, "out of memory");
        return;
    }
    json_object_object_add(data, "id", json_object_new_string(res.oid));
    if (spec.token == USER_TOKEN_SET_PASSWORD)
        json_object_object_add(data, "token", json_object_new_string(res.token));
    mail_kick(c);
    soajs_ok(c, data);
}

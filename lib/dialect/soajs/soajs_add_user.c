/* soajs_add_user.c: POST /urac/admin/addUser (seed 002, docs/CONTRACT.md section 10.4).
 * Authenticated by the route's step (the key, soajs_authenticate), merges tId and tCode from the
 * query, lets soajs_add_user_decode.c decode and check the body (172/173, 413, 424, 408), then
 * applies the checks that need the store in the contract's order (611, 402) and maps the store's
 * result to 400/403/414. The answer is built before the user is stored (users_create's answer
 * hook). Never touches SQL. */
#include "dialect/soajs/soajs_internal.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/valid.h"
#include "codec/fields.h"
#include "codec/json_out.h"
#include "core/mail.h"
#include "core/pwpolicy.h"
#include "core/tenants.h"
#include "core/users.h"
#include "http/ctx.h"
#include "http/dialect.h"

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
        if (v != NULL && json_object_object_add(body, names[i], json_object_get(v)) != 0) {
            json_object_put(v);
            soajs_error(c, 500, "out of memory");
            return -1;
        }
    }
    return 0;
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
    enum tenant_status ts = tenant_by_oid(&c->core, lower, &t);
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
    case USERS_DB_UNAVAILABLE: dialect_unavailable(c); return;
    case USERS_TOKEN_FAILED: soajs_fail(c, SOAJS_REGISTER_FAILED); return;
    case USERS_UNKNOWN_GROUP: {
        struct field_report rep = { .invalid = { "groups" }, .ninvalid = 1 };
        soajs_fail_fields(c, &rep);
        return;
    }
    default: soajs_fail(c, SOAJS_ADD_FAILED); return;
    }
}

/* users_create's answer hook: {"result":true,"data":{"id","token"}} written before the user
 * is stored, so that nothing is committed that cannot be answered (a later failure replaces
 * it with its error). arg is the spec. */
/* What the answer hook is given: the request and the user it creates. */
struct answer_args {
    struct ctx *c;
    const struct user_spec *spec;
};

static int answer(struct core *core, const struct user_result *res, void *arg)
{
    (void)core;
    const struct answer_args *a = arg;
    struct ctx *c = a->c;
    const struct user_spec *spec = a->spec;
    json_object *data = json_object_new_object();
    if (jo_str(data, "id", res->oid) != 0 ||
        (spec->token == USER_TOKEN_SET_PASSWORD && jo_str(data, "token", res->token) != 0)) {
        json_object_put(data);
        return -1;
    }
    soajs_ok(c, data);
    return c->resp.status == 200 ? 0 : -1;
}

void soajs_add_user(struct ctx *c)
{
    /* the key was checked by the route's step (soajs_authenticate) */
    json_object *body = soajs_body(c);
    if (body == NULL || merge_query(c, body) != 0)
        return;
    /* 1-3. fields (172/173), profile (413), status and password (424), confirmation (408) */
    struct field_report rep;
    struct soajs_add_user_req req;
    switch (soajs_add_user_decode(body, c->req.media != MEDIA_JSON, c->core.cfg->string_max,
                                  c->core.cfg->json_max_depth, c->core.arena, &rep, &req)) {
    case SOAJS_ADD_USER_OK:
        break;
    case SOAJS_ADD_USER_FIELDS:
        soajs_fail_fields(c, &rep);
        return;
    case SOAJS_ADD_USER_BAD_PROFILE:
        soajs_fail(c, SOAJS_BAD_PROFILE);
        return;
    case SOAJS_ADD_USER_PENDING_PASSWORD:
        soajs_fail(c, SOAJS_PENDING_PASSWORD);
        return;
    case SOAJS_ADD_USER_PASSWORD_MISMATCH:
        soajs_fail(c, SOAJS_PASSWORD_MISMATCH);
        return;
    case SOAJS_ADD_USER_NOMEM:
    default:
        soajs_error(c, 500, "out of memory");
        return;
    }
    /* 4. the tenant the user goes to */
    int db_down;
    const struct tenant *t = target_tenant(c, req.tid, req.tcode, &db_down);
    if (t == NULL) {
        soajs_fail(c, db_down ? SOAJS_DB_CONNECTION : SOAJS_BAD_TENANT);
        return;
    }
    /* 4b. a password the structural rules let through (step 1) may still be refused by that
     * tenant's policy (the full check, when it turned it on): 173 like any invalid field */
    if (req.password != NULL) {
        enum pwrule_level level;
        enum pwpolicy_status ps = pwpolicy_api_level(&c->core, t->id, &level);
        if (ps != PWPOLICY_OK) {
            soajs_fail(c, ps == PWPOLICY_DB_UNAVAILABLE ? SOAJS_DB_CONNECTION : SOAJS_ADD_FAILED);
            return;
        }
        const struct pwrule_account acct = { req.email, req.username };
        enum pwrule_verdict v = level == PWRULE_FULL
                                    ? pwrule_check(req.password, strlen(req.password), level,
                                                   &acct, c->core.cfg->password_dictionary)
                                    : PWRULE_OK;
        if (v == PWRULE_ERROR) {
            soajs_error(c, 500, PWRULE_ERROR_TEXT);
            return;
        }
        if (v != PWRULE_OK) {
            struct field_report bad = { .invalid = { "password" }, .ninvalid = 1 };
            soajs_fail_fields(c, &bad);
            return;
        }
    }
    /* 5. username and email free in that tenant. The unique indexes decide when the user row is
     * inserted (users_create answers USERS_EXISTS before writing anything else), so a new user
     * without a password costs no query of its own; with a password, ask first anyway: hashing
     * it takes far longer than the query, and a taken name should not cost a hash */
    struct user_spec spec = {
        .tenant = t,
        .origin = "soajs",
        .username = req.username,
        .email = req.email,
        .first_name = req.first_name,
        .last_name = req.last_name,
        .password = req.password,
        .status = req.status,
        .token = strcmp(req.status, "pendingNew") == 0 ? USER_TOKEN_SET_PASSWORD
                                                        : USER_TOKEN_NONE,
        .set_mail_kind = MAIL_SET_PASSWORD,
        .profile_json = req.profile_json,
        .group_codes_json = req.group_codes_json,
        .ngroup_codes = req.ngroup_codes,
        .answer = answer,
    };
    struct answer_args args = { c, &spec };
    spec.answer_arg = &args;
    if (req.has_pin) {
        spec.pin_code = req.pin_code;
        spec.pin_allowed = req.pin_allowed;
    }
    enum users_status us = req.password != NULL
                               ? users_check_free(&c->core, t, spec.username, spec.email)
                               : USERS_OK;
    if (us != USERS_OK) {
        answer_store_error(c, us);
        return;
    }
    /* 6. store */
    struct user_result res;
    us = users_create(&c->core, &spec, &res);
    if (us != USERS_OK) {
        answer_store_error(c, us);
        return;
    }
    /* the answer was built before the commit (answer() above) */
    mail_kick(&c->core);
}

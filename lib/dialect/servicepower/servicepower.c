/* servicepower.c: the ServicePower envelope {"code":N,"detail":{"message","params":{"value"},
 * "dataPath"}}, the success body with its warnings, the dialect's message catalogue (one table:
 * message -> HTTP status -> text; documented in docs/servicepower.md) and authentication
 * (x-access-token JWT, or the deprecated customerid + customercode). Never touches SQL and
 * never echoes a credential. */
#include "http/dialect.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "codec/fields.h"
#include "codec/json_out.h"
#include "core/auth.h"
#include "core/auth_jwt.h"
#include "dialect/servicepower/servicepower.h"
#include "dialect/servicepower/servicepower_internal.h"
#include "http/ctx.h"

/* A message is: the property name (when field_first and the problem names one), a space, the
 * text, then (when after_n is not NULL) a space, the problem's number and after_n. */
static const struct {
    int status;
    int field_first;
    const char *text;
    const char *after_n;
} catalogue[SP_MSG_COUNT] = {
    [SP_BODY_TYPE] = { 400, 0, "The request body must be a JSON object with a Users array",
                       NULL },
    [SP_USERS_REQUIRED] = { 400, 0, "Users is required", NULL },
    [SP_USERS_TYPE] = { 400, 0, "Users must be an array of user objects", NULL },
    [SP_USERS_EMPTY] = { 400, 0, "Users must hold at least one user", NULL },
    [SP_USERS_TOO_MANY] = { 400, 0, "Too many users in one request; the limit is", "" },
    [SP_USER_TYPE] = { 400, 0, "Each user must be a JSON object", NULL },
    [SP_REQUIRED] = { 400, 1, "is required", NULL },
    [SP_NOT_STRING] = { 400, 1, "must be a string", NULL },
    [SP_NOT_BOOL] = { 400, 1, "must be true or false", NULL },
    [SP_TEXT] = { 400, 1, "must be text without control characters, of 1 to", " bytes" },
    [SP_EMAIL] = { 400, 1, "must be a valid email address", NULL },
    [SP_LANGUAGE] = { 400, 1, "must be a language tag such as en-US", NULL },
    [SP_PHONE] = { 400, 1, "must be a phone number of digits, spaces and + - ( ) . / # * x, "
                           "at most 32 bytes", NULL },
    [SP_CUD] = { 400, 1, "must be 1 (insert), 2 (update or insert) or 3 (delete)", NULL },
    [SP_DELETED] = { 400, 1, "contradicts CUD", NULL },
    [SP_NOT_ARRAY] = { 400, 1, "must be an array", NULL },
    [SP_NOT_OBJECT] = { 400, 1, "must be an object", NULL },
    [SP_TOO_MANY_ITEMS] = { 400, 1, "holds too many items; the limit is", "" },
    [SP_TOO_BIG] = { 400, 1, "is too large; the limit is", " bytes of JSON" },
    [SP_DUPLICATE] = { 400, 1, "appears more than once in the request", NULL },
    [SP_EMAIL_NEEDED] = { 400, 1, "is required to insert a user", NULL },
    [SP_UNKNOWN_ROLE] = { 400, 0, "Unknown role", NULL },
    [SP_PASSWORD_RULES] = { 400, 1, "must have at least 8 characters, not counting invisible "
                                    "ones or spaces at either end", NULL },
    [SP_PASSWORD_POLICY] = { 400, 1, "is too easy to guess: the tenant's password policy "
                                     "refuses dictionary words, easy patterns and the user's "
                                     "own UserID or Email", NULL },
    [SP_USER_EXISTS] = { 409, 1, "already exists", NULL },
    [SP_EMAIL_TAKEN] = { 409, 1, "is already used by another user", NULL },
    [SP_AUTH_MISSING] = { 401, 0, "Credentials are required: an x-access-token header, or the "
                                  "customerid and customercode parameters", NULL },
    [SP_AUTH_INVALID] = { 401, 0, "The credentials are incorrect, please verify and try again.",
                          NULL },
    [SP_JWT_MALFORMED] = { 401, 0, "The x-access-token is not a well-formed JSON Web Token",
                           NULL },
    [SP_JWT_ALG] = { 401, 0, "The x-access-token must be signed with HS256", NULL },
    [SP_JWT_CLAIMS] = { 401, 0, "The x-access-token must carry a customerid string claim and "
                                "a numeric exp claim", NULL },
    [SP_JWT_EXPIRED] = { 401, 0, "The x-access-token has expired", NULL },
    [SP_JWT_NOT_YET] = { 401, 0, "The x-access-token is not valid yet", NULL },
    [SP_NO_MAIL] = { 500, 0, "mail is not configured for the tenant: cannot send a reset "
                             "password", NULL },
    [SP_DB_DOWN] = { 503, 0, "database unavailable", NULL },
    [SP_INTERNAL] = { 500, 0, "internal error", NULL },
    [SP_OK] = { 200, 0, "Request was processed successfully.", NULL },
    [SP_W_DEPRECATED_AUTH] = { 200, 0, "customerid and customercode are deprecated: send a "
                                       "JSON Web Token in the x-access-token header", NULL },
    [SP_W_UNKNOWN_PROPERTY] = { 200, 0, "Unknown property ignored", NULL },
    [SP_W_MORE_UNKNOWN] = { 200, 0, "Further unknown properties ignored without a warning:",
                            "" },
    [SP_W_DELETE_MISSING] = { 200, 0, "The user does not exist; nothing was deleted", NULL },
};

int sp_status(enum sp_msg m)
{
    return catalogue[m].status;
}

const char *sp_message(struct arena *a, const struct sp_problem *p)
{
    const char *field = catalogue[p->msg].field_first && p->field != NULL ? p->field : NULL;
    char *s;
    if (catalogue[p->msg].after_n != NULL)
        s = arena_printf(a, "%s%s%s %lld%s", field ? field : "", field ? " " : "",
                         catalogue[p->msg].text, p->n, catalogue[p->msg].after_n);
    else
        s = arena_printf(a, "%s%s%s", field ? field : "", field ? " " : "",
                         catalogue[p->msg].text);
    return s != NULL ? s : catalogue[p->msg].text;
}

/* {"message","params":{...},"dataPath"}; params is taken over. */
static json_object *detail(const char *message, json_object *params, const char *path)
{
    json_object *d = json_object_new_object();
    int bad = jo_str(d, "message", message);
    bad |= jo_add(d, "params", params);
    bad |= jo_str(d, "dataPath", path ? path : "");
    if (bad) {
        json_object_put(d);
        return NULL;
    }
    return d;
}

static json_object *value_params(const char *value)
{
    json_object *p = json_object_new_object();
    if (jo_str(p, "value", value ? value : "") != 0) {
        json_object_put(p);
        return NULL;
    }
    return p;
}

static void envelope(struct ctx *c, int status, const char *message, const char *path,
                     const char *value)
{
    json_object *o = json_object_new_object();
    int bad = jo_int(o, "code", status);
    bad |= jo_add(o, "detail", detail(message, value_params(value), path));
    if (bad) {
        json_object_put(o);
        resp_json(c, 500, NULL);
        return;
    }
    resp_json(c, status, o);
}

void servicepower_error(struct ctx *c, int status, const char *message)
{
    char msg[256];
    if (status >= 500) {
        log_error(c->core.rid, "servicepower %d: %s", status, message);
        snprintf(msg, sizeof msg, "%s, reference %s",
                 status == 503 ? "The service is temporarily unavailable, please retry later"
                               : "An error has occurred within the service",
                 c->core.rid);
        message = msg;
    }
    envelope(c, status, message, "", "");
}

void sp_fail(struct ctx *c, const struct sp_problem *p)
{
    int status = catalogue[p->msg].status;
    const char *message = sp_message(c->core.arena, p);
    if (status >= 500) {
        servicepower_error(c, status, message);
        return;
    }
    envelope(c, status, message, p->path, p->value);
}

void sp_warn(struct arena *a, json_object *warnings, const struct sp_problem *w)
{
    if (ja_add(warnings, detail(sp_message(a, w), value_params(w->value), w->path)) != 0)
        jo_mark_failed(warnings);   /* sp_success answers 500 rather than drop it */
}

void sp_success(struct ctx *c, size_t inserted, size_t updated, size_t deleted,
                json_object *warnings)
{
    char num[3][24];
    json_object *o = json_object_new_object(), *params = json_object_new_object();
    snprintf(num[0], sizeof num[0], "%lu", (unsigned long)inserted);
    snprintf(num[1], sizeof num[1], "%lu", (unsigned long)updated);
    snprintf(num[2], sizeof num[2], "%lu", (unsigned long)deleted);
    int bad = jo_str(params, "inserted", num[0]);
    bad |= jo_str(params, "updated", num[1]);
    bad |= jo_str(params, "deleted", num[2]);
    bad |= jo_int(o, "code", 200);
    bad |= jo_add(o, "detail", detail(catalogue[SP_OK].text, params, ""));
    bad |= jo_failed(warnings);   /* a warning that could not be added */
    bad |= jo_add(o, "warnings", warnings);
    if (bad) {
        json_object_put(o);
        servicepower_error(c, 500, "out of memory");
        return;
    }
    resp_json(c, 200, o);
}

static enum sp_msg jwt_message(enum jwt_status js)
{
    switch (js) {
    case JWT_MALFORMED: return SP_JWT_MALFORMED;
    case JWT_UNSUPPORTED: return SP_JWT_ALG;
    case JWT_BAD_CLAIMS: return SP_JWT_CLAIMS;
    case JWT_EXPIRED: return SP_JWT_EXPIRED;
    case JWT_NOT_YET_VALID: return SP_JWT_NOT_YET;
    case JWT_BAD_SIGNATURE:
    case JWT_OK: break;
    }
    return SP_AUTH_INVALID;
}

int sp_deprecated_auth(const struct ctx *c)
{
    const char *token = req_header(c, "x-access-token");
    return token == NULL || *token == '\0';
}

int servicepower_authenticate(struct ctx *c)
{
    int deprecated;
    return sp_authenticate(c, &deprecated);
}

int sp_authenticate(struct ctx *c, int *deprecated)
{
    struct sp_problem p = { .msg = SP_AUTH_INVALID, .path = "", .value = "" };
    enum auth_status as;
    struct auth_who who;
    *deprecated = 0;
    const char *token = req_header(c, "x-access-token");
    if (token != NULL && *token != '\0') {
        enum jwt_status why = JWT_OK;
        as = auth_jwt(&c->core, "sp_jwt", SP_JWT_TENANT_CLAIM, token, &why, &who);
        if (as == AUTH_INVALID)
            p.msg = jwt_message(why);
    } else {
        char msg[128];
        const json_object *q = req_query(c, msg, sizeof msg);
        if (q == NULL) {
            servicepower_error(c, 400, msg);
            return -1;
        }
        const char *id = fields_str(q, "customerid"), *code = fields_str(q, "customercode");
        if (id == NULL || *id == '\0')
            as = AUTH_MISSING;
        else if (strlen(id) > SP_CUSTOMERID_MAX)
            as = AUTH_INVALID;
        else
            as = auth_secret(&c->core, "sp_customer", id, code, &who);
        *deprecated = as == AUTH_OK;
    }
    if (as == AUTH_OK) {
        c->tenant = who.tenant;
        return 0;
    }
    if (as == AUTH_MISSING)
        p.msg = SP_AUTH_MISSING;
    else if (as == AUTH_DB)
        p.msg = SP_DB_DOWN;
    sp_fail(c, &p);
    return -1;
}

static void unavailable(struct ctx *c)
{
    struct sp_problem p = { .msg = SP_DB_DOWN, .path = "", .value = "" };
    sp_fail(c, &p);
}

const struct dialect servicepower_dialect = {
    .name = "servicepower",
    .authenticate = servicepower_authenticate,
    .error = servicepower_error,
    .unavailable = unavailable,
    .too_many_status = 400,
    .task_kinds = NULL,
};

/* skedulo.c: the Skedulo dialect's envelopes and catalogues: errors {"errorType","message"}
 * (+ "errorId" for 5xx, also logged; + "tenantId" for api_user_not_found), per-user failures
 * {"code","message"}, the result envelope, and authentication (bearer token with a scope, then
 * the tenant's API user). Messages shown in seed 000 are byte-exact. Never touches SQL. */
#include "dialect/skedulo/skedulo.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/log.h"
#include "codec/json_out.h"
#include "core/auth.h"
#include "core/tenants.h"
#include "core/users_import.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"
#include "http/dialect.h"
#include "http/request.h"

static const struct {
    int status;
    const char *type;
    const char *format;
} errors[SK_ERR_COUNT] = {
    [SK_ERR_NO_TOKEN] = { 401, "unauthorized",
                          "Missing Authorization header with a Bearer token" },
    [SK_ERR_BAD_TOKEN] = { 401, "unauthorized", "Invalid or revoked API token" },
    [SK_ERR_SCOPE] = { 403, "forbidden", "The API token does not have the %s scope" },
    [SK_ERR_API_USER] = { 400, "api_user_not_found",
                          "API User for tenant %s has not been set up." },
    [SK_ERR_RESOURCE_ROLE] = { 400, "users_need_resource_role",
                               "Users with an assigned resource must have Resource role and "
                               "vice versa. Email of user records in error: %s" },
    [SK_ERR_BAD_REQUEST] = { 400, "bad_request", "%s" },
    [SK_ERR_TASK_NOT_FOUND] = { 404, "not_found", "Task not found" },
    [SK_ERR_DB] = { 503, "service_unavailable", "database unavailable" },
    [SK_ERR_INTERNAL] = { 500, "internal_error", "%s" },
};

static const struct {
    const char *code;
    const char *format;
} failures[SK_FAIL_COUNT] = {
    [SK_FAIL_EMAIL_EXISTS] = { "email_already_exists", "A user with that email already exists" },
    [SK_FAIL_MISSING_FIELD] = { "invalid_user", "Missing required field: %s" },
    [SK_FAIL_INVALID_FIELD] = { "invalid_user", "Invalid value for field: %s" },
    [SK_FAIL_MANAGED_EMAIL] = { "invalid_user",
                                "Invalid value for field: email (the user is managed)" },
    [SK_FAIL_UNKNOWN_REGION] = { "unknown_region", "Unknown region: %s" },
    [SK_FAIL_UNKNOWN_ROLE] = { "unknown_role", "Unknown role: %s" },
    [SK_FAIL_USER_NOT_FOUND] = { "user_not_found", "A user with that id does not exist" },
};

static const char *error_type(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 415: return "unsupported_media_type";
    case 503: return "service_unavailable";
    default: return status >= 500 ? "internal_error" : "bad_request";
    }
}

static void answer(struct ctx *c, int status, const char *type, const char *message)
{
    json_object *o = json_object_new_object();
    int bad = jo_str(o, "errorType", type);
    if (status >= 500) {
        log_error(c->core.rid, "skedulo %d: %s", status, message);
        bad |= jo_str(o, "message", status == 503 ? "The service is temporarily "
                                                    "unavailable, please retry"
                                                  : "Internal error");
        bad |= jo_str(o, "errorId", c->core.rid);
    } else {
        bad |= jo_str(o, "message", message);
    }
    if (strcmp(type, "api_user_not_found") == 0 && c->tenant != NULL)
        bad |= jo_str(o, "tenantId", c->tenant->ref);
    if (bad) {
        json_object_put(o);
        resp_json(c, 500, NULL);
        return;
    }
    resp_json(c, status, o);
}

void skedulo_error(struct ctx *c, int status, const char *message)
{
    answer(c, status, error_type(status), message);
}

void sk_fail_error(struct ctx *c, enum sk_err e, const char *arg)
{
    const char *msg = errors[e].format;
    if (strstr(msg, "%s") != NULL) {
        /* the format comes from the table above, never from input */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        msg = arena_printf(c->core.arena, errors[e].format, arg != NULL ? arg : "");
#pragma GCC diagnostic pop
        if (msg == NULL)
            msg = "out of memory";
    }
    answer(c, errors[e].status, errors[e].type, msg);
}

const char *sk_fail_code(enum sk_fail f)
{
    return failures[f].code;
}

const char *sk_fail_message(struct ctx *c, const struct sk_problem *p)
{
    const char *fmt = failures[p->fail].format;
    if (strstr(fmt, "%s") == NULL)
        return fmt;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    const char *msg = arena_printf(c->core.arena, fmt, p->arg != NULL ? p->arg : "");
#pragma GCC diagnostic pop
    return msg != NULL ? msg : fmt;
}

int sk_add_failure(struct ctx *c, json_object *failures_obj, const char *key,
                   const struct sk_problem *p)
{
    json_object *f = json_object_new_object();
    if (jo_str(f, "code", sk_fail_code(p->fail)) != 0 ||
        jo_str(f, "message", sk_fail_message(c, p)) != 0) {
        json_object_put(f);
        return -1;
    }
    return jo_add(failures_obj, key, f);
}

/* The token of an "Authorization: Bearer <token>" header, checked with its scopes. */
static enum auth_status bearer(struct ctx *c, const char *scope)
{
    const char *authorization = req_header(c, "Authorization");
    if (authorization == NULL || *authorization == '\0')
        return AUTH_MISSING;
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return AUTH_INVALID;
    const char *token = authorization + 7;
    while (*token == ' ')
        token++;
    struct auth_who who;
    enum auth_status st = auth_secret(&c->core, "skedulo_token", NULL, token, &who);
    if (st != AUTH_OK)
        return st;
    if (scope != NULL && !auth_has_scope(who.scopes ? who.scopes : "", scope))
        return AUTH_FORBIDDEN;
    c->tenant = who.tenant;
    return AUTH_OK;
}

int sk_authenticate(struct ctx *c, const char *scope)
{
    switch (bearer(c, scope)) {
    case AUTH_OK:
        break;
    case AUTH_MISSING:
        sk_fail_error(c, SK_ERR_NO_TOKEN, NULL);
        return -1;
    case AUTH_INVALID:
        sk_fail_error(c, SK_ERR_BAD_TOKEN, NULL);
        return -1;
    case AUTH_FORBIDDEN:
        sk_fail_error(c, SK_ERR_SCOPE, scope);
        return -1;
    case AUTH_DB:
    default:
        sk_fail_error(c, SK_ERR_DB, NULL);
        return -1;
    }
    if (c->tenant->api_user_email == NULL) {
        sk_fail_error(c, SK_ERR_API_USER, c->tenant->ref);
        return -1;
    }
    return 0;
}

int skedulo_authenticate_write(struct ctx *c)
{
    return sk_authenticate(c, SK_SCOPE_WRITE);
}

int skedulo_authenticate_read(struct ctx *c)
{
    return sk_authenticate(c, SK_SCOPE_READ);
}

void sk_answer_result(struct ctx *c, long long inserted, long long updated, long long total,
                      json_object *failures_obj)
{
    json_object *o = json_object_new_object(), *r = json_object_new_object();
    /* r takes failures_obj and o takes r, each released by the add when it fails */
    int bad = jo_int(r, "inserted", inserted) || jo_int(r, "updated", updated) ||
              jo_int(r, "total", total);
    bad |= jo_add(r, "failures", failures_obj);
    bad |= jo_add(o, "result", r);
    sk_send(c, o, bad);
}

int sk_send(struct ctx *c, json_object *o, int bad)
{
    if (bad || o == NULL) {
        json_object_put(o);
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return -1;
    }
    resp_json(c, 200, o);
    return 0;
}

static void unavailable(struct ctx *c)
{
    sk_fail_error(c, SK_ERR_DB, NULL);
}

static const char *const task_kinds[] = { USERS_IMPORT_TYPE, NULL };

const struct dialect skedulo_dialect = {
    .name = "skedulo",
    .authenticate = skedulo_authenticate_write,
    .error = skedulo_error,
    .unavailable = unavailable,
    .too_many_status = 400,
    .task_kinds = task_kinds,
};

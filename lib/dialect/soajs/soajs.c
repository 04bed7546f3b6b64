/* soajs.c: the SOAJS urac envelope, error catalogue and key authentication. Messages are part of
 * the API (docs/CONTRACT.md section 10): reproduce them byte for byte, never server internals. */
#include "dialect/soajs/soajs_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "codec/fields.h"
#include "codec/json_out.h"
#include "core/auth.h"
#include "http/ctx.h"
#include "http/dialect.h"
#include "http/request.h"

static const struct {
    int code;
    const char *message;
} catalogue[SOAJS_ERR_COUNT] = {
    [SOAJS_DB_CONNECTION] = { 400, "Database connection error" },
    [SOAJS_USER_EXISTS] = { 402, "User account already exists." },
    [SOAJS_REGISTER_FAILED] = { 403, "Unable to register user. please try again." },
    [SOAJS_PASSWORD_MISMATCH] = { 408, "The password and its confirmation do not match" },
    [SOAJS_BAD_PROFILE] = { 413, "Invalid profile field provided. Profile should be a "
                                 "stringified object." },
    [SOAJS_ADD_FAILED] = { 414, "Unable to add user." },
    [SOAJS_PENDING_PASSWORD] = { 424, "Invalid Request, cannot add a pending user account and "
                                      "provide a password at the same time." },
    [SOAJS_BAD_TENANT] = { 611, "Invalid tenant id provided" },
    [SOAJS_BUSINESS_DATA] = { 400, "Business logic required data are missing." },
    [SOAJS_NO_USER] = { 520, "Unable to find user." },
    [SOAJS_MODEL] = { 602, "Model error: " },
};

/* The framework's own answer to a missing or unknown key. */
enum { SOAJS_KEY_CODE = 132 };
static const char key_message[] = "A valid key is needed to access any API.";

int soajs_err_code(enum soajs_err e)
{
    return catalogue[e].code;
}

const char *soajs_err_message(enum soajs_err e)
{
    return catalogue[e].message;
}

void soajs_ok(struct ctx *c, json_object *data)
{
    json_object *o = json_object_new_object();
    int bad = jo_bool(o, "result", 1);
    bad |= jo_add(o, "data", data);
    if (bad) {
        json_object_put(o);
        resp_json(c, 500, NULL);
        return;
    }
    resp_json(c, 200, o);
}

/* {"result":false,"errors":{"codes":[...],"details":[{code,message}...]}} */
static void fail_many(struct ctx *c, int status, const int *codes, const char *const *msgs,
                      size_t n)
{
    json_object *o = json_object_new_object();
    json_object *errors = json_object_new_object();
    json_object *jcodes = json_object_new_array();
    json_object *details = json_object_new_array();
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *d = json_object_new_object();
        bad |= ja_int(jcodes, codes[i]);
        bad |= jo_int(d, "code", codes[i]);
        bad |= jo_str(d, "message", msgs[i]);
        bad |= ja_add(details, d);
    }
    /* each add takes its value, and releases it when it fails */
    bad |= jo_add(errors, "codes", jcodes);
    bad |= jo_add(errors, "details", details);
    bad |= jo_bool(o, "result", 0);
    bad |= jo_add(o, "errors", errors);
    if (bad) {
        json_object_put(o);
        resp_json(c, 500, NULL);
        return;
    }
    resp_json(c, status, o);
}

void soajs_fail(struct ctx *c, enum soajs_err e)
{
    fail_many(c, 200, &catalogue[e].code, &catalogue[e].message, 1);
}

void soajs_fail_model(struct ctx *c, const char *reason)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s%s", catalogue[SOAJS_MODEL].message, reason);
    const char *m = msg;
    fail_many(c, 200, &catalogue[SOAJS_MODEL].code, &m, 1);
}

static void join(char *out, size_t outlen, const char *prefix, const char *const *names,
                 size_t n)
{
    size_t o = (size_t)snprintf(out, outlen, "%s", prefix);
    for (size_t i = 0; i < n && o < outlen; i++)
        o += (size_t)snprintf(out + o, outlen - o, "%s%s", i ? ", " : "", names[i]);
}

int soajs_fail_fields(struct ctx *c, const struct field_report *rep)
{
    char missing[512], invalid[512];
    int codes[2];
    const char *msgs[2];
    size_t n = 0;
    if (rep->nmissing > 0) {
        join(missing, sizeof missing, "Missing required field: ", rep->missing, rep->nmissing);
        codes[n] = 172;
        msgs[n++] = missing;
    }
    if (rep->ninvalid > 0) {
        join(invalid, sizeof invalid, "Validation failed for field: ", rep->invalid,
             rep->ninvalid);
        codes[n] = 173;
        msgs[n++] = invalid;
    }
    if (n == 0)
        return 0;
    fail_many(c, 200, codes, msgs, n);
    return 1;
}

void soajs_error(struct ctx *c, int status, const char *message)
{
    char msg[256];
    if (status >= 500) {
        snprintf(msg, sizeof msg, "Internal error, reference %s", c->core.rid);
        log_error(c->core.rid, "soajs %d: %s", status, message);
        message = msg;
    }
    int code = status == 401 ? SOAJS_KEY_CODE : status;
    fail_many(c, status, &code, &message, 1);
}

void soajs_fail_key(struct ctx *c)
{
    soajs_error(c, 401, key_message);
}

int soajs_key(struct ctx *c, void (*db_down)(struct ctx *c))
{
    struct auth_who who;
    switch (auth_secret(&c->core, "soajs_key", NULL, req_header(c, "key"), &who)) {
    case AUTH_OK:
        c->tenant = who.tenant;
        return 0;
    case AUTH_DB:
        db_down(c);
        return -1;
    default:
        soajs_fail_key(c);
        return -1;
    }
}

/* "database unavailable": the catalogue's entry, for the authentication step and the
 * descriptor alike */
static void unavailable(struct ctx *c)
{
    soajs_fail(c, SOAJS_DB_CONNECTION);
}

int soajs_authenticate(struct ctx *c)
{
    return soajs_key(c, unavailable);
}

json_object *soajs_body(struct ctx *c)
{
    if (c->input == NULL || !json_object_is_type(c->input, json_type_object)) {
        soajs_error(c, 400, "The request body must be a JSON object or a form");
        return NULL;
    }
    return c->input;
}

const struct dialect soajs_dialect = {
    .name = "soajs",
    .authenticate = soajs_authenticate,
    .error = soajs_error,
    .unavailable = unavailable,
    .too_many_status = 413,
    .task_kinds = NULL,
};

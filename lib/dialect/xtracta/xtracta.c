/* xtracta.c: POST /v1/user/add (seed 003, docs/CONTRACT.md section 7). Takes the form or multipart
 * fields, authenticates the api_key, lets xtracta_decode.c check the fields, then builds a struct
 * user_spec and answers in the <user_response> XML envelope, <status> always equal to the HTTP
 * status. The 200 document is built before the user is stored (users_create's answer hook), so
 * a user is never stored without its answer. Never touches SQL; never echoes a password it was
 * not sent. */
#include "dialect/xtracta/xtracta.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "codec/fields.h"
#include "codec/multipart.h"
#include "codec/qrcode.h"
#include "codec/xml_out.h"
#include "core/auth.h"
#include "core/catalog.h"
#include "core/mail.h"
#include "core/pwpolicy.h"
#include "core/tenants.h"
#include "core/users.h"
#include "dialect/xtracta/xtracta_internal.h"
#include "http/ctx.h"
#include "http/dialect.h"

void xtracta_error(struct ctx *c, int status, const char *message)
{
    char msg[256];
    if (status >= 500) {
        log_error(c->core.rid, "xtracta %d: %s", status, message);
        snprintf(msg, sizeof msg, "%s, reference %s",
                 status == 503 ? "The service is temporarily unavailable" : "Internal error",
                 c->core.rid);
        message = msg;
    }
    struct xml_out *x = xml_out_new();
    if (x != NULL) {
        xml_out_open(x, "user_response");
        xml_out_int(x, "status", status);
        /* a message may quote the request (a form field's name, a Content-Type): whatever it
         * holds, the error document can be written */
        xml_out_text_replacing(x, "message", message);
    }
    resp_xml(c, status, x);
}

static const struct {
    int status;
    const char *format;
} errors[XT_ERR_COUNT] = {
    [XT_ERR_BAD_REQUEST] = { 400, "%s" },
    [XT_ERR_PASSWORD_POLICY] = { 400, "Invalid value for parameter: password "
                                      XTRACTA_PASSWORD_POLICY },
    [XT_ERR_BAD_KEY] = { 401, "The api_key is missing or invalid" },
    [XT_ERR_NO_GROUP] = { 404, "Group not found" },
    [XT_ERR_NO_WORKFLOW] = { 404, "Workflow not found" },
    [XT_ERR_EXISTS] = { 409, "A user with this email address already exists" },
    [XT_ERR_INTERNAL] = { 500, "%s" },
    [XT_ERR_DB] = { 503, "%s" },
};

void xt_fail(struct ctx *c, enum xt_err e, const char *arg)
{
    const char *msg = errors[e].format;
    if (strcmp(msg, "%s") == 0)
        msg = arg != NULL ? arg : e == XT_ERR_DB ? "database unavailable" : "internal error";
    xtracta_error(c, errors[e].status, msg);
}

/* The fields as an object: the form body, or the non-file parts of a multipart body. */
static json_object *take_fields(struct ctx *c)
{
    if (c->req.media == MEDIA_MULTIPART) {
        struct mp_part *parts = NULL;
        size_t n = 0;
        char msg[256];
        if (multipart_parse(c->core.arena, c->req.content_type, c->req.body, c->req.body_len,
                            c->core.cfg->multipart_parts, &parts, &n, msg, sizeof msg) != MP_OK ||
            (c->input = multipart_fields(parts, n, msg, sizeof msg)) == NULL) {
            xt_fail(c, XT_ERR_BAD_REQUEST, msg);
            return NULL;
        }
    }
    if (c->input == NULL || !json_object_is_type(c->input, json_type_object)) {
        xt_fail(c, XT_ERR_BAD_REQUEST, "The request must carry form fields");
        return NULL;
    }
    return c->input;
}

/* The base of the login link: the tenant's configured base URL, else the Host the client
 * used (only returned to this authenticated caller, never mailed). */
static const char *link_base(struct ctx *c)
{
    const char *base = mail_base_url(&c->core, c->tenant);
    if (base != NULL)
        return base;
    const char *host = io_param(&c->io, "HTTP_HOST");
    if (host == NULL || *host == '\0' || strlen(host) > 255 ||
        host[strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")]
            != '\0')
        host = "localhost";
    const char *https = io_param(&c->io, "HTTPS");
    int secure = https != NULL && (strcmp(https, "on") == 0 || strcmp(https, "1") == 0);
    return arena_printf(c->core.arena, "%s://%s", secure ? "https" : "http", host);
}

/* What the answer shows besides the user result. */
struct answer_args {
    struct ctx *c;
    const struct user_spec *spec;
    long long group_number;        /* <primary_group_id> */
    const char *workflows_text;    /* "12,13", or NULL */
};

/* users_create's answer hook: the whole 200 document, written into the response before the
 * user is stored, so that no answer fails after the commit (a later failure replaces it with
 * its error). 0, or -1 when it could not be built. */
static int answer(struct core *core, const struct user_result *res, void *arg)
{
    (void)core;
    const struct answer_args *a = arg;
    struct ctx *c = a->c;
    const struct user_spec *spec = a->spec;
    struct xtracta_answer doc = {
        .user_id = res->number,
        .group_id = a->group_number,
        .name = spec->full_name,
        .email = spec->email,
        .workflows_text = a->workflows_text,
        .password = spec->password,
    };
    if (spec->login_token_ttl > 0) {
        const char *base = link_base(c);
        const char *link = base != NULL ? arena_printf(c->core.arena, "%s/v1/user/login?token=%s",
                                                       base, res->login_token)
                                        : NULL;
        doc.qrcode = link != NULL ? qrcode_data_url(c->core.arena, link) : NULL;
        if (doc.qrcode == NULL) {
            log_error(c->core.rid, "xtracta: cannot render the login link's QR code");
            return -1;
        }
        doc.token = res->login_token;
        doc.expire = res->login_expire;
    }
    struct xml_out *x = xml_out_new();
    if (x == NULL || xtracta_answer_write(x, &doc) != 0) {
        xml_out_free(x);
        log_error(c->core.rid, "xtracta: the answer document could not be written");
        return -1;
    }
    resp_xml(c, 200, x);
    return c->resp.status == 200 ? 0 : -1;
}

void xtracta_add_user(struct ctx *c)
{
    json_object *body = take_fields(c);
    if (body == NULL)
        return;
    struct auth_who who;
    switch (auth_secret(&c->core, "xtracta_key", NULL, fields_str(body, "api_key"), &who)) {
    case AUTH_OK:
        c->tenant = who.tenant;
        break;
    case AUTH_DB:
        xt_fail(c, XT_ERR_DB, "database unavailable during authentication");
        return;
    default:
        xt_fail(c, XT_ERR_BAD_KEY, NULL);
        return;
    }
    struct xtracta_req req;
    char msg[256];
    if (xtracta_decode(body, c->core.cfg->string_max, c->core.arena, &req, msg, sizeof msg) != 0) {
        xt_fail(c, XT_ERR_BAD_REQUEST, msg);
        return;
    }
    /* the tenant may ask for more than the structural rules the decoder checked */
    if (req.password != NULL) {
        enum pwrule_level level;
        const struct pwrule_account acct = { req.email, NULL };
        switch (pwpolicy_api_level(&c->core, c->tenant->id, &level)) {
        case PWPOLICY_OK:
            break;
        case PWPOLICY_DB_UNAVAILABLE:
            xt_fail(c, XT_ERR_DB, "database unavailable while reading the password policy");
            return;
        default:
            xt_fail(c, XT_ERR_INTERNAL, "the password policy could not be read");
            return;
        }
        enum pwrule_verdict v = level == PWRULE_FULL
                                    ? pwrule_check(req.password, strlen(req.password), level,
                                                   &acct, c->core.cfg->password_dictionary)
                                    : PWRULE_OK;
        if (v == PWRULE_ERROR) {
            xt_fail(c, XT_ERR_INTERNAL, PWRULE_ERROR_TEXT);
            return;
        }
        if (v != PWRULE_OK) {
            xt_fail(c, XT_ERR_PASSWORD_POLICY, NULL);
            return;
        }
    }
    long long ttl = req.token_ttl;
    const char *wf_json = req.workflows_json;
    unsigned nwf = req.nworkflows;
    /* the group and workflows must be the tenant's: a group_id sent is one of the tenant's
     * numbers; the api_key's own group is kept by its internal id */
    struct catalog_group group;
    enum catalog_status cs =
        req.has_group ? catalog_group_by_number(&c->core, c->tenant, req.group_id, &group)
                      : catalog_group_by_id(&c->core, c->tenant, who.group_id, &group);
    if (cs == CATALOG_OK && wf_json != NULL)
        cs = catalog_workflows_exist(&c->core, c->tenant, wf_json, nwf);
    if (cs != CATALOG_OK) {
        if (cs == CATALOG_DB)
            xt_fail(c, XT_ERR_DB, "database unavailable while checking groups");
        else
            xt_fail(c, cs == CATALOG_NO_GROUP ? XT_ERR_NO_GROUP : XT_ERR_NO_WORKFLOW, NULL);
        return;
    }
    const char *password = req.password;
    struct answer_args args = { c, NULL, group.number, NULL };
    if (wf_json != NULL) {
        /* "[12,13]" -> "12,13" */
        args.workflows_text = arena_strndup(c->core.arena, wf_json + 1, strlen(wf_json) - 2);
        if (args.workflows_text == NULL) {
            xt_fail(c, XT_ERR_INTERNAL, "out of memory");
            return;
        }
    }
    struct user_spec spec = {
        .tenant = c->tenant,
        .origin = "xtracta",
        .email = req.email,
        .full_name = req.name,
        .password = password,
        .status = password != NULL ? "active" : "pendingNew",
        .primary_group_id = group.id,
        .workflow_ids_json = wf_json,
        .nworkflow_ids = nwf,
        /* without a password the user sets one through a mailed link */
        .token = password != NULL ? USER_TOKEN_NONE : USER_TOKEN_SET_PASSWORD,
        .set_mail_kind = MAIL_SET_PASSWORD,
        .login_token_ttl = (unsigned)ttl,
        .answer = answer,
        .answer_arg = &args,
    };
    args.spec = &spec;
    struct user_result res;
    enum users_status us = users_check_free(&c->core, c->tenant, NULL, spec.email);
    if (us == USERS_OK)
        us = users_create(&c->core, &spec, &res);
    switch (us) {
    case USERS_OK:
        break;
    case USERS_EXISTS:
        xt_fail(c, XT_ERR_EXISTS, NULL);
        return;
    case USERS_UNKNOWN_GROUP:
        xt_fail(c, XT_ERR_NO_GROUP, NULL);
        return;
    case USERS_UNKNOWN_WORKFLOW:
        xt_fail(c, XT_ERR_NO_WORKFLOW, NULL);
        return;
    case USERS_DB_UNAVAILABLE:
        dialect_unavailable(c);
        return;
    case USERS_ANSWER_FAILED:
        xt_fail(c, XT_ERR_INTERNAL, "the answer could not be built (nothing was stored)");
        return;
    default:
        xt_fail(c, XT_ERR_INTERNAL, "the user could not be stored");
        return;
    }
    /* the answer was built before the commit (answer() above): nothing left that can fail */
    mail_kick(&c->core);
}

static void unavailable(struct ctx *c)
{
    xt_fail(c, XT_ERR_DB, NULL);
}

const struct dialect xtracta_dialect = {
    .name = "xtracta",
    .authenticate = NULL,
    .error = xtracta_error,
    .unavailable = unavailable,
    .too_many_status = 413,
    .task_kinds = NULL,
};

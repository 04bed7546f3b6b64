/* xtracta.c: POST /v1/user/add (seed 003, API.md section 7). Takes the form or multipart
 * fields, authenticates the api_key, lets xtracta_req.c check the fields, then builds a struct
 * user_spec and answers in the <user_response> XML envelope, <status> always equal to the HTTP
 * status. Never touches SQL; never echoes a password it was not sent. */
#include "xtracta.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "auth.h"
#include "catalog.h"
#include "config.h"
#include "ctx.h"
#include "dialect.h"
#include "fields.h"
#include "log.h"
#include "mail.h"
#include "multipart.h"
#include "qrcode.h"
#include "tenants.h"
#include "users.h"
#include "xtracta_req.h"
#include "xml_out.h"

static const char ok_message[] = "The request has been successfully processed";

void xtracta_error(struct ctx *c, int status, const char *message)
{
    char msg[256];
    if (status >= 500) {
        log_error(c->rid, "xtracta %d: %s", status, message);
        snprintf(msg, sizeof msg, "%s, reference %s",
                 status == 503 ? "The service is temporarily unavailable" : "Internal error",
                 c->rid);
        message = msg;
    }
    struct xml_out *x = xml_out_new();
    if (x != NULL) {
        xml_out_open(x, "user_response");
        xml_out_int(x, "status", status);
        xml_out_text(x, "message", message);
    }
    resp_xml(c, status, x);
}

/* The fields as an object: the form body, or the non-file parts of a multipart body. */
static json_object *take_fields(struct ctx *c)
{
    if (c->req.media == MEDIA_MULTIPART) {
        struct mp_part *parts = NULL;
        size_t n = 0;
        char msg[256];
        if (multipart_parse(c->arena, c->req.content_type, c->req.body, c->req.body_len,
                            c->cfg->multipart_parts, &parts, &n, msg, sizeof msg) != MP_OK ||
            (c->input = multipart_fields(parts, n, msg, sizeof msg)) == NULL) {
            xtracta_error(c, 400, msg);
            return NULL;
        }
    }
    if (c->input == NULL || !json_object_is_type(c->input, json_type_object)) {
        xtracta_error(c, 400, "The request must carry form fields");
        return NULL;
    }
    return c->input;
}

/* The base of the login link: the tenant's configured base URL, else the Host the client
 * used (only returned to this authenticated caller, never mailed). */
static const char *link_base(struct ctx *c)
{
    const char *base = mail_base_url(c, c->tenant);
    if (base != NULL)
        return base;
    const char *host = io_param(&c->io, "HTTP_HOST");
    if (host == NULL || *host == '\0' || strlen(host) > 255 ||
        host[strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")]
            != '\0')
        host = "localhost";
    const char *https = io_param(&c->io, "HTTPS");
    int secure = https != NULL && (strcmp(https, "on") == 0 || strcmp(https, "1") == 0);
    return arena_printf(c->arena, "%s://%s", secure ? "https" : "http", host);
}

static void answer(struct ctx *c, const struct user_spec *spec, const struct user_result *res,
                   const char *workflows_text, const char *login_link)
{
    struct xml_out *x = xml_out_new();
    if (x == NULL) {
        xtracta_error(c, 500, "out of memory");
        return;
    }
    xml_out_open(x, "user_response");
    xml_out_int(x, "status", 200);
    xml_out_text(x, "message", ok_message);
    xml_out_open(x, "user");
    xml_out_int(x, "user_id", res->id);
    xml_out_text(x, "name", spec->full_name);
    xml_out_text(x, "email_address", spec->email);
    xml_out_int(x, "primary_group_id", spec->primary_group_id);
    if (workflows_text != NULL && *workflows_text != '\0')
        xml_out_text(x, "assigned_workflows", workflows_text);
    else
        xml_out_empty(x, "assigned_workflows");
    if (spec->password != NULL)
        xml_out_text(x, "password", spec->password);
    if (spec->login_token_ttl > 0) {
        char *qr = qrcode_data_url(c->arena, login_link);
        if (qr == NULL) {
            xml_out_free(x);
            xtracta_error(c, 500, "cannot render the QR code");
            return;
        }
        xml_out_text(x, "token", res->login_token);
        xml_out_text(x, "qrcode", qr);
        xml_out_int(x, "expire", res->login_expire);
    }
    resp_xml(c, 200, x);
}

void xtracta_add_user(struct ctx *c)
{
    json_object *body = take_fields(c);
    if (body == NULL)
        return;
    long long key_group = 0;
    switch (auth_xtracta_key(c, fields_str(body, "api_key"), &key_group)) {
    case AUTH_OK:
        break;
    case AUTH_DB:
        xtracta_error(c, 503, "database unavailable during authentication");
        return;
    default:
        xtracta_error(c, 401, "The api_key is missing or invalid");
        return;
    }
    struct xtracta_req req;
    char msg[256];
    if (xtracta_decode(body, c->cfg->string_max, c->arena, &req, msg, sizeof msg) != 0) {
        xtracta_error(c, 400, msg);
        return;
    }
    long long group_id = req.has_group ? req.group_id : key_group, ttl = req.token_ttl;
    const char *wf_json = req.workflows_json;
    unsigned nwf = req.nworkflows;
    /* the group and workflows must be the tenant's */
    enum catalog_status cs = catalog_group_exists(c, c->tenant, group_id);
    if (cs == CATALOG_OK && wf_json != NULL)
        cs = catalog_workflows_exist(c, c->tenant, wf_json, nwf);
    if (cs != CATALOG_OK) {
        if (cs == CATALOG_DB)
            xtracta_error(c, 503, "database unavailable while checking groups");
        else
            xtracta_error(c, 404, cs == CATALOG_NO_GROUP ? "Group not found"
                                                         : "Workflow not found");
        return;
    }
    const char *password = req.password;
    struct user_spec spec = {
        .tenant = c->tenant,
        .origin = "xtracta",
        .email = req.email,
        .full_name = req.name,
        .password = password,
        .status = password != NULL ? "active" : "pendingNew",
        .primary_group_id = group_id,
        .workflow_ids_json = wf_json,
        .nworkflow_ids = nwf,
        /* without a password the user sets one through a mailed link */
        .token = password != NULL ? USER_TOKEN_NONE : USER_TOKEN_SET_PASSWORD,
        .set_mail_kind = MAIL_SET_PASSWORD,
        .login_token_ttl = (unsigned)ttl,
    };
    struct user_result res;
    enum users_status us = users_check_free(c, c->tenant, NULL, spec.email);
    if (us == USERS_OK)
        us = users_create(c, &spec, &res);
    switch (us) {
    case USERS_OK:
        break;
    case USERS_EXISTS:
        xtracta_error(c, 409, "A user with this email address already exists");
        return;
    case USERS_UNKNOWN_GROUP:
        xtracta_error(c, 404, "Group not found");
        return;
    case USERS_UNKNOWN_WORKFLOW:
        xtracta_error(c, 404, "Workflow not found");
        return;
    case USERS_DB_UNAVAILABLE:
        xtracta_error(c, 503, "database unavailable");
        return;
    default:
        xtracta_error(c, 500, "the user could not be stored");
        return;
    }
    const char *wf_text = NULL;
    if (wf_json != NULL) {
        /* "[12,13]" -> "12,13" */
        wf_text = arena_strndup(c->arena, wf_json + 1, strlen(wf_json) - 2);
    }
    const char *link = NULL;
    if (ttl > 0) {
        const char *base = link_base(c);
        link = base ? arena_printf(c->arena, "%s/v1/user/login?token=%s", base, res.login_token)
                    : NULL;
        if (link == NULL) {
            xtracta_error(c, 500, "out of memory");
            return;
        }
    }
    mail_kick(c);
    answer(c, &spec, &res, wf_text, link);
}

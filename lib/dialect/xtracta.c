/* xtracta.c: POST /v1/user/add (seed 003, API.md section 7). Decodes form or multipart fields
 * into a struct user_spec and answers in the <user_response> XML envelope, <status> always
 * equal to the HTTP status. Never touches SQL; never echoes a password it was not sent. */
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
#include "password.h"
#include "qrcode.h"
#include "tenants.h"
#include "users.h"
#include "valid.h"
#include "xml_out.h"

enum { TOKEN_EXPIRE_MIN = 60, TOKEN_EXPIRE_MAX = 86400, MAX_WORKFLOWS = 100 };

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

static const struct field_rule rules[] = {
    { "name", FT_STRING, FIELD_REQUIRED, 1, 0, NULL, 0 },
    { "email_address", FT_STRING, FIELD_REQUIRED, 1, EMAIL_MAX, valid_email, 0 },
    { "password", FT_STRING, 0, 1, PASSWORD_MAX_BYTES, NULL, 0 },
    { "group_id", FT_STRING, 0, 1, 18, valid_digits, 0 },
    { "token_expire", FT_STRING, 0, 1, 18, valid_digits, 0 },
};
enum { NRULES = sizeof rules / sizeof rules[0] };

/* The fields as an object: the form body, or the non-file parts of a multipart body. */
static json_object *take_fields(struct ctx *c)
{
    if (c->req.media == MEDIA_MULTIPART) {
        struct mp_part *parts = NULL;
        size_t n = 0;
        char msg[256];
        if (multipart_parse(c->arena, c->req.content_type, c->req.body, c->req.body_len, 64,
                            &parts, &n, msg, sizeof msg) != MP_OK ||
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

/* workflow_ids: "12,13" (spaces allowed) or repeated/array values. Builds the distinct ids, in
 * ascending order, as a JSON array text. Returns 0, or -1 when an id is not a positive
 * integer. */
static int parse_workflows(struct ctx *c, json_object *v, const char **json, unsigned *count)
{
    long long ids[MAX_WORKFLOWS];
    unsigned n = 0;
    size_t items = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 1;
    for (size_t i = 0; i < items; i++) {
        json_object *e = json_object_is_type(v, json_type_array) ? json_object_array_get_idx(v, i)
                                                                 : v;
        if (!json_object_is_type(e, json_type_string))
            return -1;
        const char *s = json_object_get_string(e);
        while (*s != '\0') {
            s += strspn(s, " ");
            size_t k = strcspn(s, ", ");
            long long id;
            if (!parse_digits(s, k, &id) || id <= 0)
                return -1;
            int seen = 0;
            for (unsigned j = 0; j < n && !seen; j++)
                seen = ids[j] == id;
            if (!seen) {
                if (n == MAX_WORKFLOWS)
                    return -1;
                ids[n++] = id;
            }
            s += k;
            s += strspn(s, " ");
            if (*s == ',') {
                s++;
                if (s[strspn(s, " ")] == '\0')
                    return -1;   /* trailing comma */
            } else if (*s != '\0') {
                return -1;
            }
        }
    }
    /* ascending, so <assigned_workflows> does not depend on the order they were sent in */
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            long long tmp = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = tmp;
        }
    size_t cap = (size_t)n * 21 + 3, o = 0;
    char *out = arena_alloc(c->arena, cap);
    if (out == NULL)
        return -1;
    out[o++] = '[';
    for (unsigned j = 0; j < n; j++)
        o += (size_t)snprintf(out + o, cap - o, "%s%lld", j ? "," : "", ids[j]);
    snprintf(out + o, cap - o, "]");
    *json = out;
    *count = n;
    return 0;
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
    fields_trim(body, "email_address");
    struct field_report rep;
    fields_check(body, rules, NRULES, c->cfg->string_max, &rep);
    char msg[256];
    if (rep.nmissing > 0) {
        snprintf(msg, sizeof msg, "Missing required parameter: %s", rep.missing[0]);
        xtracta_error(c, 400, msg);
        return;
    }
    if (rep.ninvalid > 0) {
        snprintf(msg, sizeof msg, "Invalid value for parameter: %s", rep.invalid[0]);
        xtracta_error(c, 400, msg);
        return;
    }
    const char *wf_json = NULL;
    unsigned nwf = 0;
    json_object *wf = fields_get(body, "workflow_ids");
    if (wf != NULL && parse_workflows(c, wf, &wf_json, &nwf) != 0) {
        xtracta_error(c, 400, "Invalid value for parameter: workflow_ids");
        return;
    }
    long long ttl = 0, group_id = key_group;
    const char *te = fields_str(body, "token_expire"), *gid = fields_str(body, "group_id");
    if (te != NULL && (!parse_digits(te, strlen(te), &ttl) || ttl < TOKEN_EXPIRE_MIN ||
                       ttl > TOKEN_EXPIRE_MAX)) {
        xtracta_error(c, 400, "Invalid value for parameter: token_expire (60 to 86400 seconds)");
        return;
    }
    if (gid != NULL && !parse_digits(gid, strlen(gid), &group_id)) {
        xtracta_error(c, 400, "Invalid value for parameter: group_id");
        return;
    }
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
    const char *password = fields_str(body, "password");
    struct user_spec spec = {
        .tenant = c->tenant,
        .origin = "xtracta",
        .email = fields_str(body, "email_address"),
        .full_name = fields_str(body, "name"),
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

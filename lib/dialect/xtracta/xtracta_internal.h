/* xtracta_internal.h: what the Xtracta dialect's files share, not for other dialects: its error
 * catalogue, and the fields of POST /v1/user/add (seed 003, docs/CONTRACT.md section 7) decoded
 * and validated without a database: required and well-formed name and email_address, the optional
 * password, group_id, workflow_ids and token_expire, with the dialect's 400 message for the first
 * problem. Whether the group and workflows are the tenant's is the handler's business (404). Also
 * the 200 document's writer, so that the harness encodes what the decoder accepted exactly as the
 * handler does. Pure: no database, no response; the libFuzzer harness calls both directly. */
#ifndef PROV_XTRACTA_INTERNAL_H
#define PROV_XTRACTA_INTERNAL_H

#include <stddef.h>
#include <json-c/json.h>

struct arena;
struct ctx;
struct xml_out;

/* The dialect's errors: one table (xtracta.c), HTTP status (also the document's <status>) and
 * message with at most one %s. For 5xx the client is shown a stable text with the request id;
 * the %s is logged instead. */
enum xt_err {
    XT_ERR_BAD_REQUEST = 0,   /* 400, %s says what is wrong (the decoders' messages) */
    XT_ERR_PASSWORD_POLICY,   /* 400, the tenant's policy refused the password */
    XT_ERR_BAD_KEY,           /* 401 */
    XT_ERR_NO_GROUP,          /* 404 */
    XT_ERR_NO_WORKFLOW,       /* 404 */
    XT_ERR_EXISTS,            /* 409 */
    XT_ERR_INTERNAL,          /* 500, %s logged */
    XT_ERR_DB,                /* 503, %s logged */
    XT_ERR_COUNT
};

/* Answers catalogue entry e (arg for its %s, or what is logged for a 5xx). */
void xt_fail(struct ctx *c, enum xt_err e, const char *arg);

enum { XTRACTA_TOKEN_EXPIRE_MIN = 60, XTRACTA_TOKEN_EXPIRE_MAX = 86400,
       XTRACTA_MAX_WORKFLOWS = 100 };

/* What the 400 for a password the tenant's policy refuses adds after "Invalid value for
 * parameter: password" (the same password passes for a tenant without the policy, so the
 * plain message would not say why). The structural rules (pwrule.h) answer the plain one. */
#define XTRACTA_PASSWORD_POLICY \
    "(too easy to guess: the tenant's password policy refuses dictionary words, easy patterns " \
    "and the user's email address)"

/* A valid request. Strings are borrowed from the fields object (or the arena). */
struct xtracta_req {
    const char *name;
    const char *email;             /* trimmed */
    const char *password;          /* NULL when not sent */
    int has_group;                 /* group_id was sent; else the api_key's group applies */
    long long group_id;
    const char *workflows_json;    /* distinct ids ascending as a JSON array text, or NULL */
    unsigned nworkflows;
    long long token_ttl;           /* token_expire in seconds, 0 when not sent */
};

/* Checks the fields object (form or multipart fields; the email is trimmed in place). Returns
 * 0 with *out filled, or -1 with msg set to the 400 message ("Missing required parameter: x",
 * "Invalid value for parameter: x"). */
int xtracta_decode(json_object *fields, size_t string_max, struct arena *a,
                   struct xtracta_req *out, char *msg, size_t msglen);

/* What the 200 answer shows: seed 003's <user>, then the login token's three elements. */
struct xtracta_answer {
    long long user_id;             /* the user's number */
    long long group_id;            /* the primary group's number */
    const char *name;
    const char *email;
    const char *workflows_text;    /* "12,13", or NULL/"" for an empty element */
    const char *password;          /* NULL when none was sent (never echoed then) */
    const char *token;             /* NULL when no login token was asked for */
    const char *qrcode;
    long long expire;
};

/* Writes the whole 200 <user_response> document into x (fresh from xml_out_new). Returns 0,
 * or -1 when the writer refused something (never for fields xtracta_decode accepted: the
 * fuzz harness checks it with this very function). */
int xtracta_answer_write(struct xml_out *x, const struct xtracta_answer *a);

#endif

/* xtracta_req.h: the fields of POST /v1/user/add (seed 003, API.md section 7) decoded and
 * validated without a database: required and well-formed name and email_address, the
 * optional password, group_id, workflow_ids and token_expire, with the dialect's 400 message
 * for the first problem. Whether the group and workflows are the tenant's is the handler's
 * business (404). Pure: no database, no response; the libFuzzer harness calls it directly. */
#ifndef PROV_XTRACTA_REQ_H
#define PROV_XTRACTA_REQ_H

#include <stddef.h>
#include <json-c/json.h>

struct arena;

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

#endif

/* servicepower_internal.h: what the ServicePower dialect's files share: the catalogue of its
 * messages (errors and warnings, one table in servicepower.c), the description of one problem
 * as the envelope reports it, the request decoder and authentication. Not for other dialects. */
#ifndef PROV_SERVICEPOWER_INTERNAL_H
#define PROV_SERVICEPOWER_INTERNAL_H

#include <stddef.h>
#include <json-c/json.h>

#include "codec/json_in.h"

struct arena;
struct batch_user;
struct ctx;

/* The x-access-token claim that names the tenant (its customerid, the public half of its
 * 'sp_jwt' credential), and the longest customerid looked up. */
#define SP_JWT_TENANT_CLAIM "customerid"
enum { SP_CUSTOMERID_MAX = 64 };

/* Every message the dialect writes. A message is "[Field ]text[ N][after]" (see sp_message). */
enum sp_msg {
    /* 400: the envelope */
    SP_BODY_TYPE = 0,
    SP_USERS_REQUIRED,
    SP_USERS_TYPE,
    SP_USERS_EMPTY,
    SP_USERS_TOO_MANY,
    SP_USER_TYPE,
    /* 400: one property */
    SP_REQUIRED,
    SP_NOT_STRING,
    SP_NOT_BOOL,
    SP_TEXT,
    SP_EMAIL,
    SP_LANGUAGE,
    SP_PHONE,
    SP_CUD,
    SP_DELETED,
    SP_NOT_ARRAY,
    SP_NOT_OBJECT,
    SP_TOO_MANY_ITEMS,
    SP_TOO_BIG,
    SP_DUPLICATE,
    SP_EMAIL_NEEDED,
    SP_UNKNOWN_ROLE,
    SP_PASSWORD_RULES,
    SP_PASSWORD_POLICY,
    /* 409 */
    SP_USER_EXISTS,
    SP_EMAIL_TAKEN,
    /* 401 */
    SP_AUTH_MISSING,
    SP_AUTH_INVALID,
    SP_JWT_MALFORMED,
    SP_JWT_ALG,
    SP_JWT_CLAIMS,
    SP_JWT_EXPIRED,
    SP_JWT_NOT_YET,
    /* 5xx */
    SP_NO_MAIL,
    SP_DB_DOWN,
    SP_INTERNAL,
    /* 200: success and warnings */
    SP_OK,
    SP_W_DEPRECATED_AUTH,
    SP_W_UNKNOWN_PROPERTY,
    SP_W_MORE_UNKNOWN,
    SP_W_DELETE_MISSING,
    SP_MSG_COUNT
};

/* One problem: the message, the property it starts with (or NULL), the number some messages
 * end with, the dataPath ("Users[3].Email", "" for none) and params.value. Strings are
 * borrowed (request, arena or static). */
struct sp_problem {
    enum sp_msg msg;
    const char *field;
    long long n;
    const char *path;
    const char *value;
};

/* The HTTP status of a message. */
int sp_status(enum sp_msg m);
/* The message text of a problem, in the arena (static text when the arena is out). */
const char *sp_message(struct arena *a, const struct sp_problem *p);
/* Answers {"code":N,"detail":{"message","params":{"value"},"dataPath"}} for p. */
void sp_fail(struct ctx *c, const struct sp_problem *p);
/* Answers 200 {"code":200,"detail":{"message","params":{inserted,updated,deleted},
 * "dataPath":""},"warnings":[...]}; takes ownership of warnings. */
void sp_success(struct ctx *c, size_t inserted, size_t updated, size_t deleted,
                json_object *warnings);
/* Appends {"message","params":{"value"},"dataPath"} to the warnings array. */
void sp_warn(struct arena *a, json_object *warnings, const struct sp_problem *w);
/* Authenticates the request: the x-access-token JWT, else the deprecated customerid and
 * customercode query parameters (*deprecated set to 1). Returns 0 with c->tenant set, or -1
 * after answering 401 (or 503). */
int sp_authenticate(struct ctx *c, int *deprecated);
/* 1 when the request authenticated (or would) with the deprecated customerid and customercode
 * rather than the x-access-token: what sp_authenticate chose, for the warning it earns. */
int sp_deprecated_auth(const struct ctx *c);

/* Limits of one request. */
struct sp_limits {
    size_t max_users;
    size_t string_max;
};

/* Decodes and validates the whole body into users[0..n) (arena; their strings are arena
 * copies, so the tree may go once this returns) and appends the warnings it finds (unknown properties). Returns
 * 0, or -1 with *p describing the first problem in batch order. Checks everything that needs
 * no database: types, bounds, formats, CUD/Deleted, and that no UserID and no Email (of a user
 * not being deleted) appears twice. */
int sp_decode(struct arena *a, const json_object *body, const struct sp_limits *lim,
              json_object *warnings, struct batch_user **users, size_t *n,
              struct sp_problem *p);

/* What sp_decode_text found. */
enum sp_decode_status {
    SP_DECODE_OK = 0,
    SP_DECODE_PROBLEM,           /* *p describes the first problem, as sp_decode would */
    SP_DECODE_JSON               /* json_in refused the text: *js and msg say why */
};

/* The same decoding from the body's text, without its tree: the object's members are walked
 * (json_in_object_next), and Users' elements are parsed, decoded and released one at a time,
 * each giving its weight back to json_in's allowance, so a batch costs one user's tree plus
 * the decoded users (strings copied into the arena), whatever its size within
 * limits.body_bytes. Every other member is parsed to be checked and keeps its weight taken.
 * The outcome is sp_decode's on the tree json_in_parse would build (a text it refuses is
 * SP_DECODE_JSON, with the message of the whole text's parse: a malformed element wins over
 * a problem found in an earlier user, as it would there), except that a batch whose tree
 * would weigh more than the allowance is decoded when each user fits in it: the allowance
 * bounds one user, not the batch. max_depth: limits.json_depth. */
enum sp_decode_status sp_decode_text(struct arena *a, const char *buf, size_t len,
                                     unsigned max_depth, const struct sp_limits *lim,
                                     json_object *warnings, struct batch_user **users,
                                     size_t *n, struct sp_problem *p, char *msg,
                                     size_t msglen, enum json_in_status *js);

#endif

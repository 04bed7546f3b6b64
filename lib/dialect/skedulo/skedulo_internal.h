/* skedulo_internal.h: what the Skedulo handler files share (not for other dialects): the error and
 * per-user failure catalogues, authentication, decoding a user object of the POST body (also
 * the stored form of a task item) and a PATCH object, the users of an uploaded file, the
 * whole-request checks, and the task type's handler. */
#ifndef PROV_SKEDULO_INTERNAL_H
#define PROV_SKEDULO_INTERNAL_H

#include <stddef.h>

#include <json-c/json.h>

#include "base/buf.h"
#include "core/resources.h"
#include "core/users_bulk.h"
#include "core/users_patch.h"

struct ctx;
struct task_info;
struct task_item_in;

/* Request-level errors: one table (skedulo.c), errorType + status + message format with at
 * most one %s. */
enum sk_err {
    SK_ERR_NO_TOKEN = 0,     /* 401 */
    SK_ERR_BAD_TOKEN,        /* 401 */
    SK_ERR_SCOPE,            /* 403, %s the scope */
    SK_ERR_API_USER,         /* 400 api_user_not_found, %s the tenant (+ "tenantId") */
    SK_ERR_RESOURCE_ROLE,    /* 400 users_need_resource_role, %s the emails */
    SK_ERR_BAD_REQUEST,      /* 400, %s says what is wrong */
    SK_ERR_TASK_NOT_FOUND,   /* 404 */
    SK_ERR_DB,               /* 503 */
    SK_ERR_INTERNAL,         /* 500, %s is logged, not shown */
    SK_ERR_COUNT
};

/* Per-user failures ({"code","message"} in a result's failures, errorMsg in task status). */
enum sk_fail {
    SK_FAIL_EMAIL_EXISTS = 0,  /* email_already_exists */
    SK_FAIL_MISSING_FIELD,     /* invalid_user, %s the field */
    SK_FAIL_INVALID_FIELD,     /* invalid_user, %s the field */
    SK_FAIL_MANAGED_EMAIL,     /* invalid_user */
    SK_FAIL_UNKNOWN_REGION,    /* unknown_region, %s the region id */
    SK_FAIL_UNKNOWN_ROLE,      /* unknown_role, %s the role */
    SK_FAIL_USER_NOT_FOUND,    /* user_not_found */
    SK_FAIL_COUNT
};

/* A per-user failure: which, and the value for its message. */
struct sk_problem {
    enum sk_fail fail;
    const char *arg;
};

enum { SK_MAX_LIST = 50 };   /* roles or regions of one user */

#define SK_SCOPE_READ "users:read"
#define SK_SCOPE_WRITE "users:write"

void sk_fail_error(struct ctx *c, enum sk_err e, const char *arg);
/* Answers 200 with o, or, when building it failed (bad, or o NULL), releases it and answers
 * the internal error. 0 when o was sent. */
int sk_send(struct ctx *c, json_object *o, int bad);
/* The failure's code and its message (arena). */
const char *sk_fail_code(enum sk_fail f);
const char *sk_fail_message(struct ctx *c, const struct sk_problem *p);
/* Adds {"code","message"} under key to failures; -1 when an allocation failed. */
int sk_add_failure(struct ctx *c, json_object *failures, const char *key,
                   const struct sk_problem *p);
/* Bearer token with scope, then the tenant's API user. Answers and returns -1 on failure. */
int sk_authenticate(struct ctx *c, const char *scope);
/* {"result": <inserted/updated/total/failures>}; takes failures. */
void sk_answer_result(struct ctx *c, long long inserted, long long updated, long long total,
                      json_object *failures);

/* 400 "Too many users in one request: n (the limit is max)". */
void sk_too_many_users(struct ctx *c, size_t n, size_t max);
/* The decoded body as a non-empty array of at most max users; answers 400 otherwise. */
json_object *sk_user_array(struct ctx *c, json_object *body, unsigned max);
/* The whole-request rule of seed 000: every user with a resource holds the Resource role and
 * every user with that role has a complete resource (primaryRegionId and isActive). Answers
 * 400 users_need_resource_role listing the emails and returns -1 when it is broken. */
int sk_check_resource_roles(struct ctx *c, json_object *users);
/* 1 when one user breaks that rule (a non-object breaks nothing here: its decoder reports). */
int sk_role_rule_broken(json_object *user);
/* The key a user is reported under: its email (trimmed) when it has one, else "users[i]". */
const char *sk_user_key(struct ctx *c, json_object *user, size_t i);
/* Decodes one POST user object into *u (arena). 0, or -1 with *pb set. */
int sk_decode_user(struct ctx *c, json_object *obj, struct bulk_user *u, struct sk_problem *pb);
/* Decodes one PATCH object for user oid. 0, or -1 with *pb set. */
int sk_decode_patch(struct ctx *c, const char *oid, json_object *obj, struct user_patch *p,
                    struct sk_problem *pb);
/* The email of a JSON user object, trimmed, or NULL when it has no string email (arena). */
const char *sk_trimmed_email(struct ctx *c, json_object *user);

/* Receives one user of a file (borrowed: released after the call, keep copies). 0, or -1
 * after answering. */
typedef int (*sk_user_fn)(struct ctx *c, json_object *user, size_t index, void *arg);
/* The users of an uploaded file (skedulo_file_decode.c), one at a time, in order: the elements
 * of a JSON array (at most file_max_users; anything but an array is a 400), or CSV rows as user
 * objects (at most file_max_users rows and limits.csv_cells cells); a UTF-8 byte order mark is
 * skipped. Returns how many users fn received (0: the file holds none), or -1 after answering
 * (400, or fn's answer). Needs no database. */
long sk_file_each_user(struct ctx *c, const char *data, size_t len, sk_user_fn fn, void *arg);
/* What a JSON array text's walk falls back on for a text it cannot take one element at a
 * time: the whole text parsed as one tree, for the exact answer (and, should the walk and the
 * parser disagree, the users anyway). Returns as sk_json_each_user does. */
typedef long (*sk_whole_fn)(struct ctx *c, const char *data, size_t len, sk_user_fn fn,
                            void *arg);
/* The elements of a JSON array text, one at a time: walked (json_in_array_next) and counted,
 * then each parsed, handed to fn and released (its weight given back to the request's JSON
 * allowance), so the text never exists as one tree. Whatever the walk or an element's parse
 * refuses is answered by whole(), so the answers are those of a whole parse, in the same
 * order: an invalid text, then too many elements (more than max: 400, once every element has
 * parsed). Returns how many users fn received (0 for []), or -1 after answering. */
long sk_json_each_user(struct ctx *c, const char *data, size_t len, size_t max,
                       sk_whole_fn whole, sk_user_fn fn, void *arg);
/* The users of a POST or /bulk body (skedulo_body.c), one at a time, in order, from its text
 * when the route left it undecoded (ACCEPT_JSON_WALKED), else from c->input; a body that is not
 * a non-empty array, or holds more than limits.bulk_users, is answered as sk_user_array does.
 * Returns the number of users (at least 1), or -1 after answering. */
long sk_body_each_user(struct ctx *c, sk_user_fn fn, void *arg);
/* Receives one member of a PATCH body: the user id (arena) and its changes (borrowed: released
 * after the call). index numbers the distinct ids in the order they first appear; a repeated
 * id is handed over again with the same index and its later changes, which replace the
 * earlier ones (json-c's rule for duplicate keys). 0, or -1 after answering. */
typedef int (*sk_member_fn)(struct ctx *c, const char *id, json_object *changes, size_t index,
                            void *arg);
/* The members of a PATCH body one at a time, as sk_body_each_user does for an array: the body
 * must be a non-empty object of at most limits.bulk_users distinct ids. Returns the number of
 * distinct ids, or -1 after answering. */
long sk_body_each_member(struct ctx *c, sk_member_fn fn, void *arg);
/* The same users collected in a new array (for the fuzz harness and tests), or NULL after
 * answering 400. */
json_object *sk_file_users(struct ctx *c, const char *data, size_t len);

/* A bulk or file task built one user at a time (skedulo_tasks.c): what the task stores of
 * each user (the core's import item, in the arena) and the users breaking the Resource role
 * rule. Zero it before the first sk_task_add. */
struct sk_task_build {
    struct task_item_in *items;
    size_t n, cap;
    struct buf broken;   /* keys (email or "users[i]") of the users breaking the rule */
    size_t nbroken;
};
/* Adds the user at index. 0, or -1 after answering 500. */
int sk_task_add(struct ctx *c, struct sk_task_build *b, json_object *user, size_t index);
/* Answers 400 users_need_resource_role naming the users that broke the rule; else stores the
 * task with its items, answers the task object and starts a background worker after the
 * response when one of the host's worker slots is free (else the task waits in the queue for a
 * running worker). Releases what b holds outside the arena. */
void sk_task_start(struct ctx *c, struct sk_task_build *b);
/* The task object of seed 000 (taskId, tenantId, type, createdAt, lastCheckedInAt,
 * completedAt, success, errorMsg), a new reference. */
json_object *sk_task_json(const struct task_info *ti);

#endif

/* soajs_internal.h: what the files of the SOAJS urac dialect (addUser, invite) share, not for
 * other dialects: the unified response envelope, the error catalogue of docs/CONTRACT.md section
 * 10 (codes and messages byte for byte), tenant-key authentication, the form/JSON conventions, and
 * the two request decoders (soajs_add_user_decode.c, soajs_invite_decode.c). */
#ifndef PROV_SOAJS_INTERNAL_H
#define PROV_SOAJS_INTERNAL_H

#include <stddef.h>
#include <json-c/json.h>

#include "codec/fields.h"
#include "core/limits.h"
#include "dialect/soajs/soajs.h"

struct arena;
struct ctx;

/* The catalogue: each entry is one code with its exact message. Two entries may share a
 * code (400 means different things for addUser and invite), so entries are named. */
enum soajs_err {
    SOAJS_DB_CONNECTION,     /* 400 Database connection error */
    SOAJS_USER_EXISTS,       /* 402 */
    SOAJS_REGISTER_FAILED,   /* 403 */
    SOAJS_PASSWORD_MISMATCH, /* 408 */
    SOAJS_BAD_PROFILE,       /* 413 */
    SOAJS_ADD_FAILED,        /* 414 */
    SOAJS_PENDING_PASSWORD,  /* 424 */
    SOAJS_BAD_TENANT,        /* 611 */
    SOAJS_BUSINESS_DATA,     /* 400 Business logic required data are missing. (invite) */
    SOAJS_NO_USER,           /* 520 Unable to find user. */
    SOAJS_MODEL,             /* 602 Model error: <reason> */
    SOAJS_ERR_COUNT
};

int soajs_err_code(enum soajs_err e);
const char *soajs_err_message(enum soajs_err e);

/* {"result":true,"data":data}; takes ownership of data. */
void soajs_ok(struct ctx *c, json_object *data);
/* {"result":false,...} with HTTP 200 for a catalogue entry. */
void soajs_fail(struct ctx *c, enum soajs_err e);
/* 602 "Model error: " + reason (a short public reason, no internals). */
void soajs_fail_model(struct ctx *c, const char *reason);
/* 172 and/or 173 from a field report; returns 1 when it answered, 0 when the report is clean. */
int soajs_fail_fields(struct ctx *c, const struct field_report *rep);
/* The "key" header's tenant into c->tenant: 0, or -1 after answering 401, or db_down's answer
 * when the database cannot be asked (each endpoint's catalogue has its own). */
int soajs_key(struct ctx *c, void (*db_down)(struct ctx *c));
/* The framework's 401 answer to a missing or unknown key, for endpoints whose catalogue
 * answers a database failure during authentication differently (invite: 602). */
void soajs_fail_key(struct ctx *c);
/* The decoded body as an object, answering 400 and returning NULL when it is not one. */
json_object *soajs_body(struct ctx *c);

/* addUser: the body of POST /urac/admin/addUser (seed 002, docs/CONTRACT.md section 10.4) decoded
 * and validated without a database: the form conversions, the 172/173 field checks, the profile
 * (413), the status/password rule (424) and the confirmation (408), in the contract's order. What
 * needs the store (611 the target tenant, 402 a taken name, the groups' existence) stays in the
 * handler. Pure: no database, no response; the libFuzzer harness calls it directly. */

enum soajs_add_user_verdict {
    SOAJS_ADD_USER_OK = 0,
    SOAJS_ADD_USER_FIELDS,            /* 172 and/or 173: see the field report */
    SOAJS_ADD_USER_BAD_PROFILE,       /* 413 */
    SOAJS_ADD_USER_PENDING_PASSWORD,  /* 424 */
    SOAJS_ADD_USER_PASSWORD_MISMATCH, /* 408 */
    SOAJS_ADD_USER_NOMEM
};

/* A valid request. Strings are borrowed from the body (or the arena) and live as long as
 * both. */
struct soajs_add_user_req {
    const char *username, *email, *first_name, *last_name;
    const char *tid, *tcode;          /* as sent: their meaning is checked against the store */
    const char *status;               /* "active", "inactive" or "pendingNew" */
    const char *password;             /* NULL for a pending account */
    const char *profile_json;         /* the profile object as JSON text, or NULL */
    const char *group_codes_json;     /* distinct group codes as a JSON array text, or NULL */
    unsigned ngroup_codes;
    int has_pin;
    const char *pin_code;
    int pin_allowed;
};

/* Decodes body (an object: the JSON or form body with tId/tCode from the query already merged
 * in) and changes it in place (form values converted, email trimmed, a profile string replaced
 * by its object). form: the body came form-encoded. string_max and json_max_depth are the
 * configured limits. On SOAJS_ADD_USER_FIELDS *rep lists the missing and invalid fields;
 * on SOAJS_ADD_USER_OK *out is filled. */
enum soajs_add_user_verdict soajs_add_user_decode(json_object *body, int form, size_t string_max,
                                                  unsigned json_max_depth, struct arena *a,
                                                  struct field_report *rep,
                                                  struct soajs_add_user_req *out);

/* invite: the body of PUT /urac/admin/users/invite (seed 004, docs/CONTRACT.md section 10.5)
 * decoded into a list of invitation items, with the framework's 172/173 verdict. Pure: no
 * database, no response; the handler maps the result to codes and to the store. */

enum {
    SOAJS_INVITE_MAX_USERS = 100,   /* users: 1..100 items */
    SOAJS_INVITE_MAX_GROUPS = 100,  /* groups of one item */
    SOAJS_INVITE_GROUP_MAX = LIMIT_GROUP_CODE_CHARS   /* characters of one group code */
};

/* Which identifier an item names its user by: the first present of id, username, email. */
enum soajs_invite_by {
    SOAJS_INVITE_BY_NONE = 0,
    SOAJS_INVITE_BY_ID,
    SOAJS_INVITE_BY_USERNAME,
    SOAJS_INVITE_BY_EMAIL
};

struct soajs_invite_item {
    enum soajs_invite_by by;
    const char *key;          /* "id", "username" or "email"; NULL for BY_NONE */
    const char *value;        /* the identifier as sent, echoed in the answer */
    const char *lookup;       /* what to look for: the id lowercased, the email trimmed */
    const char **groups;      /* distinct group codes, first-seen order */
    size_t ngroups;
    int pin;                  /* pin.code: generate a pin */
    int pin_allowed;          /* pin.allowed */
};

struct soajs_invite_req {
    struct soajs_invite_item *items;
    size_t n;
};

enum soajs_invite_decode_status {
    SOAJS_INVITE_DECODE_OK = 0,
    SOAJS_INVITE_DECODE_MISSING,   /* users absent or null: 172 */
    SOAJS_INVITE_DECODE_INVALID,   /* users present but not as the contract says: 173 */
    SOAJS_INVITE_DECODE_NOMEM
};

/* Form bodies carry strings only: converts, in place, what the form conventions of
 * docs/CONTRACT.md section 10.3 allow: JSON text for users, an item, its user, groups or pin; an
 * object keyed "0".."n-1" (from users[0][user][id]=...) into an array; a single item or group into
 * a one-item array; and "true"/"false" for pin.code and pin.allowed. Anything else is left for the
 * decoder to refuse. */
void soajs_invite_coerce_form(json_object *body, unsigned json_max_depth);

/* Decodes body (an object). Strings are checked as single-line UTF-8 text of 1..string_max bytes
 * (group codes 1..64, emails as section 10.3 defines them). On OK, out->items is in arena a and
 * borrows the strings of body, which must outlive it. */
enum soajs_invite_decode_status soajs_invite_decode(const json_object *body, size_t string_max,
                                                    struct arena *a,
                                                    struct soajs_invite_req *out);

#endif

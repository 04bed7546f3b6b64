/* soajs_invite_req.h: the body of PUT /urac/admin/users/invite (seed 004, SOAJS.md) decoded
 * into a list of invitation items, with the framework's 172/173 verdict. Pure: no database,
 * no response; the handler maps the result to codes and to the store. */
#ifndef PROV_SOAJS_INVITE_REQ_H
#define PROV_SOAJS_INVITE_REQ_H

#include <stddef.h>
#include <json-c/json.h>

struct arena;

enum {
    SOAJS_INVITE_MAX_USERS = 100,   /* users: 1..100 items */
    SOAJS_INVITE_MAX_GROUPS = 100,  /* groups of one item */
    SOAJS_INVITE_GROUP_MAX = 64     /* bytes of one group code (groups.code) */
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

/* Form bodies carry strings only: converts, in place, what SOAJS.md's form conventions allow:
 * JSON text for users, an item, its user, groups or pin; an object keyed "0".."n-1" (from
 * users[0][user][id]=...) into an array; a single item or group into a one-item array; and
 * "true"/"false" for pin.code and pin.allowed. Anything else is left for the decoder to refuse. */
void soajs_invite_coerce_form(json_object *body, unsigned json_max_depth);

/* Decodes body (an object). Strings are checked as single-line UTF-8 text of 1..string_max
 * bytes (group codes 1..64, emails in SOAJS.md's format). On OK, out->items is in arena a and
 * borrows the strings of body, which must outlive it. */
enum soajs_invite_decode_status soajs_invite_decode(const json_object *body, size_t string_max,
                                                    struct arena *a,
                                                    struct soajs_invite_req *out);

#endif

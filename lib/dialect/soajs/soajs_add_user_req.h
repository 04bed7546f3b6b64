/* soajs_add_user_req.h: the body of POST /urac/admin/addUser (seed 002, SOAJS.md) decoded and
 * validated without a database: the form conversions, the 172/173 field checks, the profile
 * (413), the status/password rule (424) and the confirmation (408), in SOAJS.md's order. What
 * needs the store (611 the target tenant, 402 a taken name, the groups' existence) stays in
 * the handler. Pure: no database, no response; the libFuzzer harness calls it directly. */
#ifndef PROV_SOAJS_ADD_USER_REQ_H
#define PROV_SOAJS_ADD_USER_REQ_H

#include <stddef.h>
#include <json-c/json.h>

#include "codec/fields.h"

struct arena;

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

#endif

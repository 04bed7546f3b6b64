/* soajs.h: what the SOAJS urac endpoints (addUser, invite) share: the unified response
 * envelope, the error catalogue of SOAJS.md (codes and messages byte for byte), tenant-key
 * authentication, and the form/JSON conventions. */
#ifndef PROV_SOAJS_H
#define PROV_SOAJS_H

#include <json-c/json.h>

struct ctx;
struct dialect;
struct field_report;

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
/* Authenticates the "key" header; on failure answers (401, or 400 when the database is down)
 * and returns -1. addUser's authentication step (route.h). */
int soajs_authenticate(struct ctx *c);
/* The framework's 401 answer to a missing or unknown key, for endpoints whose catalogue
 * answers a database failure during authentication differently (invite: 602). */
void soajs_fail_key(struct ctx *c);
/* The decoded body as an object, answering 400 and returning NULL when it is not one. */
json_object *soajs_body(struct ctx *c);

/* The dialect's descriptor (http/dialect.h), for the routes that speak soajs. */
extern const struct dialect soajs_dialect;
/* Its answer to a transport-level error (the descriptor's error). */
void soajs_error(struct ctx *c, int status, const char *message);

#endif

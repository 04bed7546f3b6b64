/* users.h: the user store shared by every dialect: creating a user with everything that hangs
 * off it (groups, workflows, pin, one-time token, queued mail) in one transaction. Dialects fill
 * a struct user_spec from their own field names and map enum users_status to their own codes;
 * this module never knows a vendor's names or codes. */
#ifndef PROV_USERS_H
#define PROV_USERS_H

#include "base/crypto.h"

struct core;
struct tenant;
struct user_result;

enum user_token_kind { USER_TOKEN_NONE = 0, USER_TOKEN_SET_PASSWORD };

struct user_spec {
    const struct tenant *tenant;   /* the tenant the user is created in */
    const char *origin;            /* "soajs", "xtracta", "skedulo", "servicepower", "admin" */
    const char *username;          /* NULL: none */
    const char *email;             /* trimmed, validated */
    const char *first_name;
    const char *last_name;
    const char *full_name;
    const char *password;          /* clear text to hash, or NULL */
    const char *status;            /* "active", "inactive" or "pendingNew" */
    const char *profile_json;      /* a serialised JSON object, or NULL */
    const char *group_codes_json;  /* a JSON array of distinct group codes, or NULL */
    unsigned ngroup_codes;         /* how many codes that array holds */
    long long primary_group_id;    /* 0: none; else a group of the tenant (also linked) */
    const char *workflow_ids_json; /* a JSON array of distinct workflow ids, or NULL */
    unsigned nworkflow_ids;
    const char *pin_code;          /* a pin to store hashed for the tenant, or NULL */
    int pin_allowed;
    /* a single-use set-password token (uuid v4) valid for token.ttl_hours, mailed as
     * set_mail_kind when the tenant has mail configured */
    enum user_token_kind token;
    int set_mail_kind;             /* enum mail_kind */
    unsigned login_token_ttl;      /* > 0: also a login token valid this many seconds */
    /* The caller's answer, built from *out once every id, token and expiry in it is drawn and
     * before anything is written, so that no answer can fail after the commit: nonzero makes
     * users_create store nothing and return USERS_ANSWER_FAILED. Called again if a number has
     * to be drawn again. NULL: none. */
    int (*answer)(struct core *c, const struct user_result *out, void *arg);
    void *answer_arg;
};

struct user_result {
    long long id;                      /* internal id (foreign keys); 0 until stored */
    long long number;                  /* the public integer id (Xtracta user_id, pubid.h) */
    char oid[OID_HEX_LEN + 1];         /* string id (SOAJS id, Skedulo id) */
    char token[UUID_STR_LEN + 1];      /* the set-password token, "" when none */
    char login_token[48];              /* the login token, "" when none */
    long long login_expire;            /* UTC epoch seconds */
};

enum users_status {
    USERS_OK = 0,
    USERS_EXISTS,            /* username or email already used in the tenant */
    USERS_UNKNOWN_GROUP,     /* a group code or group id not of the tenant */
    USERS_UNKNOWN_WORKFLOW,  /* a workflow id not of the tenant */
    USERS_PIN_TAKEN,         /* the pin is already used in the tenant */
    USERS_DB_UNAVAILABLE,    /* the database could not be reached */
    USERS_INSERT_FAILED,     /* the user row (or its groups, workflows, pin) was refused */
    USERS_TOKEN_FAILED,      /* the token or its mail could not be recorded */
    USERS_ERROR,             /* hashing or randomness failed */
    USERS_ANSWER_FAILED      /* spec->answer failed: nothing was written */
};

/* Creates the user under a fresh number (unique in the tenant); nothing is written unless
 * everything is. */
enum users_status users_create(struct core *c, const struct user_spec *spec,
                               struct user_result *out);
/* USERS_EXISTS when the username or email is taken in the tenant, USERS_OK when free. */
enum users_status users_check_free(struct core *c, const struct tenant *t, const char *username,
                                   const char *email);
/* HMAC-SHA256 of a pin under the tenant's pin salt, as hex (the stored form). */
void users_pin_hash(const struct tenant *t, const char *pin, char out[2 * SHA256_LEN + 1]);

#endif

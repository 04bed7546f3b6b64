/* users_batch.h: applying a whole batch of user creations, updates and deletions keyed by
 * username, all or nothing, in ONE transaction with a fixed number of statements whatever the
 * batch size (each list goes to the server as one JSON parameter expanded by JSON_TABLE).
 * Dialects fill struct batch_user from their own field names and map the status and the
 * problem's field to their own errors; this module never knows a vendor's names or codes. */
#ifndef PROV_USERS_BATCH_H
#define PROV_USERS_BATCH_H

#include <stddef.h>

struct core;
struct tenant;

enum batch_op {
    BATCH_INSERT = 1,   /* create; the username must not exist */
    BATCH_UPSERT,       /* update, or create when the username does not exist */
    BATCH_DELETE        /* delete; a missing username is only reported (missing[]) */
};

/* Tri-state flags: unchanged (absent from the request), false, true. */
enum batch_flag { BATCH_UNSET = -1, BATCH_FALSE = 0, BATCH_TRUE = 1 };

struct batch_phone {
    const char *number;
    const char *type;            /* NULL: none */
};

/* One user of the batch. Every pointer is borrowed for the call. NULL strings and
 * BATCH_UNSET flags leave the stored value unchanged (on creation: empty/default). */
struct batch_user {
    enum batch_op op;
    const char *username;        /* the key, required */
    const char *email;           /* trimmed and validated; required when the user is created */
    const char *first_name;
    const char *last_name;
    const char *password;        /* clear text to hash; ignored when reset_password. A user
                                    created with neither is invited (users_batch_apply) */
    int reset_password;          /* 1: generate a password, store its hash, mail it */
    int active;                  /* enum batch_flag: BATCH_FALSE makes users.status inactive;
                                    otherwise an invited created user is pendingNew (until
                                    its password is set), another created user active, and an
                                    updated one active, or pendingNew while it has no
                                    password */
    int locked;                  /* enum batch_flag */
    int set_roles;               /* 1: roles[] replaces the user's roles (may be empty) */
    const char *const *roles;    /* role names or role uuids, of the tenant or built in */
    size_t nroles;
    int set_phones;              /* 1: phones[] replaces the user's phones (may be empty) */
    const struct batch_phone *phones;
    size_t nphones;
    /* attributes (NULL / BATCH_UNSET: unchanged) */
    const char *language_code;
    int mobile_worker;
    const char *dispatch_group_id;
    const char *service_team_id;
    const char *storage_location_id;
    int sms_enabled;
    int facetime_enabled;
    const char *work_status;
    const char *extensions_json; /* a serialised JSON object replacing the stored one */
};

enum batch_status {
    BATCH_OK = 0,
    BATCH_EXISTS,            /* a BATCH_INSERT username exists: problem names it */
    BATCH_EMAIL_TAKEN,       /* an email belongs to another user of the tenant */
    BATCH_EMAIL_REQUIRED,    /* a user to create has no email */
    BATCH_UNKNOWN_ROLE,      /* problem.item is the index in roles[] */
    BATCH_NO_MAIL,           /* a password reset needs mail, which the tenant lacks */
    BATCH_DB_UNAVAILABLE,
    BATCH_ERROR              /* anything else; logged */
};

enum batch_field { BATCH_FIELD_NONE = 0, BATCH_FIELD_USERNAME, BATCH_FIELD_EMAIL,
                   BATCH_FIELD_ROLES };

/* What stopped the batch: which user (index into the caller's array, or BATCH_NO_INDEX when
 * it cannot be told, e.g. a concurrent request took an email and gave it back), which field,
 * which item of a list field, and the offending value (borrowed from the batch). */
#define BATCH_NO_INDEX ((size_t)-1)
struct batch_problem {
    size_t index;
    enum batch_field field;
    size_t item;
    const char *value;
};

struct batch_result {
    size_t inserted, updated, deleted;
    size_t *missing;             /* indexes of BATCH_DELETE users that did not exist (arena) */
    size_t nmissing;
    struct batch_problem problem;
};

/* Applies users[0..n) for tenant t, marking created users with origin (a users.origin value).
 * Usernames must be distinct within the batch and so must emails (case-insensitively): the
 * caller checks that. Passwords are hashed and reset passwords generated before the
 * transaction; roles are resolved first; inside the transaction the existing users are locked,
 * every check is made, and then deletes, updates, inserts, roles, phones, attributes and the
 * password mails are written. A created user without password and reset is invited when the
 * tenant has mail: a set-password token (stored hashed, valid token.ttl_hours) and a
 * set_password mail with its /urac/join link. Deletes, and updates that set a password,
 * change the email or deactivate, retire what they make stale (users_retire.h); an updated
 * user is invited again only when its email changes while it still waits for its first
 * password. Nothing is written unless everything is: any status other than BATCH_OK leaves
 * the database as it was. A username taken by a concurrent request is decided by the unique
 * index (the transaction is run again, tx.h, so an upsert then becomes an update and an
 * insert BATCH_EXISTS), never by reading first; deadlocks on every run answer
 * BATCH_DB_UNAVAILABLE. */
enum batch_status users_batch_apply(struct core *c, const struct tenant *t, const char *origin,
                                    const struct batch_user *users, size_t n,
                                    struct batch_result *out);

#endif

/* users_bulk.h: creating many users at once with what hangs off them (roles, regions, a
 * resource, a set-password token and its invitation mail). Work is batched: a fixed number of
 * statements per chunk of users, each taking the chunk as one JSON document, never one round
 * trip per user. Races on an email are decided by the unique index, per user. Dialects fill
 * struct bulk_user from their own field names and map enum bulk_outcome to their own codes. */
#ifndef PROV_USERS_BULK_H
#define PROV_USERS_BULK_H

#include <stddef.h>

#include "base/crypto.h"
#include "core/resources.h"

struct core;
struct tenant;

struct bulk_user {
    const char *email;                    /* trimmed and validated */
    const char *first_name;               /* NULL: none */
    const char *last_name;
    const char *const *roles;             /* role names; duplicates allowed */
    size_t nroles;
    const char *const *regions;           /* region ids of the tenant; duplicates allowed */
    size_t nregions;
    int invite;                           /* a set-password token and an invitation mail */
    const struct resource_spec *resource; /* NULL: none; else both required fields RES_SET */
};

enum bulk_outcome {
    BULK_CREATED = 0,
    BULK_EXISTS,          /* the email is taken in the tenant, or earlier in the same call */
    BULK_UNKNOWN_ROLE,    /* detail names the role */
    BULK_UNKNOWN_REGION   /* detail names the region id */
};

struct bulk_result {
    enum bulk_outcome outcome;
    const char *detail;               /* borrowed from the input, or NULL */
    char oid[OID_HEX_LEN + 1];        /* the new user's string id when created */
};

enum users_bulk_status {
    USERS_BULK_OK = 0,
    USERS_BULK_RETRY,           /* deadlock or lock timeout: the transaction is lost, retry */
    USERS_BULK_DB_UNAVAILABLE,  /* the database could not be reached */
    USERS_BULK_ERROR            /* anything else (already logged) */
};

struct bulk_options {
    const char *origin;   /* users.origin, e.g. "skedulo" */
    int mail_kind;        /* enum mail_kind of the invitation */
};

/* Creates users[0..n) in tenant t inside the caller's open transaction; out[i] tells what
 * happened to users[i]. On a status other than USERS_BULK_OK the caller must roll back (and
 * out[] means nothing). Users are created with status pendingNew; an invited user also gets a
 * single-use set-password token (stored as its SHA-256) valid token.ttl_hours, and the mail
 * when the tenant has mail configured. */
enum users_bulk_status users_bulk_insert(struct core *c, const struct tenant *t,
                                         const struct bulk_options *o,
                                         const struct bulk_user *users, size_t n,
                                         struct bulk_result *out);
/* The same in one transaction of its own (tx.h: rerun whole on a deadlock; deadlocks on
 * every run answer USERS_BULK_DB_UNAVAILABLE). Nothing is written unless every created user
 * is written with everything it has. */
enum users_bulk_status users_bulk_create(struct core *c, const struct tenant *t,
                                         const struct bulk_options *o,
                                         const struct bulk_user *users, size_t n,
                                         struct bulk_result *out);

#endif

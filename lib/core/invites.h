/* invites.h: inviting existing users of a main tenant's tenancy (the main tenant and its
 * sub-tenants) into one of its sub-tenants: resolving the inviting tenant's main tenant,
 * finding the user, and adding the membership with its groups and an optional generated login
 * pin (stored hashed, mailed) in one transaction per user. Never knows a vendor's field names,
 * codes or messages; a tenant outside the tenancy never finds its users. */
#ifndef PROV_INVITES_H
#define PROV_INVITES_H

#include <stddef.h>

#include "base/crypto.h"

struct core;
struct tenant;

enum { INVITES_PIN_DIGITS = 4 };

enum invites_status {
    INVITES_OK = 0,
    INVITES_NO_MAIN,          /* the tenant is not a sub-tenant of a main tenant */
    INVITES_NOT_FOUND,        /* no such user in the tenancy */
    INVITES_HOME_TENANT,      /* the user's own tenant is the inviting tenant */
    INVITES_ALREADY_MEMBER,   /* the user is already a member of the inviting tenant */
    INVITES_UNKNOWN_GROUP,    /* group codes that are not the inviting tenant's */
    INVITES_NO_PIN,           /* every pin of the inviting tenant is taken */
    INVITES_DB_UNAVAILABLE,   /* the database could not be reached (nothing written) */
    INVITES_DB_ERROR,         /* a statement was refused (nothing written) */
    INVITES_ERROR             /* randomness or memory failed (nothing written) */
};

enum invites_lookup {
    INVITES_BY_OID = 0,       /* the user's string id */
    INVITES_BY_USERNAME,      /* a login matching the username or the email column */
    INVITES_BY_EMAIL          /* the same, preferring the email column */
};

/* A user found in the tenancy; strings in the request arena. */
struct invites_user {
    long long id;
    char oid[OID_HEX_LEN + 1];
    long long tenant_id;      /* the user's home tenant */
    const char *email;
    const char *name;         /* first name, else full name, else email: for the mail */
};

struct invites_spec {
    const struct tenant *tenant;          /* the inviting tenant */
    const char *const *group_codes;       /* distinct group codes of that tenant */
    size_t ngroup_codes;
    int with_pin;                         /* generate a pin for the tenant */
    int pin_allowed;                      /* the pin's allowed flag */
};

struct invites_result {
    const char **unknown_groups;  /* INVITES_UNKNOWN_GROUP: the codes not found, input order */
    size_t nunknown;
};

/* The main tenant the tenant t invites from (its parent, which must itself be a main tenant):
 * INVITES_OK with *main set (arena), INVITES_NO_MAIN, or INVITES_DB_UNAVAILABLE. */
enum invites_status invites_main_tenant(struct core *c, const struct tenant *t,
                                        const struct tenant **main);

/* Finds a user whose home tenant is main or one of main's sub-tenants. inviting breaks ties
 * between several users matching a login (main's own user first, then inviting's). */
enum invites_status invites_find_user(struct core *c, const struct tenant *main,
                                      const struct tenant *inviting, enum invites_lookup by,
                                      const char *value, struct invites_user *out);

/* Makes user u a member of s->tenant with the groups and the pin, and queues the pin by mail,
 * in one transaction: all of it or nothing. A concurrent invitation of the same user into the
 * same tenant is decided by the membership's primary key (INVITES_ALREADY_MEMBER), a pin
 * collision by the tenant's unique pin index (another pin is tried, every one at most once). */
enum invites_status invites_add(struct core *c, const struct invites_spec *s,
                                const struct invites_user *u, struct invites_result *out);

#endif

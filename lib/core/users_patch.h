/* users_patch.h: changing many existing users at once, keyed by their string ids: names,
 * email, active and managed flags, roles, regions and the resource (created when the user has
 * none). One transaction: the users are locked, every rule is checked against their current
 * state, then a fixed number of set-wise statements apply the changes, and what they make
 * stale is retired (users_retire.h). Dialects map enum patch_outcome to their own codes. */
#ifndef PROV_USERS_PATCH_H
#define PROV_USERS_PATCH_H

#include <stddef.h>

#include "core/resources.h"

struct core;
struct tenant;

struct user_patch {
    const char *oid;                      /* the user's string id */
    const char *email;                    /* NULL: unchanged; else trimmed and validated */
    int set_first_name;                   /* first_name NULL with this set clears it */
    const char *first_name;
    const char *last_name;                /* NULL: unchanged */
    int set_roles;                        /* replace the roles with roles[0..nroles) */
    const char *const *roles;
    size_t nroles;
    int set_regions;                      /* replace the regions with regions[0..nregions) */
    const char *const *regions;
    size_t nregions;
    int set_active, active;               /* active 0: inactive; 1: active (or pendingNew
                                           * again while the user has no password) */
    int set_managed, managed;
    const struct resource_spec *resource; /* NULL: unchanged */
};

enum patch_outcome {
    PATCH_UPDATED = 0,
    PATCH_NOT_FOUND,            /* no user with that id in the tenant */
    PATCH_EXISTS,               /* the new email is taken in the tenant */
    PATCH_MANAGED,              /* the email of a managed user cannot change */
    PATCH_RESOURCE_INCOMPLETE,  /* a new resource needs its primary region and active flag;
                                 * missing says which one is not given */
    PATCH_UNKNOWN_ROLE,         /* detail names the role */
    PATCH_UNKNOWN_REGION        /* detail names the region id */
};

struct patch_result {
    enum patch_outcome outcome;
    const char *detail;         /* borrowed from the input, or NULL */
    enum res_field missing;     /* PATCH_RESOURCE_INCOMPLETE: the field not given */
    const char *email;          /* the user's current email (arena) when found */
    int role_mismatch;          /* see USERS_PATCH_ROLE_MISMATCH */
};

enum users_patch_status {
    USERS_PATCH_OK = 0,
    /* after the changes some users would hold a resource without the Resource role or the
     * role without a resource: out[i].role_mismatch marks them; nothing was written */
    USERS_PATCH_ROLE_MISMATCH,
    USERS_PATCH_DB_UNAVAILABLE, /* unreachable, or deadlocks on every run (tx.h) */
    USERS_PATCH_ERROR
};

/* Applies p[0..n) in tenant t (ids must be distinct). A user whose email changes loses its
 * unused links and pending mail; one still waiting for its first password is invited again at
 * the new address with a mail of invite_kind (enum mail_kind: what the dialect sends when it
 * creates an invited user). A deactivated user loses its links, login tokens and pending
 * mail. */
enum users_patch_status users_patch_apply(struct core *c, const struct tenant *t,
                                          const struct user_patch *p, size_t n,
                                          int invite_kind, struct patch_result *out);

#endif

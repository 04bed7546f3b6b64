/* credentials.h: the life of a tenant's credentials after tenant_create made them: listing,
 * issuing another, rotating (a new secret replaces an old one, which stays live for a grace
 * period) and revoking. A credential is live while it is neither revoked nor past its
 * expires_at; lib/core/auth.c accepts live credentials only and caches none, so every change here
 * applies to the next request of every process. Kinds are opaque strings to this module; only
 * the SHA-256 of a secret is ever stored, and nothing here reads a stored hash back. */
#ifndef PROV_CREDENTIALS_H
#define PROV_CREDENTIALS_H

#include <stddef.h>

struct arena;
struct db;

enum cred_status {
    CRED_OK = 0,
    CRED_NOT_FOUND,   /* no such credential */
    CRED_NOT_LIVE,    /* already revoked or expired */
    CRED_AMBIGUOUS,   /* the tenant has several live credentials of the kind: name one */
    CRED_TOO_MANY,    /* rotating would leave more than CRED_PUBLIC_LIVE_MAX live */
    CRED_DB           /* the database failed (logged) */
};

/* At most this many credentials sharing one public id (a ServicePower customerid) are live at
 * once: each request may try every one of them (JWT signatures), so the count is bounded. */
enum { CRED_PUBLIC_LIVE_MAX = 8 };
/* The longest grace a rotation may give the credential it replaces (90 days). */
#define CRED_GRACE_MAX 7776000LL

struct credential {
    long long id;
    long long tenant_id;
    const char *kind;
    const char *public_id;    /* NULL when the kind has none */
    const char *scopes;       /* "" when the kind has none */
    long long group_id;       /* 0: none; the group's internal id */
    long long group_number;   /* the group's id as the tenant sees it (Xtracta group_id) */
    long long replaces;       /* 0: replaces nothing */
    const char *created_at;   /* ISO 8601 UTC, microseconds */
    const char *expires_at;   /* NULL: no end but revocation */
    const char *revoked_at;   /* NULL: not revoked */
    int live;
};

/* Every credential of a tenant, oldest first, in arena a. */
enum cred_status cred_list(struct db *db, struct arena *a, long long tenant_id,
                           struct credential **out, size_t *n);
/* One credential by id: CRED_OK or CRED_NOT_FOUND. */
enum cred_status cred_get(struct db *db, struct arena *a, long long id, struct credential *out);
/* The tenant's credential of a kind that a rotation replaces when none is named: the current
 * one (live, with no end set by an earlier rotation); else the newest live one; else the newest
 * (a revoked credential is replaced, never revived). CRED_NOT_FOUND when the tenant has none
 * of the kind, CRED_AMBIGUOUS when several are current. */
enum cred_status cred_pick(struct db *db, struct arena *a, long long tenant_id,
                           const char *kind, long long *id);
/* The id of the credential of a kind whose secret this is (live or not), or CRED_NOT_FOUND. */
enum cred_status cred_find_secret(struct db *db, struct arena *a, const char *kind,
                                  const char *secret, long long *id);
/* A new credential for the tenant, replacing nothing. */
enum cred_status cred_add(struct db *db, long long tenant_id, const char *kind,
                          const char *public_id, const char *secret, const char *scopes,
                          long long group_id, long long *new_id);
/* In one transaction: a new credential with new_secret that copies the tenant, kind, public
 * id, scopes and group of credential id and records that it replaces it; the old one, if
 * live, ends grace seconds from now (0: at once; never later than it already would). *old
 * receives the old credential as it is afterwards. CRED_TOO_MANY when the public id would then
 * have more than CRED_PUBLIC_LIVE_MAX live credentials (nothing changed). */
enum cred_status cred_rotate(struct db *db, struct arena *a, long long id,
                             const char *new_secret, long long grace, long long *new_id,
                             struct credential *old);
/* Revokes a live credential now: CRED_OK, CRED_NOT_FOUND or CRED_NOT_LIVE. */
enum cred_status cred_revoke(struct db *db, struct arena *a, long long id);

#endif

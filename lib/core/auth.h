/* auth.h: who is calling. Each dialect presents its own kind of credential; every one resolves to a
 * tenant through the SHA-256 of the presented secret, compared in constant time. Nothing here
 * writes a response: the dialect maps the status to its own error. Only live credentials are
 * accepted, looked up on every request: nothing may cache one across requests, so that a revocation
 * applies to the next request (docs/CREDENTIALS.md). */
#ifndef PROV_AUTH_H
#define PROV_AUTH_H

struct core;
struct tenant;

enum auth_status {
    AUTH_OK = 0,
    AUTH_MISSING,      /* no credential presented */
    AUTH_INVALID,      /* unknown, revoked, malformed or expired */
    AUTH_FORBIDDEN,    /* valid but without the scope needed */
    AUTH_DB            /* the database could not be asked */
};

/* Who a live credential belongs to, and what it carries (arena). */
struct auth_who {
    const struct tenant *tenant;
    const char *scopes;        /* space-separated; NULL when the credential has none */
    long long group_id;        /* the group the credential is scoped to; 0 when none */
};

/* The credential of the given kind whose secret is secret (and whose public half is
 * public_id, when not NULL: a rotated credential shares its public half with the one it
 * replaces), compared in constant time. AUTH_OK fills *who; AUTH_MISSING for an empty or
 * NULL secret, AUTH_INVALID, or AUTH_DB. Which kind a dialect presents, and how it finds the
 * secret in a request, is the dialect's. */
enum auth_status auth_secret(struct core *c, const char *kind, const char *public_id,
                             const char *secret, struct auth_who *who);
/* 1 when the space-separated list has scope. */
int auth_has_scope(const char *scopes, const char *scope);

#endif

/* auth.h: who is calling. Each dialect presents its own credential; every one resolves to a
 * tenant (set as c->tenant) through the SHA-256 of the presented secret, compared in constant
 * time. Nothing here writes a response: the dialect maps the status to its own error. Only
 * live credentials are accepted, looked up on every request: nothing may cache one across
 * requests, so that a revocation applies to the next request (docs/CREDENTIALS.md). */
#ifndef PROV_AUTH_H
#define PROV_AUTH_H

struct ctx;

enum auth_status {
    AUTH_OK = 0,
    AUTH_MISSING,      /* no credential presented */
    AUTH_INVALID,      /* unknown, revoked, malformed or expired */
    AUTH_FORBIDDEN,    /* valid but without the scope needed */
    AUTH_DB            /* the database could not be asked */
};

/* SOAJS: the "key" header. */
enum auth_status auth_soajs_key(struct ctx *c, const char *key);
/* Xtracta: the api_key field; *group_id receives the group the key is scoped to. */
enum auth_status auth_xtracta_key(struct ctx *c, const char *api_key, long long *group_id);
/* Skedulo: an "Authorization: Bearer <token>" header value and the scope the call needs. */
enum auth_status auth_skedulo_bearer(struct ctx *c, const char *authorization,
                                     const char *scope);
/* ServicePower (deprecated form): customerid + customercode query parameters. */
enum auth_status auth_sp_customer(struct ctx *c, const char *customerid,
                                  const char *customercode);
/* 1 when the space-separated list has scope. */
int auth_has_scope(const char *scopes, const char *scope);

#endif

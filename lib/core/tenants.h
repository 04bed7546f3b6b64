/* tenants.h: tenants (main tenants and their sub-tenants) and the credentials they are created
 * with: one of every kind of credential_kinds (cred_kinds.h), which this module never names.
 * Creation generates every secret, stores only its SHA-256 and hands the clear text back once.
 * Lookups fill a struct tenant in the caller's arena. */
#ifndef PROV_TENANTS_H
#define PROV_TENANTS_H

#include <stddef.h>

#include "base/crypto.h"
#include "core/cred_kinds.h"

struct arena;
struct core;
struct db;
struct db_rows;

struct tenant {
    long long id;
    const char *oid;             /* 24 hex (a dialect's tenant id, e.g. SOAJS tId) */
    const char *code;            /* a dialect's tenant code (e.g. SOAJS tCode) */
    const char *name;
    long long parent_id;         /* 0 for a main tenant */
    const char *parent_oid;      /* NULL for a main tenant */
    const char *ref;             /* the tenant's reference, "sk_" + 32 hex (column
                                  * sk_tenant_id; the Skedulo dialect's tenantId) */
    const char *api_user_email;  /* the user a dialect shows as the author of API calls
                                  * (Skedulo does); NULL: none */
    const char *base_url;        /* NULL: the configured default */
    const char *mail_from;       /* NULL: the configured default */
    const char *pin_salt;
    int no_mail_templates;       /* 1: none when looked up (mail skips its template query);
                                  * 0: some, or not known */
};

enum tenant_status { TENANT_OK = 0, TENANT_NOT_FOUND, TENANT_EXISTS, TENANT_DB };

/* Number of columns of SQL_TENANT_COLS, and a struct tenant built from them starting at col. */
enum { TENANT_NCOLS = 12 };
void tenant_from_row(const struct db_rows *rows, size_t row, size_t col, struct tenant *t);

enum tenant_status tenant_by_id(struct db *db, struct arena *a, long long id,
                                struct tenant **out);
enum tenant_status tenant_by_oid(struct core *c, const char *oid, struct tenant **out);

/* At most this many kinds of credential: tenant_create refuses to make more (logged). */
enum { TENANT_CREDS_MAX = 16 };

/* One credential of a new tenant, in clear text, shown once. */
struct tenant_cred {
    const struct cred_kind *kind;   /* in the arena given to tenant_create */
    const char *public_id;          /* NULL, or the number of its struct tenant_secrets */
    long long group_number;         /* the default group's number if bound to it, else 0 */
    char secret[CRED_SECRET_MAX];
};

/* What a new tenant is shown once: its ids and one credential of every kind, in the order of
 * the kinds (credential_kinds.position). */
struct tenant_secrets {
    char oid[OID_HEX_LEN + 1];
    char code[33];
    char ref[36];                 /* see struct tenant */
    char number[16];              /* the customer number of the kinds that have one */
    long long group_number;       /* the default group's number (what the tenant is shown) */
    long long id;
    size_t ncreds;
    struct tenant_cred creds[TENANT_CREDS_MAX];
};

/* Creates a tenant (code NULL: derived from the name), its default group, one credential of
 * every kind, and its API user (api_user_email); all in one transaction. */
enum tenant_status tenant_create(struct db *db, struct arena *a, const char *name,
                                 const char *code, long long parent_id,
                                 struct tenant_secrets *out);

#endif

/* tenants.h: tenants (main tenants and their sub-tenants) and their per-dialect credentials.
 * Creation generates every secret, stores only its SHA-256 and hands the clear text back once.
 * Lookups fill a struct tenant in the caller's arena. */
#ifndef PROV_TENANTS_H
#define PROV_TENANTS_H

#include <stddef.h>

#include "base/crypto.h"

struct arena;
struct core;
struct db;
struct db_rows;

struct tenant {
    long long id;
    const char *oid;             /* 24 hex, SOAJS tId */
    const char *code;            /* SOAJS tCode */
    const char *name;
    long long parent_id;         /* 0 for a main tenant */
    const char *parent_oid;      /* NULL for a main tenant */
    const char *sk_tenant_id;    /* "sk_" + 32 hex */
    const char *api_user_email;  /* NULL: no Skedulo API user */
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

/* The clear-text secrets of a new tenant, shown once. */
struct tenant_secrets {
    char oid[OID_HEX_LEN + 1];
    char code[33];
    char sk_tenant_id[36];
    char sk_token[64];
    char sp_customerid[16];
    char sp_customercode[64];
    char sp_jwt_secret[96];
    char soajs_key[72];
    char xtracta_api_key[72];
    long long xtracta_group_id;    /* the default group's number (what the tenant is shown) */
    long long id;
};

/* Creates a tenant (code NULL: derived from the name), its credentials for every dialect, a
 * default group for the Xtracta key, and a Skedulo API user; all in one transaction. */
enum tenant_status tenant_create(struct db *db, struct arena *a, const char *name,
                                 const char *code, long long parent_id,
                                 struct tenant_secrets *out);
/* A new Skedulo bearer token for the tenant with the given space-separated scopes. */
enum tenant_status tenant_token_create(struct db *db, long long tenant_id, const char *scopes,
                                       char token[64]);

#endif

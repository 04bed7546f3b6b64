/* cred_kinds.h: the kinds of credential a tenant has, read from the credential_kinds table
 * (sql/migrations/0013_credential_kinds.sql): how each kind's public id and secret are made,
 * whether it is bound to the default group, and the labels an admin tool shows it under.
 * Kinds are data here: this module never names one, and makes secrets only in the form a row
 * says. It never stores, hashes or logs a secret (credentials.c and tenants.c store them). */
#ifndef PROV_CRED_KINDS_H
#define PROV_CRED_KINDS_H

#include <stddef.h>

#include "core/credentials.h"

struct arena;
struct db;

/* How a kind's public id is made. */
enum cred_public {
    CRED_PUBLIC_NONE = 0,     /* it has none (public_id NULL) */
    CRED_PUBLIC_TENANT_NUMBER /* the tenant's customer number, shared by every such kind */
};

/* How a kind's secret is made from bytes random bytes. */
enum cred_form { CRED_FORM_TOKEN = 0, CRED_FORM_HEX };

/* The longest secret's clear text, with its NUL (the table's CHECK keeps every kind below). */
enum { CRED_SECRET_MAX = 128 };

struct cred_kind {
    const char *kind;            /* credentials.kind */
    enum cred_public public_id;
    enum cred_form form;
    size_t bytes;                /* of randomness in a secret */
    const char *scopes;          /* given at tenant creation; "" for none */
    int default_group;           /* 1: bound to the tenant's default group */
    const char *label;           /* the object it is shown in, e.g. "soajs" */
    const char *secret_label;    /* the secret's field there, e.g. "key" */
    const char *public_label;    /* the public id's field; NULL: not shown */
    const char *ref_label;       /* the tenant reference's field; NULL: not shown */
    const char *scopes_label;    /* the scopes' field; NULL: not shown */
    const char *group_label;     /* the group number's field; NULL: not shown */
};

/* Every kind, in the order of credential_kinds.position, in arena a. */
enum cred_status cred_kinds_list(struct db *db, struct arena *a, struct cred_kind **out,
                                 size_t *n);
/* The kind named kind: CRED_OK, CRED_NOT_FOUND or CRED_DB. */
enum cred_status cred_kind_get(struct db *db, struct arena *a, const char *kind,
                               struct cred_kind *out);
/* A new secret of kind k into out: 0, or -1 when no randomness is available (or the row asks
 * for a secret longer than CRED_SECRET_MAX, which its CHECK refuses). */
int cred_secret_make(const struct cred_kind *k, char out[CRED_SECRET_MAX]);
/* Another credential of kind k for the tenant, with the given scopes and no group, replacing
 * nothing: its secret is made as the kind says and handed back in secret (cleared on failure).
 * CRED_DB when no secret could be made or the database failed. */
enum cred_status cred_issue(struct db *db, long long tenant_id, const struct cred_kind *k,
                            const char *scopes, char secret[CRED_SECRET_MAX], long long *new_id);

#endif

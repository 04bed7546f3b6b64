/* auth.c: credential checks for every dialect. A presented secret is hashed (SHA-256) and the
 * stored hash fetched by that value (and the credential's public half, where it has one); the
 * comparison itself is constant-time. Only live credentials match (neither revoked nor past a
 * rotation's grace: SQL_CRED_LIVE), and nothing is cached: every request asks the database, so
 * a revocation applies to the next request of every process. Secrets are never logged or
 * copied beyond this call. */
#include "core/auth.h"

#include <string.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "core/core.h"
#include "core/tenants.h"
#include "store/db.h"

enum { SECRET_MAX = 512 };

int auth_has_scope(const char *scopes, const char *scope)
{
    size_t n = strlen(scope);
    const char *p = scopes;
    while (p != NULL && *p != '\0') {
        p += strspn(p, " ,");
        size_t k = strcspn(p, " ,");
        if (k == n && memcmp(p, scope, n) == 0)
            return 1;
        p += k;
    }
    return 0;
}

enum auth_status auth_secret(struct core *c, const char *kind, const char *public_id,
                             const char *secret, struct auth_who *who)
{
    if (secret == NULL || *secret == '\0')
        return AUTH_MISSING;
    size_t slen = strlen(secret);
    if (slen > SECRET_MAX)
        return AUTH_INVALID;
    char hash[2 * SHA256_LEN + 1];
    crypto_secret_hash(secret, slen, hash);
    struct db_val v[3] = { DBV_S(kind), DBV_S(hash), DBV_S(public_id) };
    struct db_rows rows;
    int found;
    enum sql_id q = public_id != NULL ? SQL_CRED_TENANT_BY_PAIR : SQL_CRED_TENANT_BY_SECRET;
    if (db_query_row(c->db, c->arena, q, v, public_id != NULL ? 3 : 2, &rows, &found) != DB_OK)
        return AUTH_DB;
    if (!found)
        return AUTH_INVALID;
    const struct db_cell *stored = db_cell(&rows, 0, 0);
    if (stored->len != 2 * SHA256_LEN || !crypto_equal(stored->s, hash, 2 * SHA256_LEN))
        return AUTH_INVALID;
    struct tenant *t = arena_alloc(c->arena, sizeof *t);
    if (t == NULL)
        return AUTH_DB;
    tenant_from_row(&rows, 0, 3, t);
    who->tenant = t;
    who->scopes = db_cell_str(db_cell(&rows, 0, 1));
    who->group_id = db_cell_int(db_cell(&rows, 0, 2));
    return AUTH_OK;
}

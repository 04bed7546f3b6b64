/* auth_jwt.c: credentials presented as JWTs (ServicePower's x-access-token is one). The stored
 * secret_hash of such a credential ('sp_jwt') is SHA-256 of the tenant's secret (jwtSecret); that
 * secret is longer than SHA-256's 64-byte block, so by RFC 2104 (section 2: keys longer than B
 * bytes are first hashed) HMAC-SHA256(jwtSecret, m) equals HMAC-SHA256(SHA-256(jwtSecret), m): the
 * stored hash, hex-decoded, IS the HMAC key and the clear secret is never needed. The consequence:
 * whoever can read the credentials table can mint tokens (true of any HMAC scheme, whose verifier
 * must hold the key). While a rotation's grace runs the tenant has two (at most
 * CRED_PUBLIC_LIVE_MAX) live secrets, and a token signed with any of them verifies; once the old
 * one is revoked or expired, the database no longer returns it and its tokens fail from the next
 * request (no key is cached). Never logs a token or a key. */
#include "core/auth_jwt.h"

#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "core/core.h"
#include "core/credentials.h"
#include "core/tenants.h"
#include "store/db.h"

enum { PUBLIC_ID_MAX = 64 };

enum auth_status auth_jwt(struct core *c, const char *kind, const char *claim,
                          const char *token, enum jwt_status *why, struct auth_who *who)
{
    struct jwt j;
    unsigned char key[SHA256_LEN];
    enum auth_status st = AUTH_INVALID;
    *why = JWT_MALFORMED;
    if (token == NULL || *token == '\0')
        return AUTH_MISSING;
    if ((*why = jwt_parse(token, strlen(token), &j)) != JWT_OK)
        return AUTH_INVALID;

    const char *cid = jwt_claim_string(&j, claim);
    if (cid == NULL || *cid == '\0' || strlen(cid) > PUBLIC_ID_MAX) {
        *why = JWT_BAD_CLAIMS;
        goto done;
    }
    /* every live secret of the public half (more than one while a rotation's grace runs) */
    struct db_val v[3] = { DBV_S(kind), DBV_S(cid), DBV_I(CRED_PUBLIC_LIVE_MAX) };
    struct db_rows rows;
    if (db_query(c->db, c->arena, SQL_CRED_TENANT_BY_PUBLIC, v, 3, &rows) != DB_OK) {
        st = AUTH_DB;
        goto done;
    }
    /* an unknown public half answers exactly like a wrong signature */
    *why = JWT_BAD_SIGNATURE;
    size_t row;
    for (row = 0; row < rows.nrows; row++) {
        const struct db_cell *stored = db_cell(&rows, row, 0);
        if (stored->len == 2 * SHA256_LEN && hex_decode(stored->s, SHA256_LEN, key) == 0 &&
            jwt_verify_hs256(&j, key, sizeof key) == JWT_OK)
            break;
    }
    if (row == rows.nrows)
        goto done;
    /* only a verified token's dates mean anything */
    if ((*why = jwt_check_times(&j, (long long)time(NULL), JWT_LEEWAY)) != JWT_OK)
        goto done;
    struct tenant *t = arena_alloc(c->arena, sizeof *t);
    if (t == NULL) {
        st = AUTH_DB;
        goto done;
    }
    tenant_from_row(&rows, row, 3, t);
    who->tenant = t;
    who->scopes = NULL;
    who->group_id = 0;
    st = AUTH_OK;
done:
    explicit_bzero(key, sizeof key);
    jwt_free(&j);
    return st;
}

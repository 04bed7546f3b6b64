/* credentials.c: listing, issuing, rotating and revoking credentials (credentials.h). Every
 * change is one statement or one transaction; a secret is hashed on the way in and never
 * leaves this file in any other form. Must never read, return or log a stored secret hash. */
#include "core/credentials.h"

#include <string.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "store/db.h"
#include "store/tx.h"

/* The columns of SQL_CRED_COLS, in order. */
enum { C_ID, C_TENANT, C_KIND, C_PUBLIC, C_SCOPES, C_GROUP, C_REPLACES, C_CREATED, C_EXPIRES,
       C_REVOKED, C_LIVE, C_GROUP_NUMBER, C_NCOLS };

static void from_row(const struct db_rows *rows, size_t r, struct credential *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_cell_int(db_cell(rows, r, C_ID));
    c->tenant_id = db_cell_int(db_cell(rows, r, C_TENANT));
    c->kind = db_cell_str(db_cell(rows, r, C_KIND));
    c->public_id = db_cell_str(db_cell(rows, r, C_PUBLIC));
    c->scopes = db_cell_str(db_cell(rows, r, C_SCOPES));
    if (c->scopes == NULL)
        c->scopes = "";
    c->group_id = db_cell_int(db_cell(rows, r, C_GROUP));
    c->replaces = db_cell_int(db_cell(rows, r, C_REPLACES));
    c->created_at = db_cell_str(db_cell(rows, r, C_CREATED));
    c->expires_at = db_cell_str(db_cell(rows, r, C_EXPIRES));
    c->revoked_at = db_cell_str(db_cell(rows, r, C_REVOKED));
    c->live = db_cell_int(db_cell(rows, r, C_LIVE)) == 1;
    c->group_number = db_cell_int(db_cell(rows, r, C_GROUP_NUMBER));
}

enum cred_status cred_list(struct db *db, struct arena *a, long long tenant_id,
                           struct credential **out, size_t *n)
{
    struct db_val v = DBV_I(tenant_id);
    struct db_rows rows;
    *out = NULL;
    *n = 0;
    if (db_query(db, a, SQL_CRED_LIST, &v, 1, &rows) != DB_OK)
        return CRED_DB;
    if (rows.nrows == 0)
        return CRED_OK;
    struct credential *list = arena_alloc(a, rows.nrows * sizeof *list);
    if (list == NULL)
        return CRED_DB;
    for (size_t i = 0; i < rows.nrows; i++)
        from_row(&rows, i, &list[i]);
    *out = list;
    *n = rows.nrows;
    return CRED_OK;
}

static enum cred_status get(struct db *db, struct arena *a, enum sql_id q, long long id,
                            struct credential *out)
{
    struct db_val v = DBV_I(id);
    struct db_rows rows;
    int found;
    if (db_query_row(db, a, q, &v, 1, &rows, &found) != DB_OK)
        return CRED_DB;
    if (!found)
        return CRED_NOT_FOUND;
    from_row(&rows, 0, out);
    return CRED_OK;
}

enum cred_status cred_get(struct db *db, struct arena *a, long long id, struct credential *out)
{
    return get(db, a, SQL_CRED_BY_ID, id, out);
}

enum cred_status cred_pick(struct db *db, struct arena *a, long long tenant_id,
                           const char *kind, long long *id)
{
    struct db_val v[2] = { DBV_I(tenant_id), DBV_S(kind) };
    struct db_rows rows;
    *id = 0;
    if (db_query(db, a, SQL_CRED_PICK, v, 2, &rows) != DB_OK)
        return CRED_DB;
    if (rows.nrows == 0)
        return CRED_NOT_FOUND;
    /* current ones first: a second current one means the caller must say which */
    if (rows.nrows > 1 && db_cell_int(db_cell(&rows, 1, 1)) == 1)
        return CRED_AMBIGUOUS;
    *id = db_cell_int(db_cell(&rows, 0, 0));
    return CRED_OK;
}

enum cred_status cred_find_secret(struct db *db, struct arena *a, const char *kind,
                                  const char *secret, long long *id)
{
    char hash[2 * SHA256_LEN + 1];
    crypto_secret_hash(secret, strlen(secret), hash);
    struct db_val v[2] = { DBV_S(kind), DBV_S(hash) };
    struct db_rows rows;
    int found;
    *id = 0;
    enum db_status st = db_query_row(db, a, SQL_CRED_ID_BY_SECRET, v, 2, &rows, &found);
    explicit_bzero(hash, sizeof hash);
    if (st != DB_OK)
        return CRED_DB;
    if (!found)
        return CRED_NOT_FOUND;
    *id = db_cell_int(db_cell(&rows, 0, 0));
    return CRED_OK;
}

static enum cred_status insert(struct db *db, long long tenant_id, const char *kind,
                               const char *public_id, const char *secret, const char *scopes,
                               long long group_id, long long replaces, long long *new_id)
{
    char hash[2 * SHA256_LEN + 1];
    crypto_secret_hash(secret, strlen(secret), hash);
    struct db_val v[7] = {
        DBV_I(tenant_id), DBV_S(kind), DBV_S(public_id), DBV_S(hash), DBV_S(scopes),
        group_id > 0 ? DBV_I(group_id) : DBV_NONE, replaces > 0 ? DBV_I(replaces) : DBV_NONE,
    };
    struct db_result res;
    enum db_status st = db_exec(db, SQL_CRED_INSERT_REPLACEMENT, v, 7, &res);
    explicit_bzero(hash, sizeof hash);
    if (st != DB_OK)
        return CRED_DB;
    *new_id = (long long)res.insert_id;
    return CRED_OK;
}

enum cred_status cred_add(struct db *db, long long tenant_id, const char *kind,
                          const char *public_id, const char *secret, const char *scopes,
                          long long group_id, long long *new_id)
{
    return insert(db, tenant_id, kind, public_id, secret, scopes, group_id, 0, new_id);
}

struct rotation {
    struct arena *a;
    long long id;
    const char *new_secret;
    long long grace;
    long long *new_id;
    struct credential *old;
    enum cred_status cs;
};

/* One run of a rotation (tx_body). */
static enum tx_status rotate_once(struct db *db, void *arg)
{
    struct rotation *r = arg;
    struct credential *old = r->old;
    struct arena *a = r->a;
    *r->new_id = 0;
    r->cs = CRED_DB;
    /* the lock makes a concurrent rotation or revocation of the same credential wait */
    if ((r->cs = get(db, a, SQL_CRED_BY_ID_LOCK, r->id, old)) != CRED_OK)
        return TX_UNDONE;
    if (old->public_id != NULL) {
        struct db_val v[2] = { DBV_S(old->kind), DBV_S(old->public_id) };
        struct db_rows rows;
        int found;
        enum db_status st = db_query_row(db, a, SQL_CRED_LIVE_PUBLIC_COUNT, v, 2, &rows, &found);
        if (st != DB_OK || !found) {
            r->cs = CRED_DB;
            return st != DB_OK ? tx_from_db(st) : TX_ERROR;
        }
        long long live = db_cell_int(db_cell(&rows, 0, 0));
        /* the new one is live; the old one stays live only with a grace */
        long long after = live + 1 - (old->live && r->grace == 0 ? 1 : 0);
        if (after > CRED_PUBLIC_LIVE_MAX) {
            r->cs = CRED_TOO_MANY;
            return TX_UNDONE;
        }
    }
    if ((r->cs = insert(db, old->tenant_id, old->kind, old->public_id, r->new_secret,
                        old->scopes, old->group_id, old->id, r->new_id)) != CRED_OK)
        return TX_UNDONE;
    if (old->live) {
        struct db_val ev[3] = { DBV_I(r->grace), DBV_I(r->grace), DBV_I(old->id) };
        struct db_val rv = DBV_I(old->id);
        enum db_status st = r->grace == 0 ? db_exec(db, SQL_CRED_REVOKE_ID, &rv, 1, NULL)
                                          : db_exec(db, SQL_CRED_EXPIRE, ev, 3, NULL);
        if (st != DB_OK) {
            r->cs = CRED_DB;
            return tx_from_db(st);
        }
    }
    if ((r->cs = get(db, a, SQL_CRED_BY_ID, old->id, old)) != CRED_OK)
        return TX_UNDONE;
    return TX_OK;
}

enum cred_status cred_rotate(struct db *db, struct arena *a, long long id,
                             const char *new_secret, long long grace, long long *new_id,
                             struct credential *old)
{
    *new_id = 0;
    if (grace < 0 || grace > CRED_GRACE_MAX)
        return CRED_DB;
    struct rotation r = { a, id, new_secret, grace, new_id, old, CRED_DB };
    enum tx_status xs = tx_run(db, rotate_once, &r);
    if (xs == TX_OK)
        return CRED_OK;
    *new_id = 0;
    return xs == TX_UNDONE && r.cs != CRED_OK ? r.cs : CRED_DB;
}

enum cred_status cred_revoke(struct db *db, struct arena *a, long long id)
{
    struct db_val v = DBV_I(id);
    struct db_result res;
    if (db_exec(db, SQL_CRED_REVOKE_ID, &v, 1, &res) != DB_OK)
        return CRED_DB;
    if (res.affected == 1)
        return CRED_OK;
    /* nothing changed: say whether it does not exist or is already dead */
    struct credential c;
    enum cred_status cs = cred_get(db, a, id, &c);
    return cs == CRED_OK ? CRED_NOT_LIVE : cs;
}

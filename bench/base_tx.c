/* base_tx.c: baseline (d) of the benchmarks: the database work of one add_user and nothing
 * else. A bare libfcgi accept loop (bench_fcgi.h) that, through the service's own database
 * layer (lib/store/db.c: same statements, same prepared-statement cache, same session), runs what a
 * SOAJS addUser without a password runs: the credential+tenant lookup of the request's `key`
 * header, START TRANSACTION, INSERT users, INSERT user_tokens, INSERT mail_outbox (a body of
 * the size the default template renders, a 16-character request id) and COMMIT. No parsing,
 * no validation, no rendering, no JSON building: add_user against (d) is the cost of
 * everything that is not the database; (d) against (b) is the cost of the guarantees (a
 * stored token and a queued mail in one transaction with the user, an authenticated caller)
 * in round trips. Configuration as for base_insert.c. Built for bench/ only; never
 * installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "bench_fcgi.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/pubid.h"
#include "store/db.h"

/* The rendered set-password mail is this long (the default template, a 36-character
 * token in the link). */
enum { MAIL_BODY_LEN = 209 };

/* What every add shares: the connection, a scratch arena, the tenant and the mail body. */
struct tx {
    struct db *db;
    struct arena *a;
    long long tenant;
    char body[MAIL_BODY_LEN + 1];
};

static int add_all(struct tx *x, const char *key, const char *oid)
{
    char hash[2 * SHA256_LEN + 1];
    crypto_secret_hash(key, strlen(key), hash);
    struct db_val k[2] = { DBV_S("soajs_key"), DBV_S(hash) };
    struct db_rows rows;
    int found;
    if (db_query_row(x->db, x->a, SQL_CRED_TENANT_BY_SECRET, k, 2, &rows, &found) != DB_OK ||
        !found)
        return -1;
    char name[64], email[96], token_hash[2 * SHA256_LEN + 1];
    snprintf(name, sizeof name, "t%s", oid);
    snprintf(email, sizeof email, "t%s@bench.example", oid);
    crypto_secret_hash(oid, strlen(oid), token_hash);
    struct db_result r;
    if (db_begin(x->db) != DB_OK)
        return -1;
    long long number;   /* the user's public number, drawn as users.c draws it */
    if (pubid_draw(&number) != 0)
        goto fail;
    struct db_val u[13] = {
        DBV_S(oid), DBV_I(x->tenant), DBV_S(name), DBV_S(email), DBV_S("Bench"), DBV_S("User"),
        DBV_NONE, DBV_NONE, DBV_S("pendingNew"), DBV_NONE, DBV_NONE, DBV_S("soajs"),
        DBV_I(number),
    };
    if (db_exec(x->db, SQL_USER_INSERT, u, 13, &r) != DB_OK)
        goto fail;
    long long uid = (long long)r.insert_id;
    struct db_val t[4] = { DBV_I(uid), DBV_S("set_password"), DBV_S(token_hash),
                           DBV_I((long long)time(NULL) + 86400) };
    if (db_exec(x->db, SQL_TOKEN_INSERT, t, 4, NULL) != DB_OK)
        goto fail;
    struct db_val m[9] = {
        DBV_I(x->tenant), DBV_I(uid), DBV_S("set_password"), DBV_S(email), DBV_S("Bench"),
        DBV_S("Set your password"), DBV_S(x->body), DBV_I(1), DBV_S(oid + 8),
    };
    if (db_exec(x->db, SQL_MAIL_OUTBOX_INSERT, m, 9, NULL) != DB_OK)
        goto fail;
    if (db_commit(x->db) != DB_OK)
        goto fail;
    return 0;
fail:
    db_rollback(x->db);
    return -1;
}

/* One add; 0 on success. */
static int add_one(void *arg, const char *key, const char *oid)
{
    struct tx *x = arg;
    int rc = key != NULL ? add_all(x, key, oid) : -1;
    arena_reset(x->a);
    return rc;
}

int main(void)
{
    struct config cfg;
    char err[256];
    static struct tx x;
    const char *tid = getenv("BENCH_TENANT_ID");
    if (tid == NULL || config_load(&cfg, NULL, err, sizeof err) == CONFIG_BAD) {
        fprintf(stderr, "base_tx: BENCH_TENANT_ID and a configuration are needed\n");
        return 1;
    }
    x.tenant = atoll(tid);
    x.db = db_new(&cfg);
    x.a = arena_new();
    if (x.db == NULL || x.a == NULL || db_connect(x.db) != DB_OK) {
        fprintf(stderr, "base_tx: no database\n");
        return 1;
    }
    memset(x.body, 'x', MAIL_BODY_LEN);
    int rc = bench_serve(add_one, &x);
    arena_free(x.a);
    db_free(x.db);
    config_free(&cfg);
    return rc;
}

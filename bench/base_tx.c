/* base_tx.c: baseline (d) of the benchmarks: the database work of one add_user and nothing
 * else. A bare libfcgi accept loop that drops the request body and, through the service's own
 * database layer (lib/db.c: same statements, same prepared-statement cache, same session),
 * runs what a SOAJS addUser without a password runs: the credential+tenant lookup of the
 * request's `key` header, START TRANSACTION, INSERT users, INSERT user_tokens, INSERT
 * mail_outbox (a body of the size the default template renders, a 16-character request id)
 * and COMMIT. No parsing, no
 * validation, no rendering, no JSON building: add_user against (d) is the cost of everything
 * that is not the database; (d) against (b) is the cost of the guarantees (a stored token and
 * a queued mail in one transaction with the user, an authenticated caller) in round trips.
 * Configuration as for base_insert.c. Built for bench/ only; never installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "arena.h"
#include "config.h"
#include "crypto.h"
#include "db.h"

/* The rendered set-password mail is this long (the default template, a 36-character
 * token in the link). */
enum { MAIL_BODY_LEN = 209 };

/* One add; 0 on success. */
static int add_one(struct db *db, struct arena *a, long long tenant, const char *key,
                   unsigned long n, const char *prefix, const char *body, char *oid,
                   size_t oidlen)
{
    char hash[2 * SHA256_LEN + 1];
    crypto_secret_hash(key, strlen(key), hash);
    struct db_val k[2] = { DBV_S("soajs_key"), DBV_S(hash) };
    struct db_rows rows;
    int found;
    if (db_query_row(db, a, SQL_CRED_TENANT_BY_SECRET, k, 2, &rows, &found) != DB_OK || !found)
        return -1;
    char name[64], email[96], token_hash[2 * SHA256_LEN + 1];
    snprintf(oid, oidlen, "%s%08lx", prefix, n);
    snprintf(name, sizeof name, "t%s", oid);
    snprintf(email, sizeof email, "t%s@bench.example", oid);
    crypto_secret_hash(oid, strlen(oid), token_hash);
    struct db_result r;
    if (db_begin(db) != DB_OK)
        return -1;
    struct db_val u[12] = {
        DBV_S(oid), DBV_I(tenant), DBV_S(name), DBV_S(email), DBV_S("Bench"), DBV_S("User"),
        DBV_NONE, DBV_NONE, DBV_S("pendingNew"), DBV_NONE, DBV_NONE, DBV_S("soajs"),
    };
    if (db_exec(db, SQL_USER_INSERT, u, 12, &r) != DB_OK)
        goto fail;
    long long uid = (long long)r.insert_id;
    struct db_val t[4] = { DBV_I(uid), DBV_S("set_password"), DBV_S(token_hash),
                           DBV_I((long long)time(NULL) + 86400) };
    if (db_exec(db, SQL_TOKEN_INSERT, t, 4, NULL) != DB_OK)
        goto fail;
    struct db_val m[9] = {
        DBV_I(tenant), DBV_I(uid), DBV_S("set_password"), DBV_S(email), DBV_S("Bench"),
        DBV_S("Set your password"), DBV_S(body), DBV_I(1), DBV_S(oid + 8),
    };
    if (db_exec(db, SQL_MAIL_OUTBOX_INSERT, m, 9, NULL) != DB_OK)
        goto fail;
    if (db_commit(db) != DB_OK)
        goto fail;
    return 0;
fail:
    db_rollback(db);
    return -1;
}

int main(void)
{
    struct config cfg;
    char err[256];
    FCGX_Request r;
    char sink[16384];
    const char *tid = getenv("BENCH_TENANT_ID");
    if (tid == NULL || config_load(&cfg, NULL, err, sizeof err) == CONFIG_BAD) {
        fprintf(stderr, "base_tx: BENCH_TENANT_ID and a configuration are needed\n");
        return 1;
    }
    long long tenant = atoll(tid);
    struct db *db = db_new(&cfg);
    struct arena *a = arena_new();
    if (db == NULL || a == NULL || db_connect(db) != DB_OK) {
        fprintf(stderr, "base_tx: no database\n");
        return 1;
    }
    char body[MAIL_BODY_LEN + 1];
    memset(body, 'x', MAIL_BODY_LEN);
    body[MAIL_BODY_LEN] = '\0';
    /* id prefix: this process and its start time, so ids never repeat across processes/runs */
    char prefix[17];
    snprintf(prefix, sizeof prefix, "%08x%08x", (unsigned)getpid(), (unsigned)time(NULL));
    if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
        return 1;
    for (unsigned long n = 0; FCGX_Accept_r(&r) >= 0; n++) {
        while (FCGX_GetStr(sink, (int)sizeof sink, r.in) > 0)
            ;
        const char *key = FCGX_GetParam("HTTP_KEY", r.envp);
        char oid[25], out[256];
        int len;
        if (key != NULL && add_one(db, a, tenant, key, n, prefix, body, oid, sizeof oid) == 0) {
            char json[96];
            int bl = snprintf(json, sizeof json, "{\"result\":true,\"data\":{\"id\":\"%s\"}}", oid);
            len = snprintf(out, sizeof out,
                           "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                           "Content-Length: %d\r\n\r\n%s", bl, json);
        } else {
            len = snprintf(out, sizeof out, "Status: 500 Internal Server Error\r\n"
                                            "Content-Length: 0\r\n\r\n");
        }
        arena_reset(a);
        FCGX_PutStr(out, len, r.out);
        FCGX_Finish_r(&r);
    }
    arena_free(a);
    db_free(db);
    config_free(&cfg);
    return 0;
}

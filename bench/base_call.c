/* base_call.c: baseline (e) of the benchmarks: baseline (d)'s database work in ONE round trip.
 * A bare libfcgi accept loop (bench_fcgi.h) that runs one prepared
 * `CALL bench_add_user(...)` (bench/base_call.sql, loaded into the bench database by
 * bench/run.sh): the procedure looks the request's `key` header up and inserts the user, its
 * set-password token and its queued mail in one transaction, all inside the server. It is the
 * ceiling of what folding add_user's statements together on the client side could reach: if
 * (e) is below a target against (b), no ordering of add_user's round trips reaches it.
 * Configuration as for base_insert.c. Built for bench/ only; never installed. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "bench_db.h"
#include "bench_fcgi.h"
#include "base/config.h"
#include "base/crypto.h"

/* Same mail body size as base_tx.c. */
enum { MAIL_BODY_LEN = 209, NPARAMS = 9 };

static const char CALL[] = "CALL bench_add_user(?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* The CALL and its parameters: bound once, filled per request. */
struct call {
    MYSQL_STMT *s;
    char kind[16], secret_hash[2 * SHA256_LEN + 1], oid[25], username[64], email[96];
    char token_hash[2 * SHA256_LEN + 1], body[MAIL_BODY_LEN + 1];
    long long expires;
    unsigned long len[NPARAMS];
    MYSQL_BIND b[NPARAMS];
};

static void bind_str(struct call *c, int i, char *buf)
{
    c->b[i] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = buf,
                            .length = &c->len[i] };
}

static void call_bind(struct call *c)
{
    snprintf(c->kind, sizeof c->kind, "soajs_key");
    memset(c->body, 'x', MAIL_BODY_LEN);
    bind_str(c, 0, c->kind);
    bind_str(c, 1, c->secret_hash);
    bind_str(c, 2, c->oid);
    bind_str(c, 3, c->username);
    bind_str(c, 4, c->email);
    bind_str(c, 5, c->token_hash);
    c->b[6] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &c->expires };
    bind_str(c, 7, c->body);
    bind_str(c, 8, c->oid + 8);   /* a 16-character request id */
    c->len[0] = strlen(c->kind);
    c->len[1] = c->len[5] = 2 * SHA256_LEN;
    c->len[2] = 24;
    c->len[7] = MAIL_BODY_LEN;
    c->len[8] = 16;
}

/* One add; 0 on success. */
static int add_one(void *arg, const char *key, const char *oid)
{
    if (key == NULL)
        return -1;
    struct call *c = arg;
    crypto_secret_hash(key, strlen(key), c->secret_hash);
    snprintf(c->oid, sizeof c->oid, "%s", oid);
    c->len[3] = (unsigned long)snprintf(c->username, sizeof c->username, "e%s", oid);
    c->len[4] = (unsigned long)snprintf(c->email, sizeof c->email, "e%s@bench.example", oid);
    crypto_secret_hash(oid, 24, c->token_hash);
    c->expires = (long long)time(NULL) + 86400;
    if (mysql_stmt_execute(c->s) != 0) {
        fprintf(stderr, "base_call: %s\n", mysql_stmt_error(c->s));
        return -1;
    }
    /* a CALL ends with its own status result: read every result to free the connection */
    int rc;
    while ((rc = mysql_stmt_next_result(c->s)) == 0)
        ;
    return rc > 0 ? -1 : 0;
}

int main(void)
{
    struct config cfg;
    char err[256];
    if (config_load(&cfg, NULL, err, sizeof err) == CONFIG_BAD) {
        fprintf(stderr, "base_call: a configuration is needed\n");
        return 1;
    }
    MYSQL *m = bench_connect(&cfg);
    if (m == NULL)
        return 1;
    static struct call c;
    call_bind(&c);
    c.s = mysql_stmt_init(m);
    if (c.s == NULL || mysql_stmt_prepare(c.s, CALL, sizeof CALL - 1) != 0 ||
        mysql_stmt_bind_param(c.s, c.b) != 0) {
        fprintf(stderr, "base_call: prepare: %s (is bench/base_call.sql loaded?)\n",
                mysql_error(m));
        return 1;
    }
    int rc = bench_serve(add_one, &c);
    mysql_stmt_close(c.s);
    mysql_close(m);
    config_free(&cfg);
    return rc;
}

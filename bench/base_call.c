/* base_call.c: baseline (e) of the benchmarks: baseline (d)'s database work in ONE round trip.
 * A bare libfcgi accept loop that drops the request body and runs one prepared
 * `CALL bench_add_user(...)` (bench/base_call.sql, loaded into the bench database by
 * bench/run.sh): the procedure looks the request's `key` header up and inserts the user, its
 * set-password token and its queued mail in one transaction, all inside the server. It is the
 * ceiling of what folding add_user's statements together on the client side could reach: if
 * (e) is below a target against (b), no ordering of add_user's round trips reaches it.
 * Configuration as for base_insert.c. Built for bench/ only; never installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#include "bench_db.h"
#include "config.h"
#include "crypto.h"

/* Same mail body size as base_tx.c. */
enum { MAIL_BODY_LEN = 209, NPARAMS = 9 };

static const char CALL[] = "CALL bench_add_user(?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* The CALL's parameters: bound once, filled per request. */
struct call {
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
    memset(c, 0, sizeof *c);
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
static int add_one(MYSQL_STMT *s, struct call *c, const char *key, unsigned long n,
                   const char *prefix)
{
    crypto_secret_hash(key, strlen(key), c->secret_hash);
    snprintf(c->oid, sizeof c->oid, "%s%08lx", prefix, n);
    c->len[3] = (unsigned long)snprintf(c->username, sizeof c->username, "e%s", c->oid);
    c->len[4] = (unsigned long)snprintf(c->email, sizeof c->email, "e%s@bench.example", c->oid);
    crypto_secret_hash(c->oid, 24, c->token_hash);
    c->expires = (long long)time(NULL) + 86400;
    if (mysql_stmt_execute(s) != 0) {
        fprintf(stderr, "base_call: %s\n", mysql_stmt_error(s));
        return -1;
    }
    /* a CALL ends with its own status result: read every result to free the connection */
    int rc;
    while ((rc = mysql_stmt_next_result(s)) == 0)
        ;
    return rc > 0 ? -1 : 0;
}

int main(void)
{
    struct config cfg;
    char err[256];
    FCGX_Request r;
    char sink[16384];
    if (config_load(&cfg, NULL, err, sizeof err) == CONFIG_BAD) {
        fprintf(stderr, "base_call: a configuration is needed\n");
        return 1;
    }
    MYSQL *m = bench_connect(&cfg);
    if (m == NULL)
        return 1;
    static struct call c;
    call_bind(&c);
    MYSQL_STMT *s = mysql_stmt_init(m);
    if (s == NULL || mysql_stmt_prepare(s, CALL, sizeof CALL - 1) != 0 ||
        mysql_stmt_bind_param(s, c.b) != 0) {
        fprintf(stderr, "base_call: prepare: %s (is bench/base_call.sql loaded?)\n",
                mysql_error(m));
        return 1;
    }
    /* id prefix: this process and its start time, so ids never repeat across processes/runs */
    char prefix[17];
    snprintf(prefix, sizeof prefix, "%08x%08x", (unsigned)getpid(), (unsigned)time(NULL));
    if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
        return 1;
    for (unsigned long n = 0; FCGX_Accept_r(&r) >= 0; n++) {
        while (FCGX_GetStr(sink, (int)sizeof sink, r.in) > 0)
            ;
        const char *key = FCGX_GetParam("HTTP_KEY", r.envp);
        char out[256];
        int len;
        if (key != NULL && add_one(s, &c, key, n, prefix) == 0) {
            char json[96];
            int bl = snprintf(json, sizeof json, "{\"result\":true,\"data\":{\"id\":\"%s\"}}",
                              c.oid);
            len = snprintf(out, sizeof out,
                           "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                           "Content-Length: %d\r\n\r\n%s", bl, json);
        } else {
            len = snprintf(out, sizeof out, "Status: 500 Internal Server Error\r\n"
                                            "Content-Length: 0\r\n\r\n");
        }
        FCGX_PutStr(out, len, r.out);
        FCGX_Finish_r(&r);
    }
    mysql_stmt_close(s);
    mysql_close(m);
    config_free(&cfg);
    return 0;
}

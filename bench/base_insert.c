/* base_insert.c: baseline (b) of the benchmarks: the least a FastCGI program can do to add a
 * user. A bare libfcgi accept loop (bench_fcgi.h) that runs ONE prepared INSERT of a users row
 * (the service's own statement text, autocommit) with a unique id, username and email. No
 * authentication, no validation, no token, no mail: the floor the real add_user is compared
 * with. Reads the same configuration file as the service (PROVISION_CONF); the tenant comes
 * from BENCH_TENANT_ID, read before the loop (libfcgi replaces the environment per request).
 * Built for bench/ only; never installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "bench_db.h"
#include "bench_fcgi.h"
#include "base/config.h"
#include "store/sql.h"

enum { NCOLS = 12 };

/* The statement and the values bound to it once, filled per request. */
struct insert {
    MYSQL_STMT *s;
    long long tenant;
    char oid[25], name[64], email[96];
    unsigned long oid_len, name_len, email_len;
};

static int add_one(void *arg, const char *key, const char *oid)
{
    (void)key;
    struct insert *in = arg;
    in->oid_len = (unsigned long)snprintf(in->oid, sizeof in->oid, "%s", oid);
    in->name_len = (unsigned long)snprintf(in->name, sizeof in->name, "b%s", oid);
    in->email_len = (unsigned long)snprintf(in->email, sizeof in->email, "b%s@bench.example", oid);
    if (mysql_stmt_execute(in->s) != 0) {
        fprintf(stderr, "base_insert: %s\n", mysql_stmt_error(in->s));
        return -1;
    }
    return 0;
}

int main(void)
{
    struct config cfg;
    char err[256];
    static struct insert in;
    const char *tid = getenv("BENCH_TENANT_ID");
    if (tid == NULL || config_load(&cfg, NULL, err, sizeof err) == CONFIG_BAD) {
        fprintf(stderr, "base_insert: BENCH_TENANT_ID and a configuration are needed\n");
        return 1;
    }
    in.tenant = atoll(tid);
    MYSQL *m = bench_connect(&cfg);
    if (m == NULL)
        return 1;
    const char *text = sql_text(SQL_USER_INSERT);
    in.s = mysql_stmt_init(m);
    if (in.s == NULL || mysql_stmt_prepare(in.s, text, strlen(text)) != 0) {
        fprintf(stderr, "base_insert: prepare: %s\n", mysql_error(m));
        return 1;
    }
    static char first[] = "Bench", last[] = "User", status[] = "pendingNew", origin[] = "soajs";
    unsigned long first_len = 5, last_len = 4, status_len = 10, origin_len = 5;
    MYSQL_BIND b[NCOLS];
    memset(b, 0, sizeof b);
    for (int i = 0; i < NCOLS; i++)
        b[i].buffer_type = MYSQL_TYPE_NULL;   /* full_name, password_hash, profile, group */
    b[0] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = in.oid,
                         .length = &in.oid_len };
    b[1] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &in.tenant };
    b[2] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = in.name,
                         .length = &in.name_len };
    b[3] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = in.email,
                         .length = &in.email_len };
    b[4] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = first,
                         .length = &first_len };
    b[5] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = last,
                         .length = &last_len };
    b[8] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = status,
                         .length = &status_len };
    b[11] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = origin,
                          .length = &origin_len };
    if (mysql_stmt_bind_param(in.s, b) != 0)
        return 1;
    int rc = bench_serve(add_one, &in);
    mysql_stmt_close(in.s);
    mysql_close(m);
    config_free(&cfg);
    return rc;
}

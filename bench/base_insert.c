/* base_insert.c: baseline (b) of the benchmarks: the least a FastCGI program can do to add a
 * user. A bare libfcgi accept loop that drops the request body, runs ONE prepared INSERT of a
 * users row (the service's own statement text, autocommit) with a unique id, username and
 * email, and answers a small JSON object. No authentication, no validation, no token, no mail:
 * the floor the real add_user is compared with. Reads the same configuration file as the
 * service (PROVISION_CONF); the tenant comes from BENCH_TENANT_ID, read before the loop (libfcgi
 * replaces the environment per request). Built for bench/ only; never installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#include "bench_db.h"
#include "config.h"
#include "sql.h"

enum { NCOLS = 12 };

int main(void)
{
    struct config cfg;
    char err[256];
    FCGX_Request r;
    char sink[16384];
    const char *tid = getenv("BENCH_TENANT_ID");
    if (tid == NULL || config_load(&cfg, NULL, err, sizeof err) == CONFIG_BAD) {
        fprintf(stderr, "base_insert: BENCH_TENANT_ID and a configuration are needed\n");
        return 1;
    }
    long long tenant = atoll(tid);
    MYSQL *m = bench_connect(&cfg);
    if (m == NULL)
        return 1;
    const char *text = sql_text(SQL_USER_INSERT);
    MYSQL_STMT *s = mysql_stmt_init(m);
    if (s == NULL || mysql_stmt_prepare(s, text, strlen(text)) != 0) {
        fprintf(stderr, "base_insert: prepare: %s\n", mysql_error(m));
        return 1;
    }
    /* id prefix: this process and its start time, so ids never repeat across processes/runs */
    char prefix[17];
    snprintf(prefix, sizeof prefix, "%08x%08x", (unsigned)getpid(), (unsigned)time(NULL));
    char oid[25], name[64], email[96];
    unsigned long oid_len, name_len, email_len;
    static char first[] = "Bench", last[] = "User", status[] = "pendingNew", origin[] = "soajs";
    unsigned long first_len = 5, last_len = 4, status_len = 10, origin_len = 5;
    MYSQL_BIND b[NCOLS];
    memset(b, 0, sizeof b);
    for (int i = 0; i < NCOLS; i++)
        b[i].buffer_type = MYSQL_TYPE_NULL;   /* full_name, password_hash, profile, group */
    b[0] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = oid, .length = &oid_len };
    b[1] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &tenant };
    b[2] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = name, .length = &name_len };
    b[3] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = email,
                         .length = &email_len };
    b[4] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = first,
                         .length = &first_len };
    b[5] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = last,
                         .length = &last_len };
    b[8] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = status,
                         .length = &status_len };
    b[11] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = origin,
                          .length = &origin_len };
    if (mysql_stmt_bind_param(s, b) != 0)
        return 1;
    if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
        return 1;
    for (unsigned long n = 0; FCGX_Accept_r(&r) >= 0; n++) {
        while (FCGX_GetStr(sink, (int)sizeof sink, r.in) > 0)
            ;
        oid_len = (unsigned long)snprintf(oid, sizeof oid, "%s%08lx", prefix, n);
        name_len = (unsigned long)snprintf(name, sizeof name, "b%s", oid);
        email_len = (unsigned long)snprintf(email, sizeof email, "b%s@bench.example", oid);
        char out[256];
        int len;
        if (mysql_stmt_execute(s) == 0) {
            char body[96];
            int bl = snprintf(body, sizeof body, "{\"result\":true,\"data\":{\"id\":\"%s\"}}", oid);
            len = snprintf(out, sizeof out,
                           "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                           "Content-Length: %d\r\n\r\n%s", bl, body);
        } else {
            fprintf(stderr, "base_insert: %s\n", mysql_stmt_error(s));
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

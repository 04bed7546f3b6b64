/* base_bulk.c: baseline (c) of the benchmarks: the least a C program can do to insert N user
 * rows. Usage: base_bulk N TENANT_ID. Connects like the service (same configuration file and
 * session settings), then inside ONE transaction inserts N users rows (the same columns as the
 * service's bulk insert) with prepared multi-row INSERT statements of up to ROWS rows each,
 * values bound, and commits. Prints "rows seconds" on stdout; only the transaction is timed
 * (the row values are made before). Built for bench/ only; never installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "bench_db.h"
#include "base/config.h"

enum { ROWS = 1000, COLS = 7, FIELD = 96 };

struct row {
    char oid[25], email[FIELD], first[FIELD], last[FIELD];
    unsigned long oid_len, email_len, first_len, last_len;
};

static char status[] = "pendingNew", origin[] = "skedulo";
static unsigned long status_len = 10, origin_len = 7;

/* "INSERT ... VALUES (?,?,?,?,?,?,?),... " for k rows, in a malloc'd string. */
static char *insert_text(size_t k)
{
    static const char head[] =
        "INSERT INTO users (oid, tenant_id, email, first_name, last_name, status, origin) VALUES ";
    static const char tuple[] = "(?,?,?,?,?,?,?)";
    size_t len = sizeof head + k * sizeof tuple + 1;
    char *t = malloc(len);
    if (t == NULL)
        return NULL;
    size_t o = (size_t)snprintf(t, len, "%s", head);
    for (size_t i = 0; i < k; i++)
        o += (size_t)snprintf(t + o, len - o, "%s%s", i ? "," : "", tuple);
    return t;
}

static MYSQL_STMT *prepare(MYSQL *m, size_t k)
{
    char *text = insert_text(k);
    MYSQL_STMT *s = text != NULL ? mysql_stmt_init(m) : NULL;
    if (s != NULL && mysql_stmt_prepare(s, text, strlen(text)) != 0) {
        fprintf(stderr, "base_bulk: prepare: %s\n", mysql_stmt_error(s));
        mysql_stmt_close(s);
        s = NULL;
    }
    free(text);
    return s;
}

/* Binds k rows to s (prepared for k rows) and executes it. */
static int run_chunk(MYSQL_STMT *s, MYSQL_BIND *b, struct row *rows, size_t k,
                     long long *tenant)
{
    for (size_t i = 0; i < k; i++) {
        MYSQL_BIND *x = b + i * COLS;
        struct row *r = &rows[i];
        x[0] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = r->oid,
                             .length = &r->oid_len };
        x[1] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = tenant };
        x[2] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = r->email,
                             .length = &r->email_len };
        x[3] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = r->first,
                             .length = &r->first_len };
        x[4] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = r->last,
                             .length = &r->last_len };
        x[5] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = status,
                             .length = &status_len };
        x[6] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = origin,
                             .length = &origin_len };
    }
    if (mysql_stmt_bind_param(s, b) != 0 || mysql_stmt_execute(s) != 0 ||
        mysql_stmt_affected_rows(s) != k) {
        fprintf(stderr, "base_bulk: %s\n", mysql_stmt_error(s));
        return -1;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct config cfg;
    char err[256];
    if (argc != 3 || atol(argv[1]) <= 0) {
        fprintf(stderr, "usage: base_bulk N TENANT_ID\n");
        return 2;
    }
    size_t n = (size_t)atol(argv[1]);
    long long tenant = atoll(argv[2]);
    if (config_load(&cfg, NULL, err, sizeof err) == CONFIG_BAD) {
        fprintf(stderr, "base_bulk: configuration: %s\n", err);
        return 1;
    }
    struct row *rows = calloc(n, sizeof *rows);
    MYSQL *m = bench_connect(&cfg);
    if (rows == NULL || m == NULL)
        return 1;
    unsigned run = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
    for (size_t i = 0; i < n; i++) {
        struct row *r = &rows[i];
        r->oid_len = (unsigned long)snprintf(r->oid, sizeof r->oid, "c%07x%016zx", run & 0xfffffff,
                                             i);
        r->email_len = (unsigned long)snprintf(r->email, FIELD, "c%x.user%zu@bench.example", run,
                                               i);
        r->first_len = (unsigned long)snprintf(r->first, FIELD, "First%zu", i);
        r->last_len = (unsigned long)snprintf(r->last, FIELD, "Last%zu", i);
    }
    MYSQL_BIND *b = calloc(ROWS * COLS, sizeof *b);
    MYSQL_STMT *full = NULL, *rest = NULL;
    if (b == NULL)
        return 1;
    /* timed: the statements' preparation (one per chunk size), the transaction, the commit */
    double t0 = now_s();
    int rc = mysql_query(m, "START TRANSACTION");
    for (size_t i = 0; rc == 0 && i < n; i += ROWS) {
        size_t k = n - i < ROWS ? n - i : ROWS;
        MYSQL_STMT **s = k == ROWS ? &full : &rest;
        if (*s == NULL && (*s = prepare(m, k)) == NULL)
            rc = -1;
        else
            rc = run_chunk(*s, b, rows + i, k, &tenant);
    }
    if (rc == 0)
        rc = mysql_query(m, "COMMIT");
    double t1 = now_s();
    if (rc != 0) {
        fprintf(stderr, "base_bulk: failed: %s\n", mysql_error(m));
        return 1;
    }
    if (full != NULL)
        mysql_stmt_close(full);
    if (rest != NULL)
        mysql_stmt_close(rest);
    free(b);
    printf("%zu %.6f\n", n, t1 - t0);
    mysql_close(m);
    free(rows);
    config_free(&cfg);
    return 0;
}

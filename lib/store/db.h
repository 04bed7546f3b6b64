/* db.h: the process's one MariaDB/MySQL connection and its prepared statements (libmariadb,
 * libmysqlclient API). Every statement comes from the enum-indexed table in sql.h; values are
 * bound, never spliced into SQL text. No auto-reconnect: a lost connection is re-established
 * and the statements re-prepared explicitly, once per call and never inside a transaction
 * (the transaction died with the connection), after which the caller gets DB_UNAVAILABLE.
 * With db.hosts, a connection goes to the first host of the list that answers and, on a
 * Galera cluster, is ready for statements; a reconnect starts again from the first. */
#ifndef PROV_DB_H
#define PROV_DB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/sql.h"

struct arena;
struct config;
struct db;

enum db_status {
    DB_OK = 0,
    DB_DUPLICATE,     /* unique key violation (1062); db_dup_key() names the key */
    DB_RETRY,         /* deadlock or lock wait timeout: the transaction is over (every later
                       * statement and COMMIT answer DB_RETRY until db_rollback); run it again
                       * from its start (tx.h) */
    DB_UNAVAILABLE,   /* cannot reach the server, or the connection was lost */
    DB_ERROR          /* anything else; already logged with the request id */
};

/* What a database status means in a module's own statuses: the one mapping every module of
 * the core uses (db_status_to), so that "the database is unavailable" and a deadlock to retry
 * reach every caller the same way. A status a module does not tell apart takes error. */
struct db_statuses {
    int ok, duplicate, retry, unavailable, error;
};
static inline int db_status_to(enum db_status st, const struct db_statuses *m)
{
    switch (st) {
    case DB_OK: return m->ok;
    case DB_DUPLICATE: return m->duplicate;
    case DB_RETRY: return m->retry;
    case DB_UNAVAILABLE: return m->unavailable;
    case DB_ERROR: break;
    }
    return m->error;
}

enum db_type { DBV_NULL = 0, DBV_STR, DBV_INT, DBV_DOUBLE };

/* One bound parameter. Strings are borrowed for the duration of the call. */
struct db_val {
    enum db_type type;
    const char *s;
    size_t len;
    long long i;
    double d;
};

#define DBV_NONE ((struct db_val){ .type = DBV_NULL })
#define DBV_I(v) ((struct db_val){ .type = DBV_INT, .i = (long long)(v) })
#define DBV_D(v) ((struct db_val){ .type = DBV_DOUBLE, .d = (v) })
#define DBV_SN(str, n) ((struct db_val){ .type = DBV_STR, .s = (str), .len = (n) })
/* A string, or SQL NULL when str is NULL. */
static inline struct db_val DBV_S(const char *str)
{
    return str == NULL ? DBV_NONE : DBV_SN(str, strlen(str));
}

/* A result cell: text (NUL-terminated, in the caller's arena) or SQL NULL. */
struct db_cell {
    const char *s;
    size_t len;
    int is_null;
};

struct db_rows {
    size_t nrows;
    size_t ncols;
    struct db_cell *cells;   /* row-major, nrows * ncols */
};

struct db_result {
    uint64_t affected;
    uint64_t insert_id;
};

/* A handle that connects on first use. cfg is borrowed and must outlive the handle. */
struct db *db_new(const struct config *cfg);
void db_free(struct db *db);
/* Connects now (if not connected). */
enum db_status db_connect(struct db *db);
/* A bare client connection with the service's options and session settings (time zone,
 * isolation, sql_mode, utf8mb4, no auto-reconnect), for programs that measure against the
 * service with their own statements (bench/). NULL on failure, the reason in err. Close it with
 * mysql_close(). */
struct st_mysql;
struct st_mysql *db_open(const struct config *cfg, char *err, size_t errlen);
/* Causal reads and updates on a Galera cluster: with on = 1, every later read, UPDATE and
 * DELETE of this handle (on any connection it makes) first waits until its node has applied
 * every write the cluster had committed when the statement began (wsrep_sync_wait = 3), so a
 * statement run through one node sees what was committed through another. For the few
 * statements that need it (a task's status, a link just mailed, the migration lease, the mark
 * of a mail claimed a moment ago, perhaps through another node): it costs a round trip to the
 * cluster per statement. Off (0) by default; nothing at all on a server that is not a Galera
 * node. */
void db_causal(struct db *db, int on);
/* 1 when the handle is connected to a Galera node (wsrep_on). */
int db_is_galera(const struct db *db);
/* Tags the internal errors db logs from now on (borrowed; NULL to clear). */
void db_set_request_id(struct db *db, const char *rid);

/* Executes a statement that returns no rows. res may be NULL. */
enum db_status db_exec(struct db *db, enum sql_id id, const struct db_val *params, size_t n,
                       struct db_result *res);
/* Executes a query and copies every row into arena a. */
enum db_status db_query(struct db *db, struct arena *a, enum sql_id id,
                        const struct db_val *params, size_t n, struct db_rows *out);
/* Convenience: one row expected; DB_OK with *found = 0 when there is none. */
enum db_status db_query_row(struct db *db, struct arena *a, enum sql_id id,
                            const struct db_val *params, size_t n, struct db_rows *out,
                            int *found);

enum db_status db_begin(struct db *db);
enum db_status db_commit(struct db *db);
/* Rolls back if a transaction is open; safe to call on any error path. */
void db_rollback(struct db *db);
int db_in_transaction(const struct db *db);
/* What the transaction runner (tx.c) needs of the handle: the configuration, the request id
 * its log lines carry (NULL when none), and why the open transaction is over ("deadlock" or
 * "lock wait timeout"; NULL when no statement or COMMIT of it answered DB_RETRY). */
const struct config *db_config(const struct db *db);
const char *db_request_id(const struct db *db);
const char *db_retry_reason(const struct db *db);

/* Runs SQL text that binds no values (migrations, admin). Multi-statement text is allowed
 * only through this call. Returns DB_OK or an error already logged. */
enum db_status db_run_script(struct db *db, const char *sql, size_t len);

/* The key named by the last DB_DUPLICATE ("" when unknown). */
const char *db_dup_key(const struct db *db);

static inline const struct db_cell *db_cell(const struct db_rows *r, size_t row, size_t col)
{
    return &r->cells[row * r->ncols + col];
}
/* Integer value of a cell (0 for NULL or non-numeric). */
long long db_cell_int(const struct db_cell *c);
/* Text of a cell, or NULL for SQL NULL. */
static inline const char *db_cell_str(const struct db_cell *c)
{
    return c->is_null ? NULL : c->s;
}

#endif

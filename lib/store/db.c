/* db.c: the connection, the prepared-statement cache, parameter binding, result copying and
 * transactions. Owns the MYSQL handle and every MYSQL_STMT; callers see only enum db_status
 * and arena-copied text cells. Never returns server error text to a caller: internal errors are
 * logged here with the request id, and duplicates are reported by key name only. */
#include "store/db.h"

#include <errno.h>
#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"

enum { DB_MAX_PARAMS = 48, DB_MAX_COLS = 64 };

struct db {
    const struct config *cfg;
    MYSQL *conn;
    MYSQL_STMT *stmts[SQL_COUNT];
    int in_txn;
    int txn_broken;     /* the connection died inside a transaction: refuse until rollback */
    int txn_doomed;     /* a deadlock or lock wait ended the transaction: refuse until rollback */
    unsigned retry_err; /* the server error behind the last DB_RETRY */
    const char *rid;
    char dup_key[96];
    int galera;         /* the connection's server is a Galera node (wsrep_on) */
    int causal_want;    /* db_causal: reads must see every write the cluster committed */
    int causal_now;     /* what the session's wsrep_sync_wait is set to */
};

struct db *db_new(const struct config *cfg)
{
    struct db *db = calloc(1, sizeof *db);
    if (db != NULL)
        db->cfg = cfg;
    return db;
}

static void drop_connection(struct db *db)
{
    for (size_t i = 0; i < SQL_COUNT; i++) {
        if (db->stmts[i] != NULL)
            mysql_stmt_close(db->stmts[i]);
        db->stmts[i] = NULL;
    }
    if (db->conn != NULL)
        mysql_close(db->conn);
    db->conn = NULL;
    if (db->in_txn)
        db->txn_broken = 1;
    db->in_txn = 0;
}

void db_free(struct db *db)
{
    if (db == NULL)
        return;
    drop_connection(db);
    free(db);
}

void db_set_request_id(struct db *db, const char *rid)
{
    db->rid = rid;
}

const char *db_dup_key(const struct db *db)
{
    return db->dup_key;
}

int db_in_transaction(const struct db *db)
{
    return db->in_txn;
}

const struct config *db_config(const struct db *db)
{
    return db->cfg;
}

const char *db_request_id(const struct db *db)
{
    return db->rid;
}

const char *db_retry_reason(const struct db *db)
{
    if (!db->txn_doomed)
        return NULL;
    return db->retry_err == ER_LOCK_WAIT_TIMEOUT ? "lock wait timeout" : "deadlock";
}

/* Errors after which the connection is unusable and must be re-established. */
static int is_connection_error(unsigned err)
{
    switch (err) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_COMMANDS_OUT_OF_SYNC:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
    case ER_QUERY_INTERRUPTED:
    case ER_UNKNOWN_COM_ERROR:  /* 1047: a Galera node that left the primary component */
        return 1;
    default:
        return 0;
    }
}

/* A connection to one server with the service's options; NULL on failure (reason in err). */
static MYSQL *open_one(const struct config *cfg, const char *host, unsigned port,
                       const char *sock, char *err, size_t errlen)
{
    MYSQL *m = mysql_init(NULL);
    if (m == NULL) {
        snprintf(err, errlen, "mysql_init failed");
        return NULL;
    }
    unsigned int ct = cfg->db_connect_timeout, rw = cfg->db_rw_timeout;
    my_bool off = 0;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw);
    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
    mysql_options(m, MYSQL_OPT_RECONNECT, &off);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
    mysql_options(m, MYSQL_INIT_COMMAND, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    mysql_options(m, MYSQL_INIT_COMMAND,
                  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
                  "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
    /* a lock wait must end as error 1205 (retried by tx.c) well before the client's read
     * timeout would drop the connection; 0 keeps the server's setting */
    if (cfg->db_lock_wait_seconds > 0) {
        char lw[64];
        snprintf(lw, sizeof lw, "SET SESSION innodb_lock_wait_timeout = %u",
                 cfg->db_lock_wait_seconds);
        mysql_options(m, MYSQL_INIT_COMMAND, lw);
    }
    if (mysql_real_connect(m, host, cfg->db_user, cfg->db_password, cfg->db_name, port, sock,
                           0) == NULL) {
        snprintf(err, errlen, "%u %s", mysql_errno(m), mysql_error(m));
        mysql_close(m);
        return NULL;
    }
    return m;
}

/* What a fresh connection's server is: 1 a Galera node ready for statements, 0 no Galera
 * (wsrep_on off, or a server without the variable), -1 a Galera node that is not part of the
 * primary component (joining, donating without serving, cut off from the majority): every
 * statement would fail there with 1047, so the next host is tried instead. */
static int galera_state(MYSQL *m)
{
    static const char q[] =
        "SELECT @@global.wsrep_on, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
        "WHERE VARIABLE_NAME = 'WSREP_READY')";
    if (mysql_real_query(m, q, sizeof q - 1) != 0)
        return 0;
    MYSQL_RES *r = mysql_store_result(m);
    if (r == NULL)
        return 0;
    int st = 0;
    MYSQL_ROW row = mysql_fetch_row(r);
    if (row != NULL && row[0] != NULL && strcmp(row[0], "1") == 0)
        st = row[1] != NULL && strcmp(row[1], "ON") == 0 ? 1 : -1;
    mysql_free_result(r);
    return st;
}

/* Connects to the first host of db.hosts that answers and is ready (or to db.host/db.socket
 * when the list is empty). *galera tells what open_one's server is (galera_state). */
static MYSQL *open_conn(const struct config *cfg, char *err, size_t errlen, int *galera)
{
    struct config_host hosts[CONFIG_HOSTS_MAX];
    int n = config_hosts(cfg, hosts);
    *galera = 0;
    if (n < 0) {
        snprintf(err, errlen, "db.hosts is malformed");
        return NULL;
    }
    if (n == 0) {
        const char *host = cfg->db_host[0] != '\0' ? cfg->db_host : NULL;
        const char *sock = cfg->db_socket[0] != '\0' ? cfg->db_socket : NULL;
        MYSQL *m = open_one(cfg, host, cfg->db_port, sock, err, errlen);
        if (m != NULL && (*galera = galera_state(m)) < 0) {
            snprintf(err, errlen, "the server is a Galera node not ready for statements");
            mysql_close(m);
            return NULL;
        }
        return m;
    }
    for (int i = 0; i < n; i++) {
        char one[160];
        MYSQL *m = open_one(cfg, hosts[i].name, hosts[i].port, NULL, one, sizeof one);
        if (m != NULL && (*galera = galera_state(m)) >= 0)
            return m;
        if (m != NULL) {
            snprintf(one, sizeof one, "a Galera node not ready for statements");
            mysql_close(m);
        }
        /* the reason of each host that failed, for the log line */
        size_t used = i == 0 ? 0 : strlen(err);
        if (i == 0 && errlen > 0)
            err[0] = '\0';
        if (used < errlen)
            snprintf(err + used, errlen - used, "%s%s:%u: %s", i == 0 ? "" : "; ",
                     hosts[i].name, hosts[i].port, one);
    }
    return NULL;
}

MYSQL *db_open(const struct config *cfg, char *err, size_t errlen)
{
    int galera;
    return open_conn(cfg, err, errlen, &galera);
}

enum db_status db_connect(struct db *db)
{
    if (db->conn != NULL)
        return DB_OK;
    char err[512];
    int galera;
    MYSQL *m = open_conn(db->cfg, err, sizeof err, &galera);
    if (m == NULL) {
        log_error(db->rid, "db: connect failed: %s", err);
        return DB_UNAVAILABLE;
    }
    db->conn = m;
    db->galera = galera > 0;
    db->causal_now = 0;
    return DB_OK;
}

static void note_duplicate(struct db *db, const char *msg)
{
    /* "Duplicate entry '...' for key 'name'" (MySQL 8: 'table.name') */
    db->dup_key[0] = '\0';
    const char *p = strstr(msg, "for key '");
    if (p == NULL)
        return;
    p += strlen("for key '");
    const char *end = strrchr(p, '\'');
    if (end == NULL || end <= p)
        return;
    const char *dot = memchr(p, '.', (size_t)(end - p));
    if (dot != NULL)
        p = dot + 1;
    size_t n = (size_t)(end - p);
    if (n >= sizeof db->dup_key)
        n = sizeof db->dup_key - 1;
    memcpy(db->dup_key, p, n);
    db->dup_key[n] = '\0';
}

/* A deadlock (1213) or lock wait timeout (1205). The server has rolled the transaction back
 * (1213) or only the statement (1205); either way this transaction is over: no statement of
 * it runs and COMMIT is refused until the caller rolls back and starts again (tx.c), so a
 * caller that went on could not write half of its work in autocommit mode. */
static enum db_status doom(struct db *db, unsigned err)
{
    db->retry_err = err;
    if (db->in_txn)
        db->txn_doomed = 1;
    return DB_RETRY;
}

/* Maps a server error to a status; logs what is not an expected outcome. */
static enum db_status classify(struct db *db, enum sql_id id, unsigned err, const char *msg)
{
    if (err == ER_DUP_ENTRY || err == ER_DUP_ENTRY_WITH_KEY_NAME) {
        note_duplicate(db, msg);
        return DB_DUPLICATE;
    }
    if (err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT)
        return doom(db, err);
    if (is_connection_error(err)) {
        log_error(db->rid, "db %s: connection lost: %u %s", sql_name(id), err, msg);
        drop_connection(db);
        return DB_UNAVAILABLE;
    }
    log_error(db->rid, "db %s: %u %s", sql_name(id), err, msg);
    return DB_ERROR;
}

static MYSQL_STMT *get_stmt(struct db *db, enum sql_id id, unsigned *err)
{
    if (db->stmts[id] != NULL)
        return db->stmts[id];
    MYSQL_STMT *s = mysql_stmt_init(db->conn);
    if (s == NULL) {
        *err = mysql_errno(db->conn);
        return NULL;
    }
    my_bool one = 1;
    mysql_stmt_attr_set(s, STMT_ATTR_UPDATE_MAX_LENGTH, &one);
    const char *text = sql_text(id);
    if (mysql_stmt_prepare(s, text, strlen(text)) != 0) {
        *err = mysql_stmt_errno(s);
        log_error(db->rid, "db prepare %s: %u %s", sql_name(id), *err, mysql_stmt_error(s));
        mysql_stmt_close(s);
        return NULL;
    }
    db->stmts[id] = s;
    return s;
}

struct bound {
    MYSQL_BIND bind[DB_MAX_PARAMS];
    unsigned long len[DB_MAX_PARAMS];
};

static int bind_params(MYSQL_STMT *s, const struct db_val *p, size_t n, struct bound *b)
{
    if (n > DB_MAX_PARAMS || n != mysql_stmt_param_count(s))
        return -1;
    memset(b, 0, sizeof *b);
    for (size_t i = 0; i < n; i++) {
        MYSQL_BIND *x = &b->bind[i];
        switch (p[i].type) {
        case DBV_NULL:
            x->buffer_type = MYSQL_TYPE_NULL;
            break;
        case DBV_STR:
            x->buffer_type = MYSQL_TYPE_STRING;
            x->buffer = (void *)(uintptr_t)p[i].s;
            b->len[i] = p[i].len;
            x->buffer_length = p[i].len;
            x->length = &b->len[i];
            break;
        case DBV_INT:
            x->buffer_type = MYSQL_TYPE_LONGLONG;
            x->buffer = (void *)(uintptr_t)&p[i].i;
            break;
        case DBV_DOUBLE:
            x->buffer_type = MYSQL_TYPE_DOUBLE;
            x->buffer = (void *)(uintptr_t)&p[i].d;
            break;
        }
    }
    return n > 0 ? (mysql_stmt_bind_param(s, b->bind) ? -1 : 0) : 0;
}

/* Closes a statement that failed and forgets it (the next use prepares it again). After an
 * error the client library can leave a handle mid-result: a SELECT ... FOR UPDATE that loses a
 * deadlock sends its column definitions, then the error instead of the rows, and libmariadb
 * marks the handle as still owing those rows, so executing it again first waits for rows the
 * server will never send (until the read timeout drops the connection). A handle that failed
 * is therefore never reused: every statement starts clean after any error. */
static void discard_stmt(struct db *db, enum sql_id id)
{
    if (id < SQL_COUNT && db->stmts[id] != NULL) {
        mysql_stmt_close(db->stmts[id]);
        db->stmts[id] = NULL;
    }
}

#ifdef PROVISION_FAULTS
/* Fault injection, compiled into the sanitizer build only (make asan):
 * PROVISION_FAULT=NAME[:KIND]:N makes the Nth execution in this process of the statement NAME
 * (a name of lib/store/sql.h's table, "START TRANSACTION" or "COMMIT"; "*" for any statement) fail
 * (tests/process/test_db_faults.py). KIND "lost" (the default): as if the connection had been
 * lost at that moment, so the paths after a connection lost mid-request are tested
 * deterministically. "deadlock" or "lockwait": the statement fails with 1213 or 1205 as a
 * deadlock victim or a lock wait would (no statement is sent), so every transaction's restart
 * is tested; these count only the statements that run inside a transaction, COMMIT included,
 * as a real deadlock can hit no other. */
enum fault { FAULT_NONE = 0, FAULT_LOST, FAULT_DEADLOCK, FAULT_LOCK_WAIT };

static enum fault fault_due(const struct db *db, const char *name, int is_rollback)
{
    static const struct {
        const char *word;
        enum fault kind;
    } kinds[] = { { ":lost", FAULT_LOST }, { ":deadlock", FAULT_DEADLOCK },
                  { ":lockwait", FAULT_LOCK_WAIT } };
    static unsigned long seen;
    const char *spec = getenv("PROVISION_FAULT");
    const char *colon = spec != NULL ? strrchr(spec, ':') : NULL;
    if (colon == NULL)
        return FAULT_NONE;
    size_t n = (size_t)(colon - spec);
    enum fault kind = FAULT_LOST;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t w = strlen(kinds[k].word);
        if (n > w && memcmp(spec + n - w, kinds[k].word, w) == 0) {
            kind = kinds[k].kind;
            n -= w;
            break;
        }
    }
    int any = n == 1 && spec[0] == '*';     /* "*:N": the Nth statement, whatever it is */
    if (!any && (n != strlen(name) || strncmp(spec, name, n) != 0))
        return FAULT_NONE;
    if (kind != FAULT_LOST && (!db->in_txn || is_rollback))
        return FAULT_NONE;
    return ++seen == strtoul(colon + 1, NULL, 10) ? kind : FAULT_NONE;
}

static const char *fault_name(enum fault f)
{
    return f == FAULT_DEADLOCK ? "deadlock" : f == FAULT_LOCK_WAIT ? "lock wait" : "lost";
}
#endif

static enum db_status simple(struct db *db, const char *sql, int may_retry);

void db_causal(struct db *db, int on)
{
    db->causal_want = on != 0;
}

int db_is_galera(const struct db *db)
{
    return db->conn != NULL && db->galera;
}

/* Brings the session's wsrep_sync_wait to what db_causal asked (Galera only; a no-op when it
 * already is): 3 makes a read (1), and an UPDATE or DELETE (2), wait until this node has
 * applied every write the cluster had committed when the statement began. The UPDATEs need it
 * as much as the reads: an UPDATE whose WHERE finds no row on a node that has not yet applied
 * a write from another makes no write set, so no certification catches it; it silently
 * matches nothing (a mail marked sent through node 2 right after it was claimed through node
 * 1 would stay claimed, and be sent again when the claim's lease ends). */
static enum db_status sync_causal(struct db *db)
{
    if (!db->galera || db->causal_want == db->causal_now)
        return DB_OK;
    enum db_status st = simple(db, db->causal_want ? "SET SESSION wsrep_sync_wait = 3"
                                                   : "SET SESSION wsrep_sync_wait = 0", 0);
    if (st == DB_OK && db->conn != NULL)
        db->causal_now = db->causal_want;
    return st;
}

/* Prepares (if needed), binds and executes, reconnecting once outside a transaction. */
static enum db_status execute(struct db *db, enum sql_id id, const struct db_val *params,
                              size_t n, MYSQL_STMT **out)
{
    if (db->txn_broken)
        return DB_UNAVAILABLE;
    if (db->txn_doomed)
        return DB_RETRY;
    db->dup_key[0] = '\0';
    for (int attempt = 0; attempt < 2; attempt++) {
        int may_retry = attempt == 0 && !db->in_txn;
        enum db_status st = db_connect(db);
        if (st == DB_OK)
            st = sync_causal(db);
        if (st == DB_UNAVAILABLE && may_retry && db->conn == NULL)
            continue;
        if (st != DB_OK)
            return st;
        unsigned err = 0;
        MYSQL_STMT *s = get_stmt(db, id, &err);
        if (s == NULL) {
            if (is_connection_error(err)) {
                drop_connection(db);
                if (may_retry)
                    continue;
                return DB_UNAVAILABLE;
            }
            return DB_ERROR;
        }
        struct bound b;
        if (bind_params(s, params, n, &b) != 0) {
            log_error(db->rid, "db %s: cannot bind %zu parameters", sql_name(id), n);
            return DB_ERROR;
        }
#ifdef PROVISION_FAULTS
        enum fault f = fault_due(db, sql_name(id), 0);
        if (f != FAULT_NONE) {
            log_error(db->rid, "db %s: injected fault (PROVISION_FAULT, %s)", sql_name(id),
                      fault_name(f));
            if (f != FAULT_LOST)
                return doom(db, f == FAULT_DEADLOCK ? ER_LOCK_DEADLOCK : ER_LOCK_WAIT_TIMEOUT);
            if (may_retry) {
                drop_connection(db);
                continue;
            }
            return classify(db, id, CR_SERVER_LOST, "connection lost (injected)");
        }
#endif
        if (mysql_stmt_execute(s) == 0) {
            *out = s;
            return DB_OK;
        }
        err = mysql_stmt_errno(s);
        if (is_connection_error(err) && may_retry) {
            drop_connection(db);
            continue;
        }
        st = classify(db, id, err, mysql_stmt_error(s));
        discard_stmt(db, id);
        return st;
    }
    return DB_UNAVAILABLE;
}

enum db_status db_exec(struct db *db, enum sql_id id, const struct db_val *params, size_t n,
                       struct db_result *res)
{
    MYSQL_STMT *s = NULL;
    enum db_status st = execute(db, id, params, n, &s);
    if (st != DB_OK)
        return st;
    if (res != NULL) {
        res->affected = mysql_stmt_affected_rows(s);
        res->insert_id = mysql_stmt_insert_id(s);
    }
    return DB_OK;
}

static enum db_status copy_rows(struct db *db, enum sql_id id, MYSQL_STMT *s, struct arena *a,
                                struct db_rows *out)
{
    enum db_status st = DB_ERROR;
    MYSQL_RES *meta = NULL;
    char *scratch = NULL;
    MYSQL_BIND bind[DB_MAX_COLS];
    unsigned long len[DB_MAX_COLS];
    my_bool is_null[DB_MAX_COLS], trunc[DB_MAX_COLS];

    memset(out, 0, sizeof *out);
    if (mysql_stmt_store_result(s) != 0) {
        st = classify(db, id, mysql_stmt_errno(s), mysql_stmt_error(s));
        goto done;
    }
    meta = mysql_stmt_result_metadata(s);
    if (meta == NULL)
        goto done;
    size_t ncols = mysql_num_fields(meta);
    if (ncols > DB_MAX_COLS)
        goto done;
    MYSQL_FIELD *fields = mysql_fetch_fields(meta);
    size_t offs[DB_MAX_COLS], total = 0;
    for (size_t c = 0; c < ncols; c++) {
        size_t size = fields[c].max_length < 64 ? 64 : fields[c].max_length;
        offs[c] = total;
        total += size + 1;
    }
    scratch = malloc(total ? total : 1);
    if (scratch == NULL)
        goto done;
    memset(bind, 0, sizeof bind);
    for (size_t c = 0; c < ncols; c++) {
        bind[c].buffer_type = MYSQL_TYPE_STRING;
        bind[c].buffer = scratch + offs[c];
        bind[c].buffer_length = (c + 1 < ncols ? offs[c + 1] : total) - offs[c] - 1;
        bind[c].length = &len[c];
        bind[c].is_null = &is_null[c];
        bind[c].error = &trunc[c];
    }
    if (mysql_stmt_bind_result(s, bind) != 0)
        goto done;
    size_t nrows = (size_t)mysql_stmt_num_rows(s);
    out->ncols = ncols;
    out->cells = arena_calloc(a, nrows ? nrows * ncols : 1, sizeof *out->cells);
    if (out->cells == NULL)
        goto done;
    for (size_t r = 0; r < nrows; r++) {
        int rc = mysql_stmt_fetch(s);
        if (rc == MYSQL_NO_DATA)
            break;
        if (rc == 1) {
            st = classify(db, id, mysql_stmt_errno(s), mysql_stmt_error(s));
            goto done;
        }
        for (size_t c = 0; c < ncols; c++) {
            struct db_cell *cell = &out->cells[r * ncols + c];
            if (is_null[c]) {
                cell->is_null = 1;
                cell->s = "";
                continue;
            }
            char *p = arena_alloc(a, len[c] + 1);
            if (p == NULL)
                goto done;
            if (trunc[c]) {
                MYSQL_BIND one;
                memset(&one, 0, sizeof one);
                one.buffer_type = MYSQL_TYPE_STRING;
                one.buffer = p;
                one.buffer_length = len[c];
                if (mysql_stmt_fetch_column(s, &one, (unsigned)c, 0) != 0)
                    goto done;
            } else {
                memcpy(p, bind[c].buffer, len[c]);
            }
            p[len[c]] = '\0';
            cell->s = p;
            cell->len = len[c];
        }
        out->nrows = r + 1;
    }
    st = DB_OK;
done:
    if (st == DB_ERROR && db->conn != NULL)
        log_error(db->rid, "db %s: cannot read the result", sql_name(id));
    if (meta != NULL)
        mysql_free_result(meta);
    if (st == DB_OK)
        mysql_stmt_free_result(s);
    else
        discard_stmt(db, id);   /* a no-op when the connection was dropped */
    free(scratch);
    return st;
}

enum db_status db_query(struct db *db, struct arena *a, enum sql_id id,
                        const struct db_val *params, size_t n, struct db_rows *out)
{
    MYSQL_STMT *s = NULL;
    memset(out, 0, sizeof *out);
    enum db_status st = execute(db, id, params, n, &s);
    if (st != DB_OK)
        return st;
    return copy_rows(db, id, s, a, out);
}

enum db_status db_query_row(struct db *db, struct arena *a, enum sql_id id,
                            const struct db_val *params, size_t n, struct db_rows *out,
                            int *found)
{
    enum db_status st = db_query(db, a, id, params, n, out);
    *found = st == DB_OK && out->nrows > 0;
    return st;
}

/* A plain statement (no parameters) with one reconnect outside a transaction. */
static enum db_status simple(struct db *db, const char *sql, int may_retry)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        enum db_status st = db_connect(db);
        if (st != DB_OK)
            return st;
#ifdef PROVISION_FAULTS
        enum fault f = fault_due(db, sql, strcmp(sql, "ROLLBACK") == 0);
        if (f != FAULT_NONE) {
            log_error(db->rid, "db %s: injected fault (PROVISION_FAULT, %s)", sql,
                      fault_name(f));
            if (f != FAULT_LOST)
                return doom(db, f == FAULT_DEADLOCK ? ER_LOCK_DEADLOCK : ER_LOCK_WAIT_TIMEOUT);
            drop_connection(db);
            if (may_retry && attempt == 0)
                continue;
            return DB_UNAVAILABLE;
        }
#endif
        if (mysql_real_query(db->conn, sql, strlen(sql)) == 0)
            return DB_OK;
        unsigned err = mysql_errno(db->conn);
        if (is_connection_error(err) && may_retry && attempt == 0) {
            drop_connection(db);
            continue;
        }
        if (err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT)
            return doom(db, err);
        if (is_connection_error(err)) {
            log_error(db->rid, "db %s: connection lost: %u", sql, err);
            drop_connection(db);
            return DB_UNAVAILABLE;
        }
        log_error(db->rid, "db %s: %u %s", sql, err, mysql_error(db->conn));
        return DB_ERROR;
    }
    return DB_UNAVAILABLE;
}

enum db_status db_begin(struct db *db)
{
    if (db->txn_broken)
        return DB_UNAVAILABLE;
    if (db->in_txn) {
        log_error(db->rid, "db: nested transaction");
        return DB_ERROR;
    }
    enum db_status st = simple(db, "START TRANSACTION", 1);
    if (st == DB_OK)
        db->in_txn = 1;
    return st;
}

enum db_status db_commit(struct db *db)
{
    if (db->txn_broken)
        return DB_UNAVAILABLE;
    if (!db->in_txn)
        return DB_ERROR;
    if (db->txn_doomed)
        return DB_RETRY;
    enum db_status st = simple(db, "COMMIT", 0);
    /* a COMMIT refused with an error (Galera reports a failed certification as a deadlock)
     * leaves the transaction to the caller's rollback */
    if (st == DB_OK)
        db->in_txn = 0;
    return st;
}

void db_rollback(struct db *db)
{
    if (db->in_txn && db->conn != NULL)
        (void)simple(db, "ROLLBACK", 0);
    db->in_txn = 0;
    db->txn_broken = 0;
    db->txn_doomed = 0;
}

enum db_status db_run_script(struct db *db, const char *sql, size_t len)
{
    enum db_status st = db_connect(db);
    if (st != DB_OK)
        return st;
    if (mysql_set_server_option(db->conn, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0)
        return classify(db, SQL_COUNT, mysql_errno(db->conn), mysql_error(db->conn));
    st = DB_OK;
    if (mysql_real_query(db->conn, sql, len) != 0) {
        st = classify(db, SQL_COUNT, mysql_errno(db->conn), mysql_error(db->conn));
    } else {
        for (;;) {
            MYSQL_RES *r = mysql_store_result(db->conn);
            if (r != NULL)
                mysql_free_result(r);
            int more = mysql_next_result(db->conn);
            if (more == -1)
                break;
            if (more > 0) {
                st = classify(db, SQL_COUNT, mysql_errno(db->conn), mysql_error(db->conn));
                break;
            }
        }
    }
    if (db->conn != NULL)
        mysql_set_server_option(db->conn, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
    return st;
}

long long db_cell_int(const struct db_cell *c)
{
    if (c->is_null)
        return 0;
    errno = 0;
    char *end;
    long long v = strtoll(c->s, &end, 10);
    return (errno != 0 || end == c->s) ? 0 : v;
}

/* migrate.c: applies the embedded migrations in order under a migration lock and records each.
 * DDL commits implicitly in MySQL/MariaDB, so a migration is recorded only after all of its
 * statements succeeded; a failed migration must be fixed by hand before re-running.
 * The lock is a lease on the one row of schema_migrate_lock (holder, until), taken by an
 * UPDATE committed on its own and checked by its affected rows, renewed before each migration
 * and released at the end: on a Galera cluster two runners on two nodes conflict on that row
 * (one of them fails certification, or finds the lease taken), where GET_LOCK would be local
 * to each node. A runner that dies leaves the lease to expire (MIGRATE_LEASE_SECONDS). Reads
 * are causal (db_causal), so a runner that takes the lease after another sees its records. */
#include "store/migrate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "store/db.h"

/* the lease, renewed before each migration; how long a runner waits for another's */
enum { MIGRATE_LEASE_SECONDS = 300, MIGRATE_WAIT_MS = 600000, MIGRATE_POLL_MS = 200 };

static const char create_tables[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
    " name VARCHAR(255) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;"
    "CREATE TABLE IF NOT EXISTS schema_migrate_lock ("
    " id TINYINT UNSIGNED NOT NULL PRIMARY KEY,"
    " holder VARCHAR(64) NULL,"
    " until DATETIME(6) NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;"
    "INSERT IGNORE INTO schema_migrate_lock (id) VALUES (1)";

static void pause_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Takes (or renews) the lease for holder: DB_OK with *got = 1 when ours. */
static enum db_status take(struct db *db, const char *holder, int *got)
{
    struct db_val v[3] = { DBV_S(holder), DBV_I(MIGRATE_LEASE_SECONDS), DBV_S(holder) };
    struct db_result res;
    enum db_status st = db_exec(db, SQL_MIGRATE_LOCK, v, 3, &res);
    *got = st == DB_OK && res.affected == 1;
    /* a certification conflict with another runner's take: that one has it now */
    return st == DB_RETRY ? DB_OK : st;
}

/* Waits for the lease (MIGRATE_WAIT_MS at most). */
static enum db_status wait_lease(struct db *db, const char *holder, int *got)
{
    for (unsigned waited = 0;; waited += MIGRATE_POLL_MS) {
        enum db_status st = take(db, holder, got);
        if (st != DB_OK || *got || waited >= MIGRATE_WAIT_MS)
            return st;
        pause_ms(MIGRATE_POLL_MS);
    }
}

/* The shared tables, created by whichever runner comes first (a conflict on the lock row's
 * insert between two first runners is retried: the row is there afterwards). */
static enum db_status create(struct db *db)
{
    enum db_status st = DB_ERROR;
    for (int attempt = 0; attempt < 5; attempt++) {
        st = db_run_script(db, create_tables, strlen(create_tables));
        if (st != DB_RETRY)
            return st;
        pause_ms(50);
    }
    return st;
}

enum migrate_status migrate_apply(struct db *db, unsigned *applied, char *name, size_t namelen)
{
    enum migrate_status ms = MIGRATE_DB;
    struct arena *a = arena_new();
    struct db_rows rows;
    int found, locked = 0;
    unsigned char raw[8];
    char holder[64], hex[sizeof raw * 2 + 1];

    *applied = 0;
    snprintf(name, namelen, "-");
    if (a == NULL)
        return MIGRATE_DB;
    if (crypto_random(raw, sizeof raw) != 0)
        goto done;
    hex_encode(raw, sizeof raw, hex);
    snprintf(holder, sizeof holder, "migrate-%ld-%s", (long)getpid(), hex);
    db_causal(db, 1);
    if (create(db) != DB_OK)
        goto done;
    if (wait_lease(db, holder, &locked) != DB_OK || !locked)
        goto done;
    for (size_t i = 0; i < migrations_count; i++) {
        const struct migration *m = &migrations[i];
        struct db_val v[2] = { DBV_I(m->version), DBV_S(m->name) };
        if (db_query_row(db, a, SQL_MIGRATE_DONE, v, 1, &rows, &found) != DB_OK)
            goto done;
        if (found)
            continue;
        /* still ours (an expired lease may have passed to another runner) */
        int still;
        if (take(db, holder, &still) != DB_OK || !still) {
            locked = 0;
            goto done;
        }
        snprintf(name, namelen, "%s", m->name);
        if (db_run_script(db, m->sql, m->len) != DB_OK) {
            ms = MIGRATE_FAILED;
            goto done;
        }
        if (db_exec(db, SQL_MIGRATE_RECORD, v, 2, NULL) != DB_OK)
            goto done;
        (*applied)++;
    }
    ms = MIGRATE_OK;
done:
    if (locked) {
        struct db_val hv = DBV_S(holder);
        (void)db_exec(db, SQL_MIGRATE_UNLOCK, &hv, 1, NULL);
    }
    db_causal(db, 0);
    arena_free(a);
    return ms;
}

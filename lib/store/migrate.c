/* migrate.c: applies the embedded migrations in order under a named lock and records each.
 * DDL commits implicitly in MySQL/MariaDB, so a migration is recorded only after all of its
 * statements succeeded; a failed migration must be fixed by hand before re-running. */
#include "store/migrate.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "store/db.h"

static const char create_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
    " name VARCHAR(255) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

enum migrate_status migrate_apply(struct db *db, unsigned *applied, char *name, size_t namelen)
{
    enum migrate_status ms = MIGRATE_DB;
    struct arena *a = arena_new();
    struct db_rows rows;
    int found, locked = 0;

    *applied = 0;
    snprintf(name, namelen, "-");
    if (a == NULL)
        return MIGRATE_DB;
    if (db_run_script(db, create_table, strlen(create_table)) != DB_OK)
        goto done;
    if (db_query_row(db, a, SQL_MIGRATE_LOCK, NULL, 0, &rows, &found) != DB_OK || !found ||
        db_cell_int(db_cell(&rows, 0, 0)) != 1)
        goto done;
    locked = 1;
    for (size_t i = 0; i < migrations_count; i++) {
        const struct migration *m = &migrations[i];
        struct db_val v[2] = { DBV_I(m->version), DBV_S(m->name) };
        if (db_query_row(db, a, SQL_MIGRATE_DONE, v, 1, &rows, &found) != DB_OK)
            goto done;
        if (found)
            continue;
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
    if (locked)
        (void)db_query(db, a, SQL_MIGRATE_UNLOCK, NULL, 0, &rows);
    arena_free(a);
    return ms;
}

/* migrate.h: schema migrations. The SQL files of sql/migrations/ are embedded in the binary at
 * build time (tools/embed-sql.sh), applied in order, each recorded in schema_migrations. */
#ifndef PROV_MIGRATE_H
#define PROV_MIGRATE_H

#include <stddef.h>

struct db;

struct migration {
    unsigned version;   /* the NNNN of NNNN_name.sql */
    const char *name;   /* NNNN_name */
    const char *sql;
    size_t len;
};

extern const struct migration migrations[];
extern const size_t migrations_count;

enum migrate_status { MIGRATE_OK = 0, MIGRATE_DB, MIGRATE_FAILED };

/* Applies every pending migration; *applied counts them. Serialised across hosts by a named
 * lock. On failure name (size namelen) says which migration failed. */
enum migrate_status migrate_apply(struct db *db, unsigned *applied, char *name, size_t namelen);

#endif

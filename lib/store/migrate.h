/* migrate.h: schema migrations. The SQL files of sql/migrations/ are embedded in the binary at
 * build time (tools/embed-sql.sh), applied in order, each recorded in schema_migrations.
 * Serialised by a lease on a row (migrate.c), which holds across the nodes of a cluster. */
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

/* Applies every pending migration; *applied counts them. Serialised across hosts (and the
 * nodes of a Galera cluster) by the lease of migrate.c; waits up to 10 minutes for another
 * runner's. On failure name (size namelen) says which migration failed. */
enum migrate_status migrate_apply(struct db *db, unsigned *applied, char *name, size_t namelen);

#endif

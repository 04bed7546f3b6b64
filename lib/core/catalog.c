/* catalog.c: groups, workflows, regions and roles of a tenant: creation and existence checks.
 * Uniqueness is decided by the database's unique keys. A request's group or workflow id is
 * only ever matched against the tenant's numbers, never against an internal id. */
#include "core/catalog.h"

#include <string.h>

#include "base/arena.h"
#include "base/pubid.h"
#include "core/core.h"
#include "core/tenants.h"
#include "store/db.h"

enum { NUMBER_ATTEMPTS = 5 };

static enum catalog_status from_db(enum db_status st)
{
    static const struct db_statuses to = { CATALOG_OK, CATALOG_EXISTS, CATALOG_DB, CATALOG_DB, CATALOG_DB };
    return (enum catalog_status)db_status_to(st, &to);
}

static enum catalog_status group_row(struct core *c, enum sql_id sql, long long key,
                                     const struct tenant *t, struct catalog_group *out)
{
    struct db_val v[2] = { DBV_I(key), DBV_I(t->id) };
    struct db_rows rows;
    int found;
    if (db_query_row(c->db, c->arena, sql, v, 2, &rows, &found) != DB_OK)
        return CATALOG_DB;
    if (!found)
        return CATALOG_NO_GROUP;
    out->id = db_cell_int(db_cell(&rows, 0, 0));
    out->number = db_cell_int(db_cell(&rows, 0, 1));
    return CATALOG_OK;
}

enum catalog_status catalog_group_by_number(struct core *c, const struct tenant *t,
                                            long long number, struct catalog_group *out)
{
    return group_row(c, SQL_GROUP_IN_TENANT, number, t, out);
}

enum catalog_status catalog_group_by_id(struct core *c, const struct tenant *t, long long id,
                                        struct catalog_group *out)
{
    return group_row(c, SQL_GROUP_BY_ID, id, t, out);
}

enum catalog_status catalog_workflows_exist(struct core *c, const struct tenant *t,
                                            const char *ids_json, unsigned n)
{
    struct db_val v[2] = { DBV_S(ids_json), DBV_I(t->id) };
    struct db_rows rows;
    if (db_query(c->db, c->arena, SQL_WORKFLOWS_BY_IDS, v, 2, &rows) != DB_OK)
        return CATALOG_DB;
    return rows.nrows == n ? CATALOG_OK : CATALOG_NO_WORKFLOW;
}

/* Inserts with a fresh number in the last parameter, drawing again while the number is
 * taken in the tenant (the unique key decides; one chance in a billion per draw at ten
 * million rows). */
static enum catalog_status insert_numbered(struct db *db, enum sql_id sql, struct db_val *v,
                                           size_t n, const char *number_key, long long *number)
{
    enum db_status st = DB_ERROR;
    for (int attempt = 0; attempt < NUMBER_ATTEMPTS; attempt++) {
        if (pubid_draw(number) != 0)
            return CATALOG_DB;
        v[n - 1] = DBV_I(*number);
        st = db_exec(db, sql, v, n, NULL);
        if (st != DB_DUPLICATE || strcmp(db_dup_key(db), number_key) != 0)
            break;
    }
    return from_db(st);
}

enum catalog_status catalog_group_add(struct db *db, long long tenant_id, const char *code,
                                      const char *name, long long *number)
{
    struct db_val v[4] = { DBV_I(tenant_id), DBV_S(code), DBV_S(name ? name : code), DBV_NONE };
    return insert_numbered(db, SQL_GROUP_INSERT, v, 4, "uq_groups_number", number);
}

enum catalog_status catalog_workflow_add(struct db *db, long long tenant_id, const char *name,
                                         long long *number)
{
    struct db_val v[3] = { DBV_I(tenant_id), DBV_S(name), DBV_NONE };
    return insert_numbered(db, SQL_WORKFLOW_INSERT, v, 3, "uq_workflows_number", number);
}

enum catalog_status catalog_region_add(struct db *db, long long tenant_id, const char *name,
                                       char uuid[UUID_STR_LEN + 1])
{
    if (crypto_uuid_v4(uuid) != 0)
        return CATALOG_DB;
    struct db_val v[3] = { DBV_S(uuid), DBV_I(tenant_id), DBV_S(name) };
    return from_db(db_exec(db, SQL_REGION_INSERT, v, 3, NULL));
}

enum catalog_status catalog_role_add(struct db *db, struct arena *a, long long tenant_id,
                                     const char *name, char uuid[UUID_STR_LEN + 1])
{
    struct db_val n = DBV_S(name);
    struct db_rows rows;
    int found;
    if (db_query_row(db, a, SQL_ROLE_BUILTIN, &n, 1, &rows, &found) != DB_OK)
        return CATALOG_DB;
    if (found)
        return CATALOG_EXISTS;
    if (crypto_uuid_v4(uuid) != 0)
        return CATALOG_DB;
    struct db_val v[3] = { DBV_S(uuid), DBV_I(tenant_id), DBV_S(name) };
    return from_db(db_exec(db, SQL_ROLE_INSERT, v, 3, NULL));
}

/* catalog.c: groups, workflows, regions and roles of a tenant: creation and existence checks.
 * Uniqueness is decided by the database's unique keys. */
#include "catalog.h"

#include "arena.h"
#include "ctx.h"
#include "db.h"
#include "tenants.h"

static enum catalog_status from_db(enum db_status st)
{
    return st == DB_OK ? CATALOG_OK : st == DB_DUPLICATE ? CATALOG_EXISTS : CATALOG_DB;
}

enum catalog_status catalog_group_exists(struct ctx *c, const struct tenant *t,
                                         long long group_id)
{
    struct db_val v[2] = { DBV_I(group_id), DBV_I(t->id) };
    struct db_rows rows;
    int found;
    if (db_query_row(c->db, c->arena, SQL_GROUP_IN_TENANT, v, 2, &rows, &found) != DB_OK)
        return CATALOG_DB;
    return found ? CATALOG_OK : CATALOG_NO_GROUP;
}

enum catalog_status catalog_workflows_exist(struct ctx *c, const struct tenant *t,
                                            const char *ids_json, unsigned n)
{
    struct db_val v[2] = { DBV_S(ids_json), DBV_I(t->id) };
    struct db_rows rows;
    if (db_query(c->db, c->arena, SQL_WORKFLOWS_BY_IDS, v, 2, &rows) != DB_OK)
        return CATALOG_DB;
    return rows.nrows == n ? CATALOG_OK : CATALOG_NO_WORKFLOW;
}

enum catalog_status catalog_group_add(struct db *db, long long tenant_id, const char *code,
                                      const char *name, long long *id)
{
    struct db_val v[3] = { DBV_I(tenant_id), DBV_S(code), DBV_S(name ? name : code) };
    struct db_result r;
    enum catalog_status cs = from_db(db_exec(db, SQL_GROUP_INSERT, v, 3, &r));
    if (cs == CATALOG_OK)
        *id = (long long)r.insert_id;
    return cs;
}

enum catalog_status catalog_workflow_add(struct db *db, long long tenant_id, const char *name,
                                         long long *id)
{
    struct db_val v[2] = { DBV_I(tenant_id), DBV_S(name) };
    struct db_result r;
    enum catalog_status cs = from_db(db_exec(db, SQL_WORKFLOW_INSERT, v, 2, &r));
    if (cs == CATALOG_OK)
        *id = (long long)r.insert_id;
    return cs;
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

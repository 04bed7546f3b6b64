/* pwpolicy.c: the tenant's password policy (pwpolicy.h): one column, read with the main
 * tenant's, written by provctl. */
#include "core/pwpolicy.h"

#include "core/core.h"
#include "store/db.h"

static enum pwpolicy_status from_db(enum db_status st)
{
    static const struct db_statuses to = { PWPOLICY_DB, PWPOLICY_DB, PWPOLICY_DB, PWPOLICY_DB_UNAVAILABLE, PWPOLICY_DB };
    return (enum pwpolicy_status)db_status_to(st, &to);
}

enum pwpolicy_status pwpolicy_get(struct db *db, struct arena *a, long long tenant_id,
                                  int *own, int *effective)
{
    struct db_val v = DBV_I(tenant_id);
    struct db_rows rows;
    int found = 0;
    *own = *effective = 0;
    enum db_status st = db_query_row(db, a, SQL_TENANT_PASSWORD_DICTIONARY, &v, 1, &rows, &found);
    if (st != DB_OK)
        return from_db(st);
    if (!found)
        return PWPOLICY_NOT_FOUND;
    *own = db_cell_int(db_cell(&rows, 0, 0)) != 0;
    *effective = db_cell_int(db_cell(&rows, 0, 1)) != 0;
    return PWPOLICY_OK;
}

enum pwpolicy_status pwpolicy_api_level(struct core *c, long long tenant_id,
                                        enum pwrule_level *level)
{
    int own, effective;
    *level = PWRULE_STRUCTURE;
    enum pwpolicy_status ps = pwpolicy_get(c->db, c->arena, tenant_id, &own, &effective);
    if (ps == PWPOLICY_OK && effective)
        *level = PWRULE_FULL;
    return ps;
}

enum pwpolicy_status pwpolicy_set(struct db *db, long long tenant_id, int dictionary)
{
    struct db_val v[2] = { DBV_I(dictionary ? 1 : 0), DBV_I(tenant_id) };
    enum db_status st = db_exec(db, SQL_TENANT_SET_PASSWORD_DICTIONARY, v, 2, NULL);
    return st == DB_OK ? PWPOLICY_OK : from_db(st);
}

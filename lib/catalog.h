/* catalog.h: what a tenant defines for its users to refer to: groups (SOAJS codes, Xtracta
 * ids), workflows, Skedulo regions and custom roles. Creation (admin CLI) and existence checks
 * (dialects). */
#ifndef PROV_CATALOG_H
#define PROV_CATALOG_H

#include "crypto.h"

struct arena;
struct ctx;
struct db;
struct tenant;

enum catalog_status {
    CATALOG_OK = 0,
    CATALOG_NO_GROUP,
    CATALOG_NO_WORKFLOW,
    CATALOG_EXISTS,     /* a group code or role name already taken in the tenant */
    CATALOG_DB
};

/* group_id is a group of tenant t. */
enum catalog_status catalog_group_exists(struct ctx *c, const struct tenant *t,
                                         long long group_id);
/* every id of the JSON array text ids_json (n distinct ids) is a workflow of t. */
enum catalog_status catalog_workflows_exist(struct ctx *c, const struct tenant *t,
                                            const char *ids_json, unsigned n);

enum catalog_status catalog_group_add(struct db *db, long long tenant_id, const char *code,
                                      const char *name, long long *id);
enum catalog_status catalog_workflow_add(struct db *db, long long tenant_id, const char *name,
                                         long long *id);
enum catalog_status catalog_region_add(struct db *db, long long tenant_id, const char *name,
                                       char uuid[UUID_STR_LEN + 1]);
enum catalog_status catalog_role_add(struct db *db, struct arena *a, long long tenant_id,
                                     const char *name, char uuid[UUID_STR_LEN + 1]);

#endif

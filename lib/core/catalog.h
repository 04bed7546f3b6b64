/* catalog.h: what a tenant defines for its users to refer to: groups (SOAJS codes, Xtracta
 * ids), workflows, Skedulo regions and custom roles. Creation (admin CLI) and existence checks
 * (dialects). The integer ids of groups and workflows a tenant sees are their numbers
 * (lib/base/pubid.h), unique in the tenant; lookups by a request's id go through them. */
#ifndef PROV_CATALOG_H
#define PROV_CATALOG_H

#include "base/crypto.h"

struct arena;
struct core;
struct db;
struct tenant;

enum catalog_status {
    CATALOG_OK = 0,
    CATALOG_NO_GROUP,
    CATALOG_NO_WORKFLOW,
    CATALOG_EXISTS,     /* a group code or role name already taken in the tenant */
    CATALOG_DB
};

/* A group as a tenant's request names it (its number, lib/base/pubid.h) and as foreign keys do
 * (its internal id). */
struct catalog_group {
    long long id;
    long long number;
};

/* The group of tenant t whose number is number (as a request gives it). */
enum catalog_status catalog_group_by_number(struct core *c, const struct tenant *t,
                                            long long number, struct catalog_group *out);
/* The group of tenant t whose internal id is id (as a credential stores it). */
enum catalog_status catalog_group_by_id(struct core *c, const struct tenant *t, long long id,
                                        struct catalog_group *out);
/* every number of the JSON array text ids_json (n distinct numbers) is a workflow of t. */
enum catalog_status catalog_workflows_exist(struct core *c, const struct tenant *t,
                                            const char *ids_json, unsigned n);

/* Each stores *number, the new object's number (what the tenant is shown). */
enum catalog_status catalog_group_add(struct db *db, long long tenant_id, const char *code,
                                      const char *name, long long *number);
enum catalog_status catalog_workflow_add(struct db *db, long long tenant_id, const char *name,
                                         long long *number);
enum catalog_status catalog_region_add(struct db *db, long long tenant_id, const char *name,
                                       char uuid[UUID_STR_LEN + 1]);
enum catalog_status catalog_role_add(struct db *db, struct arena *a, long long tenant_id,
                                     const char *name, char uuid[UUID_STR_LEN + 1]);

#endif

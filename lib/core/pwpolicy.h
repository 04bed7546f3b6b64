/* pwpolicy.h: the tenant's password policy for its provisioning APIs (tenants.
 * password_dictionary, migration 0010): which level of pwrule.h a password given through an
 * API gets. The structural rules always; the full check (dictionary, the user's names) when
 * the tenant, or its main tenant, turned it on. A page where a person chooses a password
 * (/urac/join, later reset and change pages) always uses the full check and never asks here.
 * Reads and writes the one column; never sees a password. */
#ifndef PROV_PWPOLICY_H
#define PROV_PWPOLICY_H

#include "base/pwrule.h"

struct core;

struct arena;
struct db;

enum pwpolicy_status { PWPOLICY_OK = 0, PWPOLICY_NOT_FOUND, PWPOLICY_DB_UNAVAILABLE,
                       PWPOLICY_DB };

/* The level for passwords the tenant's APIs receive (one query). */
enum pwpolicy_status pwpolicy_api_level(struct core *c, long long tenant_id,
                                        enum pwrule_level *level);
/* The tenant's own setting and the one in effect (its own or its main tenant's), as 0/1. */
enum pwpolicy_status pwpolicy_get(struct db *db, struct arena *a, long long tenant_id,
                                  int *own, int *effective);
/* Turns the dictionary check of the tenant's APIs on (1) or off (0). */
enum pwpolicy_status pwpolicy_set(struct db *db, long long tenant_id, int dictionary);

#endif

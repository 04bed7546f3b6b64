/* refs.h: what a batch of users refers to by name or id, resolved in one query per kind: role
 * names (built-in or the tenant's own) and region ids of a tenant. The answer is a sorted
 * table looked up in memory, so a batch costs one round trip per kind, not one per user. */
#ifndef PROV_REFS_H
#define PROV_REFS_H

#include <stddef.h>

#include <json-c/json.h>

struct core;
struct tenant;

struct ref {
    const char *key;   /* arena */
    long long id;
};

struct refs {
    struct ref *v;     /* arena, sorted by key (bytewise) */
    size_t n;
};

enum refs_status { REFS_OK = 0, REFS_DB_UNAVAILABLE, REFS_ERROR };

/* Resolves keys[0..n) (duplicates and NULLs allowed) against the tenant's roles. Names that do
 * not exist are simply absent from *out. */
enum refs_status refs_roles(struct core *c, const struct tenant *t, const char *const *keys,
                            size_t n, struct refs *out);
/* The same for region ids (ids that are not well-formed can never exist and are not sent). */
enum refs_status refs_regions(struct core *c, const struct tenant *t, const char *const *keys,
                              size_t n, struct refs *out);
/* The id of key, or 0 when it was not resolved. */
long long refs_find(const struct refs *r, const char *key);
/* The distinct non-NULL strings of keys[0..n), sorted, into the arena; *count set. For
 * callers that build their own lists. NULL (with *count 0) on allocation failure or n == 0. */
/* Appends to rows (a JSON array) one link row {"o": oid, "r": id} per distinct id that
 * keys[0..n) and extra (when not NULL) resolve to in r, in first-seen order: the rows the
 * batched statements that link users to roles and regions take. Every key must be in r. 0,
 * or -1 when out of memory (rows may then hold some of them). */
int refs_links(json_object *rows, const char *oid, const struct refs *r,
               const char *const *keys, size_t n, const char *extra);
const char **refs_distinct(struct core *c, const char *const *keys, size_t n, size_t *count);

#endif

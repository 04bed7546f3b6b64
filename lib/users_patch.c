/* users_patch.c: batched updates of existing users. Inside one transaction the users are read
 * with FOR UPDATE (so the rules are checked against a state nobody else can change before the
 * commit), then: email changes one statement each (rare; a duplicate fails only that
 * statement and that user), everything else set-wise with the whole batch as one JSON array.
 * Never builds SQL text; never knows a vendor's field names or codes. */
#include "users_patch.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "ctx.h"
#include "db.h"
#include "refs.h"
#include "tenants.h"

enum { PATCH_ATTEMPTS = 3, MAX_LINKS = 64 };

/* The current state of one user, as locked. */
struct current {
    const char *oid;
    long long id;
    const char *email;
    int managed, has_resource, has_role;
};

struct run {
    struct ctx *c;
    const struct tenant *t;
    const struct user_patch *p;
    struct patch_result *out;
    const struct current **cur;   /* per patch: the locked row, NULL when not found */
    struct refs roles, regions;
};

static enum users_patch_status from_db(enum db_status st)
{
    switch (st) {
    case DB_OK: return USERS_PATCH_OK;
    case DB_RETRY: return USERS_PATCH_RETRY;
    case DB_UNAVAILABLE: return USERS_PATCH_DB_UNAVAILABLE;
    default: return USERS_PATCH_ERROR;
    }
}

static const char *plain(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int cmp_current(const void *a, const void *b)
{
    return strcmp(((const struct current *)a)->oid, ((const struct current *)b)->oid);
}

/* Locks the users and reads their state; r->cur[i] is NULL for an id not in the tenant. */
static enum users_patch_status lock_users(struct run *r, size_t n)
{
    enum users_patch_status ps = USERS_PATCH_ERROR;
    json_object *oids = json_object_new_array();
    if (oids == NULL)
        return ps;
    for (size_t i = 0; i < n; i++)
        json_object_array_add(oids, json_object_new_string(r->p[i].oid));
    struct db_val v[3] = { DBV_S(RESOURCE_ROLE_NAME), DBV_S(plain(oids)), DBV_I(r->t->id) };
    struct db_rows rows;
    enum db_status st = db_query(r->c->db, r->c->arena, SQL_PATCH_USERS_LOCK, v, 3, &rows);
    if (st != DB_OK) {
        ps = from_db(st);
        goto done;
    }
    struct current *cur = arena_calloc(r->c->arena, rows.nrows + 1, sizeof *cur);
    if (cur == NULL)
        goto done;
    for (size_t k = 0; k < rows.nrows; k++) {
        cur[k].id = db_cell_int(db_cell(&rows, k, 0));
        cur[k].oid = db_cell_str(db_cell(&rows, k, 1));
        cur[k].email = db_cell_str(db_cell(&rows, k, 2));
        cur[k].managed = db_cell_int(db_cell(&rows, k, 3)) != 0;
        cur[k].has_resource = db_cell_int(db_cell(&rows, k, 4)) != 0;
        cur[k].has_role = db_cell_int(db_cell(&rows, k, 5)) != 0;
    }
    qsort(cur, rows.nrows, sizeof *cur, cmp_current);
    for (size_t i = 0; i < n; i++) {
        struct current probe = { .oid = r->p[i].oid };
        r->cur[i] = rows.nrows ? bsearch(&probe, cur, rows.nrows, sizeof *cur, cmp_current)
                               : NULL;
        if (r->cur[i] == NULL)
            r->out[i].outcome = PATCH_NOT_FOUND;
        else
            r->out[i].email = r->cur[i]->email;
    }
    ps = USERS_PATCH_OK;
done:
    json_object_put(oids);
    return ps;
}

static enum users_patch_status resolve(struct run *r, size_t n)
{
    size_t nr = 0, ng = 0;
    for (size_t i = 0; i < n; i++) {
        nr += r->p[i].nroles;
        ng += r->p[i].nregions + (r->p[i].resource != NULL);
    }
    const char **rk = arena_calloc(r->c->arena, nr + 1, sizeof *rk);
    const char **gk = arena_calloc(r->c->arena, ng + 1, sizeof *gk);
    if (rk == NULL || gk == NULL)
        return USERS_PATCH_ERROR;
    size_t a = 0, g = 0;
    for (size_t i = 0; i < n; i++) {
        const struct user_patch *p = &r->p[i];
        if (r->cur[i] == NULL)
            continue;
        for (size_t k = 0; k < p->nroles; k++)
            rk[a++] = p->roles[k];
        for (size_t k = 0; k < p->nregions; k++)
            gk[g++] = p->regions[k];
        if (p->resource != NULL && p->resource->f[RES_PRIMARY_REGION].state == RES_SET)
            gk[g++] = p->resource->f[RES_PRIMARY_REGION].s;
    }
    enum refs_status rs = refs_roles(r->c, r->t, rk, a, &r->roles);
    if (rs == REFS_OK)
        rs = refs_regions(r->c, r->t, gk, g, &r->regions);
    return rs == REFS_OK ? USERS_PATCH_OK
                         : rs == REFS_DB_UNAVAILABLE ? USERS_PATCH_DB_UNAVAILABLE
                                                     : USERS_PATCH_ERROR;
}

static int has_name(const char *const *v, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(v[k], name) == 0)
            return 1;
    return 0;
}

/* The per-user rules; returns 1 when p[i] may be applied. */
static int check_one(struct run *r, size_t i)
{
    const struct user_patch *p = &r->p[i];
    const struct current *cur = r->cur[i];
    struct patch_result *o = &r->out[i];
    if (cur == NULL)
        return 0;
    if (p->email != NULL && strcmp(p->email, cur->email) != 0 && cur->managed) {
        o->outcome = PATCH_MANAGED;
        return 0;
    }
    if (p->resource != NULL && !cur->has_resource) {
        static const enum res_field req[] = { RES_PRIMARY_REGION, RES_IS_ACTIVE };
        for (size_t k = 0; k < 2; k++) {
            if (p->resource->f[req[k]].state != RES_SET) {
                o->outcome = PATCH_RESOURCE_INCOMPLETE;
                o->missing = req[k];
                return 0;
            }
        }
    }
    for (size_t k = 0; k < p->nroles; k++) {
        if (refs_find(&r->roles, p->roles[k]) == 0) {
            o->outcome = PATCH_UNKNOWN_ROLE;
            o->detail = p->roles[k];
            return 0;
        }
    }
    const char *pr = p->resource != NULL && p->resource->f[RES_PRIMARY_REGION].state == RES_SET
                         ? p->resource->f[RES_PRIMARY_REGION].s
                         : NULL;
    if (pr != NULL && refs_find(&r->regions, pr) == 0) {
        o->outcome = PATCH_UNKNOWN_REGION;
        o->detail = pr;
        return 0;
    }
    for (size_t k = 0; k < p->nregions; k++) {
        if (refs_find(&r->regions, p->regions[k]) == 0) {
            o->outcome = PATCH_UNKNOWN_REGION;
            o->detail = p->regions[k];
            return 0;
        }
    }
    return 1;
}

/* Users that would end with a resource but not the role, or the role but no resource. */
static int role_mismatches(struct run *r, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        const struct user_patch *p = &r->p[i];
        if (r->out[i].outcome != PATCH_UPDATED)
            continue;
        int res = r->cur[i]->has_resource || p->resource != NULL;
        int role = p->set_roles ? has_name(p->roles, p->nroles, RESOURCE_ROLE_NAME)
                                : r->cur[i]->has_role;
        if (res != role) {
            r->out[i].role_mismatch = 1;
            any = 1;
        }
    }
    return any;
}

static enum users_patch_status change_emails(struct run *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct user_patch *p = &r->p[i];
        if (r->out[i].outcome != PATCH_UPDATED || p->email == NULL ||
            strcmp(p->email, r->cur[i]->email) == 0)
            continue;
        struct db_val v[2] = { DBV_S(p->email), DBV_I(r->cur[i]->id) };
        enum db_status st = db_exec(r->c->db, SQL_PATCH_USER_EMAIL, v, 2, NULL);
        if (st == DB_DUPLICATE && strcmp(db_dup_key(r->c->db), "uq_users_email") == 0) {
            /* InnoDB undoes just this statement; the transaction goes on */
            r->out[i].outcome = PATCH_EXISTS;
            continue;
        }
        if (st != DB_OK)
            return from_db(st);
    }
    return USERS_PATCH_OK;
}

static enum users_patch_status exec_json(struct run *r, enum sql_id id, json_object *rows)
{
    if (json_object_array_length(rows) == 0)
        return USERS_PATCH_OK;
    struct db_val v = DBV_S(plain(rows));
    return from_db(db_exec(r->c->db, id, &v, 1, NULL));
}

static void add_links(json_object *arr, const char *oid, const struct refs *refs,
                      const char *const *keys, size_t n)
{
    long long seen[MAX_LINKS];
    size_t nseen = 0;
    for (size_t k = 0; k < n && nseen < MAX_LINKS; k++) {
        long long id = refs_find(refs, keys[k]);
        int dup = 0;
        for (size_t s = 0; s < nseen && !dup; s++)
            dup = seen[s] == id;
        if (dup)
            continue;
        seen[nseen++] = id;
        json_object *row = json_object_new_object();
        json_object_object_add(row, "o", json_object_new_string(oid));
        json_object_object_add(row, "r", json_object_new_int64(id));
        json_object_array_add(arr, row);
    }
}

struct sets {
    json_object *users, *role_clear, *roles, *region_clear, *regions, *res_upd, *res_new;
};

static int build_rows(struct run *r, size_t n, struct sets *s)
{
    for (size_t i = 0; i < n; i++) {
        const struct user_patch *p = &r->p[i];
        const struct current *cur = r->cur[i];
        if (r->out[i].outcome != PATCH_UPDATED)
            continue;
        json_object *u = json_object_new_object();
        json_object_object_add(u, "i", json_object_new_int64(cur->id));
        if (p->set_first_name)
            json_object_object_add(u, "f", p->first_name ? json_object_new_string(p->first_name)
                                                         : NULL);
        if (p->last_name != NULL)
            json_object_object_add(u, "l", json_object_new_string(p->last_name));
        if (p->set_managed)
            json_object_object_add(u, "m", json_object_new_int(p->managed ? 1 : 0));
        if (p->set_active)
            json_object_object_add(u, "a", json_object_new_int(p->active ? 1 : 0));
        if (json_object_object_length(u) > 1)
            json_object_array_add(s->users, u);
        else
            json_object_put(u);
        if (p->set_roles) {
            json_object_array_add(s->role_clear, json_object_new_int64(cur->id));
            add_links(s->roles, cur->oid, &r->roles, p->roles, p->nroles);
        }
        if (p->set_regions) {
            json_object_array_add(s->region_clear, json_object_new_int64(cur->id));
            add_links(s->regions, cur->oid, &r->regions, p->regions, p->nregions);
        }
        if (p->resource != NULL) {
            const struct res_value *rg = &p->resource->f[RES_PRIMARY_REGION];
            long long region = rg->state == RES_SET ? refs_find(&r->regions, rg->s) : 0;
            json_object *row = json_object_new_object();
            if (cur->has_resource) {
                json_object_object_add(row, "i", json_object_new_int64(cur->id));
                resources_json_fields(row, p->resource, region);
                json_object_array_add(s->res_upd, row);
            } else {
                json_object_object_add(row, "o", json_object_new_string(cur->oid));
                resources_json_fields(row, p->resource, region);
                json_object_array_add(s->res_new, row);
            }
        }
    }
    return 0;
}

static enum users_patch_status write_all(struct run *r, size_t n)
{
    enum users_patch_status ps = USERS_PATCH_ERROR;
    struct sets s = {
        json_object_new_array(), json_object_new_array(), json_object_new_array(),
        json_object_new_array(), json_object_new_array(), json_object_new_array(),
        json_object_new_array(),
    };
    if (s.users == NULL || s.role_clear == NULL || s.roles == NULL || s.region_clear == NULL ||
        s.regions == NULL || s.res_upd == NULL || s.res_new == NULL)
        goto done;
    if (build_rows(r, n, &s) != 0)
        goto done;
    if ((ps = exec_json(r, SQL_PATCH_USERS_UPDATE, s.users)) != USERS_PATCH_OK ||
        (ps = exec_json(r, SQL_PATCH_ROLES_CLEAR, s.role_clear)) != USERS_PATCH_OK ||
        (ps = exec_json(r, SQL_BULK_ROLES_ADD, s.roles)) != USERS_PATCH_OK ||
        (ps = exec_json(r, SQL_PATCH_REGIONS_CLEAR, s.region_clear)) != USERS_PATCH_OK ||
        (ps = exec_json(r, SQL_BULK_REGIONS_ADD, s.regions)) != USERS_PATCH_OK ||
        (ps = exec_json(r, SQL_PATCH_RESOURCES_UPDATE, s.res_upd)) != USERS_PATCH_OK ||
        (ps = exec_json(r, SQL_BULK_RESOURCES_ADD, s.res_new)) != USERS_PATCH_OK)
        goto done;
    ps = USERS_PATCH_OK;
done:
    json_object_put(s.users);
    json_object_put(s.role_clear);
    json_object_put(s.roles);
    json_object_put(s.region_clear);
    json_object_put(s.regions);
    json_object_put(s.res_upd);
    json_object_put(s.res_new);
    return ps;
}

/* One attempt at the whole transaction. */
static enum users_patch_status attempt(struct run *r, size_t n, int *retry)
{
    *retry = 0;
    for (size_t i = 0; i < n; i++)
        r->out[i] = (struct patch_result){ .outcome = PATCH_UPDATED };
    enum db_status st = db_begin(r->c->db);
    enum users_patch_status ps = from_db(st);
    if (ps != USERS_PATCH_OK)
        goto fail;
    if ((ps = lock_users(r, n)) != USERS_PATCH_OK || (ps = resolve(r, n)) != USERS_PATCH_OK)
        goto fail;
    for (size_t i = 0; i < n; i++)
        (void)check_one(r, i);
    if (role_mismatches(r, n)) {
        ps = USERS_PATCH_ROLE_MISMATCH;
        goto fail;
    }
    if ((ps = change_emails(r, n)) != USERS_PATCH_OK || (ps = write_all(r, n)) != USERS_PATCH_OK)
        goto fail;
    ps = from_db(db_commit(r->c->db));
    if (ps == USERS_PATCH_OK)
        return ps;
fail:
    db_rollback(r->c->db);
    *retry = ps == USERS_PATCH_RETRY;
    return ps;
}

enum users_patch_status users_patch_apply(struct ctx *c, const struct tenant *t,
                                          const struct user_patch *p, size_t n,
                                          struct patch_result *out)
{
    struct run r = { .c = c, .t = t, .p = p, .out = out };
    r.cur = arena_calloc(c->arena, n + 1, sizeof *r.cur);
    if (r.cur == NULL)
        return USERS_PATCH_ERROR;
    enum users_patch_status ps = USERS_PATCH_ERROR;
    for (int a = 0; a < PATCH_ATTEMPTS; a++) {
        int retry;
        ps = attempt(&r, n, &retry);
        if (!retry)
            break;
    }
    return ps;
}

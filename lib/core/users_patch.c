/* users_patch.c: batched updates of existing users. Inside one transaction (tx.h: rerun whole
 * on a deadlock) the users are read with FOR UPDATE, in the order of their ids, together with
 * their resource and Resource role (so the rules are checked against the state as locked,
 * which nobody else can change before the commit), then: email changes one statement each
 * (rare; a duplicate fails only that statement and that user), everything else set-wise with
 * the whole batch as one JSON array; last, what the changes take back (users_retire.h: links
 * and mail of moved and deactivated users, and a new invitation at a moved user's new address
 * while it still waits for its first password). Never builds SQL text; never knows a
 * vendor's field names or codes. */
#include "core/users_patch.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "codec/json_out.h"
#include "core/core.h"
#include "core/refs.h"
#include "core/tenants.h"
#include "core/users_reinvite.h"
#include "core/users_retire.h"
#include "store/db.h"
#include "store/tx.h"

/* The current state of one user, as locked. */
struct current {
    const char *oid;
    long long id;
    const char *email;
    int managed, has_resource, has_role;
};

struct run {
    struct core *c;
    const struct tenant *t;
    const struct user_patch *p;
    size_t n;
    int invite_kind;              /* enum mail_kind of a new invitation after a move */
    const char *oids;             /* the ids as a JSON array, sorted: the order rows lock in */
    struct patch_result *out;
    const struct current **cur;   /* per patch: the locked row, NULL when not found */
    struct refs roles, regions;
    enum users_patch_status refused;   /* why the body undid its work */
};

static const char *plain(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int cmp_current(const void *a, const void *b)
{
    return strcmp(((const struct current *)a)->oid, ((const struct current *)b)->oid);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The ids as a sorted JSON array (arena): every PATCH locks its users in the same order, so
 * two PATCHes of the same users never wait for each other in a cycle. */
static int sorted_oids(struct run *r)
{
    const char **v = arena_calloc(r->c->arena, r->n + 1, sizeof *v);
    json_object *oids = json_object_new_array();
    int rc = -1;
    if (v == NULL || oids == NULL)
        goto done;
    for (size_t i = 0; i < r->n; i++)
        v[i] = r->p[i].oid;
    qsort(v, r->n, sizeof *v, cmp_str);
    for (size_t i = 0; i < r->n; i++)
        if (ja_str(oids, v[i]) != 0)
            goto done;
    r->oids = arena_strdup(r->c->arena, plain(oids));
    rc = r->oids != NULL ? 0 : -1;
done:
    json_object_put(oids);
    return rc;
}

/* Locks the users and reads their state; r->cur[i] is NULL for an id not in the tenant. */
static enum tx_status lock_users(struct run *r, size_t n)
{
    struct db_val v[3] = { DBV_S(r->oids), DBV_S(RESOURCE_ROLE_NAME), DBV_I(r->t->id) };
    struct db_rows rows;
    enum db_status st = db_query(r->c->db, r->c->arena, SQL_PATCH_USERS_LOCK, v, 3, &rows);
    if (st != DB_OK)
        return tx_from_db(st);
    struct current *cur = arena_calloc(r->c->arena, rows.nrows + 1, sizeof *cur);
    if (cur == NULL)
        return TX_ERROR;
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
    return TX_OK;
}

static enum tx_status resolve(struct run *r, size_t n)
{
    size_t nr = 0, ng = 0;
    for (size_t i = 0; i < n; i++) {
        nr += r->p[i].nroles;
        ng += r->p[i].nregions + (r->p[i].resource != NULL);
    }
    const char **rk = arena_calloc(r->c->arena, nr + 1, sizeof *rk);
    const char **gk = arena_calloc(r->c->arena, ng + 1, sizeof *gk);
    if (rk == NULL || gk == NULL)
        return TX_ERROR;
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
    return rs == REFS_OK ? TX_OK : rs == REFS_DB_UNAVAILABLE ? TX_UNAVAILABLE : TX_ERROR;
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

static enum tx_status change_emails(struct run *r, size_t n)
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
            return tx_from_db(st);
    }
    return TX_OK;
}

static enum tx_status exec_json(struct run *r, enum sql_id id, json_object *rows)
{
    if (json_object_array_length(rows) == 0)
        return TX_OK;
    struct db_val v = DBV_S(plain(rows));
    return tx_from_db(db_exec(r->c->db, id, &v, 1, NULL));
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
        int bad = jo_int(u, "i", cur->id);
        if (p->set_first_name)
            bad |= jo_str(u, "f", p->first_name);   /* NULL clears it: a JSON null */
        if (p->last_name != NULL)
            bad |= jo_str(u, "l", p->last_name);
        if (p->set_managed)
            bad |= jo_int(u, "m", p->managed ? 1 : 0);
        if (p->set_active)
            bad |= jo_int(u, "a", p->active ? 1 : 0);
        if (bad) {
            json_object_put(u);
            return -1;
        }
        if (json_object_object_length(u) <= 1)
            json_object_put(u);
        else if (ja_add(s->users, u) != 0)
            return -1;
        if (p->set_roles &&
            (ja_int(s->role_clear, cur->id) != 0 ||
             refs_links(s->roles, cur->oid, &r->roles, p->roles, p->nroles, NULL) != 0))
            return -1;
        if (p->set_regions &&
            (ja_int(s->region_clear, cur->id) != 0 ||
             refs_links(s->regions, cur->oid, &r->regions, p->regions, p->nregions, NULL) != 0))
            return -1;
        if (p->resource != NULL) {
            const struct res_value *rg = &p->resource->f[RES_PRIMARY_REGION];
            long long region = rg->state == RES_SET ? refs_find(&r->regions, rg->s) : 0;
            json_object *row = json_object_new_object();
            if ((cur->has_resource ? jo_int(row, "i", cur->id) : jo_str(row, "o", cur->oid)) != 0 ||
                resources_json_fields(row, p->resource, region) != 0) {
                json_object_put(row);
                return -1;
            }
            if (ja_add(cur->has_resource ? s->res_upd : s->res_new, row) != 0)
                return -1;
        }
    }
    return 0;
}

static enum tx_status write_all(struct run *r, size_t n)
{
    enum tx_status ts = TX_ERROR;
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
    if ((ts = exec_json(r, SQL_PATCH_USERS_UPDATE, s.users)) != TX_OK ||
        (ts = exec_json(r, SQL_PATCH_ROLES_CLEAR, s.role_clear)) != TX_OK ||
        (ts = exec_json(r, SQL_BULK_ROLES_ADD, s.roles)) != TX_OK ||
        (ts = exec_json(r, SQL_PATCH_REGIONS_CLEAR, s.region_clear)) != TX_OK ||
        (ts = exec_json(r, SQL_BULK_REGIONS_ADD, s.regions)) != TX_OK ||
        (ts = exec_json(r, SQL_PATCH_RESOURCES_UPDATE, s.res_upd)) != TX_OK ||
        (ts = exec_json(r, SQL_BULK_RESOURCES_ADD, s.res_new)) != TX_OK)
        goto done;
    ts = TX_OK;
done:
    json_object_put(s.users);
    json_object_put(s.role_clear);
    json_object_put(s.roles);
    json_object_put(s.region_clear);
    json_object_put(s.regions);
    json_object_put(s.res_upd);
    json_object_put(s.res_new);
    return ts;
}

/* What the changes take back: links and mail of deactivated users and of users whose email
 * moved to another address (emails are ASCII once validated: strcasecmp compares them as
 * users.email_norm does), and a new invitation for a moved user still waiting for its first
 * password. */
static enum tx_status retire(struct run *r, size_t n)
{
    long long *off = arena_calloc(r->c->arena, n + 1, sizeof *off);
    long long *moved = arena_calloc(r->c->arena, n + 1, sizeof *moved);
    size_t noff = 0, nmoved = 0;
    if (off == NULL || moved == NULL)
        return TX_ERROR;
    for (size_t i = 0; i < n; i++) {
        const struct user_patch *p = &r->p[i];
        if (r->out[i].outcome != PATCH_UPDATED)
            continue;
        if (p->set_active && !p->active)
            off[noff++] = r->cur[i]->id;
        if (p->email != NULL && strcasecmp(p->email, r->cur[i]->email) != 0)
            moved[nmoved++] = r->cur[i]->id;
    }
    struct retire_result again;
    enum db_status st = users_retire(r->c->db, r->c->arena, off, noff, RETIRE_DEACTIVATED, NULL);
    if (st == DB_OK)
        st = users_retire(r->c->db, r->c->arena, moved, nmoved, RETIRE_EMAIL_CHANGED, &again);
    if (st == DB_OK)
        st = users_reinvite(r->c, r->t, again.reinvite, again.nreinvite, r->invite_kind);
    return tx_from_db(st);
}

/* One run of the whole transaction (tx_body). */
static enum tx_status body(struct db *db, void *arg)
{
    struct run *r = arg;
    size_t n = r->n;
    enum tx_status ts;
    (void)db;
    for (size_t i = 0; i < n; i++)
        r->out[i] = (struct patch_result){ .outcome = PATCH_UPDATED };
    if ((ts = lock_users(r, n)) != TX_OK || (ts = resolve(r, n)) != TX_OK)
        return ts;
    for (size_t i = 0; i < n; i++)
        (void)check_one(r, i);
    if (role_mismatches(r, n)) {
        r->refused = USERS_PATCH_ROLE_MISMATCH;
        return TX_UNDONE;
    }
    if ((ts = change_emails(r, n)) != TX_OK || (ts = write_all(r, n)) != TX_OK ||
        (ts = retire(r, n)) != TX_OK)
        return ts;
    return TX_OK;
}

enum users_patch_status users_patch_apply(struct core *c, const struct tenant *t,
                                          const struct user_patch *p, size_t n,
                                          int invite_kind, struct patch_result *out)
{
    struct run r = { .c = c, .t = t, .p = p, .n = n, .invite_kind = invite_kind, .out = out,
                     .refused = USERS_PATCH_ERROR };
    r.cur = arena_calloc(c->arena, n + 1, sizeof *r.cur);
    if (r.cur == NULL || sorted_oids(&r) != 0)
        return USERS_PATCH_ERROR;
    switch (tx_run(c->db, body, &r)) {
    case TX_OK: return USERS_PATCH_OK;
    case TX_UNDONE: return r.refused;
    /* deadlocks on every run: the database is too busy now, as when it cannot be reached */
    case TX_RETRY:
    case TX_UNAVAILABLE: return USERS_PATCH_DB_UNAVAILABLE;
    case TX_ERROR: break;
    }
    return USERS_PATCH_ERROR;
}

/* skedulo_patch.c: PATCH /onboarding/provision/standalone/users (docs/CONTRACT.md section 5): an
 * object keyed by user id, each value the changes for that user (every field optional; in resource
 * a null clears the field). Unknown ids and invalid changes are reported per id; the Resource role
 * rule, checked against the users' state after the changes, fails the whole request with nothing
 * applied. Same result envelope as POST. Never touches SQL. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/valid.h"
#include "core/mail.h"
#include "dialect/skedulo/skedulo.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"
#include "http/dialect.h"

static void outcome_problem(const struct patch_result *r, struct sk_problem *pb)
{
    pb->arg = r->detail;
    switch (r->outcome) {
    case PATCH_NOT_FOUND: pb->fail = SK_FAIL_USER_NOT_FOUND; break;
    case PATCH_EXISTS: pb->fail = SK_FAIL_EMAIL_EXISTS; break;
    case PATCH_MANAGED: pb->fail = SK_FAIL_MANAGED_EMAIL; break;
    case PATCH_UNKNOWN_ROLE: pb->fail = SK_FAIL_UNKNOWN_ROLE; break;
    case PATCH_UNKNOWN_REGION: pb->fail = SK_FAIL_UNKNOWN_REGION; break;
    case PATCH_RESOURCE_INCOMPLETE:
        pb->fail = SK_FAIL_MISSING_FIELD;
        pb->arg = r->missing == RES_PRIMARY_REGION ? "resource.primaryRegionId"
                                                   : "resource.isActive";
        break;
    case PATCH_UPDATED: break;
    }
}

/* 400 users_need_resource_role naming the users' current emails. */
static void role_mismatch(struct ctx *c, const struct patch_result *res, size_t m)
{
    size_t len = 1;
    for (size_t k = 0; k < m; k++)
        if (res[k].role_mismatch)
            len += strlen(res[k].email) + 2;
    char *list = arena_alloc(c->core.arena, len);
    if (list == NULL) {
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return;
    }
    size_t o = 0;
    for (size_t k = 0; k < m; k++) {
        if (!res[k].role_mismatch)
            continue;
        if (o > 0) {
            memcpy(list + o, ", ", 2);
            o += 2;
        }
        size_t e = strlen(res[k].email);
        memcpy(list + o, res[k].email, e);
        o += e;
    }
    list[o] = '\0';
    sk_fail_error(c, SK_ERR_RESOURCE_ROLE, list);
}

/* The members of the request as they are handed over (skedulo_body.c), by index: the id,
 * its problem, and its slot among the decoded changes. */
struct patch_run {
    const char **ids;
    struct sk_problem *pb;
    size_t *slot;
    struct user_patch *p;
    size_t n, m, cap;
};

/* Room for member i (doubling: arena memory cannot grow in place). 0, or -1 after answering. */
static int grow(struct ctx *c, struct patch_run *r, size_t i)
{
    size_t cap = r->cap ? 2 * r->cap : 64;
    while (cap <= i)
        cap *= 2;
    const char **ids = arena_calloc(c->core.arena, cap, sizeof *ids);
    struct sk_problem *pb = arena_calloc(c->core.arena, cap, sizeof *pb);
    size_t *slot = arena_calloc(c->core.arena, cap, sizeof *slot);
    struct user_patch *p = arena_calloc(c->core.arena, cap, sizeof *p);
    if (ids == NULL || pb == NULL || slot == NULL || p == NULL) {
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (r->n > 0) {
        memcpy(ids, r->ids, r->n * sizeof *ids);
        memcpy(pb, r->pb, r->n * sizeof *pb);
        memcpy(slot, r->slot, r->n * sizeof *slot);
        memcpy(p, r->p, r->m * sizeof *p);
    }
    r->ids = ids;
    r->pb = pb;
    r->slot = slot;
    r->p = p;
    r->cap = cap;
    return 0;
}

static int take_member(struct ctx *c, const char *id, json_object *changes, size_t i, void *arg)
{
    struct patch_run *r = arg;
    if (i >= r->cap && grow(c, r, i) != 0)
        return -1;
    /* a repeated id (its later changes replace the earlier ones) keeps its place and slot */
    size_t to = i < r->n && r->slot[i] != (size_t)-1 ? r->slot[i] : r->m;
    r->pb[i] = (struct sk_problem){ SK_FAIL_USER_NOT_FOUND, NULL };
    r->ids[i] = id;
    if (i >= r->n) {
        r->slot[i] = (size_t)-1;
        r->n = i + 1;
    }
    /* ids this service hands out are 24 lower-case hex digits; anything else is unknown */
    int id_ok = valid_oid(id, strlen(id)) && strspn(id, "0123456789abcdef") == 24;
    if (id_ok && sk_decode_patch(c, id, changes, &r->p[to], &r->pb[i]) == 0) {
        if (to == r->m)
            r->m++;
        r->slot[i] = to;
    } else if (r->slot[i] != (size_t)-1) {
        /* its earlier changes were valid, its last are not: that slot must not be applied */
        r->p[r->slot[i]].oid = NULL;
        r->slot[i] = (size_t)-1;
    }
    return 0;
}

void skedulo_users_patch(struct ctx *c)
{
    struct patch_run r = { 0 };
    long total = sk_body_each_member(c, take_member, &r);
    if (total < 0)
        return;
    /* slots left without an id (a repeated id whose last changes are invalid) go */
    size_t m = 0;
    for (size_t k = 0; k < r.m; k++)
        if (r.p[k].oid != NULL)
            m++;
    if (m != r.m) {
        size_t *moved = arena_calloc(c->core.arena, r.m, sizeof *moved);
        if (moved == NULL) {
            sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
            return;
        }
        m = 0;
        for (size_t k = 0; k < r.m; k++)
            if (r.p[k].oid != NULL) {
                moved[k] = m;
                r.p[m++] = r.p[k];
            }
        for (size_t k = 0; k < r.n; k++)
            if (r.slot[k] != (size_t)-1)
                r.slot[k] = moved[r.slot[k]];
        r.m = m;
    }
    struct patch_result *res = arena_calloc(c->core.arena, r.m ? r.m : 1, sizeof *res);
    json_object *failures = json_object_new_object();
    if (res == NULL || failures == NULL) {
        json_object_put(failures);
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return;
    }
    enum users_patch_status ps =
        r.m > 0 ? users_patch_apply(&c->core, c->tenant, r.p, r.m, MAIL_INVITATION, res)
                : USERS_PATCH_OK;
    switch (ps) {
    case USERS_PATCH_OK:
        break;
    case USERS_PATCH_ROLE_MISMATCH:
        json_object_put(failures);
        role_mismatch(c, res, r.m);
        return;
    case USERS_PATCH_DB_UNAVAILABLE:
        json_object_put(failures);
        dialect_unavailable(c);
        return;
    default:
        json_object_put(failures);
        sk_fail_error(c, SK_ERR_INTERNAL, "batched user update failed");
        return;
    }
    /* problems in request order: decoding ones, then the store's */
    long long updated = 0;
    int bad = 0;
    for (size_t k = 0; k < r.n; k++) {
        if (r.slot[k] != (size_t)-1) {
            if (res[r.slot[k]].outcome == PATCH_UPDATED) {
                updated++;
                continue;
            }
            outcome_problem(&res[r.slot[k]], &r.pb[k]);
        }
        bad |= sk_add_failure(c, failures, r.ids[k], &r.pb[k]);
    }
    if (bad) {
        json_object_put(failures);
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return;
    }
    sk_answer_result(c, 0, updated, (long long)r.n, failures);
}

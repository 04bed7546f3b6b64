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

void skedulo_users_patch(struct ctx *c)
{
    json_object *body = c->input;
    if (body == NULL || !json_object_is_type(body, json_type_object) ||
        json_object_object_length(body) == 0) {
        sk_fail_error(c, SK_ERR_BAD_REQUEST,
                      "The request body must be a non-empty JSON object keyed by user id");
        return;
    }
    size_t n = (size_t)json_object_object_length(body);
    if (n > c->core.cfg->bulk_max_users) {
        char msg[128];
        snprintf(msg, sizeof msg, "Too many users in one request: %zu (the limit is %u)", n,
                 c->core.cfg->bulk_max_users);
        sk_fail_error(c, SK_ERR_BAD_REQUEST, msg);
        return;
    }
    struct user_patch *p = arena_calloc(c->core.arena, n, sizeof *p);
    struct patch_result *res = arena_calloc(c->core.arena, n, sizeof *res);
    json_object *failures = json_object_new_object();
    if (p == NULL || res == NULL || failures == NULL) {
        json_object_put(failures);
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return;
    }
    /* problems in request order: decoding ones now, the store's after it answered */
    struct sk_problem *pb = arena_calloc(c->core.arena, n, sizeof *pb);
    size_t *slot = arena_calloc(c->core.arena, n, sizeof *slot);
    const char **ids = arena_calloc(c->core.arena, n, sizeof *ids);
    if (pb == NULL || slot == NULL || ids == NULL) {
        json_object_put(failures);
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return;
    }
    size_t m = 0, i = 0;
    json_object_object_foreach(body, id, changes)
    {
        pb[i] = (struct sk_problem){ SK_FAIL_USER_NOT_FOUND, NULL };
        ids[i] = id;
        slot[i] = (size_t)-1;
        /* ids this service hands out are 24 lower-case hex digits; anything else is unknown */
        int id_ok = valid_oid(id, strlen(id)) && strspn(id, "0123456789abcdef") == 24;
        if (id_ok && sk_decode_patch(c, id, changes, &p[m], &pb[i]) == 0)
            slot[i] = m++;
        i++;
    }
    enum users_patch_status ps =
        m > 0 ? users_patch_apply(&c->core, c->tenant, p, m, MAIL_INVITATION, res) : USERS_PATCH_OK;
    switch (ps) {
    case USERS_PATCH_OK:
        break;
    case USERS_PATCH_ROLE_MISMATCH:
        json_object_put(failures);
        role_mismatch(c, res, m);
        return;
    case USERS_PATCH_DB_UNAVAILABLE:
        json_object_put(failures);
        sk_fail_error(c, SK_ERR_DB, NULL);
        return;
    default:
        json_object_put(failures);
        sk_fail_error(c, SK_ERR_INTERNAL, "batched user update failed");
        return;
    }
    long long updated = 0;
    for (size_t k = 0; k < n; k++) {
        if (slot[k] != (size_t)-1) {
            if (res[slot[k]].outcome == PATCH_UPDATED) {
                updated++;
                continue;
            }
            outcome_problem(&res[slot[k]], &pb[k]);
        }
        sk_add_failure(c, failures, ids[k], &pb[k]);
    }
    sk_answer_result(c, 0, updated, (long long)n, failures);
}

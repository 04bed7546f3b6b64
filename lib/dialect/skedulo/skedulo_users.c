/* skedulo_users.c: POST /onboarding/provision/standalone/users (seed 000, docs/CONTRACT.md section
 * 5): synchronous creation of a JSON array of users. Whole-request checks first (array, count, the
 * Resource role rule: nothing stored when they fail), then each user is decoded; the valid ones go
 * to the store in one call (batched statements in one transaction) and every failure is reported
 * under the user's email. Never touches SQL. */
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "core/mail.h"
#include "dialect/skedulo/skedulo.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"

/* The store's outcome as a per-user problem. */
static void outcome_problem(const struct bulk_result *r, struct sk_problem *pb)
{
    switch (r->outcome) {
    case BULK_EXISTS: pb->fail = SK_FAIL_EMAIL_EXISTS; break;
    case BULK_UNKNOWN_ROLE: pb->fail = SK_FAIL_UNKNOWN_ROLE; break;
    case BULK_UNKNOWN_REGION: pb->fail = SK_FAIL_UNKNOWN_REGION; break;
    case BULK_CREATED: break;
    }
    pb->arg = r->detail;
}

void skedulo_users_post(struct ctx *c)
{
    json_object *users = sk_user_array(c, c->input, c->core.cfg->bulk_max_users);
    if (users == NULL || sk_check_resource_roles(c, users) != 0)
        return;
    size_t n = json_object_array_length(users);
    struct bulk_user *valid = arena_calloc(c->core.arena, n, sizeof *valid);
    struct bulk_result *res = arena_calloc(c->core.arena, n, sizeof *res);
    json_object *failures = json_object_new_object();
    if (valid == NULL || res == NULL || failures == NULL) {
        json_object_put(failures);
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return;
    }
    /* problems in request order: decoding ones now, the store's after it answered */
    struct sk_problem *pb = arena_calloc(c->core.arena, n, sizeof *pb);
    size_t *slot = arena_calloc(c->core.arena, n, sizeof *slot);
    if (pb == NULL || slot == NULL) {
        json_object_put(failures);
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        slot[i] = (size_t)-1;
        if (sk_decode_user(c, json_object_array_get_idx(users, i), &valid[m], &pb[i]) == 0)
            slot[i] = m++;
    }
    struct bulk_options opt = { "skedulo", MAIL_INVITATION };
    enum users_bulk_status us = users_bulk_create(&c->core, c->tenant, &opt, valid, m, res);
    if (us != USERS_BULK_OK) {
        json_object_put(failures);
        if (us == USERS_BULK_DB_UNAVAILABLE)
            sk_fail_error(c, SK_ERR_DB, NULL);
        else
            sk_fail_error(c, SK_ERR_INTERNAL, "batched user creation failed");
        return;
    }
    mail_kick(&c->core);   /* the invitations are committed: send them now if so configured */
    long long inserted = 0;
    for (size_t i = 0; i < n; i++) {
        if (slot[i] != (size_t)-1) {
            if (res[slot[i]].outcome == BULK_CREATED) {
                inserted++;
                continue;
            }
            outcome_problem(&res[slot[i]], &pb[i]);
        }
        sk_add_failure(c, failures, sk_user_key(c, json_object_array_get_idx(users, i), i),
                       &pb[i]);
    }
    sk_answer_result(c, inserted, 0, (long long)n, failures);
}

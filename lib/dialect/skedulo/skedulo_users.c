/* skedulo_users.c: POST /onboarding/provision/standalone/users (seed 000, docs/CONTRACT.md section 5):
 * synchronous creation of a JSON array of users, read one user at a time (skedulo_body.c).
 * Whole-request checks first (array, count, the Resource role rule: nothing stored when they
 * fail), each user decoded as it is read (copies kept, its tree released); the valid
 * ones go to the store in one call (batched statements in one transaction) and every failure
 * is reported under the user's email. Never touches SQL. */
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "http/ctx.h"
#include "http/dialect.h"
#include "core/mail.h"
#include "dialect/skedulo/skedulo.h"
#include "dialect/skedulo/skedulo_internal.h"

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

/* The users of the request as they are handed over (skedulo_body.c): each one's key and
 * problem, the valid ones decoded for the store, and the users breaking the Resource role
 * rule (then nothing else matters: the request fails whole). */
struct post_user {
    const char *key;         /* email, or "users[i]" */
    struct sk_problem pb;
    size_t slot;             /* its index in valid[], or (size_t)-1 */
};

struct post_run {
    struct post_user *all;
    struct bulk_user *valid;
    size_t n, m, cap;        /* users seen, valid ones, room for */
    struct buf broken;       /* keys of the users breaking the rule */
    size_t nbroken;
};

/* Room for user i: arena memory cannot grow in place, so double (the copies stay within
 * twice the final arrays). 0, or -1 after answering. */
static int grow(struct ctx *c, struct post_run *r, size_t i)
{
    size_t cap = r->cap ? 2 * r->cap : 64;
    while (cap <= i)
        cap *= 2;
    struct post_user *all = arena_calloc(c->core.arena, cap, sizeof *all);
    struct bulk_user *valid = arena_calloc(c->core.arena, cap, sizeof *valid);
    if (all == NULL || valid == NULL) {
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (r->n > 0) {
        memcpy(all, r->all, r->n * sizeof *all);
        memcpy(valid, r->valid, r->m * sizeof *valid);
    }
    r->all = all;
    r->valid = valid;
    r->cap = cap;
    return 0;
}

static int take_user(struct ctx *c, json_object *user, size_t i, void *arg)
{
    struct post_run *r = arg;
    if (i == 0) {   /* from the start (again, should the walk fall back on the whole text) */
        r->n = r->m = r->nbroken = 0;
        buf_clear(&r->broken);
    }
    if (sk_role_rule_broken(user)) {
        buf_puts(&r->broken, r->nbroken++ ? ", " : "");
        buf_puts(&r->broken, sk_user_key(c, user, i));
        return 0;
    }
    if (r->nbroken > 0)
        return 0;
    if (i >= r->cap && grow(c, r, i) != 0)
        return -1;
    struct post_user *pu = &r->all[i];
    pu->key = sk_user_key(c, user, i);
    pu->slot = (size_t)-1;
    if (sk_decode_user(c, user, &r->valid[r->m], &pu->pb) == 0)
        pu->slot = r->m++;
    r->n = i + 1;
    return 0;
}

void skedulo_users_post(struct ctx *c)
{
    struct post_run r = { 0 };
    json_object *failures = NULL;
    /* whole-request checks while the users are read: array, count, the Resource role rule */
    long total = sk_body_each_user(c, take_user, &r);
    if (total < 0)
        goto done;
    if (r.nbroken > 0) {
        if (r.broken.failed)
            sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        else
            sk_fail_error(c, SK_ERR_RESOURCE_ROLE, r.broken.data);
        goto done;
    }
    struct bulk_result *res = arena_calloc(c->core.arena, r.m ? r.m : 1, sizeof *res);
    failures = json_object_new_object();
    if (res == NULL || failures == NULL) {
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        goto done;
    }
    struct bulk_options opt = { "skedulo", MAIL_INVITATION };
    enum users_bulk_status us = users_bulk_create(&c->core, c->tenant, &opt, r.valid, r.m, res);
    if (us != USERS_BULK_OK) {
        if (us == USERS_BULK_DB_UNAVAILABLE)
            dialect_unavailable(c);
        else
            sk_fail_error(c, SK_ERR_INTERNAL, "batched user creation failed");
        goto done;
    }
    mail_kick(&c->core);   /* the invitations are committed: send them now if so configured */
    /* problems in request order: decoding ones, then the store's */
    long long inserted = 0;
    int bad = 0;
    for (size_t i = 0; i < r.n; i++) {
        struct post_user *pu = &r.all[i];
        if (pu->slot != (size_t)-1) {
            if (res[pu->slot].outcome == BULK_CREATED) {
                inserted++;
                continue;
            }
            outcome_problem(&res[pu->slot], &pu->pb);
        }
        bad |= sk_add_failure(c, failures, pu->key, &pu->pb);
    }
    if (bad) {
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        goto done;
    }
    sk_answer_result(c, inserted, 0, (long long)r.n, failures);
    failures = NULL;   /* taken by the answer */
done:
    json_object_put(failures);
    buf_free(&r.broken);
}

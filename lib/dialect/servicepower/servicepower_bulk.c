/* servicepower_bulk.c: POST /seiapi/v3/bulk/Users (seed 001, docs/CONTRACT.md section 6). Once the
 * route's step has authenticated the request, decodes the batch one user at a time from the
 * body's text (servicepower_decode.c), hands it to the store in one call
 * (users_batch.c: all or nothing) and maps the outcome to the ServicePower envelope: 400 for
 * an invalid user, 409 for a conflict, 200 with counts and warnings. Never touches SQL. */
#include "dialect/servicepower/servicepower.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "codec/json_out.h"
#include "core/mail.h"
#include "core/pwpolicy.h"
#include "core/tenants.h"
#include "core/users_batch.h"
#include "dialect/servicepower/servicepower_internal.h"
#include "http/ctx.h"
#include "http/dialect.h"

/* The dataPath of a store problem: "Users[i].<property>". */
static const char *problem_path(struct ctx *c, const struct batch_problem *bp,
                                const char *property)
{
    const char *s;
    if (bp->index == BATCH_NO_INDEX)
        return "Users";
    if (bp->field == BATCH_FIELD_ROLES)
        s = arena_printf(c->core.arena, "Users[%zu].Roles[%zu]", bp->index, bp->item);
    else if (property != NULL)
        s = arena_printf(c->core.arena, "Users[%zu].%s", bp->index, property);
    else
        s = arena_printf(c->core.arena, "Users[%zu]", bp->index);
    return s != NULL ? s : "Users";
}

static void answer_store_error(struct ctx *c, enum batch_status bs, const struct batch_result *r)
{
    struct sp_problem p = { .msg = SP_INTERNAL, .path = "", .value = "" };
    const char *property = r->problem.field == BATCH_FIELD_EMAIL      ? "Email"
                           : r->problem.field == BATCH_FIELD_USERNAME ? "UserID"
                                                                      : NULL;
    switch (bs) {
    case BATCH_EXISTS: p.msg = SP_USER_EXISTS; break;
    case BATCH_EMAIL_TAKEN: p.msg = SP_EMAIL_TAKEN; break;
    case BATCH_EMAIL_REQUIRED: p.msg = SP_EMAIL_NEEDED; break;
    case BATCH_UNKNOWN_ROLE: p.msg = SP_UNKNOWN_ROLE; break;
    case BATCH_NO_MAIL: p.msg = SP_NO_MAIL; break;
    case BATCH_DB_UNAVAILABLE: p.msg = SP_DB_DOWN; break;
    case BATCH_OK:
    case BATCH_ERROR: break;
    }
    if (sp_status(p.msg) < 500) {
        p.field = property;
        p.path = problem_path(c, &r->problem, property);
        p.value = r->problem.value != NULL ? r->problem.value : "";
    }
    sp_fail(c, &p);
}

/* The tenant's password policy beyond the structural rules sp_decode checked: with the full
 * check turned on, every password the batch sets must pass it for its user (UserID, Email),
 * else 400 at Users[i].Password and nothing is applied. Returns 0, or -1 after answering. One
 * query, and only when the batch sets a password. */
static int check_policy(struct ctx *c, const struct batch_user *users, size_t n)
{
    enum pwrule_level level = PWRULE_STRUCTURE;
    int looked = 0;
    for (size_t i = 0; i < n; i++) {
        const struct batch_user *u = &users[i];
        if (u->password == NULL || u->op == BATCH_DELETE)
            continue;
        if (!looked) {
            enum pwpolicy_status ps =
                pwpolicy_api_level(&c->core, c->tenant->id, &level);
            if (ps != PWPOLICY_OK) {
                struct sp_problem p = { .msg = ps == PWPOLICY_DB_UNAVAILABLE ? SP_DB_DOWN
                                                                             : SP_INTERNAL,
                                        .path = "", .value = "" };
                sp_fail(c, &p);
                return -1;
            }
            looked = 1;
            if (level != PWRULE_FULL)
                return 0;
        }
        const struct pwrule_account acct = { u->email, u->username };
        enum pwrule_verdict v = pwrule_check(u->password, strlen(u->password), PWRULE_FULL,
                                             &acct, c->core.cfg->password_dictionary);
        if (v == PWRULE_ERROR) {
            servicepower_error(c, 500, PWRULE_ERROR_TEXT);
            return -1;
        }
        if (v != PWRULE_OK) {
            struct sp_problem p = { .msg = SP_PASSWORD_POLICY, .field = "Password",
                                    .path = arena_printf(c->core.arena, "Users[%zu].Password", i),
                                    .value = "" };
            if (p.path == NULL)
                p.path = "Users";
            sp_fail(c, &p);
            return -1;
        }
    }
    return 0;
}

void servicepower_bulk_users(struct ctx *c)
{
    json_object *warnings = json_object_new_array();
    struct batch_user *users = NULL;
    size_t n = 0;
    struct sp_problem p;

    if (warnings == NULL) {
        servicepower_error(c, 500, "out of memory");
        return;
    }
    /* authenticated by the route's step (servicepower_authenticate) */
    if (sp_deprecated_auth(c)) {
        struct sp_problem w = { .msg = SP_W_DEPRECATED_AUTH, .path = "", .value = "customerid" };
        sp_warn(c->core.arena, warnings, &w);
    }
    struct sp_limits lim = { .max_users = c->core.cfg->bulk_max_users,
                             .string_max = c->core.cfg->string_max };
    /* the route leaves a JSON body undecoded (ACCEPT_JSON_WALKED): one user at a time */
    if (c->input == NULL && c->req.media == MEDIA_JSON) {
        char msg[256];
        enum json_in_status js;
        enum sp_decode_status ds =
            sp_decode_text(c->core.arena, c->req.body != NULL ? c->req.body : "", c->req.body_len,
                           c->core.cfg->json_max_depth, &lim, warnings, &users, &n, &p, msg,
                           sizeof msg, &js);
        if (ds == SP_DECODE_JSON) {
            servicepower_error(c, js == JSON_IN_TOO_MANY
                                      ? dialect_too_many_status(&servicepower_dialect)
                                      : 400,
                               msg);
            goto done;
        }
        if (ds != SP_DECODE_OK) {
            sp_fail(c, &p);
            goto done;
        }
    } else if (sp_decode(c->core.arena, c->input, &lim, warnings, &users, &n, &p) != 0) {
        sp_fail(c, &p);
        goto done;
    }
    if (check_policy(c, users, n) != 0)
        goto done;
    struct batch_result res;
    enum batch_status bs = users_batch_apply(&c->core, c->tenant, "servicepower", users, n, &res);
    if (bs != BATCH_OK) {
        answer_store_error(c, bs, &res);
        goto done;
    }
    /* passwords and invitations are committed: send them now if configured */
    mail_kick(&c->core);
    for (size_t k = 0; k < res.nmissing; k++) {
        size_t i = res.missing[k];
        struct sp_problem w = {
            .msg = SP_W_DELETE_MISSING,
            .path = arena_printf(c->core.arena, "Users[%zu].UserID", i),
            .value = users[i].username,
        };
        if (w.path != NULL)
            sp_warn(c->core.arena, warnings, &w);
        else
            jo_mark_failed(warnings);
    }
    sp_success(c, res.inserted, res.updated, res.deleted, warnings);
    return;
done:
    json_object_put(warnings);
}

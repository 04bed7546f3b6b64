/* soajs_invite.c: PUT /urac/admin/users/invite (seed 004, docs/CONTRACT.md section 10.5). The key
 * names the inviting tenant; its main tenant's tenancy holds the users that can be found. Order:
 * key (401, or 602 when the database cannot be asked), body 172/173, main tenant (400), then each
 * item in input order through the store, one transaction each, and the answer
 * {"result":true,"data":{"succeeded":[...],"failed":[...]}} unless the whole request failed (602:
 * nothing could be written; 520: not one listed user exists). Never touches SQL. */
#include "dialect/soajs/soajs_internal.h"

#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "codec/fields.h"
#include "codec/json_out.h"
#include "core/invites.h"
#include "core/mail.h"
#include "http/ctx.h"
#include "http/dialect.h"
#include "http/request.h"

/* The per-item reasons: the seed's four, "Unable to find user.", and ours where the contract is
 * silent (unknown groups, a refused write, the database gone mid-request). */
enum reason {
    R_NONE = 0,
    R_NO_IDENTIFIER,
    R_NOT_FOUND,
    R_HOME_TENANT,
    R_ALREADY_INVITED,
    R_NO_PIN,
    R_UNKNOWN_GROUP,
    R_DB_UNAVAILABLE,
    R_FAILED,
    R_COUNT
};

static const char *const reasons[R_COUNT] = {
    [R_NONE] = "",
    [R_NO_IDENTIFIER] = "Cannot invite a user without providing its id or username.",
    [R_NOT_FOUND] = "Unable to find user.",
    [R_HOME_TENANT] = "User is already in the tenant tenancy.",
    [R_ALREADY_INVITED] = "User has already been invited.",
    [R_NO_PIN] = "Failed to generate pin at this.",
    [R_UNKNOWN_GROUP] = "Unable to find group: ",   /* + the codes, ", "-joined, + "." */
    /* also the 602 reasons ("Model error: " + text) when nothing could be written */
    [R_DB_UNAVAILABLE] = "Database unavailable.",
    [R_FAILED] = "Unable to save the invitation.",
};

/* What happened to one item. */
struct outcome {
    enum reason reason;          /* R_NONE: succeeded */
    int found;                   /* the user exists in the tenancy */
    char oid[OID_HEX_LEN + 1];   /* its id */
    const char *const *unknown;  /* R_UNKNOWN_GROUP */
    size_t nunknown;
};

static enum reason reason_of(enum invites_status is)
{
    switch (is) {
    case INVITES_OK: return R_NONE;
    case INVITES_NOT_FOUND: return R_NOT_FOUND;
    case INVITES_HOME_TENANT: return R_HOME_TENANT;
    case INVITES_ALREADY_MEMBER: return R_ALREADY_INVITED;
    case INVITES_NO_PIN: return R_NO_PIN;
    case INVITES_UNKNOWN_GROUP: return R_UNKNOWN_GROUP;
    case INVITES_DB_UNAVAILABLE: return R_DB_UNAVAILABLE;
    default: return R_FAILED;
    }
}

static enum invites_lookup lookup_of(enum soajs_invite_by by)
{
    switch (by) {
    case SOAJS_INVITE_BY_USERNAME: return INVITES_BY_USERNAME;
    case SOAJS_INVITE_BY_EMAIL: return INVITES_BY_EMAIL;
    default: return INVITES_BY_OID;
    }
}

/* Steps 2-5 of docs/CONTRACT.md section 10.5 for one item that names a user. */
static void invite_one(struct ctx *c, const struct tenant *main,
                       const struct soajs_invite_item *it, struct outcome *o)
{
    struct invites_user u;
    enum invites_status is = invites_find_user(&c->core, main, c->tenant, lookup_of(it->by),
                                               it->lookup, &u);
    if (is != INVITES_OK) {
        o->reason = reason_of(is);
        return;
    }
    o->found = 1;
    memcpy(o->oid, u.oid, sizeof o->oid);
    struct invites_spec spec = {
        .tenant = c->tenant,
        .group_codes = it->groups,
        .ngroup_codes = it->ngroups,
        .with_pin = it->pin,
        .pin_allowed = it->pin_allowed,
    };
    struct invites_result res;
    is = invites_add(&c->core, &spec, &u, &res);
    if (is == INVITES_OK)
        mail_kick(&c->core);   /* the pin mail is committed: send it now if so configured */
    o->reason = reason_of(is);
    o->unknown = res.unknown_groups;
    o->nunknown = res.nunknown;
}

static const char *group_reason(struct ctx *c, const struct outcome *o)
{
    struct buf b = { 0 };
    buf_puts(&b, reasons[R_UNKNOWN_GROUP]);
    for (size_t i = 0; i < o->nunknown; i++) {
        if (i > 0)
            buf_puts(&b, ", ");
        buf_puts(&b, o->unknown[i]);
    }
    buf_puts(&b, ".");
    const char *s = b.failed ? NULL : arena_strndup(c->core.arena, b.data, b.len);
    buf_free(&b);
    return s != NULL ? s : reasons[R_FAILED];
}

/* {"<key>":"<value>"} for a success; the same with "reason" and, once the user was found,
 * "id" (the user's id, which replaces an "id" echo) for a failure. */
static json_object *entry(struct ctx *c, const struct soajs_invite_item *it,
                          const struct outcome *o)
{
    json_object *e = json_object_new_object();
    if (e == NULL)
        return NULL;
    if (it->by != SOAJS_INVITE_BY_NONE) {
        const char *v = o->reason != R_NONE && it->by == SOAJS_INVITE_BY_ID && o->found
                            ? o->oid
                            : it->value;
        if (jo_str(e, it->key, v) != 0)
            goto nomem;
    }
    if (o->reason == R_NONE)
        return e;
    const char *r = o->reason == R_UNKNOWN_GROUP ? group_reason(c, o) : reasons[o->reason];
    if (jo_str(e, "reason", r) != 0 ||
        (o->found && it->by != SOAJS_INVITE_BY_ID && jo_str(e, "id", o->oid) != 0))
        goto nomem;
    return e;
nomem:
    json_object_put(e);
    return NULL;
}

static void answer(struct ctx *c, const struct soajs_invite_req *req, const struct outcome *out)
{
    json_object *data = json_object_new_object();
    json_object *ok = json_object_new_array(), *failed = json_object_new_array();
    /* data holds ok and failed (or the adds released them) */
    int bad = jo_add(data, "succeeded", ok);
    bad |= jo_add(data, "failed", failed);
    for (size_t i = 0; i < req->n && !bad; i++)
        bad = ja_add(out[i].reason == R_NONE ? ok : failed, entry(c, &req->items[i], &out[i]));
    if (bad) {
        json_object_put(data);
        soajs_error(c, 500, "out of memory");
        return;
    }
    soajs_ok(c, data);
}

/* 172 / 173 on the field users, or 500; returns 0 when the body decoded. */
static int decode(struct ctx *c, struct soajs_invite_req *req)
{
    json_object *body = soajs_body(c);
    if (body == NULL)
        return -1;
    if (c->req.media != MEDIA_JSON)
        soajs_invite_coerce_form(body, c->core.cfg->json_max_depth);
    struct field_report rep;
    memset(&rep, 0, sizeof rep);
    switch (soajs_invite_decode(body, c->core.cfg->string_max, c->core.arena, req)) {
    case SOAJS_INVITE_DECODE_OK:
        return 0;
    case SOAJS_INVITE_DECODE_MISSING:
        rep.missing[rep.nmissing++] = "users";
        break;
    case SOAJS_INVITE_DECODE_INVALID:
        rep.invalid[rep.ninvalid++] = "users";
        break;
    case SOAJS_INVITE_DECODE_NOMEM:
        soajs_error(c, 500, "out of memory");
        return -1;
    }
    soajs_fail_fields(c, &rep);
    return -1;
}

static void model_db_down(struct ctx *c)
{
    soajs_fail_model(c, reasons[R_DB_UNAVAILABLE]);
}

int soajs_invite_authenticate(struct ctx *c)
{
    return soajs_key(c, model_db_down);
}

void soajs_invite(struct ctx *c)
{
    struct soajs_invite_req req;
    if (decode(c, &req) != 0)
        return;
    const struct tenant *main = NULL;
    switch (invites_main_tenant(&c->core, c->tenant, &main)) {
    case INVITES_OK:
        break;
    case INVITES_NO_MAIN:
        soajs_fail(c, SOAJS_BUSINESS_DATA);
        return;
    default:
        soajs_fail_model(c, reasons[R_DB_UNAVAILABLE]);
        return;
    }
    struct outcome *out = arena_calloc(c->core.arena, req.n, sizeof *out);
    if (out == NULL) {
        soajs_error(c, 500, "out of memory");
        return;
    }
    size_t named = 0, found = 0, succeeded = 0, failed_writes = 0;
    int db_gone = 0;
    for (size_t i = 0; i < req.n; i++) {
        const struct soajs_invite_item *it = &req.items[i];
        /* once the database is gone, the remaining items are not tried (each would wait for
         * a connect timeout) and fail the same way */
        if (db_gone) {
            out[i].reason = it->by == SOAJS_INVITE_BY_NONE ? R_NO_IDENTIFIER : R_DB_UNAVAILABLE;
            continue;
        }
        if (it->by == SOAJS_INVITE_BY_NONE) {
            out[i].reason = R_NO_IDENTIFIER;
            continue;
        }
        named++;
        invite_one(c, main, it, &out[i]);
        found += out[i].found != 0;
        succeeded += out[i].reason == R_NONE;
        failed_writes += out[i].reason == R_FAILED;
        db_gone = out[i].reason == R_DB_UNAVAILABLE;
    }
    /* whole-request answers, only where nothing was written: an item's success is never
     * hidden behind an error */
    if (succeeded == 0 && db_gone) {
        soajs_fail_model(c, reasons[R_DB_UNAVAILABLE]);
        return;
    }
    if (succeeded == 0 && failed_writes > 0) {
        soajs_fail_model(c, reasons[R_FAILED]);
        return;
    }
    if (named > 0 && found == 0) {
        soajs_fail(c, SOAJS_NO_USER);
        return;
    }
    answer(c, &req, out);
}

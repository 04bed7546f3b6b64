/* invites.c: memberships of existing users in sub-tenants. The lookup is confined to the main
 * tenant's tenancy by the SQL itself (a tenant outside it cannot even tell a user exists).
 * Each invitation is one transaction (tx.h: rerun whole on a deadlock): the membership row
 * first (its primary key decides a race
 * between two invitations of the same user), then the groups (counted, so an unknown code
 * undoes everything), the pin (the tenant's unique pin index decides collisions, never a read
 * before the write) and its mail. The clear pin exists only in this file and the mail. */
#include "core/invites.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/valid.h"
#include "codec/json_out.h"
#include "core/core.h"
#include "core/mail.h"
#include "core/tenants.h"
#include "core/users.h"
#include "store/db.h"
#include "store/tx.h"

enum { PIN_SPACE = 10000 };   /* 10^INVITES_PIN_DIGITS */

/* The one mapping of a database status to this module's (a deadlock never gets here: the
 * transaction is rerun, tx.h). */
static enum invites_status from_db(enum db_status st)
{
    static const struct db_statuses to = { INVITES_OK, INVITES_DB_ERROR, INVITES_DB_ERROR, INVITES_DB_UNAVAILABLE, INVITES_DB_ERROR };
    return (enum invites_status)db_status_to(st, &to);
}

enum invites_status invites_main_tenant(struct core *c, const struct tenant *t,
                                        const struct tenant **main)
{
    *main = NULL;
    if (t->parent_id == 0)
        return INVITES_NO_MAIN;
    struct tenant *p = NULL;
    switch (tenant_by_id(c->db, c->arena, t->parent_id, &p)) {
    case TENANT_OK:
        break;
    case TENANT_NOT_FOUND:
        return INVITES_NO_MAIN;
    default:
        return INVITES_DB_UNAVAILABLE;
    }
    /* sub-tenants hang off main tenants only; a deeper chain has no main tenant to use */
    if (p->parent_id != 0)
        return INVITES_NO_MAIN;
    *main = p;
    return INVITES_OK;
}

enum invites_status invites_find_user(struct core *c, const struct tenant *main,
                                      const struct tenant *inviting, enum invites_lookup by,
                                      const char *value, struct invites_user *out)
{
    struct db_rows rows;
    int found = 0;
    enum db_status st;
    memset(out, 0, sizeof *out);
    if (by == INVITES_BY_OID) {
        /* ids are 24 hex digits: anything else names nobody */
        if (!valid_oid(value, strlen(value)))
            return INVITES_NOT_FOUND;
        struct db_val v[3] = { DBV_S(value), DBV_I(main->id), DBV_I(main->id) };
        st = db_query_row(c->db, c->arena, SQL_INVITE_USER_BY_OID, v, 3, &rows, &found);
    } else {
        struct db_val v[11] = {
            DBV_S(value), DBV_I(main->id), DBV_I(main->id),
            DBV_S(value), DBV_I(main->id), DBV_I(main->id),
            DBV_I(main->id), DBV_I(inviting->id), DBV_I(by == INVITES_BY_EMAIL),
            DBV_S(value), DBV_S(value),
        };
        st = db_query_row(c->db, c->arena, SQL_INVITE_USER_BY_LOGIN, v, 11, &rows, &found);
    }
    if (st != DB_OK)
        return from_db(st);
    if (!found)
        return INVITES_NOT_FOUND;
    out->id = db_cell_int(db_cell(&rows, 0, 0));
    snprintf(out->oid, sizeof out->oid, "%s", db_cell(&rows, 0, 1)->s);
    out->tenant_id = db_cell_int(db_cell(&rows, 0, 2));
    out->email = db_cell_str(db_cell(&rows, 0, 3));
    const char *first = db_cell_str(db_cell(&rows, 0, 4));
    const char *full = db_cell_str(db_cell(&rows, 0, 5));
    out->name = first != NULL && *first ? first : full != NULL && *full ? full : out->email;
    return INVITES_OK;
}

/* The candidate pins in the order add_pin tries them: start + k * stride (mod 10^4) for
 * k = 0..9999 visits every 4-digit pin exactly once when stride is coprime with 10. Writes
 * INVITES_PIN_DIGITS digits and a NUL. */
static void invites_pin_candidate(unsigned start, unsigned stride, unsigned k,
                                  char out[INVITES_PIN_DIGITS + 1])
{
    unsigned long long p = ((unsigned long long)start + (unsigned long long)k * stride) %
                           PIN_SPACE;
    snprintf(out, INVITES_PIN_DIGITS + 1, "%04u", (unsigned)p);
}

/* A uniform random number below n (rejection sampling, no modulo bias). */
static int random_below(uint32_t n, uint32_t *out)
{
    uint32_t limit = UINT32_MAX - UINT32_MAX % n;
    for (;;) {
        uint32_t r;
        if (crypto_random(&r, sizeof r) != 0)
            return -1;
        if (r < limit) {
            *out = r % n;
            return 0;
        }
    }
}

/* The JSON array text of the codes (the statements expand it with JSON_TABLE), in the arena. */
static const char *codes_json(struct core *c, const char *const *codes, size_t n)
{
    json_object *arr = json_object_new_array();
    const char *out = NULL;
    if (arr == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (ja_str(arr, codes[i]) != 0)
            goto done;
    out = arena_strdup(c->arena, json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
done:
    json_object_put(arr);
    return out;
}

/* Inserts a pin unique in the tenant, trying candidates in a random order until the unique
 * index accepts one, then queues its mail. Runs inside the caller's transaction. */
static enum invites_status add_pin(struct core *c, const struct invites_spec *s,
                                   const struct invites_user *u)
{
    enum invites_status is = INVITES_NO_PIN;
    char pin[INVITES_PIN_DIGITS + 1] = "";
    char hash[2 * SHA256_LEN + 1];
    uint32_t start, stride;
    if (random_below(PIN_SPACE, &start) != 0)
        return INVITES_ERROR;
    do {
        if (random_below(PIN_SPACE, &stride) != 0)
            return INVITES_ERROR;
    } while (stride % 2 == 0 || stride % 5 == 0);
    for (unsigned k = 0; k < PIN_SPACE; k++) {
        invites_pin_candidate(start, stride, k, pin);
        users_pin_hash(s->tenant, pin, hash);
        struct db_val v[4] = { DBV_I(u->id), DBV_I(s->tenant->id), DBV_S(hash),
                               DBV_I(s->pin_allowed != 0) };
        enum db_status st = db_exec(c->db, SQL_PIN_INSERT, v, 4, NULL);
        if (st == DB_OK) {
            is = INVITES_OK;
            break;
        }
        if (st != DB_DUPLICATE || strcmp(db_dup_key(c->db), "uq_pins_tenant_pin") != 0) {
            is = from_db(st);
            break;
        }
    }
    if (is == INVITES_OK) {
        struct mail_vars mv = { .name = u->name, .pin = pin };
        switch (mail_queue(c, s->tenant, u->id, u->email, MAIL_PIN, &mv)) {
        case MAIL_OK:
            break;
        case MAIL_DB_UNAVAILABLE:
            is = INVITES_DB_UNAVAILABLE;
            break;
        case MAIL_NOT_CONFIGURED:
            /* like a set-password token without mail: stored, delivered by other means */
            log_error(c->rid, "invite: no mail configured for tenant %s, pin not sent",
                      s->tenant->oid);
            break;
        default:
            is = INVITES_DB_ERROR;
            break;
        }
    }
    explicit_bzero(pin, sizeof pin);
    return is;
}

struct add {
    struct core *c;
    const struct invites_spec *s;
    const struct invites_user *u;
    const char *codes;
    enum invites_status is;   /* the body's own verdict */
};

/* One run of the transaction (tx_body). */
static enum tx_status add_once(struct db *db, void *arg)
{
    struct add *a = arg;
    const struct invites_spec *s = a->s;
    const struct invites_user *u = a->u;
    struct db_result r;
    struct db_val m[2] = { DBV_I(u->id), DBV_I(s->tenant->id) };
    enum db_status st = db_exec(db, SQL_INVITE_MEMBERSHIP_ADD, m, 2, NULL);
    if (st != DB_OK) {
        a->is = st == DB_DUPLICATE && strcmp(db_dup_key(db), "PRIMARY") == 0
                    ? INVITES_ALREADY_MEMBER
                    : from_db(st);
        goto refused;
    }
    if (s->ngroup_codes > 0) {
        struct db_val g[3] = { DBV_I(u->id), DBV_S(a->codes), DBV_I(s->tenant->id) };
        st = db_exec(db, SQL_USER_GROUPS_ADD, g, 3, &r);
        if (st != DB_OK) {
            a->is = from_db(st);
            goto refused;
        }
        if (r.affected != s->ngroup_codes) {
            a->is = INVITES_UNKNOWN_GROUP;
            goto refused;
        }
    }
    if (s->with_pin && (a->is = add_pin(a->c, s, u)) != INVITES_OK)
        goto refused;
    a->is = INVITES_OK;
    return TX_OK;
refused:
    return a->is == INVITES_DB_UNAVAILABLE ? TX_UNAVAILABLE : TX_UNDONE;
}

/* The requested codes that are not groups of the tenant, in request order. */
static enum invites_status name_unknown(struct core *c, const struct invites_spec *s,
                                        const char *codes, struct invites_result *out)
{
    struct db_rows rows;
    struct db_val v[2] = { DBV_S(codes), DBV_I(s->tenant->id) };
    enum db_status st = db_query(c->db, c->arena, SQL_GROUPS_BY_CODES, v, 2, &rows);
    if (st != DB_OK)
        return from_db(st);
    out->unknown_groups = arena_calloc(c->arena, s->ngroup_codes, sizeof *out->unknown_groups);
    if (out->unknown_groups == NULL)
        return INVITES_ERROR;
    for (size_t i = 0; i < s->ngroup_codes; i++) {
        size_t k;
        for (k = 0; k < rows.nrows && strcmp(db_cell(&rows, k, 1)->s, s->group_codes[i]); k++)
            ;
        if (k == rows.nrows)
            out->unknown_groups[out->nunknown++] = s->group_codes[i];
    }
    return INVITES_UNKNOWN_GROUP;
}

enum invites_status invites_add(struct core *c, const struct invites_spec *s,
                                const struct invites_user *u, struct invites_result *out)
{
    memset(out, 0, sizeof *out);
    /* a membership is for a tenant other than the user's own */
    if (u->tenant_id == s->tenant->id)
        return INVITES_HOME_TENANT;
    const char *codes = NULL;
    if (s->ngroup_codes > 0 &&
        (codes = codes_json(c, s->group_codes, s->ngroup_codes)) == NULL)
        return INVITES_ERROR;
    struct add a = { c, s, u, codes, INVITES_DB_ERROR };
    enum invites_status is = INVITES_DB_ERROR;
    switch (tx_run(c->db, add_once, &a)) {
    case TX_OK: is = INVITES_OK; break;
    case TX_UNDONE: is = a.is; break;
    /* deadlocks on every run: the database is too busy now, as when it cannot be reached */
    case TX_RETRY:
    case TX_UNAVAILABLE: is = INVITES_DB_UNAVAILABLE; break;
    case TX_ERROR: is = INVITES_DB_ERROR; break;
    }
    if (is == INVITES_UNKNOWN_GROUP)
        is = name_unknown(c, s, codes, out);
    return is;
}

/* users_batch_internal.h: what the files of the batch store share (users_batch.c: the
 * transaction; users_batch_prep.c: the work done before it; users_batch_blame.c: naming the
 * user behind a conflict after it; users_batch_invite.c: the set-password invitations of
 * created users without a password). Not for any other module. */
#ifndef PROV_USERS_BATCH_INTERNAL_H
#define PROV_USERS_BATCH_INTERNAL_H

#include <json-c/json.h>

#include "base/crypto.h"
#include "core/mail.h"
#include "core/users_batch.h"
#include "store/db.h"

/* Random bytes per user drawn before the transaction: its id, and a token should it be
 * invited. */
enum { BATCH_OID_RAW = OID_HEX_LEN / 2, BATCH_TOKEN_RAW = 16 };

enum batch_act { ACT_NONE = 0, ACT_INSERT, ACT_UPDATE, ACT_DELETE, ACT_MISSING };

/* What the batch works out per user (arena). */
struct batch_prep {
    char oid[OID_HEX_LEN + 1];   /* the id a created user gets */
    char *pwhash;                /* NULL: password unchanged */
    char *new_password;          /* a generated password to mail, wiped at the end */
    char *token;                 /* set-password token, should the user be created (it has
                                    no password and no reset, and the tenant has mail);
                                    NULL otherwise; wiped at the end */
    char *token_hash;            /* its SHA-256 (hex), as user_tokens stores it */
    long long *role_ids;         /* distinct, when set_roles */
    size_t nrole_ids;
    /* set inside the transaction */
    enum batch_act act;
    long long id;
    const char *stored_email;
    const char *stored_first;
};

struct batch_run {
    struct core *c;
    const struct tenant *t;
    const char *origin;
    const struct batch_user *u;
    size_t n;
    struct batch_prep *p;
    size_t *order;               /* indexes sorted by username: the order rows are locked in */
    const char *names_json;      /* every username of the batch, in that order */
    struct batch_result *out;
    /* invitations (users_batch_invite.c); inviting 0 when no user of the batch can be one */
    int inviting;
    struct mail_batch invite_mail;
    long long expires;           /* the tokens' expiry, UTC epoch seconds */
    char expires_text[MAIL_EXPIRY_LEN];
    enum batch_status bs;        /* the verdict of the transaction's last run */
};

/* The JSON text of a list or row (owned by o). */
const char *batch_jtext(json_object *o);
/* BATCH_DB_UNAVAILABLE or BATCH_ERROR. */
enum batch_status batch_from_db(enum db_status st);
void batch_set_problem(struct batch_result *out, size_t i, enum batch_field f, size_t item,
                       const char *value);
/* Before the transaction: checks that resets can be mailed, orders the batch by username,
 * resolves roles, hashes passwords, generates reset passwords and the ids of users that may be
 * created. Sets r->p, r->order and r->names_json. */
enum batch_status batch_prepare(struct batch_run *r);
/* Locks the rows of the usernames in names_json (a JSON array) and returns a username -> row
 * map (put it); rows are (username, id, email, first_name). */
enum db_status batch_lock(struct batch_run *r, const char *names_json, struct db_rows *rows,
                          json_object **map);
/* After a rolled-back write, set r->out->problem to the user behind a duplicate email or
 * username (BATCH_NO_INDEX when it cannot be told). */
void batch_blame_email(struct batch_run *r);
void batch_blame_username(struct batch_run *r);
/* Before the transaction: when a user of the batch may be created without a password (and
 * without a reset) and the tenant has mail, looks the tenant's set_password template up and
 * draws a token per such user (r->p[i].token, token_hash). raw holds 16 random bytes per
 * user of the batch (indexed like r->u). Sets r->inviting. */
enum batch_status batch_invite_prepare(struct batch_run *r, const unsigned char *raw);
/* Inside the transaction, once the users are inserted: the tokens of the invited users that
 * were created, and their mails, each kind in one statement. DB_ERROR (logged) also when a
 * mail cannot be rendered. */
enum db_status batch_invite_queue(struct batch_run *r);
/* Inside the transaction, what the batch takes back (users_retire.h): before the deletes, the
 * pending mail of the deleted users; after the updates, the links, login tokens and mail that
 * deactivated users, users whose email changed and users whose password was set (given or
 * reset) no longer need, so that a link mailed before can no longer replace that password or
 * reach the old address; and a new invitation (set_password) at the new address of a user
 * whose email changed while it still waited for its first password. */
enum db_status batch_retire_deleted(struct batch_run *r);
enum db_status batch_retire_updated(struct batch_run *r);
/* Wipes the tokens (after the transaction, whatever its outcome). */
void batch_invite_wipe(struct batch_run *r);

#endif

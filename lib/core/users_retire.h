/* users_retire.h: what an account change takes back, in the transaction of the change itself.
 * Every path that sets a password, changes an email, deactivates or deletes users calls
 * users_retire (the dialects never do it themselves), which applies one table of consequences
 * (docs/MAIL.md, "Changes retire links and mail"):
 *
 *   event            links (set/reset)  login tokens  pending mail of the user
 *   password set     retired            kept          set_password, invitation, password_reset
 *   email changed    retired            kept          every kind holding a secret
 *   deactivated      retired            retired       all
 *   deleted          (deleted with the user)          all (before the delete: the outbox row
 *                                                     loses its user_id when the user goes)
 *
 * A token is retired by marking it used (the join page then answers 410); a mail by status
 * 'dead', last_error "retired: <event>" and its body blanked when it holds a secret, waiting
 * for the row lock of a deliverer that holds it (mail already handed to the mail command
 * cannot be recalled). Store layer: takes the database handle, knows no request, no dialect. */
#ifndef PROV_USERS_RETIRE_H
#define PROV_USERS_RETIRE_H

#include <stddef.h>

#include "store/db.h"

struct arena;

enum retire_event {
    RETIRE_PASSWORD_SET = 0,
    RETIRE_EMAIL_CHANGED,
    RETIRE_DEACTIVATED,
    RETIRE_DELETED
};

/* A user who was waiting to set a password (pendingNew, with a set-password link still
 * usable) when its email changed: it needs a new invitation at its new address. */
struct retire_invitee {
    long long id;
    const char *oid;
    const char *email;   /* the new address */
    const char *name;    /* first name, else full name, else NULL */
};

struct retire_result {
    struct retire_invitee *reinvite;   /* arena; RETIRE_EMAIL_CHANGED only */
    size_t nreinvite;
};

/* Retires what ev takes back from the users ids[0..n), inside the caller's open transaction,
 * after the change is written (before it for RETIRE_DELETED). out (may be NULL) gets, for
 * RETIRE_EMAIL_CHANGED, the users to invite again (users_reinvite); it is emptied otherwise.
 * A fixed number of statements whatever n (at most three). */
enum db_status users_retire(struct db *db, struct arena *a, const long long *ids, size_t n,
                            enum retire_event ev, struct retire_result *out);

/* "password set", "email changed", "deactivated", "deleted". */
const char *users_retire_event_name(enum retire_event ev);

#endif

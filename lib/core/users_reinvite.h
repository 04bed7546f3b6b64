/* users_reinvite.h: a new invitation for users whose email changed while they were still
 * waiting to set their first password (users_retire reports them): the link mailed to the old
 * address is retired, so the user gets a new single-use set-password link at the new one, in
 * the same transaction. Core: knows no dialect; the caller says which kind of mail the
 * invitation is (the one it sends when it creates an invited user). */
#ifndef PROV_USERS_REINVITE_H
#define PROV_USERS_REINVITE_H

#include <stddef.h>

#include "core/users_retire.h"
#include "store/db.h"

struct core;
struct tenant;

/* For each of w[0..n) of tenant t: a set-password token (stored as its SHA-256, valid
 * token.ttl_hours) and a mail of kind (enum mail_kind) with its /urac/join link. Nothing when
 * the tenant cannot send mail (a link nobody receives is no invitation). Inside the caller's
 * transaction. */
enum db_status users_reinvite(struct core *c, const struct tenant *t,
                              const struct retire_invitee *w, size_t n, int kind);

#endif

/* mail.h: queueing mail in the outbox, inside the caller's transaction (docs/CONTRACT.md section
 * 8). Messages are rendered here from plain-text templates (built in, or a tenant's override in
 * mail_templates) with a small placeholder set (docs/MAIL.md); delivery is a separate step
 * (outbox.h: `provctl mail deliver`, or right after the response with mail.after_response). Links
 * use the tenant's base URL (else the configured public.base_url), never the request's Host
 * header. */
#ifndef PROV_MAIL_H
#define PROV_MAIL_H

#include <stddef.h>

#include <json-c/json.h>

#include "core/limits.h"

struct core;
struct tenant;

enum mail_kind {
    MAIL_SET_PASSWORD = 0,   /* a new account: set your password ({{link}}) */
    MAIL_INVITATION,         /* Skedulo onboarding invitation ({{link}}) */
    MAIL_PIN,                /* a login pin for a tenant ({{pin}}) */
    MAIL_PASSWORD,           /* a generated password (ServicePower reset) ({{password}}) */
    MAIL_KIND_COUNT
};

/* Values for the placeholders; NULL ones render as "". All borrowed. */
struct mail_vars {
    const char *name;        /* {{name}} the recipient's name (also the To display name) */
    const char *link;        /* {{link}} */
    const char *pin;         /* {{pin}} */
    const char *password;    /* {{password}} */
    const char *expires;     /* {{expires}} human-readable expiry */
    const char *email;       /* {{email}} NULL: mail_queue uses the recipient address */
    const char *tenant;      /* {{tenant}} NULL: mail_queue uses the tenant's name */
};

/* MAIL_DB_UNAVAILABLE: the connection was lost under the template read or the outbox insert
 * (callers answer their dialect's "database unavailable", not a failure of their own). */
enum mail_status { MAIL_OK = 0, MAIL_NOT_CONFIGURED, MAIL_FAILED, MAIL_DB_UNAVAILABLE,
                   MAIL_RETRY /* deadlock or lock wait: the caller's transaction is lost */ };

/* Longest subject and display name stored (characters, the outbox column sizes). */
enum { MAIL_SUBJECT_MAX = LIMIT_MAIL_SUBJECT_CHARS, MAIL_NAME_MAX = LIMIT_MAIL_NAME_CHARS };

/* The base URL links use for tenant t (no trailing slash), or NULL when none is configured. */
const char *mail_base_url(const struct core *c, const struct tenant *t);
/* 1 when mail can be sent for tenant t: a base URL and a sender address are configured. */
int mail_configured(const struct core *c, const struct tenant *t);
/* An invitation's parts, the same on every path that invites: the name it greets (the first
 * non-empty of first and other, else the address), the set-password link of token under base
 * ("<base>/urac/join?token=<token>", arena; NULL when out of memory) and the text of an expiry
 * (UTC epoch seconds) as "YYYY-MM-DD HH:MM UTC". */
enum { MAIL_EXPIRY_LEN = 32 };
const char *mail_greeting(const char *first, const char *other, const char *email);
char *mail_join_link(struct core *c, const char *base, const char *token);
void mail_expiry_text(long long expires, char out[MAIL_EXPIRY_LEN]);

/* Rendering many messages of one kind for one tenant, for callers that insert many outbox
 * rows in one statement (bulk creation): mail_batch_begin looks the tenant's template up once,
 * mail_batch_render renders one message the way mail_queue would (cleaned one-line subject
 * and display name, the body), all in the arena. Both return MAIL_OK or MAIL_FAILED; begin
 * returns MAIL_NOT_CONFIGURED when the tenant cannot send mail. */
struct mail_batch {
    const struct tenant *tenant;
    enum mail_kind kind;
    const char *subject_template;
    const char *body_template;
    const char *base;                /* the tenant's base URL for links */
};
struct mail_rendered {
    const char *name;       /* the To display name, or NULL */
    const char *subject;
    char *body;
};
enum mail_status mail_batch_begin(struct core *c, const struct tenant *t, enum mail_kind kind,
                                  struct mail_batch *mb);
enum mail_status mail_batch_render(struct core *c, const struct mail_batch *mb, const char *to,
                                   const struct mail_vars *v, struct mail_rendered *out);
/* Appends to rows (a JSON array) the outbox row of one invitation of the batch: to the user
 * oid at address to, greeted as mail_greeting(first, NULL, to), with the link of token and
 * the expiry text expires; adds the row's estimated JSON size to *bytes. MAIL_OK or
 * MAIL_FAILED. */
enum mail_status mail_batch_add_invite(struct core *c, const struct mail_batch *mb,
                                       json_object *rows, const char *oid, const char *to,
                                       const char *first, const char *token,
                                       const char *expires, size_t *bytes);
/* Writes the rows mail_batch_add_invite collected as outbox rows, in one statement inside the
 * caller's transaction (nothing for an empty array). MAIL_OK, MAIL_RETRY, MAIL_DB_UNAVAILABLE
 * or MAIL_FAILED. With mail_queue, the only writer of outbox rows. */
enum mail_status mail_batch_write(struct core *c, const struct mail_batch *mb, json_object *rows);

/* Renders and inserts one outbox row. Must run inside the caller's transaction so the mail
 * exists exactly when the change it announces does. user_id 0 for none. The row remembers
 * the request (c->rid) for mail_kick. */
enum mail_status mail_queue(struct core *c, const struct tenant *t, long long user_id,
                            const char *to, enum mail_kind kind, const struct mail_vars *v);
/* Call once the transaction that queued mail has committed (any number of times per request):
 * with mail.after_response = 1, this request's mail is delivered right after the response is
 * sent (core_after), at most mail.after_response_limit of it; the rest waits for
 * `provctl mail deliver`. Does nothing otherwise. */
void mail_kick(struct core *c);
/* The same delivery, now: for work that already runs after the response (detached workers),
 * where a deferred call would never run. Does nothing unless mail.after_response = 1. */
void mail_deliver_now(struct core *c);

/* The built-in template texts of a kind (static). */
const char *mail_subject_template(enum mail_kind kind);
const char *mail_body_template(enum mail_kind kind);
/* The kind's name as stored in mail_outbox.kind and mail_templates.kind ("set_password",
 * "invitation", "pin", "password"); mail_kind_from_name returns 0 and sets *kind, or -1. */
const char *mail_kind_name(enum mail_kind kind);
int mail_kind_from_name(const char *name, enum mail_kind *kind);
/* The placeholder a body of this kind must contain to be of any use ("{{link}}", ...). */
const char *mail_key_placeholder(enum mail_kind kind);
/* Whether a kind's body holds a secret (blanked once sent); for callers that insert many
 * outbox rows in one statement. */
int mail_kind_has_secret(enum mail_kind kind);

#endif

/* mail.h: queueing mail in the outbox, inside the caller's transaction (API.md section 8).
 * Messages are rendered here from built-in plain-text templates with a small placeholder set;
 * delivery (provctl mail deliver) is a separate step. Links use the tenant's base URL (else the
 * configured public.base_url), never the request's Host header. */
#ifndef PROV_MAIL_H
#define PROV_MAIL_H

struct ctx;
struct tenant;

enum mail_kind {
    MAIL_SET_PASSWORD = 0,   /* a new account: set your password ({{link}}) */
    MAIL_INVITATION,         /* Skedulo onboarding invitation ({{link}}) */
    MAIL_PIN,                /* a login pin for a tenant ({{pin}}, secret) */
    MAIL_PASSWORD,           /* a generated password (ServicePower reset, secret) */
    MAIL_KIND_COUNT
};

/* Values for the placeholders; NULL ones render as "". All borrowed. */
struct mail_vars {
    const char *name;        /* {{name}} the recipient's name */
    const char *link;        /* {{link}} */
    const char *pin;         /* {{pin}} */
    const char *password;    /* {{password}} */
    const char *expires;     /* {{expires}} human-readable expiry */
};

enum mail_status { MAIL_OK = 0, MAIL_NOT_CONFIGURED, MAIL_FAILED };

/* The base URL links use for tenant t (no trailing slash), or NULL when none is configured. */
const char *mail_base_url(const struct ctx *c, const struct tenant *t);
/* 1 when mail can be sent for tenant t: a base URL and a sender address are configured. */
int mail_configured(const struct ctx *c, const struct tenant *t);
/* Renders and inserts one outbox row. Must run inside the caller's transaction so the mail
 * exists exactly when the change it announces does. user_id 0 for none. */
enum mail_status mail_queue(struct ctx *c, const struct tenant *t, long long user_id,
                            const char *to, enum mail_kind kind, const struct mail_vars *v);
/* Renders a template text with v into the arena (exposed for tests). NULL on allocation
 * failure. Unknown placeholders are left as written. */
char *mail_render(struct ctx *c, const char *tmpl, const struct mail_vars *v);
/* The template texts of a kind (static). */
const char *mail_subject_template(enum mail_kind kind);
const char *mail_body_template(enum mail_kind kind);
/* The outbox name of a kind ("invitation", ...) and whether its body holds a secret; for
 * callers that insert many outbox rows in one statement (static storage). */
const char *mail_kind_name(enum mail_kind kind);
int mail_kind_has_secret(enum mail_kind kind);

#endif

/* dialect.h: the descriptor every vendor dialect fills, one per dialect folder, in the manner of
 * a module table: its name, how it authenticates, how it speaks the errors every dialect must
 * be able to express in its own format (unknown path, wrong method, body too large, wrong
 * media type, malformed body, unauthenticated, database unavailable, internal error), and the
 * background task kinds its routes store. Routes point at one; the framework (app.c, route.c)
 * reaches a vendor only through it and never names one. */
#ifndef PROV_DIALECT_H
#define PROV_DIALECT_H

struct ctx;

struct dialect {
    const char *name;
    /* The authentication step of its routes, for a route that names none of its own (route.h:
     * run before the body is read). NULL when the credential is inside the body (the handler
     * checks it) or there is none. */
    int (*authenticate)(struct ctx *c);
    /* Answers an error of the transport/framework level with HTTP status and a message that
     * says what is wrong, in the dialect's envelope. For 5xx the message is replaced by a
     * stable public text and the request id is logged/returned where the dialect has a place
     * for it. */
    void (*error)(struct ctx *c, int status, const char *message);
    /* The status for a body over one of the framework's count caps (JSON values, form
     * fields): 400 where the dialect's own count limits are a 400, else 413 like a body over
     * the size limit. */
    int too_many_status;
    /* Answers "the database is unavailable" the dialect's way (its catalogue's entry). */
    void (*unavailable)(struct ctx *c);
    /* The tasks.type values its routes store (run by the core, which needs no dialect for
     * them); NULL-terminated, or NULL for none. */
    const char *const *task_kinds;
};

/* d's error answer; with no dialect (an empty route table) a plain-text answer of status
 * with message. */
void dialect_error(struct ctx *c, const struct dialect *d, int status, const char *message);
/* The request's route's "database unavailable" answer: what a handler calls when the core
 * reports the database unavailable (a 503 through its error encoder when the dialect has no
 * entry of its own; plain text without a dialect). */
void dialect_unavailable(struct ctx *c);
/* d's status for a body over a count cap (413 with no dialect). */
int dialect_too_many_status(const struct dialect *d);

#endif

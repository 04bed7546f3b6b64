/* dialect.h: the vendor dialects and the errors every one of them must be able to express in
 * its own format (unknown path, wrong method, body too large, wrong media type, malformed
 * body, unauthenticated, database unavailable, internal error). */
#ifndef PROV_DIALECT_H
#define PROV_DIALECT_H

struct ctx;

enum dialect {
    DIALECT_SOAJS = 0,
    DIALECT_XTRACTA,
    DIALECT_SKEDULO,
    DIALECT_SERVICEPOWER,
    DIALECT_COUNT
};

/* Answers an error of the transport/framework level with HTTP status and a message that says
 * what is wrong, in the dialect's envelope. For 5xx the message is replaced by a stable public
 * text and the request id is logged/returned where the dialect has a place for it. */
void dialect_error(struct ctx *c, enum dialect d, int status, const char *message);

/* The status a dialect gives a body over one of the framework's count caps (JSON values):
 * 400 where the dialect's own count limits are a 400 (Skedulo, ServicePower: "Too many users"),
 * else 413 like a body over the size limit. */
int dialect_too_many_status(enum dialect d);

/* Each dialect's implementation (in lib/dialect/<name>.c). */
void soajs_error(struct ctx *c, int status, const char *message);
void xtracta_error(struct ctx *c, int status, const char *message);
void skedulo_error(struct ctx *c, int status, const char *message);
void servicepower_error(struct ctx *c, int status, const char *message);

#endif

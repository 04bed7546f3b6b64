/* xtracta.h: the Xtracta dialect (seed 003): POST /v1/user/add with form fields, answered in
 * the <user_response> XML envelope whose <status> equals the HTTP status. */
#ifndef PROV_XTRACTA_H
#define PROV_XTRACTA_H

struct ctx;
struct dialect;

void xtracta_add_user(struct ctx *c);

/* The dialect's descriptor (http/dialect.h), for the routes that speak xtracta. */
extern const struct dialect xtracta_dialect;
/* Its answer to a transport-level error (the descriptor's error). */
void xtracta_error(struct ctx *c, int status, const char *message);

#endif

/* xtracta.h: the Xtracta dialect (seed 003): POST /v1/user/add with form fields, answered in
 * the <user_response> XML envelope whose <status> equals the HTTP status. */
#ifndef PROV_XTRACTA_H
#define PROV_XTRACTA_H

struct ctx;

void xtracta_add_user(struct ctx *c);

#endif

/* soajs_invite.h: the handler of PUT /urac/admin/users/invite (seed 004, SOAJS.md). */
#ifndef PROV_SOAJS_INVITE_H
#define PROV_SOAJS_INVITE_H

struct ctx;

void soajs_invite(struct ctx *c);
/* The route's authentication step (route.h): the "key" header; 401, or 602 when the database
 * cannot be asked. 0, or -1 after answering. */
int soajs_invite_authenticate(struct ctx *c);

#endif

/* soajs_invite.h: the handler of PUT /urac/admin/users/invite (seed 004, SOAJS.md). */
#ifndef PROV_SOAJS_INVITE_H
#define PROV_SOAJS_INVITE_H

struct ctx;

void soajs_invite(struct ctx *c);

#endif

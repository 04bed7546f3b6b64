/* soajs_add_user.h: the handler of POST /urac/admin/addUser. */
#ifndef PROV_SOAJS_ADD_USER_H
#define PROV_SOAJS_ADD_USER_H

struct ctx;

void soajs_add_user(struct ctx *c);

#endif

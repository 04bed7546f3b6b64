/* soajs.h: the SOAJS urac dialect as the route tables see it: its descriptor, the handlers of
 * POST /urac/admin/addUser (seed 002) and PUT /urac/admin/users/invite (seed 004), and their
 * authentication steps (route.h). */
#ifndef PROV_SOAJS_H
#define PROV_SOAJS_H

struct ctx;
struct dialect;

/* The dialect's descriptor (http/dialect.h). */
extern const struct dialect soajs_dialect;
/* Its answer to a transport-level error (the descriptor's error). */
void soajs_error(struct ctx *c, int status, const char *message);

void soajs_add_user(struct ctx *c);
/* addUser's authentication step: the "key" header; on failure answers (401, or 400 when the
 * database is down) and returns -1. */
int soajs_authenticate(struct ctx *c);

void soajs_invite(struct ctx *c);
/* invite's authentication step: the "key" header; 401, or 602 when the database cannot be
 * asked. 0, or -1 after answering. */
int soajs_invite_authenticate(struct ctx *c);

#endif

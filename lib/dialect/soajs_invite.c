/* soajs_invite.c: a placeholder answering 501 until the endpoint is implemented. */
#include "soajs_invite.h"

#include "dialect.h"

void soajs_invite(struct ctx *c) { soajs_error(c, 501, "Not implemented yet"); }

/* servicepower_pending.c: a placeholder answering 501 until the endpoint is implemented. */
#include "servicepower.h"

#include "dialect.h"

void servicepower_bulk_users(struct ctx *c) { servicepower_error(c, 501, "Not implemented yet"); }

/* dialect.c: a transport-level error handed to the dialect that speaks for the route, or a
 * neutral plain-text answer where no dialect does. Never names a vendor. */
#include "http/dialect.h"

#include "http/ctx.h"
#include "http/response.h"
#include "http/route.h"

void dialect_error(struct ctx *c, const struct dialect *d, int status, const char *message)
{
    if (d != NULL && d->error != NULL) {
        d->error(c, status, message);
        return;
    }
    resp_text(c, status, message);
}

void dialect_unavailable(struct ctx *c)
{
    const struct dialect *d = c->route != NULL ? c->route->dialect : NULL;
    if (d != NULL && d->unavailable != NULL)
        d->unavailable(c);
    else
        dialect_error(c, d, 503, "database unavailable");
}

int dialect_too_many_status(const struct dialect *d)
{
    return d != NULL && d->too_many_status != 0 ? d->too_many_status : 413;
}

/* invite.c: the executable behind SOAJS urac PUT /urac/admin/users/invite (seed 004). Mounted
 * at the documented URL already; the handler answers 501 until implemented. */
#include "app.h"
#include "ctx.h"

static void pending(struct ctx *c)
{
    dialect_error(c, c->route->dialect, 501, "This endpoint is not implemented yet");
}

static const struct route routes[] = {
    { "PUT", "/urac/admin/users/invite", DIALECT_SOAJS, ACCEPT_JSON | ACCEPT_FORM, pending },
};

int main(void)
{
    return app_main("invite", routes, sizeof routes / sizeof routes[0]);
}

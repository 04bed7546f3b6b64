/* bulk_users.c: the executable behind Skedulo and ServicePower bulk provisioning (seeds 000 and
 * 001). Mounted at the documented URLs already; the handlers answer 501 until implemented. */
#include "app.h"
#include "ctx.h"

static void pending(struct ctx *c)
{
    dialect_error(c, c->route->dialect, 501, "This endpoint is not implemented yet");
}

static const struct route routes[] = {
    { "POST", "/onboarding/provision/standalone/users", DIALECT_SKEDULO, ACCEPT_JSON, pending },
    { "PATCH", "/onboarding/provision/standalone/users", DIALECT_SKEDULO, ACCEPT_JSON, pending },
    { "POST", "/onboarding/provision/standalone/users/bulk", DIALECT_SKEDULO, ACCEPT_JSON, pending },
    { "POST", "/onboarding/provision/standalone/users/file", DIALECT_SKEDULO, ACCEPT_MULTIPART, pending },
    { "POST", "/seiapi/v3/bulk/Users", DIALECT_SERVICEPOWER, ACCEPT_JSON, pending },
};

int main(void)
{
    return app_main("bulk_users", routes, sizeof routes / sizeof routes[0]);
}

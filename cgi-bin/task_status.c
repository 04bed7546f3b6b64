/* task_status.c: the executable behind Skedulo GET
 * /onboarding/provision/standalone/users/bulk/{taskId} (seed 000). Mounted at the documented URL
 * already; the handler answers 501 until implemented. */
#include "app.h"
#include "ctx.h"

static void pending(struct ctx *c)
{
    dialect_error(c, c->route->dialect, 501, "This endpoint is not implemented yet");
}

static const struct route routes[] = {
    { "GET", "/onboarding/provision/standalone/users/bulk/{}", DIALECT_SKEDULO, 0, pending },
};

int main(void)
{
    return app_main("task_status", routes, sizeof routes / sizeof routes[0]);
}

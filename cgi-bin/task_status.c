/* task_status.c: the executable behind Skedulo GET
 * /onboarding/provision/standalone/users/bulk/{taskId} (seed 000). */
#include "dialect/skedulo/skedulo.h"
#include "http/app.h"

static const struct route routes[] = {
    { "GET", "/onboarding/provision/standalone/users/bulk/{}", &skedulo_dialect, 0,
      skedulo_task_status, skedulo_authenticate_read },
};

int main(void)
{
    return app_main("task_status", routes, sizeof routes / sizeof routes[0]);
}

/* bulk_users.c: the executable behind Skedulo provisioning (seed 000: POST/PATCH users, async
 * bulk and file import) and ServicePower bulk CUD (seed 001). A route table and the shared
 * accept loop. */
#include "dialect/servicepower/servicepower.h"
#include "dialect/skedulo/skedulo.h"
#include "http/app.h"

#define SK "/onboarding/provision/standalone/users"

static const struct route routes[] = {
    /* the batches are read one user at a time (ACCEPT_JSON_WALKED, docs/SECURITY.md) */
    { "POST", SK, &skedulo_dialect, ACCEPT_JSON | ACCEPT_JSON_WALKED, skedulo_users_post,
      skedulo_authenticate_write },
    { "PATCH", SK, &skedulo_dialect, ACCEPT_JSON | ACCEPT_JSON_WALKED, skedulo_users_patch,
      skedulo_authenticate_write },
    { "POST", SK "/bulk", &skedulo_dialect, ACCEPT_JSON | ACCEPT_JSON_WALKED, skedulo_bulk_post,
      skedulo_authenticate_write },
    { "POST", SK "/file", &skedulo_dialect, ACCEPT_MULTIPART, skedulo_file_post,
      skedulo_authenticate_write },
    { "POST", "/seiapi/v3/bulk/Users", &servicepower_dialect,
      ACCEPT_JSON | ACCEPT_JSON_WALKED, servicepower_bulk_users, servicepower_authenticate },
};

int main(void)
{
    return app_main("bulk_users", routes, sizeof routes / sizeof routes[0]);
}

/* add_user.c: the executable behind POST /urac/admin/addUser (SOAJS urac, seed 002) and
 * POST /v1/user/add (Xtracta, seed 003). A route table and the shared accept loop. */
#include "dialect/soajs/soajs.h"
#include "dialect/xtracta/xtracta.h"
#include "http/app.h"

static const struct route routes[] = {
    { "POST", "/urac/admin/addUser", &soajs_dialect, ACCEPT_JSON | ACCEPT_FORM, soajs_add_user,
      soajs_authenticate },
    /* the api_key is a field of the body: the handler authenticates after bounded decoding */
    { "POST", "/v1/user/add", &xtracta_dialect, ACCEPT_FORM | ACCEPT_MULTIPART, xtracta_add_user,
      NULL },
};

int main(void)
{
    return app_main("add_user", routes, sizeof routes / sizeof routes[0]);
}

/* invite.c: the executable behind SOAJS urac PUT /urac/admin/users/invite (seed 004). */
#include "dialect/soajs/soajs.h"
#include "http/app.h"

static const struct route routes[] = {
    { "PUT", "/urac/admin/users/invite", &soajs_dialect, ACCEPT_JSON | ACCEPT_FORM, soajs_invite,
      soajs_invite_authenticate },
};

int main(void)
{
    return app_main("invite", routes, sizeof routes / sizeof routes[0]);
}

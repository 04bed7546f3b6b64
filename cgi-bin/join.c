/* join.c: the executable behind GET and POST /urac/join, the set-password page every mailed
 * link (set_password and invitation mails of all dialects) opens. Its own executable rather
 * than a route of add_user: it serves browsers, not API clients, needs no credential, and can
 * be given its own process pool, limits and access-log format in the web server. Errors of the
 * framework level (an unknown path or method) answer in the SOAJS format, the prefix's owner. */
#include "dialect/join/join_page.h"
#include "dialect/soajs/soajs.h"
#include "http/app.h"

static const struct route routes[] = {
    /* the link's token is the credential, checked by the handler (the form's size is bounded) */
    { "GET", "/urac/join", &soajs_dialect, 0, join_get, NULL },
    { "POST", "/urac/join", &soajs_dialect, ACCEPT_FORM, join_post, NULL },
};

int main(void)
{
    return app_main("join", routes, sizeof routes / sizeof routes[0]);
}

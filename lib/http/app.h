/* app.h: the accept loop every executable shares. An executable is a route table and a call to
 * app_main(). Works as a FastCGI server (many requests per process) and as plain CGI (one). */
#ifndef PROV_APP_H
#define PROV_APP_H

#include <stddef.h>

#include "http/route.h"

/* Loads the configuration (before the loop: libfcgi replaces the environment per request),
 * then serves requests until the web server stops us. Returns the process exit status. */
int app_main(const char *name, const struct route *routes, size_t nroutes);

#endif

/* servicepower.h: the ServicePower ServiceMobility dialect (seed 001, CONTRACT.md section 6). */
#ifndef PROV_SERVICEPOWER_H
#define PROV_SERVICEPOWER_H

struct ctx;
struct dialect;

void servicepower_bulk_users(struct ctx *c);   /* POST /seiapi/v3/bulk/Users */
/* The route's authentication step (route.h): the x-access-token JWT, else the deprecated
 * customerid + customercode query parameters. 0, or -1 after answering 401 (or 400, 503). */
int servicepower_authenticate(struct ctx *c);

/* The dialect's descriptor (http/dialect.h), for the routes that speak servicepower. */
extern const struct dialect servicepower_dialect;
/* Its answer to a transport-level error (the descriptor's error). */
void servicepower_error(struct ctx *c, int status, const char *message);

#endif

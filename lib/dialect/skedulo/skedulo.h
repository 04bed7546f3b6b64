/* skedulo.h: the Skedulo onboarding dialect (seed 000, docs/CONTRACT.md section 5): provisioning
 * users synchronously (POST, PATCH), as background tasks (POST .../bulk, .../file), and task
 * status. */
#ifndef PROV_SKEDULO_H
#define PROV_SKEDULO_H

struct ctx;
struct dialect;

void skedulo_users_post(struct ctx *c);    /* POST  /onboarding/provision/standalone/users */
void skedulo_users_patch(struct ctx *c);   /* PATCH /onboarding/provision/standalone/users */
void skedulo_bulk_post(struct ctx *c);     /* POST  .../users/bulk */
void skedulo_file_post(struct ctx *c);     /* POST  .../users/file (multipart) */
void skedulo_task_status(struct ctx *c);   /* GET   .../users/bulk/{taskId} */

/* The routes' authentication steps (route.h): the bearer token with the users:write or
 * users:read scope, then the tenant's API user. 0, or -1 after answering 401/403/400/503. */
int skedulo_authenticate_write(struct ctx *c);
int skedulo_authenticate_read(struct ctx *c);

/* The dialect's descriptor (http/dialect.h), for the routes that speak skedulo. */
extern const struct dialect skedulo_dialect;
/* Its answer to a transport-level error (the descriptor's error). */
void skedulo_error(struct ctx *c, int status, const char *message);

#endif

/* auth_jwt.h: a credential presented as an HS256 JWT (codec/jwt.h) whose claim (a string,
 * named by the caller) is the public half of a credential of the given kind, and whose key is
 * that credential's secret. Like auth.h, it only says who; the dialect turns the status into
 * its own answer. */
#ifndef PROV_AUTH_JWT_H
#define PROV_AUTH_JWT_H

#include "codec/jwt.h"
#include "core/auth.h"

/* Verifies token (the header value) against every live credential of kind whose public half
 * the claim names, and fills *who. AUTH_OK, AUTH_MISSING (no token), AUTH_INVALID with *why
 * saying what failed (JWT_BAD_SIGNATURE also for an unknown or revoked public half,
 * JWT_BAD_CLAIMS for a missing claim), or AUTH_DB. */
enum auth_status auth_jwt(struct core *c, const char *kind, const char *claim,
                          const char *token, enum jwt_status *why, struct auth_who *who);

#endif

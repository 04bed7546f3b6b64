/* auth_jwt.h: ServicePower's x-access-token: an HS256 JWT whose "customerid" claim names the
 * tenant and whose key is that tenant's 'sp_jwt' credential. Like auth.h, it only sets
 * c->tenant; the dialect turns the status into its own 401. */
#ifndef PROV_AUTH_JWT_H
#define PROV_AUTH_JWT_H

#include "codec/jwt.h"
#include "core/auth.h"

/* The claim that names the tenant (its ServicePower customerid, a string). */
#define AUTH_JWT_TENANT_CLAIM "customerid"

/* Verifies token (the header value) and sets c->tenant. AUTH_OK, AUTH_MISSING (no token),
 * AUTH_INVALID with *why saying what failed (JWT_BAD_SIGNATURE also for an unknown or revoked
 * customerid, JWT_BAD_CLAIMS for a missing customerid claim), or AUTH_DB. */
enum auth_status auth_sp_jwt(struct ctx *c, const char *token, enum jwt_status *why);

#endif

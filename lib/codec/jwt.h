/* jwt.h: verification of compact JSON Web Tokens (RFC 7519) signed with HMAC-SHA256 (JWS
 * "HS256", RFC 7515/7518). The algorithm is pinned: a header whose "alg" is anything but
 * exactly "HS256" ("none", "HS512", "RS256", "hs256" ...) is refused before any key is looked
 * at, so a token can never choose how it is checked. Signatures are compared in constant time.
 * No database, no clock of its own: the caller supplies the key and the current time. */
#ifndef PROV_JWT_H
#define PROV_JWT_H

#include <stddef.h>
#include <json-c/json.h>

#include "base/crypto.h"

enum {
    JWT_MAX_LEN = 8192,     /* longest token accepted, in bytes */
    JWT_MAX_DEPTH = 8,      /* JSON nesting allowed in the header and the claims */
    JWT_LEEWAY = 30         /* seconds of clock skew allowed on exp and nbf */
};

enum jwt_status {
    JWT_OK = 0,
    JWT_MALFORMED,       /* not three base64url parts, or a part is not a JSON object */
    JWT_UNSUPPORTED,     /* alg is not exactly "HS256", a "crit" header, or typ not "JWT" */
    JWT_BAD_SIGNATURE,   /* the signature does not match the key */
    JWT_BAD_CLAIMS,      /* exp missing or not a number, nbf not a number */
    JWT_EXPIRED,         /* now >= exp + leeway */
    JWT_NOT_YET_VALID    /* now + leeway < nbf */
};

/* A parsed token. header and claims are owned (jwt_free); signed_part borrows the token. */
struct jwt {
    json_object *header;
    json_object *claims;
    const char *signed_part;      /* "<header>.<claims>", the bytes the signature covers */
    size_t signed_len;
    unsigned char sig[SHA256_LEN];
};

/* Splits and decodes the len bytes of token and checks the header (alg pinned to HS256).
 * Nothing in the claims is trusted until jwt_verify_hs256() has returned JWT_OK. On any status
 * other than JWT_OK, *out holds nothing to free. */
enum jwt_status jwt_parse(const char *token, size_t len, struct jwt *out);
/* JWT_OK when the signature is HMAC-SHA256(key, signed_part), else JWT_BAD_SIGNATURE. */
enum jwt_status jwt_verify_hs256(const struct jwt *j, const void *key, size_t keylen);
/* Checks exp (required) and nbf (optional) against now (UTC epoch seconds), each allowing
 * leeway seconds of clock skew. Numeric dates may be integers or finite fractions. */
enum jwt_status jwt_check_times(const struct jwt *j, long long now, long long leeway);
/* A claim's value when it is a JSON string, else NULL (borrowed from j). */
const char *jwt_claim_string(const struct jwt *j, const char *name);
/* Releases what jwt_parse kept; a zeroed struct jwt is fine. */
void jwt_free(struct jwt *j);

#endif

/* jwt.c: compact JWS parsing and HS256 verification. Owns the token's syntax, the pinned
 * algorithm and the time checks; never looks a key up and never logs a token (a token is a
 * credential). The header is judged before the signature, the claims only after it. */
#include "codec/jwt.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include "codec/json_in.h"

/* base64url of JWT_MAX_LEN bytes decodes to at most this many */
enum { JWT_DECODED_MAX = JWT_MAX_LEN / 4 * 3 + 3 };

void jwt_free(struct jwt *j)
{
    if (j == NULL)
        return;
    json_object_put(j->header);
    json_object_put(j->claims);
    j->header = j->claims = NULL;
}

/* Decodes one base64url part that must hold a JSON object. */
static enum jwt_status decode_object(const char *s, size_t n, json_object **out)
{
    unsigned char buf[JWT_DECODED_MAX];
    char msg[8];
    *out = NULL;
    if (n == 0)
        return JWT_MALFORMED;
    long len = b64url_decode(s, n, buf);
    if (len <= 0)
        return JWT_MALFORMED;
    json_object *o = NULL;
    if (json_in_parse((const char *)buf, (size_t)len, JWT_MAX_DEPTH, &o, msg, sizeof msg) !=
            JSON_IN_OK ||
        !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return JWT_MALFORMED;
    }
    *out = o;
    return JWT_OK;
}

/* The header may say nothing that changes how the token is checked: alg exactly "HS256", no
 * "crit" extension (RFC 7515 4.1.11: we understand none), typ absent or "JWT". */
static enum jwt_status check_header(const json_object *h)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(h, "alg", &v) || !json_object_is_type(v, json_type_string) ||
        strcmp(json_object_get_string(v), "HS256") != 0 ||
        (size_t)json_object_get_string_len(v) != 5)
        return JWT_UNSUPPORTED;
    if (json_object_object_get_ex(h, "crit", NULL))
        return JWT_UNSUPPORTED;
    if (json_object_object_get_ex(h, "typ", &v) &&
        (!json_object_is_type(v, json_type_string) ||
         strcasecmp(json_object_get_string(v), "JWT") != 0))
        return JWT_UNSUPPORTED;
    return JWT_OK;
}

enum jwt_status jwt_parse(const char *token, size_t len, struct jwt *out)
{
    enum jwt_status st = JWT_MALFORMED;
    memset(out, 0, sizeof *out);
    if (token == NULL || len == 0 || len > JWT_MAX_LEN || memchr(token, '\0', len) != NULL)
        return JWT_MALFORMED;
    const char *end = token + len;
    const char *dot1 = memchr(token, '.', len);
    if (dot1 == NULL)
        return JWT_MALFORMED;
    const char *dot2 = memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1));
    if (dot2 == NULL || memchr(dot2 + 1, '.', (size_t)(end - dot2 - 1)) != NULL)
        return JWT_MALFORMED;

    if ((st = decode_object(token, (size_t)(dot1 - token), &out->header)) != JWT_OK)
        goto fail;
    if ((st = check_header(out->header)) != JWT_OK)
        goto fail;
    if ((st = decode_object(dot1 + 1, (size_t)(dot2 - dot1 - 1), &out->claims)) != JWT_OK)
        goto fail;
    /* An HS256 signature is exactly 32 bytes, 43 base64url characters. */
    unsigned char sig[JWT_DECODED_MAX];
    size_t slen = (size_t)(end - dot2 - 1);
    long n = slen == 0 ? -1 : b64url_decode(dot2 + 1, slen, sig);
    if (n != SHA256_LEN) {
        st = JWT_BAD_SIGNATURE;
        goto fail;
    }
    memcpy(out->sig, sig, SHA256_LEN);
    out->signed_part = token;
    out->signed_len = (size_t)(dot2 - token);
    return JWT_OK;
fail:
    jwt_free(out);
    memset(out, 0, sizeof *out);
    return st;
}

enum jwt_status jwt_verify_hs256(const struct jwt *j, const void *key, size_t keylen)
{
    unsigned char mac[SHA256_LEN];
    if (j->signed_part == NULL ||
        crypto_hmac_sha256(key, keylen, j->signed_part, j->signed_len, mac) != 0)
        return JWT_BAD_SIGNATURE;
    int ok = crypto_equal(mac, j->sig, SHA256_LEN);
    explicit_bzero(mac, sizeof mac);
    return ok ? JWT_OK : JWT_BAD_SIGNATURE;
}

/* A NumericDate (RFC 7519 section 2): a JSON integer or a finite fraction. Returns 1 with
 * *v set, or 0 when the value is of another type. */
static int numeric_date(json_object *v, double *out)
{
    long long i;
    if (json_object_is_type(v, json_type_int)) {
        if (!json_get_int_range(v, -(1LL << 53), 1LL << 53, &i))
            return 0;
        *out = (double)i;
        return 1;
    }
    if (json_object_is_type(v, json_type_double)) {
        double d = json_object_get_double(v);
        if (!isfinite(d))
            return 0;
        *out = d;
        return 1;
    }
    return 0;
}

enum jwt_status jwt_check_times(const struct jwt *j, long long now, long long leeway)
{
    json_object *v = NULL;
    double exp = 0, nbf = 0;
    if (j->claims == NULL || !json_object_object_get_ex(j->claims, "exp", &v) ||
        !numeric_date(v, &exp))
        return JWT_BAD_CLAIMS;
    int has_nbf = json_object_object_get_ex(j->claims, "nbf", &v);
    if (has_nbf && !numeric_date(v, &nbf))
        return JWT_BAD_CLAIMS;
    if ((double)now >= exp + (double)leeway)
        return JWT_EXPIRED;
    if (has_nbf && (double)now + (double)leeway < nbf)
        return JWT_NOT_YET_VALID;
    return JWT_OK;
}

const char *jwt_claim_string(const struct jwt *j, const char *name)
{
    json_object *v = NULL;
    if (j->claims == NULL || !json_object_object_get_ex(j->claims, name, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

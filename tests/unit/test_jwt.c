/* test_jwt.c: HS256 JWT verification. The RFC 7515 appendix A.1 token (a published HS256
 * vector), the pinned algorithm ("none", HS512, RS256, case variants, missing), header rules
 * (crit, typ), malformed tokens, signatures (wrong key, one bit flipped, wrong length), the
 * time claims with and without leeway, and the RFC 2104 property the service relies on: for a
 * key longer than 64 bytes, HMAC(key) == HMAC(SHA-256(key)). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "codec/jwt.h"

/* RFC 7515 A.1: header {"typ":"JWT",\r\n "alg":"HS256"}, claims with exp 1300819380. */
static const char rfc_token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
    "cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char rfc_key_b64url[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
enum { RFC_EXP = 1300819380 };

static size_t rfc_key(unsigned char *key)
{
    long n = b64url_decode(rfc_key_b64url, strlen(rfc_key_b64url), key);
    assert_true(n == 64);
    return (size_t)n;
}

static const char secret[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                             "0123456789abcdef0123456789ab";   /* 92 bytes, > 64 */

/* Signs header.claims (JSON texts) with key; the signature is replaced by sig when given. */
static void make_token(const char *header, const char *claims, const void *key, size_t keylen,
                       const char *sig, char *out, size_t outlen)
{
    char h[512], c[512], s[64];
    unsigned char mac[SHA256_LEN];
    assert_true(b64_encoded_len(strlen(header)) < sizeof h);
    assert_true(b64_encoded_len(strlen(claims)) < sizeof c);
    b64url_encode((const unsigned char *)header, strlen(header), h);
    b64url_encode((const unsigned char *)claims, strlen(claims), c);
    snprintf(out, outlen, "%s.%s", h, c);
    assert_int_equal(crypto_hmac_sha256(key, keylen, out, strlen(out), mac), 0);
    b64url_encode(mac, sizeof mac, s);
    size_t n = strlen(out);
    snprintf(out + n, outlen - n, ".%s", sig != NULL ? sig : s);
}

static enum jwt_status verify(const char *token, const void *key, size_t keylen, long long now)
{
    struct jwt j;
    enum jwt_status st = jwt_parse(token, strlen(token), &j);
    if (st != JWT_OK)
        return st;
    st = jwt_verify_hs256(&j, key, keylen);
    if (st == JWT_OK)
        st = jwt_check_times(&j, now, JWT_LEEWAY);
    jwt_free(&j);
    return st;
}

static void test_rfc7515_vector(void **state)
{
    (void)state;
    unsigned char key[64];
    size_t klen = rfc_key(key);
    struct jwt j;
    assert_int_equal(jwt_parse(rfc_token, strlen(rfc_token), &j), JWT_OK);
    assert_int_equal(jwt_verify_hs256(&j, key, klen), JWT_OK);
    assert_string_equal(jwt_claim_string(&j, "iss"), "joe");
    assert_null(jwt_claim_string(&j, "exp"));        /* a number, not a string */
    assert_null(jwt_claim_string(&j, "customerid"));
    /* exp is enforced; leeway pushes it back by exactly that many seconds */
    assert_int_equal(jwt_check_times(&j, RFC_EXP - 1, 0), JWT_OK);
    assert_int_equal(jwt_check_times(&j, RFC_EXP, 0), JWT_EXPIRED);
    assert_int_equal(jwt_check_times(&j, RFC_EXP + JWT_LEEWAY - 1, JWT_LEEWAY), JWT_OK);
    assert_int_equal(jwt_check_times(&j, RFC_EXP + JWT_LEEWAY, JWT_LEEWAY), JWT_EXPIRED);
    key[0] ^= 1;
    assert_int_equal(jwt_verify_hs256(&j, key, klen), JWT_BAD_SIGNATURE);
    jwt_free(&j);
    jwt_free(&j);   /* idempotent */
}

static void test_valid_token_and_claims(void **state)
{
    (void)state;
    char tok[1024];
    make_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
               "{\"customerid\":\"123456789\",\"exp\":2000000000,\"nbf\":1000}", secret,
               strlen(secret), NULL, tok, sizeof tok);
    struct jwt j;
    assert_int_equal(jwt_parse(tok, strlen(tok), &j), JWT_OK);
    assert_string_equal(jwt_claim_string(&j, "customerid"), "123456789");
    assert_int_equal(jwt_verify_hs256(&j, secret, strlen(secret)), JWT_OK);
    assert_int_equal(jwt_check_times(&j, 1900000000, JWT_LEEWAY), JWT_OK);
    jwt_free(&j);
    /* typ is optional and compared case-insensitively */
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000000}", secret, strlen(secret), NULL,
               tok, sizeof tok);
    assert_int_equal(verify(tok, secret, strlen(secret), 1900000000), JWT_OK);
    make_token("{\"typ\":\"jwt\",\"alg\":\"HS256\",\"kid\":\"x\"}", "{\"exp\":2000000000}",
               secret, strlen(secret), NULL, tok, sizeof tok);
    assert_int_equal(verify(tok, secret, strlen(secret), 1900000000), JWT_OK);
}

static void test_rfc2104_long_key_equals_its_hash(void **state)
{
    (void)state;
    /* the service keeps SHA-256(jwtSecret) and uses it as the HMAC key (lib/core/auth_jwt.c) */
    char tok[1024];
    unsigned char hashed[SHA256_LEN];
    crypto_sha256(secret, strlen(secret), hashed);
    make_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"customerid\":\"1\",\"exp\":2000000000}",
               secret, strlen(secret), NULL, tok, sizeof tok);
    assert_int_equal(verify(tok, hashed, sizeof hashed, 1900000000), JWT_OK);
    /* ... which holds only above the 64-byte block: a 64-byte key is used as it is */
    unsigned char h64[SHA256_LEN];
    crypto_sha256(secret, 64, h64);
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000000}", secret, 64, NULL, tok,
               sizeof tok);
    assert_int_equal(verify(tok, secret, 64, 1900000000), JWT_OK);
    assert_int_equal(verify(tok, h64, sizeof h64, 1900000000), JWT_BAD_SIGNATURE);
}

static void test_algorithm_is_pinned(void **state)
{
    (void)state;
    static const char *const headers[] = {
        "{\"alg\":\"none\",\"typ\":\"JWT\"}",
        "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
        "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
        "{\"alg\":\"ES256\"}",
        "{\"alg\":\"hs256\"}",
        "{\"alg\":\"HS256 \"}",
        "{\"alg\":\"\"}",
        "{\"alg\":null}",
        "{\"alg\":256}",
        "{\"alg\":[\"HS256\"]}",
        "{\"typ\":\"JWT\"}",
        "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
        "{\"alg\":\"HS256\",\"typ\":\"JWS\"}",
        "{\"alg\":\"HS256\",\"typ\":1}",
        /* the last of duplicate keys wins in json-c: this one says none */
        "{\"alg\":\"HS256\",\"alg\":\"none\"}",
    };
    char tok[1024];
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        /* correctly HMAC-signed with the right key: only the header decides */
        make_token(headers[i], "{\"exp\":2000000000}", secret, strlen(secret), NULL, tok,
                   sizeof tok);
        assert_int_equal(verify(tok, secret, strlen(secret), 1900000000), JWT_UNSUPPORTED);
    }
    /* the classic "none" token: no signature at all */
    char h[64], c[64];
    b64url_encode((const unsigned char *)"{\"alg\":\"none\"}", 14, h);
    b64url_encode((const unsigned char *)"{\"exp\":2000000000}", 18, c);
    snprintf(tok, sizeof tok, "%s.%s.", h, c);
    assert_int_equal(verify(tok, secret, strlen(secret), 1900000000), JWT_UNSUPPORTED);
}

static void test_malformed(void **state)
{
    (void)state;
    char good[1024], tok[JWT_MAX_LEN + 64];
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000000}", secret, strlen(secret), NULL,
               good, sizeof good);
    static const char *const bad[] = {
        "", ".", "..", "abc", "a.b", "a.b.c.d", "eyJhbGciOiJIUzI1NiJ9..sig",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(verify(bad[i], secret, strlen(secret), 0), JWT_MALFORMED);
    /* {} is a well-formed header, without alg */
    assert_int_equal(verify("e30.e30.", secret, strlen(secret), 0), JWT_UNSUPPORTED);
    /* header that is not JSON, an array, padded base64, a character outside the alphabet */
    const char *dot = strchr(good, '.');
    snprintf(tok, sizeof tok, "bm90IGpzb24%s", dot);                 /* "not json" */
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_MALFORMED);
    snprintf(tok, sizeof tok, "WzFd%s", dot);                        /* [1] */
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_MALFORMED);
    snprintf(tok, sizeof tok, "%.*s=%s", (int)(dot - good), good, dot);
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_MALFORMED);
    snprintf(tok, sizeof tok, "%s", good);
    tok[3] = '+';
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_MALFORMED);
    /* claims that are not an object */
    char h[64];
    b64url_encode((const unsigned char *)"{\"alg\":\"HS256\"}", 15, h);
    snprintf(tok, sizeof tok, "%s.WzFd.%s", h, strrchr(good, '.') + 1);
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_MALFORMED);
    /* too long, and a NUL inside the given length */
    memset(tok, 'A', sizeof tok);
    tok[10] = '.';
    tok[20] = '.';
    struct jwt j;
    assert_int_equal(jwt_parse(tok, JWT_MAX_LEN + 1, &j), JWT_MALFORMED);
    assert_int_equal(jwt_parse(good, strlen(good) + 1, &j), JWT_MALFORMED);
    assert_int_equal(jwt_parse(NULL, 0, &j), JWT_MALFORMED);
    jwt_free(&j);
}

static void test_signatures(void **state)
{
    (void)state;
    char tok[1024];
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000000}", "another key", 11, NULL, tok,
               sizeof tok);
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_BAD_SIGNATURE);
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000000}", secret, strlen(secret), NULL, tok,
               sizeof tok);
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_OK);
    /* one bit of the last signature character (its low bits are padding: use the first) */
    char *sig = strrchr(tok, '.') + 1;
    sig[0] = sig[0] == 'A' ? 'B' : 'A';
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_BAD_SIGNATURE);
    /* a signature of another length (HS512-sized, truncated, empty) */
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000000}", secret, strlen(secret),
               "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
               tok, sizeof tok);   /* 86 characters: 64 bytes */
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_BAD_SIGNATURE);
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000000}", secret, strlen(secret), "AAAA",
               tok, sizeof tok);
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_BAD_SIGNATURE);
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000000}", secret, strlen(secret), "", tok,
               sizeof tok);
    assert_int_equal(verify(tok, secret, strlen(secret), 0), JWT_BAD_SIGNATURE);
    /* the payload changed after signing */
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000000}", secret, strlen(secret), NULL, tok,
               sizeof tok);
    char other[1024];
    make_token("{\"alg\":\"HS256\"}", "{\"exp\":2000000001}", secret, strlen(secret), NULL,
               other, sizeof other);
    char forged[2048];
    const char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
    const char *o1 = strchr(other, '.'), *o2 = strrchr(other, '.');
    snprintf(forged, sizeof forged, "%.*s%.*s%s", (int)(d1 - tok), tok, (int)(o2 - o1), o1, d2);
    assert_int_equal(verify(forged, secret, strlen(secret), 0), JWT_BAD_SIGNATURE);
}

static void test_times(void **state)
{
    (void)state;
    static const struct {
        const char *claims;
        long long now;
        enum jwt_status want;
    } cases[] = {
        { "{}", 0, JWT_BAD_CLAIMS },
        { "{\"exp\":\"2000000000\"}", 0, JWT_BAD_CLAIMS },
        { "{\"exp\":null}", 0, JWT_BAD_CLAIMS },
        { "{\"exp\":true}", 0, JWT_BAD_CLAIMS },
        { "{\"exp\":1000}", 969, JWT_OK },
        { "{\"exp\":1000}", 1029, JWT_OK },
        { "{\"exp\":1000}", 1030, JWT_EXPIRED },
        { "{\"exp\":1000.5}", 1030, JWT_OK },
        { "{\"exp\":1000.5}", 1031, JWT_EXPIRED },
        { "{\"exp\":-5}", 1000, JWT_EXPIRED },
        { "{\"exp\":99999999999999999999}", 0, JWT_MALFORMED },     /* not a JSON-c number */
        { "{\"exp\":18446744073709551615}", 0, JWT_BAD_CLAIMS },
        { "{\"exp\":2000,\"nbf\":\"1000\"}", 1500, JWT_BAD_CLAIMS },
        { "{\"exp\":2000,\"nbf\":1000}", 969, JWT_NOT_YET_VALID },
        { "{\"exp\":2000,\"nbf\":1000}", 970, JWT_OK },
        { "{\"exp\":2000,\"nbf\":1000}", 1500, JWT_OK },
        { "{\"exp\":2000,\"nbf\":1500}", 1000, JWT_NOT_YET_VALID },
        { "{\"exp\":2000,\"iat\":\"whenever\"}", 1000, JWT_OK },
    };
    char tok[1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        make_token("{\"alg\":\"HS256\"}", cases[i].claims, secret, strlen(secret), NULL, tok,
                   sizeof tok);
        enum jwt_status got = verify(tok, secret, strlen(secret), cases[i].now);
        if (got != cases[i].want)
            fail_msg("case %zu (%s at %lld): got %d, want %d", i, cases[i].claims, cases[i].now,
                     (int)got, (int)cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7515_vector),
        cmocka_unit_test(test_valid_token_and_claims),
        cmocka_unit_test(test_rfc2104_long_key_equals_its_hash),
        cmocka_unit_test(test_algorithm_is_pinned),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

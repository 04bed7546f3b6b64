/* crypto.h: randomness, digests and encodings for credentials and tokens. Random bytes come
 * from getrandom(2); SHA-256 and HMAC from OpenSSL's libcrypto. Never hand-rolled crypto. */
#ifndef PROV_CRYPTO_H
#define PROV_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

enum { SHA256_LEN = 32, UUID_STR_LEN = 36, OID_HEX_LEN = 24 };

/* Fills buf with n random bytes; returns 0, or -1 when the kernel refuses (never partial). */
int crypto_random(void *buf, size_t n);
/* SHA-256 of n bytes. */
void crypto_sha256(const void *p, size_t n, unsigned char out[SHA256_LEN]);
/* HMAC-SHA256 of msg under key. Returns 0 or -1. */
int crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                       unsigned char out[SHA256_LEN]);
/* 1 when the n bytes at a and b are equal; the time taken does not depend on the contents. */
int crypto_equal(const void *a, const void *b, size_t n);

/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void hex_encode(const unsigned char *p, size_t n, char *out);
/* Decodes exactly 2n hex digits into out[n]; returns 0 or -1 on a non-hex digit. */
int hex_decode(const char *hex, size_t n, unsigned char *out);
/* The value of one hex digit (any case), or -1. */
int hex_value(char c);
/* 1 when s is exactly len hex digits (any case). */
int is_hex(const char *s, size_t len);

/* Base64 (RFC 4648 section 4, padded) or base64url (section 5, unpadded) of n bytes into out,
 * which needs b64_encoded_len(n) + 1 bytes. Returns the length written. */
size_t b64_encoded_len(size_t n);
size_t b64_encode(const unsigned char *p, size_t n, char *out);
size_t b64url_encode(const unsigned char *p, size_t n, char *out);
/* Decodes unpadded base64url (the JWT alphabet); out needs n*3/4+1 bytes. Returns the decoded
 * length, or -1 on a character outside the alphabet, padding, or an impossible length. */
long b64url_decode(const char *s, size_t n, unsigned char *out);

/* A random token of nbytes entropy as base64url text into out (b64_encoded_len(nbytes)+1). */
int crypto_token(size_t nbytes, char *out);
/* A random 24-hex-digit identifier (MongoDB ObjectId shape), NUL-terminated. */
int crypto_oid(char out[OID_HEX_LEN + 1]);
/* A random RFC 4122 version 4 UUID, lowercase, NUL-terminated. */
int crypto_uuid_v4(char out[UUID_STR_LEN + 1]);
/* The version 4 UUID made of 16 random bytes the caller drew (in bulk: one getrandom call for
 * many ids instead of one each); the version and variant bits are set here. */
void crypto_uuid_v4_format(const unsigned char raw[16], char out[UUID_STR_LEN + 1]);
/* SHA-256 of a secret as 64 hex digits, the form credentials are stored in. */
void crypto_secret_hash(const char *secret, size_t n, char out[2 * SHA256_LEN + 1]);

#endif

/* crypto.c: random bytes, SHA-256/HMAC through libcrypto, constant-time comparison, hex and
 * base64 codecs, token and identifier generation. Holds no state. */
#include "base/crypto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

int crypto_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

void crypto_sha256(const void *p, size_t n, unsigned char out[SHA256_LEN])
{
    unsigned int len = SHA256_LEN;
    EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

int crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                       unsigned char out[SHA256_LEN])
{
    unsigned int len = SHA256_LEN;
    if (keylen > 0x7fffffff)
        return -1;
    return HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &len) == NULL ? -1 : 0;
}

int crypto_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hex_decode(const char *hex, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        /* the high digit first: at a NUL (a short string) stop before reading past it */
        int hi = hex_value(hex[2 * i]);
        if (hi < 0)
            return -1;
        int lo = hex_value(hex[2 * i + 1]);
        if (lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

int is_hex(const char *s, size_t len)
{
    if (s == NULL || strlen(s) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (hex_value(s[i]) < 0)
            return 0;
    return 1;
}

size_t b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

static size_t b64_generic(const unsigned char *p, size_t n, char *out, const char *alpha, int pad)
{
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        out[o++] = alpha[v >> 6 & 63];
        out[o++] = alpha[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0u);
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        if (i + 1 < n)
            out[o++] = alpha[v >> 6 & 63];
        else if (pad)
            out[o++] = '=';
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

size_t b64_encode(const unsigned char *p, size_t n, char *out)
{
    return b64_generic(p, n, out,
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 1);
}

size_t b64url_encode(const unsigned char *p, size_t n, char *out)
{
    return b64_generic(p, n, out,
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 0);
}

static int b64url_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

long b64url_decode(const char *s, size_t n, unsigned char *out)
{
    if (n % 4 == 1)
        return -1;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_val(s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)   /* non-canonical trailing bits */
        return -1;
    return (long)o;
}

int crypto_token(size_t nbytes, char *out)
{
    unsigned char raw[128];
    if (nbytes == 0 || nbytes > sizeof raw || crypto_random(raw, nbytes) != 0)
        return -1;
    b64url_encode(raw, nbytes, out);
    return 0;
}

int crypto_oid(char out[OID_HEX_LEN + 1])
{
    unsigned char raw[OID_HEX_LEN / 2];
    if (crypto_random(raw, sizeof raw) != 0)
        return -1;
    hex_encode(raw, sizeof raw, out);
    return 0;
}

int crypto_uuid_v4(char out[UUID_STR_LEN + 1])
{
    unsigned char u[16];
    char hex[33];
    if (crypto_random(u, sizeof u) != 0)
        return -1;
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
    hex_encode(u, sizeof u, hex);
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = '\0';
    return 0;
}

void crypto_uuid_v4_format(const unsigned char raw[16], char out[UUID_STR_LEN + 1])
{
    unsigned char u[16];
    char hex[33];
    memcpy(u, raw, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
    hex_encode(u, sizeof u, hex);
    snprintf(out, UUID_STR_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
}

void crypto_secret_hash(const char *secret, size_t n, char out[2 * SHA256_LEN + 1])
{
    unsigned char d[SHA256_LEN];
    crypto_sha256(secret, n, d);
    hex_encode(d, sizeof d, out);
}

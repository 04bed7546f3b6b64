/* test_crypto.c: codecs against RFC 4648 vectors, SHA-256 (FIPS 180-2 examples) and
 * HMAC-SHA256 (RFC 4231 test cases 1, 2 and 6), constant-time comparison, and the shape of
 * random tokens, ObjectIds and version 4 UUIDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"

static void expect_hex(const unsigned char *p, size_t n, const char *want)
{
    char hex[2 * 64 + 1];
    assert_true(n <= 64);
    hex_encode(p, n, hex);
    assert_string_equal(hex, want);
}

/* ---- base64 ---- */

static const struct { const char *in, *b64, *b64url; } rfc4648[] = {
    { "", "", "" },
    { "f", "Zg==", "Zg" },
    { "fo", "Zm8=", "Zm8" },
    { "foo", "Zm9v", "Zm9v" },
    { "foob", "Zm9vYg==", "Zm9vYg" },
    { "fooba", "Zm9vYmE=", "Zm9vYmE" },
    { "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void test_b64_rfc4648(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        const unsigned char *in = (const unsigned char *)rfc4648[i].in;
        size_t n = strlen(rfc4648[i].in);
        char out[16];
        memset(out, 'X', sizeof out);
        assert_int_equal(b64_encoded_len(n), strlen(rfc4648[i].b64));
        assert_int_equal(b64_encode(in, n, out), strlen(rfc4648[i].b64));
        assert_string_equal(out, rfc4648[i].b64);
        memset(out, 'X', sizeof out);
        assert_int_equal(b64url_encode(in, n, out), strlen(rfc4648[i].b64url));
        assert_string_equal(out, rfc4648[i].b64url);

        unsigned char dec[16];
        long m = b64url_decode(rfc4648[i].b64url, strlen(rfc4648[i].b64url), dec);
        assert_int_equal(m, (long)n);
        assert_memory_equal(dec, rfc4648[i].in, n);
    }
}

static void test_b64_alphabets(void **state)
{
    (void)state;
    /* the two characters where the alphabets differ: 62 and 63 */
    static const unsigned char v[] = { 0xfb, 0xff, 0xbf, 0xff, 0xfe };
    char out[16];
    b64_encode(v, sizeof v, out);
    assert_string_equal(out, "+/+///4=");
    b64url_encode(v, sizeof v, out);
    assert_string_equal(out, "-_-___4");
    unsigned char dec[8];
    assert_int_equal(b64url_decode("-_-___4", 7, dec), 5);
    assert_memory_equal(dec, v, 5);

    /* every byte value survives the round trip, at every length mod 3 */
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    char enc[400];
    assert_true(b64_encoded_len(256) + 1 <= sizeof enc);
    unsigned char back[256 * 3 / 4 + 256];
    for (size_t n = 253; n <= 256; n++) {
        size_t e = b64url_encode(all, n, enc);
        assert_int_equal(strlen(enc), e);
        assert_null(strchr(enc, '='));
        assert_int_equal(b64url_decode(enc, e, back), (long)n);
        assert_memory_equal(back, all, n);
    }
}

static void test_b64url_rejects(void **state)
{
    (void)state;
    unsigned char out[16];
    static const char *const bad[] = {
        "Zg==",      /* padding */
        "Zm8=",
        "Zm9v+",     /* standard alphabet */
        "Zm9/",
        "Zm 9v",     /* whitespace */
        "Zm9v\n",
        "Z",         /* 1 mod 4: no byte can end there */
        "Zm9vY",
        "Zh",        /* non-canonical: the unused low bits of 'h' are not zero */
        "Zm9",       /* '9' leaves the bits 01 over */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(b64url_decode(bad[i], strlen(bad[i]), out), -1);
    /* an embedded NUL counts as a character outside the alphabet */
    assert_int_equal(b64url_decode("Zm\0v", 4, out), -1);
    /* canonical forms of the same lengths are accepted */
    assert_int_equal(b64url_decode("Zg", 2, out), 1);
    assert_int_equal(b64url_decode("Zm8", 3, out), 2);
    assert_int_equal(b64url_decode("", 0, out), 0);
}

/* ---- digests ---- */

static void test_sha256(void **state)
{
    (void)state;
    unsigned char d[SHA256_LEN];
    crypto_sha256("", 0, d);
    expect_hex(d, sizeof d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    crypto_sha256("abc", 3, d);
    expect_hex(d, sizeof d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    crypto_sha256(two, strlen(two), d);
    expect_hex(d, sizeof d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    char h[2 * SHA256_LEN + 1];
    crypto_secret_hash("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_hmac_rfc4231(void **state)
{
    (void)state;
    unsigned char key[131], d[SHA256_LEN];

    /* test case 1 */
    memset(key, 0x0b, 20);
    assert_int_equal(crypto_hmac_sha256(key, 20, "Hi There", 8, d), 0);
    expect_hex(d, sizeof d, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

    /* test case 2 */
    static const char msg2[] = "what do ya want for nothing?";
    assert_int_equal(crypto_hmac_sha256("Jefe", 4, msg2, strlen(msg2), d), 0);
    expect_hex(d, sizeof d, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    /* test case 6: a key longer than the block size is hashed first */
    static const char msg6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    memset(key, 0xaa, sizeof key);
    assert_int_equal(crypto_hmac_sha256(key, sizeof key, msg6, strlen(msg6), d), 0);
    expect_hex(d, sizeof d, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* ---- hex ---- */

static void test_hex(void **state)
{
    (void)state;
    static const unsigned char v[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff };
    char hex[2 * sizeof v + 1];
    hex_encode(v, sizeof v, hex);
    assert_string_equal(hex, "00017f80abcdefff");
    unsigned char back[sizeof v];
    assert_int_equal(hex_decode(hex, sizeof v, back), 0);
    assert_memory_equal(back, v, sizeof v);
    assert_int_equal(hex_decode("00017F80ABCDEFFF", sizeof v, back), 0);
    assert_memory_equal(back, v, sizeof v);
    hex_encode(v, 0, hex);
    assert_string_equal(hex, "");

    static const char *const bad[] = { "0g", "g0", " 1", "1 ", "-1", "0x", "\xc3\xa9" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hex_decode(bad[i], 1, back), -1);
    /* a string shorter than 2n digits is refused at its NUL, and nothing past the NUL is
     * read (heap copies of exact size, so ASan would see an over-read) */
    char *shortstr = malloc(2);
    assert_non_null(shortstr);
    memcpy(shortstr, "a", 2);
    assert_int_equal(hex_decode(shortstr, 4, back), -1);
    free(shortstr);
    char *empty = malloc(1);
    assert_non_null(empty);
    empty[0] = '\0';
    assert_int_equal(hex_decode(empty, 1, back), -1);
    free(empty);

    assert_int_equal(is_hex("00ff", 4), 1);
    assert_int_equal(is_hex("00FF", 4), 1);
    assert_int_equal(is_hex("", 0), 1);
    assert_int_equal(is_hex("00ff", 3), 0);
    assert_int_equal(is_hex("00ff", 5), 0);
    assert_int_equal(is_hex("00fg", 4), 0);
    assert_int_equal(is_hex(NULL, 0), 0);
}

/* ---- comparison and random identifiers ---- */

static void test_equal(void **state)
{
    (void)state;
    assert_int_equal(crypto_equal("abcdef", "abcdef", 6), 1);
    assert_int_equal(crypto_equal("abcdef", "abcdeg", 6), 0);
    assert_int_equal(crypto_equal("xbcdef", "abcdef", 6), 0);
    assert_int_equal(crypto_equal("abcdef", "abcdeg", 5), 1);   /* only n bytes count */
    assert_int_equal(crypto_equal("a", "b", 0), 1);
    static const char x[] = { 'a', 0, 'b' }, y[] = { 'a', 0, 'c' };
    assert_int_equal(crypto_equal(x, y, 3), 0);                 /* not a string compare */
}

static void test_random(void **state)
{
    (void)state;
    unsigned char a[32], b[32], zero[32] = {0};
    assert_int_equal(crypto_random(a, sizeof a), 0);
    assert_int_equal(crypto_random(b, sizeof b), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a, zero, sizeof a);
    unsigned char *big = malloc(1 << 20);
    assert_non_null(big);
    assert_int_equal(crypto_random(big, 1 << 20), 0);
    free(big);
    assert_int_equal(crypto_random(a, 0), 0);
}

static void test_token(void **state)
{
    (void)state;
    /* b64_encoded_len counts padding, so these are one or two bytes roomier than needed */
    char t1[45], t2[45], t3[173];
    assert_int_equal(b64_encoded_len(32) + 1, sizeof t1);
    assert_int_equal(b64_encoded_len(128) + 1, sizeof t3);
    assert_int_equal(crypto_token(32, t1), 0);
    assert_int_equal(crypto_token(32, t2), 0);
    assert_int_equal(strlen(t1), 43);
    assert_int_equal(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_not_equal(t1, t2);
    unsigned char raw[33];
    assert_int_equal(b64url_decode(t1, 43, raw), 32);
    assert_int_equal(crypto_token(0, t1), -1);
    assert_int_equal(crypto_token(129, t1), -1);
    assert_int_equal(crypto_token(128, t3), 0);
    assert_int_equal(strlen(t3), 171);
}

static void test_oid(void **state)
{
    (void)state;
    char a[OID_HEX_LEN + 1], b[OID_HEX_LEN + 1];
    memset(a, 'X', sizeof a);
    assert_int_equal(crypto_oid(a), 0);
    assert_int_equal(crypto_oid(b), 0);
    assert_int_equal(strlen(a), 24);
    assert_int_equal(strspn(a, "0123456789abcdef"), 24);
    assert_int_equal(is_hex(a, OID_HEX_LEN), 1);
    assert_string_not_equal(a, b);
}

static void test_uuid_v4(void **state)
{
    (void)state;
    char prev[UUID_STR_LEN + 1] = "";
    unsigned variants = 0;
    for (int i = 0; i < 200; i++) {
        char u[UUID_STR_LEN + 1];
        memset(u, 'X', sizeof u);
        assert_int_equal(crypto_uuid_v4(u), 0);
        assert_int_equal(strlen(u), 36);
        for (int j = 0; j < 36; j++) {
            if (j == 8 || j == 13 || j == 18 || j == 23)
                assert_int_equal(u[j], '-');
            else
                assert_non_null(strchr("0123456789abcdef", u[j]));
        }
        assert_int_equal(u[14], '4');                  /* version */
        assert_non_null(strchr("89ab", u[19]));        /* RFC 4122 variant 10xx */
        variants |= 1u << (u[19] >= 'a' ? u[19] - 'a' + 10 : u[19] - '0');
        assert_string_not_equal(u, prev);
        memcpy(prev, u, sizeof u);
    }
    /* all four variant digits occur (chance of missing one in 200 draws: ~4 * 0.75^200) */
    assert_int_equal(variants, 0xF00u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64_rfc4648),
        cmocka_unit_test(test_b64_alphabets),
        cmocka_unit_test(test_b64url_rejects),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_oid),
        cmocka_unit_test(test_uuid_v4),
    };
    return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}

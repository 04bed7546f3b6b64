/* test_password.c: crypt(3) hashing and verification. Costs are kept at the minimum so the
 * test stays fast; the library default (cost 0) is hashed once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/password.h"

/* The yescrypt parameter field ("j75" in "$y$j75$salt$hash") of a hash, copied into out. */
static void params_of(const char *hash, char *out, size_t outlen)
{
    assert_memory_equal(hash, "$y$", 3);
    const char *end = strchr(hash + 3, '$');
    assert_non_null(end);
    size_t n = (size_t)(end - (hash + 3));
    assert_true(n > 0 && n < outlen);
    memcpy(out, hash + 3, n);
    out[n] = '\0';
}

static void test_yescrypt_hash_verify(void **state)
{
    (void)state;
    char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("correct horse", "$y$", 1, h1), PW_OK);
    assert_memory_equal(h1, "$y$", 3);
    assert_true(strlen(h1) > 40);
    assert_true(strlen(h1) < PASSWORD_HASH_MAX);
    assert_null(strstr(h1, "correct horse"));
    assert_int_equal(password_verify("correct horse", h1), 1);
    assert_int_equal(password_verify("correct horsE", h1), 0);
    assert_int_equal(password_verify("correct hors", h1), 0);
    assert_int_equal(password_verify("", h1), 0);

    /* a fresh salt each time: same password, different hash, both verify */
    assert_int_equal(password_hash("correct horse", "$y$", 1, h2), PW_OK);
    assert_string_not_equal(h1, h2);
    assert_int_equal(password_verify("correct horse", h2), 1);

    /* UTF-8 and long passwords */
    static const char utf8[] = "p\xc3\xa4ssw\xc3\xb6rd \xe2\x82\xac";
    assert_int_equal(password_hash(utf8, "$y$", 1, h1), PW_OK);
    assert_int_equal(password_verify(utf8, h1), 1);
    /* libxcrypt takes passphrases up to CRYPT_MAX_PASSPHRASE_SIZE - 1 = 511 bytes, and every
     * byte counts; from 512 bytes on crypt fails (ERANGE), so input limits must stay below */
    char longpw[513];
    memset(longpw, 'z', 511);
    longpw[511] = '\0';
    assert_int_equal(password_hash(longpw, "$y$", 1, h1), PW_OK);
    assert_int_equal(password_verify(longpw, h1), 1);
    longpw[510] = 'y';
    assert_int_equal(password_verify(longpw, h1), 0);
    longpw[510] = 'z';
    longpw[511] = 'z';
    longpw[512] = '\0';
    assert_int_equal(password_verify(longpw, h1), 0);
    assert_int_equal(password_hash(longpw, "$y$", 1, h2), PW_ERROR);
}

static void test_cost(void **state)
{
    (void)state;
    char h1[PASSWORD_HASH_MAX], h3[PASSWORD_HASH_MAX], hd[PASSWORD_HASH_MAX];
    char p1[16], p3[16], pd[16];
    assert_int_equal(password_hash("pw", "$y$", 1, h1), PW_OK);
    assert_int_equal(password_hash("pw", "$y$", 3, h3), PW_OK);
    assert_int_equal(password_hash("pw", "$y$", 0, hd), PW_OK);   /* library default */
    params_of(h1, p1, sizeof p1);
    params_of(h3, p3, sizeof p3);
    params_of(hd, pd, sizeof pd);
    /* the cost is recorded in the hash: different costs, different parameters */
    assert_string_not_equal(p1, p3);
    assert_string_not_equal(p1, pd);
    assert_string_not_equal(p3, pd);
    assert_int_equal(password_verify("pw", h1), 1);
    assert_int_equal(password_verify("pw", h3), 1);
    assert_int_equal(password_verify("pw", hd), 1);
    /* same cost, same parameters */
    assert_int_equal(password_hash("other", "$y$", 3, h1), PW_OK);
    params_of(h1, p1, sizeof p1);
    assert_string_equal(p1, p3);
    /* yescrypt's cost ranges 1..11: beyond that gensalt refuses */
    assert_int_equal(password_hash("pw", "$y$", 12, h1), PW_ERROR);
    assert_int_equal(password_hash("pw", "$y$", 1000, h1), PW_ERROR);
}

static void test_other_prefixes(void **state)
{
    (void)state;
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("pw", "$2b$", 4, h), PW_OK);
    assert_memory_equal(h, "$2b$04$", 7);
    assert_int_equal(password_verify("pw", h), 1);
    assert_int_equal(password_verify("pW", h), 0);
    assert_int_equal(password_hash("pw", "$6$", 1000, h), PW_OK);
    assert_memory_equal(h, "$6$rounds=1000$", 15);
    assert_int_equal(password_verify("pw", h), 1);
    assert_int_equal(password_hash("pw", "$zz$", 0, h), PW_ERROR);
    assert_int_equal(password_hash("pw", "", 0, h), PW_OK);   /* "" = libxcrypt's default */
    assert_int_equal(password_verify("pw", h), 1);
}

static void test_known_hashes(void **state)
{
    (void)state;
    /* Drepper's SHA-crypt specification, test vectors for the default 5000 rounds */
    static const char sha256[] = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5";
    static const char sha512[] = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNj"
                                 "nQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
    assert_int_equal(password_verify("Hello world!", sha256), 1);
    assert_int_equal(password_verify("Hello world?", sha256), 0);
    assert_int_equal(password_verify("Hello world!", sha512), 1);
    assert_int_equal(password_verify("hello world!", sha512), 0);
    /* a stored yescrypt hash (cost 1) keeps verifying */
    static const char yes[] = "$y$j75$3V7WlA194nankPhilJ64Z.$a0V1AmtndjXORAOMU8UFIqtWv46HP.11UHGCs"
                              "ztFi49";
    assert_int_equal(password_verify("pw", yes), 1);
    assert_int_equal(password_verify("pw ", yes), 0);
}

static void test_malformed_hashes(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "*", "*0", "*1", "$y$", "$y$j75$", "$y$j75$3V7WlA194nankPhilJ64Z.$",
        "$y$j75$3V7WlA194nankPhilJ64Z.$a0V1AmtndjXORAOMU8UFIqtWv46HP.11UHGCsztFi4",
        "$y$j75$3V7WlA194nankPhilJ64Z.$a0V1AmtndjXORAOMU8UFIqtWv46HP.11UHGCsztFi49x",
        "$zz$abc", "plain", "pw",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(password_verify("pw", bad[i]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yescrypt_hash_verify),
        cmocka_unit_test(test_cost),
        cmocka_unit_test(test_other_prefixes),
        cmocka_unit_test(test_known_hashes),
        cmocka_unit_test(test_malformed_hashes),
    };
    return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}

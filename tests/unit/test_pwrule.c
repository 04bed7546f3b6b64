/* test_pwrule.c: the password rules of lib/base/pwrule.c at both levels: the examples the old rules
 * let through (blank, invisible, common, the user's own address with spaces around it), length
 * in characters rather than bytes, the user-name checks, and a missing dictionary, which must
 * be an error of ours rather than the password's. Uses the host's cracklib dictionary at its
 * Debian place (README's packages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/password.h"
#include "base/pwrule.h"

static const char *const dict = "/var/cache/cracklib/cracklib_dict";
static const struct pwrule_account jo = { "Jo.Doe@Example.com", "jodoe1234" };

static enum pwrule_verdict full(const char *pw)
{
    return pwrule_check(pw, strlen(pw), PWRULE_FULL, &jo, dict);
}

static enum pwrule_verdict structure(const char *pw)
{
    return pwrule_check(pw, strlen(pw), PWRULE_STRUCTURE, NULL, NULL);
}

/* The n-fold repetition of s. */
static const char *times(const char *s, int n)
{
    static char buf[1024];
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        strcat(buf, s);
    return buf;
}

#define ZWSP "\xe2\x80\x8b"   /* U+200B */

/* The passwords the join page accepted before (issue 13, point 8), at both levels. */
static void test_old_examples(void **state)
{
    (void)state;
    assert_int_equal(full("        "), PWRULE_BLANK);
    assert_int_equal(structure("        "), PWRULE_BLANK);
    assert_int_equal(full(times(ZWSP, 8)), PWRULE_BLANK);
    assert_int_equal(structure(times(ZWSP, 8)), PWRULE_BLANK);
    assert_int_equal(full("password"), PWRULE_COMMON);
    assert_int_equal(full("12345678"), PWRULE_COMMON);
    assert_int_equal(full("  jo.doe@example.com  "), PWRULE_IS_EMAIL);
    assert_int_equal(full("JO.DOE@EXAMPLE.COM"), PWRULE_IS_EMAIL);
    /* the APIs keep the vendors' examples working: structure only */
    assert_int_equal(structure("12345678"), PWRULE_OK);
    assert_int_equal(structure("password"), PWRULE_OK);
    assert_int_equal(structure("John1234"), PWRULE_OK);
    /* a good phrase passes both */
    assert_int_equal(full("correct horse battery"), PWRULE_OK);
    assert_int_equal(structure("correct horse battery"), PWRULE_OK);
}

/* Every kind of invisible or blank character, alone, mixed, and around a short word. */
static void test_blank_and_invisible(void **state)
{
    (void)state;
    static const char *const blanks[] = {
        " ", "\xc2\xa0" /* NBSP */, "\xc2\xad" /* soft hyphen */, ZWSP,
        "\xe2\x80\x8c" /* ZWNJ */, "\xe2\x80\x8d" /* ZWJ */, "\xe2\x81\xa0" /* word joiner */,
        "\xef\xbb\xbf" /* BOM */, "\xe3\x80\x80" /* ideographic space */,
        "\xe2\x80\x83" /* em space */, "\xe2\x80\xae" /* RLO */, "\xef\xb8\x8f" /* VS16 */,
        "\xe3\x85\xa4" /* Hangul filler */, "\xe2\xa0\x80" /* Braille blank */,
        "\xf3\xa0\x80\x81" /* tag U+E0001 */,
    };
    for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
        assert_int_equal(structure(times(blanks[i], 8)), PWRULE_BLANK);
        assert_int_equal(full(times(blanks[i], 12)), PWRULE_BLANK);
    }
    assert_int_equal(structure(" " ZWSP "\xc2\xa0\xc2\xad \xe2\x81\xa0" ZWSP " "), PWRULE_BLANK);
    /* invisible characters and outer spaces do not count towards the length */
    assert_int_equal(structure("abc" ZWSP ZWSP ZWSP ZWSP ZWSP), PWRULE_TOO_SHORT);
    assert_int_equal(structure("   abcdefg   "), PWRULE_TOO_SHORT);
    assert_int_equal(structure("a" ZWSP "bcdefg" ZWSP), PWRULE_TOO_SHORT);
    /* spaces inside do: they are part of a phrase */
    assert_int_equal(structure("abc defg"), PWRULE_OK);
    assert_int_equal(structure(" abc defg "), PWRULE_OK);
    /* and the dictionary sees the word behind the invisible characters */
    assert_int_equal(full("password" ZWSP), PWRULE_COMMON);
    assert_int_equal(full(ZWSP "pass" ZWSP "word" ZWSP), PWRULE_COMMON);
    assert_int_equal(full("  password  "), PWRULE_COMMON);
}

/* Length in code points: seven characters of two, three or four bytes are too short, eight are
 * enough; the byte bound stays PASSWORD_MAX_BYTES. */
static void test_utf8_length(void **state)
{
    (void)state;
    assert_int_equal(structure("1234567"), PWRULE_TOO_SHORT);
    assert_int_equal(structure(times("\xc3\xa9", 7)), PWRULE_TOO_SHORT);    /* é, 14 bytes */
    assert_int_equal(structure(times("\xc3\xa9", 8)), PWRULE_OK);
    assert_int_equal(structure(times("\xe6\x97\xa5", 7)), PWRULE_TOO_SHORT);  /* 日, 21 bytes */
    assert_int_equal(structure(times("\xe6\x97\xa5", 8)), PWRULE_OK);
    assert_int_equal(structure(times("\xf0\x9f\x98\x80", 7)), PWRULE_TOO_SHORT);  /* 28 bytes */
    assert_int_equal(structure(times("\xf0\x9f\x98\x80", 8)), PWRULE_OK);
    /* a combining accent is a character of its own (it is visible: it draws) */
    assert_int_equal(structure(times("e\xcc\x81", 4)), PWRULE_OK);
    /* eight different non-ASCII letters pass the full check */
    assert_int_equal(full("\xc3\x85\xc3\xa4\xc3\x96\xc3\xbc\xc3\x9f\xc3\xa9\xc3\xa7\xc3\xb1"),
                     PWRULE_OK);
    /* bytes: 256 is the most, whatever the characters */
    char pw[PASSWORD_MAX_BYTES + 2];
    for (size_t i = 0; i < sizeof pw - 1; i++)
        pw[i] = (char)('a' + (i * 7) % 26);
    assert_int_equal(pwrule_check(pw, PASSWORD_MAX_BYTES, PWRULE_STRUCTURE, NULL, NULL),
                     PWRULE_OK);
    assert_int_equal(pwrule_check(pw, PASSWORD_MAX_BYTES + 1, PWRULE_STRUCTURE, NULL, NULL),
                     PWRULE_TOO_LONG);
    assert_int_equal(pwrule_check(times("\xc3\xa9", 129), 258, PWRULE_STRUCTURE, NULL, NULL),
                     PWRULE_TOO_LONG);
}

static void test_text_and_empty(void **state)
{
    (void)state;
    assert_int_equal(pwrule_check(NULL, 0, PWRULE_FULL, &jo, dict), PWRULE_EMPTY);
    assert_int_equal(full(""), PWRULE_EMPTY);
    assert_int_equal(structure(""), PWRULE_EMPTY);
    assert_int_equal(structure("tab\there!"), PWRULE_BAD_TEXT);
    assert_int_equal(structure("bad\xff utf8 text"), PWRULE_BAD_TEXT);
    assert_int_equal(pwrule_check("nul\0inside", 10, PWRULE_STRUCTURE, NULL, NULL),
                     PWRULE_BAD_TEXT);
    assert_int_equal(structure("c1 \xc2\x85 control"), PWRULE_BAD_TEXT);   /* U+0085 NEL */
    assert_int_equal(pwrule_structure_ok("12345678", 8), 1);
    assert_int_equal(pwrule_structure_ok("1234567", 7), 0);
    assert_int_equal(pwrule_structure_ok("        ", 8), 0);
    assert_int_equal(pwrule_structure_ok("", 0), 0);
}

/* The account's own names: equal (trimmed, any case), or contained (libpwquality's checks). */
static void test_account_names(void **state)
{
    (void)state;
    assert_int_equal(full("\xc2\xa0jo.doe@example.com\xe3\x80\x80"), PWRULE_IS_EMAIL);
    assert_int_equal(full("my address jo.doe@example.com"), PWRULE_IS_EMAIL);
    assert_int_equal(full("jo.doe!! garden"), PWRULE_IS_EMAIL);   /* the local part */
    assert_int_equal(full("  JODOE1234 "), PWRULE_IS_USERNAME);
    assert_int_equal(full("my jodoe1234 pass"), PWRULE_IS_USERNAME);
    assert_int_equal(full("my 4321eodoj pass"), PWRULE_IS_USERNAME);   /* reversed */
    /* without an account only the dictionary decides */
    assert_int_equal(pwrule_check("my jodoe1234 pass", 17, PWRULE_FULL, NULL, dict), PWRULE_OK);
    const struct pwrule_account mail_only = { "ann.lee@example.com", NULL };
    assert_int_equal(pwrule_check("ann.lee tulips", 14, PWRULE_FULL, &mail_only, dict),
                     PWRULE_IS_EMAIL);
    assert_int_equal(pwrule_check("red tulips in may", 17, PWRULE_FULL, &mail_only, dict),
                     PWRULE_OK);
    /* structure never looks at names */
    assert_int_equal(pwrule_check("jo.doe@example.com", 18, PWRULE_STRUCTURE, &jo, NULL),
                     PWRULE_OK);
}

static void test_library_rules(void **state)
{
    (void)state;
    assert_int_equal(full("aaaaaaaaab"), PWRULE_COMMON);     /* too few different characters */
    assert_int_equal(full("abcdefgh"), PWRULE_COMMON);       /* systematic */
    assert_int_equal(full("iloveyou"), PWRULE_COMMON);
    assert_int_equal(full("Password1"), PWRULE_COMMON);
    assert_int_equal(full("step on no pets"), PWRULE_WEAK);  /* a palindrome */
    /* no composition rules: lower-case words are fine */
    assert_int_equal(full("staple battery horse"), PWRULE_OK);
}

/* A missing dictionary is an error of the installation, never "too common". */
static void test_missing_dictionary(void **state)
{
    (void)state;
    const char *nowhere = "/nonexistent/cracklib_dict";
    assert_int_equal(pwrule_check("correct horse battery", 21, PWRULE_FULL, &jo, nowhere),
                     PWRULE_ERROR);
    assert_int_equal(pwrule_check("correct horse battery", 21, PWRULE_FULL, &jo, ""),
                     PWRULE_ERROR);
    assert_int_equal(pwrule_check("correct horse battery", 21, PWRULE_FULL, &jo, NULL),
                     PWRULE_ERROR);
    /* the structural rules still answer first, and need no dictionary */
    assert_int_equal(pwrule_check("short", 5, PWRULE_FULL, &jo, nowhere), PWRULE_TOO_SHORT);
    assert_int_equal(pwrule_check("correct horse battery", 21, PWRULE_STRUCTURE, NULL, nowhere),
                     PWRULE_OK);
    assert_string_equal(pwrule_name(PWRULE_ERROR), "error");
    assert_string_equal(pwrule_name(PWRULE_COMMON), "common");
}

/* cracklib refuses every password for a process whose uid has no passwd entry (a container's
 * anonymous uid): that must be our error too, not "too common". Needs root to take such a uid,
 * so it is registered only when the tests run as root (CI and make test do). */
static void test_uid_without_passwd_entry(void **state)
{
    (void)state;
    uid_t uid = 4000000;
    while (getpwuid(uid) != NULL)
        uid++;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid((gid_t)uid) != 0 || setuid(uid) != 0)
            _exit(90);
        enum pwrule_verdict full_v = pwrule_check("correct horse battery", 21, PWRULE_FULL, &jo,
                                                  dict);
        enum pwrule_verdict st_v = pwrule_check("correct horse battery", 21, PWRULE_STRUCTURE,
                                                NULL, NULL);
        _exit(full_v == PWRULE_ERROR && st_v == PWRULE_OK ? 0 : 10 + (int)full_v);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_examples),
        cmocka_unit_test(test_blank_and_invisible),
        cmocka_unit_test(test_utf8_length),
        cmocka_unit_test(test_text_and_empty),
        cmocka_unit_test(test_account_names),
        cmocka_unit_test(test_library_rules),
        cmocka_unit_test(test_missing_dictionary),
    };
    const struct CMUnitTest as_root[] = {
        cmocka_unit_test(test_uid_without_passwd_entry),
    };
    int failed = cmocka_run_group_tests_name("pwrule", tests, NULL, NULL);
    if (geteuid() == 0)
        failed += cmocka_run_group_tests_name("pwrule as root", as_root, NULL, NULL);
    else
        fprintf(stderr, "# pwrule: not root, so the uid without a passwd entry is not tried\n");
    return failed;
}

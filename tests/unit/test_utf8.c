/* test_utf8.c: utf8_valid, text_check and text_status_str (lib/base/utf8.c): well-formed sequences
 * at every length boundary, overlongs, surrogates, code points above U+10FFFF, truncation, and the
 * control-character rules of the single- and multi-line flags; utf8_xml_chars, the XML 1.0 Char
 * production the Xtracta decoder and the XML writer share. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/utf8.h"

#define VALID(lit) assert_int_equal(utf8_valid(lit, sizeof(lit) - 1), 1)
#define INVALID(lit) assert_int_equal(utf8_valid(lit, sizeof(lit) - 1), 0)
#define CHECK(lit, flags, want) assert_int_equal(text_check(lit, sizeof(lit) - 1, flags), want)

static void test_valid_text(void **state)
{
    (void)state;
    assert_int_equal(utf8_valid("", 0), 1);
    assert_int_equal(utf8_valid(NULL, 0), 1);
    VALID("plain ASCII ~");
    VALID("caf\xc3\xa9");                  /* U+00E9, 2 bytes */
    VALID("\xe2\x82\xac");                 /* U+20AC, 3 bytes */
    VALID("\xf0\x9f\x98\x80");             /* U+1F600, 4 bytes */
    VALID("a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80" "d");
    VALID("\x7f");                         /* U+007F, last 1-byte */
    VALID("\xc2\x80");                     /* U+0080, first 2-byte */
    VALID("\xdf\xbf");                     /* U+07FF, last 2-byte */
    VALID("\xe0\xa0\x80");                 /* U+0800, first 3-byte */
    VALID("\xed\x9f\xbf");                 /* U+D7FF, just below the surrogates */
    VALID("\xee\x80\x80");                 /* U+E000, just above them */
    VALID("\xef\xbf\xbd");                 /* U+FFFD */
    VALID("\xef\xbf\xbf");                 /* U+FFFF, last 3-byte */
    VALID("\xf0\x90\x80\x80");             /* U+10000, first 4-byte */
    VALID("\xf4\x8f\xbf\xbf");             /* U+10FFFF, the last code point */
    VALID("\0");                           /* NUL is well-formed UTF-8 */
}

static void test_overlong(void **state)
{
    (void)state;
    INVALID("\xc0\xaf");                   /* '/' in 2 bytes */
    INVALID("\xc0\x80");                   /* NUL in 2 bytes */
    INVALID("\xc1\xbf");
    INVALID("\xe0\x80\xaf");               /* '/' in 3 bytes */
    INVALID("\xe0\x9f\xbf");               /* U+07FF in 3 bytes */
    INVALID("\xf0\x80\x80\xaf");           /* '/' in 4 bytes */
    INVALID("\xf0\x8f\xbf\xbf");           /* U+FFFF in 4 bytes */
}

static void test_surrogates_and_range(void **state)
{
    (void)state;
    INVALID("\xed\xa0\x80");               /* U+D800 */
    INVALID("\xed\xaf\xbf");               /* U+DBFF */
    INVALID("\xed\xb0\x80");               /* U+DC00 */
    INVALID("\xed\xbf\xbf");               /* U+DFFF */
    INVALID("\xed\xa0\xbd\xed\xb8\x80");   /* a CESU-8 pair */
    INVALID("\xf4\x90\x80\x80");           /* U+110000 */
    INVALID("\xf5\x80\x80\x80");
    INVALID("\xf7\xbf\xbf\xbf");
    INVALID("\xf8\x88\x80\x80\x80");       /* old 5-byte form */
    INVALID("\xfc\x84\x80\x80\x80\x80");   /* old 6-byte form */
    INVALID("\xfe");
    INVALID("\xff");
}

static void test_truncated_and_stray(void **state)
{
    (void)state;
    INVALID("\xc3");
    INVALID("\xe2\x82");
    INVALID("\xf0\x9f\x98");
    INVALID("abc\xe2\x82");
    INVALID("\x80");                       /* lone continuation bytes */
    INVALID("\xbf");
    INVALID("a\x80z");
    INVALID("\xc3\xa9\xa9");               /* one continuation too many */
    INVALID("\xc3" "A");                   /* lead byte followed by ASCII */
    INVALID("\xe2\x28\xa1");
    INVALID("\xf0\x9f\x98" "A");
    /* n counts: a sequence cut by n is truncated even if memory continues */
    assert_int_equal(utf8_valid("\xc3\xa9", 1), 0);
    assert_int_equal(utf8_valid("\xf0\x9f\x98\x80", 3), 0);
    assert_int_equal(utf8_valid("\xf0\x9f\x98\x80", 4), 1);
    assert_int_equal(utf8_valid("ab\xff", 2), 1);
}

static void test_text_check_single_line(void **state)
{
    (void)state;
    CHECK("", TEXT_SINGLE_LINE, TEXT_OK);
    CHECK("Jane O'Neil <j@example.com>", TEXT_SINGLE_LINE, TEXT_OK);
    CHECK("J\xc3\xa9r\xc3\xb4me \xe2\x82\xac\xf0\x9f\x98\x80", TEXT_SINGLE_LINE, TEXT_OK);
    CHECK("\xc2\xa0", TEXT_SINGLE_LINE, TEXT_OK);          /* U+00A0 is not a control */
    CHECK("a\tb", TEXT_SINGLE_LINE, TEXT_CONTROL);
    CHECK("a\nb", TEXT_SINGLE_LINE, TEXT_CONTROL);
    CHECK("a\rb", TEXT_SINGLE_LINE, TEXT_CONTROL);
    CHECK("\x01", TEXT_SINGLE_LINE, TEXT_CONTROL);
    CHECK("\x1f", TEXT_SINGLE_LINE, TEXT_CONTROL);
    CHECK("\x1b[31m", TEXT_SINGLE_LINE, TEXT_CONTROL);
    CHECK("\x7f", TEXT_SINGLE_LINE, TEXT_CONTROL);          /* DEL */
    CHECK("\xc2\x80", TEXT_SINGLE_LINE, TEXT_CONTROL);      /* U+0080, C1 */
    CHECK("\xc2\x85", TEXT_SINGLE_LINE, TEXT_CONTROL);      /* NEL */
    CHECK("\xc2\x9f", TEXT_SINGLE_LINE, TEXT_CONTROL);      /* U+009F, last C1 */
}

static void test_text_check_multi_line(void **state)
{
    (void)state;
    CHECK("line 1\r\nline 2\n\tindented", TEXT_MULTI_LINE, TEXT_OK);
    CHECK("\t", TEXT_MULTI_LINE, TEXT_OK);
    CHECK("a\x0b" "b", TEXT_MULTI_LINE, TEXT_CONTROL);      /* vertical tab */
    CHECK("a\x0c" "b", TEXT_MULTI_LINE, TEXT_CONTROL);      /* form feed */
    CHECK("\x01", TEXT_MULTI_LINE, TEXT_CONTROL);
    CHECK("\x7f", TEXT_MULTI_LINE, TEXT_CONTROL);
    CHECK("ok\n\xc2\x85", TEXT_MULTI_LINE, TEXT_CONTROL);
}

static void test_text_check_nul_and_precedence(void **state)
{
    (void)state;
    CHECK("\0", TEXT_SINGLE_LINE, TEXT_NUL);
    CHECK("a\0b", TEXT_MULTI_LINE, TEXT_NUL);
    /* NUL outranks a control character, whatever the order */
    CHECK("\x01\0", TEXT_SINGLE_LINE, TEXT_NUL);
    CHECK("\0\x01", TEXT_SINGLE_LINE, TEXT_NUL);
    /* malformed UTF-8 outranks both */
    CHECK("\0\xff", TEXT_MULTI_LINE, TEXT_BAD_UTF8);
    CHECK("\x01\xc0\xaf", TEXT_SINGLE_LINE, TEXT_BAD_UTF8);
    CHECK("\xed\xa0\x80", TEXT_MULTI_LINE, TEXT_BAD_UTF8);
    CHECK("\xf4\x90\x80\x80", TEXT_SINGLE_LINE, TEXT_BAD_UTF8);
    CHECK("\xe2\x82", TEXT_SINGLE_LINE, TEXT_BAD_UTF8);
    assert_int_equal(text_check("ab\x01", 2, TEXT_SINGLE_LINE), TEXT_OK);   /* n counts */
}

#define XML_OK(lit) assert_int_equal(utf8_xml_chars(lit, sizeof(lit) - 1), 1)
#define XML_NO(lit) assert_int_equal(utf8_xml_chars(lit, sizeof(lit) - 1), 0)

/* utf8_xml_chars: XML 1.0's Char production, #x9 | #xA | #xD | [#x20-#xD7FF] |
 * [#xE000-#xFFFD] | [#x10000-#x10FFFF], at each edge of each range, over valid UTF-8 only. */
static void test_xml_chars(void **state)
{
    (void)state;
    assert_int_equal(utf8_xml_chars("", 0), 1);
    assert_int_equal(utf8_xml_chars(NULL, 0), 1);
    XML_OK("John Doe");
    XML_OK("\t\n\r");                        /* the three C0 controls XML allows */
    XML_OK(" ");                               /* U+0020, first of the main range */
    XML_OK("\x7f\xc2\x80\xc2\x9f");             /* DEL and C1 controls are XML characters */
    XML_OK("\xed\x9f\xbf");                     /* U+D7FF, last before the surrogates */
    XML_OK("\xee\x80\x80");                     /* U+E000 */
    XML_OK("\xef\xbf\xbd");                     /* U+FFFD, last of that range */
    XML_OK("\xef\xb7\x90");                     /* U+FDD0, a noncharacter XML 1.0 allows */
    XML_OK("\xf0\x90\x80\x80");                 /* U+10000 */
    XML_OK("\xf0\x9f\xbf\xbe");                 /* U+1FFFE, allowed too */
    XML_OK("\xf4\x8f\xbf\xbf");                 /* U+10FFFF */
    XML_NO("\0");                               /* NUL */
    XML_NO("a\x01z");
    XML_NO("\x08");                             /* just below TAB */
    XML_NO("\x0b");                             /* vertical tab */
    XML_NO("\x0c");                             /* form feed */
    XML_NO("\x1f");                             /* last C0 control */
    XML_NO("\xef\xbf\xbe");                     /* U+FFFE */
    XML_NO("\xef\xbf\xbf");                     /* U+FFFF */
    XML_NO("John\xef\xbf\xbe");                 /* at the end */
    XML_NO("\xef\xbf\xbfJohn");                 /* at the start */
    XML_NO("\xed\xa0\x80");                     /* a surrogate: not UTF-8 at all */
    XML_NO("\xff");
    XML_NO("\xc3");                             /* truncated */
    XML_NO("\xf4\x90\x80\x80");                 /* above U+10FFFF */
    assert_int_equal(utf8_xml_chars("ab\x01", 2), 1);   /* n counts */
    /* the code-point predicate at each edge */
    static const uint32_t yes[] = { 0x9, 0xA, 0xD, 0x20, 0xD7FF, 0xE000, 0xFFFD, 0x10000,
                                    0x10FFFF };
    static const uint32_t no[] = { 0x0, 0x8, 0xB, 0xC, 0xE, 0x1F, 0xD800, 0xDFFF, 0xFFFE,
                                   0xFFFF, 0x110000 };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_int_equal(utf8_xml_char(yes[i]), 1);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_int_equal(utf8_xml_char(no[i]), 0);
}

static void test_status_strings(void **state)
{
    (void)state;
    assert_string_equal(text_status_str(TEXT_OK), "valid text");
    assert_string_equal(text_status_str(TEXT_BAD_UTF8), "invalid UTF-8");
    assert_string_equal(text_status_str(TEXT_NUL), "NUL byte");
    assert_string_equal(text_status_str(TEXT_CONTROL), "control character");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_text),
        cmocka_unit_test(test_overlong),
        cmocka_unit_test(test_surrogates_and_range),
        cmocka_unit_test(test_truncated_and_stray),
        cmocka_unit_test(test_text_check_single_line),
        cmocka_unit_test(test_text_check_multi_line),
        cmocka_unit_test(test_text_check_nul_and_precedence),
        cmocka_unit_test(test_xml_chars),
        cmocka_unit_test(test_status_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_rfc2047.c: rfc2047_clean and rfc2047_encode: control characters and malformed UTF-8
 * cleaned, plain text kept plain only when it is safe, encoded-words of at most 75 characters
 * on lines of at most 76 that decode back to the cleaned text, UTF-8 characters never split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "codec/rfc2047.h"

static char *clean(const char *s, size_t n)
{
    struct buf b = { 0 };
    assert_int_equal(rfc2047_clean(&b, s, n), 0);
    char *out = strdup(b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static void test_clean(void **state)
{
    (void)state;
    char *s = clean("a\r\nBcc: x\ty", 11);
    assert_string_equal(s, "a  Bcc: x y");
    free(s);
    s = clean("nul\0del\x7f" "c1\xc2\x85" "ls\xe2\x80\xa8" "ps\xe2\x80\xa9" "end", 25);
    assert_string_equal(s, "nul del c1 ls ps end");
    free(s);
    /* malformed: a stray continuation, an overlong form, a surrogate, a truncated sequence */
    static const char bad[] = "a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82";
    s = clean(bad, sizeof bad - 1);
    assert_string_equal(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
                           "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd");
    free(s);
    s = clean("Zo\xc3\xab \xf0\x9f\x98\x80", 9);
    assert_string_equal(s, "Zo\xc3\xab \xf0\x9f\x98\x80");
    free(s);
}

static char *encode(const char *s, size_t col, enum rfc2047_kind kind, long *end)
{
    struct buf b = { 0 };
    *end = rfc2047_encode(&b, s, strlen(s), col, kind);
    assert_true(*end >= 0);
    char *out = strdup(b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static int b64val(char c)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(a, c);
    return c != '\0' && p != NULL ? (int)(p - a) : -1;
}

/* Decodes a field body made of encoded-words separated by folding; checks the shape of every
 * line and word on the way. Returns the decoded text (malloc). */
static char *decode_words(const char *s, size_t col)
{
    char *out = calloc(1, strlen(s) + 1);
    size_t o = 0, line = col;
    const char *p = s;
    while (*p != '\0') {
        if (*p == '\n') {
            assert_int_equal(p[1], ' ');   /* folding is LF + space, nothing else */
            p += 2;
            line = 1;
            continue;
        }
        assert_memory_equal(p, "=?UTF-8?B?", 10);
        const char *end = strstr(p + 10, "?=");
        assert_non_null(end);
        size_t wlen = (size_t)(end + 2 - p);
        assert_true(wlen <= 75);
        line += wlen;
        assert_true(line <= RFC2047_LINE_MAX);
        /* each word alone is valid UTF-8: no character is split */
        size_t start = o;
        unsigned acc = 0;
        int bits = 0;
        for (const char *q = p + 10; q < end; q++) {
            if (*q == '=')
                break;
            int v = b64val(*q);
            assert_true(v >= 0);
            acc = acc << 6 | (unsigned)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (char)(acc >> bits & 0xff);
            }
        }
        assert_true(utf8_valid(out + start, o - start));
        p = end + 2;
        if (*p == ' ')
            fail_msg("words must be separated by folding only");
    }
    out[o] = '\0';
    return out;
}

static void test_plain_when_safe(void **state)
{
    (void)state;
    long end;
    char *s = encode("Set your password", 9, RFC2047_TEXT, &end);
    assert_string_equal(s, "Set your password");
    assert_int_equal(end, 9 + 17);
    free(s);
    s = encode("John Doe", 4, RFC2047_PHRASE, &end);
    assert_string_equal(s, "John Doe");
    free(s);
    s = encode("  padded  ", 4, RFC2047_PHRASE, &end);
    assert_string_equal(s, "padded");
    free(s);
    /* blank after cleaning: nothing at all */
    s = encode("\r\n\t ", 4, RFC2047_PHRASE, &end);
    assert_string_equal(s, "");
    assert_int_equal(end, 4);
    free(s);
}

static void test_encoded_when_needed(void **state)
{
    (void)state;
    const char *need[][2] = {
        { "Zo\xc3\xab", "Zo\xc3\xab" },                      /* non-ASCII */
        { "Doe, John", "Doe, John" },                         /* a special in a phrase */
        { "a \"quoted\" <b@c.d>", "a \"quoted\" <b@c.d>" },
        { "x =?UTF-8?B?SGk=?= y", "x =?UTF-8?B?SGk=?= y" },   /* looks like an encoded-word */
        { "Evil\r\nBcc: a@b.c", "Evil  Bcc: a@b.c" },         /* cleaned, then encoded */
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        long end;
        char *s = encode(need[i][0], 4, RFC2047_PHRASE, &end);
        assert_memory_equal(s, "=?UTF-8?B?", 10);
        char *d = decode_words(s, 4);
        assert_string_equal(d, need[i][1]);
        free(d);
        free(s);
    }
    /* a subject: specials are fine as they are, "=?" and control characters are not */
    long end;
    char *s = encode("Re: your <account>, \"now\"", 9, RFC2047_TEXT, &end);
    assert_string_equal(s, "Re: your <account>, \"now\"");
    free(s);
    s = encode("a =? b", 9, RFC2047_TEXT, &end);
    assert_memory_equal(s, "=?UTF-8?B?", 10);
    free(s);
}

static void test_long_text_is_folded(void **state)
{
    (void)state;
    /* 255 four-byte characters, 300 ASCII letters, mixed widths */
    struct buf in = { 0 };
    for (int i = 0; i < 255; i++)
        buf_puts(&in, "\xf0\x9f\x98\x80");
    buf_puts(&in, " ");
    for (int i = 0; i < 300; i++)
        buf_puts(&in, "a");
    for (int i = 0; i < 100; i++)
        buf_puts(&in, i % 3 == 0 ? "\xc5\x98" : i % 3 == 1 ? "\xe2\x82\xac" : "b");
    for (size_t col = 0; col < 80; col += 9) {
        long end;
        char *s = encode(in.data, col, col % 2 ? RFC2047_TEXT : RFC2047_PHRASE, &end);
        for (const char *p = s; *p; p++)
            assert_true((*p >= 0x21 && *p < 0x7f) || *p == ' ' || *p == '\n');
        char *d = decode_words(s, col);
        assert_string_equal(d, in.data);
        const char *last = strrchr(s, '\n');
        assert_int_equal(end, last ? (long)strlen(last + 1) : (long)(col + strlen(s)));
        free(d);
        free(s);
    }
    buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_plain_when_safe),
        cmocka_unit_test(test_encoded_when_needed),
        cmocka_unit_test(test_long_text_is_folded),
    };
    return cmocka_run_group_tests_name("rfc2047", tests, NULL, NULL);
}

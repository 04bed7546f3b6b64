/* test_qp.c: qp_encode: exact encodings of the special cases (=, trailing white space, bare
 * CR, CRLF, a leading '.' or "From ", bytes outside ASCII), soft breaks keeping every line
 * within 76 characters, and decoding back to the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "codec/qp.h"

static char *enc(const char *s, size_t n)
{
    struct buf b = { 0 };
    assert_int_equal(qp_encode(&b, s, n), 0);
    char *out = strdup(b.data ? b.data : "");
    buf_free(&b);
    return out;
}

#define ENC(lit, want)                                 \
    do {                                               \
        char *e_ = enc(lit, sizeof(lit) - 1);          \
        assert_string_equal(e_, want);                 \
        free(e_);                                      \
    } while (0)

static void test_exact(void **state)
{
    (void)state;
    ENC("", "");
    ENC("plain text", "plain text");
    ENC("a=b", "a=3Db");
    ENC("trailing \nspace\t\n", "trailing=20\nspace=09\n");
    ENC("end ", "end=20");
    ENC("crlf\r\nline", "crlf\nline");
    ENC("bare\rcr", "bare=0Dcr");
    ENC(".\n.leading dot\nmid.dot", "=2E\n=2Eleading dot\nmid.dot");
    ENC("From here\nFrom\nFromage", "=46rom here\nFrom\nFromage");
    ENC("caf\xc3\xa9 \x01\x7f", "caf=C3=A9 =01=7F");
    ENC("tab\tinside", "tab\tinside");
}

static char *dec(const char *s)
{
    char *out = calloc(1, strlen(s) + 1);
    size_t o = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '=' && p[1] == '\n') {
            p++;
            continue;
        }
        if (*p == '=') {
            char hex[3] = { p[1], p[2], 0 };
            out[o++] = (char)strtol(hex, NULL, 16);
            p += 2;
            continue;
        }
        out[o++] = *p;
    }
    return out;
}

static void test_soft_breaks(void **state)
{
    (void)state;
    struct buf in = { 0 };
    for (int i = 0; i < 500; i++)
        buf_puts(&in, i % 7 == 0 ? "\xc3\xa9" : i % 11 == 0 ? "=" : i % 13 == 0 ? " " : "x");
    buf_puts(&in, "\nshort line\n");
    for (int i = 0; i < 200; i++)
        buf_puts(&in, ".");
    char *e = enc(in.data, in.len);
    size_t line = 0;
    for (const char *p = e; *p; p++) {
        assert_true((*p >= 0x20 && *p < 0x7f) || *p == '\n' || *p == '\t');
        if (*p == '\n') {
            assert_true(line <= QP_LINE_MAX);
            assert_true(p == e || p[-1] != ' ');   /* no white space before a break */
            assert_true(p[1] != '.');              /* no line starts with a dot */
            line = 0;
        } else {
            line++;
        }
    }
    assert_true(line <= QP_LINE_MAX);
    char *d = dec(e);
    assert_string_equal(d, in.data);
    free(d);
    free(e);
    buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_soft_breaks),
    };
    return cmocka_run_group_tests_name("qp", tests, NULL, NULL);
}

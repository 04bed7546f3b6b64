/* test_mail_message.c: mailmsg_build: the exact message for plain values, encoded names and
 * subjects, folding before a long address, addresses refused when they are not plain, and
 * hostile values that never produce a header line of their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "codec/mail_message.h"

static struct mailmsg base(void)
{
    return (struct mailmsg){
        .from_addr = "noreply@example.com", .from_name = "Acme",
        .to_addr = "jo@example.org", .to_name = "Jo Doe",
        .subject = "Set your password", .body = "Hello Jo,\n\nlink=here\n", .body_len = 21,
        .id_left = "outbox.7.abc", .date = 86400 * 3 + 3661,   /* Sun, 04 Jan 1970 01:01:01 */
    };
}

static void test_exact_message(void **state)
{
    (void)state;
    struct mailmsg m = base();
    struct buf b = { 0 };
    assert_int_equal(mailmsg_build(&m, &b), MAILMSG_OK);
    assert_string_equal(b.data,
                        "From: Acme <noreply@example.com>\n"
                        "To: Jo Doe <jo@example.org>\n"
                        "Subject: Set your password\n"
                        "Date: Sun, 04 Jan 1970 01:01:01 +0000\n"
                        "Message-ID: <outbox.7.abc@example.com>\n"
                        "MIME-Version: 1.0\n"
                        "Content-Type: text/plain; charset=UTF-8\n"
                        "Content-Transfer-Encoding: 7bit\n"
                        "Auto-Submitted: auto-generated\n"
                        "\n"
                        "Hello Jo,\n\nlink=here\n");
    buf_free(&b);
    /* no names: bare addresses; a body without a final line break gets one */
    m.from_name = NULL;
    m.to_name = "\r\n";
    m.body = "x";
    m.body_len = 1;
    assert_int_equal(mailmsg_build(&m, &b), MAILMSG_OK);
    assert_non_null(strstr(b.data, "From: noreply@example.com\nTo: jo@example.org\n"));
    assert_non_null(strstr(b.data, "\n\nx\n"));
    buf_free(&b);
}

/* The body travels as it is when it is plain text, else quoted-printable. */
static void body_case(const char *body, const char *cte, const char *want)
{
    struct mailmsg m = base();
    m.body = body;
    m.body_len = strlen(body);
    struct buf b = { 0 };
    assert_int_equal(mailmsg_build(&m, &b), MAILMSG_OK);
    char head[96];
    snprintf(head, sizeof head, "\nContent-Transfer-Encoding: %s\n", cte);
    assert_non_null(strstr(b.data, head));
    assert_string_equal(strstr(b.data, "\n\n") + 2, want);
    buf_free(&b);
}

static void test_body_encodings(void **state)
{
    (void)state;
    body_case("Hi,\n\thttps://x.example/urac/join?token=abc\n", "7bit",
              "Hi,\n\thttps://x.example/urac/join?token=abc\n");
    body_case("Hallo Zo\xc3\xab", "8bit", "Hallo Zo\xc3\xab\n");
    body_case("crlf\r\n", "quoted-printable", "crlf\n");
    body_case("a\n.b", "quoted-printable", "a\n=2Eb\n");
    body_case("From me", "quoted-printable", "=46rom me\n");
    body_case("bell\x07", "quoted-printable", "bell=07\n");
    body_case("bad\xff", "quoted-printable", "bad=FF\n");
    /* 998 bytes on a line are allowed as they are, 999 are not */
    char longline[1001], want[1002];
    memset(longline, 'y', 998);
    longline[998] = '\0';
    snprintf(want, sizeof want, "%s\n", longline);
    body_case(longline, "7bit", want);
    longline[998] = 'y';
    longline[999] = '\0';
    struct mailmsg m = base();
    m.body = longline;
    m.body_len = 999;
    struct buf b = { 0 };
    assert_int_equal(mailmsg_build(&m, &b), MAILMSG_OK);
    assert_non_null(strstr(b.data, "Content-Transfer-Encoding: quoted-printable\n"));
    buf_free(&b);
}

static void test_encoded_and_folded(void **state)
{
    (void)state;
    struct mailmsg m = base();
    m.to_name = "Zo\xc3\xab";
    m.subject = "Gr\xc3\xbc\xc3\x9f" "e";
    m.to_addr = "a-very-long-local-part-for-folding.0123456789@sub.example.org";
    struct buf b = { 0 };
    assert_int_equal(mailmsg_build(&m, &b), MAILMSG_OK);
    assert_non_null(strstr(b.data, "To: =?UTF-8?B?Wm/Dqw==?=\n "
                                   "<a-very-long-local-part-for-folding.0123456789@"
                                   "sub.example.org>\n"));
    assert_non_null(strstr(b.data, "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\n"));
    buf_free(&b);
}

static void test_bad_addresses(void **state)
{
    (void)state;
    const char *bad[] = {
        NULL, "", "jo", "jo@example.org\nBcc: x@y.z", "Jo <jo@example.org>",
        "jo@example.org, x@y.z", "\"jo\"@example.org",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct buf b = { 0 };
        struct mailmsg m = base();
        m.to_addr = bad[i];
        assert_int_equal(mailmsg_build(&m, &b), MAILMSG_BAD_TO);
        m = base();
        m.from_addr = bad[i];
        assert_int_equal(mailmsg_build(&m, &b), MAILMSG_BAD_FROM);
        assert_int_equal(b.len, 0);
        buf_free(&b);
    }
    struct buf b = { 0 };
    struct mailmsg m = base();
    m.id_left = "x>\nBcc: y";
    assert_int_equal(mailmsg_build(&m, &b), MAILMSG_BAD_ID);
    buf_free(&b);
}

static void test_hostile_values(void **state)
{
    (void)state;
    struct mailmsg m = base();
    m.from_name = "Acme\r\nBcc: a@evil.example";
    m.to_name = "\"x\" <y@evil.example>,\r\n\r\nbody";
    m.subject = "Hi\r\nX-Injected: 1\n\nbody\x00";
    m.body = "line\r\n.\r\nFrom me\r\n\x1b[0m";
    m.body_len = strlen(m.body);
    struct buf b = { 0 };
    assert_int_equal(mailmsg_build(&m, &b), MAILMSG_OK);
    const char *end = strstr(b.data, "\n\n");
    assert_non_null(end);
    /* every header line is a known field or a folded continuation */
    static const char *const fields[] = {
        "From: ", "To: ", "Subject: ", "Date: ", "Message-ID: ", "MIME-Version: ",
        "Content-Type: ", "Content-Transfer-Encoding: ", "Auto-Submitted: ",
    };
    size_t next = 0;
    for (const char *p = b.data; p < end + 1;) {
        const char *nl = strchr(p, '\n');
        if (*p == ' ') {
            assert_true(next > 0);
        } else {
            assert_true(next < sizeof fields / sizeof fields[0]);
            assert_memory_equal(p, fields[next], strlen(fields[next]));
            next++;
        }
        assert_true(nl - p <= 76);
        for (const char *q = p; q < nl; q++)
            assert_true(*q >= 0x20 && *q < 0x7f);
        p = nl + 1;
    }
    assert_int_equal(next, sizeof fields / sizeof fields[0]);
    assert_string_equal(end, "\n\nline\n=2E\n=46rom me\n=1B[0m\n");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_message),
        cmocka_unit_test(test_body_encodings),
        cmocka_unit_test(test_encoded_and_folded),
        cmocka_unit_test(test_bad_addresses),
        cmocka_unit_test(test_hostile_values),
    };
    return cmocka_run_group_tests_name("mail_message", tests, NULL, NULL);
}

/* test_xtracta_decode.c: the Xtracta field decoder (lib/dialect/xtracta/xtracta_decode.c) on the point of
 * issue 13's sixth part: every field the answer echoes (name, email_address, password) is
 * refused with the dialect's 400 message when it holds a code point an XML 1.0 document
 * cannot carry (C0 controls, U+FFFE, U+FFFF), and whatever it accepts the XML writer encodes
 * (the property the fuzz harness checks at random, here on the edges). Also the public-number
 * draw (lib/base/pubid.c) every exposed integer id comes from. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/pubid.h"
#include "codec/form.h"
#include "codec/xml_out.h"
#include "dialect/xtracta/xtracta_internal.h"

enum { STRING_MAX = 1024 };

/* Decodes the form body; returns the decoder's result, its message in msg. */
static int decode(struct arena *a, const char *body, struct xtracta_req *req, char *msg,
                  size_t msglen, json_object **fields)
{
    char fmsg[256];
    *fields = NULL;
    if (form_decode(body, strlen(body), fields, fmsg, sizeof fmsg) != FORM_OK)
        fail_msg("test input is not a form (%s): %s", fmsg, body);
    return xtracta_decode(*fields, STRING_MAX, a, req, msg, msglen);
}

/* The echoed fields of an accepted request, written as the answer writes them. */
static void expect_encodes(const struct xtracta_req *req)
{
    struct xml_out *x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, "user"), 0);
    assert_int_equal(xml_out_text(x, "name", req->name), 0);
    assert_int_equal(xml_out_text(x, "email_address", req->email), 0);
    if (req->password != NULL)
        assert_int_equal(xml_out_text(x, "password", req->password), 0);
    struct buf out = { 0 };
    assert_int_equal(xml_out_finish(x, &out), 0);
    xml_out_free(x);
    buf_free(&out);
}

static void expect_refused(const char *body, const char *field)
{
    struct arena *a = arena_new();
    assert_non_null(a);
    struct xtracta_req req;
    char msg[256], want[128];
    json_object *fields;
    int rc = decode(a, body, &req, msg, sizeof msg, &fields);
    if (rc == 0)
        fail_msg("accepted: %s", body);
    snprintf(want, sizeof want, "Invalid value for parameter: %s", field);
    assert_string_equal(msg, want);
    json_object_put(fields);
    arena_free(a);
}

static void expect_accepted(const char *body)
{
    struct arena *a = arena_new();
    assert_non_null(a);
    struct xtracta_req req;
    char msg[256];
    json_object *fields;
    int rc = decode(a, body, &req, msg, sizeof msg, &fields);
    if (rc != 0)
        fail_msg("refused (%s): %s", msg, body);
    expect_encodes(&req);
    json_object_put(fields);
    arena_free(a);
}

#define GOOD "name=John&email_address=john%40example.com&password=12345678"

static void test_clean_request_accepted(void **state)
{
    (void)state;
    expect_accepted(GOOD);
    expect_accepted("name=Zo%C3%AB&email_address=zoe%40example.com");
    /* the last code points before and after each hole XML 1.0 leaves */
    expect_accepted("name=%EF%BF%BD&email_address=a%40example.com&password=p%ED%9F%BFp%EE%80%80qrstu");
    expect_accepted("name=%F4%8F%BF%BF%F0%90%80%80&email_address=a%40example.com");
    /* noncharacters XML 1.0 does allow */
    expect_accepted("name=%EF%B7%90%F0%9F%BF%BE&email_address=a%40example.com");
}

static void test_unencodable_name_refused(void **state)
{
    (void)state;
    expect_refused("name=John%EF%BF%BE&email_address=a%40example.com", "name");    /* U+FFFE */
    expect_refused("name=%EF%BF%BFJohn&email_address=a%40example.com", "name");    /* U+FFFF */
    expect_refused("name=Jo%01hn&email_address=a%40example.com", "name");          /* C0 */
    expect_refused("name=Jo%1Fhn&email_address=a%40example.com", "name");
    expect_refused("name=Jo%09hn&email_address=a%40example.com", "name");          /* TAB */
    expect_refused("name=Jo%0Ahn&email_address=a%40example.com", "name");          /* LF */
}

static void test_unencodable_password_refused(void **state)
{
    (void)state;
    expect_refused("name=John&email_address=a%40example.com&password=1234%EF%BF%BE5678",
                   "password");
    expect_refused("name=John&email_address=a%40example.com&password=%EF%BF%BF12345678",
                   "password");
    expect_refused("name=John&email_address=a%40example.com&password=1234%075678", "password");
    expect_refused("name=John&email_address=a%40example.com&password=1234%0D5678", "password");
}

static void test_unencodable_email_refused(void **state)
{
    (void)state;
    expect_refused("name=John&email_address=a%EF%BF%BE%40example.com", "email_address");
    expect_refused("name=John&email_address=a%40exa%EF%BF%BFmple.com", "email_address");
    expect_refused("name=John&email_address=a%01b%40example.com", "email_address");
}

/* The public numbers: inside [2^32, 2^53), all different, and spread over the range rather
 * than counting up (a draw says nothing of the draws before it). */
static void test_public_numbers(void **state)
{
    (void)state;
    enum { N = 2000 };
    static long long v[N];
    long long lo = PUBID_MAX, hi = PUBID_MIN;
    unsigned ascending = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(pubid_draw(&v[i]), 0);
        assert_true(v[i] >= PUBID_MIN && v[i] <= PUBID_MAX);
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
        if (i > 0 && v[i] > v[i - 1])
            ascending++;
        for (int k = 0; k < i; k++)
            assert_true(v[k] != v[i]);
    }
    assert_int_equal(PUBID_MIN, 1LL << 32);
    assert_int_equal(PUBID_MAX, (1LL << 53) - 1);
    /* 2 000 uniform draws: the extremes lie within 1 % of the ends (each fails with
     * probability 0.99^2000, about 2e-9), and about half the steps go up (binomial, 2 000
     * trials: outside 40-60 % with probability below 1e-18) */
    long long span = PUBID_MAX - PUBID_MIN;
    assert_true(lo < PUBID_MIN + span / 100);
    assert_true(hi > PUBID_MAX - span / 100);
    assert_true(ascending > N * 4 / 10 && ascending < N * 6 / 10);
}

/* The name fills users.first_name..full_name, LIMIT_NAME_CHARS characters: counted in
 * characters, so with limits.string_bytes raised 1 024 two-byte characters are taken and 1 025
 * are not; with the default 1 024 bytes, the bytes refuse them first. */
static void name_of(size_t chars, size_t string_max, int want_ok)
{
    struct buf b = { 0 };
    buf_puts(&b, "email_address=n%40x.io&name=");
    for (size_t i = 0; i < chars; i++)
        buf_puts(&b, "%C3%A9");
    json_object *fields = NULL;
    char fmsg[256], msg[256];
    assert_int_equal(form_decode(b.data, b.len, &fields, fmsg, sizeof fmsg), FORM_OK);
    struct arena *a = arena_new();
    assert_non_null(a);
    struct xtracta_req req;
    int rc = xtracta_decode(fields, string_max, a, &req, msg, sizeof msg);
    if (want_ok) {
        assert_int_equal(rc, 0);
        assert_int_equal(strlen(req.name), 2 * chars);
    } else {
        assert_int_equal(rc, -1);
        assert_string_equal(msg, "Invalid value for parameter: name");
    }
    json_object_put(fields);
    arena_free(a);
    buf_free(&b);
}

static void test_name_counted_in_characters(void **state)
{
    (void)state;
    name_of(1024, 4096, 1);
    name_of(1025, 4096, 0);
    name_of(512, STRING_MAX, 1);
    name_of(513, STRING_MAX, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_request_accepted),
        cmocka_unit_test(test_unencodable_name_refused),
        cmocka_unit_test(test_unencodable_password_refused),
        cmocka_unit_test(test_unencodable_email_refused),
        cmocka_unit_test(test_name_counted_in_characters),
        cmocka_unit_test(test_public_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_xml_out.c: the XML writer: exact bytes of the seed's document, escaping, empty and
 * nested elements, sticky failure, and validation of every document shape the Xtracta dialect
 * produces against docs/xtracta/user_response.xsd (path relative to the repository root, where
 * `make unit` runs the tests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "base/buf.h"
#include "codec/xml_out.h"

#define XSD_PATH "docs/xtracta/user_response.xsd"
#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static const char seed_doc[] =
    DECL "<user_response><status>200</status>"
    "<message>The request has been successfully processed</message>"
    "<user><user_id>4092</user_id><name>John</name><email_address>John@example.com</email_address>"
    "<primary_group_id>130</primary_group_id><assigned_workflows/><password>John1234</password>"
    "</user></user_response>\n";

/* Finishes x into a fresh buffer, frees x, and checks the bytes are exactly want. */
static void finish_expect(struct xml_out *x, const char *want)
{
    struct buf out = {0};
    assert_int_equal(xml_out_finish(x, &out), 0);
    xml_out_free(x);
    assert_non_null(out.data);
    assert_string_equal(out.data, want);
    assert_int_equal(out.len, strlen(want));
    buf_free(&out);
}

static struct xml_out *write_seed(void)
{
    struct xml_out *x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, "user_response"), 0);
    assert_int_equal(xml_out_int(x, "status", 200), 0);
    assert_int_equal(xml_out_text(x, "message", "The request has been successfully processed"), 0);
    assert_int_equal(xml_out_open(x, "user"), 0);
    assert_int_equal(xml_out_int(x, "user_id", 4092), 0);
    assert_int_equal(xml_out_text(x, "name", "John"), 0);
    assert_int_equal(xml_out_text(x, "email_address", "John@example.com"), 0);
    assert_int_equal(xml_out_int(x, "primary_group_id", 130), 0);
    assert_int_equal(xml_out_empty(x, "assigned_workflows"), 0);
    assert_int_equal(xml_out_text(x, "password", "John1234"), 0);
    assert_int_equal(xml_out_close(x), 0);
    assert_int_equal(xml_out_close(x), 0);
    return x;
}

static void test_seed_document(void **state)
{
    (void)state;
    finish_expect(write_seed(), seed_doc);
}

static void test_finish_appends(void **state)
{
    (void)state;
    struct buf out = {0};
    assert_int_equal(buf_puts(&out, "HTTP body: "), 0);
    struct xml_out *x = write_seed();
    assert_int_equal(xml_out_finish(x, &out), 0);
    xml_out_free(x);
    assert_int_equal(out.len, strlen("HTTP body: ") + strlen(seed_doc));
    assert_memory_equal(out.data, "HTTP body: ", strlen("HTTP body: "));
    assert_string_equal(out.data + strlen("HTTP body: "), seed_doc);
    buf_free(&out);
}

static void test_escaping(void **state)
{
    (void)state;
    static const char text[] = "<b>&\"' ]]> a\tb\r\nc \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    struct xml_out *x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_text(x, "t", text), 0);
    struct buf out = {0};
    assert_int_equal(xml_out_finish(x, &out), 0);
    xml_out_free(x);
    assert_string_equal(out.data, DECL "<t>&lt;b&gt;&amp;&quot;' ]]&gt; a\tb&#13;\nc "
                        "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80</t>\n");

    /* well-formed, and a parser gives back exactly the text written (CR included) */
    xmlDocPtr doc = xmlReadMemory(out.data, (int)out.len, "t.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    assert_non_null(doc);
    xmlChar *content = xmlNodeGetContent(xmlDocGetRootElement(doc));
    assert_non_null(content);
    assert_string_equal((const char *)content, text);
    xmlFree(content);
    xmlFreeDoc(doc);
    buf_free(&out);
}

static void test_empty_elements(void **state)
{
    (void)state;
    struct xml_out *x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, "r"), 0);
    assert_int_equal(xml_out_empty(x, "e"), 0);
    assert_int_equal(xml_out_text(x, "n", NULL), 0);
    assert_int_equal(xml_out_text(x, "z", ""), 0);
    assert_int_equal(xml_out_open(x, "o"), 0);
    assert_int_equal(xml_out_close(x), 0);
    finish_expect(x, DECL "<r><e/><n></n><z></z><o/></r>\n");
}

static void test_nesting_closed_by_finish(void **state)
{
    (void)state;
    struct xml_out *x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, "a"), 0);
    assert_int_equal(xml_out_open(x, "b"), 0);
    assert_int_equal(xml_out_int(x, "c", -1), 0);
    assert_int_equal(xml_out_close(x), 0);
    assert_int_equal(xml_out_open(x, "d"), 0);
    assert_int_equal(xml_out_open(x, "e"), 0);
    assert_int_equal(xml_out_int(x, "min", LLONG_MIN), 0);
    assert_int_equal(xml_out_int(x, "max", LLONG_MAX), 0);
    finish_expect(x, DECL "<a><b><c>-1</c></b><d><e><min>-9223372036854775808</min>"
                  "<max>9223372036854775807</max></e></d></a>\n");
}

static void test_error_document(void **state)
{
    (void)state;
    struct xml_out *x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, "user_response"), 0);
    assert_int_equal(xml_out_int(x, "status", 409), 0);
    assert_int_equal(xml_out_text(x, "message", "Email address already exists"), 0);
    finish_expect(x, DECL "<user_response><status>409</status>"
                  "<message>Email address already exists</message></user_response>\n");
}

/* Every call after a failure fails too, and finish leaves the output untouched. */
static void expect_spent(struct xml_out *x)
{
    struct buf out = {0};
    assert_int_equal(xml_out_open(x, "a"), -1);
    assert_int_equal(xml_out_text(x, "a", "b"), -1);
    assert_int_equal(xml_out_int(x, "a", 1), -1);
    assert_int_equal(xml_out_empty(x, "a"), -1);
    assert_int_equal(xml_out_close(x), -1);
    assert_int_equal(xml_out_finish(x, &out), -1);
    assert_null(out.data);
    assert_int_equal(out.len, 0);
    xml_out_free(x);
}

static void test_sticky_failure(void **state)
{
    (void)state;
    /* closing with nothing open: libxml2's own refusal */
    struct xml_out *x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_close(x), -1);
    expect_spent(x);

    /* names that are not XML names would otherwise be copied through verbatim */
    static const char *const bad_names[] = { "", "1a", "a b", "a<b", "a:b", "a>" };
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        x = xml_out_new();
        assert_non_null(x);
        assert_int_equal(xml_out_open(x, "r"), 0);
        assert_int_equal(xml_out_text(x, bad_names[i], "v"), -1);
        expect_spent(x);
    }
    x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, NULL), -1);
    expect_spent(x);
    x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_empty(x, "x y"), -1);
    expect_spent(x);

    /* text that no XML 1.0 document may contain, even escaped */
    static const char *const bad_text[] = {
        "a\x01z", "\x1b[0m", "\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xef\xbf\xbe",
        "x\xef\xbf\xbf",
    };
    for (size_t i = 0; i < sizeof bad_text / sizeof bad_text[0]; i++) {
        x = xml_out_new();
        assert_non_null(x);
        assert_int_equal(xml_out_open(x, "r"), 0);
        assert_int_equal(xml_out_text(x, "t", bad_text[i]), -1);
        expect_spent(x);
    }
    /* U+FFFD and U+EFBF (EE BE BF) are fine */
    x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_text(x, "t", "\xef\xbf\xbd\xee\xbe\xbf"), 0);
    finish_expect(x, DECL "<t>\xef\xbf\xbd\xee\xbe\xbf</t>\n");

    /* a finished writer is spent: a second root would not be XML */
    x = write_seed();
    struct buf out = {0};
    assert_int_equal(xml_out_finish(x, &out), 0);
    assert_int_equal(out.len, strlen(seed_doc));
    assert_int_equal(xml_out_open(x, "again"), -1);
    assert_int_equal(xml_out_finish(x, &out), -1);
    assert_int_equal(out.len, strlen(seed_doc));
    xml_out_free(x);
    buf_free(&out);

    /* NULL writer (xml_out_new failed) */
    assert_int_equal(xml_out_open(NULL, "a"), -1);
    assert_int_equal(xml_out_close(NULL), -1);
    assert_int_equal(xml_out_finish(NULL, &out), -1);
    xml_out_free(NULL);
}

/* xml_out_text_replacing (error messages quoting a request): whatever the text holds, a
 * document comes out, each sequence XML 1.0 cannot carry written as U+FFFD. */
static void test_text_replacing(void **state)
{
    (void)state;
    struct xml_out *x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, "r"), 0);
    assert_int_equal(xml_out_text_replacing(x, "m", "field 'a\x01" "b' \xef\xbf\xbe\xff<&>"), 0);
    assert_int_equal(xml_out_text_replacing(x, "n", "clean \xc3\xa9"), 0);
    assert_int_equal(xml_out_text_replacing(x, "e", NULL), 0);
    finish_expect(x, DECL "<r><m>field 'a\xef\xbf\xbd" "b' \xef\xbf\xbd\xef\xbf\xbd&lt;&amp;&gt;</m>"
                          "<n>clean \xc3\xa9</n><e></e></r>\n");
    /* a bad element name still fails: only the text is repaired */
    x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_text_replacing(x, "a b", "\x01"), -1);
    xml_out_free(x);
}

static void test_writers_independent(void **state)
{
    (void)state;
    struct xml_out *a = xml_out_new(), *b = xml_out_new();
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(xml_out_open(a, "a"), 0);
    assert_int_equal(xml_out_open(b, "b"), 0);
    assert_int_equal(xml_out_close(b), 0);
    assert_int_equal(xml_out_close(b), -1);   /* b fails; a must not notice */
    assert_int_equal(xml_out_text(a, "x", "1"), 0);
    expect_spent(b);
    finish_expect(a, DECL "<a><x>1</x></a>\n");
    /* a writer freed unfinished, with elements open, leaks nothing */
    a = xml_out_new();
    assert_non_null(a);
    assert_int_equal(xml_out_open(a, "a"), 0);
    assert_int_equal(xml_out_open(a, "b"), 0);
    xml_out_free(a);
}

/* ---- schema validation ---- */

static void silent(void *ctx, xmlErrorPtr err)
{
    (void)ctx;
    (void)err;
}

static int schema_setup(void **state)
{
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(XSD_PATH);
    if (pc == NULL)
        return -1;
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    if (schema == NULL) {
        fprintf(stderr, "cannot load %s (run from the repository root)\n", XSD_PATH);
        return -1;
    }
    *state = schema;
    return 0;
}

static int schema_teardown(void **state)
{
    xmlSchemaFree(*state);
    return 0;
}

/* 0 when the document in s validates against the schema. */
static int validate(xmlSchemaPtr schema, const char *s, size_t n)
{
    int rc = -1;
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    xmlDocPtr doc = xmlReadMemory(s, (int)n, "doc.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (vc == NULL || doc == NULL)
        goto done;
    xmlSchemaSetValidStructuredErrors(vc, silent, NULL);
    rc = xmlSchemaValidateDoc(vc, doc);
done:
    xmlFreeDoc(doc);
    xmlSchemaFreeValidCtxt(vc);
    return rc;
}

static void expect_valid(xmlSchemaPtr schema, struct xml_out *x, int want_valid)
{
    struct buf out = {0};
    assert_int_equal(xml_out_finish(x, &out), 0);
    xml_out_free(x);
    if (want_valid)
        assert_int_equal(validate(schema, out.data, out.len), 0);
    else
        assert_int_not_equal(validate(schema, out.data, out.len), 0);
    buf_free(&out);
}

/* The seed's user, optionally without password and with the token triple. */
static struct xml_out *user_doc(int password, int token)
{
    struct xml_out *x = xml_out_new();
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, "user_response"), 0);
    assert_int_equal(xml_out_int(x, "status", 200), 0);
    assert_int_equal(xml_out_text(x, "message", "The request has been successfully processed"), 0);
    assert_int_equal(xml_out_open(x, "user"), 0);
    assert_int_equal(xml_out_int(x, "user_id", 4092), 0);
    assert_int_equal(xml_out_text(x, "name", "J\xc3\xb6hn <&> \"O'Neil\""), 0);
    assert_int_equal(xml_out_text(x, "email_address", "John@example.com"), 0);
    assert_int_equal(xml_out_int(x, "primary_group_id", 130), 0);
    assert_int_equal(xml_out_text(x, "assigned_workflows", "12,13"), 0);
    if (password)
        assert_int_equal(xml_out_text(x, "password", "John1234"), 0);
    if (token) {
        assert_int_equal(xml_out_text(x, "token", "c2VjcmV0LXRva2Vu"), 0);
        assert_int_equal(xml_out_text(x, "qrcode", "data:image/png;base64,iVBORw0KGgo="), 0);
        assert_int_equal(xml_out_int(x, "expire", 1767225600), 0);
    }
    return x;
}

static void test_schema_valid(void **state)
{
    xmlSchemaPtr schema = *state;
    assert_int_equal(validate(schema, seed_doc, strlen(seed_doc)), 0);
    expect_valid(schema, write_seed(), 1);
    expect_valid(schema, user_doc(0, 0), 1);
    expect_valid(schema, user_doc(1, 0), 1);
    expect_valid(schema, user_doc(0, 1), 1);
    expect_valid(schema, user_doc(1, 1), 1);

    static const int statuses[] = { 400, 401, 404, 409, 500 };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        struct xml_out *x = xml_out_new();
        assert_non_null(x);
        assert_int_equal(xml_out_open(x, "user_response"), 0);
        assert_int_equal(xml_out_int(x, "status", statuses[i]), 0);
        assert_int_equal(xml_out_text(x, "message", "Invalid parameter: group_id"), 0);
        expect_valid(schema, x, 1);
    }
}

/* The schema is not a rubber stamp: shapes the dialect must never produce fail. */
static void test_schema_rejects(void **state)
{
    xmlSchemaPtr schema = *state;
    struct xml_out *x;

    x = xml_out_new();                            /* status 0 is not positive */
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, "user_response"), 0);
    assert_int_equal(xml_out_int(x, "status", 0), 0);
    assert_int_equal(xml_out_text(x, "message", "m"), 0);
    expect_valid(schema, x, 0);

    x = xml_out_new();                            /* message missing */
    assert_non_null(x);
    assert_int_equal(xml_out_open(x, "user_response"), 0);
    assert_int_equal(xml_out_int(x, "status", 400), 0);
    expect_valid(schema, x, 0);

    x = user_doc(0, 0);                           /* token before password */
    assert_int_equal(xml_out_text(x, "token", "t"), 0);
    assert_int_equal(xml_out_text(x, "password", "p"), 0);
    expect_valid(schema, x, 0);

    x = user_doc(1, 0);                           /* expire is not a number */
    assert_int_equal(xml_out_text(x, "expire", "soon"), 0);
    expect_valid(schema, x, 0);

    x = user_doc(1, 1);                           /* unknown element */
    assert_int_equal(xml_out_text(x, "pin", "1234"), 0);
    expect_valid(schema, x, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_document),
        cmocka_unit_test(test_finish_appends),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_empty_elements),
        cmocka_unit_test(test_nesting_closed_by_finish),
        cmocka_unit_test(test_error_document),
        cmocka_unit_test(test_sticky_failure),
        cmocka_unit_test(test_text_replacing),
        cmocka_unit_test(test_writers_independent),
    };
    const struct CMUnitTest schema_tests[] = {
        cmocka_unit_test(test_schema_valid),
        cmocka_unit_test(test_schema_rejects),
    };
    int failed = cmocka_run_group_tests_name("xml_out", tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("xml_out_schema", schema_tests, schema_setup,
                                          schema_teardown);
    return failed;
}

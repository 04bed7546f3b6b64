/* test_scim_filter.c: the SCIM filter and PATCH path parser (lib/codec/scim_filter.c): every RFC
 * 7644 section 3.4.2.2 example filter, every operator, precedence and associativity, not,
 * parentheses, value paths, schema URN prefixes, case-insensitive keywords, JSON strings and
 * numbers, the leniencies (bare words, single quotes, Entra's valuePath.sub comparison), the
 * requests Okta and Entra document, every limit and every error with its offset, PATCH paths, the
 * canonical printer's round trip, and that the tree owns its strings (the input may go). Every
 * input is handed over in a heap block of exactly its size, so ASan sees any overread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/utf8.h"
#include "codec/scim_filter.h"

static int setup(void **state)
{
    *state = arena_new();
    return *state == NULL;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

/* The n bytes at s in a heap block of exactly that size (no NUL after them). */
static char *exact(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

static enum scim_filter_status parse_n(struct arena *a, const char *s, size_t n,
                                       struct scim_filter **f, struct scim_filter_error *e)
{
    char *d = exact(s, n);
    enum scim_filter_status st = scim_filter_parse(a, d, n, f, e);
    free(d);   /* the tree must not point into the input */
    return st;
}

/* Parses s, which must succeed, and returns the tree. */
static struct scim_filter *parse_ok(struct arena *a, const char *s)
{
    struct scim_filter *f = NULL;
    struct scim_filter_error e;
    enum scim_filter_status st = parse_n(a, s, strlen(s), &f, &e);
    if (st != SCIM_FILTER_OK)
        fail_msg("%s: refused (%d): %s", s, (int)st, e.msg);
    assert_non_null(f);
    assert_int_equal(e.status, SCIM_FILTER_OK);
    return f;
}

/* s parses and prints as want (NULL: as itself), and the print parses and prints the same. */
static struct scim_filter *expect_print(struct arena *a, const char *s, const char *want)
{
    struct scim_filter *f = parse_ok(a, s);
    char *p = scim_filter_to_string(a, f);
    assert_non_null(p);
    assert_string_equal(p, want != NULL ? want : s);
    char *p2 = scim_filter_to_string(a, parse_ok(a, p));
    assert_string_equal(p2, p);
    return f;
}

/* The n bytes at s are refused with st at byte off, with a message naming that byte. */
static void expect_error_n(struct arena *a, const char *s, size_t n, enum scim_filter_status st,
                           size_t off)
{
    struct scim_filter *f = (struct scim_filter *)1;
    struct scim_filter_error e;
    enum scim_filter_status got = parse_n(a, s, n, &f, &e);
    if (got != st || e.offset != off)
        fail_msg("%.*s: want status %d at %zu, got %d at %zu (%s)", (int)n, s, (int)st, off,
                 (int)got, e.offset, e.msg);
    assert_null(f);
    assert_int_equal(e.status, st);
    char tail[32];
    snprintf(tail, sizeof tail, " at byte %zu", off);
    size_t ml = strlen(e.msg), tl = strlen(tail);
    assert_true(ml > tl);
    assert_string_equal(e.msg + ml - tl, tail);
    assert_true(utf8_valid(e.msg, ml));
}

static void expect_error(struct arena *a, const char *s, enum scim_filter_status st, size_t off)
{
    expect_error_n(a, s, strlen(s), st, off);
}

static struct scim_path *path_ok(struct arena *a, const char *s)
{
    struct scim_path *p = NULL;
    struct scim_filter_error e;
    char *d = exact(s, strlen(s));
    enum scim_filter_status st = scim_path_parse(a, d, strlen(s), &p, &e);
    free(d);
    if (st != SCIM_FILTER_OK)
        fail_msg("path %s: refused (%d): %s", s, (int)st, e.msg);
    assert_non_null(p);
    char *t = scim_path_to_string(a, p);
    assert_string_equal(t, s);
    return p;
}

static void path_error(struct arena *a, const char *s, enum scim_filter_status st, size_t off)
{
    struct scim_path *p = (struct scim_path *)1;
    struct scim_filter_error e;
    char *d = exact(s, strlen(s));
    enum scim_filter_status got = scim_path_parse(a, d, strlen(s), &p, &e);
    free(d);
    if (got != st || e.offset != off)
        fail_msg("path %s: want status %d at %zu, got %d at %zu (%s)", s, (int)st, off,
                 (int)got, e.offset, e.msg);
    assert_null(p);
}

static void expect_cmp(const struct scim_filter *f, const char *name, const char *sub,
                       enum scim_op op, enum scim_value_kind kind, const char *text)
{
    assert_non_null(f);
    assert_int_equal(f->kind, op == SCIM_OP_PR ? SCIM_NODE_PRESENT : SCIM_NODE_COMPARE);
    assert_string_equal(f->attr.name, name);
    if (sub == NULL)
        assert_null(f->attr.sub);
    else
        assert_string_equal(f->attr.sub, sub);
    assert_int_equal(f->op, op);
    if (op == SCIM_OP_PR)
        return;
    assert_int_equal(f->value.kind, kind);
    if (text != NULL) {
        assert_non_null(f->value.text);
        assert_string_equal(f->value.text, text);
        assert_int_equal(f->value.len, strlen(text));
    }
}

/* ---- RFC 7644 section 3.4.2.2, every example filter ---- */

static void test_rfc_examples(void **state)
{
    struct arena *a = *state;
    static const char *const rfc[] = {
        "userName eq \"bjensen\"",
        "name.familyName co \"O'Malley\"",
        "userName sw \"J\"",
        "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\"",
        "title pr",
        "meta.lastModified gt \"2011-05-13T04:42:34Z\"",
        "meta.lastModified ge \"2011-05-13T04:42:34Z\"",
        "meta.lastModified lt \"2011-05-13T04:42:34Z\"",
        "meta.lastModified le \"2011-05-13T04:42:34Z\"",
        "title pr and userType eq \"Employee\"",
        "title pr or userType eq \"Intern\"",
        "schemas eq \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"",
        "userType eq \"Employee\" and (emails co \"example.com\" or emails.value co "
        "\"example.org\")",
        "userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co "
        "\"example.org\")",
        "userType eq \"Employee\" and (emails.type eq \"work\")",
        "userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"]",
        "emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and "
        "value co \"@foo.com\"]",
    };
    for (size_t i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
        /* the canonical form drops only the redundant parentheses of "(emails.type ...)" */
        const char *want = i == 14 ? "userType eq \"Employee\" and emails.type eq \"work\"" : NULL;
        expect_print(a, rfc[i], want);
    }

    struct scim_filter *f = parse_ok(a, rfc[1]);
    expect_cmp(f, "name", "familyName", SCIM_OP_CO, SCIM_VALUE_STRING, "O'Malley");
    assert_false(f->value.unquoted);

    f = parse_ok(a, rfc[3]);
    assert_string_equal(f->attr.urn, "urn:ietf:params:scim:schemas:core:2.0:User");
    expect_cmp(f, "userName", NULL, SCIM_OP_SW, SCIM_VALUE_STRING, "J");

    f = parse_ok(a, rfc[13]);   /* userType ne "Employee" and not (... or ...) */
    assert_int_equal(f->kind, SCIM_NODE_AND);
    expect_cmp(f->left, "userType", NULL, SCIM_OP_NE, SCIM_VALUE_STRING, "Employee");
    assert_int_equal(f->right->kind, SCIM_NODE_NOT);
    assert_int_equal(f->right->left->kind, SCIM_NODE_OR);
    expect_cmp(f->right->left->left, "emails", NULL, SCIM_OP_CO, SCIM_VALUE_STRING,
               "example.com");
    expect_cmp(f->right->left->right, "emails", "value", SCIM_OP_CO, SCIM_VALUE_STRING,
               "example.org");

    f = parse_ok(a, rfc[16]);   /* emails[...] or ims[...] */
    assert_int_equal(f->kind, SCIM_NODE_OR);
    assert_int_equal(f->left->kind, SCIM_NODE_VALUE_PATH);
    assert_string_equal(f->left->attr.name, "emails");
    assert_null(f->left->then_sub);
    assert_int_equal(f->left->inner->kind, SCIM_NODE_AND);
    expect_cmp(f->left->inner->left, "type", NULL, SCIM_OP_EQ, SCIM_VALUE_STRING, "work");
    expect_cmp(f->left->inner->right, "value", NULL, SCIM_OP_CO, SCIM_VALUE_STRING,
               "@example.com");
    assert_string_equal(f->right->attr.name, "ims");
    expect_cmp(f->right->inner->left, "type", NULL, SCIM_OP_EQ, SCIM_VALUE_STRING, "xmpp");
    assert_int_equal(f->right->offset, 54);
}

/* ---- operators, precedence, parentheses, not ---- */

static void test_every_operator(void **state)
{
    struct arena *a = *state;
    static const char *const ops[] = { "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le" };
    for (int i = 0; i < 9; i++) {
        char in[64], up[64];
        snprintf(in, sizeof in, "displayName %s \"x\"", ops[i]);
        snprintf(up, sizeof up, "displayName %c%c \"x\"", ops[i][0] - 32, ops[i][1]);
        struct scim_filter *f = expect_print(a, in, NULL);
        expect_cmp(f, "displayName", NULL, (enum scim_op)i, SCIM_VALUE_STRING, "x");
        assert_string_equal(scim_op_name((enum scim_op)i), ops[i]);
        f = expect_print(a, up, in);   /* operators ignore case */
        assert_int_equal(f->op, (enum scim_op)i);
    }
    struct scim_filter *f = expect_print(a, "title PR", "title pr");
    expect_cmp(f, "title", NULL, SCIM_OP_PR, SCIM_VALUE_NULL, NULL);
    assert_string_equal(scim_op_name(SCIM_OP_PR), "pr");
}

static void test_precedence(void **state)
{
    struct arena *a = *state;
    /* and binds tighter than or */
    struct scim_filter *f = expect_print(a, "a eq 1 or b eq 2 and c eq 3", NULL);
    assert_int_equal(f->kind, SCIM_NODE_OR);
    expect_cmp(f->left, "a", NULL, SCIM_OP_EQ, SCIM_VALUE_NUMBER, "1");
    assert_int_equal(f->right->kind, SCIM_NODE_AND);
    expect_cmp(f->right->left, "b", NULL, SCIM_OP_EQ, SCIM_VALUE_NUMBER, "2");
    expect_cmp(f->right->right, "c", NULL, SCIM_OP_EQ, SCIM_VALUE_NUMBER, "3");

    f = expect_print(a, "a eq 1 and b eq 2 or c eq 3", NULL);
    assert_int_equal(f->kind, SCIM_NODE_OR);
    assert_int_equal(f->left->kind, SCIM_NODE_AND);
    expect_cmp(f->right, "c", NULL, SCIM_OP_EQ, SCIM_VALUE_NUMBER, "3");

    /* both left-associative */
    f = expect_print(a, "a pr and b pr and c pr", NULL);
    assert_int_equal(f->kind, SCIM_NODE_AND);
    assert_int_equal(f->left->kind, SCIM_NODE_AND);
    expect_cmp(f->right, "c", NULL, SCIM_OP_PR, 0, NULL);
    f = expect_print(a, "a pr or b pr or c pr", NULL);
    assert_int_equal(f->left->kind, SCIM_NODE_OR);
    expect_cmp(f->left->left, "a", NULL, SCIM_OP_PR, 0, NULL);

    /* the offsets of each node */
    f = parse_ok(a, "a pr or b pr and c pr");
    assert_int_equal(f->offset, 0);
    assert_int_equal(f->right->offset, 8);
    assert_int_equal(f->right->right->offset, 17);
}

static void test_parentheses(void **state)
{
    struct arena *a = *state;
    struct scim_filter *f = expect_print(a, "(a eq 1 or b eq 2) and c eq 3", NULL);
    assert_int_equal(f->kind, SCIM_NODE_AND);
    assert_int_equal(f->left->kind, SCIM_NODE_OR);
    /* grouping to the right is kept: it is what the writer asked for */
    f = expect_print(a, "a pr and (b pr and c pr)", NULL);
    assert_int_equal(f->right->kind, SCIM_NODE_AND);
    expect_print(a, "a pr or (b pr or c pr)", NULL);
    expect_print(a, "a pr and (b pr or c pr)", NULL);
    /* redundant ones are dropped */
    expect_print(a, "((((a pr))))", "a pr");
    expect_print(a, "(a pr) or ((b pr and c pr))", "a pr or b pr and c pr");
    expect_print(a, "((a pr or b pr)) and (((c pr)))", "(a pr or b pr) and c pr");
    expect_print(a, "( a pr )and(b pr)", "a pr and b pr");
    f = expect_print(a, "((a pr or (b pr and (c pr or d pr))))",
                     "a pr or b pr and (c pr or d pr)");
    assert_int_equal(f->right->right->kind, SCIM_NODE_OR);
}

static void test_not(void **state)
{
    struct arena *a = *state;
    struct scim_filter *f = expect_print(a, "not (a eq 1)", NULL);
    assert_int_equal(f->kind, SCIM_NODE_NOT);
    expect_cmp(f->left, "a", NULL, SCIM_OP_EQ, SCIM_VALUE_NUMBER, "1");
    assert_null(f->right);
    f = expect_print(a, "NOT(a pr)", "not (a pr)");
    assert_int_equal(f->kind, SCIM_NODE_NOT);
    /* not binds to its parenthesis only */
    f = expect_print(a, "not  (a pr or b pr) and c pr", "not (a pr or b pr) and c pr");
    assert_int_equal(f->kind, SCIM_NODE_AND);
    assert_int_equal(f->left->kind, SCIM_NODE_NOT);
    assert_int_equal(f->left->left->kind, SCIM_NODE_OR);
    f = expect_print(a, "not (not (a pr))", NULL);
    assert_int_equal(f->left->kind, SCIM_NODE_NOT);
    expect_print(a, "a pr and not (b pr)", NULL);
    expect_print(a, "emails[not (type eq \"work\")]", NULL);
    /* an attribute may be called "not" */
    f = expect_print(a, "not eq 1", NULL);
    expect_cmp(f, "not", NULL, SCIM_OP_EQ, SCIM_VALUE_NUMBER, "1");
    expect_print(a, "not pr and not.x eq 2", NULL);
    expect_error(a, "not a pr", SCIM_FILTER_EXPECTED_PAREN, 4);
    expect_error(a, "not", SCIM_FILTER_EXPECTED_PAREN, 3);
    expect_error(a, "a pr and not", SCIM_FILTER_EXPECTED_PAREN, 12);
}

/* ---- value paths, URNs, names ---- */

static void test_value_path(void **state)
{
    struct arena *a = *state;
    struct scim_filter *f =
        expect_print(a, "emails[type eq \"work\" and value co \"@x\"]", NULL);
    assert_int_equal(f->kind, SCIM_NODE_VALUE_PATH);
    assert_string_equal(f->attr.name, "emails");
    assert_null(f->attr.urn);
    assert_null(f->attr.sub);
    assert_int_equal(f->inner->kind, SCIM_NODE_AND);
    expect_cmp(f->inner->right, "value", NULL, SCIM_OP_CO, SCIM_VALUE_STRING, "@x");

    f = expect_print(a, "emails[(type eq \"a\" or type eq \"b\") and primary eq true]", NULL);
    assert_int_equal(f->inner->left->kind, SCIM_NODE_OR);
    assert_int_equal(f->inner->right->value.kind, SCIM_VALUE_TRUE);
    expect_print(a, "emails[ type pr ]", "emails[type pr]");
    expect_print(a, "members[$ref pr]", NULL);
    f = expect_print(a, "urn:ietf:params:scim:schemas:core:2.0:User:emails[primary eq true]",
                     NULL);
    assert_string_equal(f->attr.urn, "urn:ietf:params:scim:schemas:core:2.0:User");

    /* leniency: a sub-attribute and a comparison after the bracket (Entra) */
    f = expect_print(a, "emails[type eq \"Primary\"].value eq \"001750ca-8202-47cd-b553\"", NULL);
    assert_int_equal(f->kind, SCIM_NODE_VALUE_PATH);
    assert_string_equal(f->then_sub, "value");
    assert_int_equal(f->op, SCIM_OP_EQ);
    assert_string_equal(f->value.text, "001750ca-8202-47cd-b553");
    expect_cmp(f->inner, "type", NULL, SCIM_OP_EQ, SCIM_VALUE_STRING, "Primary");
    f = expect_print(a, "members[value eq \"1\"].display pr", NULL);
    assert_int_equal(f->op, SCIM_OP_PR);

    expect_error(a, "emails[emails[a pr]]", SCIM_FILTER_NESTED_BRACKET, 13);
    expect_error(a, "emails[a.b eq 1]", SCIM_FILTER_BAD_SUBATTR, 8);
    expect_error(a, "emails[urn:a:b:c eq 1]", SCIM_FILTER_BAD_URN, 10);
    expect_error(a, "emails[type pr].value", SCIM_FILTER_EXPECTED_OP, 21);
    expect_error(a, "emails[type pr].value.x eq 1", SCIM_FILTER_BAD_SUBATTR, 21);
    expect_error(a, "emails[type pr]. eq 1", SCIM_FILTER_BAD_SUBATTR, 16);
    expect_error(a, "name.givenName[a pr].x eq 1", SCIM_FILTER_BAD_SUBATTR, 20);
    expect_error(a, "emails[]", SCIM_FILTER_EXPECTED_ATTR, 7);
    expect_error(a, "emails[type pr", SCIM_FILTER_UNCLOSED_BRACKET, 6);
    expect_error(a, "emails[type pr)", SCIM_FILTER_UNMATCHED_CLOSE, 14);
    expect_error(a, "emails[(type pr]", SCIM_FILTER_UNCLOSED_PAREN, 7);
    expect_error(a, "emails[type pr value pr]", SCIM_FILTER_EXPECTED_LOGIC, 15);
}

static void test_urn(void **state)
{
    struct arena *a = *state;
    struct scim_filter *f = expect_print(
        a, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"x\"",
        NULL);
    assert_string_equal(f->attr.urn, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
    expect_cmp(f, "manager", "value", SCIM_OP_EQ, SCIM_VALUE_STRING, "x");
    f = expect_print(a, "URN:IETF:params:scim:schemas:core:2.0:User:userName eq \"a\"", NULL);
    assert_string_equal(f->attr.urn, "URN:IETF:params:scim:schemas:core:2.0:User");
    assert_true(scim_name_is(f->attr.urn, "urn:ietf:params:scim:schemas:core:2.0:User"));
    f = expect_print(a, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
                        " eq \"701984\"", NULL);
    expect_cmp(f, "employeeNumber", NULL, SCIM_OP_EQ, SCIM_VALUE_STRING, "701984");
    /* the old Entra dot notation, documented: URN up to 2.0, attribute User */
    f = parse_ok(a, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department eq 1");
    assert_string_equal(f->attr.urn, "urn:ietf:params:scim:schemas:extension:enterprise:2.0");
    expect_cmp(f, "User", "department", SCIM_OP_EQ, SCIM_VALUE_NUMBER, "1");
    f = expect_print(a, "urn:x-corp:ext:$ref pr", NULL);
    assert_string_equal(f->attr.name, "$ref");

    expect_error(a, "urn:a eq 1", SCIM_FILTER_BAD_URN, 0);
    expect_error(a, "urn:a::b:c eq 1", SCIM_FILTER_BAD_URN, 6);
    expect_error(a, "urn:a:b: eq 1", SCIM_FILTER_BAD_URN, 8);
    expect_error(a, "urn:a:b:2x eq 1", SCIM_FILTER_BAD_URN, 8);
    expect_error(a, "urn:a$:b:c eq 1", SCIM_FILTER_BAD_URN, 5);
    expect_error(a, "foo:bar eq 1", SCIM_FILTER_BAD_URN, 3);
}

static void test_names_and_case(void **state)
{
    struct arena *a = *state;
    struct scim_filter *f =
        expect_print(a, "USERNAME Eq \"x\" AND Title PR Or NOT (a Ne NULL)",
                     "USERNAME eq \"x\" and Title pr or not (a ne null)");
    assert_int_equal(f->kind, SCIM_NODE_OR);
    assert_string_equal(f->left->left->attr.name, "USERNAME");   /* kept as written */
    assert_true(scim_name_is(f->left->left->attr.name, "userName"));
    assert_false(scim_name_is(f->left->left->attr.name, "userNam"));
    assert_false(scim_name_is(NULL, "x"));
    f = expect_print(a, "a eq TRUE or b eq False or c ne nUlL",
                     "a eq true or b eq false or c ne null");
    assert_int_equal(f->left->left->value.kind, SCIM_VALUE_TRUE);
    assert_int_equal(f->left->right->value.kind, SCIM_VALUE_FALSE);
    assert_int_equal(f->right->value.kind, SCIM_VALUE_NULL);
    assert_null(f->right->value.text);
    expect_print(a, "name-x_1.sub_2-y pr", NULL);
    /* words that merely start like keywords are attribute names */
    expect_print(a, "order pr and andy pr or notes pr", NULL);
    expect_error(a, "1a eq 1", SCIM_FILTER_EXPECTED_ATTR, 0);
    expect_error(a, "_a eq 1", SCIM_FILTER_EXPECTED_ATTR, 0);
    expect_error(a, "a. eq 1", SCIM_FILTER_BAD_SUBATTR, 2);
    expect_error(a, "a.b.c eq 1", SCIM_FILTER_BAD_SUBATTR, 3);
}

/* ---- values ---- */

static void test_strings(void **state)
{
    struct arena *a = *state;
    struct scim_filter *f =
        parse_ok(a, "a eq \"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\\u00e9\\ud83d\\ude00\xc3\xa9\"");
    expect_cmp(f, "a", NULL, SCIM_OP_EQ, SCIM_VALUE_STRING,
               "q\"b\\s/b\bf\fn\nr\rt\t\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9");
    char *p = scim_filter_to_string(a, f);
    assert_string_equal(p, "a eq \"q\\\"b\\\\s/b\\bf\\fn\\nr\\rt\\t\xc3\xa9\xf0\x9f\x98\x80"
                           "\xc3\xa9\"");
    assert_string_equal(scim_filter_to_string(a, parse_ok(a, p)), p);
    /* a control character without a short escape prints as \u00XX */
    f = expect_print(a, "a eq \"\\u0001\\u001f\\u007f\"", "a eq \"\\u0001\\u001f\x7f\"");
    assert_int_equal(f->value.len, 3);
    expect_print(a, "a eq \"\"", NULL);
    expect_print(a, "a eq \"\\u20AC\"", "a eq \"\xe2\x82\xac\"");
    /* leniency: single quotes, with \' and a raw double quote inside */
    f = expect_print(a, "emails[type eq 'work'].value eq 'it\\'s \"x\"'",
                     "emails[type eq \"work\"].value eq \"it's \\\"x\\\"\"");
    assert_string_equal(f->value.text, "it's \"x\"");
    expect_print(a, "a eq 'O\"Malley'", "a eq \"O\\\"Malley\"");

    expect_error(a, "a eq \"abc", SCIM_FILTER_BAD_STRING, 5);
    expect_error(a, "a eq \"abc\\\"", SCIM_FILTER_BAD_STRING, 5);
    expect_error(a, "a eq 'abc", SCIM_FILTER_BAD_STRING, 5);
    expect_error(a, "a eq \"a\\x\"", SCIM_FILTER_BAD_STRING, 7);
    expect_error(a, "a eq \"\\'\"", SCIM_FILTER_BAD_STRING, 6);
    expect_error(a, "a eq \"\\u12\"", SCIM_FILTER_BAD_STRING, 6);
    expect_error(a, "a eq \"\\u12G4\"", SCIM_FILTER_BAD_STRING, 6);
    expect_error(a, "a eq \"x\\ud800\"", SCIM_FILTER_BAD_STRING, 7);
    expect_error(a, "a eq \"\\ud800\\u0041\"", SCIM_FILTER_BAD_STRING, 6);
    expect_error(a, "a eq \"\\udc00\"", SCIM_FILTER_BAD_STRING, 6);
    expect_error(a, "a eq \"\\u0000\"", SCIM_FILTER_BAD_STRING, 6);
    expect_error(a, "a eq \"tab\there\"", SCIM_FILTER_BAD_STRING, 9);
    expect_error(a, "a eq \"nl\nhere\"", SCIM_FILTER_BAD_STRING, 8);
}

static void test_numbers(void **state)
{
    struct arena *a = *state;
    static const struct {
        const char *lit;
        int is_int;
        int64_t i;
    } nums[] = {
        { "0", 1, 0 },
        { "-0", 1, 0 },
        { "12", 1, 12 },
        { "-12", 1, -12 },
        { "9223372036854775807", 1, INT64_MAX },
        { "-9223372036854775808", 1, INT64_MIN },
        { "9223372036854775808", 0, 0 },
        { "-9223372036854775809", 0, 0 },
        { "1.0", 0, 0 },
        { "-12.5e3", 0, 0 },
        { "1E+2", 0, 0 },
        { "2e-308", 0, 0 },
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char in[64];
        snprintf(in, sizeof in, "n gt %s", nums[i].lit);
        struct scim_filter *f = expect_print(a, in, NULL);
        expect_cmp(f, "n", NULL, SCIM_OP_GT, SCIM_VALUE_NUMBER, nums[i].lit);
        assert_int_equal(f->value.is_int, nums[i].is_int);
        if (nums[i].is_int)
            assert_true(f->value.i == nums[i].i);
    }
    /* not JSON numbers: bare words (leniency), kept as strings */
    static const char *const words[] = { "01", "1.", ".5", "+1", "1e", "--1", "0x10" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char in[64], want[64];
        snprintf(in, sizeof in, "n eq %s", words[i]);
        snprintf(want, sizeof want, "n eq \"%s\"", words[i]);
        struct scim_filter *f = expect_print(a, in, want);
        assert_int_equal(f->value.kind, SCIM_VALUE_STRING);
        assert_true(f->value.unquoted);
    }
    char big[128];
    memset(big, '7', sizeof big);
    memcpy(big, "n eq ", 5);
    big[5 + SCIM_NUMBER_MAX] = '\0';
    parse_ok(a, big);   /* 64 digits: fine */
    big[5 + SCIM_NUMBER_MAX] = '7';
    big[5 + SCIM_NUMBER_MAX + 1] = '\0';
    expect_error(a, big, SCIM_FILTER_BAD_NUMBER, 5);
}

static void test_literals_and_ops(void **state)
{
    struct arena *a = *state;
    expect_print(a, "active eq true", NULL);
    expect_print(a, "active ne false", NULL);
    expect_print(a, "manager eq null", NULL);
    expect_error(a, "active gt true", SCIM_FILTER_BAD_VALUE_OP, 10);
    expect_error(a, "active co false", SCIM_FILTER_BAD_VALUE_OP, 10);
    expect_error(a, "x le null", SCIM_FILTER_BAD_VALUE_OP, 5);
    expect_error(a, "x sw NULL", SCIM_FILTER_BAD_VALUE_OP, 5);
    /* a string "true" is a string */
    struct scim_filter *f = expect_print(a, "active gt \"true\"", NULL);
    assert_int_equal(f->value.kind, SCIM_VALUE_STRING);
    expect_error(a, "a pr \"x\"", SCIM_FILTER_EXPECTED_LOGIC, 5);
}

/* ---- leniencies and the requests real clients send ---- */

static void test_bare_words(void **state)
{
    struct arena *a = *state;
    /* Microsoft's SCIM test collection */
    struct scim_filter *f = expect_print(a, "userName sw O", "userName sw \"O\"");
    assert_true(f->value.unquoted);
    f = expect_print(a, "name.FamilyName eq Employee and (emails.Value co example.com or "
                        "emails.Value co example.org)",
                     "name.FamilyName eq \"Employee\" and (emails.Value co \"example.com\" or "
                     "emails.Value co \"example.org\")");
    expect_cmp(f->left, "name", "FamilyName", SCIM_OP_EQ,
               SCIM_VALUE_STRING, "Employee");
    expect_cmp(f->right->right, "emails", "Value", SCIM_OP_CO, SCIM_VALUE_STRING,
               "example.org");
    f = expect_print(a, "meta.Created gt 2015-10-10T14:38:21.8617979-07:00",
                     "meta.Created gt \"2015-10-10T14:38:21.8617979-07:00\"");
    expect_cmp(f, "meta", "Created", SCIM_OP_GT, SCIM_VALUE_STRING,
               "2015-10-10T14:38:21.8617979-07:00");
    expect_print(a, "DisplayName eq \"BobIsAmazing\"", NULL);
    f = expect_print(a, "emails[type eq work]", "emails[type eq \"work\"]");
    assert_true(f->inner->value.unquoted);
    f = expect_print(a, "name.familyName eq O'Malley", "name.familyName eq \"O'Malley\"");
    assert_string_equal(f->value.text, "O'Malley");
    expect_print(a, "(userName eq bob)", "userName eq \"bob\"");
    expect_print(a, "userName eq b\xc3\xb6" "b", "userName eq \"b\xc3\xb6" "b\"");
    /* a bare word ends at a parenthesis, a bracket, a quote or whitespace */
    expect_error(a, "userName eq bob)x", SCIM_FILTER_UNMATCHED_CLOSE, 15);
    expect_error(a, "userName eq a\"b\"", SCIM_FILTER_EXPECTED_LOGIC, 13);
    expect_error(a, "userName eq b\x7f", SCIM_FILTER_BAD_CHAR, 13);
    expect_error(a, "userName eq ]", SCIM_FILTER_EXPECTED_VALUE, 12);
}

static void test_client_requests(void **state)
{
    struct arena *a = *state;
    /* Okta: look up by userName before a create, groups by displayName */
    struct scim_filter *f = expect_print(a, "userName eq \"test.user@okta.local\"", NULL);
    expect_cmp(f, "userName", NULL, SCIM_OP_EQ, SCIM_VALUE_STRING, "test.user@okta.local");
    expect_print(a, "displayName eq \"Test SCIMv2\"", NULL);
    /* Entra ID: matching on userName, externalId, groups by displayName */
    expect_print(a, "userName eq \"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1\"", NULL);
    expect_print(a, "externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\"", NULL);
    expect_print(a, "displayName eq \"Group1DisplayName\"", NULL);
    expect_print(a, "emails[type eq \"work\"].value eq \"a@b.com\"", NULL);
    /* as the query decoder hands them over: '+' already turned into spaces */
    expect_print(a, "userName  eq  \"x\"", "userName eq \"x\"");
}

static void test_whitespace(void **state)
{
    struct arena *a = *state;
    expect_print(a, " \t\r\na\tpr\nand\r\nb  eq \"x\"  ", "a pr and b eq \"x\"");
    expect_print(a, "a eq\"x\"", "a eq \"x\"");
    expect_print(a, "a eq \"x\"and b pr", "a eq \"x\" and b pr");
    expect_print(a, "a pr and(b pr)", "a pr and b pr");
    expect_print(a, "not\t(a pr)", "not (a pr)");
}

/* ---- limits ---- */

static void test_length_limit(void **state)
{
    struct arena *a = *state;
    char *s = malloc(SCIM_FILTER_MAX_LEN + 2);
    assert_non_null(s);
    memcpy(s, "a eq \"", 6);
    memset(s + 6, 'x', SCIM_FILTER_MAX_LEN - 7);
    s[SCIM_FILTER_MAX_LEN - 1] = '"';
    s[SCIM_FILTER_MAX_LEN] = '\0';
    struct scim_filter *f = parse_ok(a, s);
    assert_int_equal(f->value.len, SCIM_FILTER_MAX_LEN - 7);
    s[SCIM_FILTER_MAX_LEN - 1] = 'x';
    s[SCIM_FILTER_MAX_LEN] = '"';
    s[SCIM_FILTER_MAX_LEN + 1] = '\0';
    expect_error(a, s, SCIM_FILTER_TOO_LONG, SCIM_FILTER_MAX_LEN);
    free(s);
}

/* n "(" then "a pr" then n ")" (prefix before each "(" when given). */
static char *nested(int n, const char *prefix)
{
    size_t pl = strlen(prefix);
    char *s = malloc((size_t)n * (pl + 2) + 8);
    assert_non_null(s);
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        memcpy(s + o, prefix, pl);
        o += pl;
        s[o++] = '(';
    }
    memcpy(s + o, "a pr", 4);
    o += 4;
    for (int i = 0; i < n; i++)
        s[o++] = ')';
    s[o] = '\0';
    return s;
}

static void test_depth_limit(void **state)
{
    struct arena *a = *state;
    char *s = nested(SCIM_FILTER_MAX_DEPTH, "");
    expect_print(a, s, "a pr");
    free(s);
    s = nested(SCIM_FILTER_MAX_DEPTH + 1, "");
    expect_error(a, s, SCIM_FILTER_TOO_DEEP, SCIM_FILTER_MAX_DEPTH);
    free(s);
    /* a not's parenthesis counts */
    s = nested(SCIM_FILTER_MAX_DEPTH, "not ");
    struct scim_filter *f = parse_ok(a, s);
    int nots = 0;
    for (; f->kind == SCIM_NODE_NOT; f = f->left)
        nots++;
    assert_int_equal(nots, SCIM_FILTER_MAX_DEPTH);
    free(s);
    s = nested(SCIM_FILTER_MAX_DEPTH + 1, "not ");
    expect_error(a, s, SCIM_FILTER_TOO_DEEP, (size_t)SCIM_FILTER_MAX_DEPTH * 5 + 4);
    free(s);
    /* so does a bracket: 15 parentheses and one bracket are 16 */
    char buf[128];
    int k = 0;
    for (int i = 0; i < SCIM_FILTER_MAX_DEPTH - 1; i++)
        buf[k++] = '(';
    k += snprintf(buf + k, sizeof buf - (size_t)k, "e[t pr]");
    for (int i = 0; i < SCIM_FILTER_MAX_DEPTH - 1; i++)
        buf[k++] = ')';
    buf[k] = '\0';
    expect_print(a, buf, "e[t pr]");
    memmove(buf + 1, buf, (size_t)k + 1);
    buf[0] = '(';
    buf[k + 1] = ')';
    buf[k + 2] = '\0';
    expect_error(a, buf, SCIM_FILTER_TOO_DEEP, SCIM_FILTER_MAX_DEPTH + 1);
    /* and parentheses inside a bracket */
    k = snprintf(buf, sizeof buf, "e[");
    for (int i = 0; i < SCIM_FILTER_MAX_DEPTH; i++)
        buf[k++] = '(';
    k += snprintf(buf + k, sizeof buf - (size_t)k, "t pr");
    buf[k] = '\0';
    expect_error(a, buf, SCIM_FILTER_TOO_DEEP, 2 + SCIM_FILTER_MAX_DEPTH - 1);
}

static void test_terms_limit(void **state)
{
    struct arena *a = *state;
    char s[2048];
    size_t o = 0;
    for (int i = 0; i < SCIM_FILTER_MAX_TERMS; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "%sa%d pr", i ? " or " : "", i);
    struct scim_filter *f = expect_print(a, s, NULL);
    int n = 1;
    for (; f->kind == SCIM_NODE_OR; f = f->left)
        n++;
    assert_int_equal(n, SCIM_FILTER_MAX_TERMS);
    size_t at = o + 4;
    snprintf(s + o, sizeof s - o, " or b pr");
    expect_error(a, s, SCIM_FILTER_TOO_MANY_TERMS, at);
    /* the comparison after a value path's sub-attribute counts too */
    o = 0;
    for (int i = 0; i < SCIM_FILTER_MAX_TERMS - 1; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "a%d pr and ", i);
    snprintf(s + o, sizeof s - o, "e[t pr].v pr");
    expect_error(a, s, SCIM_FILTER_TOO_MANY_TERMS, o);
    snprintf(s + o, sizeof s - o, "e[t pr]");
    parse_ok(a, s);
}

/* ---- every error, with its offset ---- */

static void test_errors(void **state)
{
    struct arena *a = *state;
    expect_error(a, "", SCIM_FILTER_EMPTY, 0);
    expect_error(a, " \t\n", SCIM_FILTER_EMPTY, 0);
    expect_error_n(a, "a eq \"\xff\"", 7, SCIM_FILTER_BAD_TEXT, 6);
    expect_error_n(a, "a eq \"\xc3\"", 7, SCIM_FILTER_BAD_TEXT, 6);
    expect_error_n(a, "a eq \"\xed\xa0\x80\"", 9, SCIM_FILTER_BAD_TEXT, 6);   /* surrogate */
    expect_error_n(a, "a eq \"\xc0\xaf\"", 8, SCIM_FILTER_BAD_TEXT, 6);       /* overlong */
    expect_error_n(a, "a pr\0or b pr", 12, SCIM_FILTER_BAD_TEXT, 4);
    expect_error(a, "a pr \x01", SCIM_FILTER_BAD_CHAR, 5);
    expect_error(a, "a eq \"\x1b\"", SCIM_FILTER_BAD_CHAR, 6);
    expect_error(a, "a pr or", SCIM_FILTER_EXPECTED_ATTR, 7);
    expect_error(a, "(", SCIM_FILTER_EXPECTED_ATTR, 1);
    expect_error(a, "()", SCIM_FILTER_EXPECTED_ATTR, 1);
    expect_error(a, ")", SCIM_FILTER_EXPECTED_ATTR, 0);
    expect_error(a, "\"a\" eq 1", SCIM_FILTER_EXPECTED_ATTR, 0);
    expect_error(a, "a", SCIM_FILTER_EXPECTED_OP, 1);
    expect_error(a, "a 1", SCIM_FILTER_EXPECTED_OP, 2);
    expect_error(a, "a eqx 1", SCIM_FILTER_EXPECTED_OP, 2);
    expect_error(a, "a == 1", SCIM_FILTER_EXPECTED_OP, 2);
    expect_error(a, "a eq", SCIM_FILTER_EXPECTED_VALUE, 4);
    expect_error(a, "a eq   ", SCIM_FILTER_EXPECTED_VALUE, 7);
    expect_error(a, "(a eq )", SCIM_FILTER_EXPECTED_VALUE, 6);
    expect_error(a, "a eq (1)", SCIM_FILTER_EXPECTED_VALUE, 5);
    expect_error(a, "(a pr", SCIM_FILTER_UNCLOSED_PAREN, 0);
    expect_error(a, "a pr and ((b pr) or c pr", SCIM_FILTER_UNCLOSED_PAREN, 9);
    expect_error(a, "e[t pr", SCIM_FILTER_UNCLOSED_BRACKET, 1);
    expect_error(a, "a pr)", SCIM_FILTER_UNMATCHED_CLOSE, 4);
    expect_error(a, "a pr ]", SCIM_FILTER_UNMATCHED_CLOSE, 5);
    expect_error(a, "a pr b pr", SCIM_FILTER_EXPECTED_LOGIC, 5);
    expect_error(a, "(a pr b pr)", SCIM_FILTER_EXPECTED_LOGIC, 6);
    expect_error(a, "a pr andb pr", SCIM_FILTER_EXPECTED_LOGIC, 5);
    expect_error(a, "a eq 1 2", SCIM_FILTER_EXPECTED_LOGIC, 7);
    /* every status has words of its own */
    for (int st = SCIM_FILTER_OK; st <= SCIM_FILTER_NOMEM; st++) {
        const char *w = scim_filter_status_str((enum scim_filter_status)st);
        assert_string_not_equal(w, "?");
        for (int o = SCIM_FILTER_OK; o < st; o++)
            assert_string_not_equal(w, scim_filter_status_str((enum scim_filter_status)o));
    }
}

/* ---- PATCH paths ---- */

static void test_paths(void **state)
{
    struct arena *a = *state;
    struct scim_path *p = path_ok(a, "userName");
    assert_string_equal(p->attr.name, "userName");
    assert_null(p->attr.urn);
    assert_null(p->attr.sub);
    assert_null(p->filter);
    assert_null(p->value_sub);
    p = path_ok(a, "name.givenName");
    assert_string_equal(p->attr.sub, "givenName");
    p = path_ok(a, "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]");
    assert_string_equal(p->attr.name, "members");
    expect_cmp(p->filter, "value", NULL, SCIM_OP_EQ, SCIM_VALUE_STRING,
               "2819c223-7f76-453a-919d-413861904646");
    assert_null(p->value_sub);
    p = path_ok(a, "emails[type eq \"work\"].value");
    assert_string_equal(p->value_sub, "value");
    expect_cmp(p->filter, "type", NULL, SCIM_OP_EQ, SCIM_VALUE_STRING, "work");
    p = path_ok(a, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager");
    assert_string_equal(p->attr.urn, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
    assert_string_equal(p->attr.name, "manager");
    p = path_ok(a, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber");
    assert_string_equal(p->attr.name, "employeeNumber");
    p = path_ok(a, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value");
    assert_string_equal(p->attr.sub, "value");
    path_ok(a, "addresses[type eq \"work\" and primary eq true].streetAddress");
    path_ok(a, "emails[type eq \"work\"]");   /* also Microsoft's attributes=emails[...] */
    path_ok(a, "members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]");   /* Entra */
    path_ok(a, "members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]");   /* Okta */
    path_ok(a, "members");
    path_ok(a, "active");
    /* the bracket's filter follows the filter rules, then prints canonically */
    p = NULL;
    struct scim_filter_error e;
    const char *loose = "emails[ TYPE EQ 'work' ].value";
    char *d = exact(loose, strlen(loose));
    assert_int_equal(scim_path_parse(a, d, strlen(loose), &p, &e), SCIM_FILTER_OK);
    free(d);
    assert_string_equal(scim_path_to_string(a, p), "emails[TYPE eq \"work\"].value");

    path_error(a, "", SCIM_FILTER_EMPTY, 0);
    path_error(a, " userName", SCIM_FILTER_EXPECTED_ATTR, 0);
    path_error(a, "userName ", SCIM_FILTER_EXPECTED_END, 8);
    path_error(a, "emails [type pr]", SCIM_FILTER_EXPECTED_END, 6);
    path_error(a, "emails[type eq \"work\"]x", SCIM_FILTER_EXPECTED_END, 22);
    path_error(a, "emails[type eq \"work\"].value.x", SCIM_FILTER_BAD_SUBATTR, 28);
    path_error(a, "emails[type eq \"work\"].", SCIM_FILTER_BAD_SUBATTR, 23);
    path_error(a, "name.givenName[a pr].x", SCIM_FILTER_BAD_SUBATTR, 20);
    path_error(a, "a.b.c", SCIM_FILTER_BAD_SUBATTR, 3);
    path_error(a, "a]", SCIM_FILTER_UNMATCHED_CLOSE, 1);
    path_error(a, "emails[type eq \"work\"", SCIM_FILTER_UNCLOSED_BRACKET, 6);
    path_error(a, "emails[emails[a pr]]", SCIM_FILTER_NESTED_BRACKET, 13);
    path_error(a, "emails[]", SCIM_FILTER_EXPECTED_ATTR, 7);
    path_error(a, "urn:ietf:params:scim:schemas:core:2.0:User:", SCIM_FILTER_BAD_URN, 43);
    path_error(a, "x:y", SCIM_FILTER_BAD_URN, 1);
    path_error(a, "emails[type eq]", SCIM_FILTER_EXPECTED_VALUE, 14);
    char deep[64];
    int k = snprintf(deep, sizeof deep, "e[");
    for (int i = 0; i < SCIM_FILTER_MAX_DEPTH - 1; i++)
        deep[k++] = '(';
    memcpy(deep + k, "t pr", 4);
    k += 4;
    for (int i = 0; i < SCIM_FILTER_MAX_DEPTH - 1; i++)
        deep[k++] = ')';
    deep[k++] = ']';
    deep[k] = '\0';
    p = NULL;
    assert_int_equal(scim_path_parse(a, deep, (size_t)k, &p, &e), SCIM_FILTER_OK);
    memmove(deep + 3, deep + 2, (size_t)k - 1);
    deep[2] = '(';
    deep[k] = ')';
    deep[k + 1] = ']';
    deep[k + 2] = '\0';
    path_error(a, deep, SCIM_FILTER_TOO_DEEP, 2 + SCIM_FILTER_MAX_DEPTH - 1);
    char *big = malloc(SCIM_FILTER_MAX_LEN + 2);
    assert_non_null(big);
    memset(big, 'a', SCIM_FILTER_MAX_LEN + 1);
    big[SCIM_FILTER_MAX_LEN + 1] = '\0';
    path_error(a, big, SCIM_FILTER_TOO_LONG, SCIM_FILTER_MAX_LEN);
    big[SCIM_FILTER_MAX_LEN] = '\0';
    assert_non_null(path_ok(a, big));
    free(big);
}

/* The tree lives in the arena: it outlives the input and goes with arena_reset. */
static void test_arena_owns_tree(void **state)
{
    struct arena *a = *state;
    for (int round = 0; round < 3; round++) {
        arena_reset(a);
        size_t before = arena_used(a);
        const char *in = "urn:a:b:c:x.y eq 'v' and e[t eq 1].s pr";
        char *d = exact(in, strlen(in));
        struct scim_filter *f = NULL;
        struct scim_filter_error e;
        assert_int_equal(scim_filter_parse(a, d, strlen(in), &f, &e), SCIM_FILTER_OK);
        memset(d, '#', strlen(in));   /* clobber, then free the input */
        free(d);
        assert_true(arena_used(a) > before);
        assert_string_equal(scim_filter_to_string(a, f),
                            "urn:a:b:c:x.y eq \"v\" and e[t eq 1].s pr");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rfc_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_operator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parentheses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_urn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_and_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literals_and_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bare_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whitespace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_length_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terms_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena_owns_tree, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

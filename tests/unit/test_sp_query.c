/* test_sp_query.c: the ServicePower Users Query parameter parser (lib/codec/sp_query.c): filter=
 * (the vendor's written "filter:" form too), filters= with every operator spelling, AND before
 * OR, quoting, lists; q with and without ::in:; sort; start and limit bounds and defaults;
 * parameter names, repeats, empty values, unknown and unsupported parameters; every limit and
 * every refusal with its offset and its bounded "Unsupported filter" text; the canonical
 * printer's round trip. Values are handed over in heap blocks of exactly their size. */
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
#include "codec/sp_query.h"

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

/* spq_add with name and the n bytes of value in exact-size heap blocks. */
static enum spq_status add_n(struct spq_query *q, struct arena *a, const char *name,
                             const char *value, size_t n, struct spq_error *e)
{
    size_t nl = strlen(name);
    char *nd = malloc(nl ? nl : 1), *vd = malloc(n ? n : 1);
    assert_non_null(nd);
    assert_non_null(vd);
    memcpy(nd, name, nl);
    memcpy(vd, value, n);
    enum spq_status st = spq_add(q, a, nd, nl, vd, n, e);
    memset(vd, '#', n);   /* what the query keeps must be its own copy */
    free(nd);
    free(vd);
    return st;
}

static void add_ok(struct spq_query *q, struct arena *a, const char *name, const char *value)
{
    struct spq_error e;
    enum spq_status st = add_n(q, a, name, value, strlen(value), &e);
    if (st != SPQ_OK)
        fail_msg("%s=%s: refused (%d): %s", name, value, (int)st, e.msg);
}

/* One parameter on a fresh query; its canonical text must be want. */
static void expect_text(struct arena *a, const char *name, const char *value, const char *want)
{
    struct spq_query q;
    spq_init(&q);
    add_ok(&q, a, name, value);
    assert_string_equal(spq_to_string(a, &q), want);
}

/* The n bytes of value for name are refused with st at off; returns the error. */
static struct spq_error expect_error_n(struct arena *a, const char *name, const char *value,
                                       size_t n, enum spq_status st, size_t off)
{
    struct spq_query q;
    spq_init(&q);
    struct spq_error e;
    enum spq_status got = add_n(&q, a, name, value, n, &e);
    if (got != st || e.offset != off)
        fail_msg("%s=%.*s: want %d at %zu, got %d at %zu (%s)", name, (int)n, value, (int)st,
                 off, (int)got, e.offset, e.msg);
    assert_int_equal(e.status, st);
    char tail[32];
    snprintf(tail, sizeof tail, " at byte %zu", off);
    size_t ml = strlen(e.msg), tl = strlen(tail);
    assert_true(ml > tl);
    assert_string_equal(e.msg + ml - tl, tail);
    assert_true(strncmp(e.msg, name, strlen(name)) == 0 || st == SPQ_UNSUPPORTED_PARAM);
    size_t t = strlen(e.text);
    assert_true(t > 0 && t <= SPQ_TEXT_MAX + 3);
    assert_true(text_check(e.text, t, TEXT_SINGLE_LINE) == TEXT_OK);
    return e;
}

static struct spq_error expect_error(struct arena *a, const char *name, const char *value,
                                     enum spq_status st, size_t off)
{
    return expect_error_n(a, name, value, strlen(value), st, off);
}

static void test_defaults(void **state)
{
    struct arena *a = *state;
    struct spq_query q;
    spq_init(&q);
    assert_int_equal(q.start, 0);
    assert_int_equal(q.limit, SPQ_DEFAULT_LIMIT);
    assert_int_equal(q.nfilter, 0);
    assert_int_equal(q.ngroups, 0);
    assert_null(q.q);
    assert_int_equal(q.nsort, 0);
    assert_string_equal(spq_to_string(a, &q), "start=0\nlimit=100\n");
}

static void test_filter(void **state)
{
    struct arena *a = *state;
    struct spq_query q;
    spq_init(&q);
    add_ok(&q, a, "filter", "FirstName:John,lastname:Doe,Email:a:b@x");
    assert_int_equal(q.nfilter, 3);
    assert_int_equal(q.filter[0].field, SPQ_F_FIRSTNAME);
    assert_int_equal(q.filter[0].op, SPQ_OP_EQ);
    assert_int_equal(q.filter[0].nvalues, 1);
    assert_string_equal(q.filter[0].values[0].s, "John");
    assert_int_equal(q.filter[1].field, SPQ_F_LASTNAME);
    assert_string_equal(q.filter[2].values[0].s, "a:b@x");   /* the first ':' splits */
    assert_int_equal(q.terms, 3);
    /* the vendor writes the form "filter=field:value,filter:field:value" */
    expect_text(a, "filter", "UserID:tech1,filter:DGroupID:G1",
                "filter=UserID:tech1,DGroupID:G1\nstart=0\nlimit=100\n");
    /* fields trimmed, values literal; booleans normalised */
    expect_text(a, "filter", " ServiceTeamID : East Coast ,IsMobileWorker:TRUE,SMS:False",
                "filter=ServiceTeamID: East Coast ,IsMobileWorker:true,SMS:false\n"
                "start=0\nlimit=100\n");
    /* nothing but ',' ends a value here: quotes, parentheses and ';' are literal */
    expect_text(a, "filter", "LastName:O'Brien (Jr.);\"x\"",
                "filter=LastName:O'Brien (Jr.);\"x\"\nstart=0\nlimit=100\n");
}

static void test_filter_errors(void **state)
{
    struct arena *a = *state;
    /* the vendor's own example names a field the User Object no longer has */
    expect_error(a, "filter", "WorkCenter:EastCoast", SPQ_UNKNOWN_FIELD, 0);
    expect_error(a, "filter", "FirstName", SPQ_EXPECTED_COLON, 9);
    expect_error(a, "filter", "FirstName:John,LastName", SPQ_EXPECTED_COLON, 23);
    expect_error(a, "filter", ":John", SPQ_EXPECTED_FIELD, 0);
    expect_error(a, "filter", "FirstName:a,,LastName:b", SPQ_EXPECTED_FIELD, 12);
    expect_error(a, "filter", "FirstName:a,", SPQ_EXPECTED_FIELD, 12);
    expect_error(a, "filter", "FirstName:", SPQ_EXPECTED_VALUE, 10);
    expect_error(a, "filter", "Locked:yes", SPQ_BAD_BOOLEAN, 7);
    expect_error(a, "filter", "First Name:x", SPQ_UNKNOWN_FIELD, 0);
}

static void test_filters_operators(void **state)
{
    struct arena *a = *state;
    static const struct {
        const char *in;
        enum spq_op op;
    } ops[] = {
        { "==", SPQ_OP_EQ },   { "!=", SPQ_OP_NE },   { "=ne=", SPQ_OP_NE },
        { "=NE=", SPQ_OP_NE }, { "=gt=", SPQ_OP_GT }, { ">", SPQ_OP_GT },
        { "=ge=", SPQ_OP_GE }, { ">=", SPQ_OP_GE },   { "=lt=", SPQ_OP_LT },
        { "<", SPQ_OP_LT },    { "=le=", SPQ_OP_LE }, { "<=", SPQ_OP_LE },
        { "=in=", SPQ_OP_IN }, { "=Out=", SPQ_OP_OUT },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char in[64], want[96];
        snprintf(in, sizeof in, "LastName%sSmith", ops[i].in);
        int list = ops[i].op == SPQ_OP_IN || ops[i].op == SPQ_OP_OUT;
        snprintf(want, sizeof want, "filters=LastName%s%s\"Smith\"%s\nstart=0\nlimit=100\n",
                 spq_op_name(ops[i].op), list ? "(" : "", list ? ")" : "");
        struct spq_query q;
        spq_init(&q);
        add_ok(&q, a, "filters", in);
        assert_int_equal(q.ngroups, 1);
        assert_int_equal(q.groups[0].n, 1);
        assert_int_equal(q.groups[0].cmps[0].op, ops[i].op);
        assert_int_equal(q.groups[0].cmps[0].field, SPQ_F_LASTNAME);
        assert_string_equal(q.groups[0].cmps[0].values[0].s, "Smith");
        assert_string_equal(spq_to_string(a, &q), want);
    }
    /* the vendor's example, and spaces around the operator */
    expect_text(a, "filters", "ServiceTeamID==EastCoast",
                "filters=ServiceTeamID==\"EastCoast\"\nstart=0\nlimit=100\n");
    expect_text(a, "filters", "userid  ==  tech1",
                "filters=UserID==\"tech1\"\nstart=0\nlimit=100\n");
}

static void test_filters_precedence(void **state)
{
    struct arena *a = *state;
    struct spq_query q;
    spq_init(&q);
    add_ok(&q, a, "filters", "FirstName==a;LastName==b,Email==c");   /* (a AND b) OR c */
    assert_int_equal(q.ngroups, 2);
    assert_int_equal(q.groups[0].n, 2);
    assert_int_equal(q.groups[0].cmps[0].field, SPQ_F_FIRSTNAME);
    assert_int_equal(q.groups[0].cmps[1].field, SPQ_F_LASTNAME);
    assert_int_equal(q.groups[1].n, 1);
    assert_int_equal(q.groups[1].cmps[0].field, SPQ_F_EMAIL);

    spq_init(&q);
    add_ok(&q, a, "filters", "FirstName==a,LastName==b;Email==c");   /* a OR (b AND c) */
    assert_int_equal(q.ngroups, 2);
    assert_int_equal(q.groups[0].n, 1);
    assert_int_equal(q.groups[1].n, 2);
    assert_int_equal(q.groups[1].cmps[1].field, SPQ_F_EMAIL);

    spq_init(&q);
    add_ok(&q, a, "filters", "FirstName==a AND LastName==b or Email==c Or UserID==d and SMS==true");
    assert_int_equal(q.ngroups, 3);
    assert_int_equal(q.groups[0].n, 2);
    assert_int_equal(q.groups[1].n, 1);
    assert_int_equal(q.groups[2].n, 2);
    assert_string_equal(spq_to_string(a, &q),
                        "filters=FirstName==\"a\";LastName==\"b\",Email==\"c\",UserID==\"d\";"
                        "SMS==\"true\"\nstart=0\nlimit=100\n");
}

static void test_filters_values(void **state)
{
    struct arena *a = *state;
    struct spq_query q;
    spq_init(&q);
    add_ok(&q, a, "filters",
           "LastName==\"O'Brien, Jr.\";FirstName=='say \\'hi\\' \\\\ \"x\"';Email==\"\"");
    const struct spq_cmp *c = q.groups[0].cmps;
    assert_string_equal(c[0].values[0].s, "O'Brien, Jr.");
    assert_string_equal(c[1].values[0].s, "say 'hi' \\ \"x\"");
    assert_int_equal(c[2].values[0].len, 0);
    assert_string_equal(spq_to_string(a, &q),
                        "filters=LastName==\"O'Brien, Jr.\";FirstName==\"say 'hi' \\\\ \\\"x\\\"\";"
                        "Email==\"\"\nstart=0\nlimit=100\n");
    /* lists: quoted and not, spaces; a single value without parentheses */
    spq_init(&q);
    add_ok(&q, a, "filters", "UserStatus=in=( Active , \"On Leave\",x ) ;DGroupID=out=G1");
    c = q.groups[0].cmps;
    assert_int_equal(c[0].nvalues, 3);
    assert_string_equal(c[0].values[0].s, "Active");
    assert_string_equal(c[0].values[1].s, "On Leave");
    assert_string_equal(c[0].values[2].s, "x");
    assert_int_equal(c[1].op, SPQ_OP_OUT);
    assert_int_equal(c[1].nvalues, 1);
    assert_int_equal(q.terms, 2);
    /* unquoted UTF-8 and the characters RSQL leaves unreserved */
    expect_text(a, "filters", "Email==j\xc3\xb6rg+x@example.com;LanguageCode==en-US",
                "filters=Email==\"j\xc3\xb6rg+x@example.com\";LanguageCode==\"en-US\"\n"
                "start=0\nlimit=100\n");
    /* booleans */
    expect_text(a, "filters", "Locked=in=(TRUE,false);Facetime!=True",
                "filters=Locked=in=(\"true\",\"false\");Facetime!=\"true\"\nstart=0\n"
                "limit=100\n");
}

static void test_filters_errors(void **state)
{
    struct arena *a = *state;
    expect_error(a, "filters", "(FirstName==a,LastName==b);Email==c", SPQ_PARENTHESES, 0);
    expect_error(a, "filters", "FirstName==a;(LastName==b)", SPQ_PARENTHESES, 13);
    expect_error(a, "filters", "FirstName==a)", SPQ_PARENTHESES, 12);
    expect_error(a, "filters", "FirstName=like=Jo", SPQ_BAD_OPERATOR, 9);
    expect_error(a, "filters", "FirstName", SPQ_BAD_OPERATOR, 9);
    expect_error(a, "filters", "FirstName:Jo", SPQ_BAD_OPERATOR, 9);
    expect_error(a, "filters", "FirstName=Jo", SPQ_BAD_OPERATOR, 9);
    expect_error(a, "filters", "FirstName==", SPQ_EXPECTED_VALUE, 11);
    expect_error(a, "filters", "FirstName==;LastName==x", SPQ_EXPECTED_VALUE, 11);
    expect_error(a, "filters", "FirstName=in=(a,)", SPQ_EXPECTED_VALUE, 16);
    expect_error(a, "filters", "FirstName==a=b", SPQ_EXPECTED_LOGIC, 12);
    expect_error(a, "filters", "FirstName==Mary Ann", SPQ_EXPECTED_LOGIC, 16);
    expect_error(a, "filters", "FirstName==\"a\"x", SPQ_EXPECTED_LOGIC, 14);
    expect_error(a, "filters", "FirstName==a andLastName==b", SPQ_EXPECTED_LOGIC, 13);
    expect_error(a, "filters", "FirstName==\"abc", SPQ_BAD_QUOTE, 11);
    expect_error(a, "filters", "FirstName=='abc\\'", SPQ_BAD_QUOTE, 11);
    expect_error(a, "filters", "FirstName==(a,b)", SPQ_BAD_LIST, 11);
    expect_error(a, "filters", "FirstName=in=()", SPQ_BAD_LIST, 13);
    expect_error(a, "filters", "FirstName=in=(a,b", SPQ_BAD_LIST, 13);
    expect_error(a, "filters", "FirstName=in=(a b)", SPQ_BAD_LIST, 16);
    expect_error(a, "filters", "SMS=gt=true", SPQ_BAD_BOOLEAN, 3);
    expect_error(a, "filters", "IsMobileWorker<=false", SPQ_BAD_BOOLEAN, 14);
    expect_error(a, "filters", "SMS==maybe", SPQ_BAD_BOOLEAN, 5);
    expect_error(a, "filters", "Locked=in=(true,no)", SPQ_BAD_BOOLEAN, 16);
    expect_error(a, "filters", "Nickname==x", SPQ_UNKNOWN_FIELD, 0);
    expect_error(a, "filters", ";FirstName==a", SPQ_EXPECTED_FIELD, 0);
    expect_error(a, "filters", "FirstName==a;", SPQ_EXPECTED_FIELD, 13);
    expect_error(a, "filters", "FirstName==a, ", SPQ_EXPECTED_FIELD, 14);
    expect_error(a, "filters", "FirstName==a and ", SPQ_EXPECTED_FIELD, 17);
}

static void test_filters_limits(void **state)
{
    struct arena *a = *state;
    char s[1024];
    size_t o = 0;
    o += (size_t)snprintf(s + o, sizeof s - o, "UserID=in=(");
    for (int i = 0; i < SPQ_MAX_VALUES; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "%su%d", i ? "," : "", i);
    snprintf(s + o, sizeof s - o, ")");
    struct spq_query q;
    spq_init(&q);
    add_ok(&q, a, "filters", s);
    assert_int_equal(q.groups[0].cmps[0].nvalues, SPQ_MAX_VALUES);
    size_t at = o + 1;
    snprintf(s + o, sizeof s - o, ",x)");
    expect_error(a, "filters", s, SPQ_TOO_MANY_VALUES, at);

    /* comparisons: SPQ_MAX_TERMS in filters alone, then across filter and filters */
    o = 0;
    for (int i = 0; i < SPQ_MAX_TERMS; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "%sUserID==u%d", i ? "," : "", i);
    spq_init(&q);
    add_ok(&q, a, "filters", s);
    assert_int_equal(q.ngroups, SPQ_MAX_TERMS);
    at = o + 1;
    snprintf(s + o, sizeof s - o, ",SMS==true");
    expect_error(a, "filters", s, SPQ_TOO_MANY_TERMS, at);

    o = 0;
    for (int i = 0; i < 40; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "%sUserID:u%d", i ? "," : "", i);
    spq_init(&q);
    add_ok(&q, a, "filter", s);
    o = 0;
    for (int i = 0; i < SPQ_MAX_TERMS - 40; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "%sEmail==e%d", i ? ";" : "", i);
    struct spq_query q2 = q;
    add_ok(&q2, a, "filters", s);
    assert_int_equal(q2.terms, SPQ_MAX_TERMS);
    snprintf(s + o, sizeof s - o, ";Email==last");
    struct spq_error e;
    q2 = q;
    assert_int_equal(add_n(&q2, a, "filters", s, strlen(s), &e), SPQ_TOO_MANY_TERMS);
    assert_int_equal(e.offset, o + 1);
}

static void test_q(void **state)
{
    struct arena *a = *state;
    struct spq_query q;
    spq_init(&q);
    add_ok(&q, a, "q", "Joh");
    assert_string_equal(q.q, "Joh");
    assert_int_equal(q.qlen, 3);
    for (int f = 0; f < SPQ_F_COUNT; f++)
        assert_int_equal(!!(q.q_fields & (1u << f)), !spq_field_is_bool((enum spq_field)f));
    assert_string_equal(spq_to_string(a, &q), "q=Joh\nstart=0\nlimit=100\n");

    spq_init(&q);
    add_ok(&q, a, "q", "Joh::in:FirstName, lastname,FirstName");
    assert_string_equal(q.q, "Joh");
    assert_int_equal(q.q_fields, (1u << SPQ_F_FIRSTNAME) | (1u << SPQ_F_LASTNAME));
    assert_string_equal(spq_to_string(a, &q), "q=Joh::in:FirstName,LastName\nstart=0\nlimit=100\n");
    expect_text(a, "q", " o'b r::IN:Email", "q= o'b r::in:Email\nstart=0\nlimit=100\n");
    expect_text(a, "q", "100%_\\::in:UserID", "q=100%_\\::in:UserID\nstart=0\nlimit=100\n");
    /* listing every q field is the default */
    expect_text(a, "q", "x::in:DGroupID,Email,FirstName,LanguageCode,LastName,ServiceTeamID,"
                        "StorageLocation,UserID,UserStatus", "q=x\nstart=0\nlimit=100\n");
    /* a term that ends like the marker (no colon after it) stays whole */
    expect_text(a, "q", "ab::in", "q=ab::in\nstart=0\nlimit=100\n");
    expect_text(a, "q", "ab:::in:Email", "q=ab:::in:Email\nstart=0\nlimit=100\n");

    static const char *const bools[] = { "IsMobileWorker", "Locked", "SMS", "Facetime" };
    for (int i = 0; i < 4; i++) {
        char in[64];
        snprintf(in, sizeof in, "x::in:Email,%s", bools[i]);
        expect_error(a, "q", in, SPQ_FIELD_NOT_ALLOWED, 12);
    }
    expect_error(a, "q", "::in:FirstName", SPQ_EMPTY_TERM, 0);
    expect_error(a, "q", "x::in:", SPQ_EXPECTED_FIELD, 6);
    expect_error(a, "q", "x::in:FirstName,", SPQ_EXPECTED_FIELD, 16);
    expect_error(a, "q", "x::in:Nick", SPQ_UNKNOWN_FIELD, 6);
}

static void test_sort(void **state)
{
    struct arena *a = *state;
    struct spq_query q;
    spq_init(&q);
    add_ok(&q, a, "sort", "-LastName, firstname,SMS");
    assert_int_equal(q.nsort, 3);
    assert_int_equal(q.sort[0].field, SPQ_F_LASTNAME);
    assert_true(q.sort[0].desc);
    assert_int_equal(q.sort[1].field, SPQ_F_FIRSTNAME);
    assert_false(q.sort[1].desc);
    assert_int_equal(q.sort[2].field, SPQ_F_SMS);
    assert_string_equal(spq_to_string(a, &q), "sort=-LastName,FirstName,SMS\nstart=0\nlimit=100\n");
    /* "+FirstName" arrives URL-decoded as " FirstName" */
    expect_text(a, "sort", " FirstName,- UserID", "sort=FirstName,-UserID\nstart=0\nlimit=100\n");
    expect_error(a, "sort", "FirstName,-firstname", SPQ_DUPLICATE_SORT, 11);
    expect_error(a, "sort", "WorkCenter", SPQ_UNKNOWN_FIELD, 0);
    expect_error(a, "sort", "-", SPQ_EXPECTED_FIELD, 1);
    expect_error(a, "sort", "FirstName,", SPQ_EXPECTED_FIELD, 10);
    expect_error(a, "sort", "%2BFirstName", SPQ_UNKNOWN_FIELD, 0);
    /* every field may be sorted on, each once */
    char all[512];
    size_t o = 0;
    for (int f = 0; f < SPQ_F_COUNT; f++)
        o += (size_t)snprintf(all + o, sizeof all - o, "%s-%s", f ? "," : "",
                              spq_field_name((enum spq_field)f));
    spq_init(&q);
    add_ok(&q, a, "sort", all);
    assert_int_equal(q.nsort, SPQ_F_COUNT);
}

static void test_start_limit(void **state)
{
    struct arena *a = *state;
    struct spq_query q;
    spq_init(&q);
    add_ok(&q, a, "start", "20");
    add_ok(&q, a, "limit", " 1000 ");
    assert_int_equal(q.start, 20);
    assert_int_equal(q.limit, SPQ_MAX_LIMIT);
    spq_init(&q);
    add_ok(&q, a, "limit", "0");
    add_ok(&q, a, "start", "0001000000000");
    assert_int_equal(q.limit, 0);
    assert_int_equal(q.start, SPQ_MAX_START);
    expect_error(a, "limit", "1001", SPQ_OUT_OF_RANGE, 0);
    expect_error(a, "start", "1000000001", SPQ_OUT_OF_RANGE, 0);
    expect_error(a, "limit", "99999999999999999999999999999", SPQ_OUT_OF_RANGE, 0);
    expect_error(a, "limit", "-1", SPQ_BAD_NUMBER, 0);
    expect_error(a, "limit", "+1", SPQ_BAD_NUMBER, 0);
    expect_error(a, "limit", "1e3", SPQ_BAD_NUMBER, 1);
    expect_error(a, "start", "ten", SPQ_BAD_NUMBER, 0);
    expect_error(a, "start", " ", SPQ_BAD_NUMBER, 1);
    expect_error(a, "start", "1 0", SPQ_BAD_NUMBER, 1);
}

static void test_params(void **state)
{
    struct arena *a = *state;
    struct spq_query q;
    struct spq_error e;
    spq_init(&q);
    /* names ignore case */
    add_ok(&q, a, "Filter", "UserID:a");
    add_ok(&q, a, "SORT", "UserID");
    add_ok(&q, a, "Limit", "5");
    assert_int_equal(q.nfilter, 1);
    assert_int_equal(q.nsort, 1);
    assert_int_equal(q.limit, 5);
    /* others are the caller's, and leave the query alone */
    assert_int_equal(add_n(&q, a, "customerid", "C1", 2, &e), SPQ_NOT_QUERY);
    assert_int_equal(e.status, SPQ_NOT_QUERY);
    assert_int_equal(add_n(&q, a, "filterz", "x", 1, &e), SPQ_NOT_QUERY);
    assert_int_equal(add_n(&q, a, "", "x", 1, &e), SPQ_NOT_QUERY);
    assert_int_equal(spq_add(&q, a, NULL, 0, "x", 1, &e), SPQ_NOT_QUERY);
    /* a repeat is refused */
    e = expect_error(a, "fields", "UserID,Email", SPQ_UNSUPPORTED_PARAM, 0);
    assert_string_equal(e.text, "fields=UserID,Email");
    assert_int_equal(add_n(&q, a, "filter", "UserID:b", 8, &e), SPQ_DUPLICATE);
    assert_string_equal(e.text, "filter=UserID:b");
    assert_int_equal(add_n(&q, a, "limit", "7", 1, &e), SPQ_DUPLICATE);
    assert_int_equal(q.limit, 5);
    /* an empty value is no parameter at all, and does not count as given */
    spq_init(&q);
    add_ok(&q, a, "sort", "");
    add_ok(&q, a, "q", "");
    add_ok(&q, a, "limit", "");
    add_ok(&q, a, "fields", "");
    assert_int_equal(q.nsort, 0);
    assert_null(q.q);
    assert_int_equal(q.limit, SPQ_DEFAULT_LIMIT);
    add_ok(&q, a, "sort", "Email");
    assert_int_equal(q.nsort, 1);
    assert_int_equal(spq_add(&q, a, "q", 1, NULL, 0, &e), SPQ_OK);
}

static void test_text_checks(void **state)
{
    struct arena *a = *state;
    /* SPQ_MAX_LEN bytes: a long term and "::in:Email" */
    char *big = malloc(SPQ_MAX_LEN + 1);
    assert_non_null(big);
    memset(big, 'j', SPQ_MAX_LEN - 10);
    memcpy(big + SPQ_MAX_LEN - 10, "::in:Email", 10);
    struct spq_query q;
    spq_init(&q);
    struct spq_error e;
    assert_int_equal(add_n(&q, a, "q", big, SPQ_MAX_LEN, &e), SPQ_OK);
    assert_int_equal(q.qlen, SPQ_MAX_LEN - 10);
    assert_int_equal(q.q_fields, 1u << SPQ_F_EMAIL);
    big[SPQ_MAX_LEN] = 'l';
    e = expect_error_n(a, "q", big, SPQ_MAX_LEN + 1, SPQ_TOO_LONG, SPQ_MAX_LEN);
    assert_int_equal(strlen(e.text), SPQ_TEXT_MAX + 3);
    free(big);
    expect_error_n(a, "filter", "FirstName:J\xffhn", 14, SPQ_BAD_TEXT, 11);
    expect_error_n(a, "filter", "FirstName:J\xc3", 12, SPQ_BAD_TEXT, 11);
    expect_error_n(a, "filter", "FirstName:J\0hn", 14, SPQ_BAD_TEXT, 11);
    expect_error(a, "filters", "FirstName==\"a\tb\"", SPQ_BAD_TEXT, 13);
    expect_error(a, "q", "a\nb", SPQ_BAD_TEXT, 1);
    expect_error(a, "q", "a\x7f", SPQ_BAD_TEXT, 1);
    expect_error(a, "q", "a\xc2\x85", SPQ_BAD_TEXT, 1);   /* NEL, a C1 control */
    e = expect_error_n(a, "q", "J\xffhn\x01", 5, SPQ_BAD_TEXT, 1);
    assert_string_equal(e.text, "q=J?hn?");
}

/* The text for "Unsupported filter: <text>": whole when short, else from the part at fault,
 * always bounded, whole UTF-8 characters. */
static void test_error_text(void **state)
{
    struct arena *a = *state;
    struct spq_error e = expect_error(a, "filters", "FirstName=like=Jo", SPQ_BAD_OPERATOR, 9);
    assert_string_equal(e.text, "filters=FirstName=like=Jo");
    assert_string_equal(e.msg, "filters: an unsupported operator at byte 9");

    char s[2048];
    size_t o = 0;
    for (int i = 0; i < 30; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "UserID==u%d;", i);
    size_t term = o;
    snprintf(s + o, sizeof s - o, "FirstName=like=Jo;LastName==x");
    e = expect_error(a, "filters", s, SPQ_BAD_OPERATOR, term + 9);
    assert_string_equal(e.text, "filters=...FirstName=like=Jo;LastName==x");

    /* cut at SPQ_TEXT_MAX on a character boundary, marked */
    o = (size_t)snprintf(s, sizeof s, "FirstName=like=");
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "\xe2\x82\xac");
    e = expect_error(a, "filters", s, SPQ_BAD_OPERATOR, 9);
    size_t t = strlen(e.text);
    assert_true(t <= SPQ_TEXT_MAX + 3);
    assert_true(t > SPQ_TEXT_MAX - 4);
    assert_string_equal(e.text + t - 3, "...");
    assert_true(utf8_valid(e.text, t));
    assert_true(strncmp(e.text, "filters=FirstName=like=\xe2\x82\xac", 26) == 0);

    /* the window starts at the part at fault */
    o = 0;
    for (int i = 0; i < 60; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "\xc3\xa9");
    snprintf(s + o, sizeof s - o, "::in:Email,Locked");
    e = expect_error(a, "q", s, SPQ_FIELD_NOT_ALLOWED, o + 11);
    assert_string_equal(e.text, "q=...Locked");

    /* the part at fault is the end of a long value (found by fuzz_sp_query: the window was
     * read from one byte past the value): the text shows the value's last 40 bytes */
    o = 0;
    for (int i = 0; i < 12; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "UserID==u%02d,", i);
    s[o - 1] = ';';
    e = expect_error(a, "filters", s, SPQ_EXPECTED_FIELD, o);
    char want[64];
    snprintf(want, sizeof want, "filters=...%s", s + o - 40);
    assert_string_equal(e.text, want);

    /* every status has words of its own */
    for (int st = SPQ_OK; st <= SPQ_NOMEM; st++) {
        const char *w = spq_status_str((enum spq_status)st);
        assert_string_not_equal(w, "?");
        for (int k = SPQ_OK; k < st; k++)
            assert_string_not_equal(w, spq_status_str((enum spq_status)k));
    }
}

/* A whole request as a ServicePower client would send it, and the printer's round trip. */
static void test_full_query_roundtrip(void **state)
{
    struct arena *a = *state;
    static const char *const params[][2] = {
        { "filter", "DGroupID:North,IsMobileWorker:true" },
        { "filters", "UserStatus=in=(Active,'On Leave') and LanguageCode!=fr-FR or "
                     "Email==\"x@y.z\";Locked==false" },
        { "q", "Joh::in:FirstName,LastName" },
        { "sort", "-LastName,FirstName" },
        { "start", "200" },
        { "limit", "50" },
        { "customerid", "CUST1" },
    };
    struct spq_query q;
    spq_init(&q);
    struct spq_error e;
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        enum spq_status st = add_n(&q, a, params[i][0], params[i][1], strlen(params[i][1]), &e);
        assert_int_equal(st, i == 6 ? SPQ_NOT_QUERY : SPQ_OK);
    }
    char *text = spq_to_string(a, &q);
    assert_string_equal(text,
                        "filter=DGroupID:North,IsMobileWorker:true\n"
                        "filters=UserStatus=in=(\"Active\",\"On Leave\");LanguageCode!=\"fr-FR\","
                        "Email==\"x@y.z\";Locked==\"false\"\n"
                        "q=Joh::in:FirstName,LastName\n"
                        "sort=-LastName,FirstName\n"
                        "start=200\nlimit=50\n");
    assert_int_equal(q.terms, 6);
    /* each line fed back gives the same text */
    struct spq_query r;
    spq_init(&r);
    for (char *line = text; *line != '\0';) {
        char *nl = strchr(line, '\n');
        char *eq = memchr(line, '=', (size_t)(nl - line));
        assert_non_null(eq);
        assert_int_equal(spq_add(&r, a, line, (size_t)(eq - line), eq + 1,
                                 (size_t)(nl - eq - 1), &e),
                         SPQ_OK);
        line = nl + 1;
    }
    assert_string_equal(spq_to_string(a, &r), text);
    assert_string_equal(spq_field_name(SPQ_F_STORAGELOCATION), "StorageLocation");
    assert_string_equal(spq_op_name(SPQ_OP_OUT), "=out=");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_operators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_q, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_query_roundtrip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

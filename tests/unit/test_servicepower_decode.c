/* test_servicepower_decode.c: the ServicePower request decoder without a server: how CUD and
 * Deleted choose the operation, tri-state flags, RestPassword/ResetPassword making Password
 * ignored, trimming, lists and Extensions, unknown properties as warnings, duplicates, limits,
 * the order problems are reported in, and the message texts built from the catalogue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "codec/json_in.h"
#include "core/users_batch.h"
#include "dialect/servicepower/servicepower_internal.h"

static struct arena *a;

static int setup(void **state)
{
    (void)state;
    a = arena_new();
    return a == NULL;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(a);
    return 0;
}

struct decoded {
    json_object *body, *warnings;
    struct batch_user *users;
    size_t n;
    struct sp_problem p;
    int rc;
};

/* The handler decodes the body's text one user at a time (sp_decode_text): on every text
 * json-c takes, it must find exactly what sp_decode finds on the tree. */
static void same_from_text(const char *json, const struct sp_limits *lim,
                           const struct decoded *d)
{
    char msg[128];
    enum json_in_status js;
    json_object *w = json_object_new_array();
    struct batch_user *users = NULL;
    size_t n = 0;
    struct sp_problem p;
    enum sp_decode_status ds = sp_decode_text(a, json, strlen(json), 32, lim, w, &users, &n,
                                              &p, msg, sizeof msg, &js);
    assert_int_equal(ds, d->rc == 0 ? SP_DECODE_OK : SP_DECODE_PROBLEM);
    assert_string_equal(json_object_to_json_string(w), json_object_to_json_string(d->warnings));
    if (d->rc != 0) {
        assert_string_equal(sp_message(a, &p), sp_message(a, &d->p));
        assert_string_equal(p.path, d->p.path);
        assert_string_equal(p.value, d->p.value);
    } else {
        assert_int_equal(n, d->n);
        for (size_t i = 0; i < n; i++) {
            const struct batch_user *x = &users[i], *y = &d->users[i];
            assert_int_equal(x->op, y->op);
            assert_string_equal(x->username, y->username);
            assert_true((x->email == NULL) == (y->email == NULL));
            if (x->email != NULL)
                assert_string_equal(x->email, y->email);
            assert_true((x->password == NULL) == (y->password == NULL));
            assert_int_equal(x->nroles, y->nroles);
            for (size_t k = 0; k < x->nroles; k++)
                assert_string_equal(x->roles[k], y->roles[k]);
            assert_int_equal(x->nphones, y->nphones);
            for (size_t k = 0; k < x->nphones; k++)
                assert_string_equal(x->phones[k].number, y->phones[k].number);
            assert_true((x->extensions_json == NULL) == (y->extensions_json == NULL));
            if (x->extensions_json != NULL)
                assert_string_equal(x->extensions_json, y->extensions_json);
            assert_int_equal(x->active, y->active);
            assert_int_equal(x->reset_password, y->reset_password);
        }
    }
    json_object_put(w);
}

static void decode_lim(const char *json, size_t max_users, size_t string_max,
                       struct decoded *d)
{
    char msg[128];
    struct sp_limits lim = { .max_users = max_users, .string_max = string_max };
    memset(d, 0, sizeof *d);
    assert_int_equal(json_in_parse(json, strlen(json), 32, &d->body, msg, sizeof msg),
                     JSON_IN_OK);
    d->warnings = json_object_new_array();
    d->rc = sp_decode(a, d->body, &lim, d->warnings, &d->users, &d->n, &d->p);
    same_from_text(json, &lim, d);
}

static void decode(const char *json, struct decoded *d)
{
    decode_lim(json, 10000, 1024, d);
}

static void done(struct decoded *d)
{
    json_object_put(d->body);
    json_object_put(d->warnings);
}

/* Expects a problem: its full message, dataPath and value. */
static void expect_problem(const char *json, const char *message, const char *path,
                           const char *value)
{
    struct decoded d;
    decode(json, &d);
    assert_int_equal(d.rc, -1);
    assert_string_equal(sp_message(a, &d.p), message);
    assert_string_equal(d.p.path, path);
    assert_string_equal(d.p.value, value);
    done(&d);
}

static void test_operations(void **state)
{
    (void)state;
    struct decoded d;
    decode("{\"Users\":[{\"UserID\":\"a\"},{\"UserID\":\"b\",\"CUD\":1},"
           "{\"UserID\":\"c\",\"CUD\":2},{\"UserID\":\"d\",\"CUD\":3},"
           "{\"UserID\":\"e\",\"Deleted\":true},{\"UserID\":\"f\",\"Deleted\":false},"
           "{\"UserID\":\"g\",\"CUD\":3,\"Deleted\":true},{\"UserID\":\"h\",\"CUD\":null}]}",
           &d);
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.n, 8);
    static const enum batch_op want[] = { BATCH_UPSERT, BATCH_INSERT, BATCH_UPSERT,
                                          BATCH_DELETE, BATCH_DELETE, BATCH_UPSERT,
                                          BATCH_DELETE, BATCH_UPSERT };
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(d.users[i].op, want[i]);
    assert_int_equal(json_object_array_length(d.warnings), 0);
    done(&d);
    expect_problem("{\"Users\":[{\"UserID\":\"a\",\"CUD\":1,\"Deleted\":true}]}",
                   "Deleted contradicts CUD", "Users[0].Deleted", "true");
    expect_problem("{\"Users\":[{\"UserID\":\"a\",\"Deleted\":false,\"CUD\":3}]}",
                   "Deleted contradicts CUD", "Users[0].Deleted", "false");
    expect_problem("{\"Users\":[{\"UserID\":\"a\",\"CUD\":0}]}",
                   "CUD must be 1 (insert), 2 (update or insert) or 3 (delete)",
                   "Users[0].CUD", "0");
}

static void test_values_and_flags(void **state)
{
    (void)state;
    struct decoded d;
    decode("{\"Users\":[{\"UserID\":\"u1\",\"FirstName\":\"Ann\","
           "\"Email\":\"  Ann@Example.COM\\t\","
           "\"Password\":\"pw pw pw\",\"Activated\":false,\"Locked\":true,\"SMS\":false,"
           "\"LanguageCode\":\"pt_BR\",\"Roles\":[\"Resource\",\"x\"],"
           "\"Phones\":[{\"PhoneNum\":\"+44 20 7946 0958\"},"
           "{\"PhoneNum\":\"1\",\"PhoneType\":\"Home\"}],"
           "\"Extensions\":{\"a\":[1,{\"b\":null}],\"url\":\"http://x/y\"}},"
           "{\"UserID\":\"u2\"}]}", &d);
    assert_int_equal(d.rc, 0);
    const struct batch_user *u = &d.users[0];
    assert_string_equal(u->username, "u1");
    assert_string_equal(u->first_name, "Ann");
    assert_null(u->last_name);
    assert_string_equal(u->email, "Ann@Example.COM");
    assert_string_equal(u->password, "pw pw pw");
    assert_false(u->reset_password);
    assert_int_equal(u->active, BATCH_FALSE);
    assert_int_equal(u->locked, BATCH_TRUE);
    assert_int_equal(u->sms_enabled, BATCH_FALSE);
    assert_int_equal(u->facetime_enabled, BATCH_UNSET);
    assert_int_equal(u->mobile_worker, BATCH_UNSET);
    assert_string_equal(u->language_code, "pt_BR");
    assert_int_equal(u->set_roles, 1);
    assert_int_equal(u->nroles, 2);
    assert_string_equal(u->roles[1], "x");
    assert_int_equal(u->set_phones, 1);
    assert_int_equal(u->nphones, 2);
    assert_null(u->phones[0].type);
    assert_string_equal(u->phones[1].type, "Home");
    assert_string_equal(u->extensions_json, "{\"a\":[1,{\"b\":null}],\"url\":\"http://x/y\"}");
    /* the second user: nothing but the key, everything unchanged */
    u = &d.users[1];
    assert_int_equal(u->set_roles, 0);
    assert_int_equal(u->set_phones, 0);
    assert_null(u->extensions_json);
    assert_null(u->email);
    assert_int_equal(u->active, BATCH_UNSET);
    done(&d);
}

static void test_reset_ignores_password(void **state)
{
    (void)state;
    struct decoded d;
    decode("{\"Users\":[{\"UserID\":\"a\",\"RestPassword\":true,\"Password\":42},"
           "{\"UserID\":\"b\",\"ResetPassword\":true,\"RestPassword\":false,\"Password\":\"p\"},"
           "{\"UserID\":\"c\",\"ResetPassword\":false,\"Password\":\"pass word\"}]}", &d);
    assert_int_equal(d.rc, 0);
    assert_true(d.users[0].reset_password);
    assert_null(d.users[0].password);
    assert_true(d.users[1].reset_password);
    assert_null(d.users[1].password);
    assert_false(d.users[2].reset_password);
    assert_string_equal(d.users[2].password, "pass word");
    done(&d);
    /* a password is never echoed */
    expect_problem("{\"Users\":[{\"UserID\":\"a\",\"Password\":\"bad\\u0001pw\"}]}",
                   "Password must be text without control characters, of 1 to 256 bytes",
                   "Users[0].Password", "");
}

/* The structural password rules (lib/base/pwrule.c): blank, invisible or short passwords are 400 at
 * Users[i].Password, never echoed; the dictionary is the tenant's choice, not the decoder's. */
static void test_password_rules(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "        ", "\\u200b\\u200b\\u200b\\u200b\\u200b\\u200b\\u200b\\u200b",
        "\\u00a0\\u2060\\ufeff\\u00ad\\u200c\\u200d\\u3000\\u2003", "1234567",
        "  abcdefg  ", "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9",
    };
    char body[256];
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"Users\":[{\"UserID\":\"ok\",\"Password\":\"correct horse\"},"
                 "{\"UserID\":\"a\",\"Password\":\"%s\"}]}", refused[i]);
        expect_problem(body, "Password must have at least 8 characters, not counting invisible "
                             "ones or spaces at either end", "Users[1].Password", "");
    }
    struct decoded d;
    decode("{\"Users\":[{\"UserID\":\"a\",\"Password\":\"12345678\"},"
           "{\"UserID\":\"b\",\"Password\":"
           "\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"},"
           "{\"UserID\":\"c\",\"ResetPassword\":true,\"Password\":\"   \"}]}", &d);
    assert_int_equal(d.rc, 0);
    assert_string_equal(d.users[0].password, "12345678");
    assert_string_equal(d.users[1].password,
                        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    assert_null(d.users[2].password);   /* a reset ignores Password, whatever it holds */
    done(&d);
}

static void test_warnings(void **state)
{
    (void)state;
    struct decoded d;
    decode("{\"Users\":[{\"UserID\":\"a\",\"userid\":1,\"Phones\":[{\"PhoneNum\":\"1\",\"X\":2}]}],"
           "\"More\":true}", &d);
    assert_int_equal(d.rc, 0);
    assert_string_equal(json_object_to_json_string_ext(d.warnings, JSON_C_TO_STRING_PLAIN),
                        "[{\"message\":\"Unknown property ignored\",\"params\":{\"value\":"
                        "\"More\"},\"dataPath\":\"More\"},{\"message\":\"Unknown property "
                        "ignored\",\"params\":{\"value\":\"userid\"},\"dataPath\":\"Users[0]."
                        "userid\"},{\"message\":\"Unknown property ignored\",\"params\":{"
                        "\"value\":\"X\"},\"dataPath\":\"Users[0].Phones[0].X\"}]");
    done(&d);
}

static void test_duplicates(void **state)
{
    (void)state;
    expect_problem("{\"Users\":[{\"UserID\":\"a\"},{\"UserID\":\"b\"},{\"UserID\":\"a\"}]}",
                   "UserID appears more than once in the request", "Users[2].UserID", "a");
    /* UserIDs are exact: case matters */
    struct decoded d;
    decode("{\"Users\":[{\"UserID\":\"a\"},{\"UserID\":\"A\"}]}", &d);
    assert_int_equal(d.rc, 0);
    done(&d);
    expect_problem("{\"Users\":[{\"UserID\":\"a\",\"Email\":\"X@y.com\"},"
                   "{\"UserID\":\"b\",\"Email\":\" x@Y.COM\"}]}",
                   "Email appears more than once in the request", "Users[1].Email", "x@Y.COM");
    /* a deleted user's email does not count */
    decode("{\"Users\":[{\"UserID\":\"a\",\"Email\":\"x@y.com\",\"CUD\":3},"
           "{\"UserID\":\"b\",\"Email\":\"x@y.com\"}]}", &d);
    assert_int_equal(d.rc, 0);
    done(&d);
}

static void test_order_and_limits(void **state)
{
    (void)state;
    /* the first bad user wins; within a user, the table order (UserID, CUD, ... FirstName) */
    expect_problem("{\"Users\":[{\"UserID\":\"a\"},{\"FirstName\":1,\"CUD\":9},{\"UserID\":7}]}",
                   "UserID is required", "Users[1].UserID", "");
    expect_problem("{\"Users\":[{\"UserID\":\"a\",\"FirstName\":1,\"CUD\":9}]}",
                   "CUD must be 1 (insert), 2 (update or insert) or 3 (delete)",
                   "Users[0].CUD", "9");
    expect_problem("{\"Users\":[{\"UserID\":\"a\",\"Roles\":[\"r\",null]}]}",
                   "Roles[1] must be a string", "Users[0].Roles[1]", "null");
    expect_problem("{\"Users\":[{\"UserID\":\"a\",\"Phones\":[{\"PhoneNum\":\"1\"},[]]}]}",
                   "Phones[1] must be an object", "Users[0].Phones[1]", "[]");
    struct decoded d;
    decode_lim("{\"Users\":[{\"UserID\":\"a\"},{\"UserID\":\"b\"},{\"UserID\":\"c\"}]}", 2, 1024,
               &d);
    assert_int_equal(d.rc, -1);
    assert_int_equal(sp_status(d.p.msg), 400);
    assert_string_equal(sp_message(a, &d.p), "Too many users in one request; the limit is 2");
    assert_string_equal(d.p.path, "Users");
    assert_string_equal(d.p.value, "3");
    done(&d);
    /* limits.string_bytes below a property's own bound applies */
    decode_lim("{\"Users\":[{\"UserID\":\"a\",\"FirstName\":\"0123456789A\"}]}", 10, 10, &d);
    assert_int_equal(d.rc, -1);
    assert_string_equal(sp_message(a, &d.p),
                        "FirstName must be text without control characters, of 1 to 10 bytes");
    done(&d);
    expect_problem("[]", "The request body must be a JSON object with a Users array", "", "");
}

/* Text that fills a column is bounded in characters (core/limits.h), whatever its bytes: a
 * FirstName of 255 two-byte characters (510 bytes) is taken, 256 are not; a UserID of 255
 * four-byte characters (1 020 bytes) too. limits.string_bytes still caps the bytes. */
static void test_lengths_in_characters(void **state)
{
    (void)state;
    char name[4 * 257 + 1], json[4 * 257 + 128];
    size_t o = 0;
    for (int i = 0; i < 255; i++)
        o += (size_t)snprintf(name + o, sizeof name - o, "\xc3\xa9");   /* U+00E9 */
    struct decoded d;
    snprintf(json, sizeof json, "{\"Users\":[{\"UserID\":\"u\",\"FirstName\":\"%s\"}]}", name);
    decode(json, &d);
    assert_int_equal(d.rc, 0);
    assert_string_equal(d.users[0].first_name, name);
    assert_int_equal(strlen(d.users[0].first_name), 510);
    done(&d);
    snprintf(json, sizeof json, "{\"Users\":[{\"UserID\":\"u\",\"LastName\":\"%s\xc3\xa9\"}]}",
             name);
    decode(json, &d);
    assert_int_equal(d.rc, -1);
    assert_string_equal(d.p.path, "Users[0].LastName");
    assert_string_equal(sp_message(a, &d.p),
                        "LastName must be text without control characters, of 1 to 255 bytes");
    done(&d);
    o = 0;
    for (int i = 0; i < 255; i++)
        o += (size_t)snprintf(name + o, sizeof name - o, "\xf0\x9f\x98\x80");   /* U+1F600 */
    snprintf(json, sizeof json, "{\"Users\":[{\"UserID\":\"%s\"}]}", name);
    decode(json, &d);
    assert_int_equal(d.rc, 0);
    assert_int_equal(strlen(d.users[0].username), 1020);
    done(&d);
    /* the same UserID under limits.string_bytes = 1000 */
    decode_lim(json, 10, 1000, &d);
    assert_int_equal(d.rc, -1);
    assert_string_equal(d.p.path, "Users[0].UserID");
    done(&d);
}

/* What only the text walk meets: duplicate Users keys, texts json-c refuses, the allowance
 * bounding one user rather than the batch, and strings that outlive the element's tree. */
static void test_from_text(void **state)
{
    (void)state;
    struct sp_limits lim = { .max_users = 10, .string_max = 1024 };
    char msg[128];
    enum json_in_status js;
    struct batch_user *u;
    size_t n;
    struct sp_problem p;
    json_object *w = json_object_new_array();
#define TEXT(s) sp_decode_text(a, s, strlen(s), 32, &lim, w, &u, &n, &p, msg, sizeof msg, &js)
    /* json-c keeps the last Users; an earlier one is still checked */
    assert_int_equal(TEXT("{\"Users\":5,\"Users\":[{\"UserID\":\"b\"}]}"), SP_DECODE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(u[0].username, "b");
    assert_int_equal(TEXT("{\"Users\":[{\"UserID\":01}],\"Users\":[]}"), SP_DECODE_JSON);
    assert_int_equal(js, JSON_IN_SYNTAX);
    assert_int_equal(TEXT("{\"Users\":null}"), SP_DECODE_PROBLEM);
    assert_int_equal(p.msg, SP_USERS_REQUIRED);
    assert_int_equal(TEXT("{\"U\\u0073ers\":{}}"), SP_DECODE_PROBLEM);
    assert_int_equal(p.msg, SP_USERS_TYPE);
    /* a malformed element wins over a problem in an earlier user, as in the whole parse; its
     * message is the whole text's, with the offset in the body */
    assert_int_equal(TEXT("{\"Users\":[{\"CUD\":1},{\"UserID\":tru}]}"), SP_DECODE_JSON);
    assert_int_equal(js, JSON_IN_SYNTAX);
    assert_non_null(strstr(msg, "byte"));
    assert_int_equal(TEXT("{\"Users\":[{\"UserID\":\"a\"}]} x"), SP_DECODE_JSON);
    assert_int_equal(TEXT("\xef\xbb\xbf{\"Users\":[{\"UserID\":\"a\"}]}"), SP_DECODE_JSON);
    assert_int_equal(TEXT("{\"Users\":[{\"UserID\":\"a\\u0000\"}]}"), SP_DECODE_JSON);
    assert_int_equal(js, JSON_IN_NUL);
    assert_int_equal(TEXT("{\"Users\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" /* 33 deep */
                          "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"),
                     SP_DECODE_JSON);
    assert_int_equal(js, JSON_IN_DEPTH);
    /* too many users is found after every element parsed: a malformed one still wins */
    lim.max_users = 1;
    assert_int_equal(TEXT("{\"Users\":[{},{\"UserID\":-}]}"), SP_DECODE_JSON);
    assert_int_equal(TEXT("{\"Users\":[{},{}]}"), SP_DECODE_PROBLEM);
    assert_int_equal(p.msg, SP_USERS_TOO_MANY);
    lim.max_users = 10;
    /* the allowance bounds one user: three users of weight 19 each within 40, the batch not
     * (the whole tree, 8 + 1 + 3 + 3 x 19 = 69, would be refused); the other members keep
     * their weight */
    const char *three = "{\"Users\":[{\"UserID\":\"a\",\"Roles\":[\"r\"]},"
                        "{\"UserID\":\"b\",\"Roles\":[\"r\"]},{\"UserID\":\"c\",\"Roles\":[\"r\"]}]}";
    json_in_set_allowance(40);
    assert_int_equal(TEXT(three), SP_DECODE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(u[2].roles[0], "r");
    assert_int_equal(json_in_allowance(), 40 - 8 - 1 - 3);
    json_object *tree = NULL;
    json_in_set_allowance(40);
    assert_int_equal(json_in_parse(three, strlen(three), 32, &tree, msg, sizeof msg),
                     JSON_IN_TOO_MANY);
    json_in_set_allowance(14);
    assert_int_equal(TEXT("{\"x\":[1,2,3,4],\"Users\":[{}]}"), SP_DECODE_JSON);
    assert_int_equal(js, JSON_IN_TOO_MANY);
    json_in_set_allowance(SIZE_MAX);
#undef TEXT
    json_object_put(w);
}

static void test_statuses(void **state)
{
    (void)state;
    assert_int_equal(sp_status(SP_USER_EXISTS), 409);
    assert_int_equal(sp_status(SP_EMAIL_TAKEN), 409);
    assert_int_equal(sp_status(SP_UNKNOWN_ROLE), 400);
    assert_int_equal(sp_status(SP_JWT_ALG), 401);
    assert_int_equal(sp_status(SP_DB_DOWN), 503);
    assert_int_equal(sp_status(SP_OK), 200);
    struct sp_problem p = { .msg = SP_USER_EXISTS, .field = "UserID" };
    assert_string_equal(sp_message(a, &p), "UserID already exists");
    p.msg = SP_UNKNOWN_ROLE;   /* not prefixed with the field */
    assert_string_equal(sp_message(a, &p), "Unknown role");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operations),
        cmocka_unit_test(test_values_and_flags),
        cmocka_unit_test(test_reset_ignores_password),
        cmocka_unit_test(test_password_rules),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_order_and_limits),
        cmocka_unit_test(test_lengths_in_characters),
        cmocka_unit_test(test_from_text),
        cmocka_unit_test(test_statuses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

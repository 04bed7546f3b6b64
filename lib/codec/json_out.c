/* json_out.c: the checked adds of json_out.h, the one place where a freshly allocated json-c
 * value goes into a container. Owns no state; never parses and never writes text. */
#include "codec/json_out.h"

#include <limits.h>
#include <string.h>

int jo_add(json_object *o, const char *key, json_object *v)
{
    if (o == NULL || v == NULL || json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

void jo_replace(json_object *o, const char *key, json_object *v)
{
    if (v == NULL || o == NULL || !json_object_object_get_ex(o, key, NULL) ||
        json_object_object_add(o, key, v) != 0)
        json_object_put(v);
}

int jo_null(json_object *o, const char *key)
{
    if (o == NULL || json_object_object_add(o, key, NULL) != 0)
        return -1;
    return 0;
}

int jo_str(json_object *o, const char *key, const char *s)
{
    if (s == NULL)
        return jo_null(o, key);
    return jo_add(o, key, json_object_new_string(s));
}

int jo_str_opt(json_object *o, const char *key, const char *s)
{
    if (o == NULL)
        return -1;
    return s != NULL ? jo_str(o, key, s) : 0;
}

static json_object *new_strn(const char *s, size_t n)
{
    if (s == NULL || n > INT_MAX)
        return NULL;
    return json_object_new_string_len(s, (int)n);
}

int jo_strn(json_object *o, const char *key, const char *s, size_t n)
{
    return jo_add(o, key, new_strn(s, n));
}

int jo_int(json_object *o, const char *key, int64_t v)
{
    return jo_add(o, key, json_object_new_int64(v));
}

int jo_bool(json_object *o, const char *key, int v)
{
    return jo_add(o, key, json_object_new_boolean(v != 0));
}

static char failed_mark;

void jo_mark_failed(json_object *o)
{
    if (o != NULL)
        json_object_set_userdata(o, &failed_mark, NULL);
}

int jo_failed(json_object *o)
{
    return o == NULL || json_object_get_userdata(o) == &failed_mark;
}

int ja_add(json_object *a, json_object *v)
{
    if (a == NULL || v == NULL || json_object_array_add(a, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

int ja_str(json_object *a, const char *s)
{
    return ja_add(a, s != NULL ? json_object_new_string(s) : NULL);
}

int ja_strn(json_object *a, const char *s, size_t n)
{
    return ja_add(a, new_strn(s, n));
}

int ja_int(json_object *a, int64_t v)
{
    return ja_add(a, json_object_new_int64(v));
}

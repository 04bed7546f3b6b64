/* json_out.h: json-c trees built with every allocation checked. Each helper creates one value
 * and adds it to an object (jo_*) or an array (ja_*), and returns 0, or -1 when the container
 * is NULL (its own allocation failed), the value could not be allocated or the add failed; the
 * value is then released, never left half-owned. A builder ORs the results of its adds
 * (`bad |= jo_str(...)`) and fails as a whole when any was -1, so an out-of-memory NULL is
 * never written out as a JSON null. Never used for parsing (json_in.h). */
#ifndef PROV_JSON_OUT_H
#define PROV_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/* Adds v (ownership passes) under key; v NULL counts as a failed allocation. */
int jo_add(json_object *o, const char *key, json_object *v);
/* Adds a JSON null under key, on purpose. */
int jo_null(json_object *o, const char *key);
/* Adds the string s under key; s NULL adds a JSON null. */
int jo_str(json_object *o, const char *key, const char *s);
/* Adds the string s under key when s is not NULL; nothing (and 0) when it is. */
int jo_str_opt(json_object *o, const char *key, const char *s);
/* Adds the first n bytes of s as a string. */
int jo_strn(json_object *o, const char *key, const char *s, size_t n);
int jo_int(json_object *o, const char *key, int64_t v);
int jo_bool(json_object *o, const char *key, int v);

/* Puts v (ownership passes) in place of the member key, which must exist: a replacement
 * allocates nothing, so it cannot fail (v is released if it ever did, the old value kept).
 * v NULL (its allocation failed) leaves the member as it was, for the checks to judge. */
void jo_replace(json_object *o, const char *key, json_object *v);

/* Appends v (ownership passes); v NULL counts as a failed allocation. */
int ja_add(json_object *a, json_object *v);
/* Appends the string s (s must not be NULL). */
int ja_str(json_object *a, const char *s);
int ja_strn(json_object *a, const char *s, size_t n);
int ja_int(json_object *a, int64_t v);

/* A sticky mark on a container that many callers fill (a list of warnings): one whose add
 * failed is marked, and whoever answers with it checks the mark instead of every caller
 * passing the failure up. The mark lives in the json-c object (its user data, never
 * serialised); o may be NULL (jo_failed(NULL) is 1). */
void jo_mark_failed(json_object *o);
int jo_failed(json_object *o);

#endif

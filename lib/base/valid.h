/* valid.h: format validators for single values, shared by every dialect. Each takes the n bytes
 * at s (UTF-8 already checked) and returns 1 when the value is acceptable, else 0. */
#ifndef PROV_VALID_H
#define PROV_VALID_H

#include <stddef.h>

enum { EMAIL_MAX = 254, EMAIL_LOCAL_MAX = 64 };

/* dot-atom local part of [A-Za-z0-9_!#$%&'*+/=?^`{|}~-] runs, '@', then a domain of at least
 * two dot-separated labels ([A-Za-z0-9-], no leading/trailing '-') or a bracketed IPv4. */
int valid_email(const char *s, size_t n);
/* ^[a-zA-Z0-9_-]{1,50}$ (SOAJS username) */
int valid_username(const char *s, size_t n);
/* exactly 24 hex digits */
int valid_oid(const char *s, size_t n);
/* 1..18 decimal digits without sign or leading '+' (fits a positive long long) */
int valid_digits(const char *s, size_t n);
/* parses valid_digits text into *v; returns 1 or 0 */
int parse_digits(const char *s, size_t n, long long *v);
/* RFC 4122 textual UUID (any version), case-insensitive */
int valid_uuid(const char *s, size_t n);

#endif

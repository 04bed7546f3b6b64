/* valid.c: value-format validators. Pure functions over byte ranges; no allocation, no locale. */
#include "base/valid.h"

#include <string.h>

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_atext(char c)
{
    return is_alnum(c) || (c != '\0' && strchr("_!#$%&'*+/=?^`{|}~-", c) != NULL);
}

static int valid_local(const char *s, size_t n)
{
    if (n == 0 || n > EMAIL_LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.')
                return 0;
        } else if (!is_atext(s[i])) {
            return 0;
        }
    }
    return 1;
}

static int valid_ipv4_literal(const char *s, size_t n)
{
    if (n < 9 || s[0] != '[' || s[n - 1] != ']')
        return 0;
    s++;
    n -= 2;
    int parts = 0;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        unsigned v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
            return 0;
        parts++;
        if (i < n) {
            if (s[i] != '.' || parts == 4)
                return 0;
            i++;
            if (i == n)
                return 0;
        }
    }
    return parts == 4;
}

static int valid_domain(const char *s, size_t n)
{
    if (n > 0 && s[0] == '[')
        return valid_ipv4_literal(s, n);
    int labels = 0;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && s[i] != '.') {
            if (!is_alnum(s[i]) && s[i] != '-')
                return 0;
            i++;
        }
        size_t len = i - start;
        if (len == 0 || len > 63 || s[start] == '-' || s[i - 1] == '-')
            return 0;
        labels++;
        if (i < n) {
            i++;
            if (i == n)
                return 0;   /* trailing dot */
        }
    }
    return labels >= 2;
}

int valid_email(const char *s, size_t n)
{
    if (n == 0 || n > EMAIL_MAX)
        return 0;
    const char *at = memchr(s, '@', n);
    if (at == NULL)
        return 0;
    size_t ln = (size_t)(at - s);
    return valid_local(s, ln) && valid_domain(at + 1, n - ln - 1);
}

int valid_username(const char *s, size_t n)
{
    if (n == 0 || n > 50)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

static int is_hexdigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int valid_oid(const char *s, size_t n)
{
    if (n != 24)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_hexdigit(s[i]))
            return 0;
    return 1;
}

int valid_digits(const char *s, size_t n)
{
    if (n == 0 || n > 18)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int parse_digits(const char *s, size_t n, long long *v)
{
    if (!valid_digits(s, n))
        return 0;
    long long x = 0;
    for (size_t i = 0; i < n; i++)
        x = x * 10 + (s[i] - '0');
    *v = x;
    return 1;
}

int valid_uuid(const char *s, size_t n)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!is_hexdigit(s[i])) {
            return 0;
        }
    }
    return 1;
}

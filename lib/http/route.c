/* route.c: matching request paths against route patterns. Pure string work, no allocation. */
#include "http/route.h"

#include <stdio.h>
#include <string.h>

/* Walks pattern and path segment by segment; for "{}" segments, records the i-th match. */
static int match(const char *pat, const char *path, unsigned want, const char **seg,
                 size_t *seglen)
{
    unsigned idx = 0;
    for (;;) {
        if (*pat != '/' || *path != '/')
            return *pat == '\0' && *path == '\0';
        pat++;
        path++;
        size_t pl = strcspn(pat, "/"), sl = strcspn(path, "/");
        if (pl == 2 && memcmp(pat, "{}", 2) == 0) {
            if (sl == 0)
                return 0;
            if (idx++ == want && seg != NULL) {
                *seg = path;
                *seglen = sl;
            }
        } else if (pl != sl || memcmp(pat, path, pl) != 0) {
            return 0;
        }
        pat += pl;
        path += sl;
    }
}

int route_match(const char *pattern, const char *path)
{
    return match(pattern, path, 0, NULL, NULL);
}

int route_param(const char *pattern, const char *path, unsigned i, char *out, size_t outlen)
{
    const char *seg = NULL;
    size_t len = 0;
    if (!match(pattern, path, i, &seg, &len) || seg == NULL || len >= outlen)
        return -1;
    memcpy(out, seg, len);
    out[len] = '\0';
    return 0;
}

static size_t common_prefix(const char *a, const char *b)
{
    size_t n = 0;
    while (a[n] != '\0' && a[n] == b[n])
        n++;
    return n;
}

enum route_status route_find(const struct route *routes, size_t n, const char *method,
                             const char *path, const struct route **found, char *allow,
                             size_t allowlen)
{
    const struct route *path_match = NULL;
    size_t used = 0;
    allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!route_match(routes[i].pattern, path))
            continue;
        if (strcmp(routes[i].method, method) == 0) {
            *found = &routes[i];
            return ROUTE_OK;
        }
        if (path_match == NULL)
            path_match = &routes[i];
        if (strstr(allow, routes[i].method) == NULL) {
            int k = snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "",
                             routes[i].method);
            if (k > 0 && (size_t)k < allowlen - used)
                used += (size_t)k;
        }
    }
    if (path_match != NULL) {
        *found = path_match;
        return ROUTE_BAD_METHOD;
    }
    size_t best = 0;
    *found = n > 0 ? &routes[0] : NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k = common_prefix(routes[i].pattern, path);
        if (k > best) {
            best = k;
            *found = &routes[i];
        }
    }
    return ROUTE_NOT_FOUND;
}

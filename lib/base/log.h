/* log.h: the service's log lines, written to stderr (the web server's error log): one line per
 * request, plus internal errors tagged with the request id. User text is escaped; callers must
 * never pass a password, token, pin or secret. */
#ifndef PROV_LOG_H
#define PROV_LOG_H

#include <stddef.h>

struct log_request {
    const char *request_id;
    const char *tenant;     /* tenant oid or NULL before authentication */
    const char *method;
    const char *path;
    int status;
    double duration_ms;
};

/* The program name shown in log lines (borrowed, static storage). */
void log_set_program(const char *name);
void log_request(const struct log_request *r);
/* An internal error: "error rid=<rid> <message>"; rid may be NULL. */
void log_error(const char *rid, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies s into out (size outlen) with anything outside printable ASCII escaped as \xHH,
 * quotes and backslashes escaped, truncated with "..." when too long. */
void log_escape(const char *s, size_t n, char *out, size_t outlen);

#endif

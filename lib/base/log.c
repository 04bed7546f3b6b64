/* log.c: single-line, escaped log records on stderr. One write(2) per line so lines from
 * several FastCGI processes sharing the error log do not interleave. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *program = "provision";

void log_set_program(const char *name)
{
    program = name;
}

void log_escape(const char *s, size_t n, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (outlen == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[4];
        size_t k;
        if (c == '"' || c == '\\') {
            tmp[0] = '\\'; tmp[1] = (char)c; k = 2;
        } else if (c < 0x20 || c >= 0x7f) {
            tmp[0] = '\\'; tmp[1] = 'x'; tmp[2] = hex[c >> 4]; tmp[3] = hex[c & 15]; k = 4;
        } else {
            tmp[0] = (char)c; k = 1;
        }
        if (o + k + 4 >= outlen) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, tmp, k);
        o += k;
    }
    out[o] = '\0';
}

static void timestamp(char *out, size_t n)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, n - k, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

static void emit(const char *line, size_t len)
{
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, line, len);
        if (w <= 0)
            return;
        line += w;
        len -= (size_t)w;
    }
}

void log_request(const struct log_request *r)
{
    char ts[40], path[512], line[1024];
    timestamp(ts, sizeof ts);
    log_escape(r->path ? r->path : "", r->path ? strlen(r->path) : 0, path, sizeof path);
    int n = snprintf(line, sizeof line,
                     "%s %s request rid=%s tenant=%s method=%s path=\"%s\" status=%d ms=%.2f\n",
                     ts, program, r->request_id ? r->request_id : "-",
                     r->tenant ? r->tenant : "-", r->method ? r->method : "-", path, r->status,
                     r->duration_ms);
    if (n > 0)
        emit(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void log_error(const char *rid, const char *fmt, ...)
{
    char ts[40], msg[768], esc[1024], line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_escape(msg, strlen(msg), esc, sizeof esc);
    timestamp(ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s %s error rid=%s %s\n", ts, program,
                     rid ? rid : "-", esc);
    if (n > 0)
        emit(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

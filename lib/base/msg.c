/* msg.c: bounded, UTF-8-safe formatting of client-facing error messages. */
#include "base/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

void msg_set(char *msg, size_t msglen, const char *fmt, ...)
{
    if (msg == NULL || msglen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    if (n < 0) {
        msg[0] = '\0';
        return;
    }
    if ((size_t)n >= msglen) {
        size_t len = strlen(msg);
        for (int k = 0; k < 3 && len > 0 && !utf8_valid(msg, len); k++)
            msg[--len] = '\0';
    }
}

/* mail_message.c: headers and body of one outgoing message. The header set is fixed; values
 * are either checked here (addresses, the Message-ID) or encoded (names, subject), and the
 * body is text/plain in UTF-8, as it is when that is safe, else quoted-printable. Never reads
 * the database or runs anything. */
#include "codec/mail_message.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "base/valid.h"
#include "codec/qp.h"
#include "codec/rfc2047.h"

enum { BODY_LINE_MAX = 998 };

static int address_ok(const char *a)
{
    return a != NULL && valid_email(a, strlen(a));
}

/* "Name: phrase <addr>", folding before the address when the line would grow too long. */
static int put_address(struct buf *b, const char *field, const char *name, const char *addr)
{
    buf_printf(b, "%s: ", field);
    size_t col = strlen(field) + 2;
    size_t before = b->len;
    long end = name != NULL ? rfc2047_encode(b, name, strlen(name), col, RFC2047_PHRASE)
                            : (long)col;
    if (end < 0)
        return -1;
    if (b->len == before) {
        buf_printf(b, "%s\n", addr);   /* no name: the bare address */
        return b->failed ? -1 : 0;
    }
    if ((size_t)end + 3 + strlen(addr) > RFC2047_LINE_MAX)
        buf_printf(b, "\n <%s>\n", addr);
    else
        buf_printf(b, " <%s>\n", addr);
    return b->failed ? -1 : 0;
}

/* The transfer encoding the body can travel in as it is: "7bit" for plain ASCII text, "8bit"
 * for UTF-8 text (RFC 6152; an MTA relaying to a server without 8BITMIME converts it), or NULL
 * when it needs quoted-printable: a control character other than TAB, a CR, malformed UTF-8,
 * a line over 998 bytes (RFC 5322 section 2.1.1), or a line starting with "." or "From "
 * (which SMTP or mbox could alter). Plain bodies stay readable and their links unbroken. */
static const char *plain_encoding(const char *s, size_t n)
{
    int ascii = 1;
    size_t line = 0;
    if (!utf8_valid(s, n) || text_check(s, n, TEXT_MULTI_LINE) != TEXT_OK ||
        memchr(s, '\r', n) != NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (line == 0 && (s[i] == '.' || (n - i >= 5 && memcmp(s + i, "From ", 5) == 0)))
            return NULL;
        if ((unsigned char)s[i] >= 0x80)
            ascii = 0;
        line = s[i] == '\n' ? 0 : line + 1;
        if (line > BODY_LINE_MAX)
            return NULL;
    }
    return ascii ? "7bit" : "8bit";
}

static int id_ok(const char *s)
{
    return s != NULL && *s != '\0' && strlen(s) <= 128 &&
           s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")] ==
               '\0';
}

enum mailmsg_status mailmsg_build(const struct mailmsg *m, struct buf *out)
{
    if (!address_ok(m->from_addr))
        return MAILMSG_BAD_FROM;
    if (!address_ok(m->to_addr))
        return MAILMSG_BAD_TO;
    if (!id_ok(m->id_left))
        return MAILMSG_BAD_ID;
    char date[64];
    struct tm tm;
    gmtime_r(&m->date, &tm);
    /* RFC 5322 date-time, in English whatever the locale */
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    const char *domain = strrchr(m->from_addr, '@') + 1;

    if (put_address(out, "From", m->from_name, m->from_addr) != 0 ||
        put_address(out, "To", m->to_name, m->to_addr) != 0)
        return MAILMSG_NOMEM;
    buf_puts(out, "Subject: ");
    const char *subject = m->subject != NULL ? m->subject : "";
    if (rfc2047_encode(out, subject, strlen(subject), strlen("Subject: "), RFC2047_TEXT) < 0)
        return MAILMSG_NOMEM;
    buf_printf(out, "\nDate: %s\nMessage-ID: <%s@%s>\n", date, m->id_left, domain);
    const char *body = m->body != NULL ? m->body : "";
    size_t body_len = m->body != NULL ? m->body_len : 0;
    const char *cte = plain_encoding(body, body_len);
    buf_printf(out, "MIME-Version: 1.0\n"
                    "Content-Type: text/plain; charset=UTF-8\n"
                    "Content-Transfer-Encoding: %s\n"
                    "Auto-Submitted: auto-generated\n"
                    "\n", cte != NULL ? cte : "quoted-printable");
    if (cte != NULL)
        buf_append(out, body, body_len);
    else if (qp_encode(out, body, body_len) != 0)
        return MAILMSG_NOMEM;
    if (out->len > 0 && out->data[out->len - 1] != '\n')
        buf_append(out, "\n", 1);
    return out->failed ? MAILMSG_NOMEM : MAILMSG_OK;
}

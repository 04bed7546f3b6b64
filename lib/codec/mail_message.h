/* mail_message.h: one RFC 5322 message, as piped to a sendmail-compatible command ("-t" reads
 * the recipients from the To header). Every header is built here from checked parts: the
 * addresses must pass valid_email, names and the subject go through rfc2047, and the body is
 * sent as it is only when it is plain text with short lines (else quoted-printable), so nothing
 * from user data can add, end or alter a header line. */
#ifndef PROV_MAIL_MESSAGE_H
#define PROV_MAIL_MESSAGE_H

#include <stddef.h>
#include <time.h>

struct buf;

struct mailmsg {
    const char *from_addr;   /* the sender address (tenant or configured mail.from) */
    const char *from_name;   /* its display name, or NULL */
    const char *to_addr;     /* the recipient address */
    const char *to_name;     /* its display name, or NULL */
    const char *subject;
    const char *body;        /* UTF-8 text, LF line breaks */
    size_t body_len;
    const char *id_left;     /* the unique left part of the Message-ID ([A-Za-z0-9.-]) */
    time_t date;
};

enum mailmsg_status {
    MAILMSG_OK = 0,
    MAILMSG_BAD_FROM,    /* the sender address is missing or not a plain address */
    MAILMSG_BAD_TO,      /* the recipient address is not a plain address */
    MAILMSG_BAD_ID,      /* id_left is empty or holds other characters (a caller bug) */
    MAILMSG_NOMEM
};

/* Appends the whole message (headers, blank line, body; LF line endings) to out. */
enum mailmsg_status mailmsg_build(const struct mailmsg *m, struct buf *out);

#endif

/* outbox.h: delivery of the mail_outbox (docs/CONTRACT.md section 8). Each due row is claimed by
 * a committed UPDATE checked by its affected rows (outbox.c) before it is sent, so any number of
 * deliverers (cron runs of `provctl mail deliver`, FastCGI workers after their response, on
 * any number of hosts and Galera nodes) share the queue and no row is sent twice by two of
 * them. Every message's Message-ID is its row's own (m.<message_key>@domain): a resend is
 * recognisable. The message is piped to the configured sendmail-compatible
 * command; the row is then marked sent (a body holding a credential is blanked), or scheduled
 * again with exponential backoff, or dead with the reason after mail.max_attempts. If the process
 * dies between the command's success and the commit, the row is sent again later: delivery is at
 * least once, never lost. */
#ifndef PROV_OUTBOX_H
#define PROV_OUTBOX_H

struct config;
struct db;

struct outbox_filter {
    long long tenant_id;        /* 0: every tenant */
    const char *request_id;     /* NULL: mail of any request; else only that request's */
    unsigned limit;             /* at most this many mails in this run; 0: until none is due */
};

struct outbox_stats {
    unsigned sent;
    unsigned retried;           /* failed, scheduled again */
    unsigned dead;              /* failed for good */
};

enum outbox_status { OUTBOX_OK = 0, OUTBOX_DB };

/* Delivers due mail until none is left (or the limit). rid tags log lines (may be NULL).
 * OUTBOX_DB when the database failed; stats count what was done before. */
enum outbox_status outbox_deliver(struct db *db, const struct config *cfg, const char *rid,
                                  const struct outbox_filter *f, struct outbox_stats *stats);
/* Seconds to wait after the given number of failed attempts (1, 2, ...): mail.backoff_seconds
 * doubled for each earlier failure, at most mail.backoff_max_seconds. */
unsigned long outbox_backoff(const struct config *cfg, unsigned failures);
/* 1 when a mail command's exit status says the message can never be delivered as it is
 * (sysexits EX_DATAERR 65, EX_NOUSER 67, EX_NOHOST 68): no retry. */
int outbox_permanent(int exit_status);

#endif

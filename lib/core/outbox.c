/* outbox.c: claiming, sending and marking outbox rows. A due row is chosen by a plain read and
 * claimed by an UPDATE committed on its own (OUTBOX_TAKE: this deliverer's name, and the row
 * not due again until the send is surely over), checked by its affected rows, before the mail
 * command runs: two deliverers, on one database or on two nodes of a Galera cluster (where a
 * conflicting claim fails its certification), never both get a row, and no lock is held while
 * the command runs. The mark afterwards names the claimant and is run again, on another
 * connection if need be, while the database is unreachable (for a while). A deliverer that
 * dies leaves the row to come due again: at least once. Bodies are never logged. */
#include "core/outbox.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/pipecmd.h"
#include "codec/mail_message.h"
#include "core/tenants.h"
#include "store/db.h"
#include "store/tx.h"

/* REASON_MAX: last_error's width. CLAIM_ATTEMPTS: rounds lost to other deliverers before
 * giving up for now. LEASE_MARGIN: seconds a claim outlasts mail.timeout_seconds. MARK_TRIES,
 * MARK_PAUSE_MS: how long a mark is tried while the database is unreachable (about 30 s) */
enum { REASON_MAX = 255, CLAIM_ATTEMPTS = 8, LEASE_MARGIN = 60, MARK_TRIES = 60,
       MARK_PAUSE_MS = 500 };

unsigned long outbox_backoff(const struct config *cfg, unsigned failures)
{
    unsigned long d = cfg->mail_backoff_seconds > 0 ? cfg->mail_backoff_seconds : 1;
    unsigned long max = cfg->mail_backoff_max_seconds > d ? cfg->mail_backoff_max_seconds : d;
    for (unsigned i = 1; i < failures && d < max; i++)
        d *= 2;
    return d < max ? d : max;
}

int outbox_permanent(int exit_status)
{
    return exit_status == 65 || exit_status == 67 || exit_status == 68;
}

struct row {
    long long id;
    long long tenant_id;
    const char *kind;
    const char *recipient;
    const char *recipient_name;
    const char *subject;
    const char *body;
    size_t body_len;
    unsigned attempts;
    const char *message_key;
};

enum outcome { OUT_SENT = 0, OUT_RETRY, OUT_DEAD };

static void row_from(const struct db_rows *r, struct row *m)
{
    m->id = db_cell_int(db_cell(r, 0, 0));
    m->tenant_id = db_cell_int(db_cell(r, 0, 1));
    m->kind = db_cell_str(db_cell(r, 0, 2));
    m->recipient = db_cell_str(db_cell(r, 0, 3));
    m->recipient_name = db_cell_str(db_cell(r, 0, 4));
    m->subject = db_cell_str(db_cell(r, 0, 5));
    m->body = db_cell_str(db_cell(r, 0, 6));
    m->body_len = db_cell(r, 0, 6)->len;
    m->attempts = (unsigned)db_cell_int(db_cell(r, 0, 7));
    m->message_key = db_cell_str(db_cell(r, 0, 8));
}

static enum db_status claim(struct db *db, struct arena *a, const struct outbox_filter *f,
                            struct db_rows *rows, int *found)
{
    if (f->request_id != NULL) {
        struct db_val v = DBV_S(f->request_id);
        return db_query_row(db, a, SQL_OUTBOX_CLAIM_REQUEST, &v, 1, rows, found);
    }
    if (f->tenant_id > 0) {
        struct db_val v = DBV_I(f->tenant_id);
        return db_query_row(db, a, SQL_OUTBOX_CLAIM_TENANT, &v, 1, rows, found);
    }
    return db_query_row(db, a, SQL_OUTBOX_CLAIM, NULL, 0, rows, found);
}

/* Builds and pipes the message; the reason is set for anything but OUT_SENT. */
static enum outcome send_row(const struct config *cfg, const struct tenant *t,
                             const struct row *m, struct buf *msg, char *reason, size_t rlen)
{
    const char *from = t->mail_from != NULL && *t->mail_from ? t->mail_from : cfg->mail_from;
    /* the Message-ID is the row's own random key (0012_cluster.sql): a resend of the row
     * carries the same one. Not the row id: that is a sequence shared by every tenant, and a
     * recipient comparing two Message-IDs would learn how much mail everyone else was sent
     * (docs/SECURITY.md, "Hardening II: answers and ids"). The command is told the row in its
     * environment, for logs (and the tests' mailbox) */
    char id_left[64], row[48];
    if (m->message_key == NULL || *m->message_key == '\0') {
        snprintf(reason, rlen, "the row has no message key");
        return OUT_RETRY;
    }
    snprintf(id_left, sizeof id_left, "m.%s", m->message_key);
    snprintf(row, sizeof row, "PROVISION_OUTBOX_ID=%lld", m->id);
    const char *const env[] = { row, NULL };
    struct mailmsg mm = {
        .from_addr = from, .from_name = t->name,
        .to_addr = m->recipient, .to_name = m->recipient_name,
        .subject = m->subject, .body = m->body, .body_len = m->body_len,
        .id_left = id_left, .date = time(NULL),
    };
    switch (mailmsg_build(&mm, msg)) {
    case MAILMSG_OK:
        break;
    case MAILMSG_BAD_TO:
        snprintf(reason, rlen, "invalid recipient address");
        return OUT_DEAD;
    case MAILMSG_BAD_FROM:
        snprintf(reason, rlen, "no valid sender address (tenant mail_from or mail.from)");
        return OUT_RETRY;
    case MAILMSG_BAD_ID:
    case MAILMSG_NOMEM:
        snprintf(reason, rlen, "cannot build the message (out of memory)");
        return OUT_RETRY;
    }
    struct pipecmd_result r;
    enum pipecmd_status ps = pipecmd_run_env(cfg->mail_command, env, msg->data, msg->len,
                                             cfg->mail_timeout_seconds * 1000u, &r);
    if (ps == PIPECMD_OK)
        return OUT_SENT;
    snprintf(reason, rlen, "%s", r.reason);
    return ps == PIPECMD_FAILED && !r.input_short && !r.timed_out &&
                   outbox_permanent(r.exit_status)
               ? OUT_DEAD
               : OUT_RETRY;
}

struct marking {
    const struct config *cfg;
    const struct row *m;
    enum outcome out;
    const char *reason;
    const char *holder;
    uint64_t affected;
};

/* One run of the mark (tx_body): the outcome of the send, if the row is still ours. */
static enum tx_status mark_once(struct db *db, void *arg)
{
    struct marking *k = arg;
    const struct row *m = k->m;
    struct db_result res = { 0 };
    enum db_status st = DB_ERROR;
    switch (k->out) {
    case OUT_SENT: {
        struct db_val v[2] = { DBV_I(m->id), DBV_S(k->holder) };
        st = db_exec(db, SQL_OUTBOX_MARK_SENT, v, 2, &res);
        break;
    }
    case OUT_RETRY: {
        struct db_val v[4] = {
            DBV_S(k->reason), DBV_I((long long)outbox_backoff(k->cfg, m->attempts + 1)),
            DBV_I(m->id), DBV_S(k->holder),
        };
        st = db_exec(db, SQL_OUTBOX_MARK_RETRY, v, 4, &res);
        break;
    }
    case OUT_DEAD: {
        struct db_val v[3] = { DBV_S(k->reason), DBV_I(m->id), DBV_S(k->holder) };
        st = db_exec(db, SQL_OUTBOX_MARK_DEAD, v, 3, &res);
        break;
    }
    }
    k->affected = res.affected;
    return tx_from_db(st);
}

static void pause_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Records the outcome. The statement only changes the row while this deliverer holds it, so
 * it is run again (after a lost connection, on the next database host) until it went
 * through or the database stayed away for about MARK_TRIES * MARK_PAUSE_MS. */
static enum db_status mark(struct db *db, const struct config *cfg, const char *rid,
                           const struct row *m, enum outcome *out, const char *reason,
                           const char *holder)
{
    unsigned max = cfg->mail_max_attempts > 0 ? cfg->mail_max_attempts : 1;
    if (*out == OUT_RETRY && m->attempts + 1 >= max)
        *out = OUT_DEAD;
    struct marking k = { cfg, m, *out, reason, holder, 0 };
    /* causal: after a lost connection the mark runs through another node, which may not yet
     * have applied the claim; without waiting for it, the mark would match no row there,
     * make no write set, and leave the row claimed, to be sent again when the lease ends */
    db_causal(db, 1);
    enum db_status st = DB_ERROR;
    for (unsigned t = 1;; t++) {
        enum tx_status ts = tx_run(db, mark_once, &k);
        if (ts == TX_OK) {
            if (k.affected != 1)
                log_error(rid, "mail %lld: no longer held by this deliverer when marked", m->id);
            st = DB_OK;
            break;
        }
        if ((ts != TX_UNAVAILABLE && ts != TX_RETRY) || t >= MARK_TRIES) {
            st = ts == TX_UNAVAILABLE ? DB_UNAVAILABLE : DB_ERROR;
            break;
        }
        pause_ms(MARK_PAUSE_MS);
    }
    db_causal(db, 0);
    return st;
}

/* Chooses a due row and claims it for holder. 1: claimed (*rows holds it), 0: none due,
 * -1: the database failed. */
static int take(struct db *db, struct arena *a, const struct config *cfg,
                const struct outbox_filter *f, const char *holder, struct db_rows *rows)
{
    for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        int found = 0;
        if (claim(db, a, f, rows, &found) != DB_OK)
            return -1;
        if (!found)
            return 0;
        struct db_val v[4] = {
            DBV_S(holder), DBV_I((long long)cfg->mail_timeout_seconds + LEASE_MARGIN),
            DBV_I(db_cell_int(db_cell(rows, 0, 0))), DBV_S(holder),
        };
        struct db_result res;
        enum db_status st = db_exec(db, SQL_OUTBOX_TAKE, v, 4, &res);
        if (st == DB_RETRY || (st == DB_OK && res.affected != 1))
            continue;   /* another deliverer claimed it first: choose again */
        if (st != DB_OK)
            return -1;
        return 1;
    }
    return 0;   /* others keep winning: they are delivering */
}

/* Delivers one due row. Returns 1 when a row was handled, 0 when none is due, -1 when the
 * database failed. */
static int deliver_one(struct db *db, struct arena *a, const struct config *cfg,
                       const char *rid, const struct outbox_filter *f, const char *holder,
                       struct outbox_stats *stats)
{
    struct db_rows rows;
    struct buf msg = { 0 };
    struct tenant *t = NULL;
    struct row m;
    char reason[REASON_MAX + 1] = "";
    int rc;
    enum outcome out;

    arena_reset(a);
    if (db_in_transaction(db))
        return -1;   /* the claim must be committed before the command runs */
    if ((rc = take(db, a, cfg, f, holder, &rows)) != 1)
        return rc;
    rc = -1;
    row_from(&rows, &m);
    /* the row stays claimed until its lease ends, then it is due again */
    if (tenant_by_id(db, a, m.tenant_id, &t) != TENANT_OK)
        goto done;
    out = send_row(cfg, t, &m, &msg, reason, sizeof reason);
    if (mark(db, cfg, rid, &m, &out, reason, holder) != DB_OK) {
        if (out == OUT_SENT)
            log_error(rid, "mail %lld was sent but cannot be marked: it will be sent again",
                      m.id);
        goto done;
    }
    if (out == OUT_SENT) {
        stats->sent++;
    } else {
        log_error(rid, "mail %lld (%s) attempt %u failed%s: %s", m.id, m.kind ? m.kind : "-",
                  m.attempts + 1, out == OUT_DEAD ? ", given up" : ", will retry", reason);
        if (out == OUT_DEAD)
            stats->dead++;
        else
            stats->retried++;
    }
    rc = 1;
done:
    if (msg.data != NULL)
        explicit_bzero(msg.data, msg.cap);   /* it may hold a pin or a password */
    buf_free(&msg);
    return rc;
}

enum outbox_status outbox_deliver(struct db *db, const struct config *cfg, const char *rid,
                                  const struct outbox_filter *f, struct outbox_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    struct arena *a = arena_new();
    if (a == NULL)
        return OUTBOX_DB;
    /* this run's name in the rows it claims */
    unsigned char raw[8];
    char hex[sizeof raw * 2 + 1], holder[64];
    if (crypto_random(raw, sizeof raw) != 0) {
        arena_free(a);
        return OUTBOX_DB;
    }
    hex_encode(raw, sizeof raw, hex);
    snprintf(holder, sizeof holder, "%ld-%s", (long)getpid(), hex);
    enum outbox_status st = OUTBOX_OK;
    for (unsigned n = 0; f->limit == 0 || n < f->limit; n++) {
        int rc = deliver_one(db, a, cfg, rid, f, holder, stats);
        if (rc == 0)
            break;
        if (rc < 0) {
            st = OUTBOX_DB;
            break;
        }
    }
    arena_free(a);
    return st;
}

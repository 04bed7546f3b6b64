/* outbox.c: claiming, sending and marking outbox rows. One transaction per mail: the row lock
 * is held while the command runs, so a second deliverer skips the row instead of sending it
 * too, and a deliverer that dies releases it with its connection. Never holds a lock on any
 * other table (the tenant is read without locking). Bodies are never logged. */
#include "core/outbox.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/pipecmd.h"
#include "codec/mail_message.h"
#include "core/tenants.h"
#include "store/db.h"

enum { REASON_MAX = 255 };

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
    /* the Message-ID is random alone: the row id is a sequence shared by every tenant, and a
     * recipient comparing two Message-IDs would learn how much mail everyone else was sent
     * (docs/SECURITY.md, "Hardening II: answers and ids"). The command is told the row in
     * its environment instead, for logs (and the tests' mailbox) */
    unsigned char rnd[16];
    char rhex[sizeof rnd * 2 + 1], id_left[64], row[48];
    if (crypto_random(rnd, sizeof rnd) != 0) {
        snprintf(reason, rlen, "no randomness for the Message-ID");
        return OUT_RETRY;
    }
    hex_encode(rnd, sizeof rnd, rhex);
    snprintf(id_left, sizeof id_left, "m.%s", rhex);
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

static enum db_status mark(struct db *db, const struct config *cfg, const struct row *m,
                           enum outcome *out, const char *reason)
{
    unsigned max = cfg->mail_max_attempts > 0 ? cfg->mail_max_attempts : 1;
    if (*out == OUT_RETRY && m->attempts + 1 >= max)
        *out = OUT_DEAD;
    switch (*out) {
    case OUT_SENT: {
        struct db_val v = DBV_I(m->id);
        return db_exec(db, SQL_OUTBOX_MARK_SENT, &v, 1, NULL);
    }
    case OUT_RETRY: {
        struct db_val v[3] = {
            DBV_S(reason), DBV_I((long long)outbox_backoff(cfg, m->attempts + 1)), DBV_I(m->id),
        };
        return db_exec(db, SQL_OUTBOX_MARK_RETRY, v, 3, NULL);
    }
    case OUT_DEAD: {
        struct db_val v[2] = { DBV_S(reason), DBV_I(m->id) };
        return db_exec(db, SQL_OUTBOX_MARK_DEAD, v, 2, NULL);
    }
    }
    return DB_ERROR;
}

/* Delivers one due row. Returns 1 when a row was handled, 0 when none is due, -1 when the
 * database failed. */
static int deliver_one(struct db *db, struct arena *a, const struct config *cfg,
                       const char *rid, const struct outbox_filter *f,
                       struct outbox_stats *stats)
{
    struct db_rows rows;
    struct buf msg = { 0 };
    struct tenant *t = NULL;
    struct row m;
    char reason[REASON_MAX + 1] = "";
    int found = 0, rc = -1;
    enum outcome out;

    arena_reset(a);
    if (db_begin(db) != DB_OK)
        goto done;
    if (claim(db, a, f, &rows, &found) != DB_OK)
        goto done;
    if (!found) {
        rc = 0;
        goto done;
    }
    row_from(&rows, &m);
    if (tenant_by_id(db, a, m.tenant_id, &t) != TENANT_OK)
        goto done;
    out = send_row(cfg, t, &m, &msg, reason, sizeof reason);
    if (mark(db, cfg, &m, &out, reason) != DB_OK || db_commit(db) != DB_OK) {
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
    db_rollback(db);   /* a no-op after the commit */
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
    enum outbox_status st = OUTBOX_OK;
    for (unsigned n = 0; f->limit == 0 || n < f->limit; n++) {
        int rc = deliver_one(db, a, cfg, rid, f, stats);
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

/* tx.c: the transaction runner (tx.h). Every transaction of the service goes through tx_run,
 * so the policy is written once: begin, body, commit; on a deadlock or lock wait anywhere in
 * that (COMMIT included) roll back, wait, and run the body again from its start, a bounded
 * number of times. The wait doubles from db.tx_backoff_ms and is drawn at random between half
 * and one and a half times that, so two transactions that deadlocked do not meet again in
 * step. db.c guarantees the clean statement state a rerun needs (a failed handle is never
 * reused). Never knows what a body does. */
#include "store/tx.h"

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"

/* Whatever the configuration says: a transaction runs at least once and never endlessly, and
 * no single wait exceeds a second (requests are answered within a few). */
enum { TX_ATTEMPTS_MAX = 20, TX_WAIT_MAX_MS = 1000 };

enum tx_status tx_from_db(enum db_status st)
{
    switch (st) {
    case DB_OK: return TX_OK;
    case DB_RETRY: return TX_RETRY;
    case DB_UNAVAILABLE: return TX_UNAVAILABLE;
    default: return TX_ERROR;
    }
}

/* ms, jittered uniformly into [ms/2, 3ms/2]. */
static unsigned jittered(unsigned ms)
{
    uint32_t r;
    if (ms == 0 || crypto_random(&r, sizeof r) != 0)
        return ms;
    return ms / 2 + (unsigned)(r % ((uint32_t)ms + 1));
}

static void pause_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

enum tx_status tx_run(struct db *db, tx_body body, void *arg)
{
    const struct config *cfg = db_config(db);
    unsigned attempts = cfg->db_tx_attempts, wait = cfg->db_tx_backoff_ms;
    if (attempts < 1)
        attempts = 1;
    if (attempts > TX_ATTEMPTS_MAX)
        attempts = TX_ATTEMPTS_MAX;
    if (wait > TX_WAIT_MAX_MS)
        wait = TX_WAIT_MAX_MS;
    enum tx_status ts = TX_ERROR;
    for (unsigned a = 1;; a++) {
        ts = tx_from_db(db_begin(db));
        if (ts == TX_OK && (ts = body(db, arg)) == TX_OK &&
            (ts = tx_from_db(db_commit(db))) == TX_OK)
            return TX_OK;
        /* a deadlock ends the transaction whatever the body made of the failed statement
         * (a module that maps every database error to its own failure cannot hide it) */
        const char *why = db_retry_reason(db);
        if (why != NULL && ts != TX_UNAVAILABLE)
            ts = TX_RETRY;
        db_rollback(db);
        if (ts != TX_RETRY)
            return ts;
        if (why == NULL)
            why = "a concurrent change";
        if (a >= attempts) {
            log_error(db_request_id(db), "db: %s on each of %u runs: transaction given up", why,
                      attempts);
            return TX_RETRY;
        }
        unsigned ms = jittered(wait);
        log_error(db_request_id(db), "db: %s, transaction rolled back; run %u of %u in %u ms",
                  why, a + 1, attempts, ms);
        pause_ms(ms);
        wait = wait * 2 > TX_WAIT_MAX_MS ? TX_WAIT_MAX_MS : wait * 2;
    }
}

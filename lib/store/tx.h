/* tx.h: running one database transaction with the service's retry policy, the only place that
 * policy lives. The body is run between START TRANSACTION and COMMIT; a deadlock or lock wait
 * timeout (1213, 1205), whether a statement of the body or the COMMIT itself meets it (Galera
 * reports a failed certification as 1213 on COMMIT), rolls everything back, and after a
 * jittered, growing wait the body runs again from its start, at most db.tx_attempts times in
 * all. Store layer: knows no request, no dialect and no vendor. */
#ifndef PROV_TX_H
#define PROV_TX_H

#include "store/db.h"

enum tx_status {
    TX_OK = 0,       /* body: commit. tx_run: committed */
    TX_UNDONE,       /* body: roll back, a rule refused the work (its own result says why).
                      * tx_run: rolled back as asked, nothing written */
    TX_RETRY,        /* body: a deadlock or lock wait (tx_from_db(DB_RETRY)), or a race the
                      * body knows a new run settles (a unique key taken meanwhile): roll back
                      * and run again. tx_run: still so after the last attempt, nothing written */
    TX_UNAVAILABLE,  /* the database could not be reached or the connection was lost (never
                      * rerun: the transaction died with its connection). Nothing written,
                      * except when the connection died during COMMIT (unknown outcome) */
    TX_ERROR         /* anything else, already logged; nothing written */
};

/* One run of the work inside the open transaction. It must be restartable: nothing outside
 * the transaction may change, and whatever it accumulates in memory (counts, results, lists)
 * is reset at its start. */
typedef enum tx_status (*tx_body)(struct db *db, void *arg);

/* Runs body(db, arg) in a transaction with the policy above. Once a statement of the body (or
 * the COMMIT) has met a deadlock or lock wait, the run is rolled back and rerun whatever the
 * body returned (TX_UNAVAILABLE aside): every later statement of it failed anyway. */
enum tx_status tx_run(struct db *db, tx_body body, void *arg);

/* A statement's status as a body's: DB_OK -> TX_OK, DB_RETRY -> TX_RETRY,
 * DB_UNAVAILABLE -> TX_UNAVAILABLE, anything else (a duplicate the body did not expect,
 * an error) -> TX_ERROR. */
enum tx_status tx_from_db(enum db_status st);

#endif

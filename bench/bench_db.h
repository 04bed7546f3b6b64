/* bench_db.h: the baselines' database connection, opened by lib/store/db.c's own db_open (same
 * configuration file, same client options and session settings), so that a
 * baseline differs from the service only in what it does per request. Bench code only. */
#ifndef BENCH_DB_H
#define BENCH_DB_H

#include <stdio.h>

#include <mysql.h>

#include "base/config.h"
#include "store/db.h"

/* Connects with cfg's settings, through the very code the service uses (db_open); NULL (reason
 * on stderr) on failure. */
static inline MYSQL *bench_connect(const struct config *cfg)
{
    char err[256];
    MYSQL *m = db_open(cfg, err, sizeof err);
    if (m == NULL)
        fprintf(stderr, "bench: connect failed: %s\n", err);
    return m;
}

#endif
